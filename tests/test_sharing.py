"""What a shared link shows, and the way to the original: every page has Open Graph meta (its
title, its first sentence, its canonical address, the edition's locale); an issue whose
metadata names its PDF links to it from the issue's and the articles' pages; ``check`` makes
sure that address is an http(s) URL."""

from __future__ import annotations

import datetime
import re
from html import unescape
from pathlib import Path

from bulletin_site import pipeline
from bulletin_site.check import check
from bulletin_site.site import excerpt
from bulletin_site.textreport import first_sentence

PDF = "https://www.economia.gov.mo/cepa/bulletin-70.pdf"


def meta(html: str, name: str) -> str:
    found = re.search(rf'<meta property="{name}" content="([^"]*)">', html)
    assert found, name
    return unescape(found.group(1))


def test_every_page_describes_itself_to_a_chat_app(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text("utf-8")
        path = page.relative_to(built_site).as_posix()
        canonical = re.search(r'<link rel="canonical" href="([^"]*)">', html)
        assert canonical, path
        assert meta(html, "og:url") == unescape(canonical.group(1)), path
        assert meta(html, "og:title") and meta(html, "og:description"), path
        assert meta(html, "og:site_name") in ("緊貿安排快訊", "紧贸安排快讯"), path
        locale = "zh_CN" if path.startswith("zh-hans/") else "zh_MO"
        assert meta(html, "og:locale") == locale, path
        document = re.match(r"zh-han[st]/(bulletins|plans|pages)/", path)
        assert meta(html, "og:type") == ("article" if document else "website"), path


def test_a_shared_article_shows_its_title_and_first_sentence(built_site: Path) -> None:
    html = (built_site / "zh-hant" / "bulletins" / "70" / "2" / "index.html").read_text("utf-8")
    first = re.search(r"<article>.*?<p>([^<]+)</p>", html, re.S)
    assert first
    # the first sentence, cut at the length a preview shows
    assert meta(html, "og:description") == excerpt(first_sentence(unescape(first.group(1))))
    assert meta(html, "og:title").endswith(" · 第70期")
    assert meta(html, "og:url") == "https://cepa.example.org/zh-hant/bulletins/70/2/"


def test_the_issue_and_its_articles_link_to_the_pdf_its_metadata_names(project: Path) -> None:
    metadata = project / "content" / "issues" / "000_7c1a5d4148a0e861.yaml"
    metadata.write_text(metadata.read_text("utf-8") + f"pdf: {PDF}\n", "utf-8")
    site = pipeline.build(project).site_dir
    link = f'href="{PDF}" type="application/pdf">原文 PDF</a>'
    for edition in ("zh-hant", "zh-hans"):
        assert link in (site / edition / "bulletins" / "70" / "index.html").read_text()
        for n in (1, 11):
            assert link in (site / edition / "bulletins" / "70" / str(n) / "index.html").read_text()
        assert "原文 PDF" not in (site / edition / "bulletins" / "71" / "index.html").read_text()


def test_check_makes_sure_the_pdf_is_a_web_address(project: Path) -> None:
    metadata = project / "content" / "issues" / "000_7c1a5d4148a0e861.yaml"
    metadata.write_text("number: 70\ndate: 2019-10-01\npdf: C:\\快訊\\70.pdf\n", "utf-8")
    [problem] = check(project, today=datetime.date(2024, 6, 1)).problems
    assert str(problem) == (
        "content/issues/000_7c1a5d4148a0e861.yaml:3: error: pdf must be the PDF's http:// or "
        "https:// address, not 'C:\\\\快訊\\\\70.pdf'"
    )
