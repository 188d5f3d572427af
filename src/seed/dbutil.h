// Database helpers shared by seed packages and corrections: identifier quoting, the columns of
// a table, dialect-neutral value binding (SQLite stores booleans as 0/1) and null-safe
// comparison SQL. Internal to src/seed; stateless.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata::seed {

// A plain SQL identifier (letters, digits, _; not starting with a digit; at most 63 bytes):
// what seed packages and corrections accept as a table or column name.
bool IsPlainIdent(std::string_view s);

// "name" with embedded quotes doubled.
using db::QuoteIdent;

struct ColumnInfo {
  std::string name;
  std::string type;  // declared type, lower case
  bool boolean = false;
};

// The columns of `table` in the connection's default schema, in declaration order; empty when
// the table does not exist.
Result<std::vector<ColumnInfo>> TableColumns(db::Connection& conn, std::string_view table);

// The text to bind for `value` into `column`: on SQLite, true/false become 1/0 for a boolean
// column; otherwise unchanged.
std::optional<std::string> BindValue(db::Dialect d, const ColumnInfo* column,
                                     const std::optional<std::string>& value);

// A null-safe equality test of column expression `lhs` with parameter `$n`.
std::string NullSafeEq(db::Dialect d, std::string_view lhs, int n);

// Whether a database text value means false ("false", "f", "0").
bool IsFalse(const std::optional<std::string>& v);

// A random RFC 4122 version 4 UUID, lower case.
std::string NewUuid();

}  // namespace strata::seed
