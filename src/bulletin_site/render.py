"""Target pages → bytes, through Jinja templates found along one search path.

The search path is the folder ``templates:`` in site.yaml names, if any, then the project's
``templates/``: such a folder overrides single templates (or single files under ``assets/``)
and inherits the rest. The templates are the project's, never the installed package's, so a
plain ``pip install`` builds a project exactly as a checkout does. Autoescape is on for .html
and .xml, undefined names are errors, and every text output is NFC.
"""

from __future__ import annotations

import copyreg
import functools
import io
import os
import pickle
import re
import tempfile
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import jinja2
import markdown as markdown_lib
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from bulletin_site import model, parallel, project, site, write
from bulletin_site.errors import BuildError, Problem
from bulletin_site.project import Project
from bulletin_site.sanitize import clean_html, safe_url

ASSETS = "assets"
MARKDOWN_EXTENSIONS = ("tables", "sane_lists", "nl2br")
_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
_SHALLOW_ITEM = re.compile(r"^ {2,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
# Fewer pages than this are rendered in this process. A page costs ~0.3 ms to render here and
# ~1.5 times that in a worker (its context pickled there, its bytes back; each worker compiles
# the templates and loads the documents): measured on two cores, workers saved no wall time at
# 2,200 pages (100 issues) and about none at 22,000, for a third more CPU.
MIN_PARALLEL_PAGES = 5000


@dataclass(frozen=True)
class Settings:
    """What an environment is made from, so that a worker process can make the same one."""

    search_path: tuple[Path, ...]
    allow_html: bool


def template_search_path(root: Path, override: Path | None = None) -> tuple[Path, ...]:
    """``override`` (site.yaml's ``templates:``) first, then the project's templates/ (once,
    if they are the same); BuildError when the project has no templates/."""
    folder = Project(root).templates
    if not folder.is_dir():
        raise BuildError(
            problems=[
                Problem.error(project.TEMPLATES, "no such folder: the site's templates live here")
            ]
        )
    folders = [p.resolve() for p in (override, folder) if p is not None]
    return tuple(dict.fromkeys(folders))


def make_environment(
    search_path: Sequence[Path], *, allow_html: bool = False
) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = partial(markdown_html, allow_html=allow_html)
    env.extend(bulletin_site_settings=Settings(tuple(search_path), allow_html))
    return env


def render_page(env: jinja2.Environment, target: site.Target) -> bytes:
    link: Callable[[str], str]
    if target.links == "root":
        link = partial(_root_link, target.context["config"].base_url)
    else:
        link = site.relative_links(target.path)
    try:
        template = env.get_template(target.template)
        text = template.render(**target.context, rel=link)
    except jinja2.TemplateSyntaxError as error:
        where = str(error.filename or error.name)
        raise BuildError(
            problems=[Problem.error(where, error.message or "", error.lineno)]
        ) from None
    except jinja2.TemplateNotFound as error:
        raise BuildError(f"template not found (for {target.path})", at=str(error.name)) from None
    except jinja2.UndefinedError as error:
        raise BuildError(f"{error.message} (rendering {target.path})", at=target.template) from None
    text = unicodedata.normalize("NFC", text)
    # Checked here, where it is rendered (in a worker, and once: the page cache keeps only
    # pages that passed), so the write stage need not look at a page again.
    write.check_characters(target.path, text)
    return text.encode("utf-8")


def render_all(
    env: jinja2.Environment,
    targets: Sequence[site.Target],
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Every target rendered, as ``(path, bytes)`` in their order, each given as soon as it is
    rendered (the caller writes it and lets it go).

    Many pages are shared out among worker processes (``parallel.imap``), each with an
    environment made like ``env`` that compiles each template once; the bytes are the same
    as rendered here. What the workers get is kept small: the documents (and issue views) that
    many pages show are written once to a table every worker loads, and each batch of pages
    refers to them by number (``_Shared``) instead of carrying copies: the home page alone
    would otherwise carry every issue of the archive.
    """
    settings: Settings | None = getattr(env, "bulletin_site_settings", None)
    if settings is None or not parallel.in_workers(len(targets), MIN_PARALLEL_PAGES):
        for i, page in enumerate(targets, start=1):
            yield page.path, render_page(env, page)
            if progress is not None:
                progress(i, len(targets))
        return
    workers = parallel.jobs()
    size = -(-len(targets) // (workers * parallel.CHUNKS_PER_WORKER))
    batches = [targets[i : i + size] for i in range(0, len(targets), size)]
    shared = _Shared()
    blobs = [shared.dumps(batch) for batch in batches]
    fd, table = tempfile.mkstemp(prefix="bulletin-site-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(shared.objects, f, protocol=pickle.HIGHEST_PROTOCOL)
        del shared, batches

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(min(done * size, len(targets)), len(targets))

        pages = iter(targets)
        for batch in parallel.imap(
            partial(_render_batch, settings, table), blobs, chunksize=1, progress=report
        ):
            for data in batch:
                yield next(pages).path, data
    finally:
        os.unlink(table)


# Objects that many page contexts share, and that are large: the documents as published, their
# articles, and the issue views (home pages list them all, issue pages show their neighbours).
_SHARED_TYPES = (
    site.Source,
    site.IssueView,
    model.Bulletin,
    model.Plan,
    model.Page,
    model.Article,
)


class _Shared:
    """Pickles batches of pages with every shared object (``_SHARED_TYPES``) replaced by its
    number in ``objects``, a table pickled once (``_table``)."""

    def __init__(self) -> None:
        self.objects: list[object] = []
        self._numbers: dict[int, int] = {}
        # Looked up by the pickler only for objects it has no built-in way for (not for
        # strings, numbers, tuples, dicts): far cheaper than a persistent_id on every object.
        self._dispatch = {
            **copyreg.dispatch_table,
            **dict.fromkeys(_SHARED_TYPES, self._reduce),
        }

    def dumps(self, value: object) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = self._dispatch
        pickler.dump(value)
        return buffer.getvalue()

    def _reduce(self, obj: object) -> tuple[Callable[[int], object], tuple[int]]:
        number = self._numbers.get(id(obj))
        if number is None:
            number = self._numbers[id(obj)] = len(self.objects)
            self.objects.append(obj)  # kept alive: its id cannot be reused meanwhile
        return _shared, (number,)


_current_table: list[object] = []


def _shared(number: int) -> object:
    """In a worker, while a batch is unpickled: shared object ``number``."""
    return _current_table[number]


def _render_batch(settings: Settings, table: str, blob: bytes) -> list[bytes]:
    """In a worker: a batch of pages, with the shared objects from ``table``."""
    global _current_table
    _current_table = _table(table)
    try:
        pages = pickle.loads(blob)
    finally:
        _current_table = []
    env = _environment(settings)
    return [render_page(env, page) for page in pages]


@functools.lru_cache(maxsize=1)
def _table(path: str) -> list[object]:
    # One table per build (a new file each time); the last one is kept for that build's
    # other batches.
    with open(path, "rb") as f:
        return pickle.load(f)


@functools.lru_cache(maxsize=4)
def _environment(settings: Settings) -> jinja2.Environment:
    # Kept for the life of the worker: templates are compiled once, and reloaded when their
    # file changes (Jinja's auto_reload), as in this process.
    return make_environment(settings.search_path, allow_html=settings.allow_html)


def assets(search_path: Sequence[Path]) -> Iterator[tuple[str, bytes]]:
    """Files under ``assets/`` of every template folder; the first folder's copy wins."""
    seen: set[str] = set()
    for folder in search_path:
        base = folder / ASSETS
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if name in seen or any(part.startswith(".") for part in Path(name).parts):
                continue
            seen.add(name)
            yield name, path.read_bytes()


# ---------------------------------------------------------------------------------------------
# Markdown


def markdown_html(text: str, *, allow_html: bool = False, first_heading: int = 1) -> Markup:
    """Markdown → HTML. Raw HTML in the text is shown as text unless ``allow_html``; links
    with a scheme other than http(s), mailto or tel lose their target either way, and so do
    ``(#)`` placeholders. A line break inside a paragraph is kept (the pages come from web
    pages whose lines are lines). Headings start at ``first_heading`` (2 in a page whose title
    the template shows as its h1) and never skip a level (``_LevelHeadings``)."""
    md = markdown_lib.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
    if not allow_html:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
    md.treeprocessors.register(_LevelHeadings(md, first_heading), "level_headings", 0)
    converted = md.convert(nest_lists(text))
    # Raw HTML never passes through the tree processors: reduce it to the allow-list.
    return Markup(clean_html(converted) if allow_html else converted)


def nest_lists(text: str) -> str:
    """Python-Markdown nests a list only when indented by four spaces; editors (and CommonMark)
    indent by two or three. A list item indented by 2–3 spaces right after a list item is
    indented to four, so it nests as the writer meant."""
    lines = text.split("\n")
    out = []
    in_list = False
    for line in lines:
        if in_list and _SHALLOW_ITEM.match(line):
            line = "    " + line.lstrip(" ")
        if _ITEM.match(line):
            in_list = True
        elif line.strip() and not line.startswith(" "):
            in_list = False  # a paragraph or heading ends the list
        out.append(line)
    return "\n".join(out)


class _SafeLinks(Treeprocessor):
    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None:
                    continue
                if not safe_url(value):  # also "&#106;avascript:", "java\tscript:"
                    del element.attrib[attribute]


class _LevelHeadings(Treeprocessor):
    """Headings renumbered so that none skips a level (h1 → h3 is an error for screen readers
    and the HTML checker): each is one level below the nearest heading before it that was
    written higher (fewer ``#``), the first at ``first``; their order and nesting stay as
    written. ``# A``, ``### B``, ``## C``, ``# D`` become h2, h3, h3, h2 from ``first=2``."""

    def __init__(self, md: markdown_lib.Markdown, first: int) -> None:
        super().__init__(md)
        self.first = first

    def run(self, root: ElementTree.Element) -> None:
        above: list[tuple[int, int]] = []  # (written level, level given) of open headings
        for element in root.iter():
            if not re.fullmatch(r"h[1-6]", element.tag):
                continue
            written = int(element.tag[1])
            while above and above[-1][0] >= written:
                above.pop()
            level = min(6, above[-1][1] + 1 if above else self.first)
            above.append((written, level))
            element.tag = f"h{level}"


def _root_link(base_url: str, target: str) -> str:
    return site.root_url(base_url, target)
