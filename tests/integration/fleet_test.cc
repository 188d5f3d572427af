// strata fleet on real servers: two private PostgreSQL clusters (databases on both, tenant
// schemas in one database) and SQLite files, all receiving the same history through the strata
// binary. What a platform team relies on: one broken tenant is named and does not leave the
// rest unmigrated (or stops them, per policy); an unreachable tenant is reported, not fatal;
// kill -9 of the fleet run and --resume apply every migration exactly once; two fleet runs at
// once never double-apply; secrets from the environment are never printed.
#include <fmt/format.h>

#include <set>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

constexpr int kMigrations = 5;

// The example project's history (examples/quote-service/db/migration, copied with its
// strata.sum): V001..V005 and V010 (V010 runs no statement, only its pre/post-checks), plus
// the repeatable R__quote_operational_views. All of it runs on every target kind here —
// PostgreSQL databases, PostgreSQL tenant schemas (every name is unqualified, so the tenant's
// search_path places it) and SQLite (uuid/timestamptz/jsonb are type names SQLite accepts,
// ON CONFLICT DO NOTHING and partial indexes exist there) — so none of it is left out.
const std::vector<std::string> kExampleVersions = {"001", "002", "003", "004", "005", "010"};
constexpr const char* kExampleRepeatable = "R quote operational views";
constexpr int kExampleApplied = 7;  // six versioned migrations and the repeatable view

// A project with a history every dialect runs — a five-migration history of its own, or the
// example project's — and a fleet file over fresh databases on two clusters, tenant schemas in
// one shared database and SQLite files.
class Fleet {
 public:
  struct Shape {
    int per_cluster = 10;
    int schemas = 10;
    int sqlite = 5;
    bool conflict = false;     // one database (b03) holds a type named like a table the
                               // history creates (V2's quote; the example's V003 outbox_event)
    bool unreachable = false;  // one target on a port nobody listens on
    bool example = false;      // the example project's history instead of the five migrations
  };

  explicit Fleet(Shape shape) : shape_(shape) {
    dir_.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nlint_gate = false\n");
    std::filesystem::create_directories(dir_ / "tenants");
    if (shape.example) {
      std::filesystem::create_directories(dir_ / "db");
      std::filesystem::copy(std::string(STRATA_SOURCE_DIR) + "/examples/quote-service/db/migration",
                            dir_ / "db/migration", std::filesystem::copy_options::recursive);
    } else {
      WriteOwnHistory();
    }

    std::string toml;
    auto add = [&](const std::string& name, const std::string& url, const std::string& labels) {
      toml += fmt::format("[[target]]\nname = \"{}\"\nurl = \"{}\"\nlabels = [{}]\n\n", name, url,
                          labels);
      names_.push_back(name);
    };
    for (int c = 0; c < 2; ++c) {
      PgCluster& cluster = c == 0 ? PgCluster::Get() : PgCluster::Second();
      for (int i = 0; i < shape.per_cluster; ++i) {
        std::string url = cluster.CreateDatabase(c == 0 ? "fa" : "fb");
        std::string name = fmt::format("{}{:02}", c == 0 ? "a" : "b", i);
        urls_[name] = url;
        // The password comes from the environment (trust authentication ignores it).
        std::string written = url;
        written.replace(written.find("postgres@"), 9, "postgres:${FLEET_PW}@");
        add(name, written, c == 0 && i == 0 ? "\"canary\", \"eu\"" : "\"eu\"");
      }
    }
    if (shape.conflict) {
      PgCluster::Query(urls_["b03"], shape.example ? "CREATE TYPE outbox_event AS (x int)"
                                                   : "CREATE TYPE quote AS (x int)");
    }
    shared_url_ = PgCluster::Get().CreateDatabase("fshared");
    std::vector<std::string> schemas;
    for (int i = 0; i < shape.schemas; ++i) {
      schemas.push_back(fmt::format("\"tenant_{}\"", i));
      names_.push_back(fmt::format("shared.tenant_{}", i));
    }
    if (shape.schemas > 0) {
      toml += fmt::format("[[schemas]]\nname = \"shared\"\nurl = \"{}\"\nlist = [{}]\n\n",
                          shared_url_, fmt::join(schemas, ", "));
    }
    for (int i = 0; i < shape.sqlite; ++i) {
      add(fmt::format("s{}", i), fmt::format("sqlite:tenants/s{}.db", i), "\"local\"");
    }
    if (shape.unreachable) {
      add("gone", "postgres://postgres@127.0.0.1:1/nowhere", "\"eu\"");
    }
    dir_.Write("db/fleet.toml", toml);
  }

  const std::vector<std::string>& names() const { return names_; }
  const std::string& dir() const { return dir_.path(); }
  std::string Url(const std::string& name) const { return urls_.at(name); }
  const std::string& shared_url() const { return shared_url_; }
  std::string StateFile() const { return dir_ / "db/fleet.state.json"; }

  RunResult Run(std::vector<std::string> args) const {
    return RunStrata(args, dir_.path(), {{"FLEET_PW", kSecret}});
  }
  // `strata --json fleet <args...>`, parsed.
  nlohmann::json Json(std::vector<std::string> args, int* exit_code = nullptr) const {
    args.insert(args.begin(), {"--json", "fleet"});
    auto r = Run(args);
    if (exit_code) *exit_code = r.exit_code;
    EXPECT_EQ(r.All().find(kSecret), std::string::npos) << "secret printed: " << r.All();
    auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.All();
    return j;
  }
  int Spawn(std::vector<std::string> args, const std::string& log) const {
    // SpawnStrata passes no environment: the password goes in through the process's own.
    setenv("FLEET_PW", kSecret, 1);
    return SpawnStrata(args, dir_.path(), log);
  }

  // A target's ledger, successful rows in order: the version, or "R <description>" for a
  // repeatable migration.
  std::vector<std::string> Ledger(const std::string& name) const {
    std::string sql =
        "SELECT coalesce(version, 'R ' || description) FROM {}strata_schema_history WHERE "
        "success AND (version IS NOT NULL OR substr(script, 1, 3) = 'R__') ORDER BY installed_rank";
    std::unique_ptr<db::Connection> c;
    std::string prefix;
    if (name.rfind("shared.", 0) == 0) {
      c = Connect(shared_url_);
      prefix = "\"" + name.substr(7) + "\".";
    } else if (name[0] == 's') {
      c = Connect("sqlite:" + (dir_ / ("tenants/" + name + ".db")));
    } else {
      c = Connect(urls_.at(name));
    }
    std::vector<std::string> out;
    if (!c) return out;
    auto exists = c->TableExists(prefix.empty() ? "" : name.substr(7), "strata_schema_history");
    if (!exists || !*exists) return out;
    auto r = c->Query(fmt::format(fmt::runtime(sql), prefix));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r) {
      for (const auto& row : r->rows) out.push_back(row[0].value_or("?"));
    }
    return out;
  }

  static constexpr const char* kSecret = "s3cret-from-env-9f2";

 private:
  // V1..V5: two tables with a foreign key, an index, a column and a view.
  void WriteOwnHistory() {
    std::filesystem::create_directories(dir_ / "db/migration");
    dir_.Write("db/migration/V1__account.sql",
               "CREATE TABLE account (id integer PRIMARY KEY, name text NOT NULL);\n");
    dir_.Write("db/migration/V2__quote.sql",
               "CREATE TABLE quote (id integer PRIMARY KEY, account_id integer REFERENCES "
               "account (id), total numeric);\n");
    dir_.Write("db/migration/V3__quote_account.sql",
               "CREATE INDEX quote_account ON quote (account_id);\n");
    dir_.Write("db/migration/V4__region.sql", "ALTER TABLE account ADD COLUMN region text;\n");
    dir_.Write("db/migration/V5__big_quote.sql",
               "CREATE VIEW big_quote AS SELECT id, total FROM quote WHERE total > 1000;\n");
    auto h = RunStrata({"--url", "sqlite::memory:", "hash"}, dir_.path());
    EXPECT_EQ(h.exit_code, 0) << h.All();
  }

  static std::unique_ptr<db::Connection> Connect(const std::string& url) {
    auto u = db::ParseUrl(url);
    if (!u) return nullptr;
    u->may_create = false;
    auto c = db::Connect(*u, "fleet-test");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c ? std::move(*c) : nullptr;
  }

  Shape shape_;
  TempDir dir_;
  std::vector<std::string> names_;
  std::map<std::string, std::string> urls_;
  std::string shared_url_;
};

const std::vector<std::string> kAll = {"1", "2", "3", "4", "5"};

std::map<std::string, nlohmann::json> ByName(const nlohmann::json& j) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& t : j["targets"]) out[t["target"].get<std::string>()] = t;
  return out;
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override { STRATA_REQUIRE_POSTGRES(); }
};

// Issue 22's shape: 15 databases on each of two clusters (30), 20 tenant schemas in one
// database and 10 SQLite files, plus one unreachable target, all receiving the example project's
// history, with one conflicting tenant and policy "continue": every other target gets the whole
// history (tenant schemas in their own schema with their own ledger), the report names the
// broken target and the object, the unreachable one is reported.
TEST_F(FleetTest, OneConflictingTargetFailsTheRestFinish) {
  Fleet f({.per_cluster = 15,
           .schemas = 20,
           .sqlite = 10,
           .conflict = true,
           .unreachable = true,
           .example = true});
  ASSERT_EQ(f.names().size(), 61u);
  int code = 0;
  auto j = f.Json({"migrate", "--parallel", "4", "--keep-going"}, &code);
  EXPECT_EQ(code, kExitMigrationFailed) << j.dump(2);
  auto t = ByName(j);
  ASSERT_EQ(t.size(), f.names().size());
  EXPECT_EQ(t["b03"]["result"], "failed");
  std::string err = t["b03"]["error"]["message"].get<std::string>();
  EXPECT_NE(err.find("outbox_event"), std::string::npos) << err;
  EXPECT_EQ(t["gone"]["result"], "unreachable");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("b03"), std::string::npos);
  EXPECT_EQ(j["totals"]["ok"], 59) << j["totals"].dump();
  EXPECT_EQ(j["totals"]["failed"], 1);
  EXPECT_EQ(j["totals"]["unreachable"], 1);
  std::vector<std::string> full = kExampleVersions;
  full.push_back(kExampleRepeatable);
  for (const auto& name : f.names()) {
    if (name == "b03" || name == "gone") continue;
    EXPECT_EQ(t[name]["result"], "ok") << name << ": " << t[name].dump();
    EXPECT_EQ(t[name]["applied"], kExampleApplied) << name;
    EXPECT_EQ(t[name]["before"], "") << name;
    EXPECT_EQ(t[name]["after"], kExampleVersions.back()) << name;
    EXPECT_FALSE(t[name]["run_id"].get<std::string>().empty()) << name << ": no run record";
    // Every migration exactly once, in order: six versioned rows and the repeatable's.
    EXPECT_EQ(f.Ledger(name), full) << name;
  }
  // The failed tenant applied V001 and V002 and stopped at V003; its ledger says so.
  EXPECT_EQ(f.Ledger("b03"), (std::vector<std::string>{"001", "002"}));
  // Schema tenants: the tables are in the tenant's schema, nothing landed in public.
  EXPECT_EQ(
      PgCluster::Query(f.shared_url(), "SELECT count(*) FROM pg_tables WHERE tablename = 'quote'"),
      "20");
  EXPECT_EQ(PgCluster::Query(f.shared_url(), "SELECT to_regclass('public.quote') IS NULL"), "t");
  // The text table names the failure too, and no URL leaks its password.
  auto r = f.Run({"fleet", "info"});
  EXPECT_NE(r.out.find("b03"), std::string::npos) << r.All();
  EXPECT_EQ(r.All().find(Fleet::kSecret), std::string::npos);
  auto state = Slurp(f.StateFile());
  EXPECT_EQ(state.find(Fleet::kSecret), std::string::npos);
  // fleet info: b03 is behind by five (V003, V004, V005, V010 and the repeatable) and has its
  // last fleet result.
  auto info = ByName(f.Json({"info"}));
  EXPECT_EQ(info["b03"]["pending"], 5) << info["b03"].dump();
  EXPECT_EQ(info["b03"]["last_fleet_result"], "failed");
  EXPECT_EQ(info["a01"]["pending"], 0);
  EXPECT_EQ(info["gone"]["result"], "unreachable");
}

// Policy "stop": the canary fails, nothing else is started; with --max-failures 1 and no
// canary, no target starts after the first failure.
TEST_F(FleetTest, StopPolicyLeavesTheRestUntouched) {
  Fleet f({.per_cluster = 4, .schemas = 0, .sqlite = 0, .conflict = true});
  int code = 0;
  // --dry-run: the canary alone in wave 0, then waves of three; nothing touched.
  auto plan =
      ByName(f.Json({"migrate", "--dry-run", "--canary", "b03", "--wave-size", "3"}, &code));
  EXPECT_EQ(code, kExitOk);
  EXPECT_EQ(plan["b03"]["wave"], 0);
  EXPECT_EQ(plan["b03"]["result"], "planned");
  EXPECT_EQ(plan["a00"]["wave"], 1);
  EXPECT_EQ(plan["a03"]["wave"], 2);
  EXPECT_EQ(plan["b02"]["wave"], 3);
  EXPECT_TRUE(f.Ledger("a00").empty());
  auto j = f.Json({"migrate", "--canary", "b03", "--parallel", "2"}, &code);
  EXPECT_EQ(code, kExitMigrationFailed);
  auto t = ByName(j);
  EXPECT_EQ(t["b03"]["result"], "failed");
  EXPECT_TRUE(j["stopped"].get<bool>());
  EXPECT_NE(j["stop_reason"].get<std::string>().find("canary b03"), std::string::npos);
  for (const auto& name : f.names()) {
    if (name == "b03") continue;
    EXPECT_EQ(t[name]["result"], "not-reached") << name;
    EXPECT_TRUE(f.Ledger(name).empty()) << name;
  }
  // Sequential, stop after one failure: the targets before b03 are done, the rest untouched.
  j = f.Json({"migrate", "--parallel", "1", "--max-failures", "1"}, &code);
  EXPECT_EQ(code, kExitMigrationFailed);
  t = ByName(j);
  bool after = false;
  for (const auto& name : f.names()) {
    if (name == "b03") {
      after = true;
      continue;
    }
    EXPECT_EQ(t[name]["result"], after ? "not-reached" : "ok") << name;
    EXPECT_EQ(f.Ledger(name).size(), after ? 0u : 5u) << name;
  }
  // Continue: everything but b03.
  j = f.Json({"migrate", "--resume", "--keep-going"}, &code);
  t = ByName(j);
  for (const auto& name : f.names()) {
    if (name != "b03") {
      EXPECT_EQ(f.Ledger(name), kAll) << name;
    }
  }
  EXPECT_EQ(j["totals"]["failed"], 1);
}

// kill -9 of the fleet run midway, then --resume, in issue 22's shape with the example
// project's history: every target has every migration exactly once, the resumed run skips the
// targets that had finished, and every ledger validates.
TEST_F(FleetTest, KillMidwayThenResumeAppliesEverythingExactlyOnce) {
  Fleet f({.per_cluster = 15, .schemas = 20, .sqlite = 10, .example = true});
  std::vector<std::string> full = kExampleVersions;
  full.push_back(kExampleRepeatable);
  TempDir logs;
  int pid = f.Spawn({"fleet", "migrate", "--parallel", "2"}, logs / "run.log");
  bool midway = Eventually(
      [&] {
        auto s = nlohmann::json::parse(Slurp(f.StateFile()), nullptr, false);
        if (s.is_discarded() || !s.contains("targets")) return false;
        int ok = 0;
        for (const auto& [k, v] : s["targets"].items()) ok += v["result"] == "ok";
        return ok >= 6;
      },
      std::chrono::seconds(60));
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), 128 + SIGKILL);
  ASSERT_TRUE(midway) << Slurp(logs / "run.log");
  std::string state_at_kill = Slurp(f.StateFile());
  // The resumed run, kept whole: on failure its stdout (the JSON report), its stderr, the killed
  // run's log and the state file it resumed from are printed.
  auto resumed = f.Run({"--json", "fleet", "migrate", "--resume", "--parallel", "4"});
  int code = resumed.exit_code;
  auto j = nlohmann::json::parse(resumed.out, nullptr, /*allow_exceptions=*/false);
  std::string why = fmt::format(
      "resume exit {}\n--- resume stdout ---\n{}\n--- resume stderr ---\n{}\n--- killed run log "
      "---\n{}\n--- state at kill ---\n{}",
      code, resumed.out, resumed.err, Slurp(logs / "run.log"), state_at_kill);
  ASSERT_FALSE(j.is_discarded()) << why;
  EXPECT_EQ(resumed.All().find(Fleet::kSecret), std::string::npos) << "secret printed";
  EXPECT_EQ(code, kExitOk) << why;
  EXPECT_GE(j["totals"]["skipped"].get<int>(), 6) << why;
  EXPECT_EQ(j["totals"]["ok"].get<int>() + j["totals"]["skipped"].get<int>(),
            static_cast<int>(f.names().size()))
      << why;
  for (const auto& name : f.names()) EXPECT_EQ(f.Ledger(name), full) << name;
  auto v = f.Json({"validate"}, &code);
  EXPECT_EQ(code, kExitOk) << v.dump(2);
  v = f.Json({"verify", "--parallel", "4"}, &code);
  EXPECT_EQ(code, kExitOk) << v.dump(2);
  EXPECT_EQ(v["totals"]["ok"].get<int>(), static_cast<int>(f.names().size()));
  // Nothing left to resume: a second --resume runs no target.
  j = f.Json({"migrate", "--resume"}, &code);
  EXPECT_EQ(code, kExitOk);
  EXPECT_EQ(j["totals"]["skipped"].get<int>(), static_cast<int>(f.names().size()));
}

// What the kill test above caught about 1 run in 15: the kill landed while a target's first run
// was creating the evidence ledger, between `CREATE TABLE strata_run` and `CREATE TABLE
// strata_run_migration` (each its own statement). strata_run existed, so every later run took
// the evidence ledger for complete and failed writing its first detail row ("relation
// strata_run_migration does not exist"): --resume failed on that target, and again on every
// retry. Here that state is made directly, on each kind of target (a database, a tenant schema,
// a SQLite file): the first statement of strata's own DDL and nothing else. The fleet run
// finishes every target and records each migration's detail row.
TEST_F(FleetTest, ResumeCompletesAnEvidenceLedgerAKillLeftHalfCreated) {
  Fleet f({.per_cluster = 1, .schemas = 1, .sqlite = 1});
  auto first_statement = [](const std::string& file, const std::string& prefix) {
    std::string ddl = Slurp(std::string(STRATA_SOURCE_DIR) + "/src/session/sql/" + file);
    std::string stmt = ddl.substr(0, ddl.find(";\n") + 1);
    for (size_t at; (at = stmt.find("{schema}")) != std::string::npos;) {
      stmt.replace(at, 8, prefix);
    }
    EXPECT_NE(stmt.find("strata_run ("), std::string::npos) << stmt;
    EXPECT_EQ(stmt.find("strata_run_migration"), std::string::npos) << stmt;
    return stmt;
  };
  for (const char* name : {"a00", "b00"}) {
    PgCluster::Query(f.Url(name), first_statement("run_postgres.sql", ""));
  }
  PgCluster::Query(f.shared_url(), "CREATE SCHEMA tenant_0; " +
                                       first_statement("run_postgres.sql", "\"tenant_0\"."));
  {
    auto u = db::ParseUrl("sqlite:" + (std::filesystem::path(f.dir()) / "tenants/s0.db").string());
    ASSERT_TRUE(u.ok());
    auto c = db::Connect(*u, "fleet-test");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE((*c)->Exec(first_statement("run_sqlite.sql", "")).ok());
  }
  auto r = f.Run({"--json", "fleet", "migrate", "--keep-going"});
  EXPECT_EQ(r.exit_code, kExitOk) << r.All();
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << r.All();
  auto t = ByName(j);
  for (const auto& name : f.names()) {
    EXPECT_EQ(t[name]["result"], "ok") << name << ": " << t[name].dump(2);
    EXPECT_EQ(f.Ledger(name), kAll) << name;
  }
  // The evidence is whole: one detail row per migration of the run.
  EXPECT_EQ(PgCluster::Query(f.Url("a00"), "SELECT count(*) FROM strata_run_migration"), "5");
  EXPECT_EQ(
      PgCluster::Query(f.shared_url(), "SELECT count(*) FROM \"tenant_0\".strata_run_migration"),
      "5");
}

// Two fleet runs over the same targets at once: each target's migration lock serialises them,
// so every migration is applied once, and the applied counts of both runs add up to the total.
// That the runs do overlap is not left to timing: the test holds a00's migration lock (a00 is
// the first target of both) until both runs report waiting for it, then lets them go.
TEST_F(FleetTest, TwoFleetRunsAtOnceNeverDoubleApply) {
  Fleet f({.per_cluster = 6, .schemas = 6, .sqlite = 3});
  TempDir logs;
  auto gate_url = db::ParseUrl(f.Url("a00"));
  ASSERT_TRUE(gate_url.ok());
  auto gate = db::Connect(*gate_url, "fleet-test gate");
  ASSERT_TRUE(gate.ok());
  ASSERT_TRUE(*(*gate)->TryLock("strata_schema_history"));
  auto run = [&](const std::string& out) {
    // --log-json: the engine's events too, among them "lock-waiting".
    return f.Spawn({"--json", "--log-json", "fleet", "migrate", "--parallel", "3"}, out);
  };
  int a = run(logs / "a.json");
  int b = run(logs / "b.json");
  auto waits_for_a00 = [&](const char* log) {
    std::string text = Slurp(logs / log);
    for (size_t at = 0; (at = text.find("\"kind\":\"lock-waiting\"", at)) != std::string::npos;
         ++at) {
      size_t bol = text.rfind('\n', at);
      size_t eol = text.find('\n', at);
      std::string line = text.substr(bol == std::string::npos ? 0 : bol, eol - bol);
      if (line.find("\"target\":\"a00\"") != std::string::npos) return true;
    }
    return false;
  };
  bool both_wait = Eventually([&] { return waits_for_a00("a.json") && waits_for_a00("b.json"); },
                              std::chrono::seconds(50));
  EXPECT_TRUE(both_wait) << Slurp(logs / "a.json") << "\n---\n" << Slurp(logs / "b.json");
  ASSERT_TRUE((*gate)->Unlock("strata_schema_history").ok());
  EXPECT_EQ(WaitExitFor(a, std::chrono::seconds(120)), 0) << Slurp(logs / "a.json");
  EXPECT_EQ(WaitExitFor(b, std::chrono::seconds(120)), 0) << Slurp(logs / "b.json");
  int applied = 0;
  for (const auto* log : {"a.json", "b.json"}) {
    std::string text = Slurp(logs / log);
    // Progress is one JSON object per line; the result is the indented object at the end.
    size_t at = text.rfind("\n{\n");
    auto j =
        nlohmann::json::parse(at == std::string::npos ? text : text.substr(at + 1), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << text;
    for (const auto& t : j["targets"]) applied += t["applied"].get<int>();
  }
  EXPECT_EQ(applied, kMigrations * static_cast<int>(f.names().size()));
  for (const auto& name : f.names()) EXPECT_EQ(f.Ledger(name), kAll) << name;
  // fleet info names a target whose migration lock another runner holds right now.
  auto u = db::ParseUrl(f.Url("a02"));
  ASSERT_TRUE(u.ok());
  auto holder = db::Connect(*u, "strata migrate pid 1 on elsewhere");
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE(*(*holder)->TryLock("strata_schema_history"));
  auto info = ByName(f.Json({"info", "--only", "a02,a03"}));
  EXPECT_NE(info["a02"]["locked_by"].get<std::string>().find("elsewhere"), std::string::npos)
      << info["a02"].dump();
  EXPECT_TRUE(info["a03"]["locked_by"].is_null());
  auto text = f.Run({"fleet", "info", "--only", "a02"});
  EXPECT_NE(text.out.find("locked"), std::string::npos) << text.All();
}

// A per-target time limit stops a target whose migration runs too long, and says so.
TEST_F(FleetTest, PerTargetTimeLimitStopsASlowTarget) {
  Fleet f({.per_cluster = 2, .schemas = 0, .sqlite = 0});
  // a01 gets V1 only; then a session holds account: V2's foreign key waits for it, past the
  // one-second limit.
  int code = 0;
  auto j = f.Json({"migrate", "--only", "a01", "--target", "1"}, &code);
  ASSERT_EQ(code, kExitOk) << j.dump(2);
  auto holder = std::thread([&] {
    PgCluster::Query(f.Url("a01"),
                     "BEGIN; LOCK TABLE account IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); "
                     "COMMIT");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto start = NowMs();
  j = f.Json({"migrate", "--target-timeout", "1s", "--keep-going"}, &code);
  auto took = NowMs() - start;
  holder.join();
  auto t = ByName(j);
  EXPECT_EQ(t["a01"]["result"], "timeout") << j.dump(2);
  EXPECT_EQ(t["a00"]["result"], "ok");
  EXPECT_LT(took, 4000) << "the slow target was not stopped at its limit";
}

// Issue 22: discovery against a real control database. A private table of tenants on the
// control database is read by the fleet file's query: the active tenants are the targets (with
// their labels), an inactive one is never touched, and a password stored in the control table
// (or taken from the environment by a ${VAR} in a stored URL) is never printed.
TEST_F(FleetTest, DiscoveryQueryReadsTheTenantsOfAControlDatabase) {
  TempDir dir;
  dir.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nlint_gate = false\n");
  std::filesystem::create_directories(dir / "db/migration");
  dir.Write("db/migration/V1__account.sql", "CREATE TABLE account (id integer PRIMARY KEY);\n");
  dir.Write("db/migration/V2__quote.sql", "CREATE TABLE quote (id integer PRIMARY KEY);\n");
  ASSERT_EQ(RunStrata({"--url", "sqlite::memory:", "hash"}, dir.path()).exit_code, 0);
  PgCluster& pg = PgCluster::Get();
  std::string control = pg.CreateDatabase("fctl");
  std::string t1 = pg.CreateDatabase("fdisc"), t2 = pg.CreateDatabase("fdisc"),
              off = pg.CreateDatabase("fdisc");
  auto with_password = [](std::string url, const std::string& pw) {
    url.replace(url.find("postgres@"), 9, "postgres:" + pw + "@");
    return url;
  };
  const std::string stored_pw = "st0red-pw-71c";
  PgCluster::Query(control,
                   "CREATE TABLE tenants (tenant_id text PRIMARY KEY, dsn text NOT NULL, region "
                   "text, active boolean NOT NULL)");
  PgCluster::Query(
      control,
      fmt::format("INSERT INTO tenants VALUES ('acme', '{}', 'eu', true), ('globex', '{}', "
                  "'us,big', true), ('initech', '{}', 'eu', false)",
                  with_password(t1, stored_pw), with_password(t2, "${TENANT_PW}"), off));
  dir.Write("db/fleet.toml",
            fmt::format("[[discover]]\nurl = \"{}\"\nquery = \"SELECT tenant_id AS name, dsn AS "
                        "url, region AS labels FROM tenants WHERE active ORDER BY tenant_id\"\n"
                        "labels = [\"tenant\"]\n",
                        with_password(control, "${CONTROL_PW}")));
  std::map<std::string, std::string> env = {{"CONTROL_PW", "ctl-secret-5d"},
                                            {"TENANT_PW", "env-secret-3a"}};
  auto r = RunStrata({"--json", "fleet", "migrate"}, dir.path(), env);
  ASSERT_EQ(r.exit_code, kExitOk) << r.All();
  for (const char* secret : {"st0red-pw-71c", "ctl-secret-5d", "env-secret-3a"}) {
    EXPECT_EQ(r.All().find(secret), std::string::npos) << "secret printed: " << r.All();
  }
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["targets"].size(), 2u) << j.dump(2);
  auto t = ByName(j);
  EXPECT_EQ(t["acme"]["result"], "ok");
  EXPECT_EQ(t["acme"]["after"], "2");
  EXPECT_EQ(t["globex"]["applied"], 2);
  auto labels = t["globex"]["labels"].get<std::set<std::string>>();
  EXPECT_EQ(labels, (std::set<std::string>{"tenant", "us", "big"})) << t["globex"].dump();
  EXPECT_EQ(PgCluster::Query(t1, "SELECT count(*) FROM strata_schema_history WHERE success"), "2");
  EXPECT_EQ(PgCluster::Query(t2, "SELECT to_regclass('quote') IS NOT NULL"), "t");
  EXPECT_EQ(PgCluster::Query(off, "SELECT to_regclass('strata_schema_history') IS NULL"), "t")
      << "an inactive tenant was migrated";
  // A tenant that becomes active is a target of the next run; the others have nothing to do.
  PgCluster::Query(control, "UPDATE tenants SET active = true WHERE tenant_id = 'initech'");
  auto again = RunStrata({"--json", "fleet", "migrate", "--only", "eu"}, dir.path(), env);
  ASSERT_EQ(again.exit_code, kExitOk) << again.All();
  auto t2j = ByName(nlohmann::json::parse(again.out));
  ASSERT_EQ(t2j.size(), 2u);
  EXPECT_EQ(t2j["acme"]["applied"], 0);
  EXPECT_EQ(t2j["initech"]["applied"], 2);
  // The control database unreachable: a configuration error naming the query's origin, with
  // its URL redacted.
  dir.Write("db/fleet.toml",
            "[[discover]]\nurl = \"postgres://postgres:${CONTROL_PW}@127.0.0.1:1/fleet\"\n"
            "query = \"SELECT name, url FROM tenants\"\n");
  auto down = RunStrata({"fleet", "info"}, dir.path(), env);
  EXPECT_NE(down.exit_code, kExitOk);
  EXPECT_NE(down.All().find("db/fleet.toml"), std::string::npos) << down.All();
  EXPECT_EQ(down.All().find("ctl-secret-5d"), std::string::npos) << down.All();
}

// Issue 22: `strata fleet lint` is the apply-time gate's verdict on every target's pending set,
// live: the same history is refused where a table is large and accepted where it is small.
TEST_F(FleetTest, FleetLintJudgesEachTargetsPendingSetLive) {
  TempDir dir;
  dir.Write("strata.toml",
            "locations = [\"db/migration\"]\n[migrate]\nlint_gate = false\n[lint]\n"
            "large_rows = 1000\n");
  std::filesystem::create_directories(dir / "db/migration");
  dir.Write("db/migration/V1__item.sql",
            "CREATE TABLE item (id integer PRIMARY KEY, v integer);\n");
  dir.Write("db/migration/V2__fill.sql", "UPDATE item SET v = 0 WHERE v IS NULL;\n");
  ASSERT_EQ(RunStrata({"--url", "sqlite::memory:", "hash"}, dir.path()).exit_code, 0);
  PgCluster& pg = PgCluster::Get();
  std::string big = pg.CreateDatabase("flint"), small = pg.CreateDatabase("flint");
  dir.Write("db/fleet.toml", fmt::format("[[target]]\nname = \"big\"\nurl = \"{}\"\n\n"
                                         "[[target]]\nname = \"small\"\nurl = \"{}\"\n",
                                         big, small));
  for (const auto& url : {big, small}) {
    auto m = RunStrata({"--url", url, "migrate", "--target", "1"}, dir.path());
    ASSERT_EQ(m.exit_code, kExitOk) << m.All();
  }
  PgCluster::Query(big,
                   "INSERT INTO item SELECT g, NULL FROM generate_series(1, 20000) g; "
                   "ANALYZE item");
  PgCluster::Query(small, "INSERT INTO item VALUES (1, NULL); ANALYZE item");
  auto r = RunStrata({"--json", "fleet", "lint"}, dir.path());
  EXPECT_EQ(r.exit_code, 7) << r.All();  // kLint
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.All();
  auto t = ByName(j);
  EXPECT_EQ(t["big"]["result"], "findings") << t["big"].dump(2);
  EXPECT_EQ(t["big"]["pending"], 1);
  ASSERT_FALSE(t["big"]["findings"].empty());
  EXPECT_EQ(t["big"]["findings"][0]["rule"], "DM105") << t["big"].dump(2);
  EXPECT_EQ(t["small"]["result"], "ok") << t["small"].dump(2);
  EXPECT_EQ(PgCluster::Query(big, "SELECT count(*) FROM item WHERE v IS NULL"), "20000")
      << "fleet lint changed data";
  auto text = RunStrata({"fleet", "lint"}, dir.path());
  EXPECT_NE(text.out.find("big: "), std::string::npos) << text.All();
  EXPECT_NE(text.out.find("DM105"), std::string::npos) << text.All();
}

// Issue 22: `strata fleet drift` runs drift on every target against the schema file, reports the
// differences per target and exits non-zero when any target drifted.
TEST_F(FleetTest, FleetDriftNamesTheTargetsThatDrifted) {
  Fleet f({.per_cluster = 2, .schemas = 0, .sqlite = 0});
  int code = 0;
  auto j = f.Json({"migrate"}, &code);
  ASSERT_EQ(code, kExitOk) << j.dump(2);
  auto dump =
      RunStrata({"--url", f.Url("a00"), "schema", "dump", "--out", "db/schema.sql"}, f.dir());
  ASSERT_EQ(dump.exit_code, kExitOk) << dump.All();
  j = f.Json({"drift", "--against", "db/schema.sql"}, &code);
  EXPECT_EQ(code, kExitOk) << j.dump(2);
  for (const auto& t : j["targets"]) EXPECT_EQ(t["result"], "ok") << t.dump(2);
  // A hand-made change on one tenant.
  PgCluster::Query(f.Url("b01"), "ALTER TABLE account ADD COLUMN hand_made text");
  j = f.Json({"drift", "--against", "db/schema.sql"}, &code);
  EXPECT_EQ(code, 9) << j.dump(2);  // kDrift
  auto t = ByName(j);
  EXPECT_EQ(t["b01"]["result"], "drifted") << t["b01"].dump(2);
  ASSERT_FALSE(t["b01"]["drift"].empty());
  EXPECT_NE(t["b01"]["drift"].dump().find("hand_made"), std::string::npos) << t["b01"].dump(2);
  EXPECT_EQ(t["a01"]["result"], "ok");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("b01"), std::string::npos) << j.dump(2);
  auto text = f.Run({"fleet", "drift", "--against", "db/schema.sql"});
  EXPECT_EQ(text.exit_code, 9);
  EXPECT_NE(text.out.find("b01: column"), std::string::npos) << text.All();
}

// Issue 22: the per-target time limit stops a slow SQLite target too (its statement is
// interrupted in the fleet's process), and the others finish.
TEST(FleetSqlite, PerTargetTimeLimitInterruptsASlowSqliteTarget) {
  TempDir dir;
  dir.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nlint_gate = false\n");
  std::filesystem::create_directories(dir / "db/migration");
  std::filesystem::create_directories(dir / "t");
  dir.Write("db/migration/V1__a.sql", "CREATE TABLE a (id integer);\n");
  // Minutes of work on the slow target only (its table holds the bound).
  dir.Write("db/migration/V2__count.sql",
            "CREATE TABLE n AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
            "WHERE x < (SELECT coalesce(max(id), 10) FROM a)) SELECT count(*) AS k FROM c;\n");
  ASSERT_EQ(RunStrata({"--url", "sqlite::memory:", "hash"}, dir.path()).exit_code, 0);
  std::string toml;
  for (const char* n : {"fast", "slow"}) {
    toml += fmt::format("[[target]]\nname = \"{}\"\nurl = \"sqlite:t/{}.db\"\n", n, n);
  }
  dir.Write("db/fleet.toml", toml);
  ASSERT_EQ(RunStrata({"fleet", "migrate", "--target", "1"}, dir.path()).exit_code, 0);
  {
    auto u = db::ParseUrl("sqlite:" + (dir / "t/slow.db"));
    ASSERT_TRUE(u.ok());
    auto c = db::Connect(*u, "test");
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Exec("INSERT INTO a VALUES (2000000000)").ok());
  }
  auto start = NowMs();
  auto r = RunStrata({"--json", "fleet", "migrate", "--target-timeout", "1s", "--keep-going"},
                     dir.path());
  auto took = NowMs() - start;
  auto t = ByName(nlohmann::json::parse(r.out, nullptr, false));
  EXPECT_EQ(t["slow"]["result"], "timeout") << r.All();
  EXPECT_EQ(t["fast"]["result"], "ok") << r.All();
  EXPECT_NE(r.exit_code, kExitOk);
  EXPECT_LT(took, 8000) << "the slow SQLite target was not stopped at its limit";
  // Nothing half-done: V2 is not in the slow target's ledger and its table does not exist.
  auto u = db::ParseUrl("sqlite:" + (dir / "t/slow.db"));
  auto c = db::Connect(*u, "test");
  ASSERT_TRUE(c.ok());
  auto n = (*c)->Query("SELECT count(*) FROM sqlite_master WHERE name = 'n'");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->rows[0][0].value_or(""), "0");
  auto ok =
      (*c)->Query("SELECT count(*) FROM strata_schema_history WHERE version = '2' AND success");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->rows[0][0].value_or(""), "0");
}

// On a terminal: the canary wave and the next are announced, each finished target gets a line
// (result first), the live block ends with the totals, and the table follows.
TEST(FleetTty, ProgressShowsTargetsAndTotalsOnATerminal) {
  TempDir dir;
  dir.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nlint_gate = false\n");
  std::filesystem::create_directories(dir / "db/migration");
  std::filesystem::create_directories(dir / "t");
  dir.Write("db/migration/V1__a.sql", "CREATE TABLE a (id integer);\n");
  dir.Write("db/migration/V2__b.sql", "CREATE TABLE b (id integer);\n");
  ASSERT_EQ(RunStrata({"--url", "sqlite::memory:", "hash"}, dir.path()).exit_code, 0);
  std::string toml;
  for (const char* n : {"one", "two", "three"}) {
    toml += fmt::format("[[target]]\nname = \"{}\"\nurl = \"sqlite:t/{}.db\"\n", n, n);
  }
  dir.Write("db/fleet.toml", toml);
  auto r = RunStrataOnTty({"fleet", "migrate", "--canary", "one", "--parallel", "2"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("canary wave"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wave 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok          two  2 applied"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3/3 done, 0 failed, 0 running"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("three   - -> 2   2"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace strata::testing
