#!/usr/bin/env bash
# The main job: install what is missing, build strata, and migrate the example quote service
# on the embedded default (a SQLite file in the project), then show its state.
# Same build directory and build type as scripts/test.sh, so that either one run after the
# other rebuilds nothing it already built; tests are off here (their libraries come with
# `install-deps.sh --test`), and test.sh turns them back on.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_BUILD_TESTS=OFF \
  -DSTRATA_BUILD_BENCH=OFF > /dev/null
cmake --build "$root/build" --target strata -j"$(nproc)"
cd "$root/examples/quote-service"
"$root/build/cli/strata" migrate
"$root/build/cli/strata" info
"$root/build/cli/strata" validate
