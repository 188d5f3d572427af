// The one list of statements that cannot run inside a transaction block, read from the
// statement's text (no database, no parse tree). The engine refuses them in a transactional
// migration (engine/plan.cc) and runs them on their own in a non-transactional one
// (engine/executor.cc); the analyzer marks them (analysis::Facts::non_transactional) and lint's
// LK103 reports them with the same name. One list, so the three can never disagree.
//
// PostgreSQL 15: the callers of PreventInTransactionBlock that a statement's text decides.
//   CREATE [UNIQUE] INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY,
//   REINDEX ... CONCURRENTLY (as keyword or option), REINDEX SCHEMA | DATABASE | SYSTEM,
//   VACUUM (any form; ANALYZE alone runs in one), CLUSTER without a table name,
//   CREATE / DROP DATABASE, ALTER DATABASE ... SET TABLESPACE, CREATE / DROP TABLESPACE,
//   ALTER SYSTEM, DISCARD ALL, COMMIT / ROLLBACK PREPARED,
//   CREATE SUBSCRIPTION unless WITH (create_slot = false) or (connect = false),
//   DROP SUBSCRIPTION (refused when the subscription has a replication slot, which only the
//   catalog knows: counted, so a file is never sent into a transaction the server refuses),
//   ALTER SUBSCRIPTION ... REFRESH PUBLICATION, ALTER SUBSCRIPTION ... SET | ADD | DROP
//   PUBLICATION unless WITH (refresh = false),
//   ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY,
//   ALTER TYPE ... ADD VALUE before PostgreSQL 12.
// Not decidable from the text, and left to the server's own error 25001: REINDEX TABLE / INDEX
// and CLUSTER of a partitioned table.
// SQLite: VACUUM ("cannot VACUUM from within a transaction").
//
// Pure functions; thread-safe.
#pragma once

#include "db/connection.h"

#include <string_view>

namespace strata::sql {

// The PostgreSQL major version whose rules apply when the caller does not know the server's.
inline constexpr int kNewestPostgres = 1000;

// The short name of the construct that makes `statement` impossible inside a transaction block
// on `dialect` ("CREATE INDEX CONCURRENTLY", "CLUSTER without a table name"), in the words of
// the server's own error where it has them; an empty view when the statement can run in one.
// `pg_major` is the PostgreSQL major version (ALTER TYPE ... ADD VALUE is refused before 12).
// Comments anywhere in the statement are skipped by the dialect's rules; string literals and
// quoted identifiers are never read as keywords. The view points at static storage.
std::string_view NonTransactionalConstruct(std::string_view statement,
                                           db::Dialect dialect = db::Dialect::kPostgres,
                                           int pg_major = kNewestPostgres);

// Whether a statement of a non-transactional migration may share a transaction with its
// ledger progress and still do what it does on its own: false for every
// NonTransactionalConstruct and, on SQLite, for PRAGMA (foreign_keys and others are silent
// no-ops inside a transaction, journal_mode = WAL fails), ATTACH and DETACH (connection state;
// DETACH of a schema the transaction used fails with "database is locked").
bool SharesTransaction(std::string_view statement, db::Dialect dialect);

}  // namespace strata::sql
