// libFuzzer target for the site-rule selector parser: any bytes must parse or
// fail with a message naming the selector; a parsed selector must match
// against a small page without crashing, and matching must agree with
// select_all.
//   scripts/fuzz 60     (seeds: fuzz/corpus/selector_fuzz/)
#include <gumbo.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "parsers/extract/selector.hpp"

namespace {

constexpr std::string_view k_page =
    "<html><body><article class=\"post hentry\" id=\"main\"><div class=\"entry-content\" data-x=\"a b\">"
    "<p class=\"lead\">One</p><div class=\"read-also\"><a href=\"/x\" title=\"t\">x</a></div>"
    "<section><p id=\"p3\">Three</p></section></div></article><aside><p>side</p></aside>"
    "<my-element foo=\"bar\">custom</my-element></body></html>";

const GumboOutput* page() {
  // Parsed once and never freed: the harness lives as long as the process.
  static const GumboOutput* k_output =
      gumbo_parse_with_options(&kGumboDefaultOptions, k_page.data(), k_page.size());
  return k_output;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = fw::extract::parse_selector(text);
  if (!list) {
    if (list.error().message.find("selector \"") != 0) std::abort();
    return 0;
  }
  if (list->selectors.empty()) std::abort();
  for (const auto& selector : list->selectors) {
    if (selector.compounds.empty() || selector.combinators.size() + 1 != selector.compounds.size())
      std::abort();
  }
  const std::vector<const GumboNode*> found = fw::extract::select_all(*list, page()->root);
  for (const GumboNode* node : found) {
    if (!fw::extract::matches(*list, node)) std::abort();
  }
  return 0;
}
