#include "sql/transaction_block.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::sql {
namespace {

using db::Dialect;

struct Case {
  std::string sql;
  std::string want;  // the construct's name; empty: runs inside a transaction block
  Dialect dialect = Dialect::kPostgres;
  int pg = kNewestPostgres;
};

// The one list, row by row. Rows marked "server" were checked against PostgreSQL 15 inside
// BEGIN: SQLSTATE 25001 exactly where a name is expected
// (tests/integration/transaction_block_agreement_test.cc repeats them against the server).
TEST(NonTransactionalConstruct, OneTableForEngineAndLint) {
  for (const Case& c : {
           // Indexes.
           Case{"CREATE INDEX CONCURRENTLY i ON t (a)", "CREATE INDEX CONCURRENTLY"},
           Case{"create unique index concurrently if not exists i on t (a)",
                "CREATE INDEX CONCURRENTLY"},
           Case{"CREATE INDEX i ON t (a)", ""},
           Case{"CREATE INDEX concurrently_idx ON t (a)", ""},
           Case{"DROP INDEX CONCURRENTLY IF EXISTS i", "DROP INDEX CONCURRENTLY"},
           Case{"DROP INDEX i", ""},
           Case{"REINDEX TABLE CONCURRENTLY t", "REINDEX CONCURRENTLY"},
           Case{"REINDEX (VERBOSE, CONCURRENTLY) TABLE public.t", "REINDEX CONCURRENTLY"},
           Case{"REINDEX (CONCURRENTLY false) TABLE t", ""},
           Case{"REINDEX TABLE t", ""},
           Case{"REINDEX INDEX i", ""},
           Case{"REINDEX SCHEMA public", "REINDEX SCHEMA"},
           Case{"REINDEX DATABASE postgres", "REINDEX DATABASE"},
           Case{"REINDEX (VERBOSE) SYSTEM postgres", "REINDEX SYSTEM"},
           // Maintenance.
           Case{"VACUUM", "VACUUM"},
           Case{"vacuum (analyze) t", "VACUUM"},
           Case{"ANALYZE t", ""},
           Case{"CLUSTER", "CLUSTER without a table name"},
           Case{"CLUSTER VERBOSE", "CLUSTER without a table name"},
           Case{"CLUSTER t", ""},
           Case{"CLUSTER VERBOSE public.t USING t_pkey", ""},
           Case{"DISCARD ALL", "DISCARD ALL"},
           Case{"DISCARD PLANS", ""},
           // Databases, tablespaces, the server.
           Case{"CREATE DATABASE x", "CREATE DATABASE"},
           Case{"DROP DATABASE IF EXISTS x WITH (FORCE)", "DROP DATABASE"},
           Case{"ALTER DATABASE x SET TABLESPACE ts", "ALTER DATABASE SET TABLESPACE"},
           Case{"ALTER DATABASE \"my-db\" SET TABLESPACE ts", "ALTER DATABASE SET TABLESPACE"},
           Case{"ALTER DATABASE x SET default_tablespace = ''", ""},
           Case{"CREATE TABLESPACE ts LOCATION '/srv/ts'", "CREATE TABLESPACE"},
           Case{"DROP TABLESPACE IF EXISTS ts", "DROP TABLESPACE"},
           Case{"ALTER TABLESPACE ts SET (seq_page_cost = 1)", ""},
           Case{"ALTER SYSTEM SET work_mem = '4MB'", "ALTER SYSTEM"},
           Case{"COMMIT PREPARED 'x'", "COMMIT PREPARED"},
           Case{"ROLLBACK PREPARED 'x'", "ROLLBACK PREPARED"},
           // Logical replication.
           Case{"CREATE SUBSCRIPTION s CONNECTION 'host=p' PUBLICATION pub",
                "CREATE SUBSCRIPTION ... WITH (create_slot = true)"},
           Case{"CREATE SUBSCRIPTION s CONNECTION 'host=p' PUBLICATION pub WITH (connect = false)",
                ""},
           Case{"CREATE SUBSCRIPTION s CONNECTION 'h' PUBLICATION p WITH (create_slot = 'off')",
                ""},
           Case{"CREATE SUBSCRIPTION s CONNECTION 'host=p' PUBLICATION pub WITH (enabled = false)",
                "CREATE SUBSCRIPTION ... WITH (create_slot = true)"},
           // The option's words inside the connection string are not options.
           Case{"CREATE SUBSCRIPTION s CONNECTION 'with (connect = false)' PUBLICATION p",
                "CREATE SUBSCRIPTION ... WITH (create_slot = true)"},
           Case{"DROP SUBSCRIPTION s", "DROP SUBSCRIPTION"},
           Case{"ALTER SUBSCRIPTION s REFRESH PUBLICATION WITH (copy_data = false)",
                "ALTER SUBSCRIPTION ... REFRESH"},
           Case{"ALTER SUBSCRIPTION s SET PUBLICATION p", "ALTER SUBSCRIPTION with refresh"},
           Case{"ALTER SUBSCRIPTION s ADD PUBLICATION p2", "ALTER SUBSCRIPTION with refresh"},
           Case{"ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false)", ""},
           Case{"ALTER SUBSCRIPTION s ENABLE", ""},
           Case{"ALTER SUBSCRIPTION s SKIP (lsn = NONE)", ""},
           // Partitions and enums.
           Case{"ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY",
                "ALTER TABLE ... DETACH CONCURRENTLY"},
           Case{"ALTER TABLE public.p DETACH PARTITION \"P 1\" CONCURRENTLY",
                "ALTER TABLE ... DETACH CONCURRENTLY"},
           Case{"ALTER TABLE p DETACH PARTITION p1", ""},
           Case{"ALTER TABLE p DETACH PARTITION p1 FINALIZE", ""},
           Case{"ALTER TYPE mood ADD VALUE 'b'", ""},
           Case{"ALTER TYPE mood ADD VALUE 'b'", "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)",
                Dialect::kPostgres, 11},
           Case{"ALTER TYPE mood RENAME VALUE 'a' TO 'b'", "", Dialect::kPostgres, 11},
           // Comments and literals are not keywords.
           Case{"/* x */ CREATE INDEX CONCURRENTLY i ON t (a)", "CREATE INDEX CONCURRENTLY"},
           Case{"CREATE INDEX /* CONCURRENTLY */ i ON t (a)", ""},
           Case{"-- VACUUM\nSELECT 'VACUUM'", ""},
           Case{"CREATE /* a /* nested */ b */ TABLESPACE ts LOCATION '/x'", "CREATE TABLESPACE"},
           Case{"ALTER TABLE t ADD COLUMN c text DEFAULT 'DETACH PARTITION x CONCURRENTLY'", ""},
           // SQLite: VACUUM only.
           Case{"VACUUM", "VACUUM", Dialect::kSqlite},
           Case{"/* a /* b */ vacuum", "VACUUM", Dialect::kSqlite},
           Case{"create index i on t (a)", "", Dialect::kSqlite},
           Case{"ATTACH 'b.db' AS b", "", Dialect::kSqlite},
           Case{"CREATE DATABASE x", "", Dialect::kSqlite},
       }) {
    EXPECT_EQ(NonTransactionalConstruct(c.sql, c.dialect, c.pg), c.want) << c.sql;
  }
}

// The executor's choice in a non-transactional migration: a statement shares a transaction with
// its ledger progress unless the list says no or (SQLite) it changes connection state.
TEST(SharesTransaction, TheListPlusSqliteConnectionState) {
  EXPECT_TRUE(SharesTransaction("CREATE TABLE t (a int)", Dialect::kPostgres));
  EXPECT_FALSE(SharesTransaction("CREATE TABLESPACE ts LOCATION '/x'", Dialect::kPostgres));
  EXPECT_FALSE(SharesTransaction("CLUSTER", Dialect::kPostgres));
  EXPECT_TRUE(SharesTransaction("CLUSTER t USING i", Dialect::kPostgres));
  EXPECT_TRUE(SharesTransaction("PRAGMA foreign_keys = off", Dialect::kPostgres));
  for (const char* s : {"VACUUM", "PRAGMA foreign_keys = off", "ATTACH 'b.db' AS b", "DETACH b"}) {
    EXPECT_FALSE(SharesTransaction(s, Dialect::kSqlite)) << s;
  }
  EXPECT_TRUE(SharesTransaction("CREATE TABLE t (a)", Dialect::kSqlite));
}

}  // namespace
}  // namespace strata::sql
