"""Search at scale: the site's index against Pagefind's default indexing of the same pages.

    python bench/search.py [--issues 1000] [--out DIR] [--reuse] [--queries Q1,Q2,...] [--keep]
                           [--no-throttle] [--no-sets]
    python bench/search.py --issues 1000 --sweep 52:20000,52:4000,104:4000

``--sweep DOCUMENTS:CHUNK[:YEARS],…`` measures the index in parts at each setting instead
(documents per part, ``search.parts.PART_DOCUMENTS``; Pagefind's index file size,
``INDEX_CHUNK_SIZE``; years per part, ``PART_YEARS``):
the time to index, Pagefind's largest process (VmHWM), the number of parts, and in Chromium
the first query's bytes and requests by kind, the second query's, and a second visit's; every
setting's results checked against the reference matcher.

1. **Archive.** ``bench/make_archive.py``'s issues (each reshuffles 8–12 of the seeds'
   articles, numbers redrawn, paragraphs dropped or swapped, printed in either script), taken
   directly as documents (``model.Bulletin``, both editions from the generator itself, so no raw
   text is laid out or parsed), plus the seeds' two work plans and page, converted as the site
   converts them.
2. **Sites.** The pages rendered as the site renders them (``site.site_targets`` + ``render``),
   then two indexes of the same archive: the site's (``search.write_index``: ``pagefind/`` and
   ``{edition}/search/data.json``), and Pagefind's default indexing of the rendered HTML pages
   (the standard binary, ``AddDir`` over ``zh-hant/`` and ``zh-hans/``) into
   ``_default/pagefind/`` with a bare search page per edition (``_default/{edition}/search/``,
   its ``<html lang>`` the edition's, ``pagefind.init()`` on load as Pagefind advises) that
   shows the first 20 results as Pagefind's own UI would (``search`` + ``data()``).
   ``--out DIR`` writes them there (default bench/out/search/); ``--reuse`` keeps the default
   index and the site's part cache found there from an earlier run of the same size (the pages
   and the site's index files are always written again).
3. **Bytes** (Chromium, Debian's, a fresh profile per site): the search page opened with the
   first query in ``?q=``, then the second query typed; bytes the server sent (everything:
   HTML, CSS, JS, index) until the results, and then for the second query.
4. **Query sets**, in both editions: the 10 commonest characters and 10 commonest pairs of the
   edition's records, and 20 rare terms (three characters found in 1–20 of its records, drawn
   with a fixed seed). Each query in a fresh browser context, after the search page has loaded
   (network idle): typed, then Enter → the first results on screen (the first frame after
   they are in the page), and for the site's index also → the count final (aria-busy false);
   with the CPU as is and slowed 4× (``Emulation.setCPUThrottlingRate``). Chromium throttles a
   page's thread only, never a worker's ("Operation is only supported for pages, not
   workers"), so the throttled runs search in the page (``globalThis.bulletinSearchInPage``:
   search.js runs search-engine.js there; Pagefind ``noWorker``): all of the search's work is
   slowed, as on a slow phone. And each query opened from the address (``?q=``, a fresh
   context): navigation → first results. p50 and p95 per set.
5. **Results.** Every query's results against the reference matcher (``ref.matches``, the
   rule search.js implements) over every record: recall and precision of the site's search
   (every result's record loaded, after the timed runs), and for the default index the article
   pages it returns against the articles that contain the query.

Outputs are removed at the end unless ``--keep`` (or ``--out``). The Markdown report goes to
stdout.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import functools
import http.server
import json
import math
import os
import random
import shutil
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out" / "search"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "tests"))  # the browser the tests use, launched the same way

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

import search_reference as ref  # noqa: E402
from browser_harness import ARGS, CHROMIUM  # noqa: E402
from bulletin_site import render, search, site, write  # noqa: E402
from bulletin_site.config import load_config  # noqa: E402
from bulletin_site.convert import EDITIONS, Converter, convert_document, load_glossary  # noqa: E402
from bulletin_site.kinds import KINDS  # noqa: E402
from bulletin_site.model import Article, Bulletin  # noqa: E402
from bulletin_site.search import fold, pagefind  # noqa: E402
from bulletin_site.search import records as search_records  # noqa: E402
from bulletin_site.search import words as search_words  # noqa: E402

QUERIES = ("粵港澳大灣區", "金伯利進程", "知識產權", "经济局", "CEPA", "2019", "澳", "數字經濟")
FIRST, SECOND = "粵港澳大灣區", "金伯利进程"  # the timed pair: first query, then second
THROTTLE = 4  # Chromium's CPU throttling rate for the slowed runs (a mid-range phone)
DEFAULT_JS = """\
// Pagefind's default search as its UI uses it: search, then the first 20 results' data().
import * as pagefind from "./pagefind/pagefind.js"; // _default/pagefind/, beside this file
// bench/search.py's slowed runs search in the page (Chromium throttles no worker).
if (globalThis.bulletinSearchInPage) await pagefind.options({ noWorker: true });
pagefind.init(); // load the index's metadata and program now, as Pagefind advises
const box = document.getElementById("results");
const input = document.getElementById("q");
async function run(q) {
  box.setAttribute("aria-busy", "true");
  const response = await pagefind.search(q);
  const shown = await Promise.all(response.results.slice(0, 20).map((r) => r.data()));
  box.replaceChildren(...shown.map((d) => {
    const li = document.createElement("li");
    li.textContent = d.url;
    return li;
  }));
  box.dataset.count = String(response.results.length);
  box.dataset.query = q;
  box.setAttribute("aria-busy", "false");
}
window.allUrls = async (q) => {
  const response = await pagefind.search(q);
  return Promise.all(response.results.map(async (r) => (await r.data()).url));
};
document.getElementById("f").addEventListener("submit", (e) => {
  e.preventDefault();
  run(input.value);
});
const q = new URLSearchParams(location.search).get("q");
if (q) { input.value = q; run(q); }
window.benchReady = true;
"""
DEFAULT_HTML = """\
<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>default</title>
<script type="module" src="../../bench.js"></script></head><body>
<form id="f"><input id="q" type="search" name="q"></form>
<ol id="results" aria-busy="false" data-query=""></ol></body></html>
"""
# In every timed page, before its own scripts: when the results of __bench.query are first on
# screen (the first frame after they are in the page) and, for the site's page, when the count
# is final; when Enter was pressed. performance.now() counts from the navigation's start.
WATCH_JS = """\
(() => {
  const b = (window.__bench = {
    query: new URLSearchParams(location.search).get("q"), enter: null, first: null, settled: null,
  });
  const check = () => {
    const ours = document.getElementById("search-results");
    const box = ours || document.getElementById("results");
    if (!box || b.query === null) return;
    const settled = box.dataset.query === b.query && box.getAttribute("aria-busy") === "false";
    const shown = ours
      ? box.dataset.shown === b.query && (settled || ours.querySelector(".search-list > li"))
      : settled;
    if (shown && b.first === null) {
      b.first = -1;
      requestAnimationFrame(() => (b.first = performance.now()));
    }
    if (settled && b.settled === null) {
      b.settled = -1;
      requestAnimationFrame(() => (b.settled = performance.now()));
    }
  };
  const all = { subtree: true, childList: true, attributes: true };
  new MutationObserver(check).observe(document, all);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter") b.enter = performance.now();
  }, true);
})();
"""
IN_PAGE_JS = "globalThis.bulletinSearchInPage = true;"


# ---------------------------------------------------------------------------------------------
# 1. The archive as documents


def archive(count: int) -> tuple[Any, dict[str, tuple[site.Source, ...]]]:
    """The site configuration, and every edition's sources: ``count`` generated issues, newest
    first, then the seeds' plans and page."""
    import make_archive

    loaded = load_config(ROOT)
    config = loaded.site
    converter = Converter(load_glossary(ROOT / "content" / "glossary.yaml"))
    pool = make_archive.load_pool(converter)
    issues = [make_archive.make_issue(i, pool, 0) for i in range(count)]
    by_edition: dict[str, list[site.Source]] = {e.code: [] for e in EDITIONS}
    for issue in reversed(issues):  # newest first, as site.resolve_sources orders them
        for edition in EDITIONS:
            script = edition.script
            doc = Bulletin(
                source=f"{issue.stem}.txt",
                script=script,
                number=issue.number,
                summary=tuple(issue.summary[script]),
                contact=issue.contact[script],
                articles=tuple(
                    Article(a.number, a.title, a.paragraphs, a.captions)
                    for a in issue.articles[script]
                ),
            )
            origin = issue.script
            by_edition[edition.code].append(
                site.Source(
                    issue.stem, doc, origin, issue.number, issue.date, slug=str(issue.number)
                )
            )
    for path in sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.json")):
        doc = KINDS.from_dict(json.loads(path.read_text(encoding="utf-8")))
        if isinstance(doc, Bulletin):
            continue
        for edition in EDITIONS:
            converted = convert_document(doc, edition.script, converter)
            slug = loaded.documents[path.stem].slug
            by_edition[edition.code].append(
                site.Source(path.stem, converted, doc.script, slug=slug)
            )
    return config, {code: tuple(sources) for code, sources in by_edition.items()}


# ---------------------------------------------------------------------------------------------
# 2. The two sites


def build(
    out: Path,
    config: Any,
    by_edition: Mapping[str, Sequence[site.Source]],
    *,
    with_default: bool = True,
    reuse: bool = False,
) -> dict:
    """Render the pages and write both indexes into ``out``; times and sizes. ``reuse``: keep
    the default index and the site's part cache an earlier run of the same archive left."""
    times: dict[str, float] = {}
    stamp = {"records": {code: len(sources) for code, sources in by_edition.items()}}
    kept = out.parent / f"{out.name}-default"  # the default index, kept aside while writing
    reusable = (
        reuse
        and (out / "_default" / "bench.json").is_file()
        and json.loads((out / "_default" / "bench.json").read_text()) == stamp
    )
    if kept.exists():
        shutil.rmtree(kept)
    if reusable:
        (out / "_default").rename(kept)
    started = time.perf_counter()
    targets = site.site_targets(config, EDITIONS, by_edition, KINDS)
    search_path = render.template_search_path(ROOT, config.templates)
    env = render.make_environment(search_path, allow_html=config.allow_html)
    if out.exists():
        shutil.rmtree(out)
    staging = write.open_staging(out)
    write.put_all(staging, render.render_all(env, targets), "pages")
    write.put_all(staging, render.assets(search_path), "assets")
    write.finish(staging)
    staging.folder.rename(out)
    rendered = [path for path, origin in staging.origins.items() if origin == "pages"]
    times["render"] = time.perf_counter() - started

    started = time.perf_counter()
    cache_dir = out.parent / f"{out.name}-cache" if reuse else None
    search.write_index(by_edition, out, config, KINDS, cache_dir)
    times["ours"] = time.perf_counter() - started
    if not with_default:
        return {"times": times, "pages": len(rendered)}

    default = out / "_default"
    if reusable:
        kept.rename(default)
        times["default"] = 0.0
    else:
        started = time.perf_counter()
        with pagefind.PagefindService() as service:
            index = service.send({"type": "NewIndex", "config": {}})["index_id"]
            for edition in EDITIONS:
                service.send(
                    {
                        "type": "AddDir",
                        "index_id": index,
                        "path": str(out),
                        "glob": f"{edition.code}/**/*.html",
                    }
                )
            # GetFiles, not WriteFiles: Pagefind answers WriteFiles before its files reach the
            # disk (docs/search.md), and a half-written default index finds nothing.
            for path, data in pagefind.index_files(service, index).items():
                (default / "pagefind" / path).parent.mkdir(parents=True, exist_ok=True)
                (default / "pagefind" / path).write_bytes(data)
        times["default"] = time.perf_counter() - started
        (default / "bench.json").write_text(json.dumps(stamp), encoding="utf-8")
    for edition in EDITIONS:
        folder = default / edition.code / "search"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(DEFAULT_HTML.format(lang=edition.lang), encoding="utf-8")
    (default / "bench.js").write_text(DEFAULT_JS, encoding="utf-8")
    return {"times": times, "pages": len(rendered)}


def size(path: Path, *, data_only: bool = False) -> int:
    """Bytes on disk under ``path``; ``data_only``: the index files (pf_*, data.json) only."""
    total = 0
    for p in path.rglob("*"):
        if not p.is_file():
            continue
        if data_only and not (".pf_" in p.name or p.name == "data.json"):
            continue
        total += p.stat().st_size
    return total


# ---------------------------------------------------------------------------------------------
# 3. Chromium


class Counting(http.server.SimpleHTTPRequestHandler):
    sent: list[tuple[str, int]]  # set per server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        outputfile.write(data)
        self.sent.append((unquote(urlsplit(self.path).path), len(data)))


@contextmanager
def serve(folder: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    sent: list[tuple[str, int]] = []
    handler = functools.partial(type("Handler", (Counting,), {"sent": sent}), directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", sent
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclasses.dataclass
class Timed:
    first_bytes: int
    first_requests: int
    first_ms: float
    second_bytes: int
    second_requests: int
    second_ms: float
    first_files: list[tuple[str, int]]


def done(page: Any, box: str, query: str) -> None:
    """Until the results for ``query`` are on the page."""
    page.wait_for_selector(
        f'{box}[aria-busy="false"][data-query="{query}"]', state="attached", timeout=120_000
    )


def timed(
    browser: Any, base: str, sent: list, page_path: str, box: str, first: str, second: str
) -> Timed:
    context = browser.new_context()
    page = context.new_page()
    sent.clear()
    started = time.perf_counter()
    page.goto(f"{base}{page_path}?q={quote(first)}")
    done(page, box, first)
    first_ms = (time.perf_counter() - started) * 1000
    first_files = list(sent)
    sent.clear()
    page.fill("input[name=q]", second)
    started = time.perf_counter()
    page.press("input[name=q]", "Enter")
    done(page, box, second)
    second_ms = (time.perf_counter() - started) * 1000
    second_files = list(sent)
    context.close()
    return Timed(
        sum(n for _, n in first_files),
        len(first_files),
        first_ms,
        sum(n for _, n in second_files),
        len(second_files),
        second_ms,
        first_files,
    )


def fresh_page(browser: Any, *, in_page: bool = False) -> tuple[Any, Any]:
    """A new browser context and page, watched (``WATCH_JS``); ``in_page``: the search in the
    page's thread (the slowed runs)."""
    context = browser.new_context()
    context.add_init_script(WATCH_JS)
    if in_page:
        context.add_init_script(IN_PAGE_JS)
    return context, context.new_page()


def ready(page: Any, box: str) -> None:
    """Until the search page can search: loaded, nothing in flight, the box idle."""
    if box == "#results":
        page.wait_for_function("() => window.benchReady === true")
    else:
        page.wait_for_function(
            """() => {
                const box = document.getElementById("search-results");
                return box.getAttribute("aria-busy") === "false" && box.dataset.query === "";
            }"""
        )


@dataclasses.dataclass
class Time:
    first: float | None  # ms to the first results on screen (None: not within the timeout)
    settled: float | None  # ms to the count final (the site's page; the default's = first)


def enter_time(
    browser: Any, url: str, box: str, query: str, *, throttle: bool, timeout: float
) -> Time:
    """One query in a fresh context, after the page has loaded: typed, then Enter."""
    context, page = fresh_page(browser, in_page=throttle)
    try:
        page.goto(url, wait_until="networkidle")
        ready(page, box)
        if throttle:
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
        # The query in the box without an input event (typed, the search would start before
        # Enter, when the keys pause), then Enter.
        page.evaluate(
            """(q) => {
                document.querySelector("input[name=q]").value = q;
                Object.assign(window.__bench, {query: q, first: null, settled: null});
            }""",
            query,
        )
        page.press("input[name=q]", "Enter")
        return wait_times(page, "enter", timeout)
    finally:
        context.close()


def navigation_time(browser: Any, url: str, query: str, *, timeout: float) -> Time:
    """The page opened with ?q= in a fresh context: navigation → first results."""
    context, page = fresh_page(browser)
    try:
        page.goto(f"{url}?q={quote(query)}", wait_until="commit")
        return wait_times(page, None, timeout)
    finally:
        context.close()


def wait_times(page: Any, since: str | None, timeout: float) -> Time:
    start = f"window.__bench.{since}" if since else "0"
    try:
        page.wait_for_function("() => window.__bench.first > 0", timeout=timeout)
    except PlaywrightTimeout:
        return Time(None, None)
    first = page.evaluate(f"() => window.__bench.first - {start}")
    try:
        page.wait_for_function("() => window.__bench.settled > 0", timeout=timeout)
        settled = page.evaluate(f"() => window.__bench.settled - {start}")
    except PlaywrightTimeout:
        settled = None
    return Time(first, settled)


OURS_ALL = """async (q) => {
  const m = await import(new URL("../../assets/search-engine.js", location.href).href);
  const data = await (await fetch("data.json")).json();
  const parts = m.readDirectories(await (await fetch("parts.bin")).arrayBuffer());
  const engine = new m.Engine(data, new URL("../../pagefind/", location.href).href, parts);
  const { ranked } = await engine.search(q, {}, () => {});
  return ranked.map((r) => [data.parts[r.part].name, r.page]);
}"""


def result_sets(
    browser: Any,
    base: str,
    queries: Sequence[str],
    urls: Mapping[tuple[str, int], str],
    *,
    default: Sequence[str] = (),
    code: str = "zh-hant",
) -> dict[str, dict[str, list[str]]]:
    """Every result URL of every query, for both indexes (not timed). The site's results are
    named by part and page (``urls``: (part, page) → the record's URL, as the build numbers
    them), so no record is loaded; the default's, for the queries ``default``, are loaded
    (``data()``)."""
    out: dict[str, dict[str, list[str]]] = {"ours": {}, "default": {}}
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}{code}/search/")
    for q in queries:
        out["ours"][q] = [urls[(part, n)] for part, n in page.evaluate(OURS_ALL, q)]
    if not default:
        context.close()
        return out
    page.goto(f"{base}_default/{code}/search/")
    page.wait_for_function("window.benchReady === true")
    for q in default:
        out["default"][q] = page.evaluate("(q) => window.allUrls(q)", q)
    context.close()
    return out


def record_urls(
    by_edition: Mapping[str, Sequence[site.Source]], config: Any
) -> dict[str, dict[tuple[str, int], str]]:
    """Per edition: (part, page) → the record's URL, as the build splits and numbers them
    (``parts.edition_parts``; a record's page number is its place in its part)."""
    from bulletin_site.search import parts

    out = {}
    for edition in EDITIONS:
        found = parts.edition_parts(by_edition[edition.code], edition, config, KINDS)
        out[edition.code] = {
            (part.name, n): record.url for part, recs in found for n, record in enumerate(recs)
        }
    return out


# ---------------------------------------------------------------------------------------------
# The query sets


def han_runs(text: str) -> list[str]:
    """The runs of Chinese characters of a text (as search tokens: words.char_class)."""
    runs, run = [], []
    for char in unicodedata.normalize("NFC", text):
        if search_words.char_class(char) == search_words.HAN:
            run.append(char)
        elif run:
            runs.append("".join(run))
            run = []
    if run:
        runs.append("".join(run))
    return runs


def query_sets(records: Sequence[search_records.Record]) -> dict[str, list[str]]:
    """An edition's query sets: its 10 commonest characters and 10 commonest pairs (by
    occurrences in its records' titles and bodies), and 20 rare terms: three characters found
    in 1–20 of its records, drawn with a fixed seed."""
    chars: collections.Counter[str] = collections.Counter()
    pairs: collections.Counter[str] = collections.Counter()
    holders: dict[str, set[int]] = collections.defaultdict(set)
    for n, record in enumerate(records):
        for text in (record.title, *record.body):
            for run in han_runs(text):
                chars.update(run)
                pairs.update(map(str.__add__, run, run[1:]))
                for i in range(len(run) - 2):
                    holders[run[i : i + 3]].add(n)
    common = [c for c, _ in chars.most_common(10)] + [p for p, _ in pairs.most_common(10)]
    rare = sorted(t for t, found in holders.items() if 1 <= len(found) <= 20)
    return {"common": common, "rare": random.Random(14).sample(rare, 20)}


def percentile(values: Sequence[float | None], q: float) -> float | None:
    """The q-th percentile (nearest rank); None if any run did not finish and it falls there."""
    ordered = sorted(values, key=lambda v: float("inf") if v is None else v)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def ms(value: float | None, limit: float) -> str:
    return f"> {limit / 1000:,.0f} s" if value is None else f"{value:,.0f} ms"


# ---------------------------------------------------------------------------------------------
# 4. Results against the reference


class Reference:
    """The reference matcher (``ref.matches``) over an edition's records, their tokens folded
    once for every query."""

    def __init__(self, records: Sequence[search_records.Record], table: Mapping[str, str]):
        self.table = table
        self.records = [
            (r.url, *(ref.folded(tokens, table) for tokens in r.tokens())) for r in records
        ]

    def urls(self, q: str) -> set[str]:
        terms = [ref.folded(search_words.tokenize(t), self.table) for t in ref.split_query(q)]
        if not terms:
            return set()
        return {
            url
            for url, title, body in self.records
            if all(ref.find_folded(w, title) or ref.find_folded(w, body) for w in terms)
        }


def expected(
    records: Sequence[search_records.Record], table: Mapping[str, str], q: str
) -> set[str]:
    return Reference(records, table).urls(q)


def article_url(url: str) -> str | None:
    """``/zh-hant/bulletins/<stem>/<n>/`` (default) or ``zh-hant/bulletins/<stem>/<n>/index.html``
    (ours) → ``zh-hant/bulletins/<stem>/<n>``; None for other pages."""
    parts = [p for p in url.strip("/").split("/") if p and p != "index.html"]
    if parts[:1] == ["_default"]:  # Pagefind's own page's results: under its bundle's folder
        parts = parts[1:]
    if len(parts) == 4 and parts[1] == "bulletins" and parts[3].isdigit():
        return "/".join(parts)
    return None


# ---------------------------------------------------------------------------------------------
# 5. The index in parts at several settings (--sweep)


def kind_of(path: str) -> str:
    """What a request fetched, by kind."""
    name = path.rsplit("/", 1)[-1]
    for suffix, kind in (
        (".pagefind", "wasm"),
        ("pagefind-entry.json", "entry"),
        (".pf_meta", "meta"),
        (".pf_index", "index"),
        (".pf_fragment", "fragment"),
        (".pf_filter", "filter"),
        ("pagefind.js", "pagefind.js"),
    ):
        if name.endswith(suffix):
            return kind
    return "page, CSS, JS, JSON"


def by_kind(files: Sequence[tuple[str, int]]) -> str:
    totals: dict[str, list[int]] = {}
    for path, n in files:
        count = totals.setdefault(kind_of(path), [0, 0])
        count[0] += 1
        count[1] += n
    return ", ".join(f"{k} {c} ({kb(b)})" for k, (c, b) in sorted(totals.items()))


def pagefind_peak(sampler: Any) -> float:
    """The largest VmHWM of any Pagefind process the sampler saw, MiB."""
    peaks = [kib for pid, kib in sampler.hwm_kib.items() if sampler.names.get(pid) == "pagefind"]
    return max(peaks, default=0) / 1024


def revisit(browser: Any, base: str, sent: list, query: str) -> tuple[list, list]:
    """The search page opened with ``query`` twice in one browser profile: what each visit
    fetched (the second one finds the first one's files in the HTTP cache, or revalidates)."""
    context = browser.new_context()
    visits = []
    for _ in range(2):
        page = context.new_page()
        sent.clear()
        page.goto(f"{base}zh-hant/search/?q={quote(query)}")
        done(page, "#search-results", query)
        visits.append(list(sent))
        page.close()
    context.close()
    return visits[0], visits[1]


def sweep(args: argparse.Namespace, queries: Sequence[str]) -> int:
    import run  # the process-tree sampler of bench/run.py
    from bulletin_site.search import parts

    config, by_edition = archive(args.issues)
    build(OUT, config, by_edition, with_default=False)
    records = {
        e.code: search_records.records(by_edition[e.code], e, config, KINDS) for e in EDITIONS
    }
    table = fold.fold_table(search_records.aligned_texts(records))
    reference = Reference(records["zh-hant"], table)
    want = {q: reference.urls(q) for q in queries}
    rows = []
    for setting in args.sweep.split(","):
        documents, chunk, years = (int(x) for x in f"{setting}:1".split(":")[:3])
        parts.PART_DOCUMENTS, parts.INDEX_CHUNK_SIZE = documents, chunk
        split = parts.split_into_parts  # its defaults are read when it is defined

        def split_with(sources: Any, split: Any = split, n: int = documents, y: int = years) -> Any:
            return split(sources, n, y)

        parts.split_into_parts = split_with
        shutil.rmtree(OUT / search.BUNDLE)  # the index of the setting before
        for edition in EDITIONS:
            for name in (search.DATA, search.PARTS):
                (OUT / edition.code / name).unlink()
        sampler = run.TreeSampler(os.getpid())
        sampler.start()
        started = time.perf_counter()
        search.write_index(by_edition, OUT, config, KINDS)
        seconds = time.perf_counter() - started
        sampler.stop()
        parts.split_into_parts = split
        data = json.loads((OUT / "zh-hant" / search.DATA).read_text())
        from playwright.sync_api import sync_playwright

        with serve(OUT) as (base, sent), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            ours = timed(browser, base, sent, "zh-hant/search/", "#search-results", FIRST, SECOND)
            first_visit, second_visit = revisit(browser, base, sent, FIRST)
            urls = record_urls(by_edition, config)["zh-hant"]
            found = result_sets(browser, base, queries, urls)["ours"]
            browser.close()
        wrong = [q for q in queries if set(found[q]) != want[q]]
        rows.append((documents, chunk, len(data["parts"]), seconds, pagefind_peak(sampler)))
        print(
            f"### {documents} documents, {years} year(s) per part; index files of {chunk:,} "
            f"locations\n\n"
            f"- parts per edition: {len(data['parts'])}; index written in {seconds:.1f} s; "
            f"largest Pagefind process {pagefind_peak(sampler):,.0f} MiB; index on disk "
            f"{kb(size(OUT / 'pagefind'))}\n"
            f"- first query {FIRST}: {kb(ours.first_bytes)} in {ours.first_requests} requests, "
            f"{ours.first_ms:,.0f} ms: {by_kind(ours.first_files)}\n"
            f"- second query {SECOND}: {kb(ours.second_bytes)} in {ours.second_requests} "
            f"requests, {ours.second_ms:,.0f} ms\n"
            f"- the page opened again with {FIRST} (same profile): "
            f"{kb(sum(n for _, n in second_visit))} in {len(second_visit)} bodies sent: "
            f"{by_kind(second_visit)} (first visit "
            f"{by_kind(first_visit)})\n"
            f"- results against the reference matcher over {len(queries)} queries: "
            f"{'all exact' if not wrong else 'WRONG for ' + ', '.join(wrong)}\n",
            flush=True,
        )
    if not args.keep:
        shutil.rmtree(OUT, ignore_errors=True)
    return 0


def kb(n: float) -> str:
    return f"{n / 1000:,.0f} kB"


def measure_sets(
    browser: Any, base: str, sets: Mapping[str, Mapping[str, Sequence[str]]], args: Any
) -> dict[tuple[str, str, str], dict[str, Time]]:
    """Every query of every set, in both indexes: (index, edition, run) → query → Time, with
    run "enter", "throttled" (Enter, CPU slowed, search in the page) or "address" (?q=)."""
    out: dict[tuple[str, str, str], dict[str, Time]] = collections.defaultdict(dict)
    runs = ["enter", "address"] + ([] if args.no_throttle else ["throttled"])
    for code, named in sets.items():
        pages = {"ours": (f"{base}{code}/search/", "#search-results")}
        pages["default"] = (f"{base}_default/{code}/search/", "#results")
        for query in [q for queries in named.values() for q in queries]:
            for run in runs:
                for index, (url, box) in pages.items():  # the two indexes one after the other
                    if run == "address":
                        t = navigation_time(browser, url, query, timeout=args.timeout * 1000)
                    else:
                        t = enter_time(
                            browser,
                            url,
                            box,
                            query,
                            throttle=run == "throttled",
                            timeout=args.timeout * 1000,
                        )
                    out[(index, code, run)][query] = t
            print(f"<!-- {code} {query}: measured -->", file=sys.stderr, flush=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--keep", action="store_true", help="keep bench/out/search/")
    parser.add_argument("--out", help="write the sites here (kept), not in bench/out/search/")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the default index and part cache in --out"
    )
    parser.add_argument("--no-throttle", action="store_true", help="skip the slowed runs")
    parser.add_argument("--no-sets", action="store_true", help="skip the query sets")
    parser.add_argument("--per-set", type=int, help="only the first N queries of each set")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per query and wait")
    parser.add_argument("--sweep", help="DOCUMENTS:CHUNK,… settings of the index in parts")
    args = parser.parse_args(argv)
    queries = [q for q in args.queries.split(",") if q]
    if args.sweep:
        return sweep(args, queries)
    out = Path(args.out) if args.out else OUT

    started = time.perf_counter()
    config, by_edition = archive(args.issues)
    generated = time.perf_counter() - started
    info = build(out, config, by_edition, reuse=args.reuse)
    records = {
        e.code: search_records.records(by_edition[e.code], e, config, KINDS) for e in EDITIONS
    }
    table = fold.fold_table(search_records.aligned_texts(records))
    sets = {e.code: query_sets(records[e.code]) for e in EDITIONS}
    if args.per_set:
        sets = {c: {n: qs[: args.per_set] for n, qs in named.items()} for c, named in sets.items()}
    if args.no_sets:
        sets = {}
    checked = {
        e.code: list(
            dict.fromkeys([*queries, *(q for qs in sets.get(e.code, {}).values() for q in qs)])
        )
        for e in EDITIONS
    }

    from playwright.sync_api import sync_playwright

    with serve(out) as (base, sent), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        hant, hant_default = "zh-hant/search/", "_default/zh-hant/search/"
        ours = timed(browser, base, sent, hant, "#search-results", FIRST, SECOND)
        default = timed(browser, base, sent, hant_default, "#results", FIRST, SECOND)
        timings = measure_sets(browser, base, sets, args)
        raw = {
            "|".join(k): {q: dataclasses.astuple(t) for q, t in v.items()}
            for k, v in timings.items()
        }
        (out.parent / f"{out.name}-timings.json").write_text(
            json.dumps({"sets": sets, "timings": raw}, ensure_ascii=False), encoding="utf-8"
        )
        urls = record_urls(by_edition, config)
        found = {}
        for code, qs in checked.items():
            compared = queries if code == "zh-hant" else ()
            found[code] = result_sets(browser, base, qs, urls[code], code=code, default=compared)
        browser.close()

    n_records = {code: len(r) for code, r in records.items()}
    ours_size, ours_data = size(out / "pagefind"), size(out / "pagefind", data_only=True)
    ours_data += sum((out / e.code / search.DATA).stat().st_size for e in EDITIONS)
    ours_size += sum((out / e.code / search.DATA).stat().st_size for e in EDITIONS)
    default_size = size(out / "_default" / "pagefind")
    default_data = size(out / "_default" / "pagefind", data_only=True)

    print(f"## Search at {args.issues:,} issues\n")
    hant_records = records["zh-hant"]
    articles = sum(1 for r in hant_records if r.url.count("/") == 4 and r.kind == "bulletin")
    reused = " (parts from the cache)" if args.reuse else ""
    print(
        f"Archive: {args.issues:,} issues, {articles:,} articles; records per edition: "
        f"{n_records['zh-hant']:,} (繁) + {n_records['zh-hans']:,} (简); {info['pages']:,} "
        f"pages rendered. Generated in {generated:.1f} s, rendered in "
        f"{info['times']['render']:.1f} s; index written in {info['times']['ours']:.1f} s "
        f"(site{reused}) and {info['times']['default']:.1f} s (default"
        f"{', reused' if not info['times']['default'] else ''}). Machine load "
        f"{os.getloadavg()[0]:.1f}.\n"
    )
    print("| | site's index | Pagefind default |")
    print("|---|---:|---:|")
    print(f"| index on disk, all files | {kb(ours_size)} | {kb(default_size)} |")
    print(f"| index on disk, index data only | {kb(ours_data)} | {kb(default_data)} |")
    for label, t in (("first query", "first"), ("second query", "second")):
        o, d = getattr(ours, f"{t}_bytes"), getattr(default, f"{t}_bytes")
        on, dn = getattr(ours, f"{t}_requests"), getattr(default, f"{t}_requests")
        print(f"| bytes for the {label} | {kb(o)} ({on} requests) | {kb(d)} ({dn} requests) |")
    for label, a, b in (
        ("first query, navigation → results settled", ours.first_ms, default.first_ms),
        ("second query, Enter → results settled", ours.second_ms, default.second_ms),
    ):
        print(f"| {label} | {a:,.0f} ms | {b:,.0f} ms |")
    print(f"\nFirst query `{FIRST}`, second `{SECOND}`; bytes as sent without HTTP compression.\n")
    print(f"First query, site's index, by kind: {by_kind(ours.first_files)}\n")

    limit = args.timeout * 1000
    if sets:
        report_sets(sets, timings, limit)

    print(
        "\n| edition | query | expected | site: found, recall, precision "
        "| default: articles returned, of the articles containing it, right |"
    )
    print("|---|---|---:|---:|---:|")
    recall_all, precision_all = [], []
    for code, qs in checked.items():
        reference = Reference(records[code], table)
        for q in qs:
            want = reference.urls(q)
            got = set(found[code]["ours"][q])
            recall = len(got & want) / len(want) if want else 1.0
            precision = len(got & want) / len(got) if got else 1.0
            recall_all.append(recall)
            precision_all.append(precision)
            if code != "zh-hant" or q not in queries:
                if recall < 1 or precision < 1:
                    print(
                        f"| {code} | {q} | {len(want):,} | {len(got):,}, {recall:.3f}, "
                        f"{precision:.3f} | |"
                    )
                continue
            want_articles = {a for u in want if (a := article_url(u))}
            default_articles = {a for u in found[code]["default"][q] if (a := article_url(u))}
            print(
                f"| {code} | {q} | {len(want):,} | {len(got):,}, {recall:.3f}, {precision:.3f} | "
                f"{len(default_articles):,} of {len(want_articles):,}, "
                f"{len(default_articles & want_articles):,} right |"
            )
    print(
        f"\nSite's search over {len(recall_all)} queries (both editions): recall "
        f"{min(recall_all):.3f}, precision {min(precision_all):.3f} (the lowest of any query; "
        "only the benchmark's 8 queries and any query below 1.0 are listed)."
    )
    if not args.keep and not args.out:
        shutil.rmtree(out, ignore_errors=True)
    return 0


def report_sets(
    sets: Mapping[str, Mapping[str, Sequence[str]]],
    timings: Mapping[tuple[str, str, str], Mapping[str, Time]],
    limit: float,
) -> None:
    """The p50/p95 tables and every query's times."""
    runs = [r for r in ("enter", "throttled", "address") if ("ours", "zh-hant", r) in timings]
    titles = {
        "enter": "Enter → first results",
        "throttled": f"Enter → first results, CPU slowed {THROTTLE}×",
        "address": "navigation with ?q= → first results",
    }
    for run in runs:
        print(f"\n**{titles[run]}** (p50 / p95; each query in a fresh browser context)\n")
        print(
            "| queries | edition | site: first results | site: count final "
            "| Pagefind default | site faster at the median |"
        )
        print("|---|---|---:|---:|---:|---|")
        groups = [(name, code) for code in sets for name in [*sets[code], "all"]]
        groups.append(("all", "both"))
        for name, code in groups:
            codes = list(sets) if code == "both" else [code]
            picked = [
                (c, q) for c in codes for n, qs in sets[c].items() if name in (n, "all") for q in qs
            ]
            ours_first = [timings[("ours", c, run)][q].first for c, q in picked]
            ours_settled = [timings[("ours", c, run)][q].settled for c, q in picked]
            theirs = [timings[("default", c, run)][q].first for c, q in picked]
            o50, d50 = percentile(ours_first, 50), percentile(theirs, 50)
            faster = "yes" if o50 is not None and (d50 is None or o50 < d50) else "no"
            print(
                f"| {name} ({len(picked)}) | {code} | {ms(o50, limit)} / "
                f"{ms(percentile(ours_first, 95), limit)} | "
                f"{ms(percentile(ours_settled, 50), limit)} / "
                f"{ms(percentile(ours_settled, 95), limit)} | {ms(d50, limit)} / "
                f"{ms(percentile(theirs, 95), limit)} | {faster} |"
            )
    print("\nEvery query (site first results / count final; default), in ms:\n")
    print("| edition | set | query | " + " | ".join(titles[r] for r in runs) + " |")
    print("|---|---|---|" + "---:|" * len(runs))
    for code, named in sets.items():
        for name, queries in named.items():
            for q in queries:
                cells = []
                for run in runs:
                    o, d = timings[("ours", code, run)][q], timings[("default", code, run)][q]
                    cells.append(
                        f"{ms(o.first, limit)} / {ms(o.settled, limit)}; {ms(d.first, limit)}"
                    )
                print(f"| {code} | {name} | {q} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
