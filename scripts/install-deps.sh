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
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
