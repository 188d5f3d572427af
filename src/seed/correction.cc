#include "seed/correction.h"

#include "analysis/fragment.h"
#include "base/duration.h"
#include "base/file.h"
#include "base/host.h"
#include "base/sha256.h"
#include "base/text.h"
#include "config/toml_values.h"
#include "lint/identifier_gate.h"
#include "session/run_store.h"
#include "session/session.h"
#include "verify/read_only.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

#include "identifiers/record.h"
#include "seed/dbutil.h"
#include "seed/package.h"

namespace strata::seed {

namespace embedded {
std::string_view EmbeddedFile(std::string_view name);
}

// The ledger row type of a correction run (docs/formats/correction.md). Stored: never rename.
inline constexpr std::string_view kLedgerTypeCorrection = "CORRECTION";

namespace fs = std::filesystem;

namespace {}  // namespace

Result<Correction> ParseCorrection(std::string_view text, const std::string& path,
                                   const std::string& rel_path) {
  Correction c;
  c.path = path;
  c.rel_path = rel_path;
  c.checksum = base::Sha256Hex(base::NormalizeText(text));
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::ParseToml(text, path));
  bool have_min = false, have_max = false;
  for (auto&& [k, n] : tbl) {
    std::string_view key = k.str();
    if (key == "id") {
      STRATA_ASSIGN_OR_RETURN(c.id, config::GetText(path, n, key));
    } else if (key == "reason") {
      STRATA_ASSIGN_OR_RETURN(c.reason, config::GetText(path, n, key));
    } else if (key == "ticket") {
      STRATA_ASSIGN_OR_RETURN(c.ticket, config::GetText(path, n, key));
    } else if (key == "approved_by") {
      STRATA_ASSIGN_OR_RETURN(c.approved_by, config::GetText(path, n, key));
    } else if (key == "table") {
      STRATA_ASSIGN_OR_RETURN(c.table, config::GetText(path, n, key));
    } else if (key == "key") {
      STRATA_ASSIGN_OR_RETURN(c.key, config::GetText(path, n, key));
    } else if (key == "where") {
      STRATA_ASSIGN_OR_RETURN(c.where, config::GetText(path, n, key));
      c.where_line = static_cast<int>(n.source().begin.line);
      c.where_column = static_cast<int>(n.source().begin.column);
    } else if (key == "sample") {
      STRATA_ASSIGN_OR_RETURN(auto v, config::GetInt(path, n, key));
      c.sample = static_cast<int>(std::clamp<std::int64_t>(v, 0, 1000));
    } else if (key == "set") {
      const toml::table* t = n.as_table();
      if (!t) return config::TomlError(path, n, "`set` must be a table of column = value");
      for (auto&& [k2, n2] : *t) {
        std::string col(k2.str());
        if (!IsPlainIdent(col)) {
          return config::TomlError(path, n2, fmt::format("`{}` is not a plain column name", col));
        }
        std::optional<std::string> v;
        if (auto s = n2.value<std::string>()) {
          v = *s;
        } else if (n2.is_integer()) {
          v = std::to_string(*n2.value<std::int64_t>());
        } else if (n2.is_floating_point()) {
          v = fmt::format("{}", *n2.value<double>());
        } else if (n2.is_boolean()) {
          v = *n2.value<bool>() ? "true" : "false";
        } else if (n2.is_date_time() || n2.is_date()) {
          STRATA_ASSIGN_OR_RETURN(v, config::GetText(path, n2, fmt::format("set.{}", col)));
        } else {
          return config::TomlError(path, n2,
                                   fmt::format("`set.{}` must be a string, number, boolean "
                                               "or date",
                                               col),
                                   "list columns to set to NULL in set_null = [\"...\"]");
        }
        c.set.emplace_back(col, std::move(v));
      }
    } else if (key == "set_null") {
      STRATA_ASSIGN_OR_RETURN(auto cols, config::GetStrings(path, n, key));
      for (auto& col : cols) c.set.emplace_back(col, std::nullopt);
    } else if (key == "expect") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, config::GetTable(path, n, key));
      for (auto&& [k2, n2] : *t) {
        if (k2.str() == "min_rows") {
          STRATA_ASSIGN_OR_RETURN(c.min_rows, config::GetInt(path, n2, "expect.min_rows"));
          have_min = true;
        } else if (k2.str() == "max_rows") {
          STRATA_ASSIGN_OR_RETURN(c.max_rows, config::GetInt(path, n2, "expect.max_rows"));
          have_max = true;
        } else {
          return config::UnknownKey(path, n2, "expect", k2.str(), {"min_rows", "max_rows"});
        }
      }
    } else {
      return config::UnknownKey(path, n, "", key,
                                {"id", "reason", "ticket", "approved_by", "table", "key", "where",
                                 "set", "set_null", "expect", "sample"});
    }
  }
  auto missing = [&](std::string_view what, std::string hint) {
    return Status(ErrorCode::kConfig, fmt::format("`{}` is missing", what))
        .WithSpan({path, 1, 0})
        .WithHint(std::move(hint));
  };
  if (c.id.empty())
    return missing("id", "give the correction a stable id, e.g. CORR-2026-07-QUOTE-STATE-001");
  if (fs::path(path).stem().string() != c.id) {
    return Status(ErrorCode::kConfig, fmt::format("id `{}` does not match the file name `{}`", c.id,
                                                  fs::path(path).filename().string()))
        .WithSpan({path, 1, 0})
        .WithHint(fmt::format("name the file {}.toml", c.id));
  }
  if (c.reason.empty())
    return missing("reason", "say which business defect this corrects (seed 003 §20.3)");
  if (c.approved_by.empty())
    return missing("approved_by", "name the business/data owner who approved it");
  auto not_plain = [&](std::string_view what, const std::string& value) {
    return Status(ErrorCode::kConfig,
                  fmt::format("{} = \"{}\" is not a plain SQL identifier", what, value))
        .WithSpan({path, 1, 0})
        .WithHint("use letters, digits and _ (at most 63), not starting with a digit");
  };
  if (c.table.empty())
    return missing("table", "name the target table, e.g. table = \"quote_revision\"");
  if (!IsPlainIdent(c.table)) return not_plain("table", c.table);
  if (c.key.empty())
    return missing("key", "name the column that identifies a row, e.g. key = \"id\"");
  if (!IsPlainIdent(c.key)) return not_plain("key", c.key);
  if (base::Trim(c.where).empty()) {
    return missing("where",
                   "give the predicate of the rows to correct; a correction is never "
                   "table-wide by accident");
  }
  if (c.set.empty()) return missing("set", "add [set] with the new column values");
  if (!have_min || !have_max) {
    return missing("expect.min_rows / expect.max_rows",
                   "state the expected row-count range; apply rolls back outside it");
  }
  if (c.min_rows < 0) {
    return Status(
               ErrorCode::kConfig,
               fmt::format("expect.min_rows = {} is negative: a correction changes 0 or more rows",
                           c.min_rows))
        .WithSpan({path, 1, 0})
        .WithHint("set 0 <= min_rows <= max_rows");
  }
  if (c.max_rows < c.min_rows) {
    return Status(ErrorCode::kConfig,
                  fmt::format("expect.max_rows = {} is below expect.min_rows = {}: no row count "
                              "could satisfy both",
                              c.max_rows, c.min_rows))
        .WithSpan({path, 1, 0})
        .WithHint("set 0 <= min_rows <= max_rows");
  }
  for (const auto& [col, v] : c.set) {
    if (col == c.key) {
      return Status(ErrorCode::kConfig,
                    fmt::format("the correction changes its key column `{}`", col))
          .WithSpan({path, 1, 0})
          .WithHint("identifiers are never changed by a correction (invariant 8)");
    }
  }
  return c;
}

Status CheckWhere(const Correction& c, db::Dialect dialect) {
  Status s = analysis::CheckFragment(c.where, analysis::FragmentKind::kExpression, dialect);
  if (s.ok()) return s;
  return Status(ErrorCode::kConfig, fmt::format("`where` is refused: {}", s.message()))
      .WithSpan({c.path, c.where_line, c.where_column})
      .WithHint(
          "write only the predicate of the rows to correct, e.g. where = \"state = 'BROKEN'\"; "
          "nothing of the correction ran");
}

Result<Correction> LoadCorrection(const Options& options, const std::string& id_or_path) {
  STRATA_ASSIGN_OR_RETURN(auto settings, LoadSettings(options));
  fs::path project = options.project_dir.empty() ? fs::path(".") : fs::path(options.project_dir);
  fs::path file;
  if (id_or_path.ends_with(".toml")) {
    file = id_or_path;
  } else {
    file = project / settings.corrections / (id_or_path + ".toml");
  }
  auto text = base::ReadFile(file.string());
  if (!text) {
    std::string known;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(project / settings.corrections, ec)) {
      if (e.path().extension() == ".toml") known += " " + e.path().stem().string();
    }
    return Status(ErrorCode::kUsage, fmt::format("no correction file {}", file.string()))
        .WithHint(known.empty() ? fmt::format("write {}/<id>.toml (docs/formats/correction.md)",
                                              settings.corrections)
                                : fmt::format("known corrections:{}", known));
  }
  std::error_code ec;
  std::string rel = fs::relative(file, project, ec).string();
  if (ec || rel.empty()) rel = file.string();
  return ParseCorrection(*text, file.string(), rel);
}

namespace {

struct Target {
  session::Session ctx;
  std::vector<ColumnInfo> cols;
  std::map<std::string, const ColumnInfo*> by_name;
  std::string table_sql;
};

std::string ImageExpr(const Target& t) {
  if (t.ctx.conn->dialect() == db::Dialect::kPostgres) {
    return fmt::format("CAST(to_jsonb({}) AS TEXT)", t.table_sql);
  }
  std::string args;
  for (const auto& c : t.cols) {
    args += fmt::format("{}'{}', {}", args.empty() ? "" : ", ", c.name, QuoteIdent(c.name));
  }
  return fmt::format("json_object({})", args);
}

Status CheckTarget(const Correction& c, Target& t) {
  STRATA_ASSIGN_OR_RETURN(t.cols, TableColumns(*t.ctx.conn, c.table));
  if (t.cols.empty()) {
    return Status(ErrorCode::kValidation, fmt::format("table `{}` does not exist", c.table))
        .WithSpan({c.path, 1, 0})
        .WithHint("fix `table`, or run `strata migrate` first");
  }
  for (const auto& col : t.cols) t.by_name[col.name] = &col;
  for (const auto& name : {c.key}) {
    if (!t.by_name.count(name)) {
      return Status(ErrorCode::kValidation,
                    fmt::format("`{}` is not a column of `{}`", name, c.table))
          .WithSpan({c.path, 1, 0})
          .WithHint("fix `key`");
    }
  }
  for (const auto& [name, v] : c.set) {
    if (!t.by_name.count(name)) {
      return Status(ErrorCode::kValidation,
                    fmt::format("`{}` is not a column of `{}`", name, c.table))
          .WithSpan({c.path, 1, 0})
          .WithHint("fix the [set] column name");
    }
  }
  t.table_sql = QuoteIdent(c.table);
  return Status::Ok();
}

Status EnsureTables(db::Connection& conn) {
  std::string_view ddl = embedded::EmbeddedFile(
      conn.dialect() == db::Dialect::kPostgres ? "postgres.sql" : "sqlite.sql");
  std::vector<std::string> stmts;
  std::string cur;
  for (auto line : base::SplitLines(ddl)) {
    if (base::Trim(line).starts_with("--")) continue;
    cur += std::string(line) + "\n";
    if (base::Trim(line).ends_with(";")) {
      stmts.push_back(cur);
      cur.clear();
    }
  }
  for (const auto& s : stmts) STRATA_TRY(conn.Exec(s));
  return Status::Ok();
}

Result<bool> TablesExist(db::Connection& conn) {
  return conn.TableExists("", "strata_correction_run");
}

// The latest applied `apply` run of `id` that no applied revert undoes; empty if none.
Result<std::string> ActiveRun(db::Connection& conn, const std::string& id) {
  STRATA_ASSIGN_OR_RETURN(bool exists, TablesExist(conn));
  if (!exists) return std::string();
  STRATA_ASSIGN_OR_RETURN(
      auto r, conn.Query("SELECT run_id FROM strata_correction_run r WHERE correction_id = $1 "
                         "AND kind = 'apply' AND outcome = 'applied' AND NOT EXISTS ("
                         "SELECT 1 FROM strata_correction_run v WHERE v.kind = 'revert' AND "
                         "v.outcome = 'applied' AND v.reverts_run = r.run_id) "
                         "ORDER BY started_at DESC LIMIT 1",
                         {id}));
  if (r.rows.empty()) return std::string();
  return r.rows[0][0].value_or("");
}

std::optional<std::string> JsonToBind(db::Dialect d, const ColumnInfo* col,
                                      const nlohmann::json& v) {
  if (v.is_null()) return std::nullopt;
  std::optional<std::string> s;
  if (v.is_string()) {
    s = v.get<std::string>();
  } else if (v.is_boolean()) {
    s = v.get<bool>() ? "true" : "false";
  } else {
    s = v.dump();
  }
  return BindValue(d, col, s);
}

nlohmann::json Overlay(const std::string& before, const Correction& c) {
  auto j = nlohmann::json::parse(before, nullptr, false);
  if (j.is_discarded()) return j;
  for (const auto& [col, v] : c.set) {
    if (!v) {
      j[col] = nullptr;
    } else if (j.contains(col) && j[col].is_number_integer()) {
      try {
        j[col] = std::stoll(*v);
      } catch (...) {
        j[col] = *v;
      }
    } else if (j.contains(col) && j[col].is_boolean()) {
      j[col] = (*v == "true" || *v == "1");
    } else {
      j[col] = *v;
    }
  }
  return j;
}

std::string ExecutedBy(db::Connection& conn) {
  std::string by = conn.DatabaseUser();
  return by.empty() ? base::OsUser() : by;
}

Status InsertRun(db::Connection& conn, const Correction& c, const CorrectionResult& res,
                 std::string_view outcome, std::int64_t rows, const std::string& message,
                 const std::string& by, const std::string& started) {
  auto opt = [](const std::string& v) { return v.empty() ? db::Value() : db::Value(v); };
  auto r = conn.Query(
      "INSERT INTO strata_correction_run (run_id, correction_id, kind, reverts_run, file, "
      "checksum, "
      "outcome, rows_changed, expected_min, expected_max, message, executed_by, started_at, "
      "finished_at, evidence_run) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
      "$14, $15)",
      {res.run_id, c.id, res.verb == "revert" ? std::string("revert") : std::string("apply"),
       opt(res.reverts_run), c.rel_path, c.checksum, std::string(outcome), std::to_string(rows),
       std::to_string(c.min_rows), std::to_string(c.max_rows), message, by, started,
       base::NowIso8601(), opt(res.evidence_run_id)});
  return r.status();
}

// The evidence run record (strata_run) of a correction run: started before the transaction,
// finished with its outcome after commit or rollback.
class Recorder {
 public:
  Status Start(db::Connection& conn, const Options& options, CorrectionResult& res) {
    STRATA_ASSIGN_OR_RETURN(
        rec_, session::RunRecorder::Start(conn, options, "correct " + res.verb, res.target));
    res.evidence_run_id = rec_->run_id();
    return Status::Ok();
  }
  void Finish(const Status& status, const Correction& c, CorrectionResult& res) {
    if (!rec_) return;
    nlohmann::json detail = {{"correction", c.id},
                             {"file", c.rel_path},
                             {"checksum", c.checksum},
                             {"table", c.table},
                             {"rows", res.count},
                             {"correction_run", res.run_id},
                             {"expected", {c.min_rows, c.max_rows}}};
    if (!res.reverts_run.empty()) detail["reverts_run"] = res.reverts_run;
    if (Status w = rec_->Finish(status, detail.dump()); !w.ok()) {
      res.warnings.push_back("the run record could not be finished: " + w.ToString());
    }
  }

 private:
  std::unique_ptr<session::RunRecorder> rec_;
};

Status InsertAudit(db::Connection& conn, const Correction& c, const std::string& run_id,
                   std::string_view kind, const std::string& key, const std::string& before,
                   const std::string& after, const std::string& by, const std::string& at) {
  auto r = conn.Query(
      "INSERT INTO strata_correction_audit (id, correction_id, target_table, target_id, "
      "before_value, after_value, reason, approved_by, executed_by, executed_at, run_id, kind, "
      "ticket) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      {NewUuid(), c.id, c.table, key, before, after, c.reason, c.approved_by, by, at, run_id,
       std::string(kind), c.ticket.empty() ? db::Value() : db::Value(c.ticket)});
  return r.status();
}

Status AppendLedger(session::Session& ctx, const Correction& c, std::string_view kind,
                    const std::string& run_id, std::int64_t rows, const std::string& by,
                    std::int64_t elapsed) {
  migrate::AppliedRow row;
  row.description = kind == "apply" ? c.id : fmt::format("{} (revert)", c.id);
  row.type = std::string(kLedgerTypeCorrection);
  row.script = c.rel_path;
  row.checksum = c.checksum;
  row.installed_by = by;
  row.installed_on = base::NowIso8601();
  row.execution_time_ms = elapsed;
  row.success = true;
  row.statements_done = static_cast<int>(rows);
  row.reason = fmt::format("{}: {} row(s) of {}; run {}; approved by {}; {}", kind, rows, c.table,
                           run_id, c.approved_by, c.reason);
  return ctx.ledger->Append(row);
}

// Opens the database into `t`, (for writes) takes the lock and checks the ledger, and checks
// the target. `lock` refers to t.ctx: the caller declares `t` before `lock`.
Status OpenTarget(const Options& options, const Correction& c, session::RunLock* lock,
                  CorrectionResult& res, Target& t) {
  STRATA_ASSIGN_OR_RETURN(t.ctx, session::Open(options, "correct"));
  res.target = t.ctx.url.redacted;
  if (lock) {
    STRATA_TRY(lock->Acquire(t.ctx, options.lock_wait, {}));
    STRATA_ASSIGN_OR_RETURN(bool ledger, t.ctx.ledger->Exists());
    if (!ledger) {
      return Status(ErrorCode::kValidation, fmt::format("{} has no ledger", res.target))
          .WithHint("run `strata migrate` first: corrections are recorded in the ledger");
    }
    STRATA_TRY(t.ctx.ledger->ReadAll().status());
    STRATA_TRY(EnsureTables(*t.ctx.conn));
  }
  return CheckTarget(c, t);
}

CorrectionResult Start(std::string verb, const Correction& c) {
  CorrectionResult res;
  res.verb = std::move(verb);
  res.correction_id = c.id;
  res.file = c.rel_path;
  res.reason = c.reason;
  res.ticket = c.ticket;
  res.approved_by = c.approved_by;
  res.table = c.table;
  res.min_rows = c.min_rows;
  res.max_rows = c.max_rows;
  return res;
}

// BEGIN, with PostgreSQL's lock_timeout so a correction never queues behind a long
// transaction on the target table (seed 001 §15), and standard_conforming_strings on: the
// reading of string literals CheckWhere's parse of `where` assumes.
Status BeginCorrection(db::Connection& conn, const Options& options) {
  STRATA_TRY(conn.Exec(conn.BeginSql()));
  if (conn.dialect() != db::Dialect::kPostgres) return Status::Ok();
  STRATA_TRY(conn.Exec("SET LOCAL standard_conforming_strings = on"));
  return conn.Exec(fmt::format("SET LOCAL lock_timeout = '{}ms'", options.lock_timeout.count()));
}

Status OutOfRange(const Correction& c, std::int64_t n, bool rolled_back) {
  return Status(ErrorCode::kCheckFailed,
                fmt::format("correction {} matches {} row(s) of {}, outside the expected {}..{}{}",
                            c.id, n, c.table, c.min_rows, c.max_rows,
                            rolled_back ? "; rolled back, nothing changed" : ""))
      .WithSpan({c.path, 1, 0})
      .WithHint(
          "check the predicate with `strata correct plan`; if the data really changed, "
          "update [expect] and have it re-approved");
}

// A write verb (apply, revert) in progress: the correction, its open and locked target, the
// result being filled, and the executor and start time of its audit and run rows.
struct Write {
  const Correction& c;
  Target& t;
  db::Connection& conn;
  CorrectionResult& res;
  std::string by;
  std::string started;
  db::QueryResult audit;  // revert: the audit rows of the run it undoes
};

// The correction as the UPDATE it is (values are data: NULL stands in), through the identifier
// gate (lint/identifier_gate.h).
Status RefuseIdentifierChange(const Options& options, const Correction& c, db::Connection& conn) {
  std::string sets;
  for (const auto& [col, value] : c.set) {
    sets += (sets.empty() ? "" : ", ") + QuoteIdent(col) + " = NULL";
  }
  return lint::RefuseIdentifierChanges(
      options, fmt::format("UPDATE {} SET {} WHERE ({})", c.table, sets, c.where),
      {c.path, c.where_line, c.where_column}, "correct apply", &conn);
}

// Records a refused write as a 'rolled-back' run in its own transaction: the refusal is itself
// evidence. A failure to record becomes a warning.
void RecordRolledBack(Write& w) {
  Status rec = w.conn.Exec(w.conn.BeginSql());
  if (rec.ok()) {
    rec = InsertRun(w.conn, w.c, w.res, "rolled-back", w.res.count,
                    fmt::format("{} row(s) outside the expected {}..{}", w.res.count, w.c.min_rows,
                                w.c.max_rows),
                    w.by, w.started);
  }
  rec = rec.ok() ? w.conn.Exec("COMMIT") : rec;
  if (!rec.ok()) {
    (void)w.conn.Exec("ROLLBACK");
    w.res.warnings.push_back("the rolled-back run could not be recorded: " + rec.ToString());
  }
}

// The frame `correct apply` and `correct revert` share. Loads correction `id`, opens its
// target under the migration lock and finds its active run, which `check` may refuse (nothing
// is recorded then). Then starts the evidence run record, BEGINs and calls `change`, which
// changes the rows, writes their audit rows, fills res.sample and res.count, and returns the
// message of the run row; the run row, the ledger row and COMMIT follow. Any error rolls the
// transaction back (nothing changed) and is the result's status; a write that counted rows
// outside [expect] is also recorded as a 'rolled-back' run.
CorrectionResult RunWrite(const Options& options, const std::string& id, const std::string& verb,
                          Status (*check)(Write&, const std::string&),
                          Result<std::string> (*change)(Write&)) {
  CorrectionResult res;
  res.verb = verb;
  auto c = LoadCorrection(options, id);
  if (!c) {
    res.status = c.error();
    return res;
  }
  res = Start(verb, *c);
  Target t;  // before `lock`, which refers to t.ctx
  session::RunLock lock;
  if (Status s = OpenTarget(options, *c, &lock, res, t); !s.ok()) {
    res.status = std::move(s);
    return res;
  }
  db::Connection& conn = *t.ctx.conn;
  auto run = ActiveRun(conn, c->id);
  if (!run) {
    res.status = run.error();
    return res;
  }
  Write w{*c, t, conn, res, ExecutedBy(conn), "", {}};
  Status checked = check(w, *run);
  // Identifier contracts (db/identifiers.toml): a correction that rewrites an id is refused.
  if (checked.ok() && verb == "apply") checked = RefuseIdentifierChange(options, *c, conn);
  if (!checked.ok()) {
    res.status = std::move(checked);
    return res;
  }
  w.started = base::NowIso8601();
  const auto t0 = base::MonotonicMillis();
  res.run_id = NewUuid();
  Recorder recorder;
  if (Status s = recorder.Start(conn, options, res); !s.ok()) {
    res.status = std::move(s);
    return res;
  }
  // Identifier contracts on the table (identifiers/record.h): a correction updates rows, so no
  // contracted id may appear, vanish or change; digests before and after in the evidence.
  auto guard =
      identifiers::GuardTable(options, c->table, {}, res.evidence_run_id, "correct " + verb);
  if (!guard) {
    res.status = guard.error();
    recorder.Finish(res.status, *c, res);
    return res;
  }
  Status s = BeginCorrection(conn, options);
  if (s.ok()) {
    Result<std::string> message = change(w);
    s = message.status();
    if (s.ok()) s = InsertRun(conn, *c, res, "applied", res.count, *message, w.by, w.started);
  }
  if (s.ok()) {
    s = AppendLedger(t.ctx, *c, verb, res.run_id, res.count, w.by, base::MonotonicMillis() - t0);
  }
  if (s.ok()) s = conn.Exec("COMMIT");
  if (s.ok()) {
    res.applied = true;
  } else {
    (void)conn.Exec("ROLLBACK");
    t.ctx.ledger->Rewind();
    res.sample.clear();
    if (res.counted && !res.in_range) RecordRolledBack(w);
    res.status = std::move(s);
  }
  if (*guard) {
    if (Status v = (*guard)->End(res.status); !v.ok() && res.status.ok()) res.status = v;
  }
  recorder.Finish(res.status, *c, res);
  return res;
}

}  // namespace

CorrectionResult CorrectPlanCmd(const Options& options, const std::string& id) {
  CorrectionResult res;
  res.verb = "plan";
  auto c = LoadCorrection(options, id);
  if (!c) {
    res.status = c.error();
    return res;
  }
  res = Start("plan", *c);
  Target target;
  Target* t = &target;
  if (Status s = OpenTarget(options, *c, nullptr, res, target); !s.ok()) {
    res.status = std::move(s);
    return res;
  }
  db::Connection& conn = *t->ctx.conn;
  auto prev = ActiveRun(conn, c->id);
  if (!prev) {
    res.status = prev.error();
    return res;
  }
  res.previous_run = *prev;
  if (Status s = CheckWhere(*c, conn.dialect()); !s.ok()) {
    res.status = std::move(s);
    return res;
  }
  // The predicate and the sample run read-only; the scope is rolled back when it ends.
  auto read_only = verify::ReadOnlyScope::Begin(conn);
  if (!read_only) {
    res.status = read_only.error();
    return res;
  }
  auto cnt =
      conn.Query(fmt::format("SELECT count(*) FROM {} WHERE (\n{}\n)", t->table_sql, c->where));
  if (!cnt) {
    res.status =
        Status(cnt.error().code(), fmt::format("the predicate failed: {}", cnt.error().message()))
            .WithSpan({c->path, c->where_line, c->where_column})
            .WithSqlState(cnt.error().sqlstate())
            .WithHint("fix `where`: it is SQL evaluated against the target table");
    return res;
  }
  res.count = std::stoll(cnt->rows.at(0).at(0).value_or("0"));
  res.counted = true;
  res.in_range = res.count >= c->min_rows && res.count <= c->max_rows;
  auto sample = conn.Query(fmt::format(
      "SELECT CAST({} AS TEXT), {} FROM {} WHERE (\n{}\n) ORDER BY {} "
      "LIMIT {}",
      QuoteIdent(c->key), ImageExpr(*t), t->table_sql, c->where, QuoteIdent(c->key), c->sample));
  if (!sample) {
    res.status = sample.error();
    return res;
  }
  for (const auto& r : sample->rows) {
    std::string before = r[1].value_or("null");
    res.sample.push_back({r[0].value_or(""), before, Overlay(before, *c).dump()});
  }
  if (Status s = read_only->End(); !s.ok()) {
    res.status = std::move(s);
    return res;
  }
  if (!res.previous_run.empty()) {
    res.status =
        Status(ErrorCode::kValidation,
               fmt::format("correction {} was already applied (run {})", c->id, res.previous_run))
            .WithHint(fmt::format("a correction applies once; to undo it run `strata "
                                  "correct revert {}`",
                                  c->id));
  } else if (!res.in_range) {
    res.status = OutOfRange(*c, res.count, false);
  }
  return res;
}

namespace {

// Refuses an apply of a correction that is already applied.
Status ApplyCheck(Write& w, const std::string& active_run) {
  STRATA_TRY(CheckWhere(w.c, w.conn.dialect()));
  if (active_run.empty()) return Status::Ok();
  return Status(ErrorCode::kValidation,
                fmt::format("correction {} was already applied (run {})", w.c.id, active_run))
      .WithHint(fmt::format("a correction applies once; to undo it run `strata "
                            "correct revert {}`",
                            w.c.id));
}

// Changes the rows the correction selects, keeping before and after images in the audit.
Result<std::string> ApplyRows(Write& w) {
  const Correction& c = w.c;
  db::Connection& conn = w.conn;
  Target& t = w.t;
  CorrectionResult& res = w.res;
  const bool pg = conn.dialect() == db::Dialect::kPostgres;
  // Before images, locked against concurrent change on PostgreSQL.
  auto before = conn.Query(fmt::format("SELECT CAST({} AS TEXT), {} FROM {} WHERE (\n{}\n){}",
                                       QuoteIdent(c.key), ImageExpr(t), t.table_sql, c.where,
                                       pg ? " FOR UPDATE" : ""));
  if (!before) {
    return Status(before.error().code(),
                  fmt::format("the predicate failed: {}", before.error().message()))
        .WithSpan({c.path, c.where_line, c.where_column})
        .WithSqlState(before.error().sqlstate())
        .WithHint("fix `where`: it is SQL evaluated against the target table");
  }
  const auto n = static_cast<std::int64_t>(before->rows.size());
  res.count = n;
  res.counted = true;
  res.in_range = n >= c.min_rows && n <= c.max_rows;
  if (!res.in_range) return OutOfRange(c, n, true);
  std::map<std::string, std::string> before_by_key;
  for (const auto& r : before->rows) before_by_key[r[0].value_or("")] = r[1].value_or("null");
  if (before_by_key.size() != before->rows.size()) {
    return Status(ErrorCode::kValidation,
                  fmt::format("key `{}` is not unique among the selected rows", c.key))
        .WithSpan({c.path, 1, 0})
        .WithHint("key names the column that identifies one row (usually the primary key)");
  }
  std::string sets;
  std::vector<db::Value> params;
  for (const auto& [col, v] : c.set) {
    params.push_back(BindValue(conn.dialect(), t.by_name[col], v));
    sets += fmt::format("{}{} = ${}", sets.empty() ? "" : ", ", QuoteIdent(col), params.size());
  }
  auto upd =
      conn.Query(fmt::format("UPDATE {} SET {} WHERE (\n{}\n) RETURNING CAST({} AS TEXT), {}",
                             t.table_sql, sets, c.where, QuoteIdent(c.key), ImageExpr(t)),
                 params);
  if (!upd) {
    return Status(upd.error().code(), fmt::format("the update failed: {}", upd.error().message()))
        .WithSpan({c.path, 1, 0})
        .WithSqlState(upd.error().sqlstate())
        .WithHint("rolled back, nothing changed; fix [set] or `where` and rerun");
  }
  if (upd->rows.size() != before->rows.size()) {
    return Status(ErrorCode::kValidation,
                  fmt::format("{} row(s) were selected but {} updated (rows changed "
                              "concurrently)",
                              before->rows.size(), upd->rows.size()))
        .WithHint("rolled back, nothing changed; rerun `strata correct apply`");
  }
  const std::string at = base::NowIso8601();
  for (const auto& r : upd->rows) {
    std::string key = r[0].value_or("");
    auto it = before_by_key.find(key);
    if (it == before_by_key.end()) {
      return Status(ErrorCode::kValidation,
                    fmt::format("row {} was updated but not selected (changed concurrently)", key))
          .WithHint("rolled back, nothing changed; rerun `strata correct apply`");
    }
    std::string after = r[1].value_or("null");
    STRATA_TRY(InsertAudit(conn, c, res.run_id, "apply", key, it->second, after, w.by, at));
    res.sample.push_back({key, it->second, after});
  }
  return c.reason;
}

}  // namespace

CorrectionResult CorrectApplyCmd(const Options& options, const std::string& id) {
  return RunWrite(options, id, "apply", ApplyCheck, ApplyRows);
}

namespace {

// Refuses a revert without an applied run; reads the audit rows of the run it undoes.
Status RevertCheck(Write& w, const std::string& active_run) {
  if (active_run.empty()) {
    return Status(ErrorCode::kValidation,
                  fmt::format("correction {} has no applied run to revert", w.c.id))
        .WithHint("`strata correct plan " + w.c.id + "` shows its state");
  }
  w.res.reverts_run = active_run;
  STRATA_ASSIGN_OR_RETURN(
      w.audit, w.conn.Query("SELECT target_id, CAST(before_value AS TEXT), CAST(after_value AS "
                            "TEXT) FROM strata_correction_audit WHERE run_id = $1 AND kind = "
                            "'apply' ORDER BY target_id",
                            {active_run}));
  return Status::Ok();
}

// Restores each row's before image, unless the row changed since the apply.
Result<std::string> RevertRows(Write& w) {
  const Correction& c = w.c;
  db::Connection& conn = w.conn;
  Target& t = w.t;
  CorrectionResult& res = w.res;
  const db::Dialect d = conn.dialect();
  const bool pg = d == db::Dialect::kPostgres;
  const std::string image = ImageExpr(t);
  const std::string at = base::NowIso8601();
  std::vector<std::string> changed_since;
  for (const auto& a : w.audit.rows) {
    std::string key = a[0].value_or("");
    std::string orig_before = a[1].value_or("null"), orig_after = a[2].value_or("null");
    STRATA_ASSIGN_OR_RETURN(
        auto cur, conn.Query(fmt::format("SELECT {} FROM {} WHERE {} = $1{}", image, t.table_sql,
                                         QuoteIdent(c.key), pg ? " FOR UPDATE" : ""),
                             {BindValue(d, t.by_name[c.key], key)}));
    auto jb = nlohmann::json::parse(orig_before, nullptr, false);
    auto ja = nlohmann::json::parse(orig_after, nullptr, false);
    if (cur.rows.empty() ||
        nlohmann::json::parse(cur.rows[0][0].value_or("null"), nullptr, false) != ja) {
      changed_since.push_back(key);
      continue;
    }
    std::string sets;
    std::vector<db::Value> params;
    if (jb.is_object()) {
      for (auto& [col, v] : jb.items()) {
        if (ja.contains(col) && ja[col] == v) continue;
        auto it = t.by_name.find(col);
        if (it == t.by_name.end()) continue;
        params.push_back(JsonToBind(d, it->second, v));
        sets += fmt::format("{}{} = ${}", sets.empty() ? "" : ", ", QuoteIdent(col), params.size());
      }
    }
    std::string restored = cur.rows[0][0].value_or("null");
    if (!sets.empty()) {
      params.push_back(BindValue(d, t.by_name[c.key], key));
      STRATA_ASSIGN_OR_RETURN(
          auto upd,
          conn.Query(fmt::format("UPDATE {} SET {} WHERE {} = ${} RETURNING {}", t.table_sql, sets,
                                 QuoteIdent(c.key), params.size(), image),
                     params));
      if (upd.rows.size() != 1) {
        return Status(ErrorCode::kValidation, fmt::format("row {} vanished during revert", key));
      }
      restored = upd.rows[0][0].value_or("null");
    }
    if (nlohmann::json::parse(restored, nullptr, false) != jb) {
      return Status(ErrorCode::kCheckFailed,
                    fmt::format("row {} does not equal its before image after the revert", key))
          .WithHint(
              "rolled back; the table's columns may have changed since the "
              "correction — restore by hand from strata_correction_audit");
    }
    STRATA_TRY(InsertAudit(conn, c, res.run_id, "revert", key, orig_after, restored, w.by, at));
    res.sample.push_back({key, orig_after, restored});
  }
  if (!changed_since.empty()) {
    std::string keys;
    for (size_t i = 0; i < changed_since.size() && i < 5; ++i) keys += " " + changed_since[i];
    return Status(ErrorCode::kValidation,
                  fmt::format("{} row(s) changed since correction {} was applied (e.g.{}); "
                              "reverting would overwrite those changes",
                              changed_since.size(), c.id, keys))
        .WithHint(
            "rolled back, nothing changed; write a new correction for these rows "
            "instead");
  }
  res.count = static_cast<std::int64_t>(res.sample.size());
  res.counted = true;
  res.in_range = true;
  return fmt::format("revert of run {}", res.reverts_run);
}

}  // namespace

CorrectionResult CorrectRevertCmd(const Options& options, const std::string& id) {
  return RunWrite(options, id, "revert", RevertCheck, RevertRows);
}

}  // namespace strata::seed
