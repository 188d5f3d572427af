// Renderers for the seed and correct verbs: JSON (the machine twin of --json) and text. They
// belong beside the other renderers in src/report/ once the seed result types move to
// include/strata/commands.h; until then they live here. Secrets are redacted in every string.
// Stateless; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "seed/correction.h"
#include "seed/seed.h"

namespace strata::seed {

nlohmann::json ToJson(const SeedResult& r);
nlohmann::json ToJson(const CorrectionResult& r);
std::string ToText(const SeedResult& r);
std::string ToText(const CorrectionResult& r);

}  // namespace strata::seed
