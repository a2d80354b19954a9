"""A project full of hostile text: in a raw bulletin, a raw Markdown page, a work plan, an
editor's metadata, a correction and site.yaml. Shared by the injection tests (static checks
and Chromium)."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from layout_maker import Layout, SampleArticle, lay_out, sample_articles

ROOT = Path(__file__).resolve().parents[2]

# Each payload would do something if it were not shown as text. ``alert``/``confirm``/
# ``prompt`` open a dialog; ``XSS`` marks every payload so a test can find it on the page.
PAYLOADS = (
    '<script>alert("XSS1")</script>',
    '<img src=x onerror=alert("XSS2")>',
    "{{ 7*7 }}{% if true %}XSS3-JINJA{% endif %}",
    '</title><script>alert("XSS4")</script>',
    '"><svg onload=alert("XSS5")>',
    "' onmouseover='alert(6)' data-x='XSS6",
    'javascript:alert("XSS7")',
    "</script><script>confirm('XSS8')</script>",
    '\u2028\u2029"}]\\u0022 XSS9',  # breaks a JSON record written by hand
    "]]><!-- XSS10 -->&amp;&lt;",
    '<iframe srcdoc="<script>alert(11)</script>">XSS11',
    "<a href=javascript:prompt('XSS12')>XSS12</a>",
)

MARKDOWN_ATTACKS = """\
# 標題</title><script>alert("MD1")</script>

段落<script>alert("MD2")</script>與<img src=x onerror=alert("MD3")>。

<div onclick="alert('MD4')">原始HTML區塊 MD4</div>

<script>alert("MD5")</script>

- [連結一](javascript:alert('MD6'))
- [連結二](JaVaScRiPt:alert('MD7'))
- [連結三](java\tscript:alert('MD8'))
- [連結四](&#106;avascript:alert('MD9'))
- [連結五](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
- [連結六](vbscript:msgbox('MD10'))
- <javascript:alert('MD11')>
- [連結七][bad]
- ![圖](javascript:alert('MD12'))
- [連結八](https://example.org/ok "t\\" onmouseover=\\"alert('MD13')")
- <a href="javascript:alert('MD14')">內嵌連結 MD14</a>
- [連結九]( javascript:alert('MD15'))
- {{ 7*7 }} {% raw %}MD16{% endraw %}
- [正常連結](https://www.economia.gov.mo/)

[bad]: javascript:alert('MD17')

## 小標題 <style>body{display:none}</style>

```
<script>alert("MD18")</script>
```
"""


def hostile_articles(count: int = 5, seed: int = 0) -> list[SampleArticle]:
    """Invented articles (``layout_maker``) whose titles, paragraphs and captions carry the
    payloads, each payload at least once over the first four (the fifth's title is replaced
    by the editor's, ISSUE_YAML)."""
    articles = []
    for n, article in enumerate(sample_articles(count, seed), start=1):
        a, b, c = (PAYLOADS[(3 * (n - 1) + k) % len(PAYLOADS)] for k in range(3))
        first, *rest = article.paragraphs
        paragraphs = (first[:-1] + b + first[-1], *rest[:-1], f"{c}。" + (rest or [""])[-1])
        captions = (article.captions[0] if article.captions else "與會嘉賓合照") + c
        articles.append(SampleArticle(n, article.title + a, paragraphs, (captions,)))
    return articles


PLAN = """\
實施計劃</title><script>alert("PL1")</script>重點工作

一、金融領域合作<img src=x onerror=alert("PL2")>

1. 鞏固澳門作為平台功能{{ 7*7 }}，重點跟進項目。

2. 進一步吸引金融機構落戶澳門"><svg onload=alert("PL3")>，加強合作。
"""

SITE_YAML = """\
title:
  zh-hant: '網站</title><script>alert("CFG1")</script>'
  zh-hans: "网站\\"><img src=x onerror=alert('CFG2')>"
description:
  zh-hant: '描述"><script>alert("CFG3")</script>'
  zh-hans: "{{ 7*7 }}</script>CFG4"
base_url: https://cepa.example.org/
templates: templates
allow_html: false
"""

ISSUE_YAML = """\
number: 71
date: 2020-01-02
titles:
  5: '改過的標題<script>alert("META1")</script>'
"""

PLAN_YAML = """\
title: '計劃標題"><img src=x onerror=alert("META2")>'
date: 2020-01-03
slug: hostile-plan
"""
PAGE_YAML = "slug: hostile-page\n"


def correction(stem: str) -> str:
    return """\
---
kind: bulletin
script: hant
number: 72
articles: 1
contact: '電話 28882888<script>alert("COR1")</script>'
---
導讀<img src=x onerror=alert("COR2")>。

## 1. 更正標題</title><script>alert("COR3")</script>

更正段落{{ 7*7 }}<a href="javascript:alert('COR4')">COR4</a>。

> 圖：圖片說明"><svg onload=alert("COR5")>
"""


STEMS = {
    "bulletin": "100_hostile_bulletin",
    "page": "101_hostile_page",
    "plan": "102_hostile_plan",
    "corrected": "103_hostile_corrected",
}


def make_hostile_project(target: Path, *, allow_html: bool = False) -> Path:
    """The project's templates, one ordinary seed and the hostile documents, in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "templates", target / "templates")
    seeds = target / "seeds"
    issues = target / "content" / "issues"
    corrections = target / "content" / "corrections"
    for folder in (seeds, issues, corrections):
        folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "content" / "glossary.yaml", target / "content" / "glossary.yaml")
    (target / "content" / "site.yaml").write_text(
        SITE_YAML.replace("allow_html: false", f"allow_html: {str(allow_html).lower()}"),
        encoding="utf-8",
    )
    bulletin = lay_out(hostile_articles(), Layout(width=22, seed=3), issue_number=71)
    (seeds / f"{STEMS['bulletin']}.txt").write_text(bulletin, encoding="utf-8")
    (seeds / f"{STEMS['page']}.txt").write_text(MARKDOWN_ATTACKS, encoding="utf-8")
    (seeds / f"{STEMS['plan']}.txt").write_text(PLAN, encoding="utf-8")
    other = lay_out(hostile_articles(2, seed=5), Layout(width=25, seed=4), issue_number=72)
    (seeds / f"{STEMS['corrected']}.txt").write_text(other, encoding="utf-8")
    (issues / f"{STEMS['bulletin']}.yaml").write_text(ISSUE_YAML, encoding="utf-8")
    (issues / f"{STEMS['plan']}.yaml").write_text(PLAN_YAML, encoding="utf-8")
    (issues / f"{STEMS['page']}.yaml").write_text(PAGE_YAML, encoding="utf-8")
    (corrections / f"{STEMS['corrected']}.md").write_text(
        correction(STEMS["corrected"]), encoding="utf-8"
    )
    return target


# --- what a page may contain ------------------------------------------------------------------

# The only scripts a page may load: the site's own, by relative URL.
ALLOWED_SCRIPTS = re.compile(r"(\.\./)*assets/(lang|search)\.js")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href")
SAFE_SCHEMES = ("", "http", "https", "mailto", "tel")
FORBIDDEN_TAGS = ("iframe", "object", "embed", "frame", "frameset", "svg", "math", "base")
CSP = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'"
)


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.csp: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not ALLOWED_SCRIPTS.fullmatch(values.get("src") or ""):
                self.problems.append(f"<script> not from the site: {attrs}")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element: {attrs}")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("meta refresh")
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp.append(values.get("content") or "")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc=…>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    self.problems.append(f"<{tag} {name}={value!r}>: scheme {scheme}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:60]!r}")
        self.text.append(data)


def inspect_html(data: bytes) -> tuple[list[str], list[str], str]:
    """Problems found in a page, its CSP meta tags and its text (as a reader sees it)."""
    parser = _Inspector()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser.problems, parser.csp, "".join(parser.text)


def inspect_xml(data: bytes) -> list[str]:
    """A feed or sitemap: well-formed, no element or attribute from the content."""
    problems = []
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return [f"not well-formed XML: {error}"]
    allowed = {"feed", "title", "subtitle", "id", "link", "updated", "author", "name", "entry",
               "summary", "content", "urlset", "url", "loc"}  # fmt: skip
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local not in allowed:
            problems.append(f"unexpected element <{local}>")
        for name, value in element.attrib.items():
            if name in ("href",) and urlsplit(value).scheme not in ("http", "https"):
                problems.append(f"<{local} {name}={value!r}>")
    for content in root.iter("{http://www.w3.org/2005/Atom}content"):
        # type="html": its text is HTML; check that HTML as well.
        found, _, _ = inspect_html((content.text or "").encode())
        problems.extend(f"feed content: {p}" for p in found)
    return problems


def inspect_json(data: bytes) -> list[str]:
    try:
        json.loads(data)
    except ValueError as error:
        return [f"not valid JSON: {error}"]
    return []
