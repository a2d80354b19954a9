"""`bulletin-site show STEM`: a document as the site will publish it: the correction when there
is one, the metadata applied, in either script; in parse's JSON and text forms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulletin_site.cli import main
from bulletin_site.corrections import export
from bulletin_site.kinds import KINDS

STEM = "001_bc645f7197fac29f"  # 简体; the text prints no issue number, its metadata says 71


def show(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["show", STEM, "--root", str(project), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_show_prints_the_corrected_reading_with_its_metadata(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: parse refuses a correction file, so the built HTML was the only way to see
    the corrected reading."""
    export(project, STEM, KINDS)
    correction = project / "content" / "corrections" / f"{STEM}.md"
    text = correction.read_text("utf-8")
    title = next(line for line in text.split("\n") if line.startswith("## 2. "))
    correction.write_text(text.replace(title, "## 2. 编者改过的标题"), "utf-8")

    status, out, err = show(project, capsys, "--format", "text")
    assert status == 0
    assert out.startswith(f"{STEM}.txt  (bulletin, hans)\nissue: 71\n")
    assert "== 2. 编者改过的标题\n" in out
    assert err == (
        f"as published, from content/corrections/{STEM}.md and content/issues/{STEM}.yaml\n"
    )

    status, out, _ = show(project, capsys, "--script", "zh-hant")
    data = json.loads(out)
    assert data["kind"] == "bulletin" and data["script"] == "hant"
    assert data["issue"] == {"number": 71}
    assert data["articles"][1]["title"] == "編者改過的標題"
    assert set(data) == {
        "kind",
        "source",
        "script",
        "issue",
        "summary",
        "contact",
        "articles",
        "warnings",
    }  # parse's JSON contract


def test_without_a_correction_show_is_the_reading_with_the_metadata(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = show(project, capsys)
    assert status == 0 and json.loads(out)["issue"] == {"number": 71}
    assert err == f"as published, from seeds/{STEM}.txt and content/issues/{STEM}.yaml\n"


def test_a_broken_correction_is_not_shown_but_its_mistakes_are(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export(project, STEM, KINDS)
    correction = project / "content" / "corrections" / f"{STEM}.md"
    correction.write_text(correction.read_text("utf-8").replace("## 3. ", "## 三 "), "utf-8")
    status, out, err = show(project, capsys)
    assert status == 1 and out == ""
    assert err.startswith(f"content/corrections/{STEM}.md:")
    assert ": error: expected an article heading like `## 3. Title`" in err
