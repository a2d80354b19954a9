"""What the browser tests share (tests/browser/ and tests/hostile/test_hostile_browser.py):
Debian's Chromium driven through Playwright, a local server over a built ``_site``, and pages
that record every request and error. The fixtures made of these (``browser``, ``site_server``,
``visits``) are in tests/conftest.py.

A browser test module starts with::

    from browser_harness import BROWSER_TESTS

    pytestmark = BROWSER_TESTS

Importing this module skips the importing module when Playwright is not installed, and the
marks skip its tests when Chromium is not at /usr/bin/chromium: never download a browser.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's Chromium is not at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A static HTTP server over ``folder`` on 127.0.0.1 (a free port): its address, ending
    in ``/``. Stopped when the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's Chromium (never a downloaded one), closed when the block ends."""
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class PageLog:
    """A page and what it did: every request, and every error (console errors, uncaught
    exceptions and, with ``http_errors``, responses of 400 and over). A Content-Security-Policy
    violation shows as a console error."""

    def __init__(self, page: Any, *, http_errors: bool = False) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        if http_errors:
            # The console says "Failed to load resource" without the address; record it.
            page.on(
                "response",
                lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )


class Visit(PageLog):
    """A page in a browser context of its own, opened on the site at ``site``. ``close()`` fails
    the test if the page asked for anything but the site (and ``also``: ``data:`` URLs by
    default) or recorded an error."""

    def __init__(
        self,
        browser: Any,
        site: str,
        *,
        http_errors: bool = False,
        also: tuple[str, ...] = ("data:",),
        **context: Any,
    ) -> None:
        self.site = site
        self.also = also
        self.context = browser.new_context(**context)
        super().__init__(self.context.new_page(), http_errors=http_errors)

    def close(self) -> None:
        self.context.close()
        outside = [u for u in self.requests if not u.startswith((self.site, *self.also))]
        assert not outside, f"requests leaving the site: {outside}"
        assert not self.errors, f"console errors (CSP?): {self.errors}"


def wait_for_search(page: Any, query: str, *, timeout: float = 30_000) -> None:
    """Until the site's search page shows its results for ``query``."""
    page.wait_for_function(
        """(q) => {
            const box = document.getElementById("search-results");
            return box.dataset.query === q && box.getAttribute("aria-busy") === "false";
        }""",
        arg=query,
        timeout=timeout,
    )
