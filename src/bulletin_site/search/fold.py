"""Folding: the text and the query compared the same way (docs/search.md, "What a query finds").

NFC, Traditional → Simplified and variant forms (衞/衛) character by character, full-width →
half-width, Latin in lower case without accents. The Chinese part is a table (``fold_table``)
that the browser gets in ``data.json``; the rest is rule, in ``fold_char`` here and
``foldChar`` in search.js.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Mapping

from bulletin_site.chars import IDEOGRAPH_BLOCKS
from bulletin_site.errors import BuildError
from bulletin_site.search.words import HAN, RESERVED, char_class, half_width


def fold_char(char: str, table: Mapping[str, str]) -> str:
    """One character as search compares it. Always one character: folding keeps offsets.

    ``table`` holds the Chinese characters (Traditional → Simplified, variants); the rest is
    rule: full-width → half-width, accents dropped where one letter remains, lower case.
    """
    if char in RESERVED:
        return " "
    mapped = table.get(char)
    if mapped is not None:
        return mapped
    char = half_width(char)
    if char.isascii():
        return char.lower()
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not is_mark(c))
    if len(bare) == 1:
        char = bare
    lower = char.lower()
    return lower if len(lower) == 1 else char


def is_mark(char: str) -> bool:
    """A combining mark (category M), as /\\p{M}/u in search.js and in Pagefind's query."""
    return unicodedata.category(char).startswith("M")


def fold(text: str, table: Mapping[str, str]) -> str:
    """The text as search compares it: NFC, then ``fold_char`` on every character."""
    return "".join(fold_char(c, table) for c in unicodedata.normalize("NFC", text))


def _opencc_tables() -> list[dict[str, str]]:
    """OpenCC's character-level Traditional → Simplified maps (tw2s, hk2s, t2s), every
    ideograph at once (one per line, so no phrase applies)."""
    import opencc

    chars = [chr(c) for start, end in IDEOGRAPH_BLOCKS for c in range(start, end + 1)]
    column = "\n".join(chars)
    tables = []
    for config in ("tw2s", "hk2s", "t2s"):
        converted = opencc.OpenCC(config).convert(column).split("\n")
        if len(converted) != len(chars):
            raise BuildError(f"OpenCC {config}: unexpected output while building the search table")
        tables.append(
            {c: o for c, o in zip(chars, converted, strict=True) if o != c and len(o) == 1}
        )
    return tables


@functools.cache
def _opencc_classes() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    """The classes OpenCC's tables make (``_Classes.parent``), their Simplified members and
    their Traditional ones. The same for every build with this OpenCC, so computed once per
    process (``serve`` rebuilds without paying for it again)."""
    classes = _Classes()
    simplified: set[str] = set()
    traditional: set[str] = set()
    for table in _opencc_tables():
        traditional.update(table)
        for trad, simp in table.items():
            classes.union(trad, simp)
            simplified.add(simp)
    return classes.parent, frozenset(simplified), frozenset(traditional)


class _Classes:
    """Union-find over characters: two characters in one class match each other."""

    def __init__(self, parent: Mapping[str, str] | None = None) -> None:
        self.parent: dict[str, str] = dict(parent or {})

    def find(self, char: str) -> str:
        root = char
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while char != root:  # path compression
            char, self.parent[char] = self.parent[char], root
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller code point leads, so the outcome does not depend on the order of calls.
            low, high = sorted((ra, rb))
            self.parent[high] = low


def fold_table(aligned: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The Chinese part of ``fold``: character → the character it is compared as.

    Classes of characters that match each other: OpenCC's Traditional → Simplified pairs
    (character level, tw2s + hk2s + t2s), joined with the pairs of characters the two editions
    print at the same place (``aligned``: (Traditional text, Simplified text) of the same
    paragraph; pairs of unequal length are skipped). The second source makes the editions
    agree where conversion works by phrase: 瞭解 (繁) is 了解 (简), so 瞭 matches 了. Each class
    is represented by its Simplified member (or the lowest code point). Only classes that
    contain a character of the texts are kept.
    """
    return table_of(*fold_inputs(aligned))


def fold_inputs(aligned: Iterable[tuple[str, str]]) -> tuple[set[str], set[tuple[str, str]]]:
    """What ``fold_table`` takes from the texts: the Chinese characters present, and the
    distinct pairs of different Chinese characters printed at the same place. Both are sets,
    so the texts can be taken apart (the index's parts, each kept with its own) and the
    unions give the same table as the whole."""
    present: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for hant, hans in aligned:
        hant, hans = unicodedata.normalize("NFC", hant), unicodedata.normalize("NFC", hans)
        present.update(hant, hans)
        if len(hant) == len(hans) and hant != hans:
            pairs.update(zip(hant, hans, strict=True))
    chars = {c for c in present if char_class(c) == HAN}
    return chars, {(a, b) for a, b in pairs if a != b and a in chars and b in chars}


def table_of(chars: Iterable[str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``fold_table`` of the texts whose ``fold_inputs`` are ``chars`` and ``pairs``."""
    opencc_parent, opencc_simplified, traditional = _opencc_classes()
    classes = _Classes(opencc_parent)
    simplified = set(opencc_simplified)
    # Each pair once (an archive prints the same few thousand pairs millions of times), in a
    # fixed order; the classes do not depend on it (a class's root is its lowest code point).
    for a, b in sorted(set(pairs)):
        classes.union(a, b)
        simplified.add(b)
    seen = set(chars)
    members: dict[str, list[str]] = {}
    for char in sorted(set(classes.parent) | seen):
        members.setdefault(classes.find(char), []).append(char)
    table: dict[str, str] = {}
    for group in members.values():
        if not any(c in seen for c in group):
            continue
        lead = next((c for c in group if c in simplified and c not in traditional), None)
        lead = lead or next((c for c in group if c in simplified), group[0])
        for c in group:
            if c != lead:
                table[c] = lead
    return dict(sorted(table.items()))
