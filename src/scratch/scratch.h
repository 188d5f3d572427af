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
  // `--keep` on PostgreSQL (docs/schema.md "Warm runs"): a server kept between runs — a
  // `local` cluster stays up in /tmp/strata-warm-<key> (started when it is not running), a
  // server URL is used as it is — and a template database `strata_warm_<key>` holding the last
  // good state. The scratch database is a clone of the template when there is one
  // (from_template()), else empty; Promote() makes it the new template. The guardian drops
  // the scratch database unless it was promoted; it never stops a warm cluster. The clone is
  // the clone PrepareNext() made after the last run (strata_warm_<key>_<template oid>) when
  // there is one, waiting for it when it is being made; else one made now.
  // Server URLs: every change of the template or its prepared clone happens under a session
  // advisory lock of the key on the maintenance database, so concurrent runs do not mix them.
  static Result<std::unique_ptr<Database>> CreateWarm(std::string_view spec,
                                                      const std::string& key);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();  // removes it (through the guardian) unless kept

  const std::string& url() const { return url_; }                  // may hold a password
  const std::string& description() const { return description_; }  // safe to print
  bool from_template() const { return from_template_; }

  // Warm: drops this database and creates it again empty (the template no longer fits the
  // files: an applied migration changed). Errors: the server's.
  Status Recreate();
  // Warm: this database (all connections to it closed) becomes the template, replacing the
  // previous one (renamed out of the way as a stale prepared clone, which PrepareNext's process
  // drops). Errors: the server's.
  Status Promote();
  // Warm, at the end of a run: the next run's clone of the template, made in the background
  // by a detached process (strata_warm_<key>_<template oid>, created in one CREATE DATABASE:
  // it exists whole or not at all), so the next run does not wait for CREATE DATABASE ...
  // TEMPLATE. Nothing when there is no template. Never fails the run: errors are ignored.
  void PrepareNext();
  // Warm: whether this run's database is the clone PrepareNext() made.
  bool prepared() const { return prepared_; }

 private:
  Database() = default;
  std::string url_;
  std::string description_;
  bool keep_ = false;
  bool from_template_ = false;
  bool prepared_ = false;
  std::string admin_url_;  // warm: the server's maintenance database
  std::string db_;         // warm: this database's name
  std::string template_;   // warm: the template's name
  std::string key_;        // warm: the project's key
  int guardian_pid_ = -1;
  int guardian_fd_ = -1;
};

// The PostgreSQL server binaries strata can start a private cluster with: $STRATA_PG_BINDIR,
// else the newest /usr/lib/postgresql/<major>/bin holding initdb; "" when none.
std::string ServerBinDir();

// `url` with its database name replaced by `name` (postgres:// URLs).
std::string WithDatabase(std::string_view url, std::string_view name);

}  // namespace strata::scratch
