"""The layout's rules (docs/architecture.md), checked on the source:

- the imports between mlgate's modules form no cycle (function-level imports count; imports
  under `if TYPE_CHECKING:` do not, they never run);
- the core (every module outside mlgate/hooks/) never imports a hook: it reaches hooks only
  through their catalog entries (importlib, by name), and the catalog imports none;
- a hook never imports another hook's package;
- `mlgate --help`, every hook's command without paths, and `mlgate secrets` on a clean file
  import neither Presidio nor spaCy (start-up is part of the product).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlgate import catalog

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mlgate"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under `node`, at any depth, except in `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        yield from _visit(child)


def _visit(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for other in node.orelse:  # the `else:` branch does run
            yield from _visit(other)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _import_nodes(node)


def _resolve(name: str) -> str | None:
    """The mlgate module an imported dotted name stands for (the longest known prefix)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """The mlgate modules `module` imports (at module or function level)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the module pkg.sub when there is one
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        for target in targets:
            if target == "mlgate" or target.startswith("mlgate."):
                found = _resolve(target)
                if found is not None and found != module:
                    out.add(found)
    return out


GRAPH: dict[str, set[str]] = {m: imports_of(m) for m in MODULES}


def _hook_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) >= 3 and parts[:2] == ["mlgate", "hooks"] else None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_the_packages() -> None:
    """A sanity check of the parser itself: known edges are there."""
    assert "mlgate.hooks.pii.engine" in GRAPH["mlgate.hooks.pii.check"]
    assert "mlgate.catalog" in MODULES and "mlgate.hooks.pii.check" in MODULES
    # function-level imports count; those under `if TYPE_CHECKING:` do not
    assert "mlgate.hooks.pii.presidio_recognizers" in GRAPH["mlgate.hooks.pii.presidio"]
    assert "mlgate.policy" not in GRAPH["mlgate.hooks.pii.engine"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_form_no_cycle() -> None:
    cycles = _cycles(GRAPH)
    detail = [" -> ".join(c) + "; edges: " + ", ".join(
        f"{a} -> {b}" for a in c for b in sorted(GRAPH[a]) if b in c) for c in cycles]
    assert not cycles, "import cycles:\n" + "\n".join(detail)


def test_the_core_never_imports_a_hook() -> None:
    bad = sorted(f"{m} imports {t}" for m, targets in GRAPH.items() if _hook_of(m) is None
                 for t in targets if t.startswith("mlgate.hooks"))
    assert not bad, "the core reaches hooks only through the catalog:\n" + "\n".join(bad)


def test_the_catalog_imports_no_hook() -> None:
    assert not {t for t in GRAPH["mlgate.catalog"] if t.startswith("mlgate.hooks")}


def test_hooks_never_import_each_other() -> None:
    bad = sorted(f"{m} imports {t}" for m, targets in GRAPH.items()
                 if (hook := _hook_of(m)) is not None
                 for t in targets if _hook_of(t) not in (None, hook))
    assert not bad, "a hook imports the core, never another hook:\n" + "\n".join(bad)


def test_every_catalog_hook_is_a_package_under_hooks() -> None:
    for hook in catalog.HOOKS:
        assert f"{hook.package}.check" in MODULES, hook.package


# ------------------------------------------------------------------------------ start-up

HEAVY = ("presidio_analyzer", "spacy")


def _heavy_after(args: list[str], cwd: Path) -> set[str]:
    code = ("import sys\nfrom mlgate.cli import main\ntry:\n"
            f"    main({args!r})\n"
            "except SystemExit:\n    pass\n"
            "print('MODULES', ' '.join(sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("MODULES "))
    return {m.split(".")[0] for m in line.split()[1:]} & set(HEAVY)


STARTUP_ARGS = [["--help"]] + [[h.command, *extra] for h in catalog.HOOKS
                               for extra in (["--help"], [])]


@pytest.mark.parametrize("args", STARTUP_ARGS, ids=" ".join)
def test_commands_without_work_import_neither_presidio_nor_spacy(
        args: list[str], tmp_path: Path) -> None:
    assert not _heavy_after(args, tmp_path)


def test_secrets_on_a_clean_file_imports_neither_presidio_nor_spacy(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import torch\nlr = 3e-4\nprint('hello')\n",
                                       encoding="utf-8")
    assert not _heavy_after(["secrets", "train.py"], tmp_path)


def test_mlgate_modules_import_sources_from_its_modules() -> None:
    """`mlgate.sources` resolves its names lazily (module __getattr__), which a mypyc-compiled
    module importing names from it inside a generator does not survive: mlgate's own modules
    import from mlgate.sources.<module>."""
    offenders = []
    for path in sorted((ROOT / "mlgate").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "mlgate.sources":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
