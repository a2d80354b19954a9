"""Generated bulletins with their ground truth: the raw text layer and, for every piece of text
in it, what it is and on which raw lines it was printed.

``make_issue(seed)`` lays out one issue the way the bureau's PDFs come out as text
(/work/shared/LAYOUT.md and the seeds): a numbered contents list (long titles broken over two or
three lines), a cover summary of one to four paragraphs ending with the contact paragraph, then
the pages. On a page:

- body text in columns of 15–40 em, different from article to article, narrower for a few
  lines where a photo stands beside the text; a paragraph's first line 2–3 em short (the text
  layer drops the indent); Latin words and numbers about half an em a character, never broken;
  no line starts with closing punctuation (it hangs in the margin or pulls a character down
  with it) and none ends with an opening one; a line left short that way is justified, and
  the text layer then shows it letter-spaced (``長 梁 維 特``);
- an article of the previous page printed again with the same line breaks, split around this
  page's first text and photos (or cut short at any line);
- the first lines of the next page's article threaded onto this page (then printed again on
  its own page), at the page's end or between the halves of this page's article;
- the later of two articles printed first;
- photo captions of 4–40 characters, one to three in a row, two sometimes sharing a line,
  a long one broken over two: at the top or foot of a page, between the halves of a reprint,
  between two lines of a sentence, on the page of another article;
- running footers ``N. title``, one per article of the page, long titles over two or three
  lines.

Every printed line is followed by a blank line, except inside a footer or a two-line caption,
after a page's last footer and after the contact (the next page follows at once); a page's
first line starts with one space.

Text: the seeds' reviewed articles (``tests/fixtures/seeds``), varied (numbers redrawn, two
sentences swapped, a paragraph dropped, digits full-width), and invented articles
(``bulletin_corpus``); the whole issue in Traditional or Simplified (the site's converter).

Fairness: the generator keeps out what a careful person could not tell from the raw text
either. A caption that shares no distinctive words with its article only stands where its
article's text is on both sides of it (or a page's edge); a sentence that ends flush with the
column is not followed by a line that could equally start or end a paragraph.

The same seed gives the same issue (``random.Random`` seeded with a string; nothing depends on
``hash()``).
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bulletin_corpus import invented_article

FIXTURES = Path(__file__).parent / "fixtures" / "seeds"
HANT, HANS = "hant", "hans"

# --- widths and line breaking -------------------------------------------------------------------

_TOKEN = re.compile(
    r"[A-Za-z0-9]+(?:[.,:/@%+&'_-]+[A-Za-z0-9]+)*%?"  # a Latin word or a number: never broken
    r"|[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"  # the same in full-width forms
    r"|\s|.",
    re.S,
)
NO_START = set("，。、；：！？）》」』”’〉】…%,.;:!?)")
NO_END = set("（《「『“‘〈【(")
_TERMINAL = "。！？!?"
_CLOSERS = "”’」』）)》〉"


def cell(ch: str) -> float:
    """Width of one character in em: Chinese and full-width forms 1, Latin about ½."""
    if ch == " ":
        return 0.3
    if ch.isascii():
        if ch.isdigit():
            return 0.55
        if ch.isupper():
            return 0.65
        if ch.islower():
            return 0.5
        return 0.85 if ch in "%@&" else 0.35
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55


def width(text: str) -> float:
    return sum(cell(ch) for ch in text)


def is_terminal(text: str) -> bool:
    body = text.rstrip().rstrip(_CLOSERS)
    return bool(body) and body[-1] in _TERMINAL


def letter_space(text: str) -> str:
    """A justified line as the text layer prints it: a space between every character, a real
    space stretched to several."""
    return " ".join("  " if ch == " " else ch for ch in text.strip())


@dataclass(frozen=True)
class Printed:
    """One laid-out line of a paragraph: which characters it holds and how it is printed."""

    start: int  # paragraph[start:end] (a break at a space keeps the space on this line)
    end: int
    raw: str  # as printed, without a page's leading space
    width: float  # of its characters, in em
    col: float  # the column's width at this line
    spaced: bool  # printed letter-spaced


def wrap(
    text: str,
    cols: list[float],
    first: int,
    *,
    indent: float,
    hang: str = "",
    style: Style,
    rng: random.Random,
    justify: bool = True,
) -> list[Printed]:
    """Break a paragraph into lines. ``cols[first + k]`` is the column at its k-th line;
    ``indent`` is how much shorter the first line is; ``hang`` is printed before every other
    line (a numbered item's hanging indent), which is that much shorter too."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    sizes = [width(t[2]) for t in tokens]
    out: list[Printed] = []
    i, n = 0, len(tokens)
    while i < n:
        line_no = first + len(out)
        col = cols[min(line_no, len(cols) - 1)]
        opening = not out
        limit = col - (indent if opening else width(hang))
        j, w = i, 0.0
        while j < n and w + sizes[j] <= limit + 1e-6:
            w += sizes[j]
            j += 1
        if j == i:
            j, w = i + 1, sizes[i]  # a word wider than the column: printed over it
        last = j >= n
        if not last:
            follow = tokens[j][2]
            if follow.isspace():
                j += 1  # the break takes the space; it stays at this line's end
            elif follow in NO_START or tokens[j - 1][2] in NO_END:
                hung = 0
                if not opening and rng.random() < style.hang:
                    while j < n and tokens[j][2] in NO_START and hung < 2:
                        j, hung = j + 1, hung + 1
                if hung and j < n and tokens[j][2] in NO_START:
                    j -= hung  # cannot hang three: pull a character down instead
                    hung = 0
                if not hung:
                    while j > i + 1 and (tokens[j][2] in NO_START or tokens[j - 1][2] in NO_END):
                        j -= 1
            last = j >= n
        chars = text[tokens[i][0] : tokens[j - 1][1]]
        body = chars.rstrip(" ")
        line_width = width(body)
        deficit = limit - line_width
        # A justified line is stretched to the column: the text layer shows the stretch as
        # spaces when it is large (2 em or more: always, in the seeds), sometimes below that.
        spaced = (
            justify
            and not last
            and len(body.replace(" ", "")) >= 4
            # A stretched line shows no space at its end: a Latin word ending it would run into
            # the next line's word (``ISO`` / ``9001``), which no reader could undo.
            and not (chars.endswith(" ") and body[-1:].isascii())
            and (
                deficit >= max(2.0, style.spacing_from)
                or (deficit >= style.spacing_from and rng.random() < style.spacing)
            )
        )
        prefix = "" if opening else hang
        raw = prefix + (letter_space(body) if spaced else chars)
        out.append(Printed(tokens[i][0], tokens[j - 1][1], raw, line_width, col, spaced))
        i = j
    return out


def break_heading(text: str, limit: float, lines: int = 3) -> list[str]:
    """A title too long for its line, broken where it reaches ``limit`` em (never inside a Latin
    word), at most ``lines`` lines (the last one takes the rest)."""
    parts: list[str] = []
    rest = text
    while rest and len(parts) < lines - 1 and width(rest) > limit:
        w, cut = 0.0, 0
        tokens = list(_TOKEN.finditer(rest))
        for m in tokens:
            if w + width(m.group()) > limit and cut:
                break
            w += width(m.group())
            cut = m.end()
        while cut < len(rest) and rest[cut] in NO_START:
            cut += 1
        parts.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        parts.append(rest)
    return parts


# --- the issue's knobs ----------------------------------------------------------------------------


@dataclass
class Style:
    """What one issue's layout varies, drawn once per issue."""

    base: int = 21  # the usual body column, in em
    indent: float = 2.0  # a paragraph's first line is this much shorter
    hang: float = 0.5  # share of line ends where closing punctuation hangs in the margin
    spacing_from: float = 1.0  # a justified line this much short shows letter-spaced …
    spacing: float = 0.8  # … this often (always from 2 em short)
    photo_wrap: float = 0.3  # share of articles with a photo beside a few lines
    caption_box: float = 24.0  # a caption wider than this breaks over two lines
    footer_width: float = 28.0
    contents_width: float = 38.0
    summary_width: float = 35.0
    summary_spaces: int = 0  # a summary paragraph's indent printed as spaces (0: dropped)
    two_per_page: float = 0.45
    later_first: float = 0.3
    reprint: float = 0.45  # a page reprints an article of the previous page
    reprint_whole: float = 0.7  # … whole, split around this page's text (else cut short)
    thread: float = 0.25  # a page carries the first lines of the next page's article
    next_page_caption: float = 0.3  # a caption stands on the page after its article's


def _style(rng: random.Random) -> Style:
    base = rng.randint(15, 26)
    return Style(
        base=base,
        indent=rng.choice([2.0, 2.0, 2.0, 3.0]),
        hang=rng.choice([0.0, 0.3, 0.6, 0.9]),
        spacing_from=rng.choice([0.9, 1.0, 1.0, 1.2]),
        spacing=rng.choice([0.2, 0.5, 0.8]),
        photo_wrap=rng.choice([0.0, 0.2, 0.4]),
        caption_box=rng.uniform(20, 28),
        footer_width=rng.uniform(24, 32),
        contents_width=rng.uniform(32, 44),
        summary_width=rng.uniform(30, 40),
        summary_spaces=rng.choice([0, 0, 0, 7, 10]),
        two_per_page=rng.uniform(0.2, 0.7),
        later_first=rng.choice([0.0, 0.2, 0.5]),
        reprint=rng.uniform(0.15, 0.6),
        reprint_whole=rng.uniform(0.5, 0.9),
        thread=rng.uniform(0.0, 0.3),
        next_page_caption=rng.uniform(0.1, 0.5),
    )


# --- sources --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """An article before layout."""

    title: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    origin: str  # "seed" or "invented"


@cache
def seed_sources() -> tuple[tuple[str, Source], ...]:
    """The seeds' reviewed articles, each with the script it was printed in."""
    out = []
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["kind"] != "bulletin":
            continue
        for a in data["articles"]:
            source = Source(a["title"], tuple(a["paragraphs"]), tuple(a["captions"]), "seed")
            out.append((data["script"], source))
    return tuple(out)


@cache
def seed_contacts() -> tuple[tuple[str, str], ...]:
    out = []
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["kind"] == "bulletin" and data.get("contact"):
            out.append((data["script"], data["contact"]))
    return tuple(out)


@cache
def converter():  # -> bulletin_site.convert.Converter
    from bulletin_site.convert import Converter

    return Converter()


def in_script(text: str, script: str) -> str:
    return converter().convert(text, script)


_NUMBER = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)(年|月|日|)")
_SENTENCE = re.compile(r"[^。！？]+[。！？][”’」』）》]*")
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def vary(source: Source, rng: random.Random) -> Source:
    """The same article with other numbers, maybe two sentences swapped or a paragraph less,
    maybe its digits full-width or spaced out (``於 2019 年``)."""
    paragraphs = list(source.paragraphs)
    if len(paragraphs) >= 3 and rng.random() < 0.3:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    for k in range(len(paragraphs)):
        if rng.random() < 0.35 and not re.match(r"\d+\.", paragraphs[k]):
            sentences = _SENTENCE.findall(paragraphs[k])
            if len(sentences) >= 2 and "".join(sentences) == paragraphs[k]:
                i = rng.randrange(len(sentences) - 1)
                sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
                paragraphs[k] = "".join(sentences)

    def redraw(match: re.Match[str]) -> str:
        old, unit = match.groups()
        if unit == "年" and len(old) == 4:
            return f"{rng.randint(2006, 2026)}{unit}"
        if unit == "月" and len(old) <= 2:
            return f"{rng.randint(1, 12)}{unit}"
        if unit == "日" and len(old) <= 2:
            return f"{rng.randint(1, 28)}{unit}"
        if len(old) == 1 and rng.random() < 0.5:
            return old + unit
        if unit:  # a day, a month or a year of another form: keep its length
            return "".join(str(rng.randint(1 if k == 0 else 0, 9)) for k in range(len(old))) + unit
        # Each digit redrawn, separators kept; a plain number may gain or lose a digit.
        digits = [str(rng.randint(0, 9)) if ch.isdigit() else ch for ch in old]
        if old[0] != "0":
            digits[0] = str(rng.randint(1, 9))
        if old.isdigit() and rng.random() < 0.2:
            digits.append(str(rng.randint(0, 9)))  # one digit more: the line breaks move
        elif old.isdigit() and len(old) > 2 and rng.random() < 0.2:
            digits.pop()
        return "".join(digits) + unit

    def numbers(text: str) -> str:
        if re.match(r"\d+\. ", text):
            head, tail = text.split(" ", 1)
            return head + " " + _NUMBER.sub(redraw, tail)
        return _NUMBER.sub(redraw, text)

    paragraphs = [numbers(p) for p in paragraphs]
    return Source(source.title, tuple(paragraphs), source.captions, source.origin)


def style_digits(source: Source, rng: random.Random) -> Source:
    """Some articles set their numbers full-width, some with spaces around them."""
    r = rng.random()
    if r < 0.1:

        def full(text: str) -> str:
            if re.match(r"\d+\. ", text):
                head, tail = text.split(" ", 1)
                return head + " " + tail.translate(_FULL)
            return text.translate(_FULL)

        return Source(
            source.title, tuple(map(full, source.paragraphs)), source.captions, source.origin
        )
    if r < 0.15:

        def spaced(text: str) -> str:
            if re.match(r"\d+\. ", text):
                return text
            return re.sub(r"(?<=[\u4e00-\u9fff])(\d+)(?=[年月日項项])", r" \1 ", text)

        return Source(
            source.title, tuple(map(spaced, source.paragraphs)), source.captions, source.origin
        )
    return source


def _to_script(source: Source, script: str, from_script: str) -> Source:
    if script == from_script:
        return source
    return Source(
        in_script(source.title, script),
        tuple(in_script(p, script) for p in source.paragraphs),
        tuple(in_script(c, script) for c in source.captions),
        source.origin,
    )


def choose_sources(rng: random.Random, script: str) -> tuple[list[Source], str]:
    """3–12 articles from the seeds, from the invented corpus or both, in the issue's script."""
    count = rng.choices(range(3, 13), weights=[2, 3, 4, 6, 8, 10, 10, 9, 7, 5])[0]
    mode = rng.choices(["seeds", "invented", "mixed"], weights=[35, 35, 30])[0]
    seeds = list(seed_sources())
    if mode == "seeds":
        from_seeds = count
    elif mode == "invented":
        from_seeds = 0
    else:
        from_seeds = rng.randint(1, count - 1)
    picked = rng.sample(range(len(seeds)), k=min(from_seeds, len(seeds)))
    sources: list[Source] = []
    for i in picked:
        origin_script, source = seeds[i]
        source = vary(source, rng)
        sources.append(_to_script(style_digits(source, rng), script, origin_script))
    # Articles do not share sentences: a stock sentence of the corpus is used once an issue.
    used = {x for s in sources for p in s.paragraphs for x in _SENTENCE.findall(p)}
    while len(sources) < count:
        invented = invented_article(rng)
        paragraphs = []
        for paragraph in invented.paragraphs:
            sentences = _SENTENCE.findall(paragraph)
            head = "".join(sentences)
            if not paragraph.startswith(head):
                paragraphs.append(paragraph)
                continue
            rest = paragraph[len(head) :]  # a list's lead (…如下：) stays with its paragraph
            kept = [x for x in sentences if x not in used]
            used.update(kept)
            if kept or rest:
                paragraphs.append("".join(kept) + rest)
        if not paragraphs or _ITEM.match(paragraphs[0]):
            continue
        source = Source(invented.title, tuple(paragraphs), invented.captions, "invented")
        sources.append(_to_script(style_digits(source, rng), script, HANT))
    rng.shuffle(sources)
    # Titles and captions are not repeated within an issue (two photos, two captions).
    titles: set[str] = set()
    seen: set[str] = set()
    unique = []
    for s in sources:
        if s.title in titles:
            continue
        titles.add(s.title)
        captions = []
        for c in s.captions:
            if c not in seen and 4 <= len(c) <= 40:
                seen.add(c)
                captions.append(c)
        unique.append(Source(s.title, s.paragraphs, tuple(captions), s.origin))
    return unique, mode


# --- the truth ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    origin: str


@dataclass(frozen=True)
class Piece:
    """A piece of text and every raw line it was printed on.

    kinds: ``contents`` (a contents entry, the title without its number), ``summary``,
    ``contact``, ``body`` (one laid-out line of a paragraph), ``caption``, ``footer``."""

    key: tuple
    kind: str
    article: int | None
    text: str
    paragraph: int | None = None  # body: which paragraph (0-based); summary: which paragraph
    line: int | None = None  # body: which line of its article's layout
    first: bool = False  # body: the first line of its paragraph
    last: bool = False  # body: the last line of its paragraph
    printings: tuple[tuple[int, ...], ...] = ()  # raw line numbers (1-based), one tuple each


@dataclass(frozen=True)
class Issue:
    seed: int
    name: str
    script: str
    text: str
    number: int | None
    summary: tuple[str, ...]
    contact: str | None
    articles: tuple[Article, ...]
    pieces: tuple[Piece, ...]
    style: Style
    mode: str  # where the articles came from: seeds, invented or mixed
    pages: tuple[tuple[str, ...], ...]  # a short description of each page's parts
    where: dict[int, str]  # raw line → "cover" or "page N own|reprint|lead|caption|footer"

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    def pieces_on(self, line: int) -> list[Piece]:
        return [p for p in self.pieces if any(line in printing for printing in p.printings)]


# --- laying out -----------------------------------------------------------------------------------


@dataclass
class Laid:
    number: int
    source: Source
    lines: list[Printed]
    para_of: list[int]  # paragraph of each line
    firsts: set[int]  # lines that open a paragraph
    lasts: set[int]  # lines that close one


_ITEM = re.compile(r"(\d+)\. ")


def lay_out_article(number: int, source: Source, style: Style, rng: random.Random) -> Laid:
    """The article's lines, at a column of its own; re-drawn (up to a few times) where a
    sentence ending flush with the column would leave its paragraph break in doubt."""
    column = style.base + rng.choice([0, 0, 0, 0, -1, 1, -2, 2])
    r = rng.random()
    if r < 0.1:
        column = rng.randint(27, 40)
    elif r < 0.16:
        column = rng.randint(15, 17)
    column = max(15, min(40, column))
    laid = None
    for attempt in range(8):
        wrap_rng = random.Random(f"{rng.random()}:{attempt}")
        cols = [float(column)] * 400
        if wrap_rng.random() < style.photo_wrap:
            start = wrap_rng.randint(0, 25)
            narrow = max(12.0, column - wrap_rng.randint(3, 8))
            for k in range(start, start + wrap_rng.randint(4, 12)):
                cols[k] = narrow
        laid = _lay(number, source, cols, style, wrap_rng)
        if not _doubtful_breaks(laid, style):
            return laid
        column = max(15, min(40, column + (1 if attempt % 2 == 0 else -1) * (attempt // 2 + 1)))
    assert laid is not None
    return laid


def _lay(
    number: int,
    source: Source,
    cols: list[float],
    style: Style,
    rng: random.Random,
    justify: bool = True,
) -> Laid:
    lines: list[Printed] = []
    para_of: list[int] = []
    firsts: set[int] = set()
    lasts: set[int] = set()
    for p, paragraph in enumerate(source.paragraphs):
        item = _ITEM.match(paragraph)
        if item:
            hang = " " * (4 if len(item.group(1)) == 1 else rng.choice([5, 7, 9]))
            printed = wrap(
                paragraph,
                cols,
                len(lines),
                indent=0.0,
                hang=hang,
                style=style,
                rng=rng,
                justify=justify,
            )
        else:
            printed = wrap(
                paragraph,
                cols,
                len(lines),
                indent=style.indent,
                style=style,
                rng=rng,
                justify=justify,
            )
        firsts.add(len(lines))
        lines.extend(printed)
        para_of.extend([p] * len(printed))
        lasts.add(len(lines) - 1)
    return Laid(number, source, lines, para_of, firsts, lasts)


def _doubtful_breaks(laid: Laid, style: Style) -> bool:
    """Would a careful reader be unable to tell, from the widths, whether a paragraph ends
    after a line that ends a sentence?"""
    lines = laid.lines
    tolerance = 0.75
    for k in range(len(lines) - 1):
        here, there = lines[k], lines[k + 1]
        text = laid.source.paragraphs[laid.para_of[k]][here.start : here.end]
        if not is_terminal(text):
            continue
        following = laid.source.paragraphs[laid.para_of[k + 1]][there.start : there.end]
        if _ITEM.match(following) and k + 1 in laid.firsts:
            continue  # a numbered item: its number says it begins
        could_open = there.width <= there.col - style.indent + tolerance
        could_go_on = (
            there.width >= there.col - tolerance
            or there.spaced
            or (is_terminal(following) and k + 1 in laid.lasts)
        )
        if k + 1 in laid.firsts:
            if could_go_on:
                return True
        elif could_open and not here.spaced:
            return True
    return False


# --- pages ----------------------------------------------------------------------------------------


@dataclass
class Run:
    """Lines [start, stop) of an article, printed here (first printing or again)."""

    article: int  # index into the issue's articles
    start: int
    stop: int
    role: str  # "own", "reprint", "lead" (the next page's article threaded onto this page)


@dataclass
class CaptionGroup:
    captions: list[tuple[int, int]]  # (article index, caption index), in print order
    shared: bool = False  # the first two share one line


@dataclass
class Page:
    elements: list[Run | CaptionGroup] = field(default_factory=list)
    footers: list[int] = field(default_factory=list)  # article indices
    mid: int | None = None  # where the halves of a reprint meet (an index into elements)


def plan_pages(laid: list[Laid], style: Style, rng: random.Random) -> list[Page]:
    n = len(laid)
    groups: list[list[int]] = []
    i = 0
    while i < n:
        size = 2 if i + 1 < n and rng.random() < style.two_per_page else 1
        if size == 2 and i + 2 < n and rng.random() < 0.08:
            size = 3
        groups.append(list(range(i, i + size)))
        i += size
    orders = []
    for g in groups:
        order = list(g)
        if len(order) > 1 and rng.random() < style.later_first:
            order = order[1:] + order[:1] if rng.random() < 0.5 else order[::-1]
        orders.append(order)

    pages: list[Page] = []
    previous_own: list[Run] = []
    for p, order in enumerate(orders):
        page = Page(footers=sorted(order))
        own = [Run(a, 0, len(laid[a].lines), "own") for a in order]
        elements: list[Run | CaptionGroup] = []
        mid = None
        if previous_own and rng.random() < style.reprint:
            source = rng.choice(previous_own)
            size = source.stop - source.start
            whole = size >= 2 and rng.random() < style.reprint_whole
            if whole:
                cut = rng.randint(source.start + 1, source.stop - 1)
                first_half = Run(source.article, source.start, cut, "reprint")
                second_half: Run | None = Run(source.article, cut, source.stop, "reprint")
            else:
                cut = rng.randint(source.start + 1, source.stop) if size >= 2 else source.stop
                if size >= 3:
                    cut = min(cut, source.stop - 1)  # cut short: not the whole of it
                first_half, second_half = Run(source.article, source.start, cut, "reprint"), None
            # This page's first text: part of its first article, the whole of it, or all of it.
            way = rng.random()
            head = own[0]
            if way < 0.45 and head.stop - head.start >= 2:
                split = rng.randint(head.start + 1, head.stop - 1)
                part = [Run(head.article, head.start, split, "own")]
                rest = [Run(head.article, split, head.stop, "own"), *own[1:]]
            elif way < 0.8:
                part, rest = [head], own[1:]
            else:
                part, rest = own, []
            elements = [first_half, *part]
            mid = len(elements)
            if second_half is not None:
                elements.append(second_half)
            elements.extend(rest)
        else:
            elements = list(own)
        # The next page's first article may begin here, and be printed again there.
        if p + 1 < len(orders) and rng.random() < style.thread:
            nxt = orders[p + 1][0]
            size = len(laid[nxt].lines)
            if size >= 2 and nxt == max(order) + 1:
                k = rng.randint(1, min(size - 1, rng.choice([1, 2, 3, 4, 6])))
                lead = Run(nxt, 0, k, "lead")
                if rng.random() < 0.5:
                    page.footers = sorted([*page.footers, nxt])  # begins here: a footer too
                # At the page's end, or (the seeds' way) between the halves of a reprint.
                if mid is not None and mid < len(elements) and rng.random() < 0.5:
                    elements.insert(mid, lead)
                    mid += 1
                else:
                    elements.append(lead)
        page.elements = elements
        page.mid = mid
        pages.append(page)
        # What the next page may reprint: each article's own text on this page, as one run.
        spans: dict[int, list[int]] = {}
        for e in elements:
            if isinstance(e, Run) and e.role == "own":
                span = spans.setdefault(e.article, [e.start, e.stop])
                span[0], span[1] = min(span[0], e.start), max(span[1], e.stop)
        previous_own = [Run(a, lo, hi, "own") for a, (lo, hi) in spans.items()]
    return pages


def _distinctive(laid: list[Laid]) -> dict[tuple[int, int], bool]:
    """Does a caption share enough rare words with its own article (and clearly fewer with any
    other) for a careful reader to place it wherever it stands?"""

    def grams(text: str) -> set[str]:
        runs = re.findall(r"[\u3400-\u9fff]+|[A-Za-z]{2,}|\d{2,}", text)
        out: set[str] = set()
        for run in runs:
            if run.isascii():
                out.add(run.lower())
            else:
                out.update(run[k : k + 2] for k in range(len(run) - 1))
        return out

    article_grams = [grams(a.source.title + "".join(a.source.paragraphs)) for a in laid]
    spread = Counter(g for gs in article_grams for g in gs)
    total = len(laid)
    out = {}
    for a, art in enumerate(laid):
        for c, caption in enumerate(art.source.captions):
            mine = grams(caption)

            def score(gs: set[str], mine: set[str] = mine) -> float:
                return sum(math.log(1 + total / spread[g]) for g in mine & gs)

            own = score(article_grams[a])
            other = max((score(g) for b, g in enumerate(article_grams) if b != a), default=0.0)
            unique = [g for g in mine & article_grams[a] if spread[g] == 1]
            out[(a, c)] = len(unique) >= 2 and own >= 1.5 * other + 1.0
    return out


def place_captions(pages: list[Page], laid: list[Laid], style: Style, rng: random.Random) -> None:
    """Each caption once: on its article's page or the next, one to three in a row, at the
    top, the foot, between the halves of a reprint or between two lines of text."""
    distinctive = _distinctive(laid)
    home = {}
    for p, page in enumerate(pages):
        for e in page.elements:
            if isinstance(e, Run) and e.role == "own":
                home.setdefault(e.article, p)
    on_page: dict[int, list[tuple[int, int]]] = {p: [] for p in range(len(pages))}
    for a, art in enumerate(laid):
        for c in range(len(art.source.captions)):
            p = home[a]
            if p + 1 < len(pages) and rng.random() < style.next_page_caption:
                there = any(isinstance(e, Run) and e.article == a for e in pages[p + 1].elements)
                if there or distinctive[(a, c)]:
                    p += 1
            on_page[p].append((a, c))
    for p, page in enumerate(pages):
        captions = on_page[p]
        rng.shuffle(captions)
        while captions:
            size = min(len(captions), rng.choices([1, 2, 3], weights=[6, 3, 1])[0])
            group = CaptionGroup(captions[:size])
            captions = captions[size:]
            if size >= 2 and group.captions[0][0] == group.captions[1][0]:
                texts = [laid[a].source.captions[c] for a, c in group.captions[:2]]
                if all(width(t) <= style.caption_box for t in texts) and rng.random() < 0.35:
                    group.shared = True
            _insert(page, group, rng)
        _make_safe(page, laid, distinctive, rng)


def _insert(page: Page, group: CaptionGroup, rng: random.Random) -> None:
    # As often as in the seeds: mostly at a page's top or foot, between the halves of a reprint
    # or between two articles; now and then between two lines of a sentence.
    slots = {"top": 3.0, "foot": 4.0, "inside": 1.2}
    if page.mid is not None:
        slots["mid"] = 3.0
    changes = [
        k
        for k in range(1, len(page.elements))
        if isinstance(page.elements[k - 1], Run)
        and isinstance(page.elements[k], Run)
        and page.elements[k - 1].article != page.elements[k].article
    ]
    if changes:
        slots["between"] = 1.5
    slot = rng.choices(list(slots), weights=list(slots.values()))[0]
    if slot == "between":
        k = rng.choice(changes)
        page.elements.insert(k, group)
        if page.mid is not None and page.mid >= k:
            page.mid += 1
        return
    if slot == "inside":
        runs = [
            k for k, e in enumerate(page.elements) if isinstance(e, Run) and e.stop - e.start >= 2
        ]
        if runs:
            k = rng.choice(runs)
            e = page.elements[k]
            assert isinstance(e, Run)
            split = rng.randint(e.start + 1, e.stop - 1)
            page.elements[k : k + 1] = [
                Run(e.article, e.start, split, e.role),
                group,
                Run(e.article, split, e.stop, e.role),
            ]
            if page.mid is not None and page.mid > k:
                page.mid += 2
            return
        slot = "foot"
    if slot == "top":
        page.elements.insert(0, group)
        if page.mid is not None:
            page.mid += 1
    elif slot == "mid" and page.mid is not None:
        page.elements.insert(page.mid, group)
        page.mid += 1
    else:
        page.elements.append(group)


def _neighbours(page: Page, k: int) -> tuple[int | None, int | None]:
    """The articles whose text stands nearest before and after element k (None: the page's
    edge), captions skipped."""
    before = next((e.article for e in reversed(page.elements[:k]) if isinstance(e, Run)), None)
    after = next((e.article for e in page.elements[k + 1 :] if isinstance(e, Run)), None)
    return before, after


def _make_safe(
    page: Page, laid: list[Laid], distinctive: dict[tuple[int, int], bool], rng: random.Random
) -> None:
    """A caption without words of its own goes between two lines of its article's text (or
    next to it at the page's edge), where position alone tells whose it is."""
    for _ in range(20):
        moved = False
        for k, e in enumerate(page.elements):
            if not isinstance(e, CaptionGroup):
                continue
            before, after = _neighbours(page, k)
            for a, c in list(e.captions):
                if distinctive[(a, c)]:
                    continue
                sides = [x for x in (before, after) if x is not None]
                if sides and all(x == a for x in sides):
                    continue
                e.captions.remove((a, c))
                e.shared = e.shared and len(e.captions) >= 2
                _put_beside(page, (a, c), rng)
                moved = True
                break
            if moved:
                break
        page.elements = [
            e for e in page.elements if not (isinstance(e, CaptionGroup) and not e.captions)
        ]
        if not moved:
            return


def _put_beside(page: Page, caption: tuple[int, int], rng: random.Random) -> None:
    a = caption[0]
    runs = [
        k
        for k, e in enumerate(page.elements)
        if isinstance(e, Run) and e.article == a and e.stop - e.start >= 2
    ]
    group = CaptionGroup([caption])
    if runs:
        k = rng.choice(runs)
        e = page.elements[k]
        assert isinstance(e, Run)
        split = rng.randint(e.start + 1, e.stop - 1)
        page.elements[k : k + 1] = [
            Run(e.article, e.start, split, e.role),
            group,
            Run(e.article, split, e.stop, e.role),
        ]
        if page.mid is not None and page.mid > k:
            page.mid += 2
        return
    mine = [k for k, e in enumerate(page.elements) if isinstance(e, Run) and e.article == a]
    if mine and mine[-1] == len(page.elements) - 1:
        page.elements.append(group)
    elif mine:
        page.elements.insert(mine[0], group)
    else:
        page.elements.append(group)  # no text of its own here: the foot (rare)


# --- the cover --------------------------------------------------------------------------------


_CN = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return _CN[hundreds] + "百"
    if rest < 10:
        return _CN[hundreds] + "百零" + _CN[rest]
    tens, ones = divmod(rest, 10)
    return _CN[hundreds] + "百" + _CN[tens] + "十" + (_CN[ones] if ones else "")


def issue_lead(rng: random.Random, script: str) -> tuple[int | None, str]:
    number = rng.randint(1, 320)
    name = "《緊貿安排快訊》經已出版。" if script == HANT else "《紧贸安排快讯》经已出版。"
    form = rng.choices(["digits", "chinese", "di-chinese", "full", "none"], [30, 25, 10, 5, 30])[0]
    if form == "digits":
        return number, f"第{number}期{name}"
    if form == "chinese":
        return number, f"{chinese_number(number)}期{name}"
    if form == "di-chinese":
        return number, f"第{chinese_number(number)}期{name}"
    if form == "full":
        return number, f"第{str(number).translate(_FULL)}期{name}"
    return None, ""


_CONTACT_LIKE = re.compile(r"@|www\.|https?://|電話|电话|\d{7,}")


def make_summary(sources: list[Source], lead: str, rng: random.Random) -> tuple[str, ...]:
    """One to four paragraphs, each the opening sentences of an article's first paragraph; the
    first begins with the issue's lead, a later one may begin with 此外，."""
    long = rng.random() < 0.6
    count = rng.randint(2, min(4, len(sources))) if long and len(sources) >= 2 else 1
    chosen = sorted(rng.sample(range(len(sources)), k=count))
    out = []
    for k, i in enumerate(chosen):
        first = sources[i].paragraphs[0] if sources[i].paragraphs else sources[i].title
        sentences = [s for s in _SENTENCE.findall(first) if not _CONTACT_LIKE.search(s)]
        if not sentences:
            sentences = [sources[i].title + "。"]
        take = rng.randint(1, min(len(sentences), 3 if long else 1))
        text = "".join(sentences[:take])
        if k == count - 1 and k > 0 and rng.random() < 0.5 and not text.startswith("此外"):
            text = "此外，" + text
        out.append(text)
    if lead:
        out[0] = lead + out[0]
    return tuple(out)


def make_contact(rng: random.Random, script: str) -> str | None:
    if rng.random() < 0.05:
        return None
    contacts = [c for s, c in seed_contacts() if s == script] or [
        in_script(c, script) for _, c in seed_contacts()
    ]
    contact = contacts[0]
    phone = str(rng.choice([2, 8])) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return re.sub(r"\d{8}", phone, contact)


# --- rendering --------------------------------------------------------------------------------


@dataclass
class _Out:
    raw: str
    keys: tuple[tuple, ...]
    blank_after: bool = True
    where: str = ""  # "cover", or "page N own|reprint|lead|caption|footer"


class _Printer:
    def __init__(self) -> None:
        self.lines: list[_Out] = []
        self.printings: dict[tuple, list[tuple[int, ...]]] = {}

    def add(
        self, raw: str, keys: tuple[tuple, ...], blank_after: bool = True, where: str = "cover"
    ) -> int:
        self.lines.append(_Out(raw, keys, blank_after, where))
        return len(self.lines) - 1

    def text_and_numbers(self) -> tuple[str, list[int]]:
        parts = []
        numbers = []
        number = 1
        for line in self.lines:
            numbers.append(number)
            parts.append(line.raw + "\n")
            number += 1
            if line.blank_after:
                parts.append("\n")
                number += 1
        return "".join(parts), numbers


def _heading_lines(
    prefix: str, title: str, limit: float, rng: random.Random, follow: str
) -> list[str]:
    parts = break_heading(prefix + title, limit)
    out = [parts[0]]
    for part in parts[1:]:
        if out[-1][-1:] not in " " and rng.random() < 0.3:
            out[-1] += " "
        out.append(follow + part)
    return out


def render(
    summary: tuple[str, ...],
    contact: str | None,
    laid: list[Laid],
    pages: list[Page],
    style: Style,
    rng: random.Random,
) -> tuple[str, dict[tuple, list[tuple[int, ...]]], list[tuple[str, ...]]]:
    printer = _Printer()
    groups: list[tuple[tuple, list[int]]] = []  # piece key → printer indices of one printing

    def printing(key: tuple, indices: list[int]) -> None:
        groups.append((key, indices))

    # Contents
    for a, art in enumerate(laid):
        lead = " " * rng.choice([0, 1, 1, 1, 2, 4]) if a else " " * rng.choice([1, 2, 4])
        gap = " " * rng.choice([1, 1, 1, 1, 3, 4, 5])
        follow = " " * rng.choice([1, 2, 2, 3])
        heading = _heading_lines(
            f"{lead}{art.number}.{gap}", art.source.title, style.contents_width, rng, follow
        )
        indices = [printer.add(h, (("contents", a),), blank_after=False) for h in heading]
        printer.lines[indices[-1]].blank_after = True
        printing(("contents", a), indices)
    # Summary and contact: no letter-spacing on the cover.
    cover_style = Style(hang=style.hang, spacing=0.0, indent=2.0)
    cover = summary + ((contact,) if contact else ())
    summary_width = style.summary_width
    for _ in range(8):  # as for articles: no paragraph break left in doubt
        cols = [summary_width] * 400
        cover_rng = random.Random(f"{rng.random()}")
        laid_cover = _lay(0, Source("", cover, (), ""), cols, cover_style, cover_rng, False)
        if not _doubtful_breaks(laid_cover, cover_style):
            break
        summary_width -= 0.5
    for k in range(len(cover)):
        indices = []
        key = ("summary", k) if k < len(summary) else ("contact", 0)
        for j, (line, p) in enumerate(zip(laid_cover.lines, laid_cover.para_of, strict=True)):
            if p != k:
                continue
            spaces = style.summary_spaces if j in laid_cover.firsts and k < len(summary) else 0
            indices.append(printer.add(" " * spaces + line.raw, (key,)))
        printing(key, indices)
    if printer.lines:
        printer.lines[-1].blank_after = False  # the first page follows at once
    described = render_pages(printer, laid, pages, style, rng, printing)
    text, numbers = printer.text_and_numbers()
    printings: dict[tuple, list[tuple[int, ...]]] = {}
    for key, indices in groups:
        printings.setdefault(key, []).append(tuple(numbers[i] for i in indices))
    where = {numbers[i]: line.where for i, line in enumerate(printer.lines)}
    return text, printings, described, where


def render_pages(
    printer: _Printer,
    laid: list[Laid],
    pages: list[Page],
    style: Style,
    rng: random.Random,
    printing,
) -> list[tuple[str, ...]]:
    """The pages, each ending with its footers; a short description of each page's parts."""
    described = []
    for p, page in enumerate(pages):
        start = len(printer.lines)
        parts = []
        for e in page.elements:
            if isinstance(e, Run):
                art = laid[e.article]
                parts.append(f"{e.role} {art.number}:{e.start}-{e.stop}")
                for k in range(e.start, e.stop):
                    line = art.lines[k]
                    key = ("body", e.article, k)
                    printing(key, [printer.add(line.raw, (key,), where=f"page {p + 1} {e.role}")])
            else:
                parts.append("captions " + ",".join(f"{laid[a].number}/{c}" for a, c in e.captions))
                _print_captions(printer, e, laid, style, rng, printing, f"page {p + 1} caption")
        if len(printer.lines) > start:
            first = printer.lines[start]
            first.raw = " " + first.raw.lstrip(" ") if not first.raw.startswith("  ") else first.raw
        for f, a in enumerate(page.footers):
            art = laid[a]
            follow = rng.choices(["", " ", " " * rng.randint(5, 7)], weights=[2, 6, 2])[0]
            heading = _heading_lines(
                f"{art.number}. ", art.source.title, style.footer_width, rng, follow
            )
            indices = [
                printer.add(h, (("footer", a),), blank_after=False, where=f"page {p + 1} footer")
                for h in heading
            ]
            last_page = p == len(pages) - 1
            printer.lines[indices[-1]].blank_after = f < len(page.footers) - 1 or last_page
            printing(("footer", a), indices)
        described.append(tuple(parts))
    return described


def print_pages(laid: list[Laid], pages: list[Page], style: Style) -> list[tuple[str, str]]:
    """Only the pages, as the text layer prints them (each line and what it is: "own",
    "reprint", "lead", "caption" or "footer"): to express a given layout (the seeds') in this
    module's terms."""
    printer = _Printer()
    render_pages(printer, laid, pages, style, random.Random(0), lambda key, indices: None)
    return [(line.raw, line.where.rsplit(" ", 1)[-1]) for line in printer.lines]


def _print_captions(
    printer: _Printer,
    group: CaptionGroup,
    laid: list[Laid],
    style: Style,
    rng: random.Random,
    printing,
    where: str,
) -> None:
    captions = list(group.captions)
    if group.shared and len(captions) >= 2:
        (a1, c1), (a2, c2) = captions[:2]
        raw = laid[a1].source.captions[c1] + " " + laid[a2].source.captions[c2]
        index = printer.add(raw, (("caption", a1, c1), ("caption", a2, c2)), where=where)
        printing(("caption", a1, c1), [index])
        printing(("caption", a2, c2), [index])
        captions = captions[2:]
    for a, c in captions:
        text = laid[a].source.captions[c]
        parts = break_heading(text, style.caption_box, lines=2)
        indices = [
            printer.add(part, (("caption", a, c),), blank_after=False, where=where)
            for part in parts
        ]
        printer.lines[indices[-1]].blank_after = True
        printing(("caption", a, c), indices)


# --- one issue ----------------------------------------------------------------------------------


def make_issue(seed: int) -> Issue:
    rng = random.Random(f"bulletin-maker:{seed}")
    script = rng.choice([HANT, HANS])
    sources, mode = choose_sources(rng, script)
    style = _style(rng)
    number, lead = issue_lead(rng, script)
    summary = make_summary(sources, lead, rng)
    contact = make_contact(rng, script)
    laid = [lay_out_article(n, s, style, rng) for n, s in enumerate(sources, start=1)]
    pages = plan_pages(laid, style, rng)
    place_captions(pages, laid, style, rng)
    text, printings, described, where = render(summary, contact, laid, pages, style, rng)

    pieces: list[Piece] = []
    for a, art in enumerate(laid):
        pieces.append(
            Piece(
                ("contents", a),
                "contents",
                art.number,
                art.source.title,
                printings=tuple(printings[("contents", a)]),
            )
        )
    for k, paragraph in enumerate(summary):
        pieces.append(
            Piece(
                ("summary", k),
                "summary",
                None,
                paragraph,
                paragraph=k,
                printings=tuple(printings[("summary", k)]),
            )
        )
    if contact:
        pieces.append(
            Piece(
                ("contact", 0), "contact", None, contact, printings=tuple(printings[("contact", 0)])
            )
        )
    for a, art in enumerate(laid):
        for k, line in enumerate(art.lines):
            p = art.para_of[k]
            pieces.append(
                Piece(
                    ("body", a, k),
                    "body",
                    art.number,
                    art.source.paragraphs[p][line.start : line.end],
                    paragraph=p,
                    line=k,
                    first=k in art.firsts,
                    last=k in art.lasts,
                    printings=tuple(printings.get(("body", a, k), ())),
                )
            )
        for c, caption in enumerate(art.source.captions):
            pieces.append(
                Piece(
                    ("caption", a, c),
                    "caption",
                    art.number,
                    caption,
                    paragraph=c,
                    printings=tuple(printings.get(("caption", a, c), ())),
                )
            )
        pieces.append(
            Piece(
                ("footer", a),
                "footer",
                art.number,
                art.source.title,
                printings=tuple(printings.get(("footer", a), ())),
            )
        )
    articles = tuple(
        Article(art.number, s.title, s.paragraphs, s.captions, s.origin)
        for art, s in zip(laid, sources, strict=True)
    )
    return Issue(
        seed=seed,
        name=f"gen-{seed}.txt",
        script=script,
        text=text,
        number=number,
        summary=summary,
        contact=contact,
        articles=articles,
        pieces=tuple(pieces),
        style=style,
        mode=mode,
        pages=tuple(described),
        where=where,
    )
