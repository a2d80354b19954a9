"""The README is the docs' parts put together (docs/assemble.py), never edited apart from them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_is_the_docs_assembled() -> None:
    spec = importlib.util.spec_from_file_location("assemble", ROOT / "docs" / "assemble.py")
    assert spec is not None and spec.loader is not None
    assemble = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(assemble)
    readme = (ROOT / "README.md").read_text("utf-8")
    assert readme == assemble.assembled(), "run: python docs/assemble.py"
    for part in assemble.PARTS:
        first = (ROOT / "docs" / part).read_text("utf-8").split("\n", 1)[0]
        assert first.startswith("#") and first in readme
