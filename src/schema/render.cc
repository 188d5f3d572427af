#include "schema/render.h"

#include <fmt/format.h>

namespace strata::schema {

nlohmann::json ToJson(const DriftItem& d) {
  nlohmann::json j = {{"kind", d.kind}, {"object", d.object}, {"change", d.change}};
  if (!d.field.empty()) j["field"] = d.field;
  if (d.change != "extra") j["expected"] = d.expected;
  if (d.change != "missing") j["actual"] = d.actual;
  return j;
}

nlohmann::json ToJson(const SchemaDumpResult& r, bool with_text) {
  nlohmann::json j = {{"target", r.target},
                      {"dialect", r.dialect},
                      {"sha256", r.sha256},
                      {"counts", r.counts},
                      {"elapsed_ms", r.elapsed_ms}};
  if (!r.out.empty()) j["out"] = r.out;
  if (with_text) j["schema"] = r.text;
  return j;
}

nlohmann::json ToJson(const DriftResult& r) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& d : r.items) items.push_back(ToJson(d));
  return {{"target", r.target},        {"against", r.against}, {"compared", r.compared},
          {"drift", !r.items.empty()}, {"differences", items}, {"elapsed_ms", r.elapsed_ms}};
}

nlohmann::json ToJson(const TestResult& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"name", s.name},
                     {"status", s.status},
                     {"message", s.message},
                     {"elapsed_ms", s.elapsed_ms}});
  }
  nlohmann::json diff = nlohmann::json::array();
  for (const auto& d : r.schema_diff) diff.push_back(ToJson(d));
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.lock_findings) {
    findings.push_back({{"file", f.file},
                        {"line", f.line},
                        {"statement", f.statement},
                        {"relation", f.relation},
                        {"what", f.what},
                        {"predicted", f.predicted},
                        {"observed", f.observed}});
  }
  nlohmann::json j = {{"scratch", r.scratch}, {"migrations", r.migrations},
                      {"checks", r.checks},   {"steps", steps},
                      {"schema_diff", diff},  {"elapsed_ms", r.elapsed_ms}};
  if (!r.server.empty()) {
    j["observed_locks"] = {
        {"server", r.server}, {"statements", r.observed_statements}, {"findings", findings}};
  }
  return j;
}

std::string LockFindingText(const LockFinding& f) {
  return fmt::format("{}:{}: statement {}: {} on {}: the analyzer predicts {}, the server shows {}",
                     f.file, f.line, f.statement, f.what, f.relation, f.predicted, f.observed);
}

std::string ItemText(const DriftItem& d) {
  if (d.change == "changed") {
    if (d.field == "definition") {
      return fmt::format("changed {} {}: definition\n    expected: {}\n    actual:   {}", d.kind,
                         d.object, d.expected, d.actual);
    }
    return fmt::format("changed {} {} {}: {} -> {}", d.kind, d.object, d.field,
                       d.expected.empty() ? "(none)" : d.expected,
                       d.actual.empty() ? "(none)" : d.actual);
  }
  return fmt::format("{:<7} {} {}", d.change, d.kind, d.object);
}

std::string ToText(const SchemaDumpResult& r) {
  if (r.out.empty()) return r.text;
  int n = 0;
  for (const auto& [k, c] : r.counts) n += k == "column" ? 0 : c;
  return fmt::format("wrote {} object(s) of {} to {} (sha256 {}, {} ms)\n", n, r.target, r.out,
                     r.sha256.substr(0, 12), r.elapsed_ms);
}

std::string ToText(const DriftResult& r) {
  std::string out;
  if (!r.status.ok() && r.status.code() != ErrorCode::kDrift) return out;
  out += fmt::format("drift: {} against {}: {} object(s) compared, {} difference(s)\n", r.target,
                     r.against, r.compared, r.items.size());
  for (const auto& d : r.items) out += "  " + ItemText(d) + "\n";
  return out;
}

std::string ToText(const TestResult& r) {
  std::string out =
      fmt::format("test on {}: {} migration(s), {} check(s)\n", r.scratch, r.migrations, r.checks);
  for (const auto& s : r.steps) {
    out +=
        fmt::format("  {:<7} {}{}{}\n", s.status, s.name, s.message.empty() ? "" : ": ", s.message);
  }
  for (const auto& d : r.schema_diff) out += "    " + ItemText(d) + "\n";
  for (const auto& f : r.lock_findings) out += "    " + LockFindingText(f) + "\n";
  return out;
}

namespace {
std::string Xml(std::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}
}  // namespace

std::string ToJunit(const TestResult& r) {
  int failures = 0, skipped = 0;
  for (const auto& s : r.steps) {
    failures += s.status == "failed";
    skipped += s.status == "skipped";
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites><testsuite name=\"strata test\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" "
      "time=\"{:.3f}\">\n",
      r.steps.size(), failures, skipped, r.elapsed_ms / 1000.0);
  for (const auto& s : r.steps) {
    out += fmt::format("  <testcase classname=\"strata\" name=\"{}\" time=\"{:.3f}\"", Xml(s.name),
                       s.elapsed_ms / 1000.0);
    if (s.status == "failed") {
      std::string body = s.message;
      if (s.name == "schema") {
        for (const auto& d : r.schema_diff) body += "\n" + ItemText(d);
      }
      out += fmt::format("><failure message=\"{}\">{}</failure></testcase>\n", Xml(s.message),
                         Xml(body));
    } else if (s.status == "warning") {
      // Not the migrations' failure: the analyzer's. Reported, not failed.
      std::string body = s.message;
      for (const auto& f : r.lock_findings) body += "\n" + LockFindingText(f);
      out += fmt::format("><system-out>{}</system-out></testcase>\n", Xml(body));
    } else if (s.status == "skipped") {
      out += fmt::format("><skipped message=\"{}\"/></testcase>\n", Xml(s.message));
    } else {
      out += "/>\n";
    }
  }
  out += "</testsuite></testsuites>\n";
  return out;
}

}  // namespace strata::schema
