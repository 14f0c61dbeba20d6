// Alerts without a network or database: the signature checked the way a
// receiver checks it (docs/webhooks.md), idempotency keys, the JSON, Slack and
// Discord payloads, digests, and the default config's china-tech rule against
// the three articles of the seed feed.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "daemon/alerts/alerter.hpp"
#include "daemon/alerts/payload.hpp"
#include "daemon/config/config.hpp"
#include "daemon/ops/metrics.hpp"
#include "daemon/store/store.hpp"
#include "parsers/feed/feed.hpp"
#include "tests/support/support.hpp"

namespace fw::alerts {
namespace {

using nlohmann::json;

// The receiver's side, written from the documentation only: HMAC-SHA256 with
// the shared secret over "<timestamp>.<body>", lower-case hex, "sha256=" prefix.
bool receiver_verifies(const std::string& secret, const std::string& timestamp, const std::string& body,
                       const std::string& header) {
  const std::string message = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  char hex[2 * EVP_MAX_MD_SIZE + 1] = {};
  for (unsigned int i = 0; i < len; ++i) std::snprintf(hex + 2 * i, 3, "%02x", mac[i]);
  return header == "sha256=" + std::string(hex);
}

TEST(AlertSignature, HmacMatchesRfc4231TestCase2) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(AlertSignature, ReceiverVerifiesTimestampAndBody) {
  const std::string body = R"({"event":"new","article":{"title":"华为"}})";
  const std::string header = signature("s3cret", 1764370000, body);
  EXPECT_TRUE(receiver_verifies("s3cret", "1764370000", body, header));
  EXPECT_FALSE(receiver_verifies("s3cret", "1764370001", body, header));        // replayed with a new time
  EXPECT_FALSE(receiver_verifies("s3cret", "1764370000", body + " ", header));  // body changed
  EXPECT_FALSE(receiver_verifies("other", "1764370000", body, header));         // wrong secret
}

// The value docs/webhooks.md's shell (openssl dgst -hmac) and Python samples print.
TEST(AlertSignature, MatchesTheDocumentedSamples) {
  EXPECT_EQ(signature("s3cret", 1764370000, "{\"event\":\"new\",\"t\":\"华为\"}"),
            "sha256=8890e2c19b88c0376700e97b78f3e55fd9969b5f723b9e22114534bb5d2083a4");
}

TEST(AlertMetrics, DeliveriesByOutcomeAndQueueDepth) {
  ops::Metrics m;
  m.alert_delivery("delivered", 2);
  m.alert_delivery("failed", 1);
  m.alert_queue(3, 1);
  const std::string text = m.render();
  EXPECT_NE(text.find("feedwatch_alert_deliveries_total{outcome=\"delivered\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("feedwatch_alert_deliveries_total{outcome=\"failed\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("feedwatch_alert_deliveries_total{outcome=\"dead\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("feedwatch_alert_queue{status=\"pending\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("feedwatch_alert_queue{status=\"dead\"} 1\n"), std::string::npos);
}

store::ArticleEvent sample_event(const std::string& kind) {
  store::ArticleEvent e;
  e.kind = kind;
  e.article_id = 12;
  e.version_id = 34;
  e.feeds = {"cbbc-tech-companies"};
  e.url = "https://focus.cbbc.org/deepseek/";
  e.title = "What is DeepSeek? <AI> & markets";
  e.body_text = std::string(400, 'x') + " tail words here";
  e.categories = {"Technology", "AI"};
  e.published = "2025-01-31T12:00:00Z";
  if (kind == "edited") {
    e.change_id = 7;
    e.old_title = "What is DeepSeek?";
    e.old_body_text = "Huawei and DeepSeek";
    e.change_kinds = {"substantive"};
    e.words_added = 3;
    e.words_removed = 1;
    e.diff_text = "[-Huawei-] {+see https://example.org/x?y=1 for+} DeepSeek";
  }
  return e;
}

TEST(AlertKeys, StablePerHookAndEvent) {
  const auto e = sample_event("new");
  EXPECT_EQ(event_key(e), "new:a12:v34");
  EXPECT_EQ(event_key(sample_event("edited")), "edited:a12:c7");
  const std::string k = idempotency_key("analysts", event_key(e));
  EXPECT_EQ(k, idempotency_key("analysts", "new:a12:v34"));
  EXPECT_NE(k, idempotency_key("slack", "new:a12:v34"));
  EXPECT_NE(k, idempotency_key("analysts", "new:a12:v35"));
  EXPECT_EQ(k.size(), 44u);
  EXPECT_EQ(k.rfind("fw1-", 0), 0u);
}

json payload_of(const store::ArticleEvent& e, const Reasons& r) {
  return json::parse(event_payload(e, r, "analysts", "fw1-key", "2026-11-28T21:00:00Z"));
}

TEST(AlertPayload, NewEventHasTheDocumentedSchema) {
  Reasons r{{"china-tech"}, {"DeepSeek"}, {}, {}};
  json j = payload_of(sample_event("new"), r);
  EXPECT_EQ(j["schema"], "feedwatch.alert/1");
  EXPECT_EQ(j["idempotency_key"], "fw1-key");
  EXPECT_EQ(j["hook"], "analysts");
  EXPECT_EQ(j["event"], "new");
  EXPECT_EQ(j["rule"], "china-tech");
  EXPECT_EQ(j["rules"], json::array({"china-tech"}));
  EXPECT_EQ(j["matched_terms"], json::array({"DeepSeek"}));
  EXPECT_TRUE(j["terms_added"].is_array());
  EXPECT_TRUE(j["terms_removed"].is_array());
  EXPECT_TRUE(j["edit"].is_null());
  EXPECT_EQ(j["version_id"], 34);
  EXPECT_EQ(j["detected_at"], "2026-11-28T21:00:00Z");
  const json& a = j["article"];
  EXPECT_EQ(a["id"], 12);
  EXPECT_EQ(a["url"], "https://focus.cbbc.org/deepseek/");
  EXPECT_EQ(a["title"], "What is DeepSeek? <AI> & markets");
  EXPECT_EQ(a["published"], "2025-01-31T12:00:00Z");
  EXPECT_EQ(a["feeds"], json::array({"cbbc-tech-companies"}));
  EXPECT_EQ(a["categories"], json::array({"Technology", "AI"}));
  const std::string excerpt_text = a["excerpt"];
  EXPECT_LE(excerpt_text.size(), k_excerpt_chars + 3);
  EXPECT_EQ(excerpt_text.substr(excerpt_text.size() - 3), "…");
  auto none = sample_event("new");
  none.published.reset();
  EXPECT_TRUE(payload_of(none, r)["article"]["published"].is_null());
}

TEST(AlertPayload, EditCarriesTermsAndALinkFreeDiff) {
  Reasons r{{"china-tech"}, {"DeepSeek"}, {}, {"Huawei"}};
  json j = payload_of(sample_event("edited"), r);
  EXPECT_EQ(j["terms_removed"], json::array({"Huawei"}));
  const json& edit = j["edit"];
  ASSERT_TRUE(edit.is_object());
  EXPECT_EQ(edit["old_title"], "What is DeepSeek?");
  EXPECT_EQ(edit["change_kinds"], json::array({"substantive"}));
  EXPECT_EQ(edit["words_added"], 3);
  EXPECT_EQ(edit["words_removed"], 1);
  EXPECT_EQ(edit["stealth"], false);
  EXPECT_EQ(edit["diff"], "[-Huawei-] {+see [link] for+} DeepSeek");
}

TEST(AlertPayload, ExcerptNeverCutsACharacter) {
  const std::string text = "华为发布新手机华为发布新手机";
  EXPECT_EQ(excerpt(text, 4), "华为发布…");
  EXPECT_EQ(excerpt("short", 10), "short");
}

TEST(AlertPayload, SlackBodyLinksEscapesAndSaysWhy) {
  Reasons r{{"china-tech"}, {"DeepSeek", "Huawei"}, {}, {}};
  const std::string p = event_payload(sample_event("new"), r, "chat", "fw1-k", "2026-11-28T21:00:00Z");
  json body = json::parse(render_body("slack", {p}, "chat", "fw1-k"));
  ASSERT_TRUE(body["text"].is_string());
  const std::string text = body["text"];
  EXPECT_NE(
      text.find(
          "*New article*: <https://focus.cbbc.org/deepseek/|What is DeepSeek? &lt;AI&gt; &amp; markets>"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("rule china-tech · DeepSeek, Huawei"), std::string::npos) << text;
}

TEST(AlertPayload, DiscordBodyHasEmbedsAndNoMentions) {
  Reasons r{{"china-tech"}, {"DeepSeek"}, {}, {"Huawei"}};
  const std::string p = event_payload(sample_event("edited"), r, "chat", "fw1-k", "2026-11-28T21:00:00Z");
  json body = json::parse(render_body("discord", {p}, "chat", "fw1-k"));
  EXPECT_EQ(body["allowed_mentions"]["parse"], json::array());
  ASSERT_EQ(body["embeds"].size(), 1u);
  const json& embed = body["embeds"][0];
  EXPECT_EQ(embed["url"], "https://focus.cbbc.org/deepseek/");
  EXPECT_EQ(embed["title"], "Article edited: What is DeepSeek? <AI> & markets");
  EXPECT_EQ(embed["timestamp"], "2025-01-31T12:00:00Z");
  const std::string description = embed["description"];
  EXPECT_NE(description.find("removed: Huawei"), std::string::npos) << description;
  EXPECT_NE(description.find("+3 / -1 words (substantive)"), std::string::npos) << description;
  EXPECT_LE(body["content"].get<std::string>().size(), 2000u);
}

TEST(AlertPayload, DigestBatchesEventsUnderItsOwnKey) {
  Reasons r{{"china-tech"}, {"DeepSeek"}, {}, {}};
  std::vector<std::string> payloads;
  for (int i = 0; i < 12; ++i) {
    auto e = sample_event("new");
    e.version_id = 100 + i;
    payloads.push_back(event_payload(e, r, "h", "fw1-" + std::to_string(i), "2026-11-28T21:00:00Z"));
  }
  const std::string key = digest_key("h", {"fw1-0", "fw1-1"});
  EXPECT_EQ(key, digest_key("h", {"fw1-0", "fw1-1"}));
  EXPECT_NE(key, digest_key("h", {"fw1-0"}));
  json j = json::parse(render_body("json", payloads, "h", key));
  EXPECT_EQ(j["schema"], "feedwatch.digest/1");
  EXPECT_EQ(j["idempotency_key"], key);
  EXPECT_EQ(j["count"], 12);
  ASSERT_EQ(j["events"].size(), 12u);
  EXPECT_EQ(j["events"][3]["version_id"], 103);
  json d = json::parse(render_body("discord", payloads, "h", key));
  EXPECT_EQ(d["embeds"].size(), 10u);  // Discord's limit; the content says so
  EXPECT_NE(d["content"].get<std::string>().find("12 events (first 10 shown)"), std::string::npos);
}

// The shipped config's china-tech rule against the seed feed (the Focus
// tech-companies tag feed): all three articles match, on these terms.
TEST(DefaultRule, MatchesTheThreeSeedArticles) {
  config::Config c = config::load_file(std::string(FW_SOURCE_DIR) + "/config/feedwatch.yaml");
  const config::Rule* rule = nullptr;
  for (const auto& r : c.rules) {
    if (r.name == "china-tech") rule = &r;
  }
  ASSERT_NE(rule, nullptr);
  auto compiled = rules::CompiledRule::compile(to_spec(*rule));
  ASSERT_TRUE(compiled) << compiled.error().message;
  auto parsed = feed::parse(test::fixture("feeds/cbbc-tech-companies.xml"),
                            feed::ParseOptions{"https://focus.cbbc.org/tag/tech-companies/feed/", ""});
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->entries.size(), 3u);
  const std::vector<std::vector<std::string>> expected{
      {"Alibaba", "TikTok", "DeepSeek"},                   // "Alibaba (owner of", "ban TikTok"
      {"Baidu", "ByteDance", "TikTok", "Lenovo", "Didi"},  // "Bytedance – the company behind Tiktok"
      {"Alibaba", "Ant Group", "Tencent", "Baidu", "Huawei", "Didi"},  // "like Baidu, Alibaba and Tencent"
  };
  const std::vector<std::string> feeds{"cbbc-tech-companies"};
  for (std::size_t i = 0; i < parsed->entries.size(); ++i) {
    const feed::Entry& entry = parsed->entries[i];
    const std::string title = entry.title.value_or("");
    const std::string body = store::entry_body_text(entry);
    rules::Event e;
    e.kind = "new";
    e.feeds = &feeds;
    e.categories = &entry.categories;
    e.now = rules::Text{title, body, &entry.categories};
    auto m = compiled->match(e);
    ASSERT_TRUE(m) << title;
    EXPECT_EQ(m->matched_terms, expected[i]) << title << ": " << ::testing::PrintToString(m->matched_terms);
  }
}

}  // namespace
}  // namespace fw::alerts
