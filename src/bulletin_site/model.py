"""The documents the reader produces: plain frozen dataclasses and their JSON contract.

Each document's ``to_dict`` gives exactly the JSON that ``bulletin-site parse`` prints (the
reader's public contract, docs/reader.md); ``from_dict`` reads it back (the cache). Which kinds of
document there are, and what each stage does with each, is in ``kinds.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import Field, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

# How the conversion to the other script treats a field (``convert.convert_document`` reads
# this): by default every string a reader sees is converted; a VERBATIM field is kept as it
# is (file names, scripts, numbers), a MARKDOWN field is converted as Markdown (code and link
# targets kept).
VERBATIM = {"text": "verbatim"}
MARKDOWN = {"text": "markdown"}


def text_role(f: Field[Any]) -> str:
    """``text``, ``verbatim`` or ``markdown``: how a document's field is converted."""
    return str(f.metadata.get("text", "text"))


HANT = "hant"
HANS = "hans"


@dataclass(frozen=True)
class Notice:
    """Something the reader (or a parser) wants a person to look at, at a line of its source.

    ``code`` names the kind of doubt for programs (``unplaced``, ``no-body`` …); ``message``
    says what was decided, ``detail`` the alternative and why, when there is one. ``place``
    is where the doubted text went in the reading (``article 3 ¶2``, ``article 3 caption
    1``), so a correction file can show the doubt beside it. A doubt of a known kind
    (``DOUBTS``) keeps its ``values``, so it can be said in the editor's language."""

    line: int | None
    code: str
    message: str
    detail: str = ""
    place: str = ""
    values: tuple[tuple[str, str], ...] = ()

    @classmethod
    def doubt(cls, line: int | None, code: str, place: str = "", **values: str) -> Notice:
        """A doubt of a kind ``DOUBTS`` names, its message made from ``values``."""
        return cls(
            line, code, DOUBTS[code].format(**values), "", place, tuple(sorted(values.items()))
        )

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return where + self.message + (f" ({self.detail})" if self.detail else "")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "line": self.line,
            "code": self.code,
            "message": self.message,
            "detail": self.detail,
        }
        if self.place:
            data["place"] = self.place
        if self.values:
            data["values"] = dict(self.values)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        return cls(
            data.get("line"),
            data["code"],
            data["message"],
            data.get("detail", ""),
            data.get("place", ""),
            tuple(sorted(data.get("values", {}).items())),
        )


# The reader's doubts: a decision it took with a small margin, what it decided and the
# alternative. The templates are the keys of the messages' catalogue (i18n.py).
DOUBTS = {
    "caption-or-body": "read 「{text}」 as a photo caption of article {article}; "
    "it may be body text",
    "body-or-caption": "read 「{text}」 as body text of article {article}; "
    "it may be a photo caption",
    "caption-article": "gave the photo caption 「{text}」 to article {article}; "
    "it may belong to article {other}",
    "paragraph-end": "ended a paragraph of article {article} after 「{text}」; "
    "the paragraph may go on",
    "paragraph-on": "ran a paragraph of article {article} on after 「{text}」; "
    "a new paragraph may begin there",
    "paragraph-article": "gave the paragraph starting 「{text}」 to article {article}; "
    "its words are article {other}'s",
    "article-start": "began article {article}'s text at 「{text}」; "
    "it may belong to article {other}",
    "printed-once": "kept 「{text}」 as text of article {article}; "
    "it may be a reprint of raw line {first}, kept as text too",
}


def _identity(doc: Any) -> dict[str, Any]:
    """What every document's JSON starts with."""
    return {"kind": doc.kind, "source": doc.source, "script": doc.script}


def _origin(data: Mapping[str, Any]) -> dict[str, Any]:
    """What every document is made with from its JSON, besides its own fields."""
    return {
        "source": data["source"],
        "script": data["script"],
        "warnings": tuple(Notice.from_dict(w) for w in data.get("warnings", ())),
    }


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bulletin:
    source: str = field(metadata=VERBATIM)
    script: str = field(metadata=VERBATIM)
    number: int | None
    summary: tuple[str, ...]
    contact: str | None
    articles: tuple[Article, ...]
    warnings: tuple[Notice, ...] = field(default=(), metadata=VERBATIM)
    kind: ClassVar[str] = "bulletin"

    @property
    def title(self) -> str:
        return ""  # an issue is named by its number and date, not by a title

    def to_dict(self) -> dict[str, Any]:
        return {
            **_identity(self),
            "issue": {"number": self.number},
            "summary": list(self.summary),
            "contact": self.contact,
            "articles": [
                {
                    "number": a.number,
                    "title": a.title,
                    "paragraphs": list(a.paragraphs),
                    "captions": list(a.captions),
                }
                for a in self.articles
            ],
            "warnings": [w.to_dict() for w in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bulletin:
        return cls(
            **_origin(data),
            number=(data.get("issue") or {}).get("number"),
            summary=tuple(data.get("summary", ())),
            contact=data.get("contact"),
            articles=tuple(
                Article(
                    number=a["number"],
                    title=a["title"],
                    paragraphs=tuple(a.get("paragraphs", ())),
                    captions=tuple(a.get("captions", ())),
                )
                for a in data.get("articles", ())
            ),
        )


@dataclass(frozen=True)
class Item:
    number: int = field(metadata=VERBATIM)
    text: str


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[Item, ...]
    level: int = 1  # 1 for "一、…", 2 for "（一）…" inside a level-1 section


@dataclass(frozen=True)
class Plan:
    source: str = field(metadata=VERBATIM)
    script: str = field(metadata=VERBATIM)
    title: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    warnings: tuple[Notice, ...] = field(default=(), metadata=VERBATIM)
    kind: ClassVar[str] = "plan"

    def to_dict(self) -> dict[str, Any]:
        return {
            **_identity(self),
            "title": self.title,
            "intro": list(self.intro),
            "sections": [
                {
                    "heading": s.heading,
                    "level": s.level,
                    "items": [{"number": i.number, "text": i.text} for i in s.items],
                }
                for s in self.sections
            ],
            "warnings": [w.to_dict() for w in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            **_origin(data),
            title=data["title"],
            intro=tuple(data.get("intro", ())),
            sections=tuple(
                Section(
                    heading=s["heading"],
                    level=s.get("level", 1),
                    items=tuple(Item(i["number"], i["text"]) for i in s.get("items", ())),
                )
                for s in data.get("sections", ())
            ),
        )


@dataclass(frozen=True)
class Page:
    source: str = field(metadata=VERBATIM)
    script: str = field(metadata=VERBATIM)
    title: str
    markdown: str = field(metadata=MARKDOWN)
    warnings: tuple[Notice, ...] = field(default=(), metadata=VERBATIM)
    kind: ClassVar[str] = "page"

    def to_dict(self) -> dict[str, Any]:
        return {
            **_identity(self),
            "title": self.title,
            "markdown": self.markdown,
            "warnings": [w.to_dict() for w in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Page:
        return cls(
            **_origin(data),
            title=data["title"],
            markdown=data["markdown"],
        )


Document = Bulletin | Plan | Page


class Role(StrEnum):
    """What a source line was found to be: the roles of the conservation report."""

    READ = "read"  # a repair made while decoding (line 0)
    MASTHEAD = "masthead"
    CONTENTS = "contents"
    SUMMARY = "summary"
    CONTACT = "contact"
    PARAGRAPH = "paragraph"
    CAPTION = "caption"
    FOOTER = "footer"
    REPEAT = "repeat"
    TITLE = "title"
    INTRO = "intro"
    HEADING = "heading"
    ITEM = "item"
    MARKDOWN = "markdown"
    UNPLACED = "unplaced"


@dataclass(frozen=True)
class Trace:
    """Where one source line went: the conservation report is a list of these."""

    line: int
    text: str
    role: Role
    target: str = ""  # e.g. "article 3 ¶2", "repeat of line 55"

    def __str__(self) -> str:
        target = f" → {self.target}" if self.target else ""
        return f"{self.line:>5}  {self.role:<10}{target}  {self.text}"


@dataclass(frozen=True)
class Reading:
    """A document together with the account of every source line it came from."""

    document: Document
    report: tuple[Trace, ...] = ()


def stem(source: str) -> str:
    """The file name without its extension: the key for metadata, corrections and URLs."""
    return source.rsplit(".", 1)[0] if "." in source else source
