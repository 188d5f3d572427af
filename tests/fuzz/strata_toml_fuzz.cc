// strata.toml: config::Load (what every verb runs first: the core keys, [ledger], [migrate],
// [placeholders]) and then each capability's reader of its own section, as the verbs run them:
// [lint] (lint::LoadLintConfig), [seed] (seed::LoadSettings), [environments]
// (seed::ResolveEnvironment), [backfill] (backfill::LoadSettings), [evidence] and [smoke]
// (verify::LoadSettings). The input is written to a scratch strata.toml, since the loaders read
// the file options.config_path names.
#include "config/config.h"
#include "lint/linter.h"
#include "verify/settings.h"

#include "backfill/common.h"
#include "fuzz_util.h"
#include "seed/environment.h"
#include "seed/package.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  static const std::string kPath = fuzz::ScratchDir() + "/strata.toml";
  fuzz::WriteFileOrDie(kPath, fuzz::AsText(data, size));
  config::Overrides overrides;
  overrides.config_path = kPath;
  auto options = config::Load(overrides);
  if (!options) return 0;
  (void)lint::LoadLintConfig(*options);
  (void)seed::LoadSettings(*options);
  for (const char* env : {"production", "staging", "ci", "local"}) {
    (void)seed::ResolveEnvironment(*options, env);
  }
  (void)backfill::LoadSettings(*options);
  (void)verify::LoadSettings(*options);
  return 0;
}
