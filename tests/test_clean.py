"""clean: how a printed line reads once the PDF's layout is taken away."""

from __future__ import annotations

import pytest

from bulletin_site.clean import (
    clean_line,
    display_width,
    is_letter_spaced,
    is_terminal,
    join_lines,
    numbered,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("長 梁 維 特 於 1 1 月 2 0 日 在 澳 簽 署", "長梁維特於11月20日在澳簽署"),
        ("澳 門 特 區 政 府 （ 經 濟 局 ）", "澳門特區政府（經濟局）"),
        ("工 業 互 聯   數 字 灣 區 主 題", "工業互聯 數字灣區主題"),  # a stretched real space
        (" 大會以“工業互聯 數字灣區”為主題", "大會以“工業互聯 數字灣區”為主題"),
        ("  Mukela Luanga博士擔任主講嘉賓", "Mukela Luanga博士擔任主講嘉賓"),
    ],
)
def test_letter_spacing_and_edge_spaces_are_removed_real_spaces_kept(raw: str, clean: str) -> None:
    assert clean_line(raw) == clean


def test_a_line_of_words_is_not_letter_spaced() -> None:
    assert not is_letter_spaced("World Trade Organization 專家 Maria Silva")
    assert is_letter_spaced("對 於 尚 未 完 成 還 款 的 《 中 小 企 業")


@pytest.mark.parametrize(
    ("lines", "text"),
    [
        (
            ["為順應全球數字化浪潮，深化", "粵港澳大灣區合作。"],
            "為順應全球數字化浪潮，深化粵港澳大灣區合作。",
        ),
        (["主管Faustin ", "Mukela Luanga博士"], "主管Faustin Mukela Luanga博士"),
        (["World Trade", "Organization專家"], "World Trade Organization專家"),
        (["貿易額31.6億美元，較回歸前增長", "3.3倍。"], "貿易額31.6億美元，較回歸前增長3.3倍。"),
        (["於2019年", "10月1日實施"], "於2019年10月1日實施"),
    ],
)
def test_lines_join_without_invented_spaces_between_chinese(lines: list[str], text: str) -> None:
    assert join_lines([clean_line(line) for line in lines]) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3. 保障在粵工作的港澳居民子女", (3, "保障在粵工作的港澳居民子女")),
        ("12.支持港澳保險公估機構", (12, "支持港澳保險公估機構")),
        ("3.3倍；實際使用澳資", None),  # a decimal number, not an item
        ("2019年粵澳質量檢測", None),
    ],
)
def test_numbered_entries_are_recognised_decimals_are_not(
    text: str, expected: tuple[int, str] | None
) -> None:
    assert numbered(text) == expected


def test_sentences_end_with_their_punctuation_and_closing_marks() -> None:
    assert is_terminal("講解會獲業界人仕踴躍參與。")
    assert is_terminal("並正式吸納赤道幾內亞共和國成為與會國。」")
    assert not is_terminal("相關政策措施如下：")
    assert not is_terminal("會議由海關總署國際合作司胡蘭副")


def test_width_counts_chinese_as_one_cell_and_latin_as_about_half() -> None:
    assert display_width("澳門經濟局") == 5
    assert display_width("2019年") == 3
    assert display_width("“一帶一路”") == 6
