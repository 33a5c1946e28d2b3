"""Each kind of file as the lines a reader sees, with a verdict already given where the
format itself decides (front matter, an image, markup), and the pages it holds.

- text: decoded as before (BOM, UTF-8, GB18030/GBK, Big5, UTF-16 ...);
- HTML (``.html .htm .shtml .xhtml``) and single-file ``.mhtml`` saves: visible
  lines (:mod:`.visible`), the main text decided by the extractors
  (:mod:`.maintext`); lines outside it get ``not_main_text`` with the evidence;
- Markdown: one visible line per line of the file (so ``file:line`` still points
  into it), syntax turned into text with markdown-it; YAML front matter,
  image-only and link-only lines and HTML comments are given their reasons;
- PDF (text layer), Word ``.docx`` (paragraphs and table cells);
- web archives (``.warc``, ``.warc.gz``, ``.wacz``): every HTML response
  record is a page of the file, its lines after the previous page's, with its
  URL and capture time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import CorpusError, Problem
from . import limits
from .encodings import decode_page

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
MHTML_SUFFIXES = {".mhtml", ".mht"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
WARC_SUFFIXES = {".warc", ".wacz"}  # and .warc.gz, see suffix_of
SUPPORTED = (
    TEXT_SUFFIXES
    | MARKDOWN_SUFFIXES
    | HTML_SUFFIXES
    | MHTML_SUFFIXES
    | PDF_SUFFIXES
    | DOCX_SUFFIXES
    | WARC_SUFFIXES
    | {".warc.gz"}
)


def suffix_of(name: str) -> str:
    """The format suffix, ``.warc.gz`` included."""
    lower = name.lower()
    if lower.endswith(".warc.gz"):
        return ".warc.gz"
    dot = lower.rfind(".")
    return lower[dot:] if dot > 0 else ""


@dataclass
class Page:
    """One page of a file: its lines (1-based, inclusive) and what the file says of it."""

    line_start: int
    line_end: int
    url: str = ""
    captured_at: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # meta tags, front matter, <title>
    hidden_chars: int = 0  # characters in scripts, styles and hidden elements
    extractors: str = ""  # which extractors decided its main text, e.g. "trafilatura+gne"
    inferred: dict[str, str] | None = None  # infer.Inferred as a dict; None: not inferred yet


@dataclass
class Visible:
    """A file's visible lines, the verdicts its format gives, and its pages."""

    lines: list[str]
    given: list[str | None]  # a discard reason decided by the format, or None
    evidence: list[str]  # why (the extractors' votes, "YAML front matter", ...)
    pages: list[Page]
    encoding: str
    kind: str


def plain(lines: list[str], encoding: str, kind: str) -> Visible:
    n = len(lines)
    return Visible(lines, [None] * n, [""] * n, [Page(1, max(n, 1))], encoding, kind)


# ---------------------------------------------------------------- HTML


def html_page(html: str, *, encoding: str, kind: str = "html") -> Visible:
    """Visible lines of one page with its main text decided."""
    from .maintext import extract_votes
    from .visible import parse_html, repair_html, visible_lines

    repaired = repair_html(html)
    page = visible_lines(parse_html(repaired))
    votes = extract_votes(repaired, page.lines, page.link_share) if page.lines else []
    given = [None if v.main else "not_main_text" for v in votes]
    meta = dict(page.meta)
    if page.title:
        meta["html_title"] = page.title
    extractors = votes[0].active if votes else ""
    info = Page(1, max(len(page.lines), 1), meta=meta, hidden_chars=page.hidden_chars)
    info.extractors = extractors
    info.url = meta.get("og:url") or meta.get("canonical") or ""
    visible = Visible(page.lines, given, [v.evidence for v in votes], [info], encoding, kind)
    add_inferred(visible, html=repaired)
    return visible


HEAD_LINES, TAIL_LINES, LINE_CHARS = 300, 60, 2000  # where a title, date or signature is


def _inference_view(start: int, end: int) -> list[int]:
    """The lines inference reads: a document's head and tail, each line cut to 2,000
    characters, so a book-length capture or a one-line PDF costs no more than a page."""
    if end - start <= HEAD_LINES + TAIL_LINES:
        return list(range(start, end))
    return list(range(start, start + HEAD_LINES)) + list(range(end - TAIL_LINES, end))


def page_inferred(raw, page: Page) -> dict[str, str]:
    """A page's inferred values, inferring them now if the reader left them for later
    (plain text: most text corpora curate their metadata, and inference costs as much
    as cleaning)."""
    if page.inferred is None:
        infer_page(raw.lines, raw.given or [None] * len(raw.lines), page)
    return page.inferred


def add_inferred(visible: Visible, *, html: str | None = None) -> Visible:
    """Infer the title, date, source and language of each page not inferred yet."""
    for page in visible.pages:
        if page.inferred is None:
            one_page = html if len(visible.pages) == 1 else None
            infer_page(visible.lines, visible.given, page, html=one_page)
    return visible


def infer_page(
    lines: list[str], given: list[str | None], page: Page, *, html: str | None = None
) -> None:
    """Set ``page.inferred`` from the page's lines (see :mod:`.infer`)."""
    from dataclasses import asdict

    from .infer import infer

    view = _inference_view(page.line_start - 1, min(page.line_end, len(lines)))
    found = infer(
        [lines[i][:LINE_CHARS] for i in view],
        [given[i] for i in view],
        page.meta,
        url=page.url,
        first_line=[i + 1 for i in view],
        html=html,
    )
    page.inferred = {k: v for k, v in asdict(found).items() if v not in ("", 0)}


def mhtml_page(data: bytes, *, name: str) -> Visible:
    """The HTML part of a single-file web page save (MHTML), with its URL and save date."""
    import email
    import email.policy

    limits.check_mhtml(data, name)
    message = email.message_from_bytes(data, policy=email.policy.default)
    html_part = next(
        (p for p in message.walk() if p.get_content_type() == "text/html"),
        None,
    )
    if html_part is None:
        defects = {d.__class__.__name__ for part in message.walk() for d in part.defects}
        why = (
            ": its MIME boundary never occurs in it, so no part can be told apart"
            if defects & {"StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect"}
            else ""
        )
        raise CorpusError(
            Problem(name, "", f"this MHTML file holds no HTML page{why}", "save the page again")
        )
    payload = html_part.get_payload(decode=True) or b""
    charset = html_part.get_content_charset()
    html, encoding = decode_page(payload, declared=charset, name=name)
    limits.check_page(html, name)
    visible = html_page(html, encoding=encoding, kind="mhtml")
    page = visible.pages[0]
    page.url = (
        message.get("Snapshot-Content-Location")
        or html_part.get("Content-Location")
        or page.url
        or ""
    )
    page.captured_at = _iso_datetime(message.get("Date", ""))
    return visible


def _iso_datetime(value: str) -> str:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).isoformat() if value else ""
    except (TypeError, ValueError):
        return ""


# ---------------------------------------------------------------- web archives


def warc_pages(data: bytes, *, name: str) -> Visible:
    """Every HTML response record of a WARC (or of the WARCs inside a WACZ) as a page.

    Response records that are not over HTTP (``dns:``, ``ftp:``, ``file:``) are no
    page; how many there were, with an example, is the first page's
    ``meta["records_not_http"]``, which the review of ``add`` shows.
    """
    not_http: list[str] = []
    misaligned: list[str] = []
    records = list(_html_records(data, name=name, not_http=not_http, misaligned=misaligned))
    if not records:
        raise CorpusError(
            Problem(
                name,
                "",
                "this web archive holds no HTML response record",
                "archive the pages themselves (HTTP 200 responses with text/html)",
            )
        )
    lines: list[str] = []
    given: list[str | None] = []
    evidence: list[str] = []
    pages: list[Page] = []
    for url, captured_at, html in records:
        one = html_page(html, encoding="detected", kind="warc")  # inferred per page here
        if not one.lines:  # a page with nothing visible still takes a line, so it has a span
            one.lines, one.given, one.evidence = [""], ["blank"], ["no visible text"]
        start = len(lines) + 1
        lines += one.lines
        given += one.given
        evidence += one.evidence
        page = one.pages[0]
        page.line_start, page.line_end = start, len(lines)
        page.url, page.captured_at = url, captured_at
        page.inferred["url"] = url
        pages.append(page)
    if not_http:
        pages[0].meta["records_not_http"] = (
            f"{len(not_http)} response record(s) not over HTTP, e.g. {not_http[0][:80]}"
        )
    if misaligned:
        pages[0].meta["records_misaligned"] = (
            f"{len(misaligned)} record(s) whose declared length does not end where the next "
            f"record starts ({misaligned[0]}): a page there may be cut or carry stray bytes"
        )
    return Visible(lines, given, evidence, pages, "detected", "warc")


def _html_records(data: bytes, *, name: str, not_http: list[str], misaligned: list[str]):
    import io
    import zipfile

    if data[:2] == b"PK":  # WACZ: a zip holding archive/*.warc(.gz)
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise CorpusError(
                Problem(name, "", "not a readable WACZ (zip) file", "export the archive again")
            ) from None
        limits.check_zip(archive, name)
        members = sorted(
            n for n in archive.namelist() if n.endswith((".warc", ".warc.gz")) and "/" in n
        )
        for member in members:
            yield from _records_of(
                archive.read(member),
                name=f"{name}/{member}",
                not_http=not_http,
                misaligned=misaligned,
            )
        return
    yield from _records_of(data, name=name, not_http=not_http, misaligned=misaligned)


def _records_of(data: bytes, *, name: str, not_http: list[str], misaligned: list[str]):
    import io
    import zlib

    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    _check_warc_start(data, name)
    inflated, n_pages = limits.Inflated(name), 0
    records = ArchiveIterator(io.BytesIO(data))
    # warcio writes a WARNING block to stderr for a record whose length is off; it is
    # caught here and said once, in the review, instead of above every message.
    said = io.StringIO()
    try:
        for record in _quietly(records, said):
            # Every record's declared length counts: skipping a record inflates it too.
            inflated.add(record.length or 0)
            if record.rec_type != "response":
                continue
            if record.http_headers is None:  # a dns: or ftp: record: no page, but counted
                not_http.append(record.rec_headers.get_header("WARC-Target-URI") or "?")
                continue
            status = record.http_headers.get_statuscode()
            content_type = record.http_headers.get_header("Content-Type") or ""
            if status != "200" or "html" not in content_type.lower():
                continue
            n_pages += 1
            limits.check_pages(n_pages, name)
            payload = limits.read_bounded(record.content_stream(), name)
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            _check_complete(record, url, name)
            charset = re.search(r"charset=([\w-]+)", content_type, re.I)
            html = decode_page(payload, declared=charset.group(1) if charset else None, name=name)[
                0
            ]
            limits.check_page(html, name)
            when = record.rec_headers.get_header("WARC-Date") or ""
            yield url, when, html
        if records.err_count:
            offset = re.search(r"Offset: (\d+)", said.getvalue())
            misaligned += [f"{name}, at byte {offset.group(1) if offset else '?'}"] * (
                records.err_count
            )
    except (ArchiveLoadFailed, AttributeError, ValueError, EOFError, zlib.error) as exc:
        # warcio's own errors on a damaged or cut archive (an AttributeError on headers
        # cut mid-line): one line, without the bytes it quotes.
        raise CorpusError(
            Problem(
                name,
                "",
                f"not a readable web archive: it is damaged or cut short "
                f"({exc.__class__.__name__})",
                "download or export the archive again",
            )
        ) from None


def _quietly(records, into):
    """Each of ``records`` with what it writes to stderr while read going ``into``."""
    import contextlib

    iterator = iter(records)
    while True:
        with contextlib.redirect_stderr(into):
            record = next(iterator, None)
        if record is None:
            return
        yield record


def _check_warc_start(data: bytes, name: str) -> None:
    """A WARC (after its first gzip member is inflated) starts with ``WARC/``."""
    import zlib

    head = data[:64]
    if data[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65536], 64)
        except zlib.error:
            head = b""
    if not head.startswith(b"WARC/"):
        shown = head[:20].decode("ascii", "replace")
        shown = "".join(c if c.isprintable() else "?" for c in shown)
        raise CorpusError(
            Problem(
                name,
                "",
                f"not a web archive: a WARC file starts with 'WARC/', this one with {shown!r}",
                "check that it is the archive (.warc or .warc.gz) and not another file renamed",
            )
        )


def _check_complete(record, url: str, name: str) -> None:
    """A record whose bytes end before its declared length: the archive was cut short."""
    missing = getattr(record.raw_stream, "limit", 0) or 0
    if missing > 0:
        raise CorpusError(
            Problem(
                name,
                "",
                f"the archive is cut short: its record of {url or 'a page'} lacks its last "
                f"{missing:,} bytes (a download or a copy that did not finish)",
                "download or copy the archive again",
            )
        )


# ---------------------------------------------------------------- Word


def docx_lines(data: bytes, *, name: str) -> list[str]:
    """Paragraphs and table cells of a Word file, in document order."""
    import io
    import zipfile

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CorpusError(
            Problem(
                name,
                "",
                "not a Word .docx file (a .docx is a zip archive; this one is not)",
                "open it in Word or LibreOffice and save it as .docx again",
            )
        )
    limits.check_zip(zipfile.ZipFile(io.BytesIO(data)), name)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise CorpusError(
            Problem(name, "", f"unreadable .docx ({exc})", "save it as .docx again")
        ) from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = _local_name(child)  # "" for an XML comment or processing instruction
        if tag == "p":
            lines.append(_run_text(child))
        elif tag == "tbl":
            for row in child.iter():
                if _local_name(row) == "tr":
                    cells = [_run_text(cell) for cell in row if _local_name(cell) == "tc"]
                    lines.append(" ".join(c for c in cells if c.strip()))
    return lines


def _local_name(element) -> str:
    """An element's tag without its namespace; "" for comments and processing
    instructions, whose ``tag`` is not a string (some generators write them)."""
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _run_text(element) -> str:
    return "".join(t.text or "" for t in element.iter() if _local_name(t) == "t")


# ---------------------------------------------------------------- Markdown

_FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)\s*$")
# A label stops at the next bracket and a destination at the next parenthesis not
# paired inside it (CommonMark's "a(b).html"): every try then ends where the next one
# starts, so a line of 200,000 "[" or "![](" costs one pass, not one pass per
# bracket (which took minutes).
_DESTINATION = r"\((?:[^()]|\([^()]*\))*\)"
_IMAGE = re.compile(r"!\[[^\[\]]*\]" + _DESTINATION)
_LINK = re.compile(r"(?<!!)\[([^\[\]]*)\]" + _DESTINATION)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LIST_MARK = re.compile(r"^\s*([-*+]|\d{1,3}[.)])\s+")


def markdown_visible(text_lines: list[str], encoding: str) -> Visible:
    """One visible line per line of a Markdown file, syntax turned into text."""
    n = len(text_lines)
    given: list[str | None] = [None] * n
    evidence = [""] * n
    meta: dict[str, str] = {}
    body_start = _front_matter(text_lines, given, evidence, meta)
    lines = list(text_lines)
    in_comment = in_fence = False
    for i in range(body_start, n):
        raw = text_lines[i]
        stripped = raw.strip()
        if in_fence or stripped.startswith(("```", "~~~")):
            in_fence = in_fence != stripped.startswith(("```", "~~~"))
            if stripped.startswith(("```", "~~~")):
                given[i], evidence[i] = "markup", "code fence"
            continue
        if in_comment or stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            given[i], evidence[i] = "markup", "HTML comment"
            lines[i] = stripped
            continue
        kind, why, text = _markdown_line(stripped)
        if kind is not None:
            given[i], evidence[i] = kind, why
        if text is not None:
            lines[i] = text
    _outside_main_block(lines, given, evidence, body_start)
    visible = Visible(lines, given, evidence, [Page(1, max(n, 1), meta=meta)], encoding, "markdown")
    heading = next((ln for ln in text_lines[body_start:] if ln.startswith("# ")), "")
    if heading:
        meta["markdown_h1"] = _inline_text(heading)
    return visible


def _outside_main_block(lines, given, evidence, body_start: int) -> None:
    """A crawler's page (it has front matter) keeps only its block of running text."""
    from .maintext import main_block

    if body_start == 0:  # no front matter: a document someone wrote, e.g. a law
        return
    span = main_block(lines, given)
    if span is None:
        return
    first, last = span
    for i in range(body_start, len(lines)):
        if given[i] is None and lines[i].strip() and not first <= i <= last:
            given[i] = "not_main_text"
            evidence[i] = "outside the block of running text (body text extraction)"


@lru_cache(maxsize=1 << 16)  # a crawl repeats its menus and footers on every page
def _markdown_line(stripped: str) -> tuple[str | None, str, str | None]:
    """What one stripped body line of Markdown is: (kind or None, evidence, its text or
    None to keep the line as it was)."""
    if _TABLE_RULE.match(stripped) and "|" in stripped:
        return "markup", "table rule", None
    without_images = _IMAGE.sub("", stripped)
    if stripped and not _strip_marks(without_images):
        return "image", "an image and nothing else", None
    if (
        stripped
        and _LINK.search(without_images)
        and not _strip_marks(_LINK.sub("", without_images))
    ):
        return "link_only", "links and nothing else", _inline_text(without_images)
    return None, "", _inline_text(without_images)


_MARKS = re.compile(r"[\s#>*_`|~\-+.:：,，]+")


def _strip_marks(text: str) -> str:
    return _MARKS.sub("", _LIST_MARK.sub("", text))


def _front_matter(lines, given, evidence, meta) -> int:
    """Mark a leading ``---`` YAML block; return the first line after it."""
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i in range(1, min(len(lines), 200)) if _FRONT_MATTER_END.match(lines[i])), 0)
    if not end:
        return 0
    block = "\n".join(lines[1:end])
    parsed, why = _yaml(block)
    for i in range(end + 1):
        given[i] = "front_matter"
        evidence[i] = why
    for key, value in (parsed or {}).items():
        if isinstance(key, str) and value is not None and not isinstance(value, (dict, list)):
            meta[f"front_matter:{key.strip().lower()}"] = str(value).strip()
    return end + 1


def _yaml(block: str) -> tuple[dict | None, str]:
    import yaml

    # libyaml's loader when PyYAML has it: several times the pure-Python one, and it refuses
    # deep nesting with an error where the other runs out of stack.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        parsed = yaml.load(block, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        return None, f"front matter that is not YAML{where}: kept out, not read"
    if not isinstance(parsed, dict):
        return None, "front matter that is not a YAML mapping: kept out, not read"
    return parsed, "YAML front matter"


_MD = None


def _markdown_parser():
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = MarkdownIt("commonmark", {"html": False}).enable("table")
    return _MD


# What CommonMark resolves inside a line: emphasis, code, links, images, autolinks and
# HTML, entities, escapes. A line without any of these is its own text.
_INLINE_SYNTAX = re.compile(r"[*_`\[\]!<>&\\]")
# A link or image with plain text and a plain destination, as markdown-it renders them.
_SIMPLE_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()\s]*\)")
_SIMPLE_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")


_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s+")
_BULLET_MARK = re.compile(r"^\s*[-*+]\s+")
_QUOTE_MARK = re.compile(r"^\s*>\s?")


def _inline_text(line: str) -> str:
    """The text of one Markdown line: heading marks, emphasis, links and escapes resolved."""
    stripped = _QUOTE_MARK.sub("", _BULLET_MARK.sub("", _HEADING_MARK.sub("", line)))
    if "|" in stripped and stripped.strip().startswith("|"):
        stripped = " ".join(c.strip() for c in stripped.strip().strip("|").split("|"))
    if not _INLINE_SYNTAX.search(stripped):  # most lines of a law: nothing to resolve
        return stripped.strip()
    simple = _SIMPLE_LINK.sub(r"\1", _SIMPLE_IMAGE.sub("", stripped))
    if not _INLINE_SYNTAX.search(simple):  # a crawler's menu: plain links and images only
        return simple.strip()
    tokens = _markdown_parser().parseInline(stripped)
    out = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline", "html_inline"):
                out.append(child.content if child.type != "html_inline" else "")
            elif child.type in ("softbreak", "hardbreak"):
                out.append(" ")
    return "".join(out).strip()
