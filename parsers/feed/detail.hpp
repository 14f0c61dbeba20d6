// Private to parsers/feed/: the pieces that the format parsers share. Nothing
// outside this directory includes it (feed.hpp is the public interface).
#pragma once

#include <libxml/tree.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/common/result.hpp"
#include "parsers/feed/feed.hpp"

namespace fw::feed::detail {

// ---- RAII for libxml2 handles -------------------------------------------------

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// What the format parsers need from ParseOptions while they walk one document;
// parse.cpp points the xmlDoc's _private at it.
struct DocumentContext {
  bool plain_text = true;
  // Most text that internal entity references may add to one value
  // (ParseLimits::max_entity_bytes), and whether some value reached it.
  std::size_t max_entity_bytes = 0;
  bool entity_limit_reached = false;
};

// ---- encoding.cpp: bytes -> UTF-8 --------------------------------------------

// Decodes a document to UTF-8 following RFC 7303 section 3: a byte order mark
// first, then the charset of the HTTP Content-Type, then the XML declaration
// (or the JSON default, UTF-8). Labels are mapped as the WHATWG Encoding
// Standard does (ISO-8859-1 and US-ASCII mean windows-1252). Bytes that are not
// valid in the chosen encoding are recovered (windows-1252 for a document that
// claims UTF-8, U+FFFD otherwise) and reported in `warnings`. The result is
// valid UTF-8 without BOM and without characters that XML 1.0 forbids.
std::string decode_to_utf8(std::string_view bytes, std::string_view content_type,
                           std::vector<std::string>& warnings);

// Rewrites references to HTML named entities that XML does not predefine
// (&nbsp; &eacute; ...) as numeric references, and stray '&' as "&amp;", so
// that libxml2 keeps the characters instead of dropping them. CDATA sections,
// comments, processing instructions and the DOCTYPE are left untouched.
std::string replace_html_entities(std::string xml, std::vector<std::string>& warnings);

// ---- xml.cpp: tree access -----------------------------------------------------

// An element's name with its namespace replaced by the conventional prefix
// ("dc:creator", "content:encoded", "atom:link", "media:title"), lower-cased.
// Elements in no namespace or in the RSS 1.0 / 0.90 / Userland RSS 2.0
// namespaces have no prefix: "title". An undeclared prefix (a common feed bug)
// keeps its written form: "dc:creator". Other namespaces: "{uri}local".
std::string element_name(const xmlNode* node);

// Whether the element is in one of the two Atom namespaces (1.0 or 0.3).
bool is_atom_namespace(const xmlNode* node);

// The element children of `parent`, in document order.
std::vector<const xmlNode*> child_elements(const xmlNode* parent);

// The first element child with that element_name(), or nullptr.
const xmlNode* first_child(const xmlNode* parent, std::string_view name);

// An attribute by local name (ASCII case-insensitive), any namespace.
std::optional<std::string> attribute(const xmlNode* node, std::string_view name);

// The concatenated text of the element's descendants (text, CDATA and internal
// entity content; entity expansion is bounded against "billion laughs").
std::string text_content(const xmlNode* node);

// The element's content as markup: its text as is (escaped HTML unescaped by
// XML is HTML source) and its child elements serialized back to markup (HTML
// written unescaped into the feed parses as XML elements).
std::string inner_markup(const xmlNode* node);

// `url` trimmed and resolved against the node's base (xml:base attributes up the
// tree, then the document URL). nullopt when empty.
std::optional<std::string> resolve_url(const xmlNode* node, std::string_view url);

// `url` trimmed and resolved against `base` (RFC 3986 section 5).
std::optional<std::string> resolve_url(std::string_view base, std::string_view url);

// The xml:lang in effect at the node, or nullopt.
std::optional<std::string> xml_lang(const xmlNode* node);

// ---- fields.cpp: value conversions shared by every format -----------------------

// ASCII whitespace (space, tab, CR, LF) removed from both ends.
std::string_view trim(std::string_view s);

// ASCII letters lower-cased (names, labels; never user text).
std::string ascii_lower(std::string_view s);

// Literal text: whitespace collapsed, trimmed; empty -> nullopt.
std::optional<std::string> plain_text(std::string_view text);

// HTML -> text (fw::text::html_to_text); empty -> nullopt.
std::optional<std::string> html_text(std::string_view html);

// An entry body (description, content:encoded, Atom content) found at `node`:
// html_text(markup), or the markup itself when the document's ParseOptions ask
// for no plain text.
std::optional<std::string> body_text(const xmlNode* node, std::string_view markup);

// RSS titles and other "maybe HTML" values: literal unless they look like HTML.
std::optional<std::string> maybe_html_text(std::string_view text);

// feedparser's test for escaped HTML in a nominally plain value: it contains a
// closing tag "</x>" or a reference "&x;", every tag is an ordinary HTML element
// and every named reference is an HTML entity.
bool looks_like_html(std::string_view text);

// The date or nullopt; an unparsable non-empty value adds a warning naming `what`.
std::optional<UnixTime> parse_date(std::string_view text, std::string_view what,
                                   std::vector<std::string>& warnings);

// The first date among the children named `names` (in that order of
// preference) that parses; `name_of` names a child (Atom reads its own
// elements by local name).
std::optional<UnixTime> first_date(const xmlNode* parent, std::initializer_list<std::string_view> names,
                                   std::vector<std::string>& warnings,
                                   std::string (*name_of)(const xmlNode*) = element_name);

// Lower-cased, '_' -> '-', trimmed; empty -> nullopt.
std::optional<std::string> normalize_language(std::string_view language);

// The name in "email (Name)" and "Name <email>"; the email when there is no name.
std::optional<std::string> person_name(std::string_view text);

// Appends a whitespace-collapsed category unless empty or already present.
void add_category(std::vector<std::string>& categories, std::string_view term);

// A non-negative decimal integer (enclosure length), else nullopt.
std::optional<std::int64_t> parse_length(std::string_view text);

// Fills entry.summary from entry.content when the entry has no summary element
// (FEED-JSON.md "summary").
void default_summary(Entry& entry, bool has_summary_element);

// RSS's content elements (content:encoded, xhtml:body, fullitem), in RSS
// items and Atom entries alike.
bool is_rss_content(std::string_view name);

// Such an element's body as the entry's content (HTML), unless the entry has
// content already: the first in document order wins.
void read_rss_content(const xmlNode* node, Entry& entry);

// Sets Entry::key for every entry (feed.hpp), making duplicates unique.
void assign_keys(Feed& feed);

// Stores a feed-level link by its rel ("self", "next", "previous"/"prev",
// "first", "last"; others ignored); the first of each kind wins.
void set_paging_link(Feed& feed, std::string_view rel, std::optional<std::string> href);

// rss.cpp: media:content, media:thumbnail and media:group (whose media:category
// counts as the item's own; its media:title is the title fallback) into `entry`.
// Returns true when `name` was a media element it handled.
bool read_media(const xmlNode* node, std::string_view name, Entry& entry);

// ---- format parsers --------------------------------------------------------------

// rss.cpp: RSS 0.9x and 2.0; `root` is <rss> (or a bare <channel>).
void parse_rss(const xmlNode* root, Feed& feed);
// rss.cpp: channel metadata shared with RSS 1.0 (title, link, dates, language, ttl).
void parse_rss_channel(const xmlNode* channel, Feed& feed);
// rss.cpp: one <item> of RSS 0.9x/1.0/2.0.
Entry parse_rss_item(const xmlNode* item, std::vector<std::string>& warnings);

// rdf.cpp: RSS 1.0 and RSS 0.90; `root` is <rdf:RDF>.
void parse_rdf(const xmlNode* root, Feed& feed);

// atom.cpp: Atom 1.0 and 0.3; `root` is <feed>.
void parse_atom(const xmlNode* root, Feed& feed);

// json.cpp: JSON Feed 1.0 / 1.1 from UTF-8 text.
Result<Feed> parse_json_feed(std::string_view utf8, const ParseOptions& options);

}  // namespace fw::feed::detail
