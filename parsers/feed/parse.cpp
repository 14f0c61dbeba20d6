// fw::feed::parse: bytes -> Feed. The dispatcher:
//
//   bytes --decode_to_utf8--> UTF-8 text --'{'?--> JSON Feed (json.cpp)
//                                  |
//                                  +--replace_html_entities--> libxml2 (recover)
//                                        --> root element --> rss.cpp / rdf.cpp / atom.cpp
//
// libxml2 runs in recovery mode so that ill-formed feeds (mismatched tags, a
// truncated download) still yield what they hold; each error it reports
// becomes a warning. It never loads anything: no network (XML_PARSE_NONET), no
// DTD, no external entities (XML_PARSE_NOENT is off, so libxml2 does not
// substitute them), and without XML_PARSE_HUGE it keeps its limits against
// entity amplification. The encoding was settled before libxml2 (RFC 7303: the
// HTTP charset beats the XML declaration), so the declaration is ignored.
//
// Only a document in which no feed can be found is an error; everything else
// returns a Feed, possibly with warnings. Hostile input is bounded by
// ParseLimits: document size (an error), element depth and count (parsing
// stops there, as for a truncated download), text produced by entity
// references (a "billion laughs" document yields a bounded title), entries kept.
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/feed/detail.hpp"
#include "parsers/feed/feed.hpp"

namespace fw::feed {
namespace {

using detail::XmlDocPtr;

struct XmlParserCtxtDeleter {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};
using XmlParserCtxtPtr = std::unique_ptr<xmlParserCtxt, XmlParserCtxtDeleter>;

constexpr int k_xml_options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                              XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC;
constexpr std::size_t k_max_xml_warnings = 20;

constexpr std::string_view k_atom10_ns = "http://www.w3.org/2005/Atom";
constexpr std::string_view k_rss10_ns = "http://purl.org/rss/1.0/";
constexpr std::string_view k_rss090_ns = "http://my.netscape.com/rdf/simple/0.9/";

// Where libxml2's errors go while one document is parsed (via ctxt->_private),
// and the element counters that enforce ParseLimits as the tree is built.
struct ErrorCollector {
  std::vector<std::string>* warnings;
  std::size_t count;
  const ParseLimits* limits;
  std::size_t depth = 0;
  std::size_t elements = 0;
  bool stopped = false;
  startElementNsSAX2Func start_element = nullptr;  // libxml2's tree builder
  endElementNsSAX2Func end_element = nullptr;
};

// startElementNs wrapper: counts depth and elements, and stops the parser (the
// tree keeps what was read) when either passes its limit. libxml2's own depth
// limit (256 without XML_PARSE_HUGE) stays in force underneath.
void start_element(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri,
                   int nb_namespaces, const xmlChar** namespaces, int nb_attributes, int nb_defaulted,
                   const xmlChar** attributes) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  auto* collector = static_cast<ErrorCollector*>(ctxt->_private);
  ++collector->depth;
  ++collector->elements;
  if (collector->depth > collector->limits->max_depth ||
      collector->elements > collector->limits->max_elements) {
    if (!collector->stopped) {
      collector->stopped = true;
      collector->warnings->push_back(
          collector->depth > collector->limits->max_depth
              ? "limit: elements nested deeper than " + std::to_string(collector->limits->max_depth) +
                    "; the rest of the document was not read"
              : "limit: more than " + std::to_string(collector->limits->max_elements) +
                    " elements; the rest of the document was not read");
    }
    xmlStopParser(ctxt);
    return;
  }
  collector->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                           nb_defaulted, attributes);
}

void end_element(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  auto* collector = static_cast<ErrorCollector*>(ctxt->_private);
  if (collector->depth > 0) --collector->depth;
  collector->end_element(ctx, localname, prefix, uri);
}

// xmlStructuredErrorFunc; `data` is the parser context (ctxt->userData).
void collect_xml_error(void* data, xmlError* error) {
  const auto* ctxt = static_cast<const xmlParserCtxt*>(data);
  if (ctxt == nullptr || ctxt->_private == nullptr || error == nullptr) return;
  auto* collector = static_cast<ErrorCollector*>(ctxt->_private);
  ++collector->count;
  if (collector->count > k_max_xml_warnings) return;
  std::string message = error->message != nullptr ? error->message : "unknown error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  collector->warnings->push_back("xml: line " + std::to_string(error->line) + ": " + message);
}

XmlDocPtr read_xml(const std::string& xml, const ParseOptions& options, std::vector<std::string>& warnings) {
  if (xml.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
  // The push parser, given the whole document as one final chunk: it builds the
  // same tree as xmlReadMemory, but scans text and CDATA in bulk where the pull
  // parser goes character by character (2.4x faster on WordPress feeds, whose
  // bodies are long CDATA sections; bench/README.md).
  const XmlParserCtxtPtr ctxt(xmlCreatePushParserCtxt(nullptr, nullptr, nullptr, 0, nullptr));
  if (!ctxt) return nullptr;
  xmlCtxtUseOptions(ctxt.get(), k_xml_options);
  ErrorCollector collector{&warnings, 0, &options.limits};
  collector.start_element = ctxt->sax->startElementNs;
  collector.end_element = ctxt->sax->endElementNs;
  ctxt->_private = &collector;
  ctxt->sax->serror = &collect_xml_error;
  if (collector.start_element != nullptr && collector.end_element != nullptr) {
    ctxt->sax->startElementNs = &start_element;
    ctxt->sax->endElementNs = &end_element;
  }
  xmlParseChunk(ctxt.get(), xml.data(), static_cast<int>(xml.size()), 1);
  XmlDocPtr doc(ctxt->myDoc);
  ctxt->myDoc = nullptr;
  ctxt->_private = nullptr;
  if (collector.count > k_max_xml_warnings) {
    warnings.push_back("xml: " + std::to_string(collector.count - k_max_xml_warnings) + " more error(s)");
  }
  if (doc && !options.base_url.empty()) {
    // The document URL is the last step of xmlNodeGetBase's xml:base chain.
    doc->URL = xmlStrdup(reinterpret_cast<const xmlChar*>(options.base_url.c_str()));  // NOLINT
  }
  return doc;
}

std::string_view namespace_of(const xmlNode* node) {
  if (node->ns == nullptr || node->ns->href == nullptr) return {};
  return reinterpret_cast<const char*>(node->ns->href);  // NOLINT
}

// FEED-JSON.md "format" for <rss version=...>.
std::optional<std::string> rss_format(const xmlNode* root) {
  const std::string version(detail::trim(detail::attribute(root, "version").value_or("")));
  if (!version.empty() && version[0] == '2') return "rss2.0";
  for (const std::string_view old : {"0.91", "0.92", "0.93", "0.94"}) {
    if (version == old) return "rss" + version;
  }
  return "rss";
}

// RSS 1.0 vs 0.90 by the namespace of the RDF document's channel and items.
std::optional<std::string> rdf_format(const xmlNode* root) {
  for (const xmlNode* child : detail::child_elements(root)) {
    const std::string_view ns = namespace_of(child);
    if (ns == k_rss10_ns) return "rss1.0";
    if (ns == k_rss090_ns) return "rss0.90";
  }
  return std::nullopt;
}

std::optional<std::string> atom_format(const xmlNode* root) {
  if (namespace_of(root) == k_atom10_ns) return "atom1.0";
  if (detail::trim(detail::attribute(root, "version").value_or("")) == "0.3") return "atom0.3";
  return "atom";
}

bool is_json(std::string_view text) {
  return !text.empty() && (text[0] == '{' || text[0] == '[');
}

// Applies what is common to every format once the format parser is done:
// the entry limit and the entry keys.
Feed finish(Feed feed, const ParseOptions& options) {
  if (feed.entries.size() > options.limits.max_entries) {
    feed.warnings.push_back("limit: " + std::to_string(feed.entries.size()) + " entries; only the first " +
                            std::to_string(options.limits.max_entries) + " were kept");
    feed.entries.resize(options.limits.max_entries);
  }
  detail::assign_keys(feed);
  return feed;
}

}  // namespace

Result<Feed> parse(std::string_view bytes, const ParseOptions& options) {
  if (bytes.size() > options.limits.max_document_bytes) {
    return fail("document too large: " + std::to_string(bytes.size()) + " bytes, the limit is " +
                std::to_string(options.limits.max_document_bytes));
  }
  std::vector<std::string> warnings;
  std::string text = detail::decode_to_utf8(bytes, options.content_type, warnings);
  if (text.empty()) return fail("not a feed: the document is empty");

  if (is_json(text)) {
    Result<Feed> feed = detail::parse_json_feed(text, options);
    if (!feed) return feed;
    feed->warnings.insert(feed->warnings.begin(), warnings.begin(), warnings.end());
    return finish(std::move(feed).value(), options);
  }
  if (text[0] != '<') return fail("not a feed: the document is neither XML nor JSON");

  const std::string xml = detail::replace_html_entities(std::move(text), warnings);
  const XmlDocPtr doc = read_xml(xml, options, warnings);
  const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (root == nullptr) return fail("not a feed: no XML element could be read from the document");

  detail::DocumentContext context;
  context.plain_text = options.plain_text;
  context.max_entity_bytes = options.limits.max_entity_bytes;
  doc->_private = &context;  // outlives every use of doc below
  Feed feed;
  feed.warnings = std::move(warnings);
  const std::string name = detail::element_name(root);
  if (name == "rss" || name == "channel") {
    feed.format = name == "rss" ? rss_format(root) : std::nullopt;
    detail::parse_rss(root, feed);
  } else if (name == "rdf:rdf") {
    feed.format = rdf_format(root);
    detail::parse_rdf(root, feed);
  } else if (detail::ascii_lower(reinterpret_cast<const char*>(root->name)) == "feed") {  // NOLINT
    feed.format = atom_format(root);
    detail::parse_atom(root, feed);
  } else {
    return fail("not a feed: the root element is <" +
                std::string(reinterpret_cast<const char*>(root->name)) +  // NOLINT
                ">, not <rss>, <rdf:RDF> or <feed>");
  }
  if (context.entity_limit_reached) {
    feed.warnings.push_back("limit: entity references expand to more than " +
                            std::to_string(options.limits.max_entity_bytes) +
                            " bytes; the rest were dropped");
  }
  return finish(std::move(feed), options);
}

}  // namespace fw::feed
