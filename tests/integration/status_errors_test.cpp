// `feedwatch status` shows each feed's error state: the last HTTP status (or
// "-" when there was no response), the count of consecutive errors and the
// last error message; a feed that recovers goes back to ok with 0 errors.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

#include "tests/support/http_server.hpp"
#include "tests/support/support.hpp"

namespace fw::test {
namespace {

const char* k_feed =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://x/</link>"
    "<item><title>a</title><guid>http://x/a</guid></item></channel></rss>";

// The status line of feed `name` (lines start with the feed's name).
std::string line_of(const std::string& out, const std::string& name) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + " ", 0) == 0) return line;
  }
  return {};
}

// The columns of a status line (split on runs of two or more spaces).
std::vector<std::string> columns(const std::string& line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < line.size()) {
    std::size_t gap = line.find("  ", pos);
    out.push_back(line.substr(pos, gap == std::string::npos ? std::string::npos : gap - pos));
    if (gap == std::string::npos) break;
    pos = line.find_first_not_of(' ', gap);
  }
  return out;
}

TEST(StatusErrors, ShowsLastStatusErrorCountAndMessage) {
  TempDatabase db;
  TempDir dir;
  std::atomic<bool> broken{true};
  HttpServer server([&broken](const HttpRequest& r) {
    if (r.target == "/flaky" && broken) return HttpReply{503, {}, "down"};
    return HttpReply{200, {}, k_feed};
  });
  std::uint16_t closed = free_port();
  std::string cfg = dir.write(
      "c.yaml",
      "database:\n  url: \"" + db.conninfo() + "\"\nstate_dir: \"" + dir.path() +
          "\"\nhttp:\n  allow_private_networks: true\n  per_host: { max_concurrent: 4, min_delay: 0s }\n"
          "feeds:\n  - name: flaky\n    url: \"" +
          server.url("/flaky") + "\"\n  - name: gone\n    url: \"http://127.0.0.1:" + std::to_string(closed) +
          "/feed\"\n");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  ProcessResult r = run_feedwatch({"status", "--config", cfg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> header = columns(line_of(r.out, "FEED"));
  std::vector<std::string> flaky = columns(line_of(r.out, "flaky"));
  std::vector<std::string> gone = columns(line_of(r.out, "gone"));
  ASSERT_EQ(header.size(), 10u) << r.out;
  EXPECT_EQ(header[5], "HTTP");
  EXPECT_EQ(header[6], "ERRORS");
  ASSERT_EQ(flaky.size(), 10u) << r.out;
  EXPECT_EQ(flaky[1], "error");
  EXPECT_EQ(flaky[5], "503");
  EXPECT_EQ(flaky[6], "2");  // two failed polls in a row
  EXPECT_EQ(flaky[9].rfind("HTTP 503 from", 0), 0u) << r.out;
  ASSERT_EQ(gone.size(), 10u) << r.out;
  EXPECT_EQ(gone[5], "-");  // no HTTP response at all
  EXPECT_EQ(gone[6], "2");
  EXPECT_FALSE(gone[9].empty());
  EXPECT_NE(r.out.find("2 feeds, 2 failing"), std::string::npos) << r.out;

  broken = false;
  ASSERT_EQ(run_feedwatch({"once", "--config", cfg}).exit_code, 0);
  r = run_feedwatch({"status", "--config", cfg});
  flaky = columns(line_of(r.out, "flaky"));
  ASSERT_GE(flaky.size(), 9u) << r.out;
  EXPECT_EQ(flaky[1], "ok");
  EXPECT_EQ(flaky[5], "200");
  EXPECT_EQ(flaky[6], "0");
  EXPECT_NE(r.out.find("2 feeds, 1 failing"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fw::test
