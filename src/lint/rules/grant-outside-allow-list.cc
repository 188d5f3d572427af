// PO103 grant-outside-allow-list: GRANT to a role outside [lint] grant_roles. The doc is
// grant-outside-allow-list.md; cases are in grant-outside-allow-list.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckGrantOutsideAllowList(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& allow = ctx.config().grant_allow_roles;
  if (allow.empty()) return;
  JsonRef b = ctx.stmt()->node().As("GrantStmt");
  JsonRef grantees;
  if (b) {
    if (!b.Get("is_grant").Bool()) return;
    grantees = b.Get("grantees");
  } else if (JsonRef g = ctx.stmt()->node().As("GrantRoleStmt")) {
    if (!g.Get("is_grant").Bool()) return;
    grantees = g.Get("grantee_roles");
  } else {
    return;
  }
  for (size_t i = 0; i < grantees.size(); ++i) {
    JsonRef r = grantees.At(i).Get("RoleSpec");
    std::string_view rt = r.Get("roletype").Str();
    std::string name = rt == "ROLESPEC_PUBLIC" ? "public" : std::string(r.Get("rolename").Str());
    if (rt == "ROLESPEC_CURRENT_USER" || rt == "ROLESPEC_SESSION_USER" ||
        rt == "ROLESPEC_CURRENT_ROLE")
      continue;
    if (std::find(allow.begin(), allow.end(), name) != allow.end()) continue;
    ctx.Report(
        fmt::format("GRANT to `{}`, which is not in [lint] grant_roles ({})", name,
                    fmt::join(allow, ", ")),
        "grant to an allowed role, or add the role to [lint] grant_roles after a security review",
        Loc(r));
  }
}

}  // namespace strata::lint
