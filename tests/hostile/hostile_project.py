"""A quick project for the hostile tests: generated bulletins, a page and a plan."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def small_project(target: Path) -> Path:
    """A quick project: two generated bulletins (one dated), a Markdown page and a work plan
    from the seeds, the project's templates and glossary. Builds in about a second."""
    from layout_maker import Layout, lay_out, sample_articles

    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "templates", target / "templates")
    (target / "seeds").mkdir()
    (target / "content" / "issues").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "glossary.yaml", target / "content" / "glossary.yaml")
    (target / "content" / "site.yaml").write_text(
        "base_url: https://cepa.example.org/\n", encoding="utf-8"
    )
    for n, seed in ((1, 11), (2, 12)):
        text = lay_out(
            sample_articles(5, seed=seed), Layout(width=20 + n, seed=seed), issue_number=n
        )
        (target / "seeds" / f"00{n}_bulletin.txt").write_text(text, encoding="utf-8")
    (target / "content" / "issues" / "001_bulletin.yaml").write_text(
        "number: 1\ndate: 2020-01-01\n", encoding="utf-8"
    )
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        head = seed.read_text(encoding="utf-8")[:400]
        markdown_or_plan = head.lstrip().startswith("#") or "一、" in head
        if markdown_or_plan and seed.stat().st_size < 20_000:  # the page and the shorter plan
            shutil.copy(seed, target / "seeds" / seed.name)
            (target / "content" / "issues" / f"{seed.stem}.yaml").write_text(
                f"slug: seed-{seed.stem[:3]}\n", encoding="utf-8"
            )
    return target
