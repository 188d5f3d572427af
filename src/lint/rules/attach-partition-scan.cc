// LK111 attach-partition-scan: ATTACH PARTITION scans the partition unless a matching CHECK exists.
// The doc is attach-partition-scan.md; cases are in attach-partition-scan.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckAttachPartitionScan(Context& ctx) {
  using namespace rules;  // NOLINT
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_AttachPartition") return;
    JsonRef part = cmd.Get("def").Get("PartitionCmd").Get("name");
    analysis::TableRef p = analysis::TableRefFromRangeVar(part);
    if (ctx.model()->IsNew(p)) return;
    ctx.Report(fmt::format("ATTACH PARTITION scans `{}` under ACCESS EXCLUSIVE to check the "
                           "partition bound (and {} on {})",
                           p.Display(), analysis::LockModeName(ctx.facts().lock), Target(ctx)),
               "first add a CHECK matching the bound NOT VALID, VALIDATE it, then ATTACH (the scan "
               "is skipped)");
  });
}

}  // namespace strata::lint
