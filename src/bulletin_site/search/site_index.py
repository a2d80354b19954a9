"""The search index of a site: every file it adds beside the pages.

- ``pagefind/``: each edition's parts (``parts``), each a Pagefind bundle with its directory,
  the edition's answers for the commonest words and its word map (``answers``:
  ``{script}/common-…/``, ``{script}/map-…/``);
- ``{edition}/search/data.json``: the edition's parts, its answers and how to fold a query
  (``edition_data``); ``parts.bin`` beside it, the parts' directories.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin_site import cache, project, site
from bulletin_site.config import SiteConfig
from bulletin_site.convert import EDITIONS, Edition
from bulletin_site.errors import BuildError
from bulletin_site.search import answers, parts
from bulletin_site.search.bundle import files_digest
from bulletin_site.search.fold import fold_char, fold_table
from bulletin_site.search.records import Record, aligned_texts, kinds_present
from bulletin_site.search.words import HAN, char_class

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
) -> dict[str, bytes]:
    """The search index as site path → bytes, from every edition's documents (``site.Source``,
    converted). It needs the documents only, not the rendered pages, so the build computes it
    while it renders. ``cache_dir``: the project's cache folder, where the parts' bundles are
    kept from one build to the next (none: every part is indexed)."""
    store = cache.Cache(
        cache_dir or Path(project.CACHE), enabled=cache_dir is not None, stores=[cache.BUNDLES]
    )
    editions = [e for e in EDITIONS if e.code in by_edition]
    per_edition = {
        e.code: parts.edition_parts(by_edition[e.code], e, config, kinds) for e in editions
    }
    all_records = {code: [r for _, recs in ps for r in recs] for code, ps in per_edition.items()}
    table = fold_table(aligned_texts(all_records))
    jobs = [(e, part, recs) for e in editions for part, recs in per_edition[e.code]]
    bundles = parts.build_bundles(store, jobs, kinds.names)
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
        data = edition_data(edition, all_records[edition.code], mine, table, kinds.names)
        data["common"] = {"path": f"{folder}/", "prefixes": prefixes, "words": words}
        data["map"] = {"path": f"{map_folder}/", "from": firsts}
        files[f"{edition.code}/{DATA}"] = _json(data)
        files[f"{edition.code}/{PARTS}"] = answers.directories([b.directory for b in mine])
    store.prune()  # the parts of this build are kept, the others go
    return files


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
    recs: Sequence[Record],
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
    """
    present: set[str] = set()
    for r in recs:
        present.update(*(unicodedata.normalize("NFC", text) for text in (r.title, *r.body)))
    chars = {c for c in present if char_class(c) == HAN}
    folds = {fold_char(c, table) for c in chars}
    return {
        "version": DATA_VERSION,
        "index": index_language(edition),
        "parts": [b.summary() for b in bundles],
        "fold": "".join(k + v for k, v in table.items() if v in folds),
        "chars": "".join(sorted(chars)),
        "years": sorted({r.year for r in recs if r.year}, reverse=True),
        "kinds": kinds_present(recs, kind_names),
        "records": len(recs),
    }
