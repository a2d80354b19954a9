"""The build's memory between runs: ``.bulletin-cache/``, keyed by content hashes.

Whatever is expensive is done once per distinct input and kept:

- ``readings``: a raw file as the reader read it, keyed by the file's bytes and name;
- ``converted``: a document in the other script, keyed by the document and the glossary;
- ``pages``: a rendered page, keyed by everything its template gets (the page context,
  which holds the document, its neighbours for previous/next, the site configuration) and the
  bytes of every template. The pages of one folder (an issue page and its articles) are kept
  together in one file, a *pack* of such entries: a file costs far more to create than to fill.

Every key also holds the fingerprint of the code that computed it (each ``.py`` file of this
package and the versions of the libraries that shape the output), so a changed reader or
template makes exactly the results it made unreachable. A result from the cache is therefore
the result the build would compute, and an incremental build writes the same bytes as a full
one. Entries are written atomically and carry the hash of their payload: an entry that fails
that check (a crash, a full disk, a hand edit) is recomputed and reported once, as a warning.
After a build, entries it did not use are removed (and a pack keeps only the pages the build
used), so the cache holds one site's worth.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import gc
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TypeVar

from bulletin_site import project
from bulletin_site.errors import Problem
from bulletin_site.model import Document, Reading, Role, Trace
from bulletin_site.read import decode

if TYPE_CHECKING:
    from bulletin_site.kinds import Kinds

T = TypeVar("T")

STORES = ("readings", "converted", "pages")  # one folder each in the build's cache
# The search index's parts (search/parts.py): kept by the index's own process, in a ``Cache``
# of that store alone, which prunes them itself.
BUNDLES = "bundles"
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


# ---------------------------------------------------------------------------------------------
# The store


@dataclass(frozen=True)
class CacheStats:
    """How much of a build came from the cache: per store, entries reused and computed."""

    reused: Mapping[str, int] = dataclasses.field(default_factory=dict)
    computed: Mapping[str, int] = dataclasses.field(default_factory=dict)
    damaged: int = 0


class Cache:
    """Entries under ``folder/<store>/<key>``: the payload's sha256 on the first line, then the
    payload. ``enabled=False`` computes everything and keeps nothing (used by ``check`` when the
    folder cannot be written, and by tests). ``stores``: the folders this cache uses and prunes."""

    def __init__(
        self, folder: Path, *, enabled: bool = True, stores: Sequence[str] = STORES
    ) -> None:
        self.folder = folder
        self.enabled = enabled
        self.stores = tuple(stores)
        self._used: dict[str, set[str]] = {store: set() for store in self.stores}
        self._reused = dict.fromkeys(self.stores, 0)
        self._computed = dict.fromkeys(self.stores, 0)
        self._damaged: set[tuple[str, str]] = set()  # (store, key): counted once however asked
        self._problems: list[Problem] = []
        # The names in each folder, listed once: a build asks for many entries that are not
        # there (all of them after --clean), and a failed open costs as much as a read.
        self._names: dict[str, set[str]] = {}
        # Digests of the values this build has hashed (see ``digest``): a document is walked
        # once, whether its conversion or a page showing it asks first.
        self.memo: dict[int, tuple[Any, bytes]] = {}
        self._starts: dict[str, Any] = {}  # ``_key_start``

    def _key_start(self, store: str) -> Any:
        """The hash of a key's first parts (the code, the store), fed once: a build makes a
        key per page."""
        start = self._starts.get(store)
        if start is None:
            start = self._starts[store] = hashlib.sha256()
            _feed(start, "code", code_fingerprint())
            _feed(start, "kind", store)
        return start

    @classmethod
    def open(cls, root: Path, *, clean: bool = False) -> Cache:
        """The project's cache; ``clean`` empties it first (a full build that refills it)."""
        folder = root / project.CACHE
        if clean and folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        return cls(folder)

    def key(self, store: str, *parts: str) -> str:
        h = self._key_start(store).copy()
        for part in parts:
            _feed(h, "part", part)
        return h.hexdigest()

    def get(self, store: str, key: str) -> bytes | None:
        if not self.enabled or key not in self._listing(store):
            return None
        try:
            with open(os.path.join(self.folder, store, key), "rb") as f:
                data = f.read()
        except OSError:
            return None
        self._used[store].add(key)
        digest, newline, payload = data.partition(b"\n")
        if not newline or hashlib.sha256(payload).hexdigest().encode() != digest:
            self.damaged(store, key)
            return None
        return payload

    def put(self, store: str, key: str, payload: bytes) -> None:
        if not self.enabled:
            return
        folder = self.folder / store
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        try:
            if not folder.is_dir():
                self._make_folder(folder)
            with open(tmp, "wb") as f:
                f.write(hashlib.sha256(payload).hexdigest().encode() + b"\n")
                f.write(payload)
            os.replace(tmp, folder / key)
        except OSError as error:
            # A cache that cannot be written costs time, never the build.
            self.enabled = False
            self._problems.append(
                Problem.warning(
                    project.CACHE, f"cannot write the cache ({error.strerror}); building without"
                )
            )
            return
        self._used[store].add(key)
        self._listing(store).add(key)

    def keep(self, store: str, key: str) -> None:
        """The entry ``key`` is used by this build without being read: not pruned."""
        if self.enabled and key in self._listing(store):
            self._used[store].add(key)

    def _listing(self, store: str) -> set[str]:
        names = self._names.get(store)
        if names is None:
            try:
                with os.scandir(self.folder / store) as entries:
                    names = {entry.name for entry in entries}
            except OSError:  # no folder yet (or not one): every entry is missing
                names = set()
            self._names[store] = names
        return names

    def _make_folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tag = self.folder / "CACHEDIR.TAG"  # backup tools skip a folder holding this file
        if not tag.exists():
            tag.write_text(_TAG, encoding="ascii")

    def damaged(self, store: str, key: str) -> None:
        """An entry could not be used: it will be recomputed (and overwritten)."""
        self._damaged.add((store, key))

    def count(self, store: str, *, reused: bool) -> None:
        if reused:
            self._reused[store] += 1
        else:
            self._computed[store] += 1

    def prune(self) -> None:
        """Remove the entries this build did not use (files being written by another process,
        hidden ``.tmp`` ones, are left alone)."""
        if not self.enabled:
            return
        for store in self.stores:
            folder = self.folder / store
            if not folder.is_dir():
                continue
            used = self._used[store]
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
                    project.CACHE,
                    f"{count} damaged cache {entries} recomputed",
                    None,
                    "warning",
                )
            )
        return tuple(found)


# ---------------------------------------------------------------------------------------------
# What is cached


def read_through(
    cache: Cache,
    name: str,
    data: bytes,
    read: Callable[[], Reading],
    from_dict: Callable[[Mapping[str, Any]], Document],
    *,
    with_report: bool = True,
) -> Reading:
    """The reader's result for a raw file (its name and bytes), from the cache or ``read()``;
    ``from_dict`` makes a document from its JSON (``kinds.Kinds.from_dict``). Without
    ``with_report``, a reading from the cache comes without its report (a build needs only the
    document; the report is a few hundred objects a bulletin)."""
    key = cache.key("reading", name, hashlib.sha256(data).hexdigest())
    reading = _stored(
        cache,
        "readings",
        key,
        lambda payload: reading_from_json(payload, from_dict, with_report=with_report),
        reading_to_json,
        read,
    )
    known_by(cache.memo, reading.document, "reading", key)
    return reading


def read_seed(root: Path, name: str, data: bytes, kinds: Kinds) -> Reading:
    """What the reader makes of one raw file (named ``name`` in messages, as it is or will be
    in seeds/), through the project's cache: the next build reuses it."""
    return read_through(
        Cache.open(root),
        name,
        data,
        lambda: kinds.reading(decode(data, name), name),
        kinds.from_dict,
    )


def convert_through(
    cache: Cache,
    doc: Document,
    script: str,
    glossary: str,
    convert: Callable[[], Document],
    from_dict: Callable[[Mapping[str, Any]], Document],
) -> Document:
    """``doc`` in ``script``, from the cache or ``convert()``; ``glossary`` is its fingerprint."""
    key = cache.key("converted", glossary, script, digest(doc, cache.memo).hex())
    converted = _stored(
        cache,
        "converted",
        key,
        lambda payload: from_dict(json.loads(payload)),
        lambda doc: _json(doc.to_dict()),
        convert,
    )
    known_by(cache.memo, converted, "converted", key)
    return converted


def known_by(memo: dict[int, tuple[Any, bytes]], value: Any, store: str, key: str) -> None:
    """``value``'s digest (``digest``, with ``memo``) is that of the cache key it was stored
    under, which holds everything it is computed from (the code too): the same key, the same
    value. So a document read or converted is never walked to key what shows it. The
    encoding has a letter of its own: it never equals a value's encoding by content (a copy
    hashed by content is then another value to the cache, never a wrong one)."""
    memo[id(value)] = (value, b"K" + hashlib.sha256(f"{store}\0{key}".encode()).digest())
    # Its parts that pages show on their own (a bulletin's articles), known by their place in
    # it: an article page would otherwise walk its article's text.
    names = _fields(type(value))
    for name, _ in names[1] if names else ():
        parts = getattr(value, name)
        if type(parts) is not tuple:
            continue
        for index, part in enumerate(parts):
            if dataclasses.is_dataclass(part):
                place = f"{store}\0{key}\0{name}\0{index}".encode()
                memo[id(part)] = (part, b"K" + hashlib.sha256(place).digest())


def _stored(
    cache: Cache,
    store: str,
    key: str,
    load: Callable[[bytes], T],
    dump: Callable[[T], bytes],
    compute: Callable[[], T],
) -> T:
    """The entry ``key`` of ``store``, loaded; or, when it is missing or cannot be loaded (then
    it is reported as damaged), ``compute()``, stored."""
    payload = cache.get(store, key)
    if payload is not None:
        try:
            found = load(payload)
        except (ValueError, KeyError, TypeError):
            cache.damaged(store, key)
        else:
            cache.count(store, reused=True)
            return found
    result = compute()
    cache.put(store, key, dump(result))
    cache.count(store, reused=False)
    return result


def pages(
    cache: Cache,
    planned: Sequence[Any],
    templates: str,
    render_all: Callable[[Sequence[Any]], Iterable[tuple[str, bytes]]],
    *,
    known: PageRecord | None = None,
    record: PageRecord | None = None,
) -> Iterator[tuple[str, bytes | None]]:
    """Every planned page (``site.Planned``) rendered, as ``(path, bytes)``, one at a time:
    from the cache when the page's context and the templates (``templates``: their fingerprint)
    are unchanged, else by ``render_all`` on the pages that are left, in one call so it can
    work on them however it likes (it gives them back as it renders them, in their order).

    Pages are stored in packs, one per folder (``pack_name``): an entry of store ``pages`` holds
    ``page key → bytes`` for the pages of that folder. A pack is written again only when what
    it should hold changed: a page rendered anew, or a page it holds that the build no longer
    has (so a pack, like the cache, keeps one site's worth). No page is kept longer than that
    needs: a pack to write again keeps its pages until its last one is rendered, and the pages
    of a folder are planned together, so a full build holds one folder's pages at a time.

    ``known``: the pages the caller holds already (the published site as the last build left
    it, ``lastbuild.load_keys``). A page whose key is the one ``known`` gives its path comes as
    ``(path, None)``: its bytes are neither loaded nor compared; a pack all of whose pages
    come so, and only those, is not even read (the last build left it holding those pages).
    The pages of a pack whose recipe (``pack_recipe``) is the one ``known`` gives it are not
    even keyed: theirs are the known keys. ``record`` gets the key of every page that has one
    and the recipe of every pack that has one, for the next build's ``known``."""
    known = known or PageRecord()
    record = record if record is not None else PageRecord()
    known_packs = Counter(pack_name(path) for path in known.keys)
    packs: dict[str, list[Any]] = {}
    for page in planned:
        packs.setdefault(pack_name(page.path), []).append(page)
    missing: list[Any] = []  # in plan order
    stale: dict[str, _Refill] = {}  # path of a page to render → its pack, to write again
    with _collector_paused():
        for name, members in packs.items():
            pack_key = cache.key("page pack", name)
            recipe = pack_recipe(cache, members, templates)
            whole = known_packs[name] == len(members)
            if whole and recipe is not None and known.recipes.get(name) == recipe:
                member_keys = [known.keys.get(page.path) for page in members]
            else:
                member_keys = [page_key(cache, page, templates) for page in members]
            record.add(members, member_keys, name, recipe)
            if whole and _all_known(members, member_keys, known.keys):
                cache.keep("pages", pack_key)
                for page in members:
                    cache.count("pages", reused=True)
                    yield page.path, None
                continue
            stored = _read_pack(cache, pack_key)
            refill = _Refill(pack_key)
            for page, key in zip(members, member_keys, strict=True):
                payload = stored.get(key) if key is not None else None
                if payload is None:
                    missing.append(page)
                    refill.waiting[page.path] = key
                    continue
                refill.entries[key] = payload  # (a key: pages without one are not stored)
                cache.count("pages", reused=True)
                yield page.path, None if known.keys.get(page.path) == key else payload
            wanted = {key for key in member_keys if key is not None}
            if wanted != stored.keys():
                stale.update(dict.fromkeys(refill.waiting, refill))
                if not refill.waiting:  # only a page gone: written again now
                    cache.put("pages", pack_key, pack(refill.entries))
    cache.memo.clear()  # nothing is hashed after the pages: the memory is the search index's
    for path, data in render_all(missing):
        cache.count("pages", reused=False)
        refill = stale.pop(path, None)
        if refill is not None and refill.add(path, data):
            cache.put("pages", refill.key, pack(refill.entries))
        yield path, data


def _all_known(
    members: Sequence[Any], member_keys: Sequence[str | None], known: Mapping[str, str]
) -> bool:
    """Whether every page of a pack has a key, the one ``known`` gives its path."""
    return all(
        k is not None and known.get(p.path) == k for p, k in zip(members, member_keys, strict=True)
    )


@dataclass
class PageRecord:
    """What a build put: each page's key by its path, each pack's recipe by its name."""

    keys: dict[str, str] = dataclasses.field(default_factory=dict)
    recipes: dict[str, str] = dataclasses.field(default_factory=dict)

    def add(
        self, members: Sequence[Any], keys: Sequence[str | None], name: str, recipe: str | None
    ) -> None:
        self.keys.update((p.path, k) for p, k in zip(members, keys, strict=True) if k is not None)
        if recipe is not None:
            self.recipes[name] = recipe


def pack_recipe(cache: Cache, members: Sequence[Any], templates: str) -> str | None:
    """A digest of what a pack's pages are made from (``site.Target.recipe``), their paths,
    templates and link styles, the templates and the code; None unless each page has a
    recipe, or when one has no stable value."""
    made = tuple((p.path, p.template, p.links, getattr(p, "recipe", None)) for p in members)
    if any(m[3] is None for m in made):
        return None
    try:
        return cache.key("page recipe", templates, digest(made, cache.memo).hex())
    except TypeError:
        return None


@dataclass
class _Refill:
    """A pack being filled again: its entries (the reused ones, then the rendered ones as they
    come) and the pages it still waits for."""

    key: str
    entries: dict[str, bytes] = dataclasses.field(default_factory=dict)
    waiting: dict[str, str | None] = dataclasses.field(default_factory=dict)  # path → key

    def add(self, path: str, data: bytes) -> bool:
        """A page rendered; whether the pack is now full."""
        key = self.waiting.pop(path)
        if key is not None:
            self.entries[key] = data
        return not self.waiting


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a while: hashing every page context allocates a few
    dozen objects a page, none in a cycle, and with a large archive's plan alive each of the
    collector's passes walks all of it (a third of the lookup's time at 1,000 issues)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def page_key(cache: Cache, page: Any, templates: str) -> str | None:
    """A planned page's key: its context, path, template and link style, and the templates;
    None when something in the context has no stable value (the page is rendered every time)."""
    try:
        context = digest(page.context, cache.memo).hex()
    except TypeError:
        return None
    return cache.key("page", templates, page.path, page.template, page.links, context)


def pack_name(path: str) -> str:
    """The pack a page is kept in: the first three parts of its site path. An issue's page
    and its articles (``zh-hant/bulletins/<stem>/…``) share one; a page elsewhere gets one
    of its own (``zh-hant/index.html``, ``zh-hant/plans/<stem>``)."""
    return "/".join(path.split("/", 3)[:3])


_PACK_HEAD = re.compile(rb"([0-9a-f]{64}) ([0-9]{1,12})\n")


def pack(entries: Mapping[str, bytes]) -> bytes:
    """``key → bytes`` as one payload: for each entry, ``<key> <length>\\n`` then the bytes."""
    parts = []
    for key, data in entries.items():
        parts += (b"%s %d\n" % (key.encode("ascii"), len(data)), data)
    return b"".join(parts)


def unpack(payload: bytes) -> dict[str, bytes]:
    """The entries of a ``pack``; ValueError if ``payload`` is not one."""
    entries: dict[str, bytes] = {}
    at = 0
    while at < len(payload):
        head = _PACK_HEAD.match(payload, at)
        if head is None:
            raise ValueError(f"not a pack entry at byte {at}")
        start = head.end()
        at = start + int(head[2])
        if at > len(payload):
            raise ValueError("pack entry cut short")
        entries[head[1].decode("ascii")] = payload[start:at]
    return entries


def _read_pack(cache: Cache, key: str) -> dict[str, bytes]:
    """A stored pack's entries; none when it is missing or damaged (then it is recomputed and
    reported like any damaged entry)."""
    payload = cache.get("pages", key)
    if payload is None:
        return {}
    try:
        return unpack(payload)
    except ValueError:
        cache.damaged("pages", key)
        return {}


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
    cls = type(value)
    if cls is str:
        raw = value.encode("utf-8")
        return b"s%d:" % len(raw) + raw
    # Only containers are memoised, each kept alive there: an id found is that very object.
    # Looked up first because most values a page context holds are shared, hashed already.
    seen = memo.get(id(value))
    if seen is not None:
        return seen[1]
    if value is None or cls is bool or cls is int or cls is float:
        return b"n" + repr(value).encode() + b";"
    if isinstance(value, str):  # Markup: escaped differently from str when rendered
        raw = value.encode("utf-8")
        return b"S%s:%d:" % (cls.__qualname__.encode(), len(raw)) + raw
    if isinstance(value, datetime.date | PurePath):
        raw = str(value).encode("utf-8")
        return b"D%s:%d:" % (cls.__qualname__.encode(), len(raw)) + raw
    seen = (value, b"r" + hashlib.sha256(b"".join(_parts(value, memo))).digest())
    memo[id(value)] = seen
    return seen[1]


def _parts(value: Any, memo: dict[int, tuple[Any, bytes]]) -> list[bytes]:
    cls = type(value)
    if cls is tuple or cls is list:
        head = b"T%d:" % len(value) if cls is tuple else b"L%d:" % len(value)
        return [head, *[_encode(item, memo) for item in value]]
    if cls is Layers:  # its two layers: the shared one is hashed once, whoever holds it
        return [b"Y", _encode(value.shared, memo), _encode(value.own, memo)]
    if isinstance(value, Mapping):
        # Insertion order, as templates iterate it; the plan builds every mapping in a fixed order.
        out = [b"M%d:" % len(value)]
        for key, item in value.items():
            out += (_encode(key, memo), _encode(item, memo))
        return out
    fields = _fields(cls)
    if fields is None:
        raise TypeError(f"no stable digest for {cls.__name__}")
    head, names = fields
    out = [head]
    for name, raw in names:
        out += (raw, _encode(getattr(value, name), memo))
    return out


@functools.cache
def _fields(cls: type) -> tuple[bytes, tuple[tuple[str, bytes], ...]] | None:
    """A dataclass's heading and field names, as ``_parts`` writes them (None for any other
    type): looked up and encoded once per class."""
    if not dataclasses.is_dataclass(cls):
        return None
    names = tuple((f.name, f.name.encode()) for f in dataclasses.fields(cls))
    return b"C" + cls.__qualname__.encode() + b":", names


class Layers(Mapping[str, Any]):
    """A mapping of ``own`` entries over ``shared`` ones, as ``{**shared, **own}`` (the same
    keys, values and order). A page context is one: what every page of an edition gets is one
    mapping shared by all of them, hashed once a build by ``digest`` (which hashes the two
    layers, not the entries), where a copy in every page would be hashed for every page."""

    __slots__ = ("own", "shared")

    def __init__(self, shared: Mapping[str, Any], own: Mapping[str, Any]) -> None:
        self.shared = shared
        self.own = own

    def __getitem__(self, key: str) -> Any:
        return self.own[key] if key in self.own else self.shared[key]

    def __iter__(self) -> Iterator[str]:
        yield from self.shared
        yield from (key for key in self.own if key not in self.shared)

    def __len__(self) -> int:
        return len(self.shared) + sum(1 for key in self.own if key not in self.shared)

    def __repr__(self) -> str:
        return f"Layers({self.shared!r}, {self.own!r})"

    def __reduce__(self) -> tuple[type[Layers], tuple[Mapping[str, Any], Mapping[str, Any]]]:
        return Layers, (self.shared, self.own)


def _feed(h: Any, label: str, data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    h.update(f"{label}:{len(raw)}:".encode())
    h.update(raw)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def reading_to_json(result: Reading) -> bytes:
    report = [[t.line, t.text, t.role, t.target] for t in result.report]
    return _json({"document": result.document.to_dict(), "report": report})


def reading_from_json(
    payload: bytes,
    from_dict: Callable[[Mapping[str, Any]], Document],
    *,
    with_report: bool = True,
) -> Reading:
    data = json.loads(payload)
    if not isinstance(data["report"], list):
        raise TypeError("a reading's report is a list")
    report = tuple(
        Trace(int(line), text, Role(role), target)
        for line, text, role, target in (data["report"] if with_report else ())
    )
    return Reading(from_dict(data["document"]), report)
