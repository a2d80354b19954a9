"""The built site in Debian's Chromium: both editions on a phone and a desktop, twin links,
plan anchors, no horizontal scrolling, nothing fetched from anywhere but the site itself.

Screenshots go to bench/out/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser_harness import BROWSER_TESTS, Visit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "bench" / "out" / "screenshots"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
ISSUE = "70"  # 繁體 (seeds/000_7c1a5d4148a0e861.txt)
HANS_ISSUE = "71"  # 简体 (seeds/001_bc645f7197fac29f.txt)
PLAN = "guangdong-macau-2020"  # 简体, 73 items (seeds/004_1c5b308f8adfb7c0.txt)
PAGE = "regional-cooperation"  # Markdown, 繁體 (seeds/002_297d79192cd207c9.txt)

pytestmark = BROWSER_TESTS


class SiteVisit(Visit):
    """A page of the site (or of it opened from file: URLs) whose every response is good."""

    def __init__(self, browser: Any, server: str, **context: Any) -> None:
        super().__init__(browser, server, http_errors=True, also=("data:", "file:"), **context)

    def open(self, url: str) -> Any:
        self.page.goto(url, wait_until="load")
        return self.page


@pytest.fixture
def visit(browser: Any, site_server: str, visits: list[Visit]) -> Callable[..., SiteVisit]:
    def make(**context: Any) -> SiteVisit:
        visits.append(SiteVisit(browser, site_server, **context))
        return visits[-1]

    return make


def no_horizontal_scroll(page: Any) -> None:
    sizes = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], f"{page.url}: scrollWidth {sizes[0]} > clientWidth {sizes[1]}"


def shoot(page: Any, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


PAGES = {
    "home": "{ed}/index.html",
    "issue": "{ed}/bulletins/" + ISSUE + "/index.html",
    "article": "{ed}/bulletins/" + ISSUE + "/2/index.html",
    "article-converted": "{ed}/bulletins/" + HANS_ISSUE + "/1/index.html",
    "plan": "{ed}/plans/" + PLAN + "/index.html",
    "page": "{ed}/pages/" + PAGE + "/index.html",
    "search": "{ed}/search/index.html",
}


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("edition", ["zh-hant", "zh-hans"])
def test_pages_fit_and_look_right(
    site_server: str, visit: Any, edition: str, viewport: str
) -> None:
    v = visit(viewport=VIEWPORTS[viewport])
    for name, path in PAGES.items():
        page = v.open(site_server + path.format(ed=edition))
        assert page.locator("html").get_attribute("lang") == (
            "zh-Hant" if edition == "zh-hant" else "zh-Hans"
        )
        assert page.locator("h1").first.is_visible()
        no_horizontal_scroll(page)
        shoot(page, f"{edition}-{name}-{viewport}")


@pytest.mark.parametrize("edition", ["zh-hant", "zh-hans"])
def test_twin_link(site_server: str, visit: Any, edition: str) -> None:
    other = "zh-hans" if edition == "zh-hant" else "zh-hant"
    page = visit().open(site_server + PAGES["article"].format(ed=edition))
    page.locator("a.twin").click()
    page.wait_for_load_state()
    assert page.url == site_server + PAGES["article"].format(ed=other)
    assert page.locator("html").get_attribute("lang") == (
        "zh-Hans" if other == "zh-hans" else "zh-Hant"
    )
    assert page.locator("h1 .number").inner_text() == "2."


@pytest.mark.parametrize(
    ("path", "original"), [(PAGES["article"], "zh-hant"), (PAGES["article-converted"], "zh-hans")]
)
def test_converted_page_links_its_original(
    site_server: str, visit: Any, path: str, original: str
) -> None:
    converted = "zh-hans" if original == "zh-hant" else "zh-hant"
    page = visit().open(site_server + path.format(ed=converted))
    page.locator("p.converted a").click()
    page.wait_for_load_state()
    assert page.url == site_server + path.format(ed=original)
    assert page.locator("p.converted").count() == 0


def test_issue_to_article_and_back(site_server: str, visit: Any) -> None:
    page = visit().open(site_server + PAGES["issue"].format(ed="zh-hant"))
    assert page.locator("ol.contents li").count() == 11
    page.locator("ol.contents a").nth(2).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/zh-hant/bulletins/{ISSUE}/3/index.html")
    page.locator("a[rel=next]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/4/index.html")
    page.locator(".issue-link a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/bulletins/{ISSUE}/index.html")


@pytest.mark.parametrize("edition", ["zh-hant", "zh-hans"])
def test_plan_item_anchor(site_server: str, visit: Any, edition: str) -> None:
    page = visit(viewport=VIEWPORTS["phone"]).open(
        site_server + PAGES["plan"].format(ed=edition) + "#item-37"
    )
    item = page.locator("#item-37")
    assert item.evaluate("e => e.matches(':target')")
    box = item.bounding_box()
    assert box is not None and 0 <= box["y"] < VIEWPORTS["phone"]["height"]
    assert page.locator("li[id^=item-]").count() == 73
    shoot(page, f"{edition}-plan-item-37-phone-viewport", full_page=False)


def test_language_chooser(site_server: str, visit: Any) -> None:
    assert visit(locale="en-US").open(site_server).url == site_server + "zh-hant/index.html"
    page = visit(locale="zh-CN").open(site_server)
    page.wait_for_url("**/zh-hans/index.html")
    nojs = visit(java_script_enabled=False).open(site_server)
    assert nojs.url == site_server
    assert nojs.locator("ul.chooser a").count() == 2
    shoot(nojs, "chooser-without-js")


def test_skip_link_and_focus(site_server: str, visit: Any) -> None:
    page = visit().open(site_server + PAGES["article"].format(ed="zh-hant"))
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"


def test_print_hides_navigation(site_server: str, visit: Any) -> None:
    page = visit().open(site_server + PAGES["article"].format(ed="zh-hant"))
    page.emulate_media(media="print")
    assert not page.locator(".site-header nav").is_visible()
    assert not page.locator(".pager").is_visible()


def test_dark_mode(site_server: str, visit: Any) -> None:
    page = visit(color_scheme="dark", viewport=VIEWPORTS["phone"]).open(
        site_server + PAGES["article"].format(ed="zh-hans")
    )
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 24, 26)"
    shoot(page, "zh-hans-article-dark-phone")


def test_from_file_urls(built_site: Path, visit: Any) -> None:
    page = visit().open((built_site / "zh-hant" / "index.html").as_uri())
    page.locator(".latest ol.contents a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith("file://") and page.url.endswith("/1/index.html")
    assert page.locator("article p").count() > 0
    page.locator("a.twin").click()
    page.wait_for_load_state()
    assert "/zh-hans/" in page.url
    color = page.evaluate("getComputedStyle(document.querySelector('.site-header')).display")
    assert color == "flex"  # the stylesheet loaded from a relative path
