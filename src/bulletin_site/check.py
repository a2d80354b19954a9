"""``bulletin-site check``: every problem in seeds/ and content/, in one pass, without building.

What is checked: content/site.yaml, every content/issues/*.yaml, the glossary, every
correction (and whether its raw file changed since the export), the templates' syntax, every
seed as the reader reads it (and the text it could not place), issue numbers claimed twice,
dates in the future or out of step with the issue numbers, and everything the build would warn
about. Each problem is one line, ``path:line: error: message`` (or ``warning:``), sorted by
file and line; the exit status is 1 when any is an error.

It is fast enough to run on every save: the seeds are read through the build's cache, so a
seed is only read again when its bytes (or the program) change; nothing is converted or
rendered.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import jinja2

from bulletin_site import project, render, site
from bulletin_site.cache import Cache
from bulletin_site.config import DocumentMeta, load_document_meta, load_site
from bulletin_site.convert import read_glossary
from bulletin_site.corrections import load_corrections
from bulletin_site.errors import ENGLISH, BulletinError, Language, Problem, tally
from bulletin_site.kinds import KINDS, Kinds
from bulletin_site.model import Document
from bulletin_site.pipeline import read_documents, read_seeds
from bulletin_site.project import Project

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]  # sorted by path and line
    documents: int
    seconds: float

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def check(
    root: Path,
    kinds: Kinds = KINDS,
    *,
    today: datetime.date | None = None,
    doubts: bool = False,
) -> CheckReport:
    """Every problem in the project at ``root``; ``today`` (default: the clock) is for dates in
    the future. ``doubts``: also the reader's doubts about every seed without a correction
    (left out by default: an archive's issues the reader read right would each repeat theirs
    at every check; a correction file carries its seed's doubts as comments instead)."""
    started = time.perf_counter()
    today = today or datetime.date.today()
    where = Project(root)
    problems: list[Problem] = []

    config, found = load_site(root)
    problems += found
    metas: dict[str, DocumentMeta] = {}
    unreadable: set[str] = set()  # metadata files that exist but cannot be read
    for path in where.metadata_files():
        meta, found = load_document_meta(path, where.shown(path))
        problems += found
        if meta is not None:
            metas[path.stem] = meta
        else:
            unreadable.add(where.shown(path))
    problems += read_glossary(where.glossary, project.GLOSSARY)[1]
    try:
        problems += check_templates(render.template_search_path(root, config.templates), root)
    except BulletinError as error:
        problems += error.problems

    seeds, found = read_seeds(root)
    problems += found
    corrections, found = load_corrections(
        root, {s.stem: s.sha256 for s in seeds.values()}, kinds.correction_formats()
    )
    problems += found
    store = Cache.open(root)
    # A seed with a correction file is not read, even when that file has mistakes: the
    # reader's warnings about it would only distract from them.
    corrected = {p.stem for p in where.correction_files()}
    readings, found = read_documents(
        [s for s in seeds.values() if s.stem not in corrected], store, kinds
    )
    problems += found
    if doubts:
        problems += [
            problem
            for stem, reading in readings.items()
            for problem in site.reader_warnings(reading.document, project.seed_name(stem))
            if site.is_doubt(problem)
        ]
    documents: dict[str, Document] = {s: r.document for s, r in readings.items()}
    documents.update({s: c.document for s, c in corrections.items()})

    # The build's own problems (the reader's warnings among them, and documents without an
    # address or with one given twice). Metadata of a seed that could not be read is not
    # "without a document", and a metadata file that cannot be read is not "no metadata" (nor
    # "no issue number"), nor is a `slug:` written wrong "no slug": that file's or that seed's
    # own error says what is wrong.
    known = {stem: meta for stem, meta in metas.items() if stem in documents or stem not in seeds}
    sources, found = site.resolve_sources(documents, known, kinds, corrections)
    said = {(p.path, p.line) for p in problems if p.is_error}  # a wrong `number:` or `slug:`
    problems += [
        _at_date_line(p, metas)
        for p in found
        if p.path not in unreadable and (p.path, p.line) not in said
    ]
    problems += check_dates(sources, metas, today)
    problems += store.warnings()

    return CheckReport(ordered(problems), len(documents), time.perf_counter() - started)


def ordered(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Sorted by file and line, each once; a warning at the line of an error is left out (a
    date that cannot be read is also a missing date: one message is enough)."""
    errors = {(p.path, p.line) for p in problems if p.is_error}
    kept = {p for p in problems if p.is_error or (p.path, p.line) not in errors}
    return tuple(sorted(kept, key=lambda p: (p.path, p.line or 0, p.severity, p.message)))


def check_templates(search_path: Sequence[Path], root: Path) -> list[Problem]:
    """A syntax error in any template, at its line (without rendering anything)."""
    env = render.make_environment(search_path)
    problems = []
    seen: set[str] = set()
    for folder in search_path:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if not path.is_file() or not name.endswith(TEMPLATE_SUFFIXES) or name in seen:
                continue
            seen.add(name)  # the first folder's template is the one used
            if name.startswith("assets/"):
                continue
            try:
                env.parse(path.read_text(encoding="utf-8"), name, str(path))
            except jinja2.TemplateSyntaxError as error:
                shown = Project(root).shown(path)
                problems.append(Problem.error(shown, error.message or "", error.lineno))
            except UnicodeDecodeError:
                problems.append(Problem.error(Project(root).shown(path), "is not UTF-8 text"))
    return problems


def check_dates(
    sources: Iterable[site.Source], metas: Mapping[str, DocumentMeta], today: datetime.date
) -> list[Problem]:
    """Dates after today, and issues whose dates run against their numbers."""
    problems = []
    for source in sources:
        if source.date is not None and source.date > today and source.stem in metas:
            meta = metas[source.stem]
            problems.append(
                Problem.warning(
                    meta.path, f"date {source.date.isoformat()} is in the future", meta.line("date")
                )
            )
    dated = sorted(
        (s for s in sources if s.number and s.date),
        key=lambda s: (s.number, s.stem),
    )
    for earlier, later in itertools.pairwise(dated):
        assert earlier.date is not None and later.date is not None
        if later.date < earlier.date and later.stem in metas:
            meta = metas[later.stem]
            problems.append(
                Problem.warning(
                    meta.path,
                    f"issue {later.number} is dated {later.date.isoformat()}, before issue "
                    f"{earlier.number} ({earlier.date.isoformat()})",
                    meta.line("date"),
                )
            )
    return problems


def _at_date_line(problem: Problem, metas: Mapping[str, DocumentMeta]) -> Problem:
    """The build's "no date" warning, pointed at the blank ``date:`` line when there is one."""
    stem = Path(problem.path).stem
    if problem.line is None and problem.message.startswith("no date") and stem in metas:
        line = metas[stem].line("date")
        if line is not None and metas[stem].path == problem.path:
            return dataclasses.replace(problem, line=line)
    return problem


# ---------------------------------------------------------------------------------------------
# Command line


def check_command(
    root: Path, out: TextIO, kinds: Kinds, language: Language = ENGLISH, *, doubts: bool = False
) -> int:
    report = check(root, kinds, doubts=doubts)
    for problem in report.problems:
        print(problem.shown(language), file=out)
    print(summary(report, language), file=out)
    return 1 if report.errors else 0


def summary(report: CheckReport, language: Language = ENGLISH) -> str:
    return language.ngettext(
        "checked {n} document: {found} ({seconds:.1f} s)",
        "checked {n} documents: {found} ({seconds:.1f} s)",
        report.documents,
    ).format(n=report.documents, found=tally(report.problems, language), seconds=report.seconds)
