"""content/site.yaml and content/issues/*.yaml → frozen dataclasses.

Every problem in every file is collected first and reported together as ``path:line: message``
(the line comes from YAML's own marks), so an editor fixes them all in one round. Unknown
keys get a did-you-mean. YAML is read with the safe loader only (no Python tags).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin_site.errors import InputError, Problem
from bulletin_site.project import Project
from bulletin_site.yamlfile import read_yaml, unknown_keys

EDITION_CODES = ("zh-hant", "zh-hans")
DEFAULT_BASE_URL = "http://localhost:8000/"
DEFAULT_TITLE = {"zh-hant": "緊貿安排快訊", "zh-hans": "紧贸安排快讯"}

# An absolute http(s) URL with a host, and none of the characters a URL may not hold (or
# that would end an attribute, a line of robots.txt or the URL itself): it is written into
# every page's head, the feeds, the sitemap and robots.txt.
_BASE_URL = re.compile(
    r"https?://[^/\s\"'<>\\^`{|}#?\x00-\x1f\x7f]+(/[^\s\"'<>\\^`{|}#?\x00-\x1f\x7f]*)?"
)

SITE_KEYS = ("title", "description", "base_url", "templates", "allow_html")
DOCUMENT_KEYS = ("number", "date", "title", "titles", "slug", "pdf")

# A work plan's or page's address: /{edition}/plans/{slug}/. Lower-case ASCII letters and
# digits in words joined by single hyphens: a segment anyone can read aloud, type and keep,
# the same in both editions and unchanged by any server, file system or chat app.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 60
# The bureau's address of an issue's PDF: an absolute http(s) URL with a host.
_PDF_URL = re.compile(r"https?://[^/\s\"'<>\\^`{|}\x00-\x1f\x7f]+/[^\s\"'<>\\^`{|}\x00-\x1f\x7f]*")


@dataclass(frozen=True)
class SiteConfig:
    """content/site.yaml, checked and completed with defaults."""

    title: Mapping[str, str]  # edition code → site title
    description: Mapping[str, str]  # edition code → one sentence for <meta name=description>
    base_url: str  # absolute, ends with "/"; used for canonical links, feeds and the sitemap
    templates: Path | None = None  # the site's own template folder, searched first
    allow_html: bool = False  # pass raw HTML in Markdown pages through instead of escaping it


@dataclass(frozen=True)
class DocumentMeta:
    """content/issues/<stem>.yaml: what an editor knows that the raw text does not say."""

    path: str  # for messages, relative to the project root
    number: int | None = None
    date: datetime.date | None = None
    title: str | None = None  # a plan's or page's title, or a bulletin issue's own title
    titles: Mapping[int, str] = field(default_factory=dict)  # article number → title
    slug: str | None = None  # a plan's or page's address (a bulletin's is its number)
    pdf: str | None = None  # the bureau's address of the original PDF
    lines: Mapping[str, int] = field(default_factory=dict)  # key → line, for later messages

    def line(self, key: str) -> int | None:
        return self.lines.get(key)


@dataclass(frozen=True)
class Config:
    site: SiteConfig
    documents: Mapping[str, DocumentMeta]  # stem → metadata
    warnings: tuple[Problem, ...] = ()


class ConfigError(InputError):
    """One or more configuration problems, all printed, one per line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        first, *_ = problems = tuple(problems)
        super().__init__(first.path, first.message, first.line)
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# Loading


def load_config(root: Path) -> Config:
    """Read content/site.yaml and every content/issues/*.yaml; raise ConfigError listing every
    error found in any of them."""
    project = Project(root)
    site, site_problems = load_site(root)
    documents: dict[str, DocumentMeta] = {}
    problems = _by_line(site_problems)
    for path in project.metadata_files():
        meta, found = load_document_meta(path, project.shown(path))
        problems.extend(_by_line(found))
        if meta is not None:
            documents[path.stem] = meta
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ConfigError(errors)
    return Config(site, documents, tuple(p for p in problems if not p.is_error))


def load_site(root: Path) -> tuple[SiteConfig, list[Problem]]:
    project = Project(root)
    path = project.site_config
    shown = project.shown(path)
    defaults = SiteConfig(dict(DEFAULT_TITLE), dict(DEFAULT_TITLE), DEFAULT_BASE_URL)
    if not path.exists():
        return defaults, [
            Problem.warning(
                shown, f"no site configuration; using defaults (base_url {DEFAULT_BASE_URL})"
            )
        ]
    data, lines, problems = read_yaml(path, shown)
    if data is None:
        return defaults, problems
    return parse_site(data, lines, shown, root, problems)


def parse_site(
    data: dict[str, Any],
    lines: Mapping[tuple[str, ...], int],
    shown: str,
    root: Path,
    problems: list[Problem] | None = None,
) -> tuple[SiteConfig, list[Problem]]:
    problems = [] if problems is None else problems
    problems.extend(unknown_keys(data, SITE_KEYS, lines, shown))

    def at(*key: str) -> int | None:
        return lines.get(key)

    title = _per_edition(data, "title", lines, shown, problems) or dict(DEFAULT_TITLE)
    description = _per_edition(data, "description", lines, shown, problems) or dict(title)
    for code in EDITION_CODES:
        title.setdefault(code, DEFAULT_TITLE[code])
        description.setdefault(code, title[code])

    base_url = DEFAULT_BASE_URL
    raw_url = data.get("base_url")
    if raw_url is None:
        problems.append(Problem.warning(shown, f"no base_url; using {DEFAULT_BASE_URL}"))
    elif not isinstance(raw_url, str) or not _BASE_URL.fullmatch(raw_url):
        problems.append(
            Problem.error(
                shown,
                f"base_url must be an http:// or https:// address, not {raw_url!r}",
                at("base_url"),
            )
        )
    else:
        base_url = raw_url if raw_url.endswith("/") else raw_url + "/"

    templates: Path | None = None
    raw_templates = data.get("templates")
    if raw_templates is not None:
        if not isinstance(raw_templates, str) or not raw_templates.strip():
            problems.append(
                Problem.error(
                    shown,
                    "templates must be a folder name, relative to the project",
                    at("templates"),
                )
            )
        else:
            templates = (root / raw_templates).resolve()
            if not templates.is_relative_to(root.resolve()):
                problems.append(
                    Problem.error(
                        shown,
                        f"templates must be a folder inside the project, not {raw_templates!r}",
                        at("templates"),
                    )
                )
                templates = None
            elif not templates.is_dir():
                problems.append(
                    Problem.error(
                        shown, f"templates: no such folder: {raw_templates}", at("templates")
                    )
                )

    allow_html = data.get("allow_html", False)
    if not isinstance(allow_html, bool):
        problems.append(
            Problem.error(
                shown, f"allow_html must be true or false, not {allow_html!r}", at("allow_html")
            )
        )
        allow_html = False

    return SiteConfig(title, description, base_url, templates, allow_html), problems


def load_document_meta(path: Path, shown: str) -> tuple[DocumentMeta | None, list[Problem]]:
    data, lines, problems = read_yaml(path, shown, empty_ok=True)
    if data is None:
        return (None if problems else DocumentMeta(shown)), problems
    return parse_document_meta(data, lines, shown, problems)


def parse_document_meta(
    data: dict[str, Any],
    lines: Mapping[tuple[str, ...], int],
    shown: str,
    problems: list[Problem] | None = None,
) -> tuple[DocumentMeta, list[Problem]]:
    problems = [] if problems is None else problems
    problems.extend(unknown_keys(data, DOCUMENT_KEYS, lines, shown))

    def bad(key: str, message: str, *sub: str, **values: Any) -> None:
        line = lines.get((key, *sub)) or lines.get((key,))
        problems.append(Problem.error(shown, message, line, **values))

    number = data.get("number")
    if number is not None and (
        not isinstance(number, int) or isinstance(number, bool) or number < 1
    ):
        bad("number", "number must be a whole number above 0, not {value}", value=repr(number))
        number = None

    date = _to_date(data.get("date"))
    if data.get("date") is not None and date is None:
        bad("date", "date must be written YYYY-MM-DD, not {value}", value=repr(data.get("date")))

    title = data.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        bad("title", f"title must be text, not {title!r}")
        title = None

    titles: dict[int, str] = {}
    raw_titles = data.get("titles")
    if raw_titles is not None and not isinstance(raw_titles, dict):
        bad("titles", "titles must map article numbers to titles, e.g. `3: 新標題`")
    elif raw_titles:
        for key, value in raw_titles.items():
            n = key if isinstance(key, int) and not isinstance(key, bool) else _digits(key)
            if n is None:
                bad("titles", f"titles: {key!r} is not an article number", str(key))
            elif not isinstance(value, str) or not value.strip():
                bad("titles", f"titles: article {n} needs a title text, not {value!r}", str(key))
            else:
                titles[n] = value.strip()

    slug = data.get("slug")
    if slug is not None and not slug_ok(slug):
        bad(
            "slug",
            "slug must be lower-case letters a-z, digits and single hyphens (at most "
            "{most}), e.g. `2023` or `cepa-goods`, not {value}",
            most=MAX_SLUG,
            value=repr(slug),
        )
        slug = None

    pdf = data.get("pdf")
    if pdf is not None and (not isinstance(pdf, str) or not _PDF_URL.fullmatch(pdf.strip())):
        bad(
            "pdf", "pdf must be the PDF's http:// or https:// address, not {value}", value=repr(pdf)
        )
        pdf = None

    flat_lines = {key[0]: line for key, line in lines.items() if len(key) == 1}
    meta = DocumentMeta(
        shown,
        number,
        date,
        title.strip() if title else None,
        titles,
        str(slug) if slug is not None else None,
        pdf.strip() if isinstance(pdf, str) else None,
        flat_lines,
    )
    return meta, problems


def slug_ok(value: Any) -> bool:
    """Whether ``value`` can be a page's address (``SLUG``). A number written without quotes
    (``slug: 2023``) counts as its digits."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    return isinstance(value, str) and len(value) <= MAX_SLUG and bool(SLUG.fullmatch(value))


# ---------------------------------------------------------------------------------------------
# Small helpers


def _per_edition(
    data: Mapping[str, Any],
    key: str,
    lines: Mapping[tuple[str, ...], int],
    shown: str,
    problems: list[Problem],
) -> dict[str, str]:
    """`key: text` (same for both editions) or `key: {zh-hant: …, zh-hans: …}`."""
    value = data.get(key)
    if value is None:
        return {}
    if isinstance(value, str):
        return dict.fromkeys(EDITION_CODES, value.strip())
    if not isinstance(value, dict):
        problems.append(
            Problem.error(
                shown,
                f"{key} must be text or a mapping of zh-hant/zh-hans to text",
                lines.get((key,)),
            )
        )
        return {}
    result = {}
    for code, text in value.items():
        normal = str(code).lower()
        if normal not in EDITION_CODES:
            problems.extend(unknown_keys({code: text}, EDITION_CODES, lines, shown, (key,)))
        elif not isinstance(text, str):
            problems.append(
                Problem.error(
                    shown, f"{key}.{code} must be text, not {text!r}", lines.get((key, str(code)))
                )
            )
        else:
            result[normal] = text.strip()
    return result


def _by_line(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line or 0)


def _to_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _digits(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None
