#include "report/render.h"

#include "base/ansi.h"
#include "base/duration.h"
#include "base/redact.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iterator>

namespace strata::report {

using nlohmann::json;

namespace {
void RedactStrings(json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (base::MayHoldSecret(s)) j = base::RedactSecrets(s);
  } else if (j.is_structured()) {
    for (auto& el : j) RedactStrings(el);
  }
}
}  // namespace

std::string Dump(json j) {
  RedactStrings(j);
  return j.dump(2);
}

json StatusJson(const Status& s) {
  if (s.ok()) return nullptr;
  auto or_null = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  auto num_or_null = [](int v) { return v > 0 ? json(v) : json(nullptr); };
  return {{"code", std::string(ErrorCodeName(s.code()))},
          {"exit_code", ExitCodeFor(s.code())},
          {"message", base::RedactSecrets(s.message())},
          {"hint", or_null(base::RedactSecrets(s.hint()))},
          {"file", or_null(s.span().file)},
          {"line", num_or_null(s.span().line)},
          {"column", num_or_null(s.span().column)},
          {"sqlstate", or_null(s.sqlstate())}};
}

json Envelope(json j, const Status& s) {
  if (!j.is_object()) j = json{{"result", std::move(j)}};
  if (!j.contains("ok") || !j["ok"].is_boolean()) j["ok"] = s.ok();
  if (!s.ok()) {
    j["ok"] = false;
    j["error"] = StatusJson(s);
  } else if (!j.contains("error") || !j["error"].is_object()) {
    j["error"] = nullptr;
  } else {
    // A verb's own error object (not ok without a failed status): same keys as StatusJson.
    for (const char* k :
         {"code", "exit_code", "message", "hint", "file", "line", "column", "sqlstate"}) {
      if (!j["error"].contains(k)) j["error"][k] = nullptr;
    }
  }
  return j;
}

static json ChecksJson(const std::vector<CheckResult>& checks) {
  json out = json::array();
  for (const auto& c : checks) {
    json j = {{"phase", c.phase},          {"file", c.file},         {"line", c.line},
              {"query", c.query},          {"expected", c.expected}, {"ok", c.ok},
              {"elapsed_ms", c.elapsed_ms}};
    j["value"] = c.value ? json(*c.value) : json(nullptr);
    if (!c.name.empty()) j["name"] = c.name;
    if (c.skipped) j["skipped"] = true;
    if (!c.message.empty()) j["message"] = c.message;
    out.push_back(std::move(j));
  }
  return out;
}

json ToJson(const MigrateResult& r) {
  json applied = json::array();
  for (const auto& a : r.applied) {
    applied.push_back({{"version", a.version},
                       {"description", a.description},
                       {"script", a.script},
                       {"type", a.type},
                       {"checksum", a.checksum},
                       {"transactional", a.transactional},
                       {"statements", a.statements},
                       {"attempts", a.attempts},
                       {"execution_time_ms", a.execution_time_ms},
                       {"rows_affected", a.rows_affected},
                       {"lock_wait_ms", a.lock_wait_ms},
                       {"lint_allowed", a.lint_allowed},
                       {"checks", ChecksJson(a.checks)}});
    if (a.resumed_at > 0) applied.back()["resumed_at"] = a.resumed_at;
  }
  json lint = {{"ran", r.lint.ran}};
  if (!r.lint.skipped.empty()) lint["skipped"] = r.lint.skipped;
  if (r.lint.ran) {
    json blocking = json::array();
    for (const auto& f : r.lint.blocking) {
      json fj = {{"file", f.file},       {"line", f.line},      {"column", f.column},
                 {"rule_id", f.rule_id}, {"rule", f.rule_name}, {"severity", f.severity},
                 {"message", f.message}, {"help", f.help}};
      if (!f.size_note.empty()) fj["size"] = f.size_note;
      blocking.push_back(std::move(fj));
    }
    json accepted = json::array();
    for (const auto& a : r.lint.accepted) {
      accepted.push_back({{"script", a.script},
                          {"line", a.line},
                          {"rules", a.rules},
                          {"reason", a.reason},
                          {"suppressed", a.suppressed}});
    }
    lint["gate"] = r.lint.gate;
    lint["pg_version"] = r.lint.pg_version;
    lint["live"] = r.lint.live;
    lint["blocking"] = std::move(blocking);
    lint["accepted"] = std::move(accepted);
    lint["findings_below_gate"] = r.lint.findings_below_gate;
  }
  json j = {{"ok", r.status.ok()},
            {"target", r.target},
            {"run_id", r.run_id.empty() ? json(nullptr) : json(r.run_id)},
            {"pending", r.pending},
            {"applied", applied},
            {"warnings", r.warnings},
            {"changes_completed", r.changes_completed},
            {"lint", std::move(lint)},
            {"error", StatusJson(r.status)}};
  if (!r.dry_run_sql.empty() || r.pending == 0) j["dry_run_sql"] = r.dry_run_sql;
  json callbacks = json::array();
  for (const auto& c : r.callbacks) {
    callbacks.push_back({{"event", c.event},
                         {"script", c.script},
                         {"checksum", c.checksum},
                         {"migration", c.migration},
                         {"elapsed_ms", c.elapsed_ms},
                         {"ok", c.ok}});
  }
  j["callbacks"] = std::move(callbacks);
  return j;
}

json ToJson(const InfoResult& r) {
  json ms = json::array();
  for (const auto& m : r.migrations) {
    json row = {{"version", m.version.empty() ? json(nullptr) : json(m.version)},
                {"description", m.description},
                {"type", m.type},
                {"script", m.script},
                {"state", m.state},
                {"checksum", m.checksum},
                {"installed_on", m.installed_on.empty() ? json(nullptr) : json(m.installed_on)}};
    if (!m.installed_by.empty()) row["installed_by"] = m.installed_by;
    if (m.execution_time_ms >= 0) row["execution_time_ms"] = m.execution_time_ms;
    if (m.checksum_mismatch) row["checksum_mismatch"] = true;
    if (!m.note.empty()) row["note"] = m.note;
    ms.push_back(std::move(row));
  }
  json changes = json::array();
  for (const auto& c : r.changes) {
    changes.push_back({{"name", c.name},
                       {"file", c.file},
                       {"phase", c.phase},
                       {"since", c.since},
                       {"tables", c.tables},
                       {"backfill", c.backfill},
                       {"running", c.running},
                       {"next_step", c.next_step}});
  }
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"migrations", ms},
          {"open_changes", changes},
          {"error", StatusJson(r.status)}};
}

json ToJson(const ValidateResult& r) {
  json issues = json::array();
  for (const auto& i : r.issues) {
    issues.push_back(
        {{"kind", i.kind}, {"script", i.script}, {"message", i.message}, {"hint", i.hint}});
  }
  return {{"ok", r.status.ok()},          {"target", r.target},
          {"checked", r.checked},         {"issues", issues},
          {"ledger_rows", r.ledger_rows}, {"ledger_head", r.ledger_head},
          {"error", StatusJson(r.status)}};
}

json ToJson(const RepairResult& r) {
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"actions", r.actions},
          {"error", StatusJson(r.status)}};
}

json ToJson(const BaselineResult& r) {
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"version", r.version},
          {"skipped", r.skipped},
          {"error", StatusJson(r.status)}};
}

json ToJson(const HashResult& r) {
  return {{"ok", r.status.ok()},
          {"written", r.written},
          {"checked", r.checked},
          {"migrations", r.migrations},
          {"error", StatusJson(r.status)}};
}

json ToJson(const WaitResult& r) {
  return {{"ok", r.status.ok()},    {"target", r.target},       {"ready", r.status.ok()},
          {"attempts", r.attempts}, {"waited_ms", r.waited_ms}, {"error", StatusJson(r.status)}};
}

json ToJson(const Event& e) {
  json j = {{"event", e.Name()}};
  if (e.migration) {
    const auto& m = *e.migration;
    if (!m.script.empty()) j["script"] = m.script;
    if (!m.version.empty()) j["version"] = m.version;
    if (m.statements) j["statements"] = m.statements;
    if (m.count) {
      j["migration"] = m.index + 1;
      j["migrations"] = m.count;
    }
  }
  // Each kind's fields under the names docs/json.md gives them (kept from before events were
  // typed: `message` carries the lock's holder, a retry's reason, an error or a notice).
  auto elapsed = [&j](std::int64_t ms) {
    if (ms) j["elapsed_ms"] = ms;
  };
  auto attempts = [&j](int n) {
    if (n) j["attempt"] = n;
  };
  auto message = [&j](const std::string& text) {
    if (!text.empty()) j["message"] = base::RedactSecrets(text);
  };
  std::visit(Overloaded{
                 [&](const Event::LockWaiting& w) { message(w.holder); },
                 [](const Event::LockAcquired&) {},
                 [](const Event::MigrationStarted&) {},
                 [&](const Event::StatementDone& d) {
                   j["statement"] = d.index + 1;
                   if (d.rows >= 0) j["rows"] = d.rows;
                   elapsed(d.elapsed_ms);
                 },
                 [&](const Event::MigrationDone& d) {
                   elapsed(d.elapsed_ms);
                   attempts(d.attempts);
                 },
                 [&](const Event::MigrationFailed& f) {
                   elapsed(f.elapsed_ms);
                   attempts(f.attempts);
                   message(f.error);
                 },
                 [&](const Event::Retry& r) {
                   j["statement"] = r.statement + 1;
                   elapsed(r.backoff_ms);
                   attempts(r.attempt);
                   message(r.why);
                 },
                 [&](const Event::Notice& n) { message(n.text); },
                 [&](const Event::CheckDone& c) {
                   message(c.failure);
                   j["phase"] = c.phase;
                   if (!c.name.empty()) j["name"] = c.name;
                   j["file"] = c.file;
                   j["line"] = c.line;
                   j["ok"] = c.ok;
                   j["value"] = c.value ? json(base::RedactSecrets(*c.value)) : json(nullptr);
                   j["expected"] = c.expected;
                   j["elapsed_ms"] = c.elapsed_ms;
                 },
                 [&](const Event::StatementObserved& o) {
                   if (o.index >= 0) j["statement"] = o.index + 1;
                 },
             },
             e.data);
  return j;
}

std::string ErrorText(const Status& s) {
  if (s.ok()) return {};
  std::string out;
  if (!s.span().empty()) out += s.span().ToString() + ": ";
  out += fmt::format("error[{}]: {}", ErrorCodeName(s.code()), s.message());
  // A SQLite result code is not a SQLSTATE: it is named as SQLite's, unless the message
  // already names it (an extended code, "(SQLITE_CONSTRAINT_NOTNULL)").
  if (s.sqlstate().rfind("SQLITE_", 0) == 0) {
    if (s.message().find(s.sqlstate()) == std::string::npos) {
      out += fmt::format(" (SQLite result code {})", s.sqlstate());
    }
  } else if (!s.sqlstate().empty()) {
    out += fmt::format(" (SQLSTATE {})", s.sqlstate());
  }
  out += "\n";
  if (!s.hint().empty()) out += fmt::format("  next: {}\n", s.hint());
  return base::RedactSecrets(out);
}

std::string ToText(const MigrateResult& r) { return ToText(r, /*list_applied=*/true); }

std::string ToText(const MigrateResult& r, bool list_applied) {
  std::string out;
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  for (const auto& f : r.lint.blocking) {
    out += fmt::format("{}:{}:{}: {}[{}]: {}{}\n  fix: {} [{}]\n", f.file, f.line, f.column,
                       f.severity, f.rule_id, f.message,
                       f.size_note.empty() ? "" : " (" + f.size_note + ")", f.help, f.rule_name);
  }
  for (const auto& a : r.lint.accepted) {
    out += fmt::format("lint: {} line {}: allowed {} ({}), recorded in the ledger\n", a.script,
                       a.line, fmt::join(a.rules, ","), a.reason);
  }
  if (!r.dry_run_sql.empty()) return base::RedactSecrets(out + r.dry_run_sql);
  for (const auto& a : r.applied) {
    std::string notes =
        fmt::format("{}{}{}", a.transactional ? "" : " (no transaction)",
                    a.resumed_at > 0 ? fmt::format(", resumed at statement {}", a.resumed_at) : "",
                    a.attempts > 1 ? fmt::format(", {} attempts", a.attempts) : "");
    if (list_applied) {
      out += fmt::format("applied {:<40} {} statement(s) in {}{}\n", a.script, a.statements,
                         base::FormatDuration(base::Millis(a.execution_time_ms)), notes);
    } else if (!notes.empty()) {
      out += fmt::format("{}:{}\n", a.script, notes);
    }
  }
  for (const auto& c : r.changes_completed) out += fmt::format("completed change {}\n", c);
  for (const auto& c : r.callbacks) {
    out += fmt::format("callback {} ({}{}) {} in {}\n", c.script, c.event,
                       c.migration.empty() ? "" : ", " + c.migration, c.ok ? "ran" : "failed",
                       base::FormatDuration(base::Millis(c.elapsed_ms)));
  }
  if (r.status.ok()) {
    out += r.applied.empty()
               ? fmt::format("{} is up to date\n", r.target)
               : fmt::format("{} migration(s) applied to {}\n", r.applied.size(), r.target);
  }
  return base::RedactSecrets(out);
}

namespace {
// The info table's state column: the colour says whether it needs attention.
std::string PaintState(const std::string& state, bool color) {
  std::string_view base_state = std::string_view(state).substr(0, state.find('*'));
  base::Ansi style = base::Ansi::kYellow;
  if (base_state == "applied" || base_state == "baseline") style = base::Ansi::kGreen;
  if (base_state == "pending" || base_state == "running") style = base::Ansi::kCyan;
  if (base_state == "failed" || base_state == "missing" || state.find('*') != std::string::npos)
    style = base::Ansi::kRed;
  if (base_state == "below-baseline") style = base::Ansi::kDim;
  std::string pad(state.size() < 15 ? 15 - state.size() : 0, ' ');
  return base::Paint(state, style, color) + pad;
}
}  // namespace

std::string ToText(const InfoResult& r, bool color) {
  std::string out = fmt::format("{:<16} {:<40} {:<11} {:<15} {}\n", "version", "description",
                                "type", "state", "installed on");
  for (const auto& m : r.migrations) {
    std::string desc =
        m.description.size() > 40 ? m.description.substr(0, 37) + "..." : m.description;
    out += fmt::format("{:<16} {:<40} {:<11} {} {}\n", m.version.empty() ? "-" : m.version, desc,
                       m.type, PaintState(m.checksum_mismatch ? m.state + "*" : m.state, color),
                       m.installed_on);
  }
  bool mismatch = false;
  for (const auto& m : r.migrations) mismatch |= m.checksum_mismatch;
  if (mismatch) out += "* the file changed after it was applied: run `strata validate`\n";
  if (!r.changes.empty()) out += "\nopen change windows (strata change status for details):\n";
  for (const auto& c : r.changes) {
    out += fmt::format("  {}  {}  table {}  since {}{}\n", c.name, c.phase,
                       fmt::join(c.tables, ","), c.since, c.running ? "  (running now)" : "");
    for (const auto& b : c.backfill) out += "    backfill " + b + "\n";
    if (!c.next_step.empty()) out += "    next: " + c.next_step + "\n";
  }
  return base::RedactSecrets(out);
}

std::string ToText(const ValidateResult& r) {
  // The head, for CI to keep outside the database and pass back with --expect-head.
  std::string head = r.ledger_head.empty()
                         ? std::string()
                         : fmt::format("ledger head: rank {} {}\n", r.ledger_rows, r.ledger_head);
  // "ok" only for an ok verdict: a run that stopped before judging (a misnamed file, a missing
  // location) prints its error alone.
  if (r.issues.empty()) {
    if (!r.status.ok()) return "";
    return fmt::format("validated {} migration(s) against {}: ok\n{}", r.checked, r.target, head);
  }
  std::string out = head;
  for (const auto& i : r.issues) {
    out += fmt::format("{}error[{}]: {}\n  next: {}\n", i.script.empty() ? "" : i.script + ": ",
                       i.kind, i.message, i.hint);
  }
  out += fmt::format("{} problem(s) found validating {}\n", r.issues.size(), r.target);
  return base::RedactSecrets(out);
}

std::string ToText(const RepairResult& r) {
  if (r.actions.empty() && r.status.ok()) return "nothing to repair\n";
  std::string out;
  for (const auto& a : r.actions) out += fmt::format("repair: {}\n", a);
  return base::RedactSecrets(out);
}

std::string ToText(const BaselineResult& r) {
  if (!r.status.ok()) return {};
  return base::RedactSecrets(
      fmt::format("baselined {} at version {}: {} migration file(s) at or below it will not run\n",
                  r.target, r.version, r.skipped));
}

std::string ToText(const WaitResult& r) {
  if (!r.status.ok()) return {};
  return fmt::format(
      "{} is ready: it accepted a connection and answered a query ({} ms, {} attempt{})\n",
      r.target, r.waited_ms, r.attempts, r.attempts == 1 ? "" : "s");
}

std::string ToText(const HashResult& r) {
  std::string out;
  for (const auto& w : r.written) out += fmt::format("wrote {}\n", w);
  if (r.checked) out += fmt::format("strata.sum matches {} migration(s)\n", r.migrations);
  return out;
}

}  // namespace strata::report
