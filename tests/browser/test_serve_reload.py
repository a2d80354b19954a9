"""`bulletin-site serve` in Debian's Chromium: an edited template reloads the open page; a
broken edit shows its error over the last good page, without breaking the page's CSP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulletin_site.serve import Server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTICLE = "zh-hant/bulletins/000_7c1a5d4148a0e861/1/index.html"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not at /usr/bin/chromium"
    ),
]
playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture
def served(project: Path) -> Iterator[Server]:
    server = Server(project, 0, out=io.StringIO(), poll=0.1)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(served: Server) -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.errors = []  # console errors (a CSP violation would show here)
            page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
            page.on("pageerror", lambda e: page.errors.append(str(e)))
            yield page
        finally:
            browser.close()


def test_editing_a_template_reloads_the_open_page(served: Server, page: Any) -> None:
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
    assert page.errors == []
