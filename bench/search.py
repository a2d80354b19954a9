"""Search at scale: the site's index against Pagefind's default indexing of the same pages.

    python bench/search.py [--issues 1000] [--queries Q1,Q2,...] [--keep]
    python bench/search.py --issues 1000 --sweep 52:20000,52:4000,104:4000

``--sweep DOCUMENTS:CHUNK[:YEARS],…`` measures the index in parts at each setting instead
(documents per part, ``search.parts.PART_DOCUMENTS``; Pagefind's index file size,
``INDEX_CHUNK_SIZE``; years per part, ``PART_YEARS``):
the time to index, Pagefind's largest process (VmHWM), the number of parts, and in Chromium
the first query's bytes and requests by kind (with how often the wasm was fetched), the
second query's, and a second visit's (what ``metaCacheTag`` lets the browser keep); every
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
   ``_default/pagefind/`` with a bare search page (``_default/search/``, lang zh-Hant) that
   shows the first 20 results as Pagefind's own UI would (``search`` + ``data()``).
3. **Chromium** (Debian's), a fresh profile per site: the search page opened with the first
   query in ``?q=``, then the second query typed; bytes the server sent (everything: HTML, CSS,
   JS, wasm, index) until the first results, and then for the second query; the time from the
   navigation, and from pressing Enter, to the results on screen.
4. **Results.** Every query's results against the reference matcher (``ref.matches``, the
   rule search.js implements) over every record: recall and precision of the site's search
   (every result's record loaded, after the timed runs), and for the default index the article
   pages it returns against the articles that contain the query.

Outputs go to bench/out/search/ (git-ignored) and are removed unless ``--keep``. The Markdown
report goes to stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import http.server
import json
import os
import shutil
import statistics
import sys
import threading
import time
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

import search_reference as ref  # noqa: E402
from browser_harness import ARGS, CHROMIUM  # noqa: E402
from bulletin_site import render, search, site, write  # noqa: E402
from bulletin_site.config import load_config  # noqa: E402
from bulletin_site.convert import EDITIONS, Converter, convert_document, load_glossary  # noqa: E402
from bulletin_site.kinds import KINDS  # noqa: E402
from bulletin_site.model import Article, Bulletin  # noqa: E402
from bulletin_site.search import fold, pagefind  # noqa: E402
from bulletin_site.search import records as search_records  # noqa: E402

QUERIES = ("粵港澳大灣區", "金伯利進程", "知識產權", "经济局", "CEPA", "2019", "澳", "數字經濟")
FIRST, SECOND = "粵港澳大灣區", "金伯利进程"  # the timed pair: first query, then second
DEFAULT_JS = """\
// Pagefind's default search as its UI uses it: search, then the first 20 results' data().
import * as pagefind from "./pagefind/pagefind.js"; // _default/pagefind/, beside this file
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
"""
DEFAULT_HTML = """\
<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>default</title>
<script type="module" src="../bench.js"></script></head><body>
<form id="f"><input id="q" type="search" name="q"></form>
<ol id="results" aria-busy="false" data-query=""></ol></body></html>
"""


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
) -> dict:
    """Render the pages and write both indexes into ``out``; times and sizes."""
    times: dict[str, float] = {}
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
    search.write_index(by_edition, out, config, KINDS)
    times["ours"] = time.perf_counter() - started
    if not with_default:
        return {"times": times, "pages": len(rendered)}

    started = time.perf_counter()
    default = out / "_default"
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
        # GetFiles, not WriteFiles: Pagefind answers WriteFiles before its files reach the disk
        # (docs/search.md), and a half-written default index finds nothing.
        for path, data in pagefind.index_files(service, index).items():
            (default / "pagefind" / path).parent.mkdir(parents=True, exist_ok=True)
            (default / "pagefind" / path).write_bytes(data)
    times["default"] = time.perf_counter() - started
    (default / "search").mkdir(parents=True)
    (default / "search" / "index.html").write_text(DEFAULT_HTML, encoding="utf-8")
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


def query_times(browser: Any, base: str, page_path: str, box: str, queries: Sequence[str]) -> dict:
    """Each query pressed with Enter on a warm page (index loaded), best of three."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}{page_path}")
    out = {}
    for q in queries:
        runs = []
        for _ in range(3):
            page.fill("input[name=q]", "")
            page.press("input[name=q]", "Enter")
            done(page, box, "")
            page.fill("input[name=q]", q)
            started = time.perf_counter()
            page.press("input[name=q]", "Enter")
            done(page, box, q)
            runs.append((time.perf_counter() - started) * 1000)
        out[q] = min(runs)
    context.close()
    return out


OURS_ALL = """async (q) => {
  const mod = await import(new URL("../../assets/search.js", location.href).href);
  const bundle = new URL("../../pagefind/pagefind.js", location.href);
  const pagefind = await import(bundle.href);
  const data = await (await fetch("data.json")).json();
  await pagefind.options({ noWorker: true });
  mod.startOn(pagefind, data.index);
  await mod.mergeParts(pagefind, data, bundle);
  const spill = async () => (await fetch("spill.json")).json();
  const searcher = new mod.Searcher(pagefind, data, spill);
  const results = await searcher.search(q);
  const urls = [];
  for (let i = 0; i < results.length; i += 50) {
    const chunk = await Promise.all(results.slice(i, i + 50).map((r) => r.data()));
    urls.push(...chunk.map((d) => d.raw_url || d.url));
  }
  return urls;
}"""


def result_sets(
    browser: Any, base: str, queries: Sequence[str], *, default: bool = True
) -> dict[str, dict[str, list[str]]]:
    """Every result URL of every query, for both indexes (not timed: every record loaded)."""
    out: dict[str, dict[str, list[str]]] = {"ours": {}, "default": {}}
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}zh-hant/search/")
    for q in queries:
        out["ours"][q] = page.evaluate(OURS_ALL, q)
    if not default:
        context.close()
        return out
    page.goto(f"{base}_default/search/")
    page.wait_for_function("window.allUrls !== undefined")
    for q in queries:
        out["default"][q] = page.evaluate("(q) => window.allUrls(q)", q)
    context.close()
    return out


# ---------------------------------------------------------------------------------------------
# 4. Results against the reference


def expected(
    records: Sequence[search_records.Record], table: Mapping[str, str], q: str
) -> set[str]:
    return {r.url for r in records if ref.matches(q, r, table)}


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
    records = {e.code: search_records.records(by_edition[e.code], e, config) for e in EDITIONS}
    table = fold.fold_table(search_records.aligned_texts(records))
    want = {q: expected(records["zh-hant"], table, q) for q in queries}
    rows = []
    for setting in args.sweep.split(","):
        documents, chunk, years = (int(x) for x in f"{setting}:1".split(":")[:3])
        parts.PART_DOCUMENTS, parts.INDEX_CHUNK_SIZE = documents, chunk
        split = parts.split_into_parts  # its defaults are read when it is defined

        def split_with(sources: Any, split: Any = split, n: int = documents, y: int = years) -> Any:
            return split(sources, n, y)

        parts.split_into_parts = split_with
        for path in [OUT / "pagefind", *(OUT / e.code / "search" for e in EDITIONS)]:
            for stale in [path] if path.name == "pagefind" else path.glob("*.json"):
                if stale.is_dir():
                    shutil.rmtree(stale)
                else:
                    stale.unlink()
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
            found = result_sets(browser, base, queries, default=False)["ours"]
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--keep", action="store_true", help="keep bench/out/search/")
    parser.add_argument("--sweep", help="DOCUMENTS:CHUNK,… settings of the index in parts")
    args = parser.parse_args(argv)
    queries = [q for q in args.queries.split(",") if q]
    if args.sweep:
        return sweep(args, queries)

    started = time.perf_counter()
    config, by_edition = archive(args.issues)
    generated = time.perf_counter() - started
    info = build(OUT, config, by_edition)
    records = {e.code: search_records.records(by_edition[e.code], e, config) for e in EDITIONS}
    table = fold.fold_table(search_records.aligned_texts(records))
    hant_records = records["zh-hant"]

    from playwright.sync_api import sync_playwright

    with serve(OUT) as (base, sent), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ours = timed(browser, base, sent, "zh-hant/search/", "#search-results", FIRST, SECOND)
        default = timed(browser, base, sent, "_default/search/", "#results", FIRST, SECOND)
        ours_times = query_times(browser, base, "zh-hant/search/", "#search-results", queries)
        default_times = query_times(browser, base, "_default/search/", "#results", queries)
        found = result_sets(browser, base, queries)
        browser.close()

    n_records = {code: len(r) for code, r in records.items()}
    ours_size, ours_data = size(OUT / "pagefind"), size(OUT / "pagefind", data_only=True)
    ours_data += sum((OUT / e.code / search.DATA).stat().st_size for e in EDITIONS)
    ours_size += sum((OUT / e.code / search.DATA).stat().st_size for e in EDITIONS)
    default_size = size(OUT / "_default" / "pagefind")
    default_data = size(OUT / "_default" / "pagefind", data_only=True)

    print(f"## Search at {args.issues:,} issues\n")
    articles = sum(1 for r in hant_records if r.url.count("/") == 4 and r.kind == "bulletin")
    print(
        f"Archive: {args.issues:,} issues, {articles:,} articles; records per edition: "
        f"{n_records['zh-hant']:,} (繁) + {n_records['zh-hans']:,} (简); {info['pages']:,} "
        f"pages rendered. Generated in {generated:.1f} s, rendered in "
        f"{info['times']['render']:.1f} s; index written in {info['times']['ours']:.1f} s "
        f"(site) and {info['times']['default']:.1f} s (default).\n"
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
        ("first query, navigation → results", ours.first_ms, default.first_ms),
        ("second query, Enter → results", ours.second_ms, default.second_ms),
    ):
        print(f"| {label} | {a:,.0f} ms | {b:,.0f} ms |")
    print(f"\nFirst query `{FIRST}`, second `{SECOND}`; bytes as sent without HTTP compression.\n")
    print("First query, site's index, by file:\n")
    for path, n in sorted(ours.first_files, key=lambda x: -x[1]):
        print(f"- {path}: {n:,} B")
    print()
    print(
        "| query | expected | site: found, recall, precision | ms (site) "
        "| default: articles returned, containing it | ms (default) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    recall_all = []
    precision_all = []
    for q in queries:
        want = expected(hant_records, table, q)
        got = set(found["ours"][q])
        recall = len(got & want) / len(want) if want else 1.0
        precision = len(got & want) / len(got) if got else 1.0
        recall_all.append(recall)
        precision_all.append(precision)
        want_articles = {a for u in want if (a := article_url(u))}
        default_articles = {a for u in found["default"][q] if (a := article_url(u))}
        print(
            f"| {q} | {len(want):,} | {len(got):,}, {recall:.3f}, {precision:.3f} | "
            f"{ours_times[q]:,.0f} | {len(default_articles):,} of {len(want_articles):,} "
            f"articles expected, {len(default_articles & want_articles):,} right | "
            f"{default_times[q]:,.0f} |"
        )
    print(
        f"\nSite's search over {len(queries)} queries: recall {min(recall_all):.3f}, "
        f"precision {min(precision_all):.3f} (the lowest of any query). Median query time "
        f"{statistics.median(ours_times.values()):,.0f} ms (site), "
        f"{statistics.median(default_times.values()):,.0f} ms (default)."
    )
    if not args.keep:
        shutil.rmtree(OUT, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
