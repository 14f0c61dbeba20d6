// Equivalence check for speed work on the word diff: the working tree's
// fw::diff::diff against an earlier revision's (diff_equivalence_ref.cpp,
// built by bench/diff_equivalence.sh) on random text pairs. Every pair must
// give byte-identical JSON and text renderings and the same tokens, and the
// new diff must apply.
//
//   diff_equivalence PAIRS [SEED]
//   diff_equivalence --pair OLD_FILE NEW_FILE   (prints both outputs for one pair)
//
// The pairs are article-like texts (paragraphs of sentences: English words,
// abbreviations, numbers with currency signs and separators, CJK runs, quotes
// and brackets after sentence ends, Unicode spaces and line separators, CR LF,
// combining marks, emoji, ill-formed bytes) and one to six edits of the kinds
// articles get (a sentence replaced, inserted, deleted or repeated, a word or a
// figure changed, paragraphs added, removed, swapped, split or merged) plus, on
// some pairs, byte-level edits at random offsets (which also cut UTF-8
// sequences). One pair in six is random "piece soup" instead, where sentence
// ends, closings and whitespace collide. Prints the first mismatches and exits
// 1 when there is any.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/diff/diff.hpp"
#include "parsers/diff/tokenize.hpp"

std::string diff_equivalence_reference(std::string_view old_text, std::string_view new_text);

namespace {

using Rng = std::mt19937_64;

const std::vector<std::string_view> k_words = {"the",
                                               "company",
                                               "said",
                                               "on",
                                               "Monday",
                                               "it",
                                               "would",
                                               "DeepSeek",
                                               "model",
                                               "chip",
                                               "Huawei",
                                               "shares",
                                               "U.S.",
                                               "Mr.",
                                               "e.g.",
                                               "6.5",
                                               "£6",
                                               "$60",
                                               "1,000",
                                               "6.5%",
                                               "2023",
                                               "it's",
                                               "DeepSeek’s",
                                               "open-source",
                                               "state-owned",
                                               "café",
                                               "cafe\xCC\x81",
                                               "naïve",
                                               "Zhongguancun",
                                               "Beijing’s",
                                               "£6.5m",
                                               "10:30",
                                               "1/2",
                                               "\xF0\x9F\x98\x80",
                                               "—",
                                               "–",
                                               "(",
                                               ")",
                                               "\"quoted\"",
                                               "“Silicon",
                                               "Valley”",
                                               "‘China’s",
                                               "a",
                                               "I"};

const std::vector<std::string_view> k_cjk = {"阿", "里", "巴", "的", "模", "型", "发", "布", "了", "の",
                                             "会", "社", "カ", "한", "국", "，", "、", "AI", "6",  "％"};

const std::vector<std::string_view> k_ends = {".", ".", ".", ".", "!", "?", "...", ".\"", ".”", ".’", ")."};
const std::vector<std::string_view> k_cjk_ends = {"。", "！", "？", "。」"};
const std::vector<std::string_view> k_spaces = {
    " ", " ", " ", " ", " ", " ", "  ", "\t", "\n", "\xC2\xA0", "\xE3\x80\x80", " \xE2\x80\xA8 "};
const std::vector<std::string_view> k_breaks = {
    "\n\n", "\n\n", "\n\n", "\r\n\r\n", "\n \n", "\n\n\n", "\xE2\x80\xA9\xE2\x80\xA9", "\xC2\x85\xC2\x85",
    "\r\r"};
// For soup and byte-level edits: the pieces where the tokenizer's and the
// sentence rule's decisions are made.
const std::vector<std::string_view> k_pieces = {"word",
                                                "U.S.",
                                                "6.5",
                                                "it's",
                                                ".",
                                                "!",
                                                "?",
                                                "\"",
                                                "'",
                                                ")",
                                                "]",
                                                "”",
                                                "’",
                                                "»",
                                                "」",
                                                "。",
                                                "！",
                                                "？",
                                                "阿",
                                                " ",
                                                " ",
                                                "\n",
                                                "\n\n",
                                                "\xC2\xA0",
                                                "\xE3\x80\x80",
                                                "\xE2\x80\xA8",
                                                "\xCC\x81",
                                                "\xFF",
                                                "\xE2\x80",
                                                "a",
                                                "$",
                                                "£",
                                                "6",
                                                ",",
                                                "-",
                                                "%",
                                                "\r",
                                                "\r\n",
                                                "\xC2\x85"};

template <class T>
const T& pick(Rng& rng, const std::vector<T>& v) {
  return v[rng() % v.size()];
}

std::string sentence(Rng& rng) {
  std::string s;
  if (rng() % 6 == 0) {  // CJK, no spaces
    std::size_t n = 2 + rng() % 14;
    for (std::size_t i = 0; i < n; ++i) s.append(pick(rng, k_cjk));
    s.append(pick(rng, k_cjk_ends));
    return s;
  }
  std::size_t n = 1 + rng() % 18;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) s.append(rng() % 8 == 0 ? ", " : std::string(pick(rng, k_spaces)));
    s.append(pick(rng, k_words));
  }
  s.append(pick(rng, k_ends));
  return s;
}

using Paragraph = std::vector<std::string>;

std::string join(Rng& rng, const std::vector<Paragraph>& article) {
  std::string out;
  for (std::size_t p = 0; p < article.size(); ++p) {
    if (p > 0) out.append(pick(rng, k_breaks));
    for (std::size_t s = 0; s < article[p].size(); ++s) {
      if (s > 0) out.append(rng() % 10 == 0 ? std::string_view("") : pick(rng, k_spaces));
      out.append(article[p][s]);
    }
  }
  if (rng() % 10 == 0) out.append(pick(rng, k_breaks));
  return out;
}

void edit_article(Rng& rng, std::vector<Paragraph>& a) {
  if (a.empty()) {
    a.push_back({sentence(rng)});
    return;
  }
  Paragraph& p = a[rng() % a.size()];
  std::size_t at = p.empty() ? 0 : rng() % p.size();
  switch (rng() % 12) {
    case 0:
    case 1:
      if (!p.empty()) p[at] = sentence(rng);
      break;
    case 2:
      p.insert(p.begin() + static_cast<std::ptrdiff_t>(p.empty() ? 0 : rng() % (p.size() + 1)),
               sentence(rng));
      break;
    case 3:
      if (!p.empty()) p.erase(p.begin() + static_cast<std::ptrdiff_t>(at));
      break;
    case 4:
      if (!p.empty()) p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), p[at]);  // repeated sentence
      break;
    case 5:
    case 6:
      if (!p.empty()) {  // one word or figure changed
        std::string& s = p[at];
        std::size_t b = s.empty() ? 0 : rng() % s.size();
        std::size_t e = s.find(' ', b);
        if (e == std::string::npos) e = s.size();
        s.replace(b, e - b, pick(rng, k_words));
      }
      break;
    case 7: {
      Paragraph np;
      std::size_t n = 1 + rng() % 4;
      for (std::size_t i = 0; i < n; ++i) np.push_back(sentence(rng));
      a.insert(a.begin() + static_cast<std::ptrdiff_t>(rng() % (a.size() + 1)), np);
      break;
    }
    case 8:
      a.erase(a.begin() + static_cast<std::ptrdiff_t>(rng() % a.size()));
      break;
    case 9:
      if (a.size() > 1) std::swap(a[rng() % a.size()], a[rng() % a.size()]);
      break;
    case 10:
      if (p.size() > 1) {  // split
        std::size_t cut = 1 + rng() % (p.size() - 1);
        Paragraph tail(p.begin() + static_cast<std::ptrdiff_t>(cut), p.end());
        p.resize(cut);
        std::size_t index = static_cast<std::size_t>(&p - a.data());
        a.insert(a.begin() + static_cast<std::ptrdiff_t>(index + 1), tail);
      }
      break;
    default: {
      std::size_t index = rng() % a.size();
      if (index + 1 < a.size()) {  // merge
        a[index].insert(a[index].end(), a[index + 1].begin(), a[index + 1].end());
        a.erase(a.begin() + static_cast<std::ptrdiff_t>(index + 1));
      }
      break;
    }
  }
}

void edit_bytes(Rng& rng, std::string& s) {
  std::size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
  switch (rng() % 3) {
    case 0:
      s.insert(at, pick(rng, k_pieces));
      break;
    case 1:
      s.erase(at, 1 + rng() % 12);
      break;
    default:
      if (at < s.size()) s[at] = static_cast<char>(rng() % 256);
      break;
  }
}

std::string soup(Rng& rng, std::size_t n) {
  std::string s;
  for (std::size_t k = 0; k < n; ++k) s.append(pick(rng, k_pieces));
  return s;
}

struct Pair {
  std::string old_text;
  std::string new_text;
};

Pair random_pair(Rng& rng) {
  Pair pair;
  if (rng() % 6 == 0) {
    pair.old_text = soup(rng, rng() % 60);
    pair.new_text = pair.old_text;
    std::size_t edits = rng() % 5;
    for (std::size_t e = 0; e < edits; ++e) edit_bytes(rng, pair.new_text);
    if (rng() % 4 == 0) pair.new_text = soup(rng, rng() % 60);
    return pair;
  }
  std::vector<Paragraph> article(rng() % 10);
  for (Paragraph& p : article) {
    std::size_t n = 1 + rng() % 6;
    for (std::size_t i = 0; i < n; ++i) p.push_back(sentence(rng));
  }
  std::vector<Paragraph> edited = article;
  std::size_t edits = 1 + rng() % 6;
  for (std::size_t e = 0; e < edits; ++e) edit_article(rng, edited);
  // The same separators on both sides (else every paragraph would differ).
  std::uint64_t seed = rng();
  Rng a(seed);
  Rng b(seed);
  pair.old_text = join(a, article);
  pair.new_text = join(b, edited);
  if (rng() % 4 == 0) {
    std::size_t n = 1 + rng() % 3;
    for (std::size_t e = 0; e < n; ++e) edit_bytes(rng, rng() % 2 ? pair.new_text : pair.old_text);
  }
  if (rng() % 2) std::swap(pair.old_text, pair.new_text);
  return pair;
}

std::string ours(std::string_view old_text, std::string_view new_text, bool* applies) {
  const fw::diff::Diff d = fw::diff::diff(old_text, new_text);
  fw::Result<std::string> rebuilt = fw::diff::apply(old_text, d);
  *applies = rebuilt && *rebuilt == new_text;
  fw::diff::TextOptions all;
  all.all_paragraphs = true;
  all.color = true;
  std::string out = fw::diff::to_json(d) + "\n" + fw::diff::to_text(d) + "\n" + fw::diff::to_text(d, all);
  for (std::string_view text : {old_text, new_text}) {
    out += "\ntokens:";
    for (const fw::diff::Token& t : fw::diff::tokenize(text))
      out += " " + std::to_string(static_cast<int>(t.kind)) + ":" + std::to_string(t.text.size());
  }
  return out;
}

std::string slurp(const char* path) {
  std::string s;
  if (FILE* f = std::fopen(path, "rb")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string_view(argv[1]) == "--pair") {
    const std::string old_text = slurp(argv[2]);
    const std::string new_text = slurp(argv[3]);
    bool applies = false;
    std::string got = ours(old_text, new_text, &applies);
    std::string want = diff_equivalence_reference(old_text, new_text);
    std::printf("ours (applies: %d):\n%s\nreference:\n%s\n%s\n", static_cast<int>(applies), got.c_str(),
                want.c_str(), got == want ? "same" : "DIFFERENT");
    return got == want && applies ? 0 : 1;
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: diff_equivalence PAIRS [SEED]\n");
    return 2;
  }
  const long pairs = std::strtol(argv[1], nullptr, 10);
  Rng rng(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1);
  long mismatches = 0;
  long changed = 0;
  std::size_t bytes = 0;
  for (long i = 0; i < pairs; ++i) {
    Pair pair = random_pair(rng);
    bytes += pair.old_text.size() + pair.new_text.size();
    bool applies = false;
    std::string got = ours(pair.old_text, pair.new_text, &applies);
    std::string want = diff_equivalence_reference(pair.old_text, pair.new_text);
    if (pair.old_text != pair.new_text) ++changed;
    if (got == want && applies) continue;
    if (++mismatches <= 3) {
      std::printf("MISMATCH pair %ld (applies: %d)\nold: %s\nnew: %s\nours:\n%s\nreference:\n%s\n\n", i,
                  static_cast<int>(applies), pair.old_text.c_str(), pair.new_text.c_str(), got.c_str(),
                  want.c_str());
    }
  }
  std::printf("%ld pairs (%ld differing, %zu bytes in all): %ld mismatches\n", pairs, changed, bytes,
              mismatches);
  return mismatches == 0 ? 0 : 1;
}
