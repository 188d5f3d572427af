#include "evidence/render.h"

#include "base/redact.h"
#include "base/text.h"
#include "report/render.h"
#include "session/check_json.h"

#include <fmt/format.h>

namespace strata::evidence {

using nlohmann::json;

namespace {

using report::StatusJson;

std::string CheckLine(const CheckResult& c) {
  std::string where = c.line ? fmt::format("{}:{}", c.file, c.line) : c.file;
  std::string verdict = c.skipped ? "skipped" : c.ok ? "ok" : "FAILED";
  std::string value = c.value ? *c.value : "NULL";
  std::string what = c.name.empty() ? c.phase : fmt::format("{} `{}`", c.phase, c.name);
  std::string out = c.ok && !c.skipped
                        ? fmt::format("  {:<7} {} {}: expected {}, got {}", verdict, where, what,
                                      c.expected, value)
                        : fmt::format("  {:<7} {} {}: {}", verdict, where, what, c.message);
  return base::RedactSecrets(out) + "\n";
}

}  // namespace

json ToJson(const VerifyResult& r) {
  json ms = json::array();
  for (const auto& m : r.migrations) {
    ms.push_back({{"script", m.script},
                  {"version", m.version},
                  {"file_changed", m.file_changed},
                  {"checks", session::ChecksJson(m.checks)}});
  }
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"run_id", r.run_id},
          {"migrations", ms},
          {"smoke", session::ChecksJson(r.smoke)},
          {"passed", r.passed},
          {"failed", r.failed},
          {"skipped", r.skipped},
          {"error", StatusJson(r.status)}};
}

std::string ToText(const VerifyResult& r) {
  std::string out;
  for (const auto& m : r.migrations) {
    out += fmt::format("{}{}\n", m.script, m.file_changed ? " (file changed since applied)" : "");
    for (const auto& c : m.checks) out += CheckLine(c);
  }
  if (!r.smoke.empty()) {
    out += "smoke checks (strata.toml)\n";
    for (const auto& c : r.smoke) out += CheckLine(c);
  }
  out += fmt::format("{} passed, {} failed, {} skipped on {}{}\n", r.passed, r.failed, r.skipped,
                     r.target, r.run_id.empty() ? "" : fmt::format(" (run {})", r.run_id));
  return base::RedactSecrets(out);
}

json ToJson(const TagResult& r) {
  return {{"ok", r.status.ok()},          {"target", r.target},           {"name", r.name},
          {"run_id", r.run_id},           {"tagged_at", r.tagged_at},     {"applied", r.applied},
          {"ledger_head", r.ledger_head}, {"error", StatusJson(r.status)}};
}

std::string ToText(const TagResult& r) {
  if (!r.status.ok()) return {};
  return fmt::format(
      "tagged release {} at {}: {} applied migration(s), schema history head {} "
      "(run {})\n",
      r.name, r.tagged_at, r.applied, r.ledger_head.substr(0, 12), r.run_id);
}

json ToJson(const EvidenceResult& r) {
  return {
      {"ok", r.status.ok()}, {"target", r.target},         {"format", r.format},
      {"digest", r.digest},  {"signed", r.signed_package}, {"key_fingerprint", r.key_fingerprint},
      {"runs", r.runs},      {"package", r.package},       {"error", StatusJson(r.status)}};
}

json ToJson(const EvidenceVerifyResult& r) {
  json j = {{"ok", r.status.ok()},          {"path", r.path},
            {"format", r.format},           {"digest", r.digest},
            {"digest_ok", r.digest_ok},     {"whole", r.whole},
            {"signed", r.signed_package},   {"signature_ok", r.signature_ok},
            {"key_pinned", r.key_pinned},   {"key_fingerprint", r.key_fingerprint},
            {"error", StatusJson(r.status)}};
  if (!r.uncovered.empty()) j["uncovered"] = r.uncovered;
  if (!r.expected_fingerprint.empty()) j["expected_fingerprint"] = r.expected_fingerprint;
  return j;
}

// Says "valid" and "matches --public-key" only when they are true of this very file.
std::string ToText(const EvidenceVerifyResult& r) {
  if (r.format.empty()) return {};
  std::string out = fmt::format("{}: {} package, digest {} {}\n", r.path, r.format, r.digest,
                                r.digest_ok ? "matches its content" : "DOES NOT match its content");
  if (!r.whole) out += fmt::format("  NOT COVERED by the seal: {}\n", r.uncovered);
  if (!r.signed_package) {
    out += "  not signed\n";
    return out;
  }
  std::string key = r.key_fingerprint;
  if (r.key_pinned) {
    key += ", matches --public-key";
  } else if (!r.expected_fingerprint.empty()) {
    key += fmt::format(", NOT the --public-key key {}", r.expected_fingerprint);
  } else {
    key += "; pass --public-key to pin the signer";
  }
  out += fmt::format("  Ed25519 signature {} (key {})\n",
                     r.signature_ok ? "valid" : "INVALID for this file", key);
  return out;
}

}  // namespace strata::evidence
