"""The output plan and the atomic swap: all or nothing, never outside the site folder."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bulletin_site import write
from bulletin_site.errors import BuildError


def plan(*paths: str, text: str = "new") -> write.SiteFiles:
    return write.add(write.SiteFiles(), [(p, text.encode()) for p in paths], "test")


def test_two_sources_for_one_output_are_refused() -> None:
    first = write.add(write.SiteFiles(), [("a/index.html", b"1")], "the page plan")
    with pytest.raises(
        BuildError, match=r"a/index\.html: error: written by both the page plan and assets"
    ):
        write.add(first, [("a/index.html", b"2")], "assets")


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
def test_paths_outside_the_site_are_refused(path: str) -> None:
    with pytest.raises(BuildError, match="outside the site folder"):
        write.add(write.SiteFiles(), [(path, b"x")], "test")


def test_text_must_be_nfc_without_compatibility_ideographs() -> None:
    write.check_text("ok.html", "澳門 CEPA".encode())
    with pytest.raises(BuildError, match=r"U\+F9"):
        write.check_text("bad.html", "\uf9001".encode())
    decomposed = unicodedata.normalize("NFD", "é")
    with pytest.raises(BuildError, match="NFC"):
        write.check_text("bad.html", decomposed.encode())
    write.add(write.SiteFiles(), [("font.bin", "\uf900".encode())], "binary files are not checked")


def test_stage_and_swap_replace_the_site(tmp_path: Path) -> None:
    site_dir = tmp_path / "_site"
    site_dir.mkdir()
    (site_dir / "stale.html").write_text("old")
    staged = write.stage(plan("index.html", "zh-hant/index.html"), site_dir)
    assert staged.name.startswith("_site.tmp-")
    assert (site_dir / "stale.html").exists()  # not touched before the swap
    write.swap(staged, site_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]
    assert (site_dir / "index.html").read_text() == "new"
    assert not (site_dir / "stale.html").exists()


def test_a_failed_write_keeps_the_old_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site_dir = tmp_path / "_site"
    site_dir.mkdir()
    (site_dir / "index.html").write_text("old")
    calls = []

    def failing_write(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return Path.write_text(self, data.decode())

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(BuildError, match=r"No space.*previous site is unchanged"):
        write.stage(plan("a.html", "b.html", "c.html"), site_dir)
    assert (site_dir / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]  # no staged leftovers


def test_a_failed_rename_puts_the_old_site_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_dir = tmp_path / "_site"
    site_dir.mkdir()
    (site_dir / "index.html").write_text("old")
    staged = write.stage(plan("index.html"), site_dir)
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if self == staged:
            raise OSError("rename failed")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)  # the two-rename fallback
    with pytest.raises(BuildError, match="rename failed"):
        write.swap(staged, site_dir)
    assert (site_dir / "index.html").read_text() == "old"


def test_first_build_needs_no_old_site(tmp_path: Path) -> None:
    site_dir = tmp_path / "_site"
    write.swap(write.stage(plan("index.html", text="x"), site_dir), site_dir)
    assert (site_dir / "index.html").read_text() == "x"
