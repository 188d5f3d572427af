// SQLite driver (libsqlite3). The migration lock is an exclusive flock(2) on a sidecar file
// "<database>-strata.lock" that also records the holder; the kernel releases it when the
// process dies. An in-memory database needs no lock.
#pragma once

#include "db/connection.h"

#include <memory>

namespace strata::db {

Result<std::unique_ptr<Connection>> OpenSqlite(const DbUrl& url);

}  // namespace strata::db
