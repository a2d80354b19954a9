"""The build's memory between runs: ``.bulletin-cache/``, keyed by content hashes.

Whatever is expensive is done once per distinct input and kept:

- ``readings``: a raw file as the reader read it, keyed by the file's bytes and name;
- ``converted``: a document in the other script, keyed by the document and the glossary;
- ``pages``: a rendered page, keyed by everything its template gets (the page context,
  which holds the document, its neighbours for previous/next, the site configuration) and the
  bytes of every template.

Every key also holds the fingerprint of the code that computed it (each ``.py`` file of this
package and the versions of the libraries that shape the output), so a changed reader or
template makes exactly the results it made unreachable. A result from the cache is therefore
the result the build would compute, and an incremental build writes the same bytes as a full
one. Entries are written atomically and carry the hash of their payload: an entry that fails
that check (a crash, a full disk, a hand edit) is recomputed and reported once, as a warning.
After a build, entries it did not use are removed, so the cache holds one site's worth.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from bulletin_site.errors import Problem
from bulletin_site.model import Document, Reading, Trace, from_dict, to_dict

CACHE_DIR = ".bulletin-cache"
KINDS = ("readings", "converted", "pages")
# Libraries whose version changes what the build writes.
LIBRARIES = ("OpenCC", "Jinja2", "Markdown", "PyYAML", "MarkupSafe")
# A Jinja tag that loads another file by a name under assets/.
_ASSET_TAG = re.compile(rb"{%-?\s*(?:include|import|from|extends)\b[^%]*assets/")
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder is bulletin-site's build cache; delete it at will (or build with --clean).\n"
)


@functools.cache
def code_fingerprint() -> str:
    """The code that computes every cached result: this package's sources and the versions of
    Python and of the libraries that shape the output. Computed once per process: the code
    running is the code loaded at start, even if the files change under it."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        _feed(h, path.relative_to(package).as_posix(), path.read_bytes())
    for name in LIBRARIES:
        try:
            _feed(h, name, importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            _feed(h, name, "-")
    _feed(h, "python", sys.version)
    return h.hexdigest()


def templates_fingerprint(folders: Iterable[Path]) -> str:
    """Every template the search path gives (names and bytes; for a name in two folders, the
    first folder's file, as the template loader picks it): what a rendered page depends on
    besides its context. Files under ``assets/`` are copied, not rendered, so a stylesheet
    edit re-renders nothing, unless a template pulls an asset in by name
    (``{% include "assets/icon.svg" %}``): then the assets count too."""
    h = hashlib.sha256()
    seen: set[str] = set()
    assets: list[tuple[str, bytes]] = []
    uses_assets = False
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if name in seen:
                continue  # shadowed by the same name in an earlier folder
            seen.add(name)
            data = path.read_bytes()
            if name.startswith("assets/"):
                assets.append((name, data))
                continue
            _feed(h, name, data)
            uses_assets = uses_assets or bool(_ASSET_TAG.search(data))
    for name, data in assets if uses_assets else ():
        _feed(h, name, data)
    return h.hexdigest()


def file_fingerprint(path: Path) -> str:
    """One file's bytes, or ``-`` when it does not exist (the glossary is optional)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "-"


# ---------------------------------------------------------------------------------------------
# The store


@dataclass(frozen=True)
class CacheStats:
    """How much of a build came from the cache: per kind, entries reused and computed."""

    reused: Mapping[str, int] = dataclasses.field(default_factory=dict)
    computed: Mapping[str, int] = dataclasses.field(default_factory=dict)
    damaged: int = 0


class Cache:
    """Entries under ``folder/<kind>/<key>``: the payload's sha256 on the first line, then the
    payload. ``enabled=False`` computes everything and keeps nothing (used by ``check`` when the
    folder cannot be written, and by tests)."""

    def __init__(self, folder: Path, *, enabled: bool = True) -> None:
        self.folder = folder
        self.enabled = enabled
        self._used: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self._reused = dict.fromkeys(KINDS, 0)
        self._computed = dict.fromkeys(KINDS, 0)
        self._damaged: set[tuple[str, str]] = set()  # (kind, key): counted once however asked
        self._problems: list[Problem] = []

    @classmethod
    def open(cls, root: Path, *, clean: bool = False) -> Cache:
        """The project's cache; ``clean`` empties it first (a full build that refills it)."""
        folder = root / CACHE_DIR
        if clean and folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        return cls(folder)

    def key(self, kind: str, *parts: str) -> str:
        h = hashlib.sha256()
        _feed(h, "code", code_fingerprint())
        _feed(h, "kind", kind)
        for part in parts:
            _feed(h, "part", part)
        return h.hexdigest()

    def get(self, kind: str, key: str) -> bytes | None:
        if not self.enabled:
            return None
        path = self.folder / kind / key
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self._used[kind].add(key)
        digest, newline, payload = data.partition(b"\n")
        if not newline or hashlib.sha256(payload).hexdigest().encode() != digest:
            self.damaged(kind, key)
            return None
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        if not self.enabled:
            return
        folder = self.folder / kind
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        try:
            if not folder.is_dir():
                self._make_folder(folder)
            tmp.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
            os.replace(tmp, folder / key)
        except OSError as error:
            # A cache that cannot be written costs time, never the build.
            self.enabled = False
            self._problems.append(
                Problem(CACHE_DIR, f"cannot write the cache ({error.strerror}); building without")
            )
            return
        self._used[kind].add(key)

    def _make_folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tag = self.folder / "CACHEDIR.TAG"  # backup tools skip a folder holding this file
        if not tag.exists():
            tag.write_text(_TAG, encoding="ascii")

    def damaged(self, kind: str, key: str) -> None:
        """An entry could not be used: it will be recomputed (and overwritten)."""
        self._damaged.add((kind, key))

    def count(self, kind: str, *, reused: bool) -> None:
        if reused:
            self._reused[kind] += 1
        else:
            self._computed[kind] += 1

    def prune(self) -> None:
        """Remove the entries this build did not use (files being written by another process,
        hidden ``.tmp`` ones, are left alone)."""
        if not self.enabled:
            return
        for kind in KINDS:
            folder = self.folder / kind
            if not folder.is_dir():
                continue
            used = self._used[kind]
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name not in used and not entry.name.startswith("."):
                        Path(entry.path).unlink(missing_ok=True)

    def stats(self) -> CacheStats:
        return CacheStats(dict(self._reused), dict(self._computed), len(self._damaged))

    def warnings(self) -> tuple[Problem, ...]:
        found = [dataclasses.replace(p, severity="warning") for p in self._problems]
        if self._damaged:
            count = len(self._damaged)
            entries = "entry was" if count == 1 else "entries were"
            found.append(
                Problem(
                    CACHE_DIR,
                    f"{count} damaged cache {entries} recomputed",
                    None,
                    "warning",
                )
            )
        return tuple(found)


# ---------------------------------------------------------------------------------------------
# What is cached


def reading(cache: Cache, name: str, data: bytes, read: Callable[[], Reading]) -> Reading:
    """The reader's result for a raw file (its name and bytes), from the cache or ``read()``."""
    key = cache.key("reading", name, hashlib.sha256(data).hexdigest())
    payload = cache.get("readings", key)
    if payload is not None:
        try:
            found = reading_from_json(payload)
        except (ValueError, KeyError, TypeError):
            cache.damaged("readings", key)
        else:
            cache.count("readings", reused=True)
            return found
    result = read()
    cache.put("readings", key, reading_to_json(result))
    cache.count("readings", reused=False)
    return result


def converted(
    cache: Cache, doc: Document, script: str, glossary: str, convert: Callable[[], Document]
) -> Document:
    """``doc`` in ``script``, from the cache or ``convert()``; ``glossary`` is its fingerprint."""
    key = cache.key("converted", glossary, script, digest(doc).hex())
    payload = cache.get("converted", key)
    if payload is not None:
        try:
            found = from_dict(json.loads(payload))
        except (ValueError, KeyError, TypeError):
            cache.damaged("converted", key)
        else:
            cache.count("converted", reused=True)
            return found
    result = convert()
    cache.put("converted", key, _json(to_dict(result)))
    cache.count("converted", reused=False)
    return result


def pages(
    cache: Cache,
    planned: Sequence[Any],
    templates: str,
    render_all: Callable[[Sequence[Any]], Mapping[str, bytes]],
) -> dict[str, bytes]:
    """Every planned page (``site.Planned``) rendered: from the cache when the page's context
    and the templates (``templates``: their fingerprint) are unchanged, else by ``render_all``
    on the pages that are left, in one call so it can work on them however it likes."""
    memo: dict[int, tuple[Any, bytes]] = {}
    keys: dict[str, str | None] = {}
    out: dict[str, bytes] = {}
    missing = []
    for page in planned:
        try:
            context = digest(page.context, memo).hex()
        except TypeError:
            key = None  # something in the context has no stable value: render it every time
        else:
            key = cache.key("page", templates, page.path, page.template, page.links, context)
        payload = cache.get("pages", key) if key else None
        if payload is None:
            missing.append(page)
            keys[page.path] = key
        else:
            out[page.path] = payload
            cache.count("pages", reused=True)
    for path, data in render_all(missing).items():
        out[path] = data
        key = keys.get(path)
        if key:
            cache.put("pages", key, data)
        cache.count("pages", reused=False)
    return {page.path: out[page.path] for page in planned}


# ---------------------------------------------------------------------------------------------
# Stable digests and serialisation


def digest(value: Any, memo: dict[int, tuple[Any, bytes]] | None = None) -> bytes:
    """A hash of a value built from dataclasses, tuples, mappings and plain values that is the
    same in every process (unlike ``hash``). Dataclasses, tuples and mappings are hashed once
    per ``memo``: a document shared by a hundred page contexts costs one walk (the build never
    changes a mapping once planned). The memo keeps each object alive so that its id cannot be
    reused. A value of any other type raises TypeError."""
    return hashlib.sha256(_encode(value, {} if memo is None else memo)).digest()


# Each value is encoded unambiguously (a type letter, then a length or a fixed-size digest), and
# each dataclass, sequence or mapping is hashed from the encodings of its parts: a page context
# of a thousand-issue archive costs a few dozen short byte strings beyond what it shares.
def _encode(value: Any, memo: dict[int, tuple[Any, bytes]]) -> bytes:
    kind = type(value)
    if kind is str:
        raw = value.encode("utf-8")
        return b"s%d:" % len(raw) + raw
    if value is None or kind is bool or kind is int or kind is float:
        return b"n" + repr(value).encode() + b";"
    if isinstance(value, str):  # Markup: escaped differently from str when rendered
        raw = value.encode("utf-8")
        return b"S%s:%d:" % (kind.__qualname__.encode(), len(raw)) + raw
    if isinstance(value, datetime.date | PurePath):
        raw = str(value).encode("utf-8")
        return b"D%s:%d:" % (kind.__qualname__.encode(), len(raw)) + raw
    seen = memo.get(id(value))
    if seen is None:
        seen = (value, b"r" + hashlib.sha256(b"".join(_parts(value, memo))).digest())
        memo[id(value)] = seen
    return seen[1]


def _parts(value: Any, memo: dict[int, tuple[Any, bytes]]) -> list[bytes]:
    kind = type(value)
    if kind is tuple or kind is list:
        head = b"T%d:" % len(value) if kind is tuple else b"L%d:" % len(value)
        return [head, *(_encode(item, memo) for item in value)]
    if isinstance(value, Mapping):
        # Insertion order, as templates iterate it; the plan builds every mapping in a fixed order.
        out = [b"M%d:" % len(value)]
        for key, item in value.items():
            out += (_encode(key, memo), _encode(item, memo))
        return out
    names = _field_names(kind)
    if names is None:
        raise TypeError(f"no stable digest for {kind.__name__}")
    out = [b"C" + kind.__qualname__.encode() + b":"]
    for name in names:
        out += (name.encode(), _encode(getattr(value, name), memo))
    return out


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None for any other type): looked up once per class."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


def _feed(h: Any, label: str, data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    h.update(f"{label}:{len(raw)}:".encode())
    h.update(raw)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def reading_to_json(result: Reading) -> bytes:
    report = [[t.line, t.text, t.role, t.target] for t in result.report]
    return _json({"document": to_dict(result.document), "report": report})


def reading_from_json(payload: bytes) -> Reading:
    data = json.loads(payload)
    report = tuple(
        Trace(int(line), text, role, target) for line, text, role, target in data["report"]
    )
    return Reading(from_dict(data["document"]), report)
