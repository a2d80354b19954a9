"""Markdown page: the title is its first heading; the body is kept as Markdown."""

from __future__ import annotations

import re

from bulletin_site.model import Page, Trace

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_MARKDOWN_SIGNS = (
    re.compile(r"^\s{0,3}#{1,6}\s+\S", re.M),
    re.compile(r"\[[^\]\n]+\]\([^)\n]*\)"),
    re.compile(r"^\s{0,3}[-*+]\s+\S", re.M),
    re.compile(r"\*\*[^*\n]+\*\*"),
)


def looks_like_page(text: str) -> bool:
    first = next((line for line in text.split("\n") if line.strip()), "")
    if _HEADING.match(first):
        return True
    return sum(1 for sign in _MARKDOWN_SIGNS if sign.search(text)) >= 2


def parse_page(text: str, source: str, script: str) -> tuple[Page, list[Trace]]:
    lines = text.split("\n")
    title = ""
    title_line = 0
    for number, line in enumerate(lines, start=1):
        match = _HEADING.match(line)
        if match:
            title, title_line = match.group(1).strip(), number
            break
    warnings = []
    if not title:
        first = next(((n, s.strip()) for n, s in enumerate(lines, 1) if s.strip()), (1, source))
        title_line, title = first
        warnings.append(f"line {title_line}: no heading; the first line is used as the title")
    # Text above the first heading (a lead line, a notice) stays in the page, in its place.
    body_lines = lines[: title_line - 1] + lines[title_line:] if title_line else lines
    markdown = "\n".join(body_lines).strip("\n") + "\n"
    report = [Trace(title_line, title, "title")]
    report.extend(
        Trace(n, s.strip(), "markdown")
        for n, s in enumerate(lines, start=1)
        if s.strip() and n != title_line
    )
    return Page(source, script, title, markdown, tuple(warnings)), report
