"""``bulletin-site serve``: build, serve _site/ on 127.0.0.1, rebuild on every save, reload.

Three small parts, all from the standard library:

- a watcher polls the modification times of seeds/, content/ and the template folders (no
  extra dependency; a few thousand ``stat`` calls twice a second) and runs the ordinary
  incremental build when something changed;
- a threaded HTTP server answers from _site/ as it is on disk at that moment. A failed build
  does not touch _site/ (the build swaps a finished copy in, or nothing), so the last good site
  keeps being served;
- every HTML response gets one external script tag, ``/__reload.js``, added as it is sent. The
  script polls ``/__status`` and reloads the page when the build's version changes, and shows
  a failed build's error over the page. The files in _site/ are never changed, so the site is
  byte for byte the one ``bulletin-site build`` writes, and no inline script is needed (the
  pages' Content-Security-Policy allows scripts from the site itself only).

Requests are refused (400) if their path, decoded once, holds ``..``, a backslash, a NUL, or
is still percent-encoded (``%252e``); and whatever is asked for must resolve inside _site/.
"""

from __future__ import annotations

import dataclasses
import json
import mimetypes
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, unquote, urlsplit

from bulletin_site import pipeline, project
from bulletin_site.config import load_site
from bulletin_site.errors import ENGLISH, BuildError, BulletinError, Language
from bulletin_site.project import Project

HOST = "127.0.0.1"
RELOAD_SCRIPT = "/__reload.js"
STATUS = "/__status"
POLL_SECONDS = 0.5
SETTLE_SECONDS = 0.15  # an editor may save a file in several writes: wait for the last one
WATCHED = (project.SEEDS, project.CONTENT, project.TEMPLATES)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
}
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
OVERLAY_HEADING = "The last edit broke the build; this is the last good site."

RELOAD_JS = """\
// bulletin-site serve: reload when the site is rebuilt; show a failed build's error.
// Served by `bulletin-site serve` only: never part of the built site.
(() => {
  const me = document.currentScript;
  let version = me ? new URL(me.src).searchParams.get("v") : null;
  let box = null;
  let heading = "";

  function show(error) {
    if (!error) {
      if (box) box.remove();
      box = null;
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "bulletin-site-serve-error";
      box.setAttribute("role", "alert");
      // CSSOM properties, not a style attribute: the pages' CSP forbids inline styles.
      Object.assign(box.style, {
        position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "2147483647",
        maxHeight: "50vh", overflow: "auto", margin: "0", padding: "1em",
        background: "#fff0f0", color: "#900", borderTop: "3px solid #c00",
        font: "14px/1.5 monospace", whiteSpace: "pre-wrap",
      });
      document.body.appendChild(box);
    }
    box.textContent = heading + "\\n\\n" + error;
  }

  async function poll() {
    try {
      const response = await fetch("/__status", { cache: "no-store" });
      const status = await response.json();
      if (version !== null && String(status.version) !== version) {
        location.reload();
        return;
      }
      version = String(status.version);
      heading = status.heading;  // in the editor's language, as the terminal's messages
      show(status.error);
    } catch (e) {
      // The server is restarting or gone: try again.
    }
    setTimeout(poll, 500);
  }
  poll();
})();
"""


# ---------------------------------------------------------------------------------------------
# Watching


Snapshot = Mapping[str, tuple[int, int]]  # path → (mtime in ns, size)


def snapshot(folders: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """Every file under ``folders`` with its modification time and size; hidden files and
    editors' backups (``.x.swp``, ``x~``) are left out."""
    found: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for current, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.startswith(".") or name.endswith("~"):
                    continue
                path = os.path.join(current, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue  # removed while we looked
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """The files added, removed or changed between two snapshots."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def watched_folders(root: Path) -> list[Path]:
    """seeds/, content/, templates/ and the site's own template folder if it is elsewhere."""
    folders = [root / name for name in WATCHED]
    site_config, _ = load_site(root)
    if site_config.templates is not None:
        folder = site_config.templates
        if not any(folder.resolve().is_relative_to(f.resolve()) for f in folders):
            folders.append(folder)
    return folders


# ---------------------------------------------------------------------------------------------
# The state shared by the watcher and the request handlers


@dataclass(frozen=True)
class Status:
    version: int  # one more after every successful build
    error: str | None  # the last build's error, None when it succeeded


class Builds:
    """The latest build's status, safe to read from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status = Status(0, None)

    @property
    def status(self) -> Status:
        with self._lock:
            return self._status

    def succeeded(self) -> None:
        with self._lock:
            self._status = Status(self._status.version + 1, None)

    def failed(self, error: str) -> None:
        with self._lock:
            self._status = dataclasses.replace(self._status, error=error)


def rebuild(
    root: Path, builds: Builds, out: TextIO, reason: str = "", language: Language = ENGLISH
) -> None:
    """One build; its outcome goes to ``builds`` and, one line per problem, to ``out``, in
    ``language``."""
    try:
        report = pipeline.build(root)
    except BulletinError as error:
        message = error.shown(language)
    except Exception as error:  # a bug must not stop the server; show it like an input error
        message = language.gettext("internal error: {error}").format(
            error=f"{type(error).__name__}: {error}"
        )
        traceback.print_exc(file=out)
    else:
        for warning in report.warnings:
            print(warning.shown(language), file=out)
        # The build's own summary (its count of HTML pages), and how much was done anew: of
        # every rendered file (pages, feeds, sitemap), how many were not in the cache.
        rendered = report.cache.computed.get("pages", 0)
        total = rendered + report.cache.reused.get("pages", 0)
        anew = language.gettext("({rendered} of {total} files rendered anew)").format(
            rendered=rendered, total=total
        )
        print(f"{reason}{pipeline.summary(report, root, language)} {anew}", file=out)
        builds.succeeded()
        return
    print(message, file=out)
    print(reason + language.gettext("build failed; still serving the last good site"), file=out)
    builds.failed(message)


# ---------------------------------------------------------------------------------------------
# Serving


def safe_path(site_dir: Path, url_path: str) -> Path | None:
    """The file under ``site_dir`` that ``url_path`` (as sent, percent-encoded) names, or None
    when the path tries to leave the folder, in any spelling."""
    raw = urlsplit(url_path).path
    if "\\" in raw or "\x00" in raw:
        return None
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    # Decoded once, a path holds no more escapes: "%252e%252e" is an attempt, not a file name.
    if "\\" in decoded or "\x00" in decoded or re.search(r"%[0-9A-Fa-f]{2}", decoded):
        return None
    parts = decoded.split("/")
    if any(part in (".", "..") for part in parts):
        return None
    base = site_dir.resolve()
    target = base.joinpath(*[p for p in parts if p]).resolve()
    return target if target == base or target.is_relative_to(base) else None


def inject(html: bytes, version: int) -> bytes:
    """The page with the reload script added before ``</head>`` (or at the end)."""
    tag = f'<script src="{RELOAD_SCRIPT}?v={version}" defer></script>\n'.encode()
    match = _HEAD_END.search(html)
    if match is None:
        return html + tag
    return html[: match.start()] + tag + html[match.start() :]


def waiting_page(error: str | None, version: int) -> bytes:
    """What is served while there is no site yet (the first build failed)."""
    text = error or "building…"
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>bulletin-site serve</title>"
        "</head><body><h1>No site yet</h1><pre>"
        + text.replace("&", "&amp;").replace("<", "&lt;")
        + "</pre></body></html>"
    )
    return inject(body.encode("utf-8"), version)


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD from _site/, plus ``/__reload.js`` and ``/__status``."""

    server_version = "bulletin-site"

    def __init__(
        self,
        *args: object,
        site_dir: Path,
        builds: Builds,
        language: Language = ENGLISH,
        **kwargs: object,
    ) -> None:
        self.site_dir = site_dir
        self.builds = builds
        self.language = language
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # handles the request

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for build messages

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, *, send_body: bool) -> None:
        path = urlsplit(self.path).path
        status = self.builds.status
        if path == RELOAD_SCRIPT:
            return self._send(200, TYPES[".js"], RELOAD_JS.encode(), send_body)
        if path == STATUS:
            heading = self.language.gettext(OVERLAY_HEADING)
            data = json.dumps(
                {"version": status.version, "error": status.error, "heading": heading}
            ).encode()
            return self._send(200, TYPES[".json"], data, send_body)
        target = safe_path(self.site_dir, self.path)
        if target is None:
            return self._send(400, TYPES[".txt"], b"path refused\n", send_body)
        if not self.site_dir.is_dir():
            return self._send(
                503, TYPES[".html"], waiting_page(status.error, status.version), send_body
            )
        if target.is_dir():
            if not path.endswith("/"):
                # Relative links inside the page need the folder form. The location is built
                # from the folder found, never from the request: `/%2fx` must not become `//x`,
                # which a browser reads as another host.
                inside = target.relative_to(self.site_dir.resolve()).as_posix()
                return self._redirect("/" + quote(inside + "/" if inside != "." else ""))
            target = target / "index.html"
        try:
            data = target.read_bytes()
        except OSError:
            return self._not_found(status.version, send_body)
        kind = TYPES.get(
            target.suffix, mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        if target.suffix == ".html":
            data = inject(data, status.version)
        self._send(200, kind, data, send_body)

    def _not_found(self, version: int, send_body: bool) -> None:
        try:
            page = inject((self.site_dir / "404.html").read_bytes(), version)
        except OSError:
            page = b"not found\n"
        self._send(404, TYPES[".html"], page, send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, code: int, kind: str, data: bytes, send_body: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload always shows the new build
        self.end_headers()
        if send_body:
            self.wfile.write(data)


class Server:
    """The HTTP server and the watcher, each in its own thread; ``stop`` ends both."""

    def __init__(
        self,
        root: Path,
        port: int = 8000,
        *,
        out: TextIO,
        poll: float = POLL_SECONDS,
        language: Language = ENGLISH,
    ) -> None:
        self.root = root
        self.out = out
        self.poll = poll
        self.language = language
        self.builds = Builds()
        self._stop = threading.Event()
        handler = partial(
            Handler, site_dir=Project(root).site, builds=self.builds, language=language
        )
        self.httpd = ThreadingHTTPServer((HOST, port), handler)
        self.httpd.daemon_threads = True
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def start(self) -> None:
        """The first build (before serving, so the first page is current), then both threads."""
        before = snapshot(watched_folders(self.root))
        rebuild(self.root, self.builds, self.out, language=self.language)
        self._threads = [
            threading.Thread(target=self.httpd.serve_forever, name="serve", daemon=True),
            threading.Thread(target=self._watch, args=(before,), name="watch", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join()

    def _watch(self, before: Snapshot) -> None:
        folders = watched_folders(self.root)
        while not self._stop.wait(self.poll):
            after = snapshot(folders)
            if after == before:
                continue
            time.sleep(SETTLE_SECONDS)
            after = snapshot(folders)
            changed = changes(before, after)
            before = after
            say = self.language.gettext
            shown = ", ".join(Project(self.root).shown(Path(p)) for p in changed[:3])
            if len(changed) > 3:
                shown = say("{files} and {n} more").format(files=shown, n=len(changed) - 3)
            reason = say("{files} changed: ").format(files=shown)
            rebuild(self.root, self.builds, self.out, reason=reason, language=self.language)
            folders = watched_folders(self.root)  # site.yaml may name another template folder


def serve_command(
    root: Path,
    port: int,
    out: TextIO,
    *,
    wait: Callable[[], None] | None = None,
    language: Language = ENGLISH,
) -> int:
    """Serve until Ctrl-C (or until ``wait`` returns, for tests)."""
    try:
        server = Server(root, port, out=out, language=language)
    except OSError as error:
        raise BuildError(
            "cannot listen ({reason})", at=f"{HOST}:{port}", reason=error.strerror
        ) from None
    server.start()
    serving = language.gettext("serving {site}/ at {url} — Ctrl-C to stop")
    print(serving.format(site=project.SITE, url=server.url), file=out)
    try:
        if wait is not None:
            wait()
        else:
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
