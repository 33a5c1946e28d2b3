"""Read raw captures into decoded, numbered visible lines.

Bytes are decoded as a browser decodes them (:mod:`.ingest.encodings`); each
format is then turned into the lines a reader sees (:mod:`.ingest.formats`). Lines
are numbered 1-based. A text or Markdown file's visible line N is its own line N; for
the other formats the numbers refer to the visible lines, which the build writes out
(``processed/extracted/``) so a reader can find each line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError, Problem
from .ingest.encodings import decode_bytes, decode_page

__all__ = ["RawText", "decode_bytes", "read_raw", "split_lines"]


@dataclass
class RawText:
    """A decoded raw file: its lines and how they were obtained."""

    path: Path
    lines: list[str]
    encoding: str
    kind: str  # "text", "markdown", "html", "mhtml", "warc", "pdf" or "docx"
    sha256: str
    given: list[str | None] | None = None  # a reason the format decided, per line
    evidence: list[str] | None = None  # why, per line
    pages: list | None = None  # ingest.formats.Page: line spans with URL, capture time, meta
    name: str = ""  # the name it is known by (its path under raw/), else the file's name

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF or CR; a final newline does not add an empty line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def pdf_to_text(data: bytes, *, name: str) -> str:
    """The text layer of a PDF, page by page."""
    import io

    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _open_without_password(reader):
            raise CorpusError(
                Problem(
                    name,
                    "",
                    "this PDF is encrypted with a password",
                    "open it with its password and save or print it as a PDF without one, "
                    "then add that copy",
                )
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except CorpusError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files; all mean the same
        if isinstance(exc, MemoryError):
            raise
        raise CorpusError(
            Problem(
                name,
                "",
                f"unreadable PDF: {exc}",
                "re-save the PDF or paste its text into a .txt file",
            )
        ) from None
    text = "\n".join(pages)
    if not text.strip():
        raise CorpusError(
            Problem(
                name,
                "",
                "this PDF has no text layer (a scan?)",
                "run OCR on it first, or paste its text into a .txt file",
            )
        )
    return text


def _open_without_password(reader) -> bool:
    """Many PDFs are 'encrypted' with an empty user password only (printing restrictions)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # a cipher pypdf cannot handle without an extra package
        return False


def read_raw(
    path: Path, *, display_name: str | None = None, cache_dir: Path | None = None
) -> RawText:
    """Read one raw capture into its visible lines (see :mod:`.ingest.formats`).

    ``cache_dir``: where the visible lines of pages that need the extractors are
    kept, keyed by the file's bytes and the extraction code's version, so an
    unchanged capture is not extracted again.

    Raises
    ------
    CorpusError
        For a missing, empty, binary, undecodable, encrypted or unsupported file.
    """
    from .ingest import formats, limits

    name = display_name or path.name
    if path.exists() and not path.is_file():
        raise CorpusError(
            Problem(
                name,
                "",
                "not a regular file (a folder, a pipe, a socket or a device)",
                "save what it holds to a file and name that file",
            )
        )
    if not path.is_file():
        raise CorpusError(
            Problem(name, "", "file not found", "check the file name in captures.csv")
        )
    suffix = formats.suffix_of(path.name)
    if suffix not in formats.SUPPORTED:
        raise CorpusError(
            Problem(
                name,
                "",
                f"unsupported file type {suffix or '(none)'!r}",
                "use .txt, .md, .html, .mhtml, .pdf, .docx, .warc(.gz) or .wacz",
            )
        )
    limits.check_capture_size(name, path.stat().st_size)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise CorpusError(
            Problem(name, "", "the file is empty", "replace it with the real capture")
        )
    visible = _cached(cache_dir, digest, suffix)
    if visible is None:
        visible = _read_visible(data, suffix, name)
    if cache_dir is not None and visible.kind in _CACHED_KINDS:
        _store(cache_dir, digest, suffix, visible)
    return RawText(
        path,
        visible.lines,
        visible.encoding,
        visible.kind,
        digest,
        visible.given,
        visible.evidence,
        visible.pages,
        name,
    )


def _read_visible(data: bytes, suffix: str, name: str):
    """:func:`_visible` and the inference, any failure inside a format's reader (a
    library's own exception, a structure nested past the stack) one line naming the
    file, never a traceback."""
    from .ingest import formats

    try:
        visible = _visible(data, suffix, name)
        if visible.kind != "text":  # plain text is inferred on demand (formats.page_inferred)
            formats.add_inferred(visible)
    except CorpusError:
        raise
    except Exception as exc:  # any reader's failure, a library's own exceptions included
        kind = suffix.lstrip(".") or "text"
        raise CorpusError(
            Problem(
                name,
                "",
                f"could not be read as {kind} ({exc.__class__.__name__}: {str(exc)[:120]})",
                f"open it in the program that made it and save it again as {kind}, or "
                "convert it to .txt; the other files are not affected",
            )
        ) from None
    return visible


def _visible(data: bytes, suffix: str, name: str):
    from .ingest import formats, limits

    if suffix in formats.PDF_SUFFIXES:
        return formats.plain(split_lines(pdf_to_text(data, name=name)), "pdf", "pdf")
    if suffix in formats.DOCX_SUFFIXES:
        return formats.plain(formats.docx_lines(data, name=name), "docx", "docx")
    if suffix in formats.WARC_SUFFIXES or suffix == ".warc.gz":
        return formats.warc_pages(data, name=name)
    if suffix in formats.MHTML_SUFFIXES:
        return formats.mhtml_page(data, name=name)
    if suffix in formats.HTML_SUFFIXES:
        html, encoding = decode_page(data, name=name)
        limits.check_page(html, name)
        return formats.html_page(html, encoding=encoding)
    text, encoding = decode_bytes(data, name=name)
    if suffix in formats.MARKDOWN_SUFFIXES:
        return formats.markdown_visible(split_lines(text), encoding)
    return formats.plain(split_lines(text), encoding, "text")


EXTRACT_VERSION = "22"  # bump when visible lines or the main-text decision change
# Kinds whose visible lines are worth keeping: read by add, then again by the build.
_CACHED_KINDS = {"html", "mhtml", "warc", "markdown"}
# Kinds with one visible line per line of the file: ``file:line`` is followed in the file.
OWN_LINE_KINDS = {"text", "markdown"}


def is_cached(name: str) -> bool:
    """Whether :func:`read_raw` keeps the visible lines of a file of this name (its kind
    is one of ``_CACHED_KINDS``, told by the suffix as :func:`_visible` tells it)."""
    from .ingest import formats

    suffix = formats.suffix_of(name)
    return suffix in (
        {".warc.gz"}
        | formats.MARKDOWN_SUFFIXES
        | formats.HTML_SUFFIXES
        | formats.MHTML_SUFFIXES
        | formats.WARC_SUFFIXES
    )


def _cache_file(cache_dir: Path, digest: str, suffix: str) -> Path:
    return Path(cache_dir) / f"{digest[:32]}-{suffix.strip('.')}-v{EXTRACT_VERSION}.json.gz"


def _cached(cache_dir: Path | None, digest: str, suffix: str):
    import gzip
    import json

    from .ingest.formats import Page, Visible

    if cache_dir is None:
        return None
    path = _cache_file(cache_dir, digest, suffix)
    try:
        raw = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError, EOFError):
        return None
    raw["pages"] = [Page(**p) for p in raw["pages"]]
    return Visible(**raw)


def _store(cache_dir: Path, digest: str, suffix: str, visible) -> None:
    import gzip
    import json

    from .io import write_atomic

    path = _cache_file(cache_dir, digest, suffix)
    if path.is_file():
        return
    # Shallow: every field is a string, a number or a flat list or dict (asdict would
    # deep-copy every line, a third of the time of writing the cache).
    plain = {**vars(visible), "pages": [vars(p) for p in visible.pages]}
    blob = gzip.compress(
        json.dumps(plain, ensure_ascii=False, sort_keys=True).encode(),
        compresslevel=1,
        mtime=0,
    )
    write_atomic(path, lambda tmp: tmp.write_bytes(blob))
