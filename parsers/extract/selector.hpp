// The CSS selector subset that site rules need (config `sites[].body` and
// `sites[].remove`), matched against Gumbo's tree:
//   type (div), universal (*), .class, #id, [attr], [attr=v], [attr*=v]
//   (v quoted or bare), compounds of these (div.entry-content#main),
//   descendant (a b) and child (a > b) combinators, lists (a, b).
// Anything else (pseudo-classes, ~ and + combinators, other attribute
// operators, namespaces) is refused with an error that names the construct and
// its column, so that a config loader can report it at load time.
// parse_selector() is cheap and needs no document.
#pragma once

#include <gumbo.h>

#include <string>
#include <string_view>
#include <vector>

#include "parsers/common/result.hpp"

namespace fw::extract {

struct AttributeTest {
  enum class Op { exists, equals, contains };
  std::string name;  // lower-case
  std::string value;
  Op op = Op::exists;
};

// One compound selector: every part must match the same element.
struct CompoundSelector {
  std::string tag;  // lower-case; empty: any element
  std::vector<std::string> ids;
  std::vector<std::string> classes;
  std::vector<AttributeTest> attributes;
};

enum class Combinator { descendant, child };

// compounds[0] (combinators[0]) compounds[1] ... : the last compound is the
// subject; combinators.size() == compounds.size() - 1.
struct ComplexSelector {
  std::vector<CompoundSelector> compounds;
  std::vector<Combinator> combinators;
};

struct SelectorList {
  std::vector<ComplexSelector> selectors;
};

// Parses a selector list. Errors read like:
//   selector "a:hover": unsupported pseudo-class ':hover' at column 2 (supported: ...)
Result<SelectorList> parse_selector(std::string_view text);

// Whether the element `node` matches any selector of the list.
bool matches(const SelectorList& list, const GumboNode* node);

// Every element under `root` (itself included) that matches, in document order.
std::vector<const GumboNode*> select_all(const SelectorList& list, const GumboNode* root);

}  // namespace fw::extract
