#!/usr/bin/env bash
# The README's two set-up commands in the order a newcomer runs them: scripts/demo.sh, then
# scripts/test.sh, in one checkout (one build directory). test.sh must then build and run the
# tests, and a run in which no test ran must fail, not pass green.
#
#   readme_commands_test.sh <source dir> <path of cmake> <path of ctest>
#
# The real demo.sh and test.sh run in a scratch checkout (symbolic links to the source tree,
# its own build directory) with the real CMake configure steps, and with stand-ins for what
# would make this test recurse or take an hour: install-deps.sh does nothing, `cmake --build`
# builds nothing, and ctest records its arguments and lists (-N) the tests the configured
# build would run.
set -euo pipefail
src=$1 real_cmake=$2 real_ctest=$3
scratch=$(mktemp -d "${TMPDIR:-/tmp}/strata-readme.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

root=$scratch/checkout
mkdir -p "$root/scripts" "$scratch/bin"
for entry in "$src"/* "$src"/.[!.]*; do
  name=$(basename "$entry")
  case $name in build*|.git|scripts) continue ;; esac
  [ -e "$entry" ] && ln -s "$entry" "$root/$name"
done
cp "$src/scripts/demo.sh" "$src/scripts/test.sh" "$root/scripts/"
printf '#!/bin/sh\nexit 0\n' > "$root/scripts/install-deps.sh"
cat > "$scratch/bin/cmake" <<STUB
#!/bin/sh
for a in "\$@"; do [ "\$a" = --build ] && exit 0; done
exec "$real_cmake" "\$@"
STUB
cat > "$scratch/bin/ctest" <<STUB
#!/bin/sh
printf '%s\n' "\$@" > "$scratch/ctest-args"
exec "$real_ctest" -N
STUB
chmod +x "$root/scripts/"*.sh "$scratch/bin/"*
export PATH=$scratch/bin:$PATH
cache=$root/build/CMakeCache.txt

# demo.sh configures without tests (and then fails here: nothing was built to run).
"$root/scripts/demo.sh" > "$scratch/demo.log" 2>&1 || true
grep -q '^STRATA_BUILD_TESTS:BOOL=OFF$' "$cache" || fail "demo.sh did not configure $root/build without tests: $(cat "$scratch/demo.log")"

"$root/scripts/test.sh" > "$scratch/test.log" 2>&1 || fail "test.sh failed: $(cat "$scratch/test.log")"
grep -q '^STRATA_BUILD_TESTS:BOOL=ON$' "$cache" \
  || fail "test.sh after demo.sh left the tests off: $(grep '^STRATA_BUILD_TESTS' "$cache")"
grep -qx -- '--no-tests=error' "$scratch/ctest-args" \
  || fail "test.sh runs ctest without --no-tests=error: $(tr '\n' ' ' < "$scratch/ctest-args")"
total=$(sed -n 's/^Total Tests: \([0-9]*\)$/\1/p' "$scratch/test.log")
[ "${total:-0}" -gt 0 ] || fail "test.sh's build registers no tests: $(tail -5 "$scratch/test.log")"
echo "ok: demo.sh then test.sh configures and runs $total tests"
