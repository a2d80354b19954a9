"""`bulletin-site check`: every problem in seeds/ and content/ in one run, each as
`path:line: message` pointing at the line to fix; exit status 1 when any is an error."""

from __future__ import annotations

import dataclasses
import datetime
import re
import time
from pathlib import Path

import pytest

from bulletin_site import pipeline
from bulletin_site.check import check
from bulletin_site.cli import main
from bulletin_site.corrections import export
from bulletin_site.kinds import KINDS, Kinds
from bulletin_site.model import Notice, Reading
from bulletin_site.site import is_doubt, reader_warnings

TODAY = datetime.date(2024, 6, 1)


def shown(root: Path) -> list[str]:
    """What check finds in the editors' files (the reader's doubts about the seeds are
    specified in test_parse.py and test_doubts.py)."""
    return [str(p) for p in check(root, KINDS, today=TODAY).problems if not is_doubt(p)]


def test_the_project_as_it_stands_has_no_errors(project: Path) -> None:
    report = check(project, today=TODAY)
    assert report.errors == 0
    assert report.documents == 5


def test_many_mistakes_in_many_files_are_reported_together_at_their_lines(
    project: Path,
) -> None:
    content = project / "content"
    (content / "site.yaml").write_text(
        "title: 緊貿安排快訊\ntittle: x\nbase_url: ftp://example.org/\ntemplates: templates\n",
        encoding="utf-8",
    )
    (content / "issues" / "000_7c1a5d4148a0e861.yaml").write_text(
        "number: 71\ndate: 2019-10-01\n", encoding="utf-8"
    )  # 001's number too
    (content / "issues" / "001_bc645f7197fac29f.yaml").write_text(
        "# comment\nnumber: 71\ndate: 2019-13-31\n", encoding="utf-8"
    )
    (content / "glossary.yaml").write_text("to_hant:\n  after:\n    衞: 1\n", encoding="utf-8")
    (project / "templates" / "plan.html").write_text(
        "{% extends 'base.html' %}\n\n{% block main %}{% for %}{% endblock %}\n"
    )
    path, _ = export(project, "004_1c5b308f8adfb7c0", KINDS)
    correction = project / path
    lines = correction.read_text("utf-8").split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[title] = "titel: 實施"
    first_item = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    lines.insert(first_item, "## ")
    correction.write_text("\n".join(lines), encoding="utf-8")

    assert shown(project) == [
        f"{path}:1: error: title must be text, not None",
        f"{path}:{title + 1}: error: unknown key 'titel'; did you mean 'title'?",
        f"{path}:{first_item + 1}: error: expected a section heading like `## 一、…` "
        "(or `### （一）…`)",
        "content/glossary.yaml:3: error: to_hant.after.衞: expected text, found int '1'",
        "content/issues/000_7c1a5d4148a0e861.yaml:1: error: issue 71 is also the number of "
        "seeds/001_bc645f7197fac29f.txt",
        "content/issues/001_bc645f7197fac29f.yaml:2: error: issue 71 is also the number of "
        "seeds/000_7c1a5d4148a0e861.txt",
        "content/issues/001_bc645f7197fac29f.yaml:3: error: date must be written YYYY-MM-DD, "
        "not '2019-13-31'",
        "content/site.yaml:2: error: unknown key 'tittle'; did you mean 'title'?",
        "content/site.yaml:3: error: base_url must be an http:// or https:// address, "
        "not 'ftp://example.org/'",
        "templates/plan.html:3: error: Expected an expression, got 'end of statement block'",
    ]


def test_warnings_point_at_the_line_to_fill_in(project: Path) -> None:
    issues = project / "content" / "issues"
    (issues / "001_bc645f7197fac29f.yaml").write_text("number: 71\ndate:\n")
    (issues / "000_7c1a5d4148a0e861.yaml").write_text("number: 70\n\ndate: 2030-01-01\n")
    assert shown(project) == [
        "content/issues/000_7c1a5d4148a0e861.yaml:3: warning: date 2030-01-01 is in the future",
        "content/issues/001_bc645f7197fac29f.yaml:2: warning: no date: publication date unknown "
        "(listed last)",
    ]
    (issues / "000_7c1a5d4148a0e861.yaml").write_text("number: 70\ndate: 2020-01-01\n")
    (issues / "001_bc645f7197fac29f.yaml").write_text("number: 71\ndate: 2019-12-31\n")
    assert shown(project) == [
        "content/issues/001_bc645f7197fac29f.yaml:2: warning: issue 71 is dated 2019-12-31, "
        "before issue 70 (2020-01-01)"
    ]


def test_text_the_reader_could_not_place_is_shown_at_its_line(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.read_seed

    def reader_with_a_stray_line(kinds: Kinds, seed: pipeline.Seed) -> Reading:
        reading = real(kinds, seed)
        if seed.stem != "000_7c1a5d4148a0e861":
            return reading
        stray = Notice(41, "unplaced", "text placed nowhere: 孤零零的一行")
        return dataclasses.replace(
            reading, document=dataclasses.replace(reading.document, warnings=(stray,))
        )

    monkeypatch.setattr(pipeline, "read_seed", reader_with_a_stray_line)
    assert shown(project) == [
        "seeds/000_7c1a5d4148a0e861.txt:41: warning: text placed nowhere: 孤零零的一行"
    ]


def test_a_stale_correction_is_a_warning_and_a_corrected_seed_is_not_read(
    project: Path,
) -> None:
    export(project, "000_7c1a5d4148a0e861", KINDS)
    seed = project / "seeds" / "000_7c1a5d4148a0e861.txt"
    seed.write_bytes(seed.read_bytes() + "\n\n孤零零的一行\n".encode())
    [stale] = shown(project)
    assert stale.startswith(
        "content/corrections/000_7c1a5d4148a0e861.md:15: warning: seeds/000_7c1a5d4148a0e861.txt "
        "has changed since this correction was exported"
    )


def test_the_command_prints_each_problem_and_a_summary_and_fails_on_errors(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doubts = [str(p) for p in check(project, KINDS).problems if is_doubt(p)]
    assert main(["check", "--root", str(project)]) == 0
    out = capsys.readouterr().out.split("\n")
    assert out[: len(doubts)] == doubts  # the reader's doubts, if any: warnings only
    assert re.fullmatch(
        rf"checked 5 documents: 0 errors, {len(doubts)} warnings? \(\d+\.\d s\)"
        if doubts
        else r"checked 5 documents: no problems \(\d+\.\d s\)",
        out[len(doubts)],
    )
    (project / "content" / "issues" / "003_5f17500b75967727.yaml").write_text(
        "date: soon\nslug: belt-and-road-2023\n"
    )
    assert main(["check", "--root", str(project)]) == 1
    problem, *shown_doubts, summary = capsys.readouterr().out.splitlines()
    assert shown_doubts == doubts
    assert problem == (
        "content/issues/003_5f17500b75967727.yaml:1: error: date must be written YYYY-MM-DD, "
        "not 'soon'"
    )
    assert re.fullmatch(
        rf"checked 5 documents: 1 error, {len(doubts)} warnings? \(\d+\.\d s\)", summary
    )


def test_it_is_fast_enough_to_run_on_every_save(project: Path) -> None:
    check(project, today=TODAY)  # the seeds are read once, into the build's cache
    started = time.perf_counter()
    check(project, today=TODAY)
    assert time.perf_counter() - started < 1.0


def test_a_yaml_typo_is_one_error_at_its_own_line(project: Path) -> None:
    """Issue 13: a typo on line 5 of a 17-line stub was reported at line 18, with a false "no
    metadata" warning beside it."""
    stub = [
        "# Metadata for seeds/000_7c1a5d4148a0e861.txt (a bulletin, 繁體), written by add.",
        "# Filled in: what the reader found in the text; check it against the PDF.",
        "# Blank: what the text does not say; fill it in. Then run `bulletin-site check`.",
        "number: 70          # the issue number printed in the text",
        "date  2019-10-01    # publication date, YYYY-MM-DD",  # the colon forgotten
        "# To replace an article's title, uncomment `titles:` and its line, and edit it",
        "# (in 繁體, the document's own script). The reader's titles:",
        "# titles:",
        *(f"#   {n}: 標題{n}" for n in range(1, 10)),
    ]
    assert len(stub) == 17
    meta = project / "content" / "issues" / "000_7c1a5d4148a0e861.yaml"
    meta.write_text("\n".join(stub) + "\n", "utf-8")
    assert shown(project) == [
        "content/issues/000_7c1a5d4148a0e861.yaml:5: error: invalid YAML: this line is not "
        "`key: value`: the key needs a colon and a space after it (the YAML parser says: could "
        "not find expected ':', while scanning a simple key)"
    ]


def test_doubts_are_shown_on_asking_for_each_seed_not_yet_corrected(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check --doubts` adds the reader's doubts (each at its raw line) about the seeds that
    have no correction; a seed's correction file carries them as comments instead. Without
    the flag, check says only the editors' own problems."""
    from bulletin_site.parse import read_document

    def doubts_of(stem: str) -> list[str]:
        reading = read_document(project / "seeds" / f"{stem}.txt")
        return [
            str(p) for p in reader_warnings(reading.document, f"seeds/{stem}.txt") if is_doubt(p)
        ]

    stems = sorted(p.stem for p in (project / "seeds").glob("*.txt"))
    expected = sorted(d for stem in stems for d in doubts_of(stem))
    assert expected  # the sample archive has some: the test can fail
    asked = check(project, KINDS, today=TODAY, doubts=True).problems
    assert sorted(str(p) for p in asked if is_doubt(p)) == expected
    assert not [p for p in check(project, KINDS, today=TODAY).problems if is_doubt(p)]

    doubted = next(stem for stem in stems if doubts_of(stem))
    export(project, doubted, KINDS)
    asked = check(project, KINDS, today=TODAY, doubts=True).problems
    assert not [p for p in asked if is_doubt(p) and doubted in p.path]
    assert main(["check", "--doubts", "--root", str(project)]) == 0
    out = capsys.readouterr().out
    assert sorted(line for line in out.splitlines() if ": warning: " in line) == sorted(
        d for d in expected if doubted not in d
    )
