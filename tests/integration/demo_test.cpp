// The README's no-internet demo (scripts/demo) runs and shows what it promises:
// three new articles alerted, the edit detected with its kinds and diff, the
// edit alerted, every webhook signature verified.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "tests/support/support.hpp"

namespace fw::test {
namespace {

std::string run_demo(int* exit_code) {
  std::string command = std::string("FEEDWATCH=") + FW_BINARY + " " + FW_SOURCE_DIR + "/scripts/demo 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
    out.append(buffer.data(), n);
  int status = pclose(pipe.release());
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

int occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(Demo, ShowsNewArticlesTheEditAndTheAlerts) {
  int code = -1;
  std::string out = run_demo(&code);
  ASSERT_EQ(code, 0) << out;
  // Three new China-tech articles, then the edit: four webhooks, all signed correctly.
  EXPECT_EQ(occurrences(out, "webhook event=new"), 3) << out;
  EXPECT_EQ(occurrences(out, "webhook event=edited"), 1) << out;
  EXPECT_EQ(occurrences(out, "signature=ok"), 4) << out;
  EXPECT_EQ(occurrences(out, "signature=BAD"), 0) << out;
  // The history of the edited article: its kinds, the stealth flag and the word diff.
  EXPECT_NE(out.find("correction_notice"), std::string::npos) << out;
  EXPECT_NE(out.find("stealth"), std::string::npos) << out;
  EXPECT_NE(out.find("the hedge-fund manager+}"), std::string::npos) << out;
  // The Read Also box and share bar never made it into the text.
  EXPECT_EQ(out.find("Read Also"), std::string::npos) << out;
}

}  // namespace
}  // namespace fw::test
