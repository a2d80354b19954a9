"""`bulletin-site serve`: the built site on 127.0.0.1 with a reload script added to HTML
responses only (the files on disk are the build's, byte for byte), rebuilds on save, the last
good site served when an edit breaks the build, and no path outside _site/ ever answered."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin_site import pipeline
from bulletin_site.serve import (
    RELOAD_SCRIPT,
    Server,
    changes,
    inject,
    safe_path,
    snapshot,
)


def tree(site_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    "path",
    [
        "/../secret",
        "/zh-hant/../../secret",
        "/%2e%2e/secret",
        "/%2E%2E/%2e%2e/secret",
        "/zh-hant/..%2f..%2fsecret",
        "/zh-hant/..%5c..%5csecret",
        "/%252e%252e/secret",  # encoded twice
        "/..\\secret",
        "/zh-hant/%00",
        "/%ff%fe",  # not UTF-8
        "/./index.html",
    ],
)
def test_paths_that_try_to_leave_the_site_are_refused(tmp_path: Path, path: str) -> None:
    (tmp_path / "_site").mkdir()
    assert safe_path(tmp_path / "_site", path) is None


def test_paths_inside_the_site_resolve(tmp_path: Path) -> None:
    site = tmp_path / "_site"
    assert safe_path(site, "/") == site.resolve()
    assert safe_path(site, "/zh-hant/index.html?x=1#top") == site.resolve() / "zh-hant/index.html"
    assert safe_path(site, "/zh-hans/%E6%90%9C/") == site.resolve() / "zh-hans" / "搜"


def test_a_symlink_out_of_the_site_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "_site"
    site.mkdir()
    (tmp_path / "secret.txt").write_text("no")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert safe_path(site, "/link.txt") is None


def test_the_reload_script_goes_before_the_end_of_head() -> None:
    html = b"<html><head><title>x</title></HEAD><body></body></html>"
    assert inject(html, 7) == (
        b'<html><head><title>x</title><script src="/__reload.js?v=7" defer></script>\n'
        b"</HEAD><body></body></html>"
    )


def test_snapshots_see_added_changed_and_removed_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("1")
    (tmp_path / ".hidden").write_text("1")
    before = snapshot([tmp_path])
    (tmp_path / "a.txt").write_text("22")
    (tmp_path / "b.txt").write_text("1")
    (tmp_path / "x.swp~").write_text("1")
    after = snapshot([tmp_path])
    assert changes(before, after) == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    (tmp_path / "a.txt").unlink()
    assert changes(after, snapshot([tmp_path])) == [str(tmp_path / "a.txt")]


# ---------------------------------------------------------------------------------------------
# A running server (the ``served`` fixture: conftest.py)


def get(server: Server, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.httpd.server_address[1])
    connection.request("GET", path)  # sent as written: no client-side normalisation
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def status(server: Server) -> dict[str, object]:
    """The build's version and error (and, for the overlay, its heading: left out here)."""
    found = json.loads(get(server, "/__status")[2])
    assert found.pop("heading") == "The last edit broke the build; this is the last good site."
    return found


def test_pages_get_the_script_and_the_site_on_disk_stays_the_builds(
    served: Server, make_project: Callable[[str], Path]
) -> None:
    site = served.root / "_site"
    code, headers, body = get(served, "/zh-hant/index.html")
    assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.count(RELOAD_SCRIPT.encode()) == 1
    assert (
        body.replace(b'<script src="/__reload.js?v=1" defer></script>\n', b"")
        == (site / "zh-hant" / "index.html").read_bytes()
    )
    code, headers, body = get(served, "/assets/style.css")
    assert code == 200 and body == (site / "assets" / "style.css").read_bytes()
    assert get(served, RELOAD_SCRIPT)[0] == 200
    assert get(served, "/zh-hant")[1]["Location"] == "/zh-hant/"
    assert get(served, "/zh-hant/")[2] == get(served, "/zh-hant/index.html")[2]
    code, _, body = get(served, "/no/such/page.html")
    assert code == 404 and RELOAD_SCRIPT.encode() in body

    # Byte for byte what `bulletin-site build` writes, with or without serve.
    plain = make_project("plain")
    pipeline.build(plain)
    assert tree(site) == tree(plain / "_site")
    assert not any(RELOAD_SCRIPT.encode() in data for data in tree(site).values())


@pytest.mark.parametrize(
    "path", ["/../conftest.py", "/%2e%2e/content/site.yaml", "/%252e%252e/seeds/", "/..%5cx"]
)
def test_the_server_refuses_traversal(served: Server, path: str) -> None:
    code, _, body = get(served, path)
    assert code == 400 and body == b"path refused\n"


def test_an_edit_is_rebuilt_and_a_broken_one_keeps_the_last_good_site(served: Server) -> None:
    assert status(served) == {"version": 1, "error": None}
    template = served.root / "templates" / "article.html"
    good = template.read_text("utf-8")
    page = "/zh-hant/bulletins/70/1/index.html"

    template.write_text(good.replace("</article>", "<p>EDITED-BY-TEST</p></article>", 1))
    wait_for(lambda: status(served)["version"] == 2)
    assert b"EDITED-BY-TEST" in get(served, page)[2]

    template.write_text(good + "{% for %}")
    wait_for(lambda: status(served)["error"] is not None)
    assert "article.html" in str(status(served)["error"])
    assert status(served)["version"] == 2
    assert b"EDITED-BY-TEST" in get(served, page)[2]  # the last good site
    log = served.out.getvalue()  # type: ignore[attr-defined]
    assert "build failed; still serving the last good site" in log

    template.write_text(good)
    wait_for(lambda: status(served) == {"version": 3, "error": None})
    assert b"EDITED-BY-TEST" not in get(served, page)[2]


def test_it_listens_on_127_0_0_1_only(served: Server) -> None:
    assert served.httpd.server_address[0] == "127.0.0.1"
    assert served.url.startswith("http://127.0.0.1:")


def test_serve_counts_pages_as_build_does(served: Server) -> None:
    """Issue 13: serve said "82 pages" where build said "78 pages" for the same site."""
    report = pipeline.build(served.root)
    log = served.out.getvalue()  # type: ignore[attr-defined]
    assert f", {report.pages} pages, " in log.splitlines()[0]
    assert log.splitlines()[0].startswith(f"built {report.documents} documents, {report.pages} ")
