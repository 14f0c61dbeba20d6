#include "daemon/sched/host_gate.hpp"

#include <gtest/gtest.h>

namespace fw::sched {
namespace {

using namespace std::chrono_literals;
using Clock = HostGate::Clock;

TEST(HostGate, FirstRequestStartsAtOnce) {
  HostGate gate(2, 1s);
  EXPECT_EQ(gate.wait_time("a.example", Clock::time_point{}), Clock::duration::zero());
}

TEST(HostGate, MinDelayBetweenStarts) {
  HostGate gate(2, 1s);
  Clock::time_point t0{10s};
  gate.start("a.example", t0);
  EXPECT_EQ(gate.wait_time("a.example", t0), Clock::duration(1s));
  EXPECT_EQ(gate.wait_time("a.example", t0 + 400ms), Clock::duration(600ms));
  EXPECT_EQ(gate.wait_time("a.example", t0 + 1s), Clock::duration::zero());
}

TEST(HostGate, HostsAreIndependent) {
  HostGate gate(1, 5s);
  Clock::time_point t0{10s};
  gate.start("a.example", t0);
  EXPECT_EQ(gate.wait_time("b.example", t0), Clock::duration::zero());
}

TEST(HostGate, MaxConcurrentHoldsUntilOneFinishes) {
  HostGate gate(2, 0s);
  Clock::time_point t0{10s};
  gate.start("a", t0);
  gate.start("a", t0);
  EXPECT_GT(gate.wait_time("a", t0 + 5s), Clock::duration::zero());
  EXPECT_EQ(gate.in_flight("a"), 2);
  gate.finish("a");
  EXPECT_EQ(gate.wait_time("a", t0 + 5s), Clock::duration::zero());
}

TEST(HostGate, RetryAfterBlocksTheHost) {
  HostGate gate(2, 0s);
  Clock::time_point t0{10s};
  gate.block_until("a", t0 + 120s);
  EXPECT_EQ(gate.wait_time("a", t0), Clock::duration(120s));
  EXPECT_EQ(gate.wait_time("a", t0 + 120s), Clock::duration::zero());
  gate.block_until("a", t0 + 60s);  // an earlier time never shortens the block
  EXPECT_EQ(gate.wait_time("a", t0 + 100s), Clock::duration(20s));
}

// Only a Retry-After block counts as blocked, not a busy host or min_delay.
TEST(HostGate, BlockedForIsTheRetryAfterBlockAlone) {
  HostGate gate(1, 5s);
  Clock::time_point t0{10s};
  gate.start("a", t0);
  EXPECT_NE(gate.wait_time("a", t0), Clock::duration::zero());
  EXPECT_EQ(gate.blocked_for("a", t0), Clock::duration::zero());
  EXPECT_EQ(gate.blocked_for("unknown", t0), Clock::duration::zero());
  gate.block_until("a", t0 + 120s);
  EXPECT_EQ(gate.blocked_for("a", t0 + 20s), Clock::duration(100s));
  EXPECT_EQ(gate.blocked_for("a", t0 + 120s), Clock::duration::zero());
}

TEST(HostGate, FinishWithoutStartIsHarmless) {
  HostGate gate(1, 0s);
  gate.finish("never");
  EXPECT_EQ(gate.in_flight("never"), 0);
}

TEST(UrlHost, Table) {
  EXPECT_EQ(url_host("https://Focus.CBBC.org/tag/x/feed/"), "focus.cbbc.org");
  EXPECT_EQ(url_host("http://127.0.0.1:8080/feed"), "127.0.0.1");
  EXPECT_EQ(url_host("http://user:pw@host.example:81/x"), "host.example");
  EXPECT_EQ(url_host("http://[::1]:9000/f"), "[::1]");
  EXPECT_EQ(url_host("https://example.org?x=1"), "example.org");
}

}  // namespace
}  // namespace fw::sched
