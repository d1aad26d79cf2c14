"""No import cycles: neither between files nor between the folders of any one folder.

Every ``import`` statement counts (those inside functions and ``TYPE_CHECKING`` blocks too):
a cycle hidden in a function is still two modules that cannot be understood apart. At every
folder depth the children of a folder (its modules and subfolders) form a graph, an arrow from
A to B when any file under A imports any file under B; that graph must have no cycle either,
so each folder's rooms can be read from the bottom up.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("acme_base", "processor", "projections", "streams", "apps", "acme_txn")

Graph = dict[str, set[str]]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    return {
        module_name(path, root): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
    }


def _resolve(name: str, known: dict[str, Path]) -> str:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def _targets(node: ast.AST, known: dict[str, Path]) -> Iterator[str]:
    """The project modules one statement imports (``from pkg import mod`` names ``pkg.mod``)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        names = [
            f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
            for alias in node.names
        ]
    else:
        return
    for name in names:
        if target := _resolve(name, known):
            yield target


def import_graph(known: dict[str, Path]) -> Graph:
    """Module -> the project modules it imports."""
    graph: Graph = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            graph[name].update(t for t in _targets(node, known) if t != name)
    return graph


def cycle_of(graph: Graph) -> list[str] | None:
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return None


def folder_graphs(graph: Graph) -> Iterator[tuple[str, Graph]]:
    """For each folder, the graph of its children (modules and subfolders)."""
    folders: dict[str, Graph] = defaultdict(lambda: defaultdict(set))
    for source, targets in graph.items():
        for target in targets:
            a, b = source.split("."), target.split(".")
            depth = 0
            while depth < min(len(a), len(b)) - 1 and a[depth] == b[depth]:
                depth += 1
            if depth >= min(len(a), len(b)) or a[depth] == b[depth]:
                continue  # a module importing its own folder's __init__, or the reverse
            folder = ".".join(a[:depth]) or "<root>"
            folders[folder][a[depth]].add(b[depth])
    yield from sorted(folders.items())


GRAPH = import_graph(modules())


def test_given_every_project_file_when_imports_are_followed_then_no_file_cycle() -> None:
    # GIVEN the arrows between the project's files WHEN sorted from the bottom up
    cycle = cycle_of(GRAPH)
    # THEN there is no cycle (shown as the files that close it)
    assert cycle is None, " -> ".join(cycle or [])


@pytest.mark.parametrize("folder", [name for name, _ in folder_graphs(GRAPH)])
def test_given_a_folder_when_its_children_import_each_other_then_no_cycle(folder: str) -> None:
    # GIVEN the children of one folder, an arrow where any file of one imports one of another
    children = dict(folder_graphs(GRAPH))[folder]
    # THEN those arrows never close a circle
    cycle = cycle_of(children)
    assert cycle is None, f"{folder}: " + " -> ".join(cycle or [])


def test_given_a_planted_cycle_when_checked_then_it_is_found(tmp_path: Path) -> None:
    # GIVEN a package whose two subfolders import each other (one of them inside a function)
    for name, body in {
        "pkg/__init__.py": "",
        "pkg/a/__init__.py": "",
        "pkg/a/x.py": "from pkg.b import y\n",
        "pkg/b/__init__.py": "",
        "pkg/b/y.py": "def f():\n    from pkg.a import x\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    graph = import_graph(modules(tmp_path, ("pkg",)))
    # THEN the files' cycle and the folders' cycle are both reported
    assert set(cycle_of(graph) or []) == {"pkg.a.x", "pkg.b.y"}
    assert set(cycle_of(dict(folder_graphs(graph))["pkg"]) or []) == {"a", "b"}
