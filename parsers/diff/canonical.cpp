// Canonical text: NFC plus typographic folding.
//
// Two fetches of one article often differ in ways no reader would call an
// edit: a CMS re-saves "café" with a combining accent (e + U+0301) instead of
// the precomposed U+00E9, a template swaps straight quotes for curly ones, an
// editor's tool turns "--" into an em dash. Comparing canonical forms keeps
// those from becoming versions.
//
// NFC is Unicode's canonical composition (UAX #15 §§ 3, 9, 10):
//   1. decompose every character fully by its canonical decompositions
//      (Hangul syllables algorithmically, § 3.12 of the Unicode core spec);
//   2. put each run of combining marks in canonical order: a stable sort by
//      combining class, so "a + dot below (220) + acute (230)" and
//      "a + acute + dot below" become one sequence;
//   3. recompose: walk the marks after each starter and replace starter + mark
//      by a primary composite when one exists and the mark is not blocked (an
//      earlier mark of the same or higher class, or a starter, between them).
// Example: "e\u0301" -> decompose: e, U+0301 -> order: unchanged -> compose:
// (e, U+0301) is the primary composite U+00E9 -> "é". "Å" as U+212B (ANGSTROM
// SIGN) decomposes to U+00C5 -> A + U+030A and recomposes to U+00C5.
// The tables come from Python's unicodedata via gen_nfc_tables.py (no ICU or
// libunistring dependency: about 30 KB of data instead of a library). ASCII text
// is already NFC and is returned as is.
//
// Folding happens after NFC, then whitespace is normalized by the store's own
// fw::text::normalize_for_hash, so canonical_hash agrees with version_hash
// whenever the text has nothing to fold.
#include "parsers/diff/canonical.hpp"

#include <algorithm>
#include <vector>

#include "parsers/diff/nfc_tables.hpp"
#include "parsers/diff/utf8.hpp"
#include "parsers/text/normalize.hpp"
#include "parsers/text/text.hpp"

namespace fw::diff {

namespace {

constexpr char32_t k_hangul_s_base = 0xAC00;
constexpr char32_t k_hangul_l_base = 0x1100;
constexpr char32_t k_hangul_v_base = 0x1161;
constexpr char32_t k_hangul_t_base = 0x11A7;
constexpr char32_t k_hangul_l_count = 19;
constexpr char32_t k_hangul_v_count = 21;
constexpr char32_t k_hangul_t_count = 28;
constexpr char32_t k_hangul_n_count = k_hangul_v_count * k_hangul_t_count;
constexpr char32_t k_hangul_s_count = k_hangul_l_count * k_hangul_n_count;

const nfc::Decomposition* find_decomposition(char32_t cp) {
  const nfc::Decomposition* end = nfc::k_decompositions + nfc::k_decompositions_size;
  const nfc::Decomposition* it = std::lower_bound(
      nfc::k_decompositions, end, cp, [](const nfc::Decomposition& d, char32_t c) { return d.cp < c; });
  return it != end && it->cp == cp ? it : nullptr;
}

void decompose(char32_t cp, std::vector<char32_t>& out) {
  if (cp >= k_hangul_s_base && cp < k_hangul_s_base + k_hangul_s_count) {
    char32_t s = cp - k_hangul_s_base;
    out.push_back(k_hangul_l_base + s / k_hangul_n_count);
    out.push_back(k_hangul_v_base + (s % k_hangul_n_count) / k_hangul_t_count);
    if (s % k_hangul_t_count != 0) out.push_back(k_hangul_t_base + s % k_hangul_t_count);
    return;
  }
  const nfc::Decomposition* d = cp >= 0xC0 ? find_decomposition(cp) : nullptr;
  if (d == nullptr) {
    out.push_back(cp);
    return;
  }
  decompose(d->a, out);
  if (d->b != 0) decompose(d->b, out);
}

// The primary composite of a + b, or 0.
char32_t compose_pair(char32_t a, char32_t b) {
  if (b < 0x300) return 0;  // every second character of a composition (Hangul too) is >= U+0300
  if (a >= k_hangul_l_base && a < k_hangul_l_base + k_hangul_l_count && b >= k_hangul_v_base &&
      b < k_hangul_v_base + k_hangul_v_count) {
    return k_hangul_s_base +
           ((a - k_hangul_l_base) * k_hangul_v_count + (b - k_hangul_v_base)) * k_hangul_t_count;
  }
  if (a >= k_hangul_s_base && a < k_hangul_s_base + k_hangul_s_count &&
      (a - k_hangul_s_base) % k_hangul_t_count == 0 && b > k_hangul_t_base &&
      b < k_hangul_t_base + k_hangul_t_count) {
    return a + (b - k_hangul_t_base);
  }
  const nfc::Composition* end = nfc::k_compositions + nfc::k_compositions_size;
  const nfc::Composition* it = std::lower_bound(
      nfc::k_compositions, end, std::make_pair(a, b), [](const nfc::Composition& c, auto key) {
        return c.a < key.first || (c.a == key.first && c.b < key.second);
      });
  return it != end && it->a == a && it->b == b ? it->composite : 0;
}

// Appends the folded form of cp; false when cp is not folded.
bool fold(char32_t cp, std::string& out) {
  switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
      out.push_back('\'');
      return true;
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
      out.push_back('"');
      return true;
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
      out.push_back('-');
      return true;
    case 0x2026:
      out.append("...");
      return true;
    case 0x00A0:
      out.push_back(' ');
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string to_nfc(std::string_view text) {
  if (std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    return std::string(text);  // ASCII is NFC
  }
  std::vector<char32_t> cps;
  cps.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    utf8::Decoded d = utf8::decode(text, i);
    decompose(d.cp, cps);
    i += d.length;
  }
  // Canonical ordering: stable sort each run of non-starters by combining class.
  for (std::size_t i = 0; i < cps.size();) {
    if (nfc::combining_class(cps[i]) == 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < cps.size() && nfc::combining_class(cps[j]) != 0) ++j;
    std::stable_sort(
        cps.begin() + static_cast<std::ptrdiff_t>(i), cps.begin() + static_cast<std::ptrdiff_t>(j),
        [](char32_t a, char32_t b) { return nfc::combining_class(a) < nfc::combining_class(b); });
    i = j;
  }
  // Canonical composition.
  std::size_t starter = 0;
  bool have_starter = false;
  std::size_t w = 0;  // write index: cps[0, w) is the composed output so far
  int last_class = -1;
  for (std::size_t r = 0; r < cps.size(); ++r) {
    char32_t cp = cps[r];
    int cls = nfc::combining_class(cp);
    if (have_starter) {
      // Blocked: a mark of the same or higher class, or any starter, lies between.
      // A character right after the starter (last_class == -1) is never blocked.
      bool blocked = last_class != -1 && (cls == 0 || last_class >= cls);
      if (!blocked) {
        char32_t composite = compose_pair(cps[starter], cp);
        if (composite != 0) {
          cps[starter] = composite;
          continue;
        }
      }
    }
    if (cls == 0) {
      starter = w;
      have_starter = true;
      last_class = -1;
    } else {
      last_class = cls;
    }
    cps[w++] = cp;
  }
  cps.resize(w);
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : cps) text::append_utf8(out, cp);
  return out;
}

std::string canonical_text(std::string_view text) {
  std::string composed = to_nfc(text);
  std::string folded;
  folded.reserve(composed.size());
  for (std::size_t i = 0; i < composed.size();) {
    utf8::Decoded d = utf8::decode(composed, i);
    if (!fold(d.cp, folded)) folded.append(composed, i, d.length);
    i += d.length;
  }
  return text::normalize_for_hash(folded);
}

std::string canonical_hash(std::string_view title, std::string_view body) {
  return text::version_hash(canonical_text(title), canonical_text(body));
}

}  // namespace fw::diff
