"""``bulletin-site show STEM``: one document as the site will publish it.

``parse`` shows what the reader makes of a raw file; the site publishes something else when an
editor has written a correction (it replaces the reader's document) or metadata (an issue's
number, new titles). ``show`` prints that: the correction if there is one, else the reading,
with the metadata applied and, with ``--script``, converted as the other edition is. Its text
and JSON forms are ``parse``'s, so the same tools read both.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bulletin_site import cache, project
from bulletin_site.cache import Cache
from bulletin_site.config import load_document_meta
from bulletin_site.convert import Converter, convert_document, load_glossary
from bulletin_site.corrections import parse_correction, sha256
from bulletin_site.errors import ENGLISH, BuildError, Language, Problem
from bulletin_site.kinds import Kinds
from bulletin_site.model import Bulletin, Reading
from bulletin_site.project import Project
from bulletin_site.read import decode
from bulletin_site.textreport import format_reading


@dataclass(frozen=True)
class Shown:
    """A document as published, and where it came from (for the line on stderr)."""

    reading: Reading  # the document; its conservation report only when it is the reader's
    sources: tuple[str, ...]  # the files it was made from: seed or correction, metadata
    warnings: tuple[Problem, ...]  # what the build would say about it


def published(root: Path, name: str, kinds: Kinds, script: str | None = None) -> Shown:
    """The document of seed ``name`` (its stem, file name or path) as it will be published, in
    ``script`` (``hant``/``hans``; default: its own). InputError when there is no such seed,
    BuildError listing the mistakes of a correction or metadata file that cannot be read."""
    where = Project(root)
    stem = where.seed_stem(name)
    seed = where.seed(stem)
    shown = project.seed_name(stem)
    data = seed.read_bytes()
    sources = []
    problems: list[Problem] = []
    correction_file = where.correction(stem)
    if correction_file.is_file():
        correction, problems = parse_correction(
            correction_file.read_text(encoding="utf-8"),
            stem,
            project.correction_name(stem),
            kinds.correction_formats(),
            sha256(data),
        )
        if correction is None:
            raise BuildError(problems=[p for p in problems if p.is_error])
        reading = Reading(correction.document)
        sources.append(project.correction_name(stem))
    else:
        reading = cache.read_through(
            Cache.open(root),
            shown,
            data,
            lambda: kinds.reading(decode(data, shown), shown),
            kinds.from_dict,
        )
        sources.append(shown)
    doc = reading.document
    kind = kinds.of(doc)
    metadata = where.metadata(stem)
    if metadata.is_file():
        meta, found = load_document_meta(metadata, project.metadata_name(stem))
        if meta is None:
            raise BuildError(problems=found)
        problems += found

        def warn(message: str, key: str | None = None, **values: object) -> None:
            line = meta.line(key) if key else None
            problems.append(Problem.warning(meta.path, message, line, **values))

        doc, number = kind.apply_metadata(doc, meta, kind, warn)
        if isinstance(doc, Bulletin):
            doc = dataclasses.replace(doc, number=number)  # the number it is published under
        sources.append(project.metadata_name(stem))
    if script is not None and script != doc.script:
        converter = Converter(load_glossary(where.glossary, project.GLOSSARY))
        doc = convert_document(doc, script, converter)
    return Shown(dataclasses.replace(reading, document=doc), tuple(sources), tuple(problems))


def show_command(
    root: Path,
    name: str,
    kinds: Kinds,
    out: TextIO,
    err: TextIO,
    *,
    script: str | None = None,
    form: str = "json",
    language: Language = ENGLISH,
) -> int:
    found = published(root, name, kinds, script)
    for problem in found.warnings:
        print(problem.shown(language), file=err)
    sources = language.gettext(" and ").join(found.sources)
    print(language.gettext("as published, from {sources}").format(sources=sources), file=err)
    doc = found.reading.document
    if form == "json":
        json.dump(doc.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(format_reading(found.reading, kinds.of(doc).outline(doc)))
    return 0
