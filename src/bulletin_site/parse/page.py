"""Markdown page: the title is its first heading; the body is kept as Markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bulletin_site.model import Notice, Page, Role, Trace
from bulletin_site.parse.layout import Line

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_MARKDOWN_SIGNS = (
    re.compile(r"^\s{0,3}#{1,6}\s+\S", re.M),
    re.compile(r"\[[^\]\n]+\]\([^)\n]*\)"),
    re.compile(r"^\s{0,3}[-*+]\s+\S", re.M),
    re.compile(r"\*\*[^*\n]+\*\*"),
)


def looks_like_page(text: str, lines: Sequence[Line] = ()) -> bool:
    first = next((line for line in text.split("\n") if line.strip()), "")
    if _HEADING.match(first):
        return True
    return sum(1 for sign in _MARKDOWN_SIGNS if sign.search(text)) >= 2


def parse_page(
    text: str, lines: Sequence[Line], source: str, script: str
) -> tuple[Page, list[Trace]]:
    # A page is read by its own lines, blank ones included, not the printed lines.
    raw = text.split("\n")
    title = ""
    title_line = 0
    for number, line in enumerate(raw, start=1):
        match = _HEADING.match(line)
        if match:
            title, title_line = match.group(1).strip(), number
            break
    warnings: list[Notice] = []
    if not title:
        first = next(((n, s.strip()) for n, s in enumerate(raw, 1) if s.strip()), (1, source))
        title_line, title = first
        warnings.append(
            Notice(title_line, "no-heading", "no heading; the first line is used as the title")
        )
    # Text above the first heading (a lead line, a notice) stays in the page, in its place.
    body_lines = raw[: title_line - 1] + raw[title_line:] if title_line else raw
    markdown = "\n".join(body_lines).strip("\n") + "\n"
    report = [Trace(title_line, title, Role.TITLE)]
    report.extend(
        Trace(n, s.strip(), Role.MARKDOWN)
        for n, s in enumerate(raw, start=1)
        if s.strip() and n != title_line
    )
    return Page(source, script, title, markdown, tuple(warnings)), report
