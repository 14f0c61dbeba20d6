// A word diff (parsers/diff) as HTML for the analyst web view: inline (one
// text, deletions in <del>, insertions in <ins>) and side by side (a table, the
// old text on the left with its deletions, the new on the right with its
// insertions). Every piece of article text is escaped (daemon/web/html.hpp).
#pragma once

#include <string>

#include "parsers/diff/diff.hpp"

namespace fw::web {

// <div class="diff inline"><p>…</p>…</div>: every paragraph of the new text
// interleaved with what was removed; paragraphs that changed carry
// class="changed".
std::string inline_diff_html(const diff::Diff& d);

// <table class="diff side">: one row per pair of aligned paragraphs (rows are
// aligned at paragraph breaks that both texts share); changed rows carry
// class="changed".
std::string side_by_side_html(const diff::Diff& d);

// A one-line diff (e.g. of two titles): escaped text with <del>/<ins>, no paragraphs.
std::string line_diff_html(const diff::Diff& d);

}  // namespace fw::web
