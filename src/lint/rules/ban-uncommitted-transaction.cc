// TX101 ban-uncommitted-transaction: BEGIN without a matching COMMIT. The doc is
// ban-uncommitted-transaction.md; cases are in ban-uncommitted-transaction.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanUncommittedTransaction(Context& ctx) {
  using namespace rules;  // NOLINT
  const analysis::StatementAnalysis* open = nullptr;
  for (const auto& st : ctx.file().statements) {
    if (st.facts.kind != StatementKind::kTransaction) continue;
    std::string_view kind = st.node().NodeBody().Get("kind").Str();
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START")
      open = &st;
    else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK")
      open = nullptr;
  }
  if (!open) return;
  ctx.ReportAt(
      open->line, open->column,
      "BEGIN without a matching COMMIT: the statements after it are rolled back when the session "
      "ends",
      "add COMMIT at the end, or remove BEGIN and let strata run the file in its transaction");
}

}  // namespace strata::lint
