#!/usr/bin/env bash
# The main job: install what is missing, build strata, and migrate the example quote service
# on the embedded default (a SQLite file in the project), then show its state.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TESTS=OFF \
  -DSTRATA_BUILD_BENCH=OFF > /dev/null
cmake --build "$root/build" --target strata -j"$(nproc)"
cd "$root/examples/quote-service"
"$root/build/cli/strata" migrate
"$root/build/cli/strata" info
"$root/build/cli/strata" validate
