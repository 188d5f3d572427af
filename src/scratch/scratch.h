// A throwaway database strata creates, uses and removes: a database of its own on a PostgreSQL
// server (`CREATE DATABASE strata_test_<random>`), a private PostgreSQL cluster started in a
// temporary directory on a free loopback port (`local`: initdb + pg_ctl), or a temporary SQLite
// file. Removal is done by a guardian process forked before anything is created, which cleans up
// when this process lets it go or dies (an error, Ctrl-C, kill -9): strata never leaves one
// behind unless asked to keep it, and never touches a database it did not create.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <memory>
#include <string>

namespace strata::scratch {

class Database {
 public:
  // `spec`: "local", "auto" (local for PostgreSQL, a temporary file for SQLite), "sqlite", or a
  // postgres:// URL of a server where strata may create databases. `dialect`: the project's.
  static Result<std::unique_ptr<Database>> Create(std::string_view spec, db::Dialect dialect,
                                                  bool keep);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();  // removes it (through the guardian) unless kept

  const std::string& url() const { return url_; }                  // may hold a password
  const std::string& description() const { return description_; }  // safe to print

 private:
  Database() = default;
  std::string url_;
  std::string description_;
  bool keep_ = false;
  int guardian_pid_ = -1;
  int guardian_fd_ = -1;
};

// The PostgreSQL server binaries strata can start a private cluster with: $STRATA_PG_BINDIR,
// else the newest /usr/lib/postgresql/<major>/bin holding initdb; "" when none.
std::string ServerBinDir();

// `url` with its database name replaced by `name` (postgres:// URLs).
std::string WithDatabase(std::string_view url, std::string_view name);

}  // namespace strata::scratch
