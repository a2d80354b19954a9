"""Where the build may read: file names and links that would take it elsewhere are refused.

The build reads ``seeds/``, ``content/`` and the template folders, and writes ``_site/`` (and
its cache). A seed's file name becomes part of URLs and output folders, so it must be a name
every file system and server accepts, and no two seeds may become the same folder after
Unicode normalisation or on a case-insensitive disk. A symbolic link whose target lies outside
the folder holding it would make the build read (and publish) a file from anywhere: refused.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from bulletin_site.errors import Problem

# Names Windows gives to devices, with or without an extension: CON, CON.txt, com1 …
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")]
)
# Characters Windows refuses in names, and the ones that mean something in a URL path.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*#%]')
MAX_NAME_BYTES = 200  # file systems allow 255; the site adds nothing to a folder's name


def seed_name_problem(name: str) -> str | None:
    """Why ``name`` (a file in seeds/) cannot name a document's pages; None if it can."""
    stem = name[: -len(".txt")] if name.endswith(".txt") else name
    if not stem:
        return "has no name before .txt"
    bad = _FORBIDDEN.search(stem)
    if bad:
        return (
            f"the name contains {bad.group()!r}, which file systems or URLs do not allow; "
            "rename the file (letters, digits, - and _ are safe)"
        )
    for char in stem:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            return f"the name contains the invisible character U+{ord(char):04X}; rename the file"
    if stem[0] in ". " or stem[-1] in ". ":
        return "the name begins or ends with a dot or a space"
    if stem.split(".")[0].upper().rstrip(" ") in WINDOWS_RESERVED:
        return f"{stem.split('.')[0]!r} is a device name on Windows (CON, NUL, COM1 …); rename it"
    if len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        return f"the name is longer than {MAX_NAME_BYTES} bytes; shorten it"
    return None


def folded(name: str) -> str:
    """What two names have in common if a file system may take them for one: NFC, any case."""
    return unicodedata.normalize("NFC", name).casefold()


def collisions(names: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs (first, other) of names that are the same after ``folded``, in name order."""
    seen: dict[str, str] = {}
    found = []
    for name in sorted(names):
        first = seen.setdefault(folded(name), name)
        if first != name:
            found.append((first, name))
    return found


def links_outside(folder: Path, shown: str) -> list[Problem]:
    """Every symbolic link under ``folder`` (``shown`` in messages) that leads outside it, or
    nowhere; links that stay inside are fine."""
    if not folder.is_dir():
        return []
    base = folder.resolve()
    problems = []
    for current, dirs, files in os.walk(folder):  # does not follow links to folders
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(current, name)
            if not path.is_symlink():
                continue
            where = f"{shown}/{path.relative_to(folder).as_posix()}"
            target = path.resolve()
            if not target.exists():
                problems.append(Problem(where, f"is a symbolic link to nothing ({target})"))
            elif not target.is_relative_to(base):
                problems.append(
                    Problem(
                        where,
                        f"is a symbolic link to {target}, outside {shown}/: the build reads "
                        f"only what is inside {shown}/; copy the file in instead",
                    )
                )
    return problems


def inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
