// strata schema dump, strata drift, strata test, and `validate --drift` (docs/schema.md).
#include "base/file.h"
#include "cli/commands.h"

#include <fmt/format.h>

#include <iostream>

#include "schema/render.h"

namespace strata::cli {
namespace {

static VerbRegistrar schema_verb("schema", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* schema = app.add_subcommand("schema", "the live schema as a deterministic file");
  schema->require_subcommand(1);
  Examples(schema, {{"strata schema dump --out db/schema.sql", "the reviewable schema file"},
                    {"strata --json schema dump", "every object as JSON"}});
  auto* dump = schema->add_subcommand(
      "dump", "print (or --out) the live schema from the database's own catalog");
  auto dreq = std::make_shared<SchemaDumpRequest>();
  dump->add_option("--out", dreq->out, "write it to this file (e.g. db/schema.sql)");
  r.commands.emplace_back(dump, [&g, dreq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = SchemaDump(*opts, *dreq);
    return Finish(g, res.status, schema::ToJson(res, dreq->out.empty()), schema::ToText(res));
  });
});

static VerbRegistrar drift_verb("drift", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* drift = app.add_subcommand(
      "drift", "compare the live schema with what its history says (exit 9 on drift)");
  auto rreq = std::make_shared<DriftRequest>();
  drift->add_option("--against", rreq->against,
                    "the schema file of the history (default: [schema] file)");
  drift->add_option("--scratch", rreq->scratch,
                    "instead: replay the applied migrations on a scratch database: `local` (a "
                    "private cluster) or a server URL where strata may create databases");
  Examples(drift, {{"strata drift --against db/schema.sql", "what changed by hand since"},
                   {"strata drift --scratch local", "replay the applied history and compare"}});
  r.commands.emplace_back(drift, [&g, rreq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = rreq->scratch.empty() ? Drift(*opts, *rreq) : DriftScratch(*opts, *rreq);
    return Finish(g, res.status, schema::ToJson(res), schema::ToText(res));
  });
});

static VerbRegistrar test_verb("test", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* test = app.add_subcommand(
      "test",
      "apply every migration to a throwaway database, run the checks and verify, and "
      "compare the result with the schema file");
  auto treq = std::make_shared<TestRequest>();
  auto junit = std::make_shared<std::string>();
  test->add_option("--scratch", treq->scratch,
                   "the throwaway database: auto (default), local (a private PostgreSQL cluster), "
                   "sqlite, or a postgres:// server URL where strata may create databases");
  test->add_flag("--keep", treq->keep,
                 "PostgreSQL: keep the scratch server warm and this run's result as the template "
                 "of the next run, which applies only what changed; SQLite: leave the file");
  test->add_option("--from", treq->from,
                   "build the scratch database as of this version, release (db/releases.toml) or "
                   "git tag first, then load fixtures and apply what is pending (the upgrade "
                   "path); default in a git work tree with tags: the last tag; `empty`: from an "
                   "empty database");
  test->add_option("--junit", *junit, "also write the result as JUnit XML to this file");
  test->add_option("--trace", treq->trace_file,
                   "write the observed-lock trace (PostgreSQL) to this file, for `strata lint "
                   "--trace` (docs/trace.md)");
  Examples(test, {{"strata test --scratch local --junit test-results.xml",
                   "the whole history on a private cluster, with a JUnit report"},
                  {"strata test --scratch postgres://ci@db/postgres",
                   "on a server where strata may create (and drop) its own database"}});
  r.commands.emplace_back(test, [&g, treq, junit] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = Test(*opts, *treq);
    if (!junit->empty()) {
      std::string err;
      if (!base::WriteFileAtomic(*junit, schema::ToJunit(res), &err) && res.status.ok()) {
        res.status = Status(ErrorCode::kIo, fmt::format("{}: {}", *junit, err));
      }
    }
    return Finish(g, res.status, schema::ToJson(res), schema::ToText(res));
  });
});

// validate --drift: the usual checks, then drift against the schema file (added to the engine's
// `validate`, which is registered first).
static VerbRegistrar validate_drift_verb("validate", [](CLI::App& app, GlobalFlags& g,
                                                        Registry& r) {
  auto* validate = app.get_subcommand("validate");
  auto with_drift = std::make_shared<bool>(false);
  auto drift_against = std::make_shared<std::string>();
  validate->add_flag("--drift", *with_drift,
                     "also compare the live schema with the schema file (strata drift)");
  validate->add_option("--drift-against", *drift_against,
                       "the schema file for --drift (default: [schema] file)");
  for (auto& [sub, run] : r.commands) {
    if (sub != validate) continue;
    run = [&g, validate, with_drift, drift_against, plain = run] {
      if (!*with_drift) return plain();
      int code = 0;
      auto opts = LoadOptions(g, code);
      if (!opts) return code;
      ValidateRequest vr;
      if (auto* o = validate->get_option("--expect-head"); o->count() > 0) {
        vr.expect_head = o->as<std::string>();
      }
      auto v = Validate(*opts, vr);
      DriftRequest dr;
      dr.against = *drift_against;
      auto d = Drift(*opts, dr);
      const Status& first = !v.status.ok() ? v.status : d.status;
      if (g.json) {
        auto j = report::ToJson(v);
        j["drift"] = schema::ToJson(d);
        if (!d.status.ok()) j["drift"]["error"] = report::StatusJson(d.status);
        return Finish(g, first, j, "");
      }
      std::string text = report::ToText(v) + schema::ToText(d);
      if (!v.status.ok() && !v.issues.empty()) {
        std::cout << text;
        return ExitCodeFor(v.status.code());
      }
      return Finish(g, first, nlohmann::json(), text);
    };
  }
});

}  // namespace
}  // namespace strata::cli
