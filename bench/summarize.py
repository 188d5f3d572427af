#!/usr/bin/env python3
"""Summarize a migrate-bench.sh results directory as markdown.

usage: summarize.py RESULTS_DIR      (reads RESULTS_DIR/json/<N>-<engine>-<kind>-<tool>.json)

Cells are min / median in seconds (no-op in milliseconds). Ratios use medians and minima;
targets (issue #2, "Performance"):
  * strata migrate (PostgreSQL) at or below the psql session floor      -> ratio <= 1.00
  * no-op (all N applied) at most 1.5x psql's own ledger read and at most 0.7x dbmate (issue 15)
                                                                        -> ratios of the no-op cells
  * strata migrate on SQLite at most 0.8x dbmate                         -> ratio <= 0.80
"""
import glob
import json
import os
import sys

TOOLS = ["floor", "strata", "strata-cold", "dbmate", "node-pg-migrate"]
LABEL = {
    "floor": "floor: one psql/sqlite3 session, BEGIN; file; ledger row; COMMIT; per file",
    "strata": "strata",
    "strata-cold": "strata, no stat cache (no-op reads every file)",
    "dbmate": "dbmate (native binary)",
    "node-pg-migrate": "node-pg-migrate (tx per migration)",
}
NOOP_LABEL = {"floor": "floor: one psql/sqlite3 process reading the ledger"}


def load(out):
    cells = {}
    for path in glob.glob(os.path.join(out, "json", "*.json")):
        n, engine, kind, tool = os.path.basename(path)[:-5].split("-", 3)
        with open(path) as f:
            r = json.load(f)["results"][0]
        # min, median, runs, mean CPU (user + system) of the timed process tree
        cells[(int(n), engine, kind, tool)] = (r["min"], r["median"], len(r["times"]),
                                               r["user"] + r["system"])
    return cells


def merge(dest, parts):
    """One hyperfine result from single-run parts (the interleaved migrate cells)."""
    results = []
    for path in parts:
        with open(path) as f:
            results.append(json.load(f)["results"][0])
    times = sorted(t for r in results for t in r["times"])
    mid = len(times) // 2
    median = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
    merged = dict(results[0])
    merged.update({
        "times": times, "min": times[0], "max": times[-1], "median": median,
        "mean": sum(times) / len(times),
        "user": sum(r["user"] for r in results) / len(results),
        "system": sum(r["system"] for r in results) / len(results),
    })
    with open(dest, "w") as f:
        json.dump({"results": [merged]}, f)


def fmt_s(c):
    return f"{c[0]:.3f} / {c[1]:.3f}" if c else "–"


def fmt_ms(c):
    return f"{c[0] * 1000:.1f} / {c[1] * 1000:.1f}" if c else "–"


def ratio(a, b):
    """median ratio (min ratio)"""
    if not a or not b:
        return "–"
    return f"{a[1] / b[1]:.2f}x ({a[0] / b[0]:.2f}x on minima)"


def verdict(ok):
    return "**met**" if ok else "**missed**"


def main():
    out = sys.argv[1]
    cells = load(out)
    ns = sorted({k[0] for k in cells}, reverse=True)
    lines = []
    machine = os.path.join(out, "machine.txt")
    if os.path.exists(machine):
        lines.append("```")
        lines += open(machine).read().rstrip("\n").split("\n")
        lines.append("```")
        lines.append("")
    for engine, title in (("pg", "PostgreSQL 15"), ("sqlite", "SQLite")):
        if not any(k[1] == engine for k in cells):
            continue
        lines.append(f"### {title}: min / median (migrate in s, no-op in ms)")
        lines.append("")
        head = "| tool |"
        rule = "|---|"
        for n in ns:
            head += f" migrate N={n} | no-op N={n} |"
            rule += "---:|---:|"
        lines += [head, rule]
        for tool in TOOLS:
            if not any(k[1] == engine and k[3] == tool for k in cells):
                continue
            row = f"| {LABEL[tool]} |"
            for n in ns:
                row += f" {fmt_s(cells.get((n, engine, 'migrate', tool)))} |"
                row += f" {fmt_ms(cells.get((n, engine, 'noop', tool)))} |"
            lines.append(row)
        lines.append("")
        runs = sorted({v[2] for k, v in cells.items() if k[1] == engine})
        lines.append(f"Runs per cell: {', '.join(map(str, runs))}. Floor no-op = "
                     f"{NOOP_LABEL['floor']}.")
        lines.append("")
        lines.append(f"Client CPU (user + system, mean per run, of the tool's own processes; "
                     f"the server's work is not in it):")
        lines.append("")
        lines += [head.replace("| tool |", "| tool (client CPU) |"), rule]
        for tool in TOOLS:
            if not any(k[1] == engine and k[3] == tool for k in cells):
                continue
            row = f"| {LABEL[tool]} |"
            for n in ns:
                for kind in ("migrate", "noop"):
                    c = cells.get((n, engine, kind, tool))
                    row += (f" {c[3]:.3f} s |" if kind == "migrate" else f" {c[3] * 1000:.1f} ms |") if c else " – |"
            lines.append(row)
        lines.append("")

    lines.append("### Ratios and targets")
    lines.append("")
    lines.append("| N | comparison | ratio: medians (minima) | target | verdict |")
    lines.append("|---:|---|---|---|---|")
    for n in ns:
        s_pg = cells.get((n, "pg", "migrate", "strata"))
        f_pg = cells.get((n, "pg", "migrate", "floor"))
        if s_pg and f_pg:
            lines.append(f"| {n} | strata / psql session floor, PostgreSQL migrate | "
                         f"{ratio(s_pg, f_pg)} | ≤ 1.00x | {verdict(s_pg[1] <= f_pg[1])} |")
        for peer in ("dbmate", "node-pg-migrate"):
            p = cells.get((n, "pg", "migrate", peer))
            if s_pg and p:
                lines.append(f"| {n} | strata / {peer}, PostgreSQL migrate | {ratio(s_pg, p)} | "
                             f"(faster than peers) | {verdict(s_pg[1] < p[1])} |")
        for engine in ("pg", "sqlite"):
            floor = cells.get((n, engine, "noop", "floor"))
            dbmate = cells.get((n, engine, "noop", "dbmate"))
            for tool, what in (("strata", "strata no-op"),
                               ("strata-cold", "strata no-op without stat cache")):
                c = cells.get((n, engine, "noop", tool))
                if not c:
                    continue
                lines.append(f"| {n} | {what}, {engine} (median / min) | "
                             f"{c[1] * 1000:.1f} ms / {c[0] * 1000:.1f} ms | (info) | – |")
                if tool != "strata":
                    continue
                if floor:
                    lines.append(f"| {n} | {what} / one psql reading the ledger, {engine} | "
                                 f"{ratio(c, floor)} | ≤ 1.50x | "
                                 f"{verdict(c[1] <= 1.5 * floor[1])} |")
                if dbmate:
                    lines.append(f"| {n} | {what} / dbmate's no-op, {engine} | {ratio(c, dbmate)} | "
                                 f"≤ 0.70x | {verdict(c[1] <= 0.7 * dbmate[1])} |")
        s_sq = cells.get((n, "sqlite", "migrate", "strata"))
        d_sq = cells.get((n, "sqlite", "migrate", "dbmate"))
        f_sq = cells.get((n, "sqlite", "migrate", "floor"))
        if s_sq and d_sq:
            lines.append(f"| {n} | strata / dbmate, SQLite migrate | {ratio(s_sq, d_sq)} | "
                         f"≤ 0.80x | {verdict(s_sq[1] <= 0.8 * d_sq[1])} |")
        if s_sq and f_sq:
            lines.append(f"| {n} | strata / sqlite3 session floor, SQLite migrate | "
                         f"{ratio(s_sq, f_sq)} | (info) | – |")
    lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--merge":
        merge(sys.argv[2], sys.argv[3:])  # summarize.py --merge DEST.json PART.json...
    else:
        main()
