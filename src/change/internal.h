// Helpers shared by derive.cc and change.cc. Internal to src/change; pure; thread-safe.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <string>
#include <string_view>
#include <vector>

namespace strata::change {

// "name" quoted as a PostgreSQL identifier.
using db::QuoteIdent;

// `expr` (one `-- strata:up`/`down` expression over the changed table's row) with every
// reference to that row rewritten as `NEW.<column>`, for use inside a row trigger.
//
// The row's columns are written unqualified, or qualified with the table's name (`table`,
// as parsed: `quote_line.quote_revision_id`). Scalar subqueries, EXISTS and IN over other
// tables are allowed (a lookup): inside them the row is named only by `table.column`, and
// unqualified names belong to the subquery's own tables. Refused (kValidation): more than one
// expression; a reference qualified with another name outside a subquery, or with a schema; a
// `*` outside a subquery; a subquery that reads `table` itself or gives one of its tables the
// alias `table` (the trigger computes the value before the row is written and sees neither it
// nor the other rows the same statement writes, so backfill and trigger would disagree).
struct RowExpression {
  std::string text;                  // NEW.-qualified
  std::vector<std::string> columns;  // the row's columns it names, in text order (repeats kept)
  struct Ref {
    size_t pos = 0;  // span in the expression of the reference (with its qualifier)
    size_t len = 0;
    std::string column;
    std::string written;  // the column's identifier as written (`"Odd"`, `qty`)
  };
  std::vector<Ref> refs;
  std::vector<std::string> tables;     // tables its subqueries read (as written)
  std::vector<std::string> functions;  // functions it calls, as written (schema.name or name)
  bool subquery = false;
  // The expression with each reference replaced by `with(column)`.
  template <typename Fn>
  std::string Render(std::string_view expr, Fn&& with) const {
    std::string out(expr);
    for (auto it = refs.rbegin(); it != refs.rend(); ++it) {
      out.replace(it->pos, it->len, with(it->column));
    }
    return out;
  }
};
Result<RowExpression> QualifyForTrigger(std::string_view expr, std::string_view table = {});

}  // namespace strata::change
