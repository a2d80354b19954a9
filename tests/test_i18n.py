"""Messages in the editor's language: 繁體中文 when the locale is Chinese (LANG=zh_*), English
otherwise, through the standard library's gettext; ``path:line:`` first in both, so editors'
tools still jump to the line. The catalogue is the package's
locale/zh/LC_MESSAGES/bulletin-site.po, compiled to the .mo beside it."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from bulletin_site import i18n
from bulletin_site.cli import main
from bulletin_site.errors import ENGLISH, Problem

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

CHINESE = i18n.chinese()


@pytest.mark.parametrize(
    ("environ", "chinese"),
    [
        ({"LANG": "zh_MO.UTF-8"}, True),
        ({"LANG": "zh_TW.UTF-8"}, True),
        ({"LANG": "zh_CN.UTF-8"}, True),
        ({"LANG": "en_US.UTF-8"}, False),
        ({"LANG": "C.UTF-8"}, False),
        ({}, False),
        ({"LANG": "zh_MO.UTF-8", "LC_ALL": "C"}, False),  # gettext's order: LC_ALL first
        ({"LANGUAGE": "zh_HK:en", "LANG": "en_US.UTF-8"}, True),
    ],
)
def test_the_language_is_the_locales(environ: dict[str, str], chinese: bool) -> None:
    said = i18n.language(environ).gettext("no problems")
    assert said == ("沒有問題" if chinese else "no problems")


def test_the_mo_file_is_the_po_file_compiled() -> None:
    from catalogue import CATALOGUE, compiled

    assert CATALOGUE.with_suffix(".mo").read_bytes() == compiled(), "run tools/catalogue.py"


def test_every_message_of_the_commands_is_in_the_catalogue() -> None:
    from babel.messages.pofile import read_po
    from catalogue import CATALOGUE
    from messages import messages

    with CATALOGUE.open("rb") as f:
        catalog = read_po(f)
    translated = {
        i: m.string for m in catalog if m.id for i in ((m.id,) if isinstance(m.id, str) else m.id)
    }
    missing = sorted({m for _, _, m in messages() if not translated.get(m)})
    assert missing == [], "add them to bulletin-site.po, then run tools/catalogue.py"


def test_the_catalogue_is_package_data() -> None:
    data = (ROOT / "pyproject.toml").read_text("utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in data
    assert (i18n.LOCALE / "zh" / "LC_MESSAGES" / "bulletin-site.mo").is_file()


def test_a_problem_keeps_its_place_first_in_either_language() -> None:
    problem = Problem.error(
        "content/issues/x.yaml", "date must be written YYYY-MM-DD, not {value}", 3, value="'soon'"
    )
    assert problem.shown(ENGLISH) == (
        "content/issues/x.yaml:3: error: date must be written YYYY-MM-DD, not 'soon'"
    )
    assert problem.shown(CHINESE) == (
        "content/issues/x.yaml:3: 錯誤: date（日期）須寫成 YYYY-MM-DD，而不是 'soon'"
    )


def run(
    args: list[str], lang: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> tuple[int, str, str]:
    for variable in i18n.VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", lang)
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_check_speaks_the_editors_language(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    meta = project / "content" / "issues" / "001_bc645f7197fac29f.yaml"
    meta.write_text("number: 71\ndate 2019-12-31\n", "utf-8")
    status, out, _ = run(["check", "--root", str(project)], "zh_MO.UTF-8", monkeypatch, capsys)
    assert status == 1
    problem, summary = out.splitlines()
    assert problem == (
        "content/issues/001_bc645f7197fac29f.yaml:2: 錯誤: YAML 格式錯誤：這一行不是 "
        "`key: value` 格式：鍵的後面需要一個冒號和一個空格（YAML 解析器的原話：could not "
        "find expected ':', while scanning a simple key）"
    )
    assert summary.startswith("已檢查 5 份文件：1 個錯誤，0 個警告（")
    status, out, _ = run(["check", "--root", str(project)], "en_GB.UTF-8", monkeypatch, capsys)
    assert out.splitlines()[0].startswith(
        "content/issues/001_bc645f7197fac29f.yaml:2: error: invalid YAML: this line is not"
    )
    assert out.splitlines()[1].startswith("checked 5 documents: 1 error, 0 warnings (")


def test_build_export_and_add_speak_the_editors_language(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    status, _, err = run(
        ["build", "--root", str(project), "--quiet"], "zh_MO.UTF-8", monkeypatch, capsys
    )
    assert status == 0 and err.startswith("已建置 5 份文件、58 個網頁、0 個警告，用時 ")
    status, out, _ = run(
        ["export", "000_7c1a5d4148a0e861", "--root", str(project)],
        "zh_MO.UTF-8",
        monkeypatch,
        capsys,
    )
    assert out.startswith("已寫入 content/corrections/000_7c1a5d4148a0e861.md（bulletin）")
    status, _, err = run(
        ["add", str(project / "seeds" / "000_7c1a5d4148a0e861.txt"), "--root", str(project)],
        "zh_MO.UTF-8",
        monkeypatch,
        capsys,
    )
    assert status == 1
    assert err.endswith(
        ": 錯誤: 第 70 期已在專案中（seeds/000_7c1a5d4148a0e861.txt，內容相同）；沒有加入任何檔案\n"
    )


def test_serve_and_its_overlay_speak_the_editors_language(project: Path) -> None:
    from bulletin_site.serve import Builds, Handler, rebuild

    (project / "content" / "issues" / "000_7c1a5d4148a0e861.yaml").write_text("date: soon\n")
    builds = Builds()
    log = io.StringIO()
    rebuild(project, builds, log, language=CHINESE)
    assert builds.status.error == (
        "content/issues/000_7c1a5d4148a0e861.yaml:1: 錯誤: date（日期）須寫成 YYYY-MM-DD，"
        "而不是 'soon'"
    )
    assert log.getvalue().endswith("建置失敗；仍提供上一個正常的網站\n")

    handler = Handler.__new__(Handler)
    handler.language, handler.builds = CHINESE, builds
    handler.path = "/__status"
    sent: list[bytes] = []
    handler._send = lambda code, kind, data, send_body: sent.append(data)  # type: ignore[method-assign]
    handler._answer(send_body=True)
    status = json.loads(sent[0])
    assert status["heading"] == "最近一次修改令建置失敗；以下是上一個正常的網站。"
    assert status["error"] == builds.status.error


def test_what_add_shows_of_each_article_is_in_the_editors_language(project: Path) -> None:
    from bulletin_site.intake import Added, describe
    from bulletin_site.parse import read_document

    reading = read_document(project / "seeds" / "000_7c1a5d4148a0e861.txt")
    added = Added("seeds/000_7c1a5d4148a0e861.txt", None, reading)
    shown = describe(added, language=CHINESE)
    assert re.search(r"^     \d+ 段, \d+ 則圖片說明$", shown, re.M)
    assert "     首句：" in shown and "     末句：" in shown
    assert "paragraph" not in shown and "first:" not in shown
