#include "lint/sqlite_scratch.h"

#include "base/text.h"

#include <sqlite3.h>

#include <algorithm>
#include <string>

namespace strata::lint {

namespace {

// VM steps a statement may take in the scratch before it is stopped (and counted as accepted):
// a recursive CTE that generates rows must not make lint slow.
constexpr int kProgressEvery = 1000;
constexpr int kProgressBudget = 20'000;  // x 1000 steps

int Progress(void* arg) {
  int* left = static_cast<int*>(arg);
  return --*left <= 0 ? 1 : 0;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view SqliteAffinity(std::string_view declared_type) {
  std::string t = Upper(declared_type);
  if (t.find("INT") != std::string::npos) return "INTEGER";
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos ||
      t.find("TEXT") != std::string::npos) {
    return "TEXT";
  }
  if (t.empty() || t.find("BLOB") != std::string::npos) return "BLOB";
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos ||
      t.find("DOUB") != std::string::npos) {
    return "REAL";
  }
  return "NUMERIC";
}

SqliteScratch::SqliteScratch() {
  if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db_);
    db_ = nullptr;
    return;
  }
  // The scratch must never touch a file: no ATTACH of real paths, no extensions.
  sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
}

SqliteScratch::~SqliteScratch() {
  if (db_) sqlite3_close_v2(db_);
}

int SqliteScratch::LibraryVersion() { return sqlite3_libversion_number(); }

void SqliteScratch::Exec(const char* sql) {
  if (db_) sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
}

void SqliteScratch::Seed(const std::vector<std::string>& schema_sql) {
  for (const auto& s : schema_sql) Run(s);
}

SqliteScratch::Outcome SqliteScratch::Run(std::string_view sql) {
  Outcome out;
  if (!db_) return out;
  const char* begin = sql.data();
  const char* end = sql.data() + sql.size();
  const char* p = begin;
  while (p < end) {
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, p, static_cast<int>(end - p), &st, &tail);
    if (rc != SQLITE_OK) {
      out.ok = false;
      out.error = sqlite3_errmsg(db_);
#if SQLITE_VERSION_NUMBER >= 3038000
      int off = sqlite3_error_offset(db_);
      if (off >= 0) out.offset = static_cast<int>(p - begin) + off;
#endif
      sqlite3_finalize(st);
      return out;
    }
    if (!st) break;  // only blanks or comments left
    int budget = kProgressBudget;
    sqlite3_progress_handler(db_, kProgressEvery, &Progress, &budget);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    if (rc != SQLITE_DONE && rc != SQLITE_INTERRUPT) {
      out.ok = false;
      out.error = sqlite3_errmsg(db_);
      sqlite3_finalize(st);
      return out;
    }
    sqlite3_finalize(st);
    p = tail ? tail : end;
  }
  return out;
}

std::vector<std::string> SqliteScratch::Tables() {
  std::vector<std::string> out;
  if (!db_) return out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                         "'sqlite\\_%' ESCAPE '\\'",
                         -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    }
  }
  sqlite3_finalize(st);
  return out;
}

bool SqliteScratch::TableExists(std::string_view table) {
  for (const auto& t : Tables()) {
    if (base::EqualsIgnoreCase(t, table)) return true;
  }
  return false;
}

bool SqliteScratch::Strict(std::string_view table) {
  bool strict = false;
  sqlite3_stmt* st = nullptr;
  // table_list has a `strict` column from 3.37.
  if (sqlite3_prepare_v2(db_, "SELECT strict FROM pragma_table_list WHERE name = ?1 COLLATE NOCASE",
                         -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) strict = sqlite3_column_int(st, 0) != 0;
  }
  sqlite3_finalize(st);
  return strict;
}

std::vector<std::pair<std::string, std::string>> SqliteScratch::Columns(std::string_view table) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!db_) return out;
  sqlite3_stmt* st = nullptr;
  const std::string q = "SELECT name, type FROM pragma_table_info(?1)";
  if (sqlite3_prepare_v2(db_, q.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto text = [&](int i) {
        const unsigned char* v = sqlite3_column_text(st, i);
        return v ? std::string(reinterpret_cast<const char*>(v)) : std::string();
      };
      out.emplace_back(text(0), text(1));
    }
  }
  sqlite3_finalize(st);
  return out;
}

std::vector<std::string> SqliteScratch::ReferencedBy(std::string_view table) {
  std::vector<std::string> out;
  for (const auto& t : Tables()) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)", -1,
                           &st, nullptr) != SQLITE_OK) {
      sqlite3_finalize(st);
      continue;
    }
    sqlite3_bind_text(st, 1, t.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* v = sqlite3_column_text(st, 0);
      if (v && base::EqualsIgnoreCase(reinterpret_cast<const char*>(v), table) &&
          std::find(out.begin(), out.end(), t) == out.end()) {
        out.push_back(t);
      }
    }
    sqlite3_finalize(st);
  }
  return out;
}

std::set<std::string> SqliteScratch::DanglingForeignKeys() {
  std::set<std::string> out;
  auto tables = Tables();
  auto exists = [&](std::string_view name) {
    for (const auto& t : tables) {
      if (base::EqualsIgnoreCase(t, name)) return true;
    }
    return false;
  };
  for (const auto& t : tables) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)", -1,
                           &st, nullptr) != SQLITE_OK) {
      sqlite3_finalize(st);
      continue;
    }
    sqlite3_bind_text(st, 1, t.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* v = sqlite3_column_text(st, 0);
      if (v && !exists(reinterpret_cast<const char*>(v))) {
        out.insert(t + " → " + reinterpret_cast<const char*>(v));
      }
    }
    sqlite3_finalize(st);
  }
  return out;
}

bool SqliteScratch::ForeignKeysOn() {
  bool on = false;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA foreign_keys", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    on = sqlite3_column_int(st, 0) != 0;
  }
  sqlite3_finalize(st);
  return on;
}

}  // namespace strata::lint
