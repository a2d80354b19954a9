"""Corrections: the reader's output as a file an editor can change, read back exactly; every
mistake in it reported at its line; a changed raw file noticed; nothing ever overwritten."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin_site.corrections import (
    export,
    export_text,
    load_corrections,
    parse_correction,
    sha256,
)
from bulletin_site.errors import InputError
from bulletin_site.kinds import KINDS
from bulletin_site.model import Article, Bulletin, Item, Page, Plan, Section
from bulletin_site.parse import read_document

ROOT = Path(__file__).resolve().parents[1]
FORMATS = KINDS.correction_formats()
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SHA = sha256(b"the raw file")


def round_trip(doc: Bulletin | Plan | Page) -> Bulletin | Plan | Page:
    stem = doc.source.removesuffix(".txt")
    correction, problems = parse_correction(
        export_text(doc, KINDS.of(doc).correction, SHA, doc.source), stem, "x.md", FORMATS
    )
    assert [p for p in problems if p.severity == "error"] == []
    assert correction is not None
    return correction.document


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_every_seed_comes_back_from_its_correction_exactly(seed: Path) -> None:
    doc = read_document(seed).document
    assert round_trip(doc) == dataclasses.replace(doc, warnings=())


# Text as the reader gives it: one line, no blanks at the ends; with the characters that mean
# something in a correction file (# > \ "12. " 圖：) anywhere, at the start too.
line_text = (
    st.text(
        alphabet=st.sampled_from(list("經濟局澳門 CEPA2019年。，“”#>\\.12圖：图:-")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
articles = st.lists(
    st.tuples(line_text, st.lists(line_text, max_size=4), st.lists(line_text, max_size=3)),
    min_size=1,
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(
    summary=st.lists(line_text, max_size=3),
    contact=st.none() | line_text,
    number=st.none() | st.integers(1, 999),
    script=st.sampled_from(["hant", "hans"]),
    parts=articles,
)
def test_any_bulletin_comes_back_exactly(
    summary: list[str],
    contact: str | None,
    number: int | None,
    script: str,
    parts: list[tuple[str, list[str], list[str]]],
) -> None:
    doc = Bulletin(
        source="123_x.txt",
        script=script,
        number=number,
        summary=tuple(summary),
        contact=contact,
        articles=tuple(
            Article(n, title, tuple(paragraphs), tuple(captions))
            for n, (title, paragraphs, captions) in enumerate(parts, start=1)
        ),
    )
    assert round_trip(doc) == doc


@settings(max_examples=100, deadline=None)
@given(
    title=line_text,
    intro=st.lists(line_text, max_size=3),
    sections=st.lists(
        st.tuples(line_text, st.integers(1, 2), st.lists(line_text, max_size=3)), max_size=4
    ),
)
def test_any_plan_comes_back_exactly(
    title: str, intro: list[str], sections: list[tuple[str, int, list[str]]]
) -> None:
    numbers = iter(range(1, 100))
    doc = Plan(
        source="123_x.txt",
        script="hans",
        title=title,
        intro=tuple(intro),
        sections=tuple(
            Section(heading, tuple(Item(next(numbers), text) for text in items), level)
            for heading, level, items in sections
        ),
    )
    assert round_trip(doc) == doc


def test_a_page_keeps_its_markdown_byte_for_byte() -> None:
    doc = Page("9_p.txt", "hant", "區域合作", "區域合作\n\n- 一  \n- 二\n\n## 小節\n\n---\n")
    assert round_trip(doc) == doc


def test_what_an_editor_may_write_is_understood() -> None:
    text = "\n".join(
        [
            "---",
            "kind: bulletin",
            "script: hant",
            f"source_sha256: {SHA}",
            "number: 71",
            "articles: 2",
            "contact:",
            "---",
            "導讀一段。",
            "## 1 標題一",  # no dot after the number
            "第一段，寫在",  # a paragraph wrapped over three lines
            "三行裡的 CEPA",
            "Agreement 文字。",
            "> 圖：第一張",
            ">第二張",  # no prefix, no space
            "##2、標題二",
            "",
            "\\## 不是標題",
        ]
    )
    correction, problems = parse_correction(text, "071_x", "c.md", FORMATS)
    assert problems == []
    assert correction is not None
    assert correction.document == Bulletin(
        source="071_x.txt",
        script="hant",
        number=71,
        summary=("導讀一段。",),
        contact=None,
        articles=(
            Article(
                1, "標題一", ("第一段，寫在三行裡的 CEPA Agreement 文字。",), ("第一張", "第二張")
            ),
            Article(2, "標題二", ("## 不是標題",)),
        ),
    )


def test_every_mistake_is_reported_at_its_line() -> None:
    text = "\n".join(
        [
            "---",  # 1
            "kind: bulletin",  # 2
            "script: hant",  # 3
            "source_sha256: abc",  # 4
            "numbr: 3",  # 5
            "number: -1",  # 6
            "articles: 1",  # 7
            "---",  # 8
            "> 圖：before any article",  # 9
            "## 1. 一",  # 10
            "## 標題沒有編號",  # 11
            "## 1. 又是一",  # 12
            ">",  # 13
        ]
    )
    correction, problems = parse_correction(text, "x", "content/corrections/x.md", FORMATS)
    assert correction is None
    assert [str(p) for p in problems] == [
        "content/corrections/x.md:5: error: unknown key 'numbr'; did you mean 'number'?",
        "content/corrections/x.md:4: error: source_sha256 must be 64 hexadecimal digits "
        "(written by export)",
        "content/corrections/x.md:6: error: number must be a whole number above 0 or empty, not -1",
        "content/corrections/x.md:9: error: a caption before the first article",
        "content/corrections/x.md:11: error: expected an article heading like `## 3. Title`",
        "content/corrections/x.md:12: error: article 1 again (first at line 10)",
        "content/corrections/x.md:13: error: an empty caption",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: bulletin\n", "c.md:1: error: must begin with a --- line (the front matter)"),
        ("---\nkind: bulletin\n", "c.md:1: error: the front matter has no closing --- line"),
        ("---\nkind: [\n---\n", "c.md:2: error: invalid YAML: expected the node content"),
        ("---\nkind: issue\n---\n", "c.md:2: error: kind must be one of bulletin, plan, page"),
        ("---\nkind: page\nscript: hant\n---\n", "c.md:1: error: title must be text, not None"),
        (
            "---\nkind: plan\nscript: hans\ntitle: 計劃\n---\n1. 沒有分節的項目\n",
            "c.md:6: error: an item before the first ## section",
        ),
        (
            "---\nkind: plan\nscript: hans\ntitle: 計劃\n---\n## 一、節\n\n不是項目的段落\n",
            "c.md:8: error: inside a section every block is an item, `12. text`",
        ),
    ],
)
def test_broken_files_say_where(text: str, message: str) -> None:
    correction, problems = parse_correction(text, "x", "c.md", FORMATS)
    assert correction is None
    assert any(str(p).startswith(message) for p in problems), [str(p) for p in problems]


def test_a_changed_raw_file_is_a_warning_that_names_the_new_hash(project: Path) -> None:
    seed = project / "seeds" / "000_7c1a5d4148a0e861.txt"
    export(project, "000_7c1a5d4148a0e861", KINDS)
    corrections, problems = load_corrections(
        project, {seed.stem: sha256(seed.read_bytes())}, FORMATS
    )
    assert list(corrections) == [seed.stem] and problems == []

    seed.write_bytes(seed.read_bytes() + "補充一行。\n".encode())
    corrections, problems = load_corrections(
        project, {seed.stem: sha256(seed.read_bytes())}, FORMATS
    )
    assert list(corrections) == [seed.stem]  # still published
    [warning] = problems
    assert warning.severity == "warning"
    assert warning.path == "content/corrections/000_7c1a5d4148a0e861.md"
    text = (project / warning.path).read_text("utf-8").splitlines()
    assert text[warning.line - 1].startswith("source_sha256: ")
    assert f"set source_sha256: {sha256(seed.read_bytes())}" in warning.message


def test_a_correction_without_its_seed_is_ignored_with_a_warning(project: Path) -> None:
    export(project, "000_7c1a5d4148a0e861", KINDS)
    corrections, problems = load_corrections(project, {"000_7c1a5d4148a0e862": SHA}, FORMATS)
    assert corrections == {}
    assert [str(p) for p in problems] == [
        "content/corrections/000_7c1a5d4148a0e861.md: warning: no seed "
        "seeds/000_7c1a5d4148a0e861.txt: "
        "ignored; did you mean 000_7c1a5d4148a0e862.md?"
    ]


def test_export_accepts_a_stem_a_file_name_or_a_path_and_never_overwrites(project: Path) -> None:
    path, doc = export(project, "seeds/003_5f17500b75967727.txt", KINDS)
    assert path == "content/corrections/003_5f17500b75967727.md"
    assert isinstance(doc, Plan)
    written = (project / path).read_bytes()
    for name in ("003_5f17500b75967727", "003_5f17500b75967727.txt"):
        with pytest.raises(InputError, match="already exists; edit it"):
            export(project, name, KINDS)
    assert (project / path).read_bytes() == written
    with pytest.raises(InputError, match="no such seed; did you mean 003_5f17500b75967727"):
        export(project, "003_5f17500b75967728", KINDS)


# --- every article keeps its heading ----------------------------------------------------------

FIVE_ARTICLES = Bulletin(
    source="072_x.txt",
    script="hant",
    number=72,
    summary=("導讀。",),
    contact=None,
    articles=tuple(
        Article(n, f"第{n}篇的標題", (f"第{n}篇的正文。",), (f"第{n}篇的圖片",))
        for n in range(1, 6)
    ),
)


def corrected(edit: Callable[[list[str]], None]) -> list[str]:
    """The problems of FIVE_ARTICLES's correction file after ``edit`` changed its lines."""
    lines = export_text(FIVE_ARTICLES, KINDS.of(FIVE_ARTICLES).correction, SHA, "072_x.txt")
    lines = lines.split("\n")
    edit(lines)
    _, problems = parse_correction("\n".join(lines), "072_x", "c.md", FORMATS)
    return [str(p) for p in problems]


def heading(lines: list[str], n: int) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(f"## {n}. "))


def test_export_writes_how_many_articles_the_issue_has() -> None:
    text = export_text(FIVE_ARTICLES, KINDS.of(FIVE_ARTICLES).correction, SHA, "072_x.txt")
    assert "\narticles: 5\n" in text


def test_deleting_the_last_heading_line_is_an_error_not_a_lost_article() -> None:
    # The case of issue 13: article 5's text and caption would silently join article 4's.
    problems = corrected(lambda lines: lines.pop(heading(lines, 5)))
    assert problems == [
        f"c.md:{heading_line(4)}: error: no heading for article 5: the issue has 5 articles "
        "(`articles: 5` at line 17), and the text of a missing one would join article 4's; "
        "write its `## 5. Title` line back"
    ]


def heading_line(n: int) -> int:
    lines = export_text(FIVE_ARTICLES, KINDS.of(FIVE_ARTICLES).correction, SHA, "x").split("\n")
    return heading(lines, n) + 1


def test_deleting_a_heading_in_the_middle_is_an_error_at_the_next_one() -> None:
    problems = corrected(lambda lines: lines.pop(heading(lines, 3)))
    assert problems == [
        f"c.md:{heading_line(4) - 1}: error: article 4 where article 3 should be: the headings "
        "go ## 1. to ## 5., each once and in order; is the heading of article 3 missing?"
    ]


def swap_2_and_3(lines: list[str]) -> None:
    two, three = heading(lines, 2), heading(lines, 3)
    lines[two], lines[three] = lines[three], lines[two]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: lines.__setitem__(heading(lines, 5), "## 6. 多出來的"), "article 6, but"),
        (lambda lines: lines.__setitem__(heading(lines, 2), "## 4. 重複"), "article 4 again"),
        (swap_2_and_3, "article 3 where article 2 should be"),
        (lambda lines: lines.append("## 6. 新加的一篇"), "article 6, but the issue has 5"),
    ],
    ids=["renumbered", "twice", "out of order", "one more"],
)
def test_headings_are_the_issues_articles_each_once_in_order(
    edit: Callable[[list[str]], None], message: str
) -> None:
    problems = corrected(edit)
    assert problems and all(": error: " in p for p in problems), problems
    assert any(message in p for p in problems), problems


def test_an_article_added_on_purpose_says_so_in_articles() -> None:
    def add_sixth(lines: list[str]) -> None:
        lines[lines.index("articles: 5")] = "articles: 6"
        lines += ["## 6. 編者補上的一篇", "", "正文。"]

    assert corrected(add_sixth) == []


def test_a_correction_without_articles_is_refused() -> None:
    problems = corrected(lambda lines: lines.remove("articles: 5"))
    assert problems == [
        "c.md:1: error: articles must be the number of articles in the issue (as in the PDF's "
        "contents), not None"
    ]
