"""Fidelity of the two editions: how much of the bureau's text survives a round trip.

    python bench/fidelity.py [SEEDS_DIR] [--show]

Every seed (raw text, whitespace-only lines dropped) is converted to the other script and back:
a Traditional seed Hant → Hans → Hant, a Simplified one Hans → Hant → Hans; the script is
detected from the text, not the file name. A change is a CJK character that differs after the
round trip (position by position, or by difflib when the lengths differ), out of the source's CJK
characters; compatibility ideographs in the source count as their NFC form. Rows: plain OpenCC
(s2t, s2hk, s2tw with their inverses t2s, hk2s, tw2s) and the site's conversion (OpenCC and
content/glossary.yaml). ``--show`` lists the site's remaining changes, for the glossary's editors.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import opencc

from bulletin_site.convert import IDEOGRAPH, Converter, detect_script, load_glossary, nfc
from bulletin_site.model import HANS, HANT

ROOT = Path(__file__).resolve().parents[1]
COMPAT = range(0xF900, 0xFB00)  # CJK Compatibility Ideographs
REPEAT = 3  # timing: the best of this many runs

Convert = Callable[[str], str]


@dataclass(frozen=True)
class Method:
    name: str
    to_hant: Convert
    to_hans: Convert


@dataclass(frozen=True)
class Seed:
    name: str
    text: str
    script: str


@dataclass(frozen=True)
class Result:
    method: str
    hant_changed: int
    hant_total: int
    hans_changed: int
    hans_total: int
    compat_written: int
    seconds_per_mb: float


def read_seed(path: Path) -> str:
    """The raw text with its whitespace-only lines dropped (PDF text has one after every line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line.strip())


def load_seeds(folder: Path) -> list[Seed]:
    seeds = []
    for path in sorted(folder.glob("*.txt")):
        text = read_seed(path)
        seeds.append(Seed(path.name, text, detect_script(text)))
    return seeds


def ideographs(text: str) -> list[str]:
    return IDEOGRAPH.findall(nfc(text))


def changes(source: str, result: str) -> list[tuple[int, str, str]]:
    """The CJK characters the round trip changed: (index among the source's CJK, was, is)."""
    before, after = ideographs(source), ideographs(result)
    if len(before) == len(after):
        return [(i, a, b) for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    found = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            # A replaced run counts its longer side: every character in it changed.
            width = max(i2 - i1, j2 - j1)
            found += [(i1, "".join(before[i1:i2]), "".join(after[j1:j2]))] * width
    return found


def round_trip(text: str, script: str, method: Method) -> tuple[str, str]:
    """(the text in the other script, and back in its own)."""
    if script == HANT:
        there = method.to_hans(text)
        return there, method.to_hant(there)
    there = method.to_hant(text)
    return there, method.to_hans(there)


def compat_count(texts: Iterable[str]) -> int:
    return sum(1 for text in texts for char in text if ord(char) in COMPAT)


def measure(method: Method, seeds: Sequence[Seed]) -> Result:
    changed = {HANT: 0, HANS: 0}
    total = {HANT: 0, HANS: 0}
    written = []
    for seed in seeds:
        there, back = round_trip(seed.text, seed.script, method)
        changed[seed.script] += len(changes(seed.text, back))
        total[seed.script] += len(ideographs(seed.text))
        written += [there, back]
    return Result(
        method=method.name,
        hant_changed=changed[HANT],
        hant_total=total[HANT],
        hans_changed=changed[HANS],
        hans_total=total[HANS],
        compat_written=compat_count(written),
        seconds_per_mb=_seconds_per_mb(method, seeds),
    )


def _seconds_per_mb(method: Method, seeds: Sequence[Seed]) -> float:
    # Both conversions of every seed; the megabytes are UTF-8 input, both legs counted.
    megabytes = 0.0
    for seed in seeds:
        there, _ = round_trip(seed.text, seed.script, method)
        megabytes += (len(seed.text.encode()) + len(there.encode())) / 1e6
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        for seed in seeds:
            round_trip(seed.text, seed.script, method)
        best = min(best, time.perf_counter() - start)
    return best / megabytes if megabytes else 0.0


def methods(glossary_path: Path) -> list[Method]:
    plain = [
        Method(name, opencc.OpenCC(name).convert, opencc.OpenCC(inverse).convert)
        for name, inverse in (("s2t", "t2s"), ("s2hk", "hk2s"), ("s2tw", "tw2s"))
    ]
    converter = Converter(load_glossary(glossary_path))
    site = Method(
        "site",
        lambda text: converter.convert(text, HANT),
        lambda text: converter.convert(text, HANS),
    )
    return [*plain, site]


def _ratio(changed: int, total: int) -> str:
    if not total:
        return "–"
    return f"{100 * changed / total:.2f}% ({changed}/{total})"


def table(results: Sequence[Result]) -> str:
    lines = [
        "| conversion | Hant→Hans→Hant (Traditional seeds) | Hans→Hant→Hans (Simplified seeds) "
        "| compatibility ideographs written | time per MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.method} | {_ratio(r.hant_changed, r.hant_total)} "
            f"| {_ratio(r.hans_changed, r.hans_total)} | {r.compat_written} "
            f"| {1000 * r.seconds_per_mb:.0f} ms |"
        )
    return "\n".join(lines)


def show_changes(method: Method, seeds: Sequence[Seed]) -> str:
    """Every change the round trip makes, with some context: what the glossary could fix."""
    lines = []
    for seed in seeds:
        _, back = round_trip(seed.text, seed.script, method)
        source = ideographs(seed.text)
        for index, was, now in dict.fromkeys(changes(seed.text, back)):
            context = "".join(source[max(0, index - 6) : index + len(was) + 6])
            lines.append(f"{seed.name}  {was} → {now}   …{context}…")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seeds", nargs="?", type=Path, default=ROOT / "seeds")
    parser.add_argument("--glossary", type=Path, default=ROOT / "content" / "glossary.yaml")
    parser.add_argument("--show", action="store_true", help="list the site's remaining changes")
    args = parser.parse_args(argv)

    seeds = load_seeds(args.seeds)
    if not seeds:
        print(f"no .txt seeds in {args.seeds}", file=sys.stderr)
        return 1
    print(f"Seeds in {args.seeds} (script detected from the text):")
    for seed in seeds:
        label = "zh-Hant" if seed.script == HANT else "zh-Hans"
        print(f"  {seed.name}  {label}  {len(ideographs(seed.text))} CJK characters")
    print()
    all_methods = methods(args.glossary)
    print(table([measure(method, seeds) for method in all_methods]))
    if args.show:
        print()
        print(show_changes(all_methods[-1], seeds) or "no changes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
