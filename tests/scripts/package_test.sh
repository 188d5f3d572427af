#!/usr/bin/env bash
# The Debian package as a user gets it: `cpack -G DEB` in the build tree, its Depends from
# dpkg-shlibdeps, then unpacked with `dpkg-deb -x` (no root, no dpkg database) and the binary run
# from it: --version, a SQLite migration, a man page, bash completion. And `cmake --install`
# to a prefix puts binary, man pages and completions in the usual places.
# Usage: package_test.sh <source dir> <build dir> <cmake> <cpack>
set -euo pipefail
src=$1 build=$2 cmake=$3 cpack=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cmake" --build "$build" --target strata_docs > /dev/null

# cmake --install: /usr/local-style layout under a prefix.
"$cmake" --install "$build" --prefix "$tmp/prefix" > /dev/null
for f in bin/strata share/man/man1/strata.1.gz share/man/man1/strata-migrate.1.gz \
  share/bash-completion/completions/strata share/zsh/site-functions/_strata \
  share/fish/vendor_completions.d/strata.fish; do
  [[ -e "$tmp/prefix/$f" ]] || fail "cmake --install did not install $f"
done

# cpack -G DEB
(cd "$tmp" && "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" > cpack.log 2>&1) ||
  { cat "$tmp/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$tmp"/pkg/strata_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libpq5 libsqlite3-0 libssl3 libfmt9 libtomlplusplus3 libc6 libstdc++6; do
  [[ ",$depends" == *" $lib "* || ",$depends" == *", $lib"* || "$depends" == "$lib"* ]] ||
    fail "Depends lacks $lib: $depends"
done
[[ "$(dpkg-deb -f "$deb" Package)" == strata ]] || fail "package name"

dpkg-deb -x "$deb" "$tmp/root"
bin="$tmp/root/usr/bin/strata"
[[ -x "$bin" ]] || fail "no usr/bin/strata in the package"
"$bin" --version | grep -q '0\.' || fail "strata --version from the package"
for f in usr/share/man/man1/strata.1.gz usr/share/man/man1/strata-lint.1.gz \
  usr/share/bash-completion/completions/strata usr/share/zsh/vendor-completions/_strata \
  usr/share/fish/vendor_completions.d/strata.fish; do
  [[ -e "$tmp/root/$f" ]] || fail "package lacks $f"
done
if dpkg-deb -c "$deb" | grep -q 'usr/include\|\.a$'; then fail "package ships headers or archives"; fi

# The packaged binary migrates the example on SQLite.
cp -r "$src/examples/quote-service" "$tmp/project"
(cd "$tmp/project" && "$bin" --url "sqlite:$tmp/project/pkg.db" migrate > /dev/null) ||
  fail "packaged strata migrate"
(cd "$tmp/project" && "$bin" --url "sqlite:$tmp/project/pkg.db" validate > /dev/null) ||
  fail "packaged strata validate"

# Its man page renders without warnings and names the verb's options.
page=$(MANWIDTH=100 man -l "$tmp/root/usr/share/man/man1/strata-migrate.1.gz" 2> "$tmp/man.err" | col -b)
[[ ! -s "$tmp/man.err" ]] || { cat "$tmp/man.err"; fail "man warnings"; }
grep -q -- '--dry-run' <<< "$page" || fail "strata-migrate(1) lacks --dry-run"
grep -q 'EXAMPLES' <<< "$page" || fail "strata-migrate(1) lacks EXAMPLES"

# Its bash completion completes a verb, a flag and a choice.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _strata; echo "${COMPREPLY[*]}"' \
    _ "$tmp/root/usr/share/bash-completion/completions/strata" "$@"
}
[[ "$(complete_words strata migr)" == migrate ]] || fail "completion of 'strata migr'"
[[ " $(complete_words strata migrate --dry)" == *" --dry-run"* ]] || fail "completion of --dry"
[[ "$(complete_words strata migrate --in-flight r)" == rerun ]] || fail "completion of a choice"
[[ "$(complete_words strata backfill r)" == "run resume" ]] || fail "completion of backfill r"
echo "ok: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
