"""The documents the reader produces: plain frozen dataclasses and their JSON contract.

``to_dict`` gives exactly the JSON that ``bulletin-site parse`` prints (the reader's public
contract, documented in the README); ``from_dict`` reads it back (corrections, cache).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HANT = "hant"
HANS = "hans"


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bulletin:
    source: str
    script: str
    number: int | None
    summary: tuple[str, ...]
    contact: str | None
    articles: tuple[Article, ...]
    warnings: tuple[str, ...] = ()
    kind: str = field(default="bulletin", init=False)


@dataclass(frozen=True)
class Item:
    number: int
    text: str


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[Item, ...]
    level: int = 1  # 1 for "一、…", 2 for "（一）…" inside a level-1 section


@dataclass(frozen=True)
class Plan:
    source: str
    script: str
    title: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    warnings: tuple[str, ...] = ()
    kind: str = field(default="plan", init=False)


@dataclass(frozen=True)
class Page:
    source: str
    script: str
    title: str
    markdown: str
    warnings: tuple[str, ...] = ()
    kind: str = field(default="page", init=False)


Document = Bulletin | Plan | Page


@dataclass(frozen=True)
class Trace:
    """Where one source line went: the conservation report is a list of these."""

    line: int
    text: str
    role: str  # contents, summary, contact, paragraph, caption, footer, repeat, ...
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


def to_dict(doc: Document) -> dict[str, Any]:
    if isinstance(doc, Bulletin):
        return {
            "kind": "bulletin",
            "source": doc.source,
            "script": doc.script,
            "issue": {"number": doc.number},
            "summary": list(doc.summary),
            "contact": doc.contact,
            "articles": [
                {
                    "number": a.number,
                    "title": a.title,
                    "paragraphs": list(a.paragraphs),
                    "captions": list(a.captions),
                }
                for a in doc.articles
            ],
            "warnings": list(doc.warnings),
        }
    if isinstance(doc, Plan):
        return {
            "kind": "plan",
            "source": doc.source,
            "script": doc.script,
            "title": doc.title,
            "intro": list(doc.intro),
            "sections": [
                {
                    "heading": s.heading,
                    "level": s.level,
                    "items": [{"number": i.number, "text": i.text} for i in s.items],
                }
                for s in doc.sections
            ],
            "warnings": list(doc.warnings),
        }
    return {
        "kind": "page",
        "source": doc.source,
        "script": doc.script,
        "title": doc.title,
        "markdown": doc.markdown,
        "warnings": list(doc.warnings),
    }


def from_dict(data: dict[str, Any]) -> Document:
    kind = data.get("kind")
    if kind == "bulletin":
        return Bulletin(
            source=data["source"],
            script=data["script"],
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
            warnings=tuple(data.get("warnings", ())),
        )
    if kind == "plan":
        return Plan(
            source=data["source"],
            script=data["script"],
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
            warnings=tuple(data.get("warnings", ())),
        )
    if kind == "page":
        return Page(
            source=data["source"],
            script=data["script"],
            title=data["title"],
            markdown=data["markdown"],
            warnings=tuple(data.get("warnings", ())),
        )
    raise ValueError(f"unknown document kind: {kind!r}")
