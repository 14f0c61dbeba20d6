// The diff's own O(NP) search against dtl's, which it replaced: on random
// sequences (small alphabets, so there are many equally short scripts to choose
// from) both must pick the very same script, including past dtl's limit of
// 2,000,000 recorded path points, where both restart from the point reached.
// Also unit_starts() against the paragraph breaks of tokenize() on text full of
// Unicode whitespace and line separators (its fast scan jumps over the rest).
#include "parsers/diff/onp.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <dtl/dtl.hpp>
#include <random>
#include <string>
#include <vector>

#include "parsers/diff/tokenize.hpp"

namespace fw::diff {
namespace {

using detail::OnpSearch;
using detail::Region;

// The change regions of dtl's script, as diff.cpp built them before it had its own search.
std::vector<Region> dtl_regions(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  dtl::Diff<std::uint32_t> engine(a, b);
  engine.compose();
  std::vector<Region> out;
  std::size_t i = 0;
  std::size_t j = 0;
  bool open = false;
  Region r{};
  for (const auto& [elem, info] : engine.getSes().getSequence()) {
    (void)elem;
    if (info.type == dtl::SES_COMMON) {
      if (open) {
        r.a1 = i;
        r.b1 = j;
        out.push_back(r);
        open = false;
      }
      ++i;
      ++j;
      continue;
    }
    if (!open) {
      r = Region{i, i, j, j};
      open = true;
    }
    if (info.type == dtl::SES_DELETE) {
      ++i;
    } else {
      ++j;
    }
  }
  if (open) {
    r.a1 = i;
    r.b1 = j;
    out.push_back(r);
  }
  return out;
}

std::vector<Region> onp_regions(OnpSearch& search, const std::vector<std::uint32_t>& a,
                                const std::vector<std::uint32_t>& b) {
  std::vector<Region> out;
  search.run(a.data(), 0, a.size(), b.data(), 0, b.size(), out);
  return out;
}

std::string show(const std::vector<Region>& regions) {
  std::string s;
  for (const Region& r : regions) {
    s += "[" + std::to_string(r.a0) + "," + std::to_string(r.a1) + ")->[" + std::to_string(r.b0) + "," +
         std::to_string(r.b1) + ") ";
  }
  return s;
}

TEST(Onp, SameScriptAsDtlOnRandomSequences) {
  std::mt19937 rng(7);
  OnpSearch search;  // reused, as diff() reuses it
  for (int round = 0; round < 3000; ++round) {
    std::uint32_t alphabet = 1 + rng() % 6;
    std::vector<std::uint32_t> a(1 + rng() % 60);
    for (auto& x : a) x = rng() % alphabet;
    std::vector<std::uint32_t> b = a;
    int edits = static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !b.empty(); ++e) {
      std::size_t at = rng() % b.size();
      if (rng() % 2) {
        b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
      } else {
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), rng() % alphabet);
      }
    }
    if (b.empty()) b.push_back(0);
    if (rng() % 2) std::swap(a, b);  // both sides longer, and equal lengths (dtl swaps then)
    ASSERT_EQ(show(onp_regions(search, a, b)), show(dtl_regions(a, b))) << "round " << round;
  }
}

TEST(Onp, SameScriptAsDtlPastThePathPointLimit) {
  // 2,500 vs 2,600 elements with nothing in common but a sprinkling of zeros:
  // the search records far more than 2,000,000 path points and restarts.
  std::mt19937 rng(11);
  std::vector<std::uint32_t> a(2500);
  std::vector<std::uint32_t> b(2600);
  for (auto& x : a) x = rng() % 16 == 0 ? 0 : 1 + rng() % 1000000;
  for (auto& x : b) x = rng() % 16 == 0 ? 0 : 2000000 + rng() % 1000000;
  OnpSearch search;
  std::vector<Region> ours = onp_regions(search, a, b);
  EXPECT_EQ(show(ours), show(dtl_regions(a, b)));
  ASSERT_FALSE(ours.empty());
  EXPECT_EQ(ours.back().a1, a.size());
  EXPECT_EQ(ours.back().b1, b.size());
}

// Paragraph-unit starts as tokenize() defines them: the end of every
// paragraph_break token with text after it.
std::vector<std::size_t> units_by_tokens(std::string_view text) {
  std::vector<std::size_t> out;
  if (!text.empty()) out.push_back(0);
  std::size_t offset = 0;
  for (const Token& t : tokenize(text)) {
    offset += t.text.size();
    if (t.kind == TokenKind::paragraph_break && offset < text.size()) out.push_back(offset);
  }
  return out;
}

TEST(UnitStarts, AgreesWithTokenizeOnUnicodeWhitespace) {
  const std::vector<std::string> pieces = {"word",
                                           "Sch\xC3\xB6n",
                                           " ",
                                           "\n",
                                           "\r",
                                           "\r\n",
                                           "\t",
                                           "\xC2\xA0" /* NBSP */,
                                           "\xC2\x85" /* NEL */,
                                           "\xE2\x80\xA8" /* LS */,
                                           "\xE2\x80\xA9" /* PS */,
                                           "\xE2\x80\x80" /* EN QUAD */,
                                           "\xE3\x80\x80" /* IDEOGRAPHIC SPACE */,
                                           "\xE1\x9A\x80" /* OGHAM SPACE */,
                                           "\xE2\x80\x99" /* ’ */,
                                           "\xE2\x80" /* truncated */,
                                           "\xC2" /* lone lead */,
                                           "\x85" /* lone continuation */,
                                           "\xA0",
                                           "\xE9\x98\xBF" /* 阿 */,
                                           ".",
                                           "x\xCC\x81" /* combining accent */};
  std::mt19937 rng(3);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
    ASSERT_EQ(unit_starts(text), units_by_tokens(text)) << "text: " << text;
  }
  // Longer texts, mostly words and spaces (the scan takes 32 bytes a step
  // where the CPU allows, and must still stop at every line break, whichever
  // byte of a step it falls on).
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int n = static_cast<int>(rng() % 300);
    for (int k = 0; k < n; ++k) text += rng() % 4 == 0 ? pieces[rng() % pieces.size()] : pieces[rng() % 3];
    ASSERT_EQ(unit_starts(text), units_by_tokens(text)) << "text: " << text;
  }
}

TEST(UnitStarts, LineSeparatorsAndSpacesAroundThem) {
  // NBSP, LS, EN QUAD and LF in one run: two line breaks, so one paragraph break.
  std::string text = "One.\xC2\xA0\xE2\x80\xA8\xE2\x80\x80\n Two. Three \xC2\x85 four";
  std::vector<std::size_t> expected = {0, text.find("Two")};
  EXPECT_EQ(unit_starts(text), expected);
  EXPECT_EQ(unit_starts("a \r\r b"), (std::vector<std::size_t>{0, 5}));  // two lone CRs
  EXPECT_EQ(unit_starts("a \r\n b"), (std::vector<std::size_t>{0}));     // CR LF is one break
  EXPECT_EQ(unit_starts("a\n\n"), (std::vector<std::size_t>{0}));        // nothing after the break
}

}  // namespace
}  // namespace fw::diff
