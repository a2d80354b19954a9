"""The output plan (site path → bytes) onto disk, all or nothing.

Everything is rendered into memory first. ``add`` refuses two sources for one output and
paths that would leave the output folder; ``check_text`` refuses text that is not NFC or holds
CJK compatibility ideographs. ``stage`` writes the plan into a fresh folder beside the site and
``swap`` puts it in place with renames, so a build that fails leaves the previous site as it
was and readers never see half a site. ``lock`` keeps two builds of one site apart, and
``recover`` tidies up after a build that was killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from bulletin_site.errors import BuildError

TEXT_SUFFIXES = (".html", ".xml", ".txt", ".css", ".js", ".json", ".svg")
COMPATIBILITY_IDEOGRAPHS = re.compile("[\uf900-\ufaff]")


@dataclass(frozen=True)
class SiteFiles:
    """Site path → bytes, and where each output came from (for the duplicate message)."""

    files: Mapping[str, bytes] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)


def add(plan: SiteFiles, outputs: Iterable[tuple[str, bytes]], origin: str) -> SiteFiles:
    """A new plan with ``outputs`` added; two sources for one path is an error."""
    files = dict(plan.files)
    origins = dict(plan.origins)
    for path, data in outputs:
        check_path(path)
        if path in files:
            raise BuildError(f"written by both {origins[path]} and {origin}", at=path)
        if path.endswith(TEXT_SUFFIXES):
            check_text(path, data)
        files[path] = data
        origins[path] = origin
    return SiteFiles(files, origins)


def check_path(path: str) -> None:
    """A relative POSIX path that stays inside the output folder."""
    pure = PurePosixPath(path)
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise BuildError("output path outside the site folder", at=repr(path))


def check_text(path: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BuildError(f"not UTF-8 ({error.reason} at byte {error.start})", at=path) from None
    found = COMPATIBILITY_IDEOGRAPHS.search(text)
    if found:
        raise BuildError(
            f"CJK compatibility ideograph U+{ord(found.group()):04X} at character "
            f"{found.start()}; the reader should have normalised it",
            at=path,
        )
    if not unicodedata.is_normalized("NFC", text):
        raise BuildError("text is not NFC-normalised", at=path)


def staging_dir(site_dir: Path) -> Path:
    return site_dir.with_name(f"{site_dir.name}.tmp-{os.getpid()}")


def stage(plan: SiteFiles, site_dir: Path) -> Path:
    """Write the plan into a fresh folder beside ``site_dir``; return that folder. A disk that
    is full or cannot be written is a BuildError, and the previous site stays as it was."""
    if site_dir.is_symlink():
        raise BuildError(
            "is a symbolic link; the build replaces that folder, so it must be a real folder "
            "(publish it by copying or syncing it instead)",
            at=site_dir.name,
        )
    if site_dir.is_dir() and not os.access(site_dir, os.W_OK | os.X_OK):
        raise BuildError(
            "is read-only, so the build does not replace it; make it writable to publish a new "
            "site (the previous site is unchanged)",
            at=f"{site_dir.name}/",
        )
    tmp = staging_dir(site_dir)
    try:
        _stage(plan, tmp)
    except OSError as error:
        raise _cannot_write(site_dir, error) from None
    return tmp


def _stage(plan: SiteFiles, tmp: Path) -> None:
    _remove(tmp)
    tmp.mkdir(parents=True)
    root = tmp.resolve()
    try:
        for path in sorted(plan.files):
            target = (tmp / path).resolve()
            if not target.is_relative_to(root):
                raise BuildError("output path outside the site folder", at=repr(path))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(plan.files[path])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def swap(tmp: Path, site_dir: Path) -> None:
    """Put the staged folder in place of ``site_dir``, then remove the old one.

    Where the system can (Linux: ``renameat2(RENAME_EXCHANGE)``) the two folders trade places
    in one step, so ``site_dir`` is never missing, even if the build is killed right then.
    Elsewhere it is two renames; a build killed between them leaves ``<site>.old-<pid>``,
    which the next build puts back (``recover``) before anything else."""
    old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
    try:
        _remove(old)
        exchanged = site_dir.exists() and _exchange(tmp, site_dir)
        if not exchanged:
            _two_renames(tmp, site_dir, old)
    except OSError as error:
        raise _cannot_write(site_dir, error) from None
    shutil.rmtree(tmp if exchanged else old, ignore_errors=True)  # the previous site


def _two_renames(tmp: Path, site_dir: Path, old: Path) -> None:
    had_site = site_dir.exists()
    if had_site:
        site_dir.rename(old)
    try:
        tmp.rename(site_dir)
    except BaseException:
        if had_site:
            old.rename(site_dir)
        raise


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not available."""
    rename = _renameat2()
    if rename is None:
        return False
    result = rename(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # an old kernel or a file system without it: two renames instead
    raise OSError(code, os.strerror(code), str(b))


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    int_, path = ctypes.c_int, ctypes.c_char_p
    function.argtypes = (int_, path, int_, path, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


def recover(site_dir: Path) -> None:
    """Tidy up after a build that was killed (call it holding ``lock``): a site left at
    ``<site>.old-<pid>`` between two renames goes back in place; staged and old copies are
    removed."""
    parent = site_dir.parent
    if not parent.is_dir():
        return
    leftovers = sorted(
        p
        for p in parent.iterdir()
        if p.name.startswith((f"{site_dir.name}.tmp-", f"{site_dir.name}.old-"))
    )
    if not site_dir.exists() and not site_dir.is_symlink():
        olds = [p for p in leftovers if p.name.startswith(f"{site_dir.name}.old-")]
        if olds and olds[-1].is_dir() and not olds[-1].is_symlink():
            try:
                olds[-1].rename(site_dir)
            except OSError as error:
                raise BuildError(
                    "the previous site, left by a build that was stopped, cannot be put back "
                    f"as {site_dir.name}/ ({error.strerror})",
                    at=olds[-1].name,
                ) from None
            leftovers.remove(olds[-1])
    for path in leftovers:
        # Tidying only: a copy that cannot be removed now is tried again next time.
        with contextlib.suppress(OSError):
            _remove(path)


@contextlib.contextmanager
def lock(site_dir: Path) -> Iterator[None]:
    """Hold ``<site>.lock`` for one build; a second build of the same site at the same time
    is refused with a BuildError instead of mixing its files with the first one's. The system
    releases the lock when the process ends, however it ends; the file is removed at the end
    (one left by a killed build is simply locked again)."""
    path = site_dir.with_name(f"{site_dir.name}.lock")
    handle = _acquire(path, site_dir)
    try:
        with contextlib.suppress(OSError):  # the pid is for the message only (full disk)
            handle.write(str(os.getpid()).encode())
            handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # before closing: no other build can hold this file meanwhile
        handle.close()  # releases the lock


def _acquire(path: Path, site_dir: Path) -> BinaryIO:
    for _ in range(10):
        try:
            handle = open(path, "a+b")  # noqa: SIM115  # held open for the whole build
        except OSError as error:
            raise BuildError(
                f"cannot create the build lock ({error.strerror})", at=path.name
            ) from None
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read(100).decode("ascii", "replace").strip()
            handle.close()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise BuildError(
                f"another build of {site_dir.name}/ is running{who}; wait for it to finish "
                f"(the lock is {path.name})"
            )
        # The build that held it may have removed the file between our open and our lock:
        # then we hold a lock on a file nobody else will see. Try again with the new file.
        try:
            same = os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
        except OSError:
            same = False
        if same:
            handle.seek(0)
            handle.truncate()
            return handle
        handle.close()
    raise BuildError("could not take the build lock; try again", at=path.name)


def _try_lock(handle: BinaryIO) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _remove(path: Path) -> None:
    """A folder (with everything in it), a file or a link; nothing if there is nothing."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _cannot_write(site_dir: Path, error: OSError) -> BuildError:
    where = f" ({error.filename})" if error.filename else ""
    hint = _HINTS.get(error.errno or 0, "")
    return BuildError(
        f"cannot write the site: {error.strerror or error}{where}{hint}; "
        "the previous site is unchanged",
        at=f"{site_dir.name}/",
    )


_HINTS = {
    errno.ENOSPC: " (the disk is full: free some space and build again)",
    errno.EDQUOT: " (over the disk quota)",
    errno.EROFS: " (the folder is on a read-only file system)",
    errno.EACCES: " (no permission to write there: is the site's folder read-only?)",
    errno.EPERM: " (not permitted: is the site's folder read-only?)",
    errno.EBUSY: " (the site's folder is in use or a mount point; the build replaces it, so "
    "mount or share its parent folder instead)",
}


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)
