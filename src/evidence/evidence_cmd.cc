// `strata tag`, `strata evidence` and `strata evidence verify`.
#include "strata/commands.h"
#include "strata/schema.h"
#include "strata/version.h"

#include "base/duration.h"
#include "base/file.h"
#include "base/redact.h"
#include "base/sha256.h"
#include "config/releases.h"
#include "migrate/discovery.h"
#include "migrate/state.h"
#include "migrate/version.h"
#include "session/check_json.h"
#include "session/run_store.h"
#include "session/session.h"
#include "verify/annotations.h"
#include "verify/intent.h"
#include "verify/settings.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <set>

#include "evidence/package.h"
#include "evidence/sign.h"
#include "identifiers/record.h"

namespace strata {

using nlohmann::json;

namespace {

bool ValidTagName(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

json RunJson(const session::RunRow& r) {
  json j = {{"run_id", r.run_id},
            {"verb", r.verb},
            {"os_user", r.os_user},
            {"db_user", r.db_user},
            {"host", r.host},
            {"tool_version", r.tool_version},
            {"config_checksum", r.config_checksum},
            {"target", base::RedactSecrets(r.target)},
            {"started_at", r.started_at},
            {"finished_at", r.finished_at},
            {"outcome", r.outcome}};
  if (!r.tag.empty()) j["tag"] = r.tag;
  if (!r.ledger_head.empty()) j["ledger"] = {{"rows", r.ledger_rows}, {"head", r.ledger_head}};
  if (!r.error_code.empty()) j["error_code"] = r.error_code;
  if (!r.error_message.empty()) j["error_message"] = base::RedactSecrets(r.error_message);
  if (!r.detail.empty()) {
    json d = json::parse(r.detail, nullptr, false);
    if (!d.is_discarded()) j["detail"] = d;
  }
  return j;
}

// Selects runs per the request. Errors name the unknown tag or run.
Result<std::vector<const session::RunRow*>> Select(const std::vector<session::RunRow>& runs,
                                                   const EvidenceRequest& req, json& content) {
  std::vector<const session::RunRow*> out;
  int given = !req.release.empty() + !req.since.empty() + !req.run_id.empty();
  if (given > 1) {
    return Status(ErrorCode::kUsage, "give one of --release, --since, --run")
        .WithHint("e.g. `strata evidence --release B --format md`");
  }
  json sel = json::object();
  if (!req.run_id.empty()) {
    sel["run"] = req.run_id;
    for (const auto& r : runs) {
      if (r.run_id == req.run_id) out.push_back(&r);
    }
    if (out.empty()) {
      return Status(ErrorCode::kUsage, fmt::format("no run {} in strata_run", req.run_id))
          .WithHint("list runs with `strata --json evidence` (every run) and pick a run_id");
    }
  } else if (!req.release.empty()) {
    sel["release"] = req.release;
    const session::RunRow* tag = nullptr;
    const session::RunRow* prev = nullptr;
    for (const auto& r : runs) {
      if (r.verb != "tag" || r.outcome != "succeeded") continue;
      if (r.tag == req.release) {
        tag = &r;
        break;
      }
      prev = &r;
    }
    if (!tag) {
      std::vector<std::string> tags;
      for (const auto& r : runs) {
        if (r.verb == "tag" && r.outcome == "succeeded") tags.push_back(r.tag);
      }
      return Status(ErrorCode::kUsage, fmt::format("no release tagged `{}`", req.release))
          .WithHint(tags.empty() ? "tag a release point with `strata tag <name>`"
                                 : fmt::format("tagged releases: {}", fmt::join(tags, ", ")));
    }
    json rel = {{"name", tag->tag}, {"tagged_at", tag->started_at}, {"run_id", tag->run_id}};
    if (prev) rel["previous"] = prev->tag;
    content["release"] = rel;
    for (const auto& r : runs) {
      if (r.started_at > tag->started_at || (prev && r.started_at <= prev->started_at)) continue;
      if (r.verb == "tag" && &r != tag) continue;
      out.push_back(&r);
    }
  } else if (!req.since.empty()) {
    STRATA_ASSIGN_OR_RETURN(std::string since, base::ParsePointInTime(req.since, "--since"));
    sel["since"] = since;
    for (const auto& r : runs) {
      if (r.started_at >= since) out.push_back(&r);
    }
  } else {
    for (const auto& r : runs) out.push_back(&r);
  }
  content["selection"] = sel;
  return out;
}

}  // namespace

// The migrations release `name` of the manifest lists that the ledger does not show applied
// (a version at or below a baseline counts as applied). No manifest entry: nothing to check.
static Status CheckReleaseApplied(const Options& options, const std::string& name,
                                  const std::set<std::string>& versions,
                                  const std::set<std::string>& scripts,
                                  const std::optional<migrate::Version>& baseline) {
  auto settings = verify::LoadSettings(options);
  if (!settings) return settings.error();
  auto specs = config::LoadReleases(settings->releases_file);
  if (!specs) return specs.error();
  for (const auto& spec : *specs) {
    if (spec.name != name) continue;
    std::vector<std::string> missing;
    for (const auto& m : spec.migrations) {
      bool present = scripts.count(m) > 0;
      if (auto want = migrate::Version::Parse(m); want && !present) {
        for (const auto& v : versions) present |= migrate::Version::Parse(v) == want;
        present |= baseline && *want <= *baseline;
      }
      if (!present) missing.push_back(m);
    }
    if (missing.empty()) return Status::Ok();
    return Status(ErrorCode::kValidation,
                  fmt::format("release `{}` lists {} migration(s) that are not applied here: {}",
                              name, missing.size(), fmt::join(missing, ", ")))
        .WithSpan({settings->releases_file, spec.line, 0})
        .WithHint(
            "apply them with `strata migrate` before tagging the release (a tag records "
            "what is deployed)");
  }
  return Status::Ok();
}

TagResult Tag(const Options& options, const TagRequest& request) {
  TagResult res;
  res.name = request.name;
  auto fail = [&](Status s) {
    res.status = std::move(s);
    return std::move(res);
  };
  if (!ValidTagName(request.name)) {
    return fail(Status(ErrorCode::kUsage,
                       fmt::format("`{}` is not a tag name", base::RedactSecrets(request.name)))
                    .WithHint("use 1-64 letters, digits, '.', '_' or '-', e.g. `strata tag "
                              "release-2026.06`"));
  }
  auto d = session::Open(options, "tag");
  if (!d) return fail(d.error());
  res.target = d->url.redacted;
  if (Status s = session::RequireLedger(*d); !s.ok()) return fail(std::move(s));
  // Held so a tag never interleaves with a running migrate.
  session::RunLock lock;
  if (Status s = lock.Acquire(*d, options.lock_wait, nullptr); !s.ok()) return fail(std::move(s));
  auto rows = d->ledger->ReadAll();
  if (!rows) return fail(rows.error());
  session::RunStore store(*d->conn, options.ledger_schema);
  auto runs = store.Runs();
  if (!runs) return fail(runs.error());
  for (const auto& r : *runs) {
    if (r.verb == "tag" && r.tag == request.name && r.outcome == "succeeded") {
      return fail(Status(ErrorCode::kValidation,
                         fmt::format("release `{}` is already tagged (run {} at {})", r.tag,
                                     r.run_id, r.started_at))
                      .WithHint("tags are immutable: choose a new name"));
    }
  }
  // What the tag counts: migrations applied (versioned and repeatable), not the seed packages,
  // corrections, repairs and baselines the ledger also records.
  std::set<std::string> versions, scripts;
  std::optional<migrate::Version> baseline;
  int repeatables = 0;
  for (const auto& r : *rows) {
    if (!r.success) continue;
    if (r.type == migrate::kTypeSql && r.version) {
      versions.insert(*r.version);
      scripts.insert(r.script);
    } else if (r.type == migrate::kTypeRepeatable) {
      repeatables += scripts.insert(r.script).second ? 1 : 0;
    } else if (r.type == migrate::kTypeBaseline && r.version) {
      baseline = migrate::Version::Parse(*r.version);
    }
  }
  res.applied = static_cast<int>(versions.size()) + repeatables;
  // A release the manifest names is tagged only when every migration it lists is applied.
  if (Status s = CheckReleaseApplied(options, request.name, versions, scripts, baseline); !s.ok()) {
    return fail(std::move(s));
  }
  res.ledger_head = rows->empty() ? std::string() : rows->back().row_hash;
  auto rec = session::RunRecorder::Start(*d->conn, options, "tag", res.target, request.name);
  if (!rec) return fail(rec.error());
  res.run_id = (*rec)->run_id();
  res.tagged_at = base::NowIso8601();
  json detail = {
      {"note", request.note}, {"applied", res.applied}, {"ledger_head", res.ledger_head}};
  if (Status s = (*rec)->Finish(Status::Ok(), detail.dump()); !s.ok()) return fail(std::move(s));
  return res;
}

EvidenceResult Evidence(const Options& options, const EvidenceRequest& request) {
  EvidenceResult res;
  res.format = request.format;
  auto fail = [&](Status s) {
    res.status = std::move(s);
    return std::move(res);
  };
  if (request.format != "md" && request.format != "json") {
    return fail(
        Status(ErrorCode::kUsage, fmt::format("--format {}: expected md or json", request.format))
            .WithHint("use --format md (people) or --format json (systems)"));
  }
  auto d = session::Open(options, "evidence");
  if (!d) return fail(d.error());
  res.target = d->url.redacted;
  if (Status s = session::RequireLedger(*d); !s.ok()) return fail(std::move(s));
  auto rows = d->ledger->ReadAll();
  if (!rows) return fail(rows.error());
  session::RunStore store(*d->conn, options.ledger_schema);
  auto runs = store.Runs();
  if (!runs) return fail(runs.error());

  json content = json::object();
  content["format"] = std::string(evidence::kPackageFormat);
  content["generated_at"] = base::NowIso8601();
  content["generated_by"] = {{"tool", "strata"}, {"version", kVersion}};
  content["target"] = res.target;
  auto selected = Select(*runs, request, content);
  if (!selected) return fail(selected.error());
  // Intact means the chain verifies and still holds every row a run or tag anchored.
  std::vector<std::string> breaks = ledger::Ledger::VerifyChain(*rows);
  std::vector<ledger::Anchor> anchors;
  for (const auto& r : *runs) {
    if (r.ledger_head.empty()) continue;
    anchors.push_back(
        {r.ledger_rows, r.ledger_head, session::AnchorSource(r.verb, r.tag, r.run_id)});
  }
  auto lost = ledger::AnchorBreaks(*rows, anchors);
  breaks.insert(breaks.end(), lost.begin(), lost.end());
  content["ledger"] = {{"rows", rows->size()},
                       {"head", rows->empty() ? std::string() : rows->back().row_hash},
                       {"chain_intact", breaks.empty()}};
  if (!breaks.empty()) content["ledger"]["breaks"] = breaks;
  // The drift verdict: the live schema against the committed schema file ([schema] file).
  if (!options.schema_file.empty()) {
    DriftResult dr = Drift(options, DriftRequest{});
    std::error_code ec;
    std::string against = std::filesystem::relative(options.schema_file, ec).string();
    if (ec || against.empty()) against = options.schema_file;
    json items = json::array();
    for (const auto& it : dr.items) {
      items.push_back(fmt::format("{} {} {}{}", it.change, it.kind, it.object,
                                  it.field.empty() ? "" : " (" + it.field + ")"));
    }
    content["drift"] = {{"against", against},
                        {"verdict", dr.status.ok()                          ? "none"
                                    : dr.status.code() == ErrorCode::kDrift ? "drift"
                                                                            : "not checked"},
                        {"compared", dr.compared},
                        {"differences", dr.items.size()},
                        {"items", items}};
    if (!dr.status.ok() && dr.status.code() != ErrorCode::kDrift) {
      content["drift"]["reason"] = base::RedactSecrets(dr.status.message());
    }
  }

  // Intent headers of the files, for "why" beside "what".
  std::map<std::string, json> intents;
  if (auto set = migrate::Discover(options); set) {
    for (const auto& m : set->migrations) {
      auto annotations = verify::ReadAnnotations(m.text, m.path, d->conn->dialect());
      if (!annotations || !annotations->intent.present) continue;
      const verify::Intent* intent = &annotations->intent;
      json fields = json::object();
      for (const auto& info : verify::IntentKeys()) {
        if (intent->Has(info.key))
          fields[std::string(info.label)] = std::string(intent->Get(info.key));
      }
      intents[m.script + "\x1f" + m.checksum] = fields;
    }
  }
  json jruns = json::array();
  int succeeded = 0, failed = 0, applied = 0, mfailed = 0, cpass = 0, cfail = 0;
  for (const auto* r : *selected) {
    json jr = RunJson(*r);
    auto ms = store.Migrations(r->run_id);
    if (!ms) return fail(ms.error());
    json jms = json::array();
    for (const auto& m : *ms) {
      json jm = {{"seq", m.seq},
                 {"script", m.script},
                 {"version", m.version},
                 {"checksum", m.checksum},
                 {"transactional", m.transactional},
                 {"outcome", m.outcome},
                 {"statements", m.statements},
                 {"rows_affected", m.rows_affected},
                 {"duration_ms", m.duration_ms},
                 {"attempts", m.attempts},
                 {"lock_wait_ms", m.lock_wait_ms},
                 {"checks", session::ChecksJson(m.checks)}};
      if (!m.error_message.empty()) jm["error_message"] = base::RedactSecrets(m.error_message);
      if (auto it = intents.find(m.script + "\x1f" + m.checksum); it != intents.end()) {
        jm["intent"] = it->second;
      }
      (m.outcome == "applied" ? applied : mfailed)++;
      for (const auto& c : m.checks) (c.ok ? cpass : cfail)++;
      jms.push_back(std::move(jm));
    }
    if (jr.contains("detail")) {
      const json& det = jr["detail"];
      auto count = [&](const json& cs) {
        for (const auto& c : cs) {
          if (c.value("skipped", false)) continue;
          (c.value("ok", false) ? cpass : cfail)++;
        }
      };
      if (det.contains("smoke")) count(det["smoke"]);
      if (det.contains("migrations")) {
        for (const auto& vm : det["migrations"]) count(vm["checks"]);
      }
    }
    jr["migrations"] = std::move(jms);
    // The identifier digests before and after the run (identifiers/record.h), when it touched
    // contracted tables.
    auto ids = identifiers::RecordedJson(*d->conn, options.ledger_schema, r->run_id);
    if (!ids) return fail(ids.error());
    if (json jids = json::parse(*ids, nullptr, false); jids.is_array() && !jids.empty()) {
      jr["identifiers"] = std::move(jids);
    }
    if (r->outcome == "succeeded") ++succeeded;
    if (r->outcome == "failed") ++failed;
    jruns.push_back(std::move(jr));
  }
  content["runs"] = std::move(jruns);
  content["summary"] = {
      {"runs", selected->size()},      {"succeeded", succeeded},       {"failed", failed},
      {"migrations_applied", applied}, {"migrations_failed", mfailed}, {"checks_passed", cpass},
      {"checks_failed", cfail}};
  res.runs = static_cast<int>(selected->size());

  // Seal: digest over the content, optional signature over the digest.
  std::optional<evidence::Signature> sig;
  if (request.format == "json") {
    res.digest = "sha256:" + base::Sha256Hex(content.dump());
  } else {
    // The digest covers every byte before the digest line (the body and one blank line).
    res.package = evidence::RenderMarkdown(content) + "\n";
    res.digest = "sha256:" + base::Sha256Hex(res.package);
  }
  if (!request.sign_key.empty()) {
    auto s = evidence::SignEd25519(res.digest, request.sign_key);
    if (!s) return fail(s.error());
    sig = std::move(*s);
    res.signed_package = true;
    res.key_fingerprint = sig->fingerprint;
  }
  if (request.format == "json") {
    json pkg = {{"content", content}, {"digest", res.digest}};
    if (sig) {
      pkg["signature"] = {{"algorithm", "ed25519"},
                          {"signature", sig->signature_b64},
                          {"public_key", sig->public_key_b64},
                          {"fingerprint", sig->fingerprint}};
    }
    res.package = pkg.dump(2) + "\n";
  } else {
    res.package += fmt::format("{}{} -->\n", evidence::kDigestMarker, res.digest);
    if (sig) {
      res.package += fmt::format("{}ed25519 {} key {} -->\n", evidence::kSignatureMarker,
                                 sig->signature_b64, sig->public_key_b64);
    }
  }
  // Never hand out a package with a secret in it.
  if (base::RedactSecrets(res.package) != res.package) {
    return fail(Status(ErrorCode::kInternal,
                       "the evidence package would contain a registered secret; refusing")
                    .WithHint("report this: every stored string should have been redacted"));
  }
  return res;
}

EvidenceVerifyResult VerifyEvidence(const EvidenceVerifyRequest& request) {
  EvidenceVerifyResult res;
  res.path = request.path;
  auto fail = [&](std::string message, std::string hint) {
    res.status = Status(ErrorCode::kValidation, std::move(message))
                     .WithSpan({request.path, 0, 0})
                     .WithHint(std::move(hint));
    return std::move(res);
  };
  std::string why;
  auto text = base::ReadFile(request.path, &why);
  if (!text) {
    res.status = Status(ErrorCode::kIo, fmt::format("cannot read {}: {}", request.path, why))
                     .WithHint("give the path of a package written by `strata evidence`");
    return res;
  }
  std::optional<std::string> pinned;
  if (!request.public_key.empty()) {
    auto pub = evidence::ReadPublicKeyB64(request.public_key);
    if (!pub) {
      res.status = pub.error();
      return res;
    }
    pinned = *pub;
    res.expected_fingerprint = evidence::Fingerprint(*pub);
  }
  auto seal = evidence::ReadSeal(*text, request.path);
  if (!seal) {
    res.status = seal.error();
    return res;
  }
  res.format = seal->format;
  res.digest = seal->digest;
  res.digest_ok = seal->digest == seal->computed;
  res.whole = seal->uncovered.empty();
  res.uncovered = seal->uncovered;
  res.signed_package = !seal->signature_b64.empty();
  bool signature_holds = false;
  if (res.signed_package) {
    signature_holds =
        evidence::VerifyEd25519(seal->digest, seal->signature_b64, seal->public_key_b64);
    res.key_fingerprint = evidence::Fingerprint(seal->public_key_b64);
    res.key_pinned = pinned && *pinned == seal->public_key_b64;
  }
  // The signature vouches for this file only when it holds, the digest is the content's and
  // nothing else is in the file.
  res.signature_ok = signature_holds && res.digest_ok && res.whole;
  const std::string distrust =
      "do not trust this copy; ask for the original package or regenerate it with `strata "
      "evidence`";
  if (!res.whole) {
    return fail(fmt::format("{}: {}, which neither the digest nor the signature covers",
                            request.path, seal->uncovered),
                distrust);
  }
  if (!res.digest_ok) {
    return fail(fmt::format("{} was changed after it was sealed: its digest says {}, its "
                            "content hashes to {}",
                            request.path, seal->digest, seal->computed),
                distrust);
  }
  if (pinned && !res.signed_package) {
    return fail(fmt::format("{} is not signed, but --public-key expects a signature", request.path),
                "ask for a package signed with `strata evidence --sign-key`");
  }
  if (res.signed_package && !signature_holds) {
    return fail(fmt::format("{}: the signature does not match its digest", request.path),
                "do not trust this copy; the signature was forged or altered");
  }
  if (pinned && !res.key_pinned) {
    return fail(fmt::format("{} is signed by key {}, not by the key in {} ({})", request.path,
                            res.key_fingerprint, request.public_key, res.expected_fingerprint),
                "the package was not signed by the operator you expect: do not trust it");
  }
  return res;
}

}  // namespace strata
