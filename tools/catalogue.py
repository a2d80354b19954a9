#!/usr/bin/env python3
"""``python3 tools/catalogue.py``: compile the messages' catalogue, ``bulletin-site.po`` →
``bulletin-site.mo`` beside it (src/bulletin_site/locale/zh/LC_MESSAGES/), with Babel.

The ``.mo`` is committed: the package then carries it as data in a plain ``pip install .``
and in an editable install alike, with nothing to compile at install time.
tests/test_i18n.py compiles the ``.po`` the same way and compares the bytes."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGUE = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "bulletin_site"
    / "locale"
    / "zh"
    / "LC_MESSAGES"
    / "bulletin-site.po"
)


def compiled(po: Path = CATALOGUE) -> bytes:
    with po.open("rb") as f:
        catalog = read_po(f)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def main() -> int:
    CATALOGUE.with_suffix(".mo").write_bytes(compiled())
    return 0


if __name__ == "__main__":
    sys.exit(main())
