"""Where everything of one project is: the only module that knows the folders' names.

A project is one folder. The bureau's raw files are in ``seeds/``; what editors own is under
``content/`` (site settings, one metadata file per seed, the glossary, corrections, pages); the
templates are in ``templates/``; the build writes ``_site/`` and keeps its cache in
``.bulletin-cache/``. Messages name files relative to the project (``seeds/005_….txt``), so
every command shows a file the same way and an editor can paste the name back.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from bulletin_site.errors import InputError

SEEDS = "seeds"
CONTENT = "content"
ISSUES = "content/issues"
CORRECTIONS = "content/corrections"
GLOSSARY = "content/glossary.yaml"
SITE_CONFIG = "content/site.yaml"
TEMPLATES = "templates"
SITE = "_site"
CACHE = ".bulletin-cache"

SEED_SUFFIX = ".txt"
METADATA_SUFFIX = ".yaml"
CORRECTION_SUFFIX = ".md"


def seed_name(stem: str) -> str:
    """``seeds/<stem>.txt``: a seed as messages name it."""
    return f"{SEEDS}/{stem}{SEED_SUFFIX}"


def metadata_name(stem: str) -> str:
    return f"{ISSUES}/{stem}{METADATA_SUFFIX}"


def correction_name(stem: str) -> str:
    return f"{CORRECTIONS}/{stem}{CORRECTION_SUFFIX}"


@dataclass(frozen=True)
class Project:
    """The folders of the project at ``root``."""

    root: Path

    # The folders and files, as paths.
    seeds = property(lambda self: self.root / SEEDS)
    content = property(lambda self: self.root / CONTENT)
    issues = property(lambda self: self.root / ISSUES)
    corrections = property(lambda self: self.root / CORRECTIONS)
    glossary = property(lambda self: self.root / GLOSSARY)
    site_config = property(lambda self: self.root / SITE_CONFIG)
    templates = property(lambda self: self.root / TEMPLATES)
    site = property(lambda self: self.root / SITE)
    cache = property(lambda self: self.root / CACHE)

    def seed(self, stem: str) -> Path:
        return self.root / seed_name(stem)

    def metadata(self, stem: str) -> Path:
        return self.root / metadata_name(stem)

    def correction(self, stem: str) -> Path:
        return self.root / correction_name(stem)

    def seed_files(self) -> list[Path]:
        return sorted(self.seeds.glob(f"*{SEED_SUFFIX}"))

    def metadata_files(self) -> list[Path]:
        return sorted(self.issues.glob("*.yaml")) + sorted(self.issues.glob("*.yml"))

    def correction_files(self) -> list[Path]:
        return sorted(self.corrections.glob(f"*{CORRECTION_SUFFIX}"))

    def seed_stem(self, name: str) -> str:
        """The stem of the seed an editor names by its stem, file name or path (a correction's
        name will do); InputError, with the closest name, when there is no such seed."""
        stem = Path(name).name.removesuffix(SEED_SUFFIX).removesuffix(CORRECTION_SUFFIX)
        if not self.seed(stem).is_file():
            known = sorted(p.stem for p in self.seed_files())
            close = difflib.get_close_matches(stem, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise InputError(seed_name(stem), f"no such seed{hint}")
        return stem

    def shown(self, path: Path) -> str:
        """``path`` as messages name it: relative to the project when it is inside."""
        for root in (self.root, self.root.resolve()):
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
        return str(path)
