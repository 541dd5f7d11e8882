#!/usr/bin/env python3
"""The crate's module dependency graph: which module uses which, each name resolved to the
module that defines it (a `pub use` re-export is followed to its source), so a facade
that re-exports its children is not a cycle.

    python3 scripts/module_graph.py            # edges, grouped by module
    python3 scripts/module_graph.py --cycles   # only the cycles (exit 1 if any)

Reads the source as text (no compiler): `use crate::…`, `use super::…` and inline
`crate::a::b::Name` / `super::Name` paths.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

DEFINITION = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:unsafe\s+)?"
    r"(?:struct|enum|fn|type|const|static|trait|mod|union)\s+([A-Za-z_]\w*)",
    re.M,
)
MACRO = re.compile(r"^\s*macro_rules!\s*([A-Za-z_]\w*)", re.M)
USE = re.compile(r"^\s*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)
INLINE = re.compile(r"\b((?:crate|super)(?:::[A-Za-z_]\w*)+)")


def module_of(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return "::".join(["crate", *parts])


def strip_comments(text: str) -> str:
    """Comments out, and a file's unit tests (`#[cfg(test)] mod …`, at its end): what a
    module's tests use is not what the module depends on."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    tests = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: tests.start()] if tests else text


def expand(tree: str) -> list[str]:
    """`a::{b, c::{d, e}}` -> [`a::b`, `a::c::d`, `a::c::e`] (aliases dropped)."""
    tree = re.sub(r"\s+", "", tree)
    out: list[str] = []

    def walk(prefix: str, t: str) -> None:
        depth, start, items = 0, 0, []
        for i, ch in enumerate(t):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                items.append(t[start:i])
                start = i + 1
        items.append(t[start:])
        for item in filter(None, items):
            if "{" in item:
                head, rest = item.split("{", 1)
                walk(prefix + head, rest[: rest.rfind("}")])
            else:
                # `use a::b as c`: the path is what comes before ` as `.
                out.append(prefix + re.split(r"\s+as\s+", item.strip())[0])

    walk("", tree)
    return out


class Crate:
    def __init__(self) -> None:
        self.files = {module_of(p): p for p in sorted(SRC.rglob("*.rs"))}
        self.text = {m: strip_comments(p.read_text()) for m, p in self.files.items()}
        self.defined = {
            m: set(DEFINITION.findall(t)) | set(MACRO.findall(t)) for m, t in self.text.items()
        }
        # Re-exports: (module, name) -> the full path it stands for.
        self.reexports: dict[tuple[str, str], str] = {}
        for m, t in self.text.items():
            for vis, tree in USE.findall(t):
                if not vis:
                    continue
                for path in expand(tree):
                    full = self.absolute(m, path)
                    if full:
                        self.reexports[(m, full.split("::")[-1])] = full

    def absolute(self, module: str, path: str) -> str | None:
        parts = path.split("::")
        if parts[0] == "crate":
            return path
        if parts[0] in ("super", "self"):
            base = module.split("::")
            while parts and parts[0] in ("super", "self"):
                if parts.pop(0) == "super":
                    base = base[:-1]
            return "::".join(base + parts)
        if f"{module}::{parts[0]}" in self.files:  # a child module named directly
            return f"{module}::{path}"
        return None  # std, a dependency, or a local name

    def resolve(self, full: str, seen: int = 0) -> str | None:
        """The module defining the item `full` names (or the module itself)."""
        if full in self.files:
            return full
        parts = full.split("::")
        for cut in range(len(parts) - 1, 0, -1):
            module = "::".join(parts[:cut])
            if module in self.files:
                name = parts[cut]
                if f"{module}::{name}" in self.files:
                    return f"{module}::{name}"
                again = self.reexports.get((module, name))
                if again and again != full and seen < 10:
                    return self.resolve(again, seen + 1)
                return module
        return None

    def edges(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {m: set() for m in self.files}
        for m, t in self.text.items():
            paths = [p for _, tree in USE.findall(t) for p in expand(tree)]
            paths += INLINE.findall(t)
            for path in paths:
                full = self.absolute(m, path)
                target = self.resolve(full) if full else None
                # A module's own children are its parts, not its dependencies.
                if target and target != m and not target.startswith(m + "::"):
                    graph[m].add(target)
        return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", action="store_true", help="print only the cycles")
    args = ap.parse_args()
    graph = Crate().edges()
    found = cycles(graph)
    if not args.cycles:
        for m in sorted(graph):
            uses = ", ".join(t.removeprefix("crate::") for t in sorted(graph[m]))
            print(f"{m.removeprefix('crate::') or '(lib)'} -> {uses}")
    for c in found:
        print("cycle: " + " <-> ".join(m.removeprefix("crate::") for m in c))
    if args.cycles and not found:
        print("no cycle")
    return 1 if found else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # Piped into `head`: the reader has what it wanted.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
