#include "evidence/package.h"

#include "base/redact.h"
#include "base/sha256.h"
#include "base/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <vector>

#include "evidence/sign.h"

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
  if (led.contains("breaks") && led["breaks"].is_array()) {
    for (const auto& b : led["breaks"]) {
      md +=
          fmt::format("  - broken at {}\n", Cell(b.is_string() ? b.get<std::string>() : b.dump()));
    }
  }
  if (content.contains("drift")) {
    const json& d = content["drift"];
    std::string verdict = S(d, "verdict");
    if (verdict == "none") {
      md += fmt::format("- Drift against `{}`: none ({} object(s) compared)\n",
                        Cell(S(d, "against")), d.value("compared", 0));
    } else if (verdict == "drift") {
      md += fmt::format("- Drift against `{}`: **{} difference(s)**\n", Cell(S(d, "against")),
                        d.value("differences", 0));
      for (const auto& it : d["items"]) {
        md += fmt::format("  - {}\n", Cell(it.is_string() ? it.get<std::string>() : it.dump()));
      }
    } else {
      md += fmt::format("- Drift against `{}`: not checked ({})\n", Cell(S(d, "against")),
                        Cell(S(d, "reason")));
    }
  }
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
    const std::string config = S(run, "config_checksum");
    md +=
        fmt::format("- Tool: strata {}; {}\n", S(run, "tool_version"),
                    config.empty() ? std::string("no strata.toml (flags and environment only)")
                                   : fmt::format("strata.toml sha256 `{}`", config.substr(0, 16)));
    md += fmt::format(
        "- Started {}, finished {}\n", S(run, "started_at"),
        S(run, "finished_at").empty() ? "never (killed or still running)" : S(run, "finished_at"));
    if (run.contains("ledger") && run["ledger"].is_object()) {
      md += fmt::format("- Schema history anchored: {} row(s), head `{}`\n",
                        run["ledger"].value("rows", 0), S(run["ledger"], "head").substr(0, 16));
    }
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

namespace {

bool IsDigest(std::string_view d) {
  constexpr std::string_view kPrefix = "sha256:";
  if (d.size() != kPrefix.size() + 64 || d.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char c : d.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsBase64(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) {
      return false;
    }
  }
  return true;
}

std::string_view JsonTypeName(const json& j) { return j.type_name(); }

// 1-based line of byte `offset` in `text`.
size_t LineAt(std::string_view text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

Result<Seal> ReadJsonSeal(std::string_view text,
                          const std::function<Status(std::string)>& not_package,
                          const std::function<Status(std::string)>& malformed) {
  Seal seal;
  seal.format = "json";
  // Duplicated keys (at any depth) would be read as one: the last wins, the first is unseen.
  std::vector<std::vector<std::string>> keys;
  std::string duplicate;
  auto cb = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.empty() && parsed.is_string()) {
      auto& seen = keys.back();
      const auto& k = parsed.get_ref<const std::string&>();
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
        if (duplicate.empty()) duplicate = k;
      } else {
        seen.push_back(k);
      }
    }
    return true;
  };
  json j = json::parse(text, cb, false);
  if (j.is_discarded() || !j.is_object()) return not_package("expected a JSON object");
  if (!duplicate.empty()) {
    return malformed(
        fmt::format("the key `{}` appears twice in one object; a package has each "
                    "key once",
                    duplicate));
  }
  if (!j.contains("content") || !j.contains("digest")) {
    return not_package("expected a JSON object with `content` and `digest`");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "content" && it.key() != "digest" && it.key() != "signature") {
      return malformed(
          fmt::format("unexpected top-level key `{}`: a package has only "
                      "`content`, `digest` and `signature`",
                      it.key()));
    }
  }
  const json& content = j["content"];
  if (!content.is_object()) {
    return malformed(fmt::format("`content` must be an object, not {}", JsonTypeName(content)));
  }
  if (!content.contains("format") || !content["format"].is_string() ||
      content["format"].get<std::string>() != kPackageFormat) {
    return not_package(fmt::format("content.format is not {}", kPackageFormat));
  }
  if (!j["digest"].is_string()) {
    return malformed(fmt::format("`digest` must be a string, not {}", JsonTypeName(j["digest"])));
  }
  seal.digest = j["digest"].get<std::string>();
  if (!IsDigest(seal.digest)) {
    return malformed("`digest` is not \"sha256:\" and 64 lower-case hex digits");
  }
  if (j.contains("signature")) {
    const json& sig = j["signature"];
    if (!sig.is_object()) {
      return malformed(fmt::format("`signature` must be an object, not {}", JsonTypeName(sig)));
    }
    for (auto it = sig.begin(); it != sig.end(); ++it) {
      if (it.key() != "algorithm" && it.key() != "signature" && it.key() != "public_key" &&
          it.key() != "fingerprint") {
        return malformed(fmt::format("unexpected key `signature.{}`", it.key()));
      }
      if (!it.value().is_string()) {
        return malformed(fmt::format("`signature.{}` must be a string, not {}", it.key(),
                                     JsonTypeName(it.value())));
      }
    }
    for (const char* k : {"algorithm", "signature", "public_key"}) {
      if (!sig.contains(k)) return malformed(fmt::format("`signature.{}` is missing", k));
    }
    if (sig["algorithm"].get<std::string>() != "ed25519") {
      return malformed(fmt::format("`signature.algorithm` is `{}`; strata signs with ed25519",
                                   sig["algorithm"].get<std::string>()));
    }
    seal.signature_b64 = sig["signature"].get<std::string>();
    seal.public_key_b64 = sig["public_key"].get<std::string>();
    if (!IsBase64(seal.signature_b64) || !IsBase64(seal.public_key_b64)) {
      return malformed("`signature.signature` and `signature.public_key` must be base64");
    }
    if (sig.contains("fingerprint") &&
        sig["fingerprint"].get<std::string>() != Fingerprint(seal.public_key_b64)) {
      seal.uncovered = "`signature.fingerprint` is not the fingerprint of `signature.public_key`";
    }
  }
  try {
    seal.computed = "sha256:" + base::Sha256Hex(content.dump());
    // Byte for byte what strata writes: no other whitespace, order or text to hide content in.
    if (seal.uncovered.empty() && j.dump(2) + "\n" != text) {
      size_t at = 0;
      std::string canonical = j.dump(2) + "\n";
      while (at < text.size() && at < canonical.size() && text[at] == canonical[at]) ++at;
      seal.uncovered = fmt::format(
          "line {}: the file differs from the sealed package from here on (added text, "
          "spacing or key order)",
          LineAt(text, at));
    }
  } catch (const json::exception& e) {
    return malformed(fmt::format("cannot re-encode the content: {}", e.what()));
  }
  return seal;
}

}  // namespace

Result<Seal> ReadSeal(std::string_view text, const std::string& path) {
  Seal seal;
  auto not_package = [&](std::string why) {
    return Status(ErrorCode::kValidation, fmt::format("{} is not a sealed strata evidence package: "
                                                      "{}",
                                                      path, why))
        .WithSpan({path, 0, 0})
        .WithHint("verify the file `strata evidence` wrote, unchanged");
  };
  auto malformed = [&](std::string why) {
    return Status(ErrorCode::kValidation, fmt::format("{} has a malformed seal: {}", path, why))
        .WithSpan({path, 0, 0})
        .WithHint("do not trust this copy; ask for the package `strata evidence` wrote");
  };
  std::string_view t = base::Trim(text);
  if (!t.empty() && t[0] == '{') return ReadJsonSeal(text, not_package, malformed);

  seal.format = "md";
  // The first digest line ends the body (rendered body lines never start with the marker);
  // the digest line, an optional signature line and nothing else follow.
  std::string marker = std::string("\n") + std::string(kDigestMarker);
  size_t pos = text.find(marker);
  if (pos == std::string_view::npos) return not_package("no `strata-evidence-digest` line");
  size_t digest_begin = pos + 1;
  size_t digest_end = text.find('\n', digest_begin);
  if (digest_end == std::string_view::npos) digest_end = text.size();
  std::string_view digest_line = text.substr(digest_begin, digest_end - digest_begin);
  std::string_view body = text.substr(0, digest_begin);
  seal.computed = "sha256:" + base::Sha256Hex(body);
  {
    std::string_view v = digest_line.substr(kDigestMarker.size());
    size_t close = v.find(" -->");
    if (close == std::string_view::npos) return malformed("the digest line does not end in ` -->`");
    seal.digest = std::string(v.substr(0, close));
    if (!IsDigest(seal.digest)) {
      return malformed(
          fmt::format("line {}: the digest is not \"sha256:\" and 64 lower-case hex "
                      "digits",
                      LineAt(text, digest_begin)));
    }
  }
  std::string canonical = fmt::format("{}{} -->\n", kDigestMarker, seal.digest);
  size_t after = digest_begin;
  if (text.substr(after, canonical.size()) != canonical) {
    seal.uncovered =
        fmt::format("line {}: the digest line is not as strata writes it", LineAt(text, after));
    return seal;
  }
  after += canonical.size();
  std::string_view rest = text.substr(after);
  if (rest.substr(0, kSignatureMarker.size()) == kSignatureMarker) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    // "ed25519 <sig> key <pub> -->"
    std::string_view v = line.substr(kSignatureMarker.size());
    std::vector<std::string> parts;
    for (size_t i = 0; i < v.size();) {
      size_t j = v.find(' ', i);
      if (j == std::string_view::npos) j = v.size();
      if (j > i) parts.emplace_back(v.substr(i, j - i));
      i = j + 1;
    }
    if (parts.size() != 5 || parts[0] != "ed25519" || parts[2] != "key" || parts[4] != "-->" ||
        !IsBase64(parts[1]) || !IsBase64(parts[3])) {
      return malformed(fmt::format("line {}: expected `{}ed25519 <signature> key <public key> -->`",
                                   LineAt(text, after), kSignatureMarker));
    }
    seal.signature_b64 = parts[1];
    seal.public_key_b64 = parts[3];
    std::string sig_line = fmt::format("{}ed25519 {} key {} -->\n", kSignatureMarker,
                                       seal.signature_b64, seal.public_key_b64);
    if (rest.substr(0, sig_line.size()) != sig_line) {
      seal.uncovered = fmt::format("line {}: the signature line is not as strata writes it",
                                   LineAt(text, after));
      return seal;
    }
    after += sig_line.size();
    if (after < text.size()) {
      seal.uncovered = fmt::format("line {}: text after the signature line", LineAt(text, after));
    }
  } else if (after < text.size()) {
    seal.uncovered = fmt::format("line {}: text after the digest line{}", LineAt(text, after),
                                 text.find(kSignatureMarker, after) != std::string_view::npos
                                     ? ", before the signature"
                                     : "");
  }
  return seal;
}

}  // namespace strata::evidence
