// Rendering a word diff as HTML.
//
// The diff is a list of hunks (equal, remove, insert) whose texts concatenate
// to the old and the new text; paragraphs are separated by a blank line
// ("\n\n"). Both renderings walk the hunks once and split each hunk's text at
// paragraph breaks:
//
//   inline:        a break in any hunk ends the current <p>; an open <del> or
//                  <ins> is closed before the break and reopened after it, so
//                  the markup stays well nested.
//   side by side:  a break in an equal hunk is shared by both texts and ends
//                  the table row; a break inside a removal (insertion) only
//                  starts a new paragraph in the left (right) cell.
//
// Example: old "A b.\n\nC." and new "A x.\n\nC." give inline
//   <p class="changed">A <del>b</del><ins>x</ins>.</p><p>C.</p>
// and side by side two rows, the first marked changed.
#include "daemon/web/diff_html.hpp"

#include <string_view>
#include <vector>

#include "daemon/web/html.hpp"

namespace fw::web {

namespace {

constexpr std::string_view k_break = "\n\n";

// Calls segment(text) for each piece of `text` between paragraph breaks and
// paragraph_break() between pieces. Runs of more than two newlines count as one break.
template <class Segment, class Break>
void split_paragraphs(std::string_view text, Segment segment, Break paragraph_break) {
  for (;;) {
    const std::size_t at = text.find(k_break);
    if (at == std::string_view::npos) {
      segment(text);
      return;
    }
    segment(text.substr(0, at));
    std::size_t next = at + k_break.size();
    while (next < text.size() && text[next] == '\n') ++next;
    paragraph_break();
    text = text.substr(next);
  }
}

void append_marked(std::string& out, std::string_view tag, std::string_view text) {
  if (text.empty()) return;
  out += '<';
  out += tag;
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += tag;
  out += '>';
}

struct Paragraph {
  std::string html;
  bool changed = false;
};

struct Cell {
  std::vector<Paragraph> paragraphs{1};
  void add(std::string_view tag, std::string_view text) {
    if (tag.empty()) {
      append_escaped(paragraphs.back().html, text);
    } else {
      append_marked(paragraphs.back().html, tag, text);
      if (!text.empty()) paragraphs.back().changed = true;
    }
  }
  bool changed() const {
    for (const Paragraph& p : paragraphs)
      if (p.changed) return true;
    return false;
  }
  bool blank() const { return paragraphs.size() == 1 && paragraphs[0].html.empty(); }
};

void render_paragraphs(std::string& out, const std::vector<Paragraph>& paragraphs) {
  for (const Paragraph& p : paragraphs) {
    if (p.html.empty() && paragraphs.size() > 1) continue;
    out += p.changed ? "<p class=\"changed\">" : "<p>";
    out += p.html;
    out += "</p>";
  }
}

}  // namespace

std::string inline_diff_html(const diff::Diff& d) {
  std::vector<Paragraph> paragraphs(1);
  for (const diff::Hunk& h : d.hunks) {
    const std::string_view tag = h.op == diff::Op::remove ? "del" : h.op == diff::Op::insert ? "ins" : "";
    split_paragraphs(
        h.text,
        [&](std::string_view seg) {
          if (tag.empty()) {
            append_escaped(paragraphs.back().html, seg);
          } else if (!seg.empty()) {
            append_marked(paragraphs.back().html, tag, seg);
            paragraphs.back().changed = true;
          }
        },
        [&] { paragraphs.emplace_back(); });
  }
  std::string out = "<div class=\"diff inline\">";
  render_paragraphs(out, paragraphs);
  out += "</div>";
  return out;
}

std::string side_by_side_html(const diff::Diff& d) {
  std::vector<std::pair<Cell, Cell>> rows(1);
  for (const diff::Hunk& h : d.hunks) {
    switch (h.op) {
      case diff::Op::equal:
        split_paragraphs(
            h.text,
            [&](std::string_view seg) {
              rows.back().first.add("", seg);
              rows.back().second.add("", seg);
            },
            [&] { rows.emplace_back(); });
        break;
      case diff::Op::remove:
        split_paragraphs(
            h.text, [&](std::string_view seg) { rows.back().first.add("del", seg); },
            [&] { rows.back().first.paragraphs.emplace_back(); });
        break;
      case diff::Op::insert:
        split_paragraphs(
            h.text, [&](std::string_view seg) { rows.back().second.add("ins", seg); },
            [&] { rows.back().second.paragraphs.emplace_back(); });
        break;
    }
  }
  std::string out = "<table class=\"diff side\"><colgroup><col><col></colgroup><tbody>";
  for (const auto& [left, right] : rows) {
    if (left.blank() && right.blank()) continue;
    const bool changed = left.changed() || right.changed();
    out += changed ? "<tr class=\"changed\"><td>" : "<tr><td>";
    render_paragraphs(out, left.paragraphs);
    out += "</td><td>";
    render_paragraphs(out, right.paragraphs);
    out += "</td></tr>";
  }
  out += "</tbody></table>";
  return out;
}

std::string line_diff_html(const diff::Diff& d) {
  std::string out;
  for (const diff::Hunk& h : d.hunks) {
    const std::string_view tag = h.op == diff::Op::remove ? "del" : h.op == diff::Op::insert ? "ins" : "";
    if (tag.empty()) {
      append_escaped(out, h.text);
    } else {
      append_marked(out, tag, h.text);
    }
  }
  return out;
}

}  // namespace fw::web
