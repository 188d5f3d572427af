// Statements of a non-transactional migration (`-- strata:transaction off`) as the executor
// runs them: which only set session state (replayed before a resume),
// and — for a statement that was sent when the run was interrupted — whether it took effect,
// decided from the database itself. Pure apart from the catalog queries; not thread-safe
// (uses the caller's connection).
#pragma once

#include "db/connection.h"

#include <string>
#include <string_view>

namespace strata::engine {

// Whether `sql` only sets state of the session (PostgreSQL SET/RESET outside a transaction's
// scope, SET ROLE, SET SESSION AUTHORIZATION; SQLite `PRAGMA name = value`): a resumed run on
// a new connection replays these from the completed prefix before it continues.
bool IsSessionSetting(std::string_view sql, db::Dialect dialect);

// What the database says about a statement that was sent but whose completion was never
// recorded (the process was killed, the connection dropped).
struct InFlightVerdict {
  enum class Outcome {
    kTookEffect,  // its effect is in the database: count it as done
    kNotRun,      // no trace of it: run it (again)
    kRerunSafe,   // running it again is harmless (VACUUM, ANALYZE, ALTER SYSTEM, PRAGMA, ...)
    kUnknown,     // strata cannot tell; `evidence` says what it saw, `hint` what to do by hand
  };
  Outcome outcome = Outcome::kUnknown;
  std::string evidence;  // one sentence: "index quote_idx on quote exists and is valid"
  std::string hint;      // for kUnknown: the exact command(s) that finish it by hand
};

// Looks in the catalog for the effect of `sql`. Errors only when the catalog query itself
// fails (connection lost).
Result<InFlightVerdict> JudgeInFlight(db::Connection& conn, std::string_view sql);

}  // namespace strata::engine
