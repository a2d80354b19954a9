"""read: bytes as a Macau office sends them → one NFC text with \\n line ends."""

from __future__ import annotations

import codecs

import pytest

from bulletin_site.errors import InputError
from bulletin_site.read import decode

TRADITIONAL = "1. 經濟局舉辦講座\n\n澳門特區政府經濟局於本月舉辦講座，衞生局代表出席。\n"
SIMPLIFIED = "1. 经济局举办讲座\n\n澳门特区政府经济局于本月举办讲座，卫生局代表出席。\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TRADITIONAL.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TRADITIONAL.encode("utf-8"), "utf-8"),
        (TRADITIONAL.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + TRADITIONAL.encode("utf-16-be"), "utf-16"),
        (TRADITIONAL.encode("big5hkscs"), "big5hkscs"),
    ],
)
def test_traditional_text_in_every_encoding_reads_the_same(data: bytes, encoding: str) -> None:
    source = decode(data, "issue.txt")
    assert source.text == TRADITIONAL
    assert source.encoding == encoding


@pytest.mark.parametrize("codec", ["utf-8", "gb18030", "utf-16"])
def test_simplified_text_in_every_encoding_reads_the_same(codec: str) -> None:
    assert decode(SIMPLIFIED.encode(codec), "issue.txt").text == SIMPLIFIED


def test_gb18030_and_big5_are_told_apart_by_what_they_decode_to() -> None:
    assert decode(SIMPLIFIED.encode("gb18030"), "a.txt").encoding == "gb18030"
    plain_big5 = TRADITIONAL.replace("衞", "衛")  # 衞 is only in Big5-HKSCS
    assert decode(plain_big5.encode("big5"), "b.txt").encoding == "big5hkscs"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends_become_newlines(newline: str) -> None:
    data = TRADITIONAL.replace("\n", newline).encode("utf-8")
    assert decode(data, "issue.txt").text == TRADITIONAL


def test_compatibility_ideographs_become_their_unified_forms() -> None:
    # U+F900 (豈) and U+F9B2 (零) look right but break search and copy.
    source = decode("\uf900\uf9b2年".encode(), "x.txt")
    assert source.text == "豈零年"
    assert "normalised to NFC" in source.repairs


def test_stray_control_characters_are_removed_and_reported() -> None:
    source = decode("澳門\x07經濟\x1b局\n".encode(), "x.txt")
    assert source.text == "澳門經濟局\n"
    assert any("control" in repair for repair in source.repairs)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes"),
        (bytes(range(128, 256)) * 8, "not text"),
    ],
)
def test_what_is_not_text_is_refused_with_the_file_name(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as error:
        decode(data, "seeds/bad.txt")
    assert str(error.value).startswith("seeds/bad.txt: error: ")
    assert message in str(error.value)
