// The compatibility effect of one SQL statement for plans (additive, breaking, contract, data,
// other). EffectOf derives it from the analyzer (src/analysis): the statement kind and, for
// ALTER TABLE / DROP / RENAME, the parse tree. ClassifyStatement is the keyword fallback for a
// statement PostgreSQL's grammar cannot parse (SQLite-only syntax): effect, a guessed
// PostgreSQL lock, table and rewrite from keywords. Pure; thread-safe.
#pragma once

#include "analysis/facts.h"
#include "analysis/json_tree.h"

#include <string>
#include <string_view>

namespace strata::plan {

struct StatementClass {
  std::string effect;     // additive, breaking, contract, data, other
  std::string lock;       // "ACCESS EXCLUSIVE", "SHARE", "ROW EXCLUSIVE", ... or ""
  std::string table;      // target table as written (lower case), "" if none
  bool rewrites = false;  // rewrites or scans the whole table under its lock
};

// Keyword classification (the fallback).
StatementClass ClassifyStatement(std::string_view sql);

// The effect of a parsed statement: contract for DROP TABLE/COLUMN/INDEX, TRUNCATE, SET NOT
// NULL and validated constraints; breaking for renames, type changes, a new NOT NULL column
// without a default, DROP DEFAULT, dropped views and functions; additive for CREATE, nullable
// or defaulted columns, NOT VALID constraints, dropped constraints; data for DML. `node` is
// the statement's tree ({"AlterTableStmt": {...}}).
std::string_view EffectOf(analysis::StatementKind kind, analysis::JsonRef node);

// The analyzer's kind from its name ("create-index"); kOther when unknown.
analysis::StatementKind StatementKindFromName(std::string_view name);

// Orders effects by how much they constrain deployment: contract > breaking > data > additive
// > other. Returns the stronger of the two.
std::string_view StrongerEffect(std::string_view a, std::string_view b);

}  // namespace strata::plan
