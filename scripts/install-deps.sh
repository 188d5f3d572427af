#!/usr/bin/env bash
# Installs strata's build and test dependencies from Debian 12 packages (run as root).
# Idempotent: apt skips what is already installed.
set -euo pipefail
# Headers and link libraries (the -dev packages), and the shared libraries strata runs with
# (libpq, OpenSSL, SQLite, fmt and toml++ are linked as Debian ships them, cmake/Dependencies.cmake;
# the -dev packages depend on them, they are named here because the binary needs them).
pkgs=(build-essential cmake git
      libpq-dev libssl-dev libsqlite3-dev libfmt-dev libtomlplusplus-dev
      libpg-query-dev libcli11-dev nlohmann-json3-dev
      libpq5 libssl3 libsqlite3-0 libfmt9 libtomlplusplus3
      sqlite3 python3)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(libgtest-dev libgmock-dev googletest libbenchmark-dev postgresql-15 postgresql-client-15 postgresql-15-pgtap)
  # strata import's tests run the real sqitch (tests/integration/import_test.cc)
  pkgs+=(sqitch libdbd-pg-perl libdbd-sqlite3-perl)
  # the man pages and the .deb are checked as users read them: man, groff, col; dpkg-shlibdeps
  # (dpkg-dev) computes the package's Depends
  pkgs+=(man-db groff-base bsdextrautils dpkg-dev)
  # and the real dbmate and Liquibase (import_test.cc): npm installs them into bench/ below;
  # Liquibase runs on Java, and on SQLite its sqlite-jdbc needs Debian's slf4j-api jar
  pkgs+=(libslf4j-java)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ "${1:-}" == "--test" ]]; then
  # By command, not package: a Node.js from elsewhere (its own npm) or another JRE will do, and
  # Debian's npm package would conflict with such a nodejs.
  command -v npm > /dev/null || missing+=(nodejs npm)
  command -v java > /dev/null || missing+=(default-jre-headless)
fi
if (( ${#missing[@]} )); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [[ "${1:-}" == "--test" ]]; then
  # bench/package.json pins the peer tools (dbmate, Liquibase 4.28.1, ...); bench/node_modules
  # is installed once per package-lock.json (a stamp keeps the hash). Best effort: without the
  # npm registry the real-tool import tests skip, saying so, and the rest still runs.
  bench=$(cd "$(dirname "$0")/../bench" && pwd)
  stamp="$bench/node_modules/.strata-lock-sha256"
  want=$(sha256sum "$bench/package-lock.json" | cut -d' ' -f1)
  if [[ "$(cat "$stamp" 2> /dev/null)" != "$want" ]]; then
    echo "install-deps: npm ci in $bench (dbmate, Liquibase for the import tests)" >&2
    # npm ci refuses a lock file without other platforms' optional binaries (@dbmate/darwin-*):
    # then npm install, which keeps the same pins.
    npm_flags=(--no-fund --no-audit --loglevel=error --fetch-retries=1 --fetch-timeout=60000)
    if (cd "$bench" && { timeout 900 npm ci "${npm_flags[@]}" 2> /dev/null \
          || timeout 900 npm install "${npm_flags[@]}"; }) >&2; then
      echo "$want" > "$stamp"
    else
      echo "install-deps: WARNING: npm could not install bench/package.json (is the npm" \
           "registry reachable?); the real dbmate and Liquibase import tests will skip" >&2
    fi
  fi
fi
