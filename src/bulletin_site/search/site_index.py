"""The search index of a site: every file it adds beside the pages.

- ``pagefind/``: each edition's parts (``parts``), each a Pagefind bundle with its directory,
  the edition's answers for the commonest words and its word map (``answers``:
  ``{script}/common-…/``, ``{script}/map-…/``);
- ``{edition}/search/data.json``: the edition's parts, its answers and how to fold a query
  (``edition_data``); ``parts.bin`` beside it, the parts' directories.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin_site import cache, project, site
from bulletin_site.config import SiteConfig
from bulletin_site.convert import EDITIONS, Edition
from bulletin_site.errors import BuildError
from bulletin_site.search import answers, parts
from bulletin_site.search.bundle import files_digest
from bulletin_site.search.fold import fold_char, fold_inputs, table_of
from bulletin_site.search.records import aligned_texts, records

if TYPE_CHECKING:
    from bulletin_site.kinds import Kinds

BUNDLE = "pagefind"  # site path of the index: every part under it
DATA = "search/data.json"  # per edition, beside its search page (see ``edition_data``)
PARTS = "search/parts.bin"  # per edition: its parts' directories (``answers.directories``)
DATA_VERSION = 3


def index_language(edition: Edition) -> str:
    """The name of an edition's indexes: its script, ``hant`` or ``hans``.

    Not the page language (zh-Hant): Pagefind's own search cuts queries for zh, ja and th into
    dictionary words, which would cut the pairs apart (search.js reads the index itself, but
    a part stays an index Pagefind's own search could open)."""
    return edition.script


def index_files(
    by_edition: Mapping[str, Sequence[site.Source]],
    config: SiteConfig,
    kinds: Kinds,
    cache_dir: Path | None = None,
    *,
    identities: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, bytes]:
    """The search index as site path → bytes, from every edition's documents (``site.Source``,
    converted). It needs the documents only, not the rendered pages, so the build computes it
    while it renders. ``cache_dir``: the project's cache folder, where the parts' bundles are
    kept from one build to the next (none: every part is indexed). ``identities``: edition
    code → stem → the source's ``cache.digest``, for the built-in kinds only: a part is then
    looked up in the cache by its sources, and its records are made only if it is missing
    (without them, every record is made and hashed to look a part up)."""
    store = cache.Cache(
        cache_dir or Path(project.CACHE), enabled=cache_dir is not None, stores=[cache.BUNDLES]
    )
    editions = [e for e in EDITIONS if e.code in by_edition]
    jobs = [
        _job(store, e, part, config, kinds, identities)
        for e in editions
        for part in parts.split_into_parts(by_edition[e.code])
    ]
    bundles = parts.build_bundles(store, jobs, kinds.names)
    table = fold_table_of(store, jobs)
    files = {}
    for bundle in bundles:
        for path, data in bundle.files.items():
            files[f"{BUNDLE}/{bundle.folder}/{path}"] = data
    for edition in editions:
        mine = [b for b in bundles if b.folder.startswith(f"{index_language(edition)}/")]
        prefixes, words, common = answers.edition_answers([b.answers for b in mine])
        folder = f"{index_language(edition)}/common-{files_digest(common)}"
        for path, data in common.items():
            files[f"{BUNDLE}/{folder}/{path}"] = data
        firsts, mapped = answers.word_map([b.answers for b in mine])
        map_folder = f"{index_language(edition)}/map-{files_digest(mapped)}"
        for path, data in mapped.items():
            files[f"{BUNDLE}/{map_folder}/{path}"] = data
        data = edition_data(edition, mine, table, kinds.names)
        data["common"] = {"path": f"{folder}/", "prefixes": prefixes, "words": words}
        data["map"] = {"path": f"{map_folder}/", "from": firsts}
        files[f"{edition.code}/{DATA}"] = _json(data)
        files[f"{edition.code}/{PARTS}"] = answers.directories([b.directory for b in mine])
    store.prune()  # the parts of this build are kept, the others go
    return files


def _job(
    store: cache.Cache,
    edition: Edition,
    part: parts.Part,
    config: SiteConfig,
    kinds: Kinds,
    identities: Mapping[str, Mapping[str, str]] | None,
) -> parts.PartJob:
    """A part to index, keyed by its sources when their digests are known, else by its
    records; its records made once, when first asked for."""
    made = functools.cache(lambda: records(part.sources, edition, config, kinds))
    if identities is not None:
        key = parts.sources_part_key(
            store, edition, part, config, kinds.names, identities[edition.code]
        )
    else:
        key = parts.part_key(store, edition.script, part, made())
    return parts.PartJob(edition, part, key, made)


def fold_table_of(store: cache.Cache, jobs: Sequence[parts.PartJob]) -> dict[str, str]:
    """``fold_table`` of every record, from each part's ``fold_inputs`` (kept in the cache
    under the keys of the part in each edition): the table changes with the whole archive,
    what a part contributes only with the part. A part holds the same documents in each
    edition (parts are cut by date and order, which conversion keeps), so the records the
    table aligns are always in the same part."""
    by_name: dict[str, list[parts.PartJob]] = {}
    for job in jobs:
        by_name.setdefault(job.part.name, []).append(job)
    chars: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for same in by_name.values():
        key = store.key(cache.BUNDLES, "fold", *(job.key for job in same))
        found = _load_fold(store, key)
        if found is None:
            per_edition = {job.edition.code: job.records() for job in same}
            found = fold_inputs(aligned_texts(per_edition))
            store.count(cache.BUNDLES, reused=False)
            store.put(cache.BUNDLES, key, _fold_payload(*found))
        chars.update(found[0])
        pairs.update(found[1])
    return table_of(chars, pairs)


def _fold_payload(chars: set[str], pairs: set[tuple[str, str]]) -> bytes:
    """A part's ``fold_inputs`` as a cache entry: its characters, then its pairs, sorted."""
    return _json(
        {"chars": "".join(sorted(chars)), "pairs": "".join(a + b for a, b in sorted(pairs))}
    )


def _load_fold(store: cache.Cache, key: str) -> tuple[set[str], set[tuple[str, str]]] | None:
    payload = store.get(cache.BUNDLES, key)
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        chars, joined = data["chars"], data["pairs"]
        if not isinstance(chars, str) or not isinstance(joined, str) or len(joined) % 2:
            raise ValueError("not a part's fold inputs")
    except (ValueError, KeyError, TypeError):
        store.damaged(cache.BUNDLES, key)
        return None
    store.count(cache.BUNDLES, reused=True)
    return set(chars), {(joined[i], joined[i + 1]) for i in range(0, len(joined), 2)}


def write_files(files: Mapping[str, bytes], site_dir: Path) -> None:
    """The index's files into the (staged) site folder, beside the pages."""
    for path in sorted(files):
        target = site_dir / path
        if target.exists():
            raise BuildError("written by both the search index and the pages", at=path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[path])


def write_index(
    by_edition: Mapping[str, Sequence[site.Source]],
    site_dir: Path,
    config: SiteConfig,
    kinds: Kinds,
    cache_dir: Path | None = None,
) -> None:
    """``index_files`` written into ``site_dir``."""
    write_files(index_files(by_edition, config, kinds, cache_dir), site_dir)


def _json(value: object) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # The site never carries a compatibility ideograph as such (they break copy and search);
    # the fold table still maps them, written as JSON escapes.
    return re.sub("[\uf900-\ufaff]", lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


def edition_data(
    edition: Edition,
    bundles: Sequence[parts.PartBundle],
    table: Mapping[str, str],
    kind_names: Sequence[str],
) -> dict[str, object]:
    """``{edition}/search/data.json``: the edition's parts and how to fold a query.

    - ``index``: the edition's index name (every part's);
    - ``parts``: newest first, each part's folder under ``pagefind/``, title span, number of
      records, years and kinds (``parts.PartBundle.summary``); search.js reads the rest of a
      part from its directory (``answers.directory``, in parts.bin);
    - ``common`` (added by ``index_files``): the folder of the edition's answers and their
      units, prefixes then words (``answers.edition_answers``);
    - ``map`` (likewise): the folder of the edition's word map and each file's first key
      (``answers.word_map``);
    - ``fold``: the Chinese part of ``fold`` as pairs of characters (經经…), for every character
      that folds to one this edition holds;
    - ``chars``: every Chinese character of the edition (a query character is looked up as
      each of them that folds to the same);
    - ``years``, ``kinds``: the filters' values; ``records``: how many there are.

    All of it from the parts' summaries (``parts.PartBundle``), not the records: a part from
    the cache is not made again.
    """
    chars = {c for b in bundles for c in b.chars}
    folds = {fold_char(c, table) for c in chars}
    kinds = {k for b in bundles for k in b.kinds}
    return {
        "version": DATA_VERSION,
        "index": index_language(edition),
        "parts": [b.summary() for b in bundles],
        "fold": "".join(k + v for k, v in table.items() if v in folds),
        "chars": "".join(sorted(chars)),
        "years": sorted({y for b in bundles for y in b.years}, reverse=True),
        "kinds": [name for name in kind_names if name in kinds],
        "records": sum(b.records for b in bundles),
    }
