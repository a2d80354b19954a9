"""No injection: markup, Jinja syntax and URLs from a raw file, a correction, a Markdown page,
an editor's metadata or site.yaml are shown as text on every page, feed, sitemap and search
record; Markdown links cannot run script; every page carries the Content-Security-Policy.
(The same site in Chromium: test_hostile_browser.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hostile_site import (
    CSP,
    PAYLOADS,
    inspect_html,
    inspect_json,
    inspect_xml,
    make_hostile_project,
)

from bulletin_site.clean import key
from bulletin_site.render import markdown_html
from bulletin_site.sanitize import clean_html, safe_url


def site_files(site_dir: Path) -> list[Path]:
    return sorted(p for p in site_dir.rglob("*") if p.is_file() and "pagefind" not in p.parts)


def check_site(site_dir: Path) -> list[str]:
    """Every problem on every page, feed, sitemap and JSON file of the site."""
    problems = []
    for path in site_files(site_dir):
        data = path.read_bytes()
        where = path.relative_to(site_dir).as_posix()
        if path.suffix == ".html":
            found, csp, _ = inspect_html(data)
            if csp != [CSP]:
                found.append(f"Content-Security-Policy: {csp}")
            head = data.decode()
            if head.index("Content-Security-Policy") > head.index("<title>"):
                found.append("the CSP comes after content-derived text")
        elif path.suffix == ".xml":
            found = inspect_xml(data)
        elif path.suffix == ".json":
            found = inspect_json(data)
        else:
            continue
        problems.extend(f"{where}: {p}" for p in found)
    return problems


def page_texts(site_dir: Path) -> str:
    """What a reader sees on every page, spaces aside."""
    return "\n".join(
        key(inspect_html(p.read_bytes())[2]) for p in site_files(site_dir) if p.suffix == ".html"
    )


def test_no_markup_from_content_on_any_page(hostile_site: Path) -> None:
    assert check_site(hostile_site) == []


def test_every_payload_is_shown_as_text(hostile_site: Path) -> None:
    text = page_texts(hostile_site)
    for n, payload in enumerate(PAYLOADS, start=1):
        # Each payload's marker is on a page; the reader may have split a payload between a
        # caption and a paragraph, so most, not all, are there whole.
        assert f"XSS{n}" in text, payload
    whole = [p for p in PAYLOADS if key(p) in text]
    assert len(whole) >= len(PAYLOADS) - 2, set(PAYLOADS) - set(whole)
    assert key('<script>alert("XSS1")</script>') in text
    assert key("{{ 7*7 }}{% if true %}XSS3-JINJA{% endif %}") in text  # not 49, not evaluated


def test_site_yaml_text_is_shown_as_text(hostile_site: Path) -> None:
    home = (hostile_site / "zh-hant" / "index.html").read_text()
    assert "<title>網站&lt;/title&gt;&lt;script&gt;alert(&#34;CFG1&#34;)" in home
    assert 'content="描述&#34;&gt;&lt;script&gt;alert(&#34;CFG3&#34;)&lt;/script&gt;"' in home
    hans = (hostile_site / "zh-hans" / "index.html").read_text()
    assert "{{ 7*7 }}&lt;/script&gt;CFG4" in hans


def test_metadata_and_corrections_are_shown_as_text(hostile_site: Path) -> None:
    text = page_texts(hostile_site)
    # (PL1 is in the plan's own title, which its metadata replaces by META2's.)
    for marker in ("META1", "META2", "COR1", "COR2", "COR3", "COR4", "COR5", "PL2", "PL3"):
        assert marker in text, marker
    corrected = hostile_site / "zh-hant" / "bulletins" / "72" / "1" / "index.html"
    assert "&lt;/title&gt;&lt;script&gt;" in corrected.read_text()


def test_the_feeds_carry_the_payloads_as_escaped_text(hostile_site: Path) -> None:
    feed = (hostile_site / "zh-hant" / "feed.xml").read_text()
    assert "XSS" in feed
    assert "<script" not in feed.replace("&lt;script", "")


def test_search_records_are_valid_json_with_the_text(hostile_site: Path) -> None:
    for data in sorted(hostile_site.glob("*/search/data.json")):
        json.loads(data.read_bytes())
    entries = sorted((hostile_site / "pagefind").glob("*/*/pagefind-entry.json"))
    assert entries  # one per part of each edition's index
    for entry in entries:
        json.loads(entry.read_bytes())


@pytest.mark.parametrize("allow_html", [True])
def test_allow_html_still_runs_no_script(tmp_path: Path, allow_html: bool) -> None:
    from bulletin_site.pipeline import build

    site_dir = build(make_hostile_project(tmp_path / "p", allow_html=allow_html)).site_dir
    assert check_site(site_dir) == []
    page = (site_dir / "zh-hant" / "pages" / "hostile-page" / "index.html").read_text()
    assert "原始HTML區塊 MD4</div>" in page  # raw HTML allowed: the div is kept, its onclick not


def test_every_page_of_the_real_site_has_the_csp(built_site: Path) -> None:
    for path in built_site.rglob("*.html"):
        _, csp, _ = inspect_html(path.read_bytes())
        assert csp == [CSP], path


# --- Markdown, one attack at a time -----------------------------------------------------------

LINK_ATTACKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert&#40;1&#41;)",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#0000106avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x]( javascript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '[x](https://example.org/ "a\\" onmouseover=\\"alert(1)")',
]


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize("attack", LINK_ATTACKS)
def test_markdown_links_cannot_run_script(attack: str, allow_html: bool) -> None:
    html = str(markdown_html(attack, allow_html=allow_html))
    found, _, _ = inspect_html(html.encode())
    assert found == [], html
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert safe_url(url), html


RAW_HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    "<style>*{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=javascript:alert(1)></object>",
    "<base href=javascript:alert(1)//>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "</main></body><script>alert(1)</script>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<!--><script>alert(1)</script>-->",
    "<scr<script>ipt>alert(1)</script>",
]


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize("attack", RAW_HTML)
def test_raw_html_in_markdown(attack: str, allow_html: bool) -> None:
    html = str(markdown_html(f"段落\n\n{attack}\n\n段落", allow_html=allow_html))
    found, _, _ = inspect_html(html.encode())
    assert found == [], html
    if not allow_html:  # shown as text, as written
        assert "<" not in html.replace("<p>", "").replace("</p>", "").replace("<br>", "").replace(
            "<br />", ""
        ).replace("<!--", "")
    assert html.count("<main") == html.count("</main")


def test_clean_html_keeps_what_is_harmless() -> None:
    kept = clean_html(
        '<table><tr><td colspan="2">甲</td></tr></table><p><a href="https://a.mo/x">乙</a>'
        '<sup>1</sup><img src="pic.png" alt="丙"></p>'
    )
    assert kept == (
        '<table><tr><td colspan="2">甲</td></tr></table><p><a href="https://a.mo/x">乙</a>'
        '<sup>1</sup><img src="pic.png" alt="丙"></p>'
    )
