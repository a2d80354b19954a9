"""Text as Pagefind words: one word per character position (docs/search.md, "How").

- a Chinese character (ideograph, kana, hangul: ``chars.SEARCH_TOKEN_RANGES``) as the *pair*
  it starts: ``經濟 濟局 局ǂ``; the last character of a run is followed by ``WORD_END`` (ǂ);
- a run of Latin letters and digits (full-width folded to half-width) followed by ǂ:
  ``CEPAǂ``, ``2019ǂ``; no Latin word is a prefix of another, so ``cepaǂ`` finds CEPA, not CEPAL;
- a run of anything else (punctuation, spaces) as one word Pagefind counts but does not index:
  spaces written ``SPACE`` (␣), paragraph breaks ``BREAK`` (␤).

``tokenize`` and ``tokens_to_words`` say it plainly, one character at a time (search.js has the
same ``tokenize``); ``text_to_words`` is the same rule a run at a time, for the build.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bulletin_site.chars import SEARCH_TOKEN_RANGES, SEARCH_TOKENS, in_ranges

WORD_END = "\u01c2"  # ǂ ends every Latin word and the last character of a Chinese run
SPACE = "\u2423"  # ␣ stands for white space in a separator word
BREAK = "\u2424"  # ␤ a paragraph break; also pads the title to the title span
RESERVED = frozenset({WORD_END, SPACE, BREAK})

HAN, WORD, SEP = "han", "word", "sep"


@functools.cache
def char_class(char: str) -> str:
    """HAN (a token by itself), WORD (runs of them are one token) or SEP (not indexed).

    Letters and digits of the CJK blocks (``chars.SEARCH_TOKEN_RANGES``) are HAN; other letters
    and digits are WORD; everything else, and the reserved marks, is SEP. search.js has the
    same function (``charClass``)."""
    if char in RESERVED or unicodedata.category(char)[0] not in "LN":
        return SEP
    return HAN if in_ranges(char, SEARCH_TOKEN_RANGES) else WORD


def half_width(char: str) -> str:
    """Full-width ASCII (Ａ, ２, ＠) as ASCII."""
    code = ord(char)
    return chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else char


@dataclass(frozen=True)
class Token:
    kind: str  # HAN, WORD or SEP
    text: str  # as displayed (WORD: full-width folded to half-width; SEP: no reserved marks)


# ``char_class`` as regular expressions (the build runs them over every text of the archive):
# [^\W_] is a letter or digit (Unicode categories L and N), as in ``char_class``.
_RESERVED = "".join(sorted(RESERVED))
_HAN = f"(?![{_RESERVED}])(?=[^\\W_])[{SEARCH_TOKENS}]"
_WORD = f"(?:(?![{_RESERVED}{SEARCH_TOKENS}])[^\\W_])+"
_SEP = f"(?:[{_RESERVED}]|[\\W_])+"
_TOKENS = re.compile(f"(?P<han>{_HAN})|(?P<word>{_WORD})|(?P<sep>{_SEP})")
_RUNS = re.compile(f"(?P<han>(?:{_HAN})+)|(?P<word>{_WORD})|(?P<sep>{_SEP})")
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


def tokenize(text: str) -> list[Token]:
    """The text as tokens: one per HAN character, one per run of WORD or of SEP characters."""
    tokens = []
    for match in _TOKENS.finditer(unicodedata.normalize("NFC", text)):
        kind = match.lastgroup
        piece = match.group()
        if kind == WORD:
            piece = "".join(map(half_width, piece))
        elif kind == SEP:  # the marks the content uses never come from the text
            piece = "".join(" " if c in RESERVED else c for c in piece)
        tokens.append(Token(kind, piece))  # type: ignore[arg-type]
    return tokens


def join_segments(segments: Iterable[str]) -> list[Token]:
    """Paragraphs as one token list: a BREAK between two, merged into the separator tokens
    around it, so that a paragraph boundary is always exactly one SEP token."""
    out: list[Token] = []
    for segment in segments:
        tokens = tokenize(segment)
        if not tokens:
            continue
        if out:
            glue = BREAK
            if out[-1].kind == SEP:
                glue = out.pop().text + glue
            if tokens[0].kind == SEP:
                glue += tokens.pop(0).text
            out.append(Token(SEP, glue))
        out.extend(tokens)
    return out


def tokens_to_words(tokens: Sequence[Token]) -> list[str]:
    """The tokens as Pagefind words, one per position (never empty, no white space)."""
    out = []
    for i, token in enumerate(tokens):
        if token.kind == HAN:
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            pair = following is not None and following.kind == HAN
            out.append(token.text + (following.text if pair else WORD_END))  # type: ignore[union-attr]
        elif token.kind == WORD:
            out.append(token.text + WORD_END)
        else:  # the text of a SEP token has no reserved mark but the BREAK between paragraphs
            out.append("".join(SPACE if c.isspace() or c == "\u200b" else c for c in token.text))
    return out


def text_to_words(segments: Iterable[str]) -> list[str]:
    """``tokens_to_words(join_segments(segments))``, fast: whole runs at a time, not character
    by character (the index of a 1,000-issue archive has 20 million characters)."""
    out: list[str] = []
    last_sep = False  # whether out[-1] is a separator word
    for segment in segments:
        pieces: list[str] = []
        first_sep = None
        for match in _RUNS.finditer(unicodedata.normalize("NFC", segment)):
            kind, piece = match.lastgroup, match.group()
            if first_sep is None:
                first_sep = kind == SEP
            if kind == HAN:
                pieces.extend(map(str.__add__, piece, piece[1:]))
                pieces.append(piece[-1] + WORD_END)
            elif kind == WORD:
                if _FULL_WIDTH.search(piece):
                    piece = "".join(map(half_width, piece))
                pieces.append(piece + WORD_END)
            else:
                pieces.append(_separator_word(piece))
        if not pieces:
            continue
        if out:
            glue = BREAK
            if last_sep:
                glue = out.pop() + glue
            if first_sep:
                glue += pieces.pop(0)
            out.append(glue)
        out.extend(pieces)
        last_sep = _is_separator_word(out[-1])
    return out


def _separator_word(text: str) -> str:
    """A run of separators from the text as a word: a reserved mark in the text is a space."""
    return "".join(SPACE if c in RESERVED or c.isspace() or c == "\u200b" else c for c in text)


def _is_separator_word(word: str) -> bool:
    return not word.endswith(WORD_END) and char_class(word[0]) != HAN


def display_word(word: str) -> str:
    """A content word as displayed: the inverse of ``tokens_to_words``, word by word
    (search.js: ``displayWord``)."""
    if word.endswith(WORD_END):
        return word[: -len(WORD_END)]
    if char_class(word[0]) == HAN:
        return word[0]
    return word.replace(SPACE, " ").replace(BREAK, "\n")
