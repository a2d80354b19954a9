"""The site onto disk, all or nothing, touching only what changed.

A build puts its files one by one (``put``) into a *staging* folder beside the published site,
``<site>.tmp-<pid>``, and ``swap`` puts that folder in place in one step, so a build that fails
leaves the previous site as it was and readers never see half a site. ``put`` refuses two
sources for one output, paths that would leave the output folder and (unless the caller checked
it already) text that is not NFC or holds CJK compatibility ideographs.

Most files of a rebuild are the ones already published. ``put`` compares each file with the
published one (size, then bytes): the same file is *hard-linked* from the published site into
the staging folder, a new or changed one is written as a new file. The published file itself,
not a manifest of hashes, is what is compared: it is the truth, where a manifest could
disagree with it (a hand edit, a restored backup) and would need keeping safe itself; and
reading back a file the system has just listed costs about what hashing the new bytes would.
The one exception is a folder named by a digest of its files (the search index's parts), in a
site exactly as the last build left it: ``kept`` lists such folders and ``put_published``
links their files unread, for a caller that knows the new folder of that name is the same.
No file the published site holds is ever opened for writing, so the published site stays
exactly as it was until the swap, and a file edited there by hand is simply not the same: the
build writes its own. The staging folder is made only when the first difference shows: a
rebuild that changes nothing writes nothing and swaps nothing (``finish``). The old site is
renamed aside at the swap and deleted by a process of its own that the build does not wait
for (``remove_later``); one left by a killed build is deleted by the next (``recover``).
``lock`` keeps two builds of one site apart.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple

from bulletin_site.errors import BuildError

TEXT_SUFFIXES = (".html", ".xml", ".txt", ".css", ".js", ".json", ".svg")
COMPATIBILITY_IDEOGRAPHS = re.compile("[\uf900-\ufaff]")
# Errors of os.link that mean "no hard link here" (another file system, a file system without
# links, too many links to one file): the file is written as a copy instead.
_CANNOT_LINK = frozenset(
    {errno.EXDEV, errno.EMLINK, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}
)


def check_path(path: str) -> None:
    """A relative POSIX path that stays inside the output folder."""
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or path.startswith("/")
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise BuildError("output path outside the site folder", at=repr(path))


def check_text(path: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BuildError(f"not UTF-8 ({error.reason} at byte {error.start})", at=path) from None
    check_characters(path, text)


def check_characters(path: str, text: str) -> None:
    """No CJK compatibility ideograph, and NFC: what every text file of the site must be."""
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


def trash_dir(site_dir: Path) -> Path:
    """Where the previous site goes at the swap, to be deleted."""
    return site_dir.with_name(f"{site_dir.name}.trash-{os.getpid()}")


# ---------------------------------------------------------------------------------------------
# The published site, as found


class Published(NamedTuple):
    """A regular file of the published site, as ``lstat`` saw it."""

    size: int
    inode: int
    mode: int  # permission bits
    modified: int  # st_mtime_ns


@dataclass(frozen=True)
class PublishedSite:
    """What the published site holds: its regular files, its folders, and whether it holds
    anything else (a link, a device…), which no build writes. ``fingerprint``: a digest of all
    of it, as ``entry_digest`` gives each entry, that any change to the site changes (an edit,
    even one that keeps the length, gives a file a new modification time)."""

    files: dict[str, Published] = field(default_factory=dict)
    folders: frozenset[str] = frozenset()
    other: bool = False
    fingerprint: int = 0
    # Each file's ``file_digest`` as listed: a file linked as it was listed adds the same one
    # to the new site's fingerprint, not hashed again (two hashes a file were ~1/10 of the
    # compare-and-link work of a rebuild).
    digests: dict[str, int] = field(default_factory=dict)


def published_site(site_dir: Path) -> PublishedSite:
    """The published site's files and folders (relative POSIX paths), without following links:
    a file is only ever linked from the site itself. A folder that cannot be listed counts as
    "something else" (its files are then written anew)."""
    files: dict[str, Published] = {}
    digests: dict[str, int] = {}
    folders: set[str] = set()
    other = False
    fingerprint = 0
    todo = [""]
    while todo:
        folder = todo.pop()
        try:
            entries = list(os.scandir(os.path.join(site_dir, folder) if folder else site_dir))
        except OSError:
            other = other or bool(folder)  # no site yet is nothing at all
            continue
        for entry in entries:
            path = f"{folder}/{entry.name}" if folder else entry.name
            try:
                # The entry's type comes with the listing: only files need a stat of their own.
                if entry.is_dir(follow_symlinks=False):
                    folders.add(path)
                    todo.append(path)
                    fingerprint += folder_digest(path)
                elif entry.is_file(follow_symlinks=False):
                    found = files[path] = published(entry.stat(follow_symlinks=False))
                    digest = digests[path] = file_digest(path, found)
                    fingerprint += digest
                else:
                    other = True
            except OSError:  # gone meanwhile, or cannot be looked at
                other = True
    return PublishedSite(files, frozenset(folders), other, fingerprint % _MODULUS, digests)


def published(info: os.stat_result) -> Published:
    return Published(info.st_size, info.st_ino, stat.S_IMODE(info.st_mode), info.st_mtime_ns)


# A site's fingerprint is the sum of its entries' digests (modulo 2**256): the same whatever
# order the entries are met in, so the build can add up what it puts as it goes.
_MODULUS = 1 << 256


def file_digest(path: str, found: Published) -> int:
    entry = f"f\0{path}\0{found.size}\0{found.inode}\0{found.mode}\0{found.modified}"
    return int.from_bytes(hashlib.sha256(entry.encode("utf-8", "surrogateescape")).digest())


def folder_digest(path: str) -> int:
    entry = f"d\0{path}"
    return int.from_bytes(hashlib.sha256(entry.encode("utf-8", "surrogateescape")).digest())


# ---------------------------------------------------------------------------------------------
# The staging folder


@dataclass
class Staging:
    """A new site being put together beside ``site_dir`` (in ``folder``, once it differs from
    the published one). What is put is counted: written anew or linked from the site."""

    site_dir: Path
    folder: Path
    published: PublishedSite
    mode: int  # the permission bits of a file this process creates
    origins: dict[str, str] = field(default_factory=dict)  # every path put → who put it
    folders: set[str] = field(default_factory=set)  # every folder those paths need
    made_folders: set[str] = field(default_factory=set)  # made in the staging folder so far
    # Paths put that are the same as the published file (with its inode), not linked yet
    # because nothing differed so far: the staging folder does not exist yet.
    pending: list[tuple[str, int]] = field(default_factory=list)
    made: bool = False
    written: int = 0
    linked: int = 0
    digest: int = 0  # of the files in the staging folder so far (``file_digest``)
    fingerprint: int = 0  # the new site's, once ``finish`` has run (``PublishedSite``)
    site_prefix: str = field(init=False, default="")  # "<site>/"
    folder_prefix: str = field(init=False, default="")  # "<staging folder>/"
    ahead: Ahead | None = None  # the staging's folders being made meanwhile (``make_ahead``)

    def __post_init__(self) -> None:
        # Each file's two paths are these plus its site path (checked relative: ``_claim``),
        # joined by hand: os.path.join costs more than the rest of linking a file.
        self.site_prefix = os.path.join(self.site_dir, "")
        self.folder_prefix = os.path.join(self.folder, "")


def open_staging(site_dir: Path, found: PublishedSite | None = None) -> Staging:
    """A staging for ``site_dir`` (whose files are ``found``, if listed already); a BuildError
    when the site cannot be replaced."""
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
    if found is None:
        found = published_site(site_dir)
    return Staging(site_dir, staging_dir(site_dir), found, _new_file_mode())


@dataclass
class Ahead:
    """The staging folder and its folders, made by a thread of their own (``make_ahead``)."""

    thread: threading.Thread
    stop: threading.Event
    made: list[str] = field(default_factory=list)  # folders made (the staging's own first)
    error: OSError | None = None


def make_ahead(staging: Staging, folders: Iterable[str]) -> None:
    """Start making the staging folder and ``folders`` in it (the published site's: a
    rebuild's are nearly all the same) in a thread, while the build plans and keys its pages.
    A rebuild at 1,000 issues makes some 22,000 folders; ``mkdir`` waits on the file system,
    not on Python, so they are made beside the build's own work instead of one by one as its
    files are put. ``_make`` then takes them over; ``finish`` removes those the new site does
    not have (none, unless a page went away); ``discard`` stops the thread first. The caller
    must discard the staging if the build fails (it is made now, not at the first
    difference)."""
    ahead = Ahead(threading.Thread(target=lambda: None, daemon=True), threading.Event())
    ordered = sorted(folders)  # a folder after the one above it

    def run() -> None:
        try:
            _remove(staging.folder)
            os.mkdir(staging.folder)
            ahead.made.append("")
            for folder in ordered:
                if ahead.stop.is_set():
                    return
                os.mkdir(staging.folder_prefix + folder)
                ahead.made.append(folder)
        except OSError as error:  # a full disk: the build makes its folders itself, and says so
            ahead.error = error

    ahead.thread = threading.Thread(target=run, name="staging folders", daemon=True)
    staging.ahead = ahead
    ahead.thread.start()


def _take_ahead(staging: Staging) -> None:
    """Wait for ``make_ahead`` and take over what it made; if it failed part-way, what it
    made is removed and the build makes its folders as it goes."""
    ahead, staging.ahead = staging.ahead, None
    if ahead is None:
        return
    ahead.thread.join()
    if ahead.error is None and not ahead.stop.is_set():
        staging.made = True
        staging.made_folders.update(ahead.made[1:])
    elif ahead.made:
        _remove(staging.folder)


def put(staging: Staging, path: str, data: bytes, origin: str, *, checked: bool = False) -> None:
    """One output file into the staging: linked from the published site when it holds the same
    bytes, else written as a new file. ``checked``: the caller has checked the text already
    (``check_characters``). A disk that is full or cannot be written is a BuildError, and the
    previous site stays as it was."""
    _claim(staging, path, origin)
    if not checked and path.endswith(TEXT_SUFFIXES):
        check_text(path, data)
    try:
        inode = _same_as_published(staging, path, data)
        if inode is not None and not staging.made:
            staging.pending.append((path, inode))
            return
        _make(staging)
        _make_folders(staging, path)
        if inode is not None and _link(staging, path, inode):
            staging.linked += 1
            return
        _write(staging, path, data)
    except OSError as error:
        raise _cannot_write(staging.site_dir, error) from None


def put_published(staging: Staging, path: str, inode: int, origin: str) -> None:
    """The published file at ``path`` (``inode``, as listed) into the staging, linked without
    being read: for a file the caller knows holds the bytes the build would write (``kept``).
    A file replaced since the listing is not carried over: the build stops and says so, as it
    has no bytes of its own to write instead."""
    _claim(staging, path, origin)
    try:
        if not staging.made:
            staging.pending.append((path, inode))
            return
        _make_folders(staging, path)
        if _link(staging, path, inode):
            staging.linked += 1
        else:  # cannot link here, or replaced meanwhile (then a BuildError)
            _copy_published(staging, path, inode)
    except OSError as error:
        raise _cannot_write(staging.site_dir, error) from None


def kept(
    found: PublishedSite, under: str, depth: int, mode: int
) -> dict[str, list[tuple[str, int]]]:
    """The published folders ``depth`` levels below ``under`` → their files (path, inode), for
    a caller whose folders are named by their content (``search``: a part's folder name is a
    digest of its files), so a folder of the same name holds the same files. Only folders
    whose files all have the permission bits ``mode`` (what a file the build writes gets):
    another umask makes them files the build would write anew. The caller must know the site
    is as the last build left it (its fingerprint), else a hand edit could be carried over."""
    prefix = under + "/"
    folders: dict[str, list[tuple[str, int]]] = {}
    other_mode: set[str] = set()
    for path, info in found.files.items():
        if not path.startswith(prefix):
            continue
        pieces = path.split("/", depth + 1)
        if len(pieces) <= depth + 1:
            continue  # a file above that depth: not in such a folder
        folder = "/".join(pieces[: depth + 1])
        folders.setdefault(folder, []).append((path, info.inode))
        if info.mode != mode:
            other_mode.add(folder)
    return {folder: files for folder, files in folders.items() if folder not in other_mode}


def put_all(staging: Staging, outputs: Iterable[tuple[str, bytes]], origin: str) -> None:
    for path, data in outputs:
        put(staging, path, data, origin)


def finish(staging: Staging) -> bool:
    """After the last ``put``: whether there is a new site to swap in. False when every file put
    is the published one and the published site holds nothing else (then the staging folder
    was never made, and nothing was written)."""
    published = staging.published
    unchanged = (
        not staging.made
        and not published.other
        and published.files.keys() == staging.origins.keys()
        and published.folders == staging.folders
    )
    if unchanged:
        if staging.ahead is not None:  # made for nothing: the published site stays
            staging.ahead.stop.set()
            _take_ahead(staging)
        staging.pending.clear()
        staging.fingerprint = published.fingerprint
        return False
    try:
        _make(staging)
        _remove_unused(staging)
    except OSError as error:
        raise _cannot_write(staging.site_dir, error) from None
    folders = sum(folder_digest(folder) for folder in staging.folders)
    staging.fingerprint = (staging.digest + folders) % _MODULUS
    return True


def stage(outputs: Iterable[tuple[str, bytes]], site_dir: Path) -> Staging:
    """Every output into a staging folder beside ``site_dir``, made even when nothing changed,
    for ``swap``."""
    staging = open_staging(site_dir)
    try:
        put_all(staging, outputs, "the build")
        finish(staging)
        _make(staging)
    except OSError as error:
        discard(staging)
        raise _cannot_write(site_dir, error) from None
    except BaseException:
        discard(staging)
        raise
    return staging


def _claim(staging: Staging, path: str, origin: str) -> None:
    """``path`` is ``origin``'s: one source per output, a file never where a folder is."""
    check_path(path)
    if path in staging.origins:
        raise BuildError(f"written by both {staging.origins[path]} and {origin}", at=path)
    if path in staging.folders:
        raise BuildError(f"{origin} writes a file where the site has a folder", at=path)
    parent = path.rpartition("/")[0]
    new_folders = []
    while parent and parent not in staging.folders:
        if parent in staging.origins:
            raise BuildError(f"{origin} writes into {parent}, a file of the site", at=path)
        new_folders.append(parent)
        parent = parent.rpartition("/")[0]
    staging.folders.update(new_folders)
    staging.origins[path] = origin


def _same_as_published(staging: Staging, path: str, data: bytes) -> int | None:
    """The inode of the published file at ``path`` if it holds exactly ``data`` (with the
    permission bits a new file gets), else None."""
    found = staging.published.files.get(path)
    if found is None or found.size != len(data) or found.mode != staging.mode:
        return None
    try:
        fd = os.open(staging.site_prefix + path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    try:
        if os.fstat(fd).st_ino != found.inode:
            return None  # replaced since the site was listed
        same = _read_all(fd, len(data) + 1) == data
    finally:
        os.close(fd)
    return found.inode if same else None


def _read_all(fd: int, limit: int) -> bytes:
    chunks = []
    while limit > 0:
        chunk = os.read(fd, limit)
        if not chunk:
            break
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


def _remove_unused(staging: Staging) -> None:
    """The folders made ahead (``make_ahead``) that the new site does not have: empty, since
    no file was put there."""
    for folder in sorted(staging.made_folders - staging.folders, reverse=True):
        os.rmdir(staging.folder_prefix + folder)  # a folder before the one above it
        staging.made_folders.discard(folder)


def _make(staging: Staging) -> None:
    """The staging folder, with the files put so far that are the published ones (linked)."""
    if staging.made:
        return
    _take_ahead(staging)
    if not staging.made:
        _remove(staging.folder)
        staging.folder.mkdir()
        staging.made = True
    for path, inode in staging.pending:
        _make_folders(staging, path)
        if _link(staging, path, inode):
            staging.linked += 1
        else:  # cannot link here: a copy of the same file
            _copy_published(staging, path, inode)
    staging.pending.clear()


def _make_folders(staging: Staging, path: str) -> None:
    """The folders above ``path`` in the staging folder."""
    parent = path.rpartition("/")[0]
    missing = []
    while parent and parent not in staging.made_folders:
        missing.append(parent)
        parent = parent.rpartition("/")[0]
    for folder in reversed(missing):
        os.mkdir(staging.folder_prefix + folder)
        staging.made_folders.add(folder)
    if path in staging.made_folders:  # made ahead, where the new site has this file
        shutil.rmtree(staging.folder_prefix + path)  # empty: no file is put under a file
        staging.made_folders.difference_update(
            f for f in list(staging.made_folders) if f == path or f.startswith(path + "/")
        )


def _link(staging: Staging, path: str, inode: int) -> bool:
    """The published file at ``path`` hard-linked into the staging folder, if it is still the
    file compared (``inode``) and the file system can link it here."""
    target = staging.folder_prefix + path
    try:
        os.link(staging.site_prefix + path, target, follow_symlinks=False)
    except OSError as error:
        if error.errno in _CANNOT_LINK or error.errno == errno.ENOENT:
            return False
        raise
    info = os.lstat(target)
    if info.st_ino == inode:
        now = published(info)
        # Changed since the listing (its time, its permissions): hashed as it is now.
        listed = staging.published.digests.get(path)
        if listed is None or staging.published.files.get(path) != now:
            listed = file_digest(path, now)
        staging.digest += listed
        return True
    os.unlink(target)  # replaced since it was compared: not that file
    return False


def _copy_published(staging: Staging, path: str, inode: int) -> None:
    """A copy of the published file compared earlier (``inode``), where it cannot be linked."""
    try:
        fd = os.open(staging.site_prefix + path, os.O_RDONLY | _NOFOLLOW)
    except OSError as error:
        raise _changed_meanwhile(staging, path) from error
    try:
        if os.fstat(fd).st_ino != inode:
            raise _changed_meanwhile(staging, path)
        data = _read_all(fd, staging.published.files[path].size + 1)
    finally:
        os.close(fd)
    _write(staging, path, data)


def _changed_meanwhile(staging: Staging, path: str) -> BuildError:
    return BuildError(
        f"{staging.site_dir.name}/{path} was changed while the build ran; build again",
        at=f"{staging.site_dir.name}/",
    )


def _write(staging: Staging, path: str, data: bytes) -> None:
    """``data`` as a new file at ``path`` in the staging folder."""
    target = staging.folder_prefix + path
    _create(target, data)
    staging.digest += file_digest(path, published(os.lstat(target)))
    staging.written += 1


def _create(path: str, data: bytes) -> None:
    """A new file holding ``data``: never an existing one (``x``), so never a published file."""
    with open(path, "xb") as f:
        f.write(data)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _new_file_mode() -> int:
    """The permission bits of a file this process creates (0o666 less the umask)."""
    mask = None
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith(b"Umask:"):
                mask = int(line.split()[1], 8)
    if mask is None:  # not Linux: read it by setting it (and back at once)
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


# ---------------------------------------------------------------------------------------------
# Outputs handed over from another process


def save_outputs(path: Path, outputs: Mapping[str, bytes]) -> None:
    """``outputs`` (site path → bytes) into one file, for ``load_outputs`` in another process:
    each is ``<length of the path> <length of the bytes>\\n``, the path, the bytes."""
    with open(path, "wb") as f:
        for name in sorted(outputs):
            raw = name.encode("utf-8")
            f.write(b"%d %d\n" % (len(raw), len(outputs[name])))
            f.write(raw)
            f.write(outputs[name])


def load_outputs(path: Path) -> Iterator[tuple[str, bytes]]:
    """The outputs ``save_outputs`` wrote, one at a time (never all in memory)."""
    with open(path, "rb") as f:
        while head := f.readline():
            lengths = head.split()
            if len(lengths) != 2 or not all(n.isdigit() for n in lengths):
                raise BuildError("the search index's files came back damaged", at=str(path))
            name, data = f.read(int(lengths[0])), f.read(int(lengths[1]))
            if len(data) != int(lengths[1]):
                raise BuildError("the search index's files came back cut short", at=str(path))
            yield name.decode("utf-8"), data


# ---------------------------------------------------------------------------------------------
# The swap, and the old site's removal


def swap(staging: Staging) -> None:
    """Put the staging folder in place of the site; the previous site is renamed aside and
    deleted in the background (``remove_later``).

    Where the system can (Linux: ``renameat2(RENAME_EXCHANGE)``) the two folders trade places
    in one step, so the site is never missing, even if the build is killed right then.
    Elsewhere it is two renames; a build killed between them leaves ``<site>.old-<pid>``,
    which the next build puts back (``recover``) before anything else."""
    tmp, site_dir = staging.folder, staging.site_dir
    old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
    trash = trash_dir(site_dir)
    try:
        _remove(old)
        _remove(trash)
        exchanged = site_dir.exists() and _exchange(tmp, site_dir)
        if not exchanged:
            _two_renames(tmp, site_dir, old)
    except OSError as error:
        raise _cannot_write(site_dir, error) from None
    previous = tmp if exchanged else old
    if previous.exists():
        try:
            previous.rename(trash)  # named as garbage: never put back by ``recover``
        except OSError:
            trash = previous  # removed where it is (``recover`` removes it if this fails)
        remove_later(trash)


_removals: list[subprocess.Popen[bytes]] = []
# The deleting process first renames the folder after itself (``<site>.trash-<its pid>``), so
# that ``recover`` sees it is being deleted; then deletes it.
_REMOVE = """
import os, shutil, sys
folder = sys.argv[1]
mine = f"{folder.rpartition('-')[0]}-{os.getpid()}"
try:
    os.rename(folder, mine)
    folder = mine
except OSError:
    pass
shutil.rmtree(folder, ignore_errors=True)
"""


def remove_later(folder: Path) -> None:
    """Delete ``folder`` in a process of its own, which outlives this one: the new site is in
    place, and nobody waits for the old one to go (the command that built it ends at once).
    ``wait_for_removals`` waits for it; one stopped halfway is finished by the next build
    (``recover``)."""
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _REMOVE, str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped with this process's group (Ctrl-C)
        )
    except OSError:  # no process to spare: here, now
        shutil.rmtree(folder, ignore_errors=True)
        return
    _removals.append(process)


def wait_for_removals() -> None:
    """Wait until every old site this process set out to delete is gone."""
    while _removals:
        _removals.pop().wait()


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
    ``<site>.old-<pid>`` between two renames goes back in place; staged copies and old sites
    are deleted in the background, except an old site that a process still running is
    deleting."""
    _removals[:] = [p for p in _removals if p.poll() is None]  # (``serve``) those done
    parent = site_dir.parent
    if not parent.is_dir():
        return
    kinds = tuple(f"{site_dir.name}.{kind}-" for kind in ("tmp", "old", "trash"))
    leftovers = sorted(p for p in parent.iterdir() if p.name.startswith(kinds))
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
        if path.name.startswith(f"{site_dir.name}.trash-") and _running(path.name):
            continue  # being deleted (``remove_later``)
        if path.is_symlink() or not path.is_dir():
            with contextlib.suppress(OSError):  # tidying only: tried again next time
                path.unlink()
        else:
            remove_later(path)


def _running(name: str) -> bool:
    """Whether the process whose id ends ``name`` (``<site>.trash-<pid>``) is running."""
    pid = name.rpartition("-")[2]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: running
        return True
    return True


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


def discard(staging: Staging) -> None:
    """A failed build's staging folder, removed now (it may hold a half-written file)."""
    if staging.ahead is not None:
        staging.ahead.stop.set()
        staging.ahead.thread.join()
        staging.ahead = None
    staging.pending.clear()
    shutil.rmtree(staging.folder, ignore_errors=True)
