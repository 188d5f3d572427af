#include "support/pg_cluster.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace strata::testing {

namespace fs = std::filesystem;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

// Runs a shell command as the postgres OS user when we are root (initdb refuses root).
int RunAsPostgres(const std::string& cmd) {
  std::string full = geteuid() == 0 ? fmt::format("runuser -u postgres -- sh -c '{}'", cmd) : cmd;
  return std::system(full.c_str());
}

namespace {
constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

PgCluster* g_cluster = nullptr;
PgCluster* g_second = nullptr;
std::mutex g_mu;
}  // namespace

bool PgCluster::Available() { return fs::exists(fmt::format("{}/initdb", kBin)); }

PgCluster& PgCluster::Get() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_cluster) {
    g_cluster = new PgCluster();
    std::atexit([] {
      delete g_cluster;
      g_cluster = nullptr;
    });
  }
  return *g_cluster;
}

PgCluster& PgCluster::Second() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_second) {
    g_second = new PgCluster();
    std::atexit([] {
      delete g_second;
      g_second = nullptr;
    });
  }
  return *g_second;
}

PgCluster::PgCluster() {
  char tmpl[] = "/tmp/strata-pg-XXXXXX";
  dir_ = mkdtemp(tmpl);
  if (geteuid() == 0) {
    std::system(fmt::format("chown postgres:postgres {}", dir_).c_str());
  }
  std::string data = dir_ + "/data";
  if (RunAsPostgres(fmt::format("{}/initdb -D {} -U postgres -A trust -E UTF8 --no-sync "
                                "> {}/initdb.log 2>&1",
                                kBin, data, dir_)) != 0) {
    std::fprintf(stderr, "initdb failed; see %s/initdb.log\n", dir_.c_str());
    std::abort();
  }
  bool started = false;
  for (int attempt = 0; attempt < 5 && !started; ++attempt) {
    port_ = FreePort();
    std::string opts = fmt::format(
        "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200 -c wal_level=replica "
        "-c max_wal_senders=4",
        port_, dir_);
    started = RunAsPostgres(fmt::format("{}/pg_ctl -D {} -l {}/server.log -w -t 60 -o \"{}\" "
                                        "start > /dev/null 2>&1",
                                        kBin, data, dir_, opts)) == 0;
  }
  if (!started) {
    std::fprintf(stderr, "pg_ctl start failed; see %s/server.log\n", dir_.c_str());
    std::abort();
  }
  // Watchdog: stops the cluster and removes the directory if this process dies without
  // running its destructors (crash, kill -9, failed assertion that aborts).
  int fds[2];
  if (pipe(fds) == 0) {
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[1]);
      setsid();
      char b;
      while (read(fds[0], &b, 1) > 0) {
      }
      RunAsPostgres(fmt::format("{}/pg_ctl -D {} -m immediate stop > /dev/null 2>&1", kBin, data));
      fs::remove_all(dir_);
      _exit(0);
    }
    close(fds[0]);
    watchdog_pid_ = pid;
    watchdog_fd_ = fds[1];
  }
}

PgCluster::~PgCluster() { Stop(); }

void PgCluster::Stop() {
  if (stopped_) return;
  stopped_ = true;
  RunAsPostgres(fmt::format("{}/pg_ctl -D {}/data -m fast stop > /dev/null 2>&1", kBin, dir_));
  if (watchdog_fd_ >= 0) close(watchdog_fd_);  // watchdog finds the cluster stopped and cleans up
  if (watchdog_pid_ > 0) waitpid(watchdog_pid_, nullptr, 0);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgCluster::AdminUrl() const {
  return fmt::format("postgres://postgres@127.0.0.1:{}/postgres", port_);
}

std::string PgCluster::CreateDatabase(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::string name = fmt::format("{}_{}_{}", prefix, getpid(), counter++);
  Query(AdminUrl(), fmt::format("CREATE DATABASE \"{}\"", name));
  return fmt::format("postgres://postgres@127.0.0.1:{}/{}", port_, name);
}

std::string PgCluster::Query(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    ADD_FAILURE() << "connect " << url << ": " << PQerrorMessage(c);
    PQfinish(c);
    return "";
  }
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  auto st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
  } else if (PQntuples(r) > 0 && PQnfields(r) > 0) {
    out = PQgetvalue(r, 0, 0);
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

}  // namespace strata::testing
