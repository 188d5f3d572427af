// Renderers over the command result structs: JSON (the machine twin of every verb) and text
// for humans (compiler-style errors with the next step). Every string goes through secret
// redaction here, not at call sites. Stateless; thread-safe.
#pragma once

#include "strata/commands.h"

#include <nlohmann/json.hpp>

#include <string>

namespace strata::report {

nlohmann::json StatusJson(const Status& s);
nlohmann::json ToJson(const MigrateResult& r);
nlohmann::json ToJson(const InfoResult& r);
nlohmann::json ToJson(const ValidateResult& r);
nlohmann::json ToJson(const RepairResult& r);
nlohmann::json ToJson(const BaselineResult& r);
nlohmann::json ToJson(const HashResult& r);
nlohmann::json ToJson(const Event& e);

// "file:line:col: error[code]: message\n  hint: ...". Empty for ok.
std::string ErrorText(const Status& s);
std::string ToText(const MigrateResult& r);
std::string ToText(const InfoResult& r);
std::string ToText(const ValidateResult& r);
std::string ToText(const RepairResult& r);
std::string ToText(const BaselineResult& r);
std::string ToText(const HashResult& r);

// Serialises JSON with secrets redacted in every string value.
std::string Dump(nlohmann::json j);  // by value: pass temporaries, they are redacted in place

}  // namespace strata::report
