"""The README is the short door to the project, and every document it points at is there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A Markdown link outside code spans: [text](target)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
CODE = re.compile(r"`[^`\n]*`")


def test_the_readme_is_short() -> None:
    assert len((ROOT / "README.md").read_text("utf-8").splitlines()) < 150


def test_every_relative_link_of_the_docs_points_at_a_file() -> None:
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in LINK.findall(CODE.sub("", document.read_text("utf-8"))):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (document.parent / target).exists(), f"{document.name}: {target}"


# A doubt as `add` prints it: seeds/<name>.txt:<line>: warning: <message>
SHOWN_DOUBT = re.compile(r"^seeds/\S+?\.txt(:\d+: warning: .+)$", re.M)
# Where a document quotes `add` on a generated issue: the sentence naming the seed, then the
# first block of text after it.
QUOTED_EXPORT = re.compile(r"```markdown\n(<!-- doubt.*?)```", re.S)
QUOTED_ADD = re.compile(r"seed (\d+) of the tuning range.*?```text\n(.*?)```", re.S)


def test_the_doubts_the_docs_show_are_what_the_reader_says_of_that_issue() -> None:
    """docs/editors.md and the README quote `add` on a generated issue: the reader's doubts
    on it now, word for word, so that a change to the reader cannot leave them stale."""
    from bulletin_maker import make_issue
    from bulletin_site.corrections import BULLETIN_FORMAT, export_text
    from bulletin_site.parse import read_text
    from bulletin_site.read import decode
    from bulletin_site.site import is_doubt, reader_warnings

    for name in ("docs/editors.md", "README.md"):
        quote = QUOTED_ADD.search((ROOT / name).read_text("utf-8"))
        assert quote, f"{name} quotes no doubt of a generated issue"
        issue = make_issue(int(quote.group(1)))
        doc = read_text(decode(issue.data, issue.name)).document
        said = {
            SHOWN_DOUBT.match(problem.shown()).group(1)
            for problem in reader_warnings(doc, "seeds/x.txt")
            if is_doubt(problem)
        }
        quoted = SHOWN_DOUBT.findall(quote.group(2))
        assert quoted and set(quoted) <= said, name
        # … and where an exported correction file puts it: the comment, then its text.
        exported = export_text(doc, BULLETIN_FORMAT, "0" * 64, issue.name)
        for block in QUOTED_EXPORT.findall(quote.string[quote.end() :])[:1]:
            assert block.strip() in exported, name
