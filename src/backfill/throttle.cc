#include "backfill/throttle.h"

#include <algorithm>
#include <cmath>

namespace strata::backfill {

Decision Decide(const Pacing& p, const ChunkOutcome& c) {
  Decision d;
  std::int64_t size = std::max<std::int64_t>(c.size, 1);
  d.next_size = size;
  std::int64_t elapsed = std::max<std::int64_t>(c.elapsed_ms, 1);
  if (p.target_ms > 0) {
    std::int64_t work =
        c.work_ms >= 0 ? std::min(std::max<std::int64_t>(c.work_ms, 1), elapsed) : elapsed;
    double budget = std::max(static_cast<double>(p.target_ms - (elapsed - work)),
                             static_cast<double>(p.target_ms) / 4);
    double factor = budget / static_cast<double>(work);
    // Only grow when the chunk was full: a short last chunk says nothing about speed.
    if (c.rows < size && factor > 1) factor = 1;
    factor = std::clamp(factor, 0.5, 2.0);
    d.next_size = static_cast<std::int64_t>(std::llround(static_cast<double>(size) * factor));
    if (c.elapsed_ms > 2 * p.target_ms) {
      d.wait_ms = std::min<std::int64_t>(c.elapsed_ms - p.target_ms, 10'000);
      d.reason = ThrottleReason::kOverrun;
    }
  } else if (p.size > 0 && size < p.size) {
    d.next_size = std::min(size * 2, p.size);  // regrow after a backoff
  }
  if (p.lock_wait_backoff && c.lock_waiters > 0 && c.longest_wait_ms >= p.max_lock_wait_ms) {
    d.next_size = std::min(d.next_size, size / 2);
    std::int64_t w = std::min<std::int64_t>(std::max(c.elapsed_ms, c.longest_wait_ms), 5'000);
    if (w > d.wait_ms) {
      d.wait_ms = std::max<std::int64_t>(w, 10);
      d.reason = ThrottleReason::kLockWaiters;
    }
  }
  d.next_size = std::clamp(d.next_size, std::max<std::int64_t>(p.min_size, 1),
                           std::max(p.max_size, p.min_size));
  if (p.max_rows_per_second > 0) {
    auto tenth = static_cast<std::int64_t>(std::ceil(p.max_rows_per_second / 10));
    d.next_size = std::min(d.next_size, std::max({tenth, p.min_size, std::int64_t{1}}));
  }
  if (p.max_rows_per_second > 0 && c.paced_rows >= 0 && c.paced_ms >= 0) {
    // Pre-pay the rows the next chunk is expected to change: as many as this one changed, at
    // most its size. At the table's live tail (an application inserting candidates) chunks
    // change a handful of rows; pre-paying a full chunk for each would pace the job below the
    // application's insert rate, and it would chase the tail for ever.
    std::int64_t expected = std::min(d.next_size, std::max<std::int64_t>(c.rows, 1));
    auto due = static_cast<std::int64_t>(
        std::ceil(static_cast<double>(c.paced_rows + expected) * 1000.0 / p.max_rows_per_second));
    std::int64_t w = due - c.paced_ms;
    if (w > d.wait_ms) {
      d.wait_ms = w;
      d.reason = ThrottleReason::kRate;
    }
  } else if (p.max_rows_per_second > 0 && c.rows > 0) {
    auto need = static_cast<std::int64_t>(
        std::ceil(static_cast<double>(c.rows) * 1000.0 / p.max_rows_per_second));
    std::int64_t w = need - c.elapsed_ms;
    if (w > d.wait_ms) {
      d.wait_ms = w;
      d.reason = ThrottleReason::kRate;
    }
  }
  return d;
}

const char* ThrottleReasonName(ThrottleReason reason) {
  switch (reason) {
    case ThrottleReason::kRate:
      return "rate";
    case ThrottleReason::kOverrun:
      return "overrun";
    case ThrottleReason::kLockWaiters:
      return "lock_waiters";
    case ThrottleReason::kReplicaLag:
      return "replica_lag";
  }
  return "?";
}

std::int64_t RetryBackoffMs(std::int64_t base_ms, int attempt, double jitter01) {
  double b = static_cast<double>(std::max<std::int64_t>(base_ms, 1)) *
             std::pow(2.0, std::max(attempt, 1) - 1);
  b = std::min(b, 10'000.0);
  return static_cast<std::int64_t>(b * (0.75 + 0.5 * jitter01));
}

}  // namespace strata::backfill
