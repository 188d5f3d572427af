// The database seam: every strata component talks to SQLite or PostgreSQL through these
// interfaces and never sees libpq or sqlite3 types. A Connection is used by one thread at a
// time; distinct connections are independent. Failures come back as Status values carrying
// the database's SQLSTATE (PostgreSQL) or result-code name (SQLite, e.g. "SQLITE_CONSTRAINT").
#pragma once

#include "strata/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::db {

enum class Dialect { kSqlite, kPostgres };
std::string_view DialectName(Dialect d);

// A parsed --url. `raw` holds the secret-bearing original; print only `redacted`.
struct DbUrl {
  Dialect dialect = Dialect::kSqlite;
  std::string raw;
  std::string redacted;
  std::string sqlite_path;  // SQLite only; ":memory:" for an in-memory database
  // Whether Connect may create the database: a SQLite file that does not exist yet. Every verb
  // opener sets it: only the verbs that build a schema (migrate, baseline, seed apply) leave it
  // true; the others (info, validate, plan, verify, evidence, lint --url, seed status/diff,
  // backfill...) get a missing file as a kConnection error naming the path, never a new empty
  // database with everything pending. PostgreSQL never creates a database.
  bool may_create = true;
  // With !may_create: a SQLite file that does not exist is opened as an empty in-memory
  // database instead of being an error — for the previews of what migrate would do to it
  // (migrate --dry-run, plan). Nothing is created.
  bool missing_is_empty = false;
  // PostgreSQL: libpq's connect_timeout of one connection attempt, in seconds (2 at least).
  int attempt_timeout_s = 10;
};

// Accepts sqlite:<path>, sqlite://<path>, sqlite::memory:, postgres://..., postgresql://...
// Errors (kConfig) show the redacted URL and the accepted forms.
Result<DbUrl> ParseUrl(std::string_view url);

using Value = std::optional<std::string>;  // NULL is nullopt; everything else is text
using Row = std::vector<Value>;
// A column of a row handed to a QueryRows callback: valid only during the call.
using ValueView = std::optional<std::string_view>;
using RowFn = std::function<void(std::span<const ValueView> row)>;

// A boolean column as either driver returns it as text: 't' (PostgreSQL), '1' (SQLite).
bool IsTrue(ValueView v);

// `name` as a quoted identifier ("a""b"), the same on PostgreSQL and SQLite.
std::string QuoteIdent(std::string_view name);

// `text` as a standard SQL string literal ('it''s'), the same on SQLite and on PostgreSQL with
// standard_conforming_strings on (its default since 9.1; a backslash is then an ordinary
// character; strata's PostgreSQL sessions turn it on where a server, database or role has it
// off: Connect). For SQL strata writes itself, where a bind parameter cannot go (DDL, plans
// printed for review: run those with the setting on).
std::string QuoteLiteral(std::string_view text);

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  std::int64_t rows_affected = -1;  // for INSERT/UPDATE/DELETE, -1 otherwise
};

// The outcome of ExecBatch: rows affected per completed statement, and on failure the index of
// the statement that failed with its error (later statements did not run).
struct BatchResult {
  std::vector<std::int64_t> rows_affected;
  Status status;
  size_t failed_index = 0;
  // Byte offset (0-based) inside the failing statement that the database pointed at, or -1.
  int error_position = -1;
  // ExecBatchKeeping: the rows of each kept statement that ran, in statement order.
  std::vector<QueryResult> kept;
};

// One statement with its $1..$n parameters, for QueryPipeline.
struct Statement {
  std::string sql;
  std::vector<Value> params;
};

// One parameterless query whose rows go to `fn`, for QueryRowsEach.
struct RowQuery {
  std::string sql;
  RowFn fn;
};

// Who holds the migration lock, as far as the database can tell.
struct LockHolder {
  std::string description;  // "pid 4242 (strata migrate on host-a) since 2026-11-21 20:54:15"
};

class Connection {
 public:
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;

  // Runs one statement with $1..$n parameters (text values) and returns all rows.
  virtual Result<QueryResult> Query(std::string_view sql,
                                    const std::vector<Value>& params = {}) = 0;

  // Query for large results: `fn` sees each row in turn, read in place from the driver's
  // buffers (no QueryResult is built).
  virtual Status QueryRows(std::string_view sql, const std::vector<Value>& params,
                           const RowFn& fn) = 0;

  // Runs statements in order, each exactly as given, stopping at the first failure. On
  // PostgreSQL the batch is pipelined (one round trip) when `pipeline` is true; callers pass
  // false for statements that must not share an implicit transaction (VACUUM, CONCURRENTLY).
  virtual BatchResult ExecBatch(const std::vector<std::string_view>& statements, bool pipeline) = 0;

  // ExecBatch that also returns the rows of statement i when keep[i] (in BatchResult::kept),
  // in the same round trip: e.g. a probe that reads what the statement before it did. The
  // default (SQLite) keeps none.
  virtual BatchResult ExecBatchKeeping(const std::vector<std::string_view>& statements,
                                       bool pipeline, const std::vector<bool>& keep);

  // Runs statements in order, each one statement with its parameters, stopping at the first
  // failure: every statement's result, or that failure (later statements did not run; a
  // transaction the statements opened stays open, aborted on PostgreSQL). PostgreSQL pipelines
  // them: one round trip (all are sent before any result is read: meant for a few statements
  // with small results); outside a transaction they share one implicit transaction there, so a
  // failure undoes the earlier ones. The default runs one Query each.
  virtual Result<std::vector<QueryResult>> QueryPipeline(const std::vector<Statement>& statements);

  // QueryRows for several parameterless read queries in one round trip (PostgreSQL: one
  // simple-query message, so they share one implicit transaction; use outside a transaction):
  // each query's rows go to its own `fn`, read in place. Stops at the first failure and returns
  // it with its index in `*failed` (the later queries did not run; the earlier ones delivered
  // all their rows). The default runs one QueryRows each.
  virtual Status QueryRowsEach(const std::vector<RowQuery>& queries, size_t* failed);

  // PostgreSQL `COPY ... FROM STDIN`: sends `copy_sql`, then `data` (the rows as written in
  // the file, without the `\.` terminator) through the copy sub-protocol. The result has one
  // rows_affected entry (rows copied) or the error, like a one-statement ExecBatch. Other
  // dialects have no COPY and return an error.
  virtual BatchResult CopyIn(std::string_view copy_sql, std::string_view data);

  // Runs one statement, ignoring any rows. Convenience over Query.
  Status Exec(std::string_view sql);

  // Whether the connection is still usable (false after the server terminated it).
  virtual bool Alive() = 0;

  // Whether a transaction block is open (after BEGIN, before COMMIT/ROLLBACK), as the driver
  // knows it without a round trip (libpq's transaction status, sqlite3_get_autocommit).
  virtual bool InTransaction() = 0;

  // "PostgreSQL 15.18" / "SQLite 3.40.1", and the major version number (15, 3).
  virtual std::string ServerVersion() = 0;
  virtual int ServerMajorVersion() = 0;

  // The user the database knows us as (current_user; the OS user for SQLite).
  virtual std::string DatabaseUser() = 0;

  // SQL that opens a transaction suitable for migrations (SQLite: BEGIN IMMEDIATE).
  virtual std::string_view BeginSql() const = 0;

  // Whether a table exists. `schema` may be empty (search_path / main).
  virtual Result<bool> TableExists(std::string_view schema, std::string_view table) = 0;

  // Whether the schema holds any user table, view or sequence other than `ignore_table`; used
  // to refuse migrating a non-empty database that has no ledger.
  virtual Result<bool> HasUserObjects(std::string_view schema, std::string_view ignore_table) = 0;

  // --- The migration lock: one runner per database at a time, released if the process dies.
  // Tries once, never blocks. Returns true when acquired.
  virtual Result<bool> TryLock(std::string_view lock_name) = 0;
  virtual Status Unlock(std::string_view lock_name) = 0;
  virtual std::optional<LockHolder> DescribeLockHolder(std::string_view lock_name) = 0;

  // Notices/warnings the server sent since the last call (PostgreSQL NOTICE, WARNING).
  virtual std::vector<std::string> TakeNotices() { return {}; }
};

// Opens a connection. `application` is shown to other sessions (pg_stat_activity).
// Errors: kConnection with the redacted URL and the server's message.
Result<std::unique_ptr<Connection>> Connect(const DbUrl& url, std::string_view application);

// Interrupts the statement running on every SQLite connection this process has open on the
// database file at `path`, from any thread (the fleet's per-target time limit): it fails with
// SQLITE_INTERRUPT, like any failed statement. Returns the connections found.
int InterruptSqlite(const std::string& path);

}  // namespace strata::db
