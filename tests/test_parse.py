"""parse: every raw file becomes one document, and every line of it is accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulletin_site.clean import display_width
from bulletin_site.errors import InputError
from bulletin_site.model import DOUBTS, Bulletin, Plan
from bulletin_site.parse import read_document, read_text
from bulletin_site.read import decode

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
FIXTURES = ROOT / "tests" / "fixtures" / "seeds"


def read(text: str, name: str = "sample.txt"):
    return read_text(decode(text.encode("utf-8"), name))


# --- the seed archive, read against reviewed output ------------------------------------------


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_each_seed_reads_as_reviewed_line_by_line(path: Path) -> None:
    """The fixtures were checked against the raw files with the conservation report."""
    expected = json.loads((FIXTURES / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert read_document(path).document.to_dict() == expected


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_every_line_that_carries_text_is_accounted_for(path: Path) -> None:
    reading = read_document(path)
    text_lines = {
        n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if line.strip()
    }
    reported = [t.line for t in reading.report if t.line]
    assert sorted(reported) == sorted(text_lines)  # each once, none missing
    assert not [t for t in reading.report if t.role == "unplaced"]
    # Only doubts (decisions taken with a small margin), each at a line and a place.
    for notice in reading.document.warnings:
        assert notice.code in DOUBTS and notice.line in text_lines and notice.place


@pytest.mark.parametrize("path", [p for p in SEEDS if p.stem[:3] in ("000", "001")], ids=str)
def test_bulletin_bodies_hold_no_repeat_caption_or_footer(path: Path) -> None:
    reading = read_document(path)
    doc = reading.document
    assert isinstance(doc, Bulletin)
    paragraphs = [p for a in doc.articles for p in a.paragraphs]
    for k, paragraph in enumerate(paragraphs):
        others = paragraphs[:k] + paragraphs[k + 1 :]
        assert not any(paragraph in other for other in others), "printed twice"
        assert not any(f"{a.number}. {a.title}" in paragraph for a in doc.articles)
    caption_lines = [t.text for t in reading.report if t.role == "caption"]
    body_text = "".join(paragraphs)
    # A caption may say what the text says, but never at more places than the text does.
    for caption in caption_lines:
        assert (
            body_text.count(caption)
            <= sum(
                t.text.replace(" ", "").count(caption)
                for t in reading.report
                if t.role == "paragraph"
            )
            + 1
        )
    for article in doc.articles:
        assert article.paragraphs, f"article {article.number} is empty"
        assert article.paragraphs[-1][-1] in "。！？”」", "last sentence cut"


def test_the_traditional_bulletin_states_its_issue_and_contact() -> None:
    doc = read_document(SEEDS[0]).document
    assert isinstance(doc, Bulletin)
    assert (doc.script, doc.number, len(doc.articles)) == ("hant", 70, 11)
    assert doc.contact is not None and "85972343" in doc.contact


@pytest.mark.parametrize(("prefix", "items"), [("003", 23), ("004", 73)])
def test_work_plans_keep_every_item_whole_across_page_breaks(prefix: str, items: int) -> None:
    path = next(p for p in SEEDS if p.stem.startswith(prefix))
    doc = read_document(path).document
    assert isinstance(doc, Plan) and doc.script == "hans"
    numbers = [i.number for s in doc.sections for i in s.items]
    assert numbers == list(range(1, items + 1))
    assert all(i.text.rstrip()[-1] in "。；" for s in doc.sections for i in s.items)
    assert all(s.heading for s in doc.sections)


# --- small bulletins of our own: the rules one by one ------------------------------------------

MADE_UP = """\
 1. 新制度下月起實施

 2. 代表團考察跨境物流設施及檢測中心，
   了解最新發展

第十二期《經貿快訊》經已出版。新制度明確了經營者的申報義務。

如有垂詢，請聯繫本局（電話: 28882888）。

 代表團一行三十人先後參觀了物流園

區、跨境電商平台及檢測中心，並與

代表團參觀物流園區

業界代表交流。

新措施明確了經營者的申報義務，並訂

定 了 相 應 的 處 罰 制 度 及 補 救 辦 法

。當局將於下月舉行簡介會。

1. 新制度下月起實施

2. 代表團考察跨境物流設施及檢測中心，了

解最新發展

 新措施明確了經營者的申報義務，並訂

定 了 相 應 的 處 罰 制 度 及 補 救 辦 法
"""


def test_a_bulletin_is_rebuilt_article_by_article() -> None:
    reading = read(MADE_UP)
    doc = reading.document
    assert isinstance(doc, Bulletin)
    assert doc.number == 12
    assert doc.summary == ("第十二期《經貿快訊》經已出版。新制度明確了經營者的申報義務。",)
    assert doc.contact == "如有垂詢，請聯繫本局（電話: 28882888）。"
    first, second = doc.articles
    # The contents entry broken over two lines is one title.
    assert second.title == "代表團考察跨境物流設施及檢測中心，了解最新發展"
    # The later article printed first is still article 2; its caption stands apart.
    assert second.paragraphs == (
        "代表團一行三十人先後參觀了物流園區、跨境電商平台及檢測中心，並與業界代表交流。",
    )
    assert second.captions == ("代表團參觀物流園區",)
    # Letter-spacing gone, the reprint on the next page dropped.
    assert first.paragraphs == (
        "新措施明確了經營者的申報義務，並訂定了相應的處罰制度及補救辦法。當局將於下月舉行簡介會。",
    )
    roles = {t.line: t.role for t in reading.report}
    assert [roles[n] for n in (24, 26, 28, 30, 32)] == ["footer"] * 3 + ["repeat"] * 2


def test_a_numbered_measure_inside_an_article_is_its_own_paragraph() -> None:
    text = (
        " 1. 中央推出惠澳措施\n\n相關措施的內容如下，請參閱。\n\n如有垂詢，請致電28882888。\n\n"
        " 中央推出多項惠澳措施，相關措施如下：\n\n1. 便利港澳居民購房。\n\n"
        "2. 保障港澳居民子女同等享\n\n    受教育。\n\n1. 中央推出惠澳措施\n"
    )
    (article,) = read(text).document.articles
    assert article.paragraphs == (
        "中央推出多項惠澳措施，相關措施如下：",
        "1. 便利港澳居民購房。",
        "2. 保障港澳居民子女同等享受教育。",
    )


def test_a_work_plan_is_recognised_by_its_sections_and_items() -> None:
    text = (
        "實施合作框架協議重點工作\n\n一、經貿合作\n\n1.推動兩地企業合作，\n\n"
        " 促進貿易便利化。\n\n2.支持會展業發展。\n\n（一）金融服務。\n\n3.完善金融合作機制。\n"
    )
    doc = read(text, "plan.md").document  # the name does not decide the kind
    assert isinstance(doc, Plan)
    assert doc.title == "實施合作框架協議重點工作"
    assert [(s.heading, s.level) for s in doc.sections] == [
        ("一、經貿合作", 1),
        ("（一）金融服務。", 2),
    ]
    assert [i.text for i in doc.sections[0].items] == [
        "推動兩地企業合作，促進貿易便利化。",
        "支持會展業發展。",
    ]


def test_a_markdown_page_keeps_its_markdown() -> None:
    doc = read("# 區域合作\n\n- 內地是澳門第二大貿易夥伴。\n\n[連結](#)\n", "page.txt").document
    assert doc.kind == "page" and doc.title == "區域合作"
    assert doc.markdown == "\n- 內地是澳門第二大貿易夥伴。\n\n[連結](#)\n".lstrip("\n")


def test_the_script_is_detected_from_the_text() -> None:
    assert read("# 区域合作\n\n内地是澳门第二大贸易伙伴。\n").document.script == "hans"
    assert read("# 區域合作\n\n內地是澳門第二大貿易夥伴。\n").document.script == "hant"


def test_a_file_of_no_known_kind_is_refused_naming_it() -> None:
    with pytest.raises(InputError, match=r"^notes\.txt: error: is not a bulletin"):
        read("今天天氣很好。\n\n我們去公園散步。\n", "notes.txt")


def test_a_masthead_above_the_contents_is_kept_and_names_the_issue() -> None:
    reading = read("緊貿安排快訊  第七十二期\n\n" + MADE_UP)
    assert reading.document.number == 72
    assert reading.document.articles[0].title == "新制度下月起實施"
    assert reading.report[0].role == "masthead"


def test_full_width_numbers_number_the_contents_too() -> None:
    text = (
        "１．經濟局舉辦講座\n\n２．代表團考察\n\n本期內容。\n\n"
        " 業界踴躍參與講座。\n\n１．經濟局舉辦講座\n"
    )
    doc = read(text).document
    assert [a.title for a in doc.articles] == ["經濟局舉辦講座", "代表團考察"]
    assert doc.articles[0].paragraphs == ("業界踴躍參與講座。",)
    assert doc.warnings[0].message == "article 2 (代表團考察): no body text found"


def _columns(paragraphs: list[str], column: int, indent: int) -> list[str]:
    """Paragraphs set in a column whose first lines are ``indent`` narrower (no spaces: the
    PDF's text layer drops them)."""
    lines = []
    for paragraph in paragraphs:
        width = column - indent
        while paragraph:
            lines.append(paragraph[:width])
            paragraph, width = paragraph[width:], column
    return lines


# Paragraphs of three lines and more, as the bulletin prints most: they show the column.
_TALK = [
    "本局於上月舉辦企業數碼轉型講座，邀請多位業界專家分享經驗，吸引逾百名中小企業代表出席，設有問答環節讓與會者提問交流。",
    "講座內容涵蓋雲端服務、電子支付及網上推廣等範疇，與會者反應熱烈，紛紛表示講座有助企業掌握最新的數碼工具。",
    "本局表示，將繼續推出不同主題的培訓活動，協助企業提升競爭力，並會按業界的意見調整課程內容。",
    "此外，本局亦會與商會合作，走訪社區內的中小企業，了解其經營困難及數碼轉型的需要，提供適切支援。",
]


def test_a_one_line_paragraph_after_a_sentence_ending_flush_is_its_own() -> None:
    # Fault 4, a paragraph break missed: no line next to the short one is surely full (each
    # ends or opens a paragraph); the column is read further off, never from the short
    # line's own width, which would make it seem to fill its column and go on.
    paragraphs = [
        *_TALK,
        "有意參加的企業可透過本局網頁報名，名額有限，先到先得，額滿即止，請把握機會。",
        "查詢詳情請致電本局熱線。",
        "下一場講座將於本月底舉行，主題為網上推廣的實務技巧，歡迎各界人士踴躍參加。",
    ]
    lines = _columns(paragraphs, column=20, indent=2)
    short = lines.index("查詢詳情請致電本局熱線。")
    assert len(lines[short - 1]) == 20 and lines[short - 1].endswith("。")  # ends flush
    text = (
        " 1. 本局舉辦數碼轉型講座\n\n本期內容如下，請參閱。\n\n如有垂詢，請致電28882888。\n\n "
        + "\n\n".join(lines)
        + "\n\n1. 本局舉辦數碼轉型講座\n"
    )
    doc = read(text).document
    assert doc.articles[0].paragraphs == tuple(paragraphs)
    # … but the short line might as well have been the paragraph's last: said, at the line
    # that ends flush.
    flush = text.split("\n").index(lines[short - 1]) + 1
    assert [(w.code, w.line) for w in doc.warnings] == [("paragraph-end", flush)]


def test_the_sentence_after_a_numbered_list_starts_a_paragraph() -> None:
    # Fault 4, a paragraph break missed: the last item ends as wide as the line after it
    # opens, so widths cannot tell; an item of a numbered list is one sentence.
    items = [
        "1. 設立專項資金，資助企業參與國際展覽。",
        "2. 簡化相關證照的審批程序及所需時間。",
        "3. 為本地經營者提供專業的培訓課程。",
    ]
    after = "雙方同意明年在橫琴舉行下一次會議，檢視各項措施的成效。"
    lines = [
        *_columns(_TALK, column=20, indent=2),
        "新計劃於本月起接受申請，為本地企業提供",
        "多方面的支援，資助範圍如下：",
        *items,
        *_columns([after], column=20, indent=2),
    ]
    opening = lines[-2]
    assert abs(display_width(items[-1]) - display_width(opening)) <= 1  # as wide
    text = (
        " 1. 新計劃接受申請\n\n本期內容如下，請參閱。\n\n如有垂詢，請致電28882888。\n\n "
        + "\n\n".join(lines)
        + "\n\n1. 新計劃接受申請\n"
    )
    (article,) = read(text).document.articles
    assert article.paragraphs[-4:] == (*items, after)


def test_a_line_short_by_a_character_carried_down_with_a_comma_goes_on() -> None:
    # Fault 4, a paragraph break added: after a sentence ending flush, a line one character
    # short of the column looks like a paragraph's opening, but its last character went
    # down with the comma that may not start a line.
    lines = [
        *_columns(_TALK, column=20, indent=2),
        "會議由本局局長主持，與會代表就兩地區域",
        "合作的最新進展交換意見，並簽署合作協議。",
        "雙方同意設立聯合工作小組，並定期檢視進",  # 19: 展 went down with its comma
        "展，並於明年在本澳舉行下一次會議。",
    ]
    assert display_width(lines[-3]) == 20 and display_width(lines[-2]) == 19
    text = (
        " 1. 本局舉辦數碼轉型講座\n\n本期內容如下，請參閱。\n\n如有垂詢，請致電28882888。\n\n "
        + "\n\n".join(lines)
        + "\n\n1. 本局舉辦數碼轉型講座\n"
    )
    (article,) = read(text).document.articles
    assert article.paragraphs[-1] == "".join(lines[-4:])


def test_the_summary_after_the_last_entry_is_not_part_of_its_title() -> None:
    # An indented first line of the summary with no comma looks like a title's second line;
    # the article's running footer prints the title and nothing of that line.
    title = "經濟局及勞工事務局組織青年創業參觀交流團訪灣區城市"
    text = (
        " 1. 本局舉辦數碼轉型講座\n\n"
        f" 2. {title}\n\n"
        "       “數碼轉型講座”於本月十日在本局多\n\n"
        "功能廳舉行，吸引逾百名業界代表出席。\n\n"
        "如有垂詢，請聯繫本局（電話: 28882888）。\n\n"
        " 本局於本月十日舉辦數碼轉型講座，吸引逾百名業界\n\n"
        "代表出席。\n\n"
        f"1. 本局舉辦數碼轉型講座\n\n"
        " 經濟局及勞工事務局於本月組織青年創業參觀交流團，\n\n"
        "到訪灣區城市的創新企業。\n\n"
        f"2. {title}\n"
    )
    doc = read(text).document
    assert doc.articles[1].title == title
    assert doc.summary == ("“數碼轉型講座”於本月十日在本局多功能廳舉行，吸引逾百名業界代表出席。",)


def test_a_summary_sentence_the_next_page_opens_with_is_not_part_of_a_title() -> None:
    # The summary quotes an article's first sentence, which opens the page after the last
    # entry's footer: footer and page together seem to print the title going on with it.
    lead = "經濟局於本月組織青年創業參觀交流團，到訪灣區城市。"
    text = (
        " 1. 經濟局組織青年創業參觀交流團\n\n"
        " 2. 本局舉辦數碼轉型講座\n\n"
        f"{lead}\n\n"
        "如有垂詢，請聯繫本局（電話: 28882888）。\n\n"
        " 本局於本月十日舉辦數碼轉型講座，吸引逾百名業界\n\n"
        "代表出席。\n\n"
        "2. 本局舉辦數碼轉型講座\n\n"
        f" {lead}\n\n"
        "1. 經濟局組織青年創業參觀交流團\n"
    )
    doc = read(text).document
    assert doc.articles[1].title == "本局舉辦數碼轉型講座"
    assert doc.summary == (lead,)


def test_a_letter_spaced_line_ending_a_sentence_fills_its_column() -> None:
    # Fault 4, a paragraph break added: the line was stretched to the column (its text
    # narrower than the column); the sentence after it goes on in the same paragraph.
    lines = [
        *_columns(_TALK, column=20, indent=2),
        "今年首三個月，粵澳兩地的貿易總額按",
        " ".join("年上升百分之八，達到六十億元。"),
        "雙方同意設立聯合工作小組，定期檢視合作進",
        "展，並於明年在本澳舉行下一次會議。",
    ]
    text = (
        " 1. 本局舉辦數碼轉型講座\n\n本期內容如下，請參閱。\n\n如有垂詢，請致電28882888。\n\n "
        + "\n\n".join(lines)
        + "\n\n1. 本局舉辦數碼轉型講座\n"
    )
    (article,) = read(text).document.articles
    assert article.paragraphs[-1] == "".join(line.replace(" ", "") for line in lines[-4:])
