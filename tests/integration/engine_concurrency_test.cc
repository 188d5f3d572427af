// Issue 2, "Concurrency": one runner at a time per database (advisory lock / flock, polled,
// never an open transaction), waiting runners name the holder, lock_timeout with bounded,
// recorded retries so a migration never stalls traffic behind its lock request. Real
// processes against a real PostgreSQL database and a real SQLite file.
#include "db/postgres/pg_connection.h"

#include <fmt/format.h>
#include <signal.h>

#include <atomic>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class ConcurrencyTest : public EngineTest {};

constexpr int kRunners = 20;

// Writes a migration set in which every file logs itself once into applied_log; `with_cic`
// adds a non-transactional CREATE INDEX CONCURRENTLY (a plain CREATE INDEX on SQLite).
int WriteLoggedSet(const Project& p, bool with_cic) {
  auto log = [](const std::string& who) {
    return "INSERT INTO applied_log (script) VALUES ('" + who + "');\n";
  };
  int n = 0;
  p.Write("V1__init.sql",
          "CREATE TABLE applied_log (script text NOT NULL);\n"
          "CREATE TABLE items (id integer PRIMARY KEY, a integer);\n" +
              log("V1"));
  ++n;
  for (int v = 2; v <= 8; ++v) {
    std::string t = "t" + std::to_string(v);
    p.Write("V" + std::to_string(v) + "__step_" + std::to_string(v) + ".sql",
            "CREATE TABLE " + t + " (a integer);\nINSERT INTO " + t + " VALUES (" +
                std::to_string(v) + ");\nINSERT INTO items (id, a) VALUES (" + std::to_string(v) +
                ", " + std::to_string(v) + ");\n" + log("V" + std::to_string(v)));
    ++n;
  }
  if (with_cic) {
    p.Write("V5.5__index_items.sql",
            std::string("-- strata:transaction off\n") +
                (p.pg() ? "CREATE INDEX CONCURRENTLY items_a ON items (a);\n"
                        : "CREATE INDEX items_a ON items (a);\n") +
                log("V5.5"));
    ++n;
  }
  p.Write("R__items_view.sql",
          "DROP VIEW IF EXISTS items_view;\n"
          "CREATE VIEW items_view AS SELECT id, a FROM items;\n" +
              log("R"));
  ++n;
  return n;
}

// Starts kRunners `strata --json migrate` processes at once and waits (bounded) for all.
// Returns their exit codes; -1 for one that had to be killed at the deadline (a hang).
std::vector<int> RunTogether(const Project& p, std::vector<std::string>* logs) {
  std::vector<int> pids;
  for (int i = 0; i < kRunners; ++i) {
    logs->push_back(p.dir() / ("runner" + std::to_string(i) + ".log"));
    pids.push_back(p.Spawn({"--json", "--lock-wait", "150s", "migrate"}, logs->back()));
  }
  std::vector<int> codes;
  auto deadline = NowMs() + 180'000;
  for (int pid : pids) {
    auto left = std::max<std::int64_t>(1000, deadline - NowMs());
    codes.push_back(WaitExitFor(pid, std::chrono::milliseconds(left)));
  }
  return codes;
}

void ExpectAppliedExactlyOnce(const Project& p, int files, const std::vector<int>& codes,
                              const std::vector<std::string>& logs) {
  size_t applied_total = 0;
  for (size_t i = 0; i < codes.size(); ++i) {
    std::string out = Slurp(logs[i]);
    EXPECT_EQ(codes[i], 0) << "runner " << i << ": " << out;
    auto j = json::parse(out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << out;
    applied_total += j["applied"].size();
  }
  EXPECT_EQ(applied_total, static_cast<size_t>(files)) << "each file applied by one runner";
  EXPECT_EQ(p.Count("applied_log"), files);
  EXPECT_EQ(p.Scalar("SELECT count(DISTINCT script) FROM applied_log"), std::to_string(files));
  EXPECT_EQ(p.LedgerRows(), files);
  EXPECT_EQ(p.Count("strata_schema_history WHERE success = " + std::string(p.pg() ? "true" : "1")),
            files);
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  auto info = p.Json({"info"});
  EXPECT_EQ(info["migrations"].size(), static_cast<size_t>(files));
  for (const auto& m : info["migrations"]) EXPECT_EQ(m["state"], "applied") << m.dump();
}

// "20 strata migrate processes started together on one PostgreSQL database and on one SQLite
// file: every migration applied exactly once, all 20 exit 0, ledger chain valid."
TEST_P(ConcurrencyTest, TwentyRunnersApplyEachMigrationExactlyOnce) {
  Project p(GetParam());
  int files = WriteLoggedSet(p, /*with_cic=*/false);
  p.Hash();
  std::vector<std::string> logs;
  auto codes = RunTogether(p, &logs);
  ExpectAppliedExactlyOnce(p, files, codes, logs);
}

// "The same with a CREATE INDEX CONCURRENTLY migration in the set: no hang."
TEST_P(ConcurrencyTest, TwentyRunnersWithConcurrentIndexDoNotHang) {
  Project p(GetParam());
  int files = WriteLoggedSet(p, /*with_cic=*/true);
  p.Hash();
  std::vector<std::string> logs;
  auto start = NowMs();
  auto codes = RunTogether(p, &logs);
  ExpectAppliedExactlyOnce(p, files, codes, logs);
  RecordProperty("twenty_runners_cic_ms", static_cast<int>(NowMs() - start));
  if (p.pg()) {
    EXPECT_EQ(p.Scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_a'::regclass"),
              "t");
  }
}

// "Others wait up to --lock-wait (default 60s) and then exit with a clear message naming the
// holder when the database can tell it (PostgreSQL: pid, application_name, since when)."
// The holder here is a real strata runner busy in a slow migration.
TEST_P(ConcurrencyTest, LockWaitTimeoutNamesTheRunnerHoldingTheLock) {
  std::string spin = pg() ? "SELECT pg_sleep(600);\n"
                          : "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                            "SELECT x + 1 FROM c WHERE x < 2000000000) SELECT x FROM c);\n";
  Project p(GetParam());
  p.Write("V1__slow.sql", "CREATE TABLE slow (a integer);\n" + spin);
  p.Hash();
  std::string log = p.dir() / "holder.log";
  int holder = p.Spawn({"--log-json", "migrate"}, log);
  ASSERT_TRUE(Eventually([&] { return Slurp(log).find("migration_started") != std::string::npos; },
                         std::chrono::seconds(60)))
      << Slurp(log);
  auto start = NowMs();
  auto r = p.Run({"--lock-wait", "1500ms", "--log-json", "migrate"});
  auto waited = NowMs() - start;
  EXPECT_EQ(r.exit_code, kExitLockTimeout) << r.All();
  EXPECT_GE(waited, 1400) << "polled for the whole --lock-wait";
  EXPECT_NE(r.err.find("lock-timeout"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("holds the migration lock"), std::string::npos) << r.err;
  // PostgreSQL names the holder's backend pid and application_name, which carries the
  // runner's own pid; SQLite's lock file records the runner's pid.
  std::string who = pg() ? "strata migrate pid " + std::to_string(holder) + " "
                         : "pid " + std::to_string(holder) + " ";
  EXPECT_NE(r.err.find(who), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("since"), std::string::npos) << r.err;
  // The --log-json event names the holder under its documented field (docs/json.md: `message`).
  int waiting = 0;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    auto e = json::parse(line, nullptr, false);
    if (e.is_discarded() || e.value("event", "") != "lock_waiting") continue;
    ++waiting;
    EXPECT_NE(e.value("message", "").find(who), std::string::npos) << line;
    EXPECT_FALSE(e.contains("script")) << "the lock belongs to no migration: " << line;
  }
  EXPECT_EQ(waiting, 1) << "--log-json event: " << r.err;
  // JSON twin of the error.
  auto j = p.Json({"--lock-wait", "200ms", "migrate"});
  EXPECT_EQ(j["error"]["code"], "lock-timeout") << j.dump(2);
  EXPECT_EQ(j["error"]["exit_code"], kExitLockTimeout);
  EXPECT_NE(j["error"]["message"].get<std::string>().find(who), std::string::npos) << j.dump(2);
  kill(holder, SIGKILL);
  EXPECT_EQ(WaitExitFor(holder, std::chrono::seconds(10)), 128 + SIGKILL);
}

// PostgreSQL: the lock is a session advisory lock on a known key; a session holding it (here:
// the test, under its own application_name) is named by pid and application_name.
TEST(ConcurrencyPostgres, LockWaitTimeoutNamesAdvisoryLockHolder) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Hash();
  auto holder = p.Connect("ops-console-holding-lock");
  ASSERT_TRUE(holder);
  std::string key = std::to_string(db::AdvisoryKey("strata_schema_history"));
  ASSERT_TRUE(holder->Exec("SELECT pg_advisory_lock(" + key + ")").ok());
  auto pid = holder->Query("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok());
  std::string holder_pid = *pid->rows[0][0];
  auto r = p.Run({"--lock-wait", "1s", "migrate"});
  EXPECT_EQ(r.exit_code, kExitLockTimeout) << r.All();
  EXPECT_NE(r.err.find("pid " + holder_pid + " "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ops-console-holding-lock"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("one"));
  // Read-only verbs do not need the lock.
  EXPECT_EQ(p.Run({"info"}).exit_code, 0);
  // Released: the next run proceeds.
  ASSERT_TRUE(holder->Exec("SELECT pg_advisory_unlock(" + key + ")").ok());
  r = p.Run({"--lock-wait", "1s", "migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("one"));
  // The runner leaves no lock behind and no session idle in a transaction.
  EXPECT_EQ(PgCluster::Query(p.url(),
                             "SELECT count(*) FROM pg_locks WHERE locktype = "
                             "'advisory'"),
            "0");
}

// "Default lock_timeout for migration statements (configurable) with automatic retry of a
// transactional migration on lock timeout (SQLSTATE 55P03), jittered backoff, bounded
// attempts, each attempt recorded." and "a long-running query holds a lock on a table a
// migration alters: the migration times out, retries, and succeeds once the query ends; other
// sessions' queries are not blocked for longer than the lock_timeout."
TEST(ConcurrencyPostgres, MigrationBehindLongQueryRetriesWithoutStallingTraffic) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres, "[migrate]\nlock_timeout = \"200ms\"\nlock_retries = 10\n");
  p.Write("V1__hot.sql",
          "CREATE TABLE hot (id integer PRIMARY KEY);\n"
          "INSERT INTO hot VALUES (1), (2), (3);\n");
  p.Write("V2__alter_hot.sql", "ALTER TABLE hot ADD COLUMN flag boolean NOT NULL DEFAULT false;\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);

  // The long-running query: an open transaction that has read `hot` (ACCESS SHARE).
  auto blocker = p.Connect("long-report");
  ASSERT_TRUE(blocker);
  ASSERT_TRUE(blocker->Exec("BEGIN").ok());
  ASSERT_TRUE(blocker->Exec("SELECT count(*) FROM hot").ok());
  const std::int64_t hold_ms = 6000;

  // The third session: application traffic on `hot`, timed query by query.
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> worst_ms{0};
  std::atomic<int> queries{0};
  std::thread traffic([&] {
    auto conn = p.Connect("app-traffic");
    if (!conn) return;
    while (!stop) {
      auto t0 = NowMs();
      auto r = conn->Query("SELECT count(*) FROM hot");
      auto dt = NowMs() - t0;
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (dt > worst_ms) worst_ms = dt;
      ++queries;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  RunResult r;
  auto start = NowMs();
  std::thread runner([&] { r = p.Run({"--json", "--log-json", "migrate"}); });
  // The migration is queued behind the blocker at least once before it lets go.
  EXPECT_TRUE(Eventually(
      [&] {
        return PgCluster::Query(p.url(),
                                "SELECT count(*) FROM pg_stat_activity WHERE "
                                "application_name LIKE 'strata migrate%' AND "
                                "wait_event_type = 'Lock'") == "1";
      },
      std::chrono::seconds(30)));
  std::this_thread::sleep_for(
      std::chrono::milliseconds(hold_ms - (NowMs() - start) > 0 ? hold_ms - (NowMs() - start) : 0));
  ASSERT_TRUE(blocker->Exec("COMMIT").ok());
  auto released = NowMs();
  runner.join();
  stop = true;
  traffic.join();

  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  ASSERT_EQ(j["applied"].size(), 1u) << r.out;
  int attempts = j["applied"][0]["attempts"];
  EXPECT_GE(attempts, 2) << r.All();
  // Every failed attempt is an event naming the lock timeout.
  int retries = 0;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    auto e = json::parse(line, nullptr, false);
    if (e.is_discarded() || e["event"] != "retry") continue;
    ++retries;
    EXPECT_EQ(e["script"], "V2__alter_hot.sql");
    EXPECT_NE(e["message"].get<std::string>().find("lock timeout"), std::string::npos) << line;
    EXPECT_GT(e["elapsed_ms"].get<int>(), 0) << "backoff recorded: " << line;
  }
  EXPECT_EQ(retries, attempts - 1) << r.err;
  // ... and the ledger row itself says how many attempts it took (hash-chained, so it stays).
  EXPECT_NE(p.Scalar("SELECT reason FROM strata_schema_history WHERE script = "
                     "'V2__alter_hot.sql'")
                .find(fmt::format("applied on attempt {} after {} lock timeout(s)", attempts,
                                  attempts - 1)),
            std::string::npos);
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'hot' "
                     "AND column_name = 'flag'"),
            "1");
  EXPECT_LT(NowMs() - released, 30'000) << "succeeded soon after the blocker ended";
  // The traffic was never stuck behind the queued ALTER for the blocker's lifetime: each
  // query waited at most about lock_timeout (200 ms); allow a wide margin for a loaded
  // machine, still well under half the blocker's 6 s.
  EXPECT_GT(queries.load(), 10);
  EXPECT_LT(worst_ms.load(), hold_ms / 2) << "a query was blocked behind the migration";
  RecordProperty("worst_traffic_ms", static_cast<int>(worst_ms.load()));
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

// Bounded attempts: when the blocker never ends, the run fails with a lock-timeout error after
// 1 + lock_retries attempts and nothing of the migration remains.
TEST(ConcurrencyPostgres, LockTimeoutRetriesAreBounded) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres, "[migrate]\nlock_timeout = \"100ms\"\nlock_retries = 2\n");
  p.Write("V1__hot.sql", "CREATE TABLE hot (id integer PRIMARY KEY);\n");
  p.Write("V2__alter_hot.sql",
          "CREATE TABLE side (a integer);\n"
          "ALTER TABLE hot ADD COLUMN flag boolean;\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);
  auto blocker = p.Connect("forever-report");
  ASSERT_TRUE(blocker->Exec("BEGIN").ok());
  ASSERT_TRUE(blocker->Exec("SELECT count(*) FROM hot").ok());
  auto r = p.Run({"--log-json", "migrate"});
  EXPECT_EQ(r.exit_code, kExitLockTimeout) << r.All();
  EXPECT_NE(r.err.find("55P03"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("V2__alter_hot.sql:2"), std::string::npos) << r.err;
  size_t retries = 0;
  for (size_t pos = 0; (pos = r.err.find("\"event\":\"retry\"", pos)) != std::string::npos; ++pos) {
    ++retries;
  }
  EXPECT_EQ(retries, 2u) << r.err;
  ASSERT_TRUE(blocker->Exec("ROLLBACK").ok());
  EXPECT_FALSE(p.TableExists("side"));
  EXPECT_EQ(p.LedgerRows(), 1);
  // A per-file directive overrides the configured lock_timeout.
  p.Write("V2__alter_hot.sql",
          "-- strata:lock-timeout 30s\nCREATE TABLE side (a integer);\n"
          "ALTER TABLE hot ADD COLUMN flag boolean;\n");
  p.Hash();
  auto dry = p.Run({"migrate", "--dry-run"});
  EXPECT_NE(dry.out.find("SET LOCAL lock_timeout = '30000ms'"), std::string::npos) << dry.out;
  EXPECT_EQ(p.Run({"migrate"}).exit_code, 0);
}

// "-- strata:statement-timeout <dur>": a statement over the limit fails (SQLSTATE 57014) and,
// not being a lock timeout, is not retried; nothing of the migration remains.
TEST(ConcurrencyPostgres, StatementTimeoutDirectiveFailsWithoutRetry) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__slow.sql",
          "-- strata:statement-timeout 300ms\nCREATE TABLE slow (a integer);\n"
          "SELECT pg_sleep(30);\n");
  p.Hash();
  auto start = NowMs();
  auto r = p.Run({"--log-json", "migrate"});
  EXPECT_LT(NowMs() - start, 20'000);
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_NE(r.err.find("57014"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("V1__slow.sql:3"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("\"retry\""), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("slow"));
}

INSTANTIATE_TEST_SUITE_P(Dialects, ConcurrencyTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
