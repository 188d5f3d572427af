// Issue 16, "Lint that real projects can live with", end to end: the false errors seen on real
// histories, through `strata migrate` (the apply-time gate, live on PostgreSQL) and through
// `strata lint`; what "new" means without a database (each file on its own); and `lint -`.
// Real binary, real PostgreSQL from the test cluster.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

constexpr int kExitLint = 7;

class RealHistoryGate : public EngineTest {};

int RulesCount(const json& findings, const std::string& id, const char* key = "rule") {
  int n = 0;
  for (const auto& f : findings) n += f.value(key, "") == id;
  return n;
}

// CREATE TABLE AS, SELECT INTO and CREATE MATERIALIZED VIEW create new, empty relations: an
// index, an identity column, a primary key or a DROP on them later in the same pending set
// blocks nobody (they were LK101, CL103 and BC105 errors).
TEST_P(RealHistoryGate, RelationsCreatedByQueriesAreNew) {
  if (!pg()) GTEST_SKIP() << "PostgreSQL lock rules";
  Project p(GetParam());
  p.Write("V1__orders.sql",
          "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint, total numeric);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__reports.sql",
          "CREATE TABLE report AS SELECT customer, sum(total) AS total FROM orders GROUP BY 1;\n"
          "SELECT id, customer INTO scratch FROM orders;\n"
          "CREATE MATERIALIZED VIEW totals AS SELECT customer, count(*) AS n FROM orders GROUP BY "
          "1;\n");
  p.Write("V3__index_them.sql",
          "CREATE INDEX report_total ON report (total);\n"
          "ALTER TABLE report ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;\n"
          "ALTER TABLE report ADD PRIMARY KEY (id);\n"
          "CREATE UNIQUE INDEX totals_customer ON totals (customer);\n"
          "DROP TABLE scratch;\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.LedgerRows(), 3);
  EXPECT_TRUE(p.TableExists("report"));
}

// A column the pending run adds and later drops is used by no deployed application (BC104);
// DROP TABLE IF EXISTS of a table the live catalog does not have drops nothing (BC105). A
// column that was there before the run is still protected.
TEST_P(RealHistoryGate, DroppingWhatThePendingRunAddedOrWhatIsAbsent) {
  if (!pg()) GTEST_SKIP() << "the live catalog is read from PostgreSQL";
  Project p(GetParam());
  p.Write("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, legacy text);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__orders_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
  p.Write("V3__orders_no_note.sql",
          "ALTER TABLE orders DROP COLUMN note;\nDROP TABLE IF EXISTS sessions_v0;\n");
  p.Hash();
  // lint --url judges the same pending set as the gate.
  auto lr = p.Run({"lint", "--format", "json"});
  EXPECT_EQ(lr.exit_code, 0) << lr.All();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.LedgerRows(), 3);

  p.Write("V4__orders_no_legacy.sql", "ALTER TABLE orders DROP COLUMN legacy;\n");
  p.Write("V5__drop_orders.sql", "DROP TABLE IF EXISTS orders;\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V4__orders_no_legacy.sql:1:1: error[BC104]"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("V5__drop_orders.sql:1:1: error[BC105]"), std::string::npos) << r.All();
}

// `CREATE INDEX ON t (c)` is named t_c_idx by PostgreSQL. DROP INDEX t_c_idx locks t: the gate
// resolves the index to its table (from the live catalog) and judges the table's size.
TEST_P(RealHistoryGate, DropIndexIsJudgedByItsTable) {
  if (!pg()) GTEST_SKIP() << "table sizes are read from PostgreSQL's pg_class";
  Project p(GetParam(), "[lint]\nlarge_rows = 5000\n");
  p.Write("V1__events.sql",
          "CREATE TABLE events (id bigint PRIMARY KEY, kind text);\n"
          "CREATE INDEX ON events (kind);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Exec("INSERT INTO events SELECT g, 'k' FROM generate_series(1, 20000) g");
  p.Exec("ANALYZE events");
  p.Write("V2__drop_kind_index.sql", "DROP INDEX events_kind_idx;\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V2__drop_kind_index.sql:1:1: error[LK102]"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("the index's table `events`"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("20,000"), std::string::npos) << r.All();
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'events_kind_idx'"), "1");
}

// The gate reads existing columns' types from the live catalog: widening a varchar column an
// applied migration created is catalog-only (no CL104), narrowing it is still refused.
TEST_P(RealHistoryGate, TypeChangesAreJudgedAgainstTheLiveColumn) {
  if (!pg()) GTEST_SKIP() << "the live catalog is read from PostgreSQL";
  Project p(GetParam());
  p.Write("V1__members.sql",
          "CREATE TABLE members (id bigint PRIMARY KEY, rpc_address varchar(64) NOT NULL);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__wider.sql", "ALTER TABLE members ALTER COLUMN rpc_address TYPE varchar(128);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  p.Write("V3__narrower.sql", "ALTER TABLE members ALTER COLUMN rpc_address TYPE varchar(16);\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V3__narrower.sql:1:51: error[CL104]"), std::string::npos) << r.All();
}

// CN111 (eugene E15) with a live database: the indexes of an existing table are read from the
// live catalog (pg_index), so an index made outside the migrations counts, and a foreign key
// whose columns no live index leads with is reported.
TEST_P(RealHistoryGate, ForeignKeyIndexesAreReadFromTheLiveCatalog) {
  if (!pg()) GTEST_SKIP() << "the live indexes are read from PostgreSQL's pg_index";
  Project p(GetParam());
  p.Write("V1__purchase.sql",
          "CREATE TABLE items (id bigint PRIMARY KEY);\n"
          "CREATE TABLE purchase (id bigint PRIMARY KEY, item bigint, sku bigint);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Exec("CREATE INDEX purchase_sku_by_hand ON purchase (sku, id)");
  p.Write("V2__purchase_fks.sql",
          "ALTER TABLE purchase ADD CONSTRAINT purchase_sku_fk FOREIGN KEY (sku) REFERENCES items "
          "(id) NOT VALID;\n"
          "ALTER TABLE purchase ADD CONSTRAINT purchase_item_fk FOREIGN KEY (item) REFERENCES "
          "items (id) NOT VALID;\n");
  p.Hash();
  auto r = p.Run({"lint", "--format", "json"});
  auto j = json::parse(r.out);
  EXPECT_EQ(RulesCount(j["findings"], "CN111"), 1) << j.dump(2);
  for (const auto& f : j["findings"]) {
    if (f.value("rule", "") == "CN111") {
      EXPECT_EQ(f.value("line", 0), 2) << f.dump();
      EXPECT_NE(f.value("message", "").find("purchase_item_fk"), std::string::npos) << f.dump();
    }
  }
  // Without the database the table's indexes are unknown: nothing is claimed.
  auto offline =
      RunStrata({"lint", "--format", "json", "db/migration/V2__purchase_fks.sql"}, p.dir().path());
  EXPECT_EQ(RulesCount(json::parse(offline.out)["findings"], "CN111"), 0) << offline.All();
}

// Without --url or --since, each file is judged on its own with every earlier one applied: a
// breaking change to a table an earlier file created is caught in CI; a table created earlier in
// the same file is still new.
TEST_P(RealHistoryGate, LintWithoutADatabaseJudgesEachFileOnItsOwn) {
  if (pg()) GTEST_SKIP() << "needs no database; run once";
  Project p(GetParam());
  p.Write("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, total int);\n");
  p.Write("V2__orders_total.sql", "ALTER TABLE orders ALTER COLUMN total TYPE bigint;\n");
  p.Write("V3__drop_total.sql", "ALTER TABLE orders DROP COLUMN total;\n");
  p.Write("V4__scratch.sql",
          "CREATE TABLE scratch (id bigint, v int);\nCREATE INDEX ON scratch (v);\n"
          "ALTER TABLE scratch DROP COLUMN v;\n");
  auto r = RunStrata({"lint", "--format", "json"}, p.dir().path());
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(RulesCount(j["findings"], "CL104"), 1) << j.dump(2);
  EXPECT_EQ(RulesCount(j["findings"], "BC104"), 1) << j.dump(2);
  EXPECT_EQ(RulesCount(j["findings"], "LK101"), 0) << j.dump(2);
  for (const auto& f : j["findings"]) {
    if (f["severity"] != "error") continue;
    EXPECT_EQ(f["file"].get<std::string>().find("V4__"), std::string::npos) << f.dump();
  }
}

// `strata lint -` reads one migration from standard input; --stdin-name names it in findings.
TEST_P(RealHistoryGate, LintReadsStandardInput) {
  if (pg()) GTEST_SKIP() << "needs no database; run once";
  Project p(GetParam());
  p.Write("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);\n");
  std::string dir = p.dir().path();
  { std::ofstream(dir + "/buffer.sql") << "CREATE INDEX orders_customer ON orders (customer);\n"; }
  auto run = [&](const std::string& args) {
    std::string cmd =
        "cd '" + dir + "' && '" + STRATA_BINARY + "' lint " + args + " < buffer.sql > out.txt 2>&1";
    int rc = std::system(cmd.c_str());
    std::ifstream in(dir + "/out.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    return std::make_pair(WEXITSTATUS(rc), ss.str());
  };
  auto [code, out] = run("-");
  EXPECT_EQ(code, kExitLint) << out;
  EXPECT_NE(out.find("<stdin>:1:1: error[LK101]"), std::string::npos) << out;
  std::tie(code, out) = run("--stdin-name db/migration/V2__orders_by_customer.sql -");
  EXPECT_EQ(code, kExitLint) << out;
  EXPECT_NE(out.find("db/migration/V2__orders_by_customer.sql:1:1: error[LK101]"),
            std::string::npos)
      << out;
  // With the history as context and the buffer standing in for V1 (the table is created in the
  // same file), nothing is wrong; the other files are not reported.
  {
    std::ofstream(dir + "/buffer.sql")
        << "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);\n"
           "CREATE INDEX orders_customer ON orders (customer);\n";
  }
  std::tie(code, out) = run("--stdin-name db/migration/V1__orders.sql db/migration -");
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = run("--stdin-name x.sql");
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("--stdin-name without `-`"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Db, RealHistoryGate, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
