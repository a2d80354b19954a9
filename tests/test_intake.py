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
    assert yaml.safe_load(stub) == {"number": 88, "date": None}  # the date is left blank
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
    with pytest.raises(InputError, match=rf"already there as {re.escape(first.seed)}"):
        add(project, copy)
    assert sorted(p.name for p in (project / "seeds").iterdir()) == before
    with pytest.raises(InputError, match=r"already there as seeds/000_7c1a5d4148a0e861\.txt"):
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
        assert warning.split(": ", 1)[-1] in text
    assert f"bulletin-site export {Path(added.seed).stem}" in text


def test_sentences_end_at_chinese_and_latin_stops() -> None:
    text = "第一句。第二句說“好！”然後？最後一句沒有句號"
    assert first_sentence(text) == "第一句。"
    assert last_sentence(text) == "最後一句沒有句號"
    assert last_sentence("只有一句。") == "只有一句。"
