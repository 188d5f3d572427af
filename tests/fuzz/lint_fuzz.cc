// The linter over one migration file: libpg_query's parse (analysis::ParsePostgres, with the
// split-and-retry path for unparsable files), the statement facts, the pending-set model, every
// rule in the catalogue, suppressions and risk classes — lint::Lint, as `strata lint` and the
// apply-time gate run it. The input is the file's text, normalised as lint::LoadInputs does
// (`strata lint FILE` does not check UTF-8 first).
#include "base/text.h"
#include "lint/linter.h"

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view raw = fuzz::AsText(data, size);
  lint::LintInput input;
  input.path = "db/migration/V1__fuzz.sql";
  input.script = "V1__fuzz.sql";
  input.text = base::NormalizeText(raw);
  static const lint::LintConfig kConfig;
  lint::LintResult result = lint::Lint({input}, kConfig);
  FUZZ_CHECK(result.status.ok());
  return 0;
}
