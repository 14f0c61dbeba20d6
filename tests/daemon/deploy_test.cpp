// The systemd unit: `systemd-analyze verify` accepts it and
// `systemd-analyze security --offline` rates its exposure 2.0 or better.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "tests/support/support.hpp"

namespace fw::test {
namespace {

// The shipped unit with its binary path pointed at the one just built
// (verify checks that ExecStart exists).
std::string unit_for_this_build(const TempDir& dir) {
  std::string unit = read_file(std::string(FW_SOURCE_DIR) + "/deploy/feedwatch.service");
  const std::string installed = "/usr/bin/feedwatch";
  for (std::size_t at = 0; (at = unit.find(installed, at)) != std::string::npos;
       at += std::strlen(FW_BINARY)) {
    unit.replace(at, installed.size(), FW_BINARY);
  }
  return dir.write("feedwatch.service", unit);
}

int run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SystemdUnit, VerifyPasses) {
  TempDir dir;
  std::string unit = unit_for_this_build(dir);
  std::string log = dir.path() + "/verify.log";
  EXPECT_EQ(run("systemd-analyze verify " + unit + " >" + log + " 2>&1"), 0) << read_file(log);
}

TEST(SystemdUnit, SecurityExposureIsTwoOrBetter) {
  TempDir dir;
  std::string unit = unit_for_this_build(dir);
  std::string log = dir.path() + "/security.log";
  // --threshold is the exposure times ten: fail above 2.0.
  int code = run("systemd-analyze security --offline=true --threshold=20 " + unit + " >" + log + " 2>&1");
  std::string out = read_file(log);
  EXPECT_EQ(code, 0) << out;
  const std::string label = "Overall exposure level for feedwatch.service: ";
  std::size_t at = out.find(label);
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_LE(std::stod(out.substr(at + label.size())), 2.0);
}

TEST(SystemdUnit, IsNotifyWithWatchdogAndHardening) {
  std::string unit = read_file(std::string(FW_SOURCE_DIR) + "/deploy/feedwatch.service");
  for (const char* line :
       {"Type=notify", "WatchdogSec=", "Restart=on-failure", "User=feedwatch", "StateDirectory=feedwatch",
        "EnvironmentFile=-/etc/feedwatch/secrets.env", "ProtectSystem=strict", "ProtectHome=yes",
        "PrivateTmp=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n",
        "RestrictAddressFamilies=", "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes",
        "ExecReload=/bin/kill -HUP $MAINPID"}) {
    EXPECT_NE(unit.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace fw::test
