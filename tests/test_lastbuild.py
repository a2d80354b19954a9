"""A rebuild with the last build's inputs, and the site as that build left it, does nothing;
any other rebuild (an input changed, the site touched by hand) builds."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from bulletin_site import lastbuild, pipeline, write
from bulletin_site.project import CACHE


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*")}


def did_nothing(report: pipeline.BuildReport) -> bool:
    return report.stage_seconds.keys() == {"read"} and report.written == report.linked == 0


@pytest.fixture
def built(project: Path) -> tuple[Path, pipeline.BuildReport]:
    """The project, without a base_url (a warning), built once; its report."""
    site_yaml = project / "content" / "site.yaml"
    text = site_yaml.read_text("utf-8")
    site_yaml.write_text(re.sub(r"(?m)^base_url:.*\n", "", text), encoding="utf-8")
    return project, pipeline.build(project)


def test_the_same_inputs_and_site_do_nothing_and_report_the_same(
    built: tuple[Path, pipeline.BuildReport],
) -> None:
    project, first = built
    site = inodes(project / "_site")
    again = pipeline.build(project)
    assert did_nothing(again)
    assert inodes(project / "_site") == site
    assert (again.documents, again.pages, again.files) == (
        first.documents,
        first.pages,
        first.files,
    )
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]
    assert "no base_url" in str(again.warnings)  # said again
    assert again.cache.computed == dict.fromkeys(("readings", "converted", "pages"), 0)


@pytest.mark.parametrize(
    "change",
    ["seed", "metadata", "template", "asset", "new file", "removed file", "clean"],
)
def test_any_input_changed_builds(built: tuple[Path, pipeline.BuildReport], change: str) -> None:
    project, _ = built
    seed = sorted((project / "seeds").glob("*.txt"))[0]
    meta = sorted((project / "content" / "issues").glob("*.yaml"))[0]
    if change == "seed":
        seed.write_bytes(seed.read_bytes() + b"\n")
    elif change == "metadata":
        meta.write_text(meta.read_text("utf-8") + "\n# a comment\n", encoding="utf-8")
    elif change == "template":
        page = project / "templates" / "article.html"
        page.write_text(page.read_text("utf-8") + "\n", encoding="utf-8")
    elif change == "asset":
        (project / "templates" / "assets" / "extra.css").write_text("p {}\n", encoding="utf-8")
    elif change == "new file":
        (project / "content" / "notes.txt").write_text("x", encoding="utf-8")
    elif change == "removed file":
        (project / "content" / "glossary.yaml").unlink()
    report = pipeline.build(project, clean=change == "clean")
    assert not did_nothing(report)
    assert did_nothing(pipeline.build(project))  # that build's record, the same again
    if change == "asset":
        assert (project / "_site" / "assets" / "extra.css").is_file()


@pytest.mark.parametrize("edit", ["same size", "mode", "removed", "added", "folder added"])
def test_a_site_touched_by_hand_is_built_again(
    built: tuple[Path, pipeline.BuildReport], edit: str
) -> None:
    project, _ = built
    site = project / "_site"
    expected = tree(site)
    page = site / "zh-hant" / "index.html"
    if edit == "same size":
        data = bytearray(page.read_bytes())
        data[-2] ^= 1
        page.write_bytes(bytes(data))  # in place: the same inode, a new modification time
    elif edit == "mode":
        page.chmod(0o600)
    elif edit == "removed":
        page.unlink()
    elif edit == "added":
        (site / "zh-hant" / "mine.html").write_text("mine", encoding="utf-8")
    elif edit == "folder added":
        (site / "drafts").mkdir()
    report = pipeline.build(project)
    assert not did_nothing(report)
    assert tree(site) == expected
    assert not (site / "drafts").exists()
    assert did_nothing(pipeline.build(project))  # and then, as it is left, nothing again


def test_a_site_copied_in_is_built_again(built: tuple[Path, pipeline.BuildReport]) -> None:
    """The same files, but not the ones the build left (restored from a backup, say)."""
    project, _ = built
    site = project / "_site"
    expected = tree(site)
    shutil.copytree(site, project / "copy", copy_function=shutil.copy2)
    shutil.rmtree(site)
    (project / "copy").rename(site)
    assert not did_nothing(pipeline.build(project))
    assert tree(site) == expected


def test_an_input_edited_during_the_build_leaves_no_record(
    built: tuple[Path, pipeline.BuildReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inputs are read again at the end: if they changed meanwhile, the site may be of
    either version, so the next build builds."""
    project, _ = built
    (project / "content" / "notes.txt").write_text("x", encoding="utf-8")
    real = lastbuild.inputs_digest
    calls = []

    def edited_meanwhile(root: Path) -> str | None:
        calls.append(root)
        return real(root) if len(calls) == 1 else "changed"

    monkeypatch.setattr(lastbuild, "inputs_digest", edited_meanwhile)
    assert not did_nothing(pipeline.build(project))
    assert len(calls) == 2
    assert not (project / CACHE / lastbuild.RECORD).exists()
    monkeypatch.undo()
    assert not did_nothing(pipeline.build(project))
    assert did_nothing(pipeline.build(project))


def test_a_link_among_the_inputs_gives_no_digest(project: Path, tmp_path: Path) -> None:
    assert lastbuild.inputs_digest(project) is not None
    (tmp_path / "elsewhere.txt").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "elsewhere.txt", project / "content" / "link.txt")
    assert lastbuild.inputs_digest(project) is None


def test_a_damaged_record_is_no_record(built: tuple[Path, pipeline.BuildReport]) -> None:
    project, _ = built
    record = project / CACHE / lastbuild.RECORD
    record.write_text('{"version": 1, "inputs": "x"', encoding="utf-8")
    assert lastbuild.load(project / CACHE) is None
    assert not did_nothing(pipeline.build(project))
    assert did_nothing(pipeline.build(project))


def test_the_site_fingerprint_is_what_the_build_left(
    built: tuple[Path, pipeline.BuildReport],
) -> None:
    """The fingerprint the build adds up as it writes is the one a listing of the site gives."""
    project, _ = built
    (project / "content" / "notes.txt").write_text("x", encoding="utf-8")  # a build, not a no-op
    site = project / "_site"
    page = site / "zh-hant" / "index.html"
    page.write_bytes(page.read_bytes() + b" ")
    pipeline.build(project)
    write.wait_for_removals()
    record = lastbuild.load(project / CACHE)
    assert record is not None
    assert record.site == f"{write.published_site(site).fingerprint:064x}"
