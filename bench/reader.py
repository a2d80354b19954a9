"""The reader against generated bulletins whose every line is known (tests/bulletin_maker.py).

    python bench/reader.py --range tune          # seeds 0–299: tune on these
    python bench/reader.py --range holdout       # seeds 100000–100599: report on these
    python bench/reader.py --seeds 0:50 --jobs 2
    python bench/reader.py --list                # tune only: the issues not read exactly
    python bench/reader.py --show 17             # tune only: one issue, line by line

Each issue is read by the real reader (``read.decode`` → ``parse.read_text``) and compared
with the truth: the articles (title, paragraphs, paragraph breaks, captions and which article
holds each), the issue number, summary and contact. Every fault is tied to the raw lines it
concerns; a warning of the reader "covers" a fault when its line is within 3 raw lines of one
of them. One table is printed; nothing is asserted.

Text is compared as the layout tests compare it: a space beside a Chinese character is not
significant (a line break may swallow it, the PDF shows none at a line's end); spaces between
Latin words and numbers are. Captions are compared per article as a multiset (their order on
the page is not their order in the article).

The holdout range is for reporting only: ``--show`` and ``--list`` refuse it, so that nobody
looks at its issues while tuning the reader.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the generator lives with the tests

from bulletin_maker import Issue, Piece, make_issue  # noqa: E402
from bulletin_site.model import Bulletin, Reading  # noqa: E402
from bulletin_site.parse import read_text  # noqa: E402
from bulletin_site.read import decode  # noqa: E402

RANGES = {"tune": range(0, 300), "holdout": range(100_000, 100_600)}
NEAR = 3  # a warning covers a fault within this many raw lines

# Fault kinds, in the order the table prints them.
KINDS = {
    "body-as-caption": "a body line taken as a caption",
    "caption-in-paragraph": "a caption read as body text",
    "caption-wrong-article": "a caption given to the wrong article",
    "break-added": "a paragraph break inside a paragraph",
    "break-missed": "two paragraphs run together",
    "text-lost": "text in no article (dropped as a repeat, a footer, …)",
    "text-repeated": "text kept twice",
    "text-wrong-article": "body text given to the wrong article",
    "caption-cut": "a caption read as two, or two captions as one",
    "title-wrong": "an article's title",
    "cover-wrong": "issue number, summary or contact",
    "other": "the text differs in another way",
}


# --- comparing --------------------------------------------------------------------------------


def canonical(text: str) -> str:
    """Text up to the spaces beside Chinese characters (as tests/test_parse_layouts.py)."""
    text = re.sub(r"[ \t\u3000]+", " ", text.strip())
    return re.sub(r" +(?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) +", "", text)


def warning_line(warning: object) -> int | None:
    """The raw line a warning names: a ``line`` attribute, or a ``line N:`` prefix."""
    line = getattr(warning, "line", None)
    if isinstance(line, int):
        return line
    match = re.match(r"\s*line (\d+)\b", str(warning))
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Fault:
    kind: str
    article: int | None
    lines: tuple[int, ...]  # the raw lines it concerns
    note: str = ""
    touches: tuple[int, ...] = ()  # other articles whose text it changes
    span: tuple[int, int] | None = None  # body lines: first and last line of the article


def merged(faults: list[Fault]) -> list[Fault]:
    """A run of consecutive body lines with the same fault (a paragraph given to the wrong
    article, four lines taken as captions) is one fault."""
    out: list[Fault] = []
    for f in faults:
        last = out[-1] if out else None
        if (
            last is not None
            and f.span is not None
            and last.span is not None
            and (f.kind, f.article, f.touches) == (last.kind, last.article, last.touches)
            and f.span[0] == last.span[1] + 1
        ):
            out[-1] = dataclasses.replace(
                last, lines=last.lines + f.lines, span=(last.span[0], f.span[1])
            )
        else:
            out.append(f)
    return out


@dataclass
class Label:
    """What the reader did with one raw line (from its conservation report)."""

    role: str
    article: int | None = None
    index: int | None = None  # ¶ or caption number (1-based), or the line it repeats


_TARGET = re.compile(r"article (\d+)(?: (?:¶(\d+)|caption (\d+)))?")


def labels(reading: Reading) -> dict[int, Label]:
    out = {}
    for trace in reading.report:
        if not trace.line:
            continue
        label = Label(trace.role)
        match = _TARGET.match(trace.target or "")
        if match:
            label.article = int(match.group(1))
            index = match.group(2) or match.group(3)
            label.index = int(index) if index else None
        elif trace.role == "repeat":
            found = re.search(r"(\d+)", trace.target)
            label.index = int(found.group(1)) if found else None
        out[trace.line] = label
    return out


@dataclass
class Verdict:
    seed: int
    exact: bool
    articles: int
    articles_exact: int
    faults: list[Fault]
    warnings: list[tuple[int | None, str]]
    uncovered: list[Fault]
    breaks_true: int = 0  # paragraph breaks found where the truth has them
    breaks_truth: int = 0
    captions: int = 0
    captions_right: int = 0
    cpu: float = 0.0

    @property
    def silent(self) -> bool:
        return not self.exact and bool(self.uncovered or not self.faults)

    @property
    def false_alarm(self) -> bool:
        return self.exact and bool(self.warnings)


def judge(issue: Issue, reading: Reading) -> Verdict:
    doc = reading.document
    seen = labels(reading)
    faults: list[Fault] = []
    pieces = issue.pieces
    by_line: dict[int, list[Piece]] = defaultdict(list)
    for piece in pieces:
        for printing in piece.printings:
            for line in printing:
                by_line[line].append(piece)

    if not isinstance(doc, Bulletin):
        first = min((ln for p in pieces for pr in p.printings for ln in pr), default=1)
        fault = Fault("other", None, (first,), f"read as a {doc.kind}")
        return Verdict(issue.seed, False, len(issue.articles), 0, [fault], [], [fault])

    # Body lines: each must be kept once, in a paragraph of its article.
    line_faults: list[Fault] = []
    for piece in pieces:
        if piece.kind != "body":
            continue
        right, wrong, caption = [], [], []
        others: set[int] = set()
        for printing in piece.printings:
            label = seen.get(printing[0], Label("missing"))
            if label.role == "paragraph":
                (right if label.article == piece.article else wrong).append(printing[0])
            elif label.role == "caption":
                caption.append(printing[0])
            if label.role in ("paragraph", "caption") and label.article != piece.article:
                others.add(label.article or 0)
        everywhere = tuple(ln for pr in piece.printings for ln in pr)
        kept = right + caption + wrong
        touches = tuple(sorted(others))
        span = (piece.line or 0, piece.line or 0)
        if not kept:
            line_faults.append(Fault("text-lost", piece.article, everywhere, piece.text, span=span))
            continue
        if not right:
            kind = "body-as-caption" if caption else "text-wrong-article"
            lines = tuple(caption or wrong)
            line_faults.append(Fault(kind, piece.article, lines, piece.text, touches, span))
        if len(kept) > 1:
            line_faults.append(
                Fault("text-repeated", piece.article, tuple(kept[1:]), piece.text, touches, span)
            )
    for kind in ("text-lost", "body-as-caption", "text-wrong-article", "text-repeated"):
        faults += merged([f for f in line_faults if f.kind == kind])

    # Captions: each once, as a caption of its article.
    captions = captions_right = 0
    for piece in pieces:
        if piece.kind != "caption":
            continue
        captions += 1
        (printing,) = piece.printings
        roles = [seen.get(line, Label("missing")) for line in printing]
        touches = tuple(
            sorted({x.article or 0 for x in roles if x.role in ("paragraph", "caption")})
        )
        if any(label.role == "paragraph" for label in roles):
            faults.append(
                Fault("caption-in-paragraph", piece.article, printing, piece.text, touches)
            )
        elif any(label.role == "caption" and label.article != piece.article for label in roles):
            faults.append(
                Fault("caption-wrong-article", piece.article, printing, piece.text, touches)
            )
        elif not all(label.role == "caption" for label in roles):
            faults.append(Fault("text-lost", piece.article, printing, piece.text))
        else:
            captions_right += 1

    # Paragraph breaks, from the reader's paragraphs as sequences of the truth's lines.
    paragraphs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for line, label in seen.items():
        if label.role == "paragraph" and label.article is not None and label.index is not None:
            paragraphs[(label.article, label.index)].append(line)
    body_at = {line: piece for line, ps in by_line.items() for piece in ps if piece.kind == "body"}
    breaks_true = breaks_truth = 0
    for piece in pieces:
        if piece.kind == "body" and piece.first and piece.paragraph:
            breaks_truth += 1
    for (article, index), lines in sorted(paragraphs.items()):
        lines.sort()
        sequence = [body_at.get(line) for line in lines]
        for k in range(1, len(sequence)):
            before, here = sequence[k - 1], sequence[k]
            if _follows(before, here) and here is not None and here.first:
                faults.append(Fault("break-missed", article, (lines[k - 1], lines[k]), here.text))
        previous = paragraphs.get((article, index - 1))
        if previous and sequence and sequence[0] is not None:
            before = body_at.get(max(previous))
            here = sequence[0]
            if _follows(before, here):
                if here.first:
                    breaks_true += 1
                else:
                    faults.append(
                        Fault("break-added", article, (max(previous), lines[0]), here.text)
                    )

    # Titles, cover.
    truth = {a.number: a for a in issue.articles}
    got = {a.number: a for a in doc.articles}
    contents_lines = {
        p.article: p.printings[0] for p in pieces if p.kind == "contents" and p.printings
    }
    for number, article in truth.items():
        if number not in got or canonical(got[number].title) != canonical(article.title):
            faults.append(
                Fault("title-wrong", number, contents_lines.get(number, ()), article.title)
            )
    if set(got) - set(truth):
        extra = sorted(set(got) - set(truth))
        faults.append(Fault("other", None, (1,), f"articles {extra} do not exist"))
    summary_lines = [p.printings[0] for p in pieces if p.kind == "summary"]
    contact_lines = [p.printings[0] for p in pieces if p.kind == "contact"]
    if doc.number != issue.number:
        where = summary_lines[0][:1] if summary_lines else (1,)
        faults.append(Fault("cover-wrong", None, where, f"number {doc.number} ≠ {issue.number}"))
    if [canonical(s) for s in doc.summary] != [canonical(s) for s in issue.summary]:
        where = tuple(ln for pr in summary_lines for ln in pr) or (1,)
        faults.append(Fault("cover-wrong", None, where, "summary"))
    if canonical(doc.contact or "") != canonical(issue.contact or ""):
        where = tuple(ln for pr in contact_lines for ln in pr) or (1,)
        faults.append(Fault("cover-wrong", None, where, "contact"))

    # The articles as printed in the document.
    exact_articles = 0
    for number, article in truth.items():
        mine = got.get(number)
        same = (
            mine is not None
            and canonical(mine.title) == canonical(article.title)
            and [canonical(p) for p in mine.paragraphs]
            == [canonical(p) for p in article.paragraphs]
            and sorted(map(canonical, mine.captions)) == sorted(map(canonical, article.captions))
        )
        exact_articles += same
        if not same and not any(number in (f.article, *f.touches) for f in faults):
            faults.append(_other(issue, number, mine))
    exact = exact_articles == len(truth) and not faults

    warnings = [(warning_line(w), str(w)) for w in doc.warnings]
    lines_warned = [line for line, _ in warnings if line is not None]
    uncovered = [
        f
        for f in faults
        if not any(abs(w - line) <= NEAR for w in lines_warned for line in f.lines)
    ]
    if exact:
        uncovered = []
    return Verdict(
        issue.seed,
        exact,
        len(truth),
        exact_articles,
        faults if not exact else [],
        warnings,
        uncovered,
        breaks_true,
        breaks_truth,
        captions,
        captions_right,
    )


def _follows(before: Piece | None, here: Piece | None) -> bool:
    """Is ``here`` the line printed right after ``before`` in the same article?"""
    return (
        before is not None
        and here is not None
        and before.article == here.article
        and before.line is not None
        and here.line == before.line + 1
    )


def _other(issue: Issue, number: int, mine) -> Fault:
    """A difference no line-level check explains (two captions read as one, a space…): tied to
    the first paragraph or caption that differs."""
    article = next(a for a in issue.articles if a.number == number)
    pieces = [p for p in issue.pieces if p.article == number]
    if mine is None:
        return Fault("other", number, pieces[0].printings[0] if pieces else (1,), "missing")
    want = [canonical(p) for p in article.paragraphs]
    have = [canonical(p) for p in mine.paragraphs]
    for k, (a, b) in enumerate(zip(want, have, strict=False)):
        if a != b:
            lines = tuple(
                ln for p in pieces if p.kind == "body" and p.paragraph == k for ln in p.printings[0]
            )
            return Fault("other", number, lines or (1,), f"¶{k + 1}: {b[:30]} ≠ {a[:30]}")
    if len(want) != len(have):
        lines = tuple(ln for p in pieces if p.kind == "body" for ln in p.printings[0])
        return Fault("other", number, lines[-1:] or (1,), f"{len(have)} ¶ ≠ {len(want)}")
    lines = tuple(ln for p in pieces if p.kind == "caption" for ln in p.printings[0])
    kind = "other"
    if sorted("".join(mine.captions).replace(" ", "")) == sorted(
        "".join(article.captions).replace(" ", "")
    ):
        kind = "caption-cut"  # a caption read as two, or two as one
    return Fault(kind, number, lines or (1,), f"captions {list(mine.captions)}")


def read(issue: Issue) -> tuple[Reading, float]:
    start = time.process_time()
    reading = read_text(decode(issue.data, issue.name), issue.name)
    return reading, time.process_time() - start


def evaluate(seed: int) -> Verdict:
    issue = make_issue(seed)
    reading, cpu = read(issue)
    verdict = judge(issue, reading)
    verdict.cpu = cpu
    return verdict


# --- the table --------------------------------------------------------------------------------


@dataclass
class Totals:
    issues: int = 0
    exact: int = 0
    articles: int = 0
    articles_exact: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    silent: int = 0
    false_alarms: int = 0
    warned: int = 0
    breaks_true: int = 0
    breaks_truth: int = 0
    breaks_added: int = 0
    captions: int = 0
    captions_right: int = 0
    cpu: float = 0.0

    def add(self, v: Verdict) -> None:
        self.issues += 1
        self.exact += v.exact
        self.articles += v.articles
        self.articles_exact += v.articles_exact
        self.kinds.update(f.kind for f in v.faults)
        self.silent += v.silent
        self.false_alarms += v.false_alarm
        self.warned += bool(v.warnings)
        self.breaks_true += v.breaks_true
        self.breaks_truth += v.breaks_truth
        self.breaks_added += sum(f.kind == "break-added" for f in v.faults)
        self.captions += v.captions
        self.captions_right += v.captions_right
        self.cpu += v.cpu

    def rows(self) -> list[tuple[str, str]]:
        def share(a: int, b: int) -> str:
            return f"{a:,} / {b:,} ({100 * a / b:.1f}%)" if b else f"{a} / {b}"

        wrong = self.issues - self.exact
        missed = self.breaks_truth - self.breaks_true
        f1 = (
            2 * self.breaks_true / (2 * self.breaks_true + self.breaks_added + missed)
            if self.breaks_truth
            else 1.0
        )
        rows = [
            ("issues", f"{self.issues:,}"),
            ("issues exact", share(self.exact, self.issues)),
            ("articles exact", share(self.articles_exact, self.articles)),
            ("captions in their article", share(self.captions_right, self.captions)),
            ("paragraph breaks F1", f"{f1:.3f}"),
        ]
        rows += [(f"faults: {kind}", f"{self.kinds[kind]:,}") for kind in KINDS]
        rows += [
            ("silent failures (not exact, a fault unwarned)", share(self.silent, wrong)),
            ("false alarms (exact, warned)", share(self.false_alarms, self.exact)),
            ("issues with a warning", f"{self.warned:,}"),
            ("reader CPU per bulletin", f"{1000 * self.cpu / max(self.issues, 1):.1f} ms"),
        ]
        return rows


def table(columns: list[tuple[str, Totals]]) -> str:
    head = "| measure | " + " | ".join(name for name, _ in columns) + " |"
    rule = "|---|" + "---:|" * len(columns)
    rows = [t.rows() for _, t in columns]
    body = [
        f"| {label} | " + " | ".join(r[k][1] for r in rows) + " |"
        for k, (label, _) in enumerate(rows[0])
    ]
    return "\n".join([head, rule, *body])


def run(seeds: Iterable[int], jobs: int) -> tuple[Totals, list[Verdict]]:
    seeds = list(seeds)
    totals = Totals()
    verdicts = []
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for verdict in pool.imap(evaluate, seeds, chunksize=8):
                totals.add(verdict)
                verdicts.append(verdict)
    else:
        for seed in seeds:
            verdict = evaluate(seed)
            totals.add(verdict)
            verdicts.append(verdict)
    return totals, verdicts


# --- looking at one issue (tune range only) ----------------------------------------------------


def show(seed: int) -> str:
    issue = make_issue(seed)
    reading, _ = read(issue)
    verdict = judge(issue, reading)
    seen = labels(reading)
    out = [
        f"seed {seed}: {issue.script}, {issue.mode}, {len(issue.articles)} articles, "
        f"number {issue.number}, exact: {verdict.exact}",
        f"style: {issue.style}",
        "pages:",
        *(f"  {k + 1}: " + "  ".join(page) for k, page in enumerate(issue.pages)),
        "",
    ]
    raw = issue.text.split("\n")
    for number, text in enumerate(raw, start=1):
        if not text.strip():
            continue
        truth = "; ".join(_describe(p, number) for p in issue.pieces_on(number))
        label = seen.get(number)
        got = f"{label.role} {label.article or ''}:{label.index or ''}" if label else "-"
        out.append(f"{number:>5} {truth:<22.22} {got:<16.16} {text}")
    out.append("")
    out.append("faults:")
    for f in verdict.faults:
        covered = "" if f not in verdict.uncovered else "  (no warning near)"
        out.append(
            f"  {f.kind:<22} article {f.article} lines {list(f.lines)} {f.note[:40]}{covered}"
        )
    out.append("warnings:")
    out += [f"  {w}" for _, w in verdict.warnings]
    return "\n".join(out)


def _describe(piece: Piece, line: int) -> str:
    if piece.kind == "body":
        again = "" if piece.printings[0][0] == line else " again"
        return f"{piece.article}¶{piece.paragraph + 1}.{piece.line}{again}"
    if piece.kind == "caption":
        return f"caption {piece.article}"
    if piece.kind in ("footer", "contents"):
        return f"{piece.kind} {piece.article}"
    return piece.kind


def _in_holdout(seeds: Iterable[int]) -> bool:
    holdout = RANGES["holdout"]
    return any(s in holdout for s in seeds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--range", choices=sorted(RANGES), default="tune")
    parser.add_argument("--seeds", help="A:B, instead of a named range")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--show", type=int, metavar="SEED", help="one issue, line by line")
    parser.add_argument("--list", action="store_true", help="the issues not read exactly")
    args = parser.parse_args(argv)
    if args.seeds:
        a, b = (int(x) for x in args.seeds.split(":"))
        seeds = range(a, b)
    else:
        seeds = RANGES[args.range]
    if args.show is not None:
        if _in_holdout([args.show]):
            parser.error("--show is for the tune range: the holdout stays unseen")
        print(show(args.show))
        return 0
    if args.list and _in_holdout(seeds):
        parser.error("--list is for the tune range: the holdout stays unseen")
    started = time.monotonic()
    totals, verdicts = run(seeds, args.jobs)
    if args.list:
        for v in verdicts:
            if not v.exact:
                kinds = Counter(f.kind for f in v.faults)
                mark = "silent" if v.silent else "warned"
                print(f"{v.seed:>7} {mark}  " + ", ".join(f"{k}×{n}" for k, n in kinds.items()))
    name = args.seeds or args.range
    print(f"seeds {seeds.start}–{seeds.stop - 1} ({name}), {time.monotonic() - started:.0f} s wall")
    print(table([(name, totals)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
