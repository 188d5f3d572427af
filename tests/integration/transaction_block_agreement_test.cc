// One list of statements that cannot run inside a transaction block (sql/transaction_block.h):
// `lint` (LK103) and `migrate` (the refusal of a transactional file) name the same construct for
// the same statement, and PostgreSQL 15 itself agrees with the list. Real binary, real
// databases.
#include "sql/transaction_block.h"

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "engine_fixture.h"

namespace strata::testing {
namespace {

class TransactionBlockTest : public EngineTest {};

// The LK103 messages of `lint` over the project's migrations, "" for a file without one.
std::map<std::string, std::string> Lk103ByFile(const Project& p) {
  auto r = RunStrata({"lint", "--format", "json", "--dialect", p.pg() ? "postgres" : "sqlite",
                      p.dir() / "db/migration"},
                     p.dir().path());
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << r.All();
  std::map<std::string, std::string> out;
  if (j.is_discarded()) return out;
  for (const auto& f : j["findings"]) {
    if (f["rule"] != "LK103") continue;
    std::string file = f["file"];
    out[file.substr(file.rfind('/') + 1)] = f["message"];
  }
  return out;
}

// The three statements the splitter's and the analyzer's lists used to disagree on, and their
// neighbours: in a transactional migration the engine refuses exactly what lint reports, with
// the same name; what one accepts the other does not report. (Before: lint named TABLESPACE and
// SUBSCRIPTION "this statement"; neither side knew `CLUSTER VERBOSE`; a subscription without a
// slot was refused though PostgreSQL runs it in a transaction.)
TEST_P(TransactionBlockTest, LintAndMigrateAgreeOnTablespaceSubscriptionAndCluster) {
  if (!pg()) GTEST_SKIP() << "PostgreSQL statements";
  struct Case {
    std::string sql;
    std::string want;  // the construct both must name; empty: both accept it
  };
  const std::vector<Case> cases = {
      {"CREATE TABLESPACE ts LOCATION '/nonexistent/strata'", "CREATE TABLESPACE"},
      {"DROP TABLESPACE IF EXISTS ts", "DROP TABLESPACE"},
      {"CREATE SUBSCRIPTION s CONNECTION 'host=/nonexistent' PUBLICATION p",
       "CREATE SUBSCRIPTION ... WITH (create_slot = true)"},
      {"CREATE SUBSCRIPTION s CONNECTION 'host=/nonexistent' PUBLICATION p "
       "WITH (connect = false)",
       ""},
      {"DROP SUBSCRIPTION IF EXISTS s", "DROP SUBSCRIPTION"},
      {"CLUSTER", "CLUSTER without a table name"},
      {"CLUSTER VERBOSE", "CLUSTER without a table name"},
      {"CLUSTER t USING t_pkey", ""},
  };
  Project p(GetParam(), "[migrate]\nlint_gate = false\n");
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(sql::NonTransactionalConstruct(cases[i].sql), cases[i].want) << cases[i].sql;
    p.Write(fmt::format("V{}__c.sql", i + 2), cases[i].sql + ";\n");
  }
  p.Write("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY);\n");
  auto lint = Lk103ByFile(p);
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string file = fmt::format("V{}__c.sql", i + 2);
    const std::string& want = cases[i].want;
    // lint
    if (want.empty()) {
      EXPECT_EQ(lint.count(file), 0u) << cases[i].sql << ": " << lint[file];
    } else {
      EXPECT_EQ(lint[file], want +
                                " cannot run inside a transaction block, and this migration "
                                "runs in one (error 25001)")
          << cases[i].sql;
    }
    // migrate: only this file pending, checked before anything runs.
    Project one(GetParam(), "[migrate]\nlint_gate = false\n");
    one.Write("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY);\n");
    one.Write("V2__c.sql", cases[i].sql + ";\n");
    one.Hash();
    auto r = one.Run({"migrate", "--dry-run"});
    if (want.empty()) {
      EXPECT_EQ(r.exit_code, kExitOk) << cases[i].sql << "\n" << r.All();
    } else {
      EXPECT_NE(r.exit_code, kExitOk) << cases[i].sql;
      EXPECT_NE(r.All().find(want + " cannot run inside a transaction, and V2__c.sql is "
                                    "transactional"),
                std::string::npos)
          << cases[i].sql << "\n"
          << r.All();
    }
  }
}

// SQLite: the list is VACUUM, for lint and migrate alike (lint used to judge SQLite text by
// PostgreSQL's list).
TEST_P(TransactionBlockTest, SqliteVacuumIsTheOneConstruct) {
  if (pg()) GTEST_SKIP() << "SQLite statements";
  Project p(GetParam(), "[migrate]\nlint_gate = false\n");
  p.Write("V1__v.sql", "VACUUM;\n");
  p.Hash();
  auto lint = Lk103ByFile(p);
  EXPECT_EQ(lint["V1__v.sql"],
            "VACUUM cannot run inside a transaction block, and this migration runs in one (error "
            "25001)");
  auto r = p.Run({"migrate", "--dry-run"});
  EXPECT_NE(r.All().find("VACUUM cannot run inside a transaction, and V1__v.sql is transactional"),
            std::string::npos)
      << r.All();
}

// PostgreSQL 15 is the authority: inside BEGIN, each statement fails with 25001 exactly when
// the list names it. (Rows whose server answer needs a live publisher or the catalog are in
// the unit table only: src/sql/transaction_block_test.cc.)
TEST_P(TransactionBlockTest, PostgresRefusesExactlyWhatTheListNames) {
  if (!pg()) GTEST_SKIP() << "PostgreSQL statements";
  Project p(GetParam());
  auto c = p.Connect();
  ASSERT_TRUE(c);
  for (const char* setup : {"CREATE TABLE t (a int PRIMARY KEY)", "CREATE INDEX ti ON t (a)",
                            "CREATE TABLE pt (a int) PARTITION BY RANGE (a)",
                            "CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (10)",
                            "CREATE TYPE mood AS ENUM ('a')"}) {
    ASSERT_TRUE(c->Exec(setup).ok()) << setup;
  }
  const std::string db = p.Scalar("SELECT current_database()");
  for (const std::string& sql : std::vector<std::string>{
           "CREATE TABLESPACE ts LOCATION '/nonexistent/strata'",
           "DROP TABLESPACE IF EXISTS ts",
           "ALTER TABLESPACE pg_default SET (seq_page_cost = 1)",
           "CREATE DATABASE strata_never",
           "DROP DATABASE IF EXISTS strata_never",
           "ALTER DATABASE " + db + " SET TABLESPACE pg_default",
           "ALTER DATABASE " + db + " SET default_tablespace = ''",
           "ALTER SYSTEM SET work_mem = '4MB'",
           "VACUUM t",
           "VACUUM (ANALYZE) t",
           "ANALYZE t",
           "CLUSTER",
           "CLUSTER VERBOSE",
           "CLUSTER t USING t_pkey",
           "REINDEX TABLE t",
           "REINDEX INDEX ti",
           "REINDEX (VERBOSE, CONCURRENTLY) TABLE t",
           "REINDEX TABLE CONCURRENTLY t",
           "REINDEX (CONCURRENTLY false) TABLE t",
           "REINDEX SCHEMA public",
           "REINDEX DATABASE " + db,
           "REINDEX SYSTEM " + db,
           "CREATE INDEX CONCURRENTLY ti2 ON t (a)",
           "CREATE INDEX ti3 ON t (a)",
           "DROP INDEX CONCURRENTLY IF EXISTS nothing",
           "CREATE SUBSCRIPTION s CONNECTION 'host=/nonexistent' PUBLICATION p",
           "CREATE SUBSCRIPTION s CONNECTION 'host=/nonexistent' PUBLICATION p "
           "WITH (connect = false)",
           "ALTER TABLE pt DETACH PARTITION pt1 CONCURRENTLY",
           "ALTER TABLE public.pt DETACH PARTITION pt1 CONCURRENTLY",
           "ALTER TABLE pt DETACH PARTITION pt1",
           "ALTER TYPE mood ADD VALUE 'b'",
           "DISCARD ALL",
           "DISCARD PLANS",
           "COMMIT PREPARED 'nothing'",
       }) {
    ASSERT_TRUE(c->Exec("BEGIN").ok());
    Status s = c->Exec(sql);
    (void)c->Exec("ROLLBACK");
    const bool refused = !s.ok() && s.sqlstate() == "25001";
    EXPECT_EQ(refused, !sql::NonTransactionalConstruct(sql).empty())
        << sql << ": " << (s.ok() ? "ok" : s.ToString());
  }
}

INSTANTIATE_TEST_SUITE_P(Dialects, TransactionBlockTest,
                         ::testing::Values(Db::kSqlite, Db::kPostgres), DbName);

}  // namespace
}  // namespace strata::testing
