"""The staging's folders made ahead by a thread (``write.make_ahead``): a failure there, or a
build stopped while they are being made, never leaves a half-made staging or a wrong site."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin_site import pipeline, site
from test_cache import tree
from test_kept_parts import add_issue, clean_build_of


def test_a_full_disk_while_making_folders_ahead_leaves_them_to_the_build(
    make_project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    add_issue(root, tmp_path)
    real = os.mkdir
    calls = {"n": 0}

    def mkdir(path: str, *args: object) -> None:
        if threading.current_thread().name == "staging folders":
            calls["n"] += 1
            if calls["n"] == 5:
                raise OSError(errno.ENOSPC, "No space left on device")
        real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", mkdir)
    pipeline.build(root)
    assert calls["n"] == 5
    monkeypatch.setattr(os, "mkdir", real)
    assert tree(root / "_site") == clean_build_of(root, make_project)
    assert not any(p.name.startswith("_site.tmp") for p in root.iterdir())


def test_a_build_stopped_while_planning_leaves_no_staging(
    make_project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    add_issue(root, tmp_path)
    before = tree(root / "_site")

    def stopped(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(site, "site_targets", stopped)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(root)
    assert tree(root / "_site") == before
    assert not any(p.name.startswith("_site.tmp") for p in root.iterdir())
