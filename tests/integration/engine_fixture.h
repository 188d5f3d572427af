// Shared plumbing of the engine integration tests: a throwaway strata project (strata.toml +
// db/migration in a TempDir) bound to a fresh real database — a SQLite file or a database in
// the test binary's private PostgreSQL cluster — plus helpers to run the strata binary against
// it, query the database directly, and wait for spawned runners with a deadline.
// Not thread-safe: one Project per test; RunStrata itself may be called from several threads.
#pragma once

#include "db/connection.h"
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace strata::testing {

enum class Db { kSqlite, kPostgres };

inline std::string DbName(const ::testing::TestParamInfo<Db>& info) {
  return info.param == Db::kSqlite ? "Sqlite" : "Postgres";
}

// Exit codes from include/strata/error_codes.def.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitValidation = 3;
inline constexpr int kExitMigrationFailed = 4;
inline constexpr int kExitLockTimeout = 5;
inline constexpr int kExitConnection = 6;

inline std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for `pid` up to `timeout`; returns its exit code (128+signal), or -1 after killing it
// with SIGKILL when the deadline passed.
inline int WaitExitFor(int pid, std::chrono::milliseconds timeout) {
  auto deadline = NowMs() + timeout.count();
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (NowMs() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Polls `cond` every 50 ms until it holds or `timeout` passes; returns whether it held.
template <typename F>
bool Eventually(F cond, std::chrono::milliseconds timeout) {
  auto deadline = NowMs() + timeout.count();
  while (NowMs() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

class Project {
 public:
  // A project with `toml` as strata.toml (the [migrate] table and others; no url: every run
  // passes --url) and a fresh database of the given dialect.
  explicit Project(Db db, const std::string& toml = "") : db_(db) {
    if (db == Db::kSqlite) {
      url_ = "sqlite:" + dir_ / "test.db";
    } else {
      url_ = PgCluster::Get().CreateDatabase("strata");
    }
    WriteToml(toml);
    std::filesystem::create_directories(dir_ / "db/migration");
  }

  Db db() const { return db_; }
  bool pg() const { return db_ == Db::kPostgres; }
  const std::string& url() const { return url_; }
  const TempDir& dir() const { return dir_; }
  std::string MigrationPath(const std::string& name) const {
    return dir_ / ("db/migration/" + name);
  }

  void WriteToml(const std::string& toml) const {
    dir_.Write("strata.toml", "locations = [\"db/migration\"]\n" + toml);
  }
  // Writes a migration file (bytes as given) into db/migration.
  std::string Write(const std::string& name, const std::string& content) const {
    return dir_.Write("db/migration/" + name, content);
  }
  void Remove(const std::string& name) const { std::filesystem::remove(MigrationPath(name)); }

  // Runs `strata --url <url> <args...>` in the project directory.
  RunResult Run(std::vector<std::string> args,
                const std::map<std::string, std::string>& env = {}) const {
    args.insert(args.begin(), {"--url", url_});
    return RunStrata(args, dir_.path(), env);
  }
  // Starts `strata --url <url> <args...>` without waiting; output goes to `log`.
  int Spawn(std::vector<std::string> args, const std::string& log) const {
    args.insert(args.begin(), {"--url", url_});
    return SpawnStrata(args, dir_.path(), log);
  }
  // `strata hash`, asserting success.
  void Hash() const {
    auto r = Run({"hash"});
    ASSERT_EQ(r.exit_code, 0) << r.All();
  }
  // `strata --json <args>` parsed.
  nlohmann::json Json(std::vector<std::string> args) const {
    args.insert(args.begin(), "--json");
    auto r = Run(args);
    auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.All();
    return j;
  }

  // A direct connection to the test database (not through the strata binary).
  std::unique_ptr<db::Connection> Connect(const std::string& app = "strata-test") const {
    auto u = db::ParseUrl(url_);
    EXPECT_TRUE(u.ok());
    auto c = db::Connect(*u, app);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c ? std::move(*c) : nullptr;
  }
  // Runs SQL and returns the first column of the first row ("" when none); fails the test on
  // error.
  std::string Scalar(const std::string& sql) const {
    auto c = Connect();
    if (!c) return "";
    auto r = c->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    if (!r || r->rows.empty() || r->rows[0].empty() || !r->rows[0][0]) return "";
    return *r->rows[0][0];
  }
  void Exec(const std::string& sql) const {
    auto c = Connect();
    if (!c) return;
    auto s = c->Exec(sql);
    EXPECT_TRUE(s.ok()) << sql << ": " << s.ToString();
  }
  bool TableExists(const std::string& name) const {
    auto c = Connect();
    if (!c) return false;
    auto r = c->TableExists("", name);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r && *r;
  }
  int Count(const std::string& from_where) const {
    return std::stoi(Scalar("SELECT count(*) FROM " + from_where));
  }
  int LedgerRows() const { return Count("strata_schema_history"); }

 private:
  Db db_;
  TempDir dir_;
  std::string url_;
};

// Test fixture parameterised by dialect; skips PostgreSQL when it is not installed.
class EngineTest : public ::testing::TestWithParam<Db> {
 protected:
  void SetUp() override {
    if (GetParam() == Db::kPostgres) STRATA_REQUIRE_POSTGRES();
  }
  bool pg() const { return GetParam() == Db::kPostgres; }
};

}  // namespace strata::testing
