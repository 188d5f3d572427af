#include "session/check_json.h"

#include "base/redact.h"

namespace strata::session {

using nlohmann::json;

json CheckJson(const CheckResult& c) {
  json j = {{"phase", c.phase},
            {"name", c.name},
            {"file", c.file},
            {"line", c.line},
            {"query", base::RedactSecrets(c.query)},
            {"expected", c.expected},
            {"value", c.value ? json(base::RedactSecrets(*c.value)) : json(nullptr)},
            {"ok", c.ok},
            {"elapsed_ms", c.elapsed_ms}};
  if (c.skipped) j["skipped"] = true;
  if (!c.message.empty()) j["message"] = base::RedactSecrets(c.message);
  return j;
}

CheckResult CheckFromJson(const json& j) {
  CheckResult c;
  c.phase = j.value("phase", "");
  c.name = j.value("name", "");
  c.file = j.value("file", "");
  c.line = j.value("line", 0);
  c.query = j.value("query", "");
  c.expected = j.value("expected", "");
  if (j.contains("value") && j["value"].is_string()) c.value = j["value"].get<std::string>();
  c.ok = j.value("ok", false);
  c.skipped = j.value("skipped", false);
  c.message = j.value("message", "");
  c.elapsed_ms = j.value("elapsed_ms", static_cast<std::int64_t>(0));
  return c;
}

json ChecksJson(const std::vector<CheckResult>& cs) {
  json a = json::array();
  for (const auto& c : cs) a.push_back(CheckJson(c));
  return a;
}

std::vector<CheckResult> ChecksFromJson(const json& j) {
  std::vector<CheckResult> out;
  if (!j.is_array()) return out;
  for (const auto& el : j) out.push_back(CheckFromJson(el));
  return out;
}

}  // namespace strata::session
