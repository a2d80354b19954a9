"""Caption or body, decided for a page's lines together (issue 15): generated layouts only."""

from __future__ import annotations

import pytest

from bulletin_maker import Issue, make_issue
from bulletin_site.model import Role
from bulletin_site.parse import bulletin, read_text
from bulletin_site.read import decode


def roles(issue: Issue) -> dict[int, Role]:
    reading = read_text(decode(issue.data, issue.name), issue.name)
    return {trace.line: trace.role for trace in reading.report if trace.line}


def confusions(issue: Issue) -> list[str]:
    """Captions read as body text and body lines read as captions, by raw line."""
    seen = roles(issue)
    out = []
    for piece in issue.pieces:
        if piece.kind == "caption":
            out += [f"caption in text: {n}" for n in piece.printings[0] if seen[n] != Role.CAPTION]
        elif piece.kind == "body":
            lines = [n for printing in piece.printings for n in printing]
            if all(seen[n] == Role.CAPTION for n in lines):
                out.append(f"body as caption: {lines[0]}")
    return out


@pytest.mark.parametrize("seed", [24, 36])
def test_a_caption_between_two_lines_of_a_sentence_leaves_them_joined(seed: int) -> None:
    """The caption stands between two lines of one sentence, narrower than the column but
    not by enough to tell on its own: read as body, the line before it would have held its
    first character (a layout fills a line before breaking it)."""
    assert confusions(make_issue(seed)) == []


def test_a_caption_wider_than_the_column_is_no_line_of_running_text() -> None:
    """The caption is three em wider than the column around it, mid-sentence; two more
    captions stand at the top of a later page, above a paragraph's first line."""
    assert confusions(make_issue(67)) == []


def test_a_numbered_items_first_line_stays_with_the_lines_hung_under_it() -> None:
    """A numbered measure's first line has no prose punctuation and is no wider than the
    lines around it; its second line is hung under its text (the text layer keeps the
    indent). Taken as a caption, it would leave that hung line opening a paragraph."""
    assert confusions(make_issue(134)) == []


def test_a_line_that_starts_with_a_lower_case_word_goes_on_with_the_text() -> None:
    """Between a letter-spaced line and a caption, a line that starts with a Latin word in
    lower case (``e-Invoice``), narrower than the column: it goes on with the sentence
    before it, whatever its width says."""
    issue = make_issue(112)
    seen = roles(issue)
    starts = [
        printing[0]
        for piece in issue.pieces
        if piece.kind == "body" and piece.text[:1].islower()
        for printing in piece.printings
    ]
    assert starts and all(seen[n] != Role.CAPTION for n in starts)


def test_an_opening_lines_room_is_weighed_with_the_indent_in_whole_em() -> None:
    """The layout indents by three em, measured a tenth of an em more (half-width digits
    on some openings). A paragraph's first line three em short of the column, read with
    the measured indent, would have room for the next line's first character and pass
    for a caption."""
    assert confusions(make_issue(181)) == []


def test_each_caption_or_body_decision_has_a_margin_of_its_sign(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The joint labelling's margins: above 0 for the lines it reads as captions, below 0
    for those it reads as body, near 0 where it was unsure."""
    found: list[tuple[dict[int, float], set[int]]] = []
    original = bulletin._find_captions

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        captions = original(*args, **kwargs)
        margins = args[6] if len(args) > 6 else kwargs.get("margins")
        found.append((dict(margins or {}), set(captions)))
        return captions

    monkeypatch.setattr(bulletin, "_find_captions", spy)
    for seed in (24, 36, 67):
        roles(make_issue(seed))
    assert found and all(margins for margins, _ in found)
    for margins, captions in found:
        for line, margin in margins.items():
            if margin > 0:
                assert line in captions
            elif margin < 0:
                assert line not in captions
