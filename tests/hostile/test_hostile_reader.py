"""The reader on hostile input: it never raises anything but InputError, takes time linear in
the input, and accounts for every line (in the output or in the conservation report).

Default run: a few hundred inputs. ``-m slow``: thousands, and 10 MB files.
"""

from __future__ import annotations

import random
import time

import pytest
from hostile_inputs import (
    ENCODINGS,
    MIXED,
    MUTATIONS,
    STRAYS,
    check,
    encode,
    mutate,
    read_bytes,
    seed_texts,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin_site.errors import InputError
from bulletin_site.parse import read_text
from bulletin_site.read import decode
from layout_maker import Layout, lay_out, sample_articles

DEFAULT_MUTATIONS = 80
SLOW_MUTATIONS = 5000
DEFAULT_EXAMPLES = 60
SLOW_EXAMPLES = 2000


# --- a reader bug found by fuzzing (fixed in 4d8e7fb), kept as a regression test --------------

PAGE_TEXT_BEFORE_HEADING = "前言一行。\n# 標題\n- 一項\n- [連結](https://example.org/)\n".encode()


def test_a_page_keeps_the_text_above_its_first_heading() -> None:
    reading = read_text(decode(PAGE_TEXT_BEFORE_HEADING, "page.txt"), "page.txt")
    assert reading.document.kind == "page"
    assert "前言一行" in reading.document.markdown


def _long_line(n: int) -> str:
    return ("經濟局於本月舉辦講座吸引逾百名業界代表參加" * (n // 20 + 1))[:n]


# One long line of a bulletin (a text layer without line breaks), in the body or the contents.
LONG_LINE = {
    "body line": lambda n: (
        "1. 標題一\n2. 標題二\n導讀。\n電話: 28882888。\n 正文第一行，\n"
        + _long_line(n)
        + "\n正文完。\n1. 標題一\n2. 標題二\n"
    ),
    "contents line": lambda n: (
        f"1. {_long_line(n)}\n2. 標題\n導讀。\n電話: 28882888。\n正文。\n"
        f"1. {_long_line(n)}\n2. 標題\n"
    ),
}


def reader_work(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """What reading ``text`` costs, counted (not timed, so the same on every machine):
    characters put through ``key`` and character pairs handed to SequenceMatcher."""
    from bulletin_site.parse import bulletin, layout

    counted = [0, 0]
    real_key = layout.key

    def counting_key(text: str) -> str:
        counted[0] += len(text)
        return real_key(text)

    class CountingMatcher(bulletin.SequenceMatcher):  # type: ignore[misc]
        def set_seqs(self, a: str, b: str) -> None:
            counted[1] += len(a) * len(b)
            super().set_seqs(a, b)

    with monkeypatch.context() as patch:
        patch.setattr(layout, "key", counting_key)
        patch.setattr(bulletin, "SequenceMatcher", CountingMatcher)
        read_bytes(text.encode())
    return counted[0], counted[1]


@pytest.mark.parametrize("case", sorted(LONG_LINE))
def test_work_is_linear_in_a_lines_length(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line 4× longer costs at most about 4× the work. It was 16× before Line.key was cached
    and titles were compared on their first characters (a 16,000-character line took ~15 s)."""
    small = reader_work(LONG_LINE[case](1000), monkeypatch)
    large = reader_work(LONG_LINE[case](4000), monkeypatch)
    for few, many in zip(small, large, strict=True):
        assert many <= 6 * few + 50_000, (small, large)


def problems_of(data: bytes, name: str = "fuzz.txt") -> list[str]:
    return check(data, name)


# --- mutations of the seeds -------------------------------------------------------------------


def run_mutations(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    seeds = seed_texts()
    failures = []
    for i in range(count):
        name, text = rng.choice(seeds)
        mutated, names = mutate(text, rng, rng.randint(1, 3))
        data = encode(mutated, rng)
        found = problems_of(data)  # an exception other than InputError fails the test here
        if found:
            failures.append(f"#{i} {name} {names}: {found[:2]}")
    return failures


def test_mutated_seeds() -> None:
    assert run_mutations(DEFAULT_MUTATIONS, seed=1) == []


@pytest.mark.slow
def test_mutated_seeds_long_run() -> None:
    assert run_mutations(SLOW_MUTATIONS, seed=2) == []


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_each_mutation_on_each_seed(mutation: str) -> None:
    rng = random.Random(mutation)
    for name, text in seed_texts():
        lines = MUTATIONS[mutation](text.split("\n"), rng)
        data = "\n".join(lines).encode("utf-8")
        assert problems_of(data) == [], (mutation, name)


# --- generated text (Hypothesis) --------------------------------------------------------------

# Characters that mean something to the reader: numbers, list and section marks, sentence
# ends, brackets, spaces, line breaks of every kind, and some Han characters.
STRUCTURE = list("0123456789.．、一二三四五六七八九十（）()#-*+[]，。：:;《》“”「」 \u3000\t\n\n\n")
STRUCTURE += list("經濟局會議澳門合作期第快訊電話@wwwhttp") + list(STRAYS)
CHARS = st.sampled_from(STRUCTURE)
LINE = st.one_of(
    st.text(CHARS, max_size=40),
    st.builds(lambda n, t: f"{n}. {t}", st.integers(0, 1000), st.text(CHARS, max_size=30)),
    st.builds(lambda t: f"一、{t}", st.text(CHARS, max_size=20)),
    st.builds(lambda t: f"（二）{t}", st.text(CHARS, max_size=20)),
    st.builds(lambda t: f"# {t}", st.text(CHARS, max_size=20)),
    st.sampled_from(MIXED),
)
DOCUMENT = st.lists(LINE, max_size=80).map("\n".join)


def _fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _check_text(text: str, codec: str) -> None:
    data = text.encode(codec, errors="replace")
    assert problems_of(data) == []


def _check_bytes(data: bytes) -> None:
    assert problems_of(data) == []


def _check_mutated_bulletins(count: int, width: int, seed: int, data: st.DataObject) -> None:
    """``count`` generated articles laid out ``width`` wide, mutated, in a drawn encoding."""
    text = lay_out(sample_articles(count, seed), Layout(width=width, seed=seed))
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    mutated, _ = mutate(text, rng, data.draw(st.integers(0, 3)))
    _check_text(mutated, data.draw(st.sampled_from(ENCODINGS)))


@_fuzz_settings(DEFAULT_EXAMPLES)
@given(DOCUMENT, st.sampled_from(ENCODINGS))
def test_structured_text(text: str, codec: str) -> None:
    _check_text(text, codec)


@_fuzz_settings(DEFAULT_EXAMPLES)
@given(st.text(max_size=2000), st.sampled_from(ENCODINGS))
def test_any_text(text: str, codec: str) -> None:
    _check_text(text, codec)


@_fuzz_settings(DEFAULT_EXAMPLES)
@given(st.binary(max_size=4000))
def test_any_bytes(data: bytes) -> None:
    _check_bytes(data)


@_fuzz_settings(DEFAULT_EXAMPLES // 3)
@given(st.integers(2, 12), st.integers(8, 60), st.integers(0, 10**6), st.data())
def test_generated_bulletins_mutated(
    count: int, width: int, seed: int, data: st.DataObject
) -> None:
    _check_mutated_bulletins(count, width, seed, data)


@pytest.mark.slow
@_fuzz_settings(SLOW_EXAMPLES)
@given(DOCUMENT, st.sampled_from(ENCODINGS))
def test_structured_text_long_run(text: str, codec: str) -> None:
    _check_text(text, codec)


@pytest.mark.slow
@_fuzz_settings(SLOW_EXAMPLES)
@given(st.binary(max_size=20000))
def test_any_bytes_long_run(data: bytes) -> None:
    _check_bytes(data)


@pytest.mark.slow
@_fuzz_settings(SLOW_EXAMPLES // 4)
@given(st.integers(2, 12), st.integers(8, 60), st.integers(0, 10**6), st.data())
def test_generated_bulletins_mutated_long_run(
    count: int, width: int, seed: int, data: st.DataObject
) -> None:
    _check_mutated_bulletins(count, width, seed, data)


# --- edge cases, each named -------------------------------------------------------------------

EDGES = {
    "empty": b"",
    "blank lines": b"\n\n \n\t\n",
    "bom only": b"\xef\xbb\xbf",
    "nul bytes": b"1. a\x00b\n",
    "controls only": b"\x01\x02\x1b\x7f\n",
    "one number": b"1.",
    "one section": "一、".encode(),
    "one hash": b"#",
    "utf-16 without text": "\ufeff   ".encode("utf-16"),
    "lone surrogate bytes": b"\xed\xa0\x80",
    "invalid utf-8 and big5": b"\xff\xfe\xfd\xfc" * 10,
    "one long line": ("經濟局" * 100_000).encode(),
    "a million newlines": b"\n" * 1_000_000,
    "cr only": "1. 標題\r2. 標題二\r正文。\r".encode(),
    "contents without body": "1. 標題一\n2. 標題二\n3. 標題三\n".encode(),
    "numbers 1 to 999": "".join(f"{n}. 標題{n}\n" for n in range(1, 1000)).encode(),
    "same number again": "1. 標題\n" * 500,
    "section, no items": "一、金融\n二、貿易\n".encode(),
    "plan items only": "一、金融\n" + "".join(f"{n}. 項目。\n" for n in range(1, 300)),
    "heading then nothing": b"# \n",
    "unicode line separators": "1. 標題\u2028正文。\u2029\x85".encode(),
    "right-to-left override": "1. \u202e標題\n正文。".encode(),
    "every script": "\n".join(MIXED).encode(),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_cases(name: str) -> None:
    data = EDGES[name]
    data = data if isinstance(data, bytes) else data.encode()
    assert problems_of(data) == []


def test_what_is_not_a_document_is_an_input_error() -> None:
    for data in (b"", b"\x00\x01\x02", b"\xff" * 100, "沒有結構的一行字".encode()):
        with pytest.raises(InputError):
            read_text(decode(data, "x.txt"), "x.txt")


# --- time linear in the input -----------------------------------------------------------------


def _fit(text: str, size: int) -> bytes:
    data = (text * (size // len(text.encode()) + 1)).encode()[:size]
    return data.decode("utf-8", "ignore").encode()


def shapes() -> dict[str, str]:
    seeds = dict(seed_texts())
    bulletin = next(t for n, t in seeds.items() if n.startswith("000"))
    plan = next(t for n, t in seeds.items() if n.startswith("004"))
    return {
        "bulletin repeated": bulletin,
        "work plan, items repeated": plan,
        "one caption-like line repeated": bulletin + "與會嘉賓合照\n講座現場\n",
        "contents only": "".join(f"{n % 999 + 1}. 經濟局舉辦講座第{n}場\n" for n in range(3000)),
        "one line, no breaks": bulletin.replace("\n", ""),
    }


def _seconds(data: bytes, repeat: int = 1) -> float:
    """The reader's best time on ``data`` over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        read_bytes(data)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("shape", ["work plan, items repeated", "contents only"])
def test_time_is_linear(shape: str) -> None:
    """10× the input takes at most 15× the time (100 kB → 1 MB; measured 6–11×)."""
    text = shapes()[shape]
    small = _seconds(_fit(text, 100_000), repeat=3)
    large = _seconds(_fit(text, 1_000_000), repeat=2)
    assert large <= 15 * max(small, 0.01), f"{shape}: {small:.2f} s → {large:.2f} s"


@pytest.mark.slow
@pytest.mark.parametrize("shape", sorted(shapes()))
def test_time_is_linear_up_to_10_mb(shape: str) -> None:
    """1 MB → 10 MB at most 15× the time, and at most 10 µs a byte (measured: 0.9–5.3 µs,
    ratios 6–12× on a loaded 2-core machine)."""
    text = shapes()[shape]
    # The mean of two runs, not the best: a lucky fast run would make any ratio look bad.
    one = (_seconds(_fit(text, 1_000_000)) + _seconds(_fit(text, 1_000_000))) / 2
    ten = _seconds(_fit(text, 10_000_000))
    assert problems_of(_fit(text, 1_000_000)) == []
    assert ten <= 15 * max(one, 0.05), f"{shape}: {one:.2f} s → {ten:.2f} s"
    assert ten <= 10e-6 * 10_000_000, f"{shape}: {ten:.1f} s for 10 MB"


@pytest.mark.slow
def test_a_10_mb_mutated_file_is_read_whole() -> None:
    rng = random.Random(10)
    parts, size = [], 0
    texts = [t for _, t in seed_texts()]
    while size < 10_000_000:
        text, _ = mutate(rng.choice(texts), rng, 1)
        text = text.replace("\x00", "")
        parts.append(text)
        size += len(text.encode())
    data = "\n".join(parts).encode()
    started = time.perf_counter()
    assert problems_of(data) == []
    assert time.perf_counter() - started < 200
