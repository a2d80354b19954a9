"""Hostile input, faults and safety (docs/hostile.md).

Tests marked ``slow`` (the long fuzz runs, 10 MB inputs, many kills) are skipped unless the
run selects them: ``python -m pytest -q -m slow tests/hostile``. The default run keeps a short
budget of each.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_project import small_project

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="long run: select it with -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile project (hostile_site.py) built once: its ``_site`` folder."""
    from hostile_site import make_hostile_project

    from bulletin_site.pipeline import build

    root = make_hostile_project(tmp_path_factory.mktemp("hostile") / "project")
    return build(root).site_dir


@pytest.fixture
def make_small_project(tmp_path: Path) -> Callable[[str], Path]:
    return lambda name: small_project(tmp_path / name)
