"""Read raw captures into decoded, numbered visible lines.

Bytes are decoded with BOM detection, strict UTF-8, then charset-normalizer
(GB18030/GBK, Big5, UTF-16 ...); each format is then turned into the lines a
reader sees (:mod:`.ingest.formats`). Lines are numbered 1-based; for formats
that are not plain text the numbers refer to the visible lines, which the
build writes out (``processed/extracted/``) so a reader can find each line.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError, Problem

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# charset-normalizer names Chinese legacy encodings variously; GB18030 is a
# superset of GB2312 and GBK, so decode all three with it.
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs"}


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


_CONTROL_BYTES = set(range(0, 9)) | set(range(14, 27)) | set(range(28, 32))


def _looks_binary(data: bytes) -> bool:
    """Control bytes a text never has, unless the text is UTF-16/32 without a BOM."""
    sample = data[:8192]
    odd = sum(b in _CONTROL_BYTES for b in sample)
    if odd <= len(sample) * 0.02:
        return False
    guess = _detect(data)
    return guess is None or not guess.startswith("utf_")


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return _ENCODING_ALIASES.get(best.encoding, best.encoding)


def _common_han_share(text: str) -> float:
    """Share of Han characters that are among the most common ones (GB2312 level 1 or
    Big5 level 1). A wrong legacy decoding yields mostly rare characters."""
    han = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return 0.0
    common = 0
    for ch in han:
        try:
            if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
                common += 1
                continue
        except UnicodeEncodeError:
            pass
        try:
            if 0xA440 <= int.from_bytes(ch.encode("big5"), "big") <= 0xC67E:
                common += 1
        except UnicodeEncodeError:
            pass
    return common / len(han)


def _best_legacy_decoding(data: bytes) -> tuple[str, str] | None:
    """Try the detector's guess and the Chinese legacy encodings; keep the most Chinese-like."""
    candidates = [c for c in ("gb18030", "big5hkscs", _detect(data), "utf-16") if c]
    best: tuple[float, str, str] | None = None
    for encoding in dict.fromkeys(candidates):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text) / max(1, len(text))
        score = printable + _common_han_share(text)
        if best is None or score > best[0] + 1e-9:
            best = (score, text, encoding)
    return None if best is None else (best[1], best[2])


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """A file whose lines are mostly UTF-8 but some are in a legacy encoding (pasted
    from another page): decode line by line. None when it is not such a file."""
    raw_lines = data.split(b"\n")
    bad = []
    for i, line in enumerate(raw_lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i)
    if not bad or len(bad) > len(raw_lines) / 2:
        return None
    legacy = _best_legacy_decoding(b"\n".join(raw_lines[i] for i in bad))
    if legacy is None:
        return None
    encoding = legacy[1]
    lines = [
        line.decode(encoding, errors="replace") if i in set(bad) else line.decode("utf-8")
        for i, line in enumerate(raw_lines)
    ]
    return "\n".join(lines), f"utf-8+{encoding}"


def decode_bytes(data: bytes, *, name: str = "<bytes>") -> tuple[str, str]:
    """Decode raw bytes to text, returning ``(text, encoding)``.

    Raises
    ------
    CorpusError
        When the bytes are binary or no encoding decodes them.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue  # FF FE 00 00 is also UTF-16's BOM before a NUL: try the next
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise CorpusError(
            Problem(
                name,
                "",
                "looks like a binary file, not text",
                "remove it from data/raw or convert it to .txt, .html or .pdf with a text layer",
            )
        )
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    decoded = _best_legacy_decoding(data)
    if decoded is None:
        raise CorpusError(
            Problem(
                name,
                "",
                "no text encoding decodes this file",
                "save it as UTF-8 text and add it again",
            )
        )
    return decoded


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
    from .ingest import formats

    name = display_name or path.name
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
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise CorpusError(
            Problem(name, "", "the file is empty", "replace it with the real capture")
        )
    visible = _cached(cache_dir, digest, suffix)
    if visible is None:
        visible = _visible(data, suffix, name)
        if visible.kind != "text":  # plain text is inferred on demand (formats.page_inferred)
            formats.add_inferred(visible)
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
    )


def _visible(data: bytes, suffix: str, name: str):
    from .ingest import formats

    if suffix in formats.PDF_SUFFIXES:
        return formats.plain(split_lines(pdf_to_text(data, name=name)), "pdf", "pdf")
    if suffix in formats.DOCX_SUFFIXES:
        return formats.plain(formats.docx_lines(data, name=name), "docx", "docx")
    if suffix in formats.WARC_SUFFIXES or suffix == ".warc.gz":
        return formats.warc_pages(data, name=name)
    if suffix in formats.MHTML_SUFFIXES:
        return formats.mhtml_page(data, name=name)
    text, encoding = decode_bytes(data, name=name)
    if suffix in formats.HTML_SUFFIXES:
        return formats.html_page(text, encoding=encoding)
    if suffix in formats.MARKDOWN_SUFFIXES:
        return formats.markdown_visible(split_lines(text), encoding)
    return formats.plain(split_lines(text), encoding, "text")


EXTRACT_VERSION = "13"  # bump when visible lines or the main-text decision change
_CACHED_KINDS = {"html", "mhtml", "warc"}


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
    from dataclasses import asdict

    from .io import write_atomic

    path = _cache_file(cache_dir, digest, suffix)
    if path.is_file():
        return
    blob = gzip.compress(
        json.dumps(asdict(visible), ensure_ascii=False, sort_keys=True).encode(), mtime=0
    )
    write_atomic(path, lambda tmp: tmp.write_bytes(blob))
