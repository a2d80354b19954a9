"""The search index's unchanged part folders, linked from the published site unread.

A part's folder (``pagefind/<script>/<name>-<digest>``) is named by a digest of its files; when
the published site is exactly as the last build left it (its fingerprint, ``lastbuild``), a
folder of the same name holds the same files, so a rebuild links them without the index's
process handing them over or the build reading them back (``write.kept``,
``write.put_published``). Each way that assumption could fail is tried here: the site must
still equal a clean build, and a file that is not the build's is never carried over.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bulletin_site import pipeline, write
from bulletin_site.errors import BuildError
from bulletin_site.intake import add
from test_cache import new_bulletin, tree


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path of the search index the build links unread (``put_published``; the pages
    linked so are ``test_known_pages``'s)."""
    seen: list[str] = []
    real = write.put_published

    def put_published(staging: write.Staging, path: str, inode: int, origin: str) -> None:
        if origin == "the search index":
            seen.append(path)
        real(staging, path, inode, origin)

    monkeypatch.setattr(write, "put_published", put_published)
    return seen


def add_issue(root: Path, tmp_path: Path) -> None:
    added = add(root, new_bulletin(tmp_path))
    (root / str(added.stub)).write_text("number: 72\ndate: 2020-03-01\n")


def clean_build_of(root: Path, make_project: Callable[[str], Path]) -> dict[str, bytes]:
    full = make_project("full")
    for part in ("seeds", "content"):
        shutil.rmtree(full / part)
        shutil.copytree(root / part, full / part)
    pipeline.build(full, clean=True)
    return tree(full / "_site")


def part_files(site_dir: Path) -> Iterator[Path]:
    return (p for p in sorted((site_dir / "pagefind").rglob("*")) if p.is_file())


def modes(site_dir: Path) -> dict[str, int]:
    return {
        p.relative_to(site_dir).as_posix(): stat.S_IMODE(p.lstat().st_mode)
        for p in site_dir.rglob("*")
        if p.is_file()
    }


def test_unchanged_parts_are_linked_unread_and_the_site_equals_a_clean_build(
    make_project: Callable[[str], Path], tmp_path: Path, spied: list[str]
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    assert spied == []  # a first build has nothing to keep
    before = {
        p.relative_to(root / "_site").as_posix(): p.stat().st_ino
        for p in part_files(root / "_site")
    }
    add_issue(root, tmp_path)
    report = pipeline.build(root)
    assert spied, "no part folder kept: the test project must have an unchanged part"
    assert all(p.startswith("pagefind/") for p in spied)
    site = root / "_site"
    # Linked: the very files of the old site.
    assert all((site / p).stat().st_ino == before[p] for p in spied)
    assert report.linked >= len(spied)
    assert tree(site) == clean_build_of(root, make_project)


def test_a_hand_edit_in_a_part_folder_is_never_carried_over(
    make_project: Callable[[str], Path], tmp_path: Path, spied: list[str]
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    # The same length, the same inode: only the bytes (and so the modification time) differ.
    edited = next(part_files(root / "_site"))
    data = bytearray(edited.read_bytes())
    data[0] ^= 1
    with open(edited, "r+b") as f:
        f.write(bytes(data))
    add_issue(root, tmp_path)
    pipeline.build(root)
    assert spied == []  # the site is not as the last build left it: nothing taken on trust
    assert tree(root / "_site") == clean_build_of(root, make_project)


def test_a_part_file_replaced_after_the_listing_stops_the_build(
    make_project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    add_issue(root, tmp_path)
    real = pipeline.write_search_index
    replaced: dict[str, dict[str, bytes]] = {}

    def write_search_index(handover: Path, staging: write.Staging, kept: dict) -> None:
        # Between the listing and the linking: a new inode where a listed file was.
        path = root / "_site" / next(iter(kept.values()))[0][0]
        swap = path.with_name(path.name + ".new")
        swap.write_bytes(b"not the build's")
        os.replace(swap, path)
        replaced["site"] = tree(root / "_site")
        real(handover, staging, kept)

    monkeypatch.setenv("BULLETIN_SITE_JOBS", "1")
    monkeypatch.setattr(pipeline, "write_search_index", write_search_index)
    with pytest.raises(BuildError, match="changed while the build ran"):
        pipeline.build(root)
    assert tree(root / "_site") == replaced["site"]  # the old site (with that file), whole
    assert not any(p.name.startswith("_site.tmp") for p in root.iterdir())


def test_another_umask_writes_the_parts_anew(
    make_project: Callable[[str], Path], tmp_path: Path, spied: list[str]
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    add_issue(root, tmp_path)
    old = os.umask(0o077)
    try:
        pipeline.build(root)
    finally:
        os.umask(old)
    assert spied == []
    assert set(modes(root / "_site").values()) == {0o600}


@pytest.mark.parametrize("fault", ["full disk", "killed"])
def test_a_fault_while_linking_kept_parts_keeps_the_old_site(
    make_project: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    add_issue(root, tmp_path)
    fault_while_linking(
        root, make_project, monkeypatch, fault, at=3, of=lambda path: path.startswith("pagefind/")
    )


def fault_while_linking(
    root: Path,
    make_project: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    at: int,
    of: Callable[[str], bool],
) -> None:
    """A full disk or a kill at the ``at``-th link of a published file ``of`` names: the old
    site stays whole, no staging is left, and the next build equals a clean build."""
    real = write._link
    calls = {"n": 0}

    def link(staging: write.Staging, path: str, inode: int) -> bool:
        if of(path):
            calls["n"] += 1
            if calls["n"] == at:  # part-way through
                if fault == "killed":
                    raise KeyboardInterrupt
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(staging, path, inode)

    monkeypatch.setattr(write, "_link", link)
    before = tree(root / "_site")
    with pytest.raises(BuildError if fault == "full disk" else KeyboardInterrupt):
        pipeline.build(root)
    assert calls["n"] >= at
    assert tree(root / "_site") == before
    assert not any(p.name.startswith("_site.tmp") for p in root.iterdir())
    # The next build, unhindered, makes the new site as a clean build would.
    monkeypatch.setattr(write, "_link", real)
    pipeline.build(root)
    assert tree(root / "_site") == clean_build_of(root, make_project)
