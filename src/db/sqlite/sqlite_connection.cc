#include "db/sqlite/sqlite_connection.h"

#include "base/duration.h"
#include "base/host.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>

namespace strata::db {

namespace {

using base::HostName;
using base::OsUser;

// Binds $N style parameters: SQLite accepts ?NNN, so "$1" is rewritten to "?1" outside quotes.
std::string ToSqliteParams(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      c = '?';
    }
    out.push_back(c);
  }
  return out;
}

// The SQLite connections this process has open, by database file (InterruptSqlite). A
// connection leaves it before it closes, under the mutex, so an interrupt never reaches a
// closed handle (sqlite3_interrupt's one rule).
std::mutex g_open_mu;
std::multimap<std::string, sqlite3*>& OpenByFile() {
  static auto* open = new std::multimap<std::string, sqlite3*>();
  return *open;
}

// The key of a database file: its canonical path ("" for an in-memory or URI database).
std::string FileKey(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return "";
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string path)
      : db_(db), path_(std::move(path)), key_(FileKey(path_)) {
    if (key_.empty()) return;
    std::lock_guard<std::mutex> g(g_open_mu);
    OpenByFile().emplace(key_, db_);
  }
  ~SqliteConnection() override {
    if (!key_.empty()) {
      std::lock_guard<std::mutex> g(g_open_mu);
      auto [from, to] = OpenByFile().equal_range(key_);
      for (auto it = from; it != to; ++it) {
        if (it->second == db_) {
          OpenByFile().erase(it);
          break;
        }
      }
    }
    if (lock_fd_ >= 0) close(lock_fd_);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Error(int rc, std::string_view context) {
    int ext = sqlite3_extended_errcode(db_);
    // The status's code is the primary result code's name ("SQLITE_CONSTRAINT", stable like a
    // SQLSTATE class); the message is SQLite's and names the extended code when it says more
    // ("NOT NULL constraint failed: t.a (SQLITE_CONSTRAINT_NOTNULL)").
    std::string msg = context.empty() ? std::string(sqlite3_errmsg(db_))
                                      : fmt::format("{}: {}", context, sqlite3_errmsg(db_));
    if (ext != (ext & 0xff)) msg += fmt::format(" (SQLITE_{})", CodeName(ext));
    Status s(rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? ErrorCode::kLockTimeout
                                                      : ErrorCode::kMigrationFailed,
             std::move(msg));
    return std::move(s).WithSqlState(fmt::format("SQLITE_{}", CodeName(ext & 0xff)));
  }

  // The name of a result code without its "SQLITE_" prefix ("CONSTRAINT", "CONSTRAINT_UNIQUE"),
  // or its number when this SQLite has no name for it. `ext` may be extended or primary.
  static std::string CodeName(int ext) {
#define C(n) \
  { SQLITE_##n, #n }
    static constexpr std::pair<int, const char*> kNames[] = {
        C(OK),
        C(ERROR),
        C(INTERNAL),
        C(PERM),
        C(ABORT),
        C(BUSY),
        C(LOCKED),
        C(NOMEM),
        C(READONLY),
        C(INTERRUPT),
        C(IOERR),
        C(CORRUPT),
        C(NOTFOUND),
        C(FULL),
        C(CANTOPEN),
        C(PROTOCOL),
        C(EMPTY),
        C(SCHEMA),
        C(TOOBIG),
        C(CONSTRAINT),
        C(MISMATCH),
        C(MISUSE),
        C(NOLFS),
        C(AUTH),
        C(FORMAT),
        C(RANGE),
        C(NOTADB),
        C(NOTICE),
        C(WARNING),
        C(ERROR_MISSING_COLLSEQ),
        C(ERROR_RETRY),
        C(ERROR_SNAPSHOT),
        C(IOERR_READ),
        C(IOERR_SHORT_READ),
        C(IOERR_WRITE),
        C(IOERR_FSYNC),
        C(IOERR_DIR_FSYNC),
        C(IOERR_TRUNCATE),
        C(IOERR_FSTAT),
        C(IOERR_UNLOCK),
        C(IOERR_RDLOCK),
        C(IOERR_DELETE),
        C(IOERR_BLOCKED),
        C(IOERR_NOMEM),
        C(IOERR_ACCESS),
        C(IOERR_CHECKRESERVEDLOCK),
        C(IOERR_LOCK),
        C(IOERR_CLOSE),
        C(IOERR_DIR_CLOSE),
        C(IOERR_SHMOPEN),
        C(IOERR_SHMSIZE),
        C(IOERR_SHMLOCK),
        C(IOERR_SHMMAP),
        C(IOERR_SEEK),
        C(IOERR_DELETE_NOENT),
        C(IOERR_MMAP),
        C(IOERR_GETTEMPPATH),
        C(IOERR_CONVPATH),
        C(IOERR_VNODE),
        C(IOERR_AUTH),
        C(IOERR_BEGIN_ATOMIC),
        C(IOERR_COMMIT_ATOMIC),
        C(IOERR_ROLLBACK_ATOMIC),
        C(IOERR_DATA),
        C(IOERR_CORRUPTFS),
        C(LOCKED_SHAREDCACHE),
        C(LOCKED_VTAB),
        C(BUSY_RECOVERY),
        C(BUSY_SNAPSHOT),
        C(BUSY_TIMEOUT),
        C(CANTOPEN_NOTEMPDIR),
        C(CANTOPEN_ISDIR),
        C(CANTOPEN_FULLPATH),
        C(CANTOPEN_CONVPATH),
        C(CANTOPEN_DIRTYWAL),
        C(CANTOPEN_SYMLINK),
        C(CORRUPT_VTAB),
        C(CORRUPT_SEQUENCE),
        C(CORRUPT_INDEX),
        C(READONLY_RECOVERY),
        C(READONLY_CANTLOCK),
        C(READONLY_ROLLBACK),
        C(READONLY_DBMOVED),
        C(READONLY_CANTINIT),
        C(READONLY_DIRECTORY),
        C(ABORT_ROLLBACK),
        C(CONSTRAINT_CHECK),
        C(CONSTRAINT_COMMITHOOK),
        C(CONSTRAINT_FOREIGNKEY),
        C(CONSTRAINT_FUNCTION),
        C(CONSTRAINT_NOTNULL),
        C(CONSTRAINT_PRIMARYKEY),
        C(CONSTRAINT_TRIGGER),
        C(CONSTRAINT_UNIQUE),
        C(CONSTRAINT_VTAB),
        C(CONSTRAINT_ROWID),
        C(CONSTRAINT_PINNED),
        C(CONSTRAINT_DATATYPE),
        C(NOTICE_RECOVER_WAL),
        C(NOTICE_RECOVER_ROLLBACK),
        C(WARNING_AUTOINDEX),
        C(AUTH_USER),
        C(OK_LOAD_PERMANENTLY),
        C(OK_SYMLINK),
    };
#undef C
    for (const auto& [code, name] : kNames) {
      if (code == ext) return name;
    }
    return std::to_string(ext);
  }

  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    QueryResult out;
    STRATA_TRY(Run(
        sql, params,
        [&out](std::span<const ValueView> row) {
          Row& r = out.rows.emplace_back();
          r.reserve(row.size());
          for (const auto& v : row) r.emplace_back(v ? Value(std::in_place, *v) : std::nullopt);
        },
        &out));
    return out;
  }

  Status QueryRows(std::string_view sql, const std::vector<Value>& params,
                   const RowFn& fn) override {
    return Run(sql, params, fn, nullptr);
  }

  // Runs one statement, handing each row to `fn` as it is stepped; `meta` (if given) gets the
  // column names and, for a statement that writes, the rows changed.
  Status Run(std::string_view sql, const std::vector<Value>& params, const RowFn& fn,
             QueryResult* meta) {
    std::string text = params.empty() ? std::string(sql) : ToSqliteParams(sql);
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, text.data(), static_cast<int>(text.size()), &stmt, &tail);
    if (rc != SQLITE_OK) return Error(rc, "");
    if (!stmt) return Status::Ok();  // only whitespace or comments
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i]) {
        sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i]->data(),
                          static_cast<int>(params[i]->size()), SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_null(stmt, static_cast<int>(i + 1));
      }
    }
    int ncols = sqlite3_column_count(stmt);
    if (meta) {
      for (int c = 0; c < ncols; ++c) meta->columns.emplace_back(sqlite3_column_name(stmt, c));
    }
    std::vector<ValueView> row(static_cast<size_t>(ncols));
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      for (int c = 0; c < ncols; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row[c].reset();
        } else {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row[c].emplace(p, static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
        }
      }
      fn(row);
    }
    bool readonly = sqlite3_stmt_readonly(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return Error(rc, "");
    if (meta && !readonly) meta->rows_affected = sqlite3_changes64(db_);
    return Status::Ok();
  }

  BatchResult ExecBatch(const std::vector<std::string_view>& statements, bool) override {
    BatchResult out;
    for (size_t i = 0; i < statements.size(); ++i) {
      std::string_view rest = statements[i];
      std::int64_t affected = 0;
      // A statement string may hold several SQLite statements (e.g. a trigger body is one);
      // run them all in order.
      while (!rest.empty()) {
        sqlite3_stmt* stmt = nullptr;
        const char* tail = nullptr;
        int rc = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &stmt, &tail);
        if (rc != SQLITE_OK) {
          out.status = Error(rc, "");
          out.failed_index = i;
          int off = sqlite3_error_offset(db_);
          out.error_position =
              off >= 0 ? static_cast<int>(rest.data() - statements[i].data()) + off : -1;
          return out;
        }
        rest.remove_prefix(static_cast<size_t>(tail - rest.data()));
        if (!stmt) break;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        }
        bool readonly = sqlite3_stmt_readonly(stmt);
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE) {
          out.status = Error(rc, "");
          out.failed_index = i;
          return out;
        }
        if (!readonly) affected += sqlite3_changes64(db_);
      }
      out.rows_affected.push_back(affected);
    }
    return out;
  }

  bool Alive() override { return true; }
  bool InTransaction() override { return sqlite3_get_autocommit(db_) == 0; }

  std::string ServerVersion() override { return fmt::format("SQLite {}", sqlite3_libversion()); }
  int ServerMajorVersion() override { return sqlite3_libversion_number() / 1000000; }
  std::string DatabaseUser() override { return OsUser(); }
  std::string_view BeginSql() const override { return "BEGIN IMMEDIATE"; }

  Result<bool> TableExists(std::string_view schema, std::string_view table) override {
    std::string sql = fmt::format("SELECT 1 FROM {}sqlite_master WHERE type='table' AND name=$1",
                                  schema.empty() ? "" : fmt::format("\"{}\".", schema));
    STRATA_ASSIGN_OR_RETURN(auto r, Query(sql, {std::string(table)}));
    return !r.rows.empty();
  }

  Result<bool> HasUserObjects(std::string_view schema, std::string_view ignore_table) override {
    std::string sql = fmt::format(
        "SELECT 1 FROM {}sqlite_master WHERE type IN ('table','view') AND name NOT LIKE "
        "'sqlite_%' AND name <> $1 AND name NOT LIKE 'strata_%' LIMIT 1",
        schema.empty() ? "" : fmt::format("\"{}\".", schema));
    STRATA_ASSIGN_OR_RETURN(auto r, Query(sql, {std::string(ignore_table)}));
    return !r.rows.empty();
  }

  // The lock file of `lock_name` for this database. It is keyed on the database file's
  // identity (device and inode), not on the path it was opened by: a symbolic link or a
  // relative path to the same file finds the same lock (a file with several hard links is
  // refused by OpenSqlite). It lies in the directory of the file with links resolved, so
  // processes that see the database on a shared volume share it too. A database whose file
  // cannot be found (a URI SQLite resolves itself) falls back to its path.
  std::string LockPath(std::string_view lock_name) const {
    std::string safe(lock_name);
    std::replace(safe.begin(), safe.end(), '/', '_');
    const char* file = sqlite3_db_filename(db_, "main");
    std::string real = file && *file ? file : path_;
    if (char* r = realpath(real.c_str(), nullptr)) {
      real = r;
      std::free(r);
    }
    struct stat st {};
    if (stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return fmt::format("{}-{}.lock", path_, safe);
    }
    size_t slash = real.rfind('/');
    std::string dir = slash == std::string::npos ? "." : real.substr(0, slash == 0 ? 1 : slash);
    return fmt::format("{}/strata-{:x}-{}-{}.lock", dir == "/" ? "" : dir,
                       static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                       safe);
  }

  Result<bool> TryLock(std::string_view lock_name) override {
    if (path_ == ":memory:" || path_.empty()) return true;
    if (lock_fd_ < 0) {
      lock_fd_ = open(LockPath(lock_name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (lock_fd_ < 0) {
        return Status(ErrorCode::kIo, fmt::format("cannot open lock file {}: {}",
                                                  LockPath(lock_name), std::strerror(errno)));
      }
    }
    if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) return false;
      return Status(ErrorCode::kIo,
                    fmt::format("cannot lock {}: {}", LockPath(lock_name), std::strerror(errno)));
    }
    std::string who = fmt::format("pid {} ({} on {}) since {}\n", getpid(), OsUser(), HostName(),
                                  base::NowIso8601());
    if (ftruncate(lock_fd_, 0) == 0) {
      ssize_t ignored = pwrite(lock_fd_, who.data(), who.size(), 0);
      (void)ignored;
    }
    return true;
  }

  Status Unlock(std::string_view) override {
    if (lock_fd_ >= 0) {
      flock(lock_fd_, LOCK_UN);
      close(lock_fd_);
      lock_fd_ = -1;
    }
    return Status::Ok();
  }

  std::optional<LockHolder> DescribeLockHolder(std::string_view lock_name) override {
    int fd = open(LockPath(lock_name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char buf[512] = {0};
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return std::nullopt;
    std::string s(buf, static_cast<size_t>(n));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return LockHolder{s};
  }

 private:
  sqlite3* db_;
  std::string path_;
  std::string key_;  // FileKey(path_): its entry in OpenByFile
  int lock_fd_ = -1;
};

// Process-wide settings, before the library initialises: no memory statistics (they take a
// global mutex on every allocation SQLite makes, and a migration run allocates millions of
// times while SQLite re-parses its schema after each ALTER).
void ConfigureLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// True when `path` names no file yet or an empty one: strata is about to create the database.
bool IsNewDatabaseFile(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return false;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return errno == ENOENT;
  return S_ISREG(st.st_mode) && st.st_size == 0;
}

}  // namespace

int InterruptSqlite(const std::string& path) {
  std::string key = FileKey(path);
  if (key.empty()) return 0;
  std::lock_guard<std::mutex> g(g_open_mu);
  int n = 0;
  auto [from, to] = OpenByFile().equal_range(key);
  for (auto it = from; it != to; ++it, ++n) sqlite3_interrupt(it->second);
  return n;
}

Result<std::unique_ptr<Connection>> OpenSqlite(const DbUrl& url) {
  ConfigureLibraryOnce();
  std::string path = url.sqlite_path;
  const bool creating = IsNewDatabaseFile(path);
  // A verb that only reads never creates a database: a mistyped path would otherwise become a
  // new empty file on which everything looks pending. Without SQLITE_OPEN_CREATE SQLite refuses
  // a missing file itself; the check before it names the path and the next step.
  if (!url.may_create && url.sqlite_path != ":memory:" && url.sqlite_path.rfind("file:", 0) != 0) {
    struct stat st {};
    if (stat(url.sqlite_path.c_str(), &st) != 0 && errno == ENOENT && url.missing_is_empty) {
      path = ":memory:";  // a preview: the database migrate would create is empty
    } else if (stat(url.sqlite_path.c_str(), &st) != 0 && errno == ENOENT) {
      std::error_code ec;
      std::string abs = std::filesystem::absolute(url.sqlite_path, ec).string();
      return Status(ErrorCode::kConnection,
                    fmt::format("SQLite database {} does not exist ({}); this command only "
                                "reads, so it does not create one",
                                url.sqlite_path, ec ? url.sqlite_path : abs))
          .WithHint(
              "check the path in --url, STRATA_URL or `url` in strata.toml; `strata migrate` "
              "creates a new database");
    }
  }
  sqlite3* db = nullptr;
  // NOMUTEX: a Connection is used by one thread at a time (connection.h), so SQLite's
  // per-call mutex is pure cost.
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | (url.may_create ? SQLITE_OPEN_CREATE : 0) |
                               SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status(ErrorCode::kConnection,
                  fmt::format("cannot open SQLite database {}: {}", url.redacted, msg))
        .WithHint("check that the directory exists and is writable");
  }
  // A database file with several hard links cannot be shared safely: SQLite names its journal,
  // write-ahead log and shared-memory index after the name it was opened by, so a process
  // opening another name reads without the other's log (committed changes missing) and can
  // corrupt the database (sqlite.org/howtocorrupt.html, 2.5). Refused before anything is read.
  if (const char* file = sqlite3_db_filename(db, "main"); file && *file) {
    struct stat st {};
    if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1) {
      sqlite3_close_v2(db);
      return Status(ErrorCode::kConnection,
                    fmt::format("SQLite database {} has {} hard links: SQLite keeps its log "
                                "beside the name a process opens, so two names of one database "
                                "do not see each other's changes",
                                url.redacted, st.st_nlink))
          .WithHint(
              "open the database by one name: replace the extra hard links with "
              "symbolic links, or copy the file");
    }
  }
  // Concurrent readers (info, validate) wait rather than fail while a migration commits.
  sqlite3_busy_timeout(db, 60'000);
  sqlite3_extended_result_codes(db, 1);
  // A database strata creates is put in write-ahead-log mode: a commit is one fsync of the log
  // instead of four (journal, directory, journal header, database) in rollback-journal mode,
  // with the same durability (synchronous stays FULL), and readers never block the writer.
  // The mode is persistent, so it is only chosen for a new file; an existing database keeps
  // the journal mode its application chose.
  if (creating && path != ":memory:") {
    char* err = nullptr;
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, &err) != SQLITE_OK) {
      sqlite3_free(err);  // e.g. a file system without shared memory: rollback journal it is
    }
  }
  return std::unique_ptr<Connection>(new SqliteConnection(db, path));
}

}  // namespace strata::db
