// SY107 file-too-large: reported by the linter core (linter.cc) for a pending file larger than
// [lint] max_file_bytes. The doc is file-too-large.md; cases are in file-too-large.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckFileTooLarge(Context& ctx) {
  // Reported by the linter core (linter.cc), not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
