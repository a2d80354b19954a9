"""What the last build read and left, to know a rebuild that would change nothing.

A build is a function of its inputs: the files of seeds/, content/ and the template folders,
the code (``cache.code_fingerprint``) and Pagefind. After a successful build the cache keeps
``last-build.json``: a digest of those inputs, the published site's fingerprint as the build
left it (``write.PublishedSite.fingerprint``: every file's size, inode, modification time and
permissions, every folder), its counts and its warnings. The next build that finds the same
inputs and the site as it was left has nothing to do: it says so and writes nothing. Anything
else, a hand edit of the site included, and the build runs as usual.

The record is written only when the inputs did not change while the build ran (they are read
again at its end), and only by a build of the project's own kinds of document.

Beside it, ``last-pages``: the cache key of every page the build put, by its path
(``save_keys``), named in the record by its digest. A rebuild that finds the site as the last
build left it knows the file at such a path holds the page of that key (the key covers the
page's context, templates and code), so a page whose key is unchanged is linked from the site
without being loaded or compared (``pipeline.build``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin_site import cache
from bulletin_site.config import load_site
from bulletin_site.errors import BulletinError, Message, Problem
from bulletin_site.project import Project
from bulletin_site.render import template_search_path
from bulletin_site.search.pagefind import pagefind_binary

RECORD = "last-build.json"
RECORD_VERSION = 3
KEYS = "last-pages"


@dataclass(frozen=True)
class LastBuild:
    inputs: str  # ``inputs_digest``
    site: str  # the published site's fingerprint as the build left it (hex)
    documents: int
    pages: int
    files: int
    rendered: int  # pages, feeds and sitemap (what the page cache holds)
    warnings: tuple[Problem, ...]
    keys: str = ""  # the digest of the ``last-pages`` record (``save_keys``); "" for none


def inputs_digest(root: Path) -> str | None:
    """A digest of every file a build of ``root`` reads (seeds/, content/, the template folders
    in the order the build searches them), the code and Pagefind; None when it cannot be told
    (a file that cannot be read, a link, no templates, a site.yaml that does not load)."""
    where = Project(root)
    try:
        config, _ = load_site(root)
        folders = [where.seeds, where.content, *template_search_path(root, config.templates)]
        h = hashlib.sha256()
        _feed(h, "code", cache.code_fingerprint())
        _feed(h, "pagefind", _pagefind())
        for number, folder in enumerate(folders):
            _feed(h, "folder", f"{number}:{folder}")
            for name, data in _files(folder):
                _feed(h, name, data)
    except (OSError, BulletinError, _Unreadable):
        return None
    return h.hexdigest()


class _Unreadable(Exception):
    """Something in the inputs that the digest does not describe (a link, a device)."""


def _files(folder: Path) -> list[tuple[str, bytes]]:
    """Every file under ``folder`` (path, bytes), in a fixed order; never through a link."""
    found = []
    for top, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names) + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            path = os.path.join(top, name)
            if os.path.islink(path) or not os.path.isfile(path):
                raise _Unreadable(path)
            with open(path, "rb") as f:
                found.append((os.path.relpath(path, folder), f.read()))
    return found


def _pagefind() -> str:
    """Pagefind's packages and the binary the index would run (its path, size and time)."""
    versions = []
    for name in ("pagefind", "pagefind_bin"):
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    binary = pagefind_binary()
    info = binary.stat()
    return f"{', '.join(versions)}; {binary} {info.st_size} {info.st_mtime_ns}"


def _feed(h: Any, label: str, data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    h.update(f"{label}:{len(raw)}:".encode())
    h.update(raw)


# ---------------------------------------------------------------------------------------------
# The record


def load(folder: Path) -> LastBuild | None:
    """The record in the cache ``folder``; None when there is none or it cannot be read."""
    try:
        data = json.loads((folder / RECORD).read_bytes())
        if data["version"] != RECORD_VERSION:
            return None
        return LastBuild(
            inputs=str(data["inputs"]),
            site=str(data["site"]),
            documents=int(data["documents"]),
            pages=int(data["pages"]),
            files=int(data["files"]),
            rendered=int(data["rendered"]),
            warnings=tuple(_problem(p) for p in data["warnings"]),
            keys=str(data["keys"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(folder: Path, last: LastBuild) -> None:
    """Keep ``last`` in the cache ``folder`` (written aside, then renamed into place); a record
    that cannot be written, or warnings that cannot be, are no record."""
    try:
        data = {
            "version": RECORD_VERSION,
            "inputs": last.inputs,
            "site": last.site,
            "documents": last.documents,
            "pages": last.pages,
            "files": last.files,
            "rendered": last.rendered,
            "warnings": [_problem_json(p) for p in last.warnings],
            "keys": last.keys,
        }
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):  # a warning's value JSON cannot hold
        return
    _replace(folder, RECORD, payload)


def _replace(folder: Path, name: str, payload: bytes) -> bool:
    """``folder/name`` holding ``payload``, written aside then renamed into place; whether it
    was written (the cache is for speed only: a failure is no record)."""
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(payload)
        os.replace(tmp, folder / name)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False
    return True


def save_keys(folder: Path, record: cache.PageRecord) -> str:
    """Keep ``record`` (site path → page key, pack → recipe) in the cache ``folder``; the
    record's digest, for ``LastBuild.keys`` (which names the one record that goes with the
    site), or "" when it could not be written. One line a page, ``p <key> <path>``, in path
    order, then one a pack, ``r <recipe> <pack>``."""
    pages = sorted(record.keys.items())
    packs = sorted(record.recipes.items())
    lines = [f"p {key} {path}\n" for path, key in pages if _plain(path, key)]
    lines += [f"r {key} {name}\n" for name, key in packs if _plain(name, key)]
    payload = "".join(lines).encode("utf-8", "surrogateescape")
    return hashlib.sha256(payload).hexdigest() if _replace(folder, KEYS, payload) else ""


def load_keys(folder: Path, digest: str) -> cache.PageRecord:
    """The ``save_keys`` record in ``folder`` if its digest is ``digest`` (the one the last
    build's record names: an older record, a half-written or edited one is not it); else
    nothing."""
    record = cache.PageRecord()
    if not digest:
        return record
    try:
        payload = (folder / KEYS).read_bytes()
    except OSError:
        return record
    if hashlib.sha256(payload).hexdigest() != digest:
        return record
    into = {"p": record.keys, "r": record.recipes}
    try:
        for line in payload.decode("utf-8", "surrogateescape").split("\n")[:-1]:
            kind, key, name = line.split(" ", 2)
            into[kind][name] = key
    except (ValueError, KeyError):  # not a record this code wrote
        return cache.PageRecord()
    return record


def _plain(path: str, key: str) -> bool:
    """A path and key a line of ``save_keys`` holds unambiguously."""
    return len(key) == 64 and " " not in key and "\n" not in path


def forget(folder: Path) -> None:
    """No record: the site is about to change (``last-pages`` goes with it, unnamed)."""
    with contextlib.suppress(OSError):
        (folder / RECORD).unlink()


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "message": problem.message,
        "line": problem.line,
        "severity": problem.severity,
        "template": problem.template,
        "values": [[k, v, isinstance(v, Message)] for k, v in problem.values],
    }


def _problem(data: dict[str, Any]) -> Problem:
    line = data["line"]
    return Problem(
        str(data["path"]),
        str(data["message"]),
        None if line is None else int(line),
        str(data["severity"]),
        str(data["template"]),
        tuple((str(k), Message(v) if message else v) for k, v, message in data["values"]),
    )
