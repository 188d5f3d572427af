// Preparing a migration for execution: split into statements, expand placeholders, resolve
// directives and refuse what cannot work (a CONCURRENTLY statement inside a transaction, BEGIN
// or COMMIT inside a migration) before anything runs. Pure; thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include "db/connection.h"
#include "migrate/discovery.h"
#include "sql/directives.h"
#include "sql/splitter.h"
#include "verify/checks.h"
#include "verify/intent.h"

#include <string>
#include <vector>

namespace strata::engine {

struct PreparedStatement {
  std::string sql;          // placeholders expanded (secret values included: never print)
  std::string display_sql;  // placeholders expanded with secrets redacted
  int line = 0;             // 1-based line in the file
  int column = 0;
  size_t offset = 0;  // byte offset of the statement in the file
  // PostgreSQL `COPY ... FROM STDIN` followed by inline rows in the file: `sql` is the COPY
  // statement, `copy_data` the rows (placeholders expanded) sent through the copy protocol.
  bool copy_in = false;
  std::string copy_data;
};

struct PreparedMigration {
  const migrate::Migration* migration = nullptr;
  sql::FileSettings settings;
  std::vector<PreparedStatement> statements;
  verify::FileChecks checks;  // -- strata:pre-check / post-check blocks (docs/formats/checks.md)
  verify::Intent intent;      // -- strata:intent header (docs/formats/intent-header.md)
};

// What a prepared migration is for: running it needs every placeholder's value; checking or
// showing it (validate, migrate --dry-run) does not, and an environment variable that is not
// set reads as `<unset:VAR>`.
enum class PrepareFor { kRun, kCheck };
Result<PreparedMigration> Prepare(const migrate::Migration& m, db::Dialect dialect,
                                  const Options& options, PrepareFor purpose = PrepareFor::kRun);

// The one place statement text changes between the splitter and the driver: `s.text` with its
// `${name}` placeholders expanded (`display_sql`: secrets redacted), and for COPY ... FROM
// STDIN its inline rows, expanded the same way. Without placeholders `sql` is `s.text` byte for
// byte (tests/corpora/sent_equals_split_test.cc checks this on every real history). Prepare
// runs it on every statement and then refuses what cannot run.
Result<PreparedStatement> PrepareStatement(const sql::Statement& s, const sql::Placeholders& ph,
                                           std::string_view path);

// The configured placeholders in the form ExpandPlaceholders takes.
sql::Placeholders PlaceholdersOf(const Options& options, PrepareFor purpose = PrepareFor::kRun);

// The SQL a transactional migration opens with on this dialect (lock/statement timeouts).
std::vector<std::string> SessionSettings(const PreparedMigration& p, db::Dialect dialect,
                                         const Options& options, bool local);

// SHA-256 chained over the first `n` statements' text: the "applied prefix" of a
// non-transactional migration, checked before --resume continues it.
std::string PrefixHash(const PreparedMigration& p, size_t n);

}  // namespace strata::engine
