// Renderers of fleet results and progress: the final table (text), the --json object and the
// JSON line of one progress event. Every string passes through secret redaction. Stateless.
#pragma once

#include "strata/fleet.h"

#include <nlohmann/json.hpp>

#include <string>

namespace strata::fleet {

nlohmann::json ToJson(const FleetTargetResult& t);
nlohmann::json ToJson(const FleetResult& r);
// One JSON line per event (progress when stderr is not a terminal).
nlohmann::json ToJson(const FleetEvent& e);
// The table: target, before → after, applied, time, result, error; then the totals line.
// For info: target, version, behind, failed, locked, last fleet result.
std::string ToText(const FleetResult& r);

}  // namespace strata::fleet
