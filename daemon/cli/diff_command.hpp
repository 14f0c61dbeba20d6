// `feedwatch diff OLD NEW [--format text|json]` (DESIGN.md "Command line"):
// the word-level diff of two text files (either may be "-" for stdin).
#pragma once

#include <string>

namespace fw::cli {

// Prints the diff of the files at old_path and new_path to stdout: format "text"
// is the [-old-]{+new+} rendering of the changed paragraphs (coloured when stdout
// is a terminal and NO_COLOR is unset; nothing when the texts are identical),
// "json" is fw::diff::to_json. Returns the exit status: 0 on success (whether
// or not the texts differ), 1 when a file cannot be read or the format is
// unknown (with a message on stderr).
int run_diff(const std::string& old_path, const std::string& new_path, const std::string& format);

}  // namespace fw::cli
