"""No escape: file names, links and settings cannot make the build read or write outside
seeds/, content/, the template folders and _site/ (and its cache)."""

from __future__ import annotations

import os
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin_site import pipeline, write
from bulletin_site.errors import BuildError
from bulletin_site.paths import collisions, seed_name_problem

SECRET = "TOP-SECRET-不可外洩"


def plant_secret(folder: Path) -> Path:
    secret = folder / "secret.txt"
    secret.write_text(f"1. {SECRET}\n2. 標題\n一、{SECRET}\n1. {SECRET}\n2. x\n", encoding="utf-8")
    return secret


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file and link under ``folder``: what a build may not have touched."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[path.relative_to(folder).as_posix()] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def refused(root: Path, *expected: str) -> str:
    with pytest.raises(BuildError) as raised:
        pipeline.build(root)
    message = str(raised.value)
    for text in expected:
        assert text in message, message
    assert not (root / "_site").exists() or SECRET not in _all_text(root / "_site")
    return message


def _all_text(folder: Path) -> str:
    return "".join(
        p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()
    )


# --- links ------------------------------------------------------------------------------------


def test_a_seed_linked_to_a_file_outside_is_refused(
    make_small_project: Callable[[str], Path], tmp_path: Path
) -> None:
    root = make_small_project("p")
    secret = plant_secret(tmp_path)
    (root / "seeds" / "009_leak.txt").symlink_to(secret)
    refused(root, "seeds/009_leak.txt: error: is a symbolic link to", "outside seeds/")


def test_a_linked_folder_of_seeds_outside_is_refused(
    make_small_project: Callable[[str], Path], tmp_path: Path
) -> None:
    root = make_small_project("p")
    plant_secret(tmp_path)
    (root / "seeds" / "more").symlink_to(tmp_path)
    refused(root, "seeds/more: error: is a symbolic link to")


@pytest.mark.parametrize(
    "link", ["content/site.yaml", "content/issues/001_bulletin.yaml", "content/glossary.yaml"]
)
def test_content_linked_outside_is_refused(
    make_small_project: Callable[[str], Path], tmp_path: Path, link: str
) -> None:
    root = make_small_project("p")
    secret = plant_secret(tmp_path)
    (root / link).unlink()
    (root / link).symlink_to(secret)
    refused(root, f"{link}: error: is a symbolic link to")


def test_a_correction_linked_outside_is_refused(
    make_small_project: Callable[[str], Path], tmp_path: Path
) -> None:
    root = make_small_project("p")
    secret = plant_secret(tmp_path)
    (root / "content" / "corrections").mkdir()
    (root / "content" / "corrections" / "001_bulletin.md").symlink_to(secret)
    refused(root, "content/corrections/001_bulletin.md: error: is a symbolic link")


def test_a_dangling_link_is_refused(make_small_project: Callable[[str], Path]) -> None:
    root = make_small_project("p")
    (root / "seeds" / "009_gone.txt").symlink_to(root / "nowhere.txt")
    refused(root, "seeds/009_gone.txt: error: is a symbolic link to nothing")


def test_a_template_asset_linked_outside_is_refused(
    make_small_project: Callable[[str], Path], tmp_path: Path
) -> None:
    root = make_small_project("p")
    secret = plant_secret(tmp_path)
    mine = root / "mine"
    (mine / "assets").mkdir(parents=True)
    (mine / "assets" / "leak.txt").symlink_to(secret)
    (root / "content" / "site.yaml").write_text("base_url: https://a.mo/\ntemplates: mine\n")
    refused(root, "mine/assets/leak.txt: error: is a symbolic link to")


def test_links_that_stay_inside_are_fine(make_small_project: Callable[[str], Path]) -> None:
    root = make_small_project("p")
    shared = root / "content" / "issues" / "shared"
    shared.mkdir()
    (shared / "second.yaml").write_text("number: 2\ndate: 2020-02-01\n")
    (root / "content" / "issues" / "002_bulletin.yaml").symlink_to("shared/second.yaml")
    assert pipeline.build(root).documents == 5


def test_templates_cannot_include_files_outside(
    make_small_project: Callable[[str], Path], tmp_path: Path
) -> None:
    root = make_small_project("p")
    plant_secret(tmp_path)
    mine = root / "mine"
    mine.mkdir()
    (mine / "robots.txt").write_text('{% include "../../secret.txt" %}\n')
    (root / "content" / "site.yaml").write_text("base_url: https://a.mo/\ntemplates: mine\n")
    refused(root, "template not found")


@pytest.mark.parametrize("setting", ["../outside", "/etc", "seeds/../../outside"])
def test_the_template_folder_must_be_inside_the_project(
    make_small_project: Callable[[str], Path], setting: str
) -> None:
    root = make_small_project("p")
    (root.parent / "outside").mkdir(exist_ok=True)
    (root / "content" / "site.yaml").write_text(f"base_url: https://a.mo/\ntemplates: {setting}\n")
    refused(root, "content/site.yaml:2: error: templates must be a folder inside the project")


def test_a_linked_site_folder_is_refused_and_its_target_untouched(
    make_small_project: Callable[[str], Path], tmp_path: Path
) -> None:
    root = make_small_project("p")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.html").write_text("keep")
    (root / "_site").symlink_to(elsewhere)
    refused(root, "_site: error: is a symbolic link")
    assert snapshot(elsewhere) == {"keep.html": b"keep"}
    assert (root / "_site").is_symlink()


# --- names ------------------------------------------------------------------------------------

BAD_NAMES = [
    "CON.txt",
    "nul.txt",
    "com1.txt",
    "LPT9.txt",
    "aux.report.txt",
    "a:b.txt",
    "a?b.txt",
    "a*b.txt",
    'a"b.txt',
    "a<b>.txt",
    "a|b.txt",
    "a\\b.txt",
    "a#b.txt",
    "a%2e%2e.txt",
    "x..txt",  # stem "x." ends with a dot
    "x .txt",
    " x.txt",
    "a\u202eb.txt",  # right-to-left override
    "a\u200bb.txt",  # zero-width space
    "a\x01b.txt",
    "a" * 201 + ".txt",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_seed_names_are_refused(name: str) -> None:
    assert seed_name_problem(name) is not None


@pytest.mark.parametrize(
    "name", ["000_7c1a5d4148a0e861.txt", "區域合作.txt", "2024-01_cepa.v2.txt", "Console.txt"]
)
def test_good_seed_names_pass(name: str) -> None:
    assert seed_name_problem(name) is None


@pytest.mark.parametrize("name", ["CON.txt", "a:b.txt", "x .txt", "a\u202eb.txt"])
def test_a_build_with_a_bad_seed_name_says_which_file(
    make_small_project: Callable[[str], Path], name: str
) -> None:
    root = make_small_project("p")
    shutil.copy(root / "seeds" / "001_bulletin.txt", root / "seeds" / name)
    refused(root, f"seeds/{name}: ")


@pytest.mark.parametrize(
    "names",
    [
        ("Report.txt", "report.txt"),
        (unicodedata.normalize("NFC", "café.txt"), unicodedata.normalize("NFD", "café.txt")),
        ("STRASSE.txt", "straße.txt"),
    ],
)
def test_names_that_collide_after_normalisation_are_refused(
    make_small_project: Callable[[str], Path], names: tuple[str, str]
) -> None:
    assert collisions(n.removesuffix(".txt") for n in names)
    root = make_small_project("p")
    for name in names:
        shutil.copy(root / "seeds" / "001_bulletin.txt", root / "seeds" / name)
    refused(root, "on a case-insensitive or normalising file system")


# --- nothing is written outside _site/ and the cache ------------------------------------------


def test_a_build_writes_only_its_site_and_cache(
    make_small_project: Callable[[str], Path], tmp_path: Path
) -> None:
    root = make_small_project("p")
    neighbour = tmp_path / "neighbour"
    neighbour.mkdir()
    (neighbour / "a.txt").write_text("a")
    before = snapshot(tmp_path)
    pipeline.build(root)
    after = snapshot(tmp_path)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed
    assert all(p.startswith(("p/_site/", "p/.bulletin-cache/")) for p in changed), sorted(
        p for p in changed if not p.startswith(("p/_site/", "p/.bulletin-cache/"))
    )


@pytest.mark.parametrize(
    "path", ["../x.html", "/etc/x", "a/../../x", "a\\..\\x", "a\x00b", "./a", "a//b", ""]
)
def test_output_paths_outside_the_site_are_refused(path: str, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="outside the site folder"):
        write.put(write.open_staging(tmp_path / "_site"), path, b"x", "test")
