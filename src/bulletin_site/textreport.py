"""Documents for a person to read in a terminal: the whole reading (``parse --format text``,
``show``) and the short account ``add`` prints for checking against the PDF. One function of
each per kind of document; ``kinds.py`` says which kind uses which."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bulletin_site.errors import plural
from bulletin_site.model import Bulletin, Page, Plan, Reading, text_role

_SENTENCE = re.compile(r"[^。！？!?]+(?:[。！？!?]+[”’」』）》\"')]*|$)")


def format_reading(reading: Reading, outline: list[str], *, report: bool = False) -> str:
    """A reading: its kind and script, ``outline`` (the kind's ``outline`` of the document),
    the reader's warnings and, with ``report``, where every source line went."""
    doc = reading.document
    out: list[str] = [f"{doc.source}  ({doc.kind}, {doc.script})", *outline]
    if doc.warnings:
        out += ["", "== warnings", *(str(w) for w in doc.warnings)]
    if report:
        out += ["", "== conservation report (line, role → where it went)"]
        out += [str(trace) for trace in reading.report]
    return "\n".join(out) + "\n"


# --- the whole text -------------------------------------------------------------------------


def bulletin_outline(doc: Bulletin) -> list[str]:
    out = [f"issue: {doc.number if doc.number is not None else 'not stated'}", ""]
    out += ["== summary", *doc.summary, f"contact: {doc.contact or '—'}"]
    for article in doc.articles:
        out += ["", f"== {article.number}. {article.title}"]
        out += [f"[¶{k}] {p}" for k, p in enumerate(article.paragraphs, start=1)]
        out += [f"[caption] {caption}" for caption in article.captions]
    return out


def plan_outline(doc: Plan) -> list[str]:
    out = [f"== {doc.title}", *doc.intro]
    for section in doc.sections:
        out += ["", ("  " if section.level == 2 else "") + f"== {section.heading}"]
        out += [f"{item.number}. {item.text}" for item in section.items]
    return out


def page_outline(doc: Page) -> list[str]:
    return [f"== {doc.title}", doc.markdown]


def document_outline(doc: Any) -> list[str]:
    """Any other kind: its title, then every text field a reader sees, in field order."""
    return [f"== {doc.title}", *_texts(doc)]


def _texts(value: Any) -> list[str]:
    out: list[str] = []
    for f in dataclasses.fields(value):
        if text_role(f) == "verbatim" or f.name == "title":
            continue
        item = getattr(value, f.name)
        for part in item if isinstance(item, tuple) else (item,):
            if isinstance(part, str):
                out.append(part)
            elif dataclasses.is_dataclass(part):
                out += _texts(part)
    return out


# --- what `add` shows ---------------------------------------------------------------------------


def bulletin_summary(doc: Bulletin) -> list[str]:
    out = []
    for article in doc.articles:
        paragraphs = article.paragraphs
        out.append(f"{article.number:>3}. {article.title}")
        out.append(
            f"     {plural(len(paragraphs), 'paragraph')}, "
            f"{plural(len(article.captions), 'caption')}"
        )
        if paragraphs:
            out.append(f"     first: {first_sentence(paragraphs[0])}")
            out.append(f"     last:  {last_sentence(paragraphs[-1])}")
    return out


def plan_summary(doc: Plan) -> list[str]:
    items = [item for section in doc.sections for item in section.items]
    out = [
        f"  {doc.title}",
        f"     {plural(len(doc.sections), 'section')}, {plural(len(items), 'item')}",
    ]
    if items:
        out.append(f"     first: {items[0].number}. {first_sentence(items[0].text)}")
        out.append(f"     last:  {items[-1].number}. {last_sentence(items[-1].text)}")
    return out


def page_summary(doc: Page) -> list[str]:
    return [f"  {doc.title}", f"     {plural(len(doc.markdown), 'character')} of Markdown"]


def document_summary(doc: Any) -> list[str]:
    texts = _texts(doc)
    return [f"  {doc.title}", f"     {plural(sum(map(len, texts)), 'character')} of text"]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else text


def last_sentence(text: str) -> str:
    found = sentences(text)
    return found[-1] if found else text
