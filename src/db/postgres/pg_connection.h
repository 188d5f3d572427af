// PostgreSQL driver (libpq). Statements of a batch are pipelined (libpq pipeline mode) so a
// whole migration costs one round trip. The migration lock is a session-level advisory lock
// on this connection, taken with pg_try_advisory_lock (never a blocking waiter, never an open
// transaction), so it disappears with the session if the runner dies.
#pragma once

#include "db/connection.h"

#include <memory>

namespace strata::db {

// Connects to `url`. Errors (kConnection): the server refused or is unreachable (the redacted
// URL and libpq's reason).
Result<std::unique_ptr<Connection>> ConnectPostgres(const DbUrl& url, std::string_view application);

// The advisory-lock key used for a lock name (stable across versions: never change it).
std::int64_t AdvisoryKey(std::string_view lock_name);

}  // namespace strata::db
