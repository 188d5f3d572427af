#include "report/authoring.h"

#include <fmt/format.h>

namespace strata::report {

nlohmann::json ToJson(const DetectedTool& d) {
  return {{"tool", d.tool},
          {"evidence", d.evidence},
          {"location", d.location},
          {"import_command", d.import_command}};
}

nlohmann::json ToJson(const InitResult& r) {
  nlohmann::json detected = nlohmann::json::array();
  for (const auto& d : r.detected) detected.push_back(ToJson(d));
  return {{"dir", r.dir},
          {"dialect", r.dialect},
          {"url", r.url},
          {"password_dropped", r.password_dropped},
          {"created", r.created},
          {"existing", r.existing},
          {"detected", detected},
          {"warnings", r.warnings},
          {"next_steps", r.next_steps}};
}

nlohmann::json ToJson(const NewResult& r) {
  return {{"path", r.path},
          {"script", r.script},
          {"version", r.version.empty() ? nlohmann::json() : nlohmann::json(r.version)},
          {"scheme", r.scheme},
          {"sum", r.sum_path},
          {"warnings", r.warnings},
          {"next_steps", r.next_steps}};
}

std::string ToText(const InitResult& r) {
  if (!r.status.ok()) return "";
  std::string out;
  for (const auto& c : r.created) out += fmt::format("created {}\n", c);
  for (const auto& e : r.existing) out += fmt::format("kept    {} (already there)\n", e);
  out += fmt::format("database: {} ({})\n", r.url.empty() ? "(set STRATA_URL)" : r.url, r.dialect);
  if (r.password_dropped) {
    out +=
        "the password in --url was not written to strata.toml: give it in STRATA_URL, "
        "PGPASSWORD or ~/.pgpass\n";
  }
  for (const auto& d : r.detected) {
    out += fmt::format("found a {} history here ({}): bring it along with `{}`\n", d.tool,
                       d.evidence, d.import_command);
  }
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  out += "\nnext:\n";
  for (const auto& s : r.next_steps) out += fmt::format("  {}\n", s);
  return out;
}

std::string ToText(const NewResult& r) {
  if (!r.status.ok()) return "";
  std::string out = r.path + "\n";
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  if (!r.version.empty()) {
    out += fmt::format("version {} ({}); {} updated\n", r.version, r.scheme, r.sum_path);
  } else {
    out += fmt::format("repeatable; {} updated\n", r.sum_path);
  }
  out += "next:\n";
  for (const auto& s : r.next_steps) out += fmt::format("  {}\n", s);
  return out;
}

}  // namespace strata::report
