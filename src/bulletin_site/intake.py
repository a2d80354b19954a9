"""``bulletin-site add FILE``: a new raw bulletin into seeds/, with a metadata stub to fill in.

The raw file is copied byte for byte under a name that sorts after every seed and says what it
holds: ``<next number>_<first 16 hex digits of its sha256>.txt``. Nothing that exists is ever
replaced: a file whose bytes are already in seeds/ is refused, and the stub
``content/issues/<stem>.yaml`` is written only when there is none. What the reader found is
printed in the form an editor checks against the PDF: each article's title, first and last
sentence, how many paragraphs and captions, and the reader's warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bulletin_site import cache
from bulletin_site.cache import Cache
from bulletin_site.corrections import sha256
from bulletin_site.errors import InputError, Problem
from bulletin_site.model import Bulletin, Document, Page, Plan, Reading
from bulletin_site.parse import read_text
from bulletin_site.read import decode, read_bytes
from bulletin_site.site import reader_warnings

SEEDS_DIR = "seeds"
ISSUES_DIR = "content/issues"
SCRIPT_NAMES = {"hant": "繁體", "hans": "简体"}
_NUMBERED = re.compile(r"(\d+)_")
_SENTENCE = re.compile(r"[^。！？!?]+(?:[。！？!?]+[”’」』）》\"')]*|$)")


@dataclass(frozen=True)
class Added:
    """What ``add`` did: the new seed, the stub (None if one was already there), the reading."""

    seed: str  # seeds/<name>
    stub: str | None  # content/issues/<stem>.yaml
    reading: Reading


def seed_name(existing: Iterable[str], data: bytes) -> str:
    """``<n>_<hash>.txt``: n is one more than the highest number in front of an existing name,
    written with as many digits as the widest (at least three), so names sort by arrival."""
    numbered = [m for m in (_NUMBERED.match(name) for name in existing) if m]
    following = max((int(m.group(1)) for m in numbered), default=-1) + 1
    width = max([3, len(str(following)), *(len(m.group(1)) for m in numbered)])
    return f"{following:0{width}d}_{sha256(data)[:16]}.txt"


def same_content(seeds: Path, data: bytes) -> str | None:
    """The name of a seed with exactly these bytes, if there is one."""
    digest = sha256(data)
    for path in sorted(seeds.glob("*.txt")):
        if path.stat().st_size == len(data) and sha256(path.read_bytes()) == digest:
            return path.name
    return None


def add(root: Path, file: Path) -> Added:
    """Copy ``file`` into seeds/ and write its metadata stub; InputError if it cannot be read,
    is not a document the reader knows, or is already there."""
    data = read_bytes(file)
    seeds = root / SEEDS_DIR
    seeds.mkdir(parents=True, exist_ok=True)
    twin = same_content(seeds, data)
    if twin is not None:
        raise InputError(str(file), f"already there as {SEEDS_DIR}/{twin}; nothing added")
    name = seed_name((p.name for p in seeds.glob("*.txt")), data)
    shown = f"{SEEDS_DIR}/{name}"
    try:
        # Read under its new name, through the cache: the next build reuses this reading.
        reading = cache.reading(
            Cache.open(root), shown, data, lambda: read_text(decode(data, shown), shown)
        )
    except InputError as error:
        raise InputError(str(file), error.problem.message, error.problem.line) from None
    with (seeds / name).open("xb") as out:  # never replaces a file
        out.write(data)
    stem = name.removesuffix(".txt")
    stub = root / ISSUES_DIR / f"{stem}.yaml"
    stub.parent.mkdir(parents=True, exist_ok=True)
    try:
        with stub.open("x", encoding="utf-8", newline="\n") as out:
            out.write(stub_text(reading.document, name))
    except FileExistsError:
        return Added(shown, None, reading)
    return Added(shown, f"{ISSUES_DIR}/{stem}.yaml", reading)


# ---------------------------------------------------------------------------------------------
# The metadata stub


def stub_text(doc: Document, seed: str) -> str:
    """content/issues/<stem>.yaml for a new seed: what the reader found, filled in or shown in
    comments, and blanks for what the text does not say. Titles stay comments: a title written
    here would win over the reader and over any later correction."""
    script = SCRIPT_NAMES.get(doc.script, doc.script)
    kind = {"bulletin": "a bulletin", "plan": "a work plan", "page": "a page"}[doc.kind]
    out = [
        f"# Metadata for seeds/{seed} ({kind}, {script}), written by `bulletin-site add`.",
        "# Filled in: what the reader found in the text; check it against the PDF.",
        "# Blank: what the text does not say; fill it in. Then run `bulletin-site check`.",
    ]
    if isinstance(doc, Bulletin):
        if doc.number is not None:
            out.append(f"number: {doc.number}          # the issue number printed in the text")
        else:
            out.append("number:             # not printed in the text: the issue number")
    out.append("date:               # publication date, YYYY-MM-DD")
    if isinstance(doc, Bulletin):
        out += [
            "# To replace an article's title, uncomment `titles:` and its line, and edit it",
            f"# (in {script}, the document's own script). The reader's titles:",
            "# titles:",
            *(f"#   {a.number}: {a.title}" for a in doc.articles),
        ]
    else:
        out += [
            f"# To replace the title, uncomment the line and edit it (in {script}):",
            f"# title: {doc.title}",
        ]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# The reading, for an editor to check


def describe(added: Added) -> str:
    """What ``add`` prints: where things went, the reading article by article, the warnings."""
    doc = added.reading.document
    lines = [f"added {added.seed}: {_kind_line(doc)}"]
    if added.stub:
        blank = "the date" if doc.kind != "bulletin" or doc.number is not None else "number, date"
        lines.append(f"wrote {added.stub}: fill in {blank}")
    else:
        lines.append(f"kept the existing {ISSUES_DIR}/{Path(added.seed).stem}.yaml")
    lines += ["", "Check the reading against the PDF:", ""]
    lines += reading_lines(doc)
    warnings = reader_warnings(doc, added.seed)
    lines.append("")
    if warnings:
        lines.append(f"The reader's warnings ({len(warnings)}):")
        lines += [_warning(w) for w in warnings]
    else:
        lines.append("The reader's warnings: none.")
    stem = Path(added.seed).stem
    lines += [
        "",
        "Next: bulletin-site check",
        f"To correct the text: bulletin-site export {stem}, then edit "
        f"content/corrections/{stem}.md",
    ]
    return "\n".join(lines) + "\n"


def reading_lines(doc: Document) -> list[str]:
    if isinstance(doc, Bulletin):
        out = []
        for article in doc.articles:
            out.append(f"{article.number:>3}. {article.title}")
            paragraphs = article.paragraphs
            out.append(
                f"     {_count(len(paragraphs), 'paragraph')}, "
                f"{_count(len(article.captions), 'caption')}"
            )
            if paragraphs:
                out.append(f"     first: {first_sentence(paragraphs[0])}")
                out.append(f"     last:  {last_sentence(paragraphs[-1])}")
        return out
    if isinstance(doc, Plan):
        items = [item for section in doc.sections for item in section.items]
        out = [
            f"  {doc.title}",
            f"     {_count(len(doc.sections), 'section')}, {_count(len(items), 'item')}",
        ]
        if items:
            out.append(f"     first: {items[0].number}. {first_sentence(items[0].text)}")
            out.append(f"     last:  {items[-1].number}. {last_sentence(items[-1].text)}")
        return out
    assert isinstance(doc, Page)
    return [f"  {doc.title}", f"     {_count(len(doc.markdown), 'character')} of Markdown"]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else text


def last_sentence(text: str) -> str:
    found = sentences(text)
    return found[-1] if found else text


def _kind_line(doc: Document) -> str:
    script = SCRIPT_NAMES.get(doc.script, doc.script)
    if isinstance(doc, Bulletin):
        number = f"issue {doc.number}" if doc.number is not None else "no issue number found"
        articles = _count(len(doc.articles), "article")
        return f"a bulletin in {script}, {number}, {articles}"
    kind = "a work plan" if isinstance(doc, Plan) else "a page"
    return f"{kind} in {script}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _warning(problem: Problem) -> str:
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    return f"{where}: WARNING: {problem.message}"


def add_command(root: Path, file: Path, out: TextIO) -> int:
    out.write(describe(add(root, file)))
    return 0
