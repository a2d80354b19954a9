"""The search page in Debian's Chromium, on the site built from the real seeds.

Queries are typed into the real search box of both editions; the records each must find are
worked out here from the reader's output (``read_document`` on seeds/, the editors' metadata,
the converter), not from the search index and not written by hand:

- a record is what a result links to: an issue (its summary and contact), an article (title,
  paragraphs, captions), a work plan (title, introduction, headings), a plan item (#item-N), a
  page (the text of its built page);
- a query's terms are its runs of letters and digits; a record matches a term if the term,
  as typed or converted to either script by the site's converter, is in the record's title or
  body in either edition, case-insensitive, a Latin word or number whole.

Results must be exactly those records (recall 1.0, precision 1.0), linked in the current
edition, with the text shown in its script, ranked title matches first, then by how often the
terms occur, then newest first.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import search_reference as ref
from browser_harness import BROWSER_TESTS, Visit, wait_for_search
from bulletin_site import search, site
from bulletin_site.config import load_config
from bulletin_site.convert import EDITIONS, Converter, convert_document, load_glossary
from bulletin_site.kinds import KINDS
from bulletin_site.model import Bulletin, Page, Plan, stem
from bulletin_site.parse import read_document
from bulletin_site.search import answers, fold
from bulletin_site.search import records as search_records
from bulletin_site.search import words as search_words

ROOT = Path(__file__).resolve().parents[2]

pytestmark = BROWSER_TESTS

# name → query. Typed as written into both editions.
QUERIES = {
    # people
    "person": "王炳南",
    "person 2": "梁維特",
    "person 3": "陳子慧",
    "person 4": "孫彤",
    "person in a caption": "宋永華",
    # places
    "place": "廣州",
    "place 2": "深圳",
    "place 3": "陝西",
    "place 4": "橫琴",
    "place 5": "北京",
    "place in a page": "赤道幾內亞",
    # agreements and topics
    "agreement": "金伯利進程",
    "agreement 2": "知識產權",
    "region": "粵港澳大灣區",
    "agreement 3": "CEPA服務貿易協議",
    "belt and road": "一帶一路",
    "framework": "粵澳合作框架協議",
    "topic": "數字經濟",
    "topic 2": "跨境電商",
    "topic 3": "毛坯鑽石",
    "plan item": "中醫藥",
    "plan item 2": "商事登記",
    # numbers
    "year": "2019",
    "phone": "85972343",
    "year 2": "2020",
    "number": "15",
    # Latin
    "latin": "CEPA",
    "latin lower case": "cepa",
    "latin 2": "CITES",
    "latin in a page": "GMP",
    "email": "info@cepa.gov.mo",
    # one character
    "one character": "澳",
    "one character 2": "鑽",
    "one character 3": "灣",
    # two terms
    "two terms": "經濟局 廣州",
    "two terms 2": "粵港澳 數字",
    "two terms, latin and number": "CEPA 2019",
    # the other script
    "simplified": "经济局",
    "simplified 2": "粤港澳大湾区",
    "simplified 3": "金伯利进程",
    "simplified 4": "知识产权",
    # Macau forms: the bureau prints 衛生, Hong Kong 衞生
    "macau form": "衞生",
    "big5 form": "衛生",
    # captions
    "caption": "雙方合照",
    "caption 2": "黃埔軍校",
    # nothing
    "absent": "火星殖民",
    "absent latin": "xyzzy",
    "absent second term": "金伯利進程 火星",
}
# Typed one key at a time (the rest are filled in one go).
ONE_KEY_AT_A_TIME = {"region", "two terms", "latin", "simplified 3"}
RANKED = ("region", "agreement", "one character 2", "latin", "two terms", "plan item", "year")


# ---------------------------------------------------------------------------------------------
# What each query must find, from the reader's output


@dataclass(frozen=True)
class Expected:
    key: str  # the same record in both editions
    rank: int  # its place in the archive (newest first)
    url: dict[str, str]  # edition code → site path (with #item-N)
    title: dict[str, str]  # edition code → title ("" for plan items)
    body: dict[str, tuple[str, ...]]  # edition code → paragraphs


class _PageText(HTMLParser):
    """The text of a built page's <article>, block by block, without its <h1>."""

    BLOCKS = frozenset(
        {"p", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "pre", "blockquote", "dd", "dt"}
        | {"tr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._depth = 0
        self._in_h1 = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._depth += 1
        elif tag == "h1":
            self._in_h1 = True
        elif tag in self.BLOCKS or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._flush()
            self._depth -= 1
        elif tag == "h1":
            self._in_h1 = False
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._depth and not self._in_h1:
            self._text.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.blocks.append(text)
        self._text = []


def page_body(site_dir: Path, path: str) -> tuple[str, ...]:
    parser = _PageText()
    parser.feed((site_dir / path).read_text(encoding="utf-8"))
    return tuple(parser.blocks)


@pytest.fixture(scope="module")
def expected_records(built_site: Path) -> list[Expected]:
    config = load_config(ROOT)
    documents = {
        stem(p.name): read_document(p).document for p in sorted((ROOT / "seeds").glob("*.txt"))
    }
    sources, _ = site.resolve_sources(documents, config.documents, KINDS)
    converter = Converter(load_glossary(ROOT / "content" / "glossary.yaml"))
    rows: dict[str, dict[str, tuple[str, str, tuple[str, ...]]]] = {}
    order: list[str] = []

    def add(key: str, code: str, url: str, title: str, body: Sequence[str]) -> None:
        if key not in rows:
            order.append(key)
            rows[key] = {}
        rows[key][code] = (url, title, tuple(body))

    for edition in EDITIONS:
        code, t = edition.code, site.LABELS[edition.script]
        for source in sources:
            doc = convert_document(source.doc, edition.script, converter)
            s = source.stem
            if isinstance(doc, Bulletin):
                number = source.number
                assert number is not None
                label = t["issue"].format(n=number)
                add(
                    s, code, site.issue_path(code, number), label, [*doc.summary, doc.contact or ""]
                )
                for a in doc.articles:
                    add(
                        f"{s}/{a.number}",
                        code,
                        site.article_path(code, number, a.number),
                        a.title,
                        [*a.paragraphs, *a.captions],
                    )
            elif isinstance(doc, Plan):
                path = site.source_path(code, KINDS.of(doc), source)
                add(s, code, path, doc.title, [*doc.intro, *(x.heading for x in doc.sections)])
                for section in doc.sections:
                    for item in section.items:
                        add(
                            f"{s}#{item.number}",
                            code,
                            f"{path}#item-{item.number}",
                            "",
                            [item.text],
                        )
            elif isinstance(doc, Page):
                path = site.source_path(code, KINDS.of(doc), source)
                add(s, code, path, doc.title, page_body(built_site, path))
    return [
        Expected(
            key,
            rank,
            {code: row[0] for code, row in rows[key].items()},
            {code: row[1] for code, row in rows[key].items()},
            {code: row[2] for code, row in rows[key].items()},
        )
        for rank, key in enumerate(order)
    ]


@functools.cache
def _converter() -> Converter:
    return Converter(load_glossary(ROOT / "content" / "glossary.yaml"))


def _plain(text: str) -> str:
    """Lower case, full-width letters and digits as ASCII."""
    return "".join(
        chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" and c.isalnum() else c
        for c in unicodedata.normalize("NFC", text)
    ).lower()


def _latin(c: str) -> bool:
    return c.isalnum() and ord(c) < 0x2E80


def terms(query: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"[^\W_]+", query)))


def variants(term: str) -> set[str]:
    converter = _converter()
    return {
        _plain(v) for v in (term, converter.convert(term, "hant"), converter.convert(term, "hans"))
    }


def occurrences(term: str, text: str) -> set[int]:
    """Where the term (any variant) starts in the text; Latin words and numbers whole."""
    text = _plain(text)
    found = set()
    for v in variants(term):
        start = text.find(v)
        while start >= 0:
            end = start + len(v)
            if not (
                (_latin(v[0]) and start > 0 and _latin(text[start - 1]))
                or (_latin(v[-1]) and end < len(text) and _latin(text[end]))
            ):
                found.add(start)
            start = text.find(v, start + 1)
    return found


def in_title(term: str, record: Expected) -> bool:
    return any(occurrences(term, title) for title in record.title.values())


def in_record(term: str, record: Expected) -> bool:
    return in_title(term, record) or any(
        occurrences(term, p) for body in record.body.values() for p in body
    )


def expected_for(query: str, records: Sequence[Expected]) -> list[Expected]:
    """The records the query must find, in the order they must be shown in ``code``."""
    wanted = terms(query)
    if not wanted:
        return []
    return [r for r in records if all(in_record(t, r) for t in wanted)]


def ranked(query: str, found: Sequence[Expected], code: str) -> list[Expected]:
    wanted = terms(query)

    def key(r: Expected) -> tuple[int, int, int]:
        titles = sum(1 for t in wanted if occurrences(t, r.title[code]))
        count = sum(
            len(occurrences(t, r.title[code])) + sum(len(occurrences(t, p)) for p in r.body[code])
            for t in wanted
        )
        return (-titles, -count, r.rank)

    return sorted(found, key=key)


# ---------------------------------------------------------------------------------------------
# The browser


class SearchPage(Visit):
    """One edition's search page; every request and console error recorded."""

    def __init__(self, browser: Any, server: str, code: str, query: str = "", **context: Any):
        super().__init__(browser, server, **context)
        self.code = code
        suffix = f"?q={query}" if query else ""
        self.page.goto(f"{server}{code}/search/{suffix}")

    def wait(self, query: str) -> None:
        """Until the results for ``query`` are on screen."""
        wait_for_search(self.page, query)

    def type(self, query: str, *, one_key_at_a_time: bool = False) -> None:
        box = self.page.locator("input[name=q]")
        if one_key_at_a_time:
            box.fill("")
            box.press_sequentially(query, delay=20)
        else:
            box.fill(query)
        self.wait(query)

    def all_results(self) -> list[dict[str, Any]]:
        """Every result, pressing "more" until there are no more."""
        more = self.page.locator(".search-more")
        while more.is_visible():
            shown = self.page.locator(".search-list > li").count()
            more.click()
            self.page.wait_for_function(
                """(n) => {
                    const box = document.getElementById("search-results");
                    return box.querySelectorAll(".search-list > li").length > n
                        && box.getAttribute("aria-busy") === "false";
                }""",
                arg=shown,
            )
        return self.page.eval_on_selector_all(
            ".search-list > li",
            """items => items.map(li => ({
                href: li.querySelector("h2 a").href,
                title: li.querySelector("h2").textContent,
                excerpt: li.querySelector(".search-excerpt").textContent,
                marks: [...li.querySelectorAll("mark")].map(m => m.textContent),
            }))""",
        )

    def status(self) -> str:
        return self.page.locator(".search-status").inner_text()

    def path(self, href: str) -> str:
        assert href.startswith(self.site), href
        return href[len(self.site) :]


@pytest.fixture
def open_search(browser: Any, site_server: str, visits: list[Visit]) -> Callable[..., SearchPage]:
    def make(code: str, query: str = "", **context: Any) -> SearchPage:
        visits.append(SearchPage(browser, site_server, code, query, **context))
        return visits[-1]

    return make


def check_results(
    page: SearchPage, name: str, query: str, records: Sequence[Expected], *, order: bool
) -> None:
    code = page.code
    want = expected_for(query, records)
    results = page.all_results()
    got = [page.path(r["href"]) for r in results]
    assert len(got) == len(set(got)), f"{name}: a record shown twice"
    want_urls = {r.url[code] for r in want}
    missing, extra = want_urls - set(got), set(got) - want_urls
    assert not missing and not extra, (
        f"{name} {query!r} in {code}: missing {missing}, extra {extra}"
    )
    if want:
        assert re.search(rf"\b{len(want):,}\b", page.status()), (name, page.status())
    else:
        assert query.strip() in page.status(), (name, page.status())
    by_url = {r.url[code]: r for r in want}
    variant_set = {v for t in terms(query) for v in variants(t)}
    for result, url in zip(results, got, strict=True):
        record = by_url[url]
        # The text shown is the record's own, in this edition's script.
        if record.title[code]:
            assert result["title"] == record.title[code], (name, url)
        body = " ".join(" ".join(record.body[code]).split())
        excerpt = " ".join(result["excerpt"].strip("…").split())
        assert excerpt in body or excerpt == "", (name, url, excerpt)
        assert result["marks"], (name, url)
        for mark in result["marks"]:
            assert any(v in _plain(mark) for v in variant_set), (name, url, mark)
    if order:
        assert got == [r.url[code] for r in ranked(query, want, code)], name


# ---------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("code", [e.code for e in EDITIONS])
def test_typed_queries_find_exactly_the_records_that_contain_them(
    open_search: Any, expected_records: list[Expected], code: str
) -> None:
    page = open_search(code)
    page.wait("")
    found_any = 0
    for name, query in QUERIES.items():
        page.type(query, one_key_at_a_time=name in ONE_KEY_AT_A_TIME)
        check_results(page, name, query, expected_records, order=name in RANKED)
        found_any += bool(expected_for(query, expected_records))
        # The address follows the search box, so a search can be shared.
        assert parse_qs(urlsplit(page.page.url).query).get("q") == [query]
    assert found_any >= len(QUERIES) - 3  # the absent ones


def one_characters(directory: dict[str, Any], data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Characters of a part (its ``directory``), as one-character queries: those the edition
    answers in advance (data.json's common prefixes), and those it does not whose words fill
    more than one of the part's index files (search-engine.js reads each of those files)."""
    starts = directory["chunks"][0::2]
    ends = directory["chunks"][1::2]
    spread: dict[str, int] = {}
    for start, end in zip(starts, ends, strict=True):
        for code in range(ord(start[0]), ord(end[0]) + 1):
            if search_words.char_class(chr(code)) == search_words.HAN:
                spread[chr(code)] = spread.get(chr(code), 0) + 1
    answered = sorted(data["common"]["prefixes"])
    return answered, sorted(c for c, n in spread.items() if n > 1 and c not in answered)


@pytest.mark.parametrize("code", [e.code for e in EDITIONS])
def test_one_character_answered_in_advance_or_read_from_several_index_files(
    open_search: Any, expected_records: list[Expected], built_site: Path, code: str
) -> None:
    """A lone character is every word starting with it: where a part answers it in advance
    (answers.py), from the answer; where not, from every index file holding such words."""
    data = json.loads((built_site / code / search.DATA).read_text())
    folder = built_site / search.BUNDLE / data["parts"][0]["path"]
    directory = json.loads(answers.unpacked((built_site / code / search.PARTS).read_bytes()))[0]
    answered, spread = one_characters(directory, data)
    assert answered and spread, "the seeds should have characters of both kinds"
    page = open_search(code)
    page.wait("")
    for char in [*answered[:3], *spread[:3]]:
        page.type(char)
        check_results(page, f"one character {char}", char, expected_records, order=True)
        assert expected_for(char, expected_records)
    # Both ways were taken: answers read, and several index files of the part.
    assert any("/common-" in u for u in page.requests)
    part = folder.name
    assert len({u for u in page.requests if f"/{part}/index/" in u}) > 1


def test_query_in_the_address_runs_on_load(
    open_search: Any, expected_records: list[Expected]
) -> None:
    page = open_search("zh-hans", "金伯利進程")
    page.wait("金伯利進程")
    assert page.page.locator("input[name=q]").input_value() == "金伯利進程"
    check_results(page, "from the address", "金伯利進程", expected_records, order=True)
    assert all("/zh-hans/" in u for u in page.requests if "/bulletins/" in u)


def test_first_results_come_without_any_request_outside_the_site(
    open_search: Any, site_server: str
) -> None:
    page = open_search("zh-hant", "粵港澳大灣區")
    page.wait("粵港澳大灣區")
    assert page.page.locator(".search-list > li").count() > 0
    assert any(u.endswith(".pf_index") for u in page.requests)  # a real search ran
    assert all(u.startswith(site_server) for u in page.requests), page.requests
    # close() checks the same for everything the page did, and that no error was logged.


class Held:
    """Requests of a page held (not answered) while ``holding`` says so, until ``release``."""

    def __init__(self, page: Any, pattern: str, holding: Callable[[Any], bool]) -> None:
        self.routes: list[Any] = []
        self.released = False
        self.holding = holding
        page.route(pattern, self.handle)

    def handle(self, route: Any) -> None:
        if not self.released and self.holding(route.request):
            self.routes.append(route)
        else:
            route.continue_()

    def release(self) -> None:
        self.released = True
        for route in self.routes:
            route.continue_()


# Every change of what #search-results shows, as [query shown, final query, busy, titles].
WATCH_RESULTS = """() => {
    const box = document.getElementById("search-results");
    window.seen = [];
    const note = () => window.seen.push([
        box.dataset.shown, box.dataset.query, box.getAttribute("aria-busy"),
        [...box.querySelectorAll(".search-list > li h2")].map((h) => h.textContent),
    ]);
    new MutationObserver(note).observe(box, { subtree: true, childList: true, attributes: true });
}"""


def test_first_results_appear_before_the_count_is_final(
    open_search: Any, expected_records: list[Expected], site_server: str
) -> None:
    """The first ten results come from the newest part and are shown while the older parts
    are still read (here the undated part's answers and index files are held back): the box is
    still busy and data-query still the old query; then the count and the full ranking."""
    query = "澳門"
    want = expected_for(query, expected_records)
    newest = [r for r in want if "/bulletins/" in r.url["zh-hant"]]
    assert len(newest) >= 10 and len(want) > len(newest)  # the undated part changes the count
    page = open_search("zh-hant")
    page.wait("")
    held = Held(page.page, "**/pagefind/hant/undated-*/**", lambda r: "/directory.bin" not in r.url)
    page.page.evaluate(WATCH_RESULTS)
    page.page.locator("input[name=q]").fill(query)
    page.page.wait_for_function(
        """(q) => {
            const box = document.getElementById("search-results");
            return box.dataset.shown === q && box.querySelectorAll(".search-list > li").length;
        }""",
        arg=query,
    )
    page.page.wait_for_function(  # shown as their records come: the first, then all ten
        "() => document.querySelectorAll('.search-list > li').length === 10"
    )
    box = page.page.locator("#search-results")
    assert box.get_attribute("aria-busy") == "true"
    assert box.get_attribute("data-query") == ""  # the count is not final
    assert held.routes  # the older part is not read yet
    first = page.page.eval_on_selector_all(".search-list > li h2 a", "as => as.map(a => a.href)")
    assert len(first) == 10
    newest_urls = {r.url["zh-hant"] for r in newest}
    assert {page.path(u) for u in first} <= newest_urls  # right, and from the newest part
    assert str(len(want)) not in page.status()
    held.release()
    page.wait(query)
    check_results(page, "first results, then the rest", query, expected_records, order=True)
    seen = page.page.evaluate("window.seen")
    busy_with_results = [s for s in seen if s[0] == query and s[2] == "true" and s[3]]
    assert busy_with_results  # results on screen while busy
    assert seen[-1][1] == query and seen[-1][2] == "false"


def test_a_fast_typists_superseded_query_never_overwrites_the_newer_one(
    open_search: Any, expected_records: list[Expected], site_server: str, built_site: Path
) -> None:
    """Typed one key at a time: the first query's index files are held back until the second
    query has been typed; when they arrive, the first search is abandoned (it loads none of
    its records) and the screen shows the second query only."""
    older, newer = "金伯利進程", "深圳"
    older_urls = {r.url["zh-hant"] for r in expected_for(older, expected_records)}
    newer_urls = {r.url["zh-hant"] for r in expected_for(newer, expected_records)}
    assert older_urls and newer_urls and not older_urls & newer_urls
    page = open_search("zh-hant")
    page.wait("")
    page.page.evaluate(WATCH_RESULTS)
    holding = True
    held = Held(page.page, "**/pagefind/**", lambda r: holding and "/directory.bin" not in r.url)
    box = page.page.locator("input[name=q]")
    box.press_sequentially(older, delay=30)
    box.press("Enter")
    for _ in range(100):  # until the older search has asked for its files, held
        if held.routes:
            break
        page.page.wait_for_timeout(20)
    page.page.wait_for_timeout(100)  # and for all of them
    assert held.routes
    holding = False
    box.fill("")
    box.press_sequentially(newer, delay=30)
    page.page.wait_for_timeout(300)
    held.release()  # the older search's files arrive after the newer search started
    page.wait(newer)
    page.page.wait_for_timeout(500)  # time for the older search to finish, were it not abandoned
    check_results(page, "the newer query", newer, expected_records, order=True)
    seen = page.page.evaluate("window.seen")
    assert all(s[0] in ("", newer) and s[1] in ("", newer) for s in seen), seen
    # The older search loaded none of its records: it was abandoned, not finished.
    loaded = [u for u in page.requests if u.endswith(".pf_fragment")]
    assert loaded
    for url in loaded:
        fragment = (built_site / url[len(site_server) :]).read_bytes()
        record = json.loads(gzip.decompress(fragment)[12:])["url"]
        assert record in newer_urls, (record, url)


# The page's search worker, watched and held: every message it sends the page ([type, the
# records of its items]), the queries it was asked, and the page's "search" and "cancel"
# messages held back while holdSearches.
WATCH_WORKER = """(() => {
    const Original = window.Worker;
    window.workerMessages = [];
    window.heldSearches = [];
    window.sentQueries = [];
    window.Worker = class extends Original {
        constructor(...args) {
            super(...args);
            window.searchWorker = this;
            this.addEventListener("message", (e) => window.workerMessages.push(
                [e.data.type, (e.data.items || []).map((item) => item.url)]));
        }
        postMessage(message) {
            if (message.type === "search") window.sentQueries.push(message.query);
            if (window.holdSearches && ["search", "cancel"].includes(message.type)) {
                window.heldSearches.push(message);
            } else {
                super.postMessage(message);
            }
        }
    };
    window.sendSearches = () => {
        window.holdSearches = false;
        for (const m of window.heldSearches.splice(0)) window.searchWorker.postMessage(m);
    };
})();"""


def test_an_answer_that_arrives_while_the_next_query_is_typed_is_not_shown(
    open_search: Any, expected_records: list[Expected], site_server: str
) -> None:
    """The older search's answer reaches the page after the newer query was typed but before
    the worker heard of it (the page's messages to the worker are held back here, as the pause
    before a search holds them): the page drops it."""
    older, newer = "金伯利進程", "粵港澳大灣區"
    page = open_search("zh-hant")
    page.context.add_init_script(WATCH_WORKER)
    page.page.reload()
    page.wait("")
    page.page.evaluate(WATCH_RESULTS)
    held = Held(page.page, "**/fragment/*", lambda r: True)
    box = page.page.locator("input[name=q]")
    box.fill(older)
    box.press("Enter")
    for _ in range(100):  # until the older search asks for its records (held)
        if held.routes:
            break
        page.page.wait_for_timeout(20)
    assert held.routes
    page.page.evaluate("window.holdSearches = true")
    box.fill("")
    box.press_sequentially(newer, delay=20)
    page.page.wait_for_timeout(200)  # the keys have paused: the page has sent its search
    assert page.page.evaluate("window.heldSearches.length")
    held.release()  # the older answer arrives: the page is on the newer query already
    page.page.wait_for_function("() => window.workerMessages.some((m) => m[0] === 'done')")
    seen = page.page.evaluate("window.seen")
    assert all(s[0] in ("", newer) and s[1] in ("", newer) for s in seen), seen  # not shown
    page.page.evaluate("window.sendSearches()")
    page.wait(newer)
    check_results(page, "the newer query", newer, expected_records, order=True)
    older_urls = {r.url["zh-hant"] for r in expected_for(older, expected_records)}
    done = [set(m[1]) for m in page.page.evaluate("window.workerMessages") if m[0] == "done"]
    assert done[0] == older_urls  # the older answer did reach the page, and was dropped
    seen = page.page.evaluate("window.seen")
    assert all(s[0] in ("", newer) and s[1] in ("", newer) for s in seen), seen


def test_an_input_method_composing_starts_no_search(
    open_search: Any, expected_records: list[Expected]
) -> None:
    """Typed with an input method (Chromium's own IME composition, through DevTools): the keys
    composed (pinyin) are never searched for, the composed characters are."""
    page = open_search("zh-hant")
    page.context.add_init_script(WATCH_WORKER)
    page.page.reload()
    page.wait("")
    page.page.locator("input[name=q]").focus()
    ime = page.context.new_cdp_session(page.page)
    for keys in ("j", "ji", "jin", "jing", "jingj", "jingji"):
        ime.send(
            "Input.imeSetComposition",
            {"text": keys, "selectionStart": len(keys), "selectionEnd": len(keys)},
        )
        page.page.wait_for_timeout(200)  # longer than the typing pause
    ime.send("Input.insertText", {"text": "經濟"})
    page.wait("經濟")
    check_results(page, "composed", "經濟", expected_records, order=True)
    assert page.page.evaluate("window.sentQueries") == ["經濟"]


# A browser where no module worker starts: the Worker fails at once, as a worker script that
# cannot be loaded does.
NO_WORKER = """window.Worker = class {
    constructor() {
        this.listeners = [];
        setTimeout(() => this.listeners.forEach((f) => f(new Event("error"))), 0);
    }
    addEventListener(type, listener) {
        if (type === "error") this.listeners.push(listener);
    }
    postMessage() {}
};"""


def test_where_no_worker_starts_the_page_searches_itself(
    open_search: Any, expected_records: list[Expected]
) -> None:
    page = open_search("zh-hans")
    page.context.add_init_script(NO_WORKER)
    page.page.goto(page.page.url + "?q=金伯利進程")
    page.wait("金伯利進程")
    check_results(page, "no worker", "金伯利進程", expected_records, order=True)
    page.type("澳門")
    check_results(page, "no worker", "澳門", expected_records, order=True)


def test_filters_by_kind_and_year(open_search: Any, expected_records: list[Expected]) -> None:
    page = open_search("zh-hant")
    page.wait("")
    page.type("澳門")
    everything = {page.path(r["href"]) for r in page.all_results()}
    page.page.select_option("select[name=kind]", "plan")
    page.page.wait_for_function("() => new URLSearchParams(location.search).get('kind') === 'plan'")
    page.wait("澳門")
    plans = {page.path(r["href"]) for r in page.all_results()}
    want = {
        r.url["zh-hant"]
        for r in expected_for("澳門", expected_records)
        if "/plans/" in r.url["zh-hant"]
    }
    assert plans == want and plans < everything
    page.page.select_option("select[name=kind]", "")
    years = page.page.eval_on_selector_all("select[name=year] option", "os => os.map(o => o.value)")
    assert years[0] == "" and len(years) > 1
    page.page.select_option("select[name=year]", years[1])
    page.page.wait_for_function(
        "(y) => new URLSearchParams(location.search).get('year') === y", arg=years[1]
    )
    page.wait("澳門")
    dated = {page.path(r["href"]) for r in page.all_results()}
    assert dated and dated < everything
    assert all("/bulletins/" in u for u in dated)  # plans and pages have no date in the seeds


def test_the_javascript_folds_and_cuts_text_as_python_does(
    open_search: Any, built_site: Path, expected_records: list[Expected]
) -> None:
    page = open_search("zh-hant")
    page.wait("")
    data = json.loads((built_site / "zh-hant" / search.DATA).read_text())
    table = dict(zip(data["fold"][0::2], data["fold"][1::2], strict=True))
    texts = sorted(
        {t for r in expected_records for code in r.title for t in (r.title[code], *r.body[code])}
    )
    chars = sorted(
        {c for t in texts for c in t} | set(table) | set("ＣＥＰＡ２０１９ÀÉçãşİﬁ〇ǂ␣␤𠀋𪚥ｱﾝ한が")
    )
    terms = [t for q in QUERIES.values() for t in ref.split_query(q)] + ["年CEPA", "澳2019"]
    records = [
        search_records.Record("x", "page", r.title["zh-hant"], r.body["zh-hant"])
        for r in expected_records[:30]
    ]
    span = search_records.title_span(records)
    contents = [search_records.format_content(r, span) for r in records]
    js = page.page.evaluate(
        """async ([chars, texts, terms, contents, span, data]) => {
            const url = new URL("../../assets/search-engine.js", location.href);
            const m = await import(url.href);
            const table = m.parseTable(data.fold);
            const edition = new m.Edition(data);
            return {
                fold: chars.map((c) => m.foldChar(c, table)),
                kinds: chars.map((c) => m.charClass(c)),
                keys: chars.map((c) => m.indexKey(c)),
                tokens: texts.map((t) => m.tokenize(t).map((x) => [x.kind, x.text])),
                split: texts.slice(0, 40).map((t) => m.splitQuery(t)),
                steps: terms.map((t) =>
                    edition.steps(t).steps.map((s) => [s.offset, s.mode, s.keys])),
                display: contents.map((c) => m.display(c, span)),
                sorted: chars.slice().sort(m.compareKeys),
            };
        }""",
        [chars, texts, terms, contents, span, data],
    )
    assert js["keys"] == [answers.pagefind_key(c) for c in chars]
    assert js["sorted"] == sorted(chars)  # code point order, as Pagefind sorts its words
    assert js["fold"] == [fold.fold_char(c, table) for c in chars]
    assert js["kinds"] == [search_words.char_class(c) for c in chars]
    assert js["tokens"] == [[[t.kind, t.text] for t in search_words.tokenize(x)] for x in texts]
    assert js["split"] == [ref.split_query(t) for t in texts[:40]]
    assert js["steps"] == [
        [[s.offset, s.mode, list(s.keys)] for s in ref.steps(t, table, data["chars"])]
        for t in terms
    ]
    assert js["display"] == [list(search_records.display(c, span)) for c in contents]


def test_without_javascript_the_page_says_so(open_search: Any) -> None:
    page = open_search("zh-hant", java_script_enabled=False)
    notice = page.page.locator("noscript p")
    assert "JavaScript" in page.page.content()
    links = page.page.eval_on_selector_all("main noscript a, main a", "as => as.map(a => a.href)")
    assert any(u.endswith("/zh-hant/index.html") for u in links)
    assert notice.count() == 1


@pytest.mark.parametrize("code", [e.code for e in EDITIONS])
def test_results_fit_a_phone(open_search: Any, code: str) -> None:
    page = open_search(code, "粵港澳大灣區", viewport={"width": 360, "height": 740})
    page.wait("粵港澳大灣區")
    sizes = page.page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1]


def test_expected_records_are_what_the_search_indexes(
    expected_records: list[Expected], built_site: Path
) -> None:
    """The oracle and the index agree on what a record is (one per result page)."""
    for edition in EDITIONS:
        data = json.loads((built_site / edition.code / search.DATA).read_text())
        assert data["records"] == len(expected_records)
