#include "verify/annotations.h"

namespace strata::verify {

Result<FileAnnotations> ReadAnnotations(std::string_view text, std::string_view path,
                                        db::Dialect dialect) {
  FileAnnotations a;
  STRATA_ASSIGN_OR_RETURN(a.settings, sql::ParseDirectives(text, path, dialect));
  STRATA_ASSIGN_OR_RETURN(a.checks, ParseChecks(text, path, dialect));
  STRATA_TRY(ValidateChecks(a.checks, dialect));
  STRATA_ASSIGN_OR_RETURN(a.intent, ParseIntent(text, path, dialect));
  return a;
}

}  // namespace strata::verify
