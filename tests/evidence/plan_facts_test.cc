// `strata plan` takes its statement facts from the safety analyzer (issue 5): lock, table,
// whether the table is new in the planned set, rewrite/scan by PostgreSQL version, live table
// sizes, the risk class, gates and lint findings. The keyword classifier it replaced got each
// of these wrong or did not know them. Also: `--log-json migrate` reports each pre-/post-check
// as a check_done event. Real SQLite and a real PostgreSQL 15 (the harness's private cluster).
#include <set>
#include <sstream>

#include "evidence_fixture.h"

namespace strata::testing {
namespace {

// The statements of the first migration named `script` in a plan JSON.
const nlohmann::json& Migration(const nlohmann::json& plan, const std::string& script) {
  static const nlohmann::json kNone = nlohmann::json::object();
  for (const auto& rel : plan["releases"]) {
    for (const auto& m : rel["migrations"]) {
      if (m["script"] == script) return m;
    }
  }
  ADD_FAILURE() << script << " not in the plan: " << plan.dump();
  return kNone;
}

nlohmann::json PlanJson(const Project& p, std::vector<std::string> args) {
  args.insert(args.begin(), "plan");
  args.insert(args.end(), {"--format", "json"});
  auto r = p.Run(args);
  EXPECT_EQ(r.exit_code, kExitOk) << r.All();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.All();
  return j;
}

// CREATE INDEX on a table the same migration creates blocks nobody (the table is new and
// empty); the same statement on a table the set does not create blocks writes. The keyword
// classifier called both a SHARE lock that rewrites. (`plan --all` has no database and so no
// pending set: each file is judged on its own, docs/lint.md "New and existing".)
TEST(PlanFacts, IndexOnATableNewInThePlannedSetBlocksNothing) {
  Project p(Dialect::kSqlite);
  p.Write("V1__orders.sql",
          "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n"
          "CREATE INDEX orders_note_idx ON orders (note);\n");
  p.Write("V3__customers_email.sql", "CREATE INDEX customers_email_idx ON customers (email);\n");
  auto j = PlanJson(p, {"--all"});
  const auto& fresh = Migration(j, "V1__orders.sql")["statements"][1];
  EXPECT_EQ(fresh["classified_by"], "analyzer") << fresh.dump();
  EXPECT_EQ(fresh["kind"], "create-index");
  EXPECT_EQ(fresh["table"], "orders");
  EXPECT_EQ(fresh["target_is_new"], true);
  EXPECT_EQ(fresh["blocks_writes"], false);
  EXPECT_EQ(fresh["effect"], "additive");
  const auto& existing = Migration(j, "V3__customers_email.sql")["statements"][0];
  EXPECT_EQ(existing["target_is_new"], false) << existing.dump();
  EXPECT_EQ(existing["lock"], "SHARE");
  EXPECT_EQ(existing["blocks_writes"], true);
  EXPECT_EQ(existing["blocks_reads"], false);
  // Only the existing table's index is a lint finding.
  EXPECT_TRUE(Migration(j, "V1__orders.sql")["lint"].empty())
      << Migration(j, "V1__orders.sql")["lint"].dump();
  bool lk101 = false;
  for (const auto& f : Migration(j, "V3__customers_email.sql")["lint"]) {
    lk101 = lk101 || f["rule_id"] == "LK101";
  }
  EXPECT_TRUE(lk101) << Migration(j, "V3__customers_email.sql").dump();

  auto md = p.Run({"plan", "--all"});
  EXPECT_NE(md.out.find("| orders (new) | nothing (new table) |"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| customers | writes |"), std::string::npos) << md.out;
}

// Releases deploy one after another: a table an earlier release created exists (and holds data)
// when a later release indexes it, so that index blocks writes; within one release it is new.
TEST(PlanFacts, ATableFromAnEarlierReleaseIsNotNew) {
  Project p(Dialect::kSqlite);
  p.Write("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n");
  p.Write("V2__orders_note.sql", "CREATE INDEX orders_note_idx ON orders (note);\n");
  p.dir().Write("db/releases.toml",
                "[[release]]\nname = \"A\"\nmigrations = [\"1\"]\n"
                "[[release]]\nname = \"B\"\nmigrations = [\"2\"]\n");
  auto j = PlanJson(p, {"--all"});
  const auto& st = Migration(j, "V2__orders_note.sql")["statements"][0];
  EXPECT_EQ(st["target_is_new"], false) << st.dump();
  EXPECT_EQ(st["blocks_writes"], true);
  EXPECT_EQ(j["releases"][1]["name"], "B");
}

// Since PostgreSQL 11 ADD COLUMN with a constant DEFAULT is a catalog change; a volatile one
// (random()) still rewrites every row. The keyword classifier said "no rewrite" for both.
TEST(PlanFacts, AddColumnDefaultRewritesOnlyWhenVolatile) {
  Project p(Dialect::kSqlite, "[lint]\npg_version = 15\n");
  p.Write("V1__columns.sql",
          "ALTER TABLE accounts ADD COLUMN c int DEFAULT 0;\n"
          "ALTER TABLE accounts ADD COLUMN r float8 DEFAULT random();\n");
  auto j = PlanJson(p, {"--all"});
  EXPECT_EQ(j["pg_version"], "15 (config)");
  const auto& st = Migration(j, "V1__columns.sql")["statements"];
  ASSERT_EQ(st.size(), 2u) << st.dump();
  EXPECT_EQ(st[0]["rewrite"], false) << st[0].dump();
  EXPECT_EQ(st[0]["rewrites"], false);
  EXPECT_EQ(st[0]["effect"], "additive");
  EXPECT_EQ(st[1]["rewrite"], true) << st[1].dump();
  EXPECT_EQ(st[1]["effect"], "additive");
  EXPECT_EQ(st[1]["lock"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(st[1]["blocks_reads"], true);
}

// Effects come from the parse tree: one ALTER TABLE that drops a column and adds another is a
// contract (the keyword classifier saw ADD and called it additive); a new NOT NULL column
// without a default is breaking; SET DEFAULT is additive, a type change breaking.
TEST(PlanFacts, EffectsFromTheParseTree) {
  Project p(Dialect::kSqlite);
  p.Write("V1__reshape.sql", "ALTER TABLE accounts DROP COLUMN legacy, ADD COLUMN note text;\n");
  p.Write("V2__required.sql", "ALTER TABLE accounts ADD COLUMN tier int NOT NULL;\n");
  p.Write("V3__default.sql", "ALTER TABLE accounts ALTER COLUMN note SET DEFAULT 'none';\n");
  p.Write("V4__type.sql", "ALTER TABLE accounts ALTER COLUMN tier TYPE bigint;\n");
  p.Write("V5__fill.sql", "UPDATE accounts SET note = 'drop column' WHERE note IS NULL;\n");
  auto j = PlanJson(p, {"--all"});
  EXPECT_EQ(Migration(j, "V1__reshape.sql")["effect"], "contract");
  EXPECT_EQ(Migration(j, "V2__required.sql")["effect"], "breaking");
  EXPECT_EQ(Migration(j, "V3__default.sql")["effect"], "additive");
  EXPECT_EQ(Migration(j, "V4__type.sql")["effect"], "breaking");
  EXPECT_EQ(Migration(j, "V4__type.sql")["statements"][0]["rewrite"], true);
  EXPECT_EQ(Migration(j, "V5__fill.sql")["effect"], "data");
}

// Lint findings (suppressed ones with their reason), the analyzed risk class and its gates
// appear in plan JSON and Markdown; a declared class weaker than the analyzed one is a finding.
TEST(PlanFacts, LintFindingsAndRiskClassInThePlan) {
  Project p(Dialect::kSqlite);
  p.Write("V1__index.sql",
          "-- strata:intent\n"
          "-- Business capability: find customers by email\n"
          "-- Risk class: small-additive-ddl\n"
          "-- Recovery direction: roll-forward\n"
          "CREATE INDEX customers_email_idx ON customers (email);\n"
          "-- strata:allow require-concurrent-index-deletion reason=\"customers_old is unused\"\n"
          "DROP INDEX customers_old_idx;\n");
  auto j = PlanJson(p, {"--all"});
  const auto& m = Migration(j, "V1__index.sql");
  EXPECT_EQ(m["risk_class"], "small-additive-ddl");
  EXPECT_EQ(m["analyzed_risk_class"], "large-table-ddl") << m.dump();
  EXPECT_FALSE(m["gates"].empty());
  bool open = false, allowed = false;
  for (const auto& f : m["lint"]) {
    if (f["rule_id"] == "LK101" && f["suppressed"] == false) open = true;
    if (f["rule_id"] == "LK102" && f["suppressed"] == true) {
      allowed = true;
      EXPECT_EQ(f["suppression_reason"], "customers_old is unused") << f.dump();
    }
  }
  EXPECT_TRUE(open) << m["lint"].dump();
  EXPECT_TRUE(allowed) << m["lint"].dump();
  EXPECT_GE(j["lint_findings"].get<int>(), 1);
  bool mismatch = false;
  for (const auto& f : m["findings"]) {
    mismatch = mismatch || f.get<std::string>().find(
                               "declares risk class small-additive-ddl "
                               "but the analyzer classes it "
                               "large-table-ddl") != std::string::npos;
  }
  EXPECT_TRUE(mismatch) << m["findings"].dump();

  auto md = p.Run({"plan", "--all"});
  EXPECT_NE(md.out.find("| V1__index.sql | contract | small-additive-ddl | large-table-ddl |"),
            std::string::npos)
      << md.out;
  EXPECT_NE(md.out.find("## Lint findings"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("error[LK101] require-concurrent-index-creation"), std::string::npos)
      << md.out;
  EXPECT_NE(md.out.find("(suppressed: customers_old is unused)"), std::string::npos) << md.out;
}

// SQLite-only syntax the PostgreSQL grammar rejects falls back to keywords, and says so; on a
// SQLite target PostgreSQL-only lint rules (parse errors, locks) stay out of the plan.
TEST(PlanFacts, UnparsableStatementFallsBackToKeywords) {
  Project p(Dialect::kSqlite);
  p.Write("V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v text);\n");
  auto j = PlanJson(p, {});
  const auto& m = Migration(j, "V1__t.sql");
  EXPECT_EQ(m["statements"][0]["classified_by"], "keywords") << m.dump();
  EXPECT_EQ(m["statements"][0]["effect"], "additive");
  EXPECT_EQ(m["statements"][0]["table"], "t");
  EXPECT_TRUE(m["lint"].empty()) << m["lint"].dump();
  EXPECT_NE(j["dialect_note"].get<std::string>().find("SQLite"), std::string::npos);
  auto md = p.Run({"plan"});
  EXPECT_NE(md.out.find("AUTOINCREMENT, v text)` †"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("keyword classifier"), std::string::npos) << md.out;
}

// One analyzer entry point (lint/pending_set.h): `plan`, `lint --url` and the gate of `migrate`
// judge a SQLite target alike. The scratch database starts from the live schema, so a table
// renamed outside the migrations is missing for all three (plan used to replay the files and
// miss it); and a later release that uses a table an earlier pending release creates is judged
// after that release, not against the live schema alone.
TEST(PlanFacts, SqlitePlanLintAndGateJudgeTheSameTarget) {
  Project p(Dialect::kSqlite);
  p.Write("V1__counters.sql", "CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER);\n");
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitOk);
  p.Exec("ALTER TABLE counters RENAME TO tallies");
  p.Write("V2__count.sql", "-- count once\nINSERT INTO counters (n) VALUES (1);\n");
  p.Write("V3__audit.sql", "CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT);\n");
  p.Write("V4__audit_note.sql", "ALTER TABLE audit ADD COLUMN note TEXT;\n");
  p.dir().Write("db/releases.toml",
                "[[release]]\nname = \"A\"\nmigrations = [\"2\", \"3\"]\n"
                "[[release]]\nname = \"B\"\nmigrations = [\"4\"]\n");
  auto rules = [](const nlohmann::json& findings) {
    std::set<std::string> out;
    for (const auto& f : findings) out.insert(f["rule_id"].get<std::string>());
    return out;
  };
  auto lint = p.Json({"lint"});
  std::set<std::string> linted;
  int below_error = 0;
  for (const auto& f : lint["findings"]) {
    if (f["suppressed"] == true) continue;
    if (f["severity"] != "error") ++below_error;
    if (f["file"].get<std::string>().find("V2__count.sql") != std::string::npos) {
      linted.insert(f["rule"].get<std::string>());
    }
  }
  EXPECT_TRUE(linted.count("SQ105")) << lint.dump();
  auto j = PlanJson(p, {});
  EXPECT_EQ(rules(Migration(j, "V2__count.sql")["lint"]), linted) << j.dump();
  // Release B runs after release A on the scratch: audit exists when V4 adds its column.
  EXPECT_TRUE(rules(Migration(j, "V4__audit_note.sql")["lint"]).empty()) << j.dump();
  auto gate = p.Json({"migrate", "--dry-run"});
  EXPECT_EQ(gate["lint"]["findings_below_gate"], below_error) << gate.dump() << lint.dump();
}

// With --url on PostgreSQL the plan is live-aware: the table's size from pg_class, the server
// version, and size-sensitive risk (a cheap ALTER on a table above [lint] large_rows is
// large-table-ddl). The keyword classifier knew the size but not the risk.
TEST(PlanFacts, LivePostgresSizesAndRisk) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Dialect::kPostgres, "[lint]\nlarge_rows = 100\n");
  p.Write("V1__big.sql",
          "CREATE TABLE big (id bigint PRIMARY KEY, v int);\n"
          "INSERT INTO big SELECT g, g FROM generate_series(1, 1000) g;\n"
          "-- strata:post-check = 1000\n"
          "-- SELECT count(*) FROM big;\n");
  auto m = p.Run({"migrate"});
  ASSERT_EQ(m.exit_code, kExitOk) << m.All();
  p.Exec("ANALYZE big");
  p.Write("V2__big_flag.sql", "ALTER TABLE big ADD COLUMN flag boolean;\n");
  auto j = PlanJson(p, {});
  EXPECT_EQ(j["live"], true);
  EXPECT_EQ(j["pg_version"], "15 (live)");
  const auto& mig = Migration(j, "V2__big_flag.sql");
  const auto& st = mig["statements"][0];
  EXPECT_EQ(st["table"], "big");
  EXPECT_EQ(st["live_rows"], 1000) << st.dump();
  EXPECT_GT(st["live_bytes"].get<std::int64_t>(), 0);
  EXPECT_EQ(mig["analyzed_risk_class"], "large-table-ddl") << mig.dump();
  // V1 is applied: only V2 is planned, and `big` is an existing table.
  EXPECT_EQ(st["target_is_new"], false);
  auto md = p.Run({"plan"});
  EXPECT_NE(md.out.find("| big | reads, writes | 1000 rows, "), std::string::npos) << md.out;
}

std::vector<nlohmann::json> Events(const std::string& err, const std::string& kind) {
  std::vector<nlohmann::json> out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.value("event", "") == kind) out.push_back(j);
  }
  return out;
}

// `--log-json migrate` writes one check_done line per pre-/post-check as it completes.
TEST_P(DialectTest, LogJsonReportsEachCheck) {
  Project p(GetParam());
  p.Write("V1__t.sql",
          "create table t (id integer primary key, v integer);\n"
          "insert into t (id, v) values (1, 10), (2, 20), (3, 30);\n");
  p.Write("V2__double.sql",
          "-- strata:pre-check as rows_before\n"
          "-- SELECT count(*) FROM t;\n"
          "update t set v = v * 2 where id <= 2;\n"
          "-- strata:post-check = rows affected\n"
          "-- SELECT count(*) FROM t WHERE v IN (20, 40);\n");
  auto r = p.Run({"--log-json", "migrate"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.All();
  auto checks = Events(r.err, "check_done");
  ASSERT_EQ(checks.size(), 2u) << r.err;
  EXPECT_EQ(checks[0]["phase"], "pre-check");
  EXPECT_EQ(checks[0]["name"], "rows_before");
  EXPECT_EQ(checks[0]["value"], "3");
  const auto& post = checks[1];
  EXPECT_EQ(post["script"], "V2__double.sql") << post.dump();
  EXPECT_EQ(post["phase"], "post-check");
  EXPECT_EQ(post["line"], 4);
  EXPECT_NE(post["file"].get<std::string>().find("V2__double.sql"), std::string::npos);
  EXPECT_EQ(post["ok"], true);
  EXPECT_EQ(post["value"], "2");
  EXPECT_EQ(post["expected"], "= 2 (rows affected)");
  EXPECT_TRUE(post.contains("elapsed_ms"));
  // In order: after V2's statements, before V2 is done.
  size_t stmt = r.err.find("\"statement_done\""), check = r.err.find("\"post-check\""),
         done = r.err.rfind("\"migration_done\"");
  EXPECT_LT(stmt, check);
  EXPECT_LT(check, done);

  // A failing post-check reports ok = false and the value it saw.
  p.Write("V3__bad.sql",
          "insert into t (id, v) values (9, 90);\n"
          "-- strata:post-check = 0\n"
          "-- SELECT count(*) FROM t WHERE v = 90;\n");
  auto bad = p.Run({"--log-json", "migrate"});
  EXPECT_EQ(bad.exit_code, kExitCheckFailed) << bad.All();
  auto failed = Events(bad.err, "check_done");
  ASSERT_EQ(failed.size(), 1u) << bad.err;
  EXPECT_EQ(failed[0]["ok"], false);
  EXPECT_EQ(failed[0]["value"], "1");
  EXPECT_EQ(failed[0]["line"], 2);
}

INSTANTIATE_TEST_SUITE_P(Db, DialectTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         DialectName);

}  // namespace
}  // namespace strata::testing
