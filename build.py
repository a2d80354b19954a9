#!/usr/bin/env python3
"""``python build.py [--clean] [--quiet]`` = ``bulletin-site build`` for this folder.

Works from a checkout without installing: ``src/`` is put on the import path first.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))

from bulletin_site.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(["build", "--root", str(ROOT), *sys.argv[1:]]))
