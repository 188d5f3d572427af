// Renderers of `strata init` and `strata new` results: JSON (the --json envelope's body) and
// text. Pure functions; thread-safe.
#pragma once

#include "strata/authoring.h"

#include <nlohmann/json.hpp>

#include <string>

namespace strata::report {

nlohmann::json ToJson(const DetectedTool& d);
nlohmann::json ToJson(const InitResult& r);
nlohmann::json ToJson(const NewResult& r);
std::string ToText(const InitResult& r);
std::string ToText(const NewResult& r);

}  // namespace strata::report
