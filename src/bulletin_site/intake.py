"""``bulletin-site add FILE``: a new raw bulletin into seeds/, with a metadata stub to fill in.

The raw file is copied byte for byte under a name that sorts after every seed and says what it
holds: ``<next number>_<first 16 hex digits of its sha256>.txt``. Nothing that exists is ever
replaced: a file whose bytes are already in seeds/ is refused, and the stub
``content/issues/<stem>.yaml`` is written only when there is none. What the reader found is
printed in the form an editor checks against the PDF: each article's title, first and last
sentence, how many paragraphs and captions, and the reader's warnings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bulletin_site import cache, project
from bulletin_site.cache import Cache
from bulletin_site.config import load_document_meta
from bulletin_site.corrections import load_corrections, sha256
from bulletin_site.errors import ENGLISH, InputError, Language
from bulletin_site.kinds import KINDS, Kinds
from bulletin_site.model import Bulletin, Document, Reading
from bulletin_site.pipeline import read_documents, read_seeds
from bulletin_site.project import Project
from bulletin_site.read import decode, read_bytes
from bulletin_site.site import propose_slug, reader_warnings

SCRIPT_NAMES = {"hant": "繁體", "hans": "简体"}
_NUMBERED = re.compile(r"(\d+)_")


@dataclass(frozen=True)
class Added:
    """What ``add`` did: the new seed, the stub (None if one was already there), the reading."""

    seed: str  # seeds/<name>
    stub: str | None  # content/issues/<stem>.yaml
    reading: Reading
    replaced: bool = False  # `add --replace`: the seed's bytes were swapped
    correction: str | None = None  # its correction, exported from the bytes replaced


def seed_name(existing: Iterable[str], data: bytes) -> str:
    """``<n>_<hash>.txt``: n is one more than the highest number in front of an existing name,
    written with as many digits as the widest (at least three), so names sort by arrival."""
    numbered = [m for m in (_NUMBERED.match(name) for name in existing) if m]
    following = max((int(m.group(1)) for m in numbered), default=-1) + 1
    width = max([3, len(str(following)), *(len(m.group(1)) for m in numbered)])
    return f"{following:0{width}d}_{sha256(data)[:16]}{project.SEED_SUFFIX}"


def text_fingerprint(data: bytes, shown: str) -> str:
    """What two files of one issue have in common however they were saved: the text, decoded
    from its encoding, with its line endings and every space, tab and blank line left out."""
    return sha256("".join(decode(data, shown).text.split()).encode("utf-8"))


@dataclass(frozen=True)
class Here:
    """A seed already in the project, as ``add`` compares a new file with it."""

    stem: str
    data: bytes
    fingerprint: str  # text_fingerprint
    number: int | None  # the issue number it is published under (metadata, correction, text)


def already_here(root: Path, kinds: Kinds) -> list[Here]:
    """Every seed with its text's fingerprint and its issue number, as the build would number
    it. A file that cannot be read here is skipped: ``check`` reports it."""
    where = Project(root)
    seeds, _ = read_seeds(root)
    corrections, _ = load_corrections(
        root, {s.stem: s.sha256 for s in seeds.values()}, kinds.correction_formats()
    )
    plain = [s for s in seeds.values() if s.stem not in corrections]
    readings, _ = read_documents(plain, Cache.open(root), kinds)
    documents = {stem: r.document for stem, r in readings.items()}
    documents.update({stem: c.document for stem, c in corrections.items()})
    found = []
    for stem, seed in sorted(seeds.items()):
        try:
            fingerprint = text_fingerprint(seed.data, seed.path)
        except InputError:
            continue
        meta, _ = load_document_meta(where.metadata(stem), project.metadata_name(stem))
        number = getattr(documents.get(stem), "number", None)
        if meta is not None and meta.number is not None:
            number = meta.number
        found.append(Here(stem, seed.data, fingerprint, number))
    return found


def _refuse_twin(file: Path, data: bytes, reading: Reading, here: list[Here], stem: str) -> None:
    """InputError if the text of ``data``, or its issue number, is already a seed's other than
    ``stem``: the bureau re-sending an issue must not publish it twice."""
    fingerprint = text_fingerprint(data, str(file))
    number = getattr(reading.document, "number", None)
    for seed in here:
        if seed.stem == stem:
            continue
        same_text = seed.fingerprint == fingerprint
        if same_text or (number is not None and seed.number == number):
            there = project.seed_name(seed.stem)
            if same_text and seed.number is None:
                raise InputError(
                    str(file), "this text is already here as {seed}; nothing added", seed=there
                )
            if same_text:
                raise InputError(
                    str(file),
                    "issue {number} is already here as {seed} (the same text); nothing added",
                    number=seed.number,
                    seed=there,
                )
            raise InputError(
                str(file),
                "issue {number} is already here as {seed}; nothing added. If the bureau "
                "re-sent the issue, put this file in its place: bulletin-site add --replace "
                "{stem} {file}",
                number=seed.number,
                seed=there,
                stem=seed.stem,
                file=str(file),
            )


def add(root: Path, file: Path, kinds: Kinds = KINDS) -> Added:
    """Copy ``file`` into seeds/ and write its metadata stub; InputError if it cannot be read,
    is not a document the reader knows, or is already there: the same text however it was
    saved (encoding, line endings, spaces), or an issue number that is already a seed's."""
    where = Project(root)
    data = read_bytes(file)
    where.seeds.mkdir(parents=True, exist_ok=True)
    existing = where.seed_files()
    name = seed_name((p.name for p in existing), data)
    stem = name.removesuffix(project.SEED_SUFFIX)
    shown = project.seed_name(stem)
    reading = _read(root, file, data, shown, kinds)
    _refuse_twin(file, data, reading, already_here(root, kinds), stem)
    with where.seed(stem).open("xb") as out:  # never replaces a file
        out.write(data)
    stub = where.metadata(stem)
    stub.parent.mkdir(parents=True, exist_ok=True)
    try:
        with stub.open("x", encoding="utf-8", newline="\n") as out:
            out.write(stub_text(reading.document, name, kinds, _slugs_taken(root)))
    except FileExistsError:
        return Added(shown, None, reading)
    return Added(shown, project.metadata_name(stem), reading)


def replace(root: Path, stem: str, file: Path, kinds: Kinds = KINDS) -> Added:
    """``add --replace STEM FILE``: the bureau re-sent an issue. ``file``'s bytes take the
    place of ``seeds/STEM.txt`` (its name, and so its metadata, correction and addresses,
    stay); the metadata is kept as it is; a correction exported from the old file is left
    alone, and ``check`` says it was made from other text (its ``source_sha256``)."""
    where = Project(root)
    stem = where.seed_stem(stem)
    shown = project.seed_name(stem)
    seed = where.seed(stem)
    data = read_bytes(file)
    if data == seed.read_bytes():
        raise InputError(
            str(file), "{seed} already holds these bytes; nothing replaced", seed=shown
        )
    reading = _read(root, file, data, shown, kinds)
    _refuse_twin(file, data, reading, already_here(root, kinds), stem)
    staged = seed.with_name(f".{seed.name}.new")  # hidden: never taken for a seed
    staged.write_bytes(data)
    os.replace(staged, seed)  # the old bytes or the new, never half of each
    correction = project.correction_name(stem) if where.correction(stem).is_file() else None
    return Added(shown, None, reading, replaced=True, correction=correction)


def _read(root: Path, file: Path, data: bytes, shown: str, kinds: Kinds) -> Reading:
    """The reading of ``data``, to be ``shown``, through the build's cache (the next build
    reuses it); InputError naming ``file`` when it cannot be read."""
    try:
        return cache.read_seed(root, shown, data, kinds)
    except InputError as error:
        raise InputError.of(error.problem, str(file)) from None


def _slugs_taken(root: Path) -> set[str]:
    where = Project(root)
    taken = set()
    for path in where.metadata_files():
        meta, _ = load_document_meta(path, where.shown(path))
        if meta is not None and meta.slug is not None:
            taken.add(meta.slug)
    return taken


# ---------------------------------------------------------------------------------------------
# The metadata stub


def stub_text(doc: Document, seed: str, kinds: Kinds, slugs_taken: Iterable[str] = ()) -> str:
    """content/issues/<stem>.yaml for a new seed: what the reader found, filled in or shown in
    comments, and blanks for what the text does not say. Titles stay comments: a title written
    here would win over the reader and over any later correction. A plan or page gets an
    address proposed (``site.propose_slug``), not yet ``slugs_taken``."""
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
    out.append("pdf:                # the bureau's address of the PDF: https://…")
    if numbered:
        out.append(f"# Its pages: /zh-hant/{kind.folder}/NUMBER/ and /zh-hans/… (the number).")
    else:
        slug = propose_slug(doc, kind, slugs_taken)
        out += [
            f"# Its page: /zh-hant/{kind.folder}/{slug}/ and /zh-hans/…; change the slug now if "
            "you like",
            "# (a-z, 0-9, -), not once it is published: people keep and share addresses.",
            f"slug: {slug}",
        ]
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


def describe(added: Added, kinds: Kinds = KINDS, language: Language = ENGLISH) -> str:
    """What ``add`` prints: where things went, the reading article by article, the warnings."""
    say = language.gettext
    doc = added.reading.document
    kind = kinds.of(doc)
    stem = Path(added.seed).stem
    metadata = project.metadata_name(stem)
    verb = say("replaced {seed}: {what}") if added.replaced else say("added {seed}: {what}")
    lines = [verb.format(seed=added.seed, what=_kind_line(doc, kind.described, language))]
    if added.replaced:
        lines.append(say("kept {metadata} as it is").format(metadata=metadata))
        if added.correction:
            lines.append(
                say(
                    "{correction} was exported from the old file: `bulletin-site check` says so "
                    "until you have compared it with the new one"
                ).format(correction=added.correction)
            )
    elif added.stub:
        if getattr(doc, "number", 0) is None:
            lines.append(say("wrote {stub}: fill in number, date").format(stub=added.stub))
        else:
            lines.append(say("wrote {stub}: fill in the date").format(stub=added.stub))
    else:
        lines.append(say("kept the existing {metadata}").format(metadata=metadata))
    lines += ["", say("Check the reading against the PDF:"), ""]
    lines += kind.summary(doc, language)
    warnings = reader_warnings(doc, added.seed)
    lines.append("")
    if warnings:
        lines.append(say("The reader's warnings ({n}):").format(n=len(warnings)))
        lines += [w.shown(language) for w in warnings]
    else:
        lines.append(say("The reader's warnings: none."))
    lines += [
        "",
        say("Next: bulletin-site check"),
        say("To correct the text: bulletin-site export {stem}, then edit {correction}").format(
            stem=stem, correction=project.correction_name(stem)
        ),
    ]
    return "\n".join(lines) + "\n"


def _kind_line(doc: Document, described: str, language: Language = ENGLISH) -> str:
    script = SCRIPT_NAMES.get(doc.script, doc.script)
    if isinstance(doc, Bulletin):
        articles = language.ngettext("{n} article", "{n} articles", len(doc.articles))
        if doc.number is not None:
            line = language.gettext("a bulletin in {script}, issue {number}, {articles}")
        else:
            line = language.gettext("a bulletin in {script}, no issue number found, {articles}")
        return line.format(
            script=script, number=doc.number, articles=articles.format(n=len(doc.articles))
        )
    return language.gettext("{described} in {script}").format(
        described=language.gettext(described), script=script
    )


def add_command(
    root: Path,
    file: Path,
    out: TextIO,
    kinds: Kinds,
    replacing: str | None = None,
    language: Language = ENGLISH,
) -> int:
    added = add(root, file, kinds) if replacing is None else replace(root, replacing, file, kinds)
    out.write(describe(added, kinds, language))
    return 0
