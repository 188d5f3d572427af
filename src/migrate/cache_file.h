// The user's cache directory and the files strata keeps in it: the stat cache
// (migrate/stat_cache.h) and the verified-ledger cache (ledger/ledger_cache.h). A cache file is
// an optimisation: reading one that is missing, foreign or damaged yields nothing (the caller
// does the work it would have skipped), and writing one never fails a command.
//
// Trust: a cache file is read only when it is a regular file owned by the effective user that
// neither the group nor others can write; it is written with mode 0600 in a directory created
// 0700. Whoever can write it can also edit the user's own files. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::migrate {

// $STRATA_CACHE_DIR (set but empty: caching off, ""), else $XDG_CACHE_HOME/strata, else
// $HOME/.cache/strata; "" when none can be named.
std::string CacheDir();

// The bytes of `file` if it is a regular file of this user that nobody else can write ("" when
// it is absent, is not, or cannot be read). Never blocks on a FIFO; does not follow a link.
std::string ReadOwnCacheFile(const std::string& file);

// Replaces `file` with `bytes` atomically (a temporary file beside it, then rename), mode 0600,
// creating its directory and the one above it (mode 0700) when missing. False on any failure.
bool WriteCacheFile(const std::string& file, std::string_view bytes);

}  // namespace strata::migrate
