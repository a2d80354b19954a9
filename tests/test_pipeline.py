"""The whole build on the real seeds: every article in both editions, links that resolve,
byte-identical rebuilds, all-or-nothing writes, warnings instead of crashes."""

from __future__ import annotations

import posixpath
import re
import shutil
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markupsafe import escape

from bulletin_site import pipeline, write
from bulletin_site.config import load_config
from bulletin_site.convert import Converter, convert_document, load_glossary
from bulletin_site.errors import BuildError
from bulletin_site.model import Bulletin, Plan
from bulletin_site.parse import read_document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
BASE_URL = load_config(ROOT).site.base_url
# Each seed's address: an issue's number, a plan's or page's slug (content/issues/*.yaml).
ADDRESS = {
    stem: str(meta.number if meta.number is not None else meta.slug)
    for stem, meta in load_config(ROOT).documents.items()
}
EDITION_SCRIPTS = {"zh-hant": "hant", "zh-hans": "hans"}


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <script> elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.inline_scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def html_pages(site_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(site_dir).as_posix(): p.read_text("utf-8")
        for p in sorted(site_dir.rglob("*.html"))
    }


def tree(site_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }


def assert_only_site_and_cache(root: Path) -> None:
    """The project holds its inputs, the site and the build's cache (cache.py): no staged or
    old site is left over."""
    assert sorted(p.name for p in root.iterdir()) == [
        ".bulletin-cache",
        "_site",
        "content",
        "seeds",
        "templates",
    ]


def local_file(url: str) -> str | None:
    """An absolute URL of this site → the site path of the file a server would send."""
    if not url.startswith(BASE_URL):
        return None
    path = unquote(url[len(BASE_URL) :])
    return path + "index.html" if path == "" or path.endswith("/") else path


@pytest.fixture(scope="module")
def readings() -> dict[str, Bulletin | Plan]:
    return {p.stem: read_document(p).document for p in SEEDS}


@pytest.fixture(scope="module")
def converter() -> Converter:
    return Converter(load_glossary(ROOT / "content" / "glossary.yaml"))


def test_every_seed_is_published_in_both_editions(built_site: Path, readings: dict) -> None:
    for stem, doc in readings.items():
        for code in EDITION_SCRIPTS:
            kind = {"bulletin": "bulletins", "plan": "plans", "page": "pages"}[doc.kind]
            assert (built_site / code / kind / ADDRESS[stem] / "index.html").is_file()
    for path in (
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "assets/style.css",
        "assets/lang.js",
    ):
        assert (built_site / path).is_file()
    for code in EDITION_SCRIPTS:
        for path in ("index.html", "search/index.html", "feed.xml"):
            assert (built_site / code / path).is_file()


def test_every_article_with_all_its_paragraphs_in_both_editions(
    built_site: Path, readings: dict, converter: Converter
) -> None:
    bulletins = {stem: doc for stem, doc in readings.items() if isinstance(doc, Bulletin)}
    assert len(bulletins) == 2
    assert sum(len(doc.articles) for doc in bulletins.values()) == 21
    for stem, original in bulletins.items():
        for code, script in EDITION_SCRIPTS.items():
            doc = convert_document(original, script, converter)
            folder = built_site / code / "bulletins" / ADDRESS[stem]
            issue = (folder / "index.html").read_text("utf-8")
            for article in doc.articles:
                assert str(escape(article.title)) in issue
                html = (folder / str(article.number) / "index.html").read_text("utf-8")
                assert f'<meta name="bulletin-issue" content="{ADDRESS[stem]}">' in html
                assert f'<meta name="bulletin-article" content="{article.number}">' in html
                assert str(escape(article.title)) in html
                assert article.paragraphs, f"{stem} article {article.number} has no text"
                for paragraph in article.paragraphs:
                    assert f"<p>{escape(paragraph)}</p>" in html, (code, stem, article.number)
                for caption in article.captions:
                    assert f"<li>{escape(caption)}</li>" in html


def test_every_plan_item_has_its_anchor(
    built_site: Path, readings: dict, converter: Converter
) -> None:
    plans = {stem: doc for stem, doc in readings.items() if isinstance(doc, Plan)}
    assert sorted(sum(len(s.items) for s in p.sections) for p in plans.values()) == [23, 73]
    for stem, original in plans.items():
        for code, script in EDITION_SCRIPTS.items():
            doc = convert_document(original, script, converter)
            html = (built_site / code / "plans" / ADDRESS[stem] / "index.html").read_text("utf-8")
            for section in doc.sections:
                for item in section.items:
                    anchor = f'<li id="item-{item.number}" value="{item.number}">'
                    assert f"{anchor}{escape(item.text)}</li>" in html


def test_every_page_has_the_head_it_needs(built_site: Path) -> None:
    for path, text in html_pages(built_site).items():
        tags = Tags(text)
        lang = tags.find("html")[0]["lang"]
        assert lang in ("zh-Hant", "zh-Hans"), path
        if path.startswith("zh-"):
            assert lang == ("zh-Hant" if path.startswith("zh-hant/") else "zh-Hans"), path
        assert re.search(r"<title>[^<]+</title>", text), path
        assert tags.find("meta", name="description")[0]["content"].strip(), path
        assert tags.find("link", rel="canonical")[0]["href"].startswith(BASE_URL), path
        hreflangs = {a["hreflang"] for a in tags.find("link", rel="alternate") if "hreflang" in a}
        assert hreflangs == {"zh-Hant", "zh-Hans", "x-default"}, path
        csp = tags.find("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"]
        assert "script-src 'self'; worker-src 'self';" in csp and "object-src 'none'" in csp
        assert not tags.inline_scripts, path
        assert not [
            a for _, a in tags.tags if "style" in a or any(k.startswith("on") for k in a)
        ], path


def test_every_link_resolves(built_site: Path) -> None:
    files = set(tree(built_site))
    for path, text in html_pages(built_site).items():
        tags = Tags(text)
        for tag, attrs in tags.tags:
            for attribute in ("href", "src"):
                url = attrs.get(attribute)
                if url is None or (tag == "a" and url == "#"):
                    continue
                if (attrs.get("hreflang") and tag == "link") or attrs.get("rel") == "canonical":
                    target = local_file(url)  # absolute by design
                    assert target in files, (path, url)
                    continue
                parts = urlsplit(url)
                assert not parts.scheme and not parts.netloc, (path, url)  # nothing external
                if not parts.path:
                    target = path
                elif path == "404.html":
                    target = unquote(parts.path).lstrip("/")
                else:
                    target = posixpath.normpath(
                        posixpath.join(posixpath.dirname(path), unquote(parts.path))
                    )
                assert target in files, (path, url)
                if parts.fragment:
                    assert f'id="{parts.fragment}"' in (built_site / target).read_text("utf-8"), (
                        path,
                        url,
                    )


def test_no_compatibility_ideographs_and_all_nfc(built_site: Path) -> None:
    import gzip
    import unicodedata

    for path, data in tree(built_site).items():
        if data[:2] == b"\x1f\x8b":  # Pagefind's index files are gzipped
            data = gzip.decompress(data)
        if path.startswith("pagefind/"):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue  # a binary index: its words are checked through the search tests
        else:
            text = data.decode("utf-8")
        assert not re.search("[\uf900-\ufaff]", text), path
        assert unicodedata.is_normalized("NFC", text), path


def test_feed_sitemap_and_robots(built_site: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    for code in EDITION_SCRIPTS:
        feed = ElementTree.parse(built_site / code / "feed.xml").getroot()
        assert (
            feed.findtext(f"{atom}updated") == "2019-12-31T00:00:00+08:00"
        )  # newest issue, not now
        entries = feed.findall(f"{atom}entry")
        assert len(entries) == 21
        for entry in entries:
            url = entry.find(f"{atom}link").get("href")
            assert local_file(url) in tree(built_site), url
    sitemap = ElementTree.parse(built_site / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = {local_file(u.findtext("s:loc", namespaces=ns)) for u in sitemap.findall("s:url", ns)}
    assert locs == set(html_pages(built_site)) - {"404.html"}
    for url in sitemap.findall("s:url", ns):
        for link in url.findall("x:link", ns):
            assert local_file(link.get("href")) in locs
    robots = (built_site / "robots.txt").read_text()
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots


def test_rebuilds_are_byte_identical(make_project: Callable[[str], Path]) -> None:
    first = make_project("one")
    second = make_project("other/place")
    pipeline.build(first)
    before = tree(first / "_site")
    pipeline.build(first)
    assert tree(first / "_site") == before
    pipeline.build(second)
    assert tree(second / "_site") == before
    assert_only_site_and_cache(first)


def test_a_failing_build_keeps_the_previous_site(project: Path) -> None:
    pipeline.build(project)
    before = tree(project / "_site")
    (project / "templates" / "plan.html").write_text("{% for %}", encoding="utf-8")
    with pytest.raises(BuildError, match=r"plan\.html:1"):
        pipeline.build(project)
    assert tree(project / "_site") == before
    assert_only_site_and_cache(project)


def test_all_input_problems_are_reported_together(project: Path) -> None:
    (project / "seeds" / "999_empty.txt").write_text("  \n", encoding="utf-8")
    (project / "content" / "issues" / "000_7c1a5d4148a0e861.yaml").write_text("date: soon\n")
    (project / "content" / "site.yaml").write_text("allow_html: 1\n")
    with pytest.raises(BuildError) as caught:
        pipeline.build(project)
    lines = str(caught.value).splitlines()
    assert lines == [
        "content/site.yaml:1: error: allow_html must be true or false, not 1",
        "content/issues/000_7c1a5d4148a0e861.yaml:1: error: date must be written YYYY-MM-DD, "
        "not 'soon'",
        "seeds/999_empty.txt: error: is empty",
    ]
    assert not (project / "_site").exists()


def test_missing_metadata_is_a_warning_with_sensible_defaults(project: Path) -> None:
    issues = project / "content" / "issues"
    (issues / "000_7c1a5d4148a0e861.yaml").unlink()  # the text prints its number: 七十期
    (issues / "003_5f17500b75967727.yaml").write_text("number: 3\nslug: belt-and-road-2023\n")
    (issues / "00l_typo.yaml").write_text("date: 2020-01-01\n")
    report = pipeline.build(project)
    shown = [str(w) for w in report.warnings]
    assert shown == [
        "content/issues/000_7c1a5d4148a0e861.yaml: warning: no metadata for bulletin "
        "000_7c1a5d4148a0e861.txt: publication date unknown (listed last)",
        "content/issues/003_5f17500b75967727.yaml:1: warning: number applies to bulletins only; "
        "ignored for a work plan",
        "content/issues/00l_typo.yaml: warning: no document seeds/00l_typo.txt: ignored",
    ]
    home = (project / "_site" / "zh-hans" / "index.html").read_text("utf-8")
    assert "年份不详" in home
    assert home.index("第71期") < home.index("第70期")  # dated first, the undated last
    issue = (project / "_site" / "zh-hant" / "bulletins" / "70" / "index.html").read_text()
    assert "日期不詳" in issue


def test_build_command_prints_warnings_and_a_summary(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    (project / "content" / "issues" / "000_7c1a5d4148a0e861.yaml").write_text(
        "number: 69\ndate: 2019-10-01\n"
    )
    assert pipeline.build_command(project, clean=False, quiet=True) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.splitlines()
    assert err[0] == (
        "content/issues/000_7c1a5d4148a0e861.yaml:1: warning: number 69 differs from the text's "
        "issue 70; using 69"
    )
    assert re.fullmatch(r"built 5 documents, 58 pages, 1 warning in \d+\.\d s → _site/", err[1])


def test_cli_build(project: Path, capsys: pytest.CaptureFixture) -> None:
    from bulletin_site.cli import main

    assert main(["build", "--root", str(project), "--quiet"]) == 0
    assert "built 5 documents" in capsys.readouterr().err
    (project / "content" / "site.yaml").write_text("base_url: [\n")
    assert main(["build", "--root", str(project)]) == 1
    assert capsys.readouterr().err.startswith("content/site.yaml:2: error: invalid YAML")


def test_search_index_is_added_to_the_staged_site_before_the_swap(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULLETIN_SITE_JOBS", "1")  # the index in this process, to watch it
    seen = {}

    def index_files(
        by_edition: dict, config: object, kinds: object, cache_dir: object, **_: object
    ) -> dict[str, bytes]:
        seen["stems"] = sorted(s.stem for s in by_edition["zh-hant"])
        return {"pagefind/pagefind.js": b"// index"}

    real_write = pipeline.write_search_index

    def write_search_index(files: Path, staging: write.Staging, kept: dict) -> None:
        seen["staged"] = staging.folder.name
        seen["has_pages"] = (staging.folder / "zh-hant" / "index.html").is_file()
        seen["swapped"] = (project / "_site").exists()
        real_write(files, staging, kept)

    monkeypatch.setattr(pipeline.search, "index_files", index_files)
    monkeypatch.setattr(pipeline, "write_search_index", write_search_index)
    report = pipeline.build(project)
    assert seen == {
        "stems": [p.stem for p in SEEDS],
        "staged": f"_site.tmp-{__import__('os').getpid()}",
        "has_pages": True,
        "swapped": False,
    }
    assert (project / "_site" / "pagefind" / "pagefind.js").read_text() == "// index"
    assert {"index", "index wait"} <= report.stage_seconds.keys()


def test_a_failing_index_leaves_the_previous_site(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.build(project)
    before = sorted(p.relative_to(project) for p in (project / "_site").rglob("*"))
    monkeypatch.setenv("BULLETIN_SITE_JOBS", "1")
    with (project / "content" / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("# an edit: the inputs are not the last build's\n")

    def index_files(
        by_edition: dict, config: object, kinds: object, cache_dir: object, **_: object
    ) -> dict[str, bytes]:
        raise BuildError("search: Pagefind stopped: no message")

    monkeypatch.setattr(pipeline.search, "index_files", index_files)
    with pytest.raises(BuildError, match="Pagefind stopped"):
        pipeline.build(project)
    assert sorted(p.relative_to(project) for p in (project / "_site").rglob("*")) == before
    assert not list(project.glob("_site.tmp-*"))


def test_build_py_at_the_project_root(project: Path) -> None:
    import subprocess

    shutil.copy(ROOT / "build.py", project / "build.py")
    (project / "src").symlink_to(ROOT / "src")
    result = subprocess.run(
        [sys.executable, str(project / "build.py"), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (project / "_site" / "zh-hans" / "index.html").is_file()
