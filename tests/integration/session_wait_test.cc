// Connecting to a database that is still starting (docker-compose, init containers, CI):
// `strata wait` and the start-up retry every verb gets from src/session (--connect-timeout,
// [database] connect_timeout). Each test uses a scratch PostgreSQL 15 cluster of its own that
// the test starts and stops itself (password authentication, a free loopback port), so a
// server can be down when strata starts and come up while it waits; never any other server.
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace strata::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";
constexpr const char* kPassword = "wait-s3cret-pw";

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A cluster created stopped; Start() and Stop() as the test needs. Always stopped at the end.
class ScratchCluster {
 public:
  ScratchCluster() {
    char tmpl[] = "/tmp/strata-wait-XXXXXX";
    dir_ = mkdtemp(tmpl);
    if (geteuid() == 0) std::system(fmt::format("chown postgres:postgres {}", dir_).c_str());
    std::ofstream(dir_ + "/pw") << kPassword << "\n";
    if (geteuid() == 0) std::system(fmt::format("chown postgres:postgres {}/pw", dir_).c_str());
    ok_ = RunAsPostgres(fmt::format("{}/initdb -D {}/data -U postgres --auth-local=trust "
                                    "--auth-host=scram-sha-256 --pwfile={}/pw -E UTF8 --no-sync "
                                    "> {}/initdb.log 2>&1",
                                    kBin, dir_, dir_, dir_)) == 0;
    port_ = FreePort();
  }
  ~ScratchCluster() {
    Stop();
    std::filesystem::remove_all(dir_);
  }
  bool ok() const { return ok_; }
  int port() const { return port_; }
  std::string Url(const std::string& password = kPassword) const {
    return fmt::format("postgres://postgres:{}@127.0.0.1:{}/postgres?sslmode=disable", password,
                       port_);
  }
  bool Start() {
    started_ = true;
    return RunAsPostgres(fmt::format("{}/pg_ctl -D {}/data -l {}/server.log -w -t 60 -o \"-p {} "
                                     "-k {} -c listen_addresses=127.0.0.1 -c fsync=off\" start "
                                     "> /dev/null 2>&1",
                                     kBin, dir_, dir_, port_, dir_)) == 0;
  }
  void Stop() {
    if (!started_) return;
    started_ = false;
    RunAsPostgres(
        fmt::format("{}/pg_ctl -D {}/data -m immediate stop > /dev/null 2>&1", kBin, dir_));
  }

 private:
  std::string dir_;
  int port_ = 0;
  bool ok_ = false;
  bool started_ = false;
};

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

class SessionWait : public ::testing::Test {
 protected:
  void SetUp() override {
    STRATA_REQUIRE_POSTGRES();
    ASSERT_TRUE(cluster_.ok()) << "initdb failed";
    dir_.Write("db/migration/strata.sum", "");  // a project with no migration yet
  }
  ScratchCluster cluster_;
  TempDir dir_;
};

// `strata wait` on the port of a server that is down, started a second later: exit 0 once it
// accepts connections and answers a query.
TEST_F(SessionWait, WaitReturnsOnceAStoppedServerStarts) {
  std::string log = dir_ / "wait.log";
  int pid = SpawnStrata({"--url", cluster_.Url(), "--json", "wait", "--timeout", "60s"},
                        dir_.path(), log);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(cluster_.Start());
  int code = WaitExit(pid);
  std::string out = Slurp(log);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("\"ready\": true"), std::string::npos) << out;
  EXPECT_EQ(out.find(kPassword), std::string::npos) << out;
}

// A port nothing will ever listen on: non-zero (exit 6, connection) soon after the timeout,
// naming the URL with its password redacted.
TEST_F(SessionWait, WaitGivesUpAfterItsTimeoutNamingTheRedactedUrl) {
  auto t = Clock::now();
  auto r = RunStrata({"--url", cluster_.Url(), "wait", "--timeout", "1s"}, dir_.path());
  double took = SecondsSince(t);
  EXPECT_EQ(r.exit_code, 6) << r.All();
  EXPECT_LT(took, 4.0) << r.All();
  EXPECT_GE(took, 0.9) << r.All();
  EXPECT_NE(r.err.find("did not accept connections within 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fmt::format("127.0.0.1:{}/postgres", cluster_.port())), std::string::npos)
      << r.err;
  EXPECT_EQ(r.All().find(kPassword), std::string::npos) << r.All();

  auto j =
      RunStrata({"--url", cluster_.Url(), "--json", "wait", "--timeout", "300ms"}, dir_.path());
  EXPECT_EQ(j.exit_code, 6) << j.All();
  EXPECT_NE(j.out.find("\"ready\": false"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"code\": \"connection\""), std::string::npos) << j.out;
}

// Every verb opens through src/session: one that starts while the server is still down keeps
// trying for --connect-timeout and then runs.
TEST_F(SessionWait, VerbRetriesWhileTheServerStarts) {
  std::string log = dir_ / "info.log";
  int pid =
      SpawnStrata({"--url", cluster_.Url(), "--connect-timeout", "60s", "info"}, dir_.path(), log);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(cluster_.Start());
  int code = WaitExit(pid);
  EXPECT_EQ(code, 0) << Slurp(log);
}

// Without a server and with retrying turned off, a verb fails at once with the connection
// error as it came; with a short --connect-timeout it says how long it tried.
TEST_F(SessionWait, ConnectTimeoutBoundsTheRetry) {
  auto t = Clock::now();
  auto once = RunStrata({"--url", cluster_.Url(), "--connect-timeout", "0s", "info"}, dir_.path());
  EXPECT_EQ(once.exit_code, 6) << once.All();
  EXPECT_LT(SecondsSince(t), 2.0) << once.All();
  EXPECT_EQ(once.err.find("gave up after"), std::string::npos) << once.err;

  t = Clock::now();
  auto tried = RunStrata({"--url", cluster_.Url(), "--connect-timeout", "1s", "info"}, dir_.path());
  double took = SecondsSince(t);
  EXPECT_EQ(tried.exit_code, 6) << tried.All();
  EXPECT_GE(took, 0.9) << tried.All();
  EXPECT_LT(took, 4.0) << tried.All();
  EXPECT_NE(tried.err.find("gave up after"), std::string::npos) << tried.err;
  EXPECT_EQ(tried.All().find(kPassword), std::string::npos) << tried.All();
}

// A wrong password is never retried, however long the timeout: the answer comes at once.
TEST_F(SessionWait, AuthenticationFailureIsNotRetried) {
  ASSERT_TRUE(cluster_.Start());
  auto t = Clock::now();
  auto w =
      RunStrata({"--url", cluster_.Url("wrong-password"), "wait", "--timeout", "30s"}, dir_.path());
  EXPECT_EQ(w.exit_code, 6) << w.All();
  EXPECT_LT(SecondsSince(t), 5.0) << w.All();
  EXPECT_NE(w.err.find("password authentication failed"), std::string::npos) << w.err;

  t = Clock::now();
  auto v = RunStrata({"--url", cluster_.Url("wrong-password"), "--connect-timeout", "30s", "info"},
                     dir_.path());
  EXPECT_EQ(v.exit_code, 6) << v.All();
  EXPECT_LT(SecondsSince(t), 5.0) << v.All();
}

// [database] connect_timeout in strata.toml is the same setting as the flag.
TEST_F(SessionWait, ConnectTimeoutFromStrataToml) {
  dir_.Write("strata.toml", "[database]\nconnect_timeout = \"0s\"\n");
  auto t = Clock::now();
  auto r = RunStrata({"--url", cluster_.Url(), "info"}, dir_.path());
  EXPECT_EQ(r.exit_code, 6) << r.All();
  EXPECT_LT(SecondsSince(t), 2.0) << r.All();
  EXPECT_EQ(r.err.find("gave up after"), std::string::npos) << r.err;

  dir_.Write("strata.toml", "[database]\nconnect_timout = \"1s\"\n");
  auto bad = RunStrata({"--url", cluster_.Url(), "info"}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.All();
  EXPECT_NE(bad.err.find("connect_timeout"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace strata::testing
