// HTML5 named character references (WHATWG HTML 13.5), for fw::text's decoder.
#pragma once

#include <cstddef>
#include <string_view>

namespace fw::text {

struct NamedReference {
  std::size_t length = 0;  // bytes of `s` consumed (0: no reference)
  std::string_view utf8;   // the replacement text
};

// The named reference at the start of `s` (the text just after '&'), matched as
// the HTML tokenizer does in text: the complete "name;" first, else the longest
// legacy name that needs no semicolon. {0, ""} when none matches.
NamedReference match_named_reference(std::string_view s);

}  // namespace fw::text
