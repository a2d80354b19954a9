"""Layout repair on single lines and on runs of lines: small, named, pure functions.

The parsers decide *which* lines belong together; these functions decide how a printed line
reads once the PDF's layout is taken away (letter-spacing, re-joined line breaks), and how
wide a line is on the page (the clue that tells a caption from a line of body text).
"""

from __future__ import annotations

import functools
import operator
import re
import string
import unicodedata

from bulletin_site.chars import IDEOGRAPHS, is_ideograph

# A sentence (so a paragraph, in the bulletin's layout) ends with one of these, possibly
# followed by closing quotes or brackets.
_TERMINAL_MARKS = "。！？!?"
_TERMINAL_CLOSERS = "”’」』）)》〉〕]\"'"
# Punctuation that only running prose carries; captions and headings do without it.
_PROSE_PUNCT = re.compile(r"[，、；：。！？,;]")
# `12. text`, `12.text`, `12、text`; not a decimal number such as `3.3倍`.
_NUMBERED = re.compile(r"^(\d{1,3})\s*(?:[.．、]\s+|[.．、](?!\d))(?=\S)")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_CLOSING = "”’」』）)》"
# What `bigrams` pairs up: runs of Han characters, and Latin words or numbers.
_HAN_RUN = re.compile(f"[{IDEOGRAPHS}]+")
_WORD = re.compile(r"[A-Za-z]{2,}|\d{2,}")


def display_width(text: str) -> float:
    """Width on the page in full-width cells: CJK and full-width forms 1, the rest ½.

    Ambiguous-width marks (curly quotes, dashes, ellipsis) take a full cell in a CJK font;
    Latin capitals are wider than digits in the proportional fonts the PDFs use.
    """
    # Summed in order, one cell at a time: the float total must not depend on how it is added.
    return sum(map(_cell, text))


# Cached: a corpus has a few thousand distinct characters and every line is measured.
# Bounded, so that a file holding every code point cannot grow it without end.
@functools.lru_cache(maxsize=1 << 16)
def _cell(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F", "A"):
        return 1.0
    return 0.65 if "A" <= ch <= "Z" else 0.5


def is_letter_spaced(text: str) -> bool:
    """A justified line printed with a space between every character (`長 梁 維 特`)."""
    tokens = text.split()
    if len(tokens) < 4:
        return False
    singles = sum(1 for token in tokens if len(token) == 1)
    return singles >= 0.7 * len(tokens)


def undo_letter_spacing(text: str) -> str:
    """Remove the spaces a justified line put between characters, keep real gaps.

    Single spaces are layout; a run of two or more was a real space, stretched.
    """
    words = re.split(r"[ \u3000]{2,}", text.strip())
    return " ".join(w.replace(" ", "").replace("\u3000", "") for w in words)


def clean_line(raw: str) -> str:
    """A printed line as text: no letter-spacing, no runs of spaces, no edge spaces.

    One trailing space survives after a Latin word, a number or a closing quote: it is the
    space between that and the first word of the next line (`Faustin ` / `Mukela`).
    """
    text = raw.strip()
    if is_letter_spaced(text):
        text = undo_letter_spacing(text)
    text = _SPACES.sub(" ", text)
    if text and (_ASCII_WORD.match(text[-1]) or text[-1] in _CLOSING) and raw[-1:].isspace():
        text += " "
    return text


def key(text: str) -> str:
    """What two printings of the same line have in common: the text without any space."""
    return _SPACES.sub("", text)


def join_lines(lines: list[str]) -> str:
    """Join printed lines into running text.

    No space is invented between Chinese characters. Between two Latin words a line break
    was a space; inside a number it was not, unless the line kept its trailing space.
    """
    parts: list[str] = []
    last = ""  # the last character written so far
    for line in lines:
        if not line:
            continue
        if last.isascii() and last.isalpha() and line[0].isascii() and line[0].isalpha():
            parts.append(" ")
        parts.append(line)
        last = line[-1]
    return "".join(parts).strip()


def is_terminal(text: str) -> bool:
    # Read from the end: a regular expression anchored at `$` would be tried at every
    # position of a long line.
    body = text.rstrip().rstrip(_TERMINAL_CLOSERS)
    return bool(body) and body[-1] in _TERMINAL_MARKS


def has_prose_punctuation(text: str) -> bool:
    return bool(_PROSE_PUNCT.search(text))


def numbered(text: str) -> tuple[int, str] | None:
    """`12. text` → (12, "text"): a numbered entry, measure or item (full-width digits too)."""
    # Most lines do not start with a digit (any script's, as `\d` reads it): no translation.
    if not text[:1].isdecimal():
        return None
    text = text.translate(_FULL_WIDTH_DIGITS)
    match = _NUMBERED.match(text)
    if not match:
        return None
    return int(match.group(1)), text[match.end() :]


def bigrams(text: str) -> set[str]:
    """Overlapping pairs of Han characters and whole Latin words/numbers, lower-cased."""
    grams: set[str] = set()
    for run in _HAN_RUN.findall(text):
        if len(run) == 1:
            grams.add(run)
        else:
            # Each character joined to the next: the pairs, without slicing the run.
            grams.update(map(operator.add, run, run[1:]))
    grams.update(map(str.lower, _WORD.findall(text)))
    return grams


def joins_run(left: str, right: str) -> bool:
    """Does a run that `bigrams` reads (Han characters, Latin letters, digits) go on from the
    end of `left` into `right`? If not, the bigrams of `left + right` are those of `left`
    and those of `right` together."""
    if not left or not right:
        return False
    a, b = left[-1], right[0]
    return (
        (is_ideograph(a) and is_ideograph(b))
        or (a in string.ascii_letters and b in string.ascii_letters)
        or (a.isdecimal() and b.isdecimal())  # what `\d` matches
    )
