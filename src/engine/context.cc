#include "engine/context.h"

#include "strata/version.h"

#include "base/duration.h"
#include "base/host.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <thread>

namespace strata::engine {

std::string OsUser() { return base::OsUser(); }

Result<Context> Open(const Options& options, std::string_view verb) {
  Context ctx;
  STRATA_ASSIGN_OR_RETURN(ctx.url, db::ParseUrl(options.url));
  ctx.url.may_create = verb == "migrate" || verb == "baseline" || verb == "seed apply";
  ctx.url.missing_is_empty = verb == "migrate --dry-run";
  std::string app = fmt::format("strata {} pid {} on {}", verb, getpid(), base::HostName());
  STRATA_ASSIGN_OR_RETURN(ctx.conn, db::Connect(ctx.url, app));
  ctx.ledger =
      std::make_unique<ledger::Ledger>(*ctx.conn, options.ledger_table, options.ledger_schema);
  return ctx;
}

RunLock::~RunLock() {
  if (ctx_) (void)ctx_->conn->Unlock(ctx_->ledger->LockName());
}

Status RunLock::Acquire(Context& ctx, std::chrono::milliseconds wait, const EventSink& sink) {
  std::string name = ctx.ledger->LockName();
  auto start = base::MonotonicMillis();
  std::mt19937 rng(static_cast<unsigned>(getpid()) ^ static_cast<unsigned>(start));
  bool announced = false;
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(bool got, ctx.conn->TryLock(name));
    if (got) {
      ctx_ = &ctx;
      if (sink && announced) sink(Event{EventKind::kLockAcquired});
      return Status::Ok();
    }
    auto elapsed = base::MonotonicMillis() - start;
    if (elapsed >= wait.count()) {
      auto holder = ctx.conn->DescribeLockHolder(name);
      return Status(ErrorCode::kLockTimeout,
                    fmt::format("another strata run holds the migration lock on {} (waited {}){}",
                                ctx.url.redacted, base::FormatDuration(wait),
                                holder ? fmt::format(": {}", holder->description) : ""))
          .WithHint(
              "wait for it to finish and rerun, or raise --lock-wait; if the holder is "
              "gone its lock is released with its session");
    }
    if (!announced && sink) {
      auto holder = ctx.conn->DescribeLockHolder(name);
      Event e{EventKind::kLockWaiting};
      e.message = holder ? holder->description : "another strata run";
      sink(e);
      announced = true;
    }
    // Jittered polling: 20–80 ms, so 20 waiting runners do not stampede.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 60));
  }
}

std::optional<db::LockHolder> RunningHolder(Context& ctx) {
  std::string name = ctx.ledger->LockName();
  auto got = ctx.conn->TryLock(name);
  if (!got) return std::nullopt;
  if (*got) {
    (void)ctx.conn->Unlock(name);
    return std::nullopt;
  }
  auto holder = ctx.conn->DescribeLockHolder(name);
  return holder ? *holder : db::LockHolder{"another strata run holds the migration lock"};
}

Status EnsureLedger(Context& ctx, const Options& options, bool allow_non_empty) {
  STRATA_ASSIGN_OR_RETURN(bool exists, ctx.ledger->Exists());
  if (exists) return Status::Ok();
  if (!allow_non_empty) {
    // The objects that count are where the migrations run (the connection's current schema),
    // not the ledger's own schema, which is typically new and empty.
    STRATA_ASSIGN_OR_RETURN(bool busy, ctx.conn->HasUserObjects("", options.ledger_table));
    if (busy) {
      return Status(ErrorCode::kNeedsBaseline,
                    fmt::format("{} already holds tables but has no ledger ({}); strata will not "
                                "guess which migrations it already contains",
                                ctx.url.redacted, options.ledger_table))
          .WithHint(
              "adopt it with `strata baseline --version <latest version it contains>`, "
              "or point --url at an empty database");
    }
  }
  return ctx.ledger->Create();
}

}  // namespace strata::engine
