"""`bulletin-site serve` in Debian's Chromium: an edited template reloads the open page; a
broken edit shows its error over the last good page, without breaking the page's CSP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser_harness import BROWSER_TESTS, PageLog
from bulletin_site.serve import Server

ARTICLE = "zh-hant/bulletins/70/1/index.html"

pytestmark = BROWSER_TESTS


@pytest.fixture
def watched(browser: Any) -> Iterator[PageLog]:
    """A fresh page; its console errors (a CSP violation would show there) are recorded."""
    watched = PageLog(browser.new_page())
    try:
        yield watched
    finally:
        watched.page.close()


def test_editing_a_template_reloads_the_open_page(served: Server, watched: PageLog) -> None:
    page = watched.page
    page.goto(served.url + ARTICLE)
    page.wait_for_selector('script[src^="/__reload.js"]', state="attached")
    page.evaluate("window.__notReloaded = true")

    template = served.root / "templates" / "article.html"
    good = template.read_text("utf-8")
    template.write_text(
        good.replace("</article>", '<p id="edited">EDITED-IN-SERVE</p></article>', 1)
    )
    page.wait_for_selector("#edited", timeout=60_000)
    assert page.evaluate("window.__notReloaded === undefined")  # a real reload, a fresh page

    template.write_text(good + "{% for %}")
    box = page.wait_for_selector("#bulletin-site-serve-error", timeout=60_000)
    assert "article.html" in box.text_content()
    assert "last good site" in box.text_content()
    assert page.query_selector("#edited") is not None  # still the last good page

    template.write_text(good)
    page.wait_for_selector("#edited", state="detached", timeout=60_000)
    assert page.query_selector("#bulletin-site-serve-error") is None
    assert watched.errors == []
