// PO102 literal-secret: a literal password or secret in a migration. The doc is literal-secret.md;
// cases are in literal-secret.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckLiteralSecret(Context& ctx) {
  using namespace rules;  // NOLINT
  // Cheap pre-check on the text: most statements never mention a secret.
  std::string_view text = ctx.stmt()->text();
  if (!ContainsIgnoreCase(text, "password") && !ContainsIgnoreCase(text, "secret") &&
      !ContainsIgnoreCase(text, "passfile")) {
    return;
  }
  JsonRef node = ctx.stmt()->node();
  bool found = false;
  std::int64_t loc = -1;
  analysis::WalkJson(node, [&](JsonRef n) {
    if (found) return false;
    if (JsonRef d = n.As("DefElem")) {
      std::string_view name = d.Get("defname").Str();
      if (name == "password" || name == "secret" || name == "passfile") {
        JsonRef arg = d.Get("arg");
        std::string value = arg ? analysis::ConstText(arg) : std::string();
        // '${name}' is a strata placeholder (secret = true keeps it out of every output).
        if (!value.empty() && value.find("${") == std::string::npos) {
          found = true;
          loc = Loc(d);
          return false;
        }
      }
    }
    return true;
  });
  if (!found) {
    // CREATE USER MAPPING / SERVER options, and literal connection strings with a password.
    std::string lower = base::ToLower(ctx.stmt()->text());
    for (std::string_view needle : {"password=", "password '"}) {
      size_t at = lower.find(needle);
      if (at == std::string::npos) continue;
      size_t v = at + needle.size();
      if (lower.compare(v, 2, "${") != 0) found = true;
    }
  }
  if (!found) return;
  ctx.Report(
      "a literal password in the migration: it lands in the repository, the ledger and every log "
      "that prints SQL",
      "set passwords outside migrations (a secret store, or a ${placeholder} with secret = true in "
      "strata.toml)",
      loc);
}

}  // namespace strata::lint
