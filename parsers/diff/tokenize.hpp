// Word tokenizer for diffs: splits text into tokens that cover every byte of
// the input exactly once, so concatenating the tokens' text gives the input
// back (the diff relies on it to render and apply changes exactly).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fw::diff {

enum class TokenKind : std::uint8_t {
  word,             // letters/digits, internal ' and -, numbers with separators, "£60", "6.5%"
  ideograph,        // one Han, Hiragana, Katakana or Hangul character
  punct,            // one punctuation or symbol character (or one ill-formed byte)
  space,            // a whitespace run with at most one line break
  paragraph_break,  // a whitespace run with two or more line breaks (a blank line)
};

struct Token {
  TokenKind kind;
  std::string_view text;  // points into the tokenized input
};

// True for every kind but space and paragraph_break.
inline bool is_content(TokenKind kind) {
  return kind != TokenKind::space && kind != TokenKind::paragraph_break;
}

// The tokens of `text`; they view `text`, which must outlive them.
std::vector<Token> tokenize(std::string_view text);

// Byte offsets where the paragraph units of `text` start: 0 (for non-empty
// text), then the end of every paragraph_break token that has text after it.
// The same breaks tokenize() finds, found without tokenizing the words (fast).
std::vector<std::size_t> unit_starts(std::string_view text);

}  // namespace fw::diff
