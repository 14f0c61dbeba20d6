// libxml2 tree access for the format parsers: names by namespace, text with
// bounded entity expansion, markup re-serialization, and RFC 3986 resolution
// of relative URLs against xml:base (XML Base, section 4) and the document URL.
#include <libxml/entities.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlsave.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parsers/feed/detail.hpp"

namespace fw::feed::detail {
namespace {

struct XmlCharDeleter {
  void operator()(xmlChar* s) const { xmlFree(s); }
};
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharDeleter>;

struct XmlBufferDeleter {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};
using XmlBufferPtr = std::unique_ptr<xmlBuffer, XmlBufferDeleter>;

// Expansion of internal entities is capped: a "billion laughs" document
// (nested entities each referencing the previous one ten times) would
// otherwise expand to gigabytes. No feed field needs more than this.
constexpr std::size_t k_max_text_bytes = 16U << 20U;
constexpr int k_max_entity_depth = 8;

const char* chars(const xmlChar* s) {
  return reinterpret_cast<const char*>(s);
}  // NOLINT

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

struct KnownNamespace {
  std::string_view uri;
  std::string_view prefix;  // "" = no prefix
};

// The namespaces feeds use, by their conventional prefix.
constexpr std::array<KnownNamespace, 17> k_namespaces = {{
    {"http://purl.org/rss/1.0/", ""},
    {"http://my.netscape.com/rdf/simple/0.9/", ""},
    {"http://backend.userland.com/rss2", ""},
    {"http://blogs.law.harvard.edu/tech/rss", ""},
    {"http://purl.org/dc/elements/1.1/", "dc"},
    {"http://purl.org/dc/terms/", "dcterms"},
    {"http://purl.org/rss/1.0/modules/content/", "content"},
    {"http://purl.org/rss/1.0/modules/syndication/", "sy"},
    {"http://search.yahoo.com/mrss/", "media"},
    {"http://search.yahoo.com/mrss", "media"},
    {"http://www.w3.org/2005/Atom", "atom"},
    {"http://purl.org/atom/ns#", "atom"},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"},
    {"http://www.w3.org/1999/xhtml", "xhtml"},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"},
    {"http://wellformedweb.org/CommentAPI/", "wfw"},
    {"http://purl.org/rss/1.0/modules/slash/", "slash"},
}};

// What entity references may still add to the value being read: each value
// (one text_content or inner_markup call) gets ParseLimits::max_entity_bytes.
// libxml2 bounds the sum over the document on top of this (its amplification
// check against the document size).
struct EntityBudget {
  std::size_t bytes_left;
  DocumentContext* context;  // where "limit reached" is recorded; may be null
};

EntityBudget entity_budget(const xmlNode* node) {
  auto* context = node->doc != nullptr ? static_cast<DocumentContext*>(node->doc->_private) : nullptr;
  return {context != nullptr ? context->max_entity_bytes : k_max_text_bytes, context};
}

void collect_text(const xmlNode* node, std::string& out, int entity_depth, EntityBudget& budget);

// Appends text that an entity reference produced, charging it to the budget;
// false (and nothing appended) once that is spent.
bool append_entity_text(std::string& out, std::string_view text, EntityBudget& budget) {
  if (text.size() > budget.bytes_left) {
    budget.bytes_left = 0;
    if (budget.context != nullptr) budget.context->entity_limit_reached = true;
    return false;
  }
  budget.bytes_left -= text.size();
  out += text;
  return true;
}

// The replacement text of an entity reference node: internal entities only
// (external ones are never loaded: XXE), not nested too deep, and within the
// budget (no "billion laughs").
void append_entity(const xmlNode* reference, std::string& out, int entity_depth, EntityBudget& budget) {
  if (budget.bytes_left == 0) return;
  const xmlEntity* entity = xmlGetDocEntity(reference->doc, reference->name);
  if (entity == nullptr || entity->etype != XML_INTERNAL_GENERAL_ENTITY ||
      entity_depth >= k_max_entity_depth) {
    return;
  }
  if (entity->children != nullptr) {
    // An xmlEntity shares xmlNode's leading layout (type, name, children ...).
    collect_text(reinterpret_cast<const xmlNode*>(entity), out, entity_depth + 1, budget);  // NOLINT
  } else if (entity->content != nullptr) {
    append_entity_text(out, chars(entity->content), budget);
  }
}

// Depth-first text collection with the expansion budget.
void collect_text(const xmlNode* node, std::string& out, int entity_depth, EntityBudget& budget) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (out.size() >= k_max_text_bytes) return;
    switch (child->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        if (child->content == nullptr) break;
        if (entity_depth == 0) {
          out += chars(child->content);
        } else if (!append_entity_text(out, chars(child->content), budget)) {
          return;
        }
        break;
      case XML_ELEMENT_NODE:
        collect_text(child, out, entity_depth, budget);
        break;
      case XML_ENTITY_REF_NODE:
        append_entity(child, out, entity_depth, budget);
        break;
      default:
        break;
    }
  }
  if (out.size() > k_max_text_bytes) out.resize(k_max_text_bytes);
}

}  // namespace

std::string element_name(const xmlNode* node) {
  const std::string local = ascii_lower(chars(node->name));
  if (node->ns == nullptr || node->ns->href == nullptr) return local;  // also "dc:creator" undeclared
  const std::string_view uri = chars(node->ns->href);
  for (const KnownNamespace& known : k_namespaces) {
    if (known.uri == uri) return known.prefix.empty() ? local : std::string(known.prefix) + ":" + local;
  }
  return "{" + std::string(uri) + "}" + local;
}

bool is_atom_namespace(const xmlNode* node) {
  if (node->ns == nullptr || node->ns->href == nullptr) return false;
  const std::string_view uri = chars(node->ns->href);
  return uri == "http://www.w3.org/2005/Atom" || uri == "http://purl.org/atom/ns#";
}

std::vector<const xmlNode*> child_elements(const xmlNode* parent) {
  std::vector<const xmlNode*> children;
  for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) children.push_back(child);
  }
  return children;
}

const xmlNode* first_child(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && element_name(child) == name) return child;
  }
  return nullptr;
}

std::optional<std::string> attribute(const xmlNode* node, std::string_view name) {
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (!iequals(chars(attr->name), name)) continue;
    std::string value;
    for (const xmlNode* child = attr->children; child != nullptr; child = child->next) {
      if (child->content != nullptr) value += chars(child->content);
    }
    return value;
  }
  return std::nullopt;
}

std::string text_content(const xmlNode* node) {
  std::string out;
  EntityBudget budget = entity_budget(node);
  collect_text(node, out, 0, budget);
  return out;
}

std::string inner_markup(const xmlNode* node) {
  std::string out;
  EntityBudget budget = entity_budget(node);
  const XmlBufferPtr buffer(xmlBufferCreate());
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (out.size() >= k_max_text_bytes) break;
    if (child->type == XML_ELEMENT_NODE && buffer) {
      xmlBufferEmpty(buffer.get());
      // xmlNodeDump takes a non-const node but does not modify it.
      xmlNodeDump(buffer.get(), child->doc, const_cast<xmlNode*>(child), 0, 0);  // NOLINT
      out += chars(xmlBufferContent(buffer.get()));
    } else if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
      if (child->content != nullptr) out += chars(child->content);
    } else if (child->type == XML_ENTITY_REF_NODE) {
      append_entity(child, out, 0, budget);
    }
  }
  if (out.size() > k_max_text_bytes) out.resize(k_max_text_bytes);
  return out;
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view url) {
  const std::string_view trimmed = trim(url);
  if (trimmed.empty()) return std::nullopt;
  const std::string ref(trimmed);
  // Absolute already (RFC 3986 section 3.1 scheme ":"): returned verbatim.
  const auto colon = ref.find(':');
  if (colon != std::string::npos && colon > 0) {
    bool scheme = (ref[0] >= 'a' && ref[0] <= 'z') || (ref[0] >= 'A' && ref[0] <= 'Z');
    for (std::size_t i = 1; i < colon && scheme; ++i) {
      const char c = ref[i];
      scheme = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
               c == '-' || c == '.';
    }
    if (scheme) return ref;
  }
  if (base.empty()) return ref;
  const std::string base_string(base);
  const auto* ref_chars = reinterpret_cast<const xmlChar*>(ref.c_str());           // NOLINT
  const auto* base_chars = reinterpret_cast<const xmlChar*>(base_string.c_str());  // NOLINT
  XmlCharPtr resolved(xmlBuildURI(ref_chars, base_chars));
  if (!resolved) {
    // libxml2 rejects some characters real feeds leave unescaped (spaces,
    // non-ASCII); escape them and try once more.
    const XmlCharPtr escaped(
        xmlURIEscapeStr(ref_chars, reinterpret_cast<const xmlChar*>("/?#&=;:@%+$,[]!'()*~")));  // NOLINT
    if (escaped) resolved.reset(xmlBuildURI(escaped.get(), base_chars));
  }
  if (!resolved) return ref;
  return std::string(chars(resolved.get()));
}

std::optional<std::string> resolve_url(const xmlNode* node, std::string_view url) {
  const XmlCharPtr base(xmlNodeGetBase(node->doc, node));
  return resolve_url(base ? std::string_view(chars(base.get())) : std::string_view(), url);
}

std::optional<std::string> xml_lang(const xmlNode* node) {
  const XmlCharPtr lang(xmlNodeGetLang(node));
  if (!lang) return std::nullopt;
  return std::string(chars(lang.get()));
}

}  // namespace fw::feed::detail
