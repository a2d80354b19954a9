"""Search records: what a result is (an article, an issue's summary, a plan, a plan item, a
page), one function per kind of document, and each record's text as Pagefind indexes it.

A record's content is its title's words, padded with BREAK words to the part's title span,
then its body's words (``format_content``): a match below the span is a title match, and no
phrase joins title and body. The displayed text is rebuilt from the content (``display``), so
nothing is stored twice and nothing goes into Pagefind's metadata (which 1.5 indexes as words).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from bulletin_site import render, site, textreport
from bulletin_site.config import SiteConfig
from bulletin_site.convert import Edition
from bulletin_site.errors import BuildError
from bulletin_site.model import Bulletin, Page, Plan
from bulletin_site.search.words import BREAK, Token, display_word, join_segments, text_to_words
from bulletin_site.search.words import tokenize as tokenize

if TYPE_CHECKING:
    from bulletin_site.kinds import Kinds


@dataclass(frozen=True)
class Record:
    """One search result: an article, an issue's summary, a plan, a plan item or a page."""

    url: str  # from the site's root: zh-hant/bulletins/000_x/3/index.html, …/index.html#item-4
    kind: str  # the document's kind (the kind filter)
    title: str  # searchable title; "" for plan items (their plan's title is shown instead)
    body: tuple[str, ...]  # searchable paragraphs, captions, items
    facts: Mapping[str, str] = field(default_factory=dict)  # shown, never searched
    year: str | None = None
    key: str = ""  # the same record in every edition, e.g. "000_x/3"

    def tokens(self) -> tuple[list[Token], list[Token]]:
        return tokenize(self.title), join_segments(self.body)


# One kind's records of one source: (the source, the site path of its page, its edition, the
# site's configuration) → its records. ``kinds.py`` names each kind's maker.
RecordMaker = Callable[[site.Source, str, Edition, SiteConfig], list[Record]]


def records(
    sources: Sequence[site.Source], edition: Edition, config: SiteConfig, kinds: Kinds
) -> list[Record]:
    """Every record of one edition, in the order shown when nothing else ranks them: as the
    archive lists documents (newest first), an issue before its articles, a plan before its
    items."""
    out: list[Record] = []
    for source in sources:
        kind = kinds.of(source.doc)
        path = site.source_path(edition.code, kind, source)
        out += kind.records(source, path, edition, config)
    return out


def _url(path: str) -> str:
    return site.relative_url("index.html", path)  # from the site's root


def _dated(source: site.Source) -> tuple[str | None, str]:
    """The year filter's value and the ISO date shown, of a source."""
    if source.date is None:
        return None, ""
    return str(source.date.year), source.date.isoformat()


def bulletin_records(
    source: site.Source, path: str, edition: Edition, config: SiteConfig
) -> list[Record]:
    """An issue (its summary and contact), then its articles (paragraphs and captions)."""
    doc = source.doc
    assert isinstance(doc, Bulletin)
    year, date = _dated(source)
    issue = site.issue_view(edition.code, source, site.LABELS[edition.script])
    facts = {"doc": issue.label, "date": date}
    body = (*doc.summary, *([doc.contact] if doc.contact else []))
    out = [Record(_url(path), doc.kind, issue.label, body, facts, year, source.stem)]
    for article, link in zip(doc.articles, issue.articles, strict=True):
        out.append(
            Record(
                _url(link.path),
                doc.kind,
                article.title,
                (*article.paragraphs, *article.captions),
                {**facts, "n": str(article.number)},
                year,
                f"{source.stem}/{article.number}",
            )
        )
    return out


def plan_records(
    source: site.Source, path: str, edition: Edition, config: SiteConfig
) -> list[Record]:
    """A work plan (title, introduction, headings), then each of its items (``#item-N``)."""
    doc = source.doc
    assert isinstance(doc, Plan)
    year, date = _dated(source)
    facts = {"doc": doc.title, "date": date}
    headings = tuple(s.heading for s in doc.sections)
    out = [
        Record(_url(path), doc.kind, doc.title, (*doc.intro, *headings), facts, year, source.stem)
    ]
    for section in doc.sections:
        for item in section.items:
            out.append(
                Record(
                    _url(f"{path}#item-{item.number}"),
                    doc.kind,
                    "",
                    (item.text,),
                    {**facts, "sec": section.heading, "n": str(item.number)},
                    year,
                    f"{source.stem}#item-{item.number}",
                )
            )
    return out


def page_records(
    source: site.Source, path: str, edition: Edition, config: SiteConfig
) -> list[Record]:
    """A page: the text a reader sees of its Markdown."""
    doc = source.doc
    assert isinstance(doc, Page)
    body = page_text(site.strip_title(doc.markdown, doc.title), config.allow_html)
    return [_whole_document(source, path, body)]


def document_records(
    source: site.Source, path: str, edition: Edition, config: SiteConfig
) -> list[Record]:
    """Any other kind: one record, its title and every text a reader sees."""
    return [_whole_document(source, path, tuple(textreport.document_outline(source.doc)[1:]))]


def _whole_document(source: site.Source, path: str, body: tuple[str, ...]) -> Record:
    """One record for a whole document: its title and ``body``."""
    doc = source.doc
    year, date = _dated(source)
    facts = {"doc": doc.title, "date": date}
    return Record(_url(path), doc.kind, doc.title, body, facts, year, source.stem)


def kinds_present(recs: Iterable[Record], names: Sequence[str]) -> list[str]:
    """The kind filter's values: the kinds among ``recs``, in the registry's order."""
    found = {r.kind for r in recs}
    return [name for name in names if name in found]


class _BlockText(HTMLParser):
    """The text of rendered Markdown, one string per block (paragraph, list item, cell …)."""

    BLOCKS = frozenset(
        {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "pre", "blockquote", "dt"}
        | {"dd", "tr", "ul", "ol", "table", "div", "hr", "br"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []

    def flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        self._current.append(data)


def page_text(markdown: str, allow_html: bool = False) -> tuple[str, ...]:
    """What a reader sees of a Markdown page, block by block (link targets are not text)."""
    parser = _BlockText()
    parser.feed(str(render.markdown_html(markdown, allow_html=allow_html)))
    parser.close()
    parser.flush()
    return tuple(parser.blocks)


def title_span(all_records: Iterable[Record]) -> int:
    """Positions reserved for the title: the longest title's tokens and two more, so a title
    and the body are always at least two separator words apart (no phrase spans them)."""
    return max((len(text_to_words([r.title])) for r in all_records), default=0) + 2


def format_content(record: Record, span: int) -> str:
    """The record as Pagefind indexes it: title words, BREAK up to ``span``, body words."""
    title = text_to_words([record.title])
    if len(title) > span - 2:
        raise BuildError(f"search: title longer than the title span: {record.title!r}")
    return " ".join([*title, *[BREAK] * (span - len(title)), *text_to_words(record.body)])


def display(content_text: str, span: int) -> tuple[str, str]:
    """(title, body) as shown, rebuilt from a record's content (paragraph breaks as newlines).
    search.js does the same in the browser."""
    words = content_text.split(" ")
    title = "".join(display_word(w) for w in words[:span] if w != BREAK)
    return title, "".join(display_word(w) for w in words[span:])


def record_filters(record: Record) -> dict[str, list[str]]:
    """The record's Pagefind filters: its kind and year (the search page's filters) and the
    facts shown with it (never searched, loaded only with a filter)."""
    filters = {"kind": [record.kind]}
    if record.year:
        filters["year"] = [record.year]
    for name, value in record.facts.items():
        if value:
            filters[name] = [value]
    return filters


def aligned_texts(per_edition: Mapping[str, Sequence[Record]]) -> Iterator[tuple[str, str]]:
    """(繁, 简) text of the same field of the same record, for ``fold.fold_table``."""
    hant = {r.key: r for r in per_edition.get("zh-hant", ())}
    hans = {r.key: r for r in per_edition.get("zh-hans", ())}
    for key in sorted(hant.keys() | hans.keys()):
        a, b = hant.get(key), hans.get(key)
        if a is None or b is None:
            for r in (a, b):
                if r is not None:
                    yield r.title, r.title
                    yield from ((p, p) for p in r.body)
            continue
        yield a.title, b.title
        yield from zip(a.body, b.body, strict=False)
