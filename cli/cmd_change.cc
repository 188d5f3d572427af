// strata change plan|start|status|complete|abort: CLI wiring and rendering only; the work is in
// src/change (docs/change.md).
#include "cli/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "change/change.h"

namespace strata::cli {

namespace {

using nlohmann::json;
namespace ch = strata::change;

json OpJson(const ch::PlannedOperation& p) {
  const auto& o = p.op;
  return {
      {"kind", ch::OpKindName(o.kind)},
      {"table", o.schema.empty() ? o.table : o.schema + "." + o.table},
      {"column", o.column},
      {"new_column", o.new_column.empty() ? json(nullptr) : json(o.new_column)},
      {"new_type", o.new_type.empty() ? json(nullptr) : json(o.new_type)},
      {"up", o.up.empty() ? json(nullptr) : json(o.up)},
      {"up_inferred", o.up_inferred},
      {"down", o.down.empty() ? json(nullptr) : json(o.down)},
      {"down_inferred", o.down_inferred},
      {"line", o.line},
      {"statement", o.statement},
      {"creates", p.creates},
      {"drops", p.drops},
      {"old_version_sees", p.old_sees},
      {"new_version_sees", p.new_sees},
      {"unmigrated_predicate", p.unmigrated_sql.empty() ? json(nullptr) : json(p.unmigrated_sql)},
      {"notes", p.notes}};
}

json PlanJson(const ch::PlanResult& r) {
  json ops = json::array(), steps = json::array();
  for (const auto& p : r.operations) ops.push_back(OpJson(p));
  for (const auto& s : r.steps) {
    steps.push_back({{"phase", s.phase},
                     {"what", s.what},
                     {"lock", s.lock},
                     {"sql", s.sql},
                     {"transaction", !s.no_tx}});
  }
  return {{"target", r.target},
          {"change", r.name},
          {"phase", r.phase.empty() ? json(nullptr) : json(r.phase)},
          {"end_state", r.end_state},
          {"operations", ops},
          {"steps", steps}};
}

std::string PlanText(const ch::PlanResult& r) {
  if (!r.status.ok() && r.operations.empty()) return "";
  std::string out = fmt::format("change {} on {}{}\n", r.name, r.target,
                                r.phase.empty() ? "" : " (phase " + r.phase + ")");
  out += "\nend state (the file's DDL, reached through the phases below):\n";
  for (const auto& st : r.end_state) out += "  " + st + ";\n";
  for (const auto& p : r.operations) {
    out += fmt::format("\n{} {}.{} (line {})\n  {}\n", ch::OpKindName(p.op.kind), p.op.table,
                       p.op.column, p.op.line, p.op.statement);
    for (const auto& c : p.creates) out += "  start creates:   " + c + "\n";
    for (const auto& d : p.drops) out += "  complete drops:  " + d + "\n";
    out += "  old version sees: " + p.old_sees + "\n";
    out += "  new version sees: " + p.new_sees + "\n";
    for (const auto& n : p.notes) out += "  note: " + n + "\n";
  }
  std::string phase;
  for (const auto& s : r.steps) {
    if (s.phase != phase) {
      phase = s.phase;
      out += fmt::format("\n-- {}\n", phase);
    }
    out += fmt::format("-- {} [lock: {}]{}\n", s.what, s.lock,
                       s.no_tx ? " (outside a transaction)" : "");
    for (const auto& q : s.sql) out += q + ";\n";
  }
  return out;
}

json PhaseJson(const ch::PhaseResult& r) {
  return {{"target", r.target},
          {"change", r.name},
          {"phase", r.phase},
          {"done", r.done},
          {"backfilled_rows", r.backfilled},
          {"unmigrated_rows", r.unmigrated < 0 ? json(nullptr) : json(r.unmigrated)},
          {"already", r.already},
          {"next_step", r.next_step}};
}

std::string PhaseText(const ch::PhaseResult& r) {
  std::string out;
  for (const auto& d : r.done) out += "  " + d + "\n";
  if (!r.name.empty()) {
    out += fmt::format("change {}: {}{}\n", r.name, r.phase.empty() ? "not started" : r.phase,
                       r.already ? " (already)" : "");
  }
  if (r.unmigrated > 0) out += fmt::format("  {} rows unmigrated\n", r.unmigrated);
  if (!r.next_step.empty()) out += "next: " + r.next_step + "\n";
  return out;
}

json StatusJsonOf(const ch::StatusResult& r) {
  json arr = json::array();
  for (const auto& c : r.changes) {
    arr.push_back({{"name", c.name},
                   {"file", c.file},
                   {"phase", c.phase},
                   {"started_at", c.started_at},
                   {"finished_at", c.finished_at.empty() ? json(nullptr) : json(c.finished_at)},
                   {"updated_at", c.updated_at},
                   {"tables", c.tables},
                   {"triggers", c.triggers},
                   {"unmigrated_rows", c.unmigrated < 0 ? json(nullptr) : json(c.unmigrated)},
                   {"sessions", c.sessions},
                   {"backfill", c.backfill},
                   {"running", c.running},
                   {"running_by", c.running_by.empty() ? json(nullptr) : json(c.running_by)},
                   {"next_step", c.next_step.empty() ? json(nullptr) : json(c.next_step)}});
  }
  return {{"target", r.target}, {"changes", arr}};
}

std::string StatusText(const ch::StatusResult& r) {
  if (r.changes.empty()) return r.status.ok() ? "no changes recorded\n" : "";
  std::string out;
  for (const auto& c : r.changes) {
    out += fmt::format("{}  {}  tables {}  since {}\n", c.name, c.phase, fmt::join(c.tables, ","),
                       c.started_at);
    if (c.unmigrated >= 0) out += fmt::format("  unmigrated rows: {}\n", c.unmigrated);
    for (const auto& t : c.triggers) out += "  trigger " + t + "\n";
    for (const auto& b : c.backfill) out += "  backfill " + b + "\n";
    if (!c.sessions.empty()) {
      out += fmt::format("  connected applications: {}\n", fmt::join(c.sessions, ", "));
    }
    if (!c.next_step.empty()) out += "  next: " + c.next_step + "\n";
  }
  return out;
}

ch::PhaseSink Progress(const GlobalFlags& g) {
  bool tty = isatty(STDERR_FILENO);
  if (!g.log_json && !tty) return {};
  return [&g](const ch::PhaseEvent& e) {
    if (g.log_json) {
      std::cerr
          << json{{"phase", e.phase}, {"message", e.message}, {"processed", e.processed}}.dump()
          << "\n";
    } else if (e.processed > 0) {
      std::cerr << fmt::format("\r{}: {} rows", e.message, e.processed);
    } else {
      std::cerr << fmt::format("{}: {}\n", e.phase, e.message);
    }
  };
}

void Register(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* cc = app.add_subcommand(
      "change", "zero-downtime expand/contract changes written in SQL (`-- strata:change`)");
  cc->require_subcommand(1);
  Examples(cc, {{"strata change plan db/migration/V12__rename_term.sql",
                 "the derived operations, locks and what each app version sees"},
                {"strata change complete db/migration/V12__rename_term.sql",
                 "verify and contract once the old application version is gone"}});

  auto* plan = cc->add_subcommand(
      "plan",
      "show the derived operations, what each phase creates and drops, the locks, and "
      "what the old and new versions see; changes nothing");
  auto pfile = std::make_shared<std::string>();
  plan->add_option("file", *pfile, "the change file")->required();
  reg.commands.emplace_back(plan, [&g, pfile] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto r = ch::Plan(*opts, {*pfile});
    return Finish(g, r.status, PlanJson(r), PlanText(r));
  });

  struct Verb {
    const char* name;
    const char* help;
    ch::PhaseResult (*fn)(const Options&, const ch::PhaseRequest&);
  };
  static const Verb kVerbs[] = {
      {"start", "expand: new columns, dual-write triggers, NOT VALID checks, backfill (resumable)",
       &ch::Start},
      {"complete", "verify, then contract: validated NOT NULL, drop the old representation",
       &ch::Complete},
      {"abort", "remove everything start added; nothing written in the window is lost", &ch::Abort},
  };
  for (const auto& v : kVerbs) {
    auto* sub = cc->add_subcommand(v.name, v.help);
    // start: one window for several change files, as `migrate` opens for the pending change
    // files it reaches together (they share a backfill pass per table).
    bool several = std::string_view(v.name) == "start";
    auto files = std::make_shared<std::vector<std::string>>();
    auto* opt =
        sub->add_option("file", *files,
                        several ? "the change file(s), started in one window" : "the change file")
            ->required();
    if (!several) opt->expected(1);
    auto fn = v.fn;
    reg.commands.emplace_back(sub, [&g, files, fn] {
      int code = 0;
      auto opts = LoadOptions(g, code);
      if (!opts) return code;
      ch::PhaseRequest req{files->front(), Progress(g)};
      req.window.assign(files->begin() + 1, files->end());
      auto r = fn(*opts, req);
      return Finish(g, r.status, PhaseJson(r), PhaseText(r));
    });
  }

  auto* status = cc->add_subcommand("status", "phase, unmigrated rows, triggers, connected apps");
  auto name = std::make_shared<std::string>();
  status->add_option("name", *name, "change name (file stem); default: all");
  reg.commands.emplace_back(status, [&g, name] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto r = ch::GetStatus(*opts, {*name});
    return Finish(g, r.status, StatusJsonOf(r), StatusText(r));
  });
}

VerbRegistrar registrar("change", &Register);

}  // namespace

}  // namespace strata::cli
