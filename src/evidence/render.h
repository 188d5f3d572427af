// Renderers for the evidence verbs' results (verify, tag, evidence, evidence verify):
// JSON (the machine twin) and text / Markdown for people. Strings are redacted by
// report::Dump / here. Integration point: these belong beside the others in src/report once
// that folder takes capability results. Stateless; thread-safe.
#pragma once

#include "strata/commands.h"

#include <nlohmann/json.hpp>

#include <string>

namespace strata::evidence {

nlohmann::json ToJson(const VerifyResult& r);
nlohmann::json ToJson(const TagResult& r);
nlohmann::json ToJson(const EvidenceResult& r);
nlohmann::json ToJson(const EvidenceVerifyResult& r);

std::string ToText(const VerifyResult& r);
std::string ToText(const TagResult& r);
std::string ToText(const EvidenceVerifyResult& r);

}  // namespace strata::evidence
