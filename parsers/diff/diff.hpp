// Word-level diff of two article texts, with paragraph context, counts, JSON and
// text renderings, and apply() to reconstruct the new text. See diff.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/common/result.hpp"

namespace fw::diff {

enum class Op : std::uint8_t { equal, remove, insert };

// "equal", "delete", "insert".
std::string_view op_name(Op op);

// A run of tokens with one operation. Concatenating the text of the equal and
// remove hunks gives the old text; of the equal and insert hunks, the new text.
struct Hunk {
  Op op = Op::equal;
  std::string text;               // exact original bytes
  std::size_t tokens = 0;         // content tokens (whitespace not counted) of a delete or insert
                                  // hunk; 0 for equal hunks (most equal text is never tokenized)
  std::size_t old_paragraph = 0;  // 0-based paragraph of the old text where the hunk starts
  std::size_t new_paragraph = 0;  // same, in the new text
};

// One edit site: the removed and inserted text between two equal runs, with
// the paragraphs around it.
struct Change {
  std::size_t old_paragraph = 0;  // first old paragraph the change touches
  std::size_t new_paragraph = 0;  // first new paragraph the change touches
  std::string removed;            // exact removed text ("" for a pure insertion)
  std::string inserted;           // exact inserted text ("" for a pure deletion)
  std::size_t removed_tokens = 0;
  std::size_t inserted_tokens = 0;
  std::string old_context;  // the old paragraph(s) the change falls in, trimmed
  std::string new_context;  // the new paragraph(s) the change falls in, trimmed
};

struct Stats {
  // Per change: min(removed, inserted) content tokens are "changed", the rest
  // "added" or "removed". "$6" -> "$60" is 1 changed token.
  std::size_t tokens_added = 0;
  std::size_t tokens_removed = 0;
  std::size_t tokens_changed = 0;
  // From a paragraph-level diff: per change, the surplus of new over old
  // paragraphs (added) or old over new (removed). An edited paragraph is neither.
  std::size_t paragraphs_added = 0;
  std::size_t paragraphs_removed = 0;
};

struct Diff {
  std::vector<Hunk> hunks;
  std::vector<Change> changes;
  Stats stats;

  // True when old and new text are byte-identical.
  bool identical() const { return changes.empty(); }
};

Diff diff(std::string_view old_text, std::string_view new_text);

// {"stats": {...}, "changes": [...], "hunks": [{"op": "equal", "text": ...,
// "tokens": n, "old_paragraph": i, "new_paragraph": j}, ...]}; pretty-printed
// with two-space indents when `indent` is true. Ill-formed UTF-8 becomes U+FFFD.
std::string to_json(const Diff& d, bool indent = false);

struct TextOptions {
  bool color = false;           // ANSI red/green around the markers
  bool all_paragraphs = false;  // also print paragraphs without changes
};

// `git diff --word-diff=plain` style: removed text as [-old-], inserted as
// {+new+}. By default only changed paragraphs are printed, each after a
// "@@ ¶old ¶new @@" line giving its 1-based paragraph numbers; "" when identical.
std::string to_text(const Diff& d, const TextOptions& options = {});

// The new text, rebuilt from the old text and the diff; an error when `old_text`
// is not the text the diff was made from. Call it qualified (diff::apply): an
// unqualified call with a std::string argument also finds std::apply by ADL.
Result<std::string> apply(std::string_view old_text, const Diff& d);

}  // namespace fw::diff
