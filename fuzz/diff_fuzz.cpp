// libFuzzer target for the word diff: the input is two texts separated by the
// first NUL byte (no NUL: the two halves). For any pair, applying the diff to
// the old text must give the new text exactly, the hunks must concatenate to
// both texts. On one input in eight (first byte's low three bits zero: the
// checks below cost ten times the diff under ASan, and the fuzzer's mutations
// reach both sides of the gate) the JSON and text renderings must not throw,
// canonical_text must be idempotent and classify must not fail. Any violation
// aborts.
//   scripts/fuzz 60     (seeds: fuzz/corpus/diff_fuzz/)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parsers/diff/canonical.hpp"
#include "parsers/diff/classify.hpp"
#include "parsers/diff/diff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT: libFuzzer's API
  std::size_t split = input.find('\0');
  std::string_view old_text =
      split == std::string_view::npos ? input.substr(0, size / 2) : input.substr(0, split);
  std::string_view new_text =
      split == std::string_view::npos ? input.substr(size / 2) : input.substr(split + 1);

  const fw::diff::Diff d = fw::diff::diff(old_text, new_text);
  const fw::Result<std::string> rebuilt = fw::diff::apply(old_text, d);
  if (!rebuilt || *rebuilt != new_text) std::abort();
  std::string old_side;
  std::string new_side;
  for (const fw::diff::Hunk& h : d.hunks) {
    if (h.text.empty()) std::abort();
    if (h.op != fw::diff::Op::insert) old_side += h.text;
    if (h.op != fw::diff::Op::remove) new_side += h.text;
  }
  if (old_side != old_text || new_side != new_text) std::abort();
  if (d.identical() != (old_text == new_text)) std::abort();
  if (size == 0 || (data[0] & 7) != 0) return 0;
  (void)fw::diff::to_json(d);
  (void)fw::diff::to_text(d);

  const std::string canonical = fw::diff::canonical_text(old_text);
  if (fw::diff::canonical_text(canonical) != canonical) std::abort();

  fw::diff::Version before;
  before.body = old_text;
  fw::diff::Version after;
  after.body = new_text;
  (void)fw::diff::classify(before, after);
  return 0;
}
