// The selector subset of selector.hpp: a small recursive-descent parser and a
// right-to-left matcher (the way browsers match: test the subject first, then
// walk up the ancestors for each combinator, backtracking on descendant
// combinators). Errors name the construct and the 1-based column.
#include "parsers/extract/selector.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fw::extract {
namespace {

constexpr std::string_view k_supported =
    "(supported: type, *, .class, #id, [attr], [attr=v], [attr*=v], descendant and '>' combinators, "
    "',' lists)";
// A selector with more compounds than this is refused: right-to-left matching
// with backtracking costs up to depth^compounds.
constexpr std::size_t k_max_compounds = 16;

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_ident_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         u >= 0x80;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : m_text(text) {}

  Result<SelectorList> parse() {
    SelectorList list;
    skip_space();
    if (at_end()) return error("empty selector");
    while (true) {
      auto complex = parse_complex();
      if (!complex) return complex.error();
      list.selectors.push_back(std::move(*complex));
      skip_space();
      if (at_end()) break;
      if (peek() != ',') return error(std::string("unexpected '") + peek() + "'");
      ++m_pos;
      skip_space();
      if (at_end()) return error("a selector list must not end with ','");
    }
    return list;
  }

 private:
  bool at_end() const { return m_pos >= m_text.size(); }
  char peek() const { return m_text[m_pos]; }
  void skip_space() {
    while (!at_end() && is_space(peek())) ++m_pos;
  }

  Error error(const std::string& what) const {
    return fail("selector \"" + std::string(m_text) + "\": " + what + " at column " +
                std::to_string(m_pos + 1) + " " + std::string(k_supported));
  }

  std::string ident() {
    const std::size_t start = m_pos;
    while (!at_end() && is_ident_char(peek())) ++m_pos;
    return std::string(m_text.substr(start, m_pos - start));
  }

  Result<ComplexSelector> parse_complex() {
    ComplexSelector complex;
    while (true) {
      auto compound = parse_compound();
      if (!compound) return compound.error();
      complex.compounds.push_back(std::move(*compound));
      if (complex.compounds.size() > k_max_compounds) return error("too many compound selectors");
      const std::size_t before = m_pos;
      skip_space();
      if (at_end() || peek() == ',') return complex;
      if (peek() == '>') {
        ++m_pos;
        skip_space();
        if (at_end()) return error("'>' needs a selector after it");
        complex.combinators.push_back(Combinator::child);
      } else if (peek() == '+' || peek() == '~') {
        return error(std::string("unsupported combinator '") + peek() + "'");
      } else if (m_pos > before) {
        complex.combinators.push_back(Combinator::descendant);
      } else {
        return error(std::string("unexpected '") + peek() + "'");
      }
    }
  }

  Result<CompoundSelector> parse_compound() {
    CompoundSelector compound;
    bool any = false;
    if (!at_end() && peek() == '*') {
      ++m_pos;
      any = true;
    } else if (!at_end() && is_ident_char(peek())) {
      compound.tag = ident();
      for (char& c : compound.tag) c = ascii_lower(c);
      any = true;
    }
    while (!at_end()) {
      const char c = peek();
      if (c == '.' || c == '#') {
        ++m_pos;
        std::string name = ident();
        if (name.empty()) return error(std::string("'") + c + "' needs a name");
        (c == '.' ? compound.classes : compound.ids).push_back(std::move(name));
      } else if (c == '[') {
        auto attribute = parse_attribute();
        if (!attribute) return attribute.error();
        compound.attributes.push_back(std::move(*attribute));
      } else if (c == ':') {
        const std::size_t start = m_pos;
        ++m_pos;
        if (!at_end() && peek() == ':') ++m_pos;
        ident();
        const std::string name(m_text.substr(start, m_pos - start));
        m_pos = start;
        return error("unsupported pseudo-class '" + name + "'");
      } else if (c == '\\') {
        return error("unsupported escape '\\'");
      } else if (c == '|') {
        return error("unsupported namespace '|'");
      } else {
        break;
      }
      any = true;
    }
    if (!any) {
      if (at_end()) return error("missing selector");
      return error(std::string("unexpected '") + peek() + "'");
    }
    return compound;
  }

  Result<AttributeTest> parse_attribute() {
    ++m_pos;  // '['
    skip_space();
    AttributeTest test;
    test.name = ident();
    if (test.name.empty()) return error("'[' needs an attribute name");
    for (char& c : test.name) c = ascii_lower(c);
    skip_space();
    if (at_end()) return error("unterminated '['");
    if (peek() == ']') {
      ++m_pos;
      return test;
    }
    if (peek() == '=') {
      test.op = AttributeTest::Op::equals;
      ++m_pos;
    } else if (peek() == '*' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '=') {
      test.op = AttributeTest::Op::contains;
      m_pos += 2;
    } else if ((peek() == '^' || peek() == '$' || peek() == '~' || peek() == '|') &&
               m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '=') {
      return error("unsupported attribute operator '" + std::string(m_text.substr(m_pos, 2)) + "'");
    } else {
      return error(std::string("unexpected '") + peek() + "' in attribute selector");
    }
    skip_space();
    if (at_end()) return error("unterminated '['");
    if (peek() == '"' || peek() == '\'') {
      const char quote = peek();
      const std::size_t close = m_text.find(quote, m_pos + 1);
      if (close == std::string_view::npos) return error("unterminated string");
      test.value = std::string(m_text.substr(m_pos + 1, close - m_pos - 1));
      m_pos = close + 1;
    } else {
      test.value = ident();
      if (test.value.empty()) return error("attribute value missing (quote it if it is not a name)");
    }
    skip_space();
    if (!at_end() && (peek() == 'i' || peek() == 's')) return error("unsupported attribute flag");
    if (at_end() || peek() != ']') return error("unterminated '['");
    ++m_pos;
    return test;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

std::string_view tag_name(const GumboElement& element) {
  if (element.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(element.tag);
  GumboStringPiece piece = element.original_tag;
  gumbo_tag_from_original_text(&piece);
  return std::string_view(piece.data, piece.length);
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool has_token(std::string_view list, std::string_view token) {
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_space(list[i])) ++i;
    const std::size_t start = i;
    while (i < list.size() && !is_space(list[i])) ++i;
    if (i > start && list.substr(start, i - start) == token) return true;
  }
  return false;
}

bool compound_matches(const CompoundSelector& compound, const GumboNode* node) {
  if (node == nullptr || node->type != GUMBO_NODE_ELEMENT) return false;
  const GumboElement& element = node->v.element;
  if (!compound.tag.empty() && !equals_ignore_case(tag_name(element), compound.tag)) return false;
  for (const std::string& id : compound.ids) {
    const GumboAttribute* a = gumbo_get_attribute(&element.attributes, "id");
    if (a == nullptr || id != a->value) return false;
  }
  if (!compound.classes.empty()) {
    const GumboAttribute* a = gumbo_get_attribute(&element.attributes, "class");
    if (a == nullptr) return false;
    for (const std::string& c : compound.classes) {
      if (!has_token(a->value, c)) return false;
    }
  }
  for (const AttributeTest& test : compound.attributes) {
    const GumboAttribute* a = gumbo_get_attribute(&element.attributes, test.name.c_str());
    if (a == nullptr) return false;
    const std::string_view value = a->value;
    switch (test.op) {
      case AttributeTest::Op::exists:
        break;
      case AttributeTest::Op::equals:
        if (value != test.value) return false;
        break;
      case AttributeTest::Op::contains:
        if (test.value.empty() || value.find(test.value) == std::string_view::npos) return false;
        break;
    }
  }
  return true;
}

const GumboNode* parent_element(const GumboNode* node) {
  const GumboNode* p = node->parent;
  return (p != nullptr && p->type == GUMBO_NODE_ELEMENT) ? p : nullptr;
}

// Whether compounds[0..index] match with compounds[index] at `node`.
bool matches_from(const ComplexSelector& selector, std::size_t index, const GumboNode* node) {
  if (!compound_matches(selector.compounds[index], node)) return false;
  if (index == 0) return true;
  if (selector.combinators[index - 1] == Combinator::child) {
    const GumboNode* p = parent_element(node);
    return p != nullptr && matches_from(selector, index - 1, p);
  }
  for (const GumboNode* a = parent_element(node); a != nullptr; a = parent_element(a)) {
    if (matches_from(selector, index - 1, a)) return true;
  }
  return false;
}

}  // namespace

Result<SelectorList> parse_selector(std::string_view text) {
  return Parser(text).parse();
}

bool matches(const SelectorList& list, const GumboNode* node) {
  for (const ComplexSelector& selector : list.selectors) {
    if (!selector.compounds.empty() && matches_from(selector, selector.compounds.size() - 1, node))
      return true;
  }
  return false;
}

std::vector<const GumboNode*> select_all(const SelectorList& list, const GumboNode* root) {
  std::vector<const GumboNode*> found;
  if (root == nullptr) return found;
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    if (matches(list, node)) found.push_back(node);
    const GumboVector& children = node->v.element.children;
    for (unsigned i = children.length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
    }
  }
  return found;
}

}  // namespace fw::extract
