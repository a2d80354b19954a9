"""Links, Markdown, templates: the page plan rendered from documents built by hand."""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path

import pytest

from bulletin_site import render, site
from bulletin_site.config import SiteConfig
from bulletin_site.convert import HANS_EDITION, HANT_EDITION
from bulletin_site.errors import BuildError
from bulletin_site.kinds import KINDS
from bulletin_site.model import Article, Bulletin, Item, Page, Plan, Section

EDITIONS = (HANT_EDITION, HANS_EDITION)
CONFIG = SiteConfig(
    title={"zh-hant": "緊貿安排快訊", "zh-hans": "紧贸安排快讯"},
    description={"zh-hant": "說明", "zh-hans": "说明"},
    base_url="https://example.org/cepa/",
)


ROOT = Path(__file__).resolve().parents[1]


def bulletin(title: str = "第一篇") -> Bulletin:
    return Bulletin(
        source="a.txt",
        script="hant",
        number=7,
        summary=("導讀。",),
        contact="電話 1234",
        articles=(
            Article(1, title, ("第一段。", "第二段 <b>粗</b>。"), ("圖一說明",)),
            Article(2, "第二篇", ("只有一段。",)),
        ),
    )


def sources() -> tuple[site.Source, ...]:
    plan = Plan(
        "p.txt",
        "hans",
        "工作计划",
        ("引言。",),
        (
            Section("一、金融", (Item(1, "甲"), Item(2, "乙"))),
            Section("（一）细项", (Item(3, "丙"),), 2),
        ),
    )
    page = Page("m.txt", "hant", "關於", "# 關於\n\n正文 <i>斜</i>\n")
    return (
        site.Source("a", bulletin(), "hant", 7, datetime.date(2020, 1, 2), slug="7"),
        site.Source("p", plan, "hans", slug="p"),
        site.Source("m", page, "hant", slug="m"),
    )


def render_site(config: SiteConfig = CONFIG, templates: Path | None = None) -> dict[str, str]:
    """Both editions without conversion (the texts stay as they are): enough for layout."""
    by_edition = {e.code: sources() for e in EDITIONS}
    targets = site.site_targets(config, EDITIONS, by_edition, KINDS)
    search_path = render.template_search_path(ROOT, templates)
    env = render.make_environment(search_path, allow_html=config.allow_html)
    return {path: data.decode() for path, data in render.render_all(env, targets)}


@pytest.mark.parametrize(
    ("here", "there", "link"),
    [
        ("zh-hant/index.html", "zh-hant/index.html", "index.html"),
        ("zh-hant/index.html", "assets/style.css", "../assets/style.css"),
        ("index.html", "zh-hans/index.html", "zh-hans/index.html"),
        ("zh-hant/bulletins/a/3/index.html", "zh-hant/bulletins/a/4/index.html", "../4/index.html"),
        ("zh-hant/bulletins/a/3/index.html", "zh-hant/bulletins/a/index.html", "../index.html"),
        (
            "zh-hant/bulletins/a/3/index.html",
            "zh-hans/bulletins/a/3/index.html",
            "../../../../zh-hans/bulletins/a/3/index.html",
        ),
        ("zh-hant/index.html", "zh-hant/plans/p/index.html#item-37", "plans/p/index.html#item-37"),
        ("zh-hant/plans/p/index.html", "#item-2", "#item-2"),
        ("zh-hant/pages/關於/index.html", "zh-hant/pages/關於/index.html", "index.html"),
        (
            "zh-hant/index.html",
            "zh-hant/pages/關 於/index.html",
            "pages/%E9%97%9C%20%E6%96%BC/index.html",
        ),
    ],
)
def test_relative_url(here: str, there: str, link: str) -> None:
    assert site.relative_url(here, there) == link


def test_absolute_and_root_urls() -> None:
    base = "https://example.org/cepa/"
    assert site.absolute_url(base, "index.html") == base
    assert (
        site.absolute_url(base, "zh-hant/bulletins/a/3/index.html")
        == base + "zh-hant/bulletins/a/3/"
    )
    assert site.absolute_url(base, "zh-hant/feed.xml") == base + "zh-hant/feed.xml"
    assert site.root_url(base, "assets/style.css") == "/cepa/assets/style.css"
    assert site.twin_path("zh-hant/plans/p/index.html", "zh-hans") == "zh-hans/plans/p/index.html"


def test_markdown_escapes_raw_html_unless_allowed() -> None:
    text = (
        "正文 <b>粗</b>\n\n<div>塊</div>\n\n[連結](javascript:alert(1)) [好](https://example.org/)"
    )
    safe = render.markdown_html(text)
    assert "&lt;b&gt;粗&lt;/b&gt;" in safe and "&lt;div&gt;" in safe
    assert "javascript:" not in safe
    assert '<a href="https://example.org/">好</a>' in safe
    trusted = render.markdown_html(text, allow_html=True)
    assert "<b>粗</b>" in trusted and "<div>塊</div>" in trusted
    assert "javascript:" not in trusted


def test_markdown_placeholders_headings_and_line_breaks() -> None:
    html = render.markdown_html(
        "# 大標\n\n## 小標\n\n[佔位](#) [錨](#x)\n\n第一行\n第二行\n", first_heading=2
    )
    assert "<h2>大標</h2>" in html and "<h3>小標</h3>" in html
    assert "<a>佔位</a>" in html and '<a href="#x">錨</a>' in html
    assert "第一行<br>\n第二行" in html


def test_markdown_nests_two_space_lists() -> None:
    html = render.markdown_html("1. 甲\n2. 乙\n  - 子一\n  - 子二\n\n段落\n")
    assert "<li>乙<ul>\n<li>子一</li>" in html
    assert "<p>段落</p>" in html


def test_pages_of_both_editions() -> None:
    pages = render_site()
    for code in ("zh-hant", "zh-hans"):
        for path in (
            "index.html",
            "search/index.html",
            "bulletins/7/index.html",
            "bulletins/7/1/index.html",
            "bulletins/7/2/index.html",
            "plans/p/index.html",
            "pages/m/index.html",
            "feed.xml",
        ):
            assert f"{code}/{path}" in pages
    for path in ("index.html", "404.html", "sitemap.xml", "robots.txt"):
        assert path in pages


def test_article_page() -> None:
    html = render_site()["zh-hant/bulletins/7/1/index.html"]
    assert '<html lang="zh-Hant">' in html
    assert '<meta name="bulletin-issue" content="7">' in html
    assert '<meta name="bulletin-article" content="1">' in html
    assert '<link rel="canonical" href="https://example.org/cepa/zh-hant/bulletins/7/1/">' in html
    assert 'hreflang="x-default" href="https://example.org/cepa/zh-hant/bulletins/7/1/"' in html
    assert "<p>第二段 &lt;b&gt;粗&lt;/b&gt;。</p>" in html  # autoescaped
    assert '<section class="captions"' in html and "<li>圖一說明</li>" in html
    assert 'href="../2/index.html"' in html  # next article
    assert 'href="../index.html"' in html  # its issue
    assert 'class="twin" href="../../../../zh-hans/bulletins/7/1/index.html"' in html
    assert "Content-Security-Policy" in html and "script-src 'self'; worker-src 'self';" in html


def test_converted_pages_say_so_and_link_the_original() -> None:
    pages = render_site()
    original = pages["zh-hant/bulletins/7/1/index.html"]
    converted = pages["zh-hans/bulletins/7/1/index.html"]
    assert 'class="converted"' not in original
    assert "本页由繁体自动转换" in converted
    assert 'href="../../../../zh-hant/bulletins/7/1/index.html" hreflang="zh-Hant"' in converted
    plan = pages["zh-hant/plans/p/index.html"]
    assert "本頁由簡體自動轉換" in plan and "查看原文" in plan


def test_plan_items_have_anchors_and_subsections() -> None:
    html = render_site()["zh-hans/plans/p/index.html"]
    assert '<li id="item-1" value="1">甲</li>' in html
    assert '<li id="item-3" value="3">丙</li>' in html
    assert "<h2>一、金融</h2>" in html and "<h3>（一）细项</h3>" in html


def test_markdown_page_title_once_and_html_escaped() -> None:
    html = render_site()["zh-hant/pages/m/index.html"]
    assert html.count("<h1>") == 1 and "關於</h1>" in html
    assert "&lt;i&gt;斜&lt;/i&gt;" in html
    allowed = render_site(SiteConfig(**{**CONFIG.__dict__, "allow_html": True}))
    assert "<i>斜</i>" in allowed["zh-hant/pages/m/index.html"]


def test_search_page_placeholder() -> None:
    html = render_site()["zh-hans/search/index.html"]
    assert re.search(r'<form[^>]*role="search"', html)
    assert '<input type="search" name="q"' in html
    assert '<div id="search-results" aria-busy="false"' in html


def test_chooser_and_404() -> None:
    pages = render_site()
    chooser = pages["index.html"]
    assert 'href="zh-hant/index.html"' in chooser and 'href="zh-hans/index.html"' in chooser
    assert '<script src="assets/lang.js" defer></script>' in chooser
    missing = pages["404.html"]
    assert 'href="/cepa/assets/style.css"' in missing  # served at any depth
    assert 'href="/cepa/zh-hans/index.html"' in missing


def test_no_inline_script_or_style_anywhere() -> None:
    for path, text in render_site().items():
        if path.endswith(".html"):
            assert "<script>" not in text and "style=" not in text and "<style" not in text, path


def test_user_templates_override_single_files(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "assets").mkdir(parents=True)
    (mine / "article.html").write_text(
        '{% extends "base.html" %}'
        '{% block main %}<p class="mine">{{ article.title }}</p>{% endblock %}',
        encoding="utf-8",
    )
    (mine / "assets" / "style.css").write_text("body { color: red; }\n", encoding="utf-8")
    pages = render_site(templates=mine)
    assert '<p class="mine">第一篇</p>' in pages["zh-hant/bulletins/7/1/index.html"]
    assert "本期目錄" in pages["zh-hant/bulletins/7/index.html"]  # still the built-in one
    search_path = render.template_search_path(ROOT, mine)
    assets = dict(render.assets(search_path))
    assert assets["assets/style.css"] == b"body { color: red; }\n"
    assert "assets/lang.js" in assets


def test_template_mistakes_are_build_errors(tmp_path: Path) -> None:
    (tmp_path / "article.html").write_text("{{ no_such_name }}", encoding="utf-8")
    with pytest.raises(BuildError, match="no_such_name"):
        render_site(templates=tmp_path)
    (tmp_path / "article.html").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(BuildError, match=r"article\.html:1"):
        render_site(templates=tmp_path)


@pytest.mark.parametrize(
    ("markdown", "levels"),
    [
        ("# A\n\n### B\n\n## C\n\n# D\n", [2, 3, 3, 2]),
        ("## A\n\n#### B\n", [2, 3]),  # page 002 of the seeds: # then ###
        ("### A\n\n# B\n\n## C\n", [2, 2, 3]),
        ("# A\n\n## B\n\n### C\n\n#### D\n\n##### E\n\n###### F\n", [2, 3, 4, 5, 6, 6]),
    ],
)
def test_a_pages_headings_never_skip_a_level(markdown: str, levels: list[int]) -> None:
    html = render.markdown_html(markdown, first_heading=2)
    assert [int(n) for n in re.findall(r"<h([1-6])>", html)] == levels


def test_page_002_has_no_skipped_heading(built_site: Path) -> None:
    for edition in ("zh-hant", "zh-hans"):
        html = (built_site / edition / "pages" / "regional-cooperation" / "index.html").read_text()
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
