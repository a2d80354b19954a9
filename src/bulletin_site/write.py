"""The output plan (site path → bytes) onto disk, all or nothing.

Everything is rendered into memory first. ``add`` refuses two sources for one output and
paths that would leave the output folder; ``check_text`` refuses text that is not NFC or holds
CJK compatibility ideographs. ``stage`` writes the plan into a fresh folder beside the site and
``swap`` puts it in place with renames, so a build that fails leaves the previous site as it
was and readers never see half a site.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bulletin_site.errors import BuildError

TEXT_SUFFIXES = (".html", ".xml", ".txt", ".css", ".js", ".json", ".svg")
COMPATIBILITY_IDEOGRAPHS = re.compile("[\uf900-\ufaff]")


@dataclass(frozen=True)
class OutputPlan:
    """Site path → bytes, and where each output came from (for the duplicate message)."""

    files: Mapping[str, bytes] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)


def add(plan: OutputPlan, outputs: Iterable[tuple[str, bytes]], origin: str) -> OutputPlan:
    """A new plan with ``outputs`` added; two sources for one path is an error."""
    files = dict(plan.files)
    origins = dict(plan.origins)
    for path, data in outputs:
        check_path(path)
        if path in files:
            raise BuildError(f"{path}: written by both {origins[path]} and {origin}")
        if path.endswith(TEXT_SUFFIXES):
            check_text(path, data)
        files[path] = data
        origins[path] = origin
    return OutputPlan(files, origins)


def check_path(path: str) -> None:
    """A relative POSIX path that stays inside the output folder."""
    pure = PurePosixPath(path)
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise BuildError(f"{path!r}: output path outside the site folder")


def check_text(path: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BuildError(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from None
    found = COMPATIBILITY_IDEOGRAPHS.search(text)
    if found:
        raise BuildError(
            f"{path}: CJK compatibility ideograph U+{ord(found.group()):04X} at character "
            f"{found.start()}; the reader should have normalised it"
        )
    if not unicodedata.is_normalized("NFC", text):
        raise BuildError(f"{path}: text is not NFC-normalised")


def staging_dir(site_dir: Path) -> Path:
    return site_dir.with_name(f"{site_dir.name}.tmp-{os.getpid()}")


def stage(plan: OutputPlan, site_dir: Path) -> Path:
    """Write the plan into a fresh folder beside ``site_dir``; return that folder."""
    tmp = staging_dir(site_dir)
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    root = tmp.resolve()
    try:
        for path in sorted(plan.files):
            target = (tmp / path).resolve()
            if not target.is_relative_to(root):
                raise BuildError(f"{path!r}: output path outside the site folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(plan.files[path])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def swap(tmp: Path, site_dir: Path) -> None:
    """Put the staged folder in place of ``site_dir``: two renames, then remove the old one."""
    old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    had_site = site_dir.exists()
    if had_site:
        site_dir.rename(old)
    try:
        tmp.rename(site_dir)
    except BaseException:
        if had_site:
            old.rename(site_dir)
        raise
    if had_site:
        shutil.rmtree(old, ignore_errors=True)


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)
