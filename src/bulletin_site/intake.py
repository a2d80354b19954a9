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

from bulletin_site import cache, project
from bulletin_site.corrections import sha256
from bulletin_site.errors import InputError, plural
from bulletin_site.kinds import KINDS, Kinds
from bulletin_site.model import Bulletin, Document, Reading
from bulletin_site.project import Project
from bulletin_site.read import read_bytes
from bulletin_site.site import reader_warnings

SCRIPT_NAMES = {"hant": "繁體", "hans": "简体"}
_NUMBERED = re.compile(r"(\d+)_")


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
    return f"{following:0{width}d}_{sha256(data)[:16]}{project.SEED_SUFFIX}"


def same_content(seeds: Iterable[Path], data: bytes) -> str | None:
    """The name of a seed with exactly these bytes, if there is one."""
    digest = sha256(data)
    for path in seeds:
        if path.stat().st_size == len(data) and sha256(path.read_bytes()) == digest:
            return path.name
    return None


def add(root: Path, file: Path, kinds: Kinds = KINDS) -> Added:
    """Copy ``file`` into seeds/ and write its metadata stub; InputError if it cannot be read,
    is not a document the reader knows, or is already there."""
    where = Project(root)
    data = read_bytes(file)
    where.seeds.mkdir(parents=True, exist_ok=True)
    existing = where.seed_files()
    twin = same_content(existing, data)
    if twin is not None:
        raise InputError(str(file), f"already there as {project.SEEDS}/{twin}; nothing added")
    name = seed_name((p.name for p in existing), data)
    stem = name.removesuffix(project.SEED_SUFFIX)
    shown = project.seed_name(stem)
    try:
        # Read under its new name, through the cache: the next build reuses this reading.
        reading = cache.read_seed(root, shown, data, kinds)
    except InputError as error:
        raise InputError(str(file), error.problem.message, error.problem.line) from None
    with where.seed(stem).open("xb") as out:  # never replaces a file
        out.write(data)
    stub = where.metadata(stem)
    stub.parent.mkdir(parents=True, exist_ok=True)
    try:
        with stub.open("x", encoding="utf-8", newline="\n") as out:
            out.write(stub_text(reading.document, name, kinds))
    except FileExistsError:
        return Added(shown, None, reading)
    return Added(shown, project.metadata_name(stem), reading)


# ---------------------------------------------------------------------------------------------
# The metadata stub


def stub_text(doc: Document, seed: str, kinds: Kinds) -> str:
    """content/issues/<stem>.yaml for a new seed: what the reader found, filled in or shown in
    comments, and blanks for what the text does not say. Titles stay comments: a title written
    here would win over the reader and over any later correction."""
    kind = kinds.of(doc)
    script = SCRIPT_NAMES.get(doc.script, doc.script)
    out = [
        f"# Metadata for {project.SEEDS}/{seed} ({kind.described}, {script}), written by "
        "`bulletin-site add`.",
        "# Filled in: what the reader found in the text; check it against the PDF.",
        "# Blank: what the text does not say; fill it in. Then run `bulletin-site check`.",
    ]
    numbered = kind.numbered and isinstance(doc, Bulletin)
    if numbered:
        if doc.number is not None:
            out.append(f"number: {doc.number}          # the issue number printed in the text")
        else:
            out.append("number:             # not printed in the text: the issue number")
    out.append("date:               # publication date, YYYY-MM-DD")
    if numbered:
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


def describe(added: Added, kinds: Kinds = KINDS) -> str:
    """What ``add`` prints: where things went, the reading article by article, the warnings."""
    doc = added.reading.document
    kind = kinds.of(doc)
    stem = Path(added.seed).stem
    lines = [f"added {added.seed}: {_kind_line(doc, kind.described)}"]
    if added.stub:
        blank = "number, date" if getattr(doc, "number", 0) is None else "the date"
        lines.append(f"wrote {added.stub}: fill in {blank}")
    else:
        lines.append(f"kept the existing {project.metadata_name(stem)}")
    lines += ["", "Check the reading against the PDF:", ""]
    lines += kind.summary(doc)
    warnings = reader_warnings(doc, added.seed)
    lines.append("")
    if warnings:
        lines.append(f"The reader's warnings ({len(warnings)}):")
        lines += [str(w) for w in warnings]
    else:
        lines.append("The reader's warnings: none.")
    lines += [
        "",
        "Next: bulletin-site check",
        f"To correct the text: bulletin-site export {stem}, then edit "
        f"{project.correction_name(stem)}",
    ]
    return "\n".join(lines) + "\n"


def _kind_line(doc: Document, described: str) -> str:
    script = SCRIPT_NAMES.get(doc.script, doc.script)
    if isinstance(doc, Bulletin):
        number = f"issue {doc.number}" if doc.number is not None else "no issue number found"
        return f"a bulletin in {script}, {number}, {plural(len(doc.articles), 'article')}"
    return f"{described} in {script}"


def add_command(root: Path, file: Path, out: TextIO, kinds: Kinds) -> int:
    out.write(describe(add(root, file, kinds), kinds))
    return 0
