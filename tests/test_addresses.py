"""Addresses people can read and keep: an issue lives at /{edition}/bulletins/{number}/, its
articles at …/{number}/{article}/, a work plan or page at the ``slug:`` its metadata gives.
The raw file's name is in no address, feed id or sitemap entry, so the bureau re-sending an
issue as a new file changes nothing anyone has shared; a document without an address, or two
with one, stop ``check`` and the build with the line to edit."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from bulletin_site import pipeline
from bulletin_site.check import check
from bulletin_site.cli import main
from bulletin_site.errors import BuildError
from bulletin_site.site import is_doubt

TODAY = datetime.date(2024, 6, 1)
STEMS = ("000_7c1a5d4148a0e861", "001_bc645f7197fac29f", "002_297d79192cd207c9")


def tree(site_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }


def test_issues_are_addressed_by_number_and_plans_and_pages_by_slug(built_site: Path) -> None:
    for edition in ("zh-hant", "zh-hans"):
        for path in (
            "bulletins/70/index.html",
            "bulletins/70/11/index.html",
            "bulletins/71/index.html",
            "bulletins/71/10/index.html",
            "plans/belt-and-road-2023/index.html",
            "plans/guangdong-macau-2020/index.html",
            "pages/regional-cooperation/index.html",
        ):
            assert (built_site / edition / path).is_file(), path
    sitemap = (built_site / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://cepa.example.org/zh-hant/bulletins/70/3/</loc>" in sitemap
    feed = (built_site / "zh-hans" / "feed.xml").read_text("utf-8")
    assert "<id>https://cepa.example.org/zh-hans/bulletins/71/1/</id>" in feed


def test_no_raw_file_name_is_in_any_file_of_the_site(built_site: Path) -> None:
    hashes = [stem.split("_", 1)[1].encode() for stem in STEMS]
    for path, data in tree(built_site).items():
        assert not any(h in data for h in hashes), path
        assert not any(h.decode() in path for h in hashes), path


def test_a_re_sent_file_under_another_name_changes_no_address(project: Path, make_project) -> None:  # type: ignore[no-untyped-def]
    pipeline.build(project)
    renamed = make_project("renamed")
    stem, new = "000_7c1a5d4148a0e861", "005_0123456789abcdef"
    (renamed / "seeds" / f"{stem}.txt").rename(renamed / "seeds" / f"{new}.txt")
    issues = renamed / "content" / "issues"
    (issues / f"{stem}.yaml").rename(issues / f"{new}.yaml")
    pipeline.build(renamed)
    assert tree(renamed / "_site") == tree(project / "_site")


def test_a_bulletin_without_a_known_number_stops_check_and_build(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = project / "content" / "issues" / "001_bc645f7197fac29f.yaml"
    meta.write_text("# the text prints no number\nnumber:\ndate: 2019-12-31\n", "utf-8")
    expected = (
        "content/issues/001_bc645f7197fac29f.yaml:2: error: no issue number: "
        "seeds/001_bc645f7197fac29f.txt prints none; set `number:` here (the issue's address "
        "is /bulletins/NUMBER/)"
    )
    assert [str(p) for p in check(project, today=TODAY).problems if not is_doubt(p)] == [expected]
    assert main(["build", "--root", str(project), "--quiet"]) == 1
    assert capsys.readouterr().err == expected + "\n"
    assert not (project / "_site").exists()


def test_a_plan_or_page_without_a_slug_is_told_one(project: Path) -> None:
    (project / "content" / "issues" / "003_5f17500b75967727.yaml").write_text("date:\n")
    (project / "content" / "issues" / "002_297d79192cd207c9.yaml").unlink()
    assert [str(p) for p in check(project, today=TODAY).problems if not is_doubt(p)] == [
        "content/issues/002_297d79192cd207c9.yaml: error: no slug: a Markdown page needs an "
        "address; set `slug: page` here (its page is /pages/SLUG/)",
        "content/issues/003_5f17500b75967727.yaml: error: no slug: a work plan needs an "
        "address; set `slug: 2023` here (its page is /plans/SLUG/)",
    ]
    with pytest.raises(BuildError, match="no slug"):
        pipeline.build(project)


@pytest.mark.parametrize("slug", ["Plan 2023", "計劃", "../x", "a--b", "-a", "x" * 61, "true"])
def test_a_slug_is_a_safe_url_segment(project: Path, slug: str) -> None:
    meta = project / "content" / "issues" / "004_1c5b308f8adfb7c0.yaml"
    meta.write_text(f"slug: {slug}\n", "utf-8")
    [problem] = [p for p in check(project, today=TODAY).problems if p.is_error]
    assert str(problem).startswith(
        "content/issues/004_1c5b308f8adfb7c0.yaml:1: error: slug must be lower-case letters "
        "a-z, digits and single hyphens"
    )


def test_one_address_given_twice_stops_the_build_and_keeps_the_site(project: Path) -> None:
    pipeline.build(project)
    before = tree(project / "_site")
    issues = project / "content" / "issues"
    (issues / "001_bc645f7197fac29f.yaml").write_text("number: 70\ndate: 2019-12-31\n")
    (issues / "004_1c5b308f8adfb7c0.yaml").write_text("slug: belt-and-road-2023\n")
    expected = [
        "content/issues/000_7c1a5d4148a0e861.yaml:4: error: issue 70 is also the number of "
        "seeds/001_bc645f7197fac29f.txt",
        "content/issues/001_bc645f7197fac29f.yaml:1: error: issue 70 is also the number of "
        "seeds/000_7c1a5d4148a0e861.txt",
        "content/issues/003_5f17500b75967727.yaml:5: error: slug 'belt-and-road-2023' is also "
        "the address of seeds/004_1c5b308f8adfb7c0.txt",
        "content/issues/004_1c5b308f8adfb7c0.yaml:1: error: slug 'belt-and-road-2023' is also "
        "the address of seeds/003_5f17500b75967727.txt",
    ]
    assert [str(p) for p in check(project, today=TODAY).problems if not is_doubt(p)] == expected
    with pytest.raises(BuildError) as failure:
        pipeline.build(project)
    assert sorted(str(p) for p in failure.value.problems) == expected
    assert tree(project / "_site") == before


def test_search_results_link_to_the_readable_addresses(built_site: Path) -> None:
    data = (built_site / "zh-hant" / "search" / "data.json").read_text("utf-8")
    found = set(re.findall(r"bulletins/[^\"/#]+", data))
    assert found <= {"bulletins/70", "bulletins/71"}, found
