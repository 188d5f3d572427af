// TX102 transaction-nesting: BEGIN/COMMIT inside a migration strata already runs in a transaction.
// The doc is transaction-nesting.md; cases are in transaction-nesting.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckTransactionNesting(Context& ctx) {
  using namespace rules;  // NOLINT
  if (ctx.facts().kind != StatementKind::kTransaction) return;
  std::string_view kind = ctx.body().Get("kind").Str();
  const auto& st = ctx.state();
  bool begin = kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START";
  bool end = kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK";
  if (begin && st.InTransaction()) {
    ctx.Report(st.explicit_txn ? "BEGIN inside a transaction that is already open: PostgreSQL only "
                                 "warns, and the inner COMMIT ends both"
                               : "BEGIN in a migration strata already runs in a transaction",
               st.explicit_txn ? "remove the inner BEGIN/COMMIT"
                               : "remove BEGIN/COMMIT (strata owns the transaction), or add `-- "
                                 "strata:transaction off`");
  } else if (end && st.transactional && !st.explicit_txn) {
    ctx.Report(st.in_txn ? "COMMIT/ROLLBACK inside a migration strata runs in a transaction ends "
                           "strata's transaction early"
                         : "COMMIT/ROLLBACK with no open transaction",
               "remove it (strata commits the migration), or add `-- strata:transaction off`");
  } else if (end && !st.in_txn) {
    ctx.Report("COMMIT/ROLLBACK with no open transaction", "remove it");
  }
}

}  // namespace strata::lint
