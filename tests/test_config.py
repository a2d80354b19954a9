"""content/site.yaml and content/issues/*.yaml: defaults, types, every problem at once."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin_site import yamlfile
from bulletin_site.config import ConfigError, load_config, load_document_meta
from bulletin_site.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_projects_own_configuration_loads_cleanly() -> None:
    config = load_config(ROOT)
    assert config.warnings == ()
    assert config.site.title == {"zh-hant": "緊貿安排快訊", "zh-hans": "紧贸安排快讯"}
    assert config.site.base_url.endswith("/")
    assert config.site.allow_html is False
    issue = config.documents["000_7c1a5d4148a0e861"]
    assert (issue.number, issue.date) == (70, datetime.date(2019, 10, 1))
    assert config.documents["001_bc645f7197fac29f"].number == 71


def test_missing_site_yaml_gives_defaults_and_a_warning(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.site.title["zh-hans"] == "紧贸安排快讯"
    assert config.site.base_url.startswith("http")
    assert [w.path for w in config.warnings] == ["content/site.yaml"]


def test_values_are_normalised(tmp_path: Path) -> None:
    write(tmp_path, "content/site.yaml", "title: 快訊\nbase_url: https://example.org/cepa\n")
    config = load_config(tmp_path)
    assert config.site.title == {"zh-hant": "快訊", "zh-hans": "快訊"}
    assert config.site.description == config.site.title
    assert config.site.base_url == "https://example.org/cepa/"
    assert config.site.templates is None


def test_invalid_yaml_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "content/site.yaml", "title: 快訊\nbase_url: [unclosed\nallow_html: false\n")
    with pytest.raises(InputError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert message.startswith("content/site.yaml:")
    line = int(message.split(":")[1])
    assert line in (2, 3, 4)  # where YAML noticed the open bracket
    assert "invalid YAML" in message


def test_every_problem_in_every_file_is_reported_together(tmp_path: Path) -> None:
    write(
        tmp_path,
        "content/site.yaml",
        "tittle: 快訊\n"  # 1: unknown key, close to title
        "base_url: ftp://example.org/\n"  # 2: not http(s)
        "allow_html: yes please\n"  # 3: not a boolean
        "templates: no-such-folder\n"  # 4: missing folder
        "description:\n"
        "  zh-hnt: 說明\n",  # 6: unknown edition
    )
    write(tmp_path, "content/issues/a.yaml", "number: seventy\ndate: 2019-13-01\n")
    write(tmp_path, "content/issues/b.yaml", "number: 3\ndaet: 2019-01-01\ntitles: {x: 1}\n")
    write(tmp_path, "content/issues/c.yaml", "number: [1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    lines = str(caught.value).splitlines()  # file by file, in line order
    assert len(lines) == len(caught.value.problems) == 10
    expected = [
        ("content/site.yaml:1:", "did you mean 'title'?"),
        ("content/site.yaml:2:", "base_url"),
        ("content/site.yaml:3:", "allow_html must be true or false"),
        ("content/site.yaml:4:", "no such folder"),
        ("content/site.yaml:6:", "did you mean 'zh-hant'?"),
        ("content/issues/a.yaml:1:", "number must be a whole number"),
        ("content/issues/a.yaml:2:", "date must be written YYYY-MM-DD"),
        ("content/issues/b.yaml:2:", "did you mean 'date'?"),
        ("content/issues/b.yaml:3:", "is not an article number"),
        ("content/issues/c.yaml:", "invalid YAML"),
    ]
    for (where, what), line in zip(expected, lines, strict=True):
        assert line.startswith(where), line
        assert what in line, line


def test_document_metadata(tmp_path: Path) -> None:
    write(
        tmp_path,
        "content/issues/x.yaml",
        "number: 12\ndate: '2020-02-29'\ntitle: 特刊\ntitles:\n  3: 新標題\n  '4': 另一標題\n",
    )
    write(tmp_path, "content/issues/empty.yaml", "# nothing yet\n")
    config = load_config(tmp_path)
    meta = config.documents["x"]
    assert meta.number == 12
    assert meta.date == datetime.date(2020, 2, 29)
    assert meta.title == "特刊"
    assert meta.titles == {3: "新標題", 4: "另一標題"}
    assert meta.line("titles") == 4
    assert meta.path == "content/issues/x.yaml"
    assert config.documents["empty"].number is None


def test_a_mapping_is_required(tmp_path: Path) -> None:
    write(tmp_path, "content/issues/x.yaml", "- 1\n- 2\n")
    with pytest.raises(ConfigError, match=r"content/issues/x.yaml:1: error: must be a mapping"):
        load_config(tmp_path)


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    write(tmp_path, "content/site.yaml", "title: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("text", "line", "explained"),
    [
        ("number: 72\ndate:2020-01-31\n# a\n# b\n", 2, "the key needs a colon and a space"),
        ("number: 72\ntitle: '未完\n# a\n# b\n", 2, "the quote opened on this line is never"),
        ("number: 72\ntitles:\n\t1: a\n", 3, "a tab: indent with spaces"),
        ("number: 72\ntitle: 標題: 副題\n", 2, "a second `: ` on this line: put the value in"),
        ("number: 72\ntitles:\n  1: a\n 2: b\n", 4, "indented unlike the lines above it"),
        ("title: {a\n# x\n", 3, "a { that is never closed"),
    ],
)
def test_yaml_mistakes_are_explained_at_the_line_where_they_start(
    tmp_path: Path, text: str, line: int, explained: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    meta, problems = load_document_meta(path, "x.yaml")
    assert meta is None
    [problem] = problems
    assert problem.line == line
    assert problem.message.startswith("invalid YAML: ") and explained in problem.message
    assert "(the YAML parser says: " in problem.message


_METADATA_LINES = [
    "number: 70",
    "number: 010",  # octal to YAML: the parser's
    "number: 1_000",
    "date: 2019-10-01",
    "date: 2019-13-01",  # not a date: text, from the parser
    "date: 2019-1-01",
    "date: 2019-10-01 # a comment after",
    "on: 5",  # a key YAML reads as True
    "no: 5",
    "slug: 2023",
    "pdf_id: 12",
    "x: 3",
    " date: 2020-01-01",
    "# a comment",
    "#",
    "",
    "title: 第七十期",
    "titles:",
    "  3: 標題",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_METADATA_LINES), max_size=6), st.booleans())
def test_plain_metadata_is_read_as_the_yaml_parser_reads_it(lines: list[str], end: bool) -> None:
    """``yamlfile.plain_mapping`` gives what the parser gives, or leaves the file to it."""
    text = "\n".join(lines) + ("\n" if end else "")
    plain = yamlfile.plain_mapping(text)
    if plain is None:
        return
    try:
        node, data = yamlfile.safe_load_with_nodes(text)
    except yaml.YAMLError:  # the parser refuses it: the plain reading must not accept it
        raise AssertionError(f"plain reading accepted what YAML refuses: {text!r}") from None
    assert plain == (data, yamlfile.key_lines(node))
    assert [type(v) for v in plain[0].values()] == [type(v) for v in data.values()]


def test_most_metadata_files_are_read_without_the_parser() -> None:
    text = "# Metadata for seeds/x.txt\n# EXAMPLE: a guess\nnumber: 70\ndate: 2019-10-01\n"
    assert yamlfile.plain_mapping(text) == (
        {"number": 70, "date": datetime.date(2019, 10, 1)},
        {("number",): 3, ("date",): 4},
    )
    for other in ("number: 70\ntitle: x\n", "number: 70\nnumber: 71\n", "", "# only\n"):
        assert yamlfile.plain_mapping(other) is None
