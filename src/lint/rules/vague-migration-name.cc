// ST106 vague-migration-name: a file name like fix/changes/update/final says nothing about intent.
// The doc is vague-migration-name.md; cases are in vague-migration-name.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckVagueMigrationName(Context& ctx) {
  using namespace rules;  // NOLINT
  std::string d = base::ToLower(ctx.migration().description);
  // Split into words; vague when every word is vague or a number.
  bool any_word = false, all_vague = true;
  size_t i = 0;
  while (i < d.size()) {
    while (i < d.size() && !isalnum(static_cast<unsigned char>(d[i]))) ++i;
    size_t j = i;
    while (j < d.size() && isalnum(static_cast<unsigned char>(d[j]))) ++j;
    if (j > i) {
      std::string w = d.substr(i, j - i);
      bool number = std::all_of(w.begin(), w.end(),
                                [](char c) { return isdigit(static_cast<unsigned char>(c)); });
      bool vague = number ||
                   std::find(ctx.config().vague_names.begin(), ctx.config().vague_names.end(), w) !=
                       ctx.config().vague_names.end();
      any_word = true;
      all_vague = all_vague && vague;
    }
    i = j;
  }
  if (any_word && !all_vague) return;
  if (!ctx.migration().versioned) return;
  ctx.ReportAt(1, 1,
               fmt::format("`{}` does not say what the migration does; the ledger and every "
                           "reviewer see only this name",
                           ctx.migration().script),
               "name the change: V<ver>__add_quote_line_contract_term.sql (verb + object)");
}

}  // namespace strata::lint
