"""The Nu HTML checker (the W3C's validator, npm ``vnu-jar``) finds nothing to say about any
page of either edition of the seeds' site.

It runs on Java, and is installed from npm into ``tools/node_modules`` (git-ignored) by
``npm ci --prefix tools``: ``bash .ci/run`` does that, and so does this test when npm is there
and the checker is not yet. Skipped, saying why, only when Java or npm is missing.

One kind of message is set aside: the checker reads the pages as ``file:`` URLs, which no
Content-Security-Policy ``'self'`` matches, so it says the site's own stylesheet and scripts
would be blocked. They are not over HTTP, where tests/browser/ checks that no page logs a
CSP violation."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
VNU = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FILE_ORIGIN_CSP = "Resource violates Content Security Policy"


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.skip("the Nu HTML checker runs on Java, and there is no `java` on PATH")
    if not VNU.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("the Nu HTML checker comes from npm (vnu-jar), and there is no `npm`")
        subprocess.run(
            [npm, "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
        )
    return [java, "-jar", str(VNU)]


def test_every_page_of_both_editions_is_valid_html(vnu: list[str], built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert any("zh-hant/" in str(p) for p in pages) and any("zh-hans/" in str(p) for p in pages)
    done = subprocess.run(
        [*vnu, "--format", "json", "--exit-zero-always", *map(str, pages)],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(done.stderr)["messages"]
    said = [
        f"{m.get('url', '').split('_site/')[-1]}:{m.get('lastLine', '')}: {m['type']}"
        f"{'/' + m['subType'] if 'subType' in m else ''}: {m['message']}"
        for m in messages
        if not (m["type"] == "info" and FILE_ORIGIN_CSP in m["message"])
        and not (m["type"] == "info" and "subType" not in m)  # plain notes, not findings
    ]
    assert said == []
