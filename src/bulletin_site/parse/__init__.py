"""Parse: one raw file → one document and its conservation report, one module per kind of
document (``bulletin.py``, ``plan.py``, ``page.py``); ``layout.py`` holds the printed line they
all work on. Which kind a file is, is decided by ``kinds.Kinds.reading``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bulletin_site.model import Reading
from bulletin_site.read import SourceText, read_source

if TYPE_CHECKING:
    from bulletin_site.kinds import Kinds

__all__ = ["read_document", "read_text"]


def read_document(path: Path, kinds: Kinds | None = None) -> Reading:
    return read_text(read_source(path), str(path), kinds)


def read_text(source: SourceText, path: str | None = None, kinds: Kinds | None = None) -> Reading:
    """What the reader makes of ``source``, with the site's kinds unless others are given."""
    from bulletin_site.kinds import KINDS  # the registry imports this package's parsers

    return (kinds or KINDS).reading(source, path)
