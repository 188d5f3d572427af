// JSON forms of the evidence types, shared by the run store (detail columns), the evidence
// package and the renderers. Pure; thread-safe.
#pragma once

#include "strata/commands.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace strata::session {

nlohmann::json CheckJson(const CheckResult& c);
CheckResult CheckFromJson(const nlohmann::json& j);
nlohmann::json ChecksJson(const std::vector<CheckResult>& cs);
std::vector<CheckResult> ChecksFromJson(const nlohmann::json& j);

}  // namespace strata::session
