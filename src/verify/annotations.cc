#include "verify/annotations.h"

#include <optional>
#include <string>

namespace strata::verify {

Result<FileAnnotations> ReadAnnotations(std::string_view text, std::string_view path,
                                        db::Dialect dialect) {
  FileAnnotations a;
  STRATA_ASSIGN_OR_RETURN(a.settings, sql::ParseDirectives(text, path, dialect));
  std::optional<std::string> masked = sql::MaskFalseDirectives(text, dialect);
  std::string_view real = masked ? std::string_view(*masked) : text;
  STRATA_ASSIGN_OR_RETURN(a.checks, ParseChecks(real, path));
  STRATA_TRY(ValidateChecks(a.checks, dialect));
  STRATA_ASSIGN_OR_RETURN(a.intent, ParseIntent(real, path));
  return a;
}

}  // namespace strata::verify
