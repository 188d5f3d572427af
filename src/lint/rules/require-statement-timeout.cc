// LK107 require-statement-timeout: a table scan or rewrite under lock without statement_timeout.
// The doc is require-statement-timeout.md; cases are in require-statement-timeout.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRequireStatementTimeout(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (ctx.state().statement_timeout_set) return;
  if (!(f.rewrite || f.scan) || f.target.empty() || f.target_is_new) return;
  if (f.lock < LockMode::kShare) return;
  ctx.Report(
      fmt::format("{} holds {} for as long as the scan or rewrite takes, with no statement_timeout",
                  f.rewrite ? "this rewrite" : "this scan", WithArticle(LockPhrase(ctx, f.lock))),
      "SET statement_timeout (or `-- strata:statement-timeout 10min`) so a slow step fails instead "
      "of blocking");
}

}  // namespace strata::lint
