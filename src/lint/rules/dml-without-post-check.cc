// DM104 dml-without-post-check: a data-changing migration without a post-check. The doc is
// dml-without-post-check.md; cases are in dml-without-post-check.test.
#include "lint/rules/helpers.h"
#include "sql/splitter.h"

#include <algorithm>

namespace strata::lint {

void CheckDmlWithoutPostCheck(Context& ctx) {
  using namespace rules;  // NOLINT
  const analysis::StatementAnalysis* first_dml = nullptr;
  bool checked = false;
  for (const auto& st : ctx.file().statements) {
    const auto& f = st.facts;
    bool dml =
        (f.kind == StatementKind::kUpdate || f.kind == StatementKind::kDelete) && !f.target_is_new;
    for (const auto& e : st.embedded) {
      dml = dml || ((e.kind == StatementKind::kUpdate || e.kind == StatementKind::kDelete) &&
                    !e.target_is_new);
    }
    if (dml && !first_dml) first_dml = &st;
    if (first_dml && st.raises) checked = true;  // DO block that RAISEs when the result is wrong
  }
  if (!first_dml || checked) return;
  // A post-check in a real comment (`-- strata:post-check`, or a `-- post-check:` note) counts;
  // the same words inside a string literal or a dollar-quoted body are text (sql's one comment
  // scanner, as for every `-- strata:` line).
  std::string_view text = ctx.file().text;
  auto mentions_check = [](std::string_view s) {
    return s.find("strata:check") != std::string_view::npos ||
           s.find("post-check") != std::string_view::npos ||
           s.find("postcheck") != std::string_view::npos;
  };
  if (mentions_check(text)) {
    for (size_t at : sql::LineCommentOffsets(text, db::Dialect::kPostgres)) {
      std::string_view comment = text.substr(at);
      if (mentions_check(comment.substr(0, comment.find('\n')))) return;
    }
  }
  ctx.ReportAt(first_dml->line, first_dml->column,
               "this migration changes existing rows but never verifies the result; success is an "
               "exit code, not a state",
               "end it with a DO block that counts the rows that must not remain and RAISEs "
               "EXCEPTION if any do (or a -- post-check: query)");
}

}  // namespace strata::lint
