#include "engine/executor.h"

#include "base/duration.h"
#include "base/redact.h"
#include "base/text.h"
#include "engine/in_flight.h"
#include "sql/transaction_block.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>
#include <thread>

namespace strata::engine {

namespace {

void Emit(const ExecuteRequest& req, Event::Data data) {
  if (!req.sink || !*req.sink) return;
  const auto& m = *req.prepared->migration;
  (*req.sink)(
      Event(std::move(data), Event::Migration{m.script, m.version.text(), req.index, req.count,
                                              static_cast<int>(req.prepared->statements.size())}));
}

// An observer for verify::RunChecks that publishes each check as it completes.
verify::CheckObserver CheckEvents(const ExecuteRequest& req) {
  if (!req.sink || !*req.sink) return {};
  return [&req](const CheckResult& r) {
    Emit(req, Event::CheckDone{r.phase, r.name, r.file, r.line, r.ok, r.value, r.expected,
                               r.elapsed_ms, r.message});
  };
}

void EmitNotices(const ExecuteRequest& req, db::Connection& conn) {
  for (auto& n : conn.TakeNotices()) {
    Emit(req, Event::Notice{std::move(n)});
  }
}

// Redacts registered secrets and, in any letter case, the values of secret placeholders: a
// database echoes a value back in its message after folding it (PostgreSQL lower-cases an
// unquoted identifier: column "s3cr3ttoken" does not exist).
std::string RedactForMessage(std::string_view text, const Options& options) {
  std::string out = base::RedactSecrets(text);
  for (const auto& [name, v] : options.placeholders) {
    if (!v.secret || v.value.size() < 4) continue;
    std::string needle = base::ToLower(v.value);
    for (size_t pos = 0; (pos = base::ToLower(out).find(needle, pos)) != std::string::npos;) {
      out.replace(pos, needle.size(), "***");
      pos += 3;
    }
  }
  return out;
}

// The ledger row's reason for a migration that ran: lock-timeout retries it needed and the
// lint suppressions accepted for it. nullopt when there is nothing to say.
std::optional<std::string> LedgerNote(const ExecuteRequest& req, int attempt,
                                      std::int64_t lock_wait_ms) {
  std::string note;
  if (attempt > 1) {
    note = fmt::format("applied on attempt {} after {} lock timeout(s), {} ms lost waiting",
                       attempt, attempt - 1, lock_wait_ms);
  }
  if (!req.note.empty()) note += (note.empty() ? "" : "; ") + req.note;
  if (note.empty()) return std::nullopt;
  return note;
}

// The ledger row of the migration `req` applies, as it starts: what it is, who applies it, when.
migrate::AppliedRow LedgerRow(const ExecuteRequest& req, std::string installed_on) {
  const auto& m = *req.prepared->migration;
  migrate::AppliedRow row;
  if (m.kind == migrate::Kind::kVersioned) row.version = m.version.text();
  row.description = m.description;
  row.type = req.type;
  row.script = m.script;
  row.checksum = m.checksum;
  row.installed_by = req.installed_by;
  row.installed_on = std::move(installed_on);
  return row;
}

// Runs `batch` (BEGIN and session settings, then the migration's statements from index
// `first` on) in one pipeline; when the migration carries COPY ... FROM STDIN rows, in
// pipelined segments around each COPY, whose copy sub-protocol cannot be pipelined. The result
// reads like one ExecBatch over the whole batch.
db::BatchResult RunBatch(db::Connection& conn, const std::vector<std::string_view>& batch,
                         size_t first, const PreparedMigration& p) {
  bool has_copy = std::any_of(p.statements.begin(), p.statements.end(),
                              [](const PreparedStatement& s) { return s.copy_in; });
  // A body sent whole (`-- strata:split off`) holds several commands, which the extended
  // protocol of a pipeline refuses: then one by one, with the simple query protocol.
  if (!has_copy) return conn.ExecBatch(batch, /*pipeline=*/p.settings.split);
  db::BatchResult out;
  size_t segment = 0;
  for (size_t i = first; i <= batch.size(); ++i) {
    bool copy = i < batch.size() && p.statements[i - first].copy_in;
    if (i < batch.size() && !copy) continue;
    if (i > segment) {
      std::vector<std::string_view> part(batch.begin() + static_cast<long>(segment),
                                         batch.begin() + static_cast<long>(i));
      db::BatchResult br = conn.ExecBatch(part, /*pipeline=*/true);
      out.rows_affected.insert(out.rows_affected.end(), br.rows_affected.begin(),
                               br.rows_affected.end());
      if (!br.status.ok()) {
        out.status = std::move(br.status);
        out.failed_index = segment + br.failed_index;
        out.error_position = br.error_position;
        return out;
      }
    }
    if (copy) {
      db::BatchResult br = conn.CopyIn(batch[i], p.statements[i - first].copy_data);
      if (!br.status.ok()) {
        out.status = std::move(br.status);
        out.failed_index = i;
        out.error_position = br.error_position;
        return out;
      }
      out.rows_affected.push_back(br.rows_affected.empty() ? 0 : br.rows_affected[0]);
    }
    segment = i + 1;
  }
  return out;
}

// MigrateRequest::observe. The probe runs right after each statement, inside the migration's
// transaction and in the same pipeline, and returns what it sees as rows of that pipeline
// (ExecBatchKeeping): no round trip of its own, per statement or per migration. Catalog
// relations are left out. The probe is a prepared statement of the session, planned once (a
// generic plan: it has no parameters), not once per statement (planning the join over
// pg_locks was most of a probe's cost). The setup that prepares it when the session has not
// rides at the head of the migration's pipeline; a prepared statement outlives a rollback.
constexpr std::string_view kObserveSetup = R"sql(DO $strata$ BEGIN
IF NOT EXISTS (SELECT FROM pg_catalog.pg_prepared_statements WHERE name = 'strata_probe') THEN
  EXECUTE $probe$PREPARE strata_probe AS
    SELECT (extract(epoch FROM pg_catalog.clock_timestamp()) * 1000)::float8,
           (extract(epoch FROM pg_catalog.now()) * 1000)::float8, l.relation,
           n.nspname || '.' || c.relname, c.relkind, l.mode, c.relfilenode
    FROM (SELECT 1) one LEFT JOIN (pg_catalog.pg_locks l
      LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
      LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace)
    ON l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
       AND coalesce(n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast'), true)$probe$;
END IF;
END $strata$)sql";
constexpr std::string_view kObserveProbe = "EXECUTE strata_probe";

bool Observed(const ExecuteRequest& req, db::Connection& conn) {
  if (!req.observe || conn.dialect() != db::Dialect::kPostgres) return false;
  const auto& st = req.prepared->statements;
  return std::none_of(st.begin(), st.end(), [](const PreparedStatement& s) { return s.copy_in; });
}

// RunBatch with a probe after each statement; the result reads like RunBatch's (the probes'
// entries left out), and `kept` holds the probes' rows, one QueryResult per statement that
// ran. A failing probe is reported as its statement's failure.
db::BatchResult RunObserved(db::Connection& conn, const std::vector<std::string_view>& batch,
                            size_t first, const PreparedMigration& p) {
  // BEGIN and the settings, the setup, then each statement followed by its probe.
  std::vector<std::string_view> all(batch.begin(), batch.begin() + static_cast<long>(first));
  all.push_back(kObserveSetup);
  std::vector<bool> keep(all.size(), false);
  for (size_t i = first; i < batch.size(); ++i) {
    all.push_back(batch[i]);
    all.push_back(kObserveProbe);
    keep.push_back(false);
    keep.push_back(true);
  }
  db::BatchResult br = conn.ExecBatchKeeping(all, /*pipeline=*/p.settings.split, keep);
  db::BatchResult out;
  out.status = std::move(br.status);
  out.error_position = br.error_position;
  out.kept = std::move(br.kept);
  for (size_t k = 0; k < br.rows_affected.size(); ++k) {
    if (k < first || (k > first && (k - first - 1) % 2 == 0)) {
      out.rows_affected.push_back(br.rows_affected[k]);
    }
  }
  if (!out.status.ok()) {
    if (br.failed_index < first) {
      out.failed_index = br.failed_index;
    } else if (br.failed_index == first) {  // the setup: before any statement of the file
      out.failed_index = first - 1;
      out.status = std::move(out.status).Wrap("setting up the lock observation");
      out.error_position = -1;
    } else {
      size_t j = br.failed_index - first - 1;
      out.failed_index = first + j / 2;
      if (j % 2 == 1) {
        out.status = std::move(out.status).Wrap("observing the locks after the statement");
        out.error_position = -1;
      }
    }
  }
  return out;
}

// Publishes what the probes saw (RunObserved's `kept`, probe i after statement i): one
// StatementObserved event per statement, after one that marks the transaction's start.
void EmitObserved(const ExecuteRequest& req, const std::vector<db::QueryResult>& probes) {
  std::vector<Event::StatementObserved> by_stmt(probes.size());
  double tx_start = 0;
  for (size_t stmt = 0; stmt < probes.size(); ++stmt) {
    Event::StatementObserved& o = by_stmt[stmt];
    o.index = static_cast<int>(stmt);
    bool first = true;
    for (const auto& row : probes[stmt].rows) {
      auto text = [&](size_t c) { return row[c] ? std::string(*row[c]) : std::string(); };
      double at = std::atof(text(0).c_str());
      tx_start = std::atof(text(1).c_str());
      if (first || at < o.at_ms) o.at_ms = at;
      first = false;
      if (!row[2]) continue;
      Event::StatementObserved::Lock l;
      l.oid = static_cast<std::uint32_t>(std::strtoul(text(2).c_str(), nullptr, 10));
      l.relation = text(3);
      l.relkind = text(4).empty() ? 0 : text(4)[0];
      l.mode = text(5);
      l.relfilenode = static_cast<std::uint32_t>(std::strtoul(text(6).c_str(), nullptr, 10));
      o.locks.push_back(std::move(l));
    }
  }
  if (!by_stmt.empty()) {
    Emit(req, Event::StatementObserved{-1, tx_start, {}});
  }
  for (auto& o : by_stmt) Emit(req, std::move(o));
}

// Exponential backoff with jitter after lock timeout number `attempt`: 0.25s, 0.5s, 1s ...
// capped at 8s, ×[0.5, 1.5).
std::int64_t Backoff(int attempt, std::mt19937& rng) {
  std::int64_t base_ms = std::min<std::int64_t>(8000, 250LL << std::min(attempt - 1, 10));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return static_cast<std::int64_t>(static_cast<double>(base_ms) * jitter(rng));
}

// After lock timeout number `attempt` on statement `stmt` (0-based) of an attempt that began at
// `since`: publishes the retry, counts the time lost and sleeps the backoff.
void WaitToRetry(const ExecuteRequest& req, int attempt, size_t stmt, std::string_view message,
                 std::int64_t since, std::mt19937& rng, AppliedMigration& out) {
  std::int64_t wait = Backoff(attempt, rng);
  out.lock_wait_ms += base::MonotonicMillis() - since + wait;
  Emit(req, Event::Retry{attempt, static_cast<int>(stmt), std::string(message), wait});
  std::this_thread::sleep_for(std::chrono::milliseconds(wait));
}

// `attempts`: how many times the statement ran into the error (1 when it was not retried);
// `in_doubt`: a statement run on its own whose connection was lost, so whether it took effect
// is decided on --resume.
Status StatementError(const PreparedMigration& p, size_t i, const db::BatchResult& br,
                      bool transactional, const Options& options, int attempts = 1,
                      bool in_doubt = false) {
  const auto& m = *p.migration;
  const auto& st = p.statements[i];
  int line = st.line, col = st.column;
  if (br.error_position >= 0) {
    size_t abs = st.offset + static_cast<size_t>(br.error_position);
    base::LineIndex li(m.text);
    if (abs < m.text.size()) {
      line = li.LineOf(abs);
      col = li.ColumnOf(abs);
    }
  }
  std::string_view first = base::Trim(
      std::string_view(st.display_sql).substr(0, std::string_view(st.display_sql).find('\n')));
  Status s = br.status;
  std::string msg = fmt::format("statement {} of {} failed: {}\n  {}", i + 1, p.statements.size(),
                                s.message(), first);
  Status out = Status(s.code(), RedactForMessage(msg, options)).WithSpan({m.path, line, col});
  if (!s.sqlstate().empty()) out = std::move(out).WithSqlState(s.sqlstate());
  if (s.code() == ErrorCode::kConnection) {
    return std::move(out).WithHint(
        transactional ? "the connection was lost; the server rolled the migration back, nothing "
                        "of it remains — rerun `strata migrate`"
        : in_doubt
            ? fmt::format("the connection was lost while statement {} ran on its own; the ledger "
                          "records statements 1..{} and that {} was in flight — `strata migrate "
                          "--resume` asks the database whether it took effect",
                          i + 1, i, i + 1)
            : fmt::format("the connection was lost during statement {}, which commits "
                          "together with its progress: the ledger says exactly how far the "
                          "migration got — `strata migrate --resume` continues from there",
                          i + 1));
  }
  if (s.code() == ErrorCode::kLockTimeout) {
    return std::move(out).WithHint(fmt::format(
        "a lock on the table was not granted within lock_timeout{}; find the blocking session "
        "(pg_stat_activity / pg_locks) and rerun{}",
        attempts > 1 ? fmt::format(" ({} attempts)", attempts) : " (not retried)",
        transactional ? "" : " `strata migrate --resume`"));
  }
  // COPY is PostgreSQL's: SQLite only says "syntax error", which does not tell why.
  if (s.sqlstate().rfind("SQLITE_", 0) == 0 && first.size() > 5 &&
      base::ToLower(first.substr(0, 5)) == "copy ") {
    return std::move(out).WithHint(
        "COPY is PostgreSQL's and SQLite has no such statement: load the rows with INSERT "
        "statements in this migration (or keep a PostgreSQL-only file out of the SQLite "
        "locations)");
  }
  return std::move(out).WithHint(
      transactional
          ? "the migration was rolled back and nothing of it remains; fix the statement and "
            "rerun `strata migrate`"
      : i == 0 ? std::string("no statement of it ran; the failure is recorded — fix statement 1 "
                             "and run `strata migrate --resume`, or `strata repair --reason "
                             "\"...\"` to clear it")
               : fmt::format("{} ran and {} recorded; fix statement {} and run `strata "
                             "migrate --resume`, or undo by hand and `strata repair --reason "
                             "\"...\"`",
                             i == 1 ? "statement 1" : fmt::format("statements 1..{}", i),
                             i == 1 ? "is" : "are", i + 1));
}

constexpr std::string_view kPreCheckHint =
    "nothing was run: the database is not in the state this migration expects; investigate, "
    "then rerun `strata migrate`";

Status ExecuteTransactional(session::Session& ctx, const Options& options,
                            const ExecuteRequest& req, AppliedMigration& out) {
  const auto& p = *req.prepared;
  const auto& m = *p.migration;
  auto& conn = *ctx.conn;
  std::vector<std::string> prologue = SessionSettings(p, conn.dialect(), options, /*local=*/true);
  std::vector<std::string_view> batch;
  batch.reserve(p.statements.size() + prologue.size() + 1);
  batch.push_back(conn.BeginSql());
  for (const auto& s : prologue) batch.push_back(s);
  size_t first = batch.size();
  for (const auto& s : p.statements) batch.push_back(s.sql);

  bool observed = Observed(req, conn);  // the setup rides in RunObserved's pipeline
  verify::Captured captured;
  STRATA_TRY(verify::RunChecks(conn, p.checks.pre, -1, captured, out.checks, kPreCheckHint,
                               CheckEvents(req)));
  std::mt19937 rng(static_cast<unsigned>(getpid() * 7919 + req.index));
  int max_attempts = 1 + options.lock_retries;
  for (int attempt = 1;; ++attempt) {
    auto start = base::MonotonicMillis();
    std::string installed_on = base::NowIso8601();
    db::BatchResult br =
        observed ? RunObserved(conn, batch, first, p) : RunBatch(conn, batch, first, p);
    EmitNotices(req, conn);
    if (br.status.ok() && observed) EmitObserved(req, br.kept);
    Status failure;
    size_t failed_stmt = 0;
    if (!br.status.ok()) {
      if (br.failed_index < first) {
        failure = std::move(br.status).Wrap("cannot open the migration transaction");
      } else {
        failed_stmt = br.failed_index - first;
        failure = StatementError(p, failed_stmt, br, true, options, attempt);
      }
    } else {
      for (size_t i = 0; i < p.statements.size(); ++i) {
        Emit(req, Event::StatementDone{static_cast<int>(i), br.rows_affected[first + i]});
      }
      std::int64_t rows = 0;
      for (size_t i = first; i < br.rows_affected.size(); ++i) {
        if (!verify::IsDml(p.statements[i - first].sql)) continue;
        rows += std::max<std::int64_t>(0, br.rows_affected[i]);
      }
      Status checked = verify::RunChecks(
          conn, p.checks.post, rows, captured, out.checks,
          "the migration was rolled back and nothing of it remains; the failing query and its "
          "value are recorded in strata_run — fix the migration or the data, then rerun",
          CheckEvents(req));
      out.statements = static_cast<int>(p.statements.size());
      out.rows_affected.assign(br.rows_affected.begin() + static_cast<long>(first),
                               br.rows_affected.end());
      out.execution_time_ms = base::MonotonicMillis() - start;
      migrate::AppliedRow row = LedgerRow(req, installed_on);
      row.execution_time_ms = base::MonotonicMillis() - start;
      row.success = true;
      row.statements_done = static_cast<int>(p.statements.size());
      row.reason = LedgerNote(req, attempt, out.lock_wait_ms);
      Status s = checked.ok() ? ctx.ledger->Append(row) : checked;
      out.attempts = attempt;
      out.execution_time_ms = row.execution_time_ms;
      if (s.ok() && req.before_commit) s = req.before_commit(out);
      if (s.ok()) s = conn.Exec("COMMIT");
      if (s.ok()) return Status::Ok();
      if (checked.ok()) ctx.ledger->Rewind();
      failure = !checked.ok() ? std::move(s)
                              : std::move(s).Wrap(fmt::format(
                                    "{}: recording the migration in the ledger failed", m.path));
    }
    if (conn.Alive()) (void)conn.Exec("ROLLBACK");
    out.attempts = attempt;
    if (failure.code() == ErrorCode::kLockTimeout && attempt < max_attempts && conn.Alive()) {
      WaitToRetry(req, attempt, failed_stmt, failure.message(), start, rng, out);
      continue;
    }
    return failure;
  }
}

// What to do about the resumed row's statement that was sent when the run was interrupted
// (its statement_started marker): the index to continue at, or why strata stops.
Result<size_t> ResolveInFlight(session::Session& ctx, const ExecuteRequest& req,
                               const migrate::AppliedRow& prev, std::string& note) {
  const auto& p = *req.prepared;
  const auto& m = *p.migration;
  size_t k = static_cast<size_t>(*prev.statement_started);  // 1-based
  if (k != static_cast<size_t>(prev.statements_done) + 1 || k > p.statements.size()) {
    return Status(ErrorCode::kValidation,
                  fmt::format("cannot resume {}: the ledger (rank {}) says statement {} was in "
                              "flight after {} completed, which this file does not match",
                              m.script, prev.rank, k, prev.statements_done))
        .WithSpan({m.path, 0, 0})
        .WithHint(
            "restore the file as it was when it ran, or clean up by hand and `strata "
            "repair --reason \"...\"`");
  }
  const auto& st = p.statements[k - 1];
  std::string where = fmt::format("statement {} ({}:{})", k, m.path, st.line);
  if (req.in_flight == "done") {
    note = fmt::format("{} counted as done by the operator (--in-flight done)", where);
    return k;
  }
  if (req.in_flight == "rerun") {
    note = fmt::format("{} run again by the operator (--in-flight rerun)", where);
    return k - 1;
  }
  STRATA_ASSIGN_OR_RETURN(InFlightVerdict v, JudgeInFlight(*ctx.conn, st.sql));
  using O = InFlightVerdict::Outcome;
  switch (v.outcome) {
    case O::kTookEffect:
      note = fmt::format("{} was in flight when the run stopped and took effect: {}", where,
                         v.evidence);
      return k;
    case O::kNotRun:
    case O::kRerunSafe:
      note = fmt::format("{} was in flight when the run stopped; run again: {}", where, v.evidence);
      return k - 1;
    case O::kUnknown:
      break;
  }
  std::string_view first = base::Trim(
      std::string_view(st.display_sql).substr(0, std::string_view(st.display_sql).find('\n')));
  return Status(ErrorCode::kValidation,
                fmt::format("cannot resume {}: statements 1..{} completed, and {} was sent when "
                            "the run was interrupted; whether it took effect is unknown: {}\n  {}",
                            m.script, k - 1, where, v.evidence, first))
      .WithSpan({m.path, st.line, st.column})
      .WithHint(v.hint);
}

// One statement of a non-transactional migration, with its ledger progress: inside one
// transaction when the statement can run in one (the ledger can never lag behind the
// database), else between a "started" marker and its completion (a kill in between is
// resolved from the database on --resume). Retries a lock timeout like a transactional
// migration. On success `row` holds the progress as committed.
Status RunOneStatement(session::Session& ctx, const Options& options, const ExecuteRequest& req,
                       size_t i, migrate::AppliedRow& row, std::int64_t start, std::mt19937& rng,
                       std::int64_t& rows_out, AppliedMigration& out) {
  const auto& p = *req.prepared;
  const auto& st = p.statements[i];
  auto& conn = *ctx.conn;
  bool wrap = sql::SharesTransaction(st.sql, conn.dialect());
  int max_attempts = 1 + options.lock_retries;
  for (int attempt = 1;; ++attempt) {
    auto t0 = base::MonotonicMillis();
    migrate::AppliedRow next = row;
    next.statement_started.reset();
    next.statements_done = static_cast<int>(i + 1);
    next.prefix_hash = PrefixHash(p, i + 1);
    db::BatchResult br;
    bool in_doubt = false;  // the statement may have run (unwrapped, connection lost)
    if (wrap) {
      // BEGIN, the statement, its progress row and COMMIT: one round trip on PostgreSQL.
      next.execution_time_ms = base::MonotonicMillis() - start;
      std::string progress = ctx.ledger->ProgressSql(next);
      if (st.copy_in) {
        br = conn.ExecBatch({conn.BeginSql()}, /*pipeline=*/false);
        if (br.status.ok()) {
          db::BatchResult copy = conn.CopyIn(st.sql, st.copy_data);
          if (!copy.status.ok()) {
            br.status = std::move(copy.status);
            br.error_position = copy.error_position;
            br.failed_index = 1;
          } else {
            br.rows_affected.push_back(copy.rows_affected.empty() ? 0 : copy.rows_affected[0]);
            db::BatchResult tail = conn.ExecBatch({progress, "COMMIT"}, /*pipeline=*/true);
            br.rows_affected.insert(br.rows_affected.end(), tail.rows_affected.begin(),
                                    tail.rows_affected.end());
            if (!tail.status.ok()) {
              br.status = std::move(tail.status);
              br.failed_index = 2 + tail.failed_index;
            }
          }
        }
      } else {
        br = conn.ExecBatch({conn.BeginSql(), st.sql, progress, "COMMIT"},
                            /*pipeline=*/p.settings.split);
      }
      if (br.status.ok()) {
        ctx.ledger->TailCommitted(next);
        br.rows_affected = {br.rows_affected.size() > 1 ? br.rows_affected[1] : 0};
      } else {
        if (conn.Alive()) (void)conn.Exec("ROLLBACK");
        if (br.failed_index == 0) {
          return std::move(br.status).Wrap("cannot open the statement's transaction");
        }
        if (br.failed_index >= 2) {
          // The statement ran; its progress row or the COMMIT did not. They commit together,
          // so the ledger still says exactly what the database holds.
          return std::move(br.status)
              .Wrap(fmt::format("{}: recording statement {} in the ledger failed (the statement "
                                "and its progress commit together: the ledger still matches "
                                "the database)",
                                p.migration->path, i + 1))
              .WithHint(
                  "fix the cause, then `strata migrate --resume` continues after the last "
                  "recorded statement");
        }
        br.failed_index = 0;
        // A statement missing from the non-transactional list: run it on its own.
        const std::string& state = br.status.sqlstate();
        if (state == "25001" || state == "2D000") {
          wrap = false;
          --attempt;
          continue;
        }
      }
    } else {
      row.statement_started = static_cast<int>(i + 1);
      row.execution_time_ms = base::MonotonicMillis() - start;
      STRATA_TRY(ctx.ledger->UpdateTail(row));
      br = st.copy_in ? conn.CopyIn(st.sql, st.copy_data)
                      : conn.ExecBatch({st.sql}, /*pipeline=*/false);
      if (br.status.ok()) {
        next.execution_time_ms = base::MonotonicMillis() - start;
        STRATA_TRY(ctx.ledger->UpdateTail(next));
      } else {
        // The marker stays: a statement run on its own can fail half-way (a CREATE INDEX
        // CONCURRENTLY leaves an INVALID index), so --resume asks the database about it.
        in_doubt = br.status.code() == ErrorCode::kConnection || !conn.Alive();
      }
    }
    EmitNotices(req, conn);
    if (br.status.ok()) {
      row = std::move(next);
      rows_out = br.rows_affected.empty() ? 0 : br.rows_affected.back();
      Emit(req, Event::StatementDone{static_cast<int>(i), rows_out, base::MonotonicMillis() - t0});
      return Status::Ok();
    }
    out.attempts = std::max(out.attempts, attempt);
    bool lock_timeout = br.status.code() == ErrorCode::kLockTimeout;
    if (lock_timeout && !wrap && conn.Alive()) {
      // A statement run on its own may have left something behind (an INVALID index from a
      // CREATE INDEX CONCURRENTLY that timed out in a later phase): retry only what did not run.
      auto v = JudgeInFlight(conn, st.sql);
      if (!v || v->outcome == InFlightVerdict::Outcome::kUnknown ||
          v->outcome == InFlightVerdict::Outcome::kTookEffect) {
        lock_timeout = false;
      }
    }
    if (lock_timeout && attempt < max_attempts && conn.Alive()) {
      WaitToRetry(req, attempt, i, br.status.message(), t0, rng, out);
      continue;
    }
    Status err = StatementError(p, i, br, false, options, attempt, in_doubt);
    row.execution_time_ms = base::MonotonicMillis() - start;
    // "statement N failed: " is how `validate`/`migrate` tell a failure from an interruption
    // (engine/checks.cc DescribeFailedRow).
    row.reason = fmt::format("statement {} failed: {}", i + 1,
                             RedactForMessage(br.status.ToString(), options));
    if (conn.Alive()) (void)ctx.ledger->UpdateTail(row);
    return err;
  }
}

Status ExecuteNonTransactional(session::Session& ctx, const Options& options,
                               const ExecuteRequest& req, AppliedMigration& out) {
  const auto& p = *req.prepared;
  const auto& m = *p.migration;
  auto& conn = *ctx.conn;
  size_t begin = 0;
  migrate::AppliedRow row = LedgerRow(req, base::NowIso8601());
  row.success = false;
  if (req.resume_from) {
    const auto& prev = *req.resume_from;
    begin = static_cast<size_t>(prev.statements_done);
    if (begin > p.statements.size() || PrefixHash(p, begin) != prev.prefix_hash.value_or("")) {
      return Status(ErrorCode::kValidation,
                    fmt::format("cannot resume {}: its first {} statement(s) are not the ones "
                                "that ran (the file was edited above the failed statement)",
                                m.script, begin))
          .WithSpan({m.path, 0, 0})
          .WithHint(
              "only the failed statement and those after it may change before --resume; "
              "restore the applied part, or clean up by hand and `strata repair`");
    }
    std::string in_flight;
    if (prev.statement_started) {
      STRATA_ASSIGN_OR_RETURN(begin, ResolveInFlight(ctx, req, prev, in_flight));
    }
    row.statements_done = static_cast<int>(begin);
    row.prefix_hash = PrefixHash(p, begin);
    row.reason = fmt::format("resumed after rank {} at statement {}", prev.rank, begin + 1);
    if (!in_flight.empty()) *row.reason += "; " + in_flight;
    if (!req.note.empty()) *row.reason += "; " + req.note;
  } else {
    row.prefix_hash = PrefixHash(p, 0);
    row.reason = LedgerNote(req, 1, 0);
  }
  verify::Captured captured;
  STRATA_TRY(verify::RunChecks(conn, p.checks.pre, -1, captured, out.checks, kPreCheckHint,
                               CheckEvents(req)));
  // Record before the first statement: a kill from here on leaves a failed row that says how
  // far it got.
  STRATA_TRY(ctx.ledger->Append(row));
  auto start = base::MonotonicMillis();
  for (const auto& s : SessionSettings(p, conn.dialect(), options, /*local=*/false)) {
    STRATA_TRY(conn.Exec(s));
  }
  // A resumed run is a new session: the settings the completed prefix made (SET search_path,
  // PRAGMA foreign_keys = off) are made again before it continues.
  for (size_t i = 0; i < begin; ++i) {
    if (IsSessionSetting(p.statements[i].sql, conn.dialect())) {
      STRATA_TRY(conn.Exec(p.statements[i].sql));
    }
  }
  std::mt19937 rng(static_cast<unsigned>(getpid() * 7919 + req.index));
  out.rows_affected.assign(begin, -1);
  for (size_t i = begin; i < p.statements.size(); ++i) {
    std::int64_t rows = 0;
    if (Status s = RunOneStatement(ctx, options, req, i, row, start, rng, rows, out); !s.ok()) {
      out.statements = static_cast<int>(i);
      return s;
    }
    out.rows_affected.push_back(rows);
  }
  if (!p.checks.post.empty()) {
    // Post-checks of a non-transactional migration: a failure marks it failed (its statements
    // stay applied); `migrate --resume` runs the post-checks again.
    std::int64_t rows = 0;
    for (size_t i = 0; i < out.rows_affected.size() && i < p.statements.size(); ++i) {
      if (!verify::IsDml(p.statements[i].sql)) continue;
      rows += std::max<std::int64_t>(0, out.rows_affected[i]);
    }
    Status checked = verify::RunChecks(
        conn, p.checks.post, rows, captured, out.checks,
        "the statements ran and are recorded, but the migration is marked failed; correct the "
        "state, then `strata migrate --resume` runs the post-checks again (or `strata repair "
        "--reason \"...\"`)",
        CheckEvents(req));
    row.success = checked.ok();
    if (!checked.ok()) {
      row.reason = "post-checks failed: " + base::RedactSecrets(checked.ToString());
    }
    row.execution_time_ms = base::MonotonicMillis() - start;
    STRATA_TRY(ctx.ledger->UpdateTail(row));
    if (!checked.ok()) {
      out.statements = static_cast<int>(p.statements.size());
      return checked;
    }
  }
  if (!row.success) {
    row.success = true;
    row.execution_time_ms = base::MonotonicMillis() - start;
    STRATA_TRY(ctx.ledger->UpdateTail(row));
  }
  if (conn.dialect() == db::Dialect::kPostgres) {
    (void)conn.Exec("RESET lock_timeout");
    (void)conn.Exec("RESET statement_timeout");
  }
  // What this run executed: a resumed migration counts from where it continued.
  out.statements = static_cast<int>(p.statements.size() - begin);
  out.resumed_at = req.resume_from ? static_cast<int>(begin) + 1 : 0;
  out.execution_time_ms = row.execution_time_ms;
  return Status::Ok();
}

}  // namespace

Status Execute(session::Session& ctx, const Options& options, const ExecuteRequest& req,
               AppliedMigration& out) {
  const auto& m = *req.prepared->migration;
  out.version = m.version.text();
  out.description = m.description;
  out.script = m.script;
  out.type = req.type;
  out.checksum = m.checksum;
  out.transactional = req.prepared->settings.transactional;
  Emit(req, Event::MigrationStarted{});
  auto start = base::MonotonicMillis();
  Status s = out.transactional ? ExecuteTransactional(ctx, options, req, out)
                               : ExecuteNonTransactional(ctx, options, req, out);
  std::int64_t elapsed = base::MonotonicMillis() - start;
  if (s.ok()) {
    Emit(req, Event::MigrationDone{elapsed, out.attempts});
  } else {
    Emit(req, Event::MigrationFailed{elapsed, out.attempts, s.ToString()});
  }
  return s;
}

}  // namespace strata::engine
