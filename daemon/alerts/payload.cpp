#include "daemon/alerts/payload.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <re2/re2.h>

#include <nlohmann/json.hpp>

#include "parsers/diff/utf8.hpp"
#include "parsers/text/normalize.hpp"

namespace fw::alerts {

namespace {

using nlohmann::json;
using text::hex;
using text::sha256_hex;

json opt(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

// Code points, not bytes: never cut a character in half.
std::string cut(std::string_view text, std::size_t max_chars, bool on_word) {
  std::size_t chars = 0;
  std::size_t i = 0;
  std::size_t last_space = std::string_view::npos;
  while (i < text.size() && chars < max_chars) {
    if (text[i] == ' ' || text[i] == '\n') last_space = i;
    i += diff::utf8::decode(text, i).length;
    ++chars;
  }
  if (i >= text.size()) return std::string(text);
  std::size_t end = (on_word && last_space != std::string_view::npos && last_space > i / 2) ? last_space : i;
  return std::string(text.substr(0, end)) + "…";
}

// Slack mrkdwn: &, < and > are control characters (links are <url|text>).
std::string slack_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string joined(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!out.empty()) out += ", ";
    out += item.get<std::string>();
  }
  return out;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::string headline(const std::string& event) {
  if (event == "new") return "New article";
  if (event == "edited") return "Article edited";
  if (event == "title_changed") return "Title changed";
  if (event == "removed") return "Article removed";
  if (event == "restored") return "Article restored";
  return event;
}

std::string why(const json& e) {
  std::string out = "rule " + joined(e.value("rules", json::array()));
  if (const std::string terms = joined(e.value("matched_terms", json::array())); !terms.empty()) {
    out += " · " + terms;
  }
  if (const std::string added = joined(e.value("terms_added", json::array())); !added.empty()) {
    out += " · added: " + added;
  }
  if (const std::string removed = joined(e.value("terms_removed", json::array())); !removed.empty()) {
    out += " · removed: " + removed;
  }
  return out;
}

std::string edit_line(const json& e) {
  const json& edit = e["edit"];
  if (!edit.is_object()) return {};
  std::string out = "+" + std::to_string(edit.value("words_added", 0)) + " / -" +
                    std::to_string(edit.value("words_removed", 0)) + " words";
  if (const std::string kinds = joined(edit.value("change_kinds", json::array())); !kinds.empty()) {
    out += " (" + kinds + ")";
  }
  return out;
}

std::string slack_text(const json& e) {
  const json& a = e["article"];
  std::string text = "*" + headline(str(e, "event")) + "*: <" + slack_escape(str(a, "url")) + "|" +
                     slack_escape(str(a, "title")) + ">\n" + slack_escape(why(e));
  if (const std::string line = edit_line(e); !line.empty()) {
    text += "\n" + slack_escape(line);
    const std::string diff = str(e["edit"], "diff");
    if (!diff.empty()) text += "\n```" + slack_escape(cut(diff, 1500, false)) + "```";
  } else if (const std::string ex = str(a, "excerpt"); !ex.empty()) {
    text += "\n>" + slack_escape(ex);
  }
  return text;
}

json discord_embed(const json& e) {
  const json& a = e["article"];
  json embed = {{"title", cut(headline(str(e, "event")) + ": " + str(a, "title"), 250, false)},
                {"url", str(a, "url")}};
  std::string description = why(e);
  if (const std::string line = edit_line(e); !line.empty()) {
    description += "\n" + line;
    const std::string diff = str(e["edit"], "diff");
    if (!diff.empty()) description += "\n```" + cut(diff, 1500, false) + "```";
  } else if (const std::string ex = str(a, "excerpt"); !ex.empty()) {
    description += "\n" + ex;
  }
  embed["description"] = cut(description, 4000, false);
  if (a.contains("published") && a["published"].is_string()) embed["timestamp"] = a["published"];
  return embed;
}

}  // namespace

std::string event_key(const store::ArticleEvent& event) {
  std::string key = event.kind + ":a" + std::to_string(event.article_id);
  if (event.change_id) return key + ":c" + std::to_string(*event.change_id);
  if (event.version_id) return key + ":v" + std::to_string(*event.version_id);
  return key;
}

std::string idempotency_key(const std::string& hook, const std::string& key) {
  return "fw1-" + sha256_hex(hook + "\n" + key).substr(0, 40);
}

std::string digest_key(const std::string& hook, const std::vector<std::string>& keys) {
  std::string text = hook;
  for (const auto& k : keys) text += "\n" + k;
  return "fw1-digest-" + sha256_hex(text).substr(0, 40);
}

std::string excerpt(std::string_view text, std::size_t max_chars) {
  return cut(text, max_chars, true);
}

std::string link_free(std::string_view diff_text, std::size_t max_chars) {
  static const RE2 k_url(R"((?i)\b(?:https?|ftp)://[^\s\[\]{}<>"]+|\bwww\.[^\s\[\]{}<>"]+)");
  std::string text(diff_text);
  RE2::GlobalReplace(&text, k_url, "[link]");
  return cut(text, max_chars, false);
}

std::string event_payload(const store::ArticleEvent& event, const Reasons& reasons, const std::string& hook,
                          const std::string& key, const std::string& detected_at) {
  json article = {{"id", event.article_id},
                  {"url", event.url},
                  {"title", event.title},
                  {"published", opt(event.published)},
                  {"feeds", event.feeds},
                  {"categories", event.categories},
                  {"excerpt", excerpt(event.body_text, k_excerpt_chars)}};
  json edit = nullptr;
  if (event.kind == "edited" || event.kind == "title_changed") {
    edit = {{"old_title", opt(event.old_title)},
            {"change_kinds", event.change_kinds},
            {"stealth", event.stealth},
            {"words_added", event.words_added},
            {"words_removed", event.words_removed},
            {"diff", link_free(event.diff_text, k_max_diff_chars)}};
  }
  json j = {{"schema", k_schema},
            {"idempotency_key", key},
            {"hook", hook},
            {"event", event.kind},
            {"rule", reasons.rules.empty() ? json(nullptr) : json(reasons.rules.front())},
            {"rules", reasons.rules},
            {"matched_terms", reasons.matched_terms},
            {"terms_added", reasons.terms_added},
            {"terms_removed", reasons.terms_removed},
            {"article", std::move(article)},
            {"edit", std::move(edit)},
            {"version_id", event.version_id ? json(*event.version_id) : json(nullptr)},
            {"detected_at", detected_at}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_body(const std::string& format, const std::vector<std::string>& payloads,
                        const std::string& hook, const std::string& key) {
  std::vector<json> events;
  events.reserve(payloads.size());
  for (const auto& p : payloads) events.push_back(json::parse(p, nullptr, false));
  const bool digest = events.size() != 1;
  constexpr auto k_replace = json::error_handler_t::replace;
  if (format == "slack") {
    std::string text;
    if (digest) text = "*feedwatch digest*: " + std::to_string(events.size()) + " events\n";
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (i > 0) text += "\n\n";
      text += slack_text(events[i]);
    }
    return json{{"text", cut(text, 39000, false)}}.dump(-1, ' ', false, k_replace);
  }
  if (format == "discord") {
    constexpr std::size_t k_max_embeds = 10;  // Discord's limit per message
    json embeds = json::array();
    for (std::size_t i = 0; i < events.size() && i < k_max_embeds; ++i)
      embeds.push_back(discord_embed(events[i]));
    std::string content = digest
                              ? "feedwatch digest: " + std::to_string(events.size()) + " events"
                              : headline(str(events[0], "event")) + ": " + str(events[0]["article"], "title");
    if (events.size() > k_max_embeds) content += " (first " + std::to_string(k_max_embeds) + " shown)";
    return json{{"content", cut(content, 1900, false)},
                {"embeds", std::move(embeds)},
                {"allowed_mentions", {{"parse", json::array()}}}}
        .dump(-1, ' ', false, k_replace);
  }
  // json and exec: the events themselves.
  if (!digest) return events[0].dump(-1, ' ', false, k_replace);
  return json{{"schema", k_digest_schema},
              {"idempotency_key", key},
              {"hook", hook},
              {"count", events.size()},
              {"events", std::move(events)}}
      .dump(-1, ' ', false, k_replace);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &len);
  return hex(digest, len);
}

std::string signature(std::string_view secret, std::int64_t timestamp, std::string_view body) {
  std::string message = std::to_string(timestamp);
  message += '.';
  message.append(body);
  return "sha256=" + hmac_sha256_hex(secret, message);
}

}  // namespace fw::alerts
