// HTML and URL helpers for the analyst web view (daemon/web). Everything that
// comes from an article, a feed or a request goes through escape() before it
// reaches a page: the view never emits text it did not escape.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace fw::web {

// &, <, >, " and ' as character references; ill-formed UTF-8 bytes become
// U+FFFD and C0 controls other than tab and newline are dropped, so the output
// is always well-formed UTF-8 text that is safe in element content and in
// quoted attribute values.
std::string escape(std::string_view text);
void append_escaped(std::string& out, std::string_view text);

// Percent-encoding of a query-string value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);
// Decoding of one query-string component ('+' is a space); invalid escapes are kept verbatim.
std::string url_decode(std::string_view text);

// A request target split into its path (decoded) and query parameters (the
// first of each name wins). Parameters longer than `max_value` bytes are cut.
struct Target {
  std::string path;
  std::map<std::string, std::string> params;
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};
Target parse_target(std::string_view target, std::size_t max_value = 500);

// At most `max_chars` UTF-8 characters of `text`, with "…" appended when cut.
std::string truncate_utf8(std::string_view text, std::size_t max_chars);

}  // namespace fw::web
