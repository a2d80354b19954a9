"""README.md is these parts of docs/, one after the other: edit the part, then run
``python docs/assemble.py`` (tests/test_docs.py checks that README.md is up to date)."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
PARTS = ("intro.md", "editors.md", "site.md", "convert.md", "search.md", "hostile.md")


def assembled() -> str:
    return "\n".join((DOCS / part).read_text("utf-8").rstrip("\n") + "\n" for part in PARTS)


def main() -> int:
    (DOCS.parent / "README.md").write_text(assembled(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
