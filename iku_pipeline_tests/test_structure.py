"""The package's shape stays as the README's Architecture draws it: layers import only
downwards, one module reads the environment, modules stay readable in one sitting."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "iku_pipeline"
MODULES = sorted(PACKAGE.rglob("*.py"))

# What each layer may not import (the layers above it).
FORBIDDEN = {
    "model": ("sources", "indicators", "publish", "assets", "io", "resources", "definitions"),
    "sources": ("indicators", "publish", "assets", "io", "resources", "definitions"),
    "indicators": ("publish", "assets", "io", "resources", "definitions"),
    "publish": ("assets", "io", "resources", "definitions"),
}
MAX_LINES = 600


def _layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The project modules a module imports, as ``iku_pipeline.<first part>`` names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "iku_pipeline" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_runs_up_the_layers(path):
    forbidden = FORBIDDEN.get(_layer(path), ())
    assert not _imports(path) & set(forbidden)


def test_only_the_resources_module_reads_the_environment():
    readers = [
        p.relative_to(PACKAGE).as_posix()
        for p in MODULES
        if "os.environ" in (text := p.read_text(encoding="utf-8")) or "getenv" in text
    ]
    assert readers == ["resources.py"]


def test_every_module_reads_in_one_sitting():
    long = {
        p.relative_to(PACKAGE).as_posix(): n
        for p in MODULES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
