"""cli: `bulletin-site parse` prints the contract; bad input is one line and exit 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = sorted((ROOT / "seeds").glob("000_*.txt"))[0]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bulletin_site", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=ROOT,
        timeout=120,
    )


def test_parse_prints_the_json_contract() -> None:
    result = run("parse", str(SEED))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "kind", "source", "script", "issue", "summary", "contact", "articles", "warnings"
    }  # fmt: skip
    assert data["source"] == SEED.name
    assert set(data["articles"][0]) == {"number", "title", "paragraphs", "captions"}


def test_parse_report_lists_every_line_with_its_role() -> None:
    data = json.loads(run("parse", str(SEED), "--report").stdout)
    roles = {entry["role"] for entry in data["report"]}
    assert {"contents", "summary", "contact", "paragraph", "caption", "footer", "repeat"} <= roles


def test_parse_as_text_reads_like_the_bulletin() -> None:
    result = run("parse", str(SEED), "--format", "text")
    assert result.returncode == 0
    assert "== 1. " in result.stdout and "[¶1]" in result.stdout and "[caption]" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\x00\x01binary", "NUL bytes"), ("今天天氣很好。\n".encode(), "is not")],
)
def test_bad_input_is_one_line_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run("parse", str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}: ") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_convert_reads_stdin_and_writes_the_other_script() -> None:
    result = run("convert", "--to", "zh-Hans", stdin="經濟局衞生\n")
    assert result.returncode == 0
    assert result.stdout == "经济局卫生\n"
