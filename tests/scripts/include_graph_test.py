#!/usr/bin/env python3
"""The layering of src/ as the build declares it, checked against the code and the docs.

1. Every `#include "x/..."` in src/<lib>/ (unit tests beside the code excepted: they link
   everything) names a header of <lib> itself or of a library <lib> links, directly or
   through others, per strata_library(<lib> ... DEPS ...) in src/CMakeLists.txt and
   src/*/CMakeLists.txt. A header of a library it does not link is a layering violation even
   when the final binary happens to link both. The compiler refuses it too (each library's
   include path is its own folder and those of what it links, CMakeLists.txt strata_library);
   this check says the same without a build.
2. ARCHITECTURE.md's dependency graph (the ```deps block: `lib → dep, dep`) lists exactly the
   direct strata_* dependencies the build declares, library for library.

Usage: include_graph_test.py <source dir>. Exit 0 when both hold; otherwise each violation is
printed as file:line: message, and the exit status is 1.
"""
import os
import re
import sys


def declared_graph(src):
    """{lib: set(direct deps)} from every strata_library() call under src/."""
    graph = {}
    files = [os.path.join(src, "CMakeLists.txt")]
    for d in sorted(os.listdir(src)):
        p = os.path.join(src, d, "CMakeLists.txt")
        if os.path.isfile(p):
            files.append(p)
    for path in files:
        text = open(path, encoding="utf-8").read()
        text = re.sub(r"#[^\n]*", "", text)
        for m in re.finditer(r"strata_library\(\s*(\w+)([^)]*)\)", text):
            name, body = m.group(1), m.group(2).split()
            deps = set()
            if "DEPS" in body:
                for tok in body[body.index("DEPS") + 1:]:
                    if tok.startswith("strata_"):
                        deps.add(tok[len("strata_"):])
            graph[name] = deps
    return graph


def closure(graph, lib):
    seen, todo = set(), [lib]
    while todo:
        for d in graph.get(todo.pop(), ()):
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def check_includes(src, graph):
    errors = []
    include = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
    for lib in sorted(graph):
        allowed = closure(graph, lib) | {lib}
        root = os.path.join(src, lib)
        for dirpath, _, names in os.walk(root):
            for n in sorted(names):
                if not n.endswith((".h", ".cc")) or n.endswith("_test.cc"):
                    continue
                path = os.path.join(dirpath, n)
                for no, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
                    m = include.match(line)
                    if not m or m.group(1) == "strata":
                        continue
                    used = m.group(1)
                    if used not in graph:
                        if os.path.isdir(os.path.join(src, used)):
                            errors.append(f"{path}:{no}: src/{used}/ is not a library")
                        continue
                    if used not in allowed:
                        errors.append(
                            f"{path}:{no}: strata_{lib} includes a header of strata_{used}, which "
                            f"it does not link (add strata_{used} to its DEPS if the layering "
                            f"allows it, or move the code)")
    return errors


def documented_graph(arch_path):
    text = open(arch_path, encoding="utf-8").read()
    m = re.search(r"```deps\n(.*?)```", text, re.S)
    if not m:
        return None, text
    graph = {}
    for line in m.group(1).splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        lhs, _, rhs = line.partition("→")
        deps = {d.strip() for d in rhs.split(",") if d.strip() and d.strip() != "—"}
        graph[lhs.strip()] = deps
    return graph, text


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    src = os.path.join(root, "src")
    graph = declared_graph(src)
    errors = check_includes(src, graph)
    arch = os.path.join(root, "ARCHITECTURE.md")
    doc, _ = documented_graph(arch)
    if doc is None:
        errors.append(f"{arch}:1: no ```deps block with the dependency graph")
    else:
        for lib in sorted(set(graph) | set(doc)):
            if graph.get(lib) != doc.get(lib):
                errors.append(
                    f"{arch}:1: {lib}: the build links {sorted(graph.get(lib, []))}, "
                    f"ARCHITECTURE.md says {sorted(doc.get(lib, []))}")
    for e in errors:
        print(e)
    if not errors:
        print(f"ok: {len(graph)} libraries, includes and ARCHITECTURE.md agree with the build")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
