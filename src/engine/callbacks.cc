#include "engine/callbacks.h"

#include "base/duration.h"
#include "engine/plan.h"

#include <fmt/format.h>

namespace strata::engine {

namespace {

// The callback as a migration Prepare understands (a repeatable one: no version).
migrate::Migration AsMigration(const migrate::Callback& c) {
  migrate::Migration m;
  m.kind = migrate::Kind::kRepeatable;
  m.description = c.description.empty() ? c.event : c.description;
  m.script = c.script;
  m.path = c.path;
  m.location = c.location;
  m.text = c.text;
  m.checksum = c.checksum;
  return m;
}

Status RunPrepared(db::Connection& conn, const Options& options, const migrate::Callback& c,
                   const PreparedMigration& p) {
  const bool tx = p.settings.transactional;
  if (tx) {
    STRATA_TRY(conn.Exec(conn.BeginSql()));
    for (const auto& s : SessionSettings(p, conn.dialect(), options, /*local=*/true)) {
      if (Status st = conn.Exec(s); !st.ok()) {
        (void)conn.Exec("ROLLBACK");
        return st;
      }
    }
  }
  for (size_t i = 0; i < p.statements.size(); ++i) {
    const auto& s = p.statements[i];
    db::BatchResult br = s.copy_in ? conn.CopyIn(s.sql, s.copy_data)
                                   : conn.ExecBatch({std::string_view(s.sql)}, false);
    if (br.status.ok()) continue;
    if (tx && conn.Alive()) (void)conn.Exec("ROLLBACK");
    return Status(ErrorCode::kMigrationFailed,
                  fmt::format("{} callback {} failed at statement {}: {}", c.event, c.script, i + 1,
                              br.status.message()))
        .WithSpan({c.path, s.line, s.column})
        .WithHint(tx ? "the callback was rolled back; fix it and rerun `strata migrate`"
                     : fmt::format("its statements before {} ran (transaction off); fix it and "
                                   "rerun `strata migrate`",
                                   i + 1));
  }
  if (tx) STRATA_TRY(conn.Exec("COMMIT"));
  return Status::Ok();
}

}  // namespace

bool Callbacks::Has(std::string_view event) const {
  for (const auto& c : callbacks_) {
    if (c.event == event) return true;
  }
  return false;
}

Status Callbacks::Run(std::string_view event, const std::string& migration) {
  for (const auto& c : callbacks_) {
    if (c.event != event) continue;
    migrate::Migration m = AsMigration(c);
    STRATA_ASSIGN_OR_RETURN(auto p, Prepare(m, ctx_.conn->dialect(), options_));
    CallbackRun run;
    run.event = c.event;
    run.script = c.script;
    run.checksum = c.checksum;
    run.migration = migration;
    auto start = base::MonotonicMillis();
    Status s = RunPrepared(*ctx_.conn, options_, c, p);
    run.elapsed_ms = base::MonotonicMillis() - start;
    run.ok = s.ok();
    ran_.push_back(std::move(run));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<std::string> CallbackDryRun(const std::vector<migrate::Callback>& callbacks,
                                   std::string_view event, db::Dialect dialect,
                                   const Options& options) {
  std::string out;
  for (const auto& c : callbacks) {
    if (c.event != event) continue;
    migrate::Migration m = AsMigration(c);
    STRATA_ASSIGN_OR_RETURN(auto p, Prepare(m, dialect, options));
    out += fmt::format("-- callback {} ({}{})\n", c.script, c.event,
                       p.settings.transactional ? "" : ", transaction off");
    for (const auto& s : p.statements) out += s.display_sql + ";\n";
    out += "\n";
  }
  return out;
}

nlohmann::json CallbacksDetail(const std::vector<CallbackRun>& ran) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : ran) {
    nlohmann::json j = {{"event", r.event},
                        {"script", r.script},
                        {"checksum", r.checksum},
                        {"ok", r.ok},
                        {"elapsed_ms", r.elapsed_ms}};
    if (!r.migration.empty()) j["migration"] = r.migration;
    arr.push_back(std::move(j));
  }
  return {{"callbacks", arr}};
}

}  // namespace strata::engine
