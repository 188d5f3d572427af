// SQLite linted as SQLite: an in-memory scratch database built by applying the pending set in
// order (after the live schema, when there is one), so SQLite's own parser and catalog judge
// each statement — syntax, "no such table/column", a column SQLite cannot drop — before the real
// run. Only the schema matters: the scratch holds no data, and a statement that would do much
// work on it is stopped early and counted as accepted. One scratch per lint run, one thread.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct sqlite3;

namespace strata::lint {

class SqliteScratch {
 public:
  SqliteScratch();
  ~SqliteScratch();
  SqliteScratch(const SqliteScratch&) = delete;
  SqliteScratch& operator=(const SqliteScratch&) = delete;

  bool ok() const { return db_ != nullptr; }

  // Creates the objects of a live database (sqlite_master.sql, in rowid order); failures are
  // ignored (an object the scratch cannot build is simply absent).
  void Seed(const std::vector<std::string>& schema_sql);

  struct Outcome {
    bool ok = true;
    std::string error;  // sqlite3_errmsg
    int offset = -1;    // byte offset in the statement SQLite pointed at, or -1
  };
  // Prepares and runs `sql` (one statement, or several) to completion.
  Outcome Run(std::string_view sql);
  // Runs `sql`, ignoring errors (BEGIN/COMMIT around a transactional file).
  void Exec(const char* sql);

  bool TableExists(std::string_view table);
  bool Strict(std::string_view table);
  // Columns of `table` with their declared types, in order.
  std::vector<std::pair<std::string, std::string>> Columns(std::string_view table);
  // Tables whose foreign keys reference `table` (by name, case-insensitively).
  std::vector<std::string> ReferencedBy(std::string_view table);
  // Every foreign key whose parent table does not exist: "child → parent".
  std::set<std::string> DanglingForeignKeys();
  bool ForeignKeysOn();

  // The linked library's version, 3035005 style.
  static int LibraryVersion();

 private:
  std::vector<std::string> Tables();
  sqlite3* db_ = nullptr;
};

// SQLite's column affinity of a declared type (datatype3.html, 3.1): "INTEGER", "TEXT", "BLOB",
// "REAL" or "NUMERIC".
std::string_view SqliteAffinity(std::string_view declared_type);

}  // namespace strata::lint
