// Pacing decisions of the runner, as pure functions so they can be tested without a database:
// the next chunk size from the last chunk's duration (adaptive, toward a target duration), and
// how long to wait after a chunk (max rows per second, overrun of the target, lock waiters the
// chunk caused) and before a retry (exponential backoff with jitter). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "backfill/backfill.h"

namespace strata::backfill {

struct Pacing {
  std::int64_t target_ms = 0;  // 0: fixed chunk size
  std::int64_t min_size = 10;
  std::int64_t max_size = 50'000;
  double max_rows_per_second = 0;  // 0: unlimited
  bool lock_wait_backoff = true;
  // Lock waiters make the job back off only once one of them has waited at least this long
  // (0: any waiter). A session queued for a few milliseconds behind a chunk's row locks is the
  // normal cost of sharing rows with a workload, and it gets through at the chunk's COMMIT.
  std::int64_t max_lock_wait_ms = 200;
  // Without a target: the configured chunk size. A chunk shrunk by a backoff (lock waiters, a
  // lock or statement timeout) grows back toward it, ×2 per chunk; 0 = no regrowth.
  std::int64_t size = 0;
};

struct ChunkOutcome {
  std::int64_t size = 0;        // the limit the chunk ran with
  std::int64_t rows = 0;        // rows it changed (or attempted)
  std::int64_t elapsed_ms = 0;  // its transaction's wall time
  std::int64_t lock_waiters = 0;
  std::int64_t longest_wait_ms = 0;
  std::int64_t work_ms = -1;  // of elapsed_ms, the UPDATE itself; -1 = unknown (all of it)
  // For max_rows_per_second over the run: rows since the rate schedule started (this chunk's
  // included) and the milliseconds since then; -1 = per chunk only (rows / elapsed_ms).
  std::int64_t paced_rows = -1;
  std::int64_t paced_ms = -1;
};

struct Decision {
  std::int64_t next_size = 0;
  std::int64_t wait_ms = 0;
  std::optional<ThrottleReason> reason;  // why it waits; nullopt when wait_ms is 0
};

// The next chunk's size and the pause before it.
// - Adaptive (target_ms > 0): the time the rows took (work_ms) scales toward the part of the
//   target left after the chunk's fixed cost (begin, key scan, checkpoint, commit; at least a
//   quarter of the target), at most ×2 or ÷2 per chunk, within [min_size, max_size]. So a slow
//   fsync does not shrink chunks to nothing. A chunk that ran over 2× the target also waits the
//   overrun.
// - Fixed size (target_ms = 0): the configured `size`; a chunk shrunk by a backoff grows back
//   toward it, ×2 per chunk that caused none.
// - Lock waiters (lock_wait_backoff), once one of them waited max_lock_wait_ms or longer: the
//   size halves and the runner waits as long as the chunk ran, so the sessions it blocked get
//   through first.
// - max_rows_per_second: a chunk holds at most a tenth of a second's rows at the limit (at least
//   min_size), so no single chunk bursts past it; with paced_rows/paced_ms the wait makes the
//   next chunk start no earlier than when the rows so far plus its own are due at the limit, so
//   rows / time stays under the limit at the end of every chunk (without them: per chunk,
//   rows / elapsed_ms).
Decision Decide(const Pacing& p, const ChunkOutcome& c);

// Backoff before retry `attempt` (1-based) of a chunk that hit a transient error: base × 2^(n-1),
// capped at 10 s, with ±25% jitter from `jitter01` in [0, 1).
std::int64_t RetryBackoffMs(std::int64_t base_ms, int attempt, double jitter01);

}  // namespace strata::backfill
