"""Printed lines: the unit every parser works on, with its place in the source file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from bulletin_site.clean import clean_line, display_width, is_letter_spaced, key


@dataclass(frozen=True)
class Line:
    """One non-blank printed line."""

    number: int  # 1-based line number in the source file
    raw: str
    text: str  # cleaned: no letter-spacing, no edge spaces
    width: float  # on the page, in full-width cells

    @cached_property
    def key(self) -> str:
        # Cached: callers index into it character by character (a line can be a whole file).
        return key(self.text)

    @property
    def opens_page(self) -> bool:
        """The PDF's text layer starts a new page's first line with one space."""
        return self.raw.startswith(" ") and not self.raw.startswith("  ")

    @property
    def justified(self) -> bool:
        """Printed letter-spaced: the line was stretched to the column's full width."""
        return is_letter_spaced(self.raw.strip())

    @property
    def indent(self) -> int:
        return len(self.raw) - len(self.raw.lstrip(" \u3000"))


def printed_lines(text: str) -> list[Line]:
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.isspace() or not raw:
            continue  # blank (about half the lines of a text layer): nothing to clean
        cleaned = clean_line(raw)
        if cleaned:
            lines.append(Line(number, raw, cleaned, display_width(cleaned.rstrip())))
    return lines
