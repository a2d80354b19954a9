"""The kinds of document the site publishes, and what each stage does with each.

A raw file is one of these: a bulletin (numbered contents, then the articles), a work plan
(``一、`` sections of numbered items) or a Markdown page. Every stage that treats them
differently asks the kind here instead of testing the document's class: how it is recognised
and parsed, its URL folder, its pages and templates, its search records, its correction file,
how ``parse`` and ``add`` show it. Adding a kind is a document class, a parser, an entry here
and its templates; ``tests/test_kinds.py`` adds a toy one and builds a site with it.

Stages receive the registry (``Kinds``) from the command that runs them: nothing here is
global state, and a test can build with other kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bulletin_site import corrections, site, textreport
from bulletin_site.convert import detect_script
from bulletin_site.errors import InputError, Language
from bulletin_site.model import Bulletin, Document, Page, Plan, Reading, Role, Trace
from bulletin_site.parse import bulletin, page, plan
from bulletin_site.parse.layout import Line, printed_lines
from bulletin_site.read import SourceText
from bulletin_site.search import records as search_records

Recognise = Callable[[str, Sequence[Line]], bool]
Parse = Callable[[str, Sequence[Line], str, str], tuple[Any, list[Trace]]]


@dataclass(frozen=True)
class Kind:
    name: str  # ``kind`` in the reader's JSON and in correction files
    document: type  # the model's class: a frozen dataclass with to_dict / from_dict
    described: str  # "a bulletin": how messages name one
    signs: str  # how a raw file shows it is one: "numbered contents" (for messages)
    heading: Mapping[str, str]  # script → the home page's heading, the search filter's label
    folder: str  # URL folder: /{edition}/{folder}/{stem}/
    recognise: Recognise  # does this text look like one? (asked in ``precedence`` order)
    parse: Parse  # (text, printed lines, source name, script) → document, report
    templates: tuple[str, ...]  # the templates its pages are rendered with
    pages: Callable[[site.EditionView, Sequence[site.Source]], list[site.Target]] = (
        site.document_targets
    )
    records: search_records.RecordMaker = search_records.document_records
    correction: corrections.CorrectionFormat | None = None  # None: `export` refuses it
    apply_metadata: site.MetadataRule = site.titled_metadata
    outline: Callable[[Any], list[str]] = textreport.document_outline  # `parse --format text`
    # what `add` prints: (the document, the editor's language) → lines
    summary: Callable[[Any, Language], list[str]] = textreport.document_summary
    numbered: bool = False  # numbered issues: a number, a feed, the archive by year
    precedence: int = 50  # recognised before kinds with a higher number


@dataclass(frozen=True)
class Kinds:
    """The registry: every kind, in the order the site lists them."""

    all: tuple[Kind, ...]
    _by_class: dict[type, Kind] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, Kind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_class", {k.document: k for k in self.all})
        object.__setattr__(self, "_by_name", {k.name: k for k in self.all})

    def of(self, doc: Document) -> Kind:
        return self._by_class[type(doc)]

    def named(self, name: str) -> Kind | None:
        return self._by_name.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.all)

    def with_kind(self, kind: Kind) -> Kinds:
        return Kinds((*self.all, kind))

    def from_dict(self, data: Mapping[str, Any]) -> Document:
        kind = self.named(str(data.get("kind")))
        if kind is None:
            raise ValueError(f"unknown document kind: {data.get('kind')!r}")
        document: Document = kind.document.from_dict(data)
        return document

    def correction_formats(self) -> dict[str, corrections.CorrectionFormat]:
        return {k.name: k.correction for k in self.all if k.correction is not None}

    def reading(self, source: SourceText, where: str | None = None) -> Reading:
        """The document in ``source`` (named ``where`` in messages), as the first kind that
        recognises it reads it, and where each line went; InputError when no kind does. The
        kind is recognised from the content, never from the file's name."""
        where = where or source.name
        text = source.text
        lines = printed_lines(text)
        if not lines:
            raise InputError(where, "has no text")
        for kind in sorted(self.all, key=lambda k: k.precedence):
            if kind.recognise(text, lines):
                try:
                    document, report = kind.parse(text, lines, source.name, detect_script(text))
                except InputError as error:  # named by the file's name: name it as asked
                    raise InputError.of(error.problem, where) from None
                repairs = [Trace(0, repair, Role.READ) for repair in source.repairs]
                return Reading(document, (*repairs, *report))
        known = [f"{k.described} ({k.signs})" if k.signs else k.described for k in self.all]
        listed = ", ".join(known[:-1]) + (" or " if len(known) > 1 else "") + known[-1]
        raise InputError(where, f"is not {listed}")


BULLETIN = Kind(
    name="bulletin",
    document=Bulletin,
    described="a bulletin",
    signs="numbered contents",
    heading={"hant": "快訊", "hans": "快讯"},
    folder=site.BULLETINS,
    recognise=bulletin.looks_like_bulletin,
    parse=bulletin.parse_bulletin,
    templates=("bulletin.html", "article.html"),
    pages=site.bulletin_targets,
    records=search_records.bulletin_records,
    correction=corrections.BULLETIN_FORMAT,
    apply_metadata=site.numbered_metadata,
    outline=textreport.bulletin_outline,
    summary=textreport.bulletin_summary,
    numbered=True,
    precedence=20,
)

PLAN = Kind(
    name="plan",
    document=Plan,
    described="a work plan",
    signs="一、 sections with numbered items",
    heading={"hant": "工作計劃", "hans": "工作计划"},
    folder=site.PLANS,
    recognise=plan.looks_like_plan,
    parse=plan.parse_plan,
    templates=("plan.html",),
    pages=site.plan_targets,
    records=search_records.plan_records,
    correction=corrections.PLAN_FORMAT,
    outline=textreport.plan_outline,
    summary=textreport.plan_summary,
    precedence=30,
)

PAGE = Kind(
    name="page",
    document=Page,
    described="a Markdown page",
    signs="",
    heading={"hant": "資料", "hans": "资料"},
    folder=site.PAGES,
    recognise=page.looks_like_page,
    parse=page.parse_page,
    templates=("page.html",),
    pages=site.page_targets,
    records=search_records.page_records,
    correction=corrections.PAGE_FORMAT,
    outline=textreport.page_outline,
    summary=textreport.page_summary,
    precedence=10,  # Markdown signs first: a numbered Markdown list looks like contents
)

KINDS = Kinds((BULLETIN, PLAN, PAGE))
