// RSS 1.0 (https://web.resource.org/rss/1.0/spec) and RSS 0.90: RDF documents
// whose <channel>, <image>, <textinput> and <item> elements are siblings under
// <rdf:RDF>. Items carry their identity in rdf:about (RSS 1.0 section 5.5),
// which is the entry id, verbatim; everything else reads like RSS 2.0 items.
#include <string>

#include "parsers/feed/detail.hpp"

namespace fw::feed::detail {

void parse_rdf(const xmlNode* root, Feed& feed) {
  if (const xmlNode* channel = first_child(root, "channel")) {
    parse_rss_channel(channel, feed);
  } else {
    feed.warnings.emplace_back("rdf: no <channel> element");
  }
  if (!feed.language) {
    if (std::optional<std::string> lang = xml_lang(root)) feed.language = normalize_language(*lang);
  }
  for (const xmlNode* child : child_elements(root)) {
    if (element_name(child) != "item") continue;
    Entry entry = parse_rss_item(child, feed.warnings);
    if (!entry.id) {
      if (const std::optional<std::string> about = attribute(child, "about")) {
        const std::string_view id = trim(*about);
        if (!id.empty()) entry.id = std::string(id);
      }
    }
    feed.entries.push_back(std::move(entry));
  }
}

}  // namespace fw::feed::detail
