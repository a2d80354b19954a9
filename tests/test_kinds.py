"""The registry of document kinds: a new kind is a document class, a parser, an entry and a
template, and every stage (reading, conversion, pages, home page, search, check, parse) then
handles it, with nothing else in the program changed.

The toy kind here is a circular (通告): a raw file whose first line is 【通告】 and a title,
then paragraphs separated by blank lines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bulletin_site import pipeline
from bulletin_site.check import check
from bulletin_site.corrections import export
from bulletin_site.errors import BuildError, InputError
from bulletin_site.kinds import KINDS, Kind
from bulletin_site.model import VERBATIM, Notice, Role, Trace
from bulletin_site.parse import read_text
from bulletin_site.parse.layout import Line
from bulletin_site.read import decode

SIGN = "【通告】"


@dataclass(frozen=True)
class Circular:
    source: str = field(metadata=VERBATIM)
    script: str = field(metadata=VERBATIM)
    title: str
    paragraphs: tuple[str, ...]
    warnings: tuple[Notice, ...] = field(default=(), metadata=VERBATIM)
    kind: ClassVar[str] = "circular"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "script": self.script,
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "warnings": [w.to_dict() for w in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Circular:
        return cls(data["source"], data["script"], data["title"], tuple(data["paragraphs"]))


def looks_like_circular(text: str, lines: Sequence[Line]) -> bool:
    return bool(lines) and lines[0].text.startswith(SIGN)


def parse_circular(
    text: str, lines: Sequence[Line], source: str, script: str
) -> tuple[Circular, list[Trace]]:
    title = lines[0].text.removeprefix(SIGN).strip()
    report = [Trace(lines[0].number, lines[0].text, Role.TITLE)]
    paragraphs = []
    for line in lines[1:]:
        paragraphs.append(line.text)
        report.append(Trace(line.number, line.text, Role.PARAGRAPH, f"¶{len(paragraphs)}"))
    return Circular(source, script, title, tuple(paragraphs)), report


CIRCULAR = Kind(
    name="circular",
    document=Circular,
    described="a circular",
    signs=f"{SIGN} on its first line",
    heading={"hant": "通告", "hans": "通告"},
    folder="circulars",
    recognise=looks_like_circular,
    parse=parse_circular,
    templates=("circular.html",),
)
WITH_CIRCULARS = KINDS.with_kind(CIRCULAR)

RAW = (
    f"{SIGN}關於經濟局辦公時間的通告\n\n"
    "由下月起，經濟局辦公時間延長至晚上七時。\n\n"
    "查詢請致電本局。\n"
)
TEMPLATE = """{% extends "base.html" %}
{% block main %}<article><h1>{{ doc.title }}</h1>
{% for p in doc.paragraphs %}<p>{{ p }}</p>{% endfor %}</article>{% endblock %}
"""


@pytest.fixture
def circular_project(project: Path) -> Path:
    (project / "seeds" / "010_circular.txt").write_text(RAW, encoding="utf-8")
    (project / "templates" / "circular.html").write_text(TEMPLATE, encoding="utf-8")
    (project / "content" / "issues" / "010_circular.yaml").write_text(
        "slug: office-hours\ndate: 2020-01-06\n", encoding="utf-8"
    )
    return project


def test_the_reader_knows_the_new_kind_only_through_the_registry() -> None:
    source = decode(RAW.encode(), "c.txt")
    with pytest.raises(InputError, match="is not a bulletin"):
        read_text(source, "c.txt")
    reading = read_text(source, "c.txt", WITH_CIRCULARS)
    assert reading.document == Circular(
        "c.txt",
        "hant",
        "關於經濟局辦公時間的通告",
        ("由下月起，經濟局辦公時間延長至晚上七時。", "查詢請致電本局。"),
    )
    assert WITH_CIRCULARS.from_dict(json.loads(json.dumps(reading.document.to_dict()))) == (
        reading.document
    )


def test_a_site_with_the_new_kind_builds_both_editions_its_home_listing_and_search(
    circular_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Everything in this process: the toy kind lives in this test module, which worker
    # processes would have to import.
    monkeypatch.setenv("BULLETIN_SITE_JOBS", "1")
    with pytest.raises(BuildError, match=r"seeds/010_circular\.txt: error: is not a bulletin"):
        pipeline.build(circular_project)

    report = pipeline.build(circular_project, kinds=WITH_CIRCULARS)
    site = report.site_dir
    hant = (site / "zh-hant" / "circulars" / "office-hours" / "index.html").read_text("utf-8")
    hans = (site / "zh-hans" / "circulars" / "office-hours" / "index.html").read_text("utf-8")
    assert "<h1>關於經濟局辦公時間的通告</h1>" in hant
    assert "<h1>关于经济局办公时间的通告</h1>" in hans  # converted by the generic converter
    assert "<p>由下月起，经济局办公时间延长至晚上七时。</p>" in hans
    assert 'href="../../../zh-hans/circulars/office-hours/index.html"' in hant  # its twin

    home = (site / "zh-hant" / "index.html").read_text("utf-8")
    assert '<h2 id="circulars">通告</h2>' in home
    assert 'href="circulars/office-hours/index.html"' in home
    search_page = (site / "zh-hans" / "search" / "index.html").read_text("utf-8")
    assert '<option value="circular">通告</option>' in search_page
    for code in ("zh-hant", "zh-hans"):
        data = json.loads((site / code / "search" / "data.json").read_text("utf-8"))
        assert "circular" in data["kinds"]
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert "zh-hans/circulars/office-hours/" in sitemap


def test_the_editors_commands_take_the_new_kind(circular_project: Path) -> None:
    report = check(circular_project, WITH_CIRCULARS)
    assert [str(p) for p in report.problems if p.is_error] == []
    # A kind without a correction format cannot be exported: said, not crashed.
    with pytest.raises(InputError, match="a circular cannot be corrected by a file"):
        export(circular_project, "010_circular", WITH_CIRCULARS)
