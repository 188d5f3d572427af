// PostgreSQL driver (libpq). Statements of a batch are pipelined (libpq pipeline mode) so a
// whole migration costs one round trip. The migration lock is a session-level advisory lock
// on this connection, taken with pg_try_advisory_lock (never a blocking waiter, never an open
// transaction), so it disappears with the session if the runner dies.
// libpq itself is loaded on the first connection (libpq.h), never at startup.
#pragma once

#include "db/connection.h"

#include <memory>

namespace strata::db {

// Connects to `url` (loading libpq on the first call). Errors (kConnection): libpq cannot be
// loaded (what is missing and the package that installs it), or the server refused or is
// unreachable (the redacted URL and libpq's reason).
Result<std::unique_ptr<Connection>> ConnectPostgres(const DbUrl& url, std::string_view application);

// Loads libpq now if it is not loaded (see LoadDriver in connection.h); errors are ignored.
void LoadPostgresDriver();

// The advisory-lock key used for a lock name (stable across versions: never change it).
std::int64_t AdvisoryKey(std::string_view lock_name);

}  // namespace strata::db
