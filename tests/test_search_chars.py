"""One definition of a Chinese character (src/bulletin_site/chars.py), and search-engine.js's
copy of it held to it over every code point, under node (the browser tests compare the rest of
search-engine.js with Python on the seeds' text)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bulletin_site import chars, clean, convert
from bulletin_site.search import words

ROOT = Path(__file__).resolve().parents[1]
SEARCH_JS = ROOT / "templates" / "assets" / "search-engine.js"
NODE = shutil.which("node")

# search-engine.js imported from its text (it is an ES module in a folder without package.json),
# then charClass and \p{L}/\p{N} asked of every code point; the answers as runs
# [first code point, class, letter or digit].
NODE_SCRIPT = r"""
const fs = require("fs");
const source = fs.readFileSync(process.argv[1], "utf8");
import("data:text/javascript;base64," + Buffer.from(source).toString("base64")).then((m) => {
  const runs = [];
  const letterOrDigit = /^[\p{L}\p{N}]$/u;
  for (let code = 0; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue; // surrogates are no characters
    const char = String.fromCodePoint(code);
    const answer = [m.charClass(char), letterOrDigit.test(char)];
    const last = runs[runs.length - 1];
    if (!last || last[1] !== answer[0] || last[2] !== answer[1]) runs.push([code, ...answer]);
  }
  process.stdout.write(JSON.stringify({ ranges: m.HAN_RANGES, runs }));
});
"""


def test_every_module_asks_chars_what_an_ideograph_is() -> None:
    assert clean.bigrams("經濟𠀋局") == {"經濟", "濟𠀋", "𠀋局"}  # a supplementary ideograph
    assert convert.IDEOGRAPH.pattern == f"[{chars.IDEOGRAPHS}]"
    for low, high in chars.IDEOGRAPH_BLOCKS:  # every ideograph is a search token of its own
        assert any(a <= low and high <= b for a, b in chars.SEARCH_TOKEN_RANGES)
    assert chars.is_ideograph("經") and chars.is_ideograph("\U00020000")
    assert not chars.is_ideograph("ア") and not chars.is_ideograph("a")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_search_engine_classes_every_code_point_as_python_does() -> None:
    done = subprocess.run(
        [str(NODE), "-e", NODE_SCRIPT, str(SEARCH_JS)],
        capture_output=True,
        check=True,
        timeout=300,
    )
    answer = json.loads(done.stdout)
    assert [tuple(r) for r in answer["ranges"]] == list(chars.SEARCH_TOKEN_RANGES)
    runs = answer["runs"]
    differ = []
    for i, (start, js_class, js_letter) in enumerate(runs):
        end = runs[i + 1][0] if i + 1 < len(runs) else sys.maxunicode + 1
        for code in range(start, end):
            if 0xD800 <= code <= 0xDFFF:
                continue
            char = chr(code)
            # node's Unicode may be newer than Python's: where the two disagree on what is a
            # letter or digit, only the ranges can be compared (and they were, above).
            py_letter = unicodedata.category(char)[0] in "LN"
            if py_letter != js_letter:
                continue
            if words.char_class.__wrapped__(char) != js_class:
                differ.append(f"U+{code:04X}")
    assert differ == []
