// `strata verify`: the post-checks of every applied migration again (has the data drifted since
// it was applied?) and, with --smoke, the [smoke.*] queries of strata.toml. Results are written
// to the evidence ledger as a run of verb "verify". Exit code 8 (check-failed) on any failure.
#include "strata/commands.h"

#include "base/redact.h"
#include "migrate/discovery.h"
#include "session/check_json.h"
#include "session/run_store.h"
#include "session/session.h"
#include "verify/annotations.h"
#include "verify/checks.h"
#include "verify/settings.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

namespace strata {

VerifyResult Verify(const Options& options, const VerifyRequest& request) {
  VerifyResult res;
  auto fail = [&](Status s) {
    res.status = std::move(s);
    return std::move(res);
  };
  auto settings = verify::LoadSettings(options);
  if (!settings) return fail(settings.error());
  bool run_smoke = request.smoke || request.smoke_only;
  if (run_smoke && settings->smoke.empty()) {
    return fail(
        Status(ErrorCode::kConfig,
               fmt::format("--smoke: {} declares no [smoke.<name>] queries",
                           options.config_path.empty() ? "strata.toml" : options.config_path))
            .WithHint("add e.g. [smoke.no_null_term] with query = \"SELECT count(*) ...\" "
                      "and expect = \"= 0\" (docs/formats/checks.md)"));
  }
  auto d = session::Open(options, "verify");
  if (!d) return fail(d.error());
  res.target = d->url.redacted;
  if (Status s = session::RequireLedger(*d); !s.ok()) return fail(std::move(s));
  auto rows = d->ledger->ReadAll();
  if (!rows) return fail(rows.error());

  if (!request.smoke_only) {
    auto set = migrate::Discover(options);
    if (!set) return fail(set.error());
    std::map<std::string, const migrate::Migration*, std::less<>> by_script;
    for (const auto& m : set->migrations) by_script[m.script] = &m;
    // The latest successful row per script (a repeatable may have several).
    std::map<std::string, const migrate::AppliedRow*, std::less<>> applied;
    std::vector<std::string> order;
    for (const auto& r : *rows) {
      if (!r.success || (r.type != "SQL" && r.type != "REPEATABLE")) continue;
      if (!applied.count(r.script)) order.push_back(r.script);
      applied[r.script] = &r;
    }
    for (const auto& script : order) {
      auto it = by_script.find(script);
      if (it == by_script.end()) continue;  // `validate` reports missing files
      const migrate::Migration& m = *it->second;
      auto annotations = verify::ReadAnnotations(m.text, m.path, d->conn->dialect());
      if (!annotations) return fail(annotations.error());
      const verify::FileChecks* checks = &annotations->checks;
      if (checks->post.empty()) continue;
      VerifiedMigration vm;
      vm.script = m.script;
      vm.version = m.version.text();
      vm.file_changed = applied[script]->checksum.value_or("") != m.checksum;
      verify::Captured captured;
      for (const auto& c : checks->post) {
        if (c.expect.RunDependent()) {
          CheckResult r;
          r.phase = "post-check";
          r.name = c.Name();
          r.file = c.file;
          r.line = c.line;
          r.query = c.query;
          r.expected = c.expect.source;
          r.ok = true;
          r.skipped = true;
          r.message = "depends on the run that applied it (rows affected or a captured value)";
          vm.checks.push_back(std::move(r));
          ++res.skipped;
          continue;
        }
        verify::CheckOutcome o = verify::RunCheck(*d->conn, c, -1, captured);
        vm.checks.push_back(verify::ToResult(o));
        ++(o.ok ? res.passed : res.failed);
      }
      res.migrations.push_back(std::move(vm));
    }
  }
  if (run_smoke) {
    verify::Captured captured;
    for (const auto& sc : settings->smoke) {
      verify::Check c = sc.check;
      c.query = sc.QueryFor(d->conn->dialect());
      verify::CheckOutcome o = verify::RunCheck(*d->conn, c, -1, captured);
      CheckResult r = verify::ToResult(o);
      r.phase = "smoke";
      r.name = sc.name;
      res.smoke.push_back(std::move(r));
      ++(o.ok ? res.passed : res.failed);
    }
  }
  if (res.failed > 0) {
    const CheckResult* first = nullptr;
    for (const auto& m : res.migrations) {
      for (const auto& c : m.checks) {
        if (!c.ok && !first) first = &c;
      }
    }
    for (const auto& c : res.smoke) {
      if (!c.ok && !first) first = &c;
    }
    res.status =
        Status(ErrorCode::kCheckFailed,
               fmt::format("{} of {} check(s) did not hold; first: {}{}: {}", res.failed,
                           res.failed + res.passed, first->phase,
                           first->name.empty() ? "" : " `" + first->name + "`", first->message))
            .WithSpan({first->file, first->line, 0})
            .WithHint(
                "the database no longer satisfies what its migrations promised: "
                "investigate the rows, correct them with a new migration, then "
                "run `strata verify` again");
  }
  // The evidence ledger records the verification (even a failing one).
  auto rec = session::RunRecorder::Start(*d->conn, options, "verify", res.target);
  if (!rec) {
    if (res.status.ok()) res.status = rec.error();
    return res;
  }
  res.run_id = (*rec)->run_id();
  nlohmann::json detail = {{"passed", res.passed},
                           {"failed", res.failed},
                           {"skipped", res.skipped},
                           {"smoke", session::ChecksJson(res.smoke)}};
  nlohmann::json ms = nlohmann::json::array();
  for (const auto& m : res.migrations) {
    ms.push_back({{"script", m.script},
                  {"version", m.version},
                  {"file_changed", m.file_changed},
                  {"checks", session::ChecksJson(m.checks)}});
  }
  detail["migrations"] = ms;
  if (Status s = (*rec)->Finish(res.status, detail.dump()); !s.ok() && res.status.ok()) {
    res.status = std::move(s);
  }
  return res;
}

}  // namespace strata
