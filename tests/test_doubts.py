"""The reader's decisions on generated layouts (tests/bulletin_maker.py, never the seeds'
strings), and its doubts: said where it was unsure, in the editor's language, and written
beside the text they are about in an exported correction file."""

from __future__ import annotations

import dataclasses
from collections import Counter
from functools import cache

import pytest

from bulletin_maker import Issue, make_issue
from bulletin_site.corrections import BULLETIN_FORMAT, export_text, parse_correction
from bulletin_site.i18n import chinese
from bulletin_site.kinds import KINDS
from bulletin_site.model import DOUBTS, Bulletin, Notice, Role
from bulletin_site.parse import read_text
from bulletin_site.read import decode
from bulletin_site.site import is_doubt, reader_warnings

# Issues of the tuning range (bench/reader.py --range tune): never the held-back range.
SEEDS = range(0, 40)


@cache
def reading_of(seed: int) -> tuple[Issue, dict[int, tuple[Role, str]]]:
    issue = make_issue(seed)
    reading = read_text(decode(issue.data, issue.name))
    return issue, {t.line: (t.role, t.target) for t in reading.report}


def roles(kind: str, where: str) -> Counter[Role]:
    """The reader's role for every raw line of a kind of piece printed where ``where`` says."""
    out: Counter[Role] = Counter()
    for seed in SEEDS:
        issue, seen = reading_of(seed)
        raw = issue.text.split("\n")
        for piece in issue.pieces:
            if piece.kind != kind:
                continue
            for printing in piece.printings:
                for n in printing:
                    if where == "cut-latin" and not (
                        raw[n - 1].endswith(" ") and raw[n - 1].rstrip()[-1:].isascii()
                    ):
                        continue
                    if where == "twice" and len(piece.printings) < 2:
                        continue
                    out[seen[n][0]] += 1
    return out


def test_a_line_that_ends_in_a_latin_word_cut_at_a_space_stays_in_the_text() -> None:
    # Fault 1, a body line taken as a caption: the word goes on in the next line.
    found = roles("body", "cut-latin")
    assert sum(found.values()) >= 20  # the generator made such lines
    assert set(found) <= {Role.PARAGRAPH, Role.REPEAT}


def test_a_line_printed_twice_is_body_text_not_a_caption() -> None:
    # Fault 1 again: a caption is printed once; a reprint's lines are the article's.
    found = roles("body", "twice")
    assert found[Role.REPEAT] >= 500
    assert found[Role.CAPTION] <= 0.005 * sum(found.values())


def test_captions_are_captions_and_go_to_their_article() -> None:
    # Faults 2 and 3: a caption read as body text, or given to another article (a page after
    # its article's text, or between another article's lines, its words tell).
    kept, right, total = 0, 0, 0
    for seed in SEEDS:
        issue, seen = reading_of(seed)
        for piece in issue.pieces:
            if piece.kind != "caption":
                continue
            role, target = seen[piece.printings[0][0]]
            total += 1
            kept += role == Role.CAPTION
            right += role == Role.CAPTION and target.startswith(f"article {piece.article} ")
    assert total >= 300
    assert kept >= 0.9 * total
    assert right >= 0.8 * total  # 85% on this range today (bench/README.md: the whole table)


def test_text_printed_twice_is_kept_once() -> None:
    # Fault 5 and its mirror: every body line of the truth in one paragraph, once.
    lost, twice, lines = 0, 0, 0
    for seed in SEEDS:
        issue, seen = reading_of(seed)
        for piece in issue.pieces:
            if piece.kind != "body":
                continue
            kept = [n for p in piece.printings for n in p if seen[n][0] == Role.PARAGRAPH]
            lines += 1
            lost += not kept and not any(
                seen[n][0] == Role.CAPTION for p in piece.printings for n in p
            )
            twice += len(kept) > 1
    assert lines >= 3000
    assert lost <= 0.005 * lines
    assert twice <= 0.02 * lines


def test_doubts_stand_at_a_raw_line_with_what_was_decided_and_the_alternative() -> None:
    doubts = []
    for seed in SEEDS:
        issue, _ = reading_of(seed)
        reading = read_text(decode(issue.data, issue.name))
        doubts += [w for w in reading.document.warnings if w.code in DOUBTS]
    assert len({d.code for d in doubts}) >= 3  # captions, their articles, paragraph ends
    for doubt in doubts:
        assert doubt.line and doubt.place.startswith("article ")
        assert "「" in doubt.message and "; " in doubt.message  # the text; the alternative


def _doubted_issue() -> tuple[Issue, Bulletin]:
    for seed in SEEDS:
        issue = make_issue(seed)
        doc = read_text(decode(issue.data, issue.name)).document
        assert isinstance(doc, Bulletin)
        if any("¶" in w.place for w in doc.warnings) and any(
            "caption" in w.place for w in doc.warnings
        ):
            return issue, doc
    pytest.fail("no generated issue with doubts about both a paragraph and a caption")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_exported_correction_shows_each_doubt_beside_its_text(language: str) -> None:
    issue, doc = _doubted_issue()
    say = chinese() if language == "zh" else None
    text = export_text(doc, BULLETIN_FORMAT, "0" * 64, issue.name, *([say] if say else []))
    lines = text.split("\n")
    for notice in doc.warnings:
        if notice.code not in DOUBTS:
            continue
        comment = next(
            k
            for k, line in enumerate(lines)
            if line.startswith("<!--") and str(notice.line) in line
        )
        article, _, rest = notice.place.removeprefix("article ").partition(" ")
        heading = max(
            k for k, line in enumerate(lines[:comment]) if line.startswith(f"## {article}. ")
        )
        assert not any(line.startswith("## ") for line in lines[heading + 1 : comment])
        below = lines[comment + 1].removeprefix("\\")  # a paragraph like `5. …` is escaped
        if rest.startswith("¶"):
            nth = int(rest[1:])
            assert below in doc.articles[int(article) - 1].paragraphs[nth - 1]
        else:
            assert below.startswith(">")
        if language == "zh":
            assert "存疑" in lines[comment]
    # The comments are not text: the file reads back as the reading, doubts left out.
    stem = issue.name.removesuffix(".txt")
    back, problems = parse_correction(text, stem, "x.md", KINDS.correction_formats(), "0" * 64)
    assert not [p for p in problems if p.is_error]
    assert back is not None
    assert back.document == dataclasses.replace(doc, warnings=())


def test_check_and_add_say_a_doubt_in_the_editors_language() -> None:
    notice = Notice.doubt(12, "caption-article", "article 2 caption 1", text="某某", article="2",
                          other="3")  # fmt: skip
    doc = Bulletin("x.txt", "hant", 1, (), None, (), warnings=(notice,))
    [problem] = reader_warnings(doc, "seeds/x.txt")
    assert is_doubt(problem)
    assert problem.shown() == (
        "seeds/x.txt:12: warning: gave the photo caption 「某某」 to article 2; "
        "it may belong to article 3"
    )
    assert problem.shown(chinese()).startswith("seeds/x.txt:12: ")
    assert "已把圖片說明「某某」歸入第 2 篇；它可能屬於第 3 篇" in problem.shown(chinese())


# ---------------------------------------------------------------------------------------------
# Captions that repeat each other's words


def test_a_caption_repeating_another_articles_caption_is_in_doubt() -> None:
    """Two captions of one photo set say the same thing (「…品酒導師講者…」) but stand in two
    articles: the one not placed by its words names the other's article; words the articles'
    text also says (葡萄酒) or a short shared run are no sign."""
    from bulletin_site.clean import bigrams
    from bulletin_site.parse.bulletin import _name_kin

    texts = ["品酒導師講者示範葡萄酒品評方法", "陳大文處長與品酒導師講者合照", "嘉賓合照留念"]
    said = bigrams("葡萄酒展覽會在澳門舉行，陳大文處長主持開幕，嘉賓合照。")
    rivals: list[int | None] = [None, None, None]
    _name_kin(texts, [2, 5, 5], rivals, [True, False, False], said)
    assert rivals == [None, 2, None]
    # The same run said in an article's text: a way of speaking, no doubt.
    rivals = [None, None, None]
    _name_kin(texts, [2, 5, 5], rivals, [True, False, False], said | bigrams("品酒導師講者"))
    assert rivals == [None, None, None]
    # A doubt already there is kept.
    rivals = [None, 3, None]
    _name_kin(texts, [2, 5, 5], rivals, [True, False, False], said)
    assert rivals == [None, 3, None]


def _captions_of(caption: str) -> tuple[list[int], list[int | None]]:
    """Invented: article 1 alone on page 0; article 2 on page 1, a caption set between two
    of its lines."""
    from bulletin_site.parse.bulletin import Paragraph, _assign_captions, _Grams
    from bulletin_site.parse.layout import Line

    texts = [
        (0, "黃志明副局長在講座上介紹了物流園區的最新發展。"),
        (1, "交流團一行三十人先後參觀了孵化基地"),
        (1, caption),
        (1, "及科技企業，團員均表示獲益良多。"),
    ]
    body = [Line(n, text, text, float(len(text))) for n, (_, text) in enumerate(texts, 1)]
    pages = [page for page, _ in texts]
    by_article = {
        1: [Paragraph([0], [body[0]])],
        2: [Paragraph([1, 3], [body[1], body[3]])],
    }
    titles = {1: "經濟局舉辦物流講座", 2: "青年創業交流團訪問大灣區", 3: "展覽會促成商業配對"}
    return _assign_captions(
        [[2]], body, by_article, titles, pages, {0: {1}, 1: {2}}, {0: 1, 1: 2, 3: 2}, _Grams()
    )


def test_a_caption_between_an_articles_lines_stays_unless_its_words_weigh_heavily() -> None:
    """A name the caption shares with the article of the page before is a light sign: the
    caption set amid article 2's text is article 2's; many of that article's rare words
    take it there."""
    out, _ = _captions_of("黃志明副局長致辭")
    assert out == [2]
    out, _ = _captions_of("黃志明副局長介紹物流園區的最新發展")
    assert out == [1]


def _articles_of(texts: list[str], named: set[int], spill: set[int] | None = None) -> list[int]:
    """Invented: one page of paragraphs, its footers naming ``named``; the last paragraph
    runs on into the next page, whose footers name ``spill``."""
    from bulletin_site.parse.bulletin import Paragraph, _assign_articles, _Grams
    from bulletin_site.parse.layout import Line

    paragraphs = [
        Paragraph([k], [Line(k + 1, text, text, float(len(text)))]) for k, text in enumerate(texts)
    ]
    titles = {1: "展覽會促成商業配對", 2: "經濟局舉辦物流講座", 3: "“青年創業援助計劃”接受申請"}
    groups = [(0, named, set())] * (len(paragraphs) - 1) + [(0, named, spill or set())]
    return _assign_articles(paragraphs, groups, titles, set(), _Grams())


def test_every_article_a_pages_footers_name_has_text_on_it() -> None:
    """Article 3's title echoes none of its text: its paragraphs still are not all given to
    the article before it, as the page's footers name both."""
    texts = [
        "經濟局於本月舉辦物流講座，吸引逾百名業界代表參加。",
        "講座邀請資深顧問分享物流園區的實務經驗。",
        "交流團一行三十人先後參觀了孵化基地及科技企業。",
        "交流團團員均表示獲益良多，期望日後有更多同類活動。",
    ]
    assert _articles_of(texts, {2, 3}) == [2, 2, 3, 3]


def test_a_paragraph_running_on_into_the_next_page_may_be_that_pages_article() -> None:
    """The next page's article threaded onto this page's foot (its first lines, printed again
    there and dropped as a repeat) runs on into the rest of its text: the paragraph is the
    next page's article's, as its title says, though this page's footers do not name it."""
    texts = [
        "經濟局於本月舉辦物流講座，吸引逾百名業界代表參加。",
        "講座邀請資深顧問分享物流園區的實務經驗。",
        "國際展覽會本月在澳門舉行，現場設有商業配對區，促成逾三百場洽談。",
    ]
    assert _articles_of(texts, {2}, {1}) == [2, 2, 1]
    assert _articles_of(texts, {2}) == [2, 2, 2]


def test_the_next_pages_article_threaded_onto_a_page_may_take_its_last_paragraphs() -> None:
    """Two paragraphs of the next page's article threaded onto this page's foot, the second
    running on there: both are that article's."""
    texts = [
        "經濟局於本月舉辦物流講座，吸引逾百名業界代表參加。",
        "講座邀請資深顧問分享物流園區的實務經驗。",
        "國際展覽會本月在澳門舉行，促成多項商業配對。",
        "展覽會現場設有商業配對區，促成逾三百場洽談。",
    ]
    assert _articles_of(texts, {2}, {1}) == [2, 2, 1, 1]


@pytest.mark.parametrize("at", [2, 3])
def test_a_caption_by_an_articles_lines_is_not_taken_by_a_few_shared_words(at: int) -> None:
    """Two articles of one page: a caption set between article 2's lines, or after them at
    the page's foot, shares a name with article 1 (and with article 3, elsewhere) and one
    rare pair (致辭): too light to take it from the article beside it."""
    from bulletin_site.parse.bulletin import Paragraph, _assign_captions, _Grams
    from bulletin_site.parse.layout import Line

    texts = [
        "黃志明副局長在講座上致辭，介紹了物流園區的最新發展。",
        "交流團一行三十人先後參觀了孵化基地",
        "及科技企業，團員均表示獲益良多。",
        "黃志明副局長出席展覽開幕儀式。",
    ]
    texts.insert(at, "黃志明副局長致辭")
    body = [Line(n, text, text, float(len(text))) for n, text in enumerate(texts, 1)]
    titles = {1: "經濟局舉辦物流講座", 2: "青年創業交流團訪問大灣區", 3: "展覽會促成商業配對"}
    text_of = [k for k in range(5) if k != at]
    by_article = {
        1: [Paragraph([text_of[0]], [body[text_of[0]]])],
        2: [Paragraph(text_of[1:3], [body[k] for k in text_of[1:3]])],
        3: [Paragraph([text_of[3]], [body[text_of[3]]])],
    }
    out, _ = _assign_captions(
        [[at]],
        body,
        by_article,
        titles,
        [1, 1, 1, 1, 3],
        {1: {1, 2}, 3: {3}},
        dict(zip(text_of, [1, 2, 2, 3], strict=True)),
        _Grams(),
    )
    assert out == [2]


def test_a_paragraph_is_parted_where_the_next_page_opens_one_at_its_own_column() -> None:
    """A sentence ends flush at a page's foot (column 16); the next page's first line is 18
    wide, a full line there would be 20: an opening of that page's wider column."""
    from bulletin_site.parse.bulletin import Paragraph, _split_at_pages
    from bulletin_site.parse.layout import Line

    widths = [16.0, 16.0, 16.0, 18.0, 20.0, 20.0, 20.0, 20.0]
    texts = ["甲" * 15 + "，", "乙" * 15 + "，", "丙" * 15 + "。", *["丁" * 17 + "，"] * 5]
    lines = [Line(n, t, t, w) for n, (t, w) in enumerate(zip(texts, widths, strict=True), 1)]
    pages = [0, 0, 0, 1, 1, 1, 1, 1]
    parted = _split_at_pages([Paragraph(list(range(8)), lines)], pages, 2.0)
    assert [p.units for p in parted] == [[0, 1, 2], [3, 4, 5, 6, 7]]
    # A full line of the next page's column goes on with the sentence's paragraph.
    lines[3] = Line(4, texts[3], texts[3], 20.0)
    assert len(_split_at_pages([Paragraph(list(range(8)), lines)], pages, 2.0)) == 1


def test_a_cut_between_two_articles_says_how_clearly_it_stands_there() -> None:
    """The paragraphs either side of a cut carry its margin and the article each would have
    with the cut moved by one: small where the paragraph echoes neither title."""
    from bulletin_site.parse.bulletin import Paragraph, _assign_articles, _Grams
    from bulletin_site.parse.layout import Line

    texts = [
        "經濟局於本月舉辦物流講座，吸引逾百名業界代表參加。",
        "講座邀請資深顧問分享物流園區的實務經驗。",
        "活動反應踴躍。",
        "國際展覽會本月在澳門舉行，現場設有商業配對區。",
        "展覽會促成逾三百場商業配對洽談。",
    ]
    paragraphs = [
        Paragraph([k], [Line(k + 1, text, text, float(len(text)))]) for k, text in enumerate(texts)
    ]
    titles = {1: "展覽會促成商業配對", 2: "經濟局舉辦物流講座"}
    margins: dict[int, tuple[float, int]] = {}
    groups = [(0, {1, 2}, set())] * len(paragraphs)
    got = _assign_articles(paragraphs, groups, titles, set(), _Grams(), margins)
    assert got == [2, 2, 2, 1, 1]
    assert set(margins) == {2, 3}
    assert margins[2][1] == 1 and margins[3][1] == 2
    assert 0 < margins[2][0] < margins[3][0]


# ---------------------------------------------------------------------------------------------
# Doubts read after the fact: what a wrong reading leaves behind (invented text, no seed's)


def _lines(*texts: str):
    from bulletin_site.parse.layout import printed_lines

    return printed_lines("\n".join(texts))


def test_a_long_line_kept_twice_within_a_page_is_in_doubt() -> None:
    from bulletin_site.parse.bulletin import _kept_twice

    body = _lines(*[f"第{k}行文字，說明某項安排的內容。" for k in range(40)])
    again = _lines("市政署與某機構於月內簽署合作協議，")[0]
    body[5], body[12] = dataclasses.replace(again, number=11), dataclasses.replace(again, number=25)
    flow = list(range(40))
    # Two pages of twenty lines: the line comes back seven lines on, within a page's length.
    pages = [k // 20 for k in range(40)]
    assert _kept_twice(body, flow, pages) == [(12, "printed-once", {"first": "11"})]
    # Thirty lines on, farther than a page's length: a phrase the bulletin says twice.
    body[12] = _lines("另一行文字，說明另一項安排的內容。")[0]
    body[35] = again
    assert _kept_twice(body, flow, pages) == []


def test_the_paragraph_echoing_an_articles_title_most_given_to_another_is_in_doubt() -> None:
    from bulletin_site.parse.bulletin import Paragraph, _foreign_paragraphs, _Grams

    titles = {1: "海洋漁業展覽會開幕", 2: "青年創業培訓課程結業"}
    texts = [
        "海洋漁業展覽會於本月開幕，吸引多個國家的漁業代表參加。",
        "展覽為期三日，設有多個專題環節。",
        "青年創業培訓課程於上週結業，學員分享創業經驗。",
    ]
    paragraphs = []
    for text in texts:
        paragraph = Paragraph([len(paragraphs)])
        paragraph.lines = _lines(text)
        paragraphs.append(paragraph)
    # The third paragraph opens article 2, yet was run on into article 1.
    doubts = _foreign_paragraphs(paragraphs, [1, 1, 1], titles, _Grams())
    assert doubts == [(2, "paragraph-article", {"other": "2"})]
    assert _foreign_paragraphs(paragraphs, [1, 1, 2], titles, _Grams()) == []


def test_a_paragraph_ending_with_no_sentences_end_is_in_doubt() -> None:
    from bulletin_site.parse.bulletin import Paragraph, _unfinished_paragraphs

    def paragraph(first: int, *texts: str) -> Paragraph:
        out = Paragraph(list(range(first, first + len(texts))))
        out.lines = _lines(*texts)
        return out

    by_article = {
        1: [paragraph(0, "活動由兩地政府合辦，", "為期三日。")],
        2: [paragraph(2, "主要內容包括：")],  # a list follows: a colon ends it
        3: [paragraph(3, "代表團先後參觀了多間企業及")],  # cut: the rest read elsewhere
    }
    assert _unfinished_paragraphs(by_article) == [(3, "paragraph-end", {})]


def test_a_caption_leaving_a_mark_open_or_ending_mid_phrase_is_in_doubt() -> None:
    from bulletin_site.parse.bulletin import _unfinished_captions

    body = _lines(
        "規範某項貿易的《證書制度",  # a title mark opened, never closed: a cut sentence
        "嘉賓參觀《證書制度》展覽",
        "工作小組首次會議已於上月在",  # 在 leaves the phrase open
        "與會者合照",
    )
    captions = {0, 1, 2, 3}
    groups = [[0], [1], [2], [3]]
    doubts = _unfinished_captions(body, groups, captions - {3}, pairs=set())
    assert doubts == [(0, "caption-or-body", {}), (2, "caption-or-body", {})]
    # Where the bulletin ends a clause with 在 (現在，), a line may end with it.
    assert _unfinished_captions(body, groups, captions - {3}, pairs={"在，"}) == [
        (0, "caption-or-body", {})
    ]


def test_paragraph_doubts_stand_near_the_deciding_width_and_past_a_much_wider_line() -> None:
    from bulletin_site.parse.bulletin import CONFIG, Paragraph, _paragraph_doubts

    paragraphs = [Paragraph([0, 1, 2]), Paragraph([3, 4])]
    band = CONFIG.paragraph_doubt_band
    margins = {
        2: -band / 2,  # ended, just: in doubt
        3: -2 * band,  # ended clearly
        0: band / 2,  # ran on, if narrowly: the widths agree with a paragraph going on
        1: CONFIG.paragraph_doubt_wide + 1,  # ran on past a line far wider than the column
    }
    assert _paragraph_doubts(paragraphs, margins) == [
        (1, "paragraph-on", {}),
        (2, "paragraph-end", {}),
    ]


def test_a_line_read_as_body_whose_removal_joins_the_text_around_it_is_in_doubt() -> None:
    from bulletin_site.parse.bulletin import _caption_doubts, _printed_pairs

    body = _lines(
        "兩地代表就多項議題交換意見，並同意加強合作。",
        "嘉賓參觀展覽",  # one point short of a caption
        "會議於本月舉行，雙方並簽署合作協議。",
        "另外，會上亦介紹了新措施。會後參觀。",
    )
    kept = [0, 1, 2, 3]
    position = {i: i for i in kept}
    pairs = _printed_pairs(body)  # 。會 (會後) is printed: the text before runs on past it
    found = _caption_doubts(body, kept, position, {1: 2}, set(), set(), 0.0, pairs)
    assert found == [(1, "body-or-caption", {})]
    # Nothing printed says the text before it runs on into the text after it: no doubt.
    assert _caption_doubts(body, kept, position, {1: 2}, set(), set(), 0.0, set()) == []


def test_a_caption_placed_by_the_text_around_it_is_not_doubted_for_words_alone() -> None:
    """Its words point a little more to another article of the page than to the one whose
    text stands around it: placed by position, no doubt said (on the tune range such doubts
    were right 12 times in 141)."""
    from bulletin_site.parse.bulletin import Paragraph, _assign_captions, _Grams

    body = _lines(
        "甲乙展覽會於本月開幕，甲乙代表出席，",
        "丙丁論壇嘉賓與甲乙代表合照",
        "展覽為期三日。",
        "丙丁論壇於上週舉行，論壇嘉賓討論多項議題。",
    )
    by_article: dict[int, list[Paragraph]] = {}
    for article, units in ((1, [0, 2]), (2, [3])):
        paragraph = Paragraph(units)
        paragraph.lines = [body[i] for i in units]
        by_article[article] = [paragraph]
    titles = {1: "甲乙展覽會開幕", 2: "丙丁論壇舉行"}
    placed, rivals = _assign_captions(
        [[1]], body, by_article, titles, [0, 0, 0, 0], {0: {1, 2}}, {0: 1, 2: 1, 3: 2}, _Grams()
    )
    assert placed == [1]  # the text around it
    assert rivals == [None]
