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

// `expr` (one expression over a row's columns, written unqualified) with every column
// reference prefixed by `NEW.`, for use inside a row trigger. Also returns the columns it
// names. kValidation when `expr` is not one expression, names a column qualified, or holds a
// subquery (a trigger could not evaluate it per row safely).
struct RowExpression {
  std::string text;
  std::vector<std::string> columns;
};
Result<RowExpression> QualifyForTrigger(std::string_view expr);

}  // namespace strata::change
