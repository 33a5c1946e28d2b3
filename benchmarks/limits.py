"""Hostile captures at their real size, each added to a new data folder by the command line.

Every case is made here (bombs, huge and deep pages, Markdown of brackets, an
archive of 20,000 pages), then ``cyberdiscourse add FILE`` runs in a process of
its own while the process tree's peak memory is watched. Printed per case: what
``add`` did (refused, with its message, or read), wall time, peak RSS, and whether
it kept within 30 s and 1 GiB. The limits are those of
:mod:`cyberdiscourse.ingest.limits`; ``tests/test_limits.py`` checks each with
smaller files.

Usage::

    python benchmarks/limits.py [--only TEXT ...] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from corpora import run

MiB = 2**20
ARTICLE = "各国应尊重网络主权，推动构建网络空间命运共同体，共同维护网络空间和平、安全、开放、合作。"
TARGET_SECONDS, TARGET_GIB = 30, 1.0


def page(body: str) -> str:
    return f"<html><head><title>页面</title></head><body><p>{ARTICLE}</p>{body}</body></html>"


def zeros_stream(n_bytes: int):
    """A file object of ``n_bytes`` zeros, read in MiB chunks (never held whole)."""

    class Zeros(io.RawIOBase):
        left = n_bytes

        def readinto(self, buf) -> int:
            n = min(len(buf), self.left)
            buf[:n] = bytes(n)
            self.left -= n
            return n

        def readable(self) -> bool:
            return True

    return io.BufferedReader(Zeros(), MiB)


def zip_bomb(member_name: str, fill: bytes, n_mib: int) -> Callable[[Path], None]:
    """A zip of one member that inflates to ``n_mib`` MiB of ``fill`` (some 1 MB stored)."""

    def make(path: Path) -> None:
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
            z.open(member_name, "w", force_zip64=True) as member,
        ):
            chunk = fill * MiB
            for _ in range(n_mib):
                member.write(chunk)

    return make


def sparse(path: Path) -> None:
    with path.open("wb") as f:  # no disk space taken
        f.truncate(600 * MiB)


def warc_records(records, *, gz: bool = True) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for url, content_type, payload, length in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=payload, length=length, http_headers=headers
        )
        writer.write_record(record)
    return buf.getvalue()


def warc_gz_bomb(path: Path) -> None:
    """Some 4 MB of .warc.gz: one page, then an 'image' of 4 GiB of zeros."""
    html = page("").encode()
    records = [
        ("https://example.cn/a.htm", "text/html", io.BytesIO(html), len(html)),
        ("https://example.cn/z.png", "image/png", zeros_stream(4096 * MiB), 4096 * MiB),
    ]
    path.write_bytes(warc_records(records))


def warc_of(n_pages: int) -> Callable[[Path], None]:
    """A web archive of ``n_pages`` different pages of twenty paragraphs and a menu."""
    menu = "<ul>" + "<li><a href='/x'>栏目</a></li>" * 30 + "</ul>"

    def make(path: Path) -> None:
        records = []
        for k in range(n_pages):
            body = "".join(f"<p>{ARTICLE}（第{k}页第{i}段）</p>" for i in range(20))
            html = page(body + menu).encode()
            url = f"https://example.cn/{k}.htm"
            records.append((url, "text/html", io.BytesIO(html), len(html)))
        path.write_bytes(warc_records(records))

    return make


def mhtml_base64(path: Path) -> None:
    """A saved page with a 200 MB base64 image part."""
    with path.open("w", encoding="ascii") as f:
        f.write(
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/related; type="text/html"; boundary="B"\r\n\r\n'
            "--B\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>page</p>\r\n"
            "--B\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        )
        line = "A" * 76 + "\r\n"
        for _ in range(200 * MiB // 78):
            f.write(line)
        f.write("--B--\r\n")


def write_text(text_of: Callable[[], str]) -> Callable[[Path], None]:
    return lambda path: path.write_text(text_of(), encoding="utf-8")


CASES: dict[str, tuple[str, Callable[[Path], None], str]] = {
    # name: (file name, maker, what add should say: a phrase of the refusal, or "" to read it)
    "docx bomb (1.5 GiB inflated)": (
        "bomb.docx",
        zip_bomb("word/document.xml", b" ", 1536),
        "zip bomb",
    ),
    "wacz bomb (1 GiB inflated)": (
        "bomb.wacz",
        zip_bomb("archive/data.warc", b"\0", 1024),
        "zip bomb",
    ),
    "warc.gz bomb (4 GiB record)": ("bomb.warc.gz", warc_gz_bomb, "inflate to more than"),
    "warc of 20,000 pages": ("crawl.warc.gz", warc_of(20_000), "HTML pages, the limit"),
    "warc of 1,000 pages": ("crawl1k.warc.gz", warc_of(1_000), ""),
    "mhtml with a 200 MB base64 part": ("saved.mhtml", mhtml_base64, "for a saved page"),
    "html page of 100 MB": (
        "big.html",
        write_text(lambda: page(f"<p>{ARTICLE}</p>" * 800_000)),
        "characters of HTML",
    ),
    "html page of a million spans": (
        "spans.html",
        write_text(lambda: page("<span>字</span>" * 1_000_000)),
        "elements, over the limit",
    ),
    "html page of 199,000 spans": (
        "spans199k.html",
        write_text(lambda: page("<span>字</span>" * 199_000)),
        "",
    ),
    "html of 100,000 unclosed inline elements": (
        "unclosed.html",
        write_text(lambda: page("<b>字" * 100_000)),
        "",
    ),
    "html nested 100,000 deep": (
        "deep.html",
        write_text(lambda: page("<div>" * 100_000 + f"<p>{ARTICLE}</p>" + "</div>" * 100_000)),
        "",
    ),
    "markdown line of 200,000 [": (
        "brackets.md",
        write_text(lambda: f"# 标题\n\n{'[' * 200_000}\n\n{ARTICLE}\n"),
        "",
    ),
    "markdown of 100,000 ![](": (
        "images.md",
        write_text(lambda: f"# 标题\n\n{'![](' * 100_000}\n\n{ARTICLE}\n"),
        "",
    ),
    "text file of 600 MiB (sparse)": (
        "huge.txt",
        sparse,
        "for one capture",
    ),
}


def run_case(name: str, work: Path) -> tuple[bool, str]:
    file_name, make, expected = CASES[name]
    folder = work / name.replace(" ", "_").replace("/", "_")
    folder.mkdir(parents=True)
    path = folder / file_name
    make(path)
    size = path.stat().st_size
    result = run(["add", str(path), "--data-dir", str(folder / "data")])
    said = " ".join(result["tail"])
    refused = result["rc"] != 0
    outcome_ok = (expected in said and refused) if expected else "Traceback" not in said
    within = result["seconds"] <= TARGET_SECONDS and result["peak_gib"] <= TARGET_GIB
    outcome = "refused" if refused else "read"
    line = (
        f"{name:<42} {size / MiB:>8.1f} MiB  {outcome:<7} {result['seconds']:>6.1f} s  "
        f"{result['peak_gib'] * 1024:>6.0f} MiB  "
        f"{'ok' if outcome_ok and within else 'NOT OK'}"
    )
    if not outcome_ok or refused:
        line += "\n    " + said[-300:]
    return outcome_ok and within, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", action="append", help="cases whose name holds this text (repeatable)"
    )
    parser.add_argument("--keep", help="make the cases here and keep them")
    args = parser.parse_args()
    names = [n for n in CASES if not args.only or any(part in n for part in args.only)]
    print(f"{'case':<42} {'file':>12}  outcome    wall     peak  (targets: 30 s, 1 GiB)")
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        for name in names:
            ok, line = run_case(name, work)
            failed += not ok
            print(line, flush=True)
    print(f"{len(names) - failed} of {len(names)} case(s) within the targets")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
