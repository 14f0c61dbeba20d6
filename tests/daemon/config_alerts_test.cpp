// The alerting part of the config: hook formats and delivery limits, rule
// regexes, aliases and on_terms_change; each mistake with its FILE:LINE.
#include <gtest/gtest.h>

#include "daemon/config/config.hpp"

namespace fw::config {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> problems_of(const std::string& yaml) {
  try {
    (void)load_string(yaml, "f.yaml");
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

struct AlertMistake {
  const char* name;
  const char* yaml;
  const char* expected;
};

class AlertConfigMistakes : public ::testing::TestWithParam<AlertMistake> {};

TEST_P(AlertConfigMistakes, AreReportedWithTheirLine) {
  const AlertMistake& c = GetParam();
  auto problems = problems_of(c.yaml);
  ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
  EXPECT_EQ(problems[0], c.expected);
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(Alerts, AlertConfigMistakes, ::testing::Values(
    AlertMistake{"BadRegex",
     "rules:\n  - name: r\n    events: [new]\n    regex:\n      - 'Hua(wei'\n",
     "f.yaml:5: rules[0].regex[0]: bad regular expression (RE2 syntax): missing ): Hua(wei"},
    AlertMistake{"AliasOfUnknownTerm",
     "rules:\n  - name: r\n    events: [new]\n    any: [Baidu]\n    aliases:\n      Huawei: [华为]\n",
     "f.yaml:6: rules[0].aliases.Huawei: not a term of this rule: add it to any, all or none first"},
    AlertMistake{"AliasesNotAMapping",
     "rules:\n  - name: r\n    events: [new]\n    any: [Baidu]\n    aliases: [百度]\n",
     "f.yaml:5: rules[0].aliases: expected a mapping of term: [other spellings], got a list"},
    AlertMistake{"OnTermsChangeNotABool",
     "rules:\n  - name: r\n    events: [edited]\n    on_terms_change: yes\n",
     "f.yaml:4: rules[0].on_terms_change: expected true or false, got \"yes\""},
    AlertMistake{"ExecWithoutCommand",
     "hooks:\n  - name: h\n    format: exec\n",
     "f.yaml:2: hooks[0].command: required key is missing"},
    AlertMistake{"ExecWithUrl",
     "hooks:\n  - name: h\n    format: exec\n    command: [/bin/true]\n    url: 'https://a.example/'\n",
     "f.yaml:5: hooks[0].url: an exec hook runs `command`; it has no url"},
    AlertMistake{"CommandOnAWebhook",
     "hooks:\n  - name: h\n    url: 'https://a.example/'\n    command: [/bin/true]\n",
     "f.yaml:4: hooks[0].command: only exec hooks run a command (format: exec)"},
    AlertMistake{"WebhookWithoutUrl",
     "hooks:\n  - name: h\n    format: slack\n",
     "f.yaml:2: hooks[0].url: required key is missing"},
    AlertMistake{"TimeoutTooLong",
     "hooks:\n  - {name: h, url: 'https://a.example/', timeout: 1h}\n",
     "f.yaml:2: hooks[0].timeout: must be at most 10m"},
    AlertMistake{"RetryMaxShorterThanInitial",
     "hooks:\n  - name: h\n    url: 'https://a.example/'\n    retry: {initial: 5m, max: 1m}\n",
     "f.yaml:4: hooks[0].retry: retry.max must not be shorter than retry.initial"},
    AlertMistake{"RetryUnknownKey",
     "hooks:\n  - name: h\n    url: 'https://a.example/'\n    retry:\n      attempts: 3\n",
     "f.yaml:5: hooks[0].retry.attempts: unknown key (expected one of: max_attempts, initial, max)"},
    AlertMistake{"ZeroAttempts",
     "hooks:\n  - name: h\n    url: 'https://a.example/'\n    retry: {max_attempts: 0}\n",
     "f.yaml:4: hooks[0].retry.max_attempts: must be between 1 and 1000, got 0"}),
    [](const ::testing::TestParamInfo<AlertMistake>& p) { return std::string(p.param.name); });
// clang-format on

TEST(AlertConfig, EveryHookAndRuleKeyLoads) {
  Config c = load_string(
      "hooks:\n"
      "  - name: analysts\n"
      "    url: 'https://hooks.example.org/fw'\n"
      "    secret_env: FW_SECRET\n"
      "    timeout: 5s\n"
      "    digest: 15m\n"
      "    retry: {max_attempts: 5, initial: 10s, max: 10m}\n"
      "  - name: script\n"
      "    format: exec\n"
      "    command: [/usr/local/bin/on-alert, --quiet]\n"
      "  - {name: chat, url: 'https://discord.example/api/webhooks/1/x', format: discord}\n"
      "rules:\n"
      "  - name: r\n"
      "    events: [new, edited]\n"
      "    any: [Alibaba, Huawei]\n"
      "    none: [advertorial]\n"
      "    regex: ['(?i)semiconductors?']\n"
      "    aliases:\n"
      "      Alibaba: [阿里巴巴, Alibaba Group]\n"
      "      Huawei: [华为]\n"
      "    on_terms_change: true\n"
      "    hooks: [analysts, script, chat]\n",
      "f.yaml");
  ASSERT_EQ(c.hooks.size(), 3u);
  EXPECT_EQ(c.hooks[0].timeout, 5s);
  ASSERT_TRUE(c.hooks[0].digest);
  EXPECT_EQ(*c.hooks[0].digest, 15min);
  EXPECT_EQ(c.hooks[0].retry.max_attempts, 5);
  EXPECT_EQ(c.hooks[0].retry.initial, 10s);
  EXPECT_EQ(c.hooks[0].retry.max, 10min);
  EXPECT_EQ(c.hooks[1].format, "exec");
  EXPECT_EQ(c.hooks[1].command, (std::vector<std::string>{"/usr/local/bin/on-alert", "--quiet"}));
  EXPECT_EQ(c.hooks[2].format, "discord");
  EXPECT_FALSE(c.hooks[2].digest);
  EXPECT_EQ(c.hooks[2].retry.max_attempts, 12);
  ASSERT_EQ(c.rules.size(), 1u);
  const Rule& r = c.rules[0];
  EXPECT_EQ(r.regex, (std::vector<std::string>{"(?i)semiconductors?"}));
  ASSERT_EQ(r.aliases.size(), 2u);
  EXPECT_EQ(r.aliases[0].first, "Alibaba");
  EXPECT_EQ(r.aliases[0].second, (std::vector<std::string>{"阿里巴巴", "Alibaba Group"}));
  EXPECT_TRUE(r.on_terms_change);
}

}  // namespace
}  // namespace fw::config
