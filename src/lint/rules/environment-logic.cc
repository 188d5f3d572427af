// PO101 environment-logic: a migration that branches on the environment behaves differently in
// production. The doc is environment-logic.md; cases are in environment-logic.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckEnvironmentLogic(Context& ctx) {
  using namespace rules;  // NOLINT
  static constexpr std::string_view kEnvFunctions[] = {
      "current_database", "inet_server_addr",         "inet_server_port", "inet_client_addr",
      "current_setting",  "pg_postmaster_start_time", "version"};
  static constexpr std::string_view kEnvUsers[] = {"current_user", "session_user"};
  (void)kEnvUsers;
  {
    std::string_view text = ctx.stmt()->text();
    bool maybe = false;
    for (auto e : kEnvFunctions) maybe = maybe || ContainsIgnoreCase(text, e);
    if (!maybe) return;
  }
  std::string_view found;
  std::int64_t loc = -1;
  auto scan = [&](JsonRef root) {
    analysis::WalkJson(root, [&](JsonRef n) {
      if (!found.empty()) return false;
      if (JsonRef f = n.As("FuncCall")) {
        JsonRef names = f.Get("funcname");
        std::string_view last = names.At(names.size() - 1).Get("String").Get("sval").Str();
        for (auto e : kEnvFunctions) {
          if (last == e) {
            // current_setting('app.x') reading a custom GUC that names the environment.
            if (e == "current_setting") {
              std::string arg = analysis::ConstText(f.Get("args").At(0));
              if (arg.find("env") == std::string::npos && arg.find("stage") == std::string::npos &&
                  arg.find("cluster") == std::string::npos)
                continue;
            }
            found = e;
            loc = Loc(f);
            return false;
          }
        }
      }
      return true;
    });
  };
  scan(ctx.stmt()->node());
  std::string_view text = ctx.stmt()->text();
  if (found.empty() && ctx.facts().kind == StatementKind::kDo) {
    for (auto e : kEnvFunctions) {
      if (e != "current_setting" && ContainsIgnoreCase(text, std::string(e) + "(")) {
        found = e;
        break;
      }
    }
  }
  if (found.empty()) return;
  ctx.Report(fmt::format("the migration inspects its environment ({}()): it will do something "
                         "different in production than in the rehearsal",
                         found),
             "keep migrations identical everywhere; put environment differences in strata.toml "
             "environments or seed packages",
             loc);
}

}  // namespace strata::lint
