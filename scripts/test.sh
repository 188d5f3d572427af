#!/usr/bin/env bash
# Installs what is missing (including PostgreSQL 15 for the private test clusters), builds
# everything and runs every test. PostgreSQL tests are required here, never skipped.
# Tests and benchmarks are configured on explicitly: the build directory may come from
# scripts/demo.sh, whose -DSTRATA_BUILD_TESTS=OFF stays in the CMake cache; and a run in which
# no test ran fails (--no-tests=error) instead of passing green.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh" --test
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSTRATA_BUILD_TESTS=ON -DSTRATA_BUILD_BENCH=ON > /dev/null
cmake --build "$root/build" -j"$(nproc)"
export STRATA_REQUIRE_PG=1
cd "$root/build"
ctest --output-on-failure --no-tests=error -j"$(nproc)" --timeout 1200
