"""Incremental builds on a large archive: full build vs. add one issue vs. correct one article.

    python bench/incremental.py [--count 1000] [--out bench/out/incremental] [--verify]

1. OUT/project: an archive of COUNT generated bulletins (``bench/make_archive.py``, which lays
   them out with ``tests/layout_maker.py``), built from scratch (``--clean``);
2. the same build again, nothing changed;
3. ``bulletin-site add`` of one more generated bulletin (its date filled in, as an editor
   would), then a build;
4. ``bulletin-site export`` of one issue, a title and a paragraph corrected, then a build;
5. with ``--verify``: the same inputs built from scratch in another folder, and both _site/
   trees compared byte for byte.

Prints a table: wall time, share of the full build, what was computed (readings, conversions,
pages; the rest came from the cache) and the time per stage when the build reports it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # layout_maker lives with the tests
sys.path.insert(0, str(ROOT / "bench"))

from bulletin_site.corrections import export  # noqa: E402
from bulletin_site.intake import add  # noqa: E402
from bulletin_site.kinds import KINDS  # noqa: E402
from bulletin_site.pipeline import BuildReport, build  # noqa: E402
from bulletin_site.write import wait_for_removals  # noqa: E402
from layout_maker import Layout, lay_out, sample_articles  # noqa: E402

STAGES = ("read", "parse", "convert", "render", "write", "index", "index wait")


@dataclass(frozen=True)
class Row:
    step: str
    seconds: float
    report: BuildReport


def make_project(count: int, out: Path) -> Path:
    project = out / "project"
    try:
        from make_archive import make_archive
    except ImportError:  # the scale benchmark's generator is not there: a simpler archive
        make_simple_archive(count, project)
    else:
        make_archive(count, project, hugo=False)  # with a copy of the templates
    return project


def make_simple_archive(count: int, project: Path) -> None:
    (project / "seeds").mkdir(parents=True)
    (project / "content" / "issues").mkdir(parents=True)
    shutil.copyfile(ROOT / "content" / "glossary.yaml", project / "content" / "glossary.yaml")
    site = (ROOT / "content" / "site.yaml").read_text("utf-8")
    (project / "content" / "site.yaml").write_text(re.sub(r"(?m)^templates:.*\n", "", site))
    for i in range(count):
        raw = lay_out(
            sample_articles(8, seed=i), Layout(width=18 + i % 17, seed=i), issue_number=i + 1
        )
        stem = f"{i:04d}_generated"
        (project / "seeds" / f"{stem}.txt").write_text(raw, encoding="utf-8")
        year, week = 2006 + i // 52, i % 52
        (project / "content" / "issues" / f"{stem}.yaml").write_text(
            f"number: {i + 1}\ndate: {year}-{1 + week // 5:02d}-{1 + week % 5 * 5:02d}\n"
        )
    # A copy of the templates: the archive's pages then do not depend on the repository's
    # templates/, which may change while the benchmark runs.
    shutil.copytree(ROOT / "templates", project / "templates")


def new_bulletin(out: Path, number: int) -> Path:
    """The next issue as the bureau sends it: raw text, never seen by this project."""
    raw = lay_out(sample_articles(9, seed=4242), Layout(width=24, seed=4242), issue_number=number)
    path = out / f"issue-{number}.txt"
    path.write_text(raw, encoding="utf-8")
    return path


def correct(correction: Path) -> None:
    """What an editor does in a correction file: one title and one paragraph."""
    lines = correction.read_text("utf-8").split("\n")
    heading = next(i for i, line in enumerate(lines) if line.startswith("## "))
    lines[heading] += "（更正）"
    paragraph = next(
        i for i in range(heading + 1, len(lines)) if lines[i] and not lines[i].startswith(">")
    )
    lines[paragraph] += "本段經編輯更正。"
    correction.write_text("\n".join(lines), encoding="utf-8")


def timed(step: str, root: Path, *, clean: bool = False) -> Row:
    """One build, and the deletion of the site it replaced (a command waits for that before
    it ends; here the next build would)."""
    started = time.perf_counter()
    report = build(root, clean=clean)
    wait_for_removals()
    return Row(step, time.perf_counter() - started, report)


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def table(rows: Sequence[Row]) -> str:
    full = rows[0].seconds
    stages = [s for s in STAGES if any(s in r.report.stage_seconds for r in rows)]
    head = ["step", "seconds", "of full", "read", "converted", "rendered", "written", *stages]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        computed = row.report.cache.computed
        pages = row.report.cache.reused.get("pages", 0) + computed.get("pages", 0)
        cells = [
            row.step,
            f"{row.seconds:.2f}",
            f"{row.seconds / full:.1%}",
            str(computed.get("readings", 0)),
            str(computed.get("converted", 0)),
            f"{computed.get('pages', 0)} of {pages}",
            f"{row.report.written} (linked {row.report.linked})",
            *(f"{row.report.stage_seconds.get(s, 0.0):.2f}" for s in stages),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="bulletins in the archive")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "incremental")
    parser.add_argument("--verify", action="store_true", help="compare with a full build")
    args = parser.parse_args(argv)
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    root = make_project(args.count, out)
    print(f"archive: {args.count} bulletins in {root}", file=sys.stderr)

    rows = [timed("full build (--clean)", root, clean=True)]
    rows.append(timed("rebuild, nothing changed", root))

    added = add(root, new_bulletin(out, args.count + 1))
    stub = root / str(added.stub)
    # The editor fills in the date the reader could not know: after every issue of the archive.
    stub.write_text(re.sub(r"(?m)^date:", "date: 2026-01-02", stub.read_text("utf-8")), "utf-8")
    rows.append(timed("add one issue", root))

    stem = sorted(p.stem for p in (root / "seeds").glob("*.txt"))[args.count // 2]
    path, _ = export(root, stem, KINDS)
    correct(root / path)
    rows.append(timed("correct one article", root))

    print(table(rows))
    for row in rows[1:]:
        share = row.seconds / rows[0].seconds
        target = 0.03 if row.step == "rebuild, nothing changed" else 0.05
        verdict = "meets" if share < target else "misses"
        print(f"{row.step}: {share:.1%} of the full build ({verdict} the {target:.0%} target)")

    if args.verify:
        fresh = out / "fresh"
        fresh.mkdir()
        for part in ("seeds", "content", "templates"):
            shutil.copytree(root / part, fresh / part)
        build(fresh, clean=True)
        same = tree(fresh / "_site") == tree(root / "_site")
        print(f"incremental _site/ byte-identical to a full build: {same}")
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
