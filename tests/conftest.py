"""Shared fixtures: a throw-away copy of the project and one site built from the real seeds."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))

from project_copy import PROJECT_PARTS, copy_project  # noqa: E402, F401


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], Path]:
    """More copies of the project, each in its own folder under tmp_path."""
    return lambda name: copy_project(tmp_path / name)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real seeds built once for the whole session: the ``_site`` folder."""
    from bulletin_site.pipeline import build

    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    return build(root).site_dir
