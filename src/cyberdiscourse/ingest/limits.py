"""What one capture may cost to read: limits as browsers and archive tools have them.

A broken or hostile file (a zip that inflates a thousandfold, a page of a million
elements, a web archive of twenty thousand pages) is refused with one line that names
the file, the limit and what to do, before it takes the machine's memory or an hour;
the other captures are not affected. Every limit sits far above the real captures of
``shared/corpora``: the largest HTML page there is 0.8 MB with 3,226 elements.
``make bench-limits`` shows each case refused or read within 30 s and 1 GiB.
"""

from __future__ import annotations

import re
import zipfile

from ..errors import CorpusError, Problem

MiB = 2**20
MAX_CAPTURE_BYTES = 512 * MiB  # one capture file as stored
MAX_INFLATED_BYTES = 256 * MiB  # what one capture's compressed parts inflate to, together
MAX_INFLATE_RATIO = 200  # per zip member: text compresses some 5-20 times, a bomb 1,000s
MAX_PAGE_CHARS = 32_000_000  # one HTML page, decoded (the largest real page: 0.3 million)
MAX_PAGE_BYTES = 128 * MiB  # one page's bytes in an archive, before decoding
MAX_ELEMENTS = 200_000  # tags in one HTML page
MAX_PAGES = 2_000  # HTML pages in one web archive (1,000 small ones read in 15 s)
MAX_MHTML_BYTES = 64 * MiB  # one saved page with its images, base64-encoded
MAX_MIME_PARTS = 2_000  # parts of one MHTML file (a page's images, styles, frames)

_ELEMENT = re.compile(r"<[A-Za-z]")


def count_elements(html: str) -> int:
    """An upper bound of a page's elements: its start tags (a C-speed scan)."""
    return len(_ELEMENT.findall(html))


def refuse(name: str, what: str, advice: str) -> CorpusError:
    """The error for a capture over a limit: one line naming the file and the limit."""
    return CorpusError(Problem(name, "", what, advice))


def check_capture_size(name: str, size: int) -> None:
    """A capture file larger than :data:`MAX_CAPTURE_BYTES` is not read at all."""
    if size > MAX_CAPTURE_BYTES:
        raise refuse(
            name,
            f"the file is {size / MiB:,.0f} MiB, over the limit of "
            f"{MAX_CAPTURE_BYTES // MiB} MiB for one capture",
            "split it into smaller captures (one page, one document or one archive "
            "of some hundreds of pages each)",
        )


def check_zip(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a zip (a .docx, a .wacz) whose members would inflate past the limits.

    ``zipfile`` never returns more than a member's declared size, so the declared
    sizes bound what reading it can cost.
    """
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MiB and ratio > MAX_INFLATE_RATIO:
            raise refuse(
                name,
                f"its part {info.filename!r} inflates {ratio:,.0f} times "
                f"({info.compress_size:,} to {info.file_size:,} bytes), over the limit of "
                f"{MAX_INFLATE_RATIO} (a 'zip bomb')",
                "open it in the program that made it and save it again; if it is a "
                "real document, convert it to .txt",
            )
    if total > MAX_INFLATED_BYTES:
        raise refuse(
            name,
            f"its parts inflate to {total / MiB:,.0f} MiB, over the limit of "
            f"{MAX_INFLATED_BYTES // MiB} MiB",
            "split it into smaller files",
        )


class Inflated:
    """A running count of the bytes a capture's records inflate to (their declared
    lengths), refusing the capture once they pass :data:`MAX_INFLATED_BYTES`."""

    def __init__(self, name: str):
        self.name, self.total = name, 0

    def add(self, n_bytes: int) -> None:
        self.total += n_bytes
        if self.total > MAX_INFLATED_BYTES:
            raise refuse(
                self.name,
                f"its contents inflate to more than {MAX_INFLATED_BYTES // MiB} MiB "
                "(the limit for one capture)",
                "split the archive into smaller ones (warcio can extract records) or "
                "save the pages one by one",
            )


def read_bounded(stream, name: str) -> bytes:
    """Read a record's payload, at most one page's limit plus one byte; refuse more."""
    data = stream.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise refuse(
            name,
            f"a page in it is over {MAX_PAGE_BYTES // MiB} MiB, the limit for one page",
            "archive the page on its own, or leave it out of the archive",
        )
    return data


def check_page(html: str, name: str) -> None:
    """Refuse a page over :data:`MAX_PAGE_CHARS` or :data:`MAX_ELEMENTS`."""
    if len(html) > MAX_PAGE_CHARS:
        raise refuse(
            name,
            f"the page is {len(html) / 1e6:,.0f} million characters of HTML, over the limit "
            f"of {MAX_PAGE_CHARS / 1e6:,.0f} million for one page",
            "save the article alone (a browser's reader view or 'save as text')",
        )
    n = count_elements(html)
    if n > MAX_ELEMENTS:
        raise refuse(
            name,
            f"the page has {n:,} elements, over the limit of {MAX_ELEMENTS:,} for one page",
            "save the article alone (a browser's reader view or 'save as text')",
        )


def check_pages(n_pages: int, name: str) -> None:
    """Refuse a web archive past :data:`MAX_PAGES` HTML pages (checked as they come)."""
    if n_pages > MAX_PAGES:
        raise refuse(
            name,
            f"the archive holds more than {MAX_PAGES:,} HTML pages, the limit for one capture",
            "split it into archives of some hundreds of pages each "
            "(e.g. one per site or per day) and add those",
        )


_MIME_PART = re.compile(rb"^content-type:", re.I | re.M)


def check_mhtml(data: bytes, name: str) -> None:
    """Refuse an MHTML file over :data:`MAX_MHTML_BYTES` or :data:`MAX_MIME_PARTS` parts
    before the mail parser holds it (it keeps several copies of every part)."""
    if len(data) > MAX_MHTML_BYTES:
        raise refuse(
            name,
            f"the file is {len(data) / MiB:,.0f} MiB, over the limit of "
            f"{MAX_MHTML_BYTES // MiB} MiB for a saved page",
            "save the page again without its images and media (or as HTML only)",
        )
    n_parts = sum(1 for _ in _MIME_PART.finditer(data))
    if n_parts > MAX_MIME_PARTS:
        raise refuse(
            name,
            f"the file has {n_parts:,} MIME parts, over the limit of {MAX_MIME_PARTS:,} "
            "for a saved page",
            "save the page again from the browser",
        )
