"""A plain ``pip install .`` (not editable) builds a project: nothing the build needs is found
next to the source tree instead of in the installed package or the project's own folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from project_copy import copy_project

ROOT = Path(__file__).resolve().parents[1]


def test_a_plain_install_builds_a_checkouts_site(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is needed to take a clean copy of the checkout")
    # What a user has after `git clone`: the tracked files, no build leftovers, no egg-info.
    checkout = tmp_path / "checkout"
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in archive)):
        source = ROOT / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)

    # A fresh environment that sees the libraries already installed (no download), but not
    # this project's editable install: the venv's own copy is imported first.
    venv = tmp_path / "venv"
    # Without a pip (or setuptools) of its own: this environment's pip installs into it, and
    # the wheel is built with this environment's setuptools (nothing is downloaded).
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
    )
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    subprocess.run([*pip, "--no-build-isolation", str(checkout)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(python), "-c", "import bulletin_site; print(bulletin_site.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the installed copy, not the checkout

    project = copy_project(tmp_path / "project")
    shutil.rmtree(checkout)  # the build must not need the source tree it was installed from
    done = subprocess.run(
        [str(venv / "bin" / "bulletin-site"), "build", "--root", str(project), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    site = project / "_site"
    assert (site / "zh-hant" / "index.html").is_file()
    assert (site / "zh-hans" / "search" / "index.html").is_file()
    assert (site / "assets" / "style.css").is_file()
    assert (site / "zh-hant" / "search" / "data.json").is_file()
    assert list((site / "pagefind" / "hant").glob("*/pagefind-entry.json"))
