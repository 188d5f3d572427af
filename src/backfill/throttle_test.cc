// Pacing: adaptive chunk size, rate limit, overrun and lock-waiter backoff.
#include "backfill/throttle.h"

#include <gtest/gtest.h>

namespace strata::backfill {
namespace {

TEST(ThrottleTest, FixedSizeWithoutTarget) {
  Pacing p;
  auto d = Decide(p, {1000, 1000, 500, 0, 0});
  EXPECT_EQ(d.next_size, 1000);
  EXPECT_EQ(d.wait_ms, 0);
}

TEST(ThrottleTest, AdaptiveGrowsAndShrinksTowardTheTarget) {
  Pacing p;
  p.target_ms = 200;
  EXPECT_EQ(Decide(p, {1000, 1000, 100, 0, 0}).next_size, 2000);  // twice as fast: ×2
  EXPECT_EQ(Decide(p, {1000, 1000, 50, 0, 0}).next_size, 2000);   // capped at ×2 per chunk
  EXPECT_EQ(Decide(p, {1000, 1000, 400, 0, 0}).next_size, 500);   // twice as slow: ÷2
  EXPECT_EQ(Decide(p, {1000, 1000, 250, 0, 0}).next_size, 800);
  EXPECT_EQ(Decide(p, {1000, 10, 10, 0, 0}).next_size, 1000);  // short last chunk: no growth
  p.max_size = 1500;
  EXPECT_EQ(Decide(p, {1000, 1000, 100, 0, 0}).next_size, 1500);
  p.min_size = 700;
  EXPECT_EQ(Decide(p, {1000, 1000, 4000, 0, 0}).next_size, 700);
}

TEST(ThrottleTest, FixedCostDoesNotShrinkChunksToNothing) {
  Pacing p;
  p.target_ms = 200;
  // 190 ms of commit/fsync and 10 ms of rows: the rows may take 50 ms (a quarter), so grow.
  EXPECT_EQ(Decide(p, {1000, 1000, 200, 0, 0, 10}).next_size, 2000);
  // 40 ms fixed, 320 ms of rows: the rows may take 160 ms: halve.
  EXPECT_EQ(Decide(p, {1000, 1000, 360, 0, 0, 320}).next_size, 500);
  // 20 ms fixed, 90 ms of rows: 180 / 90 = ×2.
  EXPECT_EQ(Decide(p, {1000, 1000, 110, 0, 0, 90}).next_size, 2000);
}

TEST(ThrottleTest, OverrunWaits) {
  Pacing p;
  p.target_ms = 200;
  auto d = Decide(p, {1000, 1000, 900, 0, 0});
  EXPECT_EQ(d.reason, "overrun");
  EXPECT_EQ(d.wait_ms, 700);
  EXPECT_EQ(d.next_size, 500);
}

TEST(ThrottleTest, LockWaitersHalveAndWait) {
  Pacing p;
  auto d = Decide(p, {1000, 1000, 80, 2, 60});
  EXPECT_EQ(d.reason, "lock_waiters");
  EXPECT_EQ(d.next_size, 500);
  EXPECT_EQ(d.wait_ms, 80);
  p.lock_wait_backoff = false;
  EXPECT_EQ(Decide(p, {1000, 1000, 80, 2, 60}).next_size, 1000);
}

TEST(ThrottleTest, RateLimit) {
  Pacing p;
  p.max_rows_per_second = 1000;
  auto d = Decide(p, {500, 500, 100, 0, 0});
  EXPECT_EQ(d.reason, "rate");
  EXPECT_EQ(d.wait_ms, 400);  // 500 rows at 1000/s take 500 ms
  EXPECT_EQ(Decide(p, {500, 500, 600, 0, 0}).wait_ms, 0);
}

TEST(ThrottleTest, RetryBackoffDoublesWithJitterAndCap) {
  EXPECT_EQ(RetryBackoffMs(100, 1, 0.5), 100);
  EXPECT_EQ(RetryBackoffMs(100, 3, 0.5), 400);
  EXPECT_EQ(RetryBackoffMs(100, 3, 0.0), 300);
  EXPECT_EQ(RetryBackoffMs(100, 30, 0.5), 10'000);
}

}  // namespace
}  // namespace strata::backfill
