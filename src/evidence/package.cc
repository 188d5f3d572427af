#include "evidence/package.h"

#include "base/redact.h"
#include "base/sha256.h"
#include "base/text.h"

#include <fmt/format.h>

namespace strata::evidence {

using nlohmann::json;

namespace {

std::string S(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return {};
  if (j[key].is_string()) return j[key].get<std::string>();
  return j[key].dump();
}

std::string Cell(std::string_view s) { return base::MarkdownCell(s); }

std::string Code(const std::string& s) { return s.empty() ? "" : "`" + Cell(s) + "`"; }

void RenderChecks(std::string& md, const json& checks) {
  if (!checks.is_array() || checks.empty()) return;
  md += "| check | line | query | expected | value | result |\n";
  md += "|---|---|---|---|---|---|\n";
  for (const auto& c : checks) {
    std::string result = c.value("skipped", false) ? "skipped"
                         : c.value("ok", false)    ? "passed"
                                                   : "**FAILED**";
    std::string msg = S(c, "message");
    if (!msg.empty() && !c.value("ok", false)) result += ": " + msg;
    md += fmt::format("| {}{} | {} | {} | {} | {} | {} |\n", S(c, "phase"),
                      S(c, "name").empty() ? std::string() : " " + Cell(S(c, "name")),
                      c.value("line", 0), Code(S(c, "query")), Cell(S(c, "expected")),
                      c.contains("value") && c["value"].is_string() ? Code(S(c, "value")) : "NULL",
                      Cell(result));
  }
  md += "\n";
}

}  // namespace

std::string RenderMarkdown(const json& content) {
  std::string md;
  const json& sel = content["selection"];
  std::string what = sel.contains("release") ? fmt::format("release {}", S(sel, "release"))
                     : sel.contains("run")   ? fmt::format("run {}", S(sel, "run"))
                     : sel.contains("since") ? fmt::format("runs since {}", S(sel, "since"))
                                             : std::string("all runs");
  md += fmt::format("# Evidence package: {}\n\n", what);
  md += fmt::format("- Target: `{}`\n", S(content, "target"));
  md += fmt::format("- Generated at {} by strata {}\n", S(content, "generated_at"),
                    S(content["generated_by"], "version"));
  const json& led = content["ledger"];
  md += fmt::format("- Schema history: {} row(s), hash chain {}, head `{}`\n", led.value("rows", 0),
                    led.value("chain_intact", false) ? "intact" : "BROKEN",
                    S(led, "head").substr(0, 16));
  if (content.contains("release")) {
    const json& r = content["release"];
    md += fmt::format("- Release {} tagged at {}{}\n", S(r, "name"), S(r, "tagged_at"),
                      r.contains("previous") ? fmt::format(" (after release {})", S(r, "previous"))
                                             : std::string());
  }
  const json& sum = content["summary"];
  md += "\n## Summary\n\n";
  md +=
      "| runs | succeeded | failed | migrations applied | migrations failed | checks passed | "
      "checks failed |\n|---|---|---|---|---|---|---|\n";
  md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n\n", sum.value("runs", 0),
                    sum.value("succeeded", 0), sum.value("failed", 0),
                    sum.value("migrations_applied", 0), sum.value("migrations_failed", 0),
                    sum.value("checks_passed", 0), sum.value("checks_failed", 0));
  for (const auto& run : content["runs"]) {
    md +=
        fmt::format("## Run {} — {}{} — {}\n\n", S(run, "run_id"), S(run, "verb"),
                    S(run, "tag").empty() ? std::string() : " " + S(run, "tag"), S(run, "outcome"));
    md += fmt::format("- Operator: OS user `{}`, database user `{}`, host `{}`\n",
                      S(run, "os_user"), S(run, "db_user"), S(run, "host"));
    md += fmt::format("- Tool: strata {}; strata.toml sha256 `{}`\n", S(run, "tool_version"),
                      S(run, "config_checksum").substr(0, 16));
    md += fmt::format(
        "- Started {}, finished {}\n", S(run, "started_at"),
        S(run, "finished_at").empty() ? "never (killed or still running)" : S(run, "finished_at"));
    if (!S(run, "error_message").empty()) {
      md += fmt::format("- Error [{}]: {}\n", S(run, "error_code"), Cell(S(run, "error_message")));
    }
    md += "\n";
    for (const auto& m : run["migrations"]) {
      md += fmt::format(
          "### {}{} — {}\n\n", S(m, "script"),
          S(m, "version").empty() ? std::string() : fmt::format(" (version {})", S(m, "version")),
          S(m, "outcome"));
      md += fmt::format("- Checksum: `{}`\n", S(m, "checksum"));
      md += fmt::format("- Mechanism: {}\n",
                        m.value("transactional", true)
                            ? "one transaction: statements, post-checks and the schema-history "
                              "row commit together"
                            : "statement by statement, progress recorded after each");
      std::vector<std::string> rows;
      for (const auto& r : m["rows_affected"]) rows.push_back(r.dump());
      md += fmt::format("- Statements: {}; rows affected per statement: {}\n",
                        m.value("statements", 0),
                        rows.empty() ? "none" : fmt::format("{}", fmt::join(rows, ", ")));
      md += fmt::format("- Duration {} ms, attempts {}, lock waits {} ms\n",
                        m.value("duration_ms", 0), m.value("attempts", 1),
                        m.value("lock_wait_ms", 0));
      if (!S(m, "error_message").empty()) {
        md += fmt::format("- Error: {}\n", Cell(S(m, "error_message")));
      }
      if (m.contains("intent") && m["intent"].is_object() && !m["intent"].empty()) {
        md += "- Intent:\n";
        for (auto it = m["intent"].begin(); it != m["intent"].end(); ++it) {
          md += fmt::format("  - {}: {}\n", it.key(), Cell(it.value().get<std::string>()));
        }
      }
      md += "\n";
      RenderChecks(md, m["checks"]);
    }
    if (run.contains("detail") && run["detail"].is_object()) {
      const json& d = run["detail"];
      if (d.contains("migrations")) {
        for (const auto& vm : d["migrations"]) {
          if (vm["checks"].empty()) continue;
          md += fmt::format("### Verified {}{}\n\n", S(vm, "script"),
                            vm.value("file_changed", false) ? " (file changed since applied)" : "");
          RenderChecks(md, vm["checks"]);
        }
      }
      if (d.contains("smoke") && !d["smoke"].empty()) {
        md += "### Smoke checks\n\n";
        RenderChecks(md, d["smoke"]);
      }
      if (d.contains("note") && d["note"].is_string() && !d["note"].get<std::string>().empty()) {
        md += fmt::format("- Note: {}\n\n", Cell(d["note"].get<std::string>()));
      }
      if (d.contains("ledger_head")) {
        md += fmt::format("- Schema history at the tag: {} applied migration(s), head `{}`\n\n",
                          d.value("applied", 0), S(d, "ledger_head").substr(0, 16));
      }
    }
  }
  return md;
}

Result<Seal> ReadSeal(std::string_view text, const std::string& path) {
  Seal seal;
  auto not_package = [&](std::string why) {
    return Status(ErrorCode::kValidation, fmt::format("{} is not a sealed strata evidence package: "
                                                      "{}",
                                                      path, why))
        .WithSpan({path, 0, 0})
        .WithHint("verify the file `strata evidence` wrote, unchanged");
  };
  std::string_view t = base::Trim(text);
  if (!t.empty() && t[0] == '{') {
    seal.format = "json";
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("content") || !j.contains("digest")) {
      return not_package("expected a JSON object with `content` and `digest`");
    }
    if (!j["content"].is_object() || j["content"].value("format", "") != kPackageFormat) {
      return not_package(fmt::format("content.format is not {}", kPackageFormat));
    }
    seal.digest = j.value("digest", "");
    seal.computed = "sha256:" + base::Sha256Hex(j["content"].dump());
    if (j.contains("signature") && j["signature"].is_object()) {
      seal.signature_b64 = j["signature"].value("signature", "");
      seal.public_key_b64 = j["signature"].value("public_key", "");
    }
    return seal;
  }
  seal.format = "md";
  size_t pos = text.find(std::string("\n") + std::string(kDigestMarker));
  if (pos == std::string_view::npos) return not_package("no `strata-evidence-digest` line");
  std::string_view body = text.substr(0, pos + 1);
  seal.computed = "sha256:" + base::Sha256Hex(body);
  std::string_view rest = text.substr(pos + 1);
  for (std::string_view line : base::SplitLines(rest)) {
    line = base::Trim(line);
    if (line.substr(0, kDigestMarker.size()) == kDigestMarker) {
      std::string_view v = line.substr(kDigestMarker.size());
      seal.digest = std::string(base::Trim(v.substr(0, v.find("-->"))));
    } else if (line.substr(0, kSignatureMarker.size()) == kSignatureMarker) {
      // "ed25519 <sig> key <pub> -->"
      std::string_view v = line.substr(kSignatureMarker.size());
      v = base::Trim(v.substr(0, v.find("-->")));
      std::vector<std::string> parts;
      size_t i = 0;
      while (i < v.size()) {
        size_t j = v.find(' ', i);
        if (j == std::string_view::npos) j = v.size();
        if (j > i) parts.emplace_back(v.substr(i, j - i));
        i = j + 1;
      }
      if (parts.size() == 4 && parts[0] == "ed25519" && parts[2] == "key") {
        seal.signature_b64 = parts[1];
        seal.public_key_b64 = parts[3];
      } else {
        seal.signature_b64 = "malformed";
      }
    }
  }
  if (seal.digest.empty()) return not_package("the digest line is empty");
  return seal;
}

}  // namespace strata::evidence
