// A migration's annotations: its `-- strata:` directives, pre-/post-check blocks and intent
// header, read once and the same way by every verb (migrate, plan, verify, evidence). Each is
// obeyed only in a real comment of the target dialect: a `-- strata:` line inside a string
// literal, a dollar-quoted body or a /* */ comment is text. Pure; thread-safe.
#pragma once

#include "strata/result.h"

#include "db/connection.h"
#include "sql/directives.h"
#include "verify/checks.h"
#include "verify/intent.h"

#include <string_view>

namespace strata::verify {

struct FileAnnotations {
  sql::FileSettings settings;
  FileChecks checks;
  Intent intent;
};

// Reads the annotations of `text` (the file at `path`, for messages). Check queries are
// validated as exactly one read-only query each (ValidateChecks). Errors: the first bad
// directive, check block or intent header, with its file:line.
Result<FileAnnotations> ReadAnnotations(std::string_view text, std::string_view path,
                                        db::Dialect dialect);

}  // namespace strata::verify
