// Who and where this process runs, for ledger rows, lock holders and evidence. Thread-safe.
#pragma once

#include <string>

namespace strata::base {

// The OS account running strata: $USER, else $LOGNAME, else the password database entry of the
// effective uid (getpwuid_r; environments such as containers and cron often set neither
// variable), else "uid <n>". Never empty.
std::string OsUser();

// The host name (gethostname), or "unknown-host" when it cannot be read.
std::string HostName();

}  // namespace strata::base
