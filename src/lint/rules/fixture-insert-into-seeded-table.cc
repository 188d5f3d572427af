// DM106 fixture-insert-into-seeded-table: literal INSERT ... VALUES rows, in a versioned
// migration, into a table that a seed package owns (LintConfig::seed_tables, read from
// db/seed/<class>/<package>/manifest.toml). The doc is fixture-insert-into-seeded-table.md;
// cases are in fixture-insert-into-seeded-table.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

namespace {

// A constant as a fixture row writes it: 'x', 42, -1, NULL, DEFAULT, 'x'::type, true.
bool Literal(analysis::JsonRef v) {
  if (v.Get("A_Const") || v.Get("SetToDefault")) return true;
  if (analysis::JsonRef cast = v.Get("TypeCast")) return Literal(cast.Get("arg"));
  if (analysis::JsonRef e = v.Get("A_Expr")) {  // -1 is a unary minus on a constant
    return !e.Get("lexpr") && Literal(e.Get("rexpr"));
  }
  return false;
}

}  // namespace

void CheckFixtureInsertIntoSeededTable(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& seeded = ctx.config().seed_tables;
  if (seeded.empty() || !ctx.migration().versioned) return;
  const auto& f = ctx.facts();
  if (f.kind != StatementKind::kInsert || f.target.empty()) return;
  if (!f.target.schema.empty() && base::ToLower(f.target.schema) != "public") return;
  auto owner = seeded.find(base::ToLower(f.target.name));
  if (owner == seeded.end()) return;
  JsonRef values =
      ctx.stmt()->node().As("InsertStmt").Get("selectStmt").Get("SelectStmt").Get("valuesLists");
  if (values.size() == 0) return;  // INSERT ... SELECT derives rows: not a fixture
  for (size_t i = 0; i < values.size(); ++i) {
    JsonRef row = values.At(i).Get("List").Get("items");
    for (size_t k = 0; k < row.size(); ++k) {
      if (!Literal(row.At(k))) return;
    }
  }
  ctx.Report(fmt::format("INSERT of {} literal row(s) into `{}`, whose rows {} owns: a versioned "
                         "migration writes them once, outside the package's stable keys, "
                         "environment policy and drift checks",
                         values.size(), f.target.Display(), owner->second),
             "put the rows in the package's CSV and apply them with `strata seed apply --env "
             "<env>` (test fixtures belong in a test-only package, never in a migration)");
}

}  // namespace strata::lint
