// LK105 require-concurrent-partition-detach: DETACH PARTITION without CONCURRENTLY takes ACCESS
// EXCLUSIVE on the parent. The doc is require-concurrent-partition-detach.md; cases are in
// require-concurrent-partition-detach.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRequireConcurrentPartitionDetach(Context& ctx) {
  using namespace rules;      // NOLINT
  if (ctx.pg() < 14) return;  // DETACH ... CONCURRENTLY exists from 14
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_DetachPartition") return;
    if (cmd.Get("def").Get("PartitionCmd").Get("concurrent").Bool()) return;
    ctx.Report(
        fmt::format("DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the "
                    "parent {} (blocks reads and writes)",
                    Target(ctx)),
        "use ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY with `-- strata:transaction off`");
  });
}

}  // namespace strata::lint
