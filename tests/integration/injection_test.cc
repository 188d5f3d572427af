// Issue 14, injection: SQL a file supplies (check and smoke queries, backfill job fragments) is
// accepted only as the one piece it is meant to be, and where strata only reads, the database
// itself refuses writes (verify/read_only.h). Real SQLite and the private PostgreSQL cluster;
// each refused attempt leaves a canary table standing. Corrections: tests/seed/correct_test.cc.
#include "verify/read_only.h"

#include <gtest/gtest.h>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

constexpr int kExitConfig = 2;     // kConfig
constexpr int kExitDirective = 3;  // kDirective

class InjectionTest : public EngineTest {};

// The scope the plan paths and checks run in: writes fail inside it, are undone, and the
// connection (or the caller's transaction) is writable again after it.
TEST_P(InjectionTest, ReadOnlyScopeRefusesWritesAndRestoresTheConnection) {
  Project p(GetParam());
  auto c = p.Connect();
  ASSERT_TRUE(c->Exec("CREATE TABLE t (n integer)").ok());
  {
    auto scope = verify::ReadOnlyScope::Begin(*c);
    ASSERT_TRUE(scope.ok()) << scope.status().ToString();
    EXPECT_FALSE(c->Exec("INSERT INTO t VALUES (1)").ok());
    ASSERT_TRUE(scope->End().ok());
  }
  EXPECT_FALSE(c->InTransaction());
  ASSERT_TRUE(c->Exec("INSERT INTO t VALUES (2)").ok()) << "left read-only";
  // Inside the caller's transaction (a transactional migration's post-checks).
  ASSERT_TRUE(c->Exec(c->BeginSql()).ok());
  ASSERT_TRUE(c->Exec("INSERT INTO t VALUES (3)").ok());
  auto n = verify::QueryReadOnly(*c, "SELECT count(*) FROM t");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->rows.at(0).at(0), "2") << "the scope sees the transaction's own rows";
  auto w = verify::QueryReadOnly(*c, "INSERT INTO t VALUES (4) RETURNING n");
  EXPECT_FALSE(w.ok());
  EXPECT_TRUE(c->InTransaction());
  ASSERT_TRUE(c->Exec("INSERT INTO t VALUES (5)").ok()) << "the transaction stayed usable";
  ASSERT_TRUE(c->Exec("COMMIT").ok());
  EXPECT_EQ(p.Count("t"), 3);
  EXPECT_EQ(p.Count("t WHERE n = 4"), 0);
}

// A check query that would end strata's statement and run another, or that modifies data, is
// refused when the migration is prepared: nothing of the migration runs.
TEST_P(InjectionTest, CheckQueryIsExactlyOneReadOnlyQuery) {
  Project p(GetParam());
  p.Write("V1__base.sql", "CREATE TABLE canary (n integer);\nCREATE TABLE t (n integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  const std::vector<std::string> checks = {
      "-- strata:post-check = 0\n-- SELECT count(*) FROM t; DROP TABLE canary\n",
      "-- strata:pre-check = 0\n-- SELECT count(*) FROM t WHERE 1 = 1; DROP TABLE canary; --\n",
      "-- strata:pre-check = 0\n-- WITH d AS (DELETE FROM canary RETURNING 1) SELECT count(*) "
      "FROM d\n",
      "-- strata:post-check = 0\n-- DROP TABLE canary\n",
  };
  for (const auto& check : checks) {
    p.Write("V2__checked.sql", check + "CREATE TABLE u (n integer);\n");
    p.Hash();
    auto r = p.Run({"migrate"});
    EXPECT_EQ(r.exit_code, kExitDirective) << check << r.All();
    EXPECT_NE(r.err.find("V2__checked.sql:"), std::string::npos) << r.All();
    EXPECT_NE(r.err.find("expected exactly one read-only query"), std::string::npos) << r.All();
    EXPECT_TRUE(p.TableExists("canary")) << check;
    EXPECT_FALSE(p.TableExists("u")) << "the migration ran: " << check;
  }
}

// A check whose function writes is stopped by the database: checks run in a READ ONLY
// transaction (PostgreSQL; SQLite has no functions that write).
TEST_P(InjectionTest, CheckWithAWritingFunctionRunsReadOnly) {
  if (!pg()) GTEST_SKIP() << "SQLite has no SQL functions that write";
  Project p(GetParam());
  p.Write("V1__base.sql",
          "CREATE TABLE canary (n integer);\n"
          "CREATE FUNCTION canary_bump() RETURNS boolean LANGUAGE sql VOLATILE AS "
          "'INSERT INTO canary VALUES (1) RETURNING true';\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__checked.sql",
          "-- strata:pre-check = 0\n-- SELECT CASE WHEN canary_bump() THEN 0 ELSE 1 END\n"
          "CREATE TABLE u (n integer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_NE(r.exit_code, 0) << r.All();
  EXPECT_NE(r.err.find("read-only transaction"), std::string::npos) << r.All();
  EXPECT_EQ(p.Count("canary"), 0);
  EXPECT_FALSE(p.TableExists("u"));
  // A post-check inside the migration's transaction: read-only too, and the migration still
  // commits when it holds.
  p.Write("V2__checked.sql",
          "-- strata:post-check = 0\n-- SELECT count(*) FROM u\nCREATE TABLE u (n integer);\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("u"));
}

// `strata verify --smoke`: a smoke query from strata.toml is held to the same rule.
TEST_P(InjectionTest, SmokeQueryIsExactlyOneReadOnlyQuery) {
  Project p(GetParam(),
            "[smoke.injected]\nquery = \"SELECT count(*) FROM canary; DROP TABLE canary\"\n"
            "expect = \"= 0\"\n");
  p.Write("V1__base.sql", "CREATE TABLE canary (n integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  auto r = p.Run({"verify", "--smoke-only"});
  EXPECT_NE(r.exit_code, 0) << r.All();
  EXPECT_NE(r.All().find("expected exactly one read-only query"), std::string::npos) << r.All();
  EXPECT_TRUE(p.TableExists("canary"));
}

// Backfill job fragments: `where` must stay one expression inside strata's parentheses (or it
// escapes the chunk bounds: `(v IS NULL) OR (true) AND id > $1` updates every row), and may
// not end the statement in a way a naive quote scan misses (PostgreSQL's E'\'' string).
TEST_P(InjectionTest, BackfillFragmentsAreOnlyWhatTheirFieldNames) {
  Project p(GetParam());
  auto c = p.Connect();
  ASSERT_TRUE(c->Exec("CREATE TABLE canary (n integer)").ok());
  ASSERT_TRUE(c->Exec("CREATE TABLE item (id bigint PRIMARY KEY, grp integer, v bigint)").ok());
  ASSERT_TRUE(c->Exec("INSERT INTO item (id, grp) VALUES (1, 1), (2, 2), (3, 3)").ok());
  ASSERT_TRUE(c->Exec("UPDATE item SET v = 0 WHERE id = 3").ok());
  std::vector<std::pair<std::string, std::string>> jobs = {
      {"where = \"v IS NULL) OR (true\"\nset = \"v = id * 2\"\n", "boolean expression"},
      {"where = \"v IS NULL\"\nset = \"v = id * 2 FROM canary\"\n", "list of assignments"},
      {"where = \"v IS NULL\"\nset = \"v = id * 2\"\nfrom = \"canary WHERE true\"\n"
       "join = \"canary.n = item.id\"\n",
       "FROM list"},
  };
  if (pg()) {
    // A naive scan sees `) ; DROP ... (E` inside quotes; PostgreSQL sees a string E'\'' and
    // then the end of strata's statement.
    jobs.push_back(
        {"where = \"v IS NULL AND grp::text <> E'\\\\'') ; DROP TABLE canary; "
         "SELECT (E'\\\\''\"\n"
         "set = \"v = id * 2\"\n",
         "boolean expression"});
  }
  for (const auto& [fields, expected] : jobs) {
    p.dir().Write("db/backfill/fill.toml", "table = \"item\"\nkey = \"id\"\n" + fields);
    for (const char* verb : {"plan", "run"}) {
      auto r = p.Run({"backfill", verb, "fill"});
      EXPECT_EQ(r.exit_code, kExitConfig) << fields << r.All();
      EXPECT_NE(r.err.find("fill.toml:"), std::string::npos) << r.All();
      EXPECT_NE(r.err.find(expected), std::string::npos) << r.All();
      EXPECT_TRUE(p.TableExists("canary")) << verb << " " << fields;
    }
  }
  EXPECT_EQ(p.Count("item WHERE v IS NULL"), 2) << "a refused job changed rows";
  // The honest job still plans (its reads read-only, its sample chunk rolled back) and runs.
  p.dir().Write("db/backfill/fill.toml",
                "table = \"item\"\nkey = \"id\"\nwhere = \"v IS NULL\"\nset = \"v = id * 2\"\n"
                "[verify]\nquery = \"SELECT count(*) FROM item WHERE v IS NULL\"\nexpect = 0\n");
  auto plan = p.Run({"backfill", "plan", "fill"});
  EXPECT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_EQ(p.Count("item WHERE v IS NULL"), 2) << "plan changed rows";
  auto run = p.Run({"backfill", "run", "fill"});
  EXPECT_EQ(run.exit_code, 0) << run.All();
  EXPECT_EQ(p.Count("item WHERE v IS NULL"), 0);
}

INSTANTIATE_TEST_SUITE_P(Dialects, InjectionTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
