"""The staging and the atomic swap: all or nothing, never outside the site folder, and only
what changed is written (the rest is hard-linked from the published site, whose files are never
written to)."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bulletin_site import write
from bulletin_site.errors import BuildError


def files(*paths: str, text: str = "new") -> list[tuple[str, bytes]]:
    return [(p, text.encode()) for p in paths]


def publish(site_dir: Path, outputs: list[tuple[str, bytes]]) -> write.Staging:
    """A build of ``outputs`` put in place of ``site_dir``; its staging."""
    staging = write.open_staging(site_dir)
    write.put_all(staging, outputs, "test")
    if write.finish(staging):
        write.swap(staging)
    write.wait_for_removals()
    return staging


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def inodes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def beside(site_dir: Path) -> list[str]:
    """What the build left beside the site (staging folders, old sites)."""
    write.wait_for_removals()
    return sorted(p.name for p in site_dir.parent.iterdir() if p.name.startswith("_site."))


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A published site of three files."""
    site = tmp_path / "_site"
    publish(site, [("index.html", b"home"), ("a/index.html", b"a"), ("a/b/c.css", b"c")])
    return site


# --- what may be put --------------------------------------------------------------------------


def test_two_sources_for_one_output_are_refused(tmp_path: Path) -> None:
    staging = write.open_staging(tmp_path / "_site")
    write.put(staging, "a/index.html", b"1", "the page plan")
    with pytest.raises(
        BuildError, match=r"a/index\.html: error: written by both the page plan and assets"
    ):
        write.put(staging, "a/index.html", b"2", "assets")


def test_a_file_where_a_folder_is_is_refused(tmp_path: Path) -> None:
    staging = write.open_staging(tmp_path / "_site")
    write.put(staging, "a/index.html", b"1", "the pages")
    with pytest.raises(BuildError, match="a: error: assets writes a file where the site has"):
        write.put(staging, "a", b"2", "assets")
    with pytest.raises(BuildError, match=r"writes into a/index\.html, a file of the site"):
        write.put(staging, "a/index.html/x", b"2", "assets")


@pytest.mark.parametrize(
    "path",
    [
        "../evil.html",
        "/etc/passwd",
        "a/../../b.html",
        "a//b.html",
        "a\\b.html",
        "",
        "./a.html",
        "a/.",
    ],
)
def test_paths_outside_the_site_are_refused(path: str, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="outside the site folder"):
        write.put(write.open_staging(tmp_path / "_site"), path, b"x", "test")


def test_text_must_be_nfc_without_compatibility_ideographs(tmp_path: Path) -> None:
    write.check_text("ok.html", "澳門 CEPA".encode())
    with pytest.raises(BuildError, match=r"U\+F9"):
        write.check_text("bad.html", "\uf9001".encode())
    decomposed = unicodedata.normalize("NFD", "é")
    with pytest.raises(BuildError, match="NFC"):
        write.check_text("bad.html", decomposed.encode())
    staging = write.open_staging(tmp_path / "_site")
    with pytest.raises(BuildError, match="NFC"):
        write.put(staging, "bad.html", decomposed.encode(), "test")
    write.put(staging, "font.bin", "\uf900".encode(), "binary files are not checked")


# --- only what changed ------------------------------------------------------------------------


def test_unchanged_files_are_linked_and_changed_ones_written_anew(site_dir: Path) -> None:
    before = inodes(site_dir)
    staging = publish(
        site_dir, [("index.html", b"home 2"), ("a/index.html", b"a"), ("a/b/c.css", b"c")]
    )
    after = inodes(site_dir)
    assert tree(site_dir) == {"a/b/c.css": b"c", "a/index.html": b"a", "index.html": b"home 2"}
    assert after["a/index.html"] == before["a/index.html"]
    assert after["a/b/c.css"] == before["a/b/c.css"]
    assert after["index.html"] != before["index.html"]
    assert (staging.written, staging.linked) == (1, 2)
    assert beside(site_dir) == []


def test_a_build_never_writes_into_a_published_file(site_dir: Path, tmp_path: Path) -> None:
    """Every published file is also linked from a folder aside (the same inodes): after a build
    that changes one file and drops another, each still holds its old bytes."""
    aside = tmp_path / "aside"
    for path in tree(site_dir):
        (aside / path).parent.mkdir(parents=True, exist_ok=True)
        os.link(site_dir / path, aside / path)
    old = tree(aside)
    publish(site_dir, [("index.html", b"home, longer now"), ("a/index.html", b"A")])
    assert tree(aside) == old
    assert tree(site_dir) == {"a/index.html": b"A", "index.html": b"home, longer now"}


def test_nothing_changed_writes_nothing(site_dir: Path) -> None:
    before = inodes(site_dir)
    folder = site_dir.stat().st_ino
    staging = write.open_staging(site_dir)
    write.put_all(
        staging, [("a/b/c.css", b"c"), ("index.html", b"home"), ("a/index.html", b"a")], "t"
    )
    assert not staging.folder.exists()
    assert write.finish(staging) is False
    assert (staging.written, staging.linked) == (0, 0)
    assert inodes(site_dir) == before and site_dir.stat().st_ino == folder
    assert beside(site_dir) == []


@pytest.mark.parametrize(
    "edit",
    [
        "same size",  # a hand edit that keeps the length
        "longer",
        "replaced",  # a new file under the same name (what editors save as)
        "extra file",  # a file the build does not write
        "extra folder",
        "missing",
        "mode",  # chmod
        "symlink",  # a link where a file was
        "linked folder",  # a link where a folder was
    ],
)
def test_a_published_file_edited_by_hand_does_not_leak(
    site_dir: Path, tmp_path: Path, edit: str
) -> None:
    outputs = [("index.html", b"home"), ("a/index.html", b"a"), ("a/b/c.css", b"c")]
    page = site_dir / "a" / "index.html"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_bytes(b"a")  # the same bytes, outside the site
    if edit == "same size":
        page.write_bytes(b"X")
    elif edit == "longer":
        with page.open("ab") as f:
            f.write(b"<script>")
    elif edit == "replaced":
        page.unlink()
        page.write_bytes(b"Z")
    elif edit == "extra file":
        (site_dir / "a" / "notes.txt").write_text("mine")
    elif edit == "extra folder":
        (site_dir / "drafts").mkdir()
    elif edit == "missing":
        page.unlink()
    elif edit == "mode":
        page.chmod(0o600)
    elif edit == "symlink":
        page.unlink()
        page.symlink_to(outside / "index.html")
    elif edit == "linked folder":
        (site_dir / "a" / "b" / "c.css").unlink()
        (site_dir / "a" / "b").rmdir()
        (outside / "c.css").write_bytes(b"c")
        (site_dir / "a" / "b").symlink_to(outside)
    publish(site_dir, outputs)
    assert tree(site_dir) == dict(outputs)
    assert not any(p.is_symlink() for p in site_dir.rglob("*"))
    assert sorted(p.name for p in site_dir.iterdir()) == ["a", "index.html"]
    mode = write._new_file_mode()
    assert all((p.stat().st_mode & 0o777) == mode for p in site_dir.rglob("*") if p.is_file())
    assert (outside / "index.html").read_bytes() == b"a"  # what is outside stays as it was
    assert (outside / "index.html").stat().st_nlink == 1  # and is not part of the site
    assert beside(site_dir) == []


def test_where_files_cannot_be_linked_they_are_copied(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cannot)
    before = inodes(site_dir)
    staging = publish(
        site_dir, [("a/index.html", b"a"), ("index.html", b"home 2"), ("a/b/c.css", b"c")]
    )
    assert tree(site_dir) == {"a/b/c.css": b"c", "a/index.html": b"a", "index.html": b"home 2"}
    assert not set(inodes(site_dir).values()) & set(before.values())
    assert (staging.written, staging.linked) == (3, 0)


# --- faults -----------------------------------------------------------------------------------


def failing_after(count: int, call: object) -> object:
    """``call`` that raises ENOSPC (a full disk) from its ``count``-th call on."""
    calls = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) >= count:
            raise OSError(errno.ENOSPC, "No space left on device")
        return call(*args, **kwargs)  # type: ignore[operator]

    return failing


@pytest.mark.parametrize("failing", ["_create", "link", "mkdir"])
def test_a_full_disk_keeps_the_old_site(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    old = tree(site_dir)
    if failing == "_create":
        monkeypatch.setattr(write, "_create", failing_after(2, write._create))
    else:
        monkeypatch.setattr(os, failing, failing_after(2, getattr(os, failing)))
    outputs = [
        ("a/index.html", b"a"),  # linked
        ("a/b/c.css", b"c"),  # linked
        ("d/index.html", b"d"),  # new
        ("e/f/index.html", b"e"),  # new
        ("index.html", b"home 2"),
    ]
    with pytest.raises(BuildError, match=r"No space.*previous site is unchanged"):
        write.stage(outputs, site_dir)
    assert tree(site_dir) == old
    assert beside(site_dir) == []


def test_a_failed_rename_puts_the_old_site_back(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = write.stage(files("index.html"), site_dir)
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if self == staged.folder:
            raise OSError("rename failed")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)  # the two-rename fallback
    with pytest.raises(BuildError, match="rename failed"):
        write.swap(staged)
    assert (site_dir / "index.html").read_text() == "home"


def test_first_build_needs_no_old_site(tmp_path: Path) -> None:
    site_dir = tmp_path / "_site"
    write.swap(write.stage(files("index.html", text="x"), site_dir))
    assert (site_dir / "index.html").read_text() == "x"
    assert beside(site_dir) == []


def test_the_old_site_is_removed_after_the_swap(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renamed aside at once, deleted by a thread the process waits for."""
    removing = []
    monkeypatch.setattr(write, "remove_later", removing.append)
    staged = write.stage(files("index.html"), site_dir)
    write.swap(staged)
    trash = write.trash_dir(site_dir)
    assert removing == [trash]
    assert tree(trash)["index.html"] == b"home"  # the old site, whole, aside
    assert tree(site_dir) == {"index.html": b"new"}
    monkeypatch.undo()
    write.remove_later(trash)
    assert beside(site_dir) == []


def test_recover_removes_what_a_killed_build_left(site_dir: Path) -> None:
    parent = site_dir.parent
    for name in ("_site.tmp-99999", "_site.trash-99998", "_site.old-99997"):
        (parent / name / "x").mkdir(parents=True)
        (parent / name / "x" / "index.html").write_text("left")
    (parent / "_site.tmp-99996").write_text("a file")
    write.recover(site_dir)
    assert beside(site_dir) == []
    assert tree(site_dir)["index.html"] == b"home"


def test_recover_leaves_the_old_site_a_running_build_removes(site_dir: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (site_dir.parent / f"_site.trash-{sleeper.pid}").mkdir()
        write.recover(site_dir)
        assert beside(site_dir) == [f"_site.trash-{sleeper.pid}"]
    finally:
        sleeper.kill()
        sleeper.wait()
    write.recover(site_dir)
    assert beside(site_dir) == []


def test_stage_writes_the_bytes_it_is_given(tmp_path: Path) -> None:
    site_dir = tmp_path / "_site"
    outputs = [(f"{i % 7}/{i}/page.bin", hashlib.sha256(b"%d" % i).digest()) for i in range(200)]
    publish(site_dir, outputs)
    assert tree(site_dir) == dict(outputs)
    changed = [(p, d if i % 3 else d[::-1]) for i, (p, d) in enumerate(outputs)]
    staging = publish(site_dir, changed)
    assert tree(site_dir) == dict(changed)
    assert (staging.written, staging.linked) == (67, 133)


def test_outputs_handed_over_come_back_one_by_one(tmp_path: Path) -> None:
    outputs = {"pagefind/a.pf_index": bytes(range(256)) * 3, "zh-hant/資料.json": b"{}\n", "e": b""}
    write.save_outputs(tmp_path / "h", outputs)
    back = write.load_outputs(tmp_path / "h")
    assert next(back) == ("e", b"")  # in order, as they are read
    assert dict(back) == {k: v for k, v in outputs.items() if k != "e"}
    data = (tmp_path / "h").read_bytes()
    (tmp_path / "h").write_bytes(data[:-5])
    with pytest.raises(BuildError, match="cut short"):
        dict(write.load_outputs(tmp_path / "h"))
    (tmp_path / "h").write_bytes(b"x y\n" + data)
    with pytest.raises(BuildError, match="damaged"):
        dict(write.load_outputs(tmp_path / "h"))
