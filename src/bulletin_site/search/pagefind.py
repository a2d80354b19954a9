"""Pagefind, spoken to through ``pagefind --service`` (the process behind its Python API).

Why not the API itself: it polls for each answer every 100 ms (0.1 s per record), and its
``write_files`` answers before the files reach the disk (docs/search.md, "Decisions").
"""

from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bulletin_site.errors import BuildError

# Pagefind writes these too; the site uses only its JS API (pagefind.js, wasm; the worker is
# kept for sites that want it).
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
# Pagefind 1.5 reads the size of its index files (in word locations, 20,000 by default) from
# this variable; see ``parts.INDEX_CHUNK_SIZE`` for why the site sets it.
CHUNK_SIZE_VARIABLE = "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"


class PagefindService:
    """``pagefind --service``, the process behind Pagefind's Python API, spoken to directly.

    The messages are the API's own (``pagefind.service.types``: base64 JSON, each followed by
    a comma). The API itself polls for answers every 100 ms, one answer per poll: 0.1 s per
    record, half an hour for 20,000 records; this client reads each answer as it comes.
    The standard binary (``pagefind_bin``) is used even if the extended one is installed: the
    extended binary would cut Chinese text into words itself and move the positions.
    """

    def __init__(self, *, index_chunk_size: int | None = None) -> None:
        self._next_id = 0
        self._buffer = bytearray()
        self._env = dict(os.environ)
        self._env.pop(CHUNK_SIZE_VARIABLE, None)  # Pagefind's default unless asked
        if index_chunk_size is not None:
            self._env[CHUNK_SIZE_VARIABLE] = str(index_chunk_size)

    def __enter__(self) -> PagefindService:
        self._log = tempfile.TemporaryFile()
        binary = pagefind_binary()
        try:
            self._process = subprocess.Popen(
                [str(binary), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
                env=self._env,
            )
        except OSError as error:
            self._log.close()
            raise BuildError(
                f"search: cannot start Pagefind ({binary}): {error.strerror}"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        process = self._process
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
        self._log.close()

    def send(self, payload: Mapping[str, object]) -> dict[str, Any]:
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")
            stdin.flush()
        except BrokenPipeError:
            raise BuildError(f"search: Pagefind stopped: {self._stderr()}") from None
        while True:
            answer = json.loads(base64.b64decode(self._read_message()))
            if answer is None or answer.get("message_id") not in (None, self._next_id):
                continue
            result = answer["payload"]
            if result.get("type") == "Error" or answer.get("message_id") is None:
                raise BuildError(f"search: Pagefind: {result.get('message', result)}")
            return result

    def send_all(self, payloads: Iterable[Mapping[str, object]]) -> None:
        """Send every payload without waiting for each answer (a thread writes while this one
        reads, so that neither pipe fills up), then check every answer."""
        stdin = self._process.stdin
        assert stdin is not None
        first = self._next_id + 1
        messages = []
        for payload in payloads:
            self._next_id += 1
            message = {"message_id": self._next_id, "payload": payload}
            messages.append(base64.b64encode(json.dumps(message).encode()) + b",")
        failed: list[BaseException] = []

        def write() -> None:
            try:
                for message in messages:
                    stdin.write(message)
                stdin.flush()
            except OSError as error:  # the service stopped: the reader says why
                failed.append(error)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        for _ in range(first, self._next_id + 1):
            answer = json.loads(base64.b64decode(self._read_message()))
            result = answer["payload"] if answer else {}
            if result.get("type") == "Error":
                raise BuildError(f"search: Pagefind: {result.get('message', result)}")
        writer.join()
        if failed:
            raise BuildError(f"search: Pagefind stopped: {self._stderr()}")

    def _read_message(self) -> bytes:
        """The next message: everything up to the next comma (base64 has none)."""
        stdout = self._process.stdout
        assert stdout is not None
        scanned = 0
        while True:
            end = self._buffer.find(b",", scanned)
            if end >= 0:
                message = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return message
            scanned = len(self._buffer)
            chunk = stdout.read1(1 << 20)
            if not chunk:
                raise BuildError(f"search: Pagefind stopped: {self._stderr()}")
            self._buffer += chunk

    def _stderr(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace").strip() or "no message"


def pagefind_binary() -> Path:
    """$PAGEFIND_BINARY_PATH, else the standard binary from ``pagefind_bin``, else ``pagefind``
    on the PATH."""
    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return Path(os.environ["PAGEFIND_BINARY_PATH"])
    try:
        from pagefind_bin import get_executable
    except ImportError:
        found = shutil.which("pagefind")
        if found is None:
            raise BuildError(
                "search: the Pagefind binary is missing (pip install 'pagefind[bin]')"
            ) from None
        return Path(found)
    return Path(get_executable())


@functools.cache
def pagefind_version() -> str:
    """``pagefind --version`` (part of every cached bundle's key)."""
    binary = pagefind_binary()
    try:
        done = subprocess.run([str(binary), "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"search: cannot start Pagefind ({binary}): {error}") from None
    return done.stdout.decode(errors="replace").strip() or str(binary)


def new_index(service: PagefindService) -> int:
    """A new, empty index in the service; its id."""
    return int(service.send({"type": "NewIndex", "config": {}})["index_id"])


def index_files(service: PagefindService, index: int) -> dict[str, bytes]:
    """The index's files as Pagefind would write them (less ``UNUSED_BUNDLE_FILES``).

    Through ``GetFiles``, not ``WriteFiles``: Pagefind answers ``WriteFiles`` before its writes
    reach the disk, so a file may still be empty when the service stops."""
    answer = service.send({"type": "GetFiles", "index_id": index})
    return {
        f["path"]: base64.b64decode(f["content"])
        for f in answer["files"]
        if f["path"] not in UNUSED_BUNDLE_FILES
    }
