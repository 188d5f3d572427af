// Renderers for the schema verbs' results: JSON (the machine twin, docs/json.md) and text.
// Integration point: these belong beside the others in src/report. Stateless; thread-safe.
#pragma once

#include "strata/schema.h"

#include <nlohmann/json.hpp>

#include <string>

namespace strata::schema {

nlohmann::json ToJson(const SchemaDumpResult& r, bool with_text);
nlohmann::json ToJson(const DriftResult& r);
nlohmann::json ToJson(const TestResult& r);
nlohmann::json ToJson(const DriftItem& d);

std::string ToText(const SchemaDumpResult& r);
std::string ToText(const DriftResult& r);
std::string ToText(const TestResult& r);
// One line per difference: "changed column public.t.c type: integer -> bigint".
std::string ItemText(const DriftItem& d);
// One observed-lock disagreement: "file:line: statement n: lock on t: the analyzer predicts ...".
std::string LockFindingText(const LockFinding& f);
// JUnit XML for CI systems: one test case per step.
std::string ToJunit(const TestResult& r);

}  // namespace strata::schema
