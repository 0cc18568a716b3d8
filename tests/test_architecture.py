"""The package's shape, read from the source with `ast`: no import cycles (module-level or
deferred), every import in the direction of the data flow, and nothing at run time from
scikit-learn, from `training`, or from another library's private modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("classifier", "training")
# What each part of `classifier` may import from `classifier` (besides itself): the data flows
# extraction -> scoring -> bulk, and explain reads extraction and scoring; the shared helpers
# import nothing of the package; the package's doors (`__init__`, `cli`, `types`) import all.
LAYERS = {
    "classifier.extraction": {"classifier.hosts"},
    "classifier.scoring": {"classifier.hosts", "classifier.extraction"},
    "classifier.bulk": {"classifier.hosts", "classifier.cliargs", "classifier.extraction", "classifier.scoring"},
    "classifier.explain": {"classifier.extraction", "classifier.scoring"},
    "classifier.hosts": set(),
    "classifier.cliargs": set(),
}
RUNTIME_FORBIDDEN = ("sklearn", "scipy", "joblib", "training", "re._parser", "re._constants", "sre_parse", "sre_constants")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path) -> Iterator[str]:
    """Every module `name` imports, wherever the import statement is (also inside functions
    and `if TYPE_CHECKING:`)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {target for target in imports(name, path) if target in known and target != name} for name, path in known.items()}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.fixture(scope="module")
def edges() -> dict[str, set[str]]:
    return graph()


def test_no_import_cycles(edges: dict[str, set[str]]) -> None:
    assert len(edges) > 40
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _layer(name: str) -> str | None:
    return next((layer for layer in LAYERS if name == layer or name.startswith(layer + ".")), None)


@pytest.mark.parametrize("module", sorted(name for name in modules() if _layer(name)))
def test_imports_follow_the_data_flow(module: str, edges: dict[str, set[str]]) -> None:
    layer = _layer(module)
    assert layer is not None
    allowed = LAYERS[layer] | {layer}
    for target in edges[module]:
        if target.startswith("classifier"):
            assert _layer(target) in allowed, f"{module} imports {target}"


@pytest.mark.parametrize("module", sorted(name for name in modules() if name.startswith("classifier")))
def test_the_runtime_needs_no_scikit_learn_no_training_and_no_private_modules(module: str) -> None:
    for target in imports(module, modules()[module]):
        assert not target.startswith(RUNTIME_FORBIDDEN), f"{module} imports {target}"
