// Per-statement facts: what a parsed statement does to the database, independent of any rule.
// Kind, target table, the table-level lock it takes (PostgreSQL's eight modes), what that lock
// blocks, and whether the statement rewrites or scans the table. Facts depend on the target
// PostgreSQL major version (ADD COLUMN ... DEFAULT stopped rewriting in 11) and on the
// pending-set model (a table created earlier in the set is new and empty).
// Pure functions over immutable inputs; thread-safe.
#pragma once

#include "analysis/json_tree.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analysis {

class SchemaModel;

// PostgreSQL table-level lock modes, weakest first. Values are stable (rendered in --json).
enum class LockMode : std::uint8_t {
  kNone,
  kAccessShare,
  kRowShare,
  kRowExclusive,
  kShareUpdateExclusive,
  kShare,
  kShareRowExclusive,
  kExclusive,
  kAccessExclusive,
};
// "ACCESS EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", ... ("" for kNone).
std::string_view LockModeName(LockMode m);
// Whether other sessions' plain SELECTs wait for this lock (only ACCESS EXCLUSIVE).
bool BlocksReads(LockMode m);
// Whether INSERT/UPDATE/DELETE wait for it (SHARE and stronger).
bool BlocksWrites(LockMode m);

enum class StatementKind : std::uint8_t {
  kOther,
  kCreateTable,
  kCreateTableAs,
  kAlterTable,
  kCreateIndex,
  kDropIndex,
  kDropTable,
  kDropOther,
  kRename,
  kTruncate,
  kInsert,
  kUpdate,
  kDelete,
  kSelect,
  kCopy,
  kVacuum,
  kCluster,
  kReindex,
  kRefreshMatView,
  kLock,
  kSet,
  kTransaction,
  kCreateFunction,
  kDo,
  kCreateView,
  kCreateTrigger,
  kGrant,
  kRole,
  kCreateType,
  kAlterEnum,
  kCreateDomain,
  kAlterDomain,
  kCreateSchema,
  kCreateExtension,
  kComment,
  kSequence,
  kCall,
  kParseError,
};
std::string_view StatementKindName(StatementKind k);

// A table (or other relation) as written; unquoted identifiers are already lower case.
struct TableRef {
  std::string schema;  // empty when not qualified
  std::string name;
  bool empty() const { return name.empty(); }
  // Identity in the model: "name" for unqualified or public, else "schema.name".
  std::string Key() const;
  // As written: "schema.name" or "name".
  std::string Display() const;
};
TableRef TableRefFromRangeVar(JsonRef range_var);
// The i-th object of a DropStmt as a table reference ("schema.name" or "name"; a list of String
// nodes, with or without its "items" wrapper).
TableRef DropObject(JsonRef drop_stmt, size_t i);
// The RangeVar an IntoClause creates (CREATE TABLE AS, CREATE MATERIALIZED VIEW, SELECT INTO).
// libpg_query writes a typed IntoClause field without the {"IntoClause": ...} wrapper; both
// forms are read.
JsonRef IntoRel(JsonRef into);

// A lock the statement takes on a relation other than its target (e.g. the referenced table
// of a foreign key).
struct OtherLock {
  TableRef table;
  LockMode mode = LockMode::kNone;
};

struct Facts {
  StatementKind kind = StatementKind::kOther;
  std::string_view node_type;  // libpg_query node name, "AlterTableStmt"
  TableRef target;
  LockMode lock = LockMode::kNone;  // strongest lock on `target`
  std::vector<OtherLock> other_locks;
  bool rewrite = false;  // writes a new heap (and rebuilds indexes)
  bool scan = false;     // reads the whole table under the lock
  // A SELECT that reads an existing table (`SELECT count(*) FROM t`): work that widens a held
  // ACCESS EXCLUSIVE window (LK108), though it takes no lock of its own that blocks anyone.
  bool reads_existing = false;
  bool target_is_new = false;    // created earlier in the pending set
  bool target_is_index = false;  // DROP INDEX of an index whose table is unknown
  bool concurrent = false;       // CONCURRENTLY form
  // The construct that cannot run inside a transaction block (sql::NonTransactionalConstruct,
  // "CREATE INDEX CONCURRENTLY"), or empty. Static storage.
  std::string_view non_transactional;
  bool ddl = false;
  bool dml = false;
  bool unbounded_dml = false;        // UPDATE/DELETE without WHERE
  std::vector<std::string> reasons;  // why it rewrites/scans, one phrase each

  bool BlocksReads() const { return analysis::BlocksReads(lock); }
  bool BlocksWrites() const { return analysis::BlocksWrites(lock); }
};

// Computes the facts of one parsed statement (`node` = {"XxxStmt": {...}}) given the model
// state before it and the target PostgreSQL major version.
Facts ComputeFacts(JsonRef node, const SchemaModel& model, int pg_version);

// Helpers shared with rules.
// The last name of a TypeName node ("int4", "varchar", "timestamptz"), lower case.
std::string_view TypeNameLast(JsonRef type_name);
// Integer typmods of a TypeName (varchar(20) → {20}).
std::vector<std::int64_t> TypeMods(JsonRef type_name);
// Whether a TypeName is an array type.
bool TypeIsArray(JsonRef type_name);
// Whether a default/generated expression is volatile (random(), nextval(), clock_timestamp(),
// gen_random_uuid(), unknown user functions); constants, casts and STABLE/IMMUTABLE built-ins
// such as now() are not.
bool ExprIsVolatile(JsonRef expr);
// The sval/ival of an A_Const or String node as text.
std::string ConstText(JsonRef node);
// Dotted name from a list of String nodes ("pg_catalog.int4").
std::string DottedName(JsonRef names);

}  // namespace strata::analysis
