// The canonical form of article text used to decide whether two versions are
// the same, and its SHA-256. Normalization applies to comparison only: the
// stored text keeps its original form.
#pragma once

#include <string>
#include <string_view>

namespace fw::text {

// Whitespace runs (including NBSP and other Unicode spaces) become one space,
// runs containing a blank line become one paragraph break ("\n\n"); both ends trimmed.
std::string normalize_for_hash(std::string_view text);

// Lower-case hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

// Lower-case hex of `n` bytes (digests).
std::string hex(const unsigned char* data, std::size_t n);

// The identity hash of a version: SHA-256 of normalized title, a separator, normalized body.
std::string version_hash(std::string_view title, std::string_view body);

}  // namespace fw::text
