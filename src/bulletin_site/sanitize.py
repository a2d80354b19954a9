"""What a Markdown page may put on the site: safe link targets, and (when site.yaml says
``allow_html: true``) raw HTML reduced to an allow-list.

``allow_html`` lets an editor write a table or a ``<sup>`` by hand; it never lets a page run
script. Elements that run or embed something (``script``, ``style``, ``iframe``, ``object``,
``svg``, forms …) are dropped with their content, other unknown elements are dropped and their
text kept, attributes are limited to a short list, event handlers and ``style`` never pass, and
every URL must be relative or http(s), mailto or tel. The pages' Content-Security-Policy would
stop an inline script anyway; this keeps the HTML itself clean.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

SAFE_SCHEMES = ("", "http", "https", "mailto", "tel")

# Browsers drop these from anywhere in a URL (tab, newline) or from its ends (C0 and space)
# before they look for the scheme: "java\tscript:" is "javascript:".
_URL_REMOVED = re.compile(r"[\t\n\r]")
_URL_EDGES = "".join(chr(c) for c in range(0x21))


def safe_url(value: str) -> bool:
    """A link target that cannot run anything: relative, or http(s), mailto, tel. Character
    references are decoded first (``&#106;avascript:`` is ``javascript:``)."""
    url = _URL_REMOVED.sub("", html.unescape(value)).strip(_URL_EDGES)
    if url in ("", "#"):
        return False
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # e.g. an invalid IPv6 host: not a link anyone meant
        return False
    return scheme in SAFE_SCHEMES


# --- raw HTML (allow_html: true) --------------------------------------------------------------

ALLOWED_TAGS = frozenset((
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
))  # fmt: skip
VOID_TAGS = frozenset(("br", "hr", "img"))
# Dropped together with everything inside them.
DROPPED_WITH_CONTENT = frozenset((
    "script", "style", "iframe", "object", "embed", "applet", "template", "noscript", "noembed",
    "noframes", "frame", "frameset", "svg", "math", "textarea", "select", "title", "xmp",
    "plaintext", "head",
))  # fmt: skip
GLOBAL_ATTRIBUTES = frozenset(("id", "class", "title", "lang", "dir"))
TAG_ATTRIBUTES = {
    "a": frozenset(("href", "hreflang", "rel")),
    "img": frozenset(("src", "alt", "width", "height")),
    "td": frozenset(("colspan", "rowspan", "align")),
    "th": frozenset(("colspan", "rowspan", "align", "scope")),
    "ol": frozenset(("start", "type", "reversed")),
    "li": frozenset(("value",)),
    "abbr": frozenset(()),
    "q": frozenset(("cite",)),
    "blockquote": frozenset(("cite",)),
}
URL_ATTRIBUTES = frozenset(("href", "src", "cite"))


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping: list[str] = []  # open elements dropped with their content
        self.open: list[str] = []  # open elements kept: closed at the end if need be

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        if self.skipping:
            if tag == self.skipping[-1] and not closed:
                self.skipping.append(tag)
            return
        if tag in DROPPED_WITH_CONTENT:
            if not closed:
                self.skipping.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return
        kept = []
        allowed = GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            if name not in allowed:
                continue
            if name in URL_ATTRIBUTES and (value is None or not safe_url(value)):
                continue
            text = "" if value is None else value
            kept.append(f' {name}="{html.escape(text, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS and not closed:
            self.open.append(tag)
        elif tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        # Only elements this fragment opened are closed: it cannot close the page's own.
        if tag in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))

    # Comments, declarations, processing instructions: dropped.


def clean_html(fragment: str) -> str:
    """``fragment`` with only allowed elements, attributes and URLs left (see the module)."""
    parser = _Sanitizer()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out) + "".join(f"</{tag}>" for tag in reversed(parser.open))
