"""A throw-away copy of this project, for tests that build, add or correct."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROJECT_PARTS = ("seeds", "content", "templates")


def copy_project(target: Path) -> Path:
    """seeds/, content/ and templates/ of this project, copied into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        shutil.copytree(ROOT / part, target / part)
    return target
