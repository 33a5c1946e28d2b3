"""An HTML page as the lines a reader sees.

Block elements (paragraphs, headings, list items, table rows, divisions, line
breaks) end a line; inline elements join their text into the line around them.
Scripts, styles, templates, forms' hidden inputs and elements hidden with the
``hidden`` attribute or ``display:none`` are left out and counted, so the
ledger can say how much of the file was never visible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
        "legend",
        "textarea",
        "select",
    ]
)
INVISIBLE_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "meta",
        "link",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "audio",
        "video",
        "source",
        "track",
        "map",
    ]
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u3000]+")


@dataclass
class VisiblePage:
    """The visible lines of a page and what was left out."""

    lines: list[str]
    hidden_elements: int = 0  # elements hidden by attribute or style
    hidden_chars: int = 0  # characters inside hidden elements, scripts and styles
    script_elements: int = 0  # script, style, template ... elements
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    link_share: list[float] = field(default_factory=list)  # per line: share of its text in links


def repair_html(html: str) -> str:
    """The page as an HTML5 browser parses it, serialised again.

    libxml2 (under lxml, trafilatura and GNE) is not an HTML5 parser: a
    self-closed ``<button/>`` in a gov.cn header makes it drop the whole article
    that follows. Lexbor (through selectolax) parses as browsers do in well
    under a millisecond; every reader of the page then sees the same, whole tree.
    """
    from selectolax.lexbor import LexborHTMLParser

    html = html.lstrip("\ufeff")
    # lxml refuses str input that declares an encoding; the text is decoded already.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return ""
    # Lexbor's time grows with the square of the nesting (40,000 levels: 2 s), so what
    # lies past MARKUP_DEPTH start tags not yet ended is unwrapped first. Counted on the
    # markup as written, this overstates the depth of pages that leave <p> or <li>
    # open; past a few thousand, those too only lose line breaks they did not need.
    html = _flatten_deep(html, MARKUP_DEPTH)
    return _flatten_deep(LexborHTMLParser(html).html or "", MAX_DEPTH)


# libxml2, under lxml and the extractors, drops whatever lies past 256 levels; a real
# page is some 30 deep, and the extractors' time grows with elements times depth.
MAX_DEPTH = 128
# Elements that hold a paragraph's text, kept up to TEXT_BLOCK_ROOM levels past MAX_DEPTH.
TEXT_BLOCKS = frozenset(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre"])
TEXT_BLOCK_ROOM = 8
MARKUP_DEPTH = 4_000  # start tags not yet ended, before the page is parsed
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_RAW_TEXT = "script|style|xmp|iframe|noembed|noframes|noscript|textarea|title|plaintext"
# One token of serialised HTML: an element whose content is not markup (as a whole), a
# comment, a doctype or processing instruction, or a start or end tag (group 2: "/").
_TOKEN = re.compile(
    rf"<(?:({_RAW_TEXT})\b[^>]*>.*?</\1\s*>"
    r"|!--.*?-->|![^>]*>|\?[^>]*>"
    r"|(/?)([A-Za-z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)",
    re.S | re.I,
)


def _flatten_deep(html: str, max_depth: int) -> str:
    """The page with elements nested past ``max_depth`` unwrapped: their text stays
    where it was, a block element's edges become line breaks. (libxml2 drops a page's
    text from the first element past its depth limit on, outside the deep part too.)

    On a serialised tree (Lexbor's) every start tag has its end tag and the depth is
    exact; on markup as written, an end tag closes the latest element still open.
    """
    if html.count("<") <= max_depth or _deepest(html) <= max_depth:
        return html
    out: list[str] = []
    stack: list[bool] = []  # per open element: whether it was unwrapped
    kept = 0  # open elements not unwrapped
    last, broken = 0, False
    for m in _TOKEN.finditer(html):
        tag = (m.group(3) or "").lower()
        if not tag or tag in VOID_TAGS or m.group(0).endswith("/>"):
            continue
        if m.group(2):  # an end tag
            if not stack:
                continue
            if not stack.pop():
                kept -= 1
                continue
        else:
            # Past the limit the wrappers go, but a paragraph, heading or list item keeps
            # its element: the extractors read bare text between blocks as page furniture.
            room = max_depth + (TEXT_BLOCK_ROOM if tag in TEXT_BLOCKS else 0)
            stack.append(kept >= room)
            if not stack[-1]:
                kept += 1
                continue
        between = html[last : m.start()]
        out.append(between)
        broken = broken and not between.strip()
        # One break for a run of block edges with no text between (100,000 of them
        # would cost the extractors' element paths as much as the depth did).
        if tag in BLOCK_TAGS and not broken:
            out.append("<br>")
            broken = True
        last = m.end()
    out.append(html[last:])
    return "".join(out)


def _deepest(html: str) -> int:
    depth = deepest = 0
    for m in _TOKEN.finditer(html):
        tag = (m.group(3) or "").lower()
        if not tag or tag in VOID_TAGS or m.group(0).endswith("/>"):
            continue
        depth = max(depth - 1, 0) if m.group(2) else depth + 1
        deepest = max(deepest, depth)
    return deepest


def parse_html(html: str):
    """An lxml tree of a page that :func:`repair_html` has repaired."""
    import lxml.html

    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, TypeError):
        return None
    except Exception as exc:  # lxml.etree.ParserError on markup with no element at all
        if exc.__class__.__name__ in ("ParserError", "XMLSyntaxError"):
            return None
        raise


def _is_hidden(el) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true" and not len(el):
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return el.tag == "input" and (el.get("type") or "").lower() == "hidden"


def visible_lines(tree) -> VisiblePage:
    """Walk the tree once and cut its text into lines at block boundaries."""
    page = VisiblePage([])
    if tree is None:
        return page
    page.title = _SPACES.sub(" ", tree.findtext(".//title") or "").strip()
    page.meta = _meta(tree)
    body = tree.find("body")
    root = body if body is not None else tree
    head = tree.find("head")
    for el in head.iter("script", "style", "noscript", "template") if head is not None else []:
        page.script_elements += 1
        page.hidden_chars += len(el.text_content() or "")
    current: list[str] = []
    linked = [0]  # characters of the current line that sit inside a link
    in_link = [0]

    def add(text: str) -> None:
        current.append(text)
        if in_link[0]:
            linked[0] += len(text.strip())

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(current)).strip()
        if text:
            page.lines.append(text)
            page.link_share.append(min(1.0, linked[0] / max(1, len(text.replace(" ", "")))))
        current.clear()
        linked[0] = 0

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:  # a comment or processing instruction: not visible
            if el.tail:
                add(el.tail)
            return
        tag = tag.lower()
        if tag in INVISIBLE_TAGS or _is_hidden(el):
            if tag in INVISIBLE_TAGS:
                page.script_elements += 1
            else:
                page.hidden_elements += 1
            page.hidden_chars += len(el.text_content() or "") if tag != "br" else 0
            if el.tail:
                add(el.tail)
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
        in_link[0] += tag == "a"
        if el.text:
            add(el.text)
        for child in el:  # an image's alt text is not visible text
            walk(child)
        in_link[0] -= tag == "a"
        if block:
            flush()
        if el.tail:
            add(el.tail)

    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # deeply nested markup from page builders
    try:
        walk(root)
    finally:
        sys.setrecursionlimit(limit)
    flush()
    return page


_META_KEYS = (
    "og:title",
    "title",
    "description",
    "og:site_name",
    "author",
    "source",
    "keywords",
    "publishdate",
    "pubdate",
    "publish_date",
    "article:published_time",
    "og:url",
    "og:release_date",
    "firstpublishedtime",
    "contentsource",
    "sitename",
    "columnname",
    "apple-mobile-web-app-title",
    "dc.date",
    "dc.title",
    "dc.source",
)


def _meta(tree) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in tree.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        value = _SPACES.sub(" ", m.get("content") or "").strip()
        if key in _META_KEYS and value and key not in out:
            out[key] = value
    canonical = tree.find(".//link[@rel='canonical']")
    if canonical is not None and canonical.get("href"):
        out.setdefault("canonical", canonical.get("href"))
    return out
