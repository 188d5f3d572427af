// Renderers of `strata plan`'s result: JSON (the machine twin) and the Markdown runbook for
// people. Strings are redacted by report::Dump / here. Stateless; thread-safe.
#pragma once

#include "strata/commands.h"

#include <nlohmann/json.hpp>

#include <string>

namespace strata::plan {

nlohmann::json ToJson(const PlanResult& r);
// The runbook: one Markdown document for every release in the plan.
std::string ToMarkdown(const PlanResult& r);

}  // namespace strata::plan
