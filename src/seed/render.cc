#include "seed/render.h"

#include "base/redact.h"
#include "report/render.h"

#include <fmt/format.h>

namespace strata::seed {

using nlohmann::json;

namespace {

using report::StatusJson;

json Opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

json ViolationJson(const Violation& v) {
  json j = {{"rule", v.rule}, {"package", v.package}, {"message", v.message},
            {"hint", v.hint}, {"file", v.span.file},  {"line", v.span.line}};
  if (!v.table.empty()) j["table"] = v.table;
  if (!v.key.empty()) j["key"] = v.key;
  return j;
}

std::string Show(const std::optional<std::string>& v) {
  return v ? fmt::format("'{}'", *v) : std::string("NULL");
}

std::string Short(const std::string& sum) { return sum.substr(0, 12); }

}  // namespace

json ToJson(const SeedResult& r) {
  json pkgs = json::array();
  for (const auto& p : r.packages) {
    json rows = json::array();
    for (const auto& rd : p.rows) {
      json changes = json::array();
      for (const auto& c : rd.changes) {
        changes.push_back(
            {{"column", c.column}, {"before", Opt(c.before)}, {"after", Opt(c.after)}});
      }
      json jr = {{"action", std::string(ActionName(rd.action))},
                 {"table", rd.table},
                 {"key", rd.key},
                 {"file", rd.span.file},
                 {"line", rd.span.line},
                 {"changes", changes}};
      if (!rd.note.empty()) jr["note"] = rd.note;
      if (rd.restorable) jr["restorable"] = true;
      rows.push_back(std::move(jr));
    }
    json v = json::array();
    for (const auto& x : p.violations) v.push_back(ViolationJson(x));
    json jp = {
        {"package", p.id},
        {"dir", p.rel_dir},
        {"class", std::string(ClassName(p.cls))},
        {"mode", std::string(ModeName(p.mode))},
        {"owner", p.owner},
        {"checksum", p.checksum},
        {"applied_checksum", p.applied_checksum.empty() ? json(nullptr) : json(p.applied_checksum)},
        {"applied_on", p.applied_on.empty() ? json(nullptr) : json(p.applied_on)},
        {"state", p.State()},
        {"in_scope", p.in_scope},
        {"counts",
         {{"insert", p.inserts},
          {"update", p.updates},
          {"deprecate", p.deprecates},
          {"delete", p.deletes},
          {"unchanged", p.unchanged},
          {"drift", p.drift},
          {"restored", p.restored}}},
        {"rows", rows},
        {"violations", v},
        {"applied", p.applied}};
    if (!p.skipped_reason.empty()) jp["skipped"] = p.skipped_reason;
    pkgs.push_back(std::move(jp));
  }
  json v = json::array();
  for (const auto& x : r.violations) v.push_back(ViolationJson(x));
  return {{"ok", r.status.ok()},    {"verb", r.verb},
          {"target", r.target},     {"env", r.env},
          {"tier", r.tier},         {"packages", pkgs},
          {"violations", v},        {"run_id", r.run_id.empty() ? json(nullptr) : json(r.run_id)},
          {"warnings", r.warnings}, {"error", StatusJson(r.status)}};
}

std::string ToText(const SeedResult& r) {
  std::string out;
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  if (!r.env.empty() && !r.target.empty()) {
    out += fmt::format("seed {} --env {} (tier {}) on {}\n", r.verb, r.env, r.tier, r.target);
  }
  for (const auto& p : r.packages) {
    if (!p.in_scope) {
      out += fmt::format("{} ({}) skipped: {}\n", p.rel_dir, ClassName(p.cls), p.skipped_reason);
      continue;
    }
    out += fmt::format("{} — {} {}, owner {}, checksum {}, {}\n", p.rel_dir, ClassName(p.cls),
                       ModeName(p.mode), p.owner, Short(p.checksum), p.State());
    if (r.verb != "status") {
      for (const auto& rd : p.rows) {
        std::string detail;
        for (const auto& c : rd.changes) {
          if (rd.action == RowAction::kInsert) {
            detail += fmt::format(" {}={}", c.column, Show(c.after));
          } else {
            detail += fmt::format(" {}: {} → {}", c.column, Show(c.before), Show(c.after));
          }
        }
        out += fmt::format("  {:<9} {} {}{}{}\n", ActionName(rd.action), rd.table, rd.key, detail,
                           rd.note.empty() ? "" : fmt::format("  ({})", rd.note));
      }
    }
    out += fmt::format("  {} insert, {} update, {} deprecate, {} delete, {} unchanged{}{}{}\n",
                       p.inserts, p.updates, p.deprecates, p.deletes, p.unchanged,
                       p.drift ? fmt::format(", {} drift", p.drift) : "",
                       p.restored ? fmt::format(" ({} restored)", p.restored) : "",
                       p.applied ? fmt::format(" — applied in {} ms", p.elapsed_ms) : "");
  }
  for (const auto& v : r.violations) {
    out += fmt::format("{}: error[{}]: {}\n  next: {}\n", v.span.ToString(), v.rule, v.message,
                       v.hint);
  }
  if (r.status.ok() && r.verb == "apply") {
    int n = 0, left = 0;
    for (const auto& p : r.packages) {
      n += p.applied ? 1 : 0;
      for (const auto& rd : p.rows) left += rd.restorable ? 1 : 0;
      left -= p.restored;
    }
    if (n == 0 && left == 0) {
      out += fmt::format("{} already matches the packages; nothing to do\n", r.target);
    } else if (n > 0) {
      out += fmt::format("{} package(s) applied to {}\n", n, r.target);
    }
    if (left > 0) {
      out += fmt::format(
          "{} row(s) were edited in the database after they were applied and are left as they "
          "are: `strata seed apply --env {} --restore` puts the packages' values back\n",
          left, r.env);
    }
  }
  return base::RedactSecrets(out);
}

json ToJson(const CorrectionResult& r) {
  json rows = json::array();
  for (const auto& s : r.sample) {
    auto b = json::parse(s.before, nullptr, false);
    auto a = json::parse(s.after, nullptr, false);
    rows.push_back({{"key", s.key},
                    {"before", b.is_discarded() ? json(s.before) : b},
                    {"after", a.is_discarded() ? json(s.after) : a}});
  }
  return {{"ok", r.status.ok()},
          {"verb", r.verb},
          {"target", r.target},
          {"correction", r.correction_id},
          {"file", r.file},
          {"reason", r.reason},
          {"ticket", r.ticket},
          {"approved_by", r.approved_by},
          {"table", r.table},
          {"count", r.count},
          {"expected", {{"min_rows", r.min_rows}, {"max_rows", r.max_rows}}},
          {"in_range", r.in_range},
          {r.verb == "plan" ? "sample" : "rows", rows},
          {"run_id", r.run_id.empty() ? json(nullptr) : json(r.run_id)},
          {"evidence_run_id", r.evidence_run_id.empty() ? json(nullptr) : json(r.evidence_run_id)},
          {"warnings", r.warnings},
          {"reverts_run", r.reverts_run.empty() ? json(nullptr) : json(r.reverts_run)},
          {"previous_run", r.previous_run.empty() ? json(nullptr) : json(r.previous_run)},
          {"applied", r.applied},
          {"error", StatusJson(r.status)}};
}

std::string ToText(const CorrectionResult& r) {
  if (r.correction_id.empty()) return {};
  std::string out =
      fmt::format("correct {} {} ({}) on {}\n  reason: {}{}\n  approved by: {}\n", r.verb,
                  r.correction_id, r.file, r.target, r.reason,
                  r.ticket.empty() ? "" : fmt::format(" [{}]", r.ticket), r.approved_by);
  if (r.counted) {
    out += fmt::format("  {} row(s) of {} (expected {}..{}){}\n", r.count, r.table, r.min_rows,
                       r.max_rows, r.in_range ? "" : " — OUTSIDE the expected range");
  }
  for (const auto& s : r.sample) {
    auto b = json::parse(s.before, nullptr, false);
    auto a = json::parse(s.after, nullptr, false);
    std::string diff;
    if (b.is_object() && a.is_object()) {
      for (auto& [k, v] : a.items()) {
        if (!b.contains(k) || b[k] != v) {
          diff += fmt::format(" {}: {} → {}", k, b.contains(k) ? b[k].dump() : "∅", v.dump());
        }
      }
    }
    out += fmt::format("  {} {}{}\n", r.table, s.key, diff.empty() ? " (no change)" : diff);
  }
  if (r.verb == "plan" && r.count > static_cast<std::int64_t>(r.sample.size())) {
    out += fmt::format("  … and {} more\n", r.count - static_cast<std::int64_t>(r.sample.size()));
  }
  if (r.applied) {
    out +=
        fmt::format("{} row(s) {} with before/after images in strata_correction_audit (run {})\n",
                    r.count, r.verb == "revert" ? "restored" : "corrected", r.run_id);
  }
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  return base::RedactSecrets(out);
}

}  // namespace strata::seed
