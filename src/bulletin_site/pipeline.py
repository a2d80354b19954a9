"""``bulletin-site build``: the stages in order, everything read before anything is written.

read (site.yaml, issue metadata, corrections, every seed) → corrections replace the reader
→ convert (both editions) → plan pages → render each page into a staging folder (linked from
the published site when unchanged) → search index → swap into _site/. A failure anywhere before
the swap leaves the previous _site/ untouched; a build that changes nothing writes nothing.

Reading, converting and rendering go through the cache (``cache.py``): each result is kept under
a hash of everything it was computed from, so a rebuild after one change recomputes only what
depends on it and writes the same bytes a full build would.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bulletin_site import (
    cache,
    lastbuild,
    parallel,
    paths,
    project,
    render,
    search,
    site,
    write,
)
from bulletin_site.cache import Cache, CacheStats
from bulletin_site.config import Config, ConfigError, SiteConfig, load_config
from bulletin_site.convert import (
    HANS_EDITION,
    HANT_EDITION,
    Converter,
    Glossary,
    convert_document,
    read_glossary,
)
from bulletin_site.corrections import Correction, load_corrections, sha256
from bulletin_site.errors import ENGLISH, BuildError, InputError, Language, Problem
from bulletin_site.kinds import KINDS, Kinds
from bulletin_site.model import Document, Reading, stem
from bulletin_site.project import Project
from bulletin_site.read import decode

Progress = Callable[[int, int], None]
T = TypeVar("T")
# Fewer items than these are worked on in this process: starting workers would cost more
# (the reader takes ~60 ms a bulletin, a conversion ~6 ms a document).
MIN_PARALLEL_SEEDS = 16
MIN_PARALLEL_CONVERSIONS = 100


@dataclass(frozen=True)
class BuildReport:
    documents: int
    pages: int  # HTML pages
    files: int  # every output file
    warnings: tuple[Problem, ...]
    seconds: float
    site_dir: Path
    cache: CacheStats = field(default_factory=CacheStats)  # what was reused, what computed
    # Wall time per stage: read (configuration, metadata, corrections, raw bytes), parse (the
    # reader: decode, parse, layout repair), convert, render (plan, render, cache), write
    # (each page compared with the published one and linked or written as it is rendered, the
    # swap, cache pruning), index (search: its own time, spent while the pages are rendered
    # and written), index wait (the build waiting for the index after writing the pages, and
    # writing the index's files).
    stage_seconds: Mapping[str, float] = field(default_factory=dict)
    # Files of the new site (the index's included) written anew, and linked unchanged from the
    # published site; both 0 when nothing changed (the published site stays as it is).
    written: int = 0
    linked: int = 0


@dataclass(frozen=True)
class Seed:
    """One raw file of seeds/, as bytes: read once, hashed once."""

    stem: str
    path: str  # for messages: seeds/<name>
    data: bytes
    sha256: str


def _one_at_a_time(function: Callable[..., BuildReport]) -> Callable[..., BuildReport]:
    """A build holds the site's lock from start to end (a second one is refused with a clear
    message), and first tidies up after a build that was killed (``write.recover``)."""

    @functools.wraps(function)
    def locked(root: Path, **options: Any) -> BuildReport:
        site_dir = Project(root).site
        with write.lock(site_dir):
            write.recover(site_dir)
            return function(root, **options)

    return locked


@_one_at_a_time
def build(
    root: Path,
    *,
    clean: bool = False,
    progress: Progress | None = None,
    kinds: Kinds = KINDS,
) -> BuildReport:
    """Build ``root/_site`` from ``root/seeds`` and ``root/content``.

    ``clean`` empties the cache first: a full build (which refills it). ``kinds``: the kinds
    of document the site knows (``kinds.py``).
    """
    started = time.perf_counter()
    stages: dict[str, float] = {}
    editions = (HANT_EDITION, HANS_EDITION)  # the first is x-default
    store = Cache.open(root, clean=clean)

    # 0. The same inputs as the last build, and the site as it left it: nothing to do.
    site_dir = Project(root).site
    published = write.published_site(site_dir)
    inputs = lastbuild.inputs_digest(root) if kinds is KINDS else None
    last = lastbuild.load(store.folder) if inputs and not clean else None
    if last and last.inputs == inputs and last.site == f"{published.fingerprint:064x}":
        return unchanged_report(last, site_dir, time.perf_counter() - started)
    lastbuild.forget(store.folder)
    # The site exactly as the last build left it (no file edited, added or replaced since):
    # then a search part's folder it holds holds what its name says (``write.kept``).
    as_left = last is not None and last.site == f"{published.fingerprint:064x}"

    # 1. Read everything: configuration, metadata, the editors' corrections and every seed
    #    (except the corrected ones: see 2); report all errors at once.
    config, glossary, corrected, readings, read_warnings = read_all(root, store, kinds, stages)
    mark = _lap(stages, "read", started, minus="parse")

    # 2. Corrections: an editor's correction file replaces the reader's document.
    documents = {**readings, **{s: c.document for s, c in corrected.items()}}

    # 3. Join documents and editors' metadata; warn about what is missing.
    sources, found = site.resolve_sources(documents, config.documents, kinds, corrected)
    if any(p.is_error for p in found):  # a document without an address, or one given twice
        raise BuildError(problems=[p for p in found if p.is_error])
    warnings = found

    # 4. Convert: each edition gets every document in its own script. OpenCC is loaded only
    #    if the cache does not already hold a document's conversion with this glossary; the
    #    conversions it lacks are done first, all together, in worker processes.
    glossary_key = cache.digest(glossary).hex()
    wanted = [(s.doc, e.script) for e in editions for s in sources if s.doc.script != e.script]
    converted = {
        (id(doc), script): result
        for (doc, script), result in parallel.through_cache(
            wanted,
            lambda item, compute: cache.convert_through(
                store, *item, glossary_key, compute, kinds.from_dict
            ),
            partial(convert_with, glossary),
            min_items=MIN_PARALLEL_CONVERSIONS,
        )
    }

    def convert(doc: Document, script: str) -> Document:
        return converted[(id(doc), script)]()

    by_edition = {e.code: site.convert_sources(sources, e.script, convert) for e in editions}
    mark = _lap(stages, "convert", mark)

    # 5. Start the search index: it needs the documents, not the pages, so Pagefind works
    #    while the pages are rendered and written. Its parts are kept in the cache folder.
    bundles = store.folder if store.enabled else None
    staging = write.open_staging(site_dir, published)
    kept = write.kept(published, search.BUNDLE, 2, staging.mode) if as_left else {}
    handover = _temporary_file("bulletin-site-index-", ".outputs")
    index = parallel.Background(
        _timed,
        index_into,
        Path(handover),
        by_edition,
        config.site,
        kinds,
        bundles,
        source_identities(by_edition, store) if kinds is KINDS else None,
        frozenset(kept),
    )
    try:
        write.make_ahead(staging, published.folders)  # (discarded below if the build fails)
        # 6. Plan every page and render each into the staging folder as it comes (the site is
        #    never held in memory whole); pages whose context and templates are unchanged come
        #    from the cache, files the published site already holds are linked from it.
        targets = site.site_targets(config.site, editions, by_edition, kinds)
        search_path = render.template_search_path(root, config.site.templates)
        env = render.make_environment(search_path, allow_html=config.site.allow_html)
        keys = cache.PageRecord()  # every page's key, for the next build (``known``)
        rendered = cache.pages(
            store,
            targets,
            cache.templates_fingerprint(search_path),
            lambda todo: render.render_all(env, todo, progress),
            known=known_pages(store.folder, last, published, staging.mode) if as_left else None,
            record=keys,
        )
        try:
            # Checked as they were rendered (render_page); the assets are checked here.
            put_timed(staging, rendered, "the pages", stages, checked=True)
            put_timed(staging, render.assets(search_path), "templates/assets", stages)
            outputs = dict(staging.origins)  # every file but the index's
            parallel.shutdown()  # free the workers' memory before the index is written
            mark = _lap(stages, "render", mark, minus="write")

            # 7. Add the search index to the staging, then swap it into place (when anything
            #    changed); then forget the cache entries this build did not use.
            index_seconds, unchanged = index.result()
            # The index stage: its own time, and the wait for it after the pages were written.
            stages["index"] = index_seconds
            write_search_index(Path(handover), staging, {f: kept[f] for f in unchanged})
            mark = _lap(stages, "index wait", mark)
            if write.finish(staging):
                write.swap(staging)
        except OSError as error:  # a full disk while indexing: a message, not a traceback
            write.discard(staging)
            raise BuildError(f"search index: {error}; the previous site is unchanged") from None
        except BaseException:
            write.discard(staging)
            raise
    except BaseException:  # planning failed: the folders made ahead go
        write.discard(staging)
        raise
    finally:
        index.cancel()  # a failed build does not wait for the index
        with contextlib.suppress(OSError):
            os.unlink(handover)
    store.prune()
    _lap(stages, "write", mark)

    report = BuildReport(
        documents=len(documents),
        pages=sum(1 for path in outputs if path.endswith(".html")),
        files=len(outputs),
        warnings=config.warnings + read_warnings + warnings + store.warnings(),
        seconds=time.perf_counter() - started,
        site_dir=site_dir,
        cache=store.stats(),
        stage_seconds=stages,
        written=staging.written,
        linked=staging.linked,
    )
    # What the next build needs to know it has nothing to do, if the inputs stayed as they
    # were read meanwhile (an edit saved during the build makes the next one build).
    unspoiled = store.enabled and not store.stats().damaged  # else its warnings are this build's
    if inputs and unspoiled and lastbuild.inputs_digest(root) == inputs:
        known = lastbuild.save_keys(store.folder, keys)
        lastbuild.save(store.folder, record(report, inputs, staging.fingerprint, known))
    return report


def known_pages(
    folder: Path, last: lastbuild.LastBuild | None, published: write.PublishedSite, mode: int
) -> cache.PageRecord:
    """Path → key of the pages the published site holds as the last build put them (call it
    only when the site is as that build left it): the last build's record of its pages' keys,
    less the files without the permission bits a file written now gets (a clean build would
    write them with these)."""
    found = lastbuild.load_keys(folder, last.keys) if last is not None else cache.PageRecord()
    files = published.files
    keys = found.keys
    found.keys = {p: k for p, k in keys.items() if (f := files.get(p)) and f.mode == mode}
    return found


def record(
    report: BuildReport, inputs: str, fingerprint: int, keys: str = ""
) -> lastbuild.LastBuild:
    return lastbuild.LastBuild(
        inputs=inputs,
        site=f"{fingerprint:064x}",
        documents=report.documents,
        pages=report.pages,
        files=report.files,
        rendered=report.cache.reused.get("pages", 0) + report.cache.computed.get("pages", 0),
        warnings=report.warnings,
        keys=keys,
    )


def unchanged_report(last: lastbuild.LastBuild, site_dir: Path, seconds: float) -> BuildReport:
    """The report of a build that found nothing to do: the last build's counts and warnings;
    every page as published, nothing computed, nothing written."""
    return BuildReport(
        documents=last.documents,
        pages=last.pages,
        files=last.files,
        warnings=last.warnings,
        seconds=seconds,
        site_dir=site_dir,
        cache=CacheStats({"pages": last.rendered}, dict.fromkeys(cache.STORES, 0)),
        stage_seconds={"read": seconds},
    )


def put_timed(
    staging: write.Staging,
    outputs: Iterable[tuple[str, bytes | None]],
    origin: str,
    stages: dict[str, float],
    *,
    checked: bool = False,
) -> None:
    """``outputs`` into the staging as they come (rendered meanwhile); the time spent putting
    them goes to ``stages["write"]``. An output without bytes is the published file at its
    path (``cache.pages``: a page known unchanged), linked unread."""
    spent = 0.0
    files = staging.published.files
    for path, data in outputs:
        started = time.perf_counter()
        if data is None:
            write.put_published(staging, path, files[path].inode, origin)
        else:
            write.put(staging, path, data, origin, checked=checked)
        spent += time.perf_counter() - started
    stages["write"] = stages.get("write", 0.0) + spent


def _lap(stages: dict[str, float], stage: str, since: float, minus: str | None = None) -> float:
    """Add the time since ``since`` (less what ``minus`` took meanwhile) to ``stage``; now."""
    now = time.perf_counter()
    stages[stage] = stages.get(stage, 0.0) + now - since - stages.get(minus or "", 0.0)
    return now


def convert_with(glossary: Glossary, item: tuple[Document, str]) -> Document:
    """One document in one script (in a worker process, or here)."""
    doc, script = item
    return convert_document(doc, script, _converter(glossary))


@functools.lru_cache(maxsize=2)
def _converter(glossary: Glossary) -> Converter:
    return Converter(glossary)  # OpenCC loaded once per process and glossary


def read_all(
    root: Path, store: Cache, kinds: Kinds, stages: dict[str, float] | None = None
) -> tuple[Config, Glossary, dict[str, Correction], dict[str, Document], tuple[Problem, ...]]:
    """The configuration, the glossary, the corrections, the reader's documents for the seeds
    without one, and the warnings; or one BuildError listing every error."""
    where = Project(root)
    # Links out of seeds/ or content/ are refused before anything there is read.
    escapes = [
        p for d in (project.SEEDS, project.CONTENT) for p in paths.links_outside(root / d, d)
    ]
    if escapes:
        raise BuildError(problems=escapes)
    problems: list[Problem] = []
    config: Config | None = None
    try:
        config = load_config(root)
    except ConfigError as error:
        problems.extend(error.problems)
    if config is not None and config.site.templates is not None:
        folder = config.site.templates
        problems.extend(paths.links_outside(folder, where.shown(folder)))
    glossary, found = read_glossary(where.glossary, project.GLOSSARY)
    problems.extend(found)
    seeds, seed_problems = read_seeds(root)
    problems.extend(seed_problems)
    corrected, correction_problems = load_corrections(
        root, {s.stem: s.sha256 for s in seeds.values()}, kinds.correction_formats()
    )
    problems.extend(correction_problems)
    readings, reading_problems = read_documents(
        [s for s in seeds.values() if s.stem not in corrected], store, kinds, stages
    )
    problems.extend(reading_problems)
    errors = [p for p in problems if p.is_error]
    if errors or config is None:
        raise BuildError(problems=errors)
    documents = {s: r.document for s, r in readings.items()}
    return config, glossary, corrected, documents, tuple(p for p in problems if not p.is_error)


def read_seeds(root: Path) -> tuple[dict[str, Seed], list[Problem]]:
    """The bytes of every seeds/*.txt, by stem."""
    seeds: dict[str, Seed] = {}
    problems: list[Problem] = []
    found = Project(root).seed_files()
    if not found:
        problems.append(Problem.error(project.SEEDS, "no .txt files to build from"))
    for first, other in paths.collisions(p.stem for p in found):
        problems.append(
            Problem.error(
                project.seed_name(other),
                f"same name as {project.seed_name(first)} on a case-insensitive or normalising "
                "file system (their pages would share a folder); rename one",
            )
        )
    for path in found:
        shown = project.seed_name(path.stem)
        refused = paths.seed_name_problem(path.name)
        if refused:
            problems.append(Problem.error(shown, refused))
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(Problem.error(shown, f"cannot be read ({error.strerror})"))
            continue
        seeds[stem(path.name)] = Seed(stem(path.name), shown, data, sha256(data))
    return seeds, problems


def read_documents(
    seeds: Sequence[Seed], store: Cache, kinds: Kinds, stages: dict[str, float] | None = None
) -> tuple[dict[str, Reading], list[Problem]]:
    """What the reader makes of each seed (from the cache when the bytes were read before; the
    others read together, in worker processes). ``stages["parse"]`` gets the time it took."""
    started = time.perf_counter()
    readings: dict[str, Reading] = {}
    problems: list[Problem] = []
    for seed, reading in parallel.through_cache(
        seeds,
        lambda seed, compute: cache.read_through(
            store, seed.path, seed.data, compute, kinds.from_dict, with_report=False
        ),
        partial(read_seed, kinds),
        min_items=MIN_PARALLEL_SEEDS,
    ):
        try:
            readings[seed.stem] = reading()
        except InputError as error:
            problems.extend(error.problems)
    if stages is not None:
        _lap(stages, "parse", started)
    return readings, problems


def read_seed(kinds: Kinds, seed: Seed) -> Reading:
    return kinds.reading(decode(seed.data, seed.path), seed.path)


def _temporary_file(prefix: str, suffix: str) -> str:
    try:
        handle, path = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    except OSError as error:
        raise BuildError(f"cannot make a temporary file ({error.strerror})") from None
    os.close(handle)
    return path


def source_identities(
    by_edition: Mapping[str, Sequence[site.Source]], store: Cache
) -> dict[str, dict[str, str]]:
    """Edition code → stem → the source's digest, for the index to look its parts up by
    (``search.index_files``). Cheap here: a document read or converted is hashed as the cache
    key it came from (``cache.known_by``), where the index's process would walk its text."""
    return {
        code: {s.stem: cache.digest(s, store.memo).hex() for s in sources}
        for code, sources in by_edition.items()
    }


def index_into(
    handover: Path,
    by_edition: Mapping[str, Sequence[site.Source]],
    config: SiteConfig,
    kinds: Kinds,
    bundles: Path | None,
    identities: Mapping[str, Mapping[str, str]] | None = None,
    published: frozenset[str] = frozenset(),
) -> list[str]:
    """In the index's own process: the search index's files into ``handover``, one file the
    build reads back one output at a time (a mapping sent back whole would be held twice).
    ``published``: part folders (``pagefind/<script>/<name>-<digest>``) the published site
    holds as the last build left them; the files of those this index has too are left out
    (most of the index, when one issue changed), and the folders returned, for the build to
    link from the site unread (``write_search_index``)."""
    files = search.index_files(by_edition, config, kinds, bundles, identities=identities)
    unchanged = set()
    fresh = {}
    for path, data in files.items():
        folder = "/".join(path.split("/", 3)[:3])
        if folder in published:
            unchanged.add(folder)
        else:
            fresh[path] = data
    write.save_outputs(handover, fresh)
    return sorted(unchanged)


def write_search_index(
    handover: Path, staging: write.Staging, kept: Mapping[str, Sequence[tuple[str, int]]]
) -> None:
    """The search index's files (``index_into``) into the staging (the swap has not happened).
    Made by search/, which escapes what it writes: not checked again. ``kept``: the part
    folders the index left out, each with its published files (path, inode): linked as they
    are, since a part's folder is named by a digest of its files (``search.bundle``)."""
    for path, data in write.load_outputs(handover):
        write.put(staging, path, data, "the search index", checked=True)
    for files in kept.values():
        for path, inode in files:
            write.put_published(staging, path, inode, "the search index")


def _timed(function: Callable[..., T], *args: Any) -> tuple[float, T]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


# ---------------------------------------------------------------------------------------------
# Command line


def build_command(root: Path, clean: bool, quiet: bool, language: Language = ENGLISH) -> int:
    err = sys.stderr
    show_progress = not quiet and err.isatty()
    progress = partial(_progress, stream=err) if show_progress else None
    report = build(root, clean=clean, progress=progress)
    if show_progress:
        err.write("\r\x1b[K")
    for warning in report.warnings:
        print(warning.shown(language), file=err)
    print(summary(report, root, language), file=err)
    return 0


def summary(report: BuildReport, root: Path, language: Language = ENGLISH) -> str:
    say = language
    documents = say.ngettext("{n} document", "{n} documents", report.documents)
    pages = say.ngettext("{n} page", "{n} pages", report.pages)
    warnings = say.ngettext("{n} warning", "{n} warnings", len(report.warnings))
    return say.gettext(
        "built {documents}, {pages}, {warnings} in {seconds:.1f} s → {site}/"
    ).format(
        documents=documents.format(n=report.documents),
        pages=pages.format(n=report.pages),
        warnings=warnings.format(n=len(report.warnings)),
        seconds=report.seconds,
        site=Project(root).shown(report.site_dir),
    )


def _progress(done: int, total: int, *, stream: TextIO) -> None:
    if done == total or done % 10 == 0:
        stream.write(f"\rrendering {done}/{total} files")
        stream.flush()
