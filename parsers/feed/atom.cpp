// Atom 1.0 (RFC 4287) and Atom 0.3 (the 2003 draft, namespace
// http://purl.org/atom/ns#). Both share the element names; they differ in
// how a text's kind is written and in two date names:
//
//   1.0 type="text" | "html" | "xhtml"             (RFC 4287 section 3.1)
//   0.3 type="text/plain" | "text/html" | "application/xhtml+xml" | any MIME
//       type, plus mode="xml" | "escaped" | "base64"
//   1.0 <published>/<updated>, 0.3 <issued>/<modified>
//
// Links (RFC 4287 section 4.2.7): rel defaults to "alternate"; the entry's link
// is the first alternate with an HTML type or none. rel="enclosure" links are
// enclosures. Every href is resolved against xml:base and the document URL.
// <content src="..."> is out of line and has no text; binary media types
// (mode="base64" or a non-text, non-XML type) have none either.
//
// Atom feeds also carry the elements RSS borrows from Dublin Core and the
// content module (FEED-JSON.md lists them per field, not per format): dc:title,
// dc:date, dcterms:issued/modified, content:encoded, xhtml:body, fullitem. Each
// is read only where the Atom element it stands for is missing or empty
// (content: the first in document order, as in RSS).
#include <initializer_list>
#include <string>
#include <string_view>

#include "parsers/feed/detail.hpp"

namespace fw::feed::detail {
namespace {

enum class TextKind { k_text, k_html, k_xhtml, k_xml, k_binary };

// The element's name for Atom purposes: Atom elements (either namespace, or no
// namespace in a namespace-less <feed>) by their local name, others as usual.
std::string atom_name(const xmlNode* node) {
  if (node->ns == nullptr || is_atom_namespace(node)) {
    return ascii_lower(reinterpret_cast<const char*>(node->name));  // NOLINT
  }
  return element_name(node);
}

const xmlNode* first_atom_child(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* child : child_elements(parent)) {
    if (atom_name(child) == name) return child;
  }
  return nullptr;
}

TextKind text_kind(const xmlNode* node) {
  const std::string mode = ascii_lower(trim(attribute(node, "mode").value_or("")));
  const std::string type = ascii_lower(trim(attribute(node, "type").value_or("")));
  if (mode == "base64") return TextKind::k_binary;
  if (mode == "escaped") return TextKind::k_html;
  if (type.empty() || type == "text" || type == "text/plain") return TextKind::k_text;
  if (type == "html" || type == "text/html") return TextKind::k_html;
  if (type == "xhtml" || type == "application/xhtml+xml") return TextKind::k_xhtml;
  if (type.size() > 4 && (type.ends_with("+xml") || type.ends_with("/xml"))) return TextKind::k_xml;
  if (type.starts_with("text/")) return TextKind::k_text;
  return TextKind::k_binary;
}

// A text or content construct as markup (for content_html) and plain text.
struct TextValue {
  std::optional<std::string> text;
  std::optional<std::string> markup;
};

TextValue read_text(const xmlNode* node) {
  TextValue value;
  switch (text_kind(node)) {
    case TextKind::k_text:
    case TextKind::k_xml:
      value.text = plain_text(text_content(node));
      break;
    case TextKind::k_html:
      value.markup = inner_markup(node);
      break;
    case TextKind::k_xhtml: {
      // RFC 4287 section 3.1.1.3: the content is one xhtml:div, which is not
      // itself part of the content.
      const std::vector<const xmlNode*> children = child_elements(node);
      const bool wrapped = children.size() == 1 && element_name(children[0]) == "xhtml:div";
      value.markup = inner_markup(wrapped ? children[0] : node);
      break;
    }
    case TextKind::k_binary:
      break;
  }
  if (value.markup) value.text = body_text(node, *value.markup);
  return value;
}

// RFC 4287 section 4.2.7.2: a rel is a short name or an IANA registry IRI.
std::string link_rel(const xmlNode* link) {
  std::string rel = ascii_lower(trim(attribute(link, "rel").value_or("")));
  constexpr std::string_view k_iana = "http://www.iana.org/assignments/relation/";
  if (rel.starts_with(k_iana)) rel.erase(0, k_iana.size());
  return rel.empty() ? "alternate" : rel;
}

bool is_html_type(std::string_view type) {
  return type.empty() || type == "text/html" || type == "application/xhtml+xml" || type == "html";
}

std::optional<std::string> alternate_link(const xmlNode* parent) {
  for (const xmlNode* child : child_elements(parent)) {
    if (atom_name(child) != "link" || link_rel(child) != "alternate") continue;
    const std::string type = ascii_lower(trim(attribute(child, "type").value_or("")));
    if (!is_html_type(type)) continue;
    if (std::optional<std::string> href = resolve_url(child, attribute(child, "href").value_or("")))
      return href;
  }
  return std::nullopt;
}

std::optional<std::string> author_name(const xmlNode* parent) {
  for (const xmlNode* child : child_elements(parent)) {
    const std::string name = atom_name(child);
    if (name == "author") {
      for (const std::string_view part : {"name", "email"}) {
        if (const xmlNode* node = first_atom_child(child, part)) {
          if (std::optional<std::string> text = plain_text(text_content(node))) return text;
        }
      }
    } else if (name == "dc:creator") {
      if (std::optional<std::string> text = person_name(text_content(child))) return text;
    }
  }
  return std::nullopt;
}

Entry parse_entry(const xmlNode* node, std::vector<std::string>& warnings) {
  Entry entry;
  bool has_summary = false;
  for (const xmlNode* child : child_elements(node)) {
    const std::string name = atom_name(child);
    if (name == "id") {
      if (!entry.id) entry.id = resolve_url(child, text_content(child));
    } else if (name == "title") {
      if (!entry.title) entry.title = read_text(child).text;
    } else if (name == "category") {
      const std::optional<std::string> term = attribute(child, "term");
      add_category(entry.categories, term ? *term : text_content(child));
    } else if (name == "dc:subject" || name == "media:category") {
      add_category(entry.categories, text_content(child));
    } else if (name == "summary" || name == "dc:description" || name == "media:description") {
      has_summary = true;
      if (!entry.summary) entry.summary = read_text(child).text;
    } else if (name == "content") {
      if (entry.content || attribute(child, "src")) continue;  // out of line: no text here
      TextValue value = read_text(child);
      entry.content = std::move(value.text);
      if (entry.content) entry.content_html = value.markup ? std::move(value.markup) : entry.content;
    } else if (is_rss_content(name)) {
      read_rss_content(child, entry);  // met in Atom entries too
    } else if (name == "link" && link_rel(child) == "enclosure") {
      std::optional<std::string> href = resolve_url(child, attribute(child, "href").value_or(""));
      if (!href) continue;
      Enclosure enclosure;
      enclosure.url = std::move(*href);
      if (std::optional<std::string> type = attribute(child, "type")) enclosure.type = plain_text(*type);
      if (std::optional<std::string> length = attribute(child, "length"))
        enclosure.length = parse_length(*length);
      entry.enclosures.push_back(std::move(enclosure));
    } else {
      read_media(child, name, entry);
    }
  }
  if (!entry.title) {
    if (const xmlNode* media_title = first_atom_child(node, "media:title"))
      entry.title = read_text(media_title).text;
  }
  entry.link = alternate_link(node);
  // Atom 1.0's, then 0.3's, then the Dublin Core names RSS uses.
  entry.published = first_date(node, {"published", "issued", "dcterms:issued"}, warnings, atom_name);
  entry.updated =
      first_date(node, {"updated", "modified", "dc:date", "dcterms:modified"}, warnings, atom_name);
  entry.author = author_name(node);
  default_summary(entry, has_summary);
  return entry;
}

}  // namespace

void parse_atom(const xmlNode* root, Feed& feed) {
  // dc:title only when there is no Atom title; like an Atom text with no type, literal text.
  for (const std::string_view name : {"title", "dc:title"}) {
    if (const xmlNode* title = first_atom_child(root, name)) {
      feed.title = read_text(title).text;
      if (feed.title) break;
    }
  }
  feed.link = alternate_link(root);
  feed.updated =
      first_date(root, {"updated", "modified", "dc:date", "dcterms:modified"}, feed.warnings, atom_name);
  if (std::optional<std::string> lang = xml_lang(root)) {
    feed.language = normalize_language(*lang);
  } else if (const xmlNode* language = first_atom_child(root, "dc:language")) {
    feed.language = normalize_language(text_content(language));
  }
  for (const xmlNode* child : child_elements(root)) {
    const std::string name = atom_name(child);
    if (name == "entry") {
      feed.entries.push_back(parse_entry(child, feed.warnings));
    } else if (name == "link") {
      set_paging_link(feed, link_rel(child), resolve_url(child, attribute(child, "href").value_or("")));
    }
  }
}

}  // namespace fw::feed::detail
