"""Parse: one raw file → one document (bulletin, work plan or Markdown page) and its
conservation report. The kind is recognised from the content, not the file name."""

from __future__ import annotations

from pathlib import Path

from bulletin_site.convert import detect_script
from bulletin_site.errors import InputError
from bulletin_site.model import Reading, Trace
from bulletin_site.parse.bulletin import looks_like_contents, parse_bulletin
from bulletin_site.parse.layout import printed_lines
from bulletin_site.parse.page import looks_like_page, parse_page
from bulletin_site.parse.plan import looks_like_plan, parse_plan
from bulletin_site.read import SourceText, read_source

__all__ = ["read_document", "read_text"]


def read_document(path: Path) -> Reading:
    return read_text(read_source(path), str(path))


def read_text(source: SourceText, path: str | None = None) -> Reading:
    where = path or source.name
    text = source.text
    script = detect_script(text)
    lines = printed_lines(text)
    if not lines:
        raise InputError(where, "has no text")
    if looks_like_page(text):
        document, report = parse_page(text, source.name, script)
    elif looks_like_contents(lines):
        document, report = parse_bulletin(lines, source.name, script)
        if not document.articles:
            raise InputError(where, "looks like a bulletin but has no table of contents")
    elif looks_like_plan(lines):
        document, report = parse_plan(lines, source.name, script)
    else:
        raise InputError(
            where,
            "is not a bulletin (numbered contents), a work plan (一、 sections with numbered "
            "items) or a Markdown page",
        )
    notes = [Trace(0, repair, "read") for repair in source.repairs]
    return Reading(document, tuple(notes + report))
