// libFuzzer target for the diff tokenizer on its own: for any bytes, the
// tokens cover the input exactly once and in order (their views are adjacent
// and concatenate to the input), none is empty, whitespace tokens hold only
// whitespace, and unit_starts() finds exactly the paragraph starts that the
// tokens' paragraph_break tokens mark. Any violation aborts.
//   scripts/fuzz 60     (seeds: fuzz/corpus/tokenize_fuzz/)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "parsers/diff/tokenize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT: libFuzzer's API
  const std::vector<fw::diff::Token> tokens = fw::diff::tokenize(text);
  std::size_t at = 0;
  std::vector<std::size_t> starts;
  if (!text.empty()) starts.push_back(0);
  for (const fw::diff::Token& t : tokens) {
    if (t.text.empty()) std::abort();
    if (t.text.data() != text.data() + at) std::abort();  // adjacent, in order, inside the input
    at += t.text.size();
    if (at > text.size()) std::abort();
    if (!fw::diff::is_content(t.kind)) {
      for (const char c : t.text) {
        const auto u = static_cast<unsigned char>(c);
        // ASCII whitespace, or the bytes of a Unicode space (U+00A0, U+2000.., U+3000, ...).
        if (u < 0x80 && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
          std::abort();
      }
    }
    if (t.kind == fw::diff::TokenKind::paragraph_break && at < text.size()) starts.push_back(at);
  }
  if (at != text.size()) std::abort();
  if (fw::diff::unit_starts(text) != starts) std::abort();
  return 0;
}
