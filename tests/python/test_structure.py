"""The structure holds: the change table is the one list of change kinds (every list on the
Python side agrees with it), no module of the crate or of the Python package imports one
that imports it back, no Python outside the bindings, and every source file stays under
700 lines."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys

import hackamore
import pytest
from hackamore import _native, jsonout
from hackamore.compat import Manifold, Model, ModelStandard, View

from .conftest import ROOT

CHANGES = _native.CHANGES
KINDS_2014 = [name for name, (_, params, _) in CHANGES.items() if params is not None]


def parameters(method: object) -> list[str]:
    return [p for p in inspect.signature(method).parameters if p != "self"]  # type: ignore[arg-type]


def test_hook_names_and_json_kinds_are_the_tables() -> None:
    assert list(CHANGES) == hackamore.HOOK_NAMES == _native.HOOK_NAMES
    assert jsonout.KINDS == {name: kind for name, (_, _, kind) in CHANGES.items()}
    schema = jsonout.SCHEMA["properties"]
    assert schema["change"]["enum"] == sorted(CHANGES)
    # The first nineteen are the 2014 framework's hooks (and compat's), in its order.
    assert KINDS_2014 == list(CHANGES)[: len(KINDS_2014)] and len(KINDS_2014) == 19


@pytest.mark.parametrize("name", KINDS_2014)
def test_compat_hooks_take_the_tables_arguments(name: str) -> None:
    fields, params, _ = CHANGES[name]
    assert params is not None
    assert parameters(getattr(Model.Model, name)) == params
    assert parameters(getattr(ModelStandard.ModelStandard, name)) == params
    assert Manifold.MODEL_ARGS[name] == tuple(params)
    view = [f for f in fields if f != "linkedid"]
    assert parameters(getattr(View.View, name)) == view == list(Manifold.VIEW_ARGS[name])


def test_compat_has_no_hook_beyond_the_2014_kinds() -> None:
    beyond = set(CHANGES) - set(KINDS_2014)
    for cls in (Model.Model, View.View):
        assert not beyond & set(vars(cls)), cls


def test_the_crate_has_no_module_cycle() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "module_graph.py"), "--cycles"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and run.stdout.strip() == "no cycle", run.stdout


# The layers, lowest first: a module may use its own layer's folder and those below.
LAYERS = {
    "ami": 0,
    "source": 1,
    "model": 1,
    "config": 2,
    "engine": 2,
    "standin": 2,
    "bench": 2,
    "python": 3,
}


def test_no_module_uses_one_of_a_higher_or_sibling_layer() -> None:
    graph = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "module_graph.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    upward = []
    for line in graph.splitlines():
        module, _, used = line.partition(" -> ")
        top = module.split("::")[0]
        for other in filter(None, used.split(", ")):
            below = other.split("::")[0]
            if top in LAYERS and below in LAYERS and below != top:
                if LAYERS[below] >= LAYERS[top]:
                    upward.append(f"{module} -> {other}")
    assert upward == []
    assert "source::socket -> " in graph  # the graph names modules as the test expects


def test_python_is_only_in_the_bindings() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "src").rglob("*.rs")
        if "python" not in p.relative_to(ROOT / "src").parts
        and re.search(r"\bpyo3\b", p.read_text())
    ]
    assert offenders == []


SOURCES = ["src", "python", "tests", "benches", "fuzz/fuzz_targets", "scripts"]
CODE = {".rs", ".py", ".pyi", ".sh"}


def test_every_source_file_is_under_700_lines() -> None:
    long = {}
    for top in SOURCES:
        for p in (ROOT / top).rglob("*"):
            if p.suffix in CODE and not {"fixtures", "target"} & set(p.parts) and p.is_file():
                n = len(p.read_text().splitlines())
                if n >= 700:
                    long[str(p.relative_to(ROOT))] = n
    assert long == {}
    assert len((ROOT / "README.md").read_text().splitlines()) < 200


def package_imports() -> dict[str, set[str]]:
    """Each module of python/hackamore and the package's modules it imports, at the top
    or inside a function (a lazy import is still a dependency)."""
    top = ROOT / "python"
    graph: dict[str, set[str]] = {}
    for path in (top / "hackamore").rglob("*.py"):
        parts = list(path.relative_to(top).with_suffix("").parts)
        package = parts[:-1]  # what a relative import starts from
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        uses: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package[: len(package) - node.level + 1], base]).strip(".")
                for alias in node.names:
                    uses.add(f"{base}.{alias.name}")
                    uses.add(base)
            elif isinstance(node, ast.Import):
                uses.update(alias.name for alias in node.names)
        graph[name] = {u for u in uses if u.startswith("hackamore")}
    modules = set(graph)
    return {m: {u for u in uses if u in modules and u != m} for m, uses in graph.items()}


def test_no_module_of_the_python_package_imports_one_that_imports_it_back() -> None:
    graph = package_imports()
    assert "hackamore.cli.live" in graph and "hackamore.cli.broker" in graph["hackamore.cli.live"]
    # Packages re-export their modules: a module importing its own package's facade is
    # not a cycle of code.
    cycles = sorted(
        (a, b)
        for a, uses in graph.items()
        for b in uses
        if a < b
        and a in graph.get(b, set())
        and not a.startswith(b + ".")
        and not b.startswith(a + ".")
    )
    assert cycles == []
