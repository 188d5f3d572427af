// DM103 mixed-ddl-and-dml: one migration mixes schema changes and data changes (one intent per
// migration). The doc is mixed-ddl-and-dml.md; cases are in mixed-ddl-and-dml.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckMixedDdlAndDml(Context& ctx) {
  using namespace rules;  // NOLINT
  const analysis::StatementAnalysis* ddl = nullptr;
  const analysis::StatementAnalysis* dml = nullptr;
  for (const auto& st : ctx.file().statements) {
    const auto& f = st.facts;
    // DDL on tables created in this file plus seeding them is one intent (create + seed).
    bool is_ddl = f.ddl && !(f.kind == StatementKind::kCreateTable) && !f.target_is_new &&
                  f.kind != StatementKind::kCreateFunction && f.kind != StatementKind::kComment &&
                  f.kind != StatementKind::kGrant && f.kind != StatementKind::kCreateView;
    bool is_dml = false;
    if ((f.kind == StatementKind::kUpdate || f.kind == StatementKind::kDelete) && !f.target_is_new)
      is_dml = true;
    for (const auto& e : st.embedded) {
      if ((e.kind == StatementKind::kUpdate || e.kind == StatementKind::kDelete) &&
          !e.target_is_new)
        is_dml = true;
    }
    if (is_ddl && !ddl) ddl = &st;
    if (is_dml && !dml) dml = &st;
  }
  if (!ddl || !dml) return;
  ctx.ReportAt(dml->line, dml->column,
               fmt::format("this migration changes schema (line {}) and rewrites existing data "
                           "(line {}): two intents, one transaction, one lock window",
                           ddl->line, dml->line),
               "split it: schema change in one migration, data change (or a strata backfill job) "
               "in the next");
}

}  // namespace strata::lint
