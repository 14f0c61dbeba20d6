// Private to parsers/extract/: the parsed document, its flat index, and the
// pieces the extraction stages share. Nothing outside this directory includes it.
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/extract/extract.hpp"

namespace fw::extract::detail {

// ---- document.cpp: Gumbo in an arena ------------------------------------------

// Gumbo's nodes, strings and vectors are allocated from this bump arena and
// released all at once. Two reasons: gumbo_destroy_output() frees the tree
// recursively, one stack frame per level, so a deeply nested page (or a fuzzer's
// "<div><div><div>...") would overflow the stack; and a bump allocator makes
// parsing measurably faster than malloc/free per node. Gumbo's own frees are
// no-ops; what they would have returned is bounded by a small multiple of the
// input, which max_bytes limits.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* allocate(std::size_t size);

 private:
  std::vector<std::unique_ptr<std::byte[]>> m_blocks;
  std::byte* m_next = nullptr;
  std::size_t m_left = 0;
  std::size_t m_block_size = 0;
};

// One element or text node in document order (pre-order). Indices refer to
// Tree::nodes; `end` is one past the node's last descendant, so the subtree of
// node i is [i, end).
struct Node {
  const GumboNode* gumbo = nullptr;
  std::int32_t parent = -1;
  std::int32_t end = 0;
  GumboTag tag = GUMBO_TAG_UNKNOWN;  // GUMBO_TAG_UNKNOWN for text
  bool is_text = false;
  bool removed = false;  // boilerplate or hidden: left out of scoring and output
  // Aggregates over the subtree, without removed parts (score.cpp fills them).
  std::uint32_t text_len = 0;  // non-space bytes
  std::uint32_t link_len = 0;  // non-space bytes inside <a>
  std::uint32_t commas = 0;
  std::uint32_t paragraphs = 0;
  std::uint32_t images = 0;
  std::uint32_t list_items = 0;
  // Text directly in this block (text nodes and inline elements, not blocks).
  std::uint32_t own_text_len = 0;
  std::uint32_t own_link_len = 0;
  std::uint32_t own_commas = 0;
  float score = 0;
  bool scored = false;
  std::int16_t class_weight = 0;
};

// A parsed page and its flat index.
class Document {
 public:
  // Parses UTF-8 HTML. `fragment`: parse in a <div> context (content:encoded).
  Document(std::string_view utf8, bool fragment);
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  const GumboNode* root() const { return m_output->root; }  // <html>, or the fragment's
  std::vector<Node>& nodes() { return m_nodes; }
  const std::vector<Node>& nodes() const { return m_nodes; }

 private:
  Arena m_arena;
  std::string m_text;  // Gumbo's nodes point into it
  const GumboOutput* m_output = nullptr;
  std::vector<Node> m_nodes;
};

// ---- helpers (document.cpp) -------------------------------------------------------

std::string_view attribute(const GumboNode* node, const char* name);  // "" when absent
bool has_attribute(const GumboNode* node, const char* name);
std::string lower(std::string_view s);
std::string_view trim(std::string_view s);
bool is_space_byte(char c);
// Elements whose boundaries separate words (blocks, table cells, <br>).
bool is_block_tag(GumboTag tag);
// Elements that are never content: scripts, styles, forms, embeds, ...
bool is_dropped_tag(GumboTag tag);
bool is_heading(GumboTag tag);
// Collapses whitespace and trims (ASCII and U+00A0).
std::string collapse(std::string_view s);
// The text of a subtree, collapsed, skipping removed nodes when `tree` is given.
std::string node_text(const GumboNode* node);

// ---- metadata.cpp -------------------------------------------------------------

void extract_metadata(const Document& doc, const std::string& url, Article& article);

// ---- generic.cpp: scoring and boilerplate ---------------------------------------

// Marks hidden and boilerplate elements (by class/id, role, text) as removed
// and fills the aggregates. Call before choosing a body. Without
// `use_class_hints`, only hidden elements, furniture tags/roles and text tests
// count (the retry when class hints left too little text).
void mark_boilerplate(Document& doc, bool use_class_hints);
// The generic choice of body: the indices of the nodes that make the article
// (a top candidate and the siblings merged with it).
std::vector<std::int32_t> choose_body(Document& doc);
// Removes, inside the chosen body, what conditional cleaning finds: link
// lists, share bars, image-only promo blocks, "Read also" boxes, headings
// that repeat the title. Without `conditional` (fragments, which are all
// article), only the title heading and promo images go.
void clean_body(Document& doc, const std::vector<std::int32_t>& roots,
                const std::optional<std::string>& title, bool conditional);

// ---- render.cpp -----------------------------------------------------------------

std::string render_text(const Document& doc, const std::vector<std::int32_t>& roots);
std::string render_html(const Document& doc, const std::vector<std::int32_t>& roots,
                        std::string_view base_url);

}  // namespace fw::extract::detail
