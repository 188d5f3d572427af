// The evidence ledger's two tables (strata_run, strata_run_migration) are made together or not
// at all: one transaction around both CREATEs (PostgreSQL's and SQLite's DDL are transactional).
// The read-time completion of a half-made pair, for ledgers an older strata left, is covered by
// FleetTest.ResumeCompletesAnEvidenceLedgerAKillLeftHalfCreated.
#include "engine_fixture.h"

namespace strata::testing {
namespace {

class RunStoreTest : public EngineTest {};

// The second CREATE fails (an object of the same name that IF NOT EXISTS does not cover: a
// PostgreSQL type, a SQLite index). Before, strata_run stayed behind alone, the state a kill
// between the two statements left; now the failure leaves neither table, and the next run,
// once the name is free, makes both.
TEST_P(RunStoreTest, TheTwoEvidenceTablesAreCreatedTogetherOrNotAtAll) {
  Project p(GetParam());
  p.Write("V1__t.sql", "CREATE TABLE t (id int);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitOk);
  // A database whose evidence ledger is not made yet, and whose second CREATE will fail.
  p.Exec("DROP TABLE strata_run_migration");
  p.Exec("DROP TABLE strata_run");
  p.Exec(pg() ? "CREATE TYPE strata_run_migration AS ENUM ('x')"
              : "CREATE INDEX strata_run_migration ON t (id)");
  p.Write("V2__u.sql", "CREATE TABLE u (id int);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_NE(r.exit_code, kExitOk) << r.All();
  EXPECT_NE(r.All().find("evidence ledger"), std::string::npos) << r.All();
  EXPECT_FALSE(p.TableExists("strata_run")) << "strata_run was created without its pair";
  EXPECT_FALSE(p.TableExists("strata_run_migration"));

  p.Exec(pg() ? "DROP TYPE strata_run_migration" : "DROP INDEX strata_run_migration");
  r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.All();
  EXPECT_EQ(p.Count("strata_run"), 1);
  EXPECT_EQ(p.Count("strata_run_migration"), 1);
}

INSTANTIATE_TEST_SUITE_P(Dialects, RunStoreTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
