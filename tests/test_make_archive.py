"""bench/make_archive.py: a small archive the reader can read, with its metadata and Hugo twin."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from bulletin_site.config import load_config
from bulletin_site.model import Bulletin
from bulletin_site.parse import read_document

ROOT = Path(__file__).resolve().parents[1]


def make_archive_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_archive", ROOT / "bench" / "make_archive.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_archive"] = module
    spec.loader.exec_module(module)
    return module


def test_three_parseable_bulletins_with_metadata_and_hugo_pages(tmp_path: Path) -> None:
    out = tmp_path / "archive"
    issues = make_archive_module().make_archive(3, out, seed=7)

    seeds = sorted((out / "seeds").glob("*.txt"))
    assert [p.stem for p in seeds] == sorted(i.stem for i in issues)
    config = load_config(out)
    assert not [w for w in config.warnings if "site.yaml" in w.path]
    assert (out / "content" / "glossary.yaml").read_bytes() == (
        ROOT / "content" / "glossary.yaml"
    ).read_bytes()
    for issue in issues:
        doc = read_document(out / "seeds" / f"{issue.stem}.txt").document
        assert isinstance(doc, Bulletin)
        assert doc.script == issue.script
        assert [a.title for a in doc.articles] == [a.title for a in issue.articles[issue.script]]
        assert config.documents[issue.stem].number == issue.number
        assert config.documents[issue.stem].date == issue.date
        for code in ("zh-hant", "zh-hans"):
            folder = out / "hugo" / "content" / code / "bulletins" / str(issue.number)
            pages = sorted(p.name for p in folder.glob("*.md"))
            assert len(pages) == len(doc.articles) + 1  # the articles and _index.md
    assert (out / "hugo" / "hugo.toml").exists()
    assert (out / "hugo" / "layouts" / "_default" / "single.html").exists()


def test_the_same_count_and_seed_give_the_same_files(tmp_path: Path) -> None:
    make = make_archive_module().make_archive
    make(2, tmp_path / "a", seed=1, hugo=False)
    make(2, tmp_path / "b", seed=1, hugo=False)

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    assert files(tmp_path / "a") == files(tmp_path / "b")
