#include "session/session.h"

#include "base/duration.h"
#include "base/host.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>

namespace strata::session {

bool IsStartupRefusal(const Status& s) {
  const std::string& st = s.sqlstate();
  return s.code() == ErrorCode::kConnection && (st == "08001" || st == "08006" || st == "57P03");
}

Result<std::unique_ptr<db::Connection>> Connect(db::DbUrl& url, const std::string& application,
                                                std::chrono::milliseconds timeout, int* attempts) {
  const auto start = base::MonotonicMillis();
  auto remaining = [&] { return timeout.count() - (base::MonotonicMillis() - start); };
  std::chrono::milliseconds backoff{100};
  int tries = 0;
  for (;;) {
    // One attempt may take no longer than what is left (libpq counts whole seconds, 2 at least).
    if (timeout.count() > 0) {
      url.attempt_timeout_s =
          static_cast<int>(std::clamp<std::int64_t>((remaining() + 999) / 1000, 2, 10));
    }
    ++tries;
    if (attempts) *attempts = tries;
    auto conn = db::Connect(url, application);
    if (conn || url.dialect != db::Dialect::kPostgres || !IsStartupRefusal(conn.status()) ||
        remaining() <= 0) {
      return conn;
    }
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        backoff, std::chrono::milliseconds(std::max<std::int64_t>(remaining(), 1))));
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::milliseconds(1'000));
  }
}

Result<Session> Open(const Options& options, std::string_view verb, Target target) {
  Session s;
  STRATA_ASSIGN_OR_RETURN(s.url, db::ParseUrl(options.url));
  s.url.may_create = target.may_create;
  s.url.missing_is_empty = target.missing_is_empty;
  std::string app = fmt::format("strata {} pid {} on {}", verb, getpid(), base::HostName());
  int attempts = 0;
  auto conn = Connect(s.url, app, options.connect_timeout, &attempts);
  if (!conn) {
    if (attempts == 1) return conn.status();  // not retried: the error as it came
    return Status(conn.status())
        .Wrap(fmt::format("gave up after {} attempts in {}", attempts,
                          base::FormatDuration(options.connect_timeout)))
        .WithHint(
            "start the server or check the URL's host and port; --connect-timeout (or "
            "[database] connect_timeout) sets how long to keep trying");
  }
  s.conn = std::move(*conn);
  s.ledger = std::make_unique<ledger::Ledger>(*s.conn, options.ledger_table, options.ledger_schema);
  return s;
}

RunLock::~RunLock() {
  if (session_) (void)session_->conn->Unlock(session_->ledger->LockName());
}

Status RunLock::Acquire(Session& s, std::chrono::milliseconds wait, const EventSink& sink) {
  std::string name = s.ledger->LockName();
  auto start = base::MonotonicMillis();
  std::mt19937 rng(static_cast<unsigned>(getpid()) ^ static_cast<unsigned>(start));
  bool announced = false;
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(bool got, s.conn->TryLock(name));
    if (got) {
      session_ = &s;
      if (sink && announced) sink(Event(Event::LockAcquired{}));
      return Status::Ok();
    }
    auto elapsed = base::MonotonicMillis() - start;
    if (elapsed >= wait.count()) {
      auto holder = s.conn->DescribeLockHolder(name);
      return Status(ErrorCode::kLockTimeout,
                    fmt::format("another strata run holds the migration lock on {} (waited {}){}",
                                s.url.redacted, base::FormatDuration(wait),
                                holder ? fmt::format(": {}", holder->description) : ""))
          .WithHint(
              "wait for it to finish and rerun, or raise --lock-wait; if the holder is "
              "gone its lock is released with its session");
    }
    if (!announced && sink) {
      auto holder = s.conn->DescribeLockHolder(name);
      sink(Event(Event::LockWaiting{holder ? holder->description : "another strata run"}));
      announced = true;
    }
    // Jittered polling: 20–80 ms, so 20 waiting runners do not stampede.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 60));
  }
}

std::optional<db::LockHolder> RunningHolder(Session& s) {
  std::string name = s.ledger->LockName();
  auto got = s.conn->TryLock(name);
  if (!got) return std::nullopt;
  if (*got) {
    (void)s.conn->Unlock(name);
    return std::nullopt;
  }
  auto holder = s.conn->DescribeLockHolder(name);
  return holder ? *holder : db::LockHolder{"another strata run holds the migration lock"};
}

Status EnsureLedger(Session& s, const Options& options, bool allow_non_empty) {
  STRATA_ASSIGN_OR_RETURN(bool exists, s.ledger->Exists());
  if (exists) return Status::Ok();
  if (!allow_non_empty) {
    // The objects that count are where the migrations run (the connection's current schema),
    // not the ledger's own schema, which is typically new and empty.
    STRATA_ASSIGN_OR_RETURN(bool busy, s.conn->HasUserObjects("", options.ledger_table));
    if (busy) {
      return Status(ErrorCode::kNeedsBaseline,
                    fmt::format("{} already holds tables but has no ledger ({}); strata will not "
                                "guess which migrations it already contains",
                                s.url.redacted, options.ledger_table))
          .WithHint(
              "adopt it with `strata baseline --version <latest version it contains>`, "
              "or point --url at an empty database");
    }
  }
  return s.ledger->Create();
}

Status RequireLedger(Session& s) {
  STRATA_ASSIGN_OR_RETURN(bool exists, s.ledger->Exists());
  if (exists) return Status::Ok();
  return Status(ErrorCode::kValidation,
                fmt::format("{} has no schema history ({}): nothing has been applied here",
                            s.url.redacted, s.ledger->qualified()))
      .WithHint("run `strata migrate` first, or point --url at the database you mean");
}

}  // namespace strata::session
