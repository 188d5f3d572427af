// Issue 14, "`transaction off` progress that can run a statement twice": a non-transactional
// migration's statements each commit together with their ledger progress, so no kill, dropped
// connection or full disk leaves the ledger a statement behind; a statement that cannot run in
// a transaction (CREATE INDEX CONCURRENTLY) is marked in flight before it is sent, and
// `--resume` asks the database whether it took effect. A second run waits for the lock of a
// live one instead of calling its progress a failure; a lock timeout is retried.
// SQLite and PostgreSQL, real databases, the real binary.
#include <signal.h>

#include <random>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class NotxTest : public EngineTest {};

// A statement that inserts `k` into log after keeping the database busy for a moment, so kills
// land inside statements as often as between them.
std::string SlowInsert(Db db, int k) {
  if (db == Db::kPostgres) {
    return "INSERT INTO log SELECT " + std::to_string(k) + " FROM pg_sleep(0.03);\n";
  }
  return "INSERT INTO log SELECT " + std::to_string(k) +
         " FROM (SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
         "FROM c WHERE x < 150000) SELECT x FROM c));\n";
}

// "A kill test for `transaction off` migrations at random points on both databases: after each
// kill and resume, every statement's effect happened exactly once."
TEST_P(NotxTest, KillNineAtRandomPointsThenResumeRunsEveryStatementExactlyOnce) {
  Project p(GetParam());
  p.Write("V1__log.sql", "CREATE TABLE log (k integer NOT NULL);\n");
  constexpr int kStatements = 30;
  std::string body = "-- strata:transaction off\n";
  for (int k = 1; k <= kStatements; ++k) body += SlowInsert(GetParam(), k);
  p.Write("V2__steps.sql", body);
  p.Write("V3__after.sql", "CREATE TABLE after_steps (a integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);

  std::mt19937 rng(std::random_device{}());
  int kills = 0;
  bool done = false;
  for (int cycle = 0; cycle < 40 && !done; ++cycle) {
    std::string log = p.dir() / ("run" + std::to_string(cycle) + ".log");
    int pid = p.Spawn({"--lock-wait", "30s", "migrate", "--resume"}, log);
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 250));
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      // It finished (or stopped) before the kill: it must have been a success.
      std::string out = Slurp(log);
      ASSERT_EQ(p.Run({"validate"}).exit_code, 0) << out;
      done = true;
      break;
    }
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int code = WaitExitFor(pid, std::chrono::seconds(30));
    if (code == 0) {  // it finished between the check and the kill
      done = true;
      break;
    }
    EXPECT_EQ(code, 128 + SIGKILL) << Slurp(log);
    ++kills;
    // The server may still commit what the dead client had already sent (a statement with its
    // progress): judge the state once the client's session is gone, in one snapshot.
    if (p.pg()) {
      ASSERT_TRUE(Eventually(
          [&] {
            return PgCluster::Query(p.url(),
                                    "SELECT count(*) FROM pg_stat_activity WHERE "
                                    "application_name LIKE 'strata migrate%'") == "0";
          },
          std::chrono::seconds(60)));
    }
    // After each kill: nothing ran twice, and the ledger accounts for exactly what ran.
    int rows = p.Count("log");
    EXPECT_EQ(p.Scalar("SELECT count(*) FROM (SELECT k FROM log GROUP BY k HAVING count(*) > 1) d"),
              "0")
        << "a statement ran twice after kill " << kills;
    // Rows and ledger read in one statement: one snapshot.
    std::string both = p.Scalar(
        "SELECT (SELECT count(*) FROM log) || '/' || coalesce((SELECT statements_done FROM "
        "strata_schema_history WHERE version = '2' ORDER BY installed_rank DESC LIMIT 1), -1)");
    std::string recorded = both.substr(both.find('/') + 1);
    if (recorded != "-1") {
      EXPECT_EQ(both, std::to_string(rows) + "/" + std::to_string(rows))
          << "the ledger lags or leads the database";
    }
  }
  if (!done) {
    auto r = p.Run({"--lock-wait", "30s", "migrate", "--resume"});
    ASSERT_EQ(r.exit_code, 0) << r.All();
  }
  EXPECT_GT(kills, 0) << "the test never killed a run";
  EXPECT_EQ(p.Count("log"), kStatements);
  EXPECT_EQ(p.Scalar("SELECT count(DISTINCT k) FROM log"), std::to_string(kStatements));
  EXPECT_TRUE(p.TableExists("after_steps"));
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  RecordProperty("kills", kills);
  std::printf("kill/resume cycles: %d, statements duplicated or lost: %d\n", kills,
              kStatements - std::stoi(p.Scalar("SELECT count(DISTINCT k) FROM log")) +
                  (p.Count("log") - kStatements));
}

// "A second `migrate` that starts while a `transaction off` migration is running must wait
// for the lock like any other. `info` and `validate` show such a row as running, with the lock
// holder, never as failed."
TEST_P(NotxTest, SecondRunWaitsForALiveNonTransactionalMigration) {
  std::string spin = pg() ? "SELECT pg_sleep(${spin});\n"
                          : "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                            "SELECT x + 1 FROM c WHERE x < ${spin}) SELECT x FROM c);\n";
  Project p(GetParam(),
            std::string("[placeholders]\nspin = \"") + (pg() ? "4" : "20000000") + "\"\n");
  p.Write("V1__notx.sql", "-- strata:transaction off\nCREATE TABLE nt_a (a integer);\n" + spin +
                              "CREATE TABLE nt_b (a integer);\n");
  p.Write("V2__after.sql", "CREATE TABLE after_notx (a integer);\n");
  p.Hash();
  std::string log = p.dir() / "first.log";
  int first = p.Spawn({"--log-json", "migrate"}, log);
  // Statement 1 is done and recorded: the row is the live run's progress.
  ASSERT_TRUE(Eventually(
      [&] {
        return p.TableExists("strata_schema_history") &&
               p.Scalar(
                   "SELECT statements_done FROM strata_schema_history WHERE version = "
                   "'1'") == "1";
      },
      std::chrono::seconds(60)))
      << Slurp(log);
  auto info = p.Json({"info"});
  EXPECT_EQ(info["migrations"][0]["state"], "running") << info.dump(2);
  EXPECT_NE(info["migrations"][0]["note"].get<std::string>().find("pid"), std::string::npos)
      << info.dump(2);
  auto v = p.Run({"validate"});
  EXPECT_NE(v.exit_code, 0) << v.All();
  EXPECT_NE(v.All().find("is running"), std::string::npos) << v.All();
  EXPECT_EQ(v.All().find("failed"), std::string::npos) << v.All();
  EXPECT_EQ(v.All().find("repair"), std::string::npos) << v.All();

  auto second = p.Run({"--lock-wait", "60s", "migrate"});
  EXPECT_EQ(second.exit_code, 0) << second.All();
  EXPECT_EQ(WaitExitFor(first, std::chrono::seconds(60)), 0) << Slurp(log);
  EXPECT_TRUE(p.TableExists("nt_b"));
  EXPECT_TRUE(p.TableExists("after_notx"));
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

// After a kill between statements nothing failed: the message says so and points at
// --resume, not at fixing a statement.
TEST_P(NotxTest, InterruptionIsNotCalledAFailure) {
  std::string spin = pg() ? "SELECT pg_sleep(600);\n"
                          : "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                            "SELECT x + 1 FROM c WHERE x < 2000000000) SELECT x FROM c);\n";
  Project p(GetParam());
  p.Write("V1__notx.sql", "-- strata:transaction off\nCREATE TABLE nt_a (a integer);\n" + spin +
                              "CREATE TABLE nt_b (a integer);\n");
  p.Hash();
  std::string log = p.dir() / "run.log";
  int pid = p.Spawn({"migrate"}, log);
  ASSERT_TRUE(Eventually(
      [&] {
        return p.TableExists("strata_schema_history") &&
               p.Scalar("SELECT statements_done FROM strata_schema_history") == "1";
      },
      std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  WaitExitFor(pid, std::chrono::seconds(10));
  if (pg()) {
    ASSERT_TRUE(Eventually(
        [&] {
          return PgCluster::Query(p.url(),
                                  "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                                  "'%pg_sleep(600)%' AND pid <> pg_backend_pid()") == "0";
        },
        std::chrono::seconds(30)));
  }
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("interrupted after 1 statement(s)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("fix the file's failed statement"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("strata migrate --resume"), std::string::npos) << r.err;
  auto info = p.Json({"info"});
  EXPECT_EQ(info["migrations"][0]["state"], "failed") << "the run is dead: not running";
  p.Write("V1__notx.sql",
          "-- strata:transaction off\nCREATE TABLE nt_a (a integer);\n"
          "SELECT 1;\nCREATE TABLE nt_b (a integer);\n");
  p.Hash();
  r = p.Run({"migrate", "--resume"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("nt_b"));
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

// A ledger written before format 1.1 has no statement_started column: it is read as it is,
// its chain stays intact, and the column is added only when a statement needs the marker.
TEST_P(NotxTest, LedgerWithoutTheInFlightColumnKeepsWorking) {
  Project p(GetParam());
  p.Write("V1__t.sql", "CREATE TABLE t (a integer);\n");
  p.Write("V2__notx.sql", "-- strata:transaction off\nINSERT INTO t VALUES (1);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Exec("ALTER TABLE strata_schema_history DROP COLUMN statement_started");
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
  p.Write("V3__vacuum.sql", "-- strata:transaction off\nVACUUM;\nINSERT INTO t VALUES (2);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("t"), 2);
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  EXPECT_EQ(p.Scalar("SELECT count(statement_started) FROM strata_schema_history"), "0");
}

INSTANTIATE_TEST_SUITE_P(Dialects, NotxTest, ::testing::Values(Db::kSqlite, Db::kPostgres), DbName);

// A session of the test's own that holds locks or a snapshot until the test lets go: timing
// does not matter, however busy the machine is.
class Holder {
 public:
  explicit Holder(const Project& p) : conn_(p.Connect("strata-test-holder")) {}
  void Run(const std::string& sql) {
    Status s = conn_->Exec(sql);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

 private:
  std::unique_ptr<db::Connection> conn_;
};

// "A `transaction off` statement that hits lock_timeout did not run: retry it with the same
// backoff as transactional migrations; the message never says 'after all retries' when there
// were none."
TEST(NotxPostgres, LockTimeoutOfAStatementIsRetried) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres, "[migrate]\nlock_timeout = \"200ms\"\nlock_retries = 8\n");
  p.Write("V1__t.sql", "CREATE TABLE t (a integer);\n");
  p.Write("V2__notx.sql", "-- strata:transaction off\nALTER TABLE t ADD COLUMN b integer;\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);
  Holder holder(p);
  holder.Run("BEGIN");
  holder.Run("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  std::string log = p.dir() / "retry.log";
  int pid = p.Spawn({"--log-json", "migrate"}, log);
  // The statement timed out and is being retried; then the lock goes away.
  ASSERT_TRUE(Eventually([&] { return Slurp(log).find("\"retry\"") != std::string::npos; },
                         std::chrono::seconds(60)))
      << Slurp(log);
  holder.Run("COMMIT");
  ASSERT_EQ(WaitExitFor(pid, std::chrono::seconds(120)), 0) << Slurp(log);
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' "
                     "AND column_name = 'b'"),
            "1");
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);

  // Without retries the message says there were none.
  p.WriteToml("[migrate]\nlock_timeout = \"200ms\"\nlock_retries = 0\n");
  p.Write("V3__notx.sql", "-- strata:transaction off\nALTER TABLE t ADD COLUMN c integer;\n");
  p.Hash();
  holder.Run("BEGIN");
  holder.Run("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  auto r = p.Run({"migrate"});
  holder.Run("COMMIT");
  EXPECT_EQ(r.exit_code, kExitLockTimeout) << r.All();
  EXPECT_EQ(r.err.find("after all retries"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not retried"), std::string::npos) << r.err;
  // It did not run and is not recorded as run: --resume runs it.
  r = p.Run({"migrate", "--resume"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
}

bool IndexExists(const Project& p, const std::string& name) {
  return PgCluster::Query(p.url(),
                          "SELECT count(*) FROM pg_class WHERE relname = '" + name + "'") == "1";
}
std::string IndexValid(const Project& p, const std::string& name) {
  return PgCluster::Query(p.url(),
                          "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid "
                          "= i.indexrelid WHERE c.relname = '" +
                              name + "'");
}

// "Where it cannot (CONCURRENTLY ...), record 'statement k started' before it and on resume
// determine from the database itself whether it took effect (index exists and is valid), or
// refuse with the exact state and the command to finish by hand."
TEST(NotxPostgres, InFlightConcurrentIndexIsJudgedFromTheCatalog) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__big.sql",
          "CREATE TABLE big (a integer);\nINSERT INTO big SELECT g FROM generate_series(1, "
          "1000) g;\n");
  p.Write("V2__index.sql",
          "-- strata:transaction off\nINSERT INTO big VALUES (0);\n"
          "CREATE INDEX CONCURRENTLY big_a ON big (a);\nINSERT INTO big VALUES (-1);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);

  // 1. The build finished on the server, but the runner died before recording it: --resume
  // sees the valid index, counts the statement as done and does not build it again.
  // An open transaction with a snapshot: CREATE INDEX CONCURRENTLY waits for it after it has
  // entered the index in the catalog (not yet valid).
  Holder snapshot(p);
  snapshot.Run("BEGIN ISOLATION LEVEL REPEATABLE READ");
  snapshot.Run("SELECT count(*) FROM big");
  std::string log = p.dir() / "a.log";
  int pid = p.Spawn({"migrate"}, log);
  ASSERT_TRUE(Eventually([&] { return IndexExists(p, "big_a"); }, std::chrono::seconds(60)))
      << Slurp(log);
  EXPECT_EQ(p.Scalar("SELECT statement_started FROM strata_schema_history WHERE version = '2'"),
            "2");
  kill(pid, SIGSTOP);
  snapshot.Run("COMMIT");  // the build completes while the runner is stopped
  ASSERT_TRUE(Eventually([&] { return IndexValid(p, "big_a") == "t"; }, std::chrono::seconds(60)));
  kill(pid, SIGKILL);
  WaitExitFor(pid, std::chrono::seconds(10));
  EXPECT_EQ(p.Scalar("SELECT statements_done FROM strata_schema_history WHERE version = '2'"), "1");
  auto r = p.Run({"--lock-wait", "60s", "migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("statement 2 was in flight"), std::string::npos) << r.err;
  r = p.Run({"--lock-wait", "60s", "migrate", "--resume"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("big WHERE a = 0"), 1);
  EXPECT_EQ(p.Count("big WHERE a = -1"), 1);
  EXPECT_NE(p.Scalar("SELECT reason FROM strata_schema_history WHERE version = '2' ORDER BY "
                     "installed_rank DESC LIMIT 1")
                .find("exists and is valid"),
            std::string::npos);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);

  // 2. The runner dies while the build waits: the server abandons it and leaves an INVALID
  // index. --resume refuses with the exact state and the command; after it, --resume builds
  // the index again.
  p.Exec("DROP INDEX big_a");  // V3 builds it again, under the same name
  p.Write("V3__index.sql",
          "-- strata:transaction off\nINSERT INTO big VALUES (-2);\n"
          "CREATE INDEX CONCURRENTLY big_a ON big (a);\n");
  p.Hash();
  snapshot.Run("BEGIN ISOLATION LEVEL REPEATABLE READ");
  snapshot.Run("SELECT count(*) FROM big");
  log = p.dir() / "b.log";
  pid = p.Spawn({"migrate"}, log);
  ASSERT_TRUE(Eventually([&] { return IndexExists(p, "big_a"); }, std::chrono::seconds(60)))
      << Slurp(log);
  kill(pid, SIGKILL);
  WaitExitFor(pid, std::chrono::seconds(10));
  // The server notices the dead client and abandons the build.
  ASSERT_TRUE(Eventually(
      [&] {
        return PgCluster::Query(p.url(),
                                "SELECT count(*) FROM pg_stat_activity WHERE application_name "
                                "LIKE 'strata migrate%'") == "0";
      },
      std::chrono::seconds(60)));
  snapshot.Run("COMMIT");
  EXPECT_EQ(IndexValid(p, "big_a"), "f");
  r = p.Run({"migrate", "--resume"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("INVALID"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("DROP INDEX CONCURRENTLY \"big_a\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("V3__index.sql:3"), std::string::npos) << r.err;
  p.Exec("DROP INDEX CONCURRENTLY big_a");
  r = p.Run({"migrate", "--resume"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(IndexValid(p, "big_a"), "t");
  EXPECT_EQ(p.Count("big WHERE a = -2"), 1);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

}  // namespace
}  // namespace strata::testing
