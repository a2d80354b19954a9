"""The editors' workflow end to end, on a copy of the project, through the commands an editor
types: add the next issue (a bulletin made here, not a seed), check it, export it and correct
a title and a paragraph, build with build.py, find the correction on both editions' pages and
in the search index; add the same file again (refused). A correction survives every command."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin_site.cli import main
from bulletin_site.convert import Converter, load_glossary
from layout_maker import Layout, lay_out, sample_articles
from project_copy import copy_project

ROOT = Path(__file__).resolve().parents[1]
NEW_TITLE = "經濟局與業界代表座談（編者更正標題）"
NEW_PARAGRAPH = "座談會上，業界代表就數碼轉型提出十項建議，經濟局表示會逐一研究跟進。"


@pytest.fixture
def editors_project(tmp_path: Path) -> Path:
    """seeds/, content/, templates/ and build.py, as an editor's checkout has them."""
    root = copy_project(tmp_path / "project")
    shutil.copy(ROOT / "build.py", root / "build.py")
    (root / "src").symlink_to(ROOT / "src")  # build.py runs the code from src/
    return root


def next_issue(folder: Path) -> Path:
    """The bureau's next bulletin, as raw PDF text: made for this test, seen by no reader."""
    raw = lay_out(sample_articles(5, seed=2024), Layout(width=24, seed=2024), issue_number=72)
    path = folder / "cepa-72.txt"
    path.write_text(raw, encoding="utf-8")
    return path


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main([*args, "--root", str(root)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def correct(correction: Path, article: int) -> None:
    """What an editor does in a text editor: a new title, and a new first paragraph (written
    in, if the reader found no text for the article)."""
    lines = correction.read_text("utf-8").split("\n")
    heading = next(i for i, line in enumerate(lines) if line.startswith(f"## {article}. "))
    lines[heading] = f"## {article}. {NEW_TITLE}"
    first = next(i for i in range(heading + 1, len(lines)) if lines[i].strip())
    if lines[first].startswith(("#", ">")):
        lines[heading + 1 : heading + 1] = ["", NEW_PARAGRAPH]
    else:
        lines[first] = NEW_PARAGRAPH
    correction.write_text("\n".join(lines), encoding="utf-8")


def pagefind_text(site: Path, url: str) -> str | None:
    """The text Pagefind stored for the page at ``url``, as the search page shows it (the
    search stage's ``display`` rebuilds it from the indexed words, as search.js does)."""
    from bulletin_site.search.records import display

    for fragment in (site / "pagefind").rglob("fragment/*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        record = json.loads(data[data.index(b"{") :])
        if record.get("url", "").split("#")[0] == url:
            return "".join(display(record["content"], 0))
    return None


def test_publish_the_next_issue_with_a_correction(
    editors_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = editors_project
    incoming = next_issue(tmp_path)

    # add: the file goes into seeds/, a stub into content/issues/, the reading is printed.
    status, out, _ = run(root, capsys, "add", str(incoming))
    assert status == 0
    match = re.match(r"added seeds/(005_[0-9a-f]{16})\.txt: a bulletin in 繁體, issue 72, ", out)
    assert match, out
    stem = match.group(1)
    assert f"wrote content/issues/{stem}.yaml: fill in the date" in out
    assert "  2. " in out and "first: " in out and "last:  " in out

    # check: the blank date is the one thing left to do.
    status, out, _ = run(root, capsys, "check")
    assert status == 0
    assert f"content/issues/{stem}.yaml:5: warning: no date" in out
    stub = root / "content" / "issues" / f"{stem}.yaml"
    stub.write_text(stub.read_text("utf-8").replace("date:  ", "date: 2020-01-31"), "utf-8")
    status, out, _ = run(root, capsys, "check")
    assert status == 0 and f"{stem}.yaml" not in out

    # export, then correct article 2's title and first paragraph.
    status, out, _ = run(root, capsys, "export", stem)
    assert status == 0 and out.startswith(f"wrote content/corrections/{stem}.md (bulletin)")
    correct(root / "content" / "corrections" / f"{stem}.md", 2)
    status, out, _ = run(root, capsys, "check")
    assert status == 0, out

    # build, as the README says: python build.py
    result = subprocess.run(
        [sys.executable, str(root / "build.py"), "--quiet"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    site = root / "_site"
    converter = Converter(load_glossary(root / "content" / "glossary.yaml"))
    expected = {
        "zh-hant": (NEW_TITLE, NEW_PARAGRAPH),
        "zh-hans": (converter.convert(NEW_TITLE, "hans"), converter.convert(NEW_PARAGRAPH, "hans")),
    }
    for edition, (title, paragraph) in expected.items():
        article = (site / edition / "bulletins" / "72" / "2" / "index.html").read_text("utf-8")
        assert title in article
        assert paragraph in article
        issue = (site / edition / "bulletins" / "72" / "index.html").read_text("utf-8")
        assert title in issue
        home = (site / edition / "index.html").read_text("utf-8")
        assert "第72期" in home
    assert expected["zh-hans"][1] != NEW_PARAGRAPH  # the other edition really is converted

    # search: the corrected text is what the index holds, in both editions.
    for edition, (title, paragraph) in expected.items():
        text = pagefind_text(site, f"{edition}/bulletins/72/2/index.html")
        assert text is not None
        assert title in text and paragraph in text

    # the same file again: refused, nothing added.
    seeds = sorted(p.name for p in (root / "seeds").iterdir())
    status, _, err = run(root, capsys, "add", str(incoming))
    assert status == 1
    assert err == (
        f"{incoming}: error: issue 72 is already here as seeds/{stem}.txt (the same text); "
        "nothing added\n"
    )
    assert sorted(p.name for p in (root / "seeds").iterdir()) == seeds


def test_a_correction_survives_every_command(
    editors_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = editors_project
    stem = "000_7c1a5d4148a0e861"
    assert run(root, capsys, "export", stem)[0] == 0
    correction = root / "content" / "corrections" / f"{stem}.md"
    correct(correction, 3)
    mine = correction.read_bytes()
    page = root / "_site" / "zh-hant" / "bulletins" / "70" / "3" / "index.html"

    def still_mine() -> None:
        assert correction.read_bytes() == mine

    assert run(root, capsys, "build", "--quiet")[0] == 0
    still_mine()
    assert NEW_TITLE in page.read_text("utf-8")

    assert run(root, capsys, "add", str(next_issue(tmp_path)))[0] == 0
    still_mine()

    status, _, err = run(root, capsys, "export", stem)
    assert status == 1
    assert err == (
        f"content/corrections/{stem}.md: error: already exists; edit it "
        "(to export the reader's version again, delete it first)\n"
    )
    still_mine()

    assert run(root, capsys, "build", "--clean", "--quiet")[0] == 0
    still_mine()
    assert NEW_TITLE in page.read_text("utf-8")

    assert run(root, capsys, "check")[0] == 0
    still_mine()

    # The raw file changes (the bureau re-sends it): the correction still wins, with a warning.
    seed = root / "seeds" / f"{stem}.txt"
    seed.write_bytes(seed.read_bytes() + "\n\n補遺。\n".encode())
    status, out, _ = run(root, capsys, "check")
    assert status == 0 and "has changed since this correction was exported" in out
    status, _, err = run(root, capsys, "build", "--quiet")
    assert status == 0 and "has changed since this correction was exported" in err
    still_mine()
    assert NEW_TITLE in page.read_text("utf-8")


def test_a_broken_correction_stops_the_build_and_keeps_the_site(
    editors_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = editors_project
    assert run(root, capsys, "build", "--quiet")[0] == 0
    before = {p: p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file()}
    run(root, capsys, "export", "001_bc645f7197fac29f")
    correction = root / "content" / "corrections" / "001_bc645f7197fac29f.md"
    correction.write_text(correction.read_text("utf-8").replace("## 2. ", "## two "), "utf-8")
    status, _, err = run(root, capsys, "build", "--quiet")
    assert status == 1
    assert re.fullmatch(
        r"content/corrections/001_bc645f7197fac29f\.md:\d+: error: expected an article heading "
        r"like "
        r"`## 3\. Title`\n",
        err,
    )
    assert {p: p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file()} == before


def test_a_correction_that_loses_an_article_stops_check_build_and_serve(
    editors_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: deleting the `## 5.` line gave "no problems", a build with 0 warnings, and
    article 5's text under article 4."""
    import io

    from bulletin_site.serve import Builds, rebuild

    root = editors_project
    stem = "000_7c1a5d4148a0e861"  # issue 70, 11 articles
    assert run(root, capsys, "build", "--quiet")[0] == 0
    before = {p: p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file()}
    assert run(root, capsys, "export", stem)[0] == 0
    correction = root / "content" / "corrections" / f"{stem}.md"
    lines = correction.read_text("utf-8").split("\n")
    last = next(i for i, line in enumerate(lines) if line.startswith("## 11. "))
    del lines[last]
    correction.write_text("\n".join(lines), "utf-8")
    ten = next(i for i, line in enumerate(lines) if line.startswith("## 10. ")) + 1
    expected = (
        f"content/corrections/{stem}.md:{ten}: error: no heading for article 11: the issue has "
        "11 articles (`articles: 11` at line 17), and the text of a missing one would join "
        "article 10's; write its `## 11. Title` line back"
    )

    status, out, _ = run(root, capsys, "check")
    assert status == 1 and expected in out.splitlines()
    status, _, err = run(root, capsys, "build", "--quiet")
    assert status == 1 and err == expected + "\n"
    assert {p: p.read_bytes() for p in (root / "_site").rglob("*") if p.is_file()} == before
    builds = Builds()
    rebuild(root, builds, io.StringIO())
    assert builds.status.error == expected
