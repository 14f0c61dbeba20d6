// The word diff.
//
// What it computes. Both texts are tokenized (tokenize.hpp: words, numbers,
// single CJK characters, punctuation, whitespace runs, paragraph breaks; the
// tokens tile the text). The diff is a shortest edit script between the two
// token sequences, grouped into runs: equal, remove, insert. Because
// whitespace tokens take part, the equal and insert runs concatenate to the new
// text byte for byte, which apply() checks and the round-trip tests rely on.
//
// Why three levels. Articles are edited a sentence or a paragraph at a time.
// The diff first aligns *paragraphs* (a paragraph and its trailing blank line
// form one unit, found by a whitespace scan without tokenizing and compared
// whole), then, inside each run of differing paragraphs, *sentences* (split
// after . ! ? and their closing quotes, or after 。！？), and diffs *tokens*
// only inside the runs of differing sentences. That is faster (an unchanged
// paragraph is one hash, never tokenized), gives better output (an edited
// sentence's "the" never matches a "the" three sentences away), and yields the
// paragraph counts: a run where 1 old paragraph became 3 new ones added 2.
//
// The algorithm. Every level uses Wu, Manber, Myers and Miller's O(NP)
// algorithm ("An O(NP) sequence comparison algorithm", IPL 35, 1990) after
// stripping the common prefix and suffix. O(NP) runs in O((N+M)·P) where P is
// the number of deleted tokens, so two 10 KB articles that differ by five
// sentences cost a few thousand steps. Tokens are interned to uint32 ids first
// (Interner: a multiplicative hash; one- to three-byte tokens are their own
// ids), so the search compares integers. The search is onp.hpp: step for step
// the one of Debian's dtl (same diagonal order, tie-break and restart past
// 2,000,000 path points, so the same edit script; tests/parsers/onp_test.cpp
// checks it against dtl), with lighter bookkeeping. A run whose
// worst case (N+M)·min(N,M) exceeds k_max_work (a fully rewritten
// 30,000-token paragraph) is reported as one removal plus one insertion
// instead of being searched.
//
// Cleanup. A minimal edit script is not the most readable one. A pure
// insertion or deletion is slid along equal tokens to start on a paragraph
// (else word) boundary, so an added paragraph reads "\n\nNew text.", not
// ".\n\nNew text". Two changes separated only by whitespace are merged
// ("$6 million" -> "$60 billion" shows as [-$6 million-]{+$60 billion+}, not
// two edits), and so are two changes separated by at most two tokens when both
// changes are at least twice that size (a rewritten sentence does not keep a
// stray "the" as equal). Token counts are taken before this merge, so it never
// inflates them.
//
// Worked example. Old "It cost $6 million.\n\nShares fell." and new "It cost
// $60 million.\n\nShares fell.\n\nCorrection: a figure was wrong." Paragraph
// level: units ["It cost $6 million.\n\n", "Shares fell."] vs ["It cost $60
// million.\n\n", "Shares fell.\n\n", "Correction: ..."]; no unit is equal
// (the second differs in its trailing break), so there is one run of 2 old vs 3
// new paragraphs: one paragraph added. The token diff of that run, after the
// slide described above, gives hunks: equal "It cost ", remove "$6", insert
// "$60", equal " million.\n\nShares fell.", insert "\n\nCorrection: a figure
// was wrong."; stats: 1 changed token, 7 added tokens, 1 paragraph added.
// to_text prints
//   @@ ¶1 ¶1 @@
//   It cost [-$6-]{+$60+} million.
//
//   @@ ¶2 ¶3 @@
//   {+Correction: a figure was wrong.+}
#include "parsers/diff/diff.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "parsers/diff/onp.hpp"
#include "parsers/diff/tokenize.hpp"

namespace fw::diff {

namespace {

// Runs whose worst-case O(NP) cost exceeds this are reported as whole replacements.
constexpr std::uint64_t k_max_work = 400'000'000;

// Cleanup: the most content tokens an equal run between two changes may hold and still be merged.
constexpr std::size_t k_merge_max_gap = 2;

using detail::OnpSearch;
using detail::Region;

// Paragraphs as [begin, end) byte ranges (paragraph_spans()).
using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

// Maps distinct strings to small ids (from 1; never 0) so the O(NP) search compares
// integers. Open addressing over a table sized for `expected` strings; the
// strings are views into the texts being compared.
//
// Strings over 64 bytes (paragraphs and sentences: most of the bytes
// interned) are hashed from their length and 48 sampled bytes (the first,
// middle and last 16), not read whole: equal strings still get equal hashes,
// and a slot's string is compared in full before its id is reused, so the ids
// are exact; only strings that agree on those samples and differ elsewhere
// share a hash and cost a comparison. Should that happen more than
// k_max_false_matches times in one table (text made to collide), the table
// is rehashed with the full hash and stays on it until the next reset().
class Interner {
 public:
  Interner() = default;
  explicit Interner(std::size_t expected) { reset(expected); }

  // Empties the table, sized for `expected` strings; the allocation is kept
  // when it is large enough (one interner serves every run of a diff).
  void reset(std::size_t expected) {
    std::size_t capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    if (capacity > m_ids.size()) {
      m_ids.assign(capacity, 0);
      m_slots = std::make_unique_for_overwrite<Slot[]>(capacity);  // read only where m_ids is set
    } else {
      std::fill_n(m_ids.begin(), capacity, 0U);
    }
    m_mask = capacity - 1;
    m_count = 256;
    m_sampled = true;
    m_false_matches = 0;
  }

  // Ids are only ever compared for equality. A one-byte string (a space, most
  // punctuation) is its own id, 1 + its byte, and a two- or three-byte one
  // ("of", "the", a curly quote) its bytes and length packed under the top
  // bit, without hashing; longer ones get ids from 257 on, which never reach
  // the top bit (that would take 2^31 distinct strings).
  std::uint32_t id(std::string_view s) {
    if (s.size() == 1) return 1U + static_cast<unsigned char>(s[0]);
    if (s.size() == 2 || s.size() == 3) {
      auto byte = [&](std::size_t i) { return std::uint32_t{static_cast<unsigned char>(s[i])}; };
      std::uint32_t last = s.size() == 3 ? byte(2) : 0U;
      return 0x80000000U | (static_cast<std::uint32_t>(s.size()) << 24) | (byte(0) << 16) | (byte(1) << 8) |
             last;
    }
    return lookup(s);
  }

 private:
  // The table part of id(), out of line so that id() inlines into its loops.
  [[gnu::noinline]] std::uint32_t lookup(std::string_view s) {
    std::size_t h = table_hash(s);
    auto h32 = static_cast<std::uint32_t>(h >> 32);
    auto size = static_cast<std::uint32_t>(s.size());  // texts are far below 4 GB
    for (std::size_t i = h & m_mask;; i = (i + 1) & m_mask) {
      if (m_ids[i] == 0) {
        m_slots[i] = Slot{s.data(), size, h32};
        m_ids[i] = ++m_count;
        return m_count;
      }
      const Slot& slot = m_slots[i];
      if (slot.hash == h32 && slot.size == size) {
        if (same(slot.data, s.data(), s.size())) return m_ids[i];
        if (m_sampled && size > k_sampled_above && ++m_false_matches > k_max_false_matches) {
          rehash_in_full();
          return lookup(s);
        }
      }
    }
  }

  static constexpr std::size_t k_sampled_above = 64;
  static constexpr std::uint32_t k_max_false_matches = 8;

  std::size_t table_hash(std::string_view s) const {
    return m_sampled && s.size() > k_sampled_above ? sampled_hash(s) : hash(s);
  }

  // Leaves sampled hashing: every string in the table is hashed again in full
  // and put back with its id.
  [[gnu::noinline]] void rehash_in_full() {
    m_sampled = false;
    const std::size_t capacity = m_mask + 1;
    std::vector<std::pair<Slot, std::uint32_t>> entries;
    for (std::size_t i = 0; i < capacity; ++i) {
      if (m_ids[i] != 0) entries.emplace_back(m_slots[i], m_ids[i]);
    }
    std::fill_n(m_ids.begin(), capacity, 0U);
    for (const auto& [slot, id] : entries) {
      std::size_t h = hash(std::string_view(slot.data, slot.size));
      std::size_t i = h & m_mask;
      while (m_ids[i] != 0) i = (i + 1) & m_mask;
      m_slots[i] = Slot{slot.data, slot.size, static_cast<std::uint32_t>(h >> 32)};
      m_ids[i] = id;
    }
  }

  // The hash of a string over 64 bytes from its length and 16 bytes at its
  // start, middle and end.
  static std::uint64_t sampled_hash(std::string_view s) {
    constexpr std::uint64_t k0 = 0xA0761D6478BD642FULL;
    constexpr std::uint64_t k1 = 0xE7037ED1A0B428DBULL;
    constexpr std::uint64_t k2 = 0x8EBC6AF09C88C6E3ULL;
    const char* p = s.data();
    const std::size_t n = s.size();
    const char* mid = p + n / 2 - 8;
    std::uint64_t h = mix(load64(p) ^ k1, load64(p + 8) ^ k0 ^ n);
    h = mix(load64(mid) ^ k1, load64(mid + 8) ^ h);
    h = mix(load64(p + n - 16) ^ k1, load64(p + n - 8) ^ h);
    return mix(h ^ k2, n ^ k1);
  }

  // A folded-multiply hash (the 64 x 64 -> 128-bit product's halves XORed, as
  // in wyhash), sixteen bytes a step; tails and short tokens are read with
  // overlapping loads instead of byte by byte. Paragraphs are hashed whole, so
  // this is several times cheaper than std::hash's byte-wise Murmur variant.
  static std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    __extension__ using U128 = unsigned __int128;
    U128 r = static_cast<U128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
  }
  static std::uint64_t load64(const char* p) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);
    return w;
  }
  static std::uint64_t load32(const char* p) {
    std::uint32_t w = 0;
    std::memcpy(&w, p, 4);
    return w;
  }
  // Byte equality of two strings of n bytes; short ones (tokens) without a call.
  static bool same(const char* a, const char* b, std::size_t n) {
    if (n >= 8 && n <= 16) return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
    if (n >= 4 && n < 8) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    return std::memcmp(a, b, n) == 0;
  }
  static std::size_t hash(std::string_view s) {
    constexpr std::uint64_t k0 = 0xA0761D6478BD642FULL;
    constexpr std::uint64_t k1 = 0xE7037ED1A0B428DBULL;
    constexpr std::uint64_t k2 = 0x8EBC6AF09C88C6E3ULL;
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = k0 ^ n;
    for (; n > 16; p += 16, n -= 16) h = mix(load64(p) ^ k1, load64(p + 8) ^ h);
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    if (n >= 8) {  // 8..16 bytes: two loads that may overlap
      a = load64(p);
      b = load64(p + n - 8);
    } else if (n >= 4) {
      a = load32(p);
      b = load32(p + n - 4);
    } else if (n > 0) {
      auto byte = [](char c) { return std::uint64_t{static_cast<unsigned char>(c)}; };
      a = (byte(p[0]) << 16) | (byte(p[n >> 1]) << 8) | byte(p[n - 1]);
    }
    h = mix(a ^ k1, b ^ h);
    return static_cast<std::size_t>(mix(h ^ k2, s.size() ^ k1));
  }

  struct Slot {  // trivial, so the table is allocated without being initialized; 16 bytes
    const char* data;
    std::uint32_t size;
    std::uint32_t hash;  // the upper half of the hash (the lower half picks the slot)
  };
  std::vector<std::uint32_t> m_ids;  // 0: empty slot
  std::unique_ptr<Slot[]> m_slots;
  std::size_t m_mask = 0;
  std::uint32_t m_count = 256;
  bool m_sampled = true;              // strings over 64 bytes hashed from samples (sampled_hash)
  std::uint32_t m_false_matches = 0;  // equal sampled hashes and sizes, different strings
};

// One text, tokenized and indexed: the part of a run of differing paragraphs
// that is diffed token by token (the equal sentences around it are cut off).
// diff() keeps one Side per text for all its runs, so the vectors are
// allocated once.
struct Side {
  std::string_view text;
  std::vector<Token> tokens;
  std::vector<std::size_t> paragraph;    // paragraph of token i (breaks before it); size n + 1
  std::vector<std::size_t> content;      // content tokens before token i; size n + 1
  std::vector<std::uint32_t> token_ids;  // interned ids
  // Token indices where sentences start: 0, after each whitespace that follows
  // a terminator (and any closing quotes or brackets), after each CJK full
  // stop; then the token count (for no tokens: 0, 0).
  std::vector<std::size_t> sentences;
  // Whether equal sentences of the run were cut off before or after the text
  // (slide_regions() must not reach a cut).
  bool cut_before = false;
  bool cut_after = false;

  // Tokenizes and indexes t; token_ids are left for intern_tokens().
  void assign(std::string_view t) {
    text = t;
    tokenize(t, tokens);
    const std::size_t n = tokens.size();
    paragraph.resize(n + 1);
    content.resize(n + 1);
    sentences.clear();
    sentences.push_back(0);
    std::size_t para = 0;
    std::size_t words = 0;
    // Local pointers: the loop's stores and calls would otherwise make the
    // compiler reload the vectors' data pointers and sizes at every token.
    const Token* tok = tokens.data();
    std::size_t* paragraph_of = paragraph.data();
    std::size_t* content_before = content.data();
    for (std::size_t i = 0; i < n; ++i) {
      paragraph_of[i] = para;
      content_before[i] = words;
      const Token& token = tok[i];
      if (is_content(token.kind)) {
        ++words;
        // 。！？ end a sentence without a following space.
        if (i > 0 && tok[i - 1].kind == TokenKind::punct && tok[i - 1].text.size() == 3 &&
            is_sentence_end(tok[i - 1].text)) {
          sentences.push_back(i);
        }
        continue;
      }
      if (token.kind == TokenKind::paragraph_break) ++para;
      if (i == 0 || tok[i - 1].kind != TokenKind::punct) continue;  // a sentence ends in punctuation
      std::size_t j = i;
      while (j > 0 && tok[j - 1].kind == TokenKind::punct && is_closing(tok[j - 1].text)) --j;
      if (j > 0 && tok[j - 1].kind == TokenKind::punct && is_sentence_end(tok[j - 1].text))
        sentences.push_back(i + 1);
    }
    paragraph[n] = para;
    content[n] = words;
    if (sentences.back() != n) sentences.push_back(n);
    if (n == 0) sentences.push_back(0);
    token_ids.resize(n);
  }

  void intern_tokens(Interner& interner) {
    const Token* tok = tokens.data();
    std::uint32_t* ids = token_ids.data();
    const std::size_t n = tokens.size();
    for (std::size_t i = 0; i < n; ++i) ids[i] = interner.id(tok[i].text);
  }

  // Byte offset of token i in text; text.size() for i == n.
  std::size_t offset(std::size_t i) const {
    return i < tokens.size() ? static_cast<std::size_t>(tokens[i].text.data() - text.data()) : text.size();
  }
  std::string_view slice(std::size_t first, std::size_t last) const {
    std::size_t begin = offset(first);
    return text.substr(begin, offset(last) - begin);
  }
  std::size_t words(std::size_t first, std::size_t last) const { return content[last] - content[first]; }
  bool has_break(std::size_t first, std::size_t last) const { return paragraph[last] != paragraph[first]; }
};

// The length of the common prefix of a and b, compared eight bytes a step.
std::size_t common_prefix(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) break;
  }
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// The length of the common suffix of a and b, at most `limit`, eight bytes a step.
std::size_t common_suffix(std::string_view a, std::string_view b, std::size_t limit) {
  const char* ea = a.data() + a.size();
  const char* eb = b.data() + b.size();
  std::size_t i = 0;
  for (; i + 8 <= limit; i += 8) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, ea - i - 8, 8);
    std::memcpy(&y, eb - i - 8, 8);
    if (x != y) break;
  }
  while (i < limit && ea[-1 - static_cast<std::ptrdiff_t>(i)] == eb[-1 - static_cast<std::ptrdiff_t>(i)]) ++i;
  return i;
}

// Paragraphs first..last of a run text (spans from paragraph_spans()), trimmed.
std::string context(std::string_view text, const Spans& spans, std::size_t first, std::size_t last) {
  std::string_view s = text.substr(spans[first].first, spans[last].second - spans[first].first);
  constexpr std::string_view k_ws = " \t\r\n\f\v";
  std::size_t b = s.find_first_not_of(k_ws);
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(k_ws);
  return std::string(s.substr(b, e - b + 1));
}

// The paragraph (index into spans) that byte offset x, a token start, lies in.
std::size_t paragraph_at(const Spans& spans, std::size_t x) {
  auto it = std::upper_bound(
      spans.begin(), spans.end(), x,
      [](std::size_t v, const std::pair<std::size_t, std::size_t>& p) { return v < p.first; });
  return static_cast<std::size_t>(it - spans.begin()) - 1;
}

// Appends the change regions between a[a0, a1) and b[b0, b1) to `out`, in order.
void compare(OnpSearch& search, const std::vector<std::uint32_t>& a, std::size_t a0, std::size_t a1,
             const std::vector<std::uint32_t>& b, std::size_t b0, std::size_t b1, std::vector<Region>& out) {
  while (a0 < a1 && b0 < b1 && a[a0] == b[b0]) {
    ++a0;
    ++b0;
  }
  while (a0 < a1 && b0 < b1 && a[a1 - 1] == b[b1 - 1]) {
    --a1;
    --b1;
  }
  if (a0 == a1 && b0 == b1) return;
  std::uint64_t n = a1 - a0;
  std::uint64_t m = b1 - b0;
  if (n == 0 || m == 0 || (n + m) * std::min(n, m) > k_max_work) {
    out.push_back(Region{a0, a1, b0, b1});
    return;
  }
  search.run(a.data(), a0, a1, b.data(), b0, b1, out);
}

std::size_t size_of(const Side& a, const Side& b, const Region& r) {
  return std::max(a.words(r.a0, r.a1), b.words(r.b0, r.b1));
}

// How well a run of tokens [s, e) of `side` sits on paragraph and word boundaries.
int boundary_score(const Side& side, std::size_t s, std::size_t e) {
  auto is_break = [&](std::size_t i) { return side.tokens[i].kind == TokenKind::paragraph_break; };
  auto is_space = [&](std::size_t i) { return !is_content(side.tokens[i].kind); };
  std::size_t n = side.tokens.size();
  int score = 0;
  if (s == 0 || is_break(s) || is_break(s - 1)) score += 4;
  if (e == n || is_break(e - 1) || (e < n && is_break(e))) score += 2;
  if (s == 0 || is_space(s) || is_space(s - 1)) score += 1;
  return score;
}

// A pure insertion or deletion can often slide: inserting "b a" into "a|c"
// between "a" and "c" equals inserting "a b" before "a". Slides each such
// region, within the equal tokens around it, to where it starts (then ends) on
// a paragraph or word boundary, so an added paragraph shows as "\n\nNew text."
// rather than ".\n\nNew text" (the unique minimal script is not unique at all).
// Returns false, leaving the regions half slid, when a slide reaches a cut of
// the side's text: the tokens beyond it would be needed.
bool slide_regions(const Side& a, const Side& b, std::vector<Region>& regions) {
  for (std::size_t k = 0; k < regions.size(); ++k) {
    Region& r = regions[k];
    bool insertion = r.a0 == r.a1;
    if (insertion == (r.b0 == r.b1)) continue;
    const Side& side = insertion ? b : a;
    auto same = [&](std::size_t i, std::size_t j) { return side.tokens[i].text == side.tokens[j].text; };
    std::size_t s = insertion ? r.b0 : r.a0;
    std::size_t e = insertion ? r.b1 : r.a1;
    std::size_t lo = k == 0 ? 0 : (insertion ? regions[k - 1].b1 : regions[k - 1].a1);
    std::size_t hi =
        k + 1 == regions.size() ? side.tokens.size() : (insertion ? regions[k + 1].b0 : regions[k + 1].a0);
    while (s > lo && same(s - 1, e - 1)) {
      --s;
      --e;
    }
    if (s == 0 && side.cut_before) return false;
    std::size_t best = s;
    int best_score = boundary_score(side, s, e);
    std::size_t ce = e;
    for (std::size_t cs = s; ce < hi && same(cs, ce);) {
      ++cs;
      ++ce;
      int score = boundary_score(side, cs, ce);
      if (score > best_score) {
        best_score = score;
        best = cs;
      }
    }
    if (ce == side.tokens.size() && side.cut_after) return false;
    std::size_t len = e - s;
    if (insertion) {
      r.a0 = r.a1 = r.a0 + best - r.b0;  // r.a0 + best >= r.b0: the equal runs before have equal lengths
      r.b0 = best;
      r.b1 = best + len;
    } else {
      r.b0 = r.b1 = r.b0 + best - r.a0;
      r.a0 = best;
      r.a1 = best + len;
    }
  }
  return true;
}

void merge_regions(const Side& a, const Side& b, const std::vector<Region>& regions,
                   std::vector<Region>& merged) {
  merged.clear();
  for (const Region& r : regions) {
    if (!merged.empty()) {
      Region& last = merged.back();
      std::size_t gap = a.words(last.a1, r.a0);
      bool absorb = !a.has_break(last.a1, r.a0) &&
                    (gap == 0 ||
                     (gap <= k_merge_max_gap && 2 * gap <= std::min(size_of(a, b, last), size_of(a, b, r))));
      if (absorb) {
        last.a1 = r.a1;
        last.b1 = r.b1;
        continue;
      }
    }
    merged.push_back(r);
  }
}

// Splits `text` at its paragraph breaks: pieces[i] is followed by a break, except the last.
std::vector<std::string_view> split_paragraphs(std::string_view text) {
  std::vector<std::string_view> pieces;
  std::size_t begin = 0;
  std::size_t offset = 0;
  for (const Token& t : tokenize(text)) {
    if (t.kind == TokenKind::paragraph_break) {
      pieces.push_back(text.substr(begin, offset - begin));
      begin = offset + t.text.size();
    }
    offset += t.text.size();
  }
  pieces.push_back(text.substr(begin));
  return pieces;
}

}  // namespace

std::string_view op_name(Op op) {
  switch (op) {
    case Op::equal:
      return "equal";
    case Op::remove:
      return "delete";
    case Op::insert:
      return "insert";
  }
  return "equal";
}

namespace {

// Builds d.hunks. Equal text always comes from the old text, and consecutive
// equal pieces are adjacent there, so an equal hunk is kept as a view while it
// grows and copied once when the next hunk starts.
class HunkWriter {
 public:
  explicit HunkWriter(Diff& d) : m_d(d) {}

  void add(Op op, std::string_view text, std::size_t tokens, std::size_t old_paragraph,
           std::size_t new_paragraph) {
    if (text.empty()) return;
    if (op == Op::equal) {
      if (m_pending && text.data() == m_equal.data() + m_equal.size()) {
        m_equal = std::string_view(m_equal.data(), m_equal.size() + text.size());
        m_tokens += tokens;
        return;
      }
      if (m_pending || (!m_d.hunks.empty() && m_d.hunks.back().op == Op::equal)) {
        flush();  // not adjacent (never the case in diff()): appended like any equal text
        m_d.hunks.back().text.append(text);
        m_d.hunks.back().tokens += tokens;
        return;
      }
      m_pending = true;
      m_equal = text;
      m_tokens = tokens;
      m_old_paragraph = old_paragraph;
      m_new_paragraph = new_paragraph;
      return;
    }
    flush();
    m_d.hunks.push_back(Hunk{op, std::string(text), tokens, old_paragraph, new_paragraph});
  }

  void flush() {
    if (!m_pending) return;
    m_d.hunks.push_back(Hunk{Op::equal, std::string(m_equal), m_tokens, m_old_paragraph, m_new_paragraph});
    m_pending = false;
  }

 private:
  Diff& m_d;
  bool m_pending = false;
  std::string_view m_equal;
  std::size_t m_tokens = 0;
  std::size_t m_old_paragraph = 0;
  std::size_t m_new_paragraph = 0;
};

// What diff() reuses across its runs of differing paragraphs, and across
// calls: each thread keeps one (diff() below), so a daemon diffing article
// after article does not allocate and free these buffers for every diff.
// What a diff returns is built fresh each time.
struct Workspace {
  OnpSearch search;
  Interner tokens;
  Interner sentences;
  Side a;
  Side b;
  std::vector<std::uint32_t> sentence_ids_a;
  std::vector<std::uint32_t> sentence_ids_b;
  std::vector<Region> sentence_regions;
  std::vector<Region> regions;
  std::vector<Region> merged;
  Spans old_spans;  // the paragraphs of the run being diffed, relative to its start
  Spans new_spans;

  // Whether the buffers grew past what articles need (a run of over ~50 KB
  // tokenized whole, or a search of over 256 K path points); such a workspace
  // is not kept for the thread's next diff. What is kept thus stays within a
  // few MB (tokens, their indexes, hash tables and regions, path rows).
  bool oversized() const {
    constexpr std::size_t k_keep_tokens = 1 << 14;
    return a.tokens.capacity() > k_keep_tokens || b.tokens.capacity() > k_keep_tokens ||
           search.capacity() > (std::size_t{1} << 18);
  }
};

// The paragraphs of text[begin, end), the run of paragraph units first..last
// of a text whose paragraphs are `spans` (paragraph_spans()), relative to
// begin, as paragraph_spans() of the run gives them: the paragraphs of its
// units, then an empty one after the run's final break if it ends with one
// (the next paragraph's start, clipped to the run).
void run_spans(const Spans& spans, std::size_t first, std::size_t last, std::size_t begin, std::size_t end,
               Spans& out) {
  out.clear();
  std::size_t stop = std::min(last, spans.size() - 1);
  for (std::size_t i = first; i <= stop; ++i)
    out.emplace_back(spans[i].first - begin, std::min(spans[i].second, end) - begin);
  if (out.empty()) out.emplace_back(0, 0);  // an empty run at the end of a text
}

// Token-level diff of one run of differing paragraphs: old_text and new_text
// start at paragraphs old_base and new_base of the whole texts; old_spans and
// new_spans are their paragraphs (run_spans()).
//
// Only the middle of the run is tokenized: the sentences before the first
// differing byte and after the last one are equal, and equal sentences are
// stripped by the sentence-level comparison anyway, so the run is cut at a
// sentence start at or before the first difference and the first one after the
// last difference (found from the bytes: is_sentence_start,
// sentence_start_before/after) and the cut-off text becomes equal hunks.
// Tokenizing from a sentence start gives the tokens the whole run's
// tokenization has there, so the regions are the ones the whole run gives.
// The front cut is the first difference itself when a sentence starts there
// in both texts after whitespace (a rewritten sentence is then tokenized
// alone), else the last sentence start of the old text before it. (Not after
// 。！？ without a space: bench/diff_equivalence.sh found a pair where cutting
// there changed the diff; the earlier start is used instead.) Only a slide (slide_regions) can
// need tokens beyond a cut, for an insertion that starts or ends at one ("x "
// inserted at a sentence start slides back over the space before it); the run
// is then diffed again with the next weaker cut: the earlier start, then none.
enum class Cut : std::uint8_t { tight, before, whole };

bool is_ascii_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

void diff_run(Workspace& work, std::string_view old_text, std::string_view new_text, std::size_t old_base,
              std::size_t new_base, Diff& d, HunkWriter& out, Cut mode = Cut::tight) {
  std::size_t cut = 0;
  std::size_t old_end = old_text.size();
  std::size_t new_end = new_text.size();
  if (mode != Cut::whole) {
    std::size_t prefix = common_prefix(old_text, new_text);
    std::size_t max_suffix = std::min(old_text.size(), new_text.size()) - prefix;
    std::size_t suffix = common_suffix(old_text.substr(prefix), new_text.substr(prefix), max_suffix);
    if (mode == Cut::tight && prefix > 0 && is_ascii_space(old_text[prefix - 1]) &&
        is_sentence_start(old_text, prefix) && is_sentence_start(new_text, prefix)) {
      cut = prefix;
    } else {
      cut = sentence_start_before(old_text, prefix);
      mode = Cut::before;
    }
    old_end = sentence_start_after(old_text, old_text.size() - suffix);
    new_end = old_end + new_text.size() - old_text.size();  // the same distance from the end
  }
  Side& a = work.a;
  Side& b = work.b;
  a.assign(old_text.substr(cut, old_end - cut));
  b.assign(new_text.substr(cut, new_end - cut));
  a.cut_before = b.cut_before = cut > 0;
  a.cut_after = b.cut_after = old_end < old_text.size();

  OnpSearch& search = work.search;
  Interner& interner = work.tokens;
  interner.reset(a.tokens.size() + b.tokens.size());
  a.intern_tokens(interner);
  b.intern_tokens(interner);
  // Sentence level: equal sentences of the run anchor the token diff.
  const std::vector<std::size_t>& sa = a.sentences;
  const std::vector<std::size_t>& sb = b.sentences;
  Interner& sentence_interner = work.sentences;
  sentence_interner.reset(sa.size() + sb.size());
  std::vector<std::uint32_t>& ida = work.sentence_ids_a;
  std::vector<std::uint32_t>& idb = work.sentence_ids_b;
  ida.resize(sa.size() - 1);
  idb.resize(sb.size() - 1);
  for (std::size_t k = 0; k + 1 < sa.size(); ++k) ida[k] = sentence_interner.id(a.slice(sa[k], sa[k + 1]));
  for (std::size_t k = 0; k + 1 < sb.size(); ++k) idb[k] = sentence_interner.id(b.slice(sb[k], sb[k + 1]));
  std::vector<Region>& sentences = work.sentence_regions;
  sentences.clear();
  compare(search, ida, 0, ida.size(), idb, 0, idb.size(), sentences);
  std::vector<Region>& regions = work.regions;
  regions.clear();
  for (const Region& r : sentences)
    compare(search, a.token_ids, sa[r.a0], sa[r.a1], b.token_ids, sb[r.b0], sb[r.b1], regions);
  Stats counts;  // of the minimal script, before sliding and merging
  for (const Region& r : regions) {
    std::size_t removed = a.words(r.a0, r.a1);
    std::size_t inserted = b.words(r.b0, r.b1);
    std::size_t changed = std::min(removed, inserted);
    counts.tokens_changed += changed;
    counts.tokens_removed += removed - changed;
    counts.tokens_added += inserted - changed;
  }
  if (!slide_regions(a, b, regions)) {
    diff_run(work, old_text, new_text, old_base, new_base, d, out,
             mode == Cut::tight ? Cut::before : Cut::whole);
    return;
  }
  d.stats.tokens_changed += counts.tokens_changed;
  d.stats.tokens_removed += counts.tokens_removed;
  d.stats.tokens_added += counts.tokens_added;

  const Spans& old_spans = work.old_spans;
  const Spans& new_spans = work.new_spans;
  std::size_t old_para = paragraph_at(old_spans, cut);  // paragraphs of the run before the cut
  std::size_t new_para = paragraph_at(new_spans, cut);
  old_base += old_para;  // paragraph numbers of the tokenized middle
  new_base += new_para;
  out.add(Op::equal, old_text.substr(0, cut), 0, old_base, new_base);
  std::size_t ia = 0;
  std::size_t ib = 0;
  merge_regions(a, b, regions, work.merged);
  for (const Region& r : work.merged) {
    std::size_t pa = old_base + a.paragraph[r.a0];
    std::size_t pb = new_base + b.paragraph[r.b0];
    out.add(Op::equal, a.slice(ia, r.a0), 0, old_base + a.paragraph[ia], new_base + b.paragraph[ib]);
    out.add(Op::remove, a.slice(r.a0, r.a1), a.words(r.a0, r.a1), pa, pb);
    out.add(Op::insert, b.slice(r.b0, r.b1), b.words(r.b0, r.b1), pa, pb);
    Change& c = d.changes.emplace_back();
    c.old_paragraph = pa;
    c.new_paragraph = pb;
    c.removed = std::string(a.slice(r.a0, r.a1));
    c.inserted = std::string(b.slice(r.b0, r.b1));
    c.removed_tokens = a.words(r.a0, r.a1);
    c.inserted_tokens = b.words(r.b0, r.b1);
    std::size_t last_a = std::max(r.a0, r.a1 - (r.a1 > r.a0 ? 1 : 0));
    std::size_t last_b = std::max(r.b0, r.b1 - (r.b1 > r.b0 ? 1 : 0));
    c.old_context =
        context(old_text, old_spans, old_para + a.paragraph[r.a0], old_para + a.paragraph[last_a]);
    c.new_context =
        context(new_text, new_spans, new_para + b.paragraph[r.b0], new_para + b.paragraph[last_b]);
    ia = r.a1;
    ib = r.b1;
  }
  out.add(Op::equal, a.slice(ia, a.tokens.size()), 0, old_base + a.paragraph[ia], new_base + b.paragraph[ib]);
  out.add(Op::equal, old_text.substr(old_end), 0, old_base + a.paragraph[a.tokens.size()],
          new_base + b.paragraph[b.tokens.size()]);
}

// Paragraph-unit starts (unit_starts()) from the paragraphs (paragraph_spans()):
// each paragraph's start that has text at or after it.
std::vector<std::size_t> unit_starts_of(const Spans& spans, std::size_t size) {
  std::vector<std::size_t> out;
  out.reserve(spans.size() + 1);
  for (const auto& span : spans) {
    if (span.first < size) out.push_back(span.first);
  }
  return out;
}

}  // namespace

Diff diff(std::string_view old_text, std::string_view new_text) {
  // Paragraph level: units found without tokenizing, compared whole.
  const Spans old_paragraphs = paragraph_spans(old_text);
  const Spans new_paragraphs = paragraph_spans(new_text);
  std::vector<std::size_t> ua = unit_starts_of(old_paragraphs, old_text.size());
  std::vector<std::size_t> ub = unit_starts_of(new_paragraphs, new_text.size());
  std::size_t na = ua.size();
  std::size_t nb = ub.size();
  ua.push_back(old_text.size());
  ub.push_back(new_text.size());
  auto old_unit = [&](std::size_t u) { return old_text.substr(ua[u], ua[u + 1] - ua[u]); };
  auto new_unit = [&](std::size_t u) { return new_text.substr(ub[u], ub[u + 1] - ub[u]); };
  // The equal units at both ends, as compare() strips them (first from the
  // front, then from the back), found by comparing bytes; only the units
  // between them are interned: they alone take part in the search.
  std::size_t front = 0;
  while (front < na && front < nb && old_unit(front) == new_unit(front)) ++front;
  std::size_t back = 0;
  while (front + back < na && front + back < nb && old_unit(na - 1 - back) == new_unit(nb - 1 - back)) ++back;
  Interner interner(na + nb - 2 * front - 2 * back);
  std::vector<std::uint32_t> ida(na);
  std::vector<std::uint32_t> idb(nb);
  for (std::size_t u = front; u + back < na; ++u) ida[u] = interner.id(old_unit(u));
  for (std::size_t u = front; u + back < nb; ++u) idb[u] = interner.id(new_unit(u));
  std::vector<Region> units;
  // This thread's workspace; its members are reset by each run that uses them.
  static thread_local Workspace work;
  struct Trim {  // drops an oversized workspace when diff() returns, however it returns
    ~Trim() {
      if (work.oversized()) work = Workspace{};
    }
  } trim;
  compare(work.search, ida, front, na - back, idb, front, nb - back, units);

  // Token level inside each differing run; unchanged paragraphs are copied as
  // equal text (their hunks' token counts stay 0: they are never tokenized).
  Diff d;
  d.hunks.reserve(4 * units.size() + 1);  // a run is mostly one change: equal, delete, insert
  d.changes.reserve(units.size());
  HunkWriter out(d);
  std::size_t pa = 0;
  std::size_t pb = 0;
  for (const Region& u : units) {
    out.add(Op::equal, old_text.substr(ua[pa], ua[u.a0] - ua[pa]), 0, pa, pb);
    std::size_t old_units = u.a1 - u.a0;
    std::size_t new_units = u.b1 - u.b0;
    if (new_units > old_units) d.stats.paragraphs_added += new_units - old_units;
    if (old_units > new_units) d.stats.paragraphs_removed += old_units - new_units;
    run_spans(old_paragraphs, u.a0, u.a1, ua[u.a0], ua[u.a1], work.old_spans);
    run_spans(new_paragraphs, u.b0, u.b1, ub[u.b0], ub[u.b1], work.new_spans);
#ifdef FW_DIFF_CHECK_SPANS
    if (work.old_spans != paragraph_spans(old_text.substr(ua[u.a0], ua[u.a1] - ua[u.a0])) ||
        work.new_spans != paragraph_spans(new_text.substr(ub[u.b0], ub[u.b1] - ub[u.b0])))
      std::abort();
#endif
    diff_run(work, old_text.substr(ua[u.a0], ua[u.a1] - ua[u.a0]),
             new_text.substr(ub[u.b0], ub[u.b1] - ub[u.b0]), u.a0, u.b0, d, out);
    pa = u.a1;
    pb = u.b1;
  }
  out.add(Op::equal, old_text.substr(ua[pa], ua[na] - ua[pa]), 0, pa, pb);
  out.flush();
  return d;
}

std::string to_json(const Diff& d, bool indent) {
  nlohmann::ordered_json j;
  j["stats"] = {{"tokens_added", d.stats.tokens_added},
                {"tokens_removed", d.stats.tokens_removed},
                {"tokens_changed", d.stats.tokens_changed},
                {"paragraphs_added", d.stats.paragraphs_added},
                {"paragraphs_removed", d.stats.paragraphs_removed}};
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const Change& c : d.changes) {
    changes.push_back({{"old_paragraph", c.old_paragraph},
                       {"new_paragraph", c.new_paragraph},
                       {"removed", c.removed},
                       {"inserted", c.inserted},
                       {"removed_tokens", c.removed_tokens},
                       {"inserted_tokens", c.inserted_tokens},
                       {"old_context", c.old_context},
                       {"new_context", c.new_context}});
  }
  j["changes"] = std::move(changes);
  nlohmann::ordered_json hunks = nlohmann::ordered_json::array();
  for (const Hunk& h : d.hunks) {
    hunks.push_back({{"op", op_name(h.op)},
                     {"text", h.text},
                     {"tokens", h.tokens},
                     {"old_paragraph", h.old_paragraph},
                     {"new_paragraph", h.new_paragraph}});
  }
  j["hunks"] = std::move(hunks);
  return j.dump(indent ? 2 : -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string to_text(const Diff& d, const TextOptions& options) {
  struct Paragraph {
    std::string text;
    bool changed = false;
    std::size_t old_number = 0;
    std::size_t new_number = 0;
  };
  std::vector<Paragraph> paragraphs(1);
  std::size_t old_number = 0;
  std::size_t new_number = 0;
  for (const Hunk& h : d.hunks) {
    std::vector<std::string_view> pieces = split_paragraphs(h.text);
    if (h.op != Op::equal && h.tokens == 0 && pieces.size() > 1) {
      // Only a paragraph break (with whitespace) added or removed: show it as ¶.
      Paragraph& p = paragraphs.back();
      bool ins = h.op == Op::insert;
      if (options.color) p.text.append(ins ? "\x1b[32m" : "\x1b[31m");
      p.text.append(ins ? "{+\xC2\xB6+}" : "[-\xC2\xB6-]");
      if (options.color) p.text.append("\x1b[m");
      p.changed = true;
    }
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      Paragraph& p = paragraphs.back();
      if (!pieces[i].empty()) {
        if (h.op == Op::equal) {
          p.text.append(pieces[i]);
        } else {
          bool ins = h.op == Op::insert;
          if (options.color) p.text.append(ins ? "\x1b[32m" : "\x1b[31m");
          p.text.append(ins ? "{+" : "[-").append(pieces[i]).append(ins ? "+}" : "-]");
          if (options.color) p.text.append("\x1b[m");
          p.changed = true;
        }
      }
      if (i + 1 < pieces.size()) {  // a paragraph break follows this piece
        if (h.op != Op::insert) ++old_number;
        if (h.op != Op::remove) ++new_number;
        paragraphs.push_back(Paragraph{{}, false, old_number, new_number});
      }
    }
  }
  std::string out;
  for (const Paragraph& p : paragraphs) {
    if (options.all_paragraphs) {
      if (!out.empty()) out.append("\n");
      out.append(p.text).append("\n");
      continue;
    }
    if (!p.changed || p.text.empty()) continue;
    if (!out.empty()) out.append("\n");
    out.append("@@ \xC2\xB6").append(std::to_string(p.old_number + 1));
    out.append(" \xC2\xB6").append(std::to_string(p.new_number + 1)).append(" @@\n");
    out.append(p.text).append("\n");
  }
  return out;
}

Result<std::string> apply(std::string_view old_text, const Diff& d) {
  std::string out;
  out.reserve(old_text.size());
  std::size_t pos = 0;
  for (const Hunk& h : d.hunks) {
    if (h.op == Op::insert) {
      out.append(h.text);
      continue;
    }
    if (old_text.substr(pos, h.text.size()) != h.text) {
      return fail("diff does not apply: old text differs at byte " + std::to_string(pos));
    }
    if (h.op == Op::equal) out.append(h.text);
    pos += h.text.size();
  }
  if (pos != old_text.size())
    return fail("diff does not apply: old text has " + std::to_string(old_text.size() - pos) + " more bytes");
  return out;
}

}  // namespace fw::diff
