"""What the browser reads besides Pagefind's index files: each part's *directory*, and the
*answers* for the commonest words, computed when the parts are built (docs/search.md, "Cheap
answers for common terms").

A search for 的 or 澳門 would otherwise read, in every part, every position of every word that
starts with 的 (thousands per part, spread over several index files), only to learn which
records hold it and how often. The answer to that is small and known at build time: for each
record, how often the word (or the character, as a prefix) occurs and whether in the title.

- Each part (``common_units``, cached with the part's bundle): its *common units*, the Chinese
  words (pairs, ``cǂ``) and the Chinese characters (as prefixes: every word starting with
  one) whose positions in the part are at least as many as its records (``is_common``), and
  each one's answer: for every record of the part, in order, ``count × 2 + title``.
- Each edition (``edition_answers``): one file per unit common in any of its parts,
  ``pagefind/{script}/common-{digest}/{n}.bin``, holding the answers of every part where it
  is common (``[part's place in data.json, then its records' values] …``, varints): one
  request for the whole archive. data.json lists the units (``n``: prefixes first, then
  words); a part where a unit is not common is read from its index files.
- The *word map* of each edition (``word_map``): every Chinese key of every part with the
  parts that hold it, in files by key range: a rare term is read only in the parts that can
  hold it (one or two requests, not one per part).
- Each part's *directory* (``directory``): the ranges of Pagefind's index files (``from``/``to``
  of each, in order; the files are named by their place), the filter files, the record count
  and title span; an edition's directories are one file, ``{edition}/search/parts.bin``,
  which the search page asks for at once, beside data.json.

The units are Pagefind's own keys (lower case, NFD without combining marks, as it indexes and
as search.js looks up), so the browser adds up the answers of every form of a query character
(經 and 经) exactly as it would add up their positions; the fold table, which changes with the
whole archive, is not needed, and a part's answers never change while its records do not.
Only Chinese units: a Latin word may be indexed by Pagefind under more than one key (its
compound parts), which the records alone do not say. tests/test_search.py checks every answer
against Pagefind's index files.

The files are gzip of ``SIGNATURE`` + the data, like Pagefind's own (a server that sends them
with ``Content-Encoding: gzip`` hands the browser the signature directly; search.js takes both).
"""

from __future__ import annotations

import bisect
import gzip
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bulletin_site.search.bundle import base36
from bulletin_site.search.fold import is_mark
from bulletin_site.search.words import HAN, char_class

SIGNATURE = b"bulletin_dcd"  # 12 bytes, as Pagefind's "pagefind_dcd"
VERSION = 1
# Keys per file of the word map: about 6 kB of gzip at 1,000 issues.
MAP_KEYS_PER_FILE = 1500


def pagefind_key(word: str) -> str:
    """A word as Pagefind keys it (its fossick/splitting.rs for the words this site gives it:
    every character alphanumeric): lower case, then NFD without combining marks. search.js
    (``indexKey``) does the same to what it looks up."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not is_mark(c))


def written(key: str) -> str:
    """A key as the site writes it: NFC, as all its text (a Hangul key is decomposed);
    search.js keys it again (``indexKey``), which gives ``key`` back."""
    return unicodedata.normalize("NFC", key)


def is_common(locations: int, records: int) -> bool:
    """Whether a unit is answered in advance: at least as many positions as the part has
    records (on average once a record or more). Its answer costs about a byte a record; its
    positions cost more than that, in one index file or, for a character, several."""
    return locations >= max(records, 1)


def packed(data: bytes) -> bytes:
    """``SIGNATURE`` + data, gzip without a time stamp (the same bytes every time)."""
    return gzip.compress(SIGNATURE + data, compresslevel=9, mtime=0)


def unpacked(raw: bytes) -> bytes:
    data = raw if raw.startswith(SIGNATURE) else gzip.decompress(raw)
    if not data.startswith(SIGNATURE):
        raise ValueError("not a packed search file")
    return data[len(SIGNATURE) :]


def varints(values: Sequence[int]) -> bytes:
    out = bytearray()
    for value in values:
        while value >= 0x80:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


def read_varints(data: bytes) -> list[int]:
    values, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            values.append(value)
            value, shift = 0, 0
    return values


# A unit's answer while it is counted: record → [positions, in the title].
Tally = dict[int, list[int]]


def chinese_positions(contents: Sequence[str], span: int) -> tuple[dict[str, Tally], set[str]]:
    """Every Chinese word (Pagefind's key) of the part's records: record → [count, title];
    and the characters they start with. ``contents``: each record's content as given to
    Pagefind (``records.format_content``)."""
    found: dict[str, Tally] = {}
    firsts: set[str] = set()
    for record, content in enumerate(contents):
        for position, word in enumerate(content.split(" ")):
            if char_class(word[0]) != HAN:
                continue
            firsts.add(word[0])
            tally = found.setdefault(pagefind_key(word), {})
            entry = tally.get(record)
            if entry is None:
                tally[record] = [1, int(position < span)]
            else:
                entry[0] += 1
                entry[1] |= position < span
    return found, firsts


@dataclass(frozen=True)
class PartAnswers:
    """A part's common units and their answers (each a list: ``count × 2 + title`` for every
    record of the part, in order), and every Chinese key of the part (for ``word_map``)."""

    prefixes: dict[str, list[int]]
    words: dict[str, list[int]]
    keys: list[str]

    def to_json(self) -> dict[str, object]:
        return {"prefixes": self.prefixes, "words": self.words, "keys": self.keys}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> PartAnswers:
        return cls(dict(value["prefixes"]), dict(value["words"]), list(value["keys"]))


def common_units(contents: Sequence[str], span: int) -> PartAnswers:
    """The part's common prefixes (characters) and words, and their answers."""
    records = len(contents)
    words, firsts = chinese_positions(contents, span)
    keys = sorted(words)  # code point order, as Pagefind sorts its words

    def locations(tally: Tally) -> int:
        return sum(count for count, _ in tally.values())

    def values(tally: Tally) -> list[int]:
        out = [0] * records
        for record, (count, title) in tally.items():
            out[record] = count * 2 + title
        return out

    prefixes: dict[str, list[int]] = {}
    for first in sorted({pagefind_key(c) for c in firsts}):
        # Every key starting with the character's key (what search.js's prefix search reads).
        start = bisect.bisect_left(keys, first)
        union: Tally = {}
        for key in keys[start:]:
            if not key.startswith(first):
                break
            for record, (count, title) in words[key].items():
                entry = union.setdefault(record, [0, 0])
                entry[0] += count
                entry[1] |= title
        if is_common(locations(union), records):
            prefixes[first] = values(union)
    common = {k: values(words[k]) for k in keys if is_common(locations(words[k]), records)}
    return PartAnswers(prefixes, common, keys)


def edition_answers(
    parts: Sequence[PartAnswers],
) -> tuple[list[str], list[str], dict[str, bytes]]:
    """An edition's units (prefixes, words: each common in some part; ``written``) and their
    files (``{n}.bin``, prefixes numbered first): for each part (``parts``, in data.json's
    order) where the unit is common, its place, then its answer."""
    prefixes = sorted({key for part in parts for key in part.prefixes})
    words = sorted({key for part in parts for key in part.words})
    files = {}
    units = [*(("prefixes", k) for k in prefixes), *(("words", k) for k in words)]
    for n, (kind, key) in enumerate(units):
        values: list[int] = []
        for place, part in enumerate(parts):
            answer = getattr(part, kind).get(key)
            if answer is not None:
                values += [place, *answer]
        files[f"{n}.bin"] = packed(varints(values))
    return [written(k) for k in prefixes], [written(k) for k in words], files


def word_map(
    parts: Sequence[PartAnswers], per_file: int = MAP_KEYS_PER_FILE
) -> tuple[list[str], dict[str, bytes]]:
    """An edition's word map: every Chinese key of every part (``parts``, in data.json's order)
    with the places of the parts that hold it, in code point order, ``per_file`` keys a file
    (``{n}.bin``: packed JSON ``[key, [place …], key, …]``); and each file's first key (keys
    ``written``).

    search.js asks it which parts can hold a Chinese term before it reads any part: a term in
    two parts is read in those two, not in all of them."""
    holders: dict[str, list[int]] = {}
    for place, part in enumerate(parts):
        for key in part.keys:
            holders.setdefault(key, []).append(place)
    keys = sorted(holders)
    firsts, files = [], {}
    for n, start in enumerate(range(0, len(keys), per_file)):
        run = keys[start : start + per_file]
        firsts.append(written(run[0]))
        value = [item for key in run for item in (written(key), holders[key])]
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        files[f"{n}.bin"] = packed(text.encode("utf-8"))
    return firsts, files


def directory(
    chunks: Sequence[Sequence[str]], filters: Mapping[str, str], records: int, span: int
) -> dict[str, Any]:
    """A part's directory: what search.js needs to read the part. ``chunks``: Pagefind's index
    files in order, (from, to, name) with the name their place in base 36 (``bundle``)."""
    for n, chunk in enumerate(chunks):
        if chunk[2] != base36(n):
            raise ValueError(f"index file {n} is named {chunk[2]!r}, not by its place")
    return {
        "version": VERSION,
        "records": records,
        "span": span,
        "chunks": [text for chunk in chunks for text in chunk[:2]],
        "filters": dict(sorted(filters.items())),
    }


def directories(parts: Sequence[Mapping[str, Any]]) -> bytes:
    """``{edition}/search/parts.bin``: the directories of an edition's parts, in data.json's
    order (packed JSON)."""
    text = json.dumps(list(parts), ensure_ascii=False, separators=(",", ":"))
    return packed(text.encode("utf-8"))
