"""The layers of ``oep`` (docs/architecture.md): every import points down, and only the
presentation layer, the pages and ``app.py`` use Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("data", "domain", "present", "tools")
TOP = len(LAYERS)  # app.py and pages/, above every layer
STREAMLIT = ("streamlit", "streamlit_authenticator")
# The load test speaks Streamlit's websocket messages to a server, as a browser does; it draws
# nothing.
WIRE_FORMAT = {"oep/tools/loadtest.py": "streamlit.proto"}


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            if node.module.split(".")[0] == "oep":
                names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _level(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "oep" or len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return LAYERS.index(parts[1])


def _sources() -> list[tuple[str, int]]:
    found = [(path, LAYERS.index(path.relative_to(ROOT / "oep").parts[0]))
             for path in (ROOT / "oep").rglob("*.py")
             if path.relative_to(ROOT / "oep").parts[0] in LAYERS]
    found += [(path, TOP) for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]]
    return [(str(path.relative_to(ROOT)), level) for path, level in found]


def test_every_module_of_oep_sits_in_a_layer() -> None:
    loose = [path.name for path in (ROOT / "oep").glob("*.py")
             if path.name not in {"__init__.py", "__main__.py"}]
    folders = sorted(path.name for path in (ROOT / "oep").iterdir()
                     if path.is_dir() and path.name != "__pycache__")
    assert loose == [] and folders == sorted(LAYERS)


@pytest.mark.parametrize("source, level", _sources(), ids=lambda value: str(value))
def test_imports_point_down(source: str, level: int) -> None:
    upward = [name for name in _imports(ROOT / source)
              if (other := _level(name)) is not None and other > level]
    assert upward == [], f"{source} imports a higher layer"


@pytest.mark.parametrize("source, level", _sources(), ids=lambda value: str(value))
def test_only_the_presentation_layer_and_pages_use_streamlit(source: str, level: int) -> None:
    if level in (LAYERS.index("present"), TOP):
        return
    allowed = WIRE_FORMAT.get(source)
    used = [name for name in _imports(ROOT / source)
            if name.split(".")[0] in STREAMLIT
            and not (allowed and (name == allowed or name.startswith(allowed + ".")))]
    assert used == [], f"{source} imports Streamlit"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from oep.present import ui\n    import streamlit as st\n")
    imported = _imports(module)
    assert "oep.present.ui" in imported and "streamlit" in imported
    assert _level("oep.present.ui") == LAYERS.index("present")
