"""What a Chinese character is, defined once for every module (and, for search, the browser).

Two sets, for two questions:

- ``IDEOGRAPH_BLOCKS``: the CJK ideographs, the characters that have a Traditional and a
  Simplified form and that make a word by pairs. The reader pairs them (``clean.bigrams``), the
  converter rejoins lines wrapped between two of them and asks OpenCC about them, the search's
  fold table is built over them.
- ``SEARCH_TOKEN_RANGES``: the blocks whose letters and digits search takes one at a time (a
  token per character, as scripts written without spaces need): the ideographs above and the
  rest of the CJK blocks (radicals, 〇, kana, bopomofo, hangul, half-width katakana).
  ``templates/assets/search.js`` has a copy (``HAN_RANGES``); ``tests/test_search_chars.py``
  holds the two to each other, code point by code point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Assigned blocks only, so that a table built by enumerating them holds no unassigned points.
IDEOGRAPH_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # the unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs (NFC maps most to unified ones)
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2EBEF),  # Extensions C to F
    (0x30000, 0x3134F),  # Extension G
)

SEARCH_TOKEN_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0xA4CF),  # radicals, CJK punctuation's letters (〇), kana, bopomofo, ext. A, URO, Yi
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width katakana
    (0x20000, 0x3FFFF),  # the supplementary ideographic planes
)


def regex_class(ranges: Sequence[tuple[int, int]]) -> str:
    """The ranges as the inside of a regular-expression class: ``\\u3400-\\u4dbf…``."""
    return "".join(f"{chr(low)}-{chr(high)}" for low, high in ranges)


def in_ranges(char: str, ranges: Sequence[tuple[int, int]]) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


IDEOGRAPHS = regex_class(IDEOGRAPH_BLOCKS)
SEARCH_TOKENS = regex_class(SEARCH_TOKEN_RANGES)
_IDEOGRAPH = re.compile(f"[{IDEOGRAPHS}]")


def is_ideograph(char: str) -> bool:
    """A CJK ideograph (``IDEOGRAPH_BLOCKS``). One regular expression: the reader asks this of
    the ends of every line."""
    return _IDEOGRAPH.fullmatch(char) is not None
