// The comparison form of article text: two versions whose canonical forms are
// equal are the same version. Used for identity and for classifying changes
// only; stored text keeps its original characters.
#pragma once

#include <string>
#include <string_view>

namespace fw::diff {

// Unicode NFC (UAX #15); ill-formed UTF-8 bytes become U+FFFD.
std::string to_nfc(std::string_view text);

// NFC, then typographic punctuation folded to ASCII (’ ‘ ‚ ‛ -> ', “ ” „ ‟ -> ",
// ‐ ‑ ‒ – — ― − -> -, … -> ..., NBSP -> space), then whitespace normalized as
// fw::text::normalize_for_hash does (runs -> one space, blank lines -> "\n\n",
// ends trimmed).
std::string canonical_text(std::string_view text);

// fw::text::version_hash over the canonical title and body: lower-case hex SHA-256.
std::string canonical_hash(std::string_view title, std::string_view body);

}  // namespace fw::diff
