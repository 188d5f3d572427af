// SQLite driver (libsqlite3). A lock (the migration lock, a backfill job's) is an exclusive
// flock(2) on a sidecar file "strata-<device>-<inode>-<lock name>.lock" beside the database
// file, which also records the holder: keyed on the file's identity, so every path to the same
// database (symbolic link, relative path, hard link in the same directory) takes the same lock.
// The kernel releases it when the process dies. An in-memory database needs no lock.
#pragma once

#include "db/connection.h"

#include <memory>

namespace strata::db {

Result<std::unique_ptr<Connection>> OpenSqlite(const DbUrl& url);

}  // namespace strata::db
