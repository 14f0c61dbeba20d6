// `feedwatch extract FILE|- [--url U] [--format text|json|html]` and
// `feedwatch extract --batch IN_DIR OUT_DIR` (DESIGN.md "Command line").
#pragma once

#include <string>

namespace fw::cli {

// Single page: extracts `input` (a path, or "-" for stdin) and prints the body
// text (format "text", the default when empty), the sanitized HTML ("html") or
// every field as one JSON object ("json"). `url` is the page's URL (base for
// links, host for site rules); may be empty.
// Batch (`batch_in` non-empty): every batch_in/<id>.html -> batch_out/<id>.txt
// in one process; prints "extract_seconds=X extract_cpu_seconds=Y pages=N" on
// stderr (the timing covers extraction only, not reading and writing files).
// Returns the process exit code: 0 ok, 1 unreadable input or failed
// extraction, 2 bad arguments.
int run_extract(const std::string& input, const std::string& url, const std::string& format,
                const std::string& batch_in, const std::string& batch_out);

}  // namespace fw::cli
