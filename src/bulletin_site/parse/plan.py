"""Work plan: a title, sections (`一、…`, `（一）…`) and numbered items that run over lines
and page breaks."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bulletin_site.clean import is_terminal, join_lines, numbered
from bulletin_site.model import Item, Notice, Plan, Role, Section, Trace
from bulletin_site.parse.layout import Line

_SECTION = re.compile(r"^[一二三四五六七八九十百]+\s*[、.．]\s*\S")
_SUBSECTION = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]\s*\S")


def is_section_heading(text: str) -> bool:
    return bool(_SECTION.match(text) or _SUBSECTION.match(text))


def looks_like_plan(text: str, lines: Sequence[Line]) -> bool:
    sections = sum(1 for line in lines if _SECTION.match(line.text))
    items = sum(1 for line in lines if numbered(line.text))
    return sections >= 1 and items >= 2


def parse_plan(
    text: str, lines: Sequence[Line], source: str, script: str
) -> tuple[Plan, list[Trace]]:
    report: list[Trace] = []
    warnings: list[Notice] = []
    title_lines: list[Line] = []
    intro: list[list[Line]] = []
    sections: list[tuple[Line, int, list[tuple[int, list[Line]]]]] = []
    expected = 1

    for line in lines:
        heading = _SECTION.match(line.text) or _SUBSECTION.match(line.text)
        entry = numbered(line.text)
        if heading and not (entry and sections):
            level = 1 if _SECTION.match(line.text) else 2
            sections.append((line, level, []))
            continue
        if entry and sections and (entry[0] == expected or not sections[-1][2]):
            if entry[0] != expected:
                warnings.append(
                    Notice(
                        line.number, "item-number", f"item {entry[0]} where {expected} was expected"
                    )
                )
            sections[-1][2].append((entry[0], [line]))
            expected = entry[0] + 1
            continue
        if sections and sections[-1][2]:
            sections[-1][2][-1][1].append(line)
        elif sections:
            # Text under a heading before its first item continues the heading.
            warnings.append(
                Notice(line.number, "text-before-item", "text under a heading before any item")
            )
            sections[-1][2].append((0, [line]))
        elif not title_lines or (
            not intro and not is_terminal(title_lines[-1].text) and _short(line)
        ):
            title_lines.append(line)
        else:
            if intro and not is_terminal(intro[-1][-1].text):
                intro[-1].append(line)
            else:
                intro.append([line])

    title = join_lines([line.text for line in title_lines])
    report.extend(Trace(line.number, line.text, Role.TITLE) for line in title_lines)
    for k, para in enumerate(intro, start=1):
        report.extend(Trace(line.number, line.text, Role.INTRO, f"¶{k}") for line in para)
    built = []
    for heading, level, items in sections:
        report.append(
            Trace(heading.number, heading.text, Role.HEADING, f"section {len(built) + 1}")
        )
        plan_items = []
        for number, item_lines in items:
            text = join_lines([line.text for line in item_lines])
            if number:
                found = numbered(text)
                text = found[1] if found else text
            report.extend(
                Trace(line.number, line.text, Role.ITEM, f"item {number}") for line in item_lines
            )
            plan_items.append(Item(number, text))
        built.append(Section(heading.text, tuple(plan_items), level))
    plan = Plan(
        source,
        script,
        title,
        tuple(join_lines([x.text for x in p]) for p in intro),
        tuple(built),
        tuple(warnings),
    )
    report.sort(key=lambda t: t.line)
    return plan, report


def _short(line: Line) -> bool:
    return line.width <= 40
