"""Shared fixtures: a throw-away copy of the project, one site built from the real seeds, a
running ``bulletin-site serve``, and the browser tests' Chromium and server
(browser_harness.py)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))

from project_copy import PROJECT_PARTS, copy_project  # noqa: E402, F401

if TYPE_CHECKING:
    from bulletin_site.serve import Server


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


@pytest.fixture
def served(project: Path) -> Iterator[Server]:
    """``bulletin-site serve`` on a copy of the project (a free port, rebuilds polled often)."""
    from bulletin_site.serve import Server

    server = Server(project, 0, out=io.StringIO(), poll=0.1)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- the browser tests (browser_harness.py) ---------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, one for each test module; skips when Playwright is not installed."""
    from browser_harness import launch_chromium

    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def site_server(built_site: Path) -> Iterator[str]:
    """The address of a local server over ``built_site``, ending in ``/``."""
    from browser_harness import serve_folder

    with serve_folder(built_site) as url:
        yield url


@pytest.fixture
def visits() -> Iterator[list[Any]]:
    """Where a test puts the browser_harness.Visit pages it opens: each is closed, and so
    checked, after the test."""
    opened: list[Any] = []
    yield opened
    for visit in opened:
        visit.close()
