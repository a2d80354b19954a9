"""Pages whose key is the last build's, linked from the published site unread.

When the published site is exactly as the last build left it (its fingerprint, ``lastbuild``),
the file at a page's path holds the page of the key that build recorded for it
(``lastbuild.save_keys``): a rebuild links a page whose key is unchanged without loading its
bytes from the cache or comparing them, and does not even key the pages of a folder whose
recipe (``site.Target.recipe``: the edition, the issue and its neighbours) is unchanged
(``cache.pages``). Each way that could go wrong is tried here: the site must still equal a
clean build, and a file that is not the build's is never carried over.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin_site import cache, lastbuild, pipeline, write
from bulletin_site.errors import BuildError
from test_cache import CACHE_DIR, tree
from test_kept_parts import add_issue, clean_build_of, fault_while_linking, modes

PAGES = "the pages"


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every page the build links unread (``put_published`` with the pages as origin)."""
    seen: list[str] = []
    real = write.put_published

    def put_published(staging: write.Staging, path: str, inode: int, origin: str) -> None:
        if origin == PAGES:
            seen.append(path)
        real(staging, path, inode, origin)

    monkeypatch.setattr(write, "put_published", put_published)
    return seen


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every page the build keys (``cache.page_key``)."""
    seen: list[str] = []
    real = cache.page_key

    def page_key(store: cache.Cache, page: object, templates: str) -> str | None:
        seen.append(page.path)  # type: ignore[attr-defined]
        return real(store, page, templates)

    monkeypatch.setattr(cache, "page_key", page_key)
    return seen


def files(site_dir: Path) -> set[str]:
    return {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}


def test_unchanged_pages_are_linked_unread_and_the_site_equals_a_clean_build(
    make_project: Callable[[str], Path], tmp_path: Path, spied: list[str], keyed: list[str]
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    assert spied == []  # a first build has nothing to go by
    site = root / "_site"
    before = {p: (site / p).stat().st_ino for p in files(site)}
    keyed.clear()
    add_issue(root, tmp_path)
    report = pipeline.build(root)
    assert len(spied) > report.pages // 2, "most pages should be taken as they are"
    assert all((site / p).stat().st_ino == before[p] for p in spied)  # the very files
    # The pages of an issue whose recipe is unchanged (not the new one's neighbour) are not
    # even keyed.
    assert any(p.startswith("zh-hant/bulletins/70/") for p in set(spied) - set(keyed))
    assert len(keyed) < report.pages
    assert tree(site) == clean_build_of(root, make_project)


def test_a_hand_edit_in_a_page_is_never_carried_over(
    make_project: Callable[[str], Path], tmp_path: Path, spied: list[str]
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    # The same length, the same inode: only the bytes (and so the modification time) differ.
    page = next(p for p in sorted((root / "_site").rglob("*.html")) if "bulletins" in str(p))
    data = bytearray(page.read_bytes())
    data[-2] ^= 1
    with open(page, "r+b") as f:
        f.write(bytes(data))
    add_issue(root, tmp_path)
    pipeline.build(root)
    assert spied == []  # the site is not as the last build left it: nothing taken on trust
    assert tree(root / "_site") == clean_build_of(root, make_project)


def test_a_page_replaced_after_the_listing_stops_the_build(
    make_project: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    add_issue(root, tmp_path)
    real = write.put_published
    replaced: dict[str, dict[str, bytes]] = {}

    def put_published(staging: write.Staging, path: str, inode: int, origin: str) -> None:
        if origin == PAGES and not replaced:
            # Between the listing and the linking: a new inode where a listed page was.
            target = root / "_site" / path
            swap = target.with_name(target.name + ".new")
            swap.write_bytes(b"not the build's")
            os.replace(swap, target)
            replaced["site"] = tree(root / "_site")
        real(staging, path, inode, origin)

    monkeypatch.setattr(write, "put_published", put_published)
    with pytest.raises(BuildError, match="changed while the build ran"):
        pipeline.build(root)
    assert tree(root / "_site") == replaced["site"]  # the old site (with that file), whole
    assert not any(p.name.startswith("_site.tmp") for p in root.iterdir())


def test_a_record_of_pages_the_last_build_did_not_name_is_not_trusted(
    make_project: Callable[[str], Path], tmp_path: Path, spied: list[str]
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    record = root / CACHE_DIR / lastbuild.KEYS
    older = record.read_bytes()  # the site without the new issue
    seeds = set((root / "seeds").iterdir())
    content = set((root / "content").rglob("*"))
    add_issue(root, tmp_path)
    pipeline.build(root)  # the newest old issue's page now links to the new one
    # Back to the first inputs, with the first build's record put back by hand: its keys are
    # those pages' keys again, but the site holds the second build's pages.
    for path in set((root / "content").rglob("*")) - content:
        path.unlink()
    for path in set((root / "seeds").iterdir()) - seeds:
        path.unlink()
    record.write_bytes(older)
    spied.clear()
    pipeline.build(root)
    assert spied == []
    assert tree(root / "_site") == clean_build_of(root, make_project)


@pytest.mark.parametrize("damage", ["cut short", "missing", "not a record"])
def test_a_damaged_record_of_pages_is_no_record(
    make_project: Callable[[str], Path], tmp_path: Path, spied: list[str], damage: str
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    record = root / CACHE_DIR / lastbuild.KEYS
    if damage == "missing":
        record.unlink()
    else:
        data = record.read_bytes()
        record.write_bytes(data[: len(data) // 2] if damage == "cut short" else b"x\n" + data)
    add_issue(root, tmp_path)
    pipeline.build(root)
    assert spied == []
    assert tree(root / "_site") == clean_build_of(root, make_project)
    # That build's own record is whole again, for the next build to go by.
    last = lastbuild.load(root / CACHE_DIR)
    assert last is not None and lastbuild.load_keys(root / CACHE_DIR, last.keys).keys


def test_another_umask_writes_the_pages_anew(
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
def test_a_fault_while_linking_known_pages_keeps_the_old_site(
    make_project: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    root = make_project("incremental")
    pipeline.build(root)
    add_issue(root, tmp_path)
    fault_while_linking(
        root, make_project, monkeypatch, fault, at=5, of=lambda path: path.endswith(".html")
    )
