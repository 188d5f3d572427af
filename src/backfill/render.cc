#include "backfill/render.h"

#include "base/duration.h"
#include "report/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <variant>

namespace strata::backfill {

using nlohmann::json;

json JobJson(const JobState& j) {
  json parts = json::array();
  for (const auto& p : j.partitions) {
    parts.push_back({{"value", json::parse(p.value, nullptr, false)},
                     {"last_processed_key",
                      p.last_key.empty() ? json(nullptr) : json::parse(p.last_key, nullptr, false)},
                     {"processed_count", p.processed},
                     {"failed_count", p.failed},
                     {"done", p.done}});
  }
  json o = json::parse(j.overrides.empty() ? "{}" : j.overrides, nullptr, false);
  return {{"id", j.id},
          {"job", j.job},
          {"run_no", j.run_no},
          {"status", j.status},
          {"runner_alive", j.runner_alive},
          {"runner", j.runner},
          {"started_at", j.started_at.empty() ? json(nullptr) : json(j.started_at)},
          {"completed_at", j.completed_at.empty() ? json(nullptr) : json(j.completed_at)},
          {"updated_at", j.updated_at},
          {"last_processed_key",
           j.last_key.empty() ? json(nullptr) : json::parse(j.last_key, nullptr, false)},
          {"processed_count", j.processed},
          {"failed_count", j.failed},
          {"chunk_count", j.chunks},
          {"total_estimate", j.total_estimate < 0 ? json(nullptr) : json(j.total_estimate)},
          {"chunk_size", j.chunk_size},
          {"job_file", j.job_file},
          {"job_checksum", j.checksum},
          {"overrides", o.is_discarded() ? json::object() : o},
          {"message", j.message.empty() ? json(nullptr) : json(j.message)},
          {"partitions", parts}};
}

std::string EventName(const BackfillEvent& e) {
  static constexpr const char* kNames[] = {
      "started", "chunk",        "throttle", "retry", "row_failed",      "paused",
      "resumed", "reconfigured", "verify",   "done",  "connection_lost", "reconnected"};
  static_assert(std::size(kNames) == std::variant_size_v<BackfillEvent::Data>,
                "one name per kind, in order");
  return kNames[e.data.index()];
}

namespace {
std::string StartedText(const BackfillEvent::Started& s) {
  return s.resumed_after > 0
             ? fmt::format("resuming run {} after {} row(s)", s.run_no, s.resumed_after)
             : fmt::format("run {}", s.run_no);
}
}  // namespace

json EventJson(const BackfillEvent& e) {
  json j = {{"event", "backfill." + EventName(e)},
            {"at", base::NowIso8601()},
            {"job", e.job},
            {"processed", e.processed},
            {"failed", e.failed},
            {"total", e.total < 0 ? json(nullptr) : json(e.total)},
            {"chunks", e.chunks},
            {"chunk_size", e.chunk_size},
            {"elapsed_ms", e.elapsed_ms},
            {"rows_per_second", static_cast<std::int64_t>(e.rows_per_second)}};
  if (e.total > 0 && e.rows_per_second > 0) {
    j["eta_ms"] = static_cast<std::int64_t>(
        static_cast<double>(std::max<std::int64_t>(e.total - e.processed - e.failed, 0)) * 1000.0 /
        e.rows_per_second);
  }
  if (!e.partition.empty()) j["partition"] = json::parse(e.partition, nullptr, false);
  // Each kind's fields under the names docs/json.md gives them (kept from before events were
  // typed: `message` and `reason` carry what each kind says there).
  auto put = [&j](const char* key, const std::string& value) {
    if (!value.empty()) j[key] = value;
  };
  std::visit(Overloaded{
                 [&](const BackfillEvent::Started& s) { put("message", StartedText(s)); },
                 [&](const BackfillEvent::Chunk& c) {
                   j["chunk_rows"] = c.rows;
                   j["chunk_failed"] = c.failed;
                   j["chunk_ms"] = c.ms;
                   j["attempt"] = c.attempts;
                 },
                 [&](const BackfillEvent::Throttle& t) {
                   j["wait_ms"] = t.wait_ms;
                   j["value_ms"] = t.value_ms;
                   j["reason"] = ThrottleReasonName(t.reason);
                   put("message", t.detail);
                 },
                 [&](const BackfillEvent::Retry& r) {
                   j["wait_ms"] = r.wait_ms;
                   j["value_ms"] = 0;  // documented for retry since it shared throttle's fields
                   j["attempt"] = r.attempt;
                   put("reason", r.sqlstate);
                   put("message", r.error);
                 },
                 [&](const BackfillEvent::RowFailed& f) {
                   put("reason", f.sqlstate);
                   put("message", f.key);
                 },
                 [](const BackfillEvent::Paused&) {},
                 [](const BackfillEvent::Resumed&) {},
                 [&](const BackfillEvent::Reconfigured& r) { put("message", r.overrides); },
                 [&](const BackfillEvent::Verify& v) {
                   put("reason", v.expected);
                   put("message", v.actual);
                 },
                 [&](const BackfillEvent::Done& d) { put("reason", d.status); },
                 [&](const BackfillEvent::ConnectionLost& l) {
                   j["wait_ms"] = l.wait_ms;
                   j["attempt"] = l.attempt;
                   put("reason", l.sqlstate);
                   put("message", l.error);
                 },
                 [&](const BackfillEvent::Reconnected& r) {
                   j["attempt"] = r.attempt;
                   put("message", r.detail);
                 },
             },
             e.data);
  return j;
}

std::string ProgressBar(const BackfillEvent& e, int columns, std::string_view note) {
  const size_t room = static_cast<size_t>(std::max(columns - 1, 10));
  double frac = e.total > 0 ? std::min(1.0, static_cast<double>(e.processed + e.failed) /
                                                static_cast<double>(e.total))
                            : 0;
  std::string eta = "?";
  if (e.total > 0 && e.rows_per_second > 0) {
    auto left = std::max<std::int64_t>(e.total - e.processed - e.failed, 0);
    eta = base::FormatDuration(base::Millis(
        static_cast<std::int64_t>(static_cast<double>(left) * 1000.0 / e.rows_per_second)));
  }
  std::string counts =
      fmt::format(" {}/{} ({:.0f}%)", e.processed,
                  e.total < 0 ? std::string("?") : std::to_string(e.total), frac * 100);
  std::string details = fmt::format(" {:.0f} rows/s ETA {}", e.rows_per_second, eta);
  if (e.failed > 0) details += fmt::format(" failures {}", e.failed);
  if (!note.empty()) details += fmt::format(" ({})", note);
  const size_t fixed = e.job.size() + counts.size();
  auto bar_room = [&](size_t extra) {
    return static_cast<int>(
        std::min<size_t>(30, room > fixed + extra + 3 ? room - fixed - extra - 3 : 0));
  };
  int width = bar_room(details.size());
  if (width < 10 && !details.empty()) {
    details.clear();
    width = bar_room(0);
  }
  std::string bar;
  if (width >= 5) {
    int fill = static_cast<int>(frac * width);
    bar = fmt::format(" [{}{}]", std::string(fill, '#'), std::string(width - fill, '.'));
  }
  std::string line = e.job + bar + counts + details;
  if (line.size() > room) line.resize(room);
  return line;
}

json ToJson(const RunResult& r) {
  json j = {{"ok", r.status.ok()},
            {"target", r.target},
            {"job", r.job.id.empty() ? json(nullptr) : JobJson(r.job)},
            {"rows_this_run", r.rows_this_run},
            {"failed_this_run", r.failed_this_run},
            {"chunks_this_run", r.chunks_this_run},
            {"elapsed_ms", r.elapsed_ms},
            {"interrupted", r.interrupted},
            {"already_done", r.already_done},
            {"reconnects", r.reconnects},
            {"warnings", r.warnings},
            {"next_step", r.next_step.empty() ? json(nullptr) : json(r.next_step)},
            {"error", report::StatusJson(r.status)}};
  if (!r.verify_expected.empty()) {
    j["verification"] = {{"actual", r.verify_actual}, {"expected", r.verify_expected}};
  }
  return j;
}

std::string ToText(const RunResult& r) {
  std::string out;
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  if (!r.job.id.empty()) {
    out += fmt::format("backfill {} run {}: {} — {} row(s) done, {} failed, {} chunk(s)", r.job.job,
                       r.job.run_no, r.job.status, r.job.processed, r.job.failed, r.job.chunks);
    if (!r.already_done) {
      out += fmt::format("; this run {} row(s) in {}", r.rows_this_run,
                         base::FormatDuration(base::Millis(r.elapsed_ms)));
    }
    out += "\n";
  }
  if (!r.verify_expected.empty()) {
    out += fmt::format("verification: {} (expected {})\n", r.verify_actual, r.verify_expected);
  }
  if (!r.next_step.empty()) out += fmt::format("next: {}\n", r.next_step);
  return out;
}

json ToJson(const PlanResult& r) {
  json sample = json::array();
  for (const auto& s : r.sample) {
    json b = json::object(), a = json::object();
    for (const auto& [k, v] : s.before) b[k] = v;
    for (const auto& [k, v] : s.after) a[k] = v;
    sample.push_back({{"key", s.key},
                      {"before", b},
                      {"after", s.deleted ? json(nullptr) : a},
                      {"deleted", s.deleted}});
  }
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"job", r.job},
          {"job_file", r.job_file},
          {"table", r.table},
          {"kind", r.kind},
          {"candidates", r.candidates},
          {"chunk_size", r.chunk_size},
          {"estimated_chunks", r.estimated_chunks},
          {"workers", r.workers},
          {"estimated_ms", r.estimated_ms},
          {"sample_chunk_rows", r.sample_chunk_rows},
          {"sample_chunk_ms", r.sample_chunk_ms},
          {"select_sql", r.select_sql},
          {"chunk_sql", r.chunk_sql},
          {"explain", r.explain},
          {"sample", sample},
          {"existing", r.existing_status.empty() ? json(nullptr) : json(r.existing_status)},
          {"changed_nothing", true},
          {"warnings", r.warnings},
          {"error", report::StatusJson(r.status)}};
}

std::string ToText(const PlanResult& r) {
  if (!r.status.ok() && r.job_file.empty()) return "";
  std::string out = fmt::format("backfill plan {} ({}) on {}\n", r.job, r.job_file, r.target);
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  if (!r.existing_status.empty()) out += fmt::format("  existing: {}\n", r.existing_status);
  out += fmt::format("  {}: {} row(s) in {}\n  chunks: ~{} of {} row(s), estimated {}{}\n",
                     r.kind == "delete" ? "to delete" : "candidates", r.candidates, r.table,
                     r.estimated_chunks, r.chunk_size,
                     base::FormatDuration(base::Millis(r.estimated_ms)),
                     r.workers > 1 ? fmt::format(" with {} workers side by side (if the server "
                                                 "has as many CPUs free)",
                                                 r.workers)
                                   : "");
  out += fmt::format("  one chunk (sample: {} row(s) in {}, rolled back):\n    {};\n    {};\n",
                     r.sample_chunk_rows, base::FormatDuration(base::Millis(r.sample_chunk_ms)),
                     r.select_sql, r.chunk_sql);
  if (!r.explain.empty()) {
    out += "  plan:\n";
    for (const auto& l : r.explain) out += fmt::format("    {}\n", l);
  }
  for (const auto& s : r.sample) {
    if (s.deleted) {
      out += fmt::format("  row ({}): deleted\n", fmt::join(s.key, ", "));
      continue;
    }
    out += fmt::format("  row ({}):\n", fmt::join(s.key, ", "));
    for (size_t i = 0; i < s.before.size(); ++i) {
      const auto& [col, before] = s.before[i];
      std::string after = i < s.after.size() ? s.after[i].second : before;
      if (after != before) {
        out += fmt::format("    {}: {} -> {}\n", col, before, after);
      }
    }
  }
  out += "  nothing was changed (dry run)\n";
  return out;
}

json ToJson(const StatusResult& r) {
  json jobs = json::array();
  for (const auto& j : r.jobs) jobs.push_back(JobJson(j));
  json fails = json::array();
  for (const auto& f : r.failures) {
    fails.push_back({{"key", json::parse(f.key, nullptr, false)},
                     {"error", f.error},
                     {"sqlstate", f.sqlstate.empty() ? json(nullptr) : json(f.sqlstate)},
                     {"attempt", f.attempt},
                     {"at", f.at}});
  }
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"jobs", jobs},
          {"failures", fails},
          {"error", report::StatusJson(r.status)}};
}

std::string ToText(const StatusResult& r) {
  if (!r.status.ok()) return "";
  if (r.jobs.empty()) return fmt::format("no backfill jobs have run on {}\n", r.target);
  std::string out;
  for (const auto& j : r.jobs) {
    std::string pct =
        j.total_estimate > 0
            ? fmt::format(" ({:.0f}%)", 100.0 * static_cast<double>(j.processed + j.failed) /
                                            static_cast<double>(j.total_estimate))
            : "";
    out += fmt::format("{} run {}: {}{} — {}/{} row(s){}, {} failed, {} chunk(s), last key {}\n",
                       j.job, j.run_no, j.status, j.runner_alive ? " (runner active)" : "",
                       j.processed,
                       j.total_estimate < 0 ? std::string("?") : std::to_string(j.total_estimate),
                       pct, j.failed, j.chunks, j.last_key.empty() ? "-" : j.last_key);
    if (!j.message.empty()) out += fmt::format("  {}\n", j.message);
    if (j.overrides != "{}" && !j.overrides.empty())
      out += fmt::format("  overrides: {}\n", j.overrides);
    for (const auto& p : j.partitions) {
      out += fmt::format("  partition {}: {} row(s), {} failed{}\n", p.value, p.processed, p.failed,
                         p.done ? ", done" : "");
    }
  }
  for (const auto& f : r.failures) {
    out += fmt::format("  failed row {}: {}{} (attempt {}, {})\n", f.key, f.error,
                       f.sqlstate.empty() ? "" : " [" + f.sqlstate + "]", f.attempt, f.at);
  }
  return out;
}

std::string EventLine(const BackfillEvent& e) {
  // "<kind>: <what> (<code>)"; an event with nothing to say gives where the job is.
  auto line = [&e](const std::string& what, const std::string& code = {}) {
    std::string text = what;
    if (!code.empty()) text += (text.empty() ? "" : " ") + ("(" + code + ")");
    if (text.empty()) text = fmt::format("{} at {} row(s) done", e.job, e.processed);
    return fmt::format("{}: {}", EventName(e), text);
  };
  return std::visit(
      Overloaded{
          [&](const BackfillEvent::Started& s) {
            return fmt::format("backfill {}: {}", e.job, StartedText(s));
          },
          [&](const BackfillEvent::Paused&) {
            return fmt::format(
                "paused: {} at {} row(s) done; waiting for `strata backfill resume {}` (or "
                "cancel)",
                e.job, e.processed, e.job);
          },
          [&](const BackfillEvent::Resumed&) {
            return fmt::format("resumed: {} at {} row(s) done", e.job, e.processed);
          },
          [&](const BackfillEvent::Reconfigured& r) {
            return fmt::format("reconfigured: {} now runs with {}", e.job,
                               r.overrides.empty() ? "its file's settings" : r.overrides);
          },
          [&](const BackfillEvent::ConnectionLost& l) {
            return fmt::format("connection lost: {}; reconnect attempt {} in {}", l.error,
                               l.attempt, base::FormatDuration(base::Millis(l.wait_ms)));
          },
          [&](const BackfillEvent::Chunk&) { return line({}); },
          [&](const BackfillEvent::Throttle& t) {
            return line(t.detail, ThrottleReasonName(t.reason));
          },
          [&](const BackfillEvent::Retry& r) { return line(r.error, r.sqlstate); },
          [&](const BackfillEvent::RowFailed& f) { return line(f.key, f.sqlstate); },
          [&](const BackfillEvent::Verify& v) { return line(v.actual, v.expected); },
          [&](const BackfillEvent::Done& d) { return line({}, d.status); },
          [&](const BackfillEvent::Reconnected& r) { return line(r.detail); },
      },
      e.data);
}

json ToJson(const ControlResult& r) {
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"job", r.job},
          {"previous_status", r.previous_status},
          {"status", r.new_status},
          {"runner_alive", r.runner_alive},
          {"next_step", r.next_step},
          {"error", report::StatusJson(r.status)}};
}

std::string ToText(const ControlResult& r) {
  if (!r.status.ok()) return "";
  return fmt::format("backfill {}: {} -> {}\nnext: {}\n", r.job, r.previous_status, r.new_status,
                     r.next_step);
}

json ToJson(const SetResult& r) {
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"job", r.job},
          {"overrides", json::parse(r.overrides.empty() ? "{}" : r.overrides, nullptr, false)},
          {"runner_alive", r.runner_alive},
          {"error", report::StatusJson(r.status)}};
}

std::string ToText(const SetResult& r) {
  if (!r.status.ok()) return "";
  return fmt::format("backfill {}: overrides now {}{}\n", r.job, r.overrides,
                     r.runner_alive ? " (the runner applies them at its next chunk)"
                                    : " (applied when the job next runs)");
}

}  // namespace strata::backfill
