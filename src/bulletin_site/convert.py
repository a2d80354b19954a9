"""Conversion stage: every document in both editions, 繁體 (zh-Hant) and 简体 (zh-Hans).

Upstream OpenCC does the conversion; the editors' glossary (``content/glossary.yaml``) then puts
back the forms the bureau itself prints, which no OpenCC configuration gives by itself (衛 not
衞, 稅 not 税, 周年 not 週年 …). One text goes through four steps:

1. NFC: the PDFs' text holds CJK compatibility ideographs (年 U+F98E for 年): the same
   character to a reader, another one to the search index and the glossary; they must never
   reach a page.
2. the glossary's ``before`` phrases, found in the source text; OpenCC leaves what they write
   alone;
3. OpenCC (``OPENCC_CONFIG``) on the rest;
4. the glossary's ``after`` phrases, on the converted text.

Lines wrapped by the PDF in the middle of a word (澳門製|造業) are converted as one line, so that
OpenCC and the glossary see whole words; the line breaks are put back where they were. Raw PDF
text has a blank line after every line, so blank lines are joined too; Markdown, where a blank
line does end a paragraph, is converted paragraph by paragraph (``convert_markdown``).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import opencc
import yaml

from bulletin_site.chars import IDEOGRAPHS
from bulletin_site.errors import InputError, Problem
from bulletin_site.model import HANS, HANT, Document, text_role
from bulletin_site.project import Project
from bulletin_site.yamlfile import safe_load_with_nodes, yaml_problem

# One configuration per target script; why these two: docs/convert.md.
# → Hant: s2hk. Hong Kong usage is the closest to Macau's (為, 台 in 平台, particle 着, 於); the
#   glossary swaps back the few HK glyphs where the bureau prints the Big5 form (衞 → 衛).
# → Hans: tw2s. Its phrase list tells 著 "to write" (著名, stays) from the particle and zhuó 著
#   (接著 → 接着, 著重 → 着重), which hk2s and t2s leave as 著; the glossary adds the HK-only
#   variants it does not know (衞 → 卫).
OPENCC_CONFIG = {HANT: "s2hk", HANS: "tw2s"}

# CJK ideographs (chars.py): the compatibility block among them, which NFC empties except for
# twelve unified ideographs that live there, such as 﨑 U+FA11.
IDEOGRAPH = re.compile(f"[{IDEOGRAPHS}]")

# A line break, with the blanks around it, between two ideographs: in text taken from a PDF this
# is where a line was wrapped, often inside a word.
_WRAP = re.compile(f"(?<=[{IDEOGRAPHS}])[^\\S\\n]*\\n\\s*(?=[{IDEOGRAPHS}])")


# --- editions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    code: str  # "zh-hant" / "zh-hans": the URL folder
    lang: str  # "zh-Hant" / "zh-Hans": html lang, hreflang
    script: str  # model.HANT / model.HANS
    label: str  # "繁體" / "简体": the language switch, written in its own script


HANT_EDITION = Edition(code="zh-hant", lang="zh-Hant", script=HANT, label="繁體")
HANS_EDITION = Edition(code="zh-hans", lang="zh-Hans", script=HANS, label="简体")
EDITIONS: tuple[Edition, Edition] = (HANT_EDITION, HANS_EDITION)  # the bureau's own script first


def edition_for(code_or_lang_or_script: str) -> Edition:
    """The edition named by its URL code, BCP 47 tag or script, in any case: "zh-Hans", "hans"."""
    name = code_or_lang_or_script.strip().lower().replace("_", "-")
    for edition in EDITIONS:
        if name in (edition.code, edition.script):
            return edition
    raise ValueError(f"unknown edition {code_or_lang_or_script!r}: expected zh-Hant or zh-Hans")


def _script(to_script: str) -> str:
    return edition_for(to_script).script


# --- glossary ---------------------------------------------------------------------------------

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Rules:
    """One direction's phrases, as (phrase, replacement) pairs; at each position the longest
    phrase wins, whatever the order of the pairs.

    ``before``: found in the source text; OpenCC does not touch what they write.
    ``after``: then found in the converted text (OpenCC's output and the ``before`` replacements).
    """

    before: Pairs = ()
    after: Pairs = ()


@dataclass(frozen=True)
class Glossary:
    to_hant: Rules = Rules()
    to_hans: Rules = Rules()

    def rules(self, to_script: str) -> Rules:
        return self.to_hant if _script(to_script) == HANT else self.to_hans


_SECTIONS = ("to_hant", "to_hans")
_STAGES = ("before", "after")


def load_glossary(path: Path, shown: str | None = None) -> Glossary:
    """The editors' glossary; no file means no rules (plain OpenCC). An InputError lists every
    mistake in it, each at its line."""
    glossary, problems = read_glossary(path, shown)
    if problems:
        raise GlossaryError(problems)
    return glossary


class GlossaryError(InputError):
    def __init__(self, problems: Iterable[Problem]) -> None:
        first, *_ = problems = tuple(problems)
        super().__init__(first.path, first.message, first.line)
        self.problems = problems


def read_glossary(path: Path, shown: str | None = None) -> tuple[Glossary, list[Problem]]:
    """The glossary at ``path`` (named ``shown`` in messages) and every mistake in it."""
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Glossary(), []
    except OSError as failure:
        return Glossary(), [Problem.error(shown, f"cannot be read ({failure.strerror})")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as failure:
        line = data[: failure.start].count(b"\n") + 1
        return Glossary(), [Problem.error(shown, "is not UTF-8 text", line)]
    return parse_glossary(text, shown)


def parse_glossary(text: str, path: str = "<glossary>") -> tuple[Glossary, list[Problem]]:
    """A glossary and every mistake in it, each at the line it was made (the rules that are
    right are kept, so one run shows every mistake)."""
    try:
        root, _ = safe_load_with_nodes(text)
    except yaml.YAMLError as failure:
        return Glossary(), [yaml_problem(failure, path)]
    if root is None:  # an empty file, or only comments
        return Glossary(), []
    reader = _GlossaryReader(path)
    sections = {
        name: reader.stages(node, name)
        for name, node in reader.entries(root, "the glossary", allowed=_SECTIONS)
    }
    return Glossary(**sections), reader.problems


@dataclass
class _GlossaryReader:
    """Walks the glossary's YAML nodes, keeping what is right and noting what is not."""

    path: str
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def bad(self, message: str, node: yaml.Node) -> None:
        self.problems.append(Problem.error(self.path, message, _line(node)))

    def stages(self, node: yaml.Node, section: str) -> Rules:
        if _is_null(node):  # "to_hans:" with nothing under it
            return Rules()
        return Rules(
            **{
                stage: self.phrases(value, f"{section}.{stage}")
                for stage, value in self.entries(node, section, allowed=_STAGES)
            }
        )

    def phrases(self, node: yaml.Node, where: str) -> Pairs:
        if _is_null(node):
            return ()
        pairs: dict[str, str] = {}
        for key_node, value_node in self.pairs(node, where):
            phrase = self.phrase(key_node, where)
            replacement = self.phrase(value_node, f"{where}.{phrase}")
            if phrase is None or replacement is None:
                continue
            if phrase in pairs:  # also catches two spellings that are the same text after NFC
                self.bad(f"{where}: {phrase!r} is listed twice", key_node)
                continue
            pairs[phrase] = replacement
        return _longest_first(pairs.items())

    def phrase(self, node: yaml.Node, where: str) -> str | None:
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"):
            self.bad(f"{where}: expected text, found {_describe(node)}", node)
            return None
        text = unicodedata.normalize("NFC", node.value)
        if not text:
            self.bad(f"{where}: empty phrase", node)
            return None
        # ASCII is never converted: link URLs, code and numbers in pages must come out as they
        # went in.
        ascii_chars = sorted({c for c in text if c.isascii()})
        if ascii_chars:
            shown = "".join(ascii_chars).encode("unicode_escape").decode()
            self.bad(f"{where}: {text!r} contains ASCII ({shown!r})", node)
            return None
        return text

    def entries(
        self, node: yaml.Node, where: str, allowed: tuple[str, ...]
    ) -> Iterator[tuple[str, yaml.Node]]:
        seen: set[str] = set()
        for key_node, value_node in self.pairs(node, where):
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                expected = " or ".join(allowed)
                self.bad(f"{where}: unknown key {key!r}, expected {expected}", key_node)
            elif key in seen:
                self.bad(f"{where}: {key!r} is listed twice", key_node)
            else:
                seen.add(key)
                yield key, value_node

    def pairs(self, node: yaml.Node, where: str) -> list[tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.bad(f"{where}: expected a mapping, found {_describe(node)}", node)
            return []
        return node.value


def _longest_first(pairs: Iterable[tuple[str, str]]) -> Pairs:
    # Longest first makes the regex alternation leftmost-longest; ties in code point order only to
    # make the order independent of the file's.
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0])))


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{node.tag.rsplit(':', 1)[-1]} {node.value!r}"


def _line(node_or_mark: yaml.Node | yaml.Mark | None) -> int | None:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return mark.line + 1 if mark is not None else None


# --- conversion -------------------------------------------------------------------------------


class _PhraseTable:
    """Leftmost-longest matching of a fixed phrase list: one regex, longest alternative first."""

    def __init__(self, pairs: Pairs) -> None:
        self._replacement = dict(pairs)
        keys = "|".join(re.escape(phrase) for phrase, _ in _longest_first(pairs))
        self._pattern = re.compile(keys) if keys else None

    def split(self, text: str) -> Iterator[tuple[str, str | None]]:
        """The text in pieces: (phrase, its replacement) or (text between phrases, None)."""
        start = 0
        for match in self._pattern.finditer(text) if self._pattern else ():
            if match.start() > start:
                yield text[start : match.start()], None
            yield match.group(), self._replacement[match.group()]
            start = match.end()
        if start < len(text):
            yield text[start:], None

    def replace(self, text: str) -> tuple[str, bool]:
        """The text with every phrase replaced, and whether all replacements kept the length."""
        out = []
        same_length = True
        for piece, replacement in self.split(text):
            out.append(piece if replacement is None else replacement)
            same_length = same_length and (replacement is None or len(replacement) == len(piece))
        return "".join(out), same_length


class _Direction:
    """Conversion to one script: the glossary's two phrase tables around one OpenCC instance."""

    def __init__(self, config: str, rules: Rules) -> None:
        self._opencc = opencc_instance(config)
        self._before = _PhraseTable(rules.before)
        self._after = _PhraseTable(rules.after)

    def convert(self, text: str) -> tuple[str, bool]:
        """The converted text, and whether every character stayed at its position."""
        pieces = []
        same_length = True
        for piece, fixed in self._before.split(text):
            out = fixed if fixed is not None else _run_opencc(self._opencc, piece)
            same_length = same_length and len(out) == len(piece)
            pieces.append(out)
        out, after_same_length = self._after.replace("".join(pieces))
        return out, same_length and after_same_length


@functools.cache
def opencc_instance(config: str) -> opencc.OpenCC:
    """One OpenCC per configuration and process: loading one takes ~40 ms and freeing it ~50 ms
    (its dictionaries), far more than converting a bulletin."""
    return opencc.OpenCC(config)


def _run_opencc(converter: opencc.OpenCC, text: str) -> str:
    if text.isascii():  # nothing to convert; OpenCC never changes ASCII anyway
        return text
    # OpenCC reads a C string: everything after a NUL would be lost.
    return "\0".join(converter.convert(part) if part else part for part in text.split("\0"))


def nfc(text: str) -> str:
    """NFC: the canonical form, which has no compatibility ideographs (年 → 年)."""
    return unicodedata.normalize("NFC", text)


def _unwrap(text: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """The text with wrapped lines joined, and where each break was (offset in the result)."""
    pieces = []
    breaks = []
    start = 0
    length = 0
    for match in _WRAP.finditer(text):
        pieces.append(text[start : match.start()])
        length += match.start() - start
        breaks.append((length, match.group()))
        start = match.end()
    pieces.append(text[start:])
    return "".join(pieces), tuple(breaks)


def _rewrap(text: str, breaks: tuple[tuple[int, str], ...]) -> str:
    pieces = []
    start = 0
    for offset, whitespace in breaks:
        pieces += [text[start:offset], whitespace]
        start = offset
    pieces.append(text[start:])
    return "".join(pieces)


class Converter:
    """Converts text to either script: OpenCC plus a glossary.

    The OpenCC instances (one per direction, a few milliseconds each to load) are made here once
    and reused for every text; create one Converter per build, not one per document.
    """

    def __init__(self, glossary: Glossary | None = None) -> None:
        glossary = glossary or Glossary()
        self.glossary = glossary
        self._directions = {
            script: _Direction(config, glossary.rules(script))
            for script, config in OPENCC_CONFIG.items()
        }

    def convert(self, text: str, to_script: str) -> str:
        """The text in the other script (to_script: "hant"/"hans" or an edition's name), NFC."""
        direction = self._directions[_script(to_script)]
        text = nfc(text)
        joined, breaks = _unwrap(text)
        out, same_length = direction.convert(joined)
        if breaks:
            # A glossary phrase of another length moved the characters: then the breaks cannot be
            # put back by offset, and the wrapped lines are converted as they are.
            out = _rewrap(out, breaks) if same_length else direction.convert(text)[0]
        return nfc(out)


# --- documents --------------------------------------------------------------------------------

# Markdown that is not prose: fenced code, code spans (within a paragraph), link and image
# destinations, autolinks and the URLs of link reference definitions. The group named v… in each
# alternative is what stays as it is; link texts, titles and labels are prose.
_MARKDOWN_VERBATIM = re.compile(
    r"(?P<v1>^[ ]{0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n(?:.*?^[ ]{0,3}(?P=fence)[`~]*[ \t]*$|.*\Z))"
    r"|(?P<v2>(?<!`)(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`))"
    r"|\](?P<v3>\(\s*(?:<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))+))"
    r"|(?P<v4><[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*>)"
    r"|^[ ]{0,3}\[[^\]\n]+\]:(?P<v5>[ \t]*(?:<[^>\n]*>|\S+))",
    re.MULTILINE | re.DOTALL,
)
_VERBATIM_GROUPS = ("v1", "v2", "v3", "v4", "v5")


# A blank line: in Markdown it ends a paragraph for sure, unlike a line break in PDF text.
_BLANK_LINE = re.compile(r"(\n[ \t]*\n\s*)")


def convert_markdown(markdown: str, to_script: str, converter: Converter) -> str:
    """Markdown in the other script: prose converted; code and link URLs kept as they are."""

    def prose(text: str) -> str:
        # Paragraph by paragraph, so that no OpenCC phrase spans two of them; the odd pieces of
        # the split are the blank lines themselves.
        blocks = _BLANK_LINE.split(text)
        return "".join(
            block if index % 2 else converter.convert(block, to_script)
            for index, block in enumerate(blocks)
        )

    pieces = []
    start = 0
    for match in _MARKDOWN_VERBATIM.finditer(markdown):
        group = next(name for name in _VERBATIM_GROUPS if match.group(name) is not None)
        pieces += [prose(markdown[start : match.start(group)]), match.group(group)]
        start = match.end(group)
    pieces.append(prose(markdown[start:]))
    return "".join(pieces)


def convert_document(doc: Document, to_script: str, converter: Converter) -> Document:
    """The document in the other script: every text a reader sees converted, the rest kept.

    Which is which, the document's fields say (``model.text_role``): any kind of document is
    converted the same way, field by field, nested dataclasses and tuples included."""
    script = _script(to_script)
    if doc.script == script:
        return doc
    converted: Document = dataclasses.replace(_converted(doc, script, converter), script=script)
    return converted


def _converted(value: Any, script: str, converter: Converter) -> Any:
    changes = {}
    for f in dataclasses.fields(value):
        role = text_role(f)
        if role == "verbatim":
            continue
        item = getattr(value, f.name)
        if role == "markdown":
            changes[f.name] = convert_markdown(item, script, converter)
        else:
            changes[f.name] = _converted_value(item, script, converter)
    return dataclasses.replace(value, **changes)


def _converted_value(item: Any, script: str, converter: Converter) -> Any:
    if isinstance(item, str):
        return converter.convert(item, script)
    if isinstance(item, tuple):
        return tuple(_converted_value(part, script, converter) for part in item)
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return _converted(item, script, converter)
    return item  # numbers, None


# --- script detection -------------------------------------------------------------------------


def detect_script(text: str) -> str:
    """HANT or HANS: which script the text is written in, by a vote of its characters.

    A character votes Traditional if OpenCC would simplify it (為, 衛), Simplified if OpenCC would
    make it Traditional but not simplify it (为, 卫); characters both scripts share (台, 了, 中)
    do not vote. Characters are looked up one by one, without context, so a sentence or a whole
    file is enough; a tie (no vote at all) is HANT, the bureau's own script.
    """
    # Counted first: a file repeats its few hundred distinct characters many times over.
    balance = sum(n * _script_vote(char) for char, n in Counter(nfc(text)).items())
    return HANS if balance > 0 else HANT


@functools.lru_cache(maxsize=1 << 16)
def _script_vote(char: str) -> int:
    """One character's vote: 1 Simplified, -1 Traditional, 0 none (shared, or no ideograph).

    Cached: a corpus has a few thousand distinct characters, and asking OpenCC about one
    costs microseconds each time. Bounded, as a file may hold any number of them."""
    if not IDEOGRAPH.match(char):
        return 0
    if opencc_instance("hk2s").convert(char) != char:
        return -1
    if opencc_instance("s2hk").convert(char) != char:
        return 1
    return 0


# --- command ----------------------------------------------------------------------------------


def convert_command(to: str, root: Path, stdin: IO[str], stdout: IO[str]) -> int:
    """``bulletin-site convert --to zh-Hans``: stdin converted as the site does, to stdout."""
    edition = edition_for(to)
    project = Project(root)
    converter = Converter(load_glossary(project.glossary, project.shown(project.glossary)))
    _write_stream(stdout, converter.convert(_read_stream(stdin), edition.script))
    return 0


def _read_stream(stream: IO[str]) -> str:
    # The bytes, decoded as UTF-8 whatever the locale says, and with \r\n kept as it is.
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return stream.read()
    return _decode(buffer.read(), "<stdin>")


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(path, "not UTF-8 text", line) from None


def _write_stream(stream: IO[str], text: str) -> None:
    # UTF-8 whatever the locale says (a page in Chinese cannot go out as ASCII).
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()
