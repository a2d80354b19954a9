"""Faults: a build killed at any moment leaves the previous site whole and the next build
correct; two builds at once do not mix; a full disk, a read-only site or file system gives a
clear error and keeps the old site; a damaged cache is noticed and rebuilt."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_project import small_project

from bulletin_site import pipeline, write
from bulletin_site.errors import BuildError
from bulletin_site.project import CACHE as CACHE_DIR

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_KILLS = 3
SLOW_KILLS = 40
# Two versions of the inputs whose sites differ (an issue's date and so its place everywhere).
VERSIONS = {
    "a": "number: 1\ndate: 2020-01-01\n",
    "b": "number: 1\ndate: 2021-06-30\ntitles:\n  2: 改過的標題\n",
}
META = "content/issues/001_bulletin.yaml"


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` → the sha256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(root: Path) -> list[str]:
    """What the builds left beside the site, once the old sites being deleted are gone (that
    happens after the swap, in a process of its own, which a build does not wait for)."""
    write.wait_for_removals()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(
        write._running(p.name) for p in root.glob("_site.trash-*")
    ):
        time.sleep(0.05)
    return sorted(
        p.name for p in root.iterdir() if p.name.startswith("_site") and p.name != "_site"
    )


def set_version(root: Path, version: str) -> None:
    (root / META).write_text(VERSIONS[version], encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A project built with each version of the inputs, without interruption (with its cache)."""
    roots = {}
    for version in VERSIONS:
        root = small_project(tmp_path_factory.mktemp(f"built-{version}") / "p")
        set_version(root, version)
        pipeline.build(root)
        roots[version] = root
    return roots


@pytest.fixture(scope="module")
def expected(built: dict[str, Path]) -> dict[str, dict[str, str]]:
    """The site each version of the inputs builds into."""
    sites = {version: tree(root / "_site") for version, root in built.items()}
    assert sites["a"] != sites["b"]
    return sites


@pytest.fixture
def built_a(built: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the project built with version "a", its inputs switched to version "b"."""
    root = tmp_path / "p"
    shutil.copytree(built["a"], root, symlinks=True)
    set_version(root, "b")
    return root


def build_process(root: Path, *options: str) -> subprocess.Popen[bytes]:
    """``bulletin-site build`` in its own process group (workers included), for killing."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "BULLETIN_SITE_JOBS": "1"}
    code = "from bulletin_site.cli import main; raise SystemExit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", f"import sys; {code}", "build", "--root", str(root)]
    return subprocess.Popen(
        [*command, "--quiet", *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


# --- killed builds ----------------------------------------------------------------------------


def run_kills(
    root: Path, expected: dict[str, dict[str, str]], kills: int, seed: int, clean: float
) -> list[str]:
    """Start a build (a full one, ``--clean``, with probability ``clean``), kill it at a random
    moment; after each kill the site must be one whole build; in the end a build finishes."""
    rng = random.Random(seed)
    started = time.perf_counter()
    process = build_process(root, "--clean")
    _, err = process.communicate()
    assert process.returncode == 0, err.decode()
    duration = time.perf_counter() - started
    assert tree(root / "_site") == expected["b"]
    moments = []
    for k in range(kills):
        version = rng.choice(sorted(VERSIONS))
        set_version(root, version)
        full = k == 0 or rng.random() < clean
        delay = rng.uniform(0.05, 1.1) * duration
        process = build_process(root, *(["--clean"] if full else []))
        time.sleep(delay)
        finished = process.poll() is not None
        kill(process)
        moments.append(f"{delay:.2f}s{'(done)' if finished else ''}")
        site = tree(root / "_site")  # the site is always there, and always one whole build
        assert site in (expected["a"], expected["b"]), f"half a site after a kill at {delay:.2f} s"
    version = rng.choice(sorted(VERSIONS))
    set_version(root, version)
    process = build_process(root)
    _, err = process.communicate()
    assert process.returncode == 0, err.decode()
    assert tree(root / "_site") == expected[version]
    assert leftovers(root) == []
    return moments


def test_killed_builds_leave_a_whole_site(
    built_a: Path, expected: dict[str, dict[str, str]]
) -> None:
    run_kills(built_a, expected, DEFAULT_KILLS, seed=1, clean=0.0)


@pytest.mark.slow
def test_killed_builds_leave_a_whole_site_long_run(
    built_a: Path, expected: dict[str, dict[str, str]]
) -> None:
    run_kills(built_a, expected, SLOW_KILLS, seed=2, clean=0.3)


KILLED_AT = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bulletin_site import pipeline, write

where, at = sys.argv[3], int(sys.argv[4])
module = os if where == "link" else write
real = getattr(module, where)
calls = 0

def dying(*args, **kwargs):
    global calls
    calls += 1
    if calls == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)

setattr(module, where, dying)
report = pipeline.build(Path(sys.argv[2]))
print(report.linked, report.written)
"""


def build_killed_at(root: Path, where: str, at: int) -> subprocess.CompletedProcess[str]:
    """A build that kills itself (SIGKILL) at the ``at``-th call of ``where``: ``link`` (a file
    linked from the published site), ``remove_later`` (the old site swapped out, not yet
    deleted)."""
    env = {**os.environ, "BULLETIN_SITE_JOBS": "1"}
    command = [sys.executable, "-c", KILLED_AT, str(ROOT / "src"), str(root), where, str(at)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def test_a_build_killed_while_linking_leaves_a_whole_site(
    built_a: Path, expected: dict[str, dict[str, str]]
) -> None:
    root = built_a
    full = build_killed_at(root, "link", 0)  # never killed: how many files it links
    assert full.returncode == 0, full.stderr
    linked, written = map(int, full.stdout.split())
    assert linked > 10 and written > 10
    assert tree(root / "_site") == expected["b"]
    set_version(root, "a")
    for at in (1, linked // 2, linked):  # the first link, one halfway, the last
        killed = build_killed_at(root, "link", at)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert tree(root / "_site") == expected["b"]
        assert leftovers(root) == ["_site.lock", f"_site.tmp-{killed_pid(root)}"]
    process = build_process(root)
    _, err = process.communicate()
    assert process.returncode == 0, err.decode()
    assert tree(root / "_site") == expected["a"]
    assert leftovers(root) == []


def killed_pid(root: Path) -> int:
    """The process id in the name of the staging folder a killed build left."""
    (staging,) = [p.name for p in root.iterdir() if p.name.startswith("_site.tmp-")]
    return int(staging.rpartition("-")[2])


def test_a_build_killed_after_the_swap_leaves_the_new_site(
    built_a: Path, expected: dict[str, dict[str, str]]
) -> None:
    """Killed between the swap and the old site's deletion: the new site is in place and
    whole; the old one, left aside, is deleted by the next build."""
    root = built_a
    killed = build_killed_at(root, "remove_later", 1)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert tree(root / "_site") == expected["b"]
    lock, left = leftovers(root)
    assert lock == "_site.lock" and left.startswith("_site.trash-")
    assert tree(root / left) == expected["a"]  # the previous site, whole, aside
    set_version(root, "a")
    pipeline.build(root)
    assert tree(root / "_site") == expected["a"]
    assert leftovers(root) == []


def test_a_build_killed_while_deleting_the_old_site(
    built_a: Path, expected: dict[str, dict[str, str]]
) -> None:
    """Killed while the old site is being deleted (half of it gone): the next build finishes
    the deletion."""
    root = built_a
    pipeline.build(root)
    write.wait_for_removals()
    trash = root / "_site.trash-99999"
    shutil.copytree(root / "_site", trash)
    for path in sorted(trash.rglob("*.html"))[::2]:
        path.unlink()
    set_version(root, "a")
    pipeline.build(root)
    assert tree(root / "_site") == expected["a"]
    assert leftovers(root) == []


def test_a_build_stopped_between_the_two_renames_is_put_back(
    built_a: Path, expected: dict[str, dict[str, str]]
) -> None:
    """Where the folders cannot trade places in one step, a build killed between its two
    renames leaves the old site aside; the next build puts it back first."""
    root = built_a
    (root / "_site").rename(root / "_site.old-99999")  # what the killed build left
    (root / "_site.tmp-99999").mkdir()
    write.recover(root / "_site")
    assert tree(root / "_site") == expected["a"]
    assert leftovers(root) == []


@pytest.mark.skipif(write._renameat2() is None, reason="no renameat2 on this system")
def test_the_swap_is_one_step_where_the_system_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_dir = tmp_path / "_site"
    site_dir.mkdir()
    (site_dir / "old.html").write_text("old")
    staged = write.stage([("new.html", b"new")], site_dir)

    def never(*args: object) -> None:
        raise AssertionError("two renames used")

    monkeypatch.setattr(write, "_two_renames", never)
    write.swap(staged)
    write.wait_for_removals()
    assert sorted(p.name for p in site_dir.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


# --- two builds at once -----------------------------------------------------------------------


def test_a_second_build_is_refused_while_one_runs(
    built_a: Path, expected: dict[str, dict[str, str]]
) -> None:
    root = built_a
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                sys.path.insert(0, {str(ROOT / "src")!r})
                from bulletin_site import write
                with write.lock(Path({str(root / "_site")!r})):
                    print("locked", flush=True)
                    time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        with pytest.raises(
            BuildError, match=rf"another build of _site/ is running \(process {holder.pid}\)"
        ):
            pipeline.build(root)
        assert tree(root / "_site") == expected["a"]
    finally:
        kill(holder)
    pipeline.build(root)  # a lock left by a killed process is free
    assert tree(root / "_site") == expected["b"]
    assert leftovers(root) == []


def test_two_builds_started_together(built_a: Path, expected: dict[str, dict[str, str]]) -> None:
    root = built_a
    first, second = build_process(root), build_process(root)
    results = [(*p.communicate(), p.returncode) for p in (first, second)]
    codes = sorted(code for _, _, code in results)
    assert codes in ([0, 0], [0, 1]), results
    for _, err, code in results:
        if code:
            assert b"another build of _site/ is running" in err, err
    assert tree(root / "_site") == expected["b"]
    assert leftovers(root) == []


def test_builds_started_together_again_and_again(
    built_a: Path, expected: dict[str, dict[str, str]]
) -> None:
    """Pairs of builds started together, each pair on other inputs: one of each pair builds
    (or both, one after the other), the other is refused; the site is always one whole build,
    the last pair's, and nothing is left beside it."""
    root = built_a
    for version in ("b", "a", "b"):
        set_version(root, version)
        pair = [build_process(root), build_process(root)]
        results = [(*p.communicate(), p.returncode) for p in pair]
        assert sorted(code for _, _, code in results) in ([0, 0], [0, 1]), results
        assert tree(root / "_site") == expected[version]
        assert leftovers(root) == []


# --- a published site edited by hand ----------------------------------------------------------


def edit_by_hand(site_dir: Path, outside: Path) -> None:
    """What someone might do to the published site: a page edited in place (keeping its
    length, and not), a file saved anew, a file added, a page made a link to a file elsewhere
    holding the same bytes."""
    pages = sorted(site_dir.rglob("*.html"))
    data = bytearray(pages[0].read_bytes())
    data[-2] ^= 1
    pages[0].write_bytes(bytes(data))
    with pages[1].open("ab") as f:
        f.write(b"<script>alert(1)</script>")
    saved = pages[2].read_bytes()
    pages[2].unlink()
    pages[2].write_bytes(saved.replace(b"<", b"&lt;", 1))
    (site_dir / "notes.txt").write_text("mine", encoding="utf-8")
    outside.write_bytes(pages[3].read_bytes())
    pages[3].unlink()
    pages[3].symlink_to(outside)


@pytest.mark.parametrize("change", [True, False])
def test_a_published_site_edited_by_hand_is_not_carried_over(
    built: dict[str, Path],
    expected: dict[str, dict[str, str]],
    tmp_path: Path,
    change: bool,
) -> None:
    """Whether the inputs changed or not, the next build's site is the one the inputs make:
    no hand edit leaks into it, and no file the published site shares with it (each linked
    aside here) is written to."""
    root = tmp_path / "p"
    shutil.copytree(built["a"], root, symlinks=True)
    if change:
        set_version(root, "b")
    outside = tmp_path / "outside.html"
    edit_by_hand(root / "_site", outside)
    aside = tmp_path / "aside"
    for path in (root / "_site").rglob("*"):
        if path.is_file() and not path.is_symlink():
            (aside / path.relative_to(root / "_site")).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, aside / path.relative_to(root / "_site"))
    before = tree(aside)
    pipeline.build(root)
    assert tree(root / "_site") == expected["b" if change else "a"]
    assert not any(p.is_symlink() for p in (root / "_site").rglob("*"))
    assert tree(aside) == before
    assert outside.stat().st_nlink == 1
    assert leftovers(root) == []


# --- full disk, read-only site ----------------------------------------------------------------


def test_a_full_disk_while_writing_keeps_the_old_site(
    built_a: Path,
    expected: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = built_a
    written = []
    real = write._create

    def filling(path: str, data: bytes) -> None:
        written.append(path)
        if len(written) > 10:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        real(path, data)

    monkeypatch.setattr(write, "_create", filling)
    with pytest.raises(BuildError, match=r"No space left on device.*previous site is unchanged"):
        pipeline.build(root)
    monkeypatch.undo()
    assert tree(root / "_site") == expected["a"]
    assert leftovers(root) == []
    pipeline.build(root)
    assert tree(root / "_site") == expected["b"]


@pytest.mark.parametrize("call", ["link", "mkdir"])
def test_a_full_disk_while_linking_keeps_the_old_site(
    built_a: Path,
    expected: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    call: str,
) -> None:
    """A hard link needs room too (a folder's new entry, a new folder): a disk that fills up
    while the unchanged files are linked is the same clear error."""
    root = built_a
    calls = []
    real = getattr(os, call)

    def filling(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) > 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(os, call, filling)
    with pytest.raises(BuildError, match=r"No space left on device.*previous site is unchanged"):
        pipeline.build(root)
    monkeypatch.undo()
    assert len(calls) > 5
    assert tree(root / "_site") == expected["a"]
    assert leftovers(root) == []
    pipeline.build(root)
    assert tree(root / "_site") == expected["b"]


def test_a_full_disk_while_indexing_keeps_the_old_site(
    built_a: Path,
    expected: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = built_a

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline, "write_search_index", full)
    with pytest.raises(BuildError, match=r"search index: .*No space left"):
        pipeline.build(root)
    assert tree(root / "_site") == expected["a"]
    assert leftovers(root) == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "no permission"),
        (errno.EBUSY, "mount point"),
    ],
)
def test_a_swap_that_cannot_happen_keeps_the_old_site(
    built_a: Path,
    expected: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    words: str,
) -> None:
    root = built_a

    def refuse(*args: object) -> bool:
        raise OSError(code, os.strerror(code), str(root / "_site"))

    monkeypatch.setattr(write, "_exchange", refuse)
    with pytest.raises(BuildError, match=f"_site/: error: cannot write the site: .*{words}"):
        pipeline.build(root)
    assert tree(root / "_site") == expected["a"]
    assert leftovers(root) == []


def test_a_read_only_site_is_not_replaced(
    built_a: Path,
    expected: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = built_a
    site_dir = root / "_site"
    if os.geteuid() == 0:  # root may write anywhere: pretend the permission bits count
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, **k: False if Path(p) == site_dir else real(p, mode)
        )
    site_dir.chmod(0o555)
    try:
        with pytest.raises(BuildError, match="_site/: error: is read-only"):
            pipeline.build(root)
    finally:
        site_dir.chmod(0o755)
    assert tree(site_dir) == expected["a"]
    assert leftovers(root) == []


REAL_DISK_SCRIPT = """
set -e
mount -t tmpfs -o size=8m tmpfs "$DISK"
cp -r "$PROJECT" "$DISK/p"
cd "$DISK/p"
CLI="import sys; sys.path.insert(0, '$SRC'); from bulletin_site.cli import main; main(sys.argv[1:])"
build() { "$PYTHON" -c "$CLI" build --root . --quiet 2>&1 | grep -v WARNING || true; }
build
find _site -type f | sort | xargs sha256sum > "$DISK/before"
free=$(df -k --output=avail "$DISK" | tail -1)
fallocate -l $(( (free - 200) * 1024 )) "$DISK/filler"
printf 'number: 1\\ndate: 2021-06-30\\n' > content/issues/001_bulletin.yaml
echo "full: $(build)"
find _site -type f | sort | xargs sha256sum | cmp - "$DISK/before" && echo "full: site unchanged"
ls -a | grep '^_site' | tr '\\n' ' '; echo
rm "$DISK/filler"
mount --bind _site _site
mount -o remount,bind,ro _site
echo "mounted read-only: $(build)"
umount _site
mount -o remount,ro "$DISK"
echo "read-only disk: $(build)"
find _site -type f | sort | xargs sha256sum | cmp - "$DISK/before" && echo "read-only: unchanged"
"""


def test_a_real_full_disk_and_read_only_mounts(
    make_small_project: Callable[[str], Path], tmp_path: Path
) -> None:
    """On a real 8 MB tmpfs in a private mount namespace (needs root and unshare)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("fallocate") is None:
        pytest.skip("needs root, unshare and fallocate to mount a small file system")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make a mount namespace here")
    root = make_small_project("p")
    disk = tmp_path / "disk"
    disk.mkdir()
    env = {
        **os.environ,
        "DISK": str(disk),
        "PROJECT": str(root),
        "PYTHON": sys.executable,
        "SRC": str(ROOT / "src"),
        "BULLETIN_SITE_JOBS": "1",
    }
    result = subprocess.run(
        ["unshare", "-m", "bash", "-c", REAL_DISK_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if "mount:" in result.stderr and "permission denied" in result.stderr.lower():
        pytest.skip("mounting is not permitted here")
    out = result.stdout
    assert result.returncode == 0, result.stderr + out
    assert "full: _site/: error: cannot write the site: No space left on device" in out, out
    assert "the previous site is unchanged" in out
    assert "full: site unchanged" in out
    assert ". .. _site \n" not in out  # no staged copy left beside the site
    assert "mounted read-only: _site/: error: is read-only, so the build does not replace it" in out
    locked = (
        "read-only disk: _site.lock: error: cannot create the build lock (Read-only file system)"
    )
    assert locked in out
    assert "read-only: unchanged" in out


# --- a damaged cache --------------------------------------------------------------------------


def damage(cache_dir: Path, rng: random.Random) -> int:
    """Damage every cache entry, each in one of several ways; how many."""
    entries = sorted(p for p in cache_dir.rglob("*") if p.is_file() and p.name != "CACHEDIR.TAG")
    for path in entries:
        data = path.read_bytes()
        how = rng.randrange(6)
        if how == 0:
            path.write_bytes(data[: len(data) // 2])  # cut short (a crash while writing)
        elif how == 1:
            flipped = bytearray(data)
            flipped[rng.randrange(len(flipped))] ^= 0x55
            path.write_bytes(bytes(flipped))  # one byte changed
        elif how == 2:
            path.write_bytes(b"")  # empty
        elif how == 3:
            payload = b'{"document": {"kind": "bulletin"}, "report": 5}'
            path.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        elif how == 4:
            path.unlink()
            path.mkdir()  # a folder where the entry was
        else:
            path.write_bytes(os.urandom(len(data)))
    return len(entries)


def test_a_damaged_cache_is_noticed_and_rebuilt(
    built: dict[str, Path], expected: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    root = tmp_path / "p"
    shutil.copytree(built["b"], root, symlinks=True)
    assert damage(root / CACHE_DIR, random.Random(3)) > 10
    report = pipeline.build(root)
    assert tree(root / "_site") == expected["b"]
    messages = " ".join(str(w) for w in report.warnings)
    assert "damaged cache" in messages or "cannot write the cache" in messages, messages
    shutil.rmtree(root / CACHE_DIR)
    (root / CACHE_DIR).write_text("not a folder")  # the cache is a file: built without it
    report = pipeline.build(root)
    assert tree(root / "_site") == expected["b"]
