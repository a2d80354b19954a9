"""Editors' corrections: ``content/corrections/<stem>.md`` replaces what the reader made of
``seeds/<stem>.txt``.

``bulletin-site export STEM`` writes the reader's output in a form any text editor can change;
the build then publishes that file instead of reading the raw text again, so a fix is never
lost to a new version of the reader. Nothing in the program ever writes over a correction.

The format is Markdown-like text with YAML front matter (documented in
docs/editors.md). For a bulletin::

    ---
    kind: bulletin
    script: hant
    source_sha256: 3f…   # the raw file it was exported from; `check` warns when it changes
    number: 70
    contact: 如有垂詢…
    ---
    The issue's summary, one paragraph per block.

    ## 1. The first article's title

    Its paragraphs, one per block (a blank line between them).

    > 圖：a photo caption, one per line

A work plan has ``title`` in the front matter, intro paragraphs, ``## 一、…`` sections
(``### （一）…`` one level down) and ``12. text`` items; a page has ``title`` and its Markdown,
exactly. Structure is recognised line by line (``#`` heading, ``>`` caption, ``12.`` item);
a line of text that begins with one of these is written with a ``\\`` in front.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from bulletin_site import cache
from bulletin_site.cache import Cache
from bulletin_site.config import key_lines, safe_load_with_nodes, unknown_keys
from bulletin_site.errors import InputError, Problem
from bulletin_site.model import (
    HANS,
    HANT,
    Article,
    Bulletin,
    Document,
    Item,
    Page,
    Plan,
    Section,
)
from bulletin_site.parse import read_text
from bulletin_site.read import decode

CORRECTIONS_DIR = "content/corrections"
SUFFIX = ".md"
KINDS = ("bulletin", "plan", "page")
COMMON_KEYS = ("kind", "script", "source_sha256")
KIND_KEYS = {"bulletin": ("number", "contact"), "plan": ("title",), "page": ("title",)}
CAPTION_PREFIX = {HANT: "圖：", HANS: "图："}

_FENCE = "---"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ARTICLE = re.compile(r"##[ \t]*(\d+)[ \t]*[.．、]?[ \t]*(.*)")
_SECTION = re.compile(r"(#{2,3})[ \t]*(.*)")
_ITEM = re.compile(r"(\d+)\.[ \t]+(.*)")
_CAPTION_PREFIXES = ("圖：", "图：", "圖:", "图:")


@dataclass(frozen=True)
class Correction:
    """One correction file, read: the document it publishes and where its keys are."""

    path: str  # for messages, relative to the project root
    document: Document
    source_sha256: str | None = None
    lines: Mapping[str, int] = field(default_factory=dict)  # front matter key → line


def correction_path(stem: str) -> str:
    return f"{CORRECTIONS_DIR}/{stem}{SUFFIX}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Writing: a document → the text of its correction file


def export_text(doc: Document, source_sha256: str, seed: str) -> str:
    """The correction file for ``doc``, read from ``seed`` whose bytes hash to ``source_sha256``.
    ``parse_correction`` gives back the same document (without the reader's warnings)."""
    head = [_FENCE, *_help(doc.kind, seed, CAPTION_PREFIX.get(doc.script, "圖："))]
    head += [f"kind: {doc.kind}", f"script: {doc.script}"]
    head.append(f"source_sha256: {_scalar(source_sha256)}")  # quoted if all digits
    if isinstance(doc, Bulletin):
        head += [f"number: {_scalar(doc.number)}", f"contact: {_scalar(doc.contact)}"]
        body = _bulletin_body(doc)
    elif isinstance(doc, Plan):
        head.append(f"title: {_scalar(doc.title)}")
        body = _plan_body(doc)
    else:
        head.append(f"title: {_scalar(doc.title)}")
        return "\n".join([*head, _FENCE]) + "\n" + doc.markdown
    return "\n".join([*head, _FENCE, *body]).rstrip("\n") + "\n"


def _bulletin_body(doc: Bulletin) -> list[str]:
    prefix = CAPTION_PREFIX.get(doc.script, "圖：")
    out: list[str] = []
    for paragraph in doc.summary:
        out += ["", _escape(paragraph)]
    for article in doc.articles:
        out += ["", f"## {article.number}. {article.title}"]
        for paragraph in article.paragraphs:
            out += ["", _escape(paragraph)]
        if article.captions:
            out.append("")
            out += [f"> {prefix}{caption}" for caption in article.captions]
    return out


def _plan_body(doc: Plan) -> list[str]:
    out: list[str] = []
    for paragraph in doc.intro:
        out += ["", _escape(paragraph)]
    for section in doc.sections:
        out += ["", f"{'#' * (section.level + 1)} {section.heading}"]
        for item in section.items:
            out += ["", f"{item.number}. {item.text}"]
    return out


def _escape(text: str) -> str:
    """A line of text that would be read as structure gets a backslash in front."""
    return "\\" + text if text.startswith(("#", ">", "\\")) or _ITEM.match(text) else text


def _scalar(value: Any) -> str:
    """A YAML value on one line (quoted only when it must be); nothing for None."""
    if value is None:
        return ""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...")


def _help(kind: str, seed: str, caption: str) -> list[str]:
    """The comment at the top of a correction file: what it is, then the format of its kind."""
    return [
        f"# Correction of seeds/{seed}: the build publishes this file instead of what the",
        "# reader makes of the raw text, and nothing ever writes over it. Edit, then run",
        *_FORMAT[kind](caption),
        "# source_sha256 is the raw file this came from: `check` warns when that file changes.",
    ]


_FORMAT: dict[str, Callable[[str], list[str]]] = {
    "bulletin": lambda caption: [
        "# `bulletin-site check`. Below the second --- line:",
        "#   text before the first ## heading: the issue's summary, one paragraph per block;",
        "#   ## 3. Title: article 3 and its title; then its paragraphs, a blank line between;",
        f"#   > {caption}text: a photo caption of the article above it, one per line;",
        "#   a paragraph that begins with # > \\ or '12. ' gets a \\ in front.",
    ],
    "plan": lambda caption: [
        "# `bulletin-site check`. Below the second --- line:",
        "#   text before the first ## heading: the plan's introduction, one paragraph per block;",
        "#   ## 一、Heading: a section; ### （一）Heading: a section inside it;",
        "#   12. text: item 12 (its anchor is #item-12), one item per block.",
    ],
    "page": lambda caption: [
        "# `bulletin-site check`. Below the second --- line: the page's Markdown, as it is.",
    ],
}


# ---------------------------------------------------------------------------------------------
# Reading: the text of a correction file → a document, or every problem in it


def parse_correction(
    text: str, stem: str, shown: str, seed_sha256: str | None = None
) -> tuple[Correction | None, list[Problem]]:
    """The correction in ``text`` (the file ``shown``, for ``seeds/<stem>.txt``) and every
    problem found in it, each at its line; None instead of the correction if any is an error.
    ``seed_sha256``, the hash of the seed as it is now, adds a warning when it is not the one
    the correction was exported from."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff").replace("\r\n", "\n"))
    lines = text.split("\n")
    if not lines or lines[0].strip() != _FENCE:
        return None, [_error(shown, "must begin with a --- line (the front matter)", 1)]
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        return None, [_error(shown, "the front matter has no closing --- line", 1)]
    meta, problems = _front_matter("\n".join(lines[1:close]), shown)
    if meta is None:
        return None, problems
    kind, script, body = meta["kind"], meta["script"], lines[close + 1 :]
    body_start = close + 2  # line number of the first line after the closing ---
    source = f"{stem}.txt"
    doc: Document | None
    if kind == "page":
        doc = Page(source, script, meta["title"], "\n".join(body))
    elif kind == "plan":
        doc, found = _plan(body, body_start, shown, source, script, meta["title"])
        problems += found
    else:
        doc, found = _bulletin(body, body_start, shown, source, script, meta)
        problems += found
    declared = meta.get("source_sha256")
    if seed_sha256 is not None and declared is not None and declared != seed_sha256:
        problems.append(_stale(shown, source, seed_sha256, meta["lines"].get("source_sha256", 1)))
    if doc is None or _has_error(problems):
        return None, problems
    return Correction(shown, doc, declared, meta["lines"]), problems


def _stale(shown: str, seed: str, seed_sha256: str, line: int) -> Problem:
    return Problem(
        shown,
        f"seeds/{seed} has changed since this correction was exported; the build still "
        f"publishes the correction. Compare with `bulletin-site parse seeds/{seed} --format "
        f"text`, then set source_sha256: {seed_sha256}",
        line,
        "warning",
    )


def _front_matter(text: str, shown: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The front matter's values (a stand-in for each wrong one, so the body can still be
    checked), or None if it cannot be read or names no known kind; and its problems."""
    offset = 1  # the front matter starts on line 2
    try:
        node, data = safe_load_with_nodes(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 + offset if mark is not None else 1
        problem = getattr(error, "problem", None) or error
        return None, [_error(shown, f"invalid front matter: {problem}", line)]
    if not isinstance(data, dict):
        return None, [_error(shown, "the front matter must be `key: value` lines", 2)]
    lines = {key: line + offset for key, line in key_lines(node).items()}
    flat = {key[0]: line for key, line in lines.items() if len(key) == 1}
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(_error(shown, message, flat.get(key, 1)))

    kind = data.get("kind")
    if kind not in KINDS:
        bad("kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        return None, problems
    problems += unknown_keys(data, COMMON_KEYS + KIND_KEYS[kind], lines, shown)
    script = data.get("script")
    if script not in (HANT, HANS):
        bad("script", f"script must be {HANT} (繁體) or {HANS} (简体), not {script!r}")
        script = HANT
    meta: dict[str, Any] = {"kind": kind, "script": script, "lines": flat}
    digest = data.get("source_sha256")
    if digest is None:
        problems.append(
            Problem(shown, "no source_sha256: cannot tell when the raw file changes", 1, "warning")
        )
    elif not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        bad("source_sha256", "source_sha256 must be 64 hexadecimal digits (written by export)")
    else:
        meta["source_sha256"] = digest
    if kind == "bulletin":
        number = data.get("number")
        if number is not None and (
            not isinstance(number, int) or isinstance(number, bool) or number < 1
        ):
            bad("number", f"number must be a whole number above 0 or empty, not {number!r}")
            number = None
        meta["number"] = number
        contact = data.get("contact")
        if contact is not None and not isinstance(contact, str):
            bad("contact", f"contact must be text or empty, not {contact!r}")
        meta["contact"] = contact.strip() if isinstance(contact, str) and contact.strip() else None
    else:
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            bad("title", f"title must be text, not {title!r}")
        meta["title"] = title.strip() if isinstance(title, str) else ""
    return meta, problems


@dataclass
class _Draft:
    """An article (or plan section) while its lines are being read."""

    number: int
    title: str
    line: int
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    level: int = 1


def _bulletin(
    lines: list[str], start: int, shown: str, source: str, script: str, meta: dict[str, Any]
) -> tuple[Bulletin | None, list[Problem]]:
    problems: list[Problem] = []
    summary: list[str] = []
    articles: list[_Draft] = []
    numbers: dict[int, int] = {}
    pending: list[str] = []

    def flush() -> None:
        if pending:
            (articles[-1].paragraphs if articles else summary).append(_join(pending))
            pending.clear()

    for number, line in enumerate(lines, start=start):
        text = line.strip()
        if not text:
            flush()
        elif text.startswith("#"):
            flush()
            match = _ARTICLE.fullmatch(text)
            if not match or not match.group(2).strip():
                problems.append(
                    _error(shown, "expected an article heading like `## 3. Title`", number)
                )
                continue
            n, title = int(match.group(1)), match.group(2).strip()
            if n in numbers:
                problems.append(
                    _error(shown, f"article {n} again (first at line {numbers[n]})", number)
                )
            numbers.setdefault(n, number)
            articles.append(_Draft(n, title, number))
        elif text.startswith(">"):
            flush()
            caption = _caption(text)
            if not articles:
                problems.append(_error(shown, "a caption before the first article", number))
            elif not caption:
                problems.append(_error(shown, "an empty caption", number))
            else:
                articles[-1].captions.append(caption)
        else:
            pending.append(_unescape(text))
    flush()
    if not articles:
        problems.append(_error(shown, "no articles: each begins with `## 1. Title`", start))
        return None, problems
    doc = Bulletin(
        source=source,
        script=script,
        number=meta["number"],
        summary=tuple(summary),
        contact=meta["contact"],
        articles=tuple(
            Article(a.number, a.title, tuple(a.paragraphs), tuple(a.captions)) for a in articles
        ),
    )
    return doc, problems


def _plan(
    lines: list[str], start: int, shown: str, source: str, script: str, title: str
) -> tuple[Plan | None, list[Problem]]:
    problems: list[Problem] = []
    intro: list[str] = []
    sections: list[_Draft] = []
    numbers: dict[int, int] = {}
    pending: list[str] = []
    item: tuple[int, int] | None = None  # number and line of the item being read

    def flush() -> None:
        nonlocal item
        if item is not None:
            sections[-1].items.append(Item(item[0], _join(pending)))
        elif pending:
            intro.append(_join(pending))
        pending.clear()
        item = None

    for number, line in enumerate(lines, start=start):
        text = line.strip()
        if not text:
            flush()
            continue
        if text.startswith("#"):
            flush()
            match = _SECTION.fullmatch(text)
            if not match or not match.group(2).strip():
                problems.append(
                    _error(
                        shown,
                        "expected a section heading like `## 一、…` (or `### （一）…`)",
                        number,
                    )
                )
                continue
            level = len(match.group(1)) - 1
            sections.append(_Draft(0, match.group(2).strip(), number, level=level))
            continue
        found = _ITEM.fullmatch(text)
        if found:
            flush()
            if not sections:
                problems.append(_error(shown, "an item before the first ## section", number))
                continue
            n = int(found.group(1))
            if n in numbers:
                problems.append(
                    _error(shown, f"item {n} again (first at line {numbers[n]})", number)
                )
            numbers.setdefault(n, number)
            item = (n, number)
            pending.append(found.group(2).strip())
        elif item is not None or not sections:
            pending.append(_unescape(text))  # the item's next line, or the introduction
        else:
            problems.append(
                _error(shown, "inside a section every block is an item, `12. text`", number)
            )
    flush()
    doc = Plan(
        source=source,
        script=script,
        title=title,
        intro=tuple(intro),
        sections=tuple(Section(s.title, tuple(s.items), s.level) for s in sections),
    )
    return doc, problems


def _caption(text: str) -> str:
    caption = text[1:].strip()
    for prefix in _CAPTION_PREFIXES:
        if caption.startswith(prefix):
            return caption[len(prefix) :].strip()
    return caption


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("\\") else text


def _join(lines: list[str]) -> str:
    """Lines of one block as one paragraph: Chinese text joins without a space, Latin words
    and numbers with one (an editor may wrap a long paragraph)."""
    out = lines[0]
    for line in lines[1:]:
        gap = " " if out[-1:].isascii() and out[-1:].isalnum() and line[:1].isascii() else ""
        out += gap + line
    return out


# ---------------------------------------------------------------------------------------------
# The project's corrections


def load_corrections(
    root: Path, seeds: Mapping[str, str]
) -> tuple[dict[str, Correction], list[Problem]]:
    """Every ``content/corrections/*.md`` read; ``seeds`` maps each seed's stem to the sha256 of
    its bytes. A correction without a seed, or whose seed changed since the export, is a
    warning; a mistake in a file is an error at its line."""
    corrections: dict[str, Correction] = {}
    problems: list[Problem] = []
    folder = root / CORRECTIONS_DIR
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else ():
        stem = path.stem
        shown = correction_path(stem)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(_error(shown, "is not UTF-8 text", 1))
            continue
        except OSError as error:
            problems.append(_error(shown, f"cannot be read ({error.strerror})", 1))
            continue
        correction, found = parse_correction(text, stem, shown, seeds.get(stem))
        problems += found
        if correction is None:
            continue
        if stem not in seeds:
            close = difflib.get_close_matches(stem, sorted(seeds), n=1)
            hint = f"; did you mean {close[0]}{SUFFIX}?" if close else ""
            problems.append(
                Problem(shown, f"no seed seeds/{stem}.txt: ignored{hint}", 1, "warning")
            )
            continue
        corrections[stem] = correction
    return corrections, problems


def export(root: Path, name: str) -> tuple[str, Document]:
    """``bulletin-site export``: write the reader's output for the seed ``name`` (its stem, file
    name or path) as ``content/corrections/<stem>.md``; refuse if that file exists."""
    stem = Path(name).name.removesuffix(".txt").removesuffix(SUFFIX)
    seed = root / "seeds" / f"{stem}.txt"
    shown = f"seeds/{stem}.txt"
    if not seed.is_file():
        known = sorted(p.stem for p in (root / "seeds").glob("*.txt"))
        close = difflib.get_close_matches(stem, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise InputError(shown, f"no such seed{hint}")
    if (root / correction_path(stem)).exists():
        write_correction(root, stem, "")  # raises: an existing correction is never replaced
    data = seed.read_bytes()
    reading = cache.reading(
        Cache.open(root), shown, data, lambda: read_text(decode(data, shown), shown)
    )
    write_correction(root, stem, export_text(reading.document, sha256(data), seed.name))
    return correction_path(stem), reading.document


def export_command(root: Path, name: str, out: TextIO) -> int:
    path, doc = export(root, name)
    if isinstance(doc, Bulletin):
        what = f"{len(doc.articles)} articles"
    elif isinstance(doc, Plan):
        what = f"{sum(len(s.items) for s in doc.sections)} items"
    else:
        what = "its Markdown"
    out.write(
        f"wrote {path} ({doc.kind}, {what}): edit it, then `bulletin-site check`.\n"
        "The build now publishes this file instead of the reader's output.\n"
    )
    return 0


def write_correction(root: Path, stem: str, text: str) -> Path:
    """Create ``content/corrections/<stem>.md``; never replace one that exists."""
    path = root / CORRECTIONS_DIR / f"{stem}{SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:
        raise InputError(
            correction_path(stem),
            "already exists; edit it (to export the reader's version again, delete it first)",
        ) from None
    return path


def _has_error(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _error(path: str, message: str, line: int | None = None) -> Problem:
    return Problem(path, message, line, "error")
