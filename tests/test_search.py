"""The search index (src/bulletin_site/search/) on the real seeds: folding, tokens, records,
the matching rule against a plain substring rule, the Pagefind bundles, their parts, their
cache and their determinism.

What the browser does with it is tested in tests/browser/test_search_browser.py.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import gzip
import hashlib
import json
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import search_reference as ref
from bulletin_site import cache, pipeline, search, site
from bulletin_site.config import load_config
from bulletin_site.convert import EDITIONS, Converter, Edition, convert_document, load_glossary
from bulletin_site.errors import BuildError
from bulletin_site.kinds import KINDS
from bulletin_site.model import Bulletin, Page, Plan, stem
from bulletin_site.parse import read_document
from bulletin_site.search import answers, bundle, fold, pagefind, parts, site_index
from bulletin_site.search import fold as search_fold
from bulletin_site.search import records as search_records
from bulletin_site.search import words as search_words

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------------------------
# The seeds, as the build sees them


@pytest.fixture(scope="module")
def by_edition() -> dict[str, tuple[site.Source, ...]]:
    config = load_config(ROOT)
    documents = {
        stem(p.name): read_document(p).document for p in sorted((ROOT / "seeds").glob("*.txt"))
    }
    sources, _ = site.resolve_sources(documents, config.documents, KINDS)
    converter = Converter(load_glossary(ROOT / "content" / "glossary.yaml"))

    def convert(doc, script):  # type: ignore[no-untyped-def]
        return convert_document(doc, script, converter)

    return {e.code: site.convert_sources(sources, e.script, convert) for e in EDITIONS}


@pytest.fixture(scope="module")
def records(
    by_edition: Mapping[str, Sequence[site.Source]],
) -> dict[str, list[search_records.Record]]:
    config = load_config(ROOT).site
    return {e.code: search_records.records(by_edition[e.code], e, config, KINDS) for e in EDITIONS}


@pytest.fixture(scope="module")
def table(records: Mapping[str, Sequence[search_records.Record]]) -> dict[str, str]:
    return fold.fold_table(search_records.aligned_texts(records))


# ---------------------------------------------------------------------------------------------
# Folding


def test_fold_matches_both_scripts_and_macau_forms(table: Mapping[str, str]) -> None:
    fold = search_fold.fold
    assert fold("經濟局", table) == fold("经济局", table) == "经济局"
    assert fold("粵港澳大灣區", table) == fold("粤港澳大湾区", table)
    assert fold("金伯利進程", table) == fold("金伯利进程", table)
    assert fold("衞生", table) == fold("衛生", table) == fold("卫生", table)
    assert fold("瞭解", table) == fold("了解", table)  # the editions print 瞭解 / 了解 alike
    assert fold("CEPA", table) == fold("cepa", table) == fold("ＣＥＰＡ", table) == "cepa"
    assert fold("２０１９", table) == "2019"
    assert fold("São", table) == "sao"


def test_fold_keeps_every_offset(records: Mapping[str, Sequence[search_records.Record]]) -> None:
    table = fold.fold_table(search_records.aligned_texts(records))
    for recs in records.values():
        for r in recs:
            for text in (r.title, *r.body):
                text = unicodedata.normalize("NFC", text)
                assert len(fold.fold(text, table)) == len(text)


def test_the_editions_fold_to_the_same_text(
    records: Mapping[str, Sequence[search_records.Record]], table: Mapping[str, str]
) -> None:
    """Whatever the script of a query, both editions find the same records."""
    pairs = list(search_records.aligned_texts(records))
    assert len(pairs) > 200
    for hant, hans in pairs:
        if len(hant) == len(hans):
            assert fold.fold(hant, table) == fold.fold(hans, table), hant


def test_fold_table_is_small_and_keeps_only_the_corpus(table: Mapping[str, str]) -> None:
    assert 300 < len(table) < 3000
    assert all(len(k) == 1 and len(v) == 1 for k, v in table.items())
    assert table["經"] == "经" and "经" not in table


# ---------------------------------------------------------------------------------------------
# Tokens and content


def test_tokens_and_words() -> None:
    tokens = search_words.tokenize("2019年CEPA聯合，info@cepa.gov.mo ＧＭＰ")
    assert [(t.kind, t.text) for t in tokens] == [
        ("word", "2019"),
        ("han", "年"),
        ("word", "CEPA"),
        ("han", "聯"),
        ("han", "合"),
        ("sep", "，"),
        ("word", "info"),
        ("sep", "@"),
        ("word", "cepa"),
        ("sep", "."),
        ("word", "gov"),
        ("sep", "."),
        ("word", "mo"),
        ("sep", " "),
        ("word", "GMP"),
    ]
    assert search_words.tokens_to_words(tokens)[:7] == [
        "2019ǂ",
        "年ǂ",
        "CEPAǂ",
        "聯合",
        "合ǂ",
        "，",
        "infoǂ",
    ]
    assert search_words.tokens_to_words(search_words.tokenize("a \u3000\n\u200bb")) == [
        "aǂ",
        "␣␣␣␣",
        "bǂ",
    ]
    assert [search_words.display_word(w) for w in search_words.tokens_to_words(tokens)] == [
        t.text for t in tokens
    ]


def test_content_puts_the_title_in_its_span_and_paragraphs_one_separator_apart() -> None:
    record = search_records.Record("x", "bulletin", "標題", ("第一段。", "第二段", "“三”"))
    words = search_records.format_content(record, 6).split(" ")
    assert words[:6] == ["標題", "題ǂ", "␤", "␤", "␤", "␤"]
    assert words[6:] == ["第一", "一段", "段ǂ", "。␤", "第二", "二段", "段ǂ", "␤“", "三ǂ", "”"]
    assert search_records.display(" ".join(words), 6) == ("標題", "第一段。\n第二段\n“三”")


def test_display_rebuilds_every_record(
    records: Mapping[str, Sequence[search_records.Record]],
) -> None:
    """The browser shows what it rebuilds from the content: the record's own text."""

    def shown(text: str) -> str:
        text = "".join(
            " " if c.isspace() else search_words.half_width(c) if c.isalnum() else c for c in text
        )
        return unicodedata.normalize("NFC", text)

    for recs in records.values():
        span = search_records.title_span(recs)
        for r in recs:
            words = search_records.format_content(r, span).split(" ")
            assert all(words), r.url  # no empty word: every token is one Pagefind position
            assert len(words) == span + len(r.tokens()[1])
            title, body = search_records.display(search_records.format_content(r, span), span)
            assert title == shown(r.title)
            assert body == "\n".join(shown(p) for p in r.body if p)


def test_title_span_keeps_titles_and_bodies_apart(
    records: Mapping[str, Sequence[search_records.Record]],
) -> None:
    for recs in records.values():
        span = search_records.title_span(recs)
        longest = max(len(search_words.tokenize(r.title)) for r in recs)
        assert span == longest + 2


# ---------------------------------------------------------------------------------------------
# Records


def test_records_cover_articles_captions_issues_plan_items_and_pages(
    by_edition: Mapping[str, Sequence[site.Source]],
    records: Mapping[str, Sequence[search_records.Record]],
) -> None:
    for code, recs in records.items():
        docs = [s.doc for s in by_edition[code]]
        bulletins = [d for d in docs if isinstance(d, Bulletin)]
        plans = [d for d in docs if isinstance(d, Plan)]
        pages = [d for d in docs if isinstance(d, Page)]
        urls = [r.url for r in recs]
        assert len(set(urls)) == len(urls)
        assert all(u.startswith(f"{code}/") for u in urls)
        articles = sum(len(b.articles) for b in bulletins)
        items = sum(len(sec.items) for p in plans for sec in p.sections)
        assert len(recs) == len(bulletins) + articles + len(plans) + items + len(pages)
        item_records = [r for r in recs if "#item-" in r.url]
        assert len(item_records) == items
        assert all(r.url.endswith(f"#item-{r.facts['n']}") and not r.title for r in item_records)
        for b in bulletins:
            for a in b.articles:
                record = next(r for r in recs if r.title == a.title and r.facts.get("n"))
                assert record.body == (*a.paragraphs, *a.captions)  # captions are searchable
            if b.contact:
                assert any(b.contact in r.body for r in recs if r.title.startswith("第"))
        assert {r.kind for r in recs} == {
            k for k, found in (("bulletin", bulletins), ("plan", plans), ("page", pages)) if found
        }


def test_records_are_listed_newest_first(
    records: Mapping[str, Sequence[search_records.Record]],
) -> None:
    recs = records["zh-hans"]
    issue_71 = recs.index(next(r for r in recs if r.title == "第71期"))
    issue_70 = recs.index(next(r for r in recs if r.title == "第70期"))
    assert issue_71 < issue_70  # 2019-12-31 before 2019-10-01
    first_articles = [r.facts["n"] for r in recs[issue_71 + 1 : issue_71 + 4]]
    assert first_articles == ["1", "2", "3"]
    dated = [r.facts.get("date", "") for r in recs]
    assert [d for d in dated if d] == sorted((d for d in dated if d), reverse=True)


def test_page_text_is_what_the_reader_sees() -> None:
    blocks = search_records.page_text(
        "Intro [link text](https://x.example/a) end.\n\n- one\n- two\n"
    )
    assert blocks == ("Intro link text end.", "one", "two")


# ---------------------------------------------------------------------------------------------
# Matching: the token rule is the substring rule


def substring_rule(term: str, text: str) -> bool:
    """A plain rule, on folded text: the term occurs in the text, and a Latin word or number
    is matched whole (no letter or digit right before or after it)."""

    def latin(c: str) -> bool:
        return search_words.char_class(c) == search_words.WORD

    for m in re.finditer(re.escape(term), text):
        i, j = m.start(), m.end()
        if latin(term[0]) and i > 0 and latin(text[i - 1]):
            continue
        if latin(term[-1]) and j < len(text) and latin(text[j]):
            continue
        return True
    return False


def sample_queries(records: Sequence[search_records.Record], count: int, seed: int) -> list[str]:
    """Substrings of the texts (1–6 characters, within one run of letters and digits),
    and a few made-up ones."""
    rng = random.Random(seed)
    runs = [
        m.group()
        for r in records
        for text in (r.title, *r.body)
        for m in re.finditer(r"[^\W_]+", text)
    ]
    queries = []
    while len(queries) < count:
        run = rng.choice(runs)
        n = rng.randint(1, min(6, len(run)))
        i = rng.randrange(len(run) - n + 1)
        queries.append(run[i : i + n])
    return [*queries, "火星殖民", "xyzzy", "cepa 澳門", "12.5", "info@cepa.gov.mo"]


@pytest.mark.parametrize("code", [e.code for e in EDITIONS])
def test_token_rule_equals_substring_rule(
    code: str, records: Mapping[str, Sequence[search_records.Record]], table: Mapping[str, str]
) -> None:
    recs = records[code]
    texts = [[fold.fold(t, table) for t in (r.title, *r.body)] for r in recs]
    tokens = [tuple(ref.folded(t, table) for t in r.tokens()) for r in recs]
    for query in sample_queries(recs, 300, seed=len(code)):
        terms = [fold.fold(t, table) for t in re.split(r"[\W_]+", query) if t]
        want = {
            r.url
            for r, folded in zip(recs, texts, strict=True)
            if terms and all(any(substring_rule(t, x) for x in folded) for t in terms)
        }
        wanted = [ref.folded(search_words.tokenize(t), table) for t in ref.split_query(query)]
        got = {
            r.url
            for r, (title, body) in zip(recs, tokens, strict=True)
            if wanted and all(ref.find_folded(w, title) or ref.find_folded(w, body) for w in wanted)
        }
        assert got == want, query
    # ref.matches is the same rule, query by query.
    for query in ("經濟局", "cepa 2019", "澳", "火星"):
        assert {r.url for r in recs if ref.matches(query, r, table)} == {
            r.url
            for r, folded in zip(recs, texts, strict=True)
            if all(
                any(substring_rule(fold.fold(t, table), x) for x in folded) for t in query.split()
            )
        }


@pytest.mark.parametrize("code", [e.code for e in EDITIONS])
def test_pagefind_words_find_what_the_token_rule_finds(
    code: str, records: Mapping[str, Sequence[search_records.Record]], table: Mapping[str, str]
) -> None:
    """The lookups search.js makes (pairs, run ends, Latin words, a lone character as a prefix),
    answered as Pagefind answers them, hit exactly where the term's tokens are."""
    recs = records[code]
    span = search_records.title_span(recs)
    chars = {
        c
        for r in recs
        for t in (r.title, *r.body)
        for c in t
        if search_words.char_class(c) == "han"
    }
    contents = [search_records.format_content(r, span).split(" ") for r in recs]
    tokens = [tuple(ref.folded(t, table) for t in r.tokens()) for r in recs]
    queries = [*sample_queries(recs, 120, seed=7), "經濟局", "经济局", "2019年", "年CEPA", "澳"]
    for query in queries:
        for term in ref.split_query(query):
            term_steps = ref.steps(term, table, chars)
            wanted = ref.folded(search_words.tokenize(term), table)
            for r, words, (title, body) in zip(recs, contents, tokens, strict=True):
                want = ref.find_folded(wanted, title) + [
                    span + p for p in ref.find_folded(wanted, body)
                ]
                assert ref.lookup(term_steps, words) == want, (query, term, r.url)


def test_a_query_in_either_script_finds_the_same_records(
    records: Mapping[str, Sequence[search_records.Record]], table: Mapping[str, str]
) -> None:
    def keys(code: str, query: str) -> set[str]:
        return {r.key for r in records[code] if ref.matches(query, r, table)}

    for hant, hans in [("經濟局", "经济局"), ("粵港澳大灣區", "粤港澳大湾区"), ("衞生", "卫生")]:
        found = keys("zh-hant", hant)
        assert found
        assert found == keys("zh-hant", hans) == keys("zh-hans", hant) == keys("zh-hans", hans)


def test_split_query() -> None:
    assert ref.split_query(" 經濟局  CEPA\u300012.5 經濟局 ") == ["經濟局", "CEPA", "12", "5"]
    assert ref.split_query("《》，。") == []


# ---------------------------------------------------------------------------------------------
# The bundle


def part_folders(site_dir: Path, edition: Edition) -> list[Path]:
    """An edition's part folders under pagefind/, in data.json's order (newest first)."""
    data = json.loads((site_dir / edition.code / search.DATA).read_text())
    return [site_dir / search.BUNDLE / part["path"] for part in data["parts"]]


def bundle_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_built_site_has_the_parts_and_the_data(
    built_site: Path, records: Mapping[str, Sequence[search_records.Record]]
) -> None:
    root = built_site / search.BUNDLE
    assert sorted(p.name for p in root.iterdir()) == ["hans", "hant"]  # parts only
    names = {p.name for p in root.rglob("*")}
    assert not names & {*bundle.PROGRAM_FILES, *pagefind.UNUSED_BUNDLE_FILES}  # no program
    for edition in EDITIONS:
        data = json.loads((built_site / edition.code / search.DATA).read_text())
        assert data["version"] == search.DATA_VERSION
        assert not (built_site / edition.code / "search" / "spill.json").exists()
        recs = records[edition.code]
        assert data["index"] == edition.script
        assert [p["name"] for p in data["parts"]] == ["2018-2019", "undated"]  # newest first
        counted = 0
        folders = part_folders(built_site, edition)
        directories = read_directories(built_site, edition)
        for part, folder, directory in zip(data["parts"], folders, directories, strict=True):
            assert folder.parent.name == edition.script and folder.name.startswith(part["name"])
            languages = json.loads((folder / "pagefind-entry.json").read_text())["languages"]
            assert list(languages) == [edition.script]
            assert languages[edition.script]["page_count"] == part["records"]
            assert directory["records"] == part["records"] and directory["span"] == part["span"]
            counted += part["records"]
        assert counted == data["records"] == len(recs)
        assert data["kinds"] == [k for k in KINDS.names if any(r.kind == k for r in recs)]
        assert data["years"] == sorted({r.year for r in recs if r.year}, reverse=True)
        pairs = data["fold"]
        assert len(pairs) % 2 == 0 and "經经" in pairs


def read_directories(site_dir: Path, edition: Edition) -> list[dict[str, Any]]:
    raw = (site_dir / edition.code / search.PARTS).read_bytes()
    return json.loads(answers.unpacked(raw))


def index_words(folder: Path) -> dict[str, dict[int, list[int]]]:
    """Every word of a part's Pagefind index files, as Pagefind's own reader (pagefind_web's
    index.rs) sees it: word → page → positions, its variants' pages merged."""
    words: dict[str, dict[int, list[int]]] = {}
    for path in sorted((folder / "index").glob("*.pf_index")):
        for entry in bundle.read_pf(path.read_bytes(), path.name)[0]:
            pages = words.setdefault(entry[0], {})
            for page_list in [entry[1], *(variant[1] for variant in entry[2])]:
                page = 0
                for delta, locations, *_ in page_list:
                    page += delta
                    position, found = 0, pages.setdefault(page, [])
                    for location in locations:
                        if location < 0:  # a weight marker: the next location is absolute
                            position = 0
                        else:
                            position += location
                            found.append(position)
    return words


def answer_from_index(
    words: Mapping[str, Mapping[int, list[int]]], keys: Sequence[str], records: int, span: int
) -> list[int]:
    """What answers.py writes for ``keys``, from the index files' positions."""
    values = [[0, 0] for _ in range(records)]
    for key in keys:
        for page, positions in words[key].items():
            values[page][0] += len(positions)
            values[page][1] |= any(p < span for p in positions)
    return [count * 2 + title for count, title in values]


def test_the_answers_for_common_words_are_what_the_index_files_say(built_site: Path) -> None:
    """The answers the build wrote (answers.py) against Pagefind's own index files: for each
    unit (a character as a prefix, a Chinese word) and each part where it is common, every
    record's count and title flag as the positions in the part's index files give them. A unit
    is answered for a part exactly when it has at least as many positions there as the part
    has records; every unit common in some part has its file, and no other."""
    checked = 0
    for edition in EDITIONS:
        data = json.loads((built_site / edition.code / search.DATA).read_text())
        common = data["common"]
        key = answers.pagefind_key  # the keys are written in NFC (answers.written)
        units = [
            *((key(u), "prefix") for u in common["prefixes"]),
            *((key(u), "word") for u in common["words"]),
        ]
        folder = built_site / search.BUNDLE / common["path"]
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"{n}.bin" for n in range(len(units))
        )
        answered: dict[tuple[str, str], dict[int, list[int]]] = {}
        for n, unit in enumerate(units):
            values = answers.read_varints(answers.unpacked((folder / f"{n}.bin").read_bytes()))
            at = 0
            while at < len(values):
                place = values[at]
                records = data["parts"][place]["records"]
                answered.setdefault(unit, {})[place] = values[at + 1 : at + 1 + records]
                at += 1 + records
        directories = read_directories(built_site, edition)
        for place, part_folder in enumerate(part_folders(built_site, edition)):
            directory = directories[place]
            records, span = directory["records"], directory["span"]
            words = index_words(part_folder)
            meta = next(part_folder.glob("pagefind.*.pf_meta"))
            chunks = bundle.read_pf(meta.read_bytes(), meta.name)[2]
            assert directory["chunks"] == [text for chunk in chunks for text in chunk[:2]]
            assert [c[2] for c in chunks] == [bundle.base36(n) for n in range(len(chunks))]
            chinese = [w for w in words if search_words.char_class(w[0]) == search_words.HAN]
            candidates = [
                *(
                    ((p, "prefix"), [w for w in chinese if w.startswith(p)])
                    for p in {answers.pagefind_key(w[0]) for w in chinese}
                ),
                *(((w, "word"), [w]) for w in chinese),
            ]
            for unit, keys in candidates:
                locations = sum(len(p) for key in keys for p in words[key].values())
                found = answered.get(unit, {}).get(place)
                if answers.is_common(locations, records):
                    assert found == answer_from_index(words, keys, records, span), unit
                    checked += 1
                else:
                    assert found is None, unit
    assert checked > 100


def test_the_word_map_lists_every_part_holding_each_chinese_word(built_site: Path) -> None:
    """The word map (answers.word_map) against Pagefind's index files: a Chinese key is listed
    with exactly the parts whose index files hold it (search.js skips the others)."""
    for edition in EDITIONS:
        data = json.loads((built_site / edition.code / search.DATA).read_text())
        folder = built_site / search.BUNDLE / data["map"]["path"]
        mapped: dict[str, list[int]] = {}
        firsts = []
        for n in range(len(data["map"]["from"])):
            flat = json.loads(answers.unpacked((folder / f"{n}.bin").read_bytes()))
            firsts.append(flat[0])
            keys = map(answers.pagefind_key, flat[0::2])  # written in NFC (answers.written)
            mapped.update(zip(keys, flat[1::2], strict=True))
        assert firsts == data["map"]["from"]
        assert list(mapped) == sorted(mapped)  # code point order, file after file
        held: dict[str, list[int]] = {}
        for place, part_folder in enumerate(part_folders(built_site, edition)):
            for word in index_words(part_folder):
                if search_words.char_class(word[0]) == search_words.HAN:
                    held.setdefault(word, []).append(place)
        assert mapped == held


def test_answers_encoding() -> None:
    values = [0, 1, 127, 128, 300, 16_383, 16_384, 2**31]
    assert answers.read_varints(answers.varints(values)) == values
    packed = answers.packed(answers.varints(values))
    assert packed == answers.packed(answers.varints(values))  # no time stamp
    assert answers.unpacked(packed) == answers.unpacked(gzip.decompress(packed))
    with pytest.raises(ValueError):
        answers.unpacked(gzip.compress(b"pagefind_dcd"))
    assert answers.pagefind_key("CAFÉ") == "cafe" and answers.pagefind_key("が") == "か"
    hangul = answers.pagefind_key("한국")  # Pagefind keys Hangul decomposed; the site writes NFC
    assert hangul != "한국" and answers.written(hangul) == "한국"
    assert answers.pagefind_key(answers.written(hangul)) == hangul
    with pytest.raises(ValueError, match="named"):
        answers.directory([["a", "b", "1"]], {}, 1, 2)


def test_two_builds_are_byte_identical(make_project) -> None:  # type: ignore[no-untyped-def]
    trees = []
    for name in ("one", "two"):
        site_dir = pipeline.build(make_project(name)).site_dir
        trees.append(
            {
                p.relative_to(site_dir).as_posix(): p.read_bytes()
                for p in sorted(site_dir.rglob("*"))
                if p.is_file()
            }
        )
    assert trees[0].keys() == trees[1].keys()
    different = [path for path in trees[0] if trees[0][path] != trees[1][path]]
    assert different == []
    assert any(
        path.startswith("pagefind/hant/2018-2019-") and "/filter/" in path for path in trees[0]
    )


def test_records_are_named_by_part_and_rank_and_filters_sorted_whatever_their_order(
    built_site: Path, records: Mapping[str, Sequence[search_records.Record]]
) -> None:
    for edition in EDITIONS:
        recs = iter(records[edition.code])
        data = json.loads((built_site / edition.code / search.DATA).read_text())
        for part, folder in zip(data["parts"], part_folders(built_site, edition), strict=True):
            files = bundle_files(folder)
            fragments = sorted(p[9:-12] for p in files if p.startswith("fragment/"))
            ids = [bundle.record_id(part["name"], i) for i in range(part["records"])]
            assert fragments == sorted(ids)
            # A part holds the next records of the archive's order, in that order.
            urls = {}
            for record_id in ids:
                fragment = files[f"fragment/{record_id}.pf_fragment"]
                urls[json.loads(gzip.decompress(fragment)[12:])["url"]] = record_id
                assert next(recs).url == json.loads(gzip.decompress(fragment)[12:])["url"]
            shuffled = dict(files)
            for path in [p for p in files if p.startswith("filter/")]:
                name, values = bundle.read_pf(files[path], path)
                random.Random(1).shuffle(values)
                shuffled[path] = bundle.pf_bytes([name, values])

            script = [edition.script]
            named = functools.partial(lambda ids, _, url: ids[url], urls)
            assert bundle.canonical_bundle(shuffled, script, named)[0] == files
            assert bundle.canonical_bundle(files, script, named)[0] == files
        assert next(recs, None) is None


def test_record_id() -> None:
    assert [bundle.record_id("2019", n) for n in (0, 9, 10, 35, 36, 11122)] == [
        "2019_0",
        "2019_9",
        "2019_a",
        "2019_z",
        "2019_10",
        "2019_8ky",
    ]
    assert bundle.record_id("undated-2", 0) == "undated-2_0"


def test_cbor_round_trip(built_site: Path) -> None:
    root = built_site / search.BUNDLE
    for path in [*root.rglob("*.pf_meta"), *root.rglob("index/*.pf_index")]:
        value = bundle.read_pf(path.read_bytes(), path.name)
        data = gzip.decompress(bundle.pf_bytes(value))
        assert data == gzip.decompress(path.read_bytes())


def test_a_missing_pagefind_binary_is_a_build_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-pagefind"))
    with pytest.raises(BuildError, match="Pagefind"), pagefind.PagefindService() as service:
        service.send({"type": "NewIndex", "config": {}})


def test_search_page_without_javascript_says_so(built_site: Path) -> None:
    html = (built_site / "zh-hant" / "search" / "index.html").read_text()
    noscript = html.split("<noscript>")[1].split("</noscript>")[0]
    assert "JavaScript" in noscript and 'href="../index.html"' in noscript
    assert "<script>" not in html  # no inline script (CSP)
    assert '<input type="search" name="q"' in html
    assert 'id="search-results" aria-busy="false"' in html


def test_parts_are_indexed_two_at_a_time_only_when_the_memory_allows() -> None:
    gib = 1 << 30
    assert parts.parts_at_once(600, 24 * gib) == 2  # a year of a weekly bulletin, this machine
    assert parts.parts_at_once(600, 2 * gib) == 1  # a small machine
    assert parts.parts_at_once(5_000, 24 * gib) == 1  # larger parts than the budget allows
    assert parts.parts_at_once(10, None) == 1


# ---------------------------------------------------------------------------------------------
# Parts


def dated(stem: str, date: datetime.date | None) -> site.Source:
    doc = Page(source=f"{stem}.txt", script="hant", title=stem, markdown="text")
    return site.Source(stem, doc, "hant", None, date)


def test_parts_are_years_newest_first_in_runs_counted_from_the_oldest() -> None:
    day = datetime.date
    sources = [  # the archive's order: newest first, undated last
        *(dated(f"a{n}", day(2021, 1, 1) + datetime.timedelta(days=-n)) for n in range(5)),
        dated("b", day(2019, 6, 1)),
        dated("c", None),
    ]
    found = parts.split_into_parts(sources, per_part=2, years_per_part=1)
    assert [(p.name, [s.stem for s in p.sources]) for p in found] == [
        ("2021", ["a0"]),
        ("2020-2", ["a1", "a2"]),
        ("2020", ["a3", "a4"]),
        ("2019", ["b"]),
        ("undated", ["c"]),
    ]
    # Contiguous runs of the archive's order: ranking across parts keeps that order.
    assert [s for p in found for s in p.sources] == sources
    # A new issue changes the newest part only; every other part keeps its name and documents.
    newer = parts.split_into_parts([dated("new", day(2021, 2, 1)), *sources], 2, 1)
    assert newer[0].name == "2021" and newer[1:] == found[1:]
    # Periods of several years start at a year divisible by their length.
    assert [p.name for p in parts.split_into_parts(sources, 8, 2)] == [
        "2020-2021",
        "2018-2019",
        "undated",
    ]


def identities_of(by_edition: Mapping[str, Sequence[site.Source]]) -> dict[str, dict[str, str]]:
    return pipeline.source_identities(by_edition, cache.Cache(Path("unused"), enabled=False))


@pytest.mark.parametrize("by_sources", [False, True], ids=["by records", "by sources"])
def test_unchanged_parts_come_from_the_cache_and_only_a_changed_part_is_indexed_again(
    by_edition: Mapping[str, Sequence[site.Source]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    by_sources: bool,
) -> None:
    """A part is looked up by its records, or (the build, with the built-in kinds) by its
    sources' digests, without making its records: the same files either way."""
    config = load_config(ROOT).site
    made: list[int] = []
    real_records = site_index.records

    def records(sources: Sequence[site.Source], *args: Any) -> Any:
        made.append(len(sources))
        return real_records(sources, *args)

    monkeypatch.setattr(site_index, "records", records)

    def index_files(
        by_edition: Mapping[str, Sequence[site.Source]], cache_dir: Path | None = None
    ) -> dict[str, bytes]:
        ids = identities_of(by_edition) if by_sources else None
        return search.index_files(by_edition, config, KINDS, cache_dir, identities=ids)

    built: list[str] = []
    real = parts.build_part

    def build_part(script: str, name: str, *args: Any) -> tuple[dict[str, bytes], Any]:
        built.append(f"{script}/{name}")
        return real(script, name, *args)

    monkeypatch.setattr(parts, "build_part", build_part)
    cache_dir = tmp_path / "cache"
    first = index_files(by_edition, cache_dir)
    assert sorted(built) == ["hans/2018-2019", "hans/undated", "hant/2018-2019", "hant/undated"]
    built.clear()
    made.clear()
    assert index_files(by_edition, cache_dir) == first
    assert built == []  # nothing changed: no Pagefind at all
    assert (made == []) is by_sources  # … and, keyed by sources, not one record made
    # The same bytes as without the cache, keyed either way.
    assert search.index_files(by_edition, config, KINDS) == first
    assert index_files(by_edition) == first
    built.clear()
    made.clear()

    # One work plan corrected: its part is indexed again, in each edition; the rest is reused.
    changed = {}
    for code, sources in by_edition.items():
        plan = next(s for s in sources if isinstance(s.doc, Plan))
        doc = dataclasses.replace(plan.doc, intro=("新的引言。", *plan.doc.intro))
        changed[code] = [dataclasses.replace(s, doc=doc) if s is plan else s for s in sources]
    after = index_files(changed, cache_dir)
    assert sorted(built) == ["hans/undated", "hant/undated"]
    if by_sources:  # the records of the changed part only, in each edition
        undated = next(p for p in parts.split_into_parts(changed["zh-hant"]) if p.name == "undated")
        assert made == [len(undated.sources)] * 2
    assert after == search.index_files(changed, config, KINDS)  # as a build without the cache
    moved = {path.split("/")[2] for path in first.keys() ^ after.keys() if path.count("/") > 2}
    # The changed part moves (a new name for new files), and so do the edition's answers,
    # which hold every part's; the other part stays where it was.
    assert {f.split("-")[0] for f in moved} == {"undated", "common", "map"}
    # The cache keeps the parts of the last build only: a bundle per part and edition, and
    # what each part gives the fold table.
    assert len(list((cache_dir / "bundles").iterdir())) == 4 + 2


def test_a_part_keyed_by_its_sources_changes_with_each_of_them(
    by_edition: Mapping[str, Sequence[site.Source]], tmp_path: Path
) -> None:
    """What a part's records are made of, each changed alone, changes its key: a source's
    digest (its document, metadata), the edition, the part, the site's configuration, the kinds."""
    store = cache.Cache(tmp_path, stores=[cache.BUNDLES])
    config = load_config(ROOT).site
    ids = identities_of(by_edition)
    hant, hans = EDITIONS[0], EDITIONS[1]
    part = parts.split_into_parts(by_edition[hant.code])[0]

    def key(**change: Any) -> str:
        given = {"edition": hant, "part": part, "config": config, "kinds": KINDS.names}
        given.update(change)
        return parts.sources_part_key(
            store,
            given["edition"],
            given["part"],
            given["config"],
            given["kinds"],
            change.get("ids", ids[hant.code]),
        )

    first = part.sources[0]
    edited = dataclasses.replace(first, doc=dataclasses.replace(first.doc, source="other.txt"))
    keys = [
        key(),
        key(ids={**ids[hant.code], first.stem: "0" * 64}),
        key(ids={**ids[hant.code], **identities_of({hant.code: [edited]})[hant.code]}),
        key(edition=hans, ids=ids[hans.code]),
        key(part=dataclasses.replace(part, name="renamed")),
        key(part=dataclasses.replace(part, sources=part.sources[1:])),
        key(config=dataclasses.replace(config, allow_html=not config.allow_html)),
        key(kinds=(*KINDS.names, "another")),
    ]
    assert len(set(keys)) == len(keys)
    assert key() == key()  # and the same inputs, the same key
    # A source's digest is that of what it holds: its metadata too.
    dated_later = dataclasses.replace(first, date=datetime.date(2099, 1, 1))
    assert identities_of({"x": [first]}) != identities_of({"x": [dated_later]})


def test_damaged_part_entries_are_indexed_again_not_a_crash(
    by_edition: Mapping[str, Sequence[site.Source]], tmp_path: Path
) -> None:
    """A part's bundle whose description lacks an entry, or a fold entry that is not one,
    is computed again (and reported), with the files a build without the cache makes."""
    config = load_config(ROOT).site
    ids = identities_of(by_edition)
    cache_dir = tmp_path / "cache"
    first = search.index_files(by_edition, config, KINDS, cache_dir, identities=ids)
    for entry in sorted((cache_dir / "bundles").iterdir()):
        payload = entry.read_bytes().partition(b"\n")[2]
        if payload.startswith(b'{"about"'):  # a bundle: its description without "chars"
            head, _, data = payload.partition(b"\n")
            about = json.loads(head)
            del about["about"]["chars"]
            payload = json.dumps(about).encode() + b"\n" + data
        else:  # a part's fold inputs: an odd number of paired characters
            payload = b'{"chars": "", "pairs": "a"}'
        digest = hashlib.sha256(payload).hexdigest().encode()
        entry.write_bytes(digest + b"\n" + payload)
    store = cache.Cache(cache_dir, stores=[cache.BUNDLES])
    jobs = [
        site_index._job(store, e, p, config, KINDS, ids)
        for e in EDITIONS
        for p in parts.split_into_parts(by_edition[e.code])
    ]
    assert sum(1 for j in jobs if parts._load(store, j.key) is None) == len(jobs)
    assert store.stats().damaged == len(jobs)
    assert search.index_files(by_edition, config, KINDS, cache_dir, identities=ids) == first


# ---------------------------------------------------------------------------------------------
# The build's shortcuts give what the plain definitions give

_CHARS = "經经濟济局門门發发展澳澚鬥斗a１"
_SAME_LENGTH_PAIRS = st.text(_CHARS, min_size=1, max_size=8).flatmap(
    lambda hant: st.tuples(st.just(hant), st.text(_CHARS, min_size=len(hant), max_size=len(hant)))
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_SAME_LENGTH_PAIRS | st.tuples(st.text(_CHARS), st.text(_CHARS)), max_size=12))
def test_the_fold_table_is_one_union_a_printed_pair(aligned: list[tuple[str, str]]) -> None:
    """fold_table unions each distinct pair once, in sorted order: the table of one union per
    pair printed, in the order met."""
    assert fold.fold_table(aligned) == ref.fold_table(aligned)
