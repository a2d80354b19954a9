"""`bulletin-site add`: a new raw file under a clean sortable name, never over anything, with a
metadata stub of what the reader found, and the reading printed for an editor to check."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from bulletin_site.config import load_document_meta
from bulletin_site.errors import InputError
from bulletin_site.intake import add, describe, seed_name
from bulletin_site.model import Bulletin
from bulletin_site.textreport import first_sentence, last_sentence
from layout_maker import Layout, lay_out, sample_articles


def bulletin_file(folder: Path, *, seed: int = 5, number: int | None = 88) -> Path:
    articles = sample_articles(4, seed=seed)
    path = folder / f"incoming-{seed}.txt"
    path.write_text(
        lay_out(articles, Layout(width=26, seed=seed), issue_number=number), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("existing", "name"),
    [
        ([], "000_"),
        (["000_a.txt", "004_b.txt", "notes.txt"], "005_"),
        (["0999_a.txt"], "1000_"),  # the archive's width is kept
        (["998_a.txt", "999_b.txt"], "1000_"),
    ],
)
def test_a_new_seed_sorts_after_every_other(existing: list[str], name: str) -> None:
    data = b"raw bulletin"
    assert seed_name(existing, data) == name + hashlib.sha256(data).hexdigest()[:16] + ".txt"


def test_add_copies_the_bytes_and_writes_a_stub_of_what_the_reader_found(
    project: Path, tmp_path: Path
) -> None:
    source = bulletin_file(tmp_path)
    added = add(project, source)
    stem = "005_" + hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    assert added.seed == f"seeds/{stem}.txt"
    assert (project / added.seed).read_bytes() == source.read_bytes()
    assert added.stub == f"content/issues/{stem}.yaml"

    stub = (project / added.stub).read_text("utf-8")
    doc = added.reading.document
    assert isinstance(doc, Bulletin)
    assert "(a bulletin, 繁體)" in stub
    # the date is left blank, and the PDF's address
    assert yaml.safe_load(stub) == {"number": 88, "date": None, "pdf": None}
    for article in doc.articles:  # titles as comments: a title set here would win over all
        assert f"#   {article.number}: {article.title}\n" in stub
    meta, problems = load_document_meta(project / added.stub, added.stub)
    assert meta is not None and problems == []


def test_a_bulletin_without_an_issue_number_gets_a_blank_for_it(
    project: Path, tmp_path: Path
) -> None:
    added = add(project, bulletin_file(tmp_path, number=None))
    assert yaml.safe_load((project / str(added.stub)).read_text("utf-8")) == {
        "number": None,
        "date": None,
        "pdf": None,
    }
    assert "fill in number, date" in describe(added)


def test_the_same_bytes_twice_are_refused_and_nothing_is_written(
    project: Path, tmp_path: Path
) -> None:
    source = bulletin_file(tmp_path)
    first = add(project, source)
    before = sorted(p.name for p in (project / "seeds").iterdir())
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(source.read_bytes())
    with pytest.raises(
        InputError, match=rf"issue 88 is already here as {re.escape(first.seed)} \(the same text\)"
    ):
        add(project, copy)
    assert sorted(p.name for p in (project / "seeds").iterdir()) == before
    with pytest.raises(InputError, match=r"issue 70 is already here as seeds/000_7c1a5d4148a0e861"):
        add(project, project / "seeds" / "000_7c1a5d4148a0e861.txt")


def test_an_existing_stub_is_kept(project: Path, tmp_path: Path) -> None:
    source = bulletin_file(tmp_path)
    stem = "005_" + hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    mine = project / "content" / "issues" / f"{stem}.yaml"
    mine.write_text("date: 2020-02-02\n")
    added = add(project, source)
    assert added.stub is None
    assert mine.read_text() == "date: 2020-02-02\n"
    assert f"kept the existing content/issues/{stem}.yaml" in describe(added)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"   \n", "is empty"), (b"just a line\n", "is not a bulletin")],
)
def test_what_cannot_be_read_is_not_added(
    project: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    source = tmp_path / "bad.txt"
    if content is not None:
        source.write_bytes(content)
    before = sorted(p.name for p in (project / "seeds").iterdir())
    with pytest.raises(InputError, match=message):
        add(project, source)
    assert sorted(p.name for p in (project / "seeds").iterdir()) == before


def test_the_reading_is_printed_as_an_editor_checks_it(project: Path, tmp_path: Path) -> None:
    added = add(project, bulletin_file(tmp_path))
    doc = added.reading.document
    assert isinstance(doc, Bulletin)
    text = describe(added)
    assert text.startswith(
        f"added {added.seed}: a bulletin in 繁體, issue 88, {len(doc.articles)} articles\n"
        f"wrote {added.stub}: fill in the date\n"
    )
    for article in doc.articles:
        assert f"{article.number:>3}. {article.title}\n" in text
        if article.paragraphs:
            assert f"first: {first_sentence(article.paragraphs[0])}\n" in text
            assert f"last:  {last_sentence(article.paragraphs[-1])}\n" in text
    for warning in doc.warnings:
        assert warning.message in text
    assert f"bulletin-site export {Path(added.seed).stem}" in text


def test_sentences_end_at_chinese_and_latin_stops() -> None:
    text = "第一句。第二句說“好！”然後？最後一句沒有句號"
    assert first_sentence(text) == "第一句。"
    assert last_sentence(text) == "最後一句沒有句號"
    assert last_sentence("只有一句。") == "只有一句。"


# --- a re-sent issue ----------------------------------------------------------------------------


def seeds_of(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project / "seeds").iterdir())}


def test_the_same_text_saved_another_way_is_recognised(project: Path, tmp_path: Path) -> None:
    """Issue 13: the same text saved with Windows line endings was taken for a new issue."""
    first = add(project, bulletin_file(tmp_path))
    before = seeds_of(project)
    text = (project / first.seed).read_text("utf-8")
    resent = tmp_path / "re-sent.txt"
    # Windows line endings, Big5 (HKSCS), spaces at the ends of lines and a blank line more.
    resent.write_bytes(
        ("\r\n".join(line + "  " for line in text.split("\n")) + "\r\n\r\n").encode("big5hkscs")
    )
    with pytest.raises(InputError) as refused:
        add(project, resent)
    assert str(refused.value) == (
        f"{resent}: error: issue 88 is already here as {first.seed} (the same text); nothing added"
    )
    assert seeds_of(project) == before


def test_an_issue_number_already_here_is_refused_with_the_way_to_replace_it(
    project: Path, tmp_path: Path
) -> None:
    first = add(project, bulletin_file(tmp_path, seed=5))
    before = seeds_of(project)
    other = bulletin_file(tmp_path, seed=6)  # other text, the same number printed: 88
    with pytest.raises(InputError) as refused:
        add(project, other)
    stem = Path(first.seed).stem
    assert str(refused.value) == (
        f"{other}: error: issue 88 is already here as {first.seed}; nothing added. If the "
        f"bureau re-sent the issue, put this file in its place: bulletin-site add --replace "
        f"{stem} {other}"
    )
    assert seeds_of(project) == before


def test_replace_swaps_the_raw_file_keeps_the_metadata_and_asks_for_a_look_at_the_correction(
    project: Path, tmp_path: Path
) -> None:
    from bulletin_site.check import check
    from bulletin_site.corrections import export
    from bulletin_site.intake import replace
    from bulletin_site.kinds import KINDS

    first = add(project, bulletin_file(tmp_path, seed=5))
    stem = Path(first.seed).stem
    meta = project / "content" / "issues" / f"{stem}.yaml"
    meta.write_text(meta.read_text("utf-8").replace("date:  ", "date: 2020-01-31"), "utf-8")
    kept = meta.read_bytes()
    export(project, stem, KINDS)
    correction = (project / "content" / "corrections" / f"{stem}.md").read_bytes()

    resent = bulletin_file(tmp_path, seed=6)
    replaced = replace(project, stem, resent)
    assert (project / first.seed).read_bytes() == resent.read_bytes()
    assert meta.read_bytes() == kept
    assert (project / "content" / "corrections" / f"{stem}.md").read_bytes() == correction
    assert describe(replaced).startswith(f"replaced {first.seed}: a bulletin in 繁體, issue 88, ")
    assert f"content/corrections/{stem}.md was exported from the old file" in describe(replaced)
    [stale] = [p for p in check(project).problems if p.path.endswith(".md")]
    assert stale.severity == "warning"
    assert "has changed since this correction was exported" in stale.message

    with pytest.raises(InputError, match="already holds these bytes; nothing replaced"):
        replace(project, stem, resent)
    with pytest.raises(InputError, match=r"no such seed; did you mean"):
        replace(project, stem[:-1] + "x", resent)


def test_a_plan_gets_an_address_proposed_that_no_other_has(project: Path) -> None:
    from bulletin_site.config import load_document_meta

    plan = project / "seeds" / "003_5f17500b75967727.txt"
    copy = project.parent / "plan-again.txt"
    copy.write_bytes(plan.read_bytes().replace("金融".encode(), "財經".encode()))
    (project / "content" / "issues" / "003_5f17500b75967727.yaml").write_text("slug: '2023'\n")
    added = add(project, copy)
    meta, problems = load_document_meta(project / str(added.stub), str(added.stub))
    assert problems == [] and meta is not None
    assert meta.slug == "2023-2"  # its title's year, taken by the other plan of 2023
