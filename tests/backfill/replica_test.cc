// max_replica_lag on PostgreSQL against a real streaming replica that this test starts on
// loopback (pg_basebackup -R from the private cluster, then pg_ctl start). Replay is paused on
// the replica so its lag grows; the job must stop making progress while the lag is above the
// limit and finish once replay resumes. Measured both ways: pg_stat_replication on the primary,
// and a configured replica_url.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "backfill_support.h"

namespace strata::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

// A hot standby of the shared cluster; stopped by its destructor, or by a watchdog process if
// the test binary dies first.
class Replica {
 public:
  Replica() {
    char tmpl[] = "/tmp/strata-replica-XXXXXX";
    dir_ = mkdtemp(tmpl);
    if (geteuid() == 0) std::system(fmt::format("chown postgres:postgres {}", dir_).c_str());
    auto& primary = PgCluster::Get();
    int rc = RunAsPostgres(fmt::format(
        "{}/pg_basebackup -h 127.0.0.1 -p {} -U postgres -D {}/data -R -X stream --no-sync "
        "> {}/basebackup.log 2>&1",
        kBin, primary.port(), dir_, dir_));
    if (rc != 0) {
      ADD_FAILURE() << "pg_basebackup failed: " << Slurp(dir_ + "/basebackup.log");
      return;
    }
    port_ = FreePort();
    std::string opts = fmt::format(
        "-p {} -k {} -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=200 "
        "-c wal_receiver_status_interval=1s -c fsync=off",
        port_, dir_);
    rc =
        RunAsPostgres(fmt::format("{}/pg_ctl -D {}/data -l {}/server.log -w -t 60 -o \"{}\" "
                                  "start > /dev/null 2>&1",
                                  kBin, dir_, dir_, opts));
    if (rc != 0) {
      ADD_FAILURE() << "replica start failed: " << Slurp(dir_ + "/server.log");
      return;
    }
    started_ = true;
    int fds[2];
    if (pipe(fds) == 0) {
      pid_t pid = fork();
      if (pid == 0) {
        close(fds[1]);
        setsid();
        char b;
        while (read(fds[0], &b, 1) > 0) {
        }
        RunAsPostgres(
            fmt::format("{}/pg_ctl -D {}/data -m immediate stop > /dev/null 2>&1", kBin, dir_));
        std::filesystem::remove_all(dir_);
        _exit(0);
      }
      close(fds[0]);
      watchdog_pid_ = pid;
      watchdog_fd_ = fds[1];
    }
  }
  ~Replica() {
    if (started_) {
      RunAsPostgres(fmt::format("{}/pg_ctl -D {}/data -m fast stop > /dev/null 2>&1", kBin, dir_));
    }
    if (watchdog_fd_ >= 0) close(watchdog_fd_);
    if (watchdog_pid_ > 0) waitpid(watchdog_pid_, nullptr, 0);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool started() const { return started_; }
  std::string Url(const std::string& dbname) const {
    return fmt::format("postgres://postgres@127.0.0.1:{}/{}", port_, dbname);
  }

 private:
  std::string dir_;
  int port_ = 0;
  bool started_ = false;
  int watchdog_pid_ = -1, watchdog_fd_ = -1;
};

void LagGatesTheJob(const std::string& extra_throttle, const std::string& table) {
  static Replica* replica = nullptr;
  if (!replica) replica = new Replica();  // shared by both tests; stopped at exit below
  static struct Stopper {
    ~Stopper() { delete replica; }
  } stopper;
  ASSERT_TRUE(replica->started());
  TempDir dir;
  BackfillDb db(true, dir);
  std::string dbname = db.url().substr(db.url().rfind('/') + 1);
  WriteProject(dir, db.url());
  // The replica has the database once it has replayed its creation.
  std::string rurl = replica->Url(dbname);
  ASSERT_TRUE(WaitFor([&] {
    return PgCluster::Query(PgCluster::Get().AdminUrl(),
                            "SELECT count(*) FROM pg_stat_replication WHERE state = "
                            "'streaming'") == "1";
  }));
  db.CreateItems(20'000, table);
  ASSERT_TRUE(WaitFor([&] {
    return PgCluster::Query(
               replica->Url("postgres"),
               fmt::format("SELECT count(*) FROM pg_database WHERE datname = '{}'", dbname)) == "1";
  }));
  PgCluster::Query(replica->Url("postgres"), "SELECT pg_wal_replay_pause()");

  std::string throttle = "[throttle]\nmax_replica_lag = \"1s\"\nmax_rows_per_second = 5000\n";
  if (!extra_throttle.empty()) throttle += extra_throttle + "\n";
  if (auto at = throttle.find("@REPLICA@"); at != std::string::npos) throttle.replace(at, 9, rurl);
  dir.Write("db/backfill/lag.toml", ItemJob("[chunk]\nsize = 250\n" + throttle, table));
  std::string log = dir / "lag.log";
  int pid = SpawnStrata(
      {"--url", db.url(), "--log-json", "backfill", "run", "lag", "--progress-interval", "0"},
      dir.path(), log);
  bool gated = WaitFor([&] { return Slurp(log).find("\"replica_lag\"") != std::string::npos; }, 90);
  if (!gated) {
    PgCluster::Query(replica->Url("postgres"), "SELECT pg_wal_replay_resume()");
    WaitExit(pid);
    FAIL() << "never throttled on replica lag:\n" << Slurp(log);
  }
  // While the replica is behind, the job makes no progress at all.
  long long p1 = db.N("SELECT processed_count FROM strata_backfill_job");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(db.N("SELECT processed_count FROM strata_backfill_job"), p1);
  EXPECT_LT(p1, 20'000);
  for (const auto& e : Events(Slurp(log))) {
    if (e["event"] == "backfill.throttle" && e["reason"] == "replica_lag") {
      EXPECT_GT(e["value_ms"].get<long long>(), 1000) << e.dump();
    }
  }
  PgCluster::Query(replica->Url("postgres"), "SELECT pg_wal_replay_resume()");
  EXPECT_EQ(WaitExit(pid), 0) << Slurp(log);
  EXPECT_EQ(db.N("SELECT processed_count FROM strata_backfill_job"), 20'000);
  EXPECT_EQ(db.Q("SELECT status FROM strata_backfill_job"), "completed");
}

TEST(ReplicaLagTest, PgStatReplicationOnThePrimary) {
  STRATA_REQUIRE_POSTGRES();
  LagGatesTheJob("", "item");
}

TEST(ReplicaLagTest, ConfiguredReplicaUrl) {
  STRATA_REQUIRE_POSTGRES();
  // The job names the replica; @REPLICA@ becomes its URL for the test's database.
  LagGatesTheJob("replica_url = \"@REPLICA@\"", "item");
}

}  // namespace
}  // namespace strata::testing
