#!/usr/bin/env python3
"""The messages of the editors' commands, as the catalogue needs them: every string literal
given as a message to Problem.error/warning, InputError, BuildError, warn, bad, gettext and
ngettext in src/bulletin_site/. ``python3 tools/messages.py`` lists the ones the catalogue
(src/bulletin_site/locale/zh/LC_MESSAGES/bulletin-site.po) lacks; tests/test_i18n.py asks
for none."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "bulletin_site"
# Callee name → which positional arguments are messages.
MESSAGE_ARGUMENTS = {
    "error": (1,),
    "warning": (1,),
    "InputError": (1,),
    "BuildError": (0,),
    "warn": (0,),
    "bad": (1,),
    "gettext": (0,),
    "say": (0,),
    "ngettext": (0, 1),
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def messages(folder: Path = SRC) -> Iterator[tuple[str, int, str]]:
    """(file, line, message) for every literal message in the package."""
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for index in MESSAGE_ARGUMENTS.get(_name(node.func), ()):
                if index < len(node.args):
                    argument = node.args[index]
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        yield path.name, node.lineno, argument.value


if __name__ == "__main__":
    sys.path.insert(0, str(SRC.parent))
    from babel.messages.pofile import read_po

    po = SRC / "locale" / "zh" / "LC_MESSAGES" / "bulletin-site.po"
    with po.open("rb") as f:
        known = {i for m in read_po(f) for i in ((m.id,) if isinstance(m.id, str) else m.id)}
    for name, line, message in messages():
        if message not in known:
            print(f"{name}:{line}: {message!r}")
