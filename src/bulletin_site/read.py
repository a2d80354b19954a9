"""Bytes → text: the encodings a Macau office really sends, newlines, NFC.

Everything after this stage sees one ``str`` with ``\\n`` line ends, NFC-normalised, so
CJK compatibility ideographs (U+F900–U+FAFF) are already mapped to their unified forms.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bulletin_site.errors import InputError

# C0/C1 controls other than tab and newline: stray bytes from PDF extraction.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\ufeff]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class SourceText:
    """A raw file as text, with what had to be done to read it."""

    name: str
    text: str
    encoding: str
    repairs: tuple[str, ...] = ()


def read_source(path: Path) -> SourceText:
    return decode(read_bytes(path), str(path))


def read_bytes(path: Path) -> bytes:
    """The file's bytes; InputError in one line when there is no file to read."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(str(path), "is a folder, not a file") from None
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except OSError as error:
        raise InputError(str(path), f"cannot be read ({error.strerror})") from None


def decode(data: bytes, path: str) -> SourceText:
    if not data.strip():
        raise InputError(path, "is empty")
    text, encoding = _decode_bytes(data, path)
    repairs: list[str] = []
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = len(_CONTROL.findall(text))
    if controls:
        text = _CONTROL.sub("", text)
        repairs.append(f"removed {controls} control character(s)")
    normalised = unicodedata.normalize("NFC", text)
    if normalised != text:
        repairs.append("normalised to NFC")
    if not normalised.strip():
        raise InputError(path, "has no text")
    name = Path(path).name
    return SourceText(name, normalised, encoding, tuple(repairs))


def _decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError as error:
                raise InputError(path, f"is not valid {codec} ({error.reason})") from None
    if b"\x00" in data:
        raise InputError(path, "contains NUL bytes: binary data, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, str, str]] = []
    for codec in ("big5hkscs", "gb18030"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text, codec), codec, text))
    if not candidates:
        raise InputError(path, "is not text in UTF-8, UTF-16, GB18030 or Big5")
    score, codec, text = max(candidates)
    if score < 0.5:
        raise InputError(path, "is not text in UTF-8, UTF-16, GB18030 or Big5")
    return text, codec


def _plausibility(text: str, codec: str) -> float:
    """Share of Han characters that come from the encoding's common-character range.

    Big5 text decoded as GB18030 (or the reverse) still decodes, but into rare characters;
    both standards order their first plane by frequency, so real text lands in the
    common range and mis-decoded text does not.
    """
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
        return printable / max(len(text), 1)
    common = 0
    for ch in han:
        try:
            encoded = ch.encode("big5" if codec.startswith("big5") else "gb2312")
        except UnicodeEncodeError:
            continue
        lead = encoded[0]
        if (codec.startswith("big5") and 0xA4 <= lead <= 0xC6) or (
            not codec.startswith("big5") and 0xB0 <= lead <= 0xD7
        ):
            common += 1
    return common / len(han)
