// LK106 require-lock-timeout: a blocking lock requested without lock_timeout queues every later
// query behind it. The doc is require-lock-timeout.md; cases are in require-lock-timeout.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRequireLockTimeout(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (ctx.state().lock_timeout_set) return;
  if (f.lock < LockMode::kShare || f.target.empty() || f.target_is_new ||
      (f.target_is_index && f.lock < LockMode::kAccessExclusive)) {
    // The other end of a foreign key (CREATE TABLE ... REFERENCES, DROP CONSTRAINT, ...): an
    // existing table locked there queues its queries the same way, even when the statement's
    // own table is new.
    for (const auto& o : f.other_locks) {
      if (o.mode < LockMode::kShare || ctx.model()->IsNew(o.table)) continue;
      ctx.Report(
          fmt::format("{} lock on `{}` ({}) is requested without lock_timeout: while it "
                      "waits, every later query on `{}` queues behind it",
                      analysis::LockModeName(o.mode), o.table.Display(),
                      analysis::BlocksReads(o.mode) ? "blocks reads and writes" : "blocks writes",
                      o.table.Display()),
          "SET lock_timeout = '5s' first (or `-- strata:lock-timeout 5s`, or [migrate] "
          "lock_timeout) and retry on timeout");
      return;
    }
    return;
  }
  ctx.Report(fmt::format("{} is requested without lock_timeout: while it waits, every later query "
                         "on the table queues behind it",
                         LockPhrase(ctx, f.lock)),
             "SET lock_timeout = '5s' first (or `-- strata:lock-timeout 5s`, or [migrate] "
             "lock_timeout) and retry on timeout");
}

}  // namespace strata::lint
