// Word tokenizer for diffs: splits text into tokens that cover every byte of
// the input exactly once, so concatenating the tokens' text gives the input
// back (the diff relies on it to render and apply changes exactly).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
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
// The same into `out` (cleared first; its allocation is reused).
void tokenize(std::string_view text, std::vector<Token>& out);

// Byte offsets where the paragraph units of `text` start: 0 (for non-empty
// text), then the end of every paragraph_break token that has text after it.
// The same breaks tokenize() finds, found without tokenizing the words (fast).
std::vector<std::size_t> unit_starts(std::string_view text);

// The paragraphs of `text` as [begin, end) byte ranges, each without the
// paragraph_break that follows it: n breaks give n + 1 ranges, the last one
// empty when the text ends with a break. Found like unit_starts().
std::vector<std::pair<std::size_t, std::size_t>> paragraph_spans(std::string_view text);

// Sentence ends: the token texts . ! ? 。 ！ ？
bool is_sentence_end(std::string_view token);
// Closing quotes and brackets that may follow a sentence end: " ' ) ] ” ’ » 」
bool is_closing(std::string_view token);

// Sentence starts found from the bytes, without tokenizing: the same starts as
// the token rule (after the whitespace token that follows a sentence end and
// its closing quotes, or right after 。！？ when a non-space follows), for a
// position c with 0 < c < text.size(). These let the diff skip the equal
// sentences around a change without tokenizing them.
//
// The last sentence start before `limit` (0 when there is none).
std::size_t sentence_start_before(std::string_view text, std::size_t limit);
// Whether a sentence starts at c (false for c == 0 and c >= text.size()).
bool is_sentence_start(std::string_view text, std::size_t c);
// The first sentence start whose sentence end, closings and whitespace all lie
// at or after `from`; text.size() when there is none.
std::size_t sentence_start_after(std::string_view text, std::size_t from);

}  // namespace fw::diff
