// The diff tokenizer.
//
// A word diff is only as good as its tokens. Three kinds of text matter for
// the news sites we watch:
//
//  * Alphabetic text splits at whitespace and punctuation into words. A word
//    keeps internal apostrophes and hyphens ("DeepSeek’s", "open-source"), so
//    changing "open-source" to "closed-source" is one changed token, not three.
//  * Numbers keep their separators, a leading currency sign and a trailing
//    percent sign: "£6" "1,000" "6.5%" "$60" are single tokens. Editors fix
//    figures; "£6 million" -> "£60 million" must show as one changed token
//    [-£6-]{+£60+}, not as an inserted "0".
//  * Chinese and Japanese are written without spaces, so each Han, Hiragana,
//    Katakana (and, by the same rule, Hangul) character is its own token:
//    "阿里巴巴的AI模型" -> 阿 里 巴 巴 的 AI 模 型. Character-level tokens give
//    the diff the granularity a word segmenter would, without a dictionary.
//
// Every other character (punctuation, symbols, emoji, an ill-formed byte) is
// a token of its own. Whitespace is not dropped: each run becomes a `space`
// token, or a `paragraph_break` when it holds two or more line breaks (a blank
// line, the paragraph separator of extracted article text). The tokens thus
// tile the input, and old text + diff gives back the new text byte for byte.
// Combining marks (accents in decomposed text, kana voicing marks, emoji
// modifiers, ZWJ) stay with the token before them.
//
// Worked example: "Hi, £6.5m—阿里 it's\n\nok" ->
//   word "Hi" | punct "," | space " " | word "£6.5m" | punct "—" |
//   ideograph "阿" | ideograph "里" | space " " | word "it's" |
//   paragraph_break "\n\n" | word "ok"
//
// Character classes come from compact range tables below (script blocks for
// CJK, General Punctuation and symbol blocks for punctuation) plus the
// canonical combining classes of the NFC tables for marks; everything else
// non-ASCII counts as a letter, which is right for Latin, Greek, Cyrillic,
// Arabic, Hebrew and Indic text without a full property database.
#include "parsers/diff/tokenize.hpp"

#include <algorithm>
#include <iterator>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FW_DIFF_AVX2 1
#endif

#include "parsers/diff/nfc_tables.hpp"
#include "parsers/diff/utf8.hpp"

namespace fw::diff {

namespace {

enum class CharClass : std::uint8_t { space, newline, letter, digit, mark, ideograph, currency, punct };

struct Range {
  char32_t first;
  char32_t last;
};

bool in_ranges(const Range* begin, const Range* end, char32_t cp) {
  const Range* it = std::lower_bound(begin, end, cp, [](const Range& r, char32_t c) { return r.last < c; });
  return it != end && it->first <= cp;
}

// Marks with canonical combining class 0 that still attach to the previous character.
constexpr Range k_extra_marks[] = {
    {0x0488, 0x0489}, {0x200C, 0x200D},   {0x20DD, 0x20E0},   {0x20E2, 0x20E4},
    {0xFE00, 0xFE0F}, {0x1F3FB, 0x1F3FF}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

constexpr Range k_currency[] = {
    {0x00A2, 0x00A5}, {0x058F, 0x058F}, {0x060B, 0x060B}, {0x09F2, 0x09F3},
    {0x0E3F, 0x0E3F}, {0x17DB, 0x17DB}, {0x20A0, 0x20CF}, {0xFDFC, 0xFDFC},
    {0xFE69, 0xFE69}, {0xFF04, 0xFF04}, {0xFFE0, 0xFFE1}, {0xFFE5, 0xFFE6},
};

// Punctuation and symbols outside ASCII (sorted, disjoint from the tables above).
constexpr Range k_punct[] = {
    {0x00A1, 0x00A1}, {0x00A6, 0x00A9},   {0x00AB, 0x00B1}, {0x00B4, 0x00B4}, {0x00B6, 0x00B8},
    {0x00BB, 0x00BB}, {0x00BF, 0x00BF},   {0x00D7, 0x00D7}, {0x00F7, 0x00F7}, {0x037E, 0x037E},
    {0x0387, 0x0387}, {0x055A, 0x055F},   {0x0589, 0x058A}, {0x05BE, 0x05BE}, {0x05C0, 0x05C0},
    {0x05C3, 0x05C3}, {0x05C6, 0x05C6},   {0x05F3, 0x05F4}, {0x0609, 0x060A}, {0x060C, 0x060D},
    {0x061B, 0x061B}, {0x061D, 0x061F},   {0x066A, 0x066D}, {0x06D4, 0x06D4}, {0x0964, 0x0965},
    {0x0970, 0x0970}, {0x0E4F, 0x0E4F},   {0x0E5A, 0x0E5B}, {0x10FB, 0x10FB}, {0x2010, 0x2027},
    {0x2030, 0x205E}, {0x2100, 0x214F},   {0x2190, 0x2BFF}, {0x2E00, 0x2E7F}, {0x3001, 0x3004},
    {0x3008, 0x3020}, {0x3030, 0x3030},   {0x303D, 0x303F}, {0x30A0, 0x30A0}, {0x30FB, 0x30FB},
    {0xFE10, 0xFE19}, {0xFE30, 0xFE68},   {0xFE6A, 0xFE6F}, {0xFF01, 0xFF03}, {0xFF05, 0xFF0F},
    {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40},   {0xFF5B, 0xFF65}, {0xFFE2, 0xFFE4}, {0xFFE8, 0xFFEE},
    {0xFFF9, 0xFFFD}, {0x1F000, 0x1FAFF},
};

// Han, Hiragana, Katakana, Bopomofo and Hangul: one token per character.
constexpr Range k_ideographs[] = {
    {0x1100, 0x11FF},   {0x2E80, 0x2FDF}, {0x3005, 0x3007}, {0x3021, 0x3029},   {0x3031, 0x3035},
    {0x3038, 0x303C},   {0x3041, 0x30FF}, {0x3100, 0x312F}, {0x3130, 0x318F},   {0x31A0, 0x31BF},
    {0x31F0, 0x31FF},   {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA960, 0xA97F},   {0xAC00, 0xD7FF},
    {0xF900, 0xFAFF},   {0xFF66, 0xFF9F}, {0xFFA0, 0xFFDC}, {0x1B000, 0x1B16F}, {0x20000, 0x2FA1F},
    {0x30000, 0x323AF},
};

constexpr Range k_digits[] = {
    {0x0660, 0x0669},
    {0x06F0, 0x06F9},
    {0x0966, 0x096F},
    {0xFF10, 0xFF19},
};

template <std::size_t N>
bool in(const Range (&table)[N], char32_t cp) {
  return in_ranges(std::begin(table), std::end(table), cp);
}

constexpr CharClass classify_ascii(char32_t cp) {
  if (cp == '\n') return CharClass::newline;
  if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\f' || cp == '\v') return CharClass::space;
  if (cp >= '0' && cp <= '9') return CharClass::digit;
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) return CharClass::letter;
  if (cp == '$') return CharClass::currency;
  return CharClass::punct;
}

struct AsciiTable {
  CharClass cls[128];
};

constexpr AsciiTable make_ascii_table() {
  AsciiTable t{};
  for (char32_t c = 0; c < 128; ++c) t.cls[c] = classify_ascii(c);
  return t;
}

// The hot path: most article text is ASCII, so its bytes are classified by table.
constexpr AsciiTable k_ascii = make_ascii_table();

struct ByteFlags {
  bool set[256];
};

constexpr ByteFlags make_word_flags() {
  ByteFlags t{};
  for (char32_t c = 0; c < 128; ++c)
    t.set[c] = classify_ascii(c) == CharClass::letter || classify_ascii(c) == CharClass::digit;
  return t;
}

// ASCII letters and digits, the bulk of a word (false for every byte >= 0x80).
constexpr ByteFlags k_ascii_words = make_word_flags();

constexpr ByteFlags make_word_end_flags() {
  ByteFlags t{};
  constexpr char k_continuing[] = "'-.,:/%";  // joiners, number separators, percent
  for (char32_t c = 0; c < 128; ++c) {
    bool continuing = false;
    for (char k : k_continuing) continuing = continuing || (k != 0 && static_cast<char32_t>(k) == c);
    t.set[c] = !continuing && classify_ascii(c) != CharClass::letter && classify_ascii(c) != CharClass::digit;
  }
  return t;
}

// ASCII bytes that end a word wherever they follow it (a space, most
// punctuation): not a letter or digit, joiner, number separator or percent sign.
constexpr ByteFlags k_ascii_word_ends = make_word_end_flags();

CharClass classify_char(char32_t cp) {
  if (cp < 0x80) {
    if (cp == '\n') return CharClass::newline;
    if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\f' || cp == '\v') return CharClass::space;
    if (cp >= '0' && cp <= '9') return CharClass::digit;
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) return CharClass::letter;
    if (cp == '$') return CharClass::currency;
    return CharClass::punct;
  }
  if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) return CharClass::newline;
  if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
      cp == 0x3000) {
    return CharClass::space;
  }
  if (cp >= 0x2010 && cp <= 0x2027)
    return CharClass::punct;  // dashes, quotes, ellipsis: frequent in news text
  if (nfc::combining_class(cp) != 0 || in(k_extra_marks, cp)) return CharClass::mark;
  if (in(k_currency, cp)) return CharClass::currency;
  if (in(k_punct, cp)) return CharClass::punct;
  if (in(k_ideographs, cp)) return CharClass::ideograph;
  if (in(k_digits, cp)) return CharClass::digit;
  return CharClass::letter;
}

bool is_word_char(CharClass c) {
  return c == CharClass::letter || c == CharClass::digit || c == CharClass::mark;
}

bool is_word_joiner(char32_t cp) {
  return cp == '\'' || cp == 0x2019 || cp == '-' || cp == 0x2010 || cp == 0x2011;
}

bool is_number_separator(char32_t cp) {
  return cp == '.' || cp == ',' || cp == ':' || cp == '/';
}

#if defined(FW_DIFF_AVX2)
// next_break_candidate() 32 bytes a step where the CPU has AVX2 (checked once
// at run time; the build targets baseline x86-64), and exact: 0xC2 and 0xE2
// count only as the start of U+0085 and U+2028/U+2029 (not of the curly
// quotes and dashes that fill news text). Returns the first line break
// character at or after i, or the start of the last stretch of fewer than 34
// bytes when there is none before it.
__attribute__((target("avx2"))) std::size_t break_candidate_avx2(const unsigned char* p, std::size_t i,
                                                                 std::size_t n) {
  const __m256i nl = _mm256_set1_epi8('\n');
  const __m256i cr = _mm256_set1_epi8('\r');
  const __m256i c2 = _mm256_set1_epi8(static_cast<char>(0xC2));
  const __m256i e2 = _mm256_set1_epi8(static_cast<char>(0xE2));
  const __m256i x80 = _mm256_set1_epi8(static_cast<char>(0x80));
  const __m256i x85 = _mm256_set1_epi8(static_cast<char>(0x85));
  const __m256i xa9 = _mm256_set1_epi8(static_cast<char>(0xA9));
  const __m256i one = _mm256_set1_epi8(1);
  // First 64 bytes a step, looking only for the bytes every line break
  // contains: '\n', '\r', or the last byte of U+0085 (0x85) or U+2028/U+2029
  // (0xA8, 0xA9). They are rare in running text apart from the breaks
  // themselves, so most steps find none; a step that finds one is left to the
  // exact loop below.
  while (i + 66 <= n) {
    __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));       // NOLINT: AVX2 load
    __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32));  // NOLINT: AVX2 load
    __m256i hit0 = _mm256_or_si256(_mm256_cmpeq_epi8(v0, nl), _mm256_cmpeq_epi8(v0, cr));
    __m256i hit1 = _mm256_or_si256(_mm256_cmpeq_epi8(v1, nl), _mm256_cmpeq_epi8(v1, cr));
    hit0 = _mm256_or_si256(hit0, _mm256_cmpeq_epi8(v0, x85));
    hit1 = _mm256_or_si256(hit1, _mm256_cmpeq_epi8(v1, x85));
    hit0 = _mm256_or_si256(hit0, _mm256_cmpeq_epi8(_mm256_or_si256(v0, one), xa9));  // 0xA8 or 0xA9
    hit1 = _mm256_or_si256(hit1, _mm256_cmpeq_epi8(_mm256_or_si256(v1, one), xa9));
    if (!_mm256_testz_si256(_mm256_or_si256(hit0, hit1), _mm256_or_si256(hit0, hit1))) break;
    i += 64;
  }
  while (i + 34 <= n) {
    const auto* at = reinterpret_cast<const __m256i*>(p + i);                      // NOLINT: AVX2 load
    __m256i v = _mm256_loadu_si256(at);                                            // byte i + k
    __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 1));  // NOLINT: i + k + 1
    __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 2));  // NOLINT: i + k + 2
    __m256i hit = _mm256_or_si256(_mm256_cmpeq_epi8(v, nl), _mm256_cmpeq_epi8(v, cr));
    hit = _mm256_or_si256(hit, _mm256_and_si256(_mm256_cmpeq_epi8(v, c2), _mm256_cmpeq_epi8(v1, x85)));
    __m256i ls = _mm256_and_si256(_mm256_cmpeq_epi8(v, e2), _mm256_cmpeq_epi8(v1, x80));
    ls = _mm256_and_si256(ls, _mm256_cmpeq_epi8(_mm256_or_si256(v2, one), xa9));  // 0xA8 or 0xA9
    hit = _mm256_or_si256(hit, ls);
    auto mask = static_cast<unsigned>(_mm256_movemask_epi8(hit));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    i += 32;
  }
  return i;
}

bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#endif

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : m_text(text) {}

  // Paragraph units. Only a whitespace run holding two line breaks ends one,
  // and every line break starts with one of four bytes ('\n', '\r', 0xC2 for
  // U+0085, 0xE2 for U+2028/U+2029), so the scan jumps from one such byte to
  // the next (16 bytes a step with SSE2) instead of classifying every
  // character. At a line break it steps back to the start of the whitespace
  // run (whitespace characters are ASCII bytes or UTF-8 sequences whose lead
  // byte every decoder stops at, so the backward step finds the run that a
  // forward scan would) and measures it as tokenize() does.
  std::vector<std::size_t> units() const {
    std::vector<std::size_t> out;
    if (!m_text.empty()) out.push_back(0);
    for_each_break([&](std::size_t, std::size_t end) {
      if (end < m_text.size()) out.push_back(end);
    });
    return out;
  }

  std::vector<std::pair<std::size_t, std::size_t>> spans() const {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    out.reserve(m_text.size() / 256 + 4);  // news paragraphs run to a few hundred bytes
    std::size_t begin = 0;
    for_each_break([&](std::size_t start, std::size_t end) {
      out.emplace_back(begin, start);
      begin = end;
    });
    out.emplace_back(begin, m_text.size());
    return out;
  }

  // Calls f(start, end) for each paragraph_break token, in order.
  template <class F>
  void for_each_break(F&& f) const {
    const auto* p = reinterpret_cast<const unsigned char*>(m_text.data());
    const std::size_t n = m_text.size();
    // ASCII other than whitespace: it ends a whitespace run on either side.
    auto ink = [](unsigned char b) {
      return b < 0x80 && k_ascii.cls[b] != CharClass::space && k_ascii.cls[b] != CharClass::newline;
    };
    std::size_t i = 0;
    while ((i = next_break_candidate(i)) < n) {
      // The usual paragraph break, a blank line between two lines of text:
      // exactly "\n\n" with no other whitespace around it.
      if (p[i] == '\n' && i > 0 && i + 2 < n && p[i + 1] == '\n' && ink(p[i - 1]) && ink(p[i + 2])) {
        f(i, i + 2);
        i += 2;
        continue;
      }
      if (!is_newline_at(i)) {
        ++i;
        continue;
      }
      std::size_t start = whitespace_run_start(i);
      TokenKind kind = TokenKind::space;
      std::size_t end = scan_space(start, &kind);
      if (kind == TokenKind::paragraph_break) f(start, end);
      i = end;
    }
  }

  // Where the sentence-end pattern (sentence end, closings, whitespace) before a
  // sentence start at c begins; npos when no sentence starts at c.
  std::size_t sentence_pattern(std::size_t c) const {
    if (c == 0 || c >= m_text.size()) return std::string_view::npos;
    Char here = at(c);
    if (here.cls == CharClass::space || here.cls == CharClass::newline) return std::string_view::npos;
    std::size_t ws = whitespace_run_start(c);
    if (ws < c) {  // after whitespace: a sentence end, then closings, must precede it
      std::size_t j = ws;
      for (;;) {
        std::size_t k = ascii_or_sequence_before(j);
        if (k == j) return std::string_view::npos;
        std::string_view ch = m_text.substr(k, j - k);
        if (is_sentence_end(ch)) return k;
        if (!is_closing(ch)) return std::string_view::npos;
        j = k;
      }
    }
    // 。！？ directly followed by a character that is not a mark (else the mark
    // would belong to the sentence end's token).
    if (c >= 3 && here.cls != CharClass::mark && is_sentence_end(m_text.substr(c - 3, 3))) return c - 3;
    return std::string_view::npos;
  }

  void run(std::vector<Token>& out) {
    // Tokens are written through a pointer into `out`, sized ahead (a third
    // of the bytes, grown when that runs out) and cut to the count at the
    // end: vector::push_back does not inline here and cost ~30 instructions a
    // token.
    out.resize(m_text.size() / 3 + 16);
    Token* w = out.data();
    Token* end = w + out.size();
    auto emit = [&](TokenKind kind, std::size_t start, std::size_t length) {
      if (w == end) [[unlikely]] {
        std::size_t used = out.size();
        grow(out);
        w = out.data() + used;
        end = out.data() + out.size();
      }
      *w++ = Token{kind, std::string_view(m_text.data() + start, length)};
    };
    const auto* p = reinterpret_cast<const unsigned char*>(m_text.data());
    const std::size_t n = m_text.size();
    std::size_t i = 0;
    while (i < n) {
      // Fast path, most of article text: an ASCII word that ends at a byte
      // that cannot continue it (scan_word's own fast case), then one space
      // before another ASCII word (scan_space's).
      if (k_ascii_words.set[p[i]]) {
        std::size_t j = i + 1;
        while (j < n && k_ascii_words.set[p[j]]) ++j;
        if (j == n || k_ascii_word_ends.set[p[j]]) {
          emit(TokenKind::word, i, j - i);
          i = j;
          if (j + 1 < n && p[j] == ' ' && k_ascii_words.set[p[j + 1]]) {
            emit(TokenKind::space, j, 1);
            i = j + 1;
          }
          continue;
        }
      }
      Char c = at(i);
      std::size_t start = i;
      TokenKind kind = TokenKind::punct;
      switch (c.cls) {
        case CharClass::space:
        case CharClass::newline:
          if (m_text[i] == ' ' && i + 1 < m_text.size() &&
              k_ascii_words.set[static_cast<unsigned char>(m_text[i + 1])]) {
            kind = TokenKind::space;  // one space before an ASCII letter or digit (scan_space's fast case)
            i += 1;
          } else {
            i = scan_space(i, &kind);
          }
          break;
        case CharClass::letter:
        case CharClass::digit:
          kind = TokenKind::word;
          i = scan_word(i);
          break;
        case CharClass::currency:
          if (i + c.length < m_text.size() && at(i + c.length).cls == CharClass::digit) {
            kind = TokenKind::word;
            i = scan_word(i + c.length);
          } else {
            i = skip_marks(i + c.length);
          }
          break;
        case CharClass::ideograph:
          kind = TokenKind::ideograph;
          i = skip_marks(i + c.length);
          break;
        case CharClass::mark:
        case CharClass::punct:
          i = skip_marks(i + c.length);
          break;
      }
      emit(kind, start, i - start);
    }
    out.resize(static_cast<std::size_t>(w - out.data()));
  }

 private:
  [[gnu::noinline]] static void grow(std::vector<Token>& out) { out.resize(2 * out.size()); }

  struct Char {
    char32_t cp;
    std::size_t length;
    CharClass cls;
  };

  Char at(std::size_t i) const {
    auto b = static_cast<unsigned char>(m_text[i]);
    if (b < 0x80) return Char{b, 1, k_ascii.cls[b]};
    utf8::Decoded d = utf8::decode(m_text, i);
    return Char{d.cp, d.length, classify_char(d.cp)};
  }

  // Whether a line break character (LF, CR, U+0085, U+2028, U+2029) starts at i.
  bool is_newline_at(std::size_t i) const {
    auto b = static_cast<unsigned char>(m_text[i]);
    return b == '\n' || b == '\r' ||
           (b == 0xC2 && i + 1 < m_text.size() && static_cast<unsigned char>(m_text[i + 1]) == 0x85) ||
           (b == 0xE2 && i + 2 < m_text.size() && static_cast<unsigned char>(m_text[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(m_text[i + 2]) | 1) == 0xA9);
  }

  // The start of the character that ends at j when it is ASCII or a well-formed
  // two- or three-byte sequence (every sentence end and closing is one); j if
  // there is none. A lead byte always starts a character, ill-formed input
  // included, since the decoder resynchronizes at lead bytes.
  std::size_t ascii_or_sequence_before(std::size_t j) const {
    if (j == 0) return j;
    auto last = static_cast<unsigned char>(m_text[j - 1]);
    if (last < 0x80) return j - 1;
    for (std::size_t len = 2; len <= 3 && len <= j; ++len) {
      auto lead = static_cast<unsigned char>(m_text[j - len]);
      if ((lead & 0xC0) == 0x80) continue;
      return utf8::decode(m_text, j - len).length == len ? j - len : j;
    }
    return j;
  }

  // The first position >= i holding '\n', '\r', 0xC2 or 0xE2; m_text.size() if none.
  std::size_t next_break_candidate(std::size_t i) const {
    const auto* p = reinterpret_cast<const unsigned char*>(m_text.data());
    const std::size_t n = m_text.size();
#if defined(FW_DIFF_AVX2)
    // A hit found here, or the short tail, is (re)checked below.
    if (have_avx2()) i = break_candidate_avx2(p, i, n);
#endif
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i c2 = _mm_set1_epi8(static_cast<char>(0xC2));
    const __m128i e2 = _mm_set1_epi8(static_cast<char>(0xE2));
    while (i + 16 <= n) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));  // NOLINT: SSE2 load
      __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, cr)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, c2), _mm_cmpeq_epi8(v, e2)));
      auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
      if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
      i += 16;
    }
#endif
    while (i < n && p[i] != '\n' && p[i] != '\r' && p[i] != 0xC2 && p[i] != 0xE2) ++i;
    return i;
  }

  // The start of the whitespace run that contains the whitespace character at i.
  std::size_t whitespace_run_start(std::size_t i) const {
    const auto* p = reinterpret_cast<const unsigned char*>(m_text.data());
    while (i > 0) {
      unsigned char b = p[i - 1];
      if (b < 0x80) {
        CharClass cls = k_ascii.cls[b];
        if (cls != CharClass::space && cls != CharClass::newline) break;
        --i;
        continue;
      }
      // Only the lead byte of a sequence can start a character (continuation
      // bytes are never decoded on their own unless ill-formed, and then they
      // are not whitespace), so try the two- and three-byte whitespace forms.
      if (i >= 2 && p[i - 2] == 0xC2 && (b == 0xA0 || b == 0x85)) {
        i -= 2;
        continue;
      }
      if (i >= 3 && p[i - 3] >= 0xE1 && p[i - 3] <= 0xE3) {
        Char c = at(i - 3);
        if (c.length == 3 && (c.cls == CharClass::space || c.cls == CharClass::newline)) {
          i -= 3;
          continue;
        }
      }
      break;
    }
    return i;
  }

  std::size_t skip_marks(std::size_t i) const {
    if (i < m_text.size() && static_cast<unsigned char>(m_text[i]) < 0x80) return i;  // ASCII is never a mark
    while (i < m_text.size()) {
      Char c = at(i);
      if (c.cls != CharClass::mark) break;
      i += c.length;
    }
    return i;
  }

  std::size_t scan_space(std::size_t i, TokenKind* kind) const {
    if (m_text[i] == ' ' && i + 1 < m_text.size()) {
      auto next = static_cast<unsigned char>(m_text[i + 1]);
      if (next < 0x80 && k_ascii.cls[next] != CharClass::space && k_ascii.cls[next] != CharClass::newline) {
        *kind = TokenKind::space;  // the common case: one space between words
        return i + 1;
      }
    }
    int newlines = 0;
    while (i < m_text.size()) {
      Char c = at(i);
      if (c.cls == CharClass::newline) {
        ++newlines;
      } else if (c.cp == '\r') {
        // A lone CR (old Mac line end) is a line break; CR LF counts once, at the LF.
        if (i + 1 >= m_text.size() || m_text[i + 1] != '\n') ++newlines;
      } else if (c.cls != CharClass::space) {
        break;
      }
      i += c.length;
    }
    *kind = newlines >= 2 ? TokenKind::paragraph_break : TokenKind::space;
    return i;
  }

  // A word from a letter or digit at i: word characters, joined across an
  // apostrophe or hyphen between word characters and across a number separator
  // between digits, then an optional percent sign after a digit.
  std::size_t scan_word(std::size_t i) const {
    const auto* p = reinterpret_cast<const unsigned char*>(m_text.data());
    const std::size_t n = m_text.size();
    CharClass last = CharClass::letter;
    while (i < n) {
      // Fast path: a run of ASCII letters and digits.
      if (k_ascii_words.set[p[i]]) {
        std::size_t j = i + 1;
        while (j < n && k_ascii_words.set[p[j]]) ++j;
        if (j == n || k_ascii_word_ends.set[p[j]]) return j;  // the common case: a space follows
        last = k_ascii.cls[p[j - 1]];
        i = j;
        continue;
      }
      Char c = at(i);
      if (is_word_char(c.cls)) {
        if (c.cls != CharClass::mark) last = c.cls;
        i += c.length;
        continue;
      }
      std::size_t next = i + c.length;
      if (next < n) {
        Char nc = at(next);
        if (is_word_joiner(c.cp) && (nc.cls == CharClass::letter || nc.cls == CharClass::digit)) {
          i = next;
          continue;
        }
        if (is_number_separator(c.cp) && last == CharClass::digit && nc.cls == CharClass::digit) {
          i = next;
          continue;
        }
      }
      if ((c.cp == '%' || c.cp == 0x2030) && last == CharClass::digit) i = next;
      break;
    }
    return i;
  }

  std::string_view m_text;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  Tokenizer(text).run(out);
  return out;
}

void tokenize(std::string_view text, std::vector<Token>& out) {
  Tokenizer(text).run(out);
}

std::vector<std::size_t> unit_starts(std::string_view text) {
  return Tokenizer(text).units();
}

std::vector<std::pair<std::size_t, std::size_t>> paragraph_spans(std::string_view text) {
  return Tokenizer(text).spans();
}

bool is_sentence_end(std::string_view t) {
  return t == "." || t == "!" || t == "?" || t == "\xE3\x80\x82" || t == "\xEF\xBC\x81" ||
         t == "\xEF\xBC\x9F";
}

bool is_closing(std::string_view t) {
  return t == "\"" || t == "'" || t == ")" || t == "]" || t == "\xE2\x80\x9D" || t == "\xE2\x80\x99" ||
         t == "\xC2\xBB" || t == "\xE3\x80\x8D";
}

std::size_t sentence_start_before(std::string_view text, std::size_t limit) {
  Tokenizer tokenizer(text);
  for (std::size_t c = std::min(limit, text.size()); c-- > 1;) {
    auto before = static_cast<unsigned char>(text[c - 1]);
    // Only whitespace or the last byte of 。！？ can precede a sentence start.
    if (before < 0x80 && k_ascii.cls[before] != CharClass::space && k_ascii.cls[before] != CharClass::newline)
      continue;
    if (tokenizer.sentence_pattern(c) != std::string_view::npos) return c;
  }
  return 0;
}

bool is_sentence_start(std::string_view text, std::size_t c) {
  return Tokenizer(text).sentence_pattern(c) != std::string_view::npos;
}

std::size_t sentence_start_after(std::string_view text, std::size_t from) {
  Tokenizer tokenizer(text);
  for (std::size_t c = from + 1; c < text.size(); ++c) {
    auto before = static_cast<unsigned char>(text[c - 1]);
    if (before < 0x80 && k_ascii.cls[before] != CharClass::space && k_ascii.cls[before] != CharClass::newline)
      continue;
    std::size_t pattern = tokenizer.sentence_pattern(c);
    if (pattern != std::string_view::npos && pattern >= from) return c;
  }
  return text.size();
}

}  // namespace fw::diff
