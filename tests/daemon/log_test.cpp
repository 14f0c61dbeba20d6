#include "daemon/log/log.hpp"

#include <gtest/gtest.h>

namespace fw::log {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(JournalFields, EventAndKeyValues) {
  EXPECT_EQ(journal_fields("poll feed=cbbc status=200 ms=12"),
            (Fields{{"EVENT", "poll"}, {"FEED", "cbbc"}, {"STATUS", "200"}, {"MS", "12"}}));
}

TEST(JournalFields, QuotedValuesKeepSpaces) {
  EXPECT_EQ(journal_fields("poll_failed feed=x error=\"HTTP 500 from http://a/\" retry_in_s=60"),
            (Fields{{"EVENT", "poll_failed"},
                    {"FEED", "x"},
                    {"ERROR", "HTTP 500 from http://a/"},
                    {"RETRY_IN_S", "60"}}));
}

TEST(JournalFields, BareWordsAndInvalidKeysAreSkipped) {
  EXPECT_EQ(journal_fields("reload_refused: keeping the running configuration"),
            (Fields{{"EVENT", "reload_refused:"}}));
  EXPECT_EQ(journal_fields("x Bad-Key=1 _private=2 ok=3"), (Fields{{"EVENT", "x"}, {"OK", "3"}}));
}

TEST(JournalFields, MessageStartingWithAFieldHasNoEvent) {
  EXPECT_EQ(journal_fields("schema_version=1 applied=0"),
            (Fields{{"SCHEMA_VERSION", "1"}, {"APPLIED", "0"}}));
}

TEST(StderrIsJournal, FalseWithoutJournalStream) {
  unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
  setenv("JOURNAL_STREAM", "1:2", 1);
  EXPECT_FALSE(stderr_is_journal());  // not our stderr's device and inode
  unsetenv("JOURNAL_STREAM");
}

TEST(SetLevel, RejectsUnknownNames) {
  EXPECT_TRUE(set_level("debug"));
  EXPECT_EQ(spdlog::get_level(), spdlog::level::debug);
  EXPECT_FALSE(set_level("loud"));
  EXPECT_TRUE(set_level("info"));
}

}  // namespace
}  // namespace fw::log
