#include "parsers/rules/rules.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "parsers/diff/utf8.hpp"

namespace fw::rules {

namespace {

constexpr char32_t k_separator = 0;  // between title, body and categories: never part of a term

bool is_space(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

char32_t fold_cp(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xFF01 && c <= 0xFF5E) return fold_cp(c - 0xFF01 + 0x21);           // full-width ASCII
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;                      // Latin-1
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;  // Latin Extended-A pairs
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

// Letters and digits of scripts written with spaces between words. CJK
// ideographs, kana and hangul are not: there a term is a plain substring.
bool is_word(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (c >= 0xC0 && c <= 0x24F) return c != 0xD7 && c != 0xF7;     // Latin-1 letters, Latin Extended-A/B
  if (c >= 0x300 && c <= 0x36F) return true;                      // combining marks
  if (c >= 0x370 && c <= 0x52F) return c != 0x37E && c != 0x387;  // Greek, Cyrillic
  if (c >= 0x1E00 && c <= 0x1FFF) return true;                    // Latin Extended Additional, Greek Extended
  return false;
}

void append_folded(std::u32string& out, std::string_view text) {
  bool space = !out.empty() && out.back() == U' ';
  for (std::size_t i = 0; i < text.size();) {
    auto d = diff::utf8::decode(text, i);
    i += d.length;
    if (is_space(d.cp)) {
      if (!space && !out.empty() && out.back() != k_separator) out.push_back(U' ');
      space = true;
      continue;
    }
    space = false;
    out.push_back(fold_cp(d.cp));
  }
  while (!out.empty() && out.back() == U' ') out.pop_back();
}

std::string joined(const Text& text) {
  std::string out;
  out.reserve(text.title.size() + text.body.size() + 64);
  out.append(text.title);
  out.push_back('\n');
  out.append(text.body);
  if (text.categories != nullptr) {
    for (const auto& c : *text.categories) {
      out.push_back('\n');
      out += c;
    }
  }
  return out;
}

std::u32string folded(const Text& text) {
  std::u32string out;
  out.reserve(text.title.size() + text.body.size() + 64);
  append_folded(out, text.title);
  out.push_back(k_separator);
  append_folded(out, text.body);
  if (text.categories != nullptr) {
    for (const auto& c : *text.categories) {
      out.push_back(k_separator);
      append_folded(out, c);
    }
  }
  return out;
}

std::vector<std::string> difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& x : a) {
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  }
  return out;
}

bool contains_folded(const std::vector<std::string>& haystack, const std::vector<std::string>& needles) {
  for (const auto& h : haystack) {
    const std::u32string fh = fold(h);
    for (const auto& n : needles) {
      if (fold(n) == fh) return true;
    }
  }
  return false;
}

bool any_of(const std::vector<bool>& v) {
  return std::find(v.begin(), v.end(), true) != v.end();
}

}  // namespace

std::u32string fold(std::string_view text) {
  std::u32string out;
  append_folded(out, text);
  return out;
}

bool contains_term(const std::u32string& text, const std::u32string& term) {
  if (term.empty()) return false;
  const bool bound_start = is_word(term.front());
  const bool bound_end = is_word(term.back());
  for (std::size_t pos = text.find(term); pos != std::u32string::npos; pos = text.find(term, pos + 1)) {
    if (bound_start && pos > 0 && is_word(text[pos - 1])) continue;
    const std::size_t end = pos + term.size();
    if (bound_end && end < text.size() && is_word(text[end])) continue;
    return true;
  }
  return false;
}

std::string check_regex(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  RE2 re(pattern, options);
  if (re.ok()) return {};
  return re.error();
}

Result<CompiledRule> CompiledRule::compile(RuleSpec spec) {
  CompiledRule rule;
  std::set<std::string> used;
  const auto terms = [&](const std::vector<std::string>& names, std::vector<Term>& out) -> Result<void> {
    for (const auto& name : names) {
      Term t{name, {fold(name)}};
      if (t.forms[0].empty()) return fail("empty term");
      used.insert(name);
      out.push_back(std::move(t));
    }
    return {};
  };
  if (auto r = terms(spec.any, rule.m_any); !r) return r.error();
  if (auto r = terms(spec.all, rule.m_all); !r) return r.error();
  if (auto r = terms(spec.none, rule.m_none); !r) return r.error();
  for (const auto& [term, aliases] : spec.aliases) {
    if (!used.count(term)) {
      return fail("aliases of '" + term + "', which is not in this rule's any, all or none");
    }
    for (auto* list : {&rule.m_any, &rule.m_all, &rule.m_none}) {
      for (Term& t : *list) {
        if (t.name != term) continue;
        for (const auto& alias : aliases) {
          std::u32string f = fold(alias);
          if (f.empty()) return fail("empty alias of '" + term + "'");
          t.forms.push_back(std::move(f));
        }
      }
    }
  }
  for (const auto& pattern : spec.regex) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(8 << 20);
    auto re = std::make_shared<const RE2>(pattern, options);
    if (!re->ok()) return fail("bad regex /" + pattern + "/: " + re->error());
    rule.m_regex.push_back(Pattern{"/" + pattern + "/", std::move(re)});
  }
  rule.m_spec = std::move(spec);
  return rule;
}

CompiledRule::Presence CompiledRule::presence(const Text& text) const {
  Presence p;
  const std::u32string f = folded(text);
  const auto check = [&](const std::vector<Term>& terms, std::vector<bool>& out) {
    out.reserve(terms.size());
    for (const Term& t : terms) {
      out.push_back(std::any_of(t.forms.begin(), t.forms.end(),
                                [&](const std::u32string& form) { return contains_term(f, form); }));
    }
  };
  check(m_any, p.any);
  check(m_all, p.all);
  check(m_none, p.none);
  if (!m_regex.empty()) {
    const std::string raw = joined(text);
    for (const Pattern& re : m_regex) p.regex.push_back(RE2::PartialMatch(raw, *re.re));
  }
  return p;
}

bool CompiledRule::accepts(const Presence& p) const {
  const bool any_ok = (m_any.empty() && m_regex.empty()) || any_of(p.any) || any_of(p.regex);
  const bool all_ok = std::find(p.all.begin(), p.all.end(), false) == p.all.end();
  return any_ok && all_ok && !any_of(p.none);
}

std::vector<std::string> CompiledRule::tracked(const Presence& p) const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < m_any.size(); ++i) {
    if (p.any[i]) out.push_back(m_any[i].name);
  }
  for (std::size_t i = 0; i < m_all.size(); ++i) {
    if (p.all[i] && std::find(out.begin(), out.end(), m_all[i].name) == out.end())
      out.push_back(m_all[i].name);
  }
  for (std::size_t i = 0; i < m_regex.size(); ++i) {
    if (p.regex[i]) out.push_back(m_regex[i].name);
  }
  return out;
}

std::optional<Match> CompiledRule::match(const Event& event) const {
  const RuleSpec& s = m_spec;
  if (!s.events.empty() && std::find(s.events.begin(), s.events.end(), event.kind) == s.events.end()) {
    return std::nullopt;
  }
  if (!s.feeds.empty()) {
    if (event.feeds == nullptr) return std::nullopt;
    bool in_feed = false;
    for (const auto& f : *event.feeds)
      in_feed = in_feed || std::find(s.feeds.begin(), s.feeds.end(), f) != s.feeds.end();
    if (!in_feed) return std::nullopt;
  }
  if (!s.categories.empty()) {
    if (event.categories == nullptr || !contains_folded(*event.categories, s.categories)) return std::nullopt;
  }
  const Presence now = presence(event.now);
  Match m;
  m.matched_terms = tracked(now);
  const bool is_edit = event.kind == "edited" || event.kind == "title_changed";
  if (!is_edit || !event.before) {
    if (!accepts(now)) return std::nullopt;
    return m;
  }
  const Presence before = presence(*event.before);
  const std::vector<std::string> was = tracked(before);
  m.terms_added = difference(m.matched_terms, was);
  m.terms_removed = difference(was, m.matched_terms);
  if (s.on_terms_change) {
    if (m.terms_added.empty() && m.terms_removed.empty()) return std::nullopt;
    if (any_of(now.none)) return std::nullopt;
  } else if (!accepts(now) && !accepts(before)) {
    return std::nullopt;
  }
  if (m.matched_terms.empty()) m.matched_terms = was;
  return m;
}

}  // namespace fw::rules
