// Issue 14, "Nothing skipped, nothing run twice, nothing injected": every statement of a
// migration runs exactly as written, on SQLite and on PostgreSQL, through the real binary
// against a real database. A statement with real content is never taken for a comment, a NUL
// never cuts a statement short, and a `-- strata:` directive counts only in a real comment.
#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

class StatementsTest : public EngineTest {};

// The ledger is empty: no table yet, or a table without rows.
void ExpectLedgerEmpty(const Project& p) {
  if (p.TableExists("strata_schema_history")) EXPECT_EQ(p.LedgerRows(), 0);
}

// "SQLite: a statement that begins with a comment containing `/*` ... is taken as comment-only
// and never runs, yet the migration is recorded as applied; --dry-run hides it and validate
// says ok." SQLite's /* */ comments do not nest.
TEST(StatementsSqlite, StatementAfterACommentContainingSlashStarRuns) {
  Project p(Db::kSqlite);
  p.Write("V1__copy.sql",
          "CREATE TABLE imports (a integer);\n"
          "/* copies rows from imports/* */ CREATE TABLE zz AS SELECT a FROM imports;\n"
          "/* a /* b */ INSERT INTO zz VALUES (7);\n");
  p.Hash();
  auto dry = p.Run({"migrate", "--dry-run"});
  ASSERT_EQ(dry.exit_code, kExitOk) << dry.All();
  EXPECT_NE(dry.out.find("CREATE TABLE zz AS SELECT a FROM imports"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("INSERT INTO zz VALUES (7)"), std::string::npos) << dry.out;
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.All();
  ASSERT_TRUE(p.TableExists("zz")) << r.All();
  EXPECT_EQ(p.Scalar("SELECT a FROM zz"), "7");
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, kExitOk) << v.All();
}

// The same rule decides "transaction control" and "cannot run in a transaction": a BEGIN
// behind such a comment is refused like any other, before anything runs.
TEST(StatementsSqlite, TransactionControlBehindACommentIsRefused) {
  Project p(Db::kSqlite);
  p.Write("V1__t.sql", "CREATE TABLE t (a integer);\n/* see docs/* */ COMMIT;\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("V1__t.sql:2:1"), std::string::npos) << r.All();
  EXPECT_FALSE(p.TableExists("t"));
  Project q(Db::kSqlite);
  q.Write("V1__t.sql", "CREATE TABLE t (a integer);\n/* see docs/* */ vacuum;\n");
  q.Hash();
  r = q.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("VACUUM cannot run inside a transaction"), std::string::npos) << r.All();
  EXPECT_FALSE(q.TableExists("t"));
}

// "A NUL byte inside a statement truncates it while the output reports every statement
// applied." Refused before anything runs, naming file:line:col; nothing applied, ledger empty,
// and the earlier good migration is not applied either.
TEST_P(StatementsTest, NulInAMigrationIsRefusedBeforeAnythingRuns) {
  // No strata.sum needed: the refusal must come from the NUL, not from a missing sum file.
  Project p(GetParam(), "[migrate]\nrequire_sum = false\n");
  p.Write("V1__ok.sql", "CREATE TABLE ok (a integer);\n");
  const std::string line2 = "INSERT INTO before_nul VALUES (1);";
  p.Write("V2__nul.sql", "CREATE TABLE before_nul (a integer);\n" + line2 + std::string("\0", 1) +
                             " INSERT INTO before_nul VALUES (2);\nCREATE TABLE after_nul (a "
                             "integer);\n");
  const std::string where = "V2__nul.sql:2:" + std::to_string(line2.size() + 1);
  for (const std::vector<std::string> args :
       {std::vector<std::string>{"hash"}, {"validate"}, {"migrate", "--dry-run"}, {"migrate"}}) {
    auto r = p.Run(args);
    EXPECT_EQ(r.exit_code, kExitValidation) << args[0] << ": " << r.All();
    EXPECT_NE(r.err.find(where), std::string::npos) << r.All();
    EXPECT_NE(r.err.find("NUL"), std::string::npos) << r.All();
  }
  EXPECT_FALSE(p.TableExists("ok"));
  EXPECT_FALSE(p.TableExists("before_nul"));
  EXPECT_FALSE(p.TableExists("after_nul"));
  ExpectLedgerEmpty(p);
}

// A placeholder value is sent inside the statement: a NUL in it is refused the same way, at the
// placeholder, without printing the value.
TEST_P(StatementsTest, NulInAPlaceholderValueIsRefusedBeforeAnythingRuns) {
  Project p(GetParam(), "[placeholders]\nowner = \"ab\\u0000cd\"\n");
  p.Write("V1__ok.sql", "CREATE TABLE ok (a integer);\n");
  p.Write("V2__ph.sql", "CREATE TABLE t (a text);\nINSERT INTO t VALUES ('${owner}');\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_NE(r.exit_code, kExitOk) << r.All();
  EXPECT_NE(r.err.find("V2__ph.sql:2:24"), std::string::npos) << r.All();
  EXPECT_NE(r.err.find("NUL"), std::string::npos) << r.All();
  EXPECT_FALSE(p.TableExists("ok"));
  EXPECT_FALSE(p.TableExists("t"));
  ExpectLedgerEmpty(p);
}

// "`-- strata:transaction off` inside a string literal, a dollar-quoted body or a /* */ block
// must not switch a file to non-transactional": the file stays transactional, so the failing
// third statement rolls back the first.
TEST_P(StatementsTest, DirectiveInsideALiteralOrBlockCommentIsNotObeyed) {
  std::vector<std::string> hiders = {
      "SELECT '\n-- strata:transaction off\n' AS x;\n",
      "/*\n-- strata:transaction off\n*/\n",
  };
  if (GetParam() == Db::kPostgres) {
    hiders.push_back(
        "CREATE FUNCTION f() RETURNS integer AS $$\n-- strata:transaction off\nSELECT 1 $$ "
        "LANGUAGE sql;\n");
  }
  for (const auto& hider : hiders) {
    SCOPED_TRACE(hider);
    Project p(GetParam());
    p.Write("V1__tx.sql", "CREATE TABLE kept (a integer);\nINSERT INTO kept VALUES (1);\n" + hider +
                              "INSERT INTO no_such_table VALUES (1);\n");
    p.Hash();
    auto dry = p.Run({"migrate", "--dry-run"});
    ASSERT_EQ(dry.exit_code, kExitOk) << dry.All();
    EXPECT_NE(dry.out.find("-- V1__tx.sql (version 1)\n"), std::string::npos) << dry.out;
    EXPECT_EQ(dry.out.find("(version 1, transaction off)"), std::string::npos) << dry.out;
    auto r = p.Run({"migrate"});
    EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
    EXPECT_NE(r.err.find("no_such_table"), std::string::npos) << r.All();
    EXPECT_FALSE(p.TableExists("kept")) << "the first statement was not rolled back";
  }
  // The same directive as a real comment is obeyed (the first statements stay).
  Project p(GetParam());
  p.Write("V1__tx.sql",
          "-- strata:transaction off\nCREATE TABLE kept (a integer);\n"
          "INSERT INTO no_such_table VALUES (1);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_TRUE(p.TableExists("kept"));
}

INSTANTIATE_TEST_SUITE_P(Dialects, StatementsTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
