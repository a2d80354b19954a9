"""``bulletin-site serve`` under attack: it listens on 127.0.0.1 only, refuses paths that
leave _site/ in any spelling, and keeps answering through a burst of requests."""

from __future__ import annotations

import concurrent.futures
import io
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin_site import serve

SECRET = "TOP-SECRET-serve"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Path]]:
    from hostile_project import small_project

    root = small_project(tmp_path_factory.mktemp("serve") / "p")
    (root / "secret.txt").write_text(SECRET)
    (root.parent / "secret.txt").write_text(SECRET)
    running = serve.Server(root, 0, out=io.StringIO(), poll=3600)
    running.start()
    try:
        (root / "_site" / "leak.txt").symlink_to(root / "secret.txt")  # a link put there later
        yield running, root
    finally:
        running.stop()


def raw_get(port: int, target: str, method: str = "GET") -> tuple[int, bytes]:
    """Send the request line exactly as given (no client-side normalising)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1")
        )
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data


def port_of(running: object) -> int:
    return running.httpd.server_address[1]  # type: ignore[attr-defined]


def test_it_listens_on_127_0_0_1_only(server: tuple[object, Path]) -> None:
    running, _ = server
    assert serve.HOST == "127.0.0.1"
    assert running.httpd.server_address[0] == "127.0.0.1"  # type: ignore[attr-defined]
    # From any other address of this machine, nobody answers.
    for address in _other_addresses():
        with pytest.raises(OSError), socket.create_connection((address, port_of(running)), 2):
            pass


def _other_addresses() -> list[str]:
    found = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127."))


TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/..%2F..%2Fsecret.txt",
    "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/%5c..%5csecret.txt",
    "/zh-hant/../../secret.txt",
    "/zh-hant/%2e%2e/%2e%2e/secret.txt",
    "/./../secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/%e0%80%ae%e0%80%ae/secret.txt",
    "/%00/../secret.txt",
    "/index.html%00.txt",
    "//secret.txt",
    "/leak.txt",
    "http://127.0.0.1/../secret.txt",
    "/..;/secret.txt",
    "/" + "../" * 50 + "etc/passwd",
    "/%2e%2e/" * 20 + "etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_paths_out_of_the_site_are_refused(server: tuple[object, Path], target: str) -> None:
    running, _ = server
    status, data = raw_get(port_of(running), target)
    assert status in (400, 404), (target, data[:200])
    assert SECRET.encode() not in data
    assert b"root:" not in data


def test_the_site_is_served(server: tuple[object, Path]) -> None:
    running, _ = server
    status, data = raw_get(port_of(running), "/zh-hant/index.html")
    assert status == 200 and b"Content-Security-Policy" in data
    status, _ = raw_get(port_of(running), "/zh-hant/index.html", method="HEAD")
    assert status == 200


def test_a_burst_of_requests(server: tuple[object, Path]) -> None:
    """500 requests from 50 clients at once, some hostile, some slow: all answered."""
    running, root = server
    port = port_of(running)
    pages = [
        "/" + p.relative_to(root / "_site").as_posix()
        for p in sorted((root / "_site").rglob("*.html"))
    ]
    targets = [pages[i % len(pages)] for i in range(400)] + TRAVERSALS * 4
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]  # say nothing
    try:
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(lambda t: raw_get(port, t)[0], targets))
        seconds = time.perf_counter() - started
    finally:
        for conn in idle:
            conn.close()
    assert results[:400] == [200] * 400
    assert all(code in (400, 404) for code in results[400:])
    assert seconds < 60
    assert raw_get(port, "/index.html")[0] == 200  # still there


def test_garbage_requests_do_not_stop_it(server: tuple[object, Path]) -> None:
    running, _ = server
    port = port_of(running)
    for garbage in (
        b"\x00\x01\x02\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n",
        b"BREW /coffee HTTP/1.1\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(garbage)
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(65536):
                pass
    assert raw_get(port, "/index.html")[0] == 200


def test_redirects_stay_on_this_server(server: tuple[object, Path]) -> None:
    running, _ = server
    for target in ("/%2fzh-hant", "//zh-hant", "/%2F%2Fassets"):
        _, data = raw_get(port_of(running), target)
        for line in data.split(b"\r\n"):
            if line.lower().startswith(b"location:"):
                location = line.split(b":", 1)[1].strip()
                assert location.startswith(b"/") and not location.startswith(b"//"), target
    # The folder form of a real folder, however the request spelled it.
    status, data = raw_get(port_of(running), "/%2fzh-hant")
    assert status == 301 and b"\r\nLocation: /zh-hant/\r\n" in data


def test_safe_path_directly(tmp_path: Path) -> None:
    site = tmp_path / "_site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "b.html").write_text("x")
    assert serve.safe_path(site, "/a/b.html") == (site / "a" / "b.html").resolve()
    for target in TRAVERSALS:
        found = serve.safe_path(site, target)
        assert found is None or found.resolve().is_relative_to(site.resolve()), target
