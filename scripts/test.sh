#!/usr/bin/env bash
# Installs what is missing (including PostgreSQL 15 for the private test clusters), builds
# everything and runs every test. PostgreSQL tests are required here, never skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh" --test
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$root/build" -j"$(nproc)"
export STRATA_REQUIRE_PG=1
cd "$root/build"
ctest --output-on-failure -j"$(nproc)" --timeout 1200
