"""Pagefind's output as the site ships it: record ids, determinism, and what its metadata
says (``IndexInfo``: the index files' ranges, the filter files), which each part's directory
gives the browser (``answers``).

Two rewrites of Pagefind's output, neither of which changes what it indexed:

- Names. Pagefind names each record (its fragment file, and its entry in the metadata
  file) by a hash such as ``hant_2dad726``. The site names it by its part and its place in the
  part (``record_id``: ``2019_0``, ``2019_1``, … ``2019_fz``), newest first, which is also its
  page number in the index: the browser, which finds page numbers in the index files, knows
  the record's rank and its fragment's name without any list. Word counts, which only feed
  Pagefind's own scores, are set to 1. Index files are named by their place in the index
  (``0``, ``1``, …), not by a hash, so a part's directory lists only their ranges.
- Determinism. Pagefind 1.5 writes the values of a filter in hash-map order, which changes
  from run to run (its issue #638: fragments are stable, "filter/metadata indexes" are not),
  and lists its indexes in hash-map order too. Filter files are rewritten with their values
  sorted and named by their content; the metadata file, which lists them, and the entry file,
  which names it, follow.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bulletin_site.errors import BuildError

# Pagefind's program, the same in every bundle it writes. The site does not ship it: search.js
# reads the index files itself (docs/search.md, "Why search.js reads the index itself").
PROGRAM_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind")
ENTRY = "pagefind-entry.json"
_SIGNATURE = b"pagefind_dcd"
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    out = ""
    while True:
        n, digit = divmod(n, 36)
        out = _BASE36[digit] + out
        if not n:
            return out


def files_digest(files: Mapping[str, bytes]) -> str:
    """10 hex digits naming a folder of files by its content (paths, sizes, bytes)."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(f"{path}\0{len(files[path])}\0".encode())
        digest.update(files[path])
    return digest.hexdigest()[:10]


def record_id(part: str, rank: int) -> str:
    """``2019_0``, ``2019_1``, … ``2019_a``: the part's name, then the record's place in the
    part in base 36; also its page number in the part's index (``parts.build_part`` checks),
    so search.js names the fragment of a page it found (``fragmentPath``)."""
    return f"{part}_{base36(rank)}"


@dataclass(frozen=True)
class IndexInfo:
    """What a bundle's metadata file says of one index (search.js reads the same from the
    part's directory, ``answers.directory``)."""

    pages: list[str]  # the records' ids, in Pagefind's page order (the page numbers)
    chunks: list[list[str]]  # its index files, in order: [from, to, name]
    filters: dict[str, str]  # filter name → its file (filter/<file>.pf_filter)


def canonical_bundle(
    files: Mapping[str, bytes],
    languages: Sequence[str],
    name: Callable[[str, str], str],
) -> tuple[dict[str, bytes], dict[str, IndexInfo]]:
    """The bundle with records named by ``name(language, url)``, word counts of 1, and filter,
    metadata and entry files independent of the run (``languages``: the indexes in the order
    the entry file lists them); and what each index's metadata says (``IndexInfo``)."""
    out = dict(files)
    entry = json.loads(out[ENTRY])
    entry["languages"] = {language: entry["languages"][language] for language in languages}
    infos: dict[str, IndexInfo] = {}
    for language, info in entry["languages"].items():
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        meta = read_pf(out.pop(meta_name), meta_name)
        pages = []
        for page, _word_count in meta[1]:
            fragment = out.pop(f"fragment/{page}.pf_fragment")
            url = json.loads(gzip.decompress(fragment)[len(_SIGNATURE) :])["url"]
            page = name(language, url)
            out[f"fragment/{page}.pf_fragment"] = fragment
            pages.append([page, 1])
        meta[1] = pages
        filters = []
        for filter_name, chunk in meta[3]:
            path = f"filter/{chunk}.pf_filter"
            name_in_file, values = read_pf(out.pop(path), path)
            values = sorted([value, sorted(pages)] for value, pages in values)
            data = pf_bytes([name_in_file, values])
            chunk = f"{language}_{_digest(data, 7)}"
            out[f"filter/{chunk}.pf_filter"] = data
            filters.append([filter_name, chunk])
        meta[3] = sorted(filters)
        # Index files named by their place (0, 1, … z, 10 …) instead of a 12-character hash:
        # every search loads the metadata file that lists them, in every part.
        prefix = "" if len(languages) == 1 else language
        for i, chunk in enumerate(meta[2]):
            data = out.pop(f"index/{chunk[2]}.pf_index")
            chunk[2] = f"{prefix}{base36(i)}"
            out[f"index/{chunk[2]}.pf_index"] = data
        infos[language] = IndexInfo(
            [page for page, _ in pages], meta[2], {f: chunk for f, chunk in meta[3]}
        )
        data = pf_bytes(meta)
        info["hash"] = f"{language}_{_digest(data, 15)}"
        out[f"pagefind.{info['hash']}.pf_meta"] = data
    out[ENTRY] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return out, infos


def read_pf(raw: bytes, name: str) -> Any:
    """A Pagefind metadata, index or filter file (gzip, signature, CBOR) as a value."""
    data = gzip.decompress(raw)
    if not data.startswith(_SIGNATURE):
        raise BuildError(f"search: {name}: not a Pagefind file")
    value, end = _cbor_decode(data, len(_SIGNATURE))
    if end != len(data):
        raise BuildError(f"search: {name}: trailing bytes")
    return value


def pf_bytes(value: Any) -> bytes:
    """``read_pf``'s inverse, the same bytes every time (gzip without a time stamp)."""
    out = bytearray(_SIGNATURE)
    _cbor_encode(value, out)
    return gzip.compress(bytes(out), compresslevel=9, mtime=0)


def _digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def _cbor_head(major: int, n: int, out: bytearray) -> None:
    if n < 24:
        out.append(major << 5 | n)
    elif n < 1 << 8:
        out += bytes((major << 5 | 24, n))
    elif n < 1 << 16:
        out.append(major << 5 | 25)
        out += n.to_bytes(2, "big")
    elif n < 1 << 32:
        out.append(major << 5 | 26)
        out += n.to_bytes(4, "big")
    else:
        out.append(major << 5 | 27)
        out += n.to_bytes(8, "big")


def _cbor_encode(value: Any, out: bytearray) -> None:
    """The CBOR subset Pagefind's metadata and filter files use (definite lengths)."""
    if value is True or value is False:
        out.append(0xF5 if value else 0xF4)
    elif value is None:
        out.append(0xF6)
    elif isinstance(value, int):
        if value >= 0:
            _cbor_head(0, value, out)
        else:
            _cbor_head(1, -1 - value, out)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _cbor_head(3, len(data), out)
        out += data
    elif isinstance(value, bytes):
        _cbor_head(2, len(value), out)
        out += value
    elif isinstance(value, list):
        _cbor_head(4, len(value), out)
        for item in value:
            _cbor_encode(item, out)
    elif isinstance(value, dict):
        _cbor_head(5, len(value), out)
        for key, item in value.items():
            _cbor_encode(key, out)
            _cbor_encode(item, out)
    elif isinstance(value, float):
        out.append(0xFB)
        out += struct.pack(">d", value)
    else:
        raise TypeError(f"cannot encode {type(value).__name__}")


def _cbor_decode(data: bytes, i: int) -> tuple[Any, int]:
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], i
        if info == 25:
            return struct.unpack(">e", data[i : i + 2])[0], i + 2
        if info == 26:
            return struct.unpack(">f", data[i : i + 4])[0], i + 4
        if info == 27:
            return struct.unpack(">d", data[i : i + 8])[0], i + 8
        raise BuildError(f"search: unexpected CBOR simple value {info}")
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise BuildError("search: indefinite CBOR lengths are not expected")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major == 2:
        return data[i : i + n], i + n
    if major == 3:
        return data[i : i + n].decode("utf-8"), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    if major == 5:
        mapping = {}
        for _ in range(n):
            key, i = _cbor_decode(data, i)
            mapping[key], i = _cbor_decode(data, i)
        return mapping, i
    raise BuildError(f"search: unexpected CBOR type {major}")
