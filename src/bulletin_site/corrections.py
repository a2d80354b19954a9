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

import dataclasses
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import yaml

from bulletin_site import cache, project
from bulletin_site.errors import ENGLISH, InputError, Language, Problem
from bulletin_site.model import (
    DOUBTS,
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
from bulletin_site.project import Project
from bulletin_site.yamlfile import key_lines, safe_load_with_nodes, unknown_keys, yaml_problem

if TYPE_CHECKING:
    from bulletin_site.kinds import Kinds

COMMON_KEYS = ("kind", "script", "source_sha256")
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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Writing: a document → the text of its correction file


@dataclass(frozen=True)
class CorrectionFormat:
    """How one kind of document is written as a correction file and read back.

    ``keys``: its front matter's own keys; ``help``: the comment that explains the body (given
    the caption prefix of the document's script); ``head`` and ``body``: the document as
    front-matter lines and body lines; ``read_meta``: its front matter's values, checked (a
    stand-in for each wrong one); ``read_body``: the body's lines (the first is line
    ``start`` of the file) → the document and the problems found. ``body`` is also given the
    reader's doubts as comment lines by place (``article 3 ¶2``), to write beside that text."""

    keys: tuple[str, ...]
    help: Callable[[str], list[str]]
    head: Callable[[Any], list[str]]
    body: Callable[[Any, Mapping[str, list[str]]], list[str]]
    read_meta: Callable[[Mapping[str, Any], Callable[..., None]], dict[str, Any]]
    read_body: Callable[
        [list[str], int, str, str, str, Mapping[str, Any]], tuple[Any | None, list[Problem]]
    ]


def export_text(
    doc: Document,
    form: CorrectionFormat,
    source_sha256: str,
    seed: str,
    language: Language = ENGLISH,
) -> str:
    """The correction file for ``doc`` (written in ``form``, its kind's format), read from
    ``seed`` whose bytes hash to ``source_sha256``, the reader's doubts in comments beside the
    text they are about (in ``language``). ``parse_correction`` gives back the same document
    (without the reader's warnings)."""
    head = [_FENCE, *_help(form, seed, CAPTION_PREFIX.get(doc.script, "圖："))]
    head += [f"kind: {doc.kind}", f"script: {doc.script}"]
    head.append(f"source_sha256: {_scalar(source_sha256)}")  # quoted if all digits
    head += form.head(doc)
    body = form.body(doc, doubt_comments(doc, language))
    return "\n".join([*head, _FENCE, *body]).rstrip("\n") + "\n"


def doubt_comments(doc: Document, language: Language = ENGLISH) -> dict[str, list[str]]:
    """The reader's doubts as comment lines (skipped when the file is read), by the place of
    the text they are about; "" holds those about no one place."""
    out: dict[str, list[str]] = {}
    for notice in doc.warnings:
        template = DOUBTS.get(notice.code)
        if template is not None and notice.values:
            message = language.gettext(template).format(**dict(notice.values))
        else:
            message = str(notice.message)
        said = language.gettext("doubt, raw line {line}: {message}").format(
            line=notice.line, message=message
        )
        out.setdefault(notice.place, []).append(f"<!-- {said.replace('--', '—')} -->")
    return out


def is_comment(text: str) -> bool:
    """A line the editor may leave or delete: the reader's doubt, or a note of one's own."""
    return text.startswith("<!--") and text.endswith("-->")


def _bulletin_head(doc: Bulletin) -> list[str]:
    return [
        f"number: {_scalar(doc.number)}",
        f"articles: {len(doc.articles)}",
        f"contact: {_scalar(doc.contact)}",
    ]


def _title_head(doc: Plan | Page) -> list[str]:
    return [f"title: {_scalar(doc.title)}"]


def _bulletin_body(doc: Bulletin, doubts: Mapping[str, list[str]]) -> list[str]:
    prefix = CAPTION_PREFIX.get(doc.script, "圖：")
    out: list[str] = []
    if doubts.get(""):
        out += ["", *doubts[""]]
    for paragraph in doc.summary:
        out += ["", _escape(paragraph)]
    for article in doc.articles:
        out += ["", f"## {article.number}. {article.title}"]
        for k, paragraph in enumerate(article.paragraphs, start=1):
            out += ["", *doubts.get(f"article {article.number} ¶{k}", []), _escape(paragraph)]
        if article.captions:
            out.append("")
            for c, caption in enumerate(article.captions, start=1):
                out += doubts.get(f"article {article.number} caption {c}", [])
                out.append(f"> {prefix}{caption}")
    return out


def _plan_body(doc: Plan, doubts: Mapping[str, list[str]]) -> list[str]:
    out: list[str] = []
    for paragraph in doc.intro:
        out += ["", _escape(paragraph)]
    for section in doc.sections:
        out += ["", f"{'#' * (section.level + 1)} {section.heading}"]
        for item in section.items:
            out += ["", f"{item.number}. {item.text}"]
    return out


def _page_body(doc: Page, doubts: Mapping[str, list[str]]) -> list[str]:
    return doc.markdown.removesuffix("\n").split("\n")


def _escape(text: str) -> str:
    """A line of text that would be read as structure gets a backslash in front."""
    structure = text.startswith(("#", ">", "\\")) or _ITEM.match(text) or is_comment(text)
    return "\\" + text if structure else text


def _scalar(value: Any) -> str:
    """A YAML value on one line (quoted only when it must be); nothing for None."""
    if value is None:
        return ""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...")


def _help(form: CorrectionFormat, seed: str, caption: str) -> list[str]:
    """The comment at the top of a correction file: what it is, then the format of its kind."""
    return [
        f"# Correction of {project.SEEDS}/{seed}: the build publishes this file instead of what",
        "# the reader makes of the raw text, and nothing ever writes over it. Edit, then run",
        *form.help(caption),
        "# source_sha256 is the raw file this came from: `check` warns when that file changes.",
    ]


def _bulletin_help(caption: str) -> list[str]:
    return [
        "# `bulletin-site check`. Below the second --- line:",
        "#   text before the first ## heading: the issue's summary, one paragraph per block;",
        "#   ## 3. Title: article 3 and its title; then its paragraphs, a blank line between;",
        "#   every article keeps its heading: ## 1. to ## N. (N is `articles:`), in order;",
        f"#   > {caption}text: a photo caption of the article above it, one per line;",
        "#   <!-- … -->: the reader's doubt about the text below it (it was unsure there):",
        "#   look, correct if need be, and delete the comment; comments are not published;",
        "#   a paragraph that begins with # > \\ <!-- or '12. ' gets a \\ in front.",
    ]


def _plan_help(caption: str) -> list[str]:
    return [
        "# `bulletin-site check`. Below the second --- line:",
        "#   text before the first ## heading: the plan's introduction, one paragraph per block;",
        "#   ## 一、Heading: a section; ### （一）Heading: a section inside it;",
        "#   12. text: item 12 (its anchor is #item-12), one item per block.",
    ]


def _page_help(caption: str) -> list[str]:
    return ["# `bulletin-site check`. Below the second --- line: the page's Markdown, as it is."]


# ---------------------------------------------------------------------------------------------
# Reading: the text of a correction file → a document, or every problem in it


def parse_correction(
    text: str,
    stem: str,
    shown: str,
    formats: Mapping[str, CorrectionFormat],
    seed_sha256: str | None = None,
) -> tuple[Correction | None, list[Problem]]:
    """The correction in ``text`` (the file ``shown``, for ``seeds/<stem>.txt``; ``formats``:
    each kind's format, by name) and every problem found in it, each at its line; None instead
    of the correction if any is an error. ``seed_sha256``, the hash of the seed as it is now,
    adds a warning when it is not the one the correction was exported from."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff").replace("\r\n", "\n"))
    lines = text.split("\n")
    if not lines or lines[0].strip() != _FENCE:
        return None, [Problem.error(shown, "must begin with a --- line (the front matter)", 1)]
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        return None, [Problem.error(shown, "the front matter has no closing --- line", 1)]
    meta, problems = _front_matter("\n".join(lines[1:close]), shown, formats)
    if meta is None:
        return None, problems
    form, script, body = formats[meta["kind"]], meta["script"], lines[close + 1 :]
    body_start = close + 2  # line number of the first line after the closing ---
    source = f"{stem}{project.SEED_SUFFIX}"
    doc, found = form.read_body(body, body_start, shown, source, script, meta)
    problems += found
    declared = meta.get("source_sha256")
    if seed_sha256 is not None and declared is not None and declared != seed_sha256:
        problems.append(_stale(shown, source, seed_sha256, meta["lines"].get("source_sha256", 1)))
    if doc is None or _has_error(problems):
        return None, problems
    return Correction(shown, doc, declared, meta["lines"]), problems


def _stale(shown: str, seed: str, seed_sha256: str, line: int) -> Problem:
    seed = f"{project.SEEDS}/{seed}"
    return Problem.warning(
        shown,
        "{seed} has changed since this correction was exported; the build still "
        "publishes the correction. Compare with `bulletin-site parse {seed} --format "
        "text`, then set source_sha256: {sha256}",
        line,
        seed=seed,
        sha256=seed_sha256,
    )


def _front_matter(
    text: str, shown: str, formats: Mapping[str, CorrectionFormat]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The front matter's values (a stand-in for each wrong one, so the body can still be
    checked), or None if it cannot be read or names no known kind; and its problems."""
    offset = 1  # the front matter starts on line 2
    try:
        node, data = safe_load_with_nodes(text)
    except yaml.YAMLError as failure:
        problem = yaml_problem(failure, shown)
        line = problem.line + offset if problem.line else 1
        return None, [dataclasses.replace(problem, line=line)]
    if not isinstance(data, dict):
        return None, [Problem.error(shown, "the front matter must be `key: value` lines", 2)]
    lines = {key: line + offset for key, line in key_lines(node).items()}
    flat = {key[0]: line for key, line in lines.items() if len(key) == 1}
    problems: list[Problem] = []

    def bad(key: str, message: str, **values: Any) -> None:
        problems.append(Problem.error(shown, message, flat.get(key, 1), **values))

    kind = data.get("kind")
    if kind not in formats:
        bad("kind", f"kind must be one of {', '.join(formats)}, not {kind!r}")
        return None, problems
    form = formats[kind]
    problems += unknown_keys(data, COMMON_KEYS + form.keys, lines, shown)
    script = data.get("script")
    if script not in (HANT, HANS):
        bad("script", f"script must be {HANT} (繁體) or {HANS} (简体), not {script!r}")
        script = HANT
    meta: dict[str, Any] = {"kind": kind, "script": script, "lines": flat}
    digest = data.get("source_sha256")
    if digest is None:
        problems.append(
            Problem.warning(shown, "no source_sha256: cannot tell when the raw file changes")
        )
    elif not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        bad("source_sha256", "source_sha256 must be 64 hexadecimal digits (written by export)")
    else:
        meta["source_sha256"] = digest
    meta.update(form.read_meta(data, bad))
    return meta, problems


def _bulletin_meta(data: Mapping[str, Any], bad: Callable[..., None]) -> dict[str, Any]:
    articles = data.get("articles")
    if not isinstance(articles, int) or isinstance(articles, bool) or articles < 1:
        bad(
            "articles",
            "articles must be the number of articles in the issue (as in the PDF's contents), "
            "not {value}",
            value=repr(articles),
        )
        articles = None
    number = data.get("number")
    if number is not None and (
        not isinstance(number, int) or isinstance(number, bool) or number < 1
    ):
        bad("number", f"number must be a whole number above 0 or empty, not {number!r}")
        number = None
    contact = data.get("contact")
    if contact is not None and not isinstance(contact, str):
        bad("contact", f"contact must be text or empty, not {contact!r}")
    contact = contact.strip() if isinstance(contact, str) and contact.strip() else None
    return {"number": number, "contact": contact, "articles": articles}


def _title_meta(data: Mapping[str, Any], bad: Callable[..., None]) -> dict[str, Any]:
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        bad("title", f"title must be text, not {title!r}")
    return {"title": title.strip() if isinstance(title, str) else ""}


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
    lines: list[str], start: int, shown: str, source: str, script: str, meta: Mapping[str, Any]
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
        if is_comment(text):
            continue  # the reader's doubt, or the editor's note
        if not text:
            flush()
        elif text.startswith("#"):
            flush()
            match = _ARTICLE.fullmatch(text)
            if not match or not match.group(2).strip():
                problems.append(
                    Problem.error(shown, "expected an article heading like `## 3. Title`", number)
                )
                continue
            n, title = int(match.group(1)), match.group(2).strip()
            if n in numbers:
                problems.append(
                    Problem.error(
                        shown,
                        "article {n} again (first at line {first})",
                        number,
                        n=n,
                        first=numbers[n],
                    )
                )
            numbers.setdefault(n, number)
            articles.append(_Draft(n, title, number))
        elif text.startswith(">"):
            flush()
            caption = _caption(text)
            if not articles:
                problems.append(Problem.error(shown, "a caption before the first article", number))
            elif not caption:
                problems.append(Problem.error(shown, "an empty caption", number))
            else:
                articles[-1].captions.append(caption)
        else:
            pending.append(_unescape(text))
    flush()
    if not articles:
        problems.append(Problem.error(shown, "no articles: each begins with `## 1. Title`", start))
        return None, problems
    if meta["articles"] is not None and not _has_error(problems):  # else: fix those first
        problems += every_article(
            articles, meta["articles"], meta["lines"].get("articles", 1), shown
        )
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


def every_article(drafts: list[_Draft], count: int, count_line: int, shown: str) -> list[Problem]:
    """The headings must be the issue's articles ``## 1.`` … ``## count.``, each once and in
    order: a deleted or mistyped heading line would otherwise join an article's text to the
    one before it and take its page, its feed entry and every link to it off the site."""
    problems = []
    expected = 1
    seen: set[int] = set()
    for draft in drafts:
        n = draft.number
        if n in seen:
            pass  # "article n again" is reported where the heading is read
        elif n == expected and n <= count:
            expected += 1
        elif n > count:
            problems.append(
                Problem.error(
                    shown,
                    "article {n}, but the issue has {count} articles (`articles: {count}` at "
                    "line {at}); each keeps its own heading, ## 1. to ## {count}.",
                    draft.line,
                    n=n,
                    count=count,
                    at=count_line,
                )
            )
        else:
            problems.append(
                Problem.error(
                    shown,
                    "article {n} where article {expected} should be: the headings go ## 1. to "
                    "## {count}., each once and in order; is the heading of article {expected} "
                    "missing?",
                    draft.line,
                    n=n,
                    expected=expected,
                    count=count,
                )
            )
            expected = max(expected, n + 1)
        seen.add(n)
    missing = [n for n in range(1, count + 1) if n not in seen]
    if missing and not problems:
        last = drafts[-1]
        listed = ", ".join(str(n) for n in missing)
        problems.append(
            Problem.error(
                shown,
                "no heading for article {listed}: the issue has {count} articles "
                "(`articles: {count}` at line {at}), and the text of a missing one "
                "would join article {last}'s; write its `## {first}. Title` line back",
                last.line,
                listed=listed,
                count=count,
                at=count_line,
                last=last.number,
                first=missing[0],
            )
        )
    return problems


def _plan(
    lines: list[str], start: int, shown: str, source: str, script: str, meta: Mapping[str, Any]
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
                    Problem.error(
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
                problems.append(Problem.error(shown, "an item before the first ## section", number))
                continue
            n = int(found.group(1))
            if n in numbers:
                problems.append(
                    Problem.error(shown, f"item {n} again (first at line {numbers[n]})", number)
                )
            numbers.setdefault(n, number)
            item = (n, number)
            pending.append(found.group(2).strip())
        elif item is not None or not sections:
            pending.append(_unescape(text))  # the item's next line, or the introduction
        else:
            problems.append(
                Problem.error(shown, "inside a section every block is an item, `12. text`", number)
            )
    flush()
    doc = Plan(
        source=source,
        script=script,
        title=meta["title"],
        intro=tuple(intro),
        sections=tuple(Section(s.title, tuple(s.items), s.level) for s in sections),
    )
    return doc, problems


def _page(
    lines: list[str], start: int, shown: str, source: str, script: str, meta: Mapping[str, Any]
) -> tuple[Page, list[Problem]]:
    return Page(source, script, meta["title"], "\n".join(lines)), []


BULLETIN_FORMAT = CorrectionFormat(
    keys=("number", "articles", "contact"),
    help=_bulletin_help,
    head=_bulletin_head,
    body=_bulletin_body,
    read_meta=_bulletin_meta,
    read_body=_bulletin,
)
PLAN_FORMAT = CorrectionFormat(
    keys=("title",),
    help=_plan_help,
    head=_title_head,
    body=_plan_body,
    read_meta=_title_meta,
    read_body=_plan,
)
PAGE_FORMAT = CorrectionFormat(
    keys=("title",),
    help=_page_help,
    head=_title_head,
    body=_page_body,
    read_meta=_title_meta,
    read_body=_page,
)


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
    root: Path, seeds: Mapping[str, str], formats: Mapping[str, CorrectionFormat]
) -> tuple[dict[str, Correction], list[Problem]]:
    """Every ``content/corrections/*.md`` read; ``seeds`` maps each seed's stem to the sha256 of
    its bytes, ``formats`` each kind's correction format. A correction without a seed, or whose
    seed changed since the export, is a warning; a mistake in a file is an error at its line."""
    corrections: dict[str, Correction] = {}
    problems: list[Problem] = []
    for path in Project(root).correction_files():
        stem = path.stem
        shown = project.correction_name(stem)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem.error(shown, "is not UTF-8 text"))
            continue
        except OSError as failure:
            problems.append(Problem.error(shown, f"cannot be read ({failure.strerror})"))
            continue
        correction, found = parse_correction(text, stem, shown, formats, seeds.get(stem))
        problems += found
        if correction is None:
            continue
        if stem not in seeds:
            close = difflib.get_close_matches(stem, sorted(seeds), n=1)
            hint = f"; did you mean {close[0]}{project.CORRECTION_SUFFIX}?" if close else ""
            problems.append(
                Problem.warning(shown, f"no seed {project.seed_name(stem)}: ignored{hint}")
            )
            continue
        corrections[stem] = correction
    return corrections, problems


def export(
    root: Path, name: str, kinds: Kinds, language: Language = ENGLISH
) -> tuple[str, Document]:
    """``bulletin-site export``: write the reader's output for the seed ``name`` (its stem, file
    name or path) as ``content/corrections/<stem>.md``; refuse if that file exists."""
    where = Project(root)
    stem = where.seed_stem(name)
    seed = where.seed(stem)
    shown = project.seed_name(stem)
    if where.correction(stem).exists():
        write_correction(root, stem, "")  # raises: an existing correction is never replaced
    data = seed.read_bytes()
    reading = cache.read_seed(root, shown, data, kinds)
    doc = reading.document
    kind = kinds.of(doc)
    if kind.correction is None:
        raise InputError(shown, f"{kind.described} cannot be corrected by a file")
    text = export_text(doc, kind.correction, sha256(data), seed.name, language)
    write_correction(root, stem, text)
    return project.correction_name(stem), doc


def export_command(
    root: Path, name: str, out: TextIO, kinds: Kinds, language: Language = ENGLISH
) -> int:
    path, doc = export(root, name, kinds, language)
    out.write(
        language.gettext(
            "wrote {path} ({kind}): edit it, then `bulletin-site check`.\n"
            "The build now publishes this file instead of the reader's output.\n"
        ).format(path=path, kind=doc.kind)
    )
    return 0


def write_correction(root: Path, stem: str, text: str) -> Path:
    """Create ``content/corrections/<stem>.md``; never replace one that exists."""
    path = Project(root).correction(stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:
        raise InputError(
            project.correction_name(stem),
            "already exists; edit it (to export the reader's version again, delete it first)",
        ) from None
    return path


def _has_error(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)
