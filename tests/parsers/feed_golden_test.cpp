// Whole-feed golden files: tests/fixtures/feeds/<name>.xml parsed with the
// fixture's document URL must give exactly the parse-feed JSON in <name>.json
// (FEED-JSON.md). The .json files were written by this test
// (FW_UPDATE_GOLDEN=1 build/tests/fw_parser_tests --gtest_filter='Golden*') and
// then checked by hand against FEED-JSON.md, field by field; a change in the
// output is a failure to explain, not to re-record.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "parsers/feed/feed.hpp"

namespace {

struct GoldenCase {
  const char* name;  // fixture base name
  const char* base_url;
  const char* content_type;
};

std::string fixture_path(const std::string& file) {
  return std::string(FW_SOURCE_DIR) + "/tests/fixtures/feeds/" + file;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string golden_name(const testing::TestParamInfo<GoldenCase>& param_info) {
  std::string name = param_info.param.name;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

class GoldenFeed : public testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenFeed, ToJsonMatchesTheGoldenFile) {
  const GoldenCase& c = GetParam();
  const std::string xml = read_file(fixture_path(std::string(c.name) + ".xml"));
  ASSERT_FALSE(xml.empty()) << "missing fixture " << c.name << ".xml";
  const fw::Result<fw::feed::Feed> feed = fw::feed::parse(xml, {c.base_url, c.content_type});
  ASSERT_TRUE(feed) << feed.error().message;
  const nlohmann::json actual = nlohmann::json::parse(fw::feed::to_json(*feed));
  const std::string golden_path = fixture_path(std::string(c.name) + ".json");
  if (std::getenv("FW_UPDATE_GOLDEN") != nullptr) {  // NOLINT(concurrency-mt-unsafe)
    std::ofstream(golden_path, std::ios::binary) << actual.dump(2) << "\n";
  }
  const std::string golden_text = read_file(golden_path);
  ASSERT_FALSE(golden_text.empty()) << "missing golden file " << golden_path;
  const nlohmann::json expected = nlohmann::json::parse(golden_text);
  EXPECT_EQ(actual, expected) << "parse-feed JSON of " << c.name << ".xml differs from " << c.name
                              << ".json; actual:\n"
                              << actual.dump(2);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, GoldenFeed,
    testing::Values(GoldenCase{"cbbc-tech-companies", "https://focus.cbbc.org/tag/tech-companies/feed/",
                               "application/rss+xml; charset=UTF-8"},
                    GoldenCase{"rss091-netscape", "http://cafe.example.com/rss.xml", "text/xml"},
                    GoldenCase{"rss10-rdf", "https://journal.example.org/index.rdf", ""},
                    GoldenCase{"atom10-xmlbase", "https://blog.example.at/feed/atom/",
                               "application/atom+xml"},
                    GoldenCase{"atom03", "http://old.example.com/atom.xml", ""},
                    GoldenCase{"rss20-podcast-media", "https://radio.example.net/feed/podcast/",
                               "application/rss+xml; charset=utf-8"}),
    golden_name);

}  // namespace
