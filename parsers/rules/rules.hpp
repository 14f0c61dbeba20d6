// Topic rules: which article events alert which hooks (DESIGN.md "rules:").
//
// Pure: an event's text in, a verdict out. The daemon compiles each configured
// rule once (RE2 patterns included) and asks it about every event the store
// emits, inside the transaction that wrote the version.
//
// Terms. A term is a word or phrase ("Huawei", "Ant Group", "华为"), matched
// case-insensitively against the title, the body and the categories:
//  - in Latin (and Greek, Cyrillic) script, on word boundaries: "Baidu" matches
//    "Baidu's" and "(Baidu)" but not "Baiduland"; "Ant Group" does not match
//    "Giant Group";
//  - in CJK text, as a substring: Chinese and Japanese are written without
//    spaces, so "华为" matches inside "华为公司". A CJK character is never a
//    word character, so "TikTok" also matches in "在TikTok上".
// Folding lower-cases ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic,
// maps full-width ASCII ("ＴｉｋＴｏｋ") to ASCII, and treats every run of
// white space as one space. Each term may have aliases: other spellings that
// count as the term ("Alibaba" with "阿里巴巴", "Alibaba Group"); a match is
// reported under the term's own name.
//
// A rule matches a text when: at least one `any` term or `regex` matches (when
// there are any), every `all` term matches, and no `none` term matches.
// Regular expressions are RE2 (linear time, safe for patterns from a config
// file), case-sensitive unless they start with (?i), matched against the raw
// title, body and categories, and reported as "/pattern/".
//
// Edits. For `edited` and `title_changed` events that carry the previous
// version, the tracked terms (any, all, regex) of both versions are compared:
// what the edit added and removed is reported. A rule fires when the new *or*
// the old version matches (an edit that removes the last tracked term is news);
// with `on_terms_change: true` it fires only when the edit added or removed a
// tracked term ("an article was edited to remove Huawei").
//
// Example: any: [Huawei, Tencent], aliases: {Huawei: [华为]}. Old body
// "Huawei and Tencent", new body "Tencent and 腾讯": matched [Tencent],
// removed [Huawei]; with on_terms_change the rule fires.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/common/result.hpp"

namespace re2 {
class RE2;
}

namespace fw::rules {

struct RuleSpec {
  std::string name;
  std::vector<std::string> events;      // empty: every event
  std::vector<std::string> feeds;       // empty: every feed
  std::vector<std::string> categories;  // empty: any categories
  std::vector<std::string> any;
  std::vector<std::string> all;
  std::vector<std::string> none;
  std::vector<std::string> regex;
  std::map<std::string, std::vector<std::string>> aliases;  // term -> other spellings
  bool on_terms_change = false;
};

// One version of an article as the rules see it.
struct Text {
  std::string_view title;
  std::string_view body;
  const std::vector<std::string>* categories = nullptr;
};

struct Event {
  std::string_view kind;  // new | edited | title_changed | removed | restored
  const std::vector<std::string>* feeds = nullptr;
  const std::vector<std::string>* categories = nullptr;
  Text now;
  std::optional<Text> before;  // the previous version, for edits
};

struct Match {
  std::vector<std::string> matched_terms;  // tracked terms present (in the new version, else the old)
  std::vector<std::string> terms_added;    // edits: tracked terms the edit brought in
  std::vector<std::string> terms_removed;  // edits: tracked terms the edit took out
};

// Lower-cased code points of `text` (see folding above), white space collapsed.
std::u32string fold(std::string_view text);

// True when `term` (already folded) occurs in `text` (folded) on the boundaries
// its script needs.
bool contains_term(const std::u32string& text, const std::u32string& term);

class CompiledRule {
 public:
  // Fails with a message naming the bad part (an empty term, an alias of a term
  // the rule does not use, a regex RE2 refuses).
  static Result<CompiledRule> compile(RuleSpec spec);

  const RuleSpec& spec() const { return m_spec; }
  std::optional<Match> match(const Event& event) const;

 private:
  struct Term {
    std::string name;
    std::vector<std::u32string> forms;  // folded: the term and its aliases
  };
  struct Pattern {
    std::string name;  // "/pattern/"
    std::shared_ptr<const re2::RE2> re;
  };
  struct Presence {
    std::vector<bool> any, all, none, regex;
  };
  Presence presence(const Text& text) const;
  bool accepts(const Presence& p) const;
  std::vector<std::string> tracked(const Presence& p) const;

  RuleSpec m_spec;
  std::vector<Term> m_any, m_all, m_none;
  std::vector<Pattern> m_regex;
};

// Checks one RE2 pattern; empty when fine, else RE2's message.
std::string check_regex(const std::string& pattern);

}  // namespace fw::rules
