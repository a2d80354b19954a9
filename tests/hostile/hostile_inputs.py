"""Hostile inputs for the reader: mutations of the seeds and generated bulletins, and the two
checks every reading must pass (no crash other than InputError; conservation).

Shared by the fuzz tests (tests/hostile/test_hostile_reader.py) and by a person exploring:

    python tests/hostile/hostile_inputs.py 2000      # 2000 random mutations, report failures
"""

from __future__ import annotations

import random
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = tuple(sorted((ROOT / "seeds").glob("*.txt")))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from bulletin_site.clean import clean_line, key, numbered  # noqa: E402
from bulletin_site.errors import InputError  # noqa: E402
from bulletin_site.model import Reading  # noqa: E402
from bulletin_site.parse import read_text  # noqa: E402
from bulletin_site.read import decode  # noqa: E402

# Characters a PDF's text layer, a bad copy-paste or an attacker may put in a line.
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f\u200b\u200e\u200f\u2028\u2029\ufeff\ufffe"
STRAYS = CONTROLS + "\u3000\u00a0\t \ud7ff\ue000\U0001f600\u0301\u202e\uf98e\u00ad"
MIXED = [
    "The World Trade Organization (WTO) said:",
    "한국어 텍스트가 섞여 있습니다",
    "日本語のテキストです。",
    "Ελληνικά και кириллица",
    "العربية",
    "𠀀𪚥𩸽 ext-B ideographs",
    "国际贸易 國際貿易 mixed 简繁",
    "<script>alert(1)</script>",
    "{{ 7*7 }} {% raw %}",
    "1. 2. 3. 一、 （一） ## # - * [x](javascript:alert(1))",
]


def seed_texts() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in SEEDS]


# --- mutations --------------------------------------------------------------------------------
# Each takes the text's lines and a Random, and returns new lines.

Lines = list[str]


def drop_lines(lines: Lines, rng: random.Random) -> Lines:
    share = rng.choice((0.01, 0.1, 0.3, 0.7))
    return [line for line in lines if rng.random() > share]


def duplicate_lines(lines: Lines, rng: random.Random) -> Lines:
    out = []
    for line in lines:
        out.append(line)
        if rng.random() < 0.1:
            out.extend([line] * rng.randint(1, 3))
    return out


def duplicate_block(lines: Lines, rng: random.Random) -> Lines:
    if len(lines) < 2:
        return lines
    a = rng.randrange(len(lines))
    b = min(len(lines), a + rng.randint(1, 80))
    at = rng.randrange(len(lines))
    return lines[:at] + lines[a:b] + lines[at:]


def shuffle_lines(lines: Lines, rng: random.Random) -> Lines:
    out = list(lines)
    rng.shuffle(out)
    return out


def shuffle_blocks(lines: Lines, rng: random.Random) -> Lines:
    size = rng.randint(3, 40)
    blocks = [lines[i : i + size] for i in range(0, len(lines), size)]
    rng.shuffle(blocks)
    return [line for block in blocks for line in block]


def cut(lines: Lines, rng: random.Random) -> Lines:
    """The file cut short, mid-line (a truncated download)."""
    text = "\n".join(lines)
    return text[: rng.randrange(len(text) + 1)].split("\n")


def cut_lines(lines: Lines, rng: random.Random) -> Lines:
    """Lines cut short at random places."""
    return [line[: rng.randrange(len(line) + 1)] if rng.random() < 0.2 else line for line in lines]


def rewrap(lines: Lines, rng: random.Random) -> Lines:
    """Runs of text lines joined and wrapped again at another width."""
    width = rng.choice((1, 2, 5, 11, 17, 23, 31, 47, 80, 200))
    out: list[str] = []
    run = ""
    for line in [*lines, ""]:
        if line.strip():
            run += line.strip()
            continue
        out.extend(run[i : i + width] for i in range(0, len(run), width))
        run = ""
        out.append(line)
    return out


def add_spaces(lines: Lines, rng: random.Random) -> Lines:
    def spaced(line: str) -> str:
        r = rng.random()
        if r < 0.2:
            return " " * rng.randint(1, 6) + line
        if r < 0.3:
            return line + " " * rng.randint(1, 4)
        if r < 0.4:
            return " ".join(line)  # letter-spaced
        if r < 0.45:
            return "\u3000".join(line)
        return line

    return [spaced(line) for line in lines]


def remove_spaces(lines: Lines, rng: random.Random) -> Lines:
    return [re.sub(r"[ \u3000]+", "", line) if rng.random() < 0.5 else line for line in lines]


def add_blank_lines(lines: Lines, rng: random.Random) -> Lines:
    out = []
    for line in lines:
        out.append(line)
        if rng.random() < 0.2:
            out.extend([rng.choice(("", " ", "\t", "\u3000"))] * rng.randint(1, 4))
    return out


def remove_blank_lines(lines: Lines, rng: random.Random) -> Lines:
    return [line for line in lines if line.strip()]


def stray_characters(lines: Lines, rng: random.Random) -> Lines:
    def stray(line: str) -> str:
        if rng.random() > 0.15:
            return line
        at = rng.randrange(len(line) + 1)
        return line[:at] + rng.choice(STRAYS) * rng.randint(1, 3) + line[at:]

    return [stray(line) for line in lines]


def mixed_scripts(lines: Lines, rng: random.Random) -> Lines:
    out = []
    for line in lines:
        r = rng.random()
        if r < 0.05:
            out.append(rng.choice(MIXED))
        elif r < 0.1:
            out.append(line + rng.choice(MIXED))
        else:
            out.append(line)
        if rng.random() < 0.03:
            out.append(line)
    return out


def long_lines(lines: Lines, rng: random.Random) -> Lines:
    """Everything (or long runs) on one line: a text layer without line breaks."""
    if rng.random() < 0.5:
        return ["".join(lines)]
    size = rng.randint(20, 200)
    return ["".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def odd_newlines(lines: Lines, rng: random.Random) -> Lines:
    """CR, CRLF, form feeds and Unicode line separators between lines."""
    seps = ("\r", "\r\n", "\x0c", "\u2028", "\x85", "\n\r")
    return ["".join(line + rng.choice(seps) for line in lines)]


def renumber(lines: Lines, rng: random.Random) -> Lines:
    """Numbers in numbered lines changed: contents that do not match the footers."""

    def change(line: str) -> str:
        found = numbered(line.strip())
        if found and rng.random() < 0.5:
            return f"{rng.choice((0, 1, 2, 99, 999, found[0] + 1))}. {found[1]}"
        return line

    return [change(line) for line in lines]


MUTATIONS: dict[str, Callable[[Lines, random.Random], Lines]] = {
    f.__name__: f
    for f in (
        drop_lines,
        duplicate_lines,
        duplicate_block,
        shuffle_lines,
        shuffle_blocks,
        cut,
        cut_lines,
        rewrap,
        add_spaces,
        remove_spaces,
        add_blank_lines,
        remove_blank_lines,
        stray_characters,
        mixed_scripts,
        long_lines,
        odd_newlines,
        renumber,
    )
}


def mutate(text: str, rng: random.Random, steps: int = 2) -> tuple[str, list[str]]:
    """``text`` after ``steps`` random mutations; also their names."""
    lines = text.split("\n")
    names = []
    for _ in range(steps):
        name = rng.choice(sorted(MUTATIONS))
        names.append(name)
        lines = MUTATIONS[name](lines, rng)
    return "\n".join(lines), names


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "gb18030", "big5hkscs")


def encode(text: str, rng: random.Random) -> bytes:
    codec = rng.choice(ENCODINGS)
    return text.encode(codec, errors="replace" if codec in ("gb18030", "big5hkscs") else "strict")


# --- the checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    reading: Reading | None  # None: refused with InputError
    error: str = ""
    seconds: float = 0.0


def read_bytes(data: bytes, name: str = "fuzz.txt") -> Outcome:
    """What the reader makes of ``data``: a reading or an InputError. Any other exception
    propagates: that is a bug."""
    started = time.perf_counter()
    try:
        reading = read_text(decode(data, name), name)
    except InputError as error:
        return Outcome(None, str(error), time.perf_counter() - started)
    return Outcome(reading, "", time.perf_counter() - started)


# Roles whose line is accounted for by the report alone (its text is a copy of text that is
# in the output, or a page furniture line the report names).
ACCOUNTED = ("repeat", "footer", "contents", "masthead", "unplaced", "read")


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def conservation_problems(data: bytes, reading: Reading, name: str = "fuzz.txt") -> list[str]:
    """Every line of the input that carries text is in the report; a line the report says is
    in the output is in the output (its text, spaces aside); an unplaced line is a warning."""
    source = decode(data, name).text
    doc = reading.document
    report_lines = {t.line for t in reading.report}
    published = "\x00".join(key(s) for s in _strings(_published(doc)))
    warned = {w.line for w in doc.warnings}
    problems = []
    for number, raw in enumerate(source.split("\n"), start=1):
        if clean_line(raw) and number not in report_lines:
            problems.append(f"line {number} not in the report: {raw[:60]!r}")
    for trace in reading.report:
        if trace.role in ACCOUNTED:
            if trace.role == "unplaced" and trace.line not in warned:
                problems.append(f"line {trace.line} unplaced without a warning")
            continue
        # A caption line may hold two captions side by side (split at the gap): each
        # whitespace-separated piece must be published.
        found = numbered(trace.text)
        text = found[1] if found and key(trace.text) not in published else trace.text
        missing = [piece for piece in text.split() if key(piece) not in published]
        if missing:
            problems.append(
                f"line {trace.line} ({trace.role} → {trace.target}) not in the output: "
                f"{missing[0][:60]!r} of {trace.text[:60]!r}"
            )
    return problems


def _published(doc: object) -> dict[str, object]:
    data = doc.to_dict()
    for k in ("kind", "source", "script", "warnings"):
        data.pop(k, None)
    return data


def check(data: bytes, name: str = "fuzz.txt") -> list[str]:
    """Both checks on one input: [] when it passes."""
    outcome = read_bytes(data, name)
    if outcome.reading is None:
        return []
    return conservation_problems(data, outcome.reading, name)


# --- exploring by hand ------------------------------------------------------------------------


def explore(count: int = 200, seed: int = 0, stop_after: int = 20) -> int:
    rng = random.Random(seed)
    seeds = seed_texts()
    failures = 0
    slowest = (0.0, "")
    for i in range(count):
        name, text = rng.choice(seeds)
        mutated, names = mutate(text, rng, rng.randint(1, 3))
        data = encode(mutated, rng)
        try:
            outcome = read_bytes(data)
            problems = conservation_problems(data, outcome.reading) if outcome.reading else []
        except Exception:
            problems = [traceback.format_exc(limit=-3)]
            outcome = Outcome(None)
        if outcome.seconds > slowest[0]:
            slowest = (outcome.seconds, f"#{i} {name} {names} {len(data)} bytes")
        if problems:
            failures += 1
            print(f"#{i} {name} {names}:", *problems[:3], sep="\n  ")
            Path(f"/tmp/fuzz-fail-{i}.txt").write_bytes(data)
            if failures >= stop_after:
                break
    print(f"{count} inputs, {failures} failing; slowest {slowest[0]:.2f} s: {slowest[1]}")
    return failures


if __name__ == "__main__":
    explore(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 0
    )
