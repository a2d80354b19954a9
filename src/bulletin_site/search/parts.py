"""The index in parts: each edition's records in immutable Pagefind bundles, one per
``PART_YEARS`` years (or run of ``PART_DOCUMENTS`` documents within them), built within a memory
budget and kept in the cache under a hash of their records (docs/search.md, "The index in parts").

Pagefind has no incremental mode and holds everything one build sees in memory, so the time
and the memory of an index are bounded only by bounding what one Pagefind build sees. A part
is a contiguous run of the archive's order (newest first): the search page ranks across parts
by (the part's place, the record's place in the part), both read from a result's id.

Layout under ``pagefind/``: ``{script}/{part}-{digest}/`` (``hant/2018-2019-0a1b2c3d4e/``),
one part's Pagefind bundle (without Pagefind's program: search.js reads the index files itself)
named by its content, so that its files never change under an address (a browser may keep
them). Its directory (``answers.directory``) and its answers for its commonest words
(``answers.common_units``) are kept with it in the cache; the site ships them per edition.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bulletin_site import cache, site
from bulletin_site.config import SiteConfig
from bulletin_site.convert import Edition
from bulletin_site.errors import BuildError
from bulletin_site.search import answers
from bulletin_site.search.bundle import (
    PROGRAM_FILES,
    IndexInfo,
    canonical_bundle,
    files_digest,
    record_id,
)
from bulletin_site.search.pagefind import PagefindService, index_files, new_index, pagefind_version
from bulletin_site.search.records import (
    Record,
    format_content,
    kinds_present,
    record_filters,
    records,
    title_span,
)
from bulletin_site.search.words import HAN, char_class

if TYPE_CHECKING:
    from bulletin_site.kinds import Kinds

# A part spans PART_YEARS years, at most PART_DOCUMENTS documents (issues, plans, pages) of
# them: two years of a weekly bulletin. Chosen by measurement at 1,000 issues (docs/search.md,
# "The index in parts"): a first search costs 403 kB with parts of one year (21 per edition),
# 314 kB with two (11), 296 kB with four (7), 288 kB with one index; Pagefind's process holds
# 172, 304, 575 and 2,500 MiB. Two years: the first search about as cheap as one index, the
# memory an eighth.
PART_YEARS = 2
PART_DOCUMENTS = 128
# Pagefind's index files, in word locations (its default: 20,000). A query loads, in every
# part, the file that holds each of its words, and the metadata file listing every index file
# of every part: smaller files cost less of the first, more of the second. 3,000 is the
# cheapest measured with two-year parts.
INDEX_CHUNK_SIZE = 3000
# Pagefind's peak memory per record it indexes (304 MiB for the 1,150 records of two years).
PAGEFIND_BYTES_PER_RECORD = 270_000
# Parts are built two at a time when two fit in this (and in an eighth of the machine's memory).
PAGEFIND_MEMORY_BUDGET = 640 << 20
UNDATED = "undated"


@dataclass(frozen=True)
class Part:
    """A run of documents of one year (or undated), contiguous in the archive's order."""

    name: str  # "2018-2019", "2018-2019-2" (its second run of PART_DOCUMENTS), "undated"
    sources: tuple[site.Source, ...]  # newest first, as the archive lists them


@dataclass(frozen=True)
class PartBundle:
    """One part of one edition's index, as the site ships it."""

    name: str
    folder: str  # under pagefind/: "hant/2019-0a1b2c3d4e"
    files: Mapping[str, bytes]  # path in the folder → bytes
    answers: answers.PartAnswers  # its common units' answers (shipped per edition)
    directory: Mapping[str, Any]  # what search.js needs to read it (shipped per edition)
    span: int  # the part's title span (search.js: each result's title/body boundary)
    records: int
    years: tuple[str, ...]
    kinds: tuple[str, ...]
    chars: str = ""  # the Chinese characters of its records (NFC), sorted (data.json's chars)

    def summary(self) -> dict[str, object]:
        """What data.json says of the part (search.js reads the parts in this order, newest
        first, and skips those without the year or kind a filter asks for)."""
        return {
            "name": self.name,
            "path": f"{self.folder}/",
            "records": self.records,
            "span": self.span,
            "years": list(self.years),
            "kinds": list(self.kinds),
        }


def split_into_parts(
    sources: Sequence[site.Source],
    per_part: int = PART_DOCUMENTS,
    years_per_part: int = PART_YEARS,
) -> list[Part]:
    """The archive's documents (newest first) as parts, newest first: one per period of
    ``years_per_part`` years (starting in a year divisible by it, named by its years), a period
    of more than ``per_part`` documents in runs of ``per_part`` counted from its oldest
    document, the undated ones last (runs likewise). A new issue changes only the newest part,
    and a part's name never changes as documents are added."""
    groups: dict[str, list[site.Source]] = {}
    for source in sources:
        if source.date is None:
            period = UNDATED
        else:
            first = source.date.year - source.date.year % years_per_part
            last = first + years_per_part - 1
            period = str(first) if first == last else f"{first}-{last}"
        groups.setdefault(period, []).append(source)
    parts = []
    for period, members in groups.items():  # newest first, undated last (the archive's order)
        oldest_first = members[::-1]
        runs = [oldest_first[i : i + per_part] for i in range(0, len(oldest_first), per_part)]
        for n, run in reversed(list(enumerate(runs))):
            parts.append(Part(period if n == 0 else f"{period}-{n + 1}", tuple(run[::-1])))
    return parts


# --- building one part --------------------------------------------------------------------------


def build_part(
    script: str, name: str, contents: Sequence[str], recs: Sequence[Record]
) -> tuple[dict[str, bytes], IndexInfo]:
    """Pagefind's bundle of one part (one index, ``script``; ``contents``: each record's
    ``format_content``), canonical (``bundle``), without Pagefind's program files; and what its
    metadata says. Each record's page number is its place in the part (checked: search.js
    names a page's record from it)."""
    with PagefindService(index_chunk_size=INDEX_CHUNK_SIZE) as service:
        index = new_index(service)
        service.send_all(
            {
                "type": "AddRecord",
                "index_id": index,
                "url": record.url,
                "content": content,
                "language": script,
                "meta": {},
                "filters": record_filters(record),
            }
            for record, content in zip(recs, contents, strict=True)
        )
        files = index_files(service, index)
    ranks = {r.url: i for i, r in enumerate(recs)}
    files, infos = canonical_bundle(files, [script], lambda _, url: record_id(name, ranks[url]))
    info = infos[script]
    if info.pages != [record_id(name, i) for i in range(len(recs))]:
        raise BuildError(f"search: Pagefind numbered the records of part {name} out of order")
    for path in PROGRAM_FILES:  # the same in every bundle, and not shipped
        files.pop(path, None)
    return files, info


def _pack(files: Mapping[str, bytes], about: Mapping[str, object]) -> bytes:
    """Files and a JSON description as one cache payload: a JSON line, then the bytes."""
    head = {"about": about, "files": [[path, len(data)] for path, data in files.items()]}
    return json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n" + b"".join(files.values())


def _unpack(payload: bytes) -> tuple[dict[str, bytes], dict[str, Any]]:
    line, _, data = payload.partition(b"\n")
    head = json.loads(line)
    files, at = {}, 0
    for path, length in head["files"]:
        files[path] = data[at : at + length]
        at += length
    if at != len(data):
        raise ValueError("bundle payload cut short")
    return files, head["about"]


# What a part's cache entry says besides its files: enough for data.json and the edition's
# answers, so that a part found in the cache needs neither its records nor Pagefind.
_ABOUT = ("answers", "directory", "span", "records", "years", "kinds", "chars")


def _load(store: cache.Cache, key: str) -> tuple[dict[str, bytes], dict[str, Any]] | None:
    """A part's files and description from the cache; None when missing or damaged (then it
    is reported, like any damaged entry, and computed again)."""
    payload = store.get(cache.BUNDLES, key)
    if payload is None:
        return None
    try:
        files, about = _unpack(payload)
        if not isinstance(about, dict) or not all(name in about for name in _ABOUT):
            raise ValueError("a part's description lacks an entry")
    except (ValueError, KeyError, TypeError):
        store.damaged(cache.BUNDLES, key)
        return None
    store.count(cache.BUNDLES, reused=True)
    return files, about


def _store(
    store: cache.Cache, key: str, files: dict[str, bytes], about: dict[str, Any]
) -> tuple[dict[str, bytes], dict[str, Any]]:
    store.count(cache.BUNDLES, reused=False)
    store.put(cache.BUNDLES, key, _pack(files, about))
    return files, about


@dataclass(frozen=True)
class PartJob:
    """One part of one edition to index: its cache key (``part_key``, ``sources_part_key``)
    and its records, made only if the cache lacks it (``records``: called at most once)."""

    edition: Edition
    part: Part
    key: str
    records: Callable[[], Sequence[Record]]


def part_key(store: cache.Cache, script: str, part: Part, recs: Sequence[Record]) -> str:
    """The cache key of a part's bundle: everything Pagefind is given (the records, the part's
    name and script), Pagefind's version and settings, and the code (``Cache.key``)."""
    inputs = ("records", script, part.name, tuple(recs), INDEX_CHUNK_SIZE, pagefind_version())
    return store.key(cache.BUNDLES, cache.digest(inputs).hex())


def sources_part_key(
    store: cache.Cache,
    edition: Edition,
    part: Part,
    config: SiteConfig,
    kind_names: Sequence[str],
    identities: Mapping[str, str],
) -> str:
    """The cache key of a part's bundle from what its records are made of, without making
    them: each source's digest (``identities``, stem → ``cache.digest`` of the source, made by
    the build, which has them at hand), the edition, the site's configuration and the kinds
    (the built-in ones only: their record makers are this package's code, in every key).
    Pagefind's version and settings and the part's name as in ``part_key``."""
    inputs = (
        "sources",
        edition.code,
        edition.script,
        part.name,
        tuple(identities[s.stem] for s in part.sources),
        config,
        tuple(kind_names),
        INDEX_CHUNK_SIZE,
        pagefind_version(),
    )
    return store.key(cache.BUNDLES, cache.digest(inputs).hex())


def computed_part(
    script: str, name: str, recs: Sequence[Record], kind_names: Sequence[str]
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """A part's bundle (``build_part``) and its description (``_ABOUT``)."""
    span = title_span(recs)
    contents = [format_content(record, span) for record in recs]
    files, info = build_part(script, name, contents, recs)
    return files, {
        "answers": answers.common_units(contents, span).to_json(),
        "directory": answers.directory(info.chunks, info.filters, len(recs), span),
        "span": span,
        "records": len(recs),
        "years": sorted({r.year for r in recs if r.year}, reverse=True),
        "kinds": kinds_present(recs, kind_names),
        "chars": "".join(sorted(record_chars(recs))),
    }


def record_chars(recs: Iterable[Record]) -> set[str]:
    """The Chinese characters of the records' texts, NFC (data.json's ``chars``)."""
    present: set[str] = set()
    for r in recs:
        present.update(*(unicodedata.normalize("NFC", text) for text in (r.title, *r.body)))
    return {c for c in present if char_class(c) == HAN}


def part_bundle(
    store: cache.Cache,
    edition: Edition,
    part: Part,
    recs: Sequence[Record],
    kind_names: Sequence[str],
) -> PartBundle:
    """One part's bundle, with its directory and answers (``answers``), from the cache if its
    records were indexed before."""
    key = part_key(store, edition.script, part, recs)
    found = _load(store, key)
    if found is None:
        found = _store(store, key, *computed_part(edition.script, part.name, recs, kind_names))
    return bundle_of(edition, part, *found)


def bundle_of(
    edition: Edition, part: Part, files: dict[str, bytes], about: Mapping[str, Any]
) -> PartBundle:
    return PartBundle(
        name=part.name,
        folder=f"{edition.script}/{part.name}-{files_digest(files)}",
        files=files,
        answers=answers.PartAnswers.from_json(about["answers"]),
        directory=about["directory"],
        span=int(about["span"]),
        records=int(about["records"]),
        years=tuple(about["years"]),
        kinds=tuple(about["kinds"]),
        chars=str(about["chars"]),
    )


# --- every part, within the memory budget ------------------------------------------------------


def parts_at_once(largest_part: int, memory: int | None) -> int:
    """How many parts to index at the same time: two when two of the largest part's Pagefind
    fit in the budget and in an eighth of the machine's memory (``memory``, bytes; None:
    unknown, so one)."""
    need = 2 * largest_part * PAGEFIND_BYTES_PER_RECORD
    if memory is None or need > min(PAGEFIND_MEMORY_BUDGET, memory // 8):
        return 1
    return 2


def machine_memory() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not on this system
        return None


def edition_parts(
    sources: Sequence[site.Source], edition: Edition, config: SiteConfig, kinds: Kinds
) -> list[tuple[Part, list[Record]]]:
    """An edition's parts, newest first, each with its records."""
    return [(p, records(p.sources, edition, config, kinds)) for p in split_into_parts(sources)]


def build_bundles(
    store: cache.Cache, jobs: Iterable[PartJob], kind_names: Sequence[str]
) -> list[PartBundle]:
    """Every part's bundle, in the order of ``jobs``: from the cache, or indexed (the parts
    the cache lacks, one or two at a time: ``parts_at_once``)."""
    todo = list(jobs)
    found = {i: _load(store, job.key) for i, job in enumerate(todo)}
    missing = [i for i, entry in found.items() if entry is None]
    made = {i: todo[i].records() for i in missing}
    largest = max((len(recs) for recs in made.values()), default=0)

    def index(i: int) -> tuple[dict[str, bytes], dict[str, Any]]:
        job = todo[i]
        computed = computed_part(job.edition.script, job.part.name, made[i], kind_names)
        return _store(store, job.key, *computed)

    if parts_at_once(largest, machine_memory()) == 1 or len(missing) < 2:
        found.update({i: index(i) for i in missing})
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            found.update(zip(missing, pool.map(index, missing), strict=True))
    return [bundle_of(job.edition, job.part, *found[i]) for i, job in enumerate(todo)]
