"""The YAML files editors write (site.yaml, issue metadata, the glossary, a correction's front
matter): read with the safe loader only, every key's line kept, every problem at its line.

One loader for all of them, so a mistake reads the same whichever file it is in. The limits
keep a hostile or broken file from taking the build down (recursive aliases, "billion
laughs", nesting a thousand levels deep).
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bulletin_site.errors import Message, Problem


def read_yaml(
    path: Path, shown: str, *, empty_ok: bool = False
) -> tuple[dict[str, Any] | None, dict[tuple[str, ...], int], list[Problem]]:
    """A YAML mapping, the line of every key in it, and the problems found reading it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, {}, [Problem.error(shown, "is not UTF-8 text")]
    except OSError as failure:
        return None, {}, [Problem.error(shown, f"cannot be read ({failure.strerror})")]
    plain = plain_mapping(text)
    if plain is not None:
        return plain[0], plain[1], []
    try:
        node, data = safe_load_with_nodes(text)
    except yaml.YAMLError as failure:
        return None, {}, [yaml_problem(failure, shown)]
    if data is None:
        return None, {}, [] if empty_ok else [Problem.warning(shown, "is empty; using defaults")]
    if not isinstance(data, dict):
        return None, {}, [Problem.error(shown, "must be a mapping of `key: value` lines", 1)]
    return data, key_lines(node), []


# The shape of nearly every issue's metadata file (``number: 70``, ``date: 2019-10-01`` and
# comments), read without the YAML parser: 1,000 files cost a second of PyYAML every build. A
# line of any other shape, a key YAML would read as something else than text (``on``, ``no``),
# a number YAML would read otherwise (``010`` is octal) or a date that is not one sends the
# file to the parser; the result is the parser's (tests/test_config.py checks it).
_PLAIN_LINE = re.compile(r"([a-z][a-z_]+): ([1-9][0-9]{0,8}|([0-9]{4})-([0-9]{2})-([0-9]{2}))")
_YAML_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "null"})


def plain_mapping(text: str) -> tuple[dict[str, Any], dict[tuple[str, ...], int]] | None:
    """What ``safe_load_with_nodes`` and ``key_lines`` give for a file of ``key: number`` and
    ``key: date`` lines, comment lines and empty lines; None for any other file."""
    data: dict[str, Any] = {}
    lines: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.startswith("#"):
            continue
        found = _PLAIN_LINE.fullmatch(line)
        if found is None or found[1] in _YAML_WORDS or found[1] in data:
            return None
        if found[3] is None:
            data[found[1]] = int(found[2])
        else:
            try:
                data[found[1]] = datetime.date(int(found[3]), int(found[4]), int(found[5]))
            except ValueError:
                return None
        lines[(found[1],)] = number
    return (data, lines) if data else None


class _SafeLoader(yaml.SafeLoader):
    """yaml.SafeLoader (no Python tags, nothing executed) except that a date YAML cannot
    build (2019-13-01) stays text, so it is reported with its line instead of crashing."""


def _timestamp(loader: _SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


# Limits on what an editor's YAML file may ask of the build. Real files are a few hundred
# bytes, a few levels deep, and use no aliases.
MAX_YAML_CHARACTERS = 1_000_000
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 100_000  # counted with every alias expanded ("billion laughs")


def safe_load_with_nodes(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once with the safe loader: the node tree (for line numbers) and the data.

    A file too large, nested too deeply, with an alias inside the node it names (recursive
    YAML) or too large once its aliases are expanded raises a YAMLError (with its line where
    there is one) before any Python object is built."""
    if len(text) > MAX_YAML_CHARACTERS:
        raise yaml.YAMLError(
            f"too large for a configuration file ({len(text):,} characters; "
            f"at most {MAX_YAML_CHARACTERS:,})"
        )
    loader = _SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise yaml.YAMLError(f"nested more than {MAX_YAML_DEPTH} levels deep") from None
        if node is None:
            return None, None
        check_node_graph(node)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def check_node_graph(root: yaml.Node) -> None:
    """Refuse a node graph that is recursive, too deep or too large with aliases expanded.
    Iterative, and each node is visited once: the check itself cannot blow up."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        children = _children(node)
        if finished:
            on_path.discard(id(node))
            size[id(node)] = 1 + sum(size[id(c)] for c in children)
            height[id(node)] = 1 + max((height[id(c)] for c in children), default=0)
            if height[id(node)] > MAX_YAML_DEPTH:
                raise _too_much(node, f"nested more than {MAX_YAML_DEPTH} levels deep")
            if size[id(node)] > MAX_YAML_NODES:
                raise _too_much(
                    node, f"more than {MAX_YAML_NODES:,} values once its aliases are expanded"
                )
            continue
        if id(node) in size:
            continue
        if id(node) in on_path:
            raise _too_much(node, "an alias inside the value it names (recursive YAML)")
        on_path.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _too_much(node: yaml.Node, problem: str) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)


# What PyYAML's messages mean, for someone who edits a metadata file (its wording stays in
# the message, in brackets, for anyone who searches for it): (PyYAML's problem, its context)
# → the explanation. The first whose words are in the message wins.
_EXPLAINED = (
    (
        "could not find expected ':'",
        "simple key",
        "this line is not `key: value`: the key needs a colon and a space after it",
    ),
    ("end of stream", "quoted scalar", "the quote opened on this line is never closed"),
    ("cannot start any token", "", "a tab: indent with spaces"),
    (
        "mapping values are not allowed here",
        "",
        "a second `: ` on this line: put the value in quotes, e.g. title: '標題: 副題'",
    ),
    (
        "expected <block end>",
        "block mapping",
        "this line is indented unlike the lines above it (or is not `key: value`)",
    ),
    ("expected ',' or '}'", "", "a { that is never closed: put the value in quotes"),
    ("expected ',' or ']'", "", "a [ that is never closed: put the value in quotes"),
    ("found duplicate anchor", "", "the same &anchor twice"),
    ("found undefined alias", "", "an *alias with no &anchor before it"),
)
# PyYAML notices some mistakes only where the next token should be, often lines later (after
# every comment that follows); the line where the trouble starts is its "context" then.
_STARTS_AT_CONTEXT = ("while scanning a simple key", "while scanning a quoted scalar")


def yaml_problem(failure: yaml.YAMLError, shown: str) -> Problem:
    """A YAML parser's error as one problem at the line where the trouble starts, explained."""
    problem = getattr(failure, "problem", None) or str(failure)
    context = getattr(failure, "context", None) or ""
    mark = getattr(failure, "problem_mark", None)
    context_mark = getattr(failure, "context_mark", None)
    if context in _STARTS_AT_CONTEXT and context_mark is not None:
        mark = context_mark
    said = problem + (f", {context}" if context else "")
    explained = next(
        (text for words, where, text in _EXPLAINED if words in problem and where in context),
        None,
    )
    line = mark.line + 1 if mark is not None else None
    if explained is None:
        return Problem.error(shown, "invalid YAML: {said}", line, said=said)
    # The explanation is itself a message of the catalogue: translated where it is shown.
    return Problem.error(
        shown,
        "invalid YAML: {explained} (the YAML parser says: {said})",
        line,
        explained=Message(explained),
        said=said,
    )


def key_lines(node: yaml.Node | None, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """(key, subkey, …) → 1-based line, for every key of every nested mapping."""
    found: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            found[key] = key_node.start_mark.line + 1
            found.update(key_lines(value_node, key))
    return found


def unknown_keys(
    data: Mapping[Any, Any],
    allowed: Iterable[str],
    lines: Mapping[tuple[str, ...], int],
    shown: str,
    prefix: tuple[str, ...] = (),
) -> list[Problem]:
    allowed = tuple(allowed)
    problems = []
    for key in data:
        if str(key) in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        where = ".".join((*prefix, str(key)))
        line = lines.get((*prefix, str(key)))
        if close:
            problems.append(
                Problem.error(
                    shown,
                    "unknown key {key}; did you mean {close}?",
                    line,
                    key=repr(where),
                    close=repr(close[0]),
                )
            )
        else:
            problems.append(
                Problem.error(
                    shown,
                    "unknown key {key} (known: {known})",
                    line,
                    key=repr(where),
                    known=", ".join(allowed),
                )
            )
    return problems
