"""The README's pictures, taken in Debian's Chromium from a site built of the seeds:
``python3 docs/screenshots.py`` (after ``python3 build.py``) rewrites docs/images/*.png."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_harness import launch_chromium, serve_folder  # noqa: E402

SHOTS = {
    # name: (address, a query to type into the search box or None, viewport)
    "article-hant": ("zh-hant/bulletins/{article}", None, (1100, 820)),
    "article-hans-phone": ("zh-hans/bulletins/{article}", None, (390, 820)),
    "search-hant": ("zh-hant/search/", "世貿", (1100, 820)),
    "search-hans-phone": ("zh-hans/search/", "经济局", (390, 820)),
}


def main() -> int:
    site = ROOT / "_site"
    article = next(p for p in sorted((site / "zh-hant" / "bulletins").glob("*/2")) if p.is_dir())
    path = article.relative_to(site / "zh-hant" / "bulletins").as_posix() + "/"
    with serve_folder(site) as url, launch_chromium() as chromium:
        for name, (address, query, (width, height)) in SHOTS.items():
            page = chromium.new_page(viewport={"width": width, "height": height})
            page.goto(url + address.format(article=path))
            if query:
                page.fill("#q", query)
                page.press("#q", "Enter")
                page.wait_for_selector("#search-results[aria-busy=false] .search-list li")
            page.screenshot(path=str(ROOT / "docs" / "images" / f"{name}.png"))
            page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
