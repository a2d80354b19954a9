"""Bulletin: rebuild the numbered articles from a laid-out PDF's text layer.

The text layer holds, in this order: a numbered table of contents, a cover summary ending in
a contact paragraph, then the pages. On the pages, article bodies may be printed twice
(threaded text repeated on the next page, sometimes cut short), a later article may come
before an earlier one, sentences are cut and continue after unrelated lines, photo captions
stand between the halves of a sentence, and every page ends with running footers that repeat
the titles of the articles on it.

The stages below follow that order: contents → cover → footers → repeats → captions →
paragraphs → articles. Each line's fate is written to the conservation report.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache, cached_property

from bulletin_site.clean import (
    bigrams,
    display_width,
    has_prose_punctuation,
    is_terminal,
    join_lines,
    joins_run,
    key,
    numbered,
)
from bulletin_site.errors import InputError
from bulletin_site.model import Article, Bulletin, Notice, Role, Trace
from bulletin_site.parse.layout import Line
from bulletin_site.parse.plan import is_section_heading

_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+|(電話|电话|Tel|TEL|傳真|传真)\s*[:：]?\s*\+?\d|https?://|www\."
)
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_ISSUE = re.compile(r"(?:第\s*)?([0-9０-９]{1,4}|[〇零一二兩两三四五六七八九十百千]{1,6})\s*期")
_CLOSED = re.compile(r"[》」』”）)〉]$")


@dataclass(frozen=True)
class ReaderConfig:
    """Every threshold and weight the bulletin reader decides with, in one place."""

    # A caption goes by its words when it shares at least two pairs of characters with one
    # article only, and weighs this many times the next article's share (plus one).
    caption_word_margin: float = 1.5
    # Its words take a caption away from the article around it when they weigh this many
    # times that article's share (plus one).
    caption_over_position: float = 1.8
    # … and when they weigh this much at all: a few common words (合照, 致辭) shared
    # with one other article do not move a caption away from its article's text. (5 until
    # issue 15's arts pass: on the tune range the override was then wrong 8 times in 10;
    # 8 → 1,955 articles exact vs 1,949, 12 → 1,956 but the layout test at its limit.)
    caption_over_position_weight: float = 8.0
    # A caption set between two lines of one article's text goes by its words to an
    # article not printed on its page (only on the page before) when they weigh at least
    # this much: a photo is set beside its own article's text, and a few words shared with
    # another article (a name, 口岸查驗大樓) are often a way of speaking. Tune range: 6 →
    # 1,911 articles exact, 8 → 1,914, 10 → 1,913, none → 1,901. The same weight lets
    # words without two rare pairs override such a position at all (5 of 5 wrong below).
    # (For an article of its own page the words decide as before: tests/layout_maker.py
    # sets captions at random among a page's articles.)
    caption_enclosed_weight: float = 8.0
    # Every run of a page's paragraphs given to one article costs this much in `_segment`
    # (a paragraph echoing its whole title gains 1): a page is cut only where a title is
    # echoed clearly. 0.3 until issue 15's arts pass; tune: 0.2 → 1,948 articles exact,
    # 0.3 → 1,955, 0.45 → 1,957, 0.6 → 1,956, 0.8 → 1,957.
    run_cost: float = 0.5
    # The footers name the articles printed on a page: a split of the page's paragraphs
    # that leaves one of them without text costs this much (in `_segment`'s units), unless
    # the next page names it too (its text may all be there, a few first lines threaded
    # onto this page). More than `run_cost`, or a run for it is never worth its cost;
    # tune: 0.5 (with run_cost 0.3) → 1,955 articles exact, 1.0 (with 0.5) → 1,957.
    named_missing_cost: float = 1.0
    # A page's column, where a paragraph runs on over a page's end, is read from this many
    # full lines after its first (fewer: it is not read).
    page_column_lines: int = 3
    # A caption sharing a run of this many characters with a caption placed by its words in
    # another article, at least this many of its pairs in no article's text, may belong
    # there: a doubt.
    caption_kin_run: int = 6
    caption_kin_words: int = 3
    # … said only if asked: on the tune range of bench/reader.py these doubts were right
    # (the caption was the other article's) 1 time in 74, and stood on exact issues.
    caption_kin_doubts: bool = False
    # How far (in em) a line's width may stray from the column, or the column less the
    # paragraph indent, and still count as filling it or as opening a paragraph.
    shape_tolerance: float = 1.0
    # How much the widths weigh in the caption score (3 or more: a caption).
    shape_weight: int = 3
    # A line that does not end a sentence is followed by more of its paragraph, never by a
    # line shaped as another paragraph's first: that much evidence of a caption.
    opening_after_weight: int = 2
    # A line runs over its column by a punctuation mark kept off the next line's start: one
    # em, never more (a line wider still is a wider column: a page or a photo ends).
    overflow_limit: float = 1.0
    # Where fewer than two lines within 3 of a line are surely full (short paragraphs), the
    # column is read this many lines off, one reach after the other.
    column_reach: tuple[int, ...] = (5,)
    # Two lines this close in width are set to one column (a narrowed one beside a photo).
    same_width: float = 0.5
    # A line whose end joins the next text's start as the bulletin prints elsewhere is that
    # much less likely a caption.
    join_weight: int = 2
    # Without blank lines to tell, a caption broken in two has a first line at least this
    # wide (em) and a rest narrower than this share of it.
    caption_break_width: float = 16.0
    caption_rest_share: float = 0.6
    # Two captions side by side on a line are each at least this many characters long.
    caption_part_length: int = 2
    # A line printed twice alone (a reprint cut after one line) counts as printed twice
    # when it is at least this long: a caption says a whole line of body text word for word
    # only when both are short.
    single_repeat_length: int = 8
    # A paragraph ended by a width this close (in em) below the deciding one is a doubt
    # (on the tune range 42% of those within 0.25 em stood at a fault, 22% of those
    # between 0.25 and 0.5).
    paragraph_doubt_band: float = 0.25
    # A paragraph run on because the next line is this much (em) wider than an opening
    # line is a doubt too: a line that much wider than the column is no evidence of a
    # paragraph going on but of another column (a page or a photo ends), where the
    # widths decide nothing.
    paragraph_doubt_wide: float = 3.0
    # … and a paragraph run on by a width this close above the deciding one. 0: none are
    # said (on the tune range run-ons within 0.5 em were wrong 10 times in 86, ends within
    # 0.25 em 24 in 74: the band is kept on the side of the ends).
    paragraph_on_band: float = 0.0
    # The margin of a break before a short line that ends a sentence, after a sentence
    # ending flush (a paragraph's last line, or a paragraph of one line?): in doubt.
    one_line_margin: float = 0.25
    # Doubts said out loud. A caption placed by its words is in doubt when another article
    # shares at least this part of its weight; one placed by the text around it, when that
    # article shares this part of the weight of the article its words point to. At 1.0
    # neither is said: on the tune range such doubts were right (the caption was the other
    # article's) 3 times in 94 and 12 in 141, at any share; the caption moved by its words
    # away from the text around it stays in doubt (right 10 times in 16).
    caption_doubt_share: float = 1.0
    # A line is a caption when its score reaches 3; a score in this band is a doubt (a
    # caption as wide as the column at 3 is nearly always one: the band starts above).
    caption_doubt_band: tuple[int, int] = (4, 4)
    # A line read as body with this score or one less (short of a caption) is a doubt when
    # the text before it joins the text after it as the bulletin prints (its removal leaves
    # one sentence) and the sentence before it has ended or its width is off the column
    # (right 13 times in 16 on the tune range; the width alone: 1 in 4).
    body_doubt_score: int = 2
    # How far (em) from the column around it a width counts as off it; a caption is in
    # doubt only within it (and as wide as the lines right around it).
    caption_doubt_width: float = 2.5
    # Joint labelling of a page's lines (`_label_lines`). A line's own caption score is
    # weighed against the score a caption starts at (3): half a point short of it, a line
    # is as likely body as caption.
    joint_threshold: float = 2.5
    # A line scoring below this on its own (a sentence runs on through it, or it fits the
    # column well) stays body without asking its neighbours: they rarely outweigh that
    # (0 here: tune reads one article less), and each line weighed jointly costs time.
    joint_least_score: int = 1
    # Captions stand one to three in a row, a long one broken over two lines: more lines
    # of captions in a row than this (a caption found by its printed block not counted)
    # are never read.
    joint_run: int = 6
    # Two lines read as one text after the captions between them are taken out: a line
    # that does not end a sentence, yet would have held the next one's first word, is no
    # line of running text (the layout fills a line before breaking it). (1: fewer
    # captions found; 2.5: more on tune, but tests/test_parse_layouts.py's other layouts
    # lose five articles.)
    joint_fit_weight: float = 2.0
    # … where the widths are sure: a half-width character (Latin, digits) is measured to
    # within this much of an em (proportional fonts), so each one on the line widens the
    # margin the test allows.
    joint_narrow_slack: float = 0.2
    # A line wider than its column (closing marks hung in the margin aside) is no line of
    # running text.
    joint_wide_weight: float = 1.0
    # The column there is read from the nearest full line on either side, this many lines
    # away at most.
    joint_window: int = 6
    # A paragraph does not start with continuation punctuation (，、）…), nor with a line
    # hung under a numbered item's text; a caption does not start with continuation
    # punctuation or a lower-case word either: that much against such a reading.
    joint_closed_weight: float = 3.0
    # The paragraph that echoes an article's title most (an article's opening repeats its
    # title's words) is in doubt when it was given to another article whose title it
    # echoes this many times less, and echoes at least this share of the title's weight
    # (66% stood at a fault on the tune range; 2x: 61%, 1x: 40%).
    paragraph_article_ratio: float = 3.0
    paragraph_article_floor: float = 0.2
    # A line of text kept twice is in doubt when it is at least this long (shorter lines
    # are phrases a bulletin repeats) and the two are within this many pages' length of
    # text (a reprint stands on the next page; farther apart, two articles share a phrase:
    # 74% at a fault within one page's length, 59% within 1.5).
    kept_twice_length: int = 10
    kept_twice_pages: float = 1.0


CONFIG = ReaderConfig()
_CAPTION_GAP = re.compile(r"(?<=\S)[ \u3000]+(?=\S)")


@dataclass
class Entry:
    """One entry of the table of contents."""

    number: int
    lines: list[Line]
    parts: list[str]

    @property
    def title(self) -> str:
        return join_lines(self.parts)


@dataclass
class Paragraph:
    units: list[int]  # indices into the body units
    lines: list[Line] = field(default_factory=list)

    @cached_property
    def text(self) -> str:
        # Cached: every stage weighs the paragraph's words. Only read once `_paragraphs`
        # has given the paragraph all its lines.
        return join_lines([line.text for line in self.lines])


class _Grams(dict[str, set[str]]):
    """The bigrams of each text, computed once per reading: the same paragraphs and titles
    are weighed by several stages, and again after stray captions are found. The sets are
    shared, so callers must not change them."""

    def __missing__(self, text: str) -> set[str]:
        grams = self[text] = bigrams(text)
        return grams

    def joined(self, texts: list[str]) -> set[str]:
        """The bigrams of the texts run together (a new set), from each text's own where no
        run of characters goes on from one text into the next."""
        grams: set[str] = set()
        chunk: list[str] = []  # texts that runs join: read as one
        for text in texts:
            if not text:
                continue  # joins nothing, parts nothing
            if chunk and joins_run(chunk[-1], text):
                chunk.append(text)
                continue
            if chunk:
                grams |= self["".join(chunk)]
            chunk = [text]
        if chunk:
            grams |= self["".join(chunk)]
        return grams


def parse_bulletin(
    text: str, lines: Sequence[Line], source: str, script: str
) -> tuple[Bulletin, list[Trace]]:
    lines = list(lines)
    report: list[Trace] = []
    warnings: list[Notice] = []

    start = contents_start(lines) or 0
    masthead = lines[:start]
    report.extend(Trace(line.number, line.text, Role.MASTHEAD) for line in masthead)
    entries, body_start = _read_contents(lines, start)
    if not entries:
        raise InputError(source, "looks like a bulletin but has no table of contents")
    for entry in entries:
        for line in entry.lines:
            report.append(Trace(line.number, line.text, Role.CONTENTS, f"article {entry.number}"))

    cover_end = _cover_end(lines, body_start)
    summary, contact, cover_traces = _read_cover(lines[body_start:cover_end])
    report.extend(cover_traces)
    number = _issue_number([line.text for line in masthead] + summary[:1])

    body = lines[cover_end:]
    titles = {entry.number: entry.title for entry in entries}
    footer_of = _find_footers(body, titles)
    units = [i for i in range(len(body)) if i not in footer_of]
    for i, n in sorted(footer_of.items()):
        report.append(Trace(body[i].number, body[i].text, Role.FOOTER, f"article {n}"))

    joined = [k > 0 and units[k - 1] == i - 1 for k, i in enumerate(units)]
    repeat_of, inserted = _find_repeats([body[i] for i in units], joined)
    kept = [u for k, u in enumerate(units) if k not in repeat_of]
    for k, original in sorted(repeat_of.items()):
        line = body[units[k]]
        report.append(
            Trace(
                line.number,
                line.text,
                Role.REPEAT,
                f"repeat of line {body[units[original]].number}",
            )
        )

    # Threaded text is reprinted from where it was cut: where a reprint begins, something
    # begins (often an article).
    reprinted = {
        units[original]
        for k, original in repeat_of.items()
        if k - 1 not in repeat_of or repeat_of[k - 1] != original - 1
    }
    # A reprint is cut at a line's end and the page's own text follows it: where a reprint
    # ends, something begins too.
    reprinted |= {
        units[k + 1]
        for k in repeat_of
        if k + 1 < len(units) and k + 1 not in repeat_of and joined[k + 1]
    }
    known = {units[k] for k in inserted if k not in repeat_of}
    # A caption is printed once: a line printed again is body text.
    twice = {units[original] for original in repeat_of.values()}
    known |= _blocks(body, kept, footer_of) - twice
    layout = _caption_layout(body, kept, twice)
    grams = _Grams()
    caption_scores: dict[int, int] = {}
    # Each caption-or-body decision's margin in the joint labelling (above 0: caption),
    # for the doubts: a small one is a decision the reader was unsure of.
    caption_margins: dict[int, float] = {}
    captions = _find_captions(body, kept, footer_of, known, layout, caption_scores, caption_margins)
    page_of = _page_numbers(body, footer_of)
    for _ in range(3):
        flow = [i for i in kept if i not in captions]
        margins: dict[int, float] = {}
        paragraphs = _split_at_pages(_paragraphs(body, flow, margins), page_of, layout.indent)
        groups = _page_groups(body, paragraphs, footer_of)
        assignment = _assign_articles(paragraphs, groups, titles, reprinted, grams)
        strays = _stray_captions(
            body, paragraphs, assignment, titles, captions, layout.indent, grams
        )
        if not strays:
            break
        known |= strays - twice
        caption_scores.clear()
        caption_margins.clear()
        captions = _find_captions(
            body, kept, footer_of, known, layout, caption_scores, caption_margins
        )

    by_article: dict[int, list[Paragraph]] = defaultdict(list)
    for paragraph, article in zip(paragraphs, assignment, strict=True):
        by_article[article].append(paragraph)
    line_article = {
        i: article
        for paragraph, article in zip(paragraphs, assignment, strict=True)
        for i in paragraph.units
    }
    for k, original in repeat_of.items():
        if units[original] in line_article:
            line_article[units[k]] = line_article[units[original]]
    caption_groups = _caption_groups(body, captions)
    pages = _page_numbers(body, footer_of)
    caption_article, caption_rivals = _assign_captions(
        caption_groups,
        body,
        by_article,
        titles,
        pages,
        _page_articles(pages, footer_of, line_article),
        {i: a for i, a in line_article.items() if i not in captions},
        grams,
    )

    articles = []
    for entry in entries:
        paras = by_article.get(entry.number, [])
        if not paras:
            warnings.append(
                Notice(
                    entry.lines[0].number,
                    "no-body",
                    f"article {entry.number} ({entry.title}): no body text found",
                )
            )
        texts = []
        for p_index, paragraph in enumerate(paras, start=1):
            texts.append(paragraph.text)
            for line in paragraph.lines:
                report.append(
                    Trace(
                        line.number, line.text, Role.PARAGRAPH, f"article {entry.number} ¶{p_index}"
                    )
                )
        caps = []
        for group, article in zip(caption_groups, caption_article, strict=True):
            if article != entry.number:
                continue
            for text in _split_captions(join_lines([body[i].text for i in group])):
                caps.append(text)
            for line in (body[i] for i in group):
                report.append(
                    Trace(
                        line.number,
                        line.text,
                        Role.CAPTION,
                        f"article {entry.number} caption {len(caps)}",
                    )
                )
        articles.append(Article(entry.number, entry.title, tuple(texts), tuple(caps)))

    where = {trace.line: trace.target for trace in report}
    article_of_line = {i: line_article.get(i) for i in range(len(body))}
    for group, article in zip(caption_groups, caption_article, strict=True):
        for i in group:
            article_of_line[i] = article
    doubts = _caption_doubts(
        body, kept, layout.position, caption_scores, known, captions, layout.indent, layout.pairs
    )
    doubts += [
        (group[0], "caption-article", {"other": str(rival)})
        for group, rival in zip(caption_groups, caption_rivals, strict=True)
        if rival is not None
    ]
    doubts += _paragraph_doubts(paragraphs, margins)
    doubts += _unfinished_paragraphs(by_article)
    doubts += _foreign_paragraphs(paragraphs, assignment, titles, grams)
    doubts += _kept_twice(body, flow, pages)
    doubts += _unfinished_captions(body, caption_groups, captions, layout.pairs)
    for i, code, values in sorted(doubts, key=lambda d: (d[0], d[1])):
        article = article_of_line.get(i)
        if article is None:
            continue
        line = body[i]
        warnings.append(
            Notice.doubt(
                line.number,
                code,
                where.get(line.number, ""),
                text=_quoted(line.text),
                article=str(article),
                **values,
            )
        )

    placed = {trace.line for trace in report}
    for line in lines:
        if line.number not in placed:
            warnings.append(
                Notice(line.number, "unplaced", f"text placed nowhere: {line.text[:40]}")
            )
            report.append(Trace(line.number, line.text, Role.UNPLACED, "warning"))
    report.sort(key=lambda t: t.line)

    bulletin = Bulletin(
        source=source,
        script=script,
        number=number,
        summary=tuple(summary),
        contact=contact,
        articles=tuple(articles),
        warnings=tuple(warnings),
    )
    return bulletin, report


# --- contents -------------------------------------------------------------------------------


_MASTHEAD_LINES = 3


def contents_start(lines: list[Line]) -> int | None:
    """Where the numbered contents (entries 1, 2, …) begin: the first line, or after a
    masthead of a few lines (`緊貿安排快訊 第七十期`). A work plan opens with a title and
    `一、` headings instead."""
    for start, line in enumerate(lines[: _MASTHEAD_LINES + 1]):
        first = numbered(line.text)
        if not first:
            if is_section_heading(line.text):
                return None
            continue
        if first[0] != 1:
            return None
        following = (numbered(x.text) for x in lines[start + 1 : start + 4])
        if any(entry and entry[0] == 2 for entry in following):
            return start
        # A one-article issue: its only entry comes back as the running footer.
        footer = any(x.key == line.key for x in lines[start + 1 :])
        return start if footer else None
    return None


def looks_like_bulletin(text: str, lines: Sequence[Line]) -> bool:
    """Numbered contents at the top (after an optional masthead)."""
    return contents_start(list(lines)) is not None


def _read_contents(lines: list[Line], start: int) -> tuple[list[Entry], int]:
    entries: list[Entry] = []
    i = start
    while i < len(lines):
        line = lines[i]
        entry = numbered(line.text)
        if entry and entry[0] == len(entries) + 1:
            entries.append(Entry(entry[0], [line], [entry[1]]))
            i += 1
            continue
        if not entries:
            break
        if _next_entry_close(lines, i, len(entries) + 1) or _continues_title(lines, i, entries[-1]):
            entries[-1].lines.append(line)
            entries[-1].parts.append(line.text)
            i += 1
            continue
        break
    return entries, i


def _next_entry_close(lines: list[Line], i: int, expected: int) -> bool:
    """A line between entry N and entry N+1 belongs to entry N's title."""
    for line in lines[i + 1 : i + 3]:
        entry = numbered(line.text)
        if entry and entry[0] == expected:
            return True
    return False


def _continues_title(lines: list[Line], i: int, entry: Entry) -> bool:
    """Is line i the rest of the last entry's title? Ask its running footer, then the layout."""
    candidate = lines[i]
    wanted = key(entry.title + candidate.text)
    title = key(entry.title)
    denied = False
    for j, line in enumerate(lines[i + 1 :], start=i + 1):
        found = numbered(line.text)
        if not found or found[0] != entry.number:
            continue
        printed = key(found[1] + "".join(x.text for x in lines[j + 1 : j + 4]))
        # (A title never ends a sentence: the footer's page may go on with the very sentence
        # the summary quotes.)
        if _similar(wanted, printed[: len(wanted)]) >= 0.85 and not is_terminal(candidate.text):
            return True
        # A footer that prints the title and goes on otherwise says where the title ends.
        denied |= printed.startswith(title)
    return (
        not denied
        and candidate.indent >= 2
        and not has_prose_punctuation(candidate.text)
        and candidate.width <= max(line.width for line in entry.lines)
    )


# Titles are compared on their first characters only: the comparison is quadratic, and a
# "title" longer than this is a text layer without line breaks, not a title.
_SIMILAR_SPAN = 300


def _similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    a, b = a[:_SIMILAR_SPAN], b[:_SIMILAR_SPAN]
    if a == b:
        return 1.0  # what the matcher says, without its work: a footer repeats its title
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


# --- cover ----------------------------------------------------------------------------------


def _cover_end(lines: list[Line], start: int) -> int:
    """The cover summary ends with its contact paragraph, or where the first page opens."""
    limit = len(lines)
    for i in range(start, len(lines)):
        if lines[i].opens_page and i > start:
            limit = i
            break
    paragraph_start = start
    for i in range(start, limit):
        if is_terminal(lines[i].text):
            text = "".join(line.text for line in lines[paragraph_start : i + 1])
            if _CONTACT.search(text):
                return i + 1
            paragraph_start = i + 1
    return limit


def _read_cover(lines: list[Line]) -> tuple[list[str], str | None, list[Trace]]:
    paragraphs: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if current and line.indent >= 2 and is_terminal(current[-1].text) is False:
            pass
        if current and line.indent >= 2:
            paragraphs.append(current)
            current = []
        current.append(line)
        if is_terminal(line.text):
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    summary: list[str] = []
    contact = None
    traces = []
    for k, para in enumerate(paragraphs):
        text = join_lines([line.text for line in para])
        if k == len(paragraphs) - 1 and _CONTACT.search(text):
            contact = text
            traces.extend(Trace(line.number, line.text, Role.CONTACT) for line in para)
        else:
            summary.append(text)
            traces.extend(
                Trace(line.number, line.text, Role.SUMMARY, f"¶{len(summary)}") for line in para
            )
    return summary, contact, traces


def _issue_number(texts: list[str]) -> int | None:
    for text in texts:
        match = _ISSUE.search(text[:40])
        if match:
            return _to_int(match.group(1))
    return None


def _to_int(numeral: str) -> int | None:
    digits = numeral.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if digits.isdigit():
        return int(digits)
    total, current = 0, 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            current = current * 10 + _CN_DIGITS[ch] if current and ch in "〇零" else _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    total += current
    return total or None


# --- footers --------------------------------------------------------------------------------


def _find_footers(body: list[Line], titles: dict[int, str]) -> dict[int, int]:
    """Running footers: `N. title`, possibly broken over several lines → {line index: N}."""
    footer_of: dict[int, int] = {}
    i = 0
    while i < len(body):
        entry = numbered(body[i].text)
        if entry and entry[0] in titles:
            title = key(titles[entry[0]])
            printed = key(entry[1])
            span = 1
            while len(printed) < len(title) and i + span < len(body):
                longer = printed + body[i + span].key
                if _similar(longer, title[: len(longer)]) < 0.8:
                    break
                printed = longer
                span += 1
            if len(printed) >= 0.8 * len(title) and _similar(printed, title[: len(printed)]) >= 0.8:
                for j in range(i, i + span):
                    footer_of[j] = entry[0]
                i += span
                continue
        i += 1
    return footer_of


# --- repeats --------------------------------------------------------------------------------


def _find_repeats(units: list[Line], joined: list[bool]) -> tuple[dict[int, int], set[int]]:
    """Lines printed a second time → ({index of the repeat: index of the first printing},
    the caption lines one printing has between lines the other prints side by side).

    A repeat is a run of lines equal to an earlier run (at least two lines, or one long line
    of prose); its last line may be cut short. The reprint of threaded text is set without
    the photos, so either printing may have a caption the other lacks. The earlier printing
    is kept.
    """
    seen: dict[str, list[int]] = defaultdict(list)
    # The character pairs printed side by side, read only when a short run needs them.
    printed = cache(lambda: _printed_pairs(units))
    repeat_of: dict[int, int] = {}
    inserted: set[int] = set()
    j = 0
    while j < len(units):
        best: tuple[list[tuple[int, int]], list[int]] = ([], [])
        for i in reversed(seen.get(units[j].key, [])[-6:]):
            pairs, skipped = _align(units, i, j, repeat_of)
            if len(pairs) > len(best[0]):
                best = (pairs, skipped)
        pairs, skipped = best
        # One line alone counts as a reprint only if it is a long line of prose: a caption
        # may say word for word what a line of the article says.
        single = len(pairs) == 1 and (
            (len(units[j].key) >= 10 and has_prose_punctuation(units[j].text))
            or len(units[j].key) >= CONFIG.single_repeat_length
        )
        # A short run of lines can also be a phrase two articles share; a reprint that short
        # stands at a break in the text (a page's start or end, a sentence's end).
        # Either printing may show the break: a thread's first lines printed at a page's foot
        # are printed again mid-page, after another reprint or a caption.
        short = (
            0 < len(pairs) < 3
            and not _at_break(units, pairs[0][0], pairs[-1][0], joined, repeat_of)
            and not _at_break(units, pairs[0][1], pairs[-1][1], joined, repeat_of)
            and not _set_inside(units, pairs[0][0], pairs[-1][0], joined, printed)
        )
        # A short run printed later amid its own article's text (body before it on the page,
        # and its sentence going on after it) is a phrase two articles share: a reprint is
        # cut at a line's end, so what follows it on the page is other text.
        if 0 < len(pairs) < 3 and _embedded(
            units, pairs[0][0], pairs[-1][0], joined, repeat_of, printed
        ):
            short = True
        if (len(pairs) >= 2 or single) and not short:
            inserted.update(skipped)
            end, last = pairs[-1][0] + 1, pairs[-1][1] + 1
            cut = units[end].key if end < len(units) else ""
            following = units[last].key if last < j else ""
            if (
                cut
                and following
                and len(cut) >= 2
                and following.startswith(cut)
                and cut != following
            ):
                pairs.append((end, last))
                end += 1
            elif _thread_ahead(units, pairs, joined):
                pairs = [(a, b) for b, a in pairs]
            for b, a in pairs:
                repeat_of[b] = a
            for t in range(j, end):
                seen[units[t].key].append(t)
            j = end
            continue
        seen[units[j].key].append(j)
        j += 1
    return repeat_of, inserted


def _set_inside(
    units: list[Line], first: int, last: int, joined: list[bool], pairs: Callable[[], set[str]]
) -> bool:
    """Is the run first..last set inside another sentence on one page: the line before it
    joins the line after it, not the run (as the bulletin's own character pairs read, or as
    the widths do)? A reprint cut at a line's end is dropped in wherever the page had room."""
    after = last + 1
    if first == 0 or after >= len(units) or not joined[first] or not joined[after]:
        return False
    if units[first].opens_page or units[after].opens_page:
        return False
    before = units[first - 1].key
    if is_terminal(units[first - 1].text):
        return False
    if _joins_printed(before, units[first].key, pairs()):
        return False
    if _joins_printed(before, units[after].key, pairs()):
        return True
    # Or by the widths: the run ends a sentence, yet what follows it is as wide as the line
    # before the run (a full line, not a paragraph's opening): it goes on with that line.
    return (
        is_terminal(units[last].text)
        and not is_terminal(units[after].text)
        and not numbered(units[after].text)
        and abs(units[after].width - units[first - 1].width) <= CONFIG.shape_tolerance
    )


def _embedded(
    units: list[Line],
    first: int,
    last: int,
    joined: list[bool],
    repeat_of: dict[int, int],
    pairs: Callable[[], set[str]],
) -> bool:
    """Is the run first..last set amid body text on one page: a line of body before it (not
    printed twice) whose sentence runs into it, or, past any caption lines, its own
    unfinished sentence going on after it?"""
    if first == 0 or not joined[first] or units[first].opens_page or first - 1 in repeat_of:
        return False
    if _captionish([units[first - 1]]):
        return False
    # The sentence before runs into it, as the bulletin's own character pairs read, and not
    # past it into the text after it: a reprint starts where other text has ended, or is
    # set inside a sentence that goes on after it.
    before = units[first - 1].key
    if not is_terminal(units[first - 1].text) and _joins_printed(before, units[first].key, pairs()):
        after = last + 1
        while after < len(units) and after - last <= 2 and _captionish([units[after]]):
            after += 1
        return after >= len(units) or not _joins_printed(before, units[after].key, pairs())
    if is_terminal(units[last].text):
        return False
    nxt = last + 1
    while nxt < len(units) and nxt - last <= 2 and _captionish([units[nxt]]):
        nxt += 1
    if nxt >= len(units) or any(
        not joined[k] or units[k].opens_page for k in range(last + 1, nxt + 1)
    ):
        return False
    return not _captionish([units[nxt]])


def _thread_ahead(units: list[Line], pairs: list[tuple[int, int]], joined: list[bool]) -> bool:
    """Is the earlier printing a thread's first lines set at a page's foot, cut mid-sentence,
    while the later one runs on into the rest of its text? Then the later one is kept: it
    stands where the text goes on."""
    last_repeat, last_first = pairs[-1]
    if is_terminal(units[last_first].text):
        return False
    after_first = last_first + 1
    first_cut = (
        after_first >= len(units) or not joined[after_first] or units[after_first].opens_page
    )
    after_repeat = last_repeat + 1
    repeat_goes_on = (
        after_repeat < len(units) and joined[after_repeat] and not units[after_repeat].opens_page
    )
    return first_cut and repeat_goes_on


def _at_break(
    units: list[Line], first: int, last: int, joined: list[bool], repeat_of: dict[int, int]
) -> bool:
    """Does the run first..last start or end where the text is broken anyway (a reprint,
    itself cut at a line's end, leaves a break behind it)?"""
    starts = (
        first == 0
        or not joined[first]
        or units[first].opens_page
        or is_terminal(units[first - 1].text)
        or first - 1 in repeat_of
    )
    ends = last + 1 >= len(units) or not joined[last + 1] or units[last + 1].opens_page
    return starts or ends


def _align(
    units: list[Line], i: int, j: int, repeat_of: dict[int, int]
) -> tuple[list[tuple[int, int]], list[int]]:
    """Match the printing starting at j against the earlier one at i, line by line, letting
    either side have up to two caption lines the other lacks. The earlier printing may itself
    be split by lines printed again from elsewhere (a reprint between its halves): those are
    passed over."""
    pairs: list[tuple[int, int]] = []
    skipped: list[int] = []
    a, b = i, j
    while b < len(units) and a < j:
        if units[a].key == units[b].key:
            pairs.append((b, a))
            a, b = a + 1, b + 1
            continue
        if not pairs:
            break
        if a in repeat_of:
            a += 1
            continue
        for step in (1, 2):
            if (
                a + step < j
                and units[a + step].key == units[b].key
                and _captionish(units[a : a + step])
            ):
                skipped.extend(range(a, a + step))
                a += step
                break
            if (
                b + step < len(units)
                and units[a].key == units[b + step].key
                and _captionish(units[b : b + step])
            ):
                skipped.extend(range(b, b + step))
                b += step
                break
        else:
            break
    return pairs, skipped


def _captionish(lines: list[Line]) -> bool:
    return all(
        not has_prose_punctuation(line.text) and not is_terminal(line.text) for line in lines
    )


# --- doubts --------------------------------------------------------------------------------


Doubt = tuple[int, str, dict[str, str]]  # body index, DOUBTS code, values beside text/article


def _quoted(text: str) -> str:
    """A line as a doubt quotes it: short enough to read, long enough to find."""
    text = text.strip()
    return text if len(text) <= 24 else text[:22] + "…"


def _caption_doubts(
    body: list[Line],
    kept: list[int],
    position: dict[int, int],
    scores: dict[int, int],
    known: set[int],
    captions: set[int],
    indent: float,
    pairs: set[str],
) -> list[Doubt]:
    """Lines whose caption score came out next to the threshold where the widths or the
    words say otherwise: a caption as wide as the column and as the lines right around it,
    or a line read as body (a point or two short of a caption) whose removal lets the text
    before it run on into the text after it as the bulletin prints elsewhere, where the
    sentence before it has ended or its width is far from the column's."""
    low, high = CONFIG.caption_doubt_band
    lowest = CONFIG.body_doubt_score - 1
    out: list[Doubt] = []
    for i, score in sorted(scores.items()):
        caption = i in captions
        # Only scores in the bands are weighed (the widths cost time to read).
        if i in known or not (
            low <= score <= high if caption else lowest <= score <= CONFIG.body_doubt_score
        ):
            continue
        k = position[i]
        column = _local_column(body, kept, captions, k)
        fits = column is not None and abs(body[i].width - column) <= CONFIG.caption_doubt_width
        prev_i = kept[k - 1] if k > 0 else None
        next_i = kept[k + 1] if k + 1 < len(kept) else None
        around = _fits_neighbours(body, i, prev_i, next_i, captions, indent)
        if caption:
            if fits and around:
                out.append((i, "caption-or-body", {}))
            continue
        if around:
            continue
        before, after = _flow_around(body, kept, captions, k)
        if before is None or after is None:
            continue
        ended = is_terminal(body[before].text)
        if (ended or not fits) and _joins_printed(body[before].key, body[after].key, pairs):
            out.append((i, "body-or-caption", {}))
    return out


def _unfinished_captions(
    body: list[Line], groups: list[list[int]], captions: set[int], pairs: set[str]
) -> list[Doubt]:
    """Captions that leave a quotation or a title mark open (or close one they never
    opened), or end with a character that leaves a phrase open where this bulletin never
    ends a clause with it: a caption is a whole phrase; such a line is a sentence cut at a
    line's end. (A caption whose rest is the next caption line is a caption broken in two.)"""
    out: list[Doubt] = []
    for group in groups:
        text = join_lines([body[i].text for i in group]).strip()
        opened = sum(ch in _OPENERS for ch in text)
        closed = sum(ch in _CLOSERS for ch in text)
        last = text[-1:]
        open_ended = (
            last in _OPEN_ENDED
            and not any(last + mark in pairs for mark in _CLAUSE_ENDS)
            and group[-1] + 1 not in captions
        )
        if opened != closed or open_ended:
            out.append((group[0], "caption-or-body", {}))
    return out


def _flow_around(
    body: list[Line], kept: list[int], captions: set[int], k: int
) -> tuple[int | None, int | None]:
    """The lines of text (not captions) right before and after the kept line k."""
    before = next((kept[m] for m in range(k - 1, -1, -1) if kept[m] not in captions), None)
    after = next((kept[m] for m in range(k + 1, len(kept)) if kept[m] not in captions), None)
    return before, after


def _paragraph_doubts(paragraphs: list[Paragraph], margins: dict[int, float]) -> list[Doubt]:
    """Sentences that end flush with the column's end, where the next line's width leaves
    the paragraph break in doubt: within ``paragraph_doubt_band`` of the width that decides
    (``margins``, as `_paragraphs` read them)."""
    ends = {paragraph.units[-1] for paragraph in paragraphs}
    return [
        (i, "paragraph-end" if i in ends else "paragraph-on", {})
        for i, margin in sorted(margins.items())
        if -CONFIG.paragraph_doubt_band <= margin <= CONFIG.paragraph_on_band
        or margin >= CONFIG.paragraph_doubt_wide
    ]


# Characters a paragraph may end with though no sentence ends there: a list follows.
_LEADS_ON = set("：:；;")


def _unfinished_paragraphs(by_article: dict[int, list[Paragraph]]) -> list[Doubt]:
    """Paragraphs that end with no sentence's end (nor a colon before a list), or that
    start with what only goes on a sentence (a closing mark, a comma): a wrong reading
    leaves them behind (a line taken away as a caption or a repeat, or the text of another
    article run on), as the bulletin prints neither."""
    out: list[Doubt] = []
    for paragraphs in by_article.values():
        for paragraph in paragraphs:
            text = paragraph.text.rstrip()
            if not is_terminal(text) and text[-1:] not in _LEADS_ON:
                out.append((paragraph.units[-1], "paragraph-end", {}))
    return out


def _foreign_paragraphs(
    paragraphs: list[Paragraph],
    assignment: list[int],
    titles: dict[int, str],
    grams: _Grams,
) -> list[Doubt]:
    """The paragraph that echoes an article's title most (its opening, as a rule), given
    to another article whose title it echoes less: an article's start run on into the
    article before it."""
    if len(titles) < 2 or not paragraphs:
        return []
    echo = _TitleEcho(titles, grams)
    mine = [grams[p.text] for p in paragraphs]
    out: list[Doubt] = []
    for n in sorted(titles):
        # The paragraph sharing most of the title's weight (each title's grams are few).
        weight, title = echo.weight, echo.grams[n]
        shared = [sum(map(weight.__getitem__, title & g)) for g in mine]
        p = max(range(len(paragraphs)), key=shared.__getitem__)
        given = assignment[p]
        if given == n or not echo.whole[n]:
            continue
        score = shared[p] / echo.whole[n]
        if (
            score >= CONFIG.paragraph_article_floor
            and score >= CONFIG.paragraph_article_ratio * echo(given, mine[p])
        ):
            out.append((paragraphs[p].units[0], "paragraph-article", {"other": str(n)}))
    return out


def _kept_twice(body: list[Line], flow: list[int], pages: list[int]) -> list[Doubt]:
    """A long line of text kept twice within a page's length of text: a reprint not
    dropped. (Farther apart, two articles may share a phrase of the bulletin's.)"""
    page_length = len(flow) / (pages[-1] + 1) if pages else 0.0
    seen: dict[str, int] = {}
    out: list[Doubt] = []
    for k, i in enumerate(flow):
        text = body[i].key
        if len(text) < CONFIG.kept_twice_length:
            continue
        first = seen.get(text)
        if first is not None and k - first <= CONFIG.kept_twice_pages * page_length:
            out.append((i, "printed-once", {"first": str(body[flow[first]].number)}))
        seen[text] = k
    return out


# --- captions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CaptionLayout:
    """What caption finding reads from the kept lines alone; it does not change between
    rounds, only the captions already found do."""

    position: dict[int, int]  # body index → place in the kept lines
    anchors: list[int]
    candidates: list[int]
    pairs: set[str]
    indent: float
    terminal: dict[int, bool]  # body index → the line ends a sentence


def _caption_layout(body: list[Line], kept: list[int], twice: set[int]) -> _CaptionLayout:
    terminal = {i: is_terminal(body[i].text) for i in kept}
    prose = {i: has_prose_punctuation(body[i].text) for i in kept}
    # Full lines of prose: they set the column's width. A paragraph's first line may be
    # indented, so it does not count.
    anchors = [
        i
        for k, i in enumerate(kept)
        if prose[i] and not terminal[i] and k > 0 and not terminal[kept[k - 1]]
    ]
    candidates = [
        i
        for i in kept
        if not prose[i] and not terminal[i] and not body[i].justified and i not in twice
    ]
    # Which pairs of characters this bulletin prints side by side within a line: a sentence
    # that runs on across a line break usually joins two characters seen together elsewhere.
    # All lines at once (each distinct line once: footers and reprints come back), joined by
    # line breaks: the pairs that straddle a break are never asked for, as no key holds one.
    pairs = _printed_pairs(body)
    return _CaptionLayout(
        {index: k for k, index in enumerate(kept)},
        anchors,
        candidates,
        pairs,
        _paragraph_indent([body[i].width for i in kept], [terminal[i] for i in kept]),
        terminal,
    )


def _find_captions(
    body: list[Line],
    kept: list[int],
    footer_of: dict[int, int],
    known: set[int],
    layout: _CaptionLayout,
    scores: dict[int, int] | None = None,
    margins: dict[int, float] | None = None,
) -> set[int]:
    """Photo captions: short lines that no sentence runs through (``scores``, if given,
    receives each candidate's last score: the doubts are read from it; ``margins`` each
    candidate's margin in the joint labelling, see `_label_lines`).

    A caption has no prose punctuation and does not end a sentence. Body lines in that state
    are rare, and they fill the column: as wide as the prose line that follows them (and,
    unless a page or a caption comes between, the one before). A caption as wide as the
    column still gives itself away by standing between other captions, page ends or dropped
    repeats, or by leaving a sentence that would have to run on past a page's footers.
    """
    captions: set[int] = set(known)
    last: dict[int, int] = {}
    for _ in range(2):
        for i in layout.candidates:
            if i in known:
                continue
            score = _caption_score(
                body,
                kept,
                layout.position[i],
                layout.anchors,
                captions,
                footer_of,
                layout.pairs,
                layout.indent,
            )
            if scores is not None:
                scores[i] = score
            last[i] = score
            if score >= 3:
                captions.add(i)
            else:
                captions.discard(i)
    return _label_lines(body, kept, known, layout, last, captions, margins)


def _label_lines(
    body: list[Line],
    kept: list[int],
    known: set[int],
    layout: _CaptionLayout,
    scores: dict[int, int],
    captions: set[int],
    margins: dict[int, float] | None = None,
) -> set[int]:
    """Decide the lines' roles together: the best labelling (body or caption) of all kept
    lines at once, by dynamic programming over the lines read as body.

    Each line brings its own evidence (its caption score, read with the captions found
    line by line as its neighbours); each two lines read one after the other as running
    text (the captions between them taken out) must join (`_PairShape.pair`): no
    paragraph opens with continuation punctuation, and a line that does not end a sentence
    was full when the next one began. Captions come a few lines in a row at most.

    ``margins`` receives, for each line that may be either, how much better the best
    labelling with it as a caption scores than the best with it as body (below 0: body;
    -inf: no labelling allows a caption there); a small margin is a decision in doubt."""
    n = len(kept)
    least = CONFIG.joint_least_score
    free = [kept[k] not in known and scores.get(kept[k], least - 1) >= least for k in range(n)]
    if not any(free):
        return captions
    forced = [kept[k] in known for k in range(n)]
    gain = [
        scores[kept[k]] - CONFIG.joint_threshold - _goes_on_weight(body[kept[k]].text)
        if free[k]
        else 0.0
        for k in range(n)
    ]
    shape = _PairShape(body, kept, captions, layout, {kept[k] for k in range(n) if free[k]})
    chosen = set(captions)
    for lo, hi in _windows(free, forced):
        steps = _steps(free, forced, gain, lo, hi)
        ahead = _ahead(steps, shape, lo, hi)
        if ahead is None:
            continue  # no labelling allowed: keep the line-by-line reading
        for k in range(lo + 1, hi):
            chosen.discard(kept[k])
        as_body = _best_path(ahead, hi)
        chosen |= {kept[k] for k in range(lo + 1, hi) if k not in as_body}
        if margins is not None:
            margins.update(_margins(kept, free, steps, ahead, shape, hi))
    return chosen


def _goes_on_weight(text: str) -> float:
    """A caption starts as a title does; a line that starts with continuation punctuation
    or a lower-case Latin word goes on with the text before it."""
    start = text[:1]
    return CONFIG.joint_closed_weight if start in _CLOSED_START or start.islower() else 0.0


def _windows(free: list[bool], forced: list[bool]) -> list[tuple[int, int]]:
    """Stretches of lines whose labellings do not depend on each other: each from a line
    that is body in every labelling after another such line (its paragraph state is then
    settled; -1: the text's start) to the next such pair's second line (n: the end),
    around the lines that may be either. Only these are labelled: elsewhere nothing is
    open to choice."""
    n = len(free)

    def settled(m: int) -> bool:
        body_line = not (free[m] or forced[m])
        return body_line and (m == 0 or not (free[m - 1] or forced[m - 1]))

    out: list[tuple[int, int]] = []
    for f in (k for k in range(n) if free[k]):
        if out and f < out[-1][1]:
            continue  # inside the stretch before
        lo = next((m for m in range(f - 1, -1, -1) if settled(m)), -1)
        hi = next((m for m in range(f + 2, n) if settled(m)), n)
        out.append((lo, hi))
    return out


def _steps(
    free: list[bool], forced: list[bool], gain: list[float], lo: int, hi: int
) -> list[tuple[int, int, float]]:
    """The steps from one line read as body to the next, within the stretch lo..hi (-1:
    the start, n: the end), over the lines between them read as captions: (from, to,
    what those captions gain)."""
    n = len(free)
    out = []
    for j in range(lo, hi):
        if j >= 0 and forced[j]:
            continue
        total, run = 0.0, 0
        for k in range(j + 1, hi + 1):
            if k == n or not forced[k]:
                out.append((j, k, total))
            if k == hi or not (free[k] or forced[k]):
                break
            run += free[k]
            if run > CONFIG.joint_run:
                break
            total += gain[k]
    return out


# ahead[k][o]: the best score of the stretch up to line k read as body; o: whether it opens a
# paragraph (the body line before it ends a sentence, or there is none); with the step there.
_Ahead = dict[int, list[tuple[float, tuple[int, int] | None]]]


def _ahead(
    steps: list[tuple[int, int, float]], shape: _PairShape, lo: int, hi: int
) -> _Ahead | None:
    """The forward pass over a stretch's steps (in order of their first line: every step
    into a line comes before the steps from it)."""
    minus = -math.inf
    ahead: _Ahead = defaultdict(lambda: [(minus, None), (minus, None)])
    if lo >= 0:
        # The stretch starts at a settled line: its paragraph state is known.
        opens = 1 if lo == 0 else int(shape.terminal[lo - 1])
        ahead[lo][opens] = (0.0, None)
    for j, k, gap in steps:
        starts = [(1, 0.0)] if j < 0 else [(o, v) for o, (v, _) in enumerate(ahead[j])]
        for o, start in starts:
            if start == minus:
                continue
            value = start + gap + shape.pair(j, k, bool(o))
            opens = 1 if j < 0 else int(shape.terminal[j])
            if value > ahead[k][opens][0]:
                ahead[k][opens] = (value, (j, o) if j >= 0 else None)
    if max(ahead[hi])[0] == minus:
        return None
    return ahead


def _best_path(ahead: _Ahead, hi: int) -> set[int]:
    """The lines read as body on the best labelling, back from the stretch's end."""
    o = max((0, 1), key=lambda x: ahead[hi][x][0])
    at: tuple[int, int] | None = (hi, o)
    out: set[int] = set()
    while at is not None:
        out.add(at[0])
        at = ahead[at[0]][at[1]][1]
    return out


def _margins(
    kept: list[int],
    free: list[bool],
    steps: list[tuple[int, int, float]],
    ahead: _Ahead,
    shape: _PairShape,
    hi: int,
) -> dict[int, float]:
    """For each line of a stretch that may be either: the best labelling with it as a
    caption less the best with it as body (max-marginals: the forward scores and a
    backward pass)."""
    minus = -math.inf
    # rest[k][o]: the best score of the stretch after line k read as body (o: it opens).
    rest: dict[int, list[float]] = defaultdict(lambda: [minus, minus])
    rest[hi] = [0.0, 0.0]
    for j, k, gap in reversed(steps):
        if j < 0:
            continue
        after = rest[k][int(shape.terminal[j])]
        if after == minus:
            continue
        for o in (0, 1):
            rest[j][o] = max(rest[j][o], gap + shape.pair(j, k, bool(o)) + after)
    as_caption: dict[int, float] = defaultdict(lambda: minus)
    for j, k, gap in steps:
        if k == j + 1:
            continue  # no line between: nothing read as a caption
        after = rest[k][1 if j < 0 else int(shape.terminal[j])]
        starts = [(1, 0.0)] if j < 0 else [(o, v) for o, (v, _) in enumerate(ahead[j])]
        for o, start in starts:
            if start == minus or after == minus:
                continue
            total = start + gap + shape.pair(j, k, bool(o)) + after
            for x in range(j + 1, k):
                as_caption[x] = max(as_caption[x], total)
    return {
        kept[k]: as_caption[k] - max(ahead[k][o][0] + rest[k][o] for o in (0, 1))
        for k in {k for _, k, _ in steps} | set(as_caption)
        if k < len(kept) and free[k]
    }


class _PairShape:
    """What two lines read one after the other as running text say about each other."""

    def __init__(
        self,
        body: list[Line],
        kept: list[int],
        captions: set[int],
        layout: _CaptionLayout,
        open_lines: set[int],
    ):
        self.body = body
        self.open = open_lines  # the lines that may be either
        self.kept = kept
        # A layout indents by full-width spaces, a whole number of em; the measured indent
        # (a median) strays by half an em where half-width digits make some openings look
        # deeper or shallower, and an opening's room is weighed to the character here.
        self.indent = float(round(layout.indent))
        self.terminal = [layout.terminal[i] for i in kept]
        self.full = [self._full(k, captions) for k in range(len(kept))]
        self.left = _nearest_widths(self.full, body, kept, -1)
        self.right = _nearest_widths(self.full, body, kept, 1)
        self._memo: dict[tuple[int, int, bool], float] = {}

    def _full(self, k: int, captions: set[int]) -> bool:
        """A line that sets the column: running text that goes on, follows an unfinished
        line, ends with a character (not punctuation that may hang in the margin, nor a
        Latin word that may leave it short) and is not letter-spaced."""
        i = self.kept[k]
        text = self.body[i].text
        if not text or text[-1] in _CLOSED_START or text[-1] in _OPENERS or text[-1].isascii():
            return False
        if self.terminal[k] or k == 0 or self.terminal[k - 1]:
            return False
        return i not in captions and self.kept[k - 1] not in captions and not self.body[i].justified

    def pair(self, j: int, k: int, opens: bool) -> float:
        """Line k read as the running text right after line j (``opens``: line j opens a
        paragraph): the evidence for that reading (below 0: against it)."""
        if j < 0 or k >= len(self.kept):
            return 0.0  # the text's start or end: nothing to join
        known = self._memo.get((j, k, opens))
        if known is not None:
            return known  # the forward pass, the backward pass and the margins all ask
        after = self.body[self.kept[k]]
        # No paragraph opens with continuation punctuation, nor with a line hung under a
        # numbered item's text (the text layer keeps that indent).
        hung = after.indent >= 3 and not after.opens_page
        if self.terminal[j] and (after.text[:1] in _CLOSED_START or hung):
            value = -CONFIG.joint_closed_weight
        else:
            joined = -CONFIG.joint_fit_weight if self._room(j, k, opens) else 0.0
            # A line body in every labelling is as wide in all of them: only the others'
            # width is weighed.
            value = joined + (self._wide(k) if self.kept[k] in self.open else 0.0)
        self._memo[(j, k, opens)] = value
        return value

    def _room(self, j: int, k: int, opens: bool) -> bool:
        """Would line j (``opens``: a paragraph's first), which does not end a sentence,
        have held line k's first word? The column from the nearest full lines on both
        sides, the narrower (a column narrowed beside a photo starts or ends somewhere);
        the widths of half-width characters are known only roughly, each one widens the
        margin."""
        left, right = self.left[j], self.right[k]
        if self.terminal[j] or left is None or right is None:
            return False
        before, after = self.body[self.kept[j]], self.body[self.kept[k]]
        # A numbered item starts at the margin; its other lines hang under its text (the
        # text layer keeps that indent): their column is not the paragraphs'.
        if before.indent >= 3 and not before.opens_page:
            return False
        limit = min(left, right) - (self.indent if opens and not numbered(before.text) else 0.0)
        # Cheap first: no word is narrower than half an em.
        if before.width + 0.5 > limit or before.justified or before.text.endswith(("：", ":")):
            return False
        unit = _first_unit(after.text)
        narrow = _half_width(before.text) + (unit % 1 > 0)
        return before.width + unit <= limit - CONFIG.joint_narrow_slack * narrow + 0.01

    def _wide(self, k: int) -> float:
        """A line of running text is no wider than its column, but for the closing marks
        hung in the margin at its end: one wider still is no body line. The column from the
        nearest full lines on both sides, the wider (a line beside a photo's end)."""
        left, right = self.left[k], self.right[k]
        if left is None or right is None:
            return 0.0
        line = self.body[self.kept[k]]
        text = line.text.rstrip()
        hung = len(text) - len(text.rstrip("".join(_CLOSED_START)))
        slack = CONFIG.shape_tolerance + CONFIG.joint_narrow_slack * _half_width(text)
        if line.width - hung > max(left, right) + slack:
            return -CONFIG.joint_wide_weight
        return 0.0


def _half_width(text: str) -> int:
    """How many characters of the text take less than a full cell (Latin and digits)."""
    return len(text.encode("ascii", "ignore"))


def _nearest_widths(
    full: list[bool], body: list[Line], kept: list[int], step: int
) -> list[float | None]:
    """For each line, the width of the nearest full line before it (step -1) or after it
    (step 1), itself excluded: the column there."""
    out: list[float | None] = [None] * len(kept)
    seen: float | None = None
    at = 0
    order = range(len(kept)) if step == -1 else range(len(kept) - 1, -1, -1)
    for k in order:
        # Only near: further off, the text may be another article's, in another column.
        out[k] = seen if abs(k - at) <= CONFIG.joint_window else None
        if full[k]:
            seen, at = body[kept[k]].width, k
    return out


# A word no line break cuts: a Latin word or a number (with the marks inside it), in
# half-width or full-width forms; else one character.
_UNIT = re.compile(
    r"[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+(?:[.,:/@%+&'_-]+[A-Za-z0-9]+)*%?|."
)


def _first_unit(text: str) -> float:
    """The width a line's first word needs at the end of the line before: with an opening
    mark before it and the closing marks after it (which no line starts with), and the
    space before a Latin word."""
    k = 0
    while k < len(text) and text[k] in _OPENERS:
        k += 1
    match = _UNIT.match(text, k)
    end = match.end() if match else k
    while end < len(text) and text[end] in _CLOSED_START:
        end += 1
    space = 0.3 if text[:1].isascii() and text[:1].isalnum() else 0.0
    return display_width(text[:end]) + space


def _caption_score(
    body: list[Line],
    kept: list[int],
    k: int,
    anchors: list[int],
    captions: set[int],
    footer_of: dict[int, int],
    pairs: set[str],
    indent: float,
) -> int:
    i = kept[k]
    line = body[i]
    prev_i = kept[k - 1] if k > 0 else None
    next_i = kept[k + 1] if k + 1 < len(kept) else None
    after_caption = prev_i is None or prev_i in captions or prev_i != i - 1
    prev_flow = next((kept[m] for m in range(k - 1, -1, -1) if kept[m] not in captions), None)
    starts_paragraph = prev_flow is None or is_terminal(body[prev_flow].text)
    # A paragraph's first line is as much narrower as the layout indents (if it does).
    narrower = 1.5 + (indent if starts_paragraph else 0.0)
    wider = 1.5 - (indent if starts_paragraph else 0.0)

    a = bisect.bisect_left(anchors, i)
    before = _median([body[j].width for j in anchors[max(0, a - 3) : a]])
    after = _median([body[j].width for j in anchors[a : a + 3]])
    # A line that ran over the column (punctuation kept off the next line's start) leaves
    # the next one that much shorter.
    overflow = 0.0
    if prev_flow is not None and not starts_paragraph:
        overflow = min(
            CONFIG.overflow_limit, max(0.0, body[prev_flow].width - (after or before or 0.0))
        )
    carried = _carried_width(body[next_i].text) if next_i == i + 1 else 0.0

    def misfit(width: float | None) -> bool:
        return width is not None and (
            line.width > width + wider or line.width < width - narrower - overflow - carried
        )

    score = 2
    if after is None:
        after = before
    fits_around = _fits_neighbours(body, i, prev_i, next_i, captions, indent)
    if misfit(after) and (after_caption or misfit(before) or before is None) and not fits_around:
        score += 2
    after_gap = next_i is None or next_i in captions or next_i != i + 1
    if after_caption and after_gap:
        score += 1
    following = next((kept[m] for m in range(k + 1, len(kept)) if kept[m] not in captions), None)
    if following is None or any(j in footer_of for j in range(i + 1, following)):
        score += 1
    if prev_flow is not None and following is not None and not starts_paragraph:
        before, mine, after = body[prev_flow].key, line.key, body[following].key
        if before and mine and after:
            into = before[-1] + mine[0] in pairs
            out_of = mine[-1] + after[0] in pairs
            across = before[-1] + after[0] in pairs
            if across and not into and not out_of:
                score += 2
            elif into and out_of:
                score -= 1
    if numbered(line.text):
        score -= 2
    # The line's last character and the next text's first are printed side by side
    # elsewhere in the bulletin: the text may well run on from it, unless the text before
    # the line joins the next text as well (a caption set inside a sentence).
    if following is not None and _joins_printed(line.key, body[following].key, pairs):
        across = (
            prev_flow is not None
            and not starts_paragraph
            and _joins_printed(body[prev_flow].key, body[following].key, pairs)
        )
        if not across:
            score -= CONFIG.join_weight
    following_line = body[following] if following is not None and following == i + 1 else None
    if _runs_on(line, following_line, pairs):
        return 0
    if following is not None and _joins_word(line.text, body[following].text):
        return 0  # the text goes on past the captions in between
    if indent > 0 and following_line is not None and not is_terminal(line.text):
        column = _local_column(body, kept, captions, k)
        if column is not None:
            score += _shape_evidence(line, following_line, column, indent, starts_paragraph)
    return score


def _carried_width(following: str) -> float:
    """How much narrower a line may be than its column because the next line's first
    character did not fit on it: one that must not stand alone before a closing mark is
    carried down with it. (A Latin word moved down whole would excuse more, but a caption
    is as often followed by a paragraph opening with a year: no evidence either way.)"""
    if len(following) >= 2 and following[1] in _CLOSED_START:
        return display_width(following[0])
    return 0.0


def _joins_printed(left: str, right: str, pairs: set[str]) -> bool:
    return bool(left) and bool(right) and left[-1] + right[0] in pairs


def _printed_pairs(lines: list[Line]) -> set[str]:
    """The pairs of characters printed side by side within a line (each distinct line once:
    footers and reprints come back), joined by line breaks: the pairs that straddle a break
    are never asked for, as no key holds one."""
    printed = "\n".join(dict.fromkeys(line.key for line in lines))
    return set(map(operator.add, printed, printed[1:]))


def _fits_neighbours(
    body: list[Line],
    i: int,
    prev_i: int | None,
    next_i: int | None,
    captions: set[int],
    indent: float,
) -> bool:
    """Is the line as wide as the text right around it, read without a gap: the line before
    runs on into it and the line after goes on at its width (or ends the paragraph)? A
    column narrowed beside a photo narrows a run of lines alike; a caption matches both
    neighbours only by chance."""
    line = body[i]
    if prev_i is None or next_i is None or prev_i != i - 1 or next_i != i + 1:
        return False
    if prev_i in captions or next_i in captions or body[next_i].opens_page:
        return False
    before, after = body[prev_i], body[next_i]
    tolerance = CONFIG.shape_tolerance
    # After a sentence that ends flush with the column, a line as wide goes on with the
    # paragraph (an opening line would be short by the indent).
    opening = prev_i == 0 or is_terminal(body[prev_i - 1].text)
    expected = before.width + (indent if opening and not is_terminal(before.text) else 0.0)
    if abs(line.width - expected) > tolerance and abs(line.width - before.width) > tolerance:
        return False
    if is_terminal(after.text):
        return after.width <= line.width + tolerance
    return after.justified or abs(after.width - line.width) <= tolerance


def _local_column(body: list[Line], kept: list[int], captions: set[int], k: int) -> float | None:
    """The column's width just after line k (else just before): the middle width of the
    nearest lines of text that run on to the next one, read without a gap."""
    widths: list[float] = []
    for step in (1, -1):
        m = k + step
        while 0 <= m < len(kept) and len(widths) < 4:
            i = kept[m]
            if i in captions:
                break
            nxt = kept[m + 1] if m + 1 < len(kept) else None
            if not is_terminal(body[i].text) and nxt == i + 1 and not body[nxt].opens_page:
                previous = kept[m - 1] if m > 0 else None
                if previous is not None and not is_terminal(body[previous].text):
                    widths.append(body[i].width)
            m += step
        if len(widths) >= 2:
            break
    return _median(widths) if len(widths) >= 2 else None


def _shape_evidence(
    line: Line, following: Line, column: float, indent: float, starts_paragraph: bool
) -> int:
    """What the widths say: a paragraph's first line is short by the indent, the lines after
    it fill the column. A line that cannot end a sentence is followed by more of it, not by
    another paragraph's first line."""
    tolerance = CONFIG.shape_tolerance
    opens = (
        not following.justified
        and not is_terminal(following.text)
        and abs(following.width - (column - indent)) <= (tolerance)
    )
    # A letter-spaced line was stretched to the column, whatever its text's width.
    fills = following.width >= column - tolerance or following.justified
    # Not as wide as this line: beside a photo the column narrows for a run of lines
    # alike, and the line after is then no opening. Nor as wide as this line would be
    # without the indent: this one opens a paragraph and the next goes on with it.
    stepped = (
        abs(following.width - line.width) > CONFIG.same_width
        and abs(following.width - (line.width + indent)) > tolerance
        # A Latin word moved whole to the next line leaves this one short by its width.
        and not following.text.endswith(" ")
    )
    if opens and not fills and stepped:
        return CONFIG.opening_after_weight  # the next line opens a paragraph: this one is no body
    first_line = abs(line.width - (column - indent)) <= tolerance
    # Where a paragraph starts, two lines short by the indent in a row (as the column after
    # them reads): a paragraph's first line that goes on is followed by a full one, so the
    # first of the two is no body.
    # (Unless a Latin word moved whole to the next line left either one short.)
    latin_cut = line.text.endswith(" ") or following.text.endswith(" ")
    if starts_paragraph and first_line and opens and not fills and not latin_cut:
        return CONFIG.opening_after_weight
    if starts_paragraph and first_line and fills and not is_terminal(following.text):
        return -CONFIG.shape_weight  # the first line of a paragraph that goes on
    return 0


# Characters a phrase does not end with: a line ending in one goes on into the next.
_OPEN_ENDED = set("的之於于及與与和在對对為为將将由並并以從从向把被或其至「『“《（(〈")
# Characters a paragraph (or a caption) does not start with.
_CLOSED_START = set("，、。；：！？）)」』”’》〉%％")


# What follows a number without a space (年, 月, 日 of a date; a unit).
_NUMBER_UNITS = "年月日號号時时萬万億亿元%％"
# Punctuation that ends a clause: a character this bulletin prints before one ends words.
_CLAUSE_ENDS = "，。、；：！？"


def _runs_on(line: Line, following: Line | None, pairs: set[str]) -> bool:
    """Signs that a line's text goes on into the next line: body text, not a caption.

    ``pairs``: the pairs of characters the bulletin prints side by side. A character that
    leaves a phrase open (在, 向, 由…) also ends words (現在, 方向, 理由): where the bulletin
    prints it before a clause's end, a line ending with it may be complete."""
    text = line.text
    if line.indent >= 3 and not line.opens_page:
        return True  # a numbered item's hanging indent
    if following is None or not following.text:
        return False
    # The rest of a long caption broken over two lines is short and has no punctuation.
    goes_on = (
        has_prose_punctuation(following.text)
        or is_terminal(following.text)
        or following.width >= 0.8 * line.width
    )
    last = text[-1:]
    open_ended = last in _OPEN_ENDED and not any(last + mark in pairs for mark in _CLAUSE_ENDS)
    if goes_on and (text.endswith(" ") or open_ended):
        return True  # a Latin word cut at a space, or a phrase left open
    return _joins_word(text, following.text)


def _joins_word(text: str, following: str) -> bool:
    """Does the text after a break finish what the text before it left unfinished: a
    closing mark, a lower-case Latin word, or the unit of a number? Captions between
    the two halves do not change that."""
    start = following[:1]
    if not start:
        return False
    if start in _CLOSED_START or start.islower():
        return True
    return text[-1:].isdigit() and start in _NUMBER_UNITS


@dataclass(frozen=True)
class _Doubt:
    """A caption-like line that opens a paragraph where the layout leaves it in doubt."""

    index: int  # into the body
    text: str
    fills: bool  # as wide as the paragraph's column
    paragraph: int  # which paragraph it opens


def _stray_captions(
    body: list[Line],
    paragraphs: list[Paragraph],
    assignment: list[int],
    titles: dict[int, str],
    captions: set[int],
    indent: float,
    grams: _Grams,
) -> set[int]:
    """Caption-like lines that open a paragraph but speak of another article than the rest
    of that paragraph does.

    A caption printed just before an article's first line reads, by layout alone, like the
    start of that paragraph; its words tell it apart.
    """
    doubts = _doubtful_openings(paragraphs, captions, indent)
    if not doubts:
        return set()  # nothing to weigh: the word counts below would go unused
    # How often each article uses each pair of characters (its title counts too), so that a
    # paragraph's own words can be taken out when its first line is weighed.
    uses: dict[int, Counter[str]] = {n: Counter(grams[t]) for n, t in titles.items()}
    paragraph_grams = [grams[p.text] for p in paragraphs]
    for own, article in zip(paragraph_grams, assignment, strict=True):
        uses.setdefault(article, Counter()).update(own)
    spread = Counter(g for counts in uses.values() for g in counts)
    strays = set()
    for doubt in doubts:
        article = assignment[doubt.paragraph]
        own = paragraph_grams[doubt.paragraph]
        mine = grams[doubt.text]
        weight = {g: _rarity(spread.get(g), len(uses)) for g in mine}
        total = sum(weight[g] for g in mine) or 1.0
        scores = {
            n: _found(mine, weight, uses.get(n, Counter()), own if n == article else set()) / total
            for n in titles
        }
        top = max(sorted(titles), key=lambda n: scores[n])
        margin = 3.0 if doubt.fills else 2.0
        if top != article and scores[top] >= margin * scores.get(article, 0.0) + 0.05:
            strays.add(doubt.index)
    return strays


def _doubtful_openings(
    paragraphs: list[Paragraph], captions: set[int], indent: float
) -> list[_Doubt]:
    """Only lines that layout already leaves in doubt: those that open a paragraph right
    after a caption, or after a page's end without filling the column."""
    doubts = []
    previous: int | None = None
    for p_index, paragraph in enumerate(paragraphs):
        first = paragraph.units[0]
        after_break = previous is not None and previous != first - 1
        after_caption = first - 1 in captions
        others = sorted(x.width for x in paragraph.lines[1:-1]) or [0.0]
        column = others[len(others) // 2]
        previous = paragraph.units[-1]
        if not (after_caption or after_break) or len(paragraph.units) < 2:
            continue
        # A caption may be followed by a second one before the paragraph really begins.
        for index, line in zip(paragraph.units[:2], paragraph.lines[:2], strict=False):
            if has_prose_punctuation(line.text) or numbered(line.text) or line.justified:
                break
            fills = line.width >= column - indent - 1
            if not after_caption and index == first and fills:
                continue  # fills the column: body text, unless the next line says otherwise
            doubts.append(_Doubt(index, line.text, fills, p_index))
    return doubts


def _rarity(spread: int | None, articles: int) -> float:
    """A pair of characters few articles use weighs more; one none uses weighs 1."""
    return math.log(1 + articles / spread) if spread else 1.0


def _found(
    mine: set[str], weight: dict[str, float], counts: Counter[str], minus: set[str]
) -> float:
    """The weight of the line's pairs that the article uses, the paragraph's own taken out."""
    return sum(weight[g] for g in mine if counts[g] - (g in minus) > 0)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _caption_groups(body: list[Line], captions: set[int]) -> list[list[int]]:
    """A long caption broken over two lines is one caption.

    Where the text layer parts lines with blank ones, the two lines of one text block (a
    caption broken over two) follow each other without one: that settles it. Otherwise
    the widths do (a short rest under a wide first line)."""
    blank_parted = _blank_parted(body)
    groups: list[list[int]] = []
    for i in sorted(captions):
        line = body[i]
        if groups and i - 1 in captions and len(groups[-1]) == 1 and not line.opens_page:
            first = body[groups[-1][0]]
            if blank_parted:
                joined = line.number == first.number + 1
            else:
                joined = (
                    not _CLOSED.search(first.text)
                    and line.width < CONFIG.caption_rest_share * first.width
                    and first.width >= CONFIG.caption_break_width
                )
            if joined:
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def _blocks(body: list[Line], kept: list[int], footer_of: dict[int, int]) -> set[int]:
    """Lines printed as one block of two without a blank line between, where the text
    layer parts every line of running text with one: a caption broken over two lines."""
    if not _blank_parted(body):
        return set()
    out: set[int] = set()
    for i, j in itertools.pairwise(kept):
        if (
            j == i + 1
            and body[j].number == body[i].number + 1
            and i not in footer_of
            and j not in footer_of
            and not body[j].opens_page
        ):
            out.update((i, j))
    return out


def _blank_parted(body: list[Line]) -> bool:
    """Does the text layer print a blank line after most lines?"""
    gaps = sum(b.number > a.number + 1 for a, b in itertools.pairwise(body))
    return gaps * 2 > len(body)


def _split_captions(text: str) -> list[str]:
    """Two captions set side by side on one line are two captions."""
    parts: list[str] = []
    start = 0
    for gap in _CAPTION_GAP.finditer(text):
        left, right = text[gap.start() - 1], text[gap.end()]
        if left.isascii() or right.isascii() or _open_marks(text[: gap.start()]):
            continue
        parts.append(text[start : gap.start()])
        start = gap.end()
    parts.append(text[start:])
    if len(parts) > 1 and all(len(part) >= CONFIG.caption_part_length for part in parts):
        return parts
    return [text]


_OPENERS = "“‘「『《〈（(【"
_CLOSERS = "”’」』》〉）)】"


def _open_marks(text: str) -> bool:
    """Does the text leave a quotation or a bracket open?"""
    return sum(ch in _OPENERS for ch in text) > sum(ch in _CLOSERS for ch in text)


# --- paragraphs and articles ----------------------------------------------------------------


def _paragraphs(
    body: list[Line], flow: list[int], margins: dict[int, float] | None = None
) -> list[Paragraph]:
    """Join the body lines into paragraphs: one ends with its sentence; a numbered measure
    starts its own.

    A sentence that ends exactly at the end of a full line leaves the reader in doubt. Where
    the layout indents paragraphs, the next line settles it: a full line continues the
    paragraph, an indented one starts the next. ``margins``, if given, receives how
    clearly it did (`_break_margin`, by body index): the doubts are read from them.
    """
    widths = [body[i].width for i in flow]
    terminal = [is_terminal(body[i].text) for i in flow]
    indent = _paragraph_indent(widths, terminal)
    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    for k, i in enumerate(flow):
        line = body[i]
        if current is not None and numbered(line.text) and line.indent < 4:
            paragraphs.append(current)
            current = None
        if current is None:
            current = Paragraph([])
        current.units.append(i)
        current.lines.append(line)
        if terminal[k]:
            opening = len(current.units) == 1
            margin = _break_margin(body, flow, widths, terminal, k, indent, opening)
            if margin is not None and numbered(current.lines[0].text):
                margin = None  # an item of a numbered list is one sentence: it ends here
            if margin is not None and margins is not None:
                margins[i] = margin
            if margin is None or margin <= 0:
                paragraphs.append(current)
                current = None
    if current is not None:
        paragraphs.append(current)
    return paragraphs


def _break_margin(
    body: list[Line],
    flow: list[int],
    widths: list[float],
    terminal: list[bool],
    k: int,
    indent: float,
    opening: bool,
) -> float | None:
    """After line k, a sentence's end flush with the column (None: it is not, or nothing
    tells): how much wider than an opening line the next line is (above 0: the paragraph
    goes on; near 0: in doubt). An ``opening`` line is flush a paragraph's indent short."""
    if indent <= 0 or k + 1 >= len(flow) or numbered(body[flow[k + 1]].text):
        return None
    column = _column(widths, terminal, k)
    # An opening line that ends a sentence is flush a paragraph's indent short, exactly:
    # a one-line paragraph may be about that wide too.
    flush = (
        widths[k] >= column - indent - CONFIG.same_width and flow[k + 1] == flow[k] + 1
        if opening
        else widths[k] >= column - indent / 2 or body[flow[k]].justified
    )
    if not flush:
        return None  # a short last line: the paragraph ends
    width, column = widths[k + 1], _column(widths, terminal, k + 1, full=True)
    if terminal[k + 1] and width < column - indent:
        # A short line ending a sentence may as well be the paragraph's last as one of its
        # own: widths cannot tell. The break stands, in doubt.
        return -CONFIG.one_line_margin
    if k + 2 < len(flow) and flow[k + 2] == flow[k + 1] + 1:
        # A line that goes on may be a character short: it went down with a closing mark.
        # Only a line that then fills the column is excused (a full opening line is often
        # followed by such a pair too, printed there by nature).
        carried = _carried_width(body[flow[k + 2]].text)
        if width + carried >= column - CONFIG.same_width:
            width += carried
    return width - (column - indent / 2)


def _column(widths: list[float], terminal: list[bool], k: int, full: bool = False) -> float:
    """The column's width around line k: the middle width of its neighbours that do not end
    a paragraph (a line that keeps punctuation off the next one runs a little wider); if
    ``full``, of those that do not follow a sentence's end either (they may open a
    paragraph, narrower by the indent), looked for further off when too few are near."""
    for reach in (3, *CONFIG.column_reach) if full else (3,):
        near = [
            widths[m]
            for m in [*range(max(0, k - reach), k), *range(k + 1, min(len(widths), k + reach + 1))]
            if not terminal[m] and not (full and m > 0 and terminal[m - 1])
        ]
        if len(near) >= 2:
            break
    median = _median(near)
    if median is None and full:
        # No neighbour is surely full: the column of any line that goes on, never the
        # line's own width (a short line would then seem to fill its column).
        return _column(widths, terminal, k)
    return median or widths[k]


def _paragraph_indent(widths: list[float], terminal: list[bool]) -> float:
    """How much narrower this layout starts a paragraph (0: not at all), measured after
    clearly short last lines."""
    deficits = []
    for k in range(len(widths) - 1):
        if terminal[k] and widths[k] <= _column(widths, terminal, k) - 3:
            deficits.append(_column(widths, terminal, k + 1) - widths[k + 1])
    if len(deficits) < 3:
        return 0.0
    deficits.sort()
    median = deficits[len(deficits) // 2]
    return median if median >= 1.5 else 0.0


def _split_at_pages(
    paragraphs: list[Paragraph], pages: list[int], indent: float
) -> list[Paragraph]:
    """Part a paragraph where a sentence ends at a page's foot and the next page's first line
    is an opening, as that page's own column reads (the lines after it there): the next
    page's article begins. Read across the break, the two columns mix, and an opening of a
    wider column looks like a full line of the narrower one."""
    if indent <= 0:
        return paragraphs
    out: list[Paragraph] = []
    for paragraph in paragraphs:
        start = 0
        for k in range(1, len(paragraph.units)):
            if _opens_page_text(paragraph, k, pages, indent):
                out.append(Paragraph(paragraph.units[start:k], paragraph.lines[start:k]))
                start = k
        if start == 0:
            out.append(paragraph)
        else:
            out.append(Paragraph(paragraph.units[start:], paragraph.lines[start:]))
    return out


def _opens_page_text(paragraph: Paragraph, k: int, pages: list[int], indent: float) -> bool:
    """Is line k of the paragraph, the first on its page after a sentence's end, as much
    short of the column after it as a paragraph's opening?"""
    units, lines = paragraph.units, paragraph.lines
    page = pages[units[k]]
    if page == pages[units[k - 1]] or not is_terminal(lines[k - 1].text):
        return False
    if numbered(lines[k].text):
        return False
    after = [
        line.width
        for unit, line in zip(units[k + 1 :], lines[k + 1 :], strict=True)
        if pages[unit] == page and not is_terminal(line.text) and not line.justified
    ][: CONFIG.page_column_lines]
    column = _median(after)
    if column is None or len(after) < CONFIG.page_column_lines:
        return False
    return lines[k].width <= column - indent + CONFIG.same_width


def _page_groups(
    body: list[Line], paragraphs: list[Paragraph], footer_of: dict[int, int]
) -> list[tuple[int, set[int], set[int]]]:
    """For each paragraph: (page index, articles named by the footers that close that page,
    those named by the next page's footers if the paragraph runs on past this page's)."""
    footer_lines = sorted(footer_of)
    pages: list[set[int]] = []
    page_of_footer: dict[int, int] = {}
    last = None
    for i in footer_lines:
        if last is None or any(
            j not in footer_of and _is_flow_between(body, j) for j in range(last + 1, i)
        ):
            pages.append(set())
        pages[-1].add(footer_of[i])
        page_of_footer[i] = len(pages) - 1
        last = i
    result = []
    for paragraph in paragraphs:
        first = paragraph.units[0]
        following = [page_of_footer[i] for i in footer_lines if i > first]
        page = following[0] if following else len(pages)
        allowed = pages[page] if page < len(pages) else set()
        last = paragraph.units[-1]
        ends = next((page_of_footer[i] for i in footer_lines if i > last), len(pages))
        spill = pages[ends] if page < ends < len(pages) else set()
        result.append((page, allowed, spill))
    return result


def _is_flow_between(body: list[Line], j: int) -> bool:
    return has_prose_punctuation(body[j].text)


def _assign_articles(
    paragraphs: list[Paragraph],
    groups: list[tuple[int, set[int], set[int]]],
    titles: dict[int, str],
    reprinted: set[int],
    grams: _Grams,
    margins: dict[int, tuple[float, int]] | None = None,
) -> list[int]:
    """Give each paragraph its article: a page's paragraphs fall into runs, one per article
    named in its footers, each run echoing its article's title. ``margins``, if given,
    receives for the paragraphs on either side of a cut between two articles how clearly
    the cut stands there and the article each would have with the cut moved by one (by
    paragraph index): doubts can be read from them."""
    if not titles:
        return [0] * len(paragraphs)
    echo = _TitleEcho(titles, grams)
    paragraph_grams = [grams[p.text] for p in paragraphs]
    cohesion = _cohesion(paragraph_grams)
    assignment: list[int] = []
    named = {page: allowed for page, allowed, _ in groups}  # the articles its footers name
    start = 0
    while start < len(paragraphs):
        page, allowed, _ = groups[start]
        end = start
        while end < len(paragraphs) and groups[end][0] == page:
            end += 1
        unused = sorted(set(titles) - set(assignment))
        candidates = sorted(allowed) if allowed else unused or sorted(titles)
        page_paragraphs = paragraphs[start:end]
        leads = [0.5 if p.units[0] in reprinted else 0.0 for p in page_paragraphs]
        ties = [0.0, *cohesion[start + 1 : end]]
        # An article the footers name here and not on the next page is printed here.
        required = allowed - named.get(page + 1, set())
        # Where the page's last paragraph runs on into the next page, the page's last
        # paragraphs may be the first of an article of the next page, threaded onto this
        # one (their later printing dropped as a repeat).
        tail = (groups[end - 1][2] - set(candidates)) if allowed else set()
        cuts: dict[int, tuple[float, int]] | None = {} if margins is not None else None
        assignment.extend(
            _segment(
                paragraph_grams[start:end], leads, ties, candidates, echo, required, tail, cuts
            )
        )
        if margins is not None and cuts:
            margins.update({start + k: value for k, value in cuts.items()})
        start = end
    return assignment


class _TitleEcho:
    """How much of an article's title a text repeats, words rare among the titles weighing
    more (every title of a CEPA bulletin says 經濟局 or 澳門; few say 巴葡)."""

    def __init__(self, titles: dict[int, str], memo: _Grams) -> None:
        self.grams = {n: memo[t] for n, t in titles.items()}
        self.weight = _spread_weights(self.grams.values(), len(titles))
        # Each title's whole weight, summed once rather than for every paragraph it is
        # compared with.
        self.whole = {n: sum(map(self.weight.__getitem__, g)) for n, g in self.grams.items()}

    def __call__(self, article: int, text_grams: set[str]) -> float:
        grams = self.grams[article]
        whole = self.whole[article]
        if not whole:
            return 0.0
        return sum(map(self.weight.__getitem__, grams & text_grams)) / whole


def _cohesion(grams: list[set[str]]) -> list[float]:
    """How much each paragraph (its bigrams) shares with the one before it (names, places,
    terms): two paragraphs of one article share more than the last of one and the first of
    the next. Words common across the whole bulletin count little."""
    weight = _spread_weights(grams, len(grams))
    # Each paragraph's whole weight once, not once as the earlier and once as the later.
    wholes = [sum(map(weight.__getitem__, paragraph)) for paragraph in grams]
    out = [0.0]
    for k in range(1, len(grams)):
        shared = sum(map(weight.__getitem__, grams[k - 1] & grams[k]))
        smaller = min(wholes[k - 1], wholes[k]) or 1.0
        out.append(shared / smaller)
    return out


def _spread_weights(gram_sets: Iterable[set[str]], total: int) -> dict[str, float]:
    """Every gram's weight, log(1 + total / f), f being how many of the sets hold it: the
    rarer, the heavier."""
    frequency = Counter(itertools.chain.from_iterable(gram_sets))
    # Few distinct frequencies: one logarithm each, not one for every gram.
    logs = {f: math.log(1 + total / f) for f in set(frequency.values())}
    return {g: logs[f] for g, f in frequency.items()}


def _segment(
    grams: list[set[str]],
    leads: list[float],
    ties: list[float],
    candidates: list[int],
    echo: _TitleEcho,
    required: set[int] | None = None,
    tail: set[int] | None = None,
    margins: dict[int, tuple[float, int]] | None = None,
) -> list[int]:
    """Best split of a page's paragraphs into runs, one article each (dynamic programming).

    Every paragraph votes for its run's article by how much of the title it echoes, the
    run's first paragraph twice; every run costs a little (`run_cost`), so a page is only
    cut where a new title is echoed, or where a reprint shows that something began
    (``leads``); cutting between two paragraphs that share many words costs more
    (``ties``). An article of ``required`` left without a run costs `named_missing_cost`;
    an article of ``tail`` (the next page's) may take the page's last paragraphs only.
    ``margins`` receives `_cut_margins` of the split found.
    """
    n = len(grams)
    tail = tail or set()
    candidates = [*candidates, *sorted(tail)]
    affinity = {(p, a): echo(a, grams[p]) for p in range(n) for a in candidates}
    if n * len(candidates) > 600:
        # No page is this long: the file has no usable footers. Follow the titles greedily.
        return _follow_titles(n, candidates, affinity)
    prefix = {a: [0.0] for a in candidates}
    for a in candidates:
        for p in range(n):
            prefix[a].append(prefix[a][-1] + affinity[(p, a)])
    # best[(end, used)]: the best runs covering paragraphs [0, end) with articles `used`;
    # an article gets one run per page. (Many candidates — a page with no footers — would
    # make too many states: there only the last article is remembered.)
    exact = len(candidates) <= 6
    State = tuple[int, frozenset[int]]
    best: dict[State, tuple[float, tuple[tuple[int, int], ...]]] = {(0, frozenset()): (0.0, ())}
    for end in range(1, n + 1):
        for (start, used), (score0, runs) in list(best.items()):
            if start >= end:
                continue
            for a in candidates:
                if a in used or (a in tail and end != n):
                    continue  # an article of the next page: the page's last paragraphs only
                score = (
                    score0
                    + affinity[(start, a)]
                    + leads[start]
                    + prefix[a][end]
                    - prefix[a][start]
                    - CONFIG.run_cost
                    - ties[start]
                )
                state = (end, used | {a} if exact else frozenset({a}))
                if score > best.get(state, (-math.inf, ()))[0]:
                    best[state] = (score, (*runs, (start, a)))
    # An article ``required`` on the page that gets no run costs `named_missing_cost` (only
    # counted where every used article is remembered).
    must = (required or set()) if exact else set()
    finals = [
        (score - CONFIG.named_missing_cost * len(must - used), runs)
        for (end, used), (score, runs) in best.items()
        if end == n
    ]
    runs = max(finals, key=lambda value: value[0])[1] if finals else ()
    if not runs:
        return [candidates[0]] * n
    if margins is not None:

        def total(split: tuple[tuple[int, int], ...]) -> float:
            return _split_score(split, n, affinity, leads, ties, prefix) - (
                CONFIG.named_missing_cost * len(must - {a for _, a in split})
            )

        margins.update(_cut_margins(runs, n, total))
    out = [0] * n
    bounds = [start for start, _ in runs] + [n]
    for (start, a), stop in zip(runs, bounds[1:], strict=True):
        out[start:stop] = [a] * (stop - start)
    return out


def _split_score(
    runs: tuple[tuple[int, int], ...],
    n: int,
    affinity: dict[tuple[int, int], float],
    leads: list[float],
    ties: list[float],
    prefix: dict[int, list[float]],
) -> float:
    """A split's score as `_segment` adds it up, run by run."""
    bounds = [start for start, _ in runs] + [n]
    return sum(
        affinity[(start, a)]
        + leads[start]
        + prefix[a][stop]
        - prefix[a][start]
        - CONFIG.run_cost
        - ties[start]
        for (start, a), stop in zip(runs, bounds[1:], strict=True)
    )


def _cut_margins(
    runs: tuple[tuple[int, int], ...],
    n: int,
    total: Callable[[tuple[tuple[int, int], ...]], float],
) -> dict[int, tuple[float, int]]:
    """For the paragraphs on either side of each cut between two runs: how much the split
    scores above the same split with that cut moved by one paragraph (which gives the
    paragraph to the other article), and that other article."""
    best = total(runs)
    bounds = [start for start, _ in runs] + [n]
    out: dict[int, tuple[float, int]] = {}
    for r in range(1, len(runs)):
        cut, a = runs[r]
        before = runs[r - 1][1]
        # The cut one later: paragraph `cut` goes with the article before; one earlier: the
        # paragraph before it goes with the article after. Neither may empty a run.
        moves = []
        if bounds[r + 1] - cut >= 2:
            moves.append((cut, before, (*runs[:r], (cut + 1, a), *runs[r + 1 :])))
        if cut - runs[r - 1][0] >= 2:
            moves.append((cut - 1, a, (*runs[:r], (cut - 1, a), *runs[r + 1 :])))
        for paragraph, rival, moved in moves:
            margin = best - total(moved)
            if paragraph not in out or margin < out[paragraph][0]:
                out[paragraph] = (margin, rival)
    return out


def _page_numbers(body: list[Line], footer_of: dict[int, int]) -> list[int]:
    """For every body line: its page (0, 1, …), a page ending with its block of footers."""
    pages = []
    page = 0
    for i in range(len(body)):
        if i > 0 and i - 1 in footer_of and i not in footer_of:
            page += 1
        pages.append(page)
    return pages


def _page_articles(
    pages: list[int], footer_of: dict[int, int], line_article: dict[int, int]
) -> dict[int, set[int]]:
    """For every page: the articles printed on it (named by its footers or present by their
    text, first printing or reprint)."""
    out: dict[int, set[int]] = defaultdict(set)
    for i, n in footer_of.items():
        out[pages[i]].add(n)
    for i, n in line_article.items():
        out[pages[i]].add(n)
    return out


def _follow_titles(
    n: int, candidates: list[int], affinity: dict[tuple[int, int], float]
) -> list[int]:
    """Each paragraph stays with the current article until another title is echoed clearly."""
    current = candidates[0]
    out = []
    for p in range(n):
        top = max(candidates, key=lambda a: (affinity[(p, a)], -a))
        if affinity[(p, top)] >= 0.5 and affinity[(p, top)] > affinity[(p, current)]:
            current = top
        out.append(current)
    return out


def _assign_captions(
    groups: list[list[int]],
    body: list[Line],
    by_article: dict[int, list[Paragraph]],
    titles: dict[int, str],
    pages: list[int],
    page_articles: dict[int, set[int]],
    line_article: dict[int, int],
    memo: _Grams,
) -> tuple[list[int], list[int | None]]:
    """A caption goes to an article of its page or of the page before (a photo may stand a
    page after its article's text): to the one whose rare words it shares clearly most, or,
    where its words do not tell, to the article whose text stands around it (unless its
    words point clearly elsewhere). Beside each
    article: the one it may belong to instead, where the evidence is close, or where the
    caption repeats a run of words of a caption placed by its words in another article."""
    if not titles:
        return [0] * len(groups), [None] * len(groups)
    article_grams = {
        n: memo.joined([titles[n], *(p.text for p in by_article.get(n, []))]) for n in titles
    }
    frequency = Counter(itertools.chain.from_iterable(article_grams.values()))
    total = len(titles)
    ordered = sorted(line_article)
    out: list[int] = []
    rivals: list[int | None] = []  # the article a caption may belong to instead, if any
    texts = [join_lines([body[i].text for i in group]) for group in groups]
    by_words: list[bool] = []
    for group, text in zip(groups, texts, strict=True):
        by_words.append(False)
        grams = bigrams(text)
        page = pages[group[0]]
        near_pages = (page - 1, page)
        candidates = sorted(
            set().union(*(page_articles.get(p, set()) for p in near_pages)) & set(titles)
        ) or sorted(titles)
        rarity = {g: math.log(1 + total / frequency[g]) for g in grams if frequency.get(g)}
        scores = {n: sum(w for g, w in rarity.items() if g in article_grams[n]) for n in candidates}
        unique = {
            n: sum(1 for g in rarity if frequency[g] == 1 and g in article_grams[n])
            for n in candidates
        }
        ranked = sorted(candidates, key=lambda n: (-scores[n], n))
        top = ranked[0]
        second = scores[ranked[1]] if len(ranked) > 1 else 0.0
        sides = _caption_sides(group, ordered, line_article, pages)
        # Set between two lines of one article's text, a caption goes to an article not on
        # its page only if its words weigh heavily there (`caption_enclosed_weight`).
        held = (
            len(sides) == 2
            and sides[0] == sides[1] != top
            and top not in page_articles.get(page, set())
        )
        strong = not held or scores[top] >= CONFIG.caption_enclosed_weight
        if unique[top] >= 2 and scores[top] >= CONFIG.caption_word_margin * second + 1.0 and strong:
            by_words[-1] = True
            out.append(top)
            close = second >= CONFIG.caption_doubt_share * scores[top]
            rivals.append(ranked[1] if close else None)
            continue
        if sides and all(x == sides[0] for x in sides):
            side = sides[0]
            if (
                top != side
                and strong
                and (len(sides) < 2 or scores[top] >= CONFIG.caption_enclosed_weight)
                and unique[top] >= 1
                and unique.get(side, 0) == 0
                and scores[top] >= CONFIG.caption_over_position * scores[side] + 1.0
                and scores[top] >= CONFIG.caption_over_position_weight
            ):
                out.append(top)  # its words outweigh where it stands
                rivals.append(side)
                continue
            out.append(side)
            # Its words point elsewhere, if not clearly (the article around it shares at
            # least the doubt share of their weight): say so.
            contest = scores[side] >= CONFIG.caption_doubt_share * scores[top]
            rivals.append(top if scores[top] > scores[side] + 1e-9 and contest else None)
            continue
        best = [n for n in ranked if scores[n] >= scores[top] - 1e-9]
        near = next((x for x in sides if x in best), None)
        chosen = near if near is not None else top
        out.append(chosen)
        others = [x for x in [*sides, *ranked[:2]] if x != chosen]
        rivals.append(others[0] if others else None)
    if CONFIG.caption_kin_doubts:
        _name_kin(texts, out, rivals, by_words, set().union(*article_grams.values()))
    return out, rivals


def _caption_sides(
    group: list[int], ordered: list[int], line_article: dict[int, int], pages: list[int]
) -> list[int]:
    """The articles whose body text stands right before and right after a caption on its
    page (none at the page's edge)."""
    page = pages[group[0]]
    k = bisect.bisect_left(ordered, group[0])
    m = bisect.bisect_right(ordered, group[-1])
    near = [ordered[k - 1]] if k > 0 else []
    near += [ordered[m]] if m < len(ordered) else []
    return [line_article[i] for i in near if pages[i] == page]


def _name_kin(
    texts: list[str], out: list[int], rivals: list[int | None], by_words: list[bool], said: set[str]
) -> None:
    """Beside a caption (where nothing else is), the article of a caption placed by its words
    whose run of words it repeats. The photos of one event are captioned alike (世贸专家讲者
    in two captions), but a run may also be a way of speaking (发表主题演讲): the text cannot
    tell, so it is a doubt, not a move (moving by them put more captions wrong on the tune
    range). Words of the articles' text are no sign: only what captions alone say."""
    # What captions alone say, per caption: two that share too little of it are let be
    # before their runs are looked for.
    alone = [bigrams(text) - said for text in texts]
    for k, text in enumerate(texts):
        if rivals[k] is not None:
            continue
        rivals[k] = next(
            (
                out[j]
                for j, other in enumerate(texts)
                if by_words[j]
                and out[j] != out[k]
                and len(alone[j] & alone[k]) >= CONFIG.caption_kin_words
                and any(
                    len(bigrams(run) - said) >= CONFIG.caption_kin_words
                    for run in _shared_runs(other, text, CONFIG.caption_kin_run)
                )
            ),
            None,
        )


def _shared_runs(a: str, b: str, least: int) -> list[str]:
    """The runs of at least ``least`` characters that ``a`` and ``b`` both hold (maximal)."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return [a[m.a : m.a + m.size] for m in matcher.get_matching_blocks() if m.size >= least]
