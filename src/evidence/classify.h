// A small statement classifier for plans: the compatibility effect of one SQL statement
// (additive, breaking, contract, data, other), the PostgreSQL table lock it takes and whether
// it rewrites or scans the table. Keyword-based on purpose.
//
// Integration point: when the analyzer (src/analysis Facts: kind, target, lock mode, rewrite)
// and the linter's risk classes are linked into plans, ClassifyStatement becomes a mapping from
// Facts; this function's contract stays the same. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace strata::evidence {

struct StatementClass {
  std::string effect;     // additive, breaking, contract, data, other
  std::string lock;       // "ACCESS EXCLUSIVE", "SHARE", "ROW EXCLUSIVE", ... or ""
  std::string table;      // target table as written (lower case), "" if none
  bool rewrites = false;  // rewrites or scans the whole table under its lock
};

StatementClass ClassifyStatement(std::string_view sql);

// Orders effects by how much they constrain deployment: contract > breaking > data > additive
// > other. Returns the stronger of the two.
std::string_view StrongerEffect(std::string_view a, std::string_view b);

}  // namespace strata::evidence
