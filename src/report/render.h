// Renderers over the command result structs: JSON (the machine twin of every verb) and text
// for humans (compiler-style errors with the next step). Every string goes through secret
// redaction here, not at call sites. Stateless; thread-safe.
#pragma once

#include "strata/commands.h"

#include <nlohmann/json.hpp>

#include <string>

namespace strata::report {

// The `error` object of every --json output (docs/json.md): null for ok, else
// {code, exit_code, message, hint, file, line, column, sqlstate}, every key present (null when
// the error has no such part).
nlohmann::json StatusJson(const Status& s);

// The envelope every --json output has (docs/json.md): an object with `ok` (bool) and `error`
// (StatusJson) beside the verb's own fields, which keep their names. `j` that is not an object
// goes under `result`. An `ok` the verb set is kept (a verb may be not ok without an error, e.g.
// validate's issues); an `error` is always the one of `s` when `s` is not ok.
nlohmann::json Envelope(nlohmann::json j, const Status& s);
nlohmann::json ToJson(const MigrateResult& r);
nlohmann::json ToJson(const InfoResult& r);
nlohmann::json ToJson(const ValidateResult& r);
nlohmann::json ToJson(const RepairResult& r);
nlohmann::json ToJson(const BaselineResult& r);
nlohmann::json ToJson(const HashResult& r);
nlohmann::json ToJson(const WaitResult& r);
nlohmann::json ToJson(const Event& e);

// "file:line:col: error[code]: message\n  hint: ...". Empty for ok.
std::string ErrorText(const Status& s);
std::string ToText(const MigrateResult& r);
// `list_applied` false: the per-migration lines were already shown as progress on the same
// terminal; only notes the progress line lacks (resumed, no transaction) and the total remain.
std::string ToText(const MigrateResult& r, bool list_applied);
// `color`: states in ANSI colour (applied green, pending cyan, failed/missing red, ...).
std::string ToText(const InfoResult& r, bool color = false);
std::string ToText(const ValidateResult& r);
std::string ToText(const RepairResult& r);
std::string ToText(const BaselineResult& r);
std::string ToText(const HashResult& r);
std::string ToText(const WaitResult& r);

// Serialises JSON with secrets redacted in every string value.
std::string Dump(nlohmann::json j);  // by value: pass temporaries, they are redacted in place

}  // namespace strata::report
