"""The layer rule of docs/concepts/architecture.md, kept by the imports themselves.

Every import between act2answer's files (module level or inside a function;
not those under ``if TYPE_CHECKING:``, which never run) is read from the
source with :mod:`ast`. The files must not import each other in a
circle, and a package may import only packages on its own layer or below, with
the single exception listed in ``ALLOWED_UPWARD``. A subprocess then imports
each layer alone and checks that nothing from a higher layer was loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "act2answer"

#: Bottom to top. A package may import its own layer and the layers below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("act2answer", "errors"),
    ("interfaces", "_registry"),
    ("suite", "policies"),
    ("sim", "client", "serve", "synth", "sources", "review", "adapters"),
    ("interop", "eval", "vlm", "model_envs"),
    ("store",),
    ("runner", "quality"),
    ("analysis",),
    ("probing",),
    ("report",),
    ("api", "cli", "demo", "gym_env", "testing", "lab"),
)
#: (importer package, imported package) pairs allowed to run back up a layer.
ALLOWED_UPWARD: frozenset[tuple[str, str]] = frozenset()
#: Heavy third-party modules a layer must not load just by being imported.
LIGHT_PACKAGES = ("client", "serve", "errors", "interfaces", "policies")
HEAVY_MODULES = ("mujoco", "scipy", "torch", "matplotlib", "jinja2")

LAYER_OF = {package: index for index, names in enumerate(LAYERS) for package in names}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (imports for type hints only)."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


def _import_edges() -> dict[str, set[str]]:
    modules = _modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        for node in _runtime_nodes(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    targets.append(submodule if submodule in modules else node.module)
            for target in targets:
                if target.startswith("act2answer"):
                    found = owner(target)
                    if found is not None and found != module:
                        edges[module].add(found)
    return edges


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(_modules()):
        if node not in index:
            visit(node)
    return found


def test_every_package_has_a_layer() -> None:
    packages = {_package(module) for module in _modules()}
    assert packages - set(LAYER_OF) == set()


def test_no_import_circle_between_files() -> None:
    assert _cycles(_import_edges()) == []


def test_imports_run_down_the_layers() -> None:
    upward = set()
    for module, targets in _import_edges().items():
        for target in targets:
            source_package, target_package = _package(module), _package(target)
            if LAYER_OF[target_package] > LAYER_OF[source_package]:
                upward.add((source_package, target_package, module, target))
    assert {(a, b) for a, b, _, _ in upward} <= ALLOWED_UPWARD, sorted(upward)
    assert len(ALLOWED_UPWARD) <= 1


_ISOLATION_SCRIPT = """
import importlib, json, pkgutil, sys
import act2answer
packages = json.loads(sys.argv[1])
for name in packages:
    module = importlib.import_module("act2answer." + name if name != "act2answer" else name)
loaded = sorted({m.split(".")[1] for m in sys.modules if m.startswith("act2answer.")})
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"loaded": loaded, "heavy": heavy}))
"""


@pytest.mark.parametrize("layer", range(len(LAYERS)))
def test_each_layer_imports_alone(layer: int) -> None:
    names = [
        name
        for name in LAYERS[layer]
        if name != "act2answer" and ((SRC / name).is_dir() or (SRC / f"{name}.py").exists())
    ]
    completed = subprocess.run(
        [sys.executable, "-c", _ISOLATION_SCRIPT, json.dumps(names), json.dumps(HEAVY_MODULES)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(completed.stdout)["loaded"]
    above = [name for name in loaded if LAYER_OF.get(name, -1) > layer]
    assert above == [], f"importing layer {layer} loaded higher layers {above}"


def test_the_light_side_loads_no_simulator_or_model_stack() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            _ISOLATION_SCRIPT,
            json.dumps(LIGHT_PACKAGES),
            json.dumps(HEAVY_MODULES),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(completed.stdout)["heavy"] == []
