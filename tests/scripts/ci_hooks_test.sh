#!/usr/bin/env bash
# Runs the exact commands of action.yml (its lint, migrate and validate steps) and of
# .pre-commit-hooks.yaml (strata-lint on the changed migrations its `files` pattern selects,
# strata-hash-check) on a copy of the example project, with the built strata first on PATH.
# Usage: ci_hooks_test.sh <source dir> <strata binary> <python3>
set -euo pipefail
src=$1 strata=$2 py=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$tmp/bin" && ln -s "$strata" "$tmp/bin/strata"
export PATH="$tmp/bin:$PATH"
unset STRATA_URL DATABASE_URL

# --- action.yml: the run: block of a step, by id.
step() {
  "$py" - "$src/action.yml" "$1" <<'PY'
import sys, yaml
for s in yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]:
    if s.get("id") == sys.argv[2]:
        print(s["run"])
PY
}
cp -r "$src/examples/quote-service" "$tmp/action"
cd "$tmp/action"
STRATA_FAIL_ON=error bash -e -c "$(step lint)" || fail "action lint step"
"$py" -c 'import json,sys; d=json.load(open("strata-lint.sarif")); assert d["version"]=="2.1.0", d' ||
  fail "strata-lint.sarif is not SARIF 2.1.0"
STRATA_URL="sqlite:$tmp/action/ci.db" bash -e -c "$(step migrate)" || fail "action migrate step"
STRATA_URL="sqlite:$tmp/action/ci.db" bash -e -c "$(step validate)" || fail "action validate step"
# validate fails the job when the ledger and the files disagree.
echo "-- edited after it ran" >> "$(ls db/migration/V*.sql | head -1)"
strata hash > /dev/null
if STRATA_URL="sqlite:$tmp/action/ci.db" bash -e -c "$(step validate)" > /dev/null 2>&1; then
  fail "action validate step passed on an edited applied migration"
fi

# --- .pre-commit-hooks.yaml: entry, files pattern, pass_filenames.
hook() {  # hook <id> <changed file>...: runs the hook as pre-commit would; prints its exit code
  "$py" - "$src/.pre-commit-hooks.yaml" "$@" <<'PY'
import re, shlex, subprocess, sys
hooks = {h["id"]: h for h in __import__("yaml").safe_load(open(sys.argv[1]))}
h = hooks[sys.argv[2]]
files = [f for f in sys.argv[3:] if re.search(h["files"], f)]
if not files:
    print("skipped"); sys.exit(0)
cmd = shlex.split(h["entry"]) + (files if h.get("pass_filenames", True) else [])
print(subprocess.run(cmd, stdout=sys.stderr).returncode)
PY
}
cp -r "$src/examples/quote-service" "$tmp/hooks"
cd "$tmp/hooks"
[[ "$(hook strata-lint strata.toml README.md)" == skipped ]] || fail "strata-lint ran on non-migrations"
[[ "$(hook strata-hash-check strata.toml)" == skipped ]] || fail "hash check ran on strata.toml"
m=db/migration/V900__add_quote_note.sql
echo "ALTER TABLE quote ADD COLUMN note text;" > "$m"
[[ "$(hook strata-hash-check "$m")" == 3 ]] || fail "hash check passed a migration missing from strata.sum"
strata hash > /dev/null
[[ "$(hook strata-hash-check "$m" db/migration/strata.sum)" == 0 ]] || fail "hash check after strata hash"
[[ "$(hook strata-lint "$m")" == 0 ]] || fail "strata-lint on a safe migration"
bad=db/migration/V901__index_quote_note.sql
echo "CREATE INDEX quote_note_idx ON quote (note);" > "$bad"
rc=$(hook strata-lint "$bad" 2> /dev/null)
[[ "$rc" == 7 ]] || fail "strata-lint on a blocking CREATE INDEX: exit $rc, expected 7"
echo ok
