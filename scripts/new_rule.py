#!/usr/bin/env python3
"""Scaffold a lint rule: src/lint/rules/<name>.{cc,md,test} plus one line in src/lint/rules.def.

usage: scripts/new_rule.py <FAMILY> <kebab-name> <severity> "<summary>" [--file-scope] [--opt-in]
                           [--size-sensitive] [--squawk <rule>]

The id is the family prefix plus the next free number in that family (ids are never reused).
Then: write the check in <name>.cc, the doc sections in <name>.md, the bad/good cases in
<name>.test, and run `ctest -R catalogue_test` (it fails until the doc and both cases exist).
Also regenerates docs/rules/README.md (the index) from rules.def.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES_DEF = os.path.join(ROOT, "src/lint/rules.def")
RULES_DIR = os.path.join(ROOT, "src/lint/rules")
FAMILIES = {"SY", "LK", "CN", "CL", "BC", "DM", "TX", "TY", "ST", "PO", "ID", "SQ"}
LINE = re.compile(r'STRATA_RULE\((\w+), "(\w+)", "([\w-]+)", k(\w+), k(\w+), (\w+), (\w+), "([^"]*)", "(.*)"\)$')


def rules():
    out = []
    for line in open(RULES_DEF):
        m = LINE.match(line.strip())
        if m:
            out.append(m.groups())
    return out


def write_index():
    fam = {"SY": "syntax and suppressions", "LK": "locking", "CN": "constraints", "CL": "columns",
           "BC": "breaking changes", "DM": "data changes", "TX": "transactions", "TY": "types",
           "ST": "style", "PO": "policy", "ID": "identifier contracts",
           "SQ": "SQLite (SQLite targets only)"}
    lines = ["# Lint rules", "",
             "Generated from src/lint/rules.def by scripts/new_rule.py --index; do not edit.",
             "Each rule's full doc is `strata lint --explain <id|name>` (src/lint/rules/<name>.md).", "",
             "| id | name | severity | family | default | squawk | summary |",
             "|---|---|---|---|---|---|---|"]
    for ident, rid, name, sev, scope, on, size, squawk, summary in rules():
        lines.append(f"| {rid} | [{name}](../../src/lint/rules/{name}.md) | {sev.lower()} | "
                     f"{fam[rid[:2]]} | {'on' if on == 'true' else 'opt-in'} | {squawk} | "
                     f"{summary.replace(chr(92) + chr(34), chr(34)).replace('|', '/')} |")
    with open(os.path.join(ROOT, "docs/rules/README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if sys.argv[1:] == ["--index"]:
        write_index()
        return 0
    p = argparse.ArgumentParser()
    p.add_argument("family")
    p.add_argument("name")
    p.add_argument("severity", choices=["error", "warning", "info"])
    p.add_argument("summary")
    p.add_argument("--file-scope", action="store_true")
    p.add_argument("--opt-in", action="store_true")
    p.add_argument("--size-sensitive", action="store_true")
    p.add_argument("--squawk", default="")
    a = p.parse_args()
    if a.family not in FAMILIES:
        sys.exit(f"family must be one of {sorted(FAMILIES)}")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a.name):
        sys.exit("name must be kebab-case")
    existing = rules()
    if any(r[2] == a.name for r in existing):
        sys.exit(f"rule {a.name} exists")
    nums = [int(r[1][2:]) for r in existing if r[1][:2] == a.family]
    rid = f"{a.family}{(max(nums) + 1) if nums else 101}"
    ident = "".join(w.capitalize() for w in a.name.split("-"))
    scope = "kFile" if a.file_scope else "kStatement"
    line = (f'STRATA_RULE({ident}, "{rid}", "{a.name}", k{a.severity.capitalize()}, {scope}, '
            f'{"false" if a.opt_in else "true"}, {"true" if a.size_sensitive else "false"}, '
            f'"{a.squawk}", "{a.summary}")\n')
    with open(RULES_DEF, "a") as f:
        f.write(line)
    base = os.path.join(RULES_DIR, a.name)
    with open(base + ".cc", "w") as f:
        f.write(f"""// {rid} {a.name}: {a.summary}. The doc is {a.name}.md; cases are in {a.name}.test.
#include "lint/rules/helpers.h"

namespace strata::lint {{

void Check{ident}(Context& ctx) {{
  using namespace rules;  // NOLINT
  // TODO: inspect ctx.facts(), ctx.body(), ctx.model(), ctx.state(); call ctx.Report(...).
  (void)ctx;
}}

}}  // namespace strata::lint
""")
    with open(base + ".md", "w") as f:
        f.write(f"""# {rid} {a.name}

{a.summary[0].upper() + a.summary[1:]}.

## Problem

## Lock

## Rewrite or scan

## Safe recipe

1.

## Bad

```sql
```

## Good

```sql
```
""")
    with open(base + ".test", "w") as f:
        f.write(f"""-- Cases for {rid} {a.name}. `-- case bad:` must be flagged by this rule, `-- case good:` must not.

-- case bad: TODO

-- case good: TODO
""")
    write_index()
    print(f"created {rid} {a.name}: {base}.{{cc,md,test}} and a rules.def line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
