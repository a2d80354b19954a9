"""``bulletin-site build``: the stages in order, everything read before anything is written.

read (site.yaml, issue metadata, every seed) → (corrections, later) → convert (both editions)
→ plan pages → render into memory → write a staged copy → search index → swap into _site/.
A failure anywhere before the swap leaves the previous _site/ untouched.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from bulletin_site import render, site, write
from bulletin_site.config import Config, ConfigError, SiteConfig, load_config
from bulletin_site.convert import (
    HANS_EDITION,
    HANT_EDITION,
    Converter,
    convert_document,
    load_glossary,
)
from bulletin_site.errors import BuildError, InputError, Problem
from bulletin_site.model import Document, stem
from bulletin_site.parse import read_document

Progress = Callable[[int, int], None]
SITE_DIR = "_site"
SEEDS_DIR = "seeds"


@dataclass(frozen=True)
class BuildReport:
    documents: int
    pages: int  # HTML pages
    files: int  # every output file
    warnings: tuple[Problem, ...]
    seconds: float
    site_dir: Path


def build(root: Path, *, clean: bool = False, progress: Progress | None = None) -> BuildReport:
    """Build ``root/_site`` from ``root/seeds`` and ``root/content``.

    ``clean`` asks for a build without cache; there is no cache yet, so every build is full.
    """
    started = time.perf_counter()
    editions = (HANT_EDITION, HANS_EDITION)  # the first is x-default

    # 1. Read everything: configuration, metadata and every seed; report all errors at once.
    config, documents = read_all(root)

    # 2. Join documents and editors' metadata; warn about what is missing.
    sources, warnings = site.resolve_sources(documents, config.documents)

    # 3. (Corrections will apply here, to the documents as read.)

    # 4. Convert: each edition gets every document in its own script.
    converter = Converter(load_glossary(root / "content" / "glossary.yaml"))

    def convert(doc: Document, script: str) -> Document:
        return convert_document(doc, script, converter)

    by_edition = {e.code: site.convert_sources(sources, e.script, convert) for e in editions}

    # 5. Plan and render every page into memory.
    planned = site.plan_site(config.site, editions, by_edition)
    search_path = render.template_search_path(config.site.templates)
    env = render.make_environment(search_path, allow_html=config.site.allow_html)
    rendered = render.render_all(env, planned, progress)
    outputs = write.add(write.OutputPlan(), sorted(rendered.items()), "the page plan")
    outputs = write.add(outputs, render.assets(search_path), "templates/assets")

    # 6. Write a staged copy, index it for search, then swap it into place.
    site_dir = root / SITE_DIR
    staged = write.stage(outputs, site_dir)
    try:
        write_search_index(sources, staged, config.site)
        write.swap(staged, site_dir)
    except BaseException:
        write.discard(staged)
        raise

    return BuildReport(
        documents=len(documents),
        pages=sum(1 for path in outputs.files if path.endswith(".html")),
        files=len(outputs.files),
        warnings=config.warnings + warnings,
        seconds=time.perf_counter() - started,
        site_dir=site_dir,
    )


def read_all(root: Path) -> tuple[Config, dict[str, Document]]:
    """The configuration and every seed document, or one BuildError listing every problem."""
    problems: list[Problem] = []
    config: Config | None = None
    try:
        config = load_config(root)
    except ConfigError as error:
        problems.extend(error.problems)
    documents, reading_problems = read_documents(root)
    problems.extend(reading_problems)
    if problems or config is None:
        raise BuildError("\n".join(str(p) for p in problems))
    return config, documents


def read_documents(root: Path) -> tuple[dict[str, Document], list[Problem]]:
    documents: dict[str, Document] = {}
    problems: list[Problem] = []
    seeds = sorted((root / SEEDS_DIR).glob("*.txt"))
    if not seeds:
        problems.append(Problem(SEEDS_DIR, "no .txt files to build from"))
    for path in seeds:
        shown = f"{SEEDS_DIR}/{path.name}"
        try:
            documents[stem(path.name)] = read_document(path).document
        except InputError as error:
            problems.append(Problem(shown, error.problem.message, error.problem.line))
    return documents, problems


def write_search_index(sources: Sequence[site.Source], site_dir: Path, config: SiteConfig) -> None:
    """SEARCH INDEX CALL SITE: pages are rendered into the staged ``site_dir``, the swap has
    not happened yet. ``bulletin_site.search.write_index(documents, site_dir, config)`` gets the
    documents as read (``site.Source``: stem, document, issue number, date), the staged folder
    and the SiteConfig. Skipped while that module or function does not exist."""
    try:
        search = importlib.import_module("bulletin_site.search")
    except ModuleNotFoundError as error:
        if error.name != "bulletin_site.search":
            raise  # the module is there but something it needs is not
        return
    write_index = getattr(search, "write_index", None)
    if write_index is not None:
        write_index(sources, site_dir, config)


# ---------------------------------------------------------------------------------------------
# Command line


def build_command(root: Path, clean: bool, quiet: bool) -> int:
    err = sys.stderr
    show_progress = not quiet and err.isatty()
    progress = partial(_progress, stream=err) if show_progress else None
    report = build(root, clean=clean, progress=progress)
    if show_progress:
        err.write("\r\x1b[K")
    for warning in report.warnings:
        print(format_warning(warning), file=err)
    print(summary(report, root), file=err)
    return 0


def format_warning(problem: Problem) -> str:
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    return f"{where}: WARNING: {problem.message}"


def summary(report: BuildReport, root: Path) -> str:
    try:
        shown = report.site_dir.relative_to(root)
    except ValueError:
        shown = report.site_dir
    count = len(report.warnings)
    return (
        f"built {_plural(report.documents, 'document')}, {_plural(report.pages, 'page')}, "
        f"{_plural(count, 'warning')} in {report.seconds:.1f} s → {shown.as_posix()}/"
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _progress(done: int, total: int, *, stream: TextIO) -> None:
    if done == total or done % 10 == 0:
        stream.write(f"\rrendering {done}/{total} files")
        stream.flush()
