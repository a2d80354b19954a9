"""The page plan: documents + metadata → every output page, its URL and what its template gets.

Pure functions only. Paths here are *site paths*: relative to the output folder, with ``/``,
ending in ``index.html`` for pages (``zh-hant/bulletins/72/3/index.html``). Templates turn
them into links relative to the page that shows them (``rel``); canonical links, hreflang
alternates, feeds and the sitemap use absolute URLs built from ``base_url``.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from markupsafe import escape

from bulletin_site import project
from bulletin_site.cache import Layers
from bulletin_site.config import DocumentMeta, SiteConfig
from bulletin_site.errors import WARNING, Message, Problem
from bulletin_site.model import DOUBTS, Bulletin, Document, Notice, Page, Plan
from bulletin_site.textreport import first_sentence

if TYPE_CHECKING:
    from bulletin_site.convert import Edition
    from bulletin_site.corrections import Correction
    from bulletin_site.kinds import Kind, Kinds

# The URL folder of each kind of document (``kinds.py`` names them; the paths are here).
BULLETINS, PLANS, PAGES = "bulletins", "plans", "pages"
# Open Graph (the preview a chat app shows for a shared link): the language of each script's
# edition as a locale (Macau's own for the bureau's Traditional text), and the type of a
# document's page.
OG_LOCALE: Mapping[str, str] = {"hant": "zh_MO", "hans": "zh_CN"}
ARTICLE = "article"
FEED_LIMIT = 50  # articles per Atom feed, newest first
DESCRIPTION_LENGTH = 90  # characters of text in <meta name="description">
MACAU = "+08:00"

# Interface words, in each script. Templates get the edition's set as ``labels``.
LABELS: Mapping[str, Mapping[str, str]] = {
    "hant": {
        "skip": "跳到正文",
        "home": "首頁",
        "search": "搜尋",
        "feed": "訂閱（Atom）",
        "edition": "版本",
        "issue": "第{n}期",
        "date_unknown": "日期不詳",
        "year": "{year}年",
        "year_unknown": "年份不詳",
        "date": "{y}年{m}月{d}日",
        "latest": "最新一期",
        "archive": "歷期快訊",
        "contents": "本期目錄",
        "summary": "本期導讀",
        "contact": "查詢",
        "articles": "{n}篇",
        "prev_issue": "上一期",
        "next_issue": "下一期",
        "prev_article": "上一篇",
        "next_article": "下一篇",
        "issue_link": "返回本期目錄",
        "captions": "圖片說明",
        "converted": "本頁由簡體自動轉換，用詞或與原文略有出入。",
        "original": "查看原文",
        "twin": "本頁簡體版",
        "search_label": "搜尋全部快訊",
        "search_button": "搜尋",
        "search_noscript": "搜尋需要啟用 JavaScript。你仍可從首頁的歷期目錄逐期瀏覽：",
        "search_count": "找到 {n} 項結果",
        "search_counting": "正在找出全部結果…",
        "search_none": "沒有找到包含「{q}」的結果。",
        "search_more": "顯示更多結果",
        "search_error": "搜尋暫時無法使用，請從首頁的歷期目錄瀏覽。",
        "search_years": "所有年份",
        "search_year_label": "年份",
        "search_kinds": "所有類別",
        "search_kind_label": "類別",
        "search_item": "第{n}項",
        "not_found": "找不到這一頁",
        "not_found_text": "網址可能有誤，或該頁已移走。",
        "chooser": "請選擇版本",
        "source_note": "內容取自澳門經濟局《緊貿安排快訊》PDF 的文字。",
        "nav": "網站導覽",
        "pager": "翻頁",
        "pdf": "原文 PDF",
        "pdf_note": "原文的圖片和表格見 PDF",
    },
    "hans": {
        "skip": "跳到正文",
        "home": "首页",
        "search": "搜索",
        "feed": "订阅（Atom）",
        "edition": "版本",
        "issue": "第{n}期",
        "date_unknown": "日期不详",
        "year": "{year}年",
        "year_unknown": "年份不详",
        "date": "{y}年{m}月{d}日",
        "latest": "最新一期",
        "archive": "历期快讯",
        "contents": "本期目录",
        "summary": "本期导读",
        "contact": "查询",
        "articles": "{n}篇",
        "prev_issue": "上一期",
        "next_issue": "下一期",
        "prev_article": "上一篇",
        "next_article": "下一篇",
        "issue_link": "返回本期目录",
        "captions": "图片说明",
        "converted": "本页由繁体自动转换，用词或与原文略有出入。",
        "original": "查看原文",
        "twin": "本页繁体版",
        "search_label": "搜索全部快讯",
        "search_button": "搜索",
        "search_noscript": "搜索需要启用 JavaScript。你仍可从首页的历期目录逐期浏览：",
        "search_count": "找到 {n} 项结果",
        "search_counting": "正在找出全部结果…",
        "search_none": "没有找到包含“{q}”的结果。",
        "search_more": "显示更多结果",
        "search_error": "搜索暂时无法使用，请从首页的历期目录浏览。",
        "search_years": "所有年份",
        "search_year_label": "年份",
        "search_kinds": "所有类别",
        "search_kind_label": "类别",
        "search_item": "第{n}项",
        "not_found": "找不到这一页",
        "not_found_text": "网址可能有误，或该页已移走。",
        "chooser": "请选择版本",
        "source_note": "内容取自澳门经济局《紧贸安排快讯》PDF 的文字。",
        "nav": "网站导览",
        "pager": "翻页",
        "pdf": "原文 PDF",
        "pdf_note": "原文的图片和表格见 PDF",
    },
}


# ---------------------------------------------------------------------------------------------
# URLs


def home_path(code: str) -> str:
    return f"{code}/index.html"


def search_path(code: str) -> str:
    return f"{code}/search/index.html"


def feed_path(code: str) -> str:
    return f"{code}/feed.xml"


def issue_path(code: str, number: int) -> str:
    """An issue's page: its number is its address, the same in both editions and whatever the
    raw file is called (a re-sent file changes nothing a reader has shared)."""
    return f"{code}/{BULLETINS}/{number}/index.html"


def article_path(code: str, number: int, article: int) -> str:
    return f"{code}/{BULLETINS}/{number}/{article}/index.html"


def plan_path(code: str, slug: str) -> str:
    return f"{code}/{PLANS}/{slug}/index.html"


def page_path(code: str, slug: str) -> str:
    return f"{code}/{PAGES}/{slug}/index.html"


def kind_path(code: str, kind: Kind, slug: str) -> str:
    """A document's page (an issue's: its contents) in the edition ``code``, at its address
    ``slug`` (an issue's number, a plan's or page's ``slug:``)."""
    return f"{code}/{kind.folder}/{slug}/index.html"


def source_path(code: str, kind: Kind, source: Source) -> str:
    """The page of ``source`` (of kind ``kind``) in the edition ``code``."""
    assert source.slug is not None, "a source without an address is never published"
    return kind_path(code, kind, source.slug)


def twin_path(path: str, code: str) -> str:
    """The same page in the edition ``code``."""
    return code + "/" + path.split("/", 1)[1]


def relative_url(from_path: str, to: str) -> str:
    """A link from the page at site path ``from_path`` to site path ``to`` (may carry a
    ``#fragment``), relative so the site works from any sub-path and from file://."""
    return relative_links(from_path)(to)


def relative_links(from_path: str) -> Callable[[str], str]:
    """``relative_url(from_path, ·)`` for the dozen links of one page (``rel`` in templates):
    the page's folders are split once, and a link is made by counting folders instead of
    asking ``posixpath.relpath`` (which asks the OS for the working directory, twice, on every
    call: the site has 20,000 pages)."""
    folders = from_path.split("/")[:-1]
    plain = not _odd(folders)
    depth = len(folders)

    def link(to: str) -> str:
        target, _, fragment = to.partition("#")
        if not target:
            url = ""
        else:
            parts = target.split("/")
            if plain and not _odd(parts):
                common = 0
                for a, b in zip(folders, parts, strict=False):
                    if a != b:
                        break
                    common += 1
                url = "/".join([".."] * (depth - common) + parts[common:]) or "."
            else:
                url = posixpath.relpath(target, posixpath.dirname(from_path) or ".")
            if not _URL_SAFE.fullmatch(url):
                url = quote(url, safe="/-._~")
        return url + "#" + quote(fragment, safe="-._~") if fragment else url

    return link


def _odd(parts: list[str]) -> bool:
    """Does a split path have an empty, ``.`` or ``..`` part (which counting cannot handle)?"""
    return "" in parts or "." in parts or ".." in parts


_URL_SAFE = re.compile(r"[A-Za-z0-9/\-._~]*")


def absolute_url(base_url: str, path: str) -> str:
    """``zh-hant/bulletins/x/index.html`` → ``https://…/zh-hant/bulletins/x/`` (servers
    answer a folder with its index.html; canonical URLs stay short)."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + (path if _URL_SAFE.fullmatch(path) else quote(path, safe="/-._~"))


def root_url(base_url: str, path: str) -> str:
    """A link from the server root, for /404.html (served at any depth)."""
    return urlsplit(base_url).path.rstrip("/") + "/" + quote(path, safe="/-._~#")


# ---------------------------------------------------------------------------------------------
# Documents with their metadata


@dataclass(frozen=True)
class Source:
    """One document as published in one edition, with what the editors added."""

    stem: str
    doc: Document  # in this edition's script (converted if needed), editor titles applied
    origin: str  # script of the text as read: "hant" or "hans"
    number: int | None = None  # issue number (bulletins)
    date: datetime.date | None = None
    slug: str | None = None  # its address: an issue's number, a plan's or page's `slug:`
    pdf: str | None = None  # the bureau's address of the original PDF


# What one kind of document takes from its metadata file: (the document, its metadata, its
# kind, ``warn(message, key)``) → the document with the editor's titles applied, its number.
MetadataRule = Callable[[Any, DocumentMeta, "Kind", Callable[..., None]], tuple[Any, int | None]]


def resolve_sources(
    documents: Mapping[str, Document],
    metas: Mapping[str, DocumentMeta],
    kinds: Kinds,
    corrections: Mapping[str, Correction] | None = None,
) -> tuple[tuple[Source, ...], tuple[Problem, ...]]:
    """Join every document with its metadata and order them: newest first, undated last.

    Also every problem with that: what is missing or doubtful (warnings), and what would
    leave a document without an address or give two documents one (errors: a bulletin with
    no issue number, a plan or page without a ``slug:``, a number or slug given twice).
    ``corrections`` (stem → correction file) says where a corrected bulletin's number is set."""
    sources = []
    problems: list[Problem] = []
    for stem in sorted(documents):
        doc = documents[stem]
        # The reader's doubts are for the editor looking at one issue (add, parse --report,
        # the exported correction), not a warning on every build of the archive.
        problems.extend(p for p in reader_warnings(doc, project.seed_name(stem)) if not is_doubt(p))
        source, found = _resolve(stem, doc, metas.get(stem), kinds.of(doc))
        sources.append(source)
        problems.extend(found)
    for stem in sorted(set(metas) - set(documents)):
        close = difflib.get_close_matches(stem, sorted(documents), n=1)
        hint = f"; did you mean {close[0]}.yaml?" if close else ""
        problems.append(
            Problem.warning(
                metas[stem].path,
                "no document {seed}: ignored{hint}",
                seed=project.seed_name(stem),
                hint=hint,
            )
        )
    problems.extend(address_problems(sources, metas, kinds, corrections or {}))
    return tuple(sorted(sources, key=archive_key)), tuple(problems)


def archive_key(source: Source) -> tuple[Any, ...]:
    """Newest first: by date, then issue number; undated documents last."""
    date = source.date
    return (date is None, -date.toordinal() if date else 0, -(source.number or 0), source.stem)


def _resolve(
    stem: str, doc: Document, meta: DocumentMeta | None, kind: Kind
) -> tuple[Source, list[Problem]]:
    warnings: list[Problem] = []

    def warn(message: str, key: str | None = None, **values: Any) -> None:
        line = meta.line(key) if meta is not None and key else None
        path = meta.path if meta is not None else project.metadata_name(stem)
        warnings.append(Problem.warning(path, message, line, **values))

    number = getattr(doc, "number", None)
    if meta is None:
        if kind.numbered:
            warn(
                "no metadata for {kind} {source}: publication date unknown (listed last)",
                kind=kind.name,
                source=doc.source,
            )
        return Source(stem, doc, doc.script, number, None, _slug(kind, number, None)), warnings
    if kind.numbered and meta.date is None:
        warn("no date: publication date unknown (listed last)")
    doc, number = kind.apply_metadata(doc, meta, kind, warn)
    slug = _slug(kind, number, meta.slug)
    return Source(stem, doc, doc.script, number, meta.date, slug, meta.pdf), warnings


def _slug(kind: Kind, number: int | None, slug: str | None) -> str | None:
    """A document's address: a numbered issue's number, any other document's ``slug:``."""
    if kind.numbered:
        return str(number) if number is not None else None
    return slug


def numbered_metadata(
    doc: Bulletin, meta: DocumentMeta, kind: Kind, warn: Callable[..., None]
) -> tuple[Bulletin, int | None]:
    """A bulletin's metadata: its issue number (over the one printed) and article titles."""
    number = meta.number if meta.number is not None else doc.number
    if meta.number is not None and doc.number is not None and meta.number != doc.number:
        warn(
            "number {number} differs from the text's issue {printed}; using {number}",
            "number",
            number=meta.number,
            printed=doc.number,
        )
    if meta.slug is not None:
        warn("slug applies to work plans and pages; an issue's address is its number", "slug")
    known = {a.number for a in doc.articles}
    for n in sorted(set(meta.titles) - known):
        warn("titles: the bulletin has no article {n}", "titles", n=n)
    if not known & meta.titles.keys():
        # The document as read, the very object: the cache knows its digest already
        # (``cache.digest``, by what it was read from), where a copy would be hashed again.
        return doc, number
    articles = tuple(
        dataclasses.replace(a, title=meta.titles[a.number]) if a.number in meta.titles else a
        for a in doc.articles
    )
    return dataclasses.replace(doc, articles=articles), number


def titled_metadata(
    doc: Any, meta: DocumentMeta, kind: Kind, warn: Callable[..., None]
) -> tuple[Any, None]:
    """A titled document's metadata (a plan's, a page's): its title."""
    for key in ("number", "titles"):
        if meta.number if key == "number" else meta.titles:
            warn(
                "{name} applies to bulletins only; ignored for {kind}",
                key,
                name=key,
                kind=Message(kind.described),
            )
    if meta.title:
        doc = dataclasses.replace(doc, title=meta.title)
    return doc, None


def reader_warnings(doc: Document, path: str) -> list[Problem]:
    """The reader's warnings about ``doc`` (read from ``path``), at their source lines; its
    doubts keep their template, to be said in the editor's language."""
    return [
        Problem.made(path, DOUBTS[n.code], n.line, WARNING, dict(n.values))
        if n.code in DOUBTS and n.values
        else Problem.warning(path, str_without_line(n), n.line)
        for n in doc.warnings
    ]


def is_doubt(problem: Problem) -> bool:
    """A doubt of the reader (a decision taken with a small margin), not a mistake."""
    return problem.template in DOUBTS.values()


def str_without_line(notice: Notice) -> str:
    return notice.message + (f" ({notice.detail})" if notice.detail else "")


def address_problems(
    sources: Sequence[Source],
    metas: Mapping[str, DocumentMeta],
    kinds: Kinds,
    corrections: Mapping[str, Correction],
) -> list[Problem]:
    """Documents without an address, and addresses given twice: errors, at the line to edit
    (a second issue 72 would otherwise be published beside the first, under another year)."""
    problems: list[Problem] = []
    for kind in kinds.all:
        mine = sorted((s for s in sources if kinds.of(s.doc) is kind), key=lambda s: s.stem)
        taken = {s.slug for s in mine if s.slug is not None}
        claims: dict[str, list[Source]] = {}
        for source in mine:
            if source.slug is None:
                problems.append(_no_address(source, metas.get(source.stem), kind, taken))
            else:
                claims.setdefault(source.slug, []).append(source)
        for slug, claimants in sorted(claims.items()):
            if len(claimants) < 2:
                continue
            for source in claimants:
                others = ", ".join(project.seed_name(s.stem) for s in claimants if s is not source)
                path, line = _address_set_at(source, metas, corrections, kind)
                message = (
                    "issue {slug} is also the number of {others}"
                    if kind.numbered
                    else "slug '{slug}' is also the address of {others}"
                )
                problems.append(Problem.error(path, message, line, slug=slug, others=others))
    return problems


def _no_address(source: Source, meta: DocumentMeta | None, kind: Kind, taken: set[str]) -> Problem:
    path = meta.path if meta is not None else project.metadata_name(source.stem)
    seed = project.seed_name(source.stem)
    if kind.numbered:
        line = meta.line("number") if meta is not None else None
        return Problem.error(
            path,
            "no issue number: {seed} prints none; set `number:` here (the issue's address "
            "is /{folder}/NUMBER/)",
            line,
            seed=seed,
            folder=kind.folder,
        )
    line = meta.line("slug") if meta is not None else None
    return Problem.error(
        path,
        "no slug: {kind} needs an address; set `slug: {slug}` here (its page is /{folder}/SLUG/)",
        line,
        kind=Message(kind.described),
        slug=propose_slug(source.doc, kind, taken),
        folder=kind.folder,
    )


def _address_set_at(
    source: Source,
    metas: Mapping[str, DocumentMeta],
    corrections: Mapping[str, Correction],
    kind: Kind,
) -> tuple[str, int | None]:
    """Where a document's address comes from: its metadata, its correction, or its text."""
    meta = metas.get(source.stem)
    key = "number" if kind.numbered else "slug"
    if meta is not None and meta.line(key) is not None:
        return meta.path, meta.line(key)
    correction = corrections.get(source.stem)
    if correction is not None and kind.numbered:
        return correction.path, correction.lines.get("number", 1)
    return project.seed_name(source.stem), None


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


def propose_slug(doc: Document, kind: Kind, taken: Iterable[str]) -> str:
    """An address for a plan or page that ``add`` writes in its stub and the "no slug" error
    suggests: the year its title names (a work plan is a year's: 2023), else the Latin words
    and numbers of its title (CEPA), else the kind's name; ``-2``, ``-3`` … after one taken."""
    title = doc.title
    year = _YEAR.search(title)
    words = _ASCII_WORD.findall(title)
    base = year.group() if year else "-".join(w.lower() for w in words)[:40].strip("-")
    base = base or kind.name
    taken = set(taken)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def convert_sources(
    sources: Sequence[Source], script: str, convert: Callable[[Document, str], Document]
) -> tuple[Source, ...]:
    """The same sources in ``script``; a document already in it is kept as it is."""
    return tuple(
        s if s.doc.script == script else dataclasses.replace(s, doc=convert(s.doc, script))
        for s in sources
    )


# ---------------------------------------------------------------------------------------------
# What templates get


@dataclass(frozen=True)
class Alternate:
    hreflang: str
    href: str  # absolute


@dataclass(frozen=True)
class PageInfo:
    """What base.html needs about any page."""

    path: str
    title: str
    description: str
    canonical: str
    alternates: tuple[Alternate, ...]
    twin: str  # site path of this page in the other edition
    origin: str | None = None  # site path of the original text, when this page is converted
    locale: str = "zh_MO"  # og:locale: how chat apps and social sites name the language
    kind: str = "website"  # og:type: "article" for an issue, article, plan or page


@dataclass(frozen=True)
class Link:
    path: str
    text: str
    number: int | None = None


@dataclass(frozen=True)
class IssueView:
    source: Source
    path: str
    label: str  # 第70期
    date_text: str  # 2019年10月1日 or 日期不詳
    date_iso: str  # "" when unknown
    articles: tuple[Link, ...]

    @property
    def doc(self) -> Bulletin:
        assert isinstance(self.source.doc, Bulletin)
        return self.source.doc


@dataclass(frozen=True)
class Target:
    """One output file before rendering: where it goes, its template and what it gets."""

    path: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    links: str = "relative"  # or "root": links from the server root (404.html)
    # What the context is made from, where that is much less to hash than the context: under
    # the same code, the same recipe, path and template make the same context, so a page
    # whose recipe is the last build's has the last build's key (``cache.pages``). None:
    # the context is its own recipe.
    recipe: Any = None


@dataclass(frozen=True)
class FeedEntry:
    title: str
    url: str
    updated: str
    summary: str
    html: str


@dataclass(frozen=True)
class EditionView:
    """What every page of one edition shares, and how it describes itself (``info``)."""

    config: SiteConfig
    edition: Edition
    editions: Sequence[Edition]
    default: Edition
    kinds: Kinds
    _issues: dict[str, IssueView] = field(default_factory=dict, compare=False, repr=False)
    # A page's alternates, by the path of its default edition's twin: made once for a page
    # and its twin (the editions' views share this), so their page keys hash them once.
    _alternates: dict[str, tuple[Alternate, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def issue(self, source: Source) -> IssueView:
        """The issue view of a bulletin, made once: the home page, the feed, the issue's pages
        and its neighbours' pages all show the same one."""
        found = self._issues.get(source.stem)
        if found is None:
            found = self._issues[source.stem] = issue_view(self.code, source, self.labels)
        return found

    @property
    def code(self) -> str:
        return self.edition.code

    @property
    def labels(self) -> Mapping[str, str]:
        return LABELS[self.edition.script]

    @property
    def other(self) -> Edition:
        return next(e for e in self.editions if e.code != self.edition.code)

    @functools.cached_property
    def shared(self) -> dict[str, Any]:
        """``common()``, made once: one mapping every page of the edition holds (``page``)."""
        return self.common()

    def common(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "other": self.other,
            "editions": self.editions,
            "labels": self.labels,
            "config": self.config,
            "site_title": self.config.title[self.code],
            "kind_labels": {k.name: k.heading[self.edition.script] for k in self.kinds.all},
        }

    def info(
        self,
        path: str,
        title: str,
        description: str,
        origin_script: str | None = None,
        kind: str = "website",
    ) -> PageInfo:
        """What base.html says about the page at ``path``; ``origin_script``: the script of the
        document it shows, ``kind``: its Open Graph type (a document's page is an article)."""
        origin = None
        if origin_script and origin_script != self.edition.script:
            origin_edition = next((e for e in self.editions if e.script == origin_script), None)
            if origin_edition is not None:
                origin = twin_path(path, origin_edition.code)
        return PageInfo(
            path=path,
            title=title,
            description=description,
            canonical=absolute_url(self.config.base_url, path),
            alternates=self.alternates(path),
            twin=twin_path(path, self.other.code),
            origin=origin,
            locale=OG_LOCALE[self.edition.script],
            kind=kind,
        )

    def alternates(self, path: str) -> tuple[Alternate, ...]:
        """``alternates`` of the page at ``path``, one tuple for it and its twins."""
        twin = twin_path(path, self.default.code)
        found = self._alternates.get(twin)
        if found is None:
            made = alternates(self.config.base_url, path, self.editions, self.default)
            found = self._alternates[twin] = made
        return found

    def page(self, path: str, template: str, recipe: Any = None, **context: Any) -> Target:
        return Target(path, template, Layers(self.shared, context), recipe=recipe)


def site_targets(
    config: SiteConfig,
    editions: Sequence[Edition],
    by_edition: Mapping[str, Sequence[Source]],
    kinds: Kinds,
) -> tuple[Target, ...]:
    """Every output file of the site, in a fixed order."""
    default = editions[0]
    targets: list[Target] = [
        edition_chooser(config, editions, default, "index.html", "chooser.html"),
        edition_chooser(config, editions, default, "404.html", "404.html"),
    ]
    twins: dict[str, tuple[Alternate, ...]] = {}  # every edition's alternates (``EditionView``)
    for edition in editions:
        view = EditionView(config, edition, editions, default, kinds, _alternates=twins)
        targets.extend(edition_targets(view, by_edition[edition.code]))
    targets.append(sitemap(config, editions, targets))
    targets.append(Target("robots.txt", "robots.txt", {"sitemap": config.base_url + "sitemap.xml"}))
    return tuple(targets)


def edition_targets(view: EditionView, sources: Sequence[Source]) -> list[Target]:
    """One edition: its home page, search page, every document's pages (as its kind makes
    them) and its feed."""
    code, labels = view.code, view.labels
    by_kind = {
        kind.name: [s for s in sources if view.kinds.of(s.doc) is kind] for kind in view.kinds.all
    }
    issues = [view.issue(s) for k in view.kinds.all if k.numbered for s in by_kind[k.name]]
    listings = tuple(
        Listing(
            kind.folder,
            kind.heading[view.edition.script],
            tuple(Link(source_path(code, kind, s), s.doc.title) for s in by_kind[kind.name]),
        )
        for kind in view.kinds.all
        if not kind.numbered and by_kind[kind.name]
    )
    home = home_path(code)
    search = search_path(code)
    targets = [
        view.page(
            home,
            "home.html",
            page=view.info(home, view.config.title[code], view.config.description[code]),
            latest=issues[0] if issues else None,
            years=by_year(issues, labels),
            listings=listings,
        ),
        view.page(
            search, "search.html", page=view.info(search, labels["search"], labels["search_label"])
        ),
    ]
    for kind in view.kinds.all:
        targets.extend(kind.pages(view, by_kind[kind.name]))
    targets.append(feed(view, issues))
    return targets


@dataclass(frozen=True)
class Listing:
    """The home page's list of one kind's documents (work plans, pages …)."""

    folder: str  # the kind's URL folder, also the section's id: #plans
    heading: str
    links: tuple[Link, ...]


def bulletin_targets(view: EditionView, sources: Sequence[Source]) -> list[Target]:
    """An issue's page and a page for each of its articles, with links to their neighbours."""
    issues = [view.issue(s) for s in sources]
    targets: list[Target] = []
    for i, issue in enumerate(issues):
        doc = issue.doc
        newer = issues[i - 1] if i > 0 else None
        older = issues[i + 1] if i + 1 < len(issues) else None
        description = excerpt(" ".join(doc.summary) or " ".join(a.title for a in doc.articles))
        title = f"{issue.label} · {issue.date_text}"
        # All these pages show: the edition's shared entries and view (``info``), the issue
        # (its source, so its document) and its neighbours; the rest is this code's.
        recipe = (view.shared, view.default, older, issue, newer)
        targets.append(
            view.page(
                issue.path,
                "bulletin.html",
                recipe,
                page=view.info(issue.path, title, description, issue.source.origin, ARTICLE),
                issue=issue,
                doc=doc,
                prev=older,
                next=newer,
            )
        )
        links = issue.articles
        for j, article in enumerate(doc.articles):
            path = links[j].path
            # What a chat app shows under a shared link: the article's first sentence.
            text = excerpt(first_sentence(article.paragraphs[0]) if article.paragraphs else "")
            text = text or article.title
            targets.append(
                view.page(
                    path,
                    "article.html",
                    recipe,
                    page=view.info(
                        path, f"{article.title} · {issue.label}", text, issue.source.origin, ARTICLE
                    ),
                    issue=issue,
                    article=article,
                    prev=links[j - 1] if j > 0 else None,
                    next=links[j + 1] if j + 1 < len(links) else None,
                )
            )
    return targets


def plan_targets(view: EditionView, sources: Sequence[Source]) -> list[Target]:
    targets = []
    for source in sources:
        doc = source.doc
        assert isinstance(doc, Plan)
        path = source_path(view.code, view.kinds.of(doc), source)
        description = excerpt(" ".join(doc.intro) or doc.title)
        info = view.info(path, doc.title, description, source.origin, ARTICLE)
        targets.append(view.page(path, "plan.html", page=info, doc=doc, pdf=source.pdf))
    return targets


def page_targets(view: EditionView, sources: Sequence[Source]) -> list[Target]:
    targets = []
    for source in sources:
        doc = source.doc
        assert isinstance(doc, Page)
        path = source_path(view.code, view.kinds.of(doc), source)
        description = excerpt(markdown_text(doc.markdown)) or doc.title
        info = view.info(path, doc.title, description, source.origin, ARTICLE)
        body = strip_title(doc.markdown, doc.title)
        targets.append(view.page(path, "page.html", page=info, doc=doc, body=body))
    return targets


def document_targets(view: EditionView, sources: Sequence[Source]) -> list[Target]:
    """A kind without pages of its own making: one page per document, at
    ``{edition}/{folder}/{slug}/``, rendered by the template named after the kind, which gets
    the document as ``doc``."""
    targets = []
    for source in sources:
        kind = view.kinds.of(source.doc)
        path = source_path(view.code, kind, source)
        title = source.doc.title
        info = view.info(path, title, excerpt(title), source.origin, ARTICLE)
        targets.append(view.page(path, f"{kind.name}.html", page=info, doc=source.doc))
    return targets


def edition_chooser(
    config: SiteConfig, editions: Sequence[Edition], default: Edition, path: str, template: str
) -> Target:
    """A page for no edition in particular, which offers both: the site's front door
    (index.html) and the page for addresses that do not exist (404.html, whose links start
    from the server's root: it is served at any depth)."""
    labels = LABELS[default.script]
    not_found = path == "404.html"
    info = PageInfo(
        path=path,
        title=(
            labels["not_found"] if not_found else " / ".join(config.title[e.code] for e in editions)
        ),
        description=labels["not_found_text"] if not_found else config.description[default.code],
        canonical=absolute_url(config.base_url, path) if not not_found else config.base_url + path,
        alternates=alternates(config.base_url, home_path(default.code), editions, default),
        twin=home_path(editions[1].code),
        locale=OG_LOCALE[default.script],
    )
    return Target(
        path,
        template,
        {
            "page": info,
            "edition": default,
            "editions": editions,
            "all_labels": LABELS,
            "labels": labels,
            "config": config,
            "site_title": config.title[default.code],
            "homes": tuple(Link(home_path(e.code), config.title[e.code]) for e in editions),
        },
        links="root" if not_found else "relative",
    )


def alternates(
    base_url: str, path: str, editions: Sequence[Edition], default: Edition
) -> tuple[Alternate, ...]:
    found = [Alternate(e.lang, absolute_url(base_url, twin_path(path, e.code))) for e in editions]
    found.append(Alternate("x-default", absolute_url(base_url, twin_path(path, default.code))))
    return tuple(found)


def issue_view(code: str, source: Source, labels: Mapping[str, str]) -> IssueView:
    doc = source.doc
    assert isinstance(doc, Bulletin)
    number = source.number
    assert number is not None, "an issue without a number is never published"
    return IssueView(
        source=source,
        path=issue_path(code, number),
        label=labels["issue"].format(n=number),
        date_text=date_text(source.date, labels),
        date_iso=source.date.isoformat() if source.date else "",
        articles=tuple(
            Link(article_path(code, number, a.number), a.title, a.number) for a in doc.articles
        ),
    )


def by_year(
    issues: Sequence[IssueView], labels: Mapping[str, str]
) -> tuple[tuple[str, tuple[IssueView, ...]], ...]:
    """Issues grouped under year headings, newest year first, the undated last."""
    groups: dict[int | None, list[IssueView]] = {}
    for issue in issues:
        date = issue.source.date
        groups.setdefault(date.year if date else None, []).append(issue)
    years = sorted((y for y in groups if y is not None), reverse=True)
    result = [(labels["year"].format(year=y), tuple(groups[y])) for y in years]
    if None in groups:
        result.append((labels["year_unknown"], tuple(groups[None])))
    return tuple(result)


def date_text(date: datetime.date | None, labels: Mapping[str, str]) -> str:
    if date is None:
        return labels["date_unknown"]
    return labels["date"].format(y=date.year, m=date.month, d=date.day)


def feed(view: EditionView, issues: Sequence[IssueView]) -> Target:
    """An Atom feed of the newest articles; entries of undated issues are left out (a feed
    orders by date), and ``updated`` is the newest issue's date, never the build time."""
    entries: list[FeedEntry] = []
    for issue in issues:
        if issue.source.date is None:
            continue
        if len(entries) >= FEED_LIMIT:
            break  # issues come newest first: the rest of the archive is not in the feed
        updated = f"{issue.date_iso}T00:00:00{MACAU}"
        for article, link in zip(issue.doc.articles, issue.articles, strict=True):
            html = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
            entries.append(
                FeedEntry(
                    title=f"{article.title}（{issue.label}）",
                    url=absolute_url(view.config.base_url, link.path),
                    updated=updated,
                    summary=excerpt(" ".join(article.paragraphs) or article.title),
                    html=html,
                )
            )
    dated = [i.source.date for i in issues if i.source.date]
    newest = max(dated) if dated else datetime.date(1970, 1, 1)
    path = feed_path(view.code)
    return view.page(
        path,
        "feed.xml",
        feed_url=absolute_url(view.config.base_url, path),
        home_url=absolute_url(view.config.base_url, home_path(view.code)),
        updated=f"{newest.isoformat()}T00:00:00{MACAU}",
        entries=tuple(entries[:FEED_LIMIT]),
    )


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    alternates: tuple[Alternate, ...]


def sitemap(config: SiteConfig, editions: Sequence[Edition], targets: Sequence[Target]) -> Target:
    """Every HTML page except 404.html, with its hreflang alternates."""
    entries = []
    for page in targets:
        if not page.path.endswith(".html") or page.path == "404.html":
            continue
        info = page.context["page"]
        alts = info.alternates if page.path != "index.html" else ()
        entries.append(SitemapEntry(info.canonical, alts))
    return Target(
        "sitemap.xml", "sitemap.xml", {"entries": tuple(sorted(entries, key=lambda e: e.loc))}
    )


# ---------------------------------------------------------------------------------------------
# Text helpers


def excerpt(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def markdown_text(markdown: str) -> str:
    """Markdown reduced to its words, for a description."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"^\s*(#+|[-*+]|\d+\.)\s+", "", text, flags=re.M)
    return text.replace("**", "").replace("__", "")


def strip_title(markdown: str, title: str) -> str:
    """Drop a first ``# Title`` line equal to the page title: the template prints the title."""
    lines = markdown.lstrip("\n").split("\n")
    if lines and lines[0].lstrip("#").strip() == title.strip() and lines[0].startswith("# "):
        return "\n".join(lines[1:]).lstrip("\n")
    return markdown
