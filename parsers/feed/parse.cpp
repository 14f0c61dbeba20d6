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
// returns a Feed, possibly with warnings.
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

// Where libxml2's errors go while one document is parsed (via ctxt->_private).
struct ErrorCollector {
  std::vector<std::string>* warnings;
  std::size_t count;
};

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

XmlDocPtr read_xml(const std::string& xml, const std::string& base_url, std::vector<std::string>& warnings) {
  if (xml.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
  const XmlParserCtxtPtr ctxt(xmlCreateMemoryParserCtxt(xml.data(), static_cast<int>(xml.size())));
  if (!ctxt) return nullptr;
  xmlCtxtUseOptions(ctxt.get(), k_xml_options);
  ErrorCollector collector{&warnings, 0};
  ctxt->_private = &collector;
  ctxt->sax->serror = &collect_xml_error;
  xmlParseDocument(ctxt.get());
  XmlDocPtr doc(ctxt->myDoc);
  ctxt->myDoc = nullptr;
  ctxt->_private = nullptr;
  if (collector.count > k_max_xml_warnings) {
    warnings.push_back("xml: " + std::to_string(collector.count - k_max_xml_warnings) + " more error(s)");
  }
  if (doc && !base_url.empty()) {
    // The document URL is the last step of xmlNodeGetBase's xml:base chain.
    doc->URL = xmlStrdup(reinterpret_cast<const xmlChar*>(base_url.c_str()));  // NOLINT
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

}  // namespace

Result<Feed> parse(std::string_view bytes, const ParseOptions& options) {
  std::vector<std::string> warnings;
  const std::string text = detail::decode_to_utf8(bytes, options.content_type, warnings);
  if (text.empty()) return fail("not a feed: the document is empty");

  if (is_json(text)) {
    Result<Feed> feed = detail::parse_json_feed(text, options);
    if (feed) feed->warnings.insert(feed->warnings.begin(), warnings.begin(), warnings.end());
    return feed;
  }
  if (text[0] != '<') return fail("not a feed: the document is neither XML nor JSON");

  const std::string xml = detail::replace_html_entities(text, warnings);
  const XmlDocPtr doc = read_xml(xml, options.base_url, warnings);
  const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (root == nullptr) return fail("not a feed: no XML element could be read from the document");

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
  return feed;
}

}  // namespace fw::feed
