"""Hostile configuration: site.yaml, issue metadata and corrections are safe-loaded; wrong
types, unknown keys, huge or recursive YAML (alias bombs) each get ``path:line: message``,
quickly, and nothing in them is executed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulletin_site.config import ConfigError, load_config

LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{x}: &{x} [{','.join(['*' + p] * 9)}]"
            for p, x in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "title: *i",
    ]
)
MAPPING_LAUGHS = "\n".join(
    [
        "a: &a {k1: v}",
        *(
            f"{x}: &{x} {{{', '.join(f'k{n}: *{p}' for n in range(1, 10))}}}"
            for p, x in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)

# (site.yaml text, the message expected, its line)
SITE_CASES = {
    "billion laughs (sequences)": (LAUGHS, "once its aliases are expanded", None),
    "billion laughs (mappings)": (MAPPING_LAUGHS, "once its aliases are expanded", None),
    "recursive alias": ("title: x\na: &a {x: *a}\n", "recursive YAML", 2),
    "recursive sequence": ("title: &t [*t]\n", "recursive YAML", 1),
    "deep nesting, flow": ("x: " + "[" * 1500 + "]" * 1500 + "\n", "levels deep", None),
    "deep nesting, block": (
        "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v\n",
        "levels deep",
        None,
    ),
    "huge": ("title: '" + "澳" * 1_100_000 + "'\n", "too large", None),
    "python tag": (
        "title: !!python/object/apply:os.system ['touch HACKED']\n",
        "invalid YAML",
        1,
    ),
    "unknown key": ("tittle: 網站\n", "did you mean 'title'?", 1),
    "unknown edition": ("title:\n  zh-hantt: 網站\n", "did you mean 'zh-hant'?", 2),
    "title a number": ("title: 5\n", "title must be text", 1),
    "title a list": ("title: [a, b]\n", "title must be text", 1),
    "edition title not text": ("title:\n  zh-hant: [1]\n", "title.zh-hant must be text", 2),
    "base_url javascript": ("base_url: javascript:alert(1)\n", "base_url must be", 1),
    "base_url newline": ('base_url: "https://x/\\nDisallow: /"\n', "base_url must be", 1),
    "base_url quote": ("base_url: 'https://x/\"><script>'\n", "base_url must be", 1),
    "base_url a number": ("base_url: 5\n", "base_url must be", 1),
    "templates a number": ("templates: 5\n", "templates must be a folder", 1),
    "templates outside": ("templates: ../../etc\n", "inside the project", 1),
    "templates absolute": ("templates: /etc\n", "inside the project", 1),
    "allow_html text": ("allow_html: 'yes please'\n", "allow_html must be true or false", 1),
    "not a mapping": ("- a\n- b\n", "must be a mapping", 1),
    "tabs": ("title:\n\t- x\n", "invalid YAML", 2),
    "duplicate anchors, fine": (
        "title: &t 網站\ndescription: *t\nbase_url: https://a.mo/\n",
        "",
        0,
    ),
}


def write_site(root: Path, text: str) -> None:
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "content" / "site.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", sorted(SITE_CASES))
def test_site_yaml(tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text, expected, line = SITE_CASES[case]
    write_site(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    if not expected:
        load_config(tmp_path)
        return
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert time.perf_counter() - started < 10
    messages = str(raised.value).splitlines()
    found = [m for m in messages if expected in m]
    assert found, messages
    prefix = "content/site.yaml:" + (f"{line}:" if line else "")
    assert found[0].startswith(prefix), found[0]
    assert not (tmp_path / "HACKED").exists()


ISSUE_CASES = {
    "number text": ("number: seventy\n", "number must be a whole number", 1),
    "number negative": ("number: -1\n", "number must be a whole number", 1),
    "number bool": ("number: true\n", "number must be a whole number", 1),
    "date impossible": ("date: 2019-13-45\n", "date must be written YYYY-MM-DD", 1),
    "date words": ("date: yesterday\n", "date must be written YYYY-MM-DD", 1),
    "titles a list": ("titles: [a]\n", "titles must map article numbers", 1),
    "titles bad key": ("titles:\n  x: 標題\n", "is not an article number", 2),
    "titles not text": ("titles:\n  3: [1]\n", "needs a title text", 2),
    "unknown key": ("numbr: 3\n", "did you mean 'number'?", 1),
    "laughs": (LAUGHS.replace("title: *i", "titles: *i"), "once its aliases are expanded", None),
}


@pytest.mark.parametrize("case", sorted(ISSUE_CASES))
def test_issue_metadata(tmp_path: Path, case: str) -> None:
    text, expected, line = ISSUE_CASES[case]
    write_site(tmp_path, "base_url: https://a.mo/\n")
    (tmp_path / "content" / "issues").mkdir()
    (tmp_path / "content" / "issues" / "001_x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    found = [m for m in str(raised.value).splitlines() if expected in m]
    assert found, str(raised.value)
    prefix = "content/issues/001_x.yaml:" + (f"{line}:" if line else "")
    assert found[0].startswith(prefix), found[0]


def test_every_error_in_every_file_at_once(tmp_path: Path) -> None:
    write_site(tmp_path, "tittle: x\nbase_url: 5\nallow_html: 2\n")
    (tmp_path / "content" / "issues").mkdir()
    (tmp_path / "content" / "issues" / "a.yaml").write_text("a: &a {x: *a}\n")
    (tmp_path / "content" / "issues" / "b.yaml").write_text("number: x\n")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert len(raised.value.problems) == 5, str(raised.value)


def test_correction_front_matter_bombs(tmp_path: Path) -> None:
    from bulletin_site.corrections import parse_correction
    from bulletin_site.kinds import KINDS

    for front in (LAUGHS.replace("title: *i", "title: *i\nkind: page"), "kind: &k [*k]"):
        text = f"---\n{front}\n---\n正文\n"
        started = time.perf_counter()
        correction, problems = parse_correction(
            text, "x", "content/corrections/x.md", KINDS.correction_formats()
        )
        assert correction is None and problems
        assert str(problems[0]).startswith("content/corrections/x.md:")
        assert time.perf_counter() - started < 10


def test_glossary_nesting_is_an_input_error() -> None:
    from bulletin_site.convert import parse_glossary

    _, problems = parse_glossary("to_hant: " + "[" * 1500 + "]" * 1500 + "\n", "x.yaml")
    assert [p.message for p in problems] == ["invalid YAML: nested more than 32 levels deep"]


def test_glossary_alias_bomb_is_an_input_error() -> None:
    from bulletin_site.convert import parse_glossary

    started = time.perf_counter()
    _, problems = parse_glossary(LAUGHS.replace("title: *i", "to_hant: *i"), "x.yaml")
    assert len(problems) == 1 and "aliases are expanded" in problems[0].message
    assert time.perf_counter() - started < 10
