// Change classification.
//
// Given the previous stored version and a fresh fetch, decide what kind of
// change happened, for analysts' filters and for alert rules. Kinds are not
// exclusive: a fetch can change the headline and add a correction paragraph.
//
//  removed / restored  Removal is judged per version (removal()): the caller's
//      flag, HTTP 404 or 410, a redirect to the home page or to a listing
//      (tag, category, topic or section page: how WordPress and most CMSs
//      "unpublish"), or a 2xx page whose body is empty after canonicalization.
//      live -> removed gives {removed} and nothing else (there is no new text to
//      compare); removed -> removed gives no change; removed -> live gives
//      {restored}, plus the body and title kinds when the caller passes the
//      last live text as the old version (an empty old body or title is not
//      compared, so a restore never reads as "whole article added").
//  title_changed  canonical titles differ (canonical.hpp: NFC, folded quotes
//      and dashes, collapsed whitespace; a curly-quote swap is no change).
//  minor / substantive  exactly one of them when the canonical bodies differ.
//      minor: at most k_minor_max_tokens (6) content tokens added + removed +
//      changed (diff.hpp Stats), no paragraph added or removed, and no change
//      that adds or removes a sentence (a run holding a sentence terminator
//      . ! ? 。 ！ ？ and at least k_sentence_min_words (3) words). Otherwise
//      substantive. Typos, a fixed figure, a changed name are minor; a new
//      sentence, however short, is substantive.
//  paragraphs_added / paragraphs_removed  the paragraph-level counts of the
//      body diff are non-zero.
//  correction_notice  the new body holds a notice the old one did not: a
//      paragraph starting "Correction:", "Corrections:", "Update:",
//      "Updated:", "Clarification:" or "Editor's note:" (case-insensitive), or
//      a sentence starting with a phrase such as "This article was updated" or
//      "An earlier version of this article" (the form many sites append to the
//      last paragraph). Notices are compared as sentences, so editing an old
//      notice's date counts as a new notice and editing elsewhere does not.
//  stealth  the body changed but both versions report the same page modified
//      time (article:modified_time, JSON-LD dateModified, feed updated). An
//      unknown time on either side is not evidence, so it is not stealth.
//
// Worked example: the DeepSeek article with "$6 million" changed to "$60
// million" and, unchanged page modified time: canonical bodies differ, the
// diff has one changed token and no sentence -> {minor}, stealth. The same
// plus a new last paragraph "Correction: an earlier version misstated the
// cost." -> {substantive, paragraphs_added, correction_notice}.
#include "parsers/diff/classify.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "parsers/diff/canonical.hpp"
#include "parsers/diff/tokenize.hpp"

namespace fw::diff {

namespace {

constexpr std::array<std::string_view, 7> k_notice_prefixes = {
    "correction:",    "corrections:",   "update:",        "updated:",
    "clarification:", "editor's note:", "editors' note:",
};

constexpr std::array<std::string_view, 14> k_notice_phrases = {
    "this article was updated",
    "this article has been updated",
    "this story was updated",
    "this story has been updated",
    "this article was amended",
    "this article has been amended",
    "this article was corrected",
    "this article has been corrected",
    "this story has been corrected",
    "this article was changed",
    "this article has been changed",
    "an earlier version of this article",
    "a previous version of this article",
    "an earlier version of this story",
};

constexpr std::array<std::string_view, 8> k_listing_segments = {
    "tag", "tags", "category", "categories", "topic", "topics", "section", "sections",
};

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The end of the sentence that starts at `from` (after its terminator), or s.size().
std::size_t sentence_end(std::string_view s, std::size_t from) {
  std::size_t end = s.find_first_of(".!?", from);
  return end == std::string_view::npos ? s.size() : end + 1;
}

// The correction notices of a canonical, lower-cased body: whole paragraphs
// for the prefix forms, sentences for the phrase forms.
std::set<std::string> notices(std::string_view body) {
  std::set<std::string> out;
  std::size_t begin = 0;
  while (begin <= body.size()) {
    std::size_t end = body.find("\n\n", begin);
    if (end == std::string_view::npos) end = body.size();
    std::string_view para = body.substr(begin, end - begin);
    bool prefixed = std::any_of(k_notice_prefixes.begin(), k_notice_prefixes.end(),
                                [&](std::string_view p) { return para.substr(0, p.size()) == p; });
    if (prefixed) out.emplace(para);
    for (std::string_view phrase : k_notice_phrases) {
      for (std::size_t at = para.find(phrase); at != std::string_view::npos; at = para.find(phrase, at + 1)) {
        // Only where a sentence (or a bracketed or starred note) starts: not "... said this article was
        // updated".
        char before = at >= 2 && para[at - 1] == ' ' ? para[at - 2] : '\0';
        bool sentence_start = at == 0 || before == '.' || before == '!' || before == '?' || before == '(' ||
                              before == '*' || before == '[';
        if (sentence_start) out.emplace(para.substr(at, sentence_end(para, at) - at));
      }
    }
    begin = end + 2;
  }
  return out;
}

bool is_terminator(std::string_view token) {
  return token == "." || token == "!" || token == "?" || token == "\xE3\x80\x82" || token == "\xEF\xBC\x81" ||
         token == "\xEF\xBC\x9F";
}

// Whether `text` holds a sentence: a terminator and at least k_sentence_min_words words.
bool has_sentence(std::string_view text) {
  std::size_t words = 0;
  bool terminator = false;
  for (const Token& t : tokenize(text)) {
    if (t.kind == TokenKind::word || t.kind == TokenKind::ideograph) ++words;
    if (t.kind == TokenKind::punct && is_terminator(t.text)) terminator = true;
  }
  return terminator && words >= k_sentence_min_words;
}

// The path of an absolute or relative URL, without query or fragment.
std::string_view url_path(std::string_view url) {
  std::size_t start = 0;
  std::size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    start = url.find('/', scheme + 3);
    if (start == std::string_view::npos) return {};
  }
  std::string_view rest = url.substr(start);
  std::size_t end = rest.find_first_of("?#");
  return end == std::string_view::npos ? rest : rest.substr(0, end);
}

bool is_home_path(std::string_view path) {
  std::string p = lower_ascii(path);
  return p.empty() || p == "/" || p == "/index.html" || p == "/index.htm" || p == "/index.php" ||
         p == "/home" || p == "/home/";
}

bool is_listing_path(std::string_view path) {
  std::size_t begin = path.find_first_not_of('/');
  if (begin == std::string_view::npos) return false;
  std::size_t end = path.find('/', begin);
  std::string first =
      lower_ascii(path.substr(begin, end == std::string_view::npos ? path.npos : end - begin));
  return std::find(k_listing_segments.begin(), k_listing_segments.end(), first) != k_listing_segments.end();
}

}  // namespace

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::title_changed:
      return "title_changed";
    case Kind::minor:
      return "minor";
    case Kind::substantive:
      return "substantive";
    case Kind::paragraphs_added:
      return "paragraphs_added";
    case Kind::paragraphs_removed:
      return "paragraphs_removed";
    case Kind::correction_notice:
      return "correction_notice";
    case Kind::removed:
      return "removed";
    case Kind::restored:
      return "restored";
  }
  return "unknown";
}

std::vector<Kind> KindSet::kinds() const {
  std::vector<Kind> out;
  for (unsigned k = 0; k <= static_cast<unsigned>(Kind::restored); ++k) {
    if (has(static_cast<Kind>(k))) out.push_back(static_cast<Kind>(k));
  }
  return out;
}

std::vector<std::string_view> KindSet::names() const {
  std::vector<std::string_view> out;
  for (Kind k : kinds()) out.push_back(kind_name(k));
  return out;
}

Removal removal(const Version& v) {
  if (v.removed) return Removal::flagged;
  if (v.http_status == 404 || v.http_status == 410) return Removal::http_gone;
  if (!v.final_url.empty() && v.final_url != v.url) {
    std::string_view path = url_path(v.final_url);
    if (!is_home_path(url_path(v.url))) {
      if (is_home_path(path)) return Removal::redirect_home;
      if (is_listing_path(path)) return Removal::redirect_listing;
    }
  }
  bool ok_status = v.http_status == 0 || (v.http_status >= 200 && v.http_status < 300);
  if (ok_status && canonical_text(v.body).empty()) return Removal::body_emptied;
  return Removal::none;
}

Classification classify(const Version& old_version, const Version& new_version) {
  Classification c;
  bool old_gone = removal(old_version) != Removal::none;
  bool new_gone = removal(new_version) != Removal::none;
  if (new_gone) {
    if (!old_gone) c.kinds.add(Kind::removed);
    c.changed = !c.kinds.empty();
    return c;
  }
  if (old_gone) c.kinds.add(Kind::restored);

  std::string old_title = canonical_text(old_version.title);
  std::string new_title = canonical_text(new_version.title);
  if (!(old_gone && old_title.empty()) && old_title != new_title) c.kinds.add(Kind::title_changed);

  std::string old_body = canonical_text(old_version.body);
  std::string new_body = canonical_text(new_version.body);
  if (old_body != new_body && !(old_gone && old_body.empty())) {
    Diff d = diff(old_body, new_body);
    c.stats = d.stats;
    bool sentence = std::any_of(d.changes.begin(), d.changes.end(), [](const Change& ch) {
      return has_sentence(ch.inserted) || has_sentence(ch.removed);
    });
    std::size_t tokens = d.stats.tokens_added + d.stats.tokens_removed + d.stats.tokens_changed;
    bool paragraphs = d.stats.paragraphs_added > 0 || d.stats.paragraphs_removed > 0;
    c.kinds.add(tokens <= k_minor_max_tokens && !sentence && !paragraphs ? Kind::minor : Kind::substantive);
    if (d.stats.paragraphs_added > 0) c.kinds.add(Kind::paragraphs_added);
    if (d.stats.paragraphs_removed > 0) c.kinds.add(Kind::paragraphs_removed);
    std::set<std::string> before = notices(lower_ascii(old_body));
    for (const std::string& n : notices(lower_ascii(new_body))) {
      if (before.count(n) == 0) c.kinds.add(Kind::correction_notice);
    }
    c.stealth = old_version.modified_time.has_value() && new_version.modified_time.has_value() &&
                *old_version.modified_time == *new_version.modified_time;
  }
  c.changed = !c.kinds.empty();
  return c;
}

}  // namespace fw::diff
