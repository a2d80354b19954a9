"""The build cache: a rebuild recomputes only what depends on a change, writes the same bytes
as a full build, survives a damaged cache, and keeps no more than one site's worth."""

from __future__ import annotations

import datetime
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from markupsafe import Markup

from bulletin_site import cache, lastbuild, pipeline
from bulletin_site.cache import Cache
from bulletin_site.corrections import export
from bulletin_site.intake import add
from bulletin_site.kinds import KINDS
from bulletin_site.model import Bulletin
from bulletin_site.project import CACHE as CACHE_DIR
from layout_maker import Layout, lay_out, sample_articles

ROOT = Path(__file__).resolve().parents[1]


def tree(site_dir: Path) -> dict[str, bytes]:
    """Every file of a built site, byte for byte."""
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }


def new_bulletin(folder: Path, seed: int = 7, number: int = 72) -> Path:
    raw = lay_out(sample_articles(4, seed=seed), Layout(width=21, seed=seed), issue_number=number)
    path = folder / f"new-{seed}.txt"
    path.write_text(raw, encoding="utf-8")
    return path


def correct_first_title(correction: Path, marker: str) -> None:
    lines = correction.read_text("utf-8").split("\n")
    heading = next(i for i, line in enumerate(lines) if line.startswith("## "))
    lines[heading] += marker
    correction.write_text("\n".join(lines), encoding="utf-8")


def entries(root: Path, kind: str) -> set[str]:
    folder = root / CACHE_DIR / kind
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


# ---------------------------------------------------------------------------------------------


def test_an_incremental_build_is_byte_identical_to_a_full_one(
    make_project: Callable[[str], Path], tmp_path: Path
) -> None:
    incremental = make_project("incremental")
    pipeline.build(incremental)
    before = tree(incremental / "_site")
    added = add(incremental, new_bulletin(tmp_path))
    stem = Path(added.seed).stem
    (incremental / str(added.stub)).write_text("number: 72\ndate: 2020-03-01\n")
    path, corrected = export(incremental, "000_7c1a5d4148a0e861", KINDS)
    correct_first_title(incremental / path, "（已更正）")
    report = pipeline.build(incremental)

    full = make_project("full")
    for part in ("seeds", "content"):
        shutil.rmtree(full / part)
        shutil.copytree(incremental / part, full / part)
    assert pipeline.build(full, clean=True).cache.reused == dict.fromkeys(cache.STORES, 0)
    assert tree(incremental / "_site") == tree(full / "_site")
    # Only what changed was written; the rest of the new site is the old site's files, linked.
    after = tree(incremental / "_site")
    changed = {path for path, data in after.items() if before.get(path) != data}
    assert 0 < report.written == len(changed)
    assert report.linked == len(after) - len(changed)

    # Only what depends on the two changes was done again: the new seed was read by `add`
    # already; the new issue and the corrected one converted; the pages of both issues (an
    # article page shows its issue), the issue page of 001 (the neighbour of both), the homes,
    # feeds and sitemap rendered; the other pages came from the cache.
    assert report.cache.computed["readings"] == 0
    assert report.cache.computed["converted"] == 2
    issue_pages = sum(
        2 * (1 + len(doc.articles))
        for doc in (added.reading.document, corrected)
        if isinstance(doc, Bulletin)
    )
    assert report.cache.computed["pages"] <= issue_pages + 2 + 2 + 2 + 1
    assert report.cache.reused["pages"] >= 30  # 001, the plans and the page, search, chooser
    assert stem not in (incremental / "_site" / "zh-hans" / "index.html").read_text("utf-8")
    assert "bulletins/72/index.html" in (
        incremental / "_site" / "zh-hans" / "index.html"
    ).read_text("utf-8")


def test_a_rebuild_of_an_unchanged_project_computes_nothing_even_in_a_new_process(
    project: Path,
) -> None:
    # Two interpreters with two hash seeds, one after the other: the keys may depend on neither.
    code = (
        "import json, sys; from pathlib import Path; from bulletin_site.pipeline import build; "
        "r = build(Path(sys.argv[1])); print(json.dumps([r.cache.computed, r.written]))"
    )

    def computed(seed: str) -> list:
        result = subprocess.run(
            [sys.executable, "-c", code, str(project)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        return json.loads(result.stdout.splitlines()[-1])

    first = computed("1")
    assert first[0]["pages"] > 0 and first[1] > 0
    site = {p: p.stat().st_ino for p in (project / "_site").rglob("*")}
    # Nothing computed, nothing written: the published site stays as it is, file for file.
    assert computed("12345") == [dict.fromkeys(cache.STORES, 0), 0]
    assert {p: p.stat().st_ino for p in (project / "_site").rglob("*")} == site


def test_templates_glossary_and_configuration_invalidate_what_they_shape(project: Path) -> None:
    first = pipeline.build(project)
    pages = first.cache.computed["pages"]

    article = project / "templates" / "article.html"
    article.write_text(article.read_text("utf-8") + "\n")
    report = pipeline.build(project)
    assert report.cache.computed == {"readings": 0, "converted": 0, "pages": pages}

    glossary = project / "content" / "glossary.yaml"
    text = glossary.read_text("utf-8")
    glossary.write_text(text + "\n# a comment changes no rule\n")
    assert pipeline.build(project).cache.computed["converted"] == 0
    glossary.write_text(text.replace("\n  after:\n", "\n  after:\n    絕無此詞: 絕無此詞\n", 1))
    assert pipeline.build(project).cache.computed["converted"] == 5  # each seed, once

    site_yaml = project / "content" / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text("utf-8").replace("https://cepa.example.org/", "https://x.example/")
    )
    report = pipeline.build(project)
    assert report.cache.computed == {"readings": 0, "converted": 0, "pages": pages}


def test_a_document_known_by_its_cache_key_still_changes_with_each_input(
    make_project: Callable[[str], Path],
) -> None:
    """A document read or converted is keyed by what it was made from (``cache.known_by``),
    not walked: each of those inputs changed alone (the seed's bytes, the editor's titles,
    the glossary) changes the pages that show it, and the incremental site is the one a
    clean build makes."""
    incremental = make_project("incremental")
    pipeline.build(incremental)
    stem = "000_7c1a5d4148a0e861"
    article = "zh-hans/bulletins/70/1/index.html"
    seen = [(incremental / "_site" / article).read_bytes()]

    seed = incremental / "seeds" / f"{stem}.txt"
    meta = incremental / "content" / "issues" / f"{stem}.yaml"
    glossary = incremental / "content" / "glossary.yaml"

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    edits = [  # each shows in the Simplified page of the issue's first article
        lambda: replace(seed, "在澳門舉行", "在澳門召開"),
        lambda: replace(meta, "date: 2019-10-01\n", "date: 2019-10-01\ntitles:\n  1: 編輯的標題\n"),
        lambda: replace(
            glossary, "to_hans:\n  before:\n", "to_hans:\n  before:\n    高官會: 高官会议\n"
        ),
    ]
    for edit in edits:
        edit()
        pipeline.build(incremental)
        seen.append((incremental / "_site" / article).read_bytes())
    assert len(set(seen)) == len(seen)

    full = make_project("full")
    for part in ("seeds", "content"):
        shutil.rmtree(full / part)
        shutil.copytree(incremental / part, full / part)
    pipeline.build(full, clean=True)
    assert tree(incremental / "_site") == tree(full / "_site")


def test_a_stylesheet_edit_renders_nothing_unless_a_template_includes_assets(
    project: Path,
) -> None:
    pipeline.build(project)
    style = project / "templates" / "assets" / "style.css"
    style.write_text(style.read_text("utf-8") + "\n/* darker */\n")
    report = pipeline.build(project)
    assert report.cache.computed["pages"] == 0
    assert (project / "_site" / "assets" / "style.css").read_bytes() == style.read_bytes()

    footer = project / "templates" / "robots.txt"
    footer.write_text(footer.read_text("utf-8") + '{% include "assets/lang.js" %}\n')
    pipeline.build(project)
    lang = project / "templates" / "assets" / "lang.js"
    lang.write_text(lang.read_text("utf-8") + "\n// changed\n")
    assert pipeline.build(project).cache.computed["pages"] > 0
    assert "// changed" in (project / "_site" / "robots.txt").read_text("utf-8")


def test_clean_starts_from_an_empty_cache_and_refills_it(project: Path) -> None:
    pipeline.build(project)
    stale = project / CACHE_DIR / "pages" / ("0" * 64)
    stale.write_bytes(b"left over")
    report = pipeline.build(project, clean=True)
    assert report.cache.reused == dict.fromkeys(cache.STORES, 0)
    assert not stale.exists()
    assert pipeline.build(project).cache.computed == dict.fromkeys(cache.STORES, 0)


def test_a_damaged_cache_is_detected_recomputed_and_reported_once(project: Path) -> None:
    pipeline.build(project)
    before = tree(project / "_site")
    [reading, *_] = sorted((project / CACHE_DIR / "readings").iterdir())
    reading.write_bytes(reading.read_bytes()[:-20])  # cut short: its hash no longer matches
    [converted, *_] = sorted((project / CACHE_DIR / "converted").iterdir())
    payload = b"{not json"
    converted.write_bytes(cache.hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    [page, *_] = sorted((project / CACHE_DIR / "pages").iterdir())
    page.write_bytes(b"garbage without a hash line")
    # With the same inputs and the site as it was left, a build has nothing to do and never
    # opens the cache (lastbuild.py); without that record it builds, from the cache.
    (project / CACHE_DIR / lastbuild.RECORD).unlink()

    report = pipeline.build(project)
    assert report.cache.damaged == 3
    assert [str(w) for w in report.warnings] == [
        ".bulletin-cache: warning: 3 damaged cache entries were recomputed"
    ]
    assert tree(project / "_site") == before
    assert pipeline.build(project).cache.damaged == 0  # rewritten


def test_entries_a_build_no_longer_uses_are_removed(project: Path) -> None:
    pipeline.build(project)
    readings = entries(project, "readings")
    (project / "seeds" / "002_297d79192cd207c9.txt").unlink()
    pipeline.build(project)
    assert len(entries(project, "readings")) == len(readings) - 1
    assert (project / CACHE_DIR / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f")


def test_pages_are_kept_in_one_pack_per_folder_holding_what_the_build_used(
    project: Path,
) -> None:
    report = pipeline.build(project)
    packs = entries(project, "pages")
    pages = report.cache.computed["pages"]
    # an issue's page and its article pages share one file (per edition)
    assert len(packs) < pages / 2
    (project / "seeds" / "002_297d79192cd207c9.txt").unlink()
    report = pipeline.build(project)
    assert report.cache.computed["pages"] > 0  # the homes, the neighbours, the sitemap
    assert len(entries(project, "pages")) < len(packs)  # the issue's packs are gone
    stored = [
        cache.unpack(path.read_bytes().partition(b"\n")[2])
        for path in (project / CACHE_DIR / "pages").iterdir()
    ]
    total = report.cache.computed["pages"] + report.cache.reused["pages"]
    assert sum(len(found) for found in stored) == total  # nothing left over inside


def test_a_pack_that_is_not_one_is_damaged_and_recomputed(project: Path) -> None:
    pipeline.build(project)
    before = tree(project / "_site")
    [pack, *_] = sorted((project / CACHE_DIR / "pages").iterdir())
    payload = b'{"a hash that matches": "but no pack"}'
    pack.write_bytes(cache.hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    (project / CACHE_DIR / lastbuild.RECORD).unlink()  # else nothing to do (see above)
    report = pipeline.build(project)
    assert report.cache.damaged == 1
    assert report.cache.computed["pages"] >= 1
    assert tree(project / "_site") == before
    assert pipeline.build(project).cache.computed["pages"] == 0  # written again


def test_a_pack_holds_any_bytes_and_refuses_what_is_cut_short() -> None:
    entries = {"a" * 64: b"", "b" * 64: b"two\nlines 64 9\n", "c" * 64: bytes(range(256))}
    assert cache.unpack(cache.pack(entries)) == entries
    assert cache.unpack(b"") == {}
    for bad in (cache.pack(entries)[:-1], b"x" * 64 + b" 1\nx", b"a" * 64 + b" -1\n"):
        with pytest.raises(ValueError):
            cache.unpack(bad)


def test_a_correction_means_the_seed_is_not_read_at_all(project: Path) -> None:
    pipeline.build(project)
    export(project, "004_1c5b308f8adfb7c0", KINDS)
    shutil.rmtree(project / CACHE_DIR / "readings")
    report = pipeline.build(project)
    assert report.cache.computed["readings"] == 4  # the other four seeds


# ---------------------------------------------------------------------------------------------
# The digest behind the keys


@dataclass(frozen=True)
class Thing:
    name: str
    parts: tuple[object, ...]


def test_the_digest_tells_apart_what_renders_differently() -> None:
    values = [
        "a",
        Markup("a"),  # escaped differently by the template
        ("a",),
        ["a"],
        {"a": 1},
        {"a": True},
        {"a": "1"},
        Thing("a", ()),
        Thing("a", ("",)),
        Thing("", ("a",)),
        datetime.date(2020, 1, 2),
        "2020-01-02",
        Path("a"),
        None,
        0,
        False,
        ("ab", "c"),
        ("a", "bc"),
    ]
    digests = [cache.digest(v) for v in values]
    assert len(set(digests)) == len(values)
    assert cache.digest(Thing("x", (1, (2, 3)))) == cache.digest(Thing("x", (1, (2, 3))))


def test_a_layered_context_is_its_merged_mapping_and_hashed_by_its_layers() -> None:
    """A page context (``Layers``) gives the template exactly ``{**shared, **own}``; its digest
    changes with any value of either layer, and is the same for the same layers in a new
    build (a fresh memo), whoever else holds the shared one."""
    shared = {"config": "c", "labels": {"home": "首頁"}, "page": "shadowed"}
    own = {"page": Thing("p", ()), "doc": "d"}
    layered = cache.Layers(shared, own)
    merged = {**shared, **own}
    assert dict(layered) == merged and list(layered) == list(merged)
    assert len(layered) == len(merged) and layered["page"] == own["page"]
    assert "labels" in layered and "nothing" not in layered
    assert pickle.loads(pickle.dumps(layered)) == merged
    memo: dict[int, tuple[object, bytes]] = {}
    first = cache.digest(layered, memo)
    assert cache.digest(cache.Layers(shared, dict(own)), memo) == first  # shared: hashed once
    assert cache.digest(cache.Layers(dict(shared), dict(own))) == first  # a new build
    changed = [
        cache.Layers({**shared, "config": "other"}, own),
        cache.Layers({**shared, "labels": {"home": "首页"}}, own),
        cache.Layers(shared, {**own, "doc": "e"}),
        cache.Layers(shared, {**own, "page": Thing("q", ())}),
        cache.Layers(shared, {**own, "next": None}),
        cache.Layers({k: v for k, v in shared.items() if k != "labels"}, own),
    ]
    digests = {cache.digest(v) for v in changed}
    assert len(digests) == len(changed) and first not in digests


def test_a_value_known_by_its_key_and_its_parts_by_their_place() -> None:
    """``known_by``: a value and each part of a tuple field of it are hashed as the key it
    was stored under (and their place): another key, another digest, for the parts too, so a
    page that shows an article alone changes with what the article was made from."""

    def digests(key: str) -> list[bytes]:
        value = Thing("issue", (Thing("a", ()), Thing("b", ())))
        memo: dict[int, tuple[object, bytes]] = {}
        cache.known_by(memo, value, "reading", key)
        return [cache.digest(v, memo) for v in (value, *value.parts)]

    first = digests("k1")
    assert digests("k1") == first  # the same key in another build: the same digests
    assert len(set(first)) == 3  # each part by its place
    assert not set(first) & set(digests("k2"))  # another key: every digest another
    assert cache.digest(Thing("a", ())) not in first  # never a value's digest by content


def test_a_value_without_a_stable_digest_is_refused() -> None:
    with pytest.raises(TypeError):
        cache.digest({"f": object()})


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    store = Cache(tmp_path / "c", enabled=False)
    store.put("pages", "k", b"x")
    assert store.get("pages", "k") is None
    assert not (tmp_path / "c").exists()


def test_only_the_templates_the_loader_would_pick_count(tmp_path: Path) -> None:
    mine, builtin = tmp_path / "mine", tmp_path / "builtin"
    for folder in (mine, builtin):
        (folder / "assets").mkdir(parents=True)
        (folder / "page.html").write_text(f"{folder.name}\n")
    (builtin / "other.html").write_text("x\n")
    before = cache.templates_fingerprint([mine, builtin])
    (builtin / "page.html").write_text("changed, but shadowed by mine/page.html\n")
    (mine / "assets" / "style.css").write_text("body {}\n")  # copied, not rendered
    assert cache.templates_fingerprint([mine, builtin]) == before
    (builtin / "other.html").write_text("y\n")
    assert cache.templates_fingerprint([mine, builtin]) != before
