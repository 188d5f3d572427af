// A private PostgreSQL 15 cluster for tests: initdb + pg_ctl from Debian's postgresql-15 in a
// temporary directory, listening only on 127.0.0.1 at a free port. Started once per test
// binary on first use and always stopped: at normal exit, and by a watchdog process if the
// test binary crashes or is killed. Never touches any other cluster. Thread-safe.
#pragma once

#include <string>

namespace strata::testing {

// A loopback TCP port nobody listens on right now (for a server a test starts itself).
int FreePort();
// Runs a shell command as the postgres OS user when we are root (initdb refuses root).
int RunAsPostgres(const std::string& cmd);

class PgCluster {
 public:
  // The shared cluster, started on first call. Aborts the test binary with a clear message if
  // PostgreSQL 15 is not installed.
  static PgCluster& Get();
  // A second, independent cluster (its own port and data directory), for tests that need two
  // servers (fleets). Started on first call, stopped like the first.
  static PgCluster& Second();

  // Whether the PostgreSQL binaries are installed (tests skip otherwise when STRATA_REQUIRE_PG
  // is not set; CI sets it so nothing is silently skipped).
  static bool Available();

  // Creates a new empty database and returns its URL (postgres://postgres@127.0.0.1:port/name).
  std::string CreateDatabase(const std::string& prefix = "t");
  // URL of the maintenance database.
  std::string AdminUrl() const;
  // Runs SQL on the given database URL via libpq; aborts the test on error. Returns the first
  // column of the first row, or "".
  static std::string Query(const std::string& url, const std::string& sql);

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

  ~PgCluster();

 private:
  PgCluster();
  void Stop();
  std::string dir_;
  int port_ = 0;
  int watchdog_pid_ = -1;
  int watchdog_fd_ = -1;
  bool stopped_ = false;
};

}  // namespace strata::testing

// Skips the current test when PostgreSQL is not installed, unless STRATA_REQUIRE_PG=1.
#define STRATA_REQUIRE_POSTGRES()                                              \
  do {                                                                         \
    if (!::strata::testing::PgCluster::Available()) {                          \
      if (std::getenv("STRATA_REQUIRE_PG")) FAIL() << "PostgreSQL 15 missing"; \
      GTEST_SKIP() << "PostgreSQL 15 is not installed";                        \
    }                                                                          \
  } while (0)
