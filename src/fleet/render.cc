#include "fleet/render.h"

#include "strata/commands.h"

#include "base/duration.h"
#include "base/redact.h"
#include "report/render.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::fleet {

namespace {

using report::StatusJson;

std::string Cut(std::string s, size_t n) {
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

std::string Table(const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w(head.size());
  for (size_t c = 0; c < head.size(); ++c) w[c] = head[c].size();
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) w[c] = std::max(w[c], r[c].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& r) {
    std::string l;
    for (size_t c = 0; c < r.size(); ++c) {
      l += c + 1 == r.size() ? r[c] : fmt::format("{:<{}}  ", r[c], w[c]);
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(head);
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace

nlohmann::json ToJson(const FleetTargetResult& t) {
  nlohmann::json j = {
      {"target", t.name},
      {"url", base::RedactSecrets(t.url)},
      {"schema", t.schema.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.schema)},
      {"labels", t.labels},
      {"wave", t.wave},
      {"result", t.result},
      {"before", t.before},
      {"after", t.after},
      {"applied", t.applied},
      {"pending", t.pending},
      {"failed_migrations", t.failed_rows},
      {"locked_by", t.locked_by.empty() ? nlohmann::json(nullptr)
                                        : nlohmann::json(base::RedactSecrets(t.locked_by))},
      {"last_fleet_result", t.last_fleet_result},
      {"run_id", t.run_id},
      {"elapsed_ms", t.elapsed_ms},
      {"error", StatusJson(t.status)}};
  if (!t.findings.empty() || t.findings_below_gate > 0) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : t.findings) {
      findings.push_back({{"file", f.file},
                          {"line", f.line},
                          {"column", f.column},
                          {"rule", f.rule_id},
                          {"name", f.rule_name},
                          {"severity", f.severity},
                          {"message", base::RedactSecrets(f.message)},
                          {"help", f.help},
                          {"size", f.size_note}});
    }
    j["findings"] = std::move(findings);
    j["findings_below_gate"] = t.findings_below_gate;
  }
  if (!t.drift.empty()) {
    nlohmann::json drift = nlohmann::json::array();
    for (const auto& d : t.drift) {
      drift.push_back({{"kind", d.kind},
                       {"object", d.object},
                       {"change", d.change},
                       {"field", d.field},
                       {"expected", d.expected},
                       {"actual", d.actual}});
    }
    j["drift"] = std::move(drift);
  }
  return j;
}

nlohmann::json ToJson(const FleetResult& r) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : r.targets) targets.push_back(ToJson(t));
  return {{"verb", r.verb},
          {"fleet_file", r.fleet_file},
          {"fleet_run_id", r.fleet_run_id},
          {"resumed_run_id", r.resumed_run_id},
          {"state_file", r.state_file},
          {"stopped", r.stopped},
          {"stop_reason", r.stop_reason},
          {"elapsed_ms", r.elapsed_ms},
          {"totals",
           {{"targets", r.targets.size()},
            {"ok", r.ok},
            {"failed", r.failed},
            {"unreachable", r.unreachable},
            {"locked", r.locked},
            {"not_reached", r.not_reached},
            {"skipped", r.skipped}}},
          {"targets", targets}};
}

nlohmann::json ToJson(const FleetEvent& e) {
  nlohmann::json j = {{"target", e.target}, {"wave", e.wave},     {"done", e.done},
                      {"total", e.total},   {"failed", e.failed}, {"running", e.running}};
  switch (e.kind) {
    case FleetEvent::Kind::kWaveStarted:
      j["event"] = "wave-started";
      j.erase("target");
      break;
    case FleetEvent::Kind::kTargetStarted:
      j["event"] = "target-started";
      break;
    case FleetEvent::Kind::kTargetDone:
      j["event"] = "target-done";
      if (e.result) {
        j["result"] = e.result->result;
        j["applied"] = e.result->applied;
        j["before"] = e.result->before;
        j["after"] = e.result->after;
        j["elapsed_ms"] = e.result->elapsed_ms;
        j["error"] = StatusJson(e.result->status);
      }
      break;
    case FleetEvent::Kind::kEngine:
      j["event"] = "engine";
      if (e.event) {
        std::string kind = e.event->Name();
        std::replace(kind.begin(), kind.end(), '_', '-');
        j["kind"] = kind;
        j["script"] = e.event->migration ? e.event->migration->script : "";
        // One `message` per line: the lock's holder, the error, the retry's reason, the
        // notice, or why a check failed.
        std::string message =
            std::visit(Overloaded{[](const Event::LockWaiting& w) { return w.holder; },
                                  [](const Event::MigrationFailed& f) { return f.error; },
                                  [](const Event::Retry& r) { return r.why; },
                                  [](const Event::Notice& n) { return n.text; },
                                  [](const Event::CheckDone& c) { return c.failure; },
                                  [](const auto&) { return std::string(); }},
                       e.event->data);
        if (!message.empty()) j["message"] = base::RedactSecrets(message);
      }
      break;
  }
  return j;
}

std::string ToText(const FleetResult& r) {
  std::vector<std::vector<std::string>> rows;
  std::string out;
  if (r.verb == "info") {
    for (const auto& t : r.targets) {
      std::string state;
      if (t.result != "ok") {
        state = t.result;
      } else if (!t.locked_by.empty()) {
        state = "locked";
      } else if (t.failed_rows > 0) {
        state = "failed migration";
      } else if (t.pending > 0) {
        state = "behind";
      } else {
        state = "up to date";
      }
      rows.push_back({t.name, t.after.empty() ? "-" : t.after,
                      t.result == "ok" ? std::to_string(t.pending) : "?", state,
                      t.last_fleet_result.empty() ? "-" : t.last_fleet_result,
                      Cut(base::RedactSecrets(!t.status.ok()         ? t.status.message()
                                              : !t.locked_by.empty() ? "held by " + t.locked_by
                                                                     : ""),
                          100)});
    }
    out = Table({"TARGET", "VERSION", "BEHIND", "STATE", "LAST FLEET RUN", "DETAIL"}, rows);
    int behind = 0;
    for (const auto& t : r.targets) behind += t.result == "ok" && t.pending > 0;
    out += fmt::format("{} target(s): {} behind, {} unreadable\n", r.targets.size(), behind,
                       r.targets.size() - static_cast<size_t>(r.ok));
    return out;
  }
  if (r.verb == "lint" || r.verb == "drift") {
    bool lint = r.verb == "lint";
    std::string details;
    for (const auto& t : r.targets) {
      std::string detail;
      if (!t.status.ok() && t.result != "findings" && t.result != "drifted") {
        detail = base::RedactSecrets(t.status.message());
      } else if (lint) {
        detail =
            fmt::format("{} blocking, {} below the gate", t.findings.size(), t.findings_below_gate);
      } else {
        detail = fmt::format("{} difference(s)", t.drift.size());
      }
      rows.push_back({t.name, t.after.empty() ? "-" : t.after,
                      lint ? std::to_string(t.pending) : "-", t.result, Cut(detail, 120)});
      for (const auto& f : t.findings) {
        details += Cut(fmt::format("{}: {}:{}:{}: {}[{}] {}", t.name, f.file, f.line, f.column,
                                   f.severity, f.rule_id, base::RedactSecrets(f.message)),
                       200) +
                   "\n";
      }
      for (const auto& d : t.drift) {
        std::string what = fmt::format("{}: {} {} {}", t.name, d.kind, d.object, d.change);
        if (!d.field.empty()) {
          what += fmt::format(" {}: expected {}, live {}", d.field, d.expected, d.actual);
        }
        details += Cut(what, 200) + "\n";
      }
    }
    out = Table({"TARGET", "VERSION", lint ? "PENDING" : "-", "RESULT", "DETAIL"}, rows);
    out += details;
    out += fmt::format("{} target(s) in {}: {} ok, {} {}, {} unreachable, {} locked\n",
                       r.targets.size(), base::FormatDuration(base::Millis(r.elapsed_ms)), r.ok,
                       r.failed, lint ? "with findings or errors" : "drifted or failed",
                       r.unreachable, r.locked);
    return out;
  }
  for (const auto& t : r.targets) {
    std::string version = t.before.empty() ? "-" : t.before;
    if (t.after != t.before) version += " -> " + (t.after.empty() ? "-" : t.after);
    rows.push_back({t.name, version, std::to_string(t.applied),
                    t.result == "not-reached" || t.result == "skipped" || t.result == "planned"
                        ? "-"
                        : base::FormatDuration(base::Millis(t.elapsed_ms)),
                    t.result == "planned" ? (t.wave == 0 ? std::string("planned (canary)")
                                                         : fmt::format("planned (wave {})", t.wave))
                                          : t.result,
                    Cut(base::RedactSecrets(t.status.ok() ? "" : t.status.message()), 120)});
  }
  out = Table({"TARGET", "VERSION", "APPLIED", "TIME", "RESULT", "ERROR"}, rows);
  out += fmt::format(
      "{} target(s) in {}: {} ok, {} failed, {} unreachable, {} locked, {} not reached, {} "
      "skipped{}\n",
      r.targets.size(), base::FormatDuration(base::Millis(r.elapsed_ms)), r.ok, r.failed,
      r.unreachable, r.locked, r.not_reached, r.skipped,
      r.stopped ? fmt::format(" — stopped: {}", r.stop_reason) : "");
  if (!r.fleet_run_id.empty() && r.verb == "migrate") {
    out += fmt::format("fleet run {} (state: {})\n", r.fleet_run_id, r.state_file);
  }
  return out;
}

}  // namespace strata::fleet
