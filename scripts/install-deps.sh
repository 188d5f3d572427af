#!/usr/bin/env bash
# Installs strata's build and test dependencies from Debian 12 packages (run as root).
# Idempotent: apt skips what is already installed.
set -euo pipefail
# libpq is linked statically: libpq-dev's libpq.a needs postgresql-server-dev-15's
# libpgcommon/libpgport archives, and its Kerberos and LDAP calls the headers of libkrb5-dev and
# libldap-dev (cmake/Dependencies.cmake).
pkgs=(build-essential cmake pkg-config git
      libpq-dev postgresql-server-dev-15 libkrb5-dev libldap-dev
      libsqlite3-dev libpg-query-dev libcli11-dev libtomlplusplus-dev
      nlohmann-json3-dev libfmt-dev libssl-dev sqlite3 python3)
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(libgtest-dev libgmock-dev googletest libbenchmark-dev postgresql-15 postgresql-client-15)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# libpq.a and postgresql-server-dev's archives are linked together: installed together, they
# come from the same PostgreSQL release (apt upgrades an older libpq-dev named here).
if [[ " ${missing[*]} " == *" postgresql-server-dev-15 "* && " ${missing[*]} " != *" libpq-dev "* ]]; then
  missing+=(libpq-dev)
fi
if (( ${#missing[@]} )); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
