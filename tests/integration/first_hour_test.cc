// Issue 17, "Rough edges a new user hits in the first hour": verdicts and messages of the
// engine verbs that were wrong or misleading. SQLite and PostgreSQL, the real binary.
#include <pwd.h>
#include <unistd.h>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class FirstHourTest : public EngineTest {};

// "`migrate --target 99` with no version 99 applies everything; an unknown target is an
// error. `--target latest|current` work."
TEST_P(FirstHourTest, TargetMustNameAVersionOrLatestOrCurrent) {
  Project p(GetParam());
  p.Write("V1__a.sql", "CREATE TABLE a (x integer);\n");
  p.Write("V2__b.sql", "CREATE TABLE b (x integer);\n");
  p.Write("V3__c.sql", "CREATE TABLE c (x integer);\n");
  p.Hash();
  auto r = p.Run({"migrate", "--target", "99"});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
  EXPECT_NE(r.err.find("no migration file has that version (the highest is 3)"), std::string::npos)
      << r.err;
  EXPECT_FALSE(p.TableExists("a")) << "an unknown target ran migrations";

  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);
  // current: nothing newer than what is applied.
  r = p.Run({"migrate", "--target", "current"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_FALSE(p.TableExists("b"));
  r = p.Run({"--json", "migrate", "--target", "latest"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(json::parse(r.out)["applied"].size(), 2u) << r.out;
  EXPECT_TRUE(p.TableExists("c"));
}

// "A non-transactional migration failing on its first statement says 'statements 1..0 ran and
// are recorded'; `--resume` reports '4 statement(s)' when 2 ran."
TEST_P(FirstHourTest, NonTransactionalCountsSayWhatRan) {
  Project p(GetParam());
  p.Write("V1__notx.sql",
          "-- strata:transaction off\nINSERT INTO missing VALUES (1);\nCREATE TABLE a (x "
          "integer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_EQ(r.err.find("1..0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no statement of it ran"), std::string::npos) << r.err;

  p.Write("V1__notx.sql",
          "-- strata:transaction off\nCREATE TABLE a (x integer);\nCREATE TABLE b (x "
          "integer);\nINSERT INTO missing VALUES (1);\nCREATE TABLE c (x integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"repair", "--reason", "file rewritten"}).exit_code, 0);
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_NE(r.err.find("statements 1..2 ran and are recorded"), std::string::npos) << r.err;
  p.Write("V1__notx.sql",
          "-- strata:transaction off\nCREATE TABLE a (x integer);\nCREATE TABLE b (x "
          "integer);\nCREATE TABLE d (x integer);\nCREATE TABLE c (x integer);\n");
  p.Hash();
  r = p.Run({"migrate", "--resume"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("2 statement(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("resumed at statement 3"), std::string::npos) << r.out;
  r = p.Run({"--json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
}

// "Operator recorded as 'unknown' in ledger rows, repair reasons and correction audits when
// $USER is unset: use the OS account (getpwuid) and the database user."
TEST(FirstHourSqlite, OperatorIsTheOsAccountWhenUserIsUnset) {
  Project p(Db::kSqlite);
  p.Write("V1__a.sql", "CREATE TABLE a (x integer);\n");
  p.Hash();
  auto r = p.Run({"migrate"}, {{"USER", ""}, {"LOGNAME", ""}});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  struct passwd* pw = getpwuid(geteuid());
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(p.Scalar("SELECT installed_by FROM strata_schema_history"), pw->pw_name);
}

INSTANTIATE_TEST_SUITE_P(Dialects, FirstHourTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
