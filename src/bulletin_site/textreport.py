"""Documents for a person to read in a terminal: the whole reading (``parse --format text``,
``show``) and the short account ``add`` prints for checking against the PDF. One function of
each per kind of document; ``kinds.py`` says which kind uses which."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bulletin_site.errors import ENGLISH, Language
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


def _count(language: Language, singular: str, plural: str, n: int) -> str:
    return language.ngettext(singular, plural, n).format(n=n)


def _ends(language: Language, first: str, last: str) -> list[str]:
    say = language.gettext
    return [
        "     " + say("first: {sentence}").format(sentence=first),
        "     " + say("last:  {sentence}").format(sentence=last),
    ]


def bulletin_summary(doc: Bulletin, language: Language = ENGLISH) -> list[str]:
    out = []
    for article in doc.articles:
        paragraphs = article.paragraphs
        out.append(f"{article.number:>3}. {article.title}")
        out.append(
            "     "
            + _count(language, "{n} paragraph", "{n} paragraphs", len(paragraphs))
            + ", "
            + _count(language, "{n} caption", "{n} captions", len(article.captions))
        )
        if paragraphs:
            out += _ends(language, first_sentence(paragraphs[0]), last_sentence(paragraphs[-1]))
    return out


def plan_summary(doc: Plan, language: Language = ENGLISH) -> list[str]:
    items = [item for section in doc.sections for item in section.items]
    out = [
        f"  {doc.title}",
        "     "
        + _count(language, "{n} section", "{n} sections", len(doc.sections))
        + ", "
        + _count(language, "{n} item", "{n} items", len(items)),
    ]
    if items:
        first, last = items[0], items[-1]
        out += _ends(
            language,
            f"{first.number}. {first_sentence(first.text)}",
            f"{last.number}. {last_sentence(last.text)}",
        )
    return out


def page_summary(doc: Page, language: Language = ENGLISH) -> list[str]:
    characters = _count(language, "{n} character", "{n} characters", len(doc.markdown))
    return [
        f"  {doc.title}",
        "     " + language.gettext("{count} of Markdown").format(count=characters),
    ]


def document_summary(doc: Any, language: Language = ENGLISH) -> list[str]:
    n = sum(map(len, _texts(doc)))
    characters = _count(language, "{n} character", "{n} characters", n)
    return [
        f"  {doc.title}",
        "     " + language.gettext("{count} of text").format(count=characters),
    ]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else text


def last_sentence(text: str) -> str:
    found = sentences(text)
    return found[-1] if found else text
