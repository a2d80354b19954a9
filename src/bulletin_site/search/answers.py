"""What the browser reads of a part besides Pagefind's index files: the part's *directory*
and the *answers* for its commonest words, computed when the part is built (docs/search.md,
"Cheap answers for common terms").

A search for 的 or 澳門 would otherwise read, in every part, every position of every word that
starts with 的 (thousands per part, spread over several index files), only to learn which
records hold it and how often. The answer to that is small and known at build time: for each
record of the part, how often the word (or the character, as a prefix) occurs and whether in
the title. So, per part:

- ``directory.bin``: the ranges of Pagefind's index files (``from``/``to`` of each, in order;
  the files are named by their place), the filter files, the record count and title span, and
  the *common units*: the Chinese words (pairs, ``cǂ``) and the Chinese characters (as
  prefixes: every word starting with one) whose positions in the part are at least as many as
  its records (``is_common``);
- ``common/<n>.bin``: the answer for the directory's n-th unit (prefixes first, then words):
  for every record of the part, in order, ``count × 2 + title`` as a varint (0: not there).

The units are Pagefind's own keys (lower case, NFD without combining marks, as it indexes and
as search.js looks up), so the browser adds up the answers of every form of a query character
(經 and 经) exactly as it would add up their positions; the fold table, which changes with the
whole archive, is not needed here, and a part's answers never change while its records do not.
Only Chinese units: a Latin word may be indexed by Pagefind under more than one key (its
compound parts), which the records alone do not say. tests/test_search.py checks every answer
against Pagefind's index files.

Both files are gzip of ``SIGNATURE`` + the data, like Pagefind's own (a server that sends them
with ``Content-Encoding: gzip`` hands the browser the signature directly; search.js takes both).
"""

from __future__ import annotations

import bisect
import gzip
import json
import unicodedata
from collections.abc import Mapping, Sequence

from bulletin_site.search.bundle import base36
from bulletin_site.search.fold import is_mark
from bulletin_site.search.words import HAN, char_class

SIGNATURE = b"bulletin_dcd"  # 12 bytes, as Pagefind's "pagefind_dcd"
DIRECTORY = "directory.bin"
COMMON = "common"  # folder of the answers: common/0.bin, common/1.bin, …
VERSION = 1


def pagefind_key(word: str) -> str:
    """A word as Pagefind keys it (its fossick/splitting.rs for the words this site gives it:
    every character alphanumeric): lower case, then NFD without combining marks. search.js
    (``indexKey``) does the same to what it looks up."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not is_mark(c))


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


def common_units(
    contents: Sequence[str], span: int
) -> tuple[list[str], list[str], dict[str, bytes]]:
    """The part's common prefixes (characters) and words, and their answer files
    (``common/<n>.bin``, prefixes numbered first)."""
    records = len(contents)
    words, firsts = chinese_positions(contents, span)
    keys = sorted(words)  # code point order, as Pagefind sorts its words

    def locations(tally: Tally) -> int:
        return sum(count for count, _ in tally.values())

    prefixes: dict[str, Tally] = {}
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
            prefixes[first] = union
    common_words = {k: t for k, t in words.items() if is_common(locations(t), records)}
    files = {}
    units = [*prefixes.values(), *(common_words[k] for k in sorted(common_words))]
    for n, tally in enumerate(units):
        values = [0] * records
        for record, (count, title) in tally.items():
            values[record] = count * 2 + title
        files[f"{COMMON}/{n}.bin"] = packed(varints(values))
    return list(prefixes), sorted(common_words), files


def directory(
    chunks: Sequence[Sequence[str]],
    filters: Mapping[str, str],
    records: int,
    span: int,
    prefixes: Sequence[str],
    words: Sequence[str],
) -> bytes:
    """``directory.bin``: what search.js needs to read the part. ``chunks``: Pagefind's index
    files in order, (from, to, name) with the name their place in base 36 (``bundle``)."""
    for n, chunk in enumerate(chunks):
        if chunk[2] != base36(n):
            raise ValueError(f"index file {n} is named {chunk[2]!r}, not by its place")
    value = {
        "version": VERSION,
        "records": records,
        "span": span,
        "chunks": [text for chunk in chunks for text in chunk[:2]],
        "filters": dict(sorted(filters.items())),
        "prefixes": list(prefixes),
        "words": list(words),
    }
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return packed(text.encode("utf-8"))
