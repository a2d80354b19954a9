"""The hostile site (hostile_site.py) in Debian's Chromium: on every page and on search
results for the hostile text, no dialog opens, no script from content runs or is even tried
(no Content-Security-Policy violation), and the text is there to read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from browser_harness import BROWSER_TESTS, PageLog, serve_folder, wait_for_search

pytestmark = BROWSER_TESTS

# Records what a payload would do if it ran; added before any script of the page.
WATCH = """
window.__hostile = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__hostile.push(`csp ${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
}, true);
"""

# Everything on the page that could run script, after every element was poked.
AUDIT = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const type of ["mouseover", "mouseenter", "focus", "click", "toggle", "load", "error"]) {
      if (type === "click" && el.closest("a[href], button, form, input, select")) continue;
      el.dispatchEvent(new Event(type, { bubbles: true }));
    }
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) found.push(`${el.tagName} ${attr.name}`);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)) {
        const base = location.protocol.startsWith("http") ? document.baseURI : "http://x/";
        const url = new URL(attr.value, base);
        if (!["http:", "https:", "mailto:", "tel:"].includes(url.protocol)) {
          found.push(`${el.tagName} ${attr.name}=${attr.value}`);
        }
        if (url.protocol.startsWith("http") && url.origin !== new URL(base).origin
            && el.tagName !== "A" && el.tagName !== "LINK") {
          found.push(`${el.tagName} loads ${attr.value}`);
        }
      }
    }
    if (el.tagName === "SCRIPT") {
      if (el.textContent.trim()) found.push(`inline script ${el.textContent.slice(0, 40)}`);
      if (!/\\/assets\\/(lang|search)\\.js$/.test(el.src)) found.push(`script ${el.src}`);
    }
    if (["IFRAME", "OBJECT", "EMBED", "SVG", "BASE", "STYLE"].includes(el.tagName)) {
      found.push(`element ${el.tagName}`);
    }
  }
  return found.concat(window.__hostile || []);
}
"""


@pytest.fixture(scope="module")
def hostile_server(hostile_site: Path) -> Iterator[str]:
    with serve_folder(hostile_site) as url:
        yield url


@pytest.fixture(scope="module")
def context(browser: Any, hostile_server: str) -> Iterator[Any]:
    """Pages opened here see WATCH before their own scripts and reach nothing but the site."""
    ctx = browser.new_context()
    try:
        ctx.add_init_script(WATCH)
        ctx.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(hostile_server) else route.abort()
            ),
        )
        yield ctx
    finally:
        ctx.close()


class Watched(PageLog):
    """A page whose dialogs (dismissed), console errors and page errors are recorded."""

    def __init__(self, context: Any) -> None:
        super().__init__(context.new_page())
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def audit(self) -> list[str]:
        found = self.page.evaluate(AUDIT)
        self.page.wait_for_timeout(50)  # a handler that was added would have run by now
        return found + self.page.evaluate("window.__hostile || []") + self.dialogs


def test_no_page_runs_content(context: Any, hostile_server: str, hostile_site: Path) -> None:
    pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
    assert len(pages) > 20
    problems = {}
    watched = Watched(context)
    try:
        for path in pages:
            watched.dialogs.clear()
            watched.errors.clear()
            watched.page.goto(hostile_server + quote(path), wait_until="load")
            if path == "index.html":  # the chooser moves on to an edition: audit that one
                watched.page.wait_for_load_state("load")
            found = watched.audit() + [e for e in watched.errors if "Content Security" in e]
            if found:
                problems[path] = found
    finally:
        watched.page.close()
    assert problems == {}


def test_the_watch_sees_a_payload_that_runs(context: Any, hostile_server: str) -> None:
    """The controls: the same checks see a payload on a page without the site's escaping and
    CSP, and see the CSP stop a script put into one of the site's pages."""
    watched = Watched(context)
    try:
        watched.page.goto("about:blank")
        watched.page.set_content(
            '<img src="x" onerror="alert(1)"><a href="javascript:alert(2)">x</a>'
            "<script>alert(3)</script>"
        )
        watched.page.wait_for_timeout(200)
        found = watched.audit()
        assert any(f.startswith("alert: ") for f in found), found
        assert any("onerror" in f for f in found) and any("javascript:" in f for f in found)

        watched.dialogs.clear()
        watched.page.goto(hostile_server + "zh-hant/index.html")
        watched.page.evaluate(
            """() => {
              const s = document.createElement("script");
              s.textContent = "alert(4)";
              document.body.append(s);
            }"""
        )
        watched.page.wait_for_timeout(200)
        found = watched.page.evaluate("window.__hostile")
        assert watched.dialogs == [] and any(f.startswith("csp script-src") for f in found), found
    finally:
        watched.page.close()


def test_the_payloads_are_there_to_read(context: Any, hostile_server: str) -> None:
    watched = Watched(context)
    try:
        watched.page.goto(hostile_server + "zh-hant/index.html")
        text = watched.page.inner_text("main")
        assert '<script>alert("XSS1")</script>' in text
        assert "javascript:alert(" in text
        assert watched.page.title().startswith('網站</title><script>alert("CFG1")</script>')
    finally:
        watched.page.close()


SEARCHES = [
    "XSS1",
    "onerror",
    "{{ 7*7 }}",
    '"><img src=x onerror=alert(1)></title><script>alert(2)</script>javascript:alert(3)',
]


@pytest.mark.parametrize("query", SEARCHES)
def test_search_results_for_hostile_text(context: Any, hostile_server: str, query: str) -> None:
    watched = Watched(context)
    try:
        watched.page.goto(f"{hostile_server}zh-hant/search/index.html?q={quote(query)}")
        wait_for_search(watched.page, query, timeout=20_000)
        status = watched.page.inner_text(".search-status")
        assert status, query
        assert watched.audit() == [], query
        assert not [e for e in watched.errors if "Content Security" in e], watched.errors
        if query in ("XSS1", "onerror"):
            results = watched.page.inner_text(".search-list")
            assert results.strip(), f"no results for {query}"
    finally:
        watched.page.close()
