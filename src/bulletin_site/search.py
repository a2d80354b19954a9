"""Full-text search: a Pagefind index in which Chinese is indexed by overlapping character pairs
and every phrase is checked by position in the browser.

Pagefind splits text into words at spaces, so Chinese sentences become single huge words (the
standard binary) or a dictionary's guesses (the extended one). Here every record is given to
Pagefind as *words* separated by spaces, one word per character position, and the browser
(``templates/assets/search.js``) finds a phrase where its words stand at consecutive positions.
The rule, the layout and the measurements: ``docs/search.md``.

A record's content, one word per position:

- a Chinese character (ideograph, kana, hangul) as the *pair* it starts: ``經濟 濟局 局ǂ``;
  the last character of a run is followed by ``WORD_END`` (ǂ) instead;
- a run of Latin letters and digits (full-width folded to half-width) followed by ǂ:
  ``CEPAǂ``, ``2019ǂ``; no Latin word is a prefix of another, so ``cepaǂ`` finds CEPA, not CEPAL;
- a run of anything else (punctuation, spaces) as one word Pagefind counts but does not index:
  spaces written ``SPACE`` (␣), paragraph breaks ``BREAK`` (␤).

The title comes first and is padded with BREAK words to the same ``span`` in every record of an
edition: a match below ``span`` is a title match, and no phrase joins title and body. The
displayed text is rebuilt from the content (the first character of each pair), so nothing is
stored twice and nothing goes into Pagefind's metadata (which 1.5 indexes as words).

Matching folds the query and the text the same way (``fold``): NFC, Traditional → Simplified
and variant forms (衞/衛) character by character, full-width → half-width, Latin in lower case
without accents. The browser gets the table for the Chinese part in ``data.json`` and looks up,
for each character of a query, every character of the edition that folds to the same one.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin_site import render, site, textreport
from bulletin_site.config import SiteConfig
from bulletin_site.convert import EDITIONS, Edition
from bulletin_site.errors import BuildError
from bulletin_site.model import Bulletin, Page, Plan

if TYPE_CHECKING:
    from bulletin_site.kinds import Kinds

BUNDLE = "pagefind"  # site path of the Pagefind bundle: one index per edition in it
DATA = "search/data.json"  # per edition, beside its search page (see ``edition_data``)
SPILL = "search/spill.json"  # per edition: loaded for one-character terms only (``spill``)
DATA_VERSION = 1

WORD_END = "\u01c2"  # ǂ ends every Latin word and the last character of a Chinese run
SPACE = "\u2423"  # ␣ stands for white space in a separator word
BREAK = "\u2424"  # ␤ a paragraph break; also pads the title to ``span``
RESERVED = frozenset({WORD_END, SPACE, BREAK})

HAN, WORD, SEP = "han", "word", "sep"
EXACT, PREFIX = "exact", "prefix"

# Pagefind writes these too; the site uses only its JS API (pagefind.js, wasm; the worker is
# kept for sites that want it).
_UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)

# Where Traditional and Simplified forms are looked up, one character at a time.
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EBEF),
    (0x30000, 0x3134F),
)


def index_language(edition: Edition) -> str:
    """The name of an edition's index in the bundle: its script, ``hant`` or ``hans``.

    Not the page language (zh-Hant): Pagefind cuts queries for zh, ja and th into dictionary
    words in the browser, which would cut the pairs apart. search.js starts Pagefind with this
    name as the page language (``startOn`` there)."""
    return edition.script


# --- characters -----------------------------------------------------------------------------------


@functools.cache
def char_class(char: str) -> str:
    """HAN (a token by itself), WORD (runs of them are one token) or SEP (not indexed).

    Letters and digits of the CJK blocks (ideographs, 〇, kana, bopomofo, hangul) are HAN;
    other letters and digits are WORD; everything else, and the reserved marks, is SEP.
    search.js has the same function.
    """
    if char in RESERVED or unicodedata.category(char)[0] not in "LN":
        return SEP
    code = ord(char)
    if (
        0x2E80 <= code <= 0xA4CF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF66 <= code <= 0xFF9F
        or 0x20000 <= code <= 0x3FFFF
    ):
        return HAN
    return WORD


def half_width(char: str) -> str:
    """Full-width ASCII (Ａ, ２, ＠) as ASCII."""
    code = ord(char)
    return chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else char


def fold_char(char: str, table: Mapping[str, str]) -> str:
    """One character as search compares it. Always one character: folding keeps offsets.

    ``table`` holds the Chinese characters (Traditional → Simplified, variants); the rest is
    rule: full-width → half-width, accents dropped where one letter remains, lower case.
    """
    if char in RESERVED:
        return " "
    mapped = table.get(char)
    if mapped is not None:
        return mapped
    char = half_width(char)
    if char.isascii():
        return char.lower()
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not _is_mark(c))
    if len(bare) == 1:
        char = bare
    lower = char.lower()
    return lower if len(lower) == 1 else char


def _is_mark(char: str) -> bool:
    """A combining mark (category M), as /\\p{M}/u in search.js and in Pagefind's query."""
    return unicodedata.category(char).startswith("M")


def fold(text: str, table: Mapping[str, str]) -> str:
    """The text as search compares it: NFC, then ``fold_char`` on every character."""
    return "".join(fold_char(c, table) for c in unicodedata.normalize("NFC", text))


# --- the fold table -------------------------------------------------------------------------------


def _opencc_tables() -> list[dict[str, str]]:
    """OpenCC's character-level Traditional → Simplified maps (tw2s, hk2s, t2s), every CJK
    code point at once (one per line, so no phrase applies)."""
    import opencc

    chars = [chr(c) for start, end in _CJK_RANGES for c in range(start, end + 1)]
    column = "\n".join(chars)
    tables = []
    for config in ("tw2s", "hk2s", "t2s"):
        converted = opencc.OpenCC(config).convert(column).split("\n")
        if len(converted) != len(chars):
            raise BuildError(f"OpenCC {config}: unexpected output while building the search table")
        tables.append(
            {c: o for c, o in zip(chars, converted, strict=True) if o != c and len(o) == 1}
        )
    return tables


@functools.cache
def _opencc_classes() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    """The classes OpenCC's tables make (``_Classes.parent``), their Simplified members and
    their Traditional ones. The same for every build with this OpenCC, so computed once per
    process (``serve`` rebuilds without paying for it again)."""
    classes = _Classes()
    simplified: set[str] = set()
    traditional: set[str] = set()
    for table in _opencc_tables():
        traditional.update(table)
        for trad, simp in table.items():
            classes.union(trad, simp)
            simplified.add(simp)
    return classes.parent, frozenset(simplified), frozenset(traditional)


class _Classes:
    """Union-find over characters: two characters in one class match each other."""

    def __init__(self, parent: Mapping[str, str] | None = None) -> None:
        self.parent: dict[str, str] = dict(parent or {})

    def find(self, char: str) -> str:
        root = char
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while char != root:  # path compression
            char, self.parent[char] = self.parent[char], root
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller code point leads, so the outcome does not depend on the order of calls.
            low, high = sorted((ra, rb))
            self.parent[high] = low


def fold_table(aligned: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The Chinese part of ``fold``: character → the character it is compared as.

    Classes of characters that match each other: OpenCC's Traditional → Simplified pairs
    (character level, tw2s + hk2s + t2s), joined with the pairs of characters the two editions
    print at the same place (``aligned``: (Traditional text, Simplified text) of the same
    paragraph; pairs of unequal length are skipped). The second source makes the editions
    agree where conversion works by phrase: 瞭解 (繁) is 了解 (简), so 瞭 matches 了. Each class
    is represented by its Simplified member (or the lowest code point). Only classes that
    contain a character of the texts are kept.
    """
    opencc_parent, opencc_simplified, traditional = _opencc_classes()
    classes = _Classes(opencc_parent)
    simplified = set(opencc_simplified)
    present: set[str] = set()
    for hant, hans in aligned:
        hant, hans = unicodedata.normalize("NFC", hant), unicodedata.normalize("NFC", hans)
        present.update(hant, hans)
        if len(hant) != len(hans) or hant == hans:
            continue
        for a, b in zip(hant, hans, strict=True):
            if a != b and char_class(a) == HAN and char_class(b) == HAN:
                classes.union(a, b)
                simplified.add(b)
    seen = {c for c in present if char_class(c) == HAN}
    members: dict[str, list[str]] = {}
    for char in sorted(set(classes.parent) | seen):
        members.setdefault(classes.find(char), []).append(char)
    table: dict[str, str] = {}
    for chars in members.values():
        if not any(c in seen for c in chars):
            continue
        lead = next((c for c in chars if c in simplified and c not in traditional), None)
        lead = lead or next((c for c in chars if c in simplified), chars[0])
        for c in chars:
            if c != lead:
                table[c] = lead
    return dict(sorted(table.items()))


# --- tokens and words -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # HAN, WORD or SEP
    text: str  # as displayed (WORD: full-width folded to half-width; SEP: no reserved marks)


# ``char_class`` as one regular expression (``tokenize`` runs over every text of the archive):
# [^\W_] is a letter or digit (Unicode categories L and N), as in ``char_class``.
_HAN_RANGES = "\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff"
_RESERVED = "".join(sorted(RESERVED))
_TOKENS = re.compile(
    f"(?P<han>(?![{_RESERVED}])(?=[^\\W_])[{_HAN_RANGES}])"
    f"|(?P<word>(?:(?![{_RESERVED}{_HAN_RANGES}])[^\\W_])+)"
    f"|(?P<sep>(?:[{_RESERVED}]|[\\W_])+)"
)


def tokenize(text: str) -> list[Token]:
    """The text as tokens: one per HAN character, one per run of WORD or of SEP characters."""
    tokens = []
    for match in _TOKENS.finditer(unicodedata.normalize("NFC", text)):
        kind = match.lastgroup
        piece = match.group()
        if kind == WORD:
            piece = "".join(map(half_width, piece))
        elif kind == SEP:  # the marks the content uses never come from the text
            piece = "".join(" " if c in RESERVED else c for c in piece)
        tokens.append(Token(kind, piece))  # type: ignore[arg-type]
    return tokens


def _tokenize_by_class(text: str) -> list[Token]:
    """``tokenize`` character by character with ``char_class`` (the tests compare the two)."""
    text = unicodedata.normalize("NFC", text)
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        kind = char_class(text[i])
        j = i + 1
        if kind != HAN:
            while j < len(text) and char_class(text[j]) == kind:
                j += 1
        piece = text[i:j]
        if kind == WORD:
            piece = "".join(map(half_width, piece))
        elif kind == SEP:
            piece = "".join(" " if c in RESERVED else c for c in piece)
        tokens.append(Token(kind, piece))
        i = j
    return tokens


def join_segments(segments: Iterable[str]) -> list[Token]:
    """Paragraphs as one token list: a BREAK between two, merged into the separator tokens
    around it, so that a paragraph boundary is always exactly one SEP token."""
    out: list[Token] = []
    for segment in segments:
        tokens = tokenize(segment)
        if not tokens:
            continue
        if out:
            glue = BREAK
            if out[-1].kind == SEP:
                glue = out.pop().text + glue
            if tokens[0].kind == SEP:
                glue += tokens.pop(0).text
            out.append(Token(SEP, glue))
        out.extend(tokens)
    return out


def words(tokens: Sequence[Token]) -> list[str]:
    """The tokens as Pagefind words, one per position (never empty, no white space)."""
    out = []
    for i, token in enumerate(tokens):
        if token.kind == HAN:
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            pair = following is not None and following.kind == HAN
            out.append(token.text + (following.text if pair else WORD_END))  # type: ignore[union-attr]
        elif token.kind == WORD:
            out.append(token.text + WORD_END)
        else:  # the text of a SEP token has no reserved mark but the BREAK between paragraphs
            out.append("".join(SPACE if c.isspace() or c == "\u200b" else c for c in token.text))
    return out


_RUNS = re.compile(
    f"(?P<han>(?:(?![{_RESERVED}])(?=[^\\W_])[{_HAN_RANGES}])+)"
    f"|(?P<word>(?:(?![{_RESERVED}{_HAN_RANGES}])[^\\W_])+)"
    f"|(?P<sep>(?:[{_RESERVED}]|[\\W_])+)"
)
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


def text_words(segments: Iterable[str]) -> list[str]:
    """``words(join_segments(segments))``, fast: whole runs at a time, not character by
    character (the index of a 1,000-issue archive has 20 million characters)."""
    out: list[str] = []
    last_sep = False  # whether out[-1] is a separator word
    for segment in segments:
        pieces: list[str] = []
        first_sep = None
        for match in _RUNS.finditer(unicodedata.normalize("NFC", segment)):
            kind, piece = match.lastgroup, match.group()
            if first_sep is None:
                first_sep = kind == SEP
            if kind == HAN:
                pieces.extend(map(str.__add__, piece, piece[1:]))
                pieces.append(piece[-1] + WORD_END)
            elif kind == WORD:
                if _FULL_WIDTH.search(piece):
                    piece = "".join(map(half_width, piece))
                pieces.append(piece + WORD_END)
            else:
                pieces.append(_separator_word(piece))
        if not pieces:
            continue
        if out:
            glue = BREAK
            if last_sep:
                glue = out.pop() + glue
            if first_sep:
                glue += pieces.pop(0)
            out.append(glue)
        out.extend(pieces)
        last_sep = _is_separator_word(out[-1])
    return out


def _separator_word(text: str) -> str:
    """A run of separators from the text as a word: a reserved mark in the text is a space."""
    return "".join(SPACE if c in RESERVED or c.isspace() or c == "\u200b" else c for c in text)


def _is_separator_word(word: str) -> bool:
    return not word.endswith(WORD_END) and char_class(word[0]) != HAN


def shown(word: str) -> str:
    """A content word as displayed: the inverse of ``words``, word by word."""
    if word.endswith(WORD_END):
        return word[: -len(WORD_END)]
    if char_class(word[0]) == HAN:
        return word[0]
    return word.replace(SPACE, " ").replace(BREAK, "\n")


# --- records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One search result: an article, an issue's summary, a plan, a plan item or a page."""

    url: str  # from the site's root: zh-hant/bulletins/72/3/index.html, …/index.html#item-4
    kind: str  # "bulletin", "plan" or "page" (the kind filter)
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
    """A record's URL: from the site's root."""
    return site.relative_url("index.html", path)


def _year_and_date(source: site.Source) -> tuple[str | None, str]:
    if source.date is None:
        return None, ""
    return str(source.date.year), source.date.isoformat()


def bulletin_records(
    source: site.Source, path: str, edition: Edition, config: SiteConfig
) -> list[Record]:
    """The issue (its summary and contact), then each article (text and captions)."""
    doc = source.doc
    assert isinstance(doc, Bulletin)
    year, date = _year_and_date(source)
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
    """The plan (title, introduction, headings), then each item on its own."""
    doc = source.doc
    assert isinstance(doc, Plan)
    year, date = _year_and_date(source)
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
    """A Markdown page: one record, its text as a reader sees it."""
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
    year, date = _year_and_date(source)
    facts = {"doc": doc.title, "date": date}
    return Record(_url(path), doc.kind, doc.title, body, facts, year, source.stem)


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

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._current.append(data)


def page_text(markdown: str, allow_html: bool = False) -> tuple[str, ...]:
    """What a reader sees of a Markdown page, block by block (link targets are not text)."""
    parser = _BlockText()
    parser.feed(str(render.markdown_html(markdown, allow_html=allow_html)))
    parser.close()
    parser._flush()
    return tuple(parser.blocks)


def title_span(all_records: Iterable[Record]) -> int:
    """Positions reserved for the title: the longest title's tokens and two more, so a title
    and the body are always at least two separator words apart (no phrase spans them)."""
    return max((len(text_words([r.title])) for r in all_records), default=0) + 2


def content(record: Record, span: int) -> str:
    """The record as Pagefind indexes it: title words, BREAK up to ``span``, body words."""
    title = text_words([record.title])
    if len(title) > span - 2:
        raise BuildError(f"search: title longer than the title span: {record.title!r}")
    return " ".join([*title, *[BREAK] * (span - len(title)), *text_words(record.body)])


def display(content_text: str, span: int) -> tuple[str, str]:
    """(title, body) as shown, rebuilt from a record's content (paragraph breaks as newlines).
    search.js does the same in the browser."""
    parts = content_text.split(" ")
    title = "".join(shown(w) for w in parts[:span] if w != BREAK)
    return title, "".join(shown(w) for w in parts[span:])


# --- matching -------------------------------------------------------------------------------------
#
# ``find`` and ``matches`` say what a query finds, by tokens; ``steps`` and ``lookup`` say how
# search.js finds it, by Pagefind words. The tests hold each to the other and to a plain
# substring rule.


def split_query(query: str) -> list[str]:
    """The terms of a query, without repeats: white space and punctuation separate terms,
    so a term is a run of letters and digits (12.5 is the two terms 12 and 5)."""
    terms: dict[str, None] = {}
    run: list[Token] = []
    for token in [*tokenize(query), Token(SEP, " ")]:
        if token.kind != SEP:
            run.append(token)
        elif run:
            terms.setdefault("".join(t.text for t in run), None)
            run = []
    return list(terms)


def find(term: str, tokens: Sequence[Token], table: Mapping[str, str]) -> list[int]:
    """Positions in ``tokens`` where ``term`` (one term of ``split_query``) starts: its tokens
    at consecutive positions, each of the same kind and equal once folded (whole Latin words)."""
    return find_folded(folded(tokenize(term), table), folded(tokens, table))


def folded(tokens: Sequence[Token], table: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(t.kind, fold(t.text, table)) for t in tokens]


def find_folded(wanted: Sequence[tuple[str, str]], text: Sequence[tuple[str, str]]) -> list[int]:
    """``find`` on tokens already folded."""
    if not wanted or any(kind == SEP for kind, _ in wanted):
        raise ValueError(f"not a search term: {wanted!r}")
    width = len(wanted)
    first = wanted[0]
    return [
        i
        for i in range(len(text) - width + 1)
        if text[i] == first and list(text[i : i + width]) == list(wanted)
    ]


def matches(query: str, record: Record, table: Mapping[str, str]) -> bool:
    """Whether ``record`` is a result of ``query``: every term in its title or its body."""
    terms = split_query(query)
    title, body = (folded(tokens, table) for tokens in record.tokens())
    return bool(terms) and all(
        find_folded(w, title) or find_folded(w, body)
        for w in (folded(tokenize(t), table) for t in terms)
    )


@dataclass(frozen=True)
class Step:
    """One Pagefind lookup of a term: at ``offset`` from the term's start, a word equal to one
    of ``keys`` (EXACT) or starting with one (PREFIX)."""

    offset: int
    mode: str
    keys: tuple[str, ...]


def steps(term: str, table: Mapping[str, str], chars: Iterable[str]) -> list[Step]:
    """How search.js looks a term up in an edition whose characters are ``chars``.

    A Latin word is its folded form + ǂ; a character followed by another is every pair of
    their forms in the edition; one followed by a Latin word ends a run (+ ǂ); a character
    alone (a one-character term, or after a Latin word) is every word starting with it. The
    last character of a longer run needs no step: the pair before it already names it."""
    forms: dict[str, list[str]] = {}
    for c in sorted(set(chars)):
        forms.setdefault(fold_char(c, table), []).append(c)

    def variants(token: Token) -> list[str]:
        return forms.get(fold_char(token.text, table), [])

    tokens = tokenize(term)
    out = []
    for j, token in enumerate(tokens):
        following = tokens[j + 1] if j + 1 < len(tokens) else None
        if token.kind == WORD:
            out.append(Step(j, EXACT, (fold(token.text, table) + WORD_END,)))
        elif following is not None and following.kind == HAN:
            pairs = [a + b for a in variants(token) for b in variants(following)]
            out.append(Step(j, EXACT, tuple(pairs)))
        elif following is not None:
            out.append(Step(j, EXACT, tuple(a + WORD_END for a in variants(token))))
        elif j == 0 or tokens[j - 1].kind != HAN:
            out.append(Step(j, PREFIX, tuple(variants(token))))
    return out


def lookup(term_steps: Sequence[Step], content_words: Sequence[str]) -> list[int]:
    """Where the steps all hit in a record's content words, as Pagefind's words would answer
    (Pagefind lowers the case and drops accents of what it indexes)."""
    indexed = [_pagefind_word(w) for w in content_words]

    def hit(step: Step, position: int) -> bool:
        if position >= len(indexed):
            return False
        word = indexed[position]
        if step.mode == EXACT:
            return word in step.keys
        return any(word.startswith(k) for k in step.keys)

    if not term_steps or any(not s.keys for s in term_steps):
        return []
    return [p for p in range(len(indexed)) if all(hit(s, p + s.offset) for s in term_steps)]


def _pagefind_word(word: str) -> str:
    word = word.lower()
    return "".join(c for c in unicodedata.normalize("NFD", word) if not _is_mark(c))


# --- the index ------------------------------------------------------------------------------------


def index_files(
    by_edition: Mapping[str, Sequence[site.Source]], config: SiteConfig, kinds: Kinds
) -> dict[str, bytes]:
    """The search index as site path → bytes: the Pagefind bundle (``pagefind/``) and each
    edition's ``search/data.json`` and ``spill.json``, from every edition's documents
    (``site.Source``, converted). It needs the documents only, not the rendered pages, so the
    build computes it while it renders."""
    editions = [e for e in EDITIONS if e.code in by_edition]
    per_edition = {e.code: records(by_edition[e.code], e, config, kinds) for e in editions}
    table = fold_table(_aligned(per_edition))
    spans = {code: title_span(recs) for code, recs in per_edition.items()}
    bundle, spills = bundle_files(editions, per_edition, spans)
    files = {f"{BUNDLE}/{path}": data for path, data in bundle.items()}
    for edition in editions:
        data = edition_data(
            edition, per_edition[edition.code], spans[edition.code], table, kinds.names
        )
        files[f"{edition.code}/{DATA}"] = _json(data)
        files[f"{edition.code}/{SPILL}"] = _json(dict(sorted(spills[edition.code].items())))
    return files


def write_files(files: Mapping[str, bytes], site_dir: Path) -> None:
    """The index's files into the (staged) site folder, beside the pages."""
    for path in sorted(files):
        target = site_dir / path
        if target.exists():
            raise BuildError("written by both the search index and the pages", at=path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[path])


def write_index(
    by_edition: Mapping[str, Sequence[site.Source]],
    site_dir: Path,
    config: SiteConfig,
    kinds: Kinds,
) -> None:
    """``index_files`` written into ``site_dir``."""
    write_files(index_files(by_edition, config, kinds), site_dir)


def _json(value: object) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # The site never carries a compatibility ideograph as such (they break copy and search);
    # the fold table still maps them, written as JSON escapes.
    return re.sub("[\uf900-\ufaff]", lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


def _aligned(per_edition: Mapping[str, Sequence[Record]]) -> Iterator[tuple[str, str]]:
    """(繁, 简) text of the same field of the same record, for ``fold_table``."""
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


def edition_data(
    edition: Edition,
    recs: Sequence[Record],
    span: int,
    table: Mapping[str, str],
    kind_names: Sequence[str],
) -> dict[str, object]:
    """``{edition}/search/data.json``: what search.js needs besides Pagefind.

    - ``index``: the edition's index in the bundle; ``span``: the title span;
    - ``fold``: the Chinese part of ``fold`` as pairs of characters (經经…), for every character
      that folds to one this edition holds;
    - ``chars``: every Chinese character of the edition (a query character is looked up as
      each of them that folds to the same);
    - ``years``, ``kinds``: the filters' values; ``records``: how many there are.

    ``spill.json`` beside it lists the characters whose words fill more than one of Pagefind's
    index files (``spill``); search.js loads it for one-character terms only.
    """
    present: set[str] = set()
    for r in recs:
        present.update(*(unicodedata.normalize("NFC", text) for text in (r.title, *r.body)))
    chars = {c for c in present if char_class(c) == HAN}
    folds = {fold_char(c, table) for c in chars}
    return {
        "version": DATA_VERSION,
        "index": index_language(edition),
        "span": span,
        "fold": "".join(k + v for k, v in table.items() if v in folds),
        "chars": "".join(sorted(chars)),
        "years": sorted({r.year for r in recs if r.year}, reverse=True),
        "kinds": [k for k in kind_names if any(r.kind == k for r in recs)],
        "records": len(recs),
    }


def record_filters(record: Record) -> dict[str, list[str]]:
    filters = {"kind": [record.kind]}
    if record.year:
        filters["year"] = [record.year]
    for name, value in record.facts.items():
        if value:
            filters[name] = [value]
    return filters


def bundle_files(
    editions: Sequence[Edition],
    per_edition: Mapping[str, Sequence[Record]],
    spans: Mapping[str, int],
) -> tuple[dict[str, bytes], dict[str, dict[str, list[str]]]]:
    """The Pagefind bundle as path → bytes, as the site ships it (``canonical_bundle``), and
    each edition's spill (see ``edition_data``).

    Each edition is indexed by a Pagefind process of its own and the outputs are merged
    (``merge_bundles``). The two run at once when their memory fits (``at_once``), else one
    after the other: at 1,000 issues one edition's Pagefind holds about 2.5 GB, and two at once
    take about 60% of the time of two in turn (bench/README.md)."""
    if at_once(sum(len(recs) for recs in per_edition.values()), _memory_bytes()):
        with ThreadPoolExecutor(max_workers=max(1, len(editions))) as pool:
            parts = list(
                pool.map(lambda e: edition_bundle(e, per_edition[e.code], spans[e.code]), editions)
            )
    else:
        parts = [edition_bundle(e, per_edition[e.code], spans[e.code]) for e in editions]
    files = merge_bundles(parts)
    ranks = {
        index_language(e): {r.url: i for i, r in enumerate(per_edition[e.code])} for e in editions
    }
    files, chunks = canonical_bundle(files, ranks)
    spills = {e.code: spill(chunks[index_language(e)]) for e in editions}
    return files, spills


# Pagefind's peak memory per record it indexes (2,533 MiB for 11,034 records of one edition
# of the 1,000-issue benchmark archive).
PAGEFIND_BYTES_PER_RECORD = 240_000


def at_once(records: int, memory: int | None) -> bool:
    """Index the editions at the same time? When Pagefind's estimated memory for all of them
    is at most a quarter of the machine's (``memory``, bytes; None: unknown, so no)."""
    return memory is not None and records * PAGEFIND_BYTES_PER_RECORD <= memory // 4


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not on this system
        return None


def edition_bundle(edition: Edition, recs: Sequence[Record], span: int) -> dict[str, bytes]:
    """Pagefind's files for one edition's index, as Pagefind writes them.

    The files come back through the service (``GetFiles``) and are written by the build:
    Pagefind answers ``WriteFiles`` before its writes reach the disk, so a file may still be
    empty when the service stops."""
    with PagefindService() as service:
        index = service.send({"type": "NewIndex", "config": {}})["index_id"]
        service.send_all(
            {
                "type": "AddRecord",
                "index_id": index,
                "url": record.url,
                "content": content(record, span),
                "language": index_language(edition),
                "meta": {},
                "filters": record_filters(record),
            }
            for record in recs
        )
        answer = service.send({"type": "GetFiles", "index_id": index})
    return {
        f["path"]: base64.b64decode(f["content"])
        for f in answer["files"]
        if f["path"] not in _UNUSED_BUNDLE_FILES
    }


def merge_bundles(parts: Sequence[Mapping[str, bytes]]) -> dict[str, bytes]:
    """One bundle from bundles of one index each: their files side by side (an index's files
    are named by its language) and one entry file listing every index, in the given order."""
    merged: dict[str, bytes] = {}
    languages: dict[str, object] = {}
    entry: dict[str, Any] = {}
    for part in parts:
        for path, data in part.items():
            if path == "pagefind-entry.json":
                entry = json.loads(data)
                languages.update(entry["languages"])
            elif merged.setdefault(path, data) != data:
                raise BuildError(f"search: two Pagefind runs wrote different {BUNDLE}/{path}")
    if parts:
        entry["languages"] = languages
        merged["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False).encode("utf-8")
    return merged


def spill(chunks: Sequence[Sequence[str]]) -> dict[str, list[str]]:
    """Characters whose words (pairs and ``cǂ``, all starting with the character) lie in more
    than one index file, each with the first word (``from``) of every such file.

    ``chunks``: Pagefind's index files in order, as (from, to, …): from/to are prefixes of the
    first and last word, so a file holds words starting with c if from[0] ≤ c ≤ to[0]. Pagefind
    loads the file whose range holds a searched word; a search for ``from`` loads that file.
    """
    found: dict[str, list[str]] = {}
    for chunk in chunks:
        first, last = chunk[0], chunk[1]
        if not first or not last:
            continue
        for code in range(ord(first[0]), ord(last[0]) + 1):
            c = chr(code)
            if char_class(c) == HAN:
                found.setdefault(c, []).append(first)
    return {c: keys for c, keys in found.items() if len(keys) > 1}


# --- Pagefind -------------------------------------------------------------------------------------


class PagefindService:
    """``pagefind --service``, the process behind Pagefind's Python API, spoken to directly.

    The messages are the API's own (``pagefind.service.types``: base64 JSON, each followed by
    a comma). The API itself polls for answers every 100 ms, one answer per poll: 0.1 s per
    record, half an hour for 20,000 records; this client reads each answer as it comes.
    The standard binary (``pagefind_bin``) is used even if the extended one is installed: the
    extended binary would cut Chinese text into words itself and move the positions.
    """

    def __init__(self) -> None:
        self._next_id = 0
        self._buffer = bytearray()

    def __enter__(self) -> PagefindService:
        self._log = tempfile.TemporaryFile()
        binary = pagefind_binary()
        try:
            self._process = subprocess.Popen(
                [str(binary), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
            )
        except OSError as error:
            self._log.close()
            raise BuildError(
                f"search: cannot start Pagefind ({binary}): {error.strerror}"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        process = self._process
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
        self._log.close()

    def send(self, payload: Mapping[str, object]) -> dict[str, Any]:
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")
            stdin.flush()
        except BrokenPipeError:
            raise BuildError(f"search: Pagefind stopped: {self._stderr()}") from None
        while True:
            answer = json.loads(base64.b64decode(self._read_message()))
            if answer is None or answer.get("message_id") not in (None, self._next_id):
                continue
            result = answer["payload"]
            if result.get("type") == "Error" or answer.get("message_id") is None:
                raise BuildError(f"search: Pagefind: {result.get('message', result)}")
            return result

    def send_all(self, payloads: Iterable[Mapping[str, object]]) -> None:
        """Send every payload without waiting for each answer (a thread writes while this one
        reads, so that neither pipe fills up), then check every answer."""
        stdin = self._process.stdin
        assert stdin is not None
        first = self._next_id + 1
        messages = []
        for payload in payloads:
            self._next_id += 1
            message = {"message_id": self._next_id, "payload": payload}
            messages.append(base64.b64encode(json.dumps(message).encode()) + b",")
        failed: list[BaseException] = []

        def write() -> None:
            try:
                for message in messages:
                    stdin.write(message)
                stdin.flush()
            except OSError as error:  # the service stopped: the reader says why
                failed.append(error)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        for _ in range(first, self._next_id + 1):
            answer = json.loads(base64.b64decode(self._read_message()))
            result = answer["payload"] if answer else {}
            if result.get("type") == "Error":
                raise BuildError(f"search: Pagefind: {result.get('message', result)}")
        writer.join()
        if failed:
            raise BuildError(f"search: Pagefind stopped: {self._stderr()}")

    def _read_message(self) -> bytes:
        """The next message: everything up to the next comma (base64 has none)."""
        stdout = self._process.stdout
        assert stdout is not None
        scanned = 0
        while True:
            end = self._buffer.find(b",", scanned)
            if end >= 0:
                message = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return message
            scanned = len(self._buffer)
            chunk = stdout.read1(1 << 20)
            if not chunk:
                raise BuildError(f"search: Pagefind stopped: {self._stderr()}")
            self._buffer += chunk

    def _stderr(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace").strip() or "no message"


def pagefind_binary() -> Path:
    """$PAGEFIND_BINARY_PATH, else the standard binary from ``pagefind_bin``, else ``pagefind``
    on the PATH."""
    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return Path(os.environ["PAGEFIND_BINARY_PATH"])
    try:
        from pagefind_bin import get_executable
    except ImportError:
        found = shutil.which("pagefind")
        if found is None:
            raise BuildError(
                "search: the Pagefind binary is missing (pip install 'pagefind[bin]')"
            ) from None
        return Path(found)
    return Path(get_executable())


# --- the bundle as the site ships it --------------------------------------------------------------
#
# Two rewrites of Pagefind's output, neither of which changes what it indexed:
#
# - Record ids. Pagefind names each record (its fragment file, and its entry in the metadata
#   file every search loads first) by a hash such as ``hant_2dad726``. The site names it by its
#   place in ``records``: edition letter + base 36 (``a0``, ``a1``, … ``a8ky``). The browser reads
#   the rank (newest first) from the id of each result, without loading the record and without
#   a Pagefind sort (which costs a search a scan of every record per result). Word counts, which
#   only feed Pagefind's own scores, are set to 1: the metadata file shrinks by two thirds.
# - Determinism. Pagefind 1.5 writes the values of a filter in hash-map order, which changes
#   from run to run (its issue #638: fragments are stable, "filter/metadata indexes" are not).
#   Filter files are rewritten with their values sorted and named by their content; the
#   metadata file, which lists them, and the entry file, which names it, follow.

_SIGNATURE = b"pagefind_dcd"


def record_id(edition_index: int, rank: int) -> str:
    """``a0``, ``a1``, … for the first edition, ``b0``, … for the second (search.js reads it)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        rank, digit = divmod(rank, 36)
        out = digits[digit] + out
        if not rank:
            break
    return chr(ord("a") + edition_index) + out


def canonical_bundle(
    files: Mapping[str, bytes], ranks: Mapping[str, Mapping[str, int]]
) -> tuple[dict[str, bytes], dict[str, list[list[str]]]]:
    """The bundle with records named by ``record_id`` (``ranks``: index → url → rank), word
    counts of 1, and filter, metadata and entry files independent of the run; and each index's
    list of index files ([from, to, name], in order)."""
    out = dict(files)
    entry = json.loads(out["pagefind-entry.json"])
    # Pagefind lists the indexes in hash-map order too: the editions' order instead.
    entry["languages"] = {name: entry["languages"][name] for name in ranks}
    chunks: dict[str, list[list[str]]] = {}
    for language, info in entry["languages"].items():
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        meta = _read_pf(out.pop(meta_name), meta_name)
        edition = list(ranks).index(language)
        pages = []
        for page, _word_count in meta[1]:
            fragment = out.pop(f"fragment/{page}.pf_fragment")
            url = json.loads(gzip.decompress(fragment)[len(_SIGNATURE) :])["url"]
            page = record_id(edition, ranks[language][url])
            out[f"fragment/{page}.pf_fragment"] = fragment
            pages.append([page, 1])
        meta[1] = pages
        filters = []
        for name, chunk in meta[3]:
            path = f"filter/{chunk}.pf_filter"
            name_in_file, values = _read_pf(out.pop(path), path)
            values = sorted([value, sorted(pages)] for value, pages in values)
            data = _pf_bytes([name_in_file, values])
            chunk = f"{language}_{_digest(data, 7)}"
            out[f"filter/{chunk}.pf_filter"] = data
            filters.append([name, chunk])
        meta[3] = sorted(filters)
        chunks[language] = meta[2]
        data = _pf_bytes(meta)
        info["hash"] = f"{language}_{_digest(data, 15)}"
        out[f"pagefind.{info['hash']}.pf_meta"] = data
    out["pagefind-entry.json"] = json.dumps(
        entry, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    return out, chunks


def _digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def _read_pf(raw: bytes, name: str) -> Any:
    data = gzip.decompress(raw)
    if not data.startswith(_SIGNATURE):
        raise BuildError(f"search: {name}: not a Pagefind file")
    value, end = _cbor_decode(data, len(_SIGNATURE))
    if end != len(data):
        raise BuildError(f"search: {name}: trailing bytes")
    return value


def _pf_bytes(value: Any) -> bytes:
    out = bytearray(_SIGNATURE)
    _cbor_encode(value, out)
    return gzip.compress(bytes(out), compresslevel=9, mtime=0)


def _cbor_head(major: int, n: int, out: bytearray) -> None:
    if n < 24:
        out.append(major << 5 | n)
    elif n < 1 << 8:
        out += bytes((major << 5 | 24, n))
    elif n < 1 << 16:
        out.append(major << 5 | 25)
        out += n.to_bytes(2, "big")
    elif n < 1 << 32:
        out.append(major << 5 | 26)
        out += n.to_bytes(4, "big")
    else:
        out.append(major << 5 | 27)
        out += n.to_bytes(8, "big")


def _cbor_encode(value: Any, out: bytearray) -> None:
    """The CBOR subset Pagefind's metadata and filter files use (definite lengths)."""
    if value is True or value is False:
        out.append(0xF5 if value else 0xF4)
    elif value is None:
        out.append(0xF6)
    elif isinstance(value, int):
        if value >= 0:
            _cbor_head(0, value, out)
        else:
            _cbor_head(1, -1 - value, out)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _cbor_head(3, len(data), out)
        out += data
    elif isinstance(value, bytes):
        _cbor_head(2, len(value), out)
        out += value
    elif isinstance(value, list):
        _cbor_head(4, len(value), out)
        for item in value:
            _cbor_encode(item, out)
    elif isinstance(value, dict):
        _cbor_head(5, len(value), out)
        for key, item in value.items():
            _cbor_encode(key, out)
            _cbor_encode(item, out)
    elif isinstance(value, float):
        out.append(0xFB)
        out += struct.pack(">d", value)
    else:
        raise TypeError(f"cannot encode {type(value).__name__}")


def _cbor_decode(data: bytes, i: int) -> tuple[Any, int]:
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], i
        if info == 25:
            return struct.unpack(">e", data[i : i + 2])[0], i + 2
        if info == 26:
            return struct.unpack(">f", data[i : i + 4])[0], i + 4
        if info == 27:
            return struct.unpack(">d", data[i : i + 8])[0], i + 8
        raise BuildError(f"search: unexpected CBOR simple value {info}")
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise BuildError("search: indefinite CBOR lengths are not expected")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major == 2:
        return data[i : i + n], i + n
    if major == 3:
        return data[i : i + n].decode("utf-8"), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    if major == 5:
        mapping = {}
        for _ in range(n):
            key, i = _cbor_decode(data, i)
            mapping[key], i = _cbor_decode(data, i)
        return mapping, i
    raise BuildError(f"search: unexpected CBOR type {major}")
