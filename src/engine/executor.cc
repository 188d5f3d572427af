#include "engine/executor.h"

#include "base/duration.h"
#include "base/redact.h"
#include "base/text.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>

namespace strata::engine {

namespace {

void Emit(const ExecuteRequest& req, Event e) {
  if (!req.sink || !*req.sink) return;
  const auto& m = *req.prepared->migration;
  e.script = m.script;
  e.version = m.version.text();
  e.migration_index = req.index;
  e.migration_count = req.count;
  e.statement_count = static_cast<int>(req.prepared->statements.size());
  (*req.sink)(e);
}

// An observer for verify::RunChecks that publishes each check as it completes.
verify::CheckObserver CheckEvents(const ExecuteRequest& req) {
  if (!req.sink || !*req.sink) return {};
  return [&req](const CheckResult& r) {
    Event e{EventKind::kCheckDone};
    e.elapsed_ms = r.elapsed_ms;
    e.message = r.message;
    e.check = Event::Check{r.phase, r.name, r.file, r.line, r.ok, r.value, r.expected};
    Emit(req, std::move(e));
  };
}

void EmitNotices(const ExecuteRequest& req, db::Connection& conn) {
  for (auto& n : conn.TakeNotices()) {
    Event e{EventKind::kNotice};
    e.message = std::move(n);
    Emit(req, e);
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

// Turns a database error on statement `i` into a message that points into the file.
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

// Runs `batch` (BEGIN and session settings, then the migration's statements from index
// `first` on) in one pipeline; when the migration carries COPY ... FROM STDIN rows, in
// pipelined segments around each COPY, whose copy sub-protocol cannot be pipelined. The result
// reads like one ExecBatch over the whole batch.
db::BatchResult RunBatch(db::Connection& conn, const std::vector<std::string_view>& batch,
                         size_t first, const PreparedMigration& p) {
  bool has_copy = std::any_of(p.statements.begin(), p.statements.end(),
                              [](const PreparedStatement& s) { return s.copy_in; });
  if (!has_copy) return conn.ExecBatch(batch, /*pipeline=*/true);
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

Status StatementError(const PreparedMigration& p, size_t i, const db::BatchResult& br,
                      bool transactional, const Options& options) {
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
                      : "the connection was lost; the ledger records the statements that "
                        "completed — check the failed one, then `strata migrate --resume`");
  }
  if (s.code() == ErrorCode::kLockTimeout) {
    return std::move(out).WithHint(
        "a lock on the table was not granted within lock_timeout (after all retries); find the "
        "blocking session (pg_stat_activity / pg_locks) and rerun");
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
          : fmt::format("statements 1..{} ran and are recorded; fix statement {} and run `strata "
                        "migrate --resume`, or undo by hand and `strata repair --reason \"...\"`",
                        i, i + 1));
}

constexpr std::string_view kPreCheckHint =
    "nothing was run: the database is not in the state this migration expects; investigate, "
    "then rerun `strata migrate`";

Status ExecuteTransactional(Context& ctx, const Options& options, const ExecuteRequest& req,
                            AppliedMigration& out) {
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

  verify::Captured captured;
  STRATA_TRY(verify::RunChecks(conn, p.checks.pre, -1, captured, out.checks, kPreCheckHint,
                               CheckEvents(req)));
  std::mt19937 rng(static_cast<unsigned>(getpid() * 7919 + req.index));
  int max_attempts = 1 + options.lock_retries;
  for (int attempt = 1;; ++attempt) {
    auto start = base::MonotonicMillis();
    std::string installed_on = base::NowIso8601();
    db::BatchResult br = RunBatch(conn, batch, first, p);
    EmitNotices(req, conn);
    Status failure;
    size_t failed_stmt = 0;
    if (!br.status.ok()) {
      if (br.failed_index < first) {
        failure = std::move(br.status).Wrap("cannot open the migration transaction");
      } else {
        failed_stmt = br.failed_index - first;
        failure = StatementError(p, failed_stmt, br, true, options);
      }
    } else {
      for (size_t i = 0; i < p.statements.size(); ++i) {
        Event e{EventKind::kStatementDone};
        e.statement_index = static_cast<int>(i);
        e.rows = br.rows_affected[first + i];
        Emit(req, e);
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
      migrate::AppliedRow row;
      if (m.kind == migrate::Kind::kVersioned) row.version = m.version.text();
      row.description = m.description;
      row.type = req.type;
      row.script = m.script;
      row.checksum = m.checksum;
      row.installed_by = req.installed_by;
      row.installed_on = installed_on;
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
      // Exponential backoff with jitter: 0.25s, 0.5s, 1s ... capped at 8s, ×[0.5, 1.5).
      std::int64_t base_ms = std::min<std::int64_t>(8000, 250LL << (attempt - 1));
      std::uniform_real_distribution<double> jitter(0.5, 1.5);
      auto wait = static_cast<std::int64_t>(static_cast<double>(base_ms) * jitter(rng));
      out.lock_wait_ms += base::MonotonicMillis() - start + wait;
      Event e{EventKind::kRetry};
      e.attempt = attempt;
      e.elapsed_ms = wait;
      e.statement_index = static_cast<int>(failed_stmt);
      e.message = failure.message();
      Emit(req, e);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      continue;
    }
    return failure;
  }
}

Status ExecuteNonTransactional(Context& ctx, const Options& options, const ExecuteRequest& req,
                               AppliedMigration& out) {
  const auto& p = *req.prepared;
  const auto& m = *p.migration;
  auto& conn = *ctx.conn;
  size_t begin = 0;
  migrate::AppliedRow row;
  if (m.kind == migrate::Kind::kVersioned) row.version = m.version.text();
  row.description = m.description;
  row.type = req.type;
  row.script = m.script;
  row.checksum = m.checksum;
  row.installed_by = req.installed_by;
  row.installed_on = base::NowIso8601();
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
    row.statements_done = prev.statements_done;
    row.prefix_hash = prev.prefix_hash;
    row.reason = fmt::format("resumed after rank {} at statement {}", prev.rank, begin + 1);
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
  std::string prefix = *row.prefix_hash;
  out.rows_affected.assign(begin, -1);
  for (size_t i = begin; i < p.statements.size(); ++i) {
    auto t0 = base::MonotonicMillis();
    db::BatchResult br = p.statements[i].copy_in
                             ? conn.CopyIn(p.statements[i].sql, p.statements[i].copy_data)
                             : conn.ExecBatch({p.statements[i].sql}, /*pipeline=*/false);
    EmitNotices(req, conn);
    if (!br.status.ok()) {
      Status err = StatementError(p, i, br, false, options);
      row.execution_time_ms = base::MonotonicMillis() - start;
      row.reason = RedactForMessage(br.status.ToString(), options);
      if (conn.Alive()) (void)ctx.ledger->UpdateTail(row);
      out.statements = static_cast<int>(i);
      return err;
    }
    prefix = PrefixHash(p, i + 1);
    row.statements_done = static_cast<int>(i + 1);
    row.prefix_hash = prefix;
    row.execution_time_ms = base::MonotonicMillis() - start;
    if (i + 1 == p.statements.size() && p.checks.post.empty()) row.success = true;
    STRATA_TRY(ctx.ledger->UpdateTail(row));
    out.rows_affected.push_back(br.rows_affected.empty() ? 0 : br.rows_affected[0]);
    Event e{EventKind::kStatementDone};
    e.statement_index = static_cast<int>(i);
    e.rows = out.rows_affected.back();
    e.elapsed_ms = base::MonotonicMillis() - t0;
    Emit(req, e);
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
    if (!checked.ok()) row.reason = base::RedactSecrets(checked.ToString());
    row.execution_time_ms = base::MonotonicMillis() - start;
    STRATA_TRY(ctx.ledger->UpdateTail(row));
    if (!checked.ok()) {
      out.statements = static_cast<int>(p.statements.size());
      return checked;
    }
  }
  if (p.statements.empty() || begin == p.statements.size()) {
    row.success = true;
    STRATA_TRY(ctx.ledger->UpdateTail(row));
  }
  if (conn.dialect() == db::Dialect::kPostgres) {
    (void)conn.Exec("RESET lock_timeout");
    (void)conn.Exec("RESET statement_timeout");
  }
  out.statements = static_cast<int>(p.statements.size());
  out.execution_time_ms = row.execution_time_ms;
  return Status::Ok();
}

}  // namespace

Status Execute(Context& ctx, const Options& options, const ExecuteRequest& req,
               AppliedMigration& out) {
  const auto& m = *req.prepared->migration;
  out.version = m.version.text();
  out.description = m.description;
  out.script = m.script;
  out.type = req.type;
  out.checksum = m.checksum;
  out.transactional = req.prepared->settings.transactional;
  Event e{EventKind::kMigrationStarted};
  Emit(req, e);
  auto start = base::MonotonicMillis();
  Status s = out.transactional ? ExecuteTransactional(ctx, options, req, out)
                               : ExecuteNonTransactional(ctx, options, req, out);
  Event done{s.ok() ? EventKind::kMigrationDone : EventKind::kMigrationFailed};
  done.elapsed_ms = base::MonotonicMillis() - start;
  done.message = s.ok() ? "" : s.ToString();
  done.attempt = out.attempts;
  Emit(req, done);
  return s;
}

}  // namespace strata::engine
