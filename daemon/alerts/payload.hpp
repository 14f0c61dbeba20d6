// What an alert looks like on the wire (docs/webhooks.md is the contract):
// the JSON event, its Slack and Discord renderings, digests, the idempotency
// key and the HMAC-SHA256 signature.
//
// The JSON event is built once, when the outbox row is written, and stored in
// alert_deliveries.payload; the body of each attempt is rendered from it in the
// hook's format at send time, so every attempt of a delivery sends the same
// bytes for the same format.
//
// Signature: hex(HMAC-SHA256(secret, timestamp + "." + body)), sent as
// "X-Feedwatch-Signature: sha256=<hex>" with "X-Feedwatch-Timestamp: <unix
// seconds>". Signing the timestamp with the body lets a receiver refuse
// replays of an old request (e.g. older than five minutes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/events.hpp"

namespace fw::alerts {

inline constexpr std::string_view k_schema = "feedwatch.alert/1";
inline constexpr std::string_view k_digest_schema = "feedwatch.digest/1";
inline constexpr std::size_t k_excerpt_chars = 280;
inline constexpr std::size_t k_max_diff_chars = 4000;

// The event's identity, the same in every daemon and after restarts:
// "new:a12:v34", "edited:a12:v35", "removed:a12:c7".
std::string event_key(const store::ArticleEvent& event);

// Stable per hook and event: "fw1-" + 40 hex digits of SHA-256(hook "\n" event_key).
std::string idempotency_key(const std::string& hook, const std::string& event_key);

// Why an event alerts a hook: the rules that matched and what they found.
struct Reasons {
  std::vector<std::string> rules;
  std::vector<std::string> matched_terms;
  std::vector<std::string> terms_added;
  std::vector<std::string> terms_removed;
};

// The JSON event (compact text). `detected_at` is ISO-8601 UTC.
std::string event_payload(const store::ArticleEvent& event, const Reasons& reasons, const std::string& hook,
                          const std::string& key, const std::string& detected_at);

// At most `max_chars` code points of `text` on a word boundary, "…" when cut.
std::string excerpt(std::string_view text, std::size_t max_chars);

// A diff safe to show anywhere: plain text, URLs replaced by "[link]", capped.
std::string link_free(std::string_view diff_text, std::size_t max_chars);

// The request body for `format` (json | slack | discord | exec) from one or
// more stored JSON events; several events make a digest with `digest_key`.
std::string render_body(const std::string& format, const std::vector<std::string>& payloads,
                        const std::string& hook, const std::string& digest_key);

// The digest's idempotency key: from the keys of the deliveries it carries.
std::string digest_key(const std::string& hook, const std::vector<std::string>& keys);

// Lower-case hex HMAC-SHA256 of `message` under `key` (OpenSSL).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// "sha256=<hex>" over timestamp "." body.
std::string signature(std::string_view secret, std::int64_t timestamp, std::string_view body);

}  // namespace fw::alerts
