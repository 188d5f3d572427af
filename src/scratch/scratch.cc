#include "scratch/scratch.h"

#include "base/redact.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;

namespace strata::scratch {
namespace {

std::string RandomSuffix() {
  std::random_device rd;
  return fmt::format("{:08x}{:04x}", rd(), rd() & 0xffff);
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// initdb refuses to run as root: run the server tools as the postgres OS user then.
int RunServerTool(const std::string& cmd) {
  std::string full = geteuid() == 0 ? fmt::format("runuser -u postgres -- sh -c '{}'", cmd) : cmd;
  return std::system(full.c_str());
}

// What the guardian removes.
struct Cleanup {
  std::string admin_url;  // DROP DATABASE <db> through it
  std::string db;
  std::string cluster_dir;  // pg_ctl stop, then remove
  std::string bindir;
  std::string remove_dir;  // a SQLite scratch directory
};

void DoCleanup(const Cleanup& c) {
  if (!c.db.empty()) {
    auto u = db::ParseUrl(c.admin_url);
    if (u) {
      u->may_create = false;
      if (auto conn = db::Connect(*u, "strata scratch cleanup")) {
        (void)(*conn)->Exec(
            fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", db::QuoteIdent(c.db)));
      }
    }
  }
  if (!c.cluster_dir.empty()) {
    RunServerTool(fmt::format("{}/pg_ctl -D {}/data -m immediate stop > /dev/null 2>&1", c.bindir,
                              c.cluster_dir));
    std::error_code ec;
    fs::remove_all(c.cluster_dir, ec);
  }
  if (!c.remove_dir.empty()) {
    std::error_code ec;
    fs::remove_all(c.remove_dir, ec);
  }
}

// In a forked child that outlives strata's run: its own session (no terminal, no SIGHUP from
// it), none of the parent's output (whoever reads it must see it end when strata ends) nor
// anything else of the parent's (pipes others wait on, its connections) but `keep`, and
// Ctrl-C at the terminal is not for it.
void Detach(int keep) {
  setsid();
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd != keep) close(fd);
  }
  signal(SIGINT, SIG_IGN);
}

// Forks the guardian: it waits until the pipe closes, then cleans up unless told 'k' (keep).
// In its own session, so the terminal's Ctrl-C reaches strata only.
Status StartGuardian(const Cleanup& c, int* pid_out, int* fd_out) {
  int fds[2];
  // Close-on-exec: a server started below (pg_ctl) must not hold the write end, or the guardian
  // would wait for it for ever.
  if (pipe2(fds, O_CLOEXEC) != 0)
    return Status(ErrorCode::kIo, "pipe() for the scratch guardian failed");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Status(ErrorCode::kIo, "fork() for the scratch guardian failed");
  }
  if (pid == 0) {
    close(fds[1]);
    Detach(fds[0]);
    signal(SIGTERM, SIG_IGN);
    char b = 0, last = 0;
    while (read(fds[0], &b, 1) > 0) last = b;
    if (last != 'k') DoCleanup(c);
    _exit(0);
  }
  close(fds[0]);
  *pid_out = pid;
  *fd_out = fds[1];
  return Status::Ok();
}

// The session advisory lock (on the maintenance database) under which a warm key's template and
// its prepared clone change: the 12 hex digits of the key as a number.
std::string WarmLock(const std::string& key) {
  return std::to_string(std::stoll(key.substr(0, 15), nullptr, 16));
}

// CREATE DATABASE `name` as a clone of `tmpl` (PostgreSQL 15's default, WAL_LOG, writes every
// block of the template to the WAL: FILE_COPY copies the files).
std::string CloneSql(db::Connection& conn, const std::string& name, const std::string& tmpl) {
  std::string sql =
      fmt::format("CREATE DATABASE {} TEMPLATE {}", db::QuoteIdent(name), db::QuoteIdent(tmpl));
  if (conn.ServerMajorVersion() >= 15) sql += " STRATEGY = FILE_COPY";
  return sql;
}

// Drops the prepared clones of `tmpl` (strata_warm_<key>_<oid>) but the one of its current oid
// (`keep`, "" for none). Only names of that form: databases strata made.
Status DropStalePrepared(db::Connection& conn, const std::string& tmpl, const std::string& keep) {
  STRATA_ASSIGN_OR_RETURN(
      db::QueryResult q,
      conn.Query("SELECT datname FROM pg_database WHERE datname ~ ('^' || $1 || '_[0-9]+$')",
                 {tmpl}));
  for (const auto& row : q.rows) {
    if (!row[0] || *row[0] == keep) continue;
    STRATA_TRY(
        conn.Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", db::QuoteIdent(*row[0]))));
  }
  return Status::Ok();
}

}  // namespace

std::string ServerBinDir() {
  if (const char* d = std::getenv("STRATA_PG_BINDIR"); d && *d) {
    return fs::exists(fs::path(d) / "initdb") ? d : "";
  }
  std::string best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int major = std::atoi(e.path().filename().c_str());
    if (major > best_major && fs::exists(e.path() / "bin" / "initdb")) {
      best_major = major;
      best = (e.path() / "bin").string();
    }
  }
  return best;
}

std::string WithDatabase(std::string_view url, std::string_view name) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t at = url.find('@', start);
  size_t host = at == std::string_view::npos ? start : at + 1;
  size_t path = url.find_first_of("/?", host);
  std::string out(url.substr(0, path == std::string_view::npos ? url.size() : path));
  std::string_view query;
  if (path != std::string_view::npos) {
    size_t q = url.find('?', path);
    if (q != std::string_view::npos) query = url.substr(q);
  }
  return out + "/" + std::string(name) + std::string(query);
}

Result<std::unique_ptr<Database>> Database::Create(std::string_view spec, db::Dialect dialect,
                                                   bool keep) {
  std::unique_ptr<Database> d(new Database());
  d->keep_ = keep;
  Cleanup c;
  std::string kind(spec);
  if (kind == "auto") kind = dialect == db::Dialect::kSqlite ? "sqlite" : "local";
  if (kind == "sqlite" || kind == "memory") {
    if (dialect != db::Dialect::kSqlite) {
      return Status(ErrorCode::kUsage, "--scratch sqlite on a PostgreSQL project")
          .WithHint("use --scratch local or --scratch postgres://... for a PostgreSQL project");
    }
    char tmpl[] = "/tmp/strata-scratch-XXXXXX";
    if (!mkdtemp(tmpl)) return Status(ErrorCode::kIo, "could not create a temporary directory");
    c.remove_dir = tmpl;
    STRATA_TRY(StartGuardian(c, &d->guardian_pid_, &d->guardian_fd_));
    d->url_ = fmt::format("sqlite:{}/scratch.db", tmpl);
    d->description_ = fmt::format("a temporary SQLite file ({}/scratch.db)", tmpl);
    return d;
  }
  if (dialect != db::Dialect::kPostgres) {
    return Status(ErrorCode::kUsage,
                  fmt::format("--scratch {} on a SQLite project", base::RedactUrl(spec)))
        .WithHint("leave --scratch out: a SQLite project tests on a temporary file");
  }
  if (kind == "local") {
    c.bindir = ServerBinDir();
    if (c.bindir.empty()) {
      return Status(ErrorCode::kConfig,
                    "--scratch local needs PostgreSQL's server binaries (initdb, pg_ctl)")
          .WithHint(
              "install postgresql (Debian: apt-get install postgresql-15), set "
              "STRATA_PG_BINDIR, or pass --scratch postgres://... of a server where strata "
              "may create databases");
    }
    char tmpl[] = "/tmp/strata-scratch-XXXXXX";
    if (!mkdtemp(tmpl)) return Status(ErrorCode::kIo, "could not create a temporary directory");
    c.cluster_dir = tmpl;
    if (geteuid() == 0) std::system(fmt::format("chown postgres:postgres {}", tmpl).c_str());
    // The guardian first: a failure below (or Ctrl-C) still removes the directory.
    STRATA_TRY(StartGuardian(c, &d->guardian_pid_, &d->guardian_fd_));
    if (RunServerTool(fmt::format("{}/initdb -D {}/data -U postgres -A trust -E UTF8 --no-sync "
                                  "> {}/initdb.log 2>&1",
                                  c.bindir, tmpl, tmpl)) != 0) {
      return Status(ErrorCode::kConnection,
                    fmt::format("initdb of the scratch cluster failed (see {}/initdb.log)", tmpl))
          .WithHint("check that the postgres OS user exists and /tmp is writable");
    }
    int port = 0;
    bool started = false;
    for (int attempt = 0; attempt < 5 && !started; ++attempt) {
      port = FreeLoopbackPort();
      started = RunServerTool(fmt::format(
                    "{}/pg_ctl -D {}/data -l {}/server.log -w -t 60 -o \"-p {} -k {} -c "
                    "listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c "
                    "full_page_writes=off\" start > /dev/null 2>&1",
                    c.bindir, tmpl, tmpl, port, tmpl)) == 0;
    }
    if (!started) {
      return Status(ErrorCode::kConnection,
                    fmt::format("the scratch cluster did not start (see {}/server.log)", tmpl))
          .WithHint("pass --scratch postgres://... of a server where strata may create databases");
    }
    d->url_ = fmt::format("postgres://postgres@127.0.0.1:{}/postgres", port);
    d->description_ = fmt::format("a private PostgreSQL cluster on 127.0.0.1:{} ({})", port, tmpl);
    return d;
  }
  // A server URL: a database of our own on it.
  STRATA_ASSIGN_OR_RETURN(db::DbUrl admin, db::ParseUrl(spec));
  if (admin.dialect != db::Dialect::kPostgres) {
    return Status(
        ErrorCode::kUsage,
        fmt::format("--scratch {}: expected local, auto or a postgres:// URL", admin.redacted));
  }
  admin.may_create = false;
  base::RegisterUrlSecrets(spec);
  c.admin_url = admin.raw;
  c.db = "strata_test_" + RandomSuffix();
  STRATA_ASSIGN_OR_RETURN(auto conn, db::Connect(admin, "strata scratch"));
  STRATA_TRY(StartGuardian(c, &d->guardian_pid_, &d->guardian_fd_));
  if (Status s = conn->Exec(fmt::format("CREATE DATABASE {}", db::QuoteIdent(c.db))); !s.ok()) {
    return std::move(s)
        .Wrap(fmt::format("creating the scratch database {} on {}", c.db, admin.redacted))
        .WithHint("give the user CREATEDB (ALTER ROLE ... CREATEDB) or use --scratch local");
  }
  d->url_ = WithDatabase(admin.raw, c.db);
  d->description_ = fmt::format("database {} on {}", c.db, base::RedactUrl(d->url_));
  return d;
}

Result<std::unique_ptr<Database>> Database::CreateWarm(std::string_view spec,
                                                       const std::string& key) {
  std::unique_ptr<Database> d(new Database());
  std::string admin_raw;
  std::string where;
  if (spec == "local" || spec == "auto") {
    std::string bindir = ServerBinDir();
    if (bindir.empty()) return Create(spec, db::Dialect::kPostgres, true);  // its message
    std::string dir = "/tmp/strata-warm-" + key;
    std::string port_file = dir + "/port";
    // Running already?
    if (auto text = std::ifstream(port_file); text) {
      int port = 0;
      text >> port;
      std::string url = fmt::format("postgres://postgres@127.0.0.1:{}/postgres", port);
      auto u = db::ParseUrl(url);
      if (u && port > 0) {
        u->may_create = false;
        u->attempt_timeout_s = 2;
        if (db::Connect(*u, "strata scratch")) admin_raw = url;
      }
    }
    if (admin_raw.empty()) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (geteuid() == 0) std::system(fmt::format("chown postgres:postgres {}", dir).c_str());
      if (!fs::exists(dir + "/data/PG_VERSION") &&
          RunServerTool(fmt::format("{}/initdb -D {}/data -U postgres -A trust -E UTF8 --no-sync "
                                    "> {}/initdb.log 2>&1",
                                    bindir, dir, dir)) != 0) {
        return Status(ErrorCode::kConnection,
                      fmt::format("initdb of the warm scratch cluster failed (see {}/initdb.log)",
                                  dir))
            .WithHint("check that the postgres OS user exists and /tmp is writable");
      }
      // A stale server (a different port) is stopped first.
      RunServerTool(fmt::format("{}/pg_ctl -D {}/data -m fast stop > /dev/null 2>&1", bindir, dir));
      int port = 0;
      bool started = false;
      for (int attempt = 0; attempt < 5 && !started; ++attempt) {
        port = FreeLoopbackPort();
        started = RunServerTool(fmt::format(
                      "{}/pg_ctl -D {}/data -l {}/server.log -w -t 60 -o \"-p {} -k {} -c "
                      "listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c "
                      "full_page_writes=off\" start > /dev/null 2>&1",
                      bindir, dir, dir, port, dir)) == 0;
      }
      if (!started) {
        return Status(
                   ErrorCode::kConnection,
                   fmt::format("the warm scratch cluster did not start (see {}/server.log)", dir))
            .WithHint(fmt::format("remove {} to start over", dir));
      }
      std::ofstream(port_file) << port << "\n";
      admin_raw = fmt::format("postgres://postgres@127.0.0.1:{}/postgres", port);
    }
    where = fmt::format("the warm PostgreSQL cluster in /tmp/strata-warm-{}", key);
  } else {
    admin_raw = std::string(spec);
    base::RegisterUrlSecrets(spec);
  }
  STRATA_ASSIGN_OR_RETURN(db::DbUrl admin, db::ParseUrl(admin_raw));
  if (admin.dialect != db::Dialect::kPostgres) {
    return Status(ErrorCode::kUsage,
                  fmt::format("--scratch {}: expected local or a postgres:// URL", admin.redacted));
  }
  if (where.empty()) where = admin.redacted;
  admin.may_create = false;
  Cleanup c;
  c.admin_url = admin.raw;
  c.db = "strata_test_" + RandomSuffix();
  d->keep_ = false;  // the scratch database goes unless promoted (renamed) to the template
  d->admin_url_ = admin.raw;
  d->db_ = c.db;
  d->template_ = "strata_warm_" + key;
  STRATA_ASSIGN_OR_RETURN(auto conn, db::Connect(admin, "strata scratch"));
  STRATA_TRY(StartGuardian(c, &d->guardian_pid_, &d->guardian_fd_));
  d->key_ = key;
  // Waits while PrepareNext's process makes the clone: it is then this run's.
  STRATA_TRY(conn->Query(fmt::format("SELECT pg_advisory_lock({})", WarmLock(key))).status());
  STRATA_ASSIGN_OR_RETURN(
      db::QueryResult t,
      conn->Query("SELECT t.oid::text, r.datname FROM pg_database t LEFT JOIN pg_database r ON "
                  "r.datname = t.datname || '_' || t.oid::text WHERE t.datname = $1",
                  {d->template_}));
  d->from_template_ = !t.rows.empty();
  std::string ready = d->from_template_ && t.rows[0][1] ? *t.rows[0][1] : "";
  // The prepared clone of this template becomes this run's database (a rename: no copy).
  if (!ready.empty() && conn->Exec(fmt::format("ALTER DATABASE {} RENAME TO {}",
                                               db::QuoteIdent(ready), db::QuoteIdent(c.db)))
                            .ok()) {
    d->prepared_ = true;
  }
  // Prepared clones of an earlier template (or of one that is gone) are of no use; they are
  // dropped by PrepareNext's process after this run, not on its path.
  Status s = Status::Ok();
  if (!d->prepared_) {
    s = conn->Exec(d->from_template_ ? CloneSql(*conn, c.db, d->template_)
                                     : fmt::format("CREATE DATABASE {}", db::QuoteIdent(c.db)));
  }
  (void)conn->Query(fmt::format("SELECT pg_advisory_unlock({})", WarmLock(key)));
  if (!s.ok()) {
    return std::move(s)
        .Wrap(fmt::format("creating the scratch database {} on {}", c.db, where))
        .WithHint("give the user CREATEDB (ALTER ROLE ... CREATEDB) or use --scratch local");
  }
  d->url_ = WithDatabase(admin.raw, c.db);
  d->description_ = fmt::format(
      "database {} on {}{}", c.db, where,
      !d->from_template_ ? ""
      : d->prepared_ ? fmt::format(" (a clone of {}, prepared after the last run)", d->template_)
                     : fmt::format(" (a clone of {})", d->template_));
  return d;
}

Status Database::Recreate() {
  STRATA_ASSIGN_OR_RETURN(db::DbUrl admin, db::ParseUrl(admin_url_));
  admin.may_create = false;
  STRATA_ASSIGN_OR_RETURN(auto conn, db::Connect(admin, "strata scratch"));
  STRATA_TRY(
      conn->Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", db::QuoteIdent(db_))));
  STRATA_TRY(conn->Exec(fmt::format("CREATE DATABASE {}", db::QuoteIdent(db_))));
  from_template_ = false;
  description_ += " (the template no longer fits the files: started empty)";
  return Status::Ok();
}

Status Database::Promote() {
  STRATA_ASSIGN_OR_RETURN(db::DbUrl admin, db::ParseUrl(admin_url_));
  admin.may_create = false;
  STRATA_ASSIGN_OR_RETURN(auto conn, db::Connect(admin, "strata scratch"));
  STRATA_TRY(conn->Query(fmt::format("SELECT pg_advisory_lock({})", WarmLock(key_))).status());
  // The previous template is renamed out of the way as a stale prepared clone (its own oid in
  // the name) rather than dropped here: removing its files takes a while, and PrepareNext's
  // process (or the next run) drops it.
  STRATA_ASSIGN_OR_RETURN(
      db::QueryResult old,
      conn->Query("SELECT oid::text FROM pg_database WHERE datname = $1", {template_}));
  Status s = Status::Ok();
  if (!old.rows.empty() && old.rows[0][0]) {
    s = conn->Exec(fmt::format("ALTER DATABASE {} RENAME TO {}", db::QuoteIdent(template_),
                               db::QuoteIdent(template_ + "_" + *old.rows[0][0])));
    // Someone is connected to it (a rename needs it idle): dropped now, as before.
    if (!s.ok()) {
      s = conn->Exec(
          fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", db::QuoteIdent(template_)));
    }
  }
  if (s.ok()) {
    s = conn->Exec(fmt::format("ALTER DATABASE {} RENAME TO {}", db::QuoteIdent(db_),
                               db::QuoteIdent(template_)));
  }
  (void)conn->Query(fmt::format("SELECT pg_advisory_unlock({})", WarmLock(key_)));
  return s;
}

void Database::PrepareNext() {
  if (admin_url_.empty()) return;
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) return;
  if (child > 0) {
    waitpid(child, nullptr, 0);
    return;
  }
  // The child: a grandchild does the work, detached (its own session, no terminal, none of
  // strata's pipes: whoever reads strata's output sees it end when strata ends).
  if (fork() != 0) _exit(0);
  Detach(-1);
  auto u = db::ParseUrl(admin_url_);
  if (!u) _exit(1);
  u->may_create = false;
  auto conn = db::Connect(*u, "strata scratch prepare");
  if (!conn) _exit(1);
  db::Connection& c = **conn;
  if (!c.Query(fmt::format("SELECT pg_advisory_lock({})", WarmLock(key_))).ok()) _exit(1);
  auto t = c.Query("SELECT oid::text FROM pg_database WHERE datname = $1", {template_});
  std::string ready;
  if (t && !t->rows.empty() && t->rows[0][0]) {
    ready = template_ + "_" + *t->rows[0][0];
    auto have = c.Query("SELECT 1 FROM pg_database WHERE datname = $1", {ready});
    if (have && have->rows.empty()) (void)c.Exec(CloneSql(c, ready, template_));
  }
  (void)c.Query(fmt::format("SELECT pg_advisory_unlock({})", WarmLock(key_)));
  // Then, with the lock free for a run that starts meanwhile (it renames only the clone of the
  // current template, kept here), the stale clones and the template the last promotion put
  // aside: removing their files is what takes the time. A race with a later PrepareNext can
  // at worst drop a fresh clone, and that run then clones for itself.
  (void)DropStalePrepared(c, template_, ready);
  _exit(0);
}

Database::~Database() {
  if (guardian_fd_ >= 0) {
    if (keep_) (void)!write(guardian_fd_, "k", 1);
    close(guardian_fd_);
  }
  if (guardian_pid_ > 0) waitpid(guardian_pid_, nullptr, 0);
}

}  // namespace strata::scratch
