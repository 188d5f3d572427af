// Issue 2, "Failure and bad input" and "Ledger": a killed runner, a terminated connection, a
// failing statement, an edited applied file, a hand-edited ledger. Each leaves database and
// ledger consistent, says what happened and what to do, and the next run recovers.
// SQLite and PostgreSQL, real databases, the real binary.
#include "base/sha256.h"

#include <signal.h>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class FailureTest : public EngineTest {};

// The placeholder `slow` is a statement that keeps the server busy: pg_sleep on PostgreSQL, a
// recursive count on SQLite. `spin` picks how long (seconds / iterations).
std::string SlowToml(Db db, bool slow) {
  if (db == Db::kPostgres) {
    return std::string("[placeholders]\nspin = \"") + (slow ? "600" : "0") + "\"\n";
  }
  return std::string("[placeholders]\nspin = \"") + (slow ? "2000000000" : "1") + "\"\n";
}
std::string SlowStatement(Db db) {
  if (db == Db::kPostgres) return "SELECT pg_sleep(${spin});\n";
  return "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
         "WHERE x < ${spin}) SELECT x FROM c);\n";
}
std::string InsertRows(Db db, const std::string& table, int n) {
  if (db == Db::kPostgres) {
    return "INSERT INTO " + table + " SELECT g FROM generate_series(1, " + std::to_string(n) +
           ") g;\n";
  }
  return "INSERT INTO " + table +
         " WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
         "FROM c WHERE x < " +
         std::to_string(n) + ") SELECT x FROM c;\n";
}

// Waits until the spawned runner is inside the slow statement of `script`.
bool WaitUntilInSlowStatement(const Project& p, const std::string& log, const std::string& script) {
  return Eventually(
      [&] {
        if (p.pg()) {
          return PgCluster::Query(p.url(),
                                  "SELECT count(*) FROM pg_stat_activity WHERE application_name "
                                  "LIKE 'strata migrate%' AND state = 'active' AND query LIKE "
                                  "'%pg_sleep%'") == "1";
        }
        std::istringstream lines(Slurp(log));
        for (std::string line; std::getline(lines, line);) {
          if (line.find("\"migration_started\"") != std::string::npos &&
              line.find(script) != std::string::npos) {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(60));
}

// "kill -9 of the runner in the middle of a long transactional migration: rerun applies it
// cleanly; nothing half-applied, ledger valid."
TEST_P(FailureTest, KillNineMidTransactionalMigrationThenRerunAppliesCleanly) {
  Project p(GetParam(), SlowToml(GetParam(), true));
  p.Write("V1__base.sql", "CREATE TABLE base (a integer);\n");
  p.Write("V2__long.sql", "CREATE TABLE half (a integer);\n" +
                              InsertRows(GetParam(), "half", 5000) + SlowStatement(GetParam()) +
                              "CREATE TABLE half_done (a integer);\n");
  p.Write("V3__after.sql", "CREATE TABLE after_long (a integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);

  std::string log = p.dir() / "runner.log";
  int pid = p.Spawn({"--log-json", "migrate"}, log);
  ASSERT_TRUE(WaitUntilInSlowStatement(p, log, "V2__long.sql")) << Slurp(log);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(WaitExitFor(pid, std::chrono::seconds(10)), 128 + SIGKILL);

  // Nothing of V2 is visible, and the ledger only knows V1.
  EXPECT_FALSE(p.TableExists("half"));
  EXPECT_FALSE(p.TableExists("half_done"));
  EXPECT_EQ(p.LedgerRows(), 1);

  // The rerun gets the lock (the dead runner's lock went with it) and applies V2 whole.
  p.WriteToml(SlowToml(GetParam(), false));
  auto start = NowMs();
  auto r = p.Run({"--lock-wait", "45s", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_LT(NowMs() - start, 40'000) << "the rerun waited for the dead runner's lock";
  EXPECT_EQ(p.Count("half"), 5000);
  EXPECT_TRUE(p.TableExists("half_done"));
  EXPECT_TRUE(p.TableExists("after_long"));
  EXPECT_EQ(p.LedgerRows(), 3);
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  if (p.pg()) {
    // The killed runner's server session is gone too (it would otherwise hold locks).
    EXPECT_TRUE(Eventually(
        [&] {
          return PgCluster::Query(p.url(),
                                  "SELECT count(*) FROM pg_stat_activity WHERE query "
                                  "LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()") == "0";
        },
        std::chrono::seconds(20)));
  }
}

// "A syntax error in the 3rd statement of a file: nothing of that file remains, the message
// points at the file and line." Plus the statement's first line and SQLSTATE; and the same for
// a runtime error (constraint) in the 3rd statement.
TEST_P(FailureTest, ErrorInThirdStatementLeavesNothingOfTheFile) {
  struct Case {
    std::string third;
    std::string first_line;
    std::string pg_state;
    std::string sqlite_state;
  };
  std::vector<Case> cases = {
      {"CREATE TABLEX s3 (a integer);\n", "CREATE TABLEX s3 (a integer)", "42601", "SQLITE_ERROR"},
      {"INSERT INTO s1 (a)\n  VALUES (NULL);\n", "INSERT INTO s1 (a)", "23502",
       "SQLITE_CONSTRAINT"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.first_line);
    // The database's own verdict (the lint gate would stop the syntax error earlier: below).
    Project p(GetParam(), "[migrate]\nlint_gate = false\n");
    p.Write("V1__ok.sql", "CREATE TABLE ok (a integer);\n");
    p.Write("V2__bad.sql",
            "-- three statements; the third fails\n"
            "CREATE TABLE s1 (a integer NOT NULL);\n"
            "CREATE TABLE s2 (a integer);\n"
            "\n" +
                c.third + "CREATE TABLE s4 (a integer);\n");
    p.Write("V3__later.sql", "CREATE TABLE later (a integer);\n");
    p.Hash();
    auto r = p.Run({"migrate"});
    EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
    EXPECT_NE(r.err.find("V2__bad.sql:5"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.first_line), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("statement 3 of 4"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(pg() ? c.pg_state : c.sqlite_state), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
    // V1 stays applied; nothing of V2 remains; V3 did not run.
    EXPECT_TRUE(p.TableExists("ok"));
    EXPECT_FALSE(p.TableExists("s1"));
    EXPECT_FALSE(p.TableExists("s2"));
    EXPECT_FALSE(p.TableExists("later"));
    EXPECT_EQ(p.LedgerRows(), 1);
    auto j = p.Json({"migrate"});
    EXPECT_EQ(j["error"]["code"], "migration-failed") << j.dump(2);
    EXPECT_EQ(j["error"]["line"], 5) << j.dump(2);
    EXPECT_EQ(j["error"]["sqlstate"], pg() ? c.pg_state : c.sqlite_state) << j.dump(2);
    EXPECT_EQ(j["applied"].size(), 0u);
    // validate still passes (nothing was recorded as failed: the file is only pending) and
    // fixing the file recovers.
    EXPECT_EQ(p.Run({"validate", "--ignore", "pending"}).exit_code, 0);
    p.Write("V2__bad.sql", "CREATE TABLE s1 (a integer NOT NULL);\nCREATE TABLE s2 (a integer);\n");
    p.Hash();
    r = p.Run({"migrate"});
    EXPECT_EQ(r.exit_code, 0) << r.All();
    EXPECT_TRUE(p.TableExists("later"));
  }
  if (pg()) {
    // With the lint gate on (the default), PostgreSQL's grammar finds the syntax error before
    // anything runs: the message points at the file, line and column, and not even V1 applies.
    Project p(GetParam());
    p.Write("V1__ok.sql", "CREATE TABLE ok (a integer);\n");
    p.Write("V2__bad.sql", "CREATE TABLE s1 (a integer);\n\nCREATE TABLEX s3 (a integer);\n");
    p.Hash();
    auto r = p.Run({"migrate"});
    EXPECT_EQ(r.exit_code, 7) << r.All();
    EXPECT_NE(r.out.find("V2__bad.sql:3:8: error[SY101]"), std::string::npos) << r.All();
    EXPECT_FALSE(p.TableExists("ok"));
  }
}

// "An applied file edited: validate and migrate refuse with the checksum message; repair
// --accept-checksum with a reason unblocks and is recorded." "repair: ... every repair is
// itself recorded in the ledger (type REPAIR, with reason and operator). Repair is never
// silent."
TEST_P(FailureTest, EditedAppliedFileIsRefusedUntilRepairAcceptsIt) {
  Project p(GetParam());
  const std::string v2 = "CREATE TABLE two (a integer);\n";
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V2__two.sql", v2);
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  const std::string edited = "-- a harmless comment\nCREATE TABLE two (a integer);\n";
  p.Write("V2__two.sql", edited);
  p.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
  auto check_refused = [&](const std::string& when) {
    for (const std::string verb : {"validate", "migrate"}) {
      auto r = p.Run({verb});
      EXPECT_EQ(r.exit_code, kExitValidation) << when << " " << verb << ": " << r.All();
      std::string all = r.All();
      EXPECT_NE(all.find("V2__two.sql"), std::string::npos) << when << " " << verb << all;
      EXPECT_NE(all.find("recorded checksum " + base::Sha256Hex(v2)), std::string::npos)
          << when << " " << verb << ": " << all;
      EXPECT_NE(all.find("file now " + base::Sha256Hex(edited)), std::string::npos)
          << when << " " << verb << ": " << all;
      EXPECT_NE(all.find("never edit an applied migration"), std::string::npos)
          << when << " " << verb << ": " << all;
      EXPECT_NE(all.find("--accept-checksum 2"), std::string::npos) << all;
    }
    EXPECT_FALSE(p.TableExists("three"));
  };
  // Before and after strata.sum is rewritten: the ledger mismatch is what the user must see.
  check_refused("stale strata.sum");
  p.Hash();
  check_refused("fresh strata.sum");
  auto info = p.Json({"info"});
  EXPECT_EQ(info["migrations"][1]["checksum_mismatch"], true) << info.dump(2);

  // repair without a reason is refused and appends nothing.
  int rows = p.LedgerRows();
  auto r = p.Run({"repair", "--accept-checksum", "2"});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
  EXPECT_NE(r.err.find("--reason"), std::string::npos) << r.err;
  r = p.Run({"repair", "--accept-checksum", "2", "--reason", "  "});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
  EXPECT_NE(r.err.find("--reason"), std::string::npos) << r.err;
  // Accepting a version that is not edited is refused too.
  r = p.Run({"repair", "--accept-checksum", "1", "--reason", "no"});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
  EXPECT_EQ(p.LedgerRows(), rows);

  r = p.Run({"repair", "--accept-checksum", "2", "--reason", "comment only, INC-42"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("V2__two.sql"), std::string::npos) << r.out;
  EXPECT_EQ(p.LedgerRows(), rows + 1);
  EXPECT_EQ(p.Scalar("SELECT type FROM strata_schema_history ORDER BY installed_rank DESC"),
            "REPAIR");
  EXPECT_NE(p.Scalar("SELECT reason FROM strata_schema_history WHERE type = 'REPAIR'")
                .find("comment only, INC-42"),
            std::string::npos);
  EXPECT_EQ(p.Scalar("SELECT checksum FROM strata_schema_history WHERE type = 'REPAIR'"),
            base::Sha256Hex(edited));
  EXPECT_EQ(p.Scalar("SELECT version FROM strata_schema_history WHERE type = 'REPAIR'"), "2");
  EXPECT_FALSE(
      p.Scalar("SELECT installed_by FROM strata_schema_history WHERE type = 'REPAIR'").empty());

  auto v = p.Run({"validate", "--ignore", "pending"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("three"));
  // Only that checksum was accepted: a further edit is refused again.
  p.Write("V2__two.sql", edited + "-- again\n");
  p.Hash();
  EXPECT_EQ(p.Run({"validate"}).exit_code, kExitValidation);
}

// migrate takes the checksum of a file whose stat (inode, size, mtime, ctime) is unchanged from
// its stat cache instead of reading the file (src/migrate/stat_cache.h). An applied file edited
// after it was recorded, even to the same size, is still refused; a cached pending file is read
// when it runs; validate never uses the cache.
TEST_P(FailureTest, StatCacheNeverHidesAnEditAndRunsWhatItSkippedReading) {
  Project p(GetParam());
  const std::string cache = p.dir() / "stat-cache";
  const std::map<std::string, std::string> env{{"STRATA_CACHE_DIR", cache}};
  const std::string v1 = "CREATE TABLE one (a integer);\n";
  p.Write("V1__one.sql", v1);
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}, env).exit_code, 0);
  // A file is recorded once its times are 2 s old (StatCache::kSettle).
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = p.Run({"migrate", "--target", "1"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(cache)) {
    // PostgreSQL: the verified-ledger cache (ledger-*) is beside it.
    if (e.path().filename().string().rfind("files-", 0) == 0) files.push_back(e.path());
  }
  ASSERT_EQ(files.size(), 1u);
  const std::string recorded = Slurp(files[0]);
  EXPECT_NE(recorded.find("V1__one.sql"), std::string::npos) << recorded;
  EXPECT_NE(recorded.find("V2__two.sql"), std::string::npos) << recorded;

  // V2 is pending and its checksum came from the cache: it is read when it runs.
  r = p.Run({"migrate"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("two"));
  EXPECT_EQ(Slurp(files[0]), recorded);  // an up-to-date run writes nothing

  // The cache is what migrate trusts for an unchanged file: a recorded checksum made wrong by
  // hand (the file untouched) is reported as an edit, while validate, reading every file, passes.
  std::string forged = recorded;
  size_t at = forged.find(base::Sha256Hex(v1));
  ASSERT_NE(at, std::string::npos);
  forged.replace(at, 64, std::string(64, '0'));
  std::ofstream(files[0], std::ios::trunc) << forged;
  r = p.Run({"migrate"}, env);
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.All().find("file now " + std::string(64, '0')), std::string::npos) << r.All();
  EXPECT_EQ(p.Run({"validate"}, env).exit_code, 0);
  std::ofstream(files[0], std::ios::trunc) << recorded;
  ASSERT_EQ(p.Run({"migrate"}, env).exit_code, 0);

  // Edited in place to the same size: the stamp's ctime moved, so the file is read again.
  const std::string edited = "CREATE TABLE uno (a integer);\n";
  ASSERT_EQ(edited.size(), v1.size());
  p.Write("V1__one.sql", edited);
  for (const std::string verb : {"migrate", "validate"}) {
    r = p.Run({verb}, env);
    EXPECT_EQ(r.exit_code, kExitValidation) << verb << ": " << r.All();
    EXPECT_NE(r.All().find("file now " + base::Sha256Hex(edited)), std::string::npos)
        << verb << ": " << r.All();
  }
}

// migrate also takes strata.sum's verdict from its stat cache while the sum file and every
// migration are unchanged since a run that checked it (src/migrate/stat_cache.h). A strata.sum
// edited within the settle time, the migrations all cache hits, is still refused; so is a
// removed pending file, the sum file untouched.
TEST_P(FailureTest, StatCacheNeverHidesAnEditedStrataSum) {
  Project p(GetParam());
  const std::string cache = p.dir() / "stat-cache";
  const std::map<std::string, std::string> env{{"STRATA_CACHE_DIR", cache}};
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}, env).exit_code, 0);
  auto cache_file = [&] {
    std::vector<std::filesystem::path> files;  // the stat cache's (not the ledger cache's)
    for (const auto& e : std::filesystem::directory_iterator(cache)) {
      if (e.path().filename().string().starts_with("files-")) files.push_back(e.path());
    }
    EXPECT_EQ(files.size(), 1u);
    return files.empty() ? std::string() : Slurp(files[0]);
  };
  auto settle_and_record = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // StatCache::kSettle
    auto r = p.Run({"migrate", "--target", "1"}, env);
    ASSERT_EQ(r.exit_code, 0) << r.All();
    ASSERT_NE(cache_file().find("\nsum "), std::string::npos) << cache_file();
  };
  settle_and_record();
  const std::string recorded = cache_file();
  auto r = p.Run({"migrate", "--target", "1"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(cache_file(), recorded);  // the verdict was taken: nothing to write

  // strata.sum edited right away, to the same size, in V2's line.
  const std::string sum_path = p.dir() / "db/migration/strata.sum";
  const std::string sum = Slurp(sum_path);
  std::string edited = sum;
  char& c = edited[edited.size() - 20];
  c = c == 'a' ? 'b' : 'a';
  std::ofstream(sum_path, std::ios::trunc) << edited;
  for (int i = 0; i < 2; ++i) {
    r = p.Run({"migrate", "--target", "1"}, env);
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.All().find("does not match the migration files (changed: V2__two.sql)"),
              std::string::npos)
        << r.All();
  }
  std::ofstream(sum_path, std::ios::trunc) << sum;
  r = p.Run({"migrate", "--target", "1"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.All();

  // The pending V2 removed: V1 is a cache hit and strata.sum untouched, but the list of files
  // is not the one the recorded verdict was for.
  settle_and_record();
  p.Remove("V2__two.sql");
  r = p.Run({"migrate"}, env);
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.All().find("removed: V2__two.sql"), std::string::npos) << r.All();
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  r = p.Run({"migrate"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("two"));
}

// "a hash chain (each row's hash covers its content and the previous row's hash) so manual
// edits to history are detected by validate."
TEST_P(FailureTest, HandEditedLedgerIsDetected) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(p.Run({"validate"}).exit_code, 0);
  p.Exec(
      "UPDATE strata_schema_history SET execution_time_ms = execution_time_ms + 1 WHERE "
      "installed_rank = 2");
  for (const std::string verb : {"validate", "migrate"}) {
    auto r = p.Run({verb});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.All().find("rank 2"), std::string::npos) << r.All();
    EXPECT_NE(r.All().find("broken"), std::string::npos) << r.All();
  }
  // Recomputing a row's own hash does not help: the next row's prev_hash no longer matches.
  p.Exec(
      "UPDATE strata_schema_history SET execution_time_ms = execution_time_ms - 1 WHERE "
      "installed_rank = 2");
  ASSERT_EQ(p.Run({"validate"}).exit_code, 0);
  p.Exec("UPDATE strata_schema_history SET row_hash = '" + std::string(64, 'a') +
         "' WHERE installed_rank = 1");
  auto r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.All().find("rank 1"), std::string::npos) << r.All();
  // A deleted row.
  Project q(GetParam());
  q.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  q.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  q.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
  q.Hash();
  ASSERT_EQ(q.Run({"migrate"}).exit_code, 0);
  q.Exec("DELETE FROM strata_schema_history WHERE installed_rank = 2");
  r = q.Run({"validate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.All().find("rank 3"), std::string::npos) << r.All();
}

// "A non-transactional migration records its progress statement by statement (count and a
// hash of the applied prefix); if it fails midway it is recorded as failed with the
// statements completed, blocks migrate, and migrate --resume continues at the failed
// statement once it has checked that the applied prefix is unchanged (or repair after a manual
// clean-up)."
TEST_P(FailureTest, FailedNonTransactionalMigrationBlocksThenResumes) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  const std::string head =
      "-- strata:transaction off\nCREATE TABLE nt_a (a integer);\n"
      "INSERT INTO nt_a VALUES (1);\n";
  p.Write("V2__notx.sql", head +
                              "INSERT INTO no_such_table VALUES (1);\n"
                              "CREATE TABLE nt_b (a integer);\n");
  p.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_NE(r.err.find("V2__notx.sql:4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--resume"), std::string::npos) << r.err;
  // Statements 1..2 ran and are recorded; the row is failed.
  EXPECT_EQ(p.Count("nt_a"), 1);
  EXPECT_FALSE(p.TableExists("nt_b"));
  EXPECT_EQ(p.Scalar("SELECT statements_done FROM strata_schema_history WHERE version = '2'"), "2");
  EXPECT_EQ(p.Count(std::string("strata_schema_history WHERE version = '2' AND success = ") +
                    (pg() ? "false" : "0")),
            1);
  auto info = p.Json({"info"});
  EXPECT_EQ(info["migrations"][1]["state"], "failed") << info.dump(2);
  // migrate (without --resume) and validate refuse, pointing at --resume.
  for (const std::string verb : {"migrate", "validate"}) {
    r = p.Run({verb});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.All().find("after 2 statement(s) ran"), std::string::npos) << r.All();
    EXPECT_NE(r.All().find("strata migrate --resume"), std::string::npos) << r.All();
  }
  EXPECT_FALSE(p.TableExists("three"));
  // Editing the applied prefix is refused by --resume.
  p.Write("V2__notx.sql",
          "-- strata:transaction off\nCREATE TABLE nt_a (a bigint);\n"
          "INSERT INTO nt_a VALUES (1);\nCREATE TABLE nt_b (a integer);\n");
  p.Hash();
  r = p.Run({"migrate", "--resume"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("cannot resume"), std::string::npos) << r.err;
  EXPECT_EQ(p.Count("nt_a"), 1);
  // Fixing only the failed statement: --resume runs statements 3.. and the rest of the run.
  p.Write("V2__notx.sql", head + "CREATE TABLE nt_b (a integer);\n");
  p.Hash();
  r = p.Run({"--json", "migrate", "--resume"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("nt_a"), 1) << "statements 1..2 ran once";
  EXPECT_TRUE(p.TableExists("nt_b"));
  EXPECT_TRUE(p.TableExists("three"));
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  info = p.Json({"info"});
  for (const auto& m : info["migrations"]) EXPECT_EQ(m["state"], "applied") << m.dump();
}

// "... (or repair after a manual clean-up)": the failed row is cleared by a recorded REPAIR
// row and the file then runs from its first statement.
TEST_P(FailureTest, FailedNonTransactionalMigrationRepairedAfterCleanUp) {
  Project p(GetParam());
  p.Write("V1__notx.sql",
          "-- strata:transaction off\nCREATE TABLE nt_a (a integer);\n"
          "INSERT INTO no_such_table VALUES (1);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitMigrationFailed);
  p.Exec("DROP TABLE nt_a");
  p.Write("V1__notx.sql",
          "-- strata:transaction off\nCREATE TABLE nt_a (a integer);\n"
          "CREATE TABLE nt_b (a integer);\n");
  p.Hash();
  auto r = p.Run({"repair", "--reason", "dropped nt_a by hand"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("cleared failed V1__notx.sql"), std::string::npos) << r.out;
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'REPAIR'"), 1);
  r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("nt_b"));
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

// A failed non-transactional repeatable migration is not a dead end: repair clears it (and it
// runs again from the start), or --resume continues it.
TEST_P(FailureTest, FailedNonTransactionalRepeatableIsRepairedOrResumed) {
  // The DROP TABLE of the refresh script would stop at the lint gate (BC105); this test is
  // about what the engine does when a statement fails in the database.
  Project p(GetParam(), "[migrate]\nlint_gate = false\n");
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("R__refresh.sql",
          "-- strata:transaction off\nCREATE TABLE r_a (a integer);\n"
          "INSERT INTO no_such_table VALUES (1);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  auto info = p.Json({"info"});
  EXPECT_EQ(info["migrations"][1]["state"], "failed") << info.dump(2);
  EXPECT_EQ(p.Run({"migrate"}).exit_code, kExitValidation);
  // Resume: fix the failed statement, keep the applied one.
  p.Write("R__refresh.sql",
          "-- strata:transaction off\nCREATE TABLE r_a (a integer);\n"
          "CREATE TABLE r_b (a integer);\n");
  p.Hash();
  r = p.Run({"migrate", "--resume"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("r_b"));
  info = p.Json({"info"});
  EXPECT_EQ(info["migrations"][1]["state"], "applied") << info.dump(2);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
  // Repair: it fails again after a change; the operator cleans up and clears the failed row.
  p.Write("R__refresh.sql",
          "-- strata:transaction off\nDROP TABLE r_b;\n"
          "INSERT INTO no_such_table VALUES (2);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitMigrationFailed);
  p.Write("R__refresh.sql",
          "-- strata:transaction off\nDROP TABLE IF EXISTS r_b;\n"
          "CREATE TABLE r_c (a integer);\n");
  p.Hash();
  r = p.Run({"repair", "--reason", "fixed the refresh script"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("cleared failed R__refresh.sql"), std::string::npos) << r.out;
  r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("r_c"));
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

// "repair: removes failed rows" — `--failed <version>` clears only that one.
TEST_P(FailureTest, RepairFailedClearsOnlyTheNamedVersion) {
  Project p(GetParam(), "[migrate]\nout_of_order = true\n");
  p.Write("V1__a.sql",
          "-- strata:transaction off\nCREATE TABLE a (x integer);\n"
          "INSERT INTO nope VALUES (1);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitMigrationFailed);
  p.Exec("DROP TABLE a");
  p.Write("V1__a.sql", "-- strata:transaction off\nCREATE TABLE a (x integer);\n");
  p.Hash();
  auto r = p.Run({"repair", "--failed", "2", "--reason", "wrong version"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'REPAIR'"), 0);
  EXPECT_EQ(p.Run({"migrate"}).exit_code, kExitValidation);
  r = p.Run({"repair", "--failed", "1", "--reason", "dropped a by hand"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'REPAIR'"), 1);
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("a"));
}

// --- PostgreSQL: the connection terminated mid-run -----------------------------------------

// Finds the runner's backend (application_name 'strata migrate ...') and terminates it.
void TerminateRunner(const Project& p) {
  ASSERT_TRUE(Eventually(
      [&] {
        return PgCluster::Query(p.url(),
                                "SELECT count(*) FROM pg_stat_activity WHERE application_name "
                                "LIKE 'strata migrate%' AND state = 'active' AND query LIKE "
                                "'%pg_sleep%'") == "1";
      },
      std::chrono::seconds(60)));
  EXPECT_EQ(PgCluster::Query(p.url(),
                             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE application_name LIKE 'strata migrate%'"),
            "1");
}

// Runs strata, terminates its backend once it sleeps, and waits (bounded: a runner that does
// not notice the lost connection is killed and reported as exit -1). `err` holds its output.
RunResult RunAndTerminate(const Project& p, const std::vector<std::string>& args) {
  std::string log = p.dir() / "terminated.log";
  int pid = p.Spawn(args, log);
  TerminateRunner(p);
  RunResult r;
  r.exit_code = WaitExitFor(pid, std::chrono::seconds(60));
  r.err = Slurp(log);
  return r;
}

// "The connection terminated mid-run (pg_terminate_backend): clear error, state consistent,
// rerun succeeds." Transactional migration.
TEST(FailurePostgres, TerminatedConnectionInTransactionalMigration) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres, SlowToml(Db::kPostgres, true));
  p.Write("V1__base.sql", "CREATE TABLE base (a integer);\n");
  p.Write("V2__long.sql", "CREATE TABLE half (a integer);\n" +
                              InsertRows(Db::kPostgres, "half", 100) +
                              SlowStatement(Db::kPostgres));
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);
  RunResult r = RunAndTerminate(p, {"migrate"});
  EXPECT_EQ(r.exit_code, kExitConnection) << r.All();
  EXPECT_NE(r.err.find("V2__long.sql"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("connection"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("57P01"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing of it remains"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("half"));
  EXPECT_EQ(p.LedgerRows(), 1);
  EXPECT_EQ(p.Run({"validate", "--ignore", "pending"}).exit_code, 0);
  p.WriteToml(SlowToml(Db::kPostgres, false));
  auto again = p.Run({"migrate"});
  ASSERT_EQ(again.exit_code, 0) << again.All();
  EXPECT_EQ(p.Count("half"), 100);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

// Same for a non-transactional migration: the failed row records the statements done,
// `migrate` refuses with the --resume hint, `migrate --resume` finishes it.
TEST(FailurePostgres, TerminatedConnectionInNonTransactionalMigrationResumes) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres, SlowToml(Db::kPostgres, true));
  p.Write("V1__base.sql", "CREATE TABLE base (a integer);\n");
  p.Write("V2__notx.sql",
          "-- strata:transaction off\n"
          "CREATE TABLE nt_a (a integer);\n"
          "CREATE INDEX CONCURRENTLY nt_a_a ON nt_a (a);\n" +
              SlowStatement(Db::kPostgres) + "CREATE TABLE nt_b (a integer);\n");
  p.Write("V3__after.sql", "CREATE TABLE after_notx (a integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);
  RunResult r = RunAndTerminate(p, {"migrate"});
  EXPECT_EQ(r.exit_code, kExitConnection) << r.All();
  EXPECT_NE(r.err.find("V2__notx.sql:4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("connection"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--resume"), std::string::npos) << r.err;
  EXPECT_EQ(p.Scalar("SELECT statements_done FROM strata_schema_history WHERE version = '2'"), "2");
  EXPECT_EQ(p.Scalar("SELECT success FROM strata_schema_history WHERE version = '2'"), "f");
  EXPECT_TRUE(p.TableExists("nt_a"));
  EXPECT_FALSE(p.TableExists("nt_b"));
  auto m = p.Run({"migrate"});
  EXPECT_EQ(m.exit_code, kExitValidation) << m.All();
  EXPECT_NE(m.err.find("strata migrate --resume"), std::string::npos) << m.err;
  EXPECT_EQ(p.Run({"validate"}).exit_code, kExitValidation);
  p.WriteToml(SlowToml(Db::kPostgres, false));
  auto resumed = p.Run({"--json", "migrate", "--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.All();
  auto j = json::parse(resumed.out);
  ASSERT_EQ(j["applied"].size(), 2u) << resumed.out;
  EXPECT_EQ(j["applied"][0]["script"], "V2__notx.sql");
  EXPECT_TRUE(p.TableExists("nt_b"));
  EXPECT_TRUE(p.TableExists("after_notx"));
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'nt_a_a'"), "1");
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
}

INSTANTIATE_TEST_SUITE_P(Dialects, FailureTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
