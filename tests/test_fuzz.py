"""Fuzzing the input side with Hypothesis: random bytes, encodings, line structures, CSV
cells and file names through the readers, the metadata readers, ``add`` and ``build``.

Properties: no exception but :class:`CorpusError` (which the command line prints as a
message), nothing written into ``raw/`` except by a successful ``add``, and the ledger
invariant on every build. ``make test`` runs a bounded number of examples;
``make fuzz`` runs many more (``FUZZ_EXAMPLES``, default 2,000 per property).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

from conftest import CAPTURES_HEADER, WORKS_HEADER, assert_ledger_invariant, make_data_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberdiscourse.corpus import build_corpus
from cyberdiscourse.curate import add_capture
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.language import split_languages
from cyberdiscourse.metadata import read_captures, read_works
from cyberdiscourse.readers import decode_bytes, read_raw

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,  # the same examples on every run of make test
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Text a capture may hold: Chinese, English, digits, punctuation, controls, invisibles,
# private-use glyphs, line separators, and (in raw bytes) lone surrogates.
PIECE = st.sampled_from(
    list("网络主权空间命运共同体数据安全治理和平开放合作有序。，、；：“”《》（）")
    + list("Cyber sovereignty is the natural extension 2016年11月7日 .,;:!?()[]'\"-")
    + ["\t", " ", "\u3000", "\x00", "\x07", "\x1b", "\x0c", "\u200b", "\ufeff", "\ue004"]
    + ["\u2028", "\u2029", "\r", "\n", "\ufffd", "©", "|", ">", "首页", "ICP备"]
)
LINE = st.lists(PIECE, max_size=60).map("".join)
LONG_LINE = st.builds(
    lambda s, n: s * n, st.lists(PIECE, min_size=1, max_size=30).map("".join), st.integers(1, 3000)
)
ENCODINGS = st.sampled_from(
    ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "utf-16-le", "utf-32"]
)
SUFFIXES = st.sampled_from([".txt", ".html", ".htm", ".md", ".pdf", ".xhtml"])


def lines_to_bytes(lines: list[str], encoding: str, newline: str) -> bytes:
    text = newline.join(lines)
    return text.encode(encoding, errors="replace")


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@given(data=st.binary(max_size=4096), suffix=SUFFIXES)
def test_any_bytes_read_or_a_named_error(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"capture{suffix}"
        path.write_bytes(data)
        try:
            raw = read_raw(path)
        except CorpusError as exc:
            assert all(p.file == path.name and p.hint for p in exc.problems)
            return
        assert all(isinstance(line, str) and "\n" not in line for line in raw.lines)


@given(lines=st.lists(LINE, max_size=30), encoding=ENCODINGS, bom=st.booleans())
def test_any_encoding_and_bom_decode_or_a_named_error(lines, encoding, bom):
    data = lines_to_bytes(lines, encoding, "\n")
    if bom and encoding == "utf-8":
        data = codecs.BOM_UTF8 + data
    try:
        text, used = decode_bytes(data, name="x.txt")
    except CorpusError as exc:
        assert exc.problems[0].file == "x.txt"
        return
    assert isinstance(text, str) and used


@given(text=st.one_of(LINE, LONG_LINE))
def test_split_languages_keeps_every_letter_in_order(text):
    parts = split_languages(text)
    joined = "".join(p.text for p in parts)
    letters = [ch for ch in text if ch.isalnum()]
    assert [ch for ch in joined if ch.isalnum()] == letters
    assert all(p.lang in ("zh", "en") and p.text == p.text.strip() for p in parts)


CELL = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=20)


@given(
    cells=st.lists(st.lists(CELL, min_size=0, max_size=11), max_size=8),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_metadata_readers_never_raise(cells, sep):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep)
    for row in cells:
        writer.writerow(row)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        (raw / "works.csv").write_text(WORKS_HEADER + buf.getvalue(), encoding="utf-8")
        (raw / "captures.csv").write_text(CAPTURES_HEADER + buf.getvalue(), encoding="utf-8")
        problems: list = []
        works = read_works(raw, problems)
        read_captures(raw, works, problems)
        assert all(p.file in ("works.csv", "captures.csv") for p in problems)


@settings(max_examples=max(10, settings().max_examples // 4))
@given(
    lines=st.lists(st.one_of(LINE, LONG_LINE), min_size=1, max_size=25),
    encoding=ENCODINGS,
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    title=st.lists(PIECE, min_size=1, max_size=8).map("".join),
)
def test_any_capture_builds_or_fails_with_a_message_and_keeps_the_ledger(
    lines, encoding, newline, title
):
    data = lines_to_bytes(lines, encoding, newline)
    with tempfile.TemporaryDirectory() as tmp:
        title_cell = '"' + title.replace('"', '""') + '"'
        d = make_data_dir(
            Path(tmp),
            {"a.txt": data, "b.txt": "网络主权是国家主权在网络空间的延伸。\n".encode()},
            f"wa,{title_cell},,2020,,,true,,\nwb,乙,,2021,,,true,,\n",
            "a.txt,wa,,,\nb.txt,wb,,,\n",
        )
        before = _digest(d / "raw")
        try:
            corpus = build_corpus(d)
        except CorpusError as exc:
            assert all(p.file and p.message for p in exc.problems)
        else:
            assert_ledger_invariant(corpus)
        assert _digest(d / "raw") == before


FILE_NAME = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="/\x00"),
    min_size=1,
    max_size=24,
)


@settings(max_examples=max(10, settings().max_examples // 4))
@given(name=FILE_NAME, title=st.text(min_size=0, max_size=12), date=st.text(max_size=12))
def test_add_takes_any_name_and_title_or_refuses_without_writing(name, title, date):
    with tempfile.TemporaryDirectory() as tmp:
        d = make_data_dir(
            Path(tmp),
            {"b.txt": "网络主权是国家主权在网络空间的延伸。\n".encode()},
            "wb,乙,,2021,,,true,,\n",
            "b.txt,wb,,,\n",
        )
        source_dir = Path(tmp) / "in"
        source_dir.mkdir()
        try:
            src = source_dir / (name + ".txt")
            src.write_text("尊重网络空间主权，维护和平安全。\n", encoding="utf-8")
        except (OSError, ValueError):  # a name this file system refuses: nothing to add
            return
        before = _digest(d / "raw")
        try:
            add_capture(d, src, title=title, date=date)
        except CorpusError:
            assert _digest(d / "raw") == before
            return
        added = set(_digest(d / "raw")) - set(before)
        assert len(added) == 1
        (stored,) = added
        assert not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in stored)
        corpus = build_corpus(d)  # whatever was accepted builds
        assert_ledger_invariant(corpus)
        shutil.rmtree(d)


# ---------------------------------------------------------------- formats, built not random
# Strategies that build the formats themselves (HTML trees, Markdown with front matter,
# Word files, web archives, saved pages), so the examples reach past the first check of
# each reader: a tree nested past libxml2's depth, a record cut short, a charset no codec
# knows. Properties: the reader returns lines or one named error; text that a reader
# must keep is kept.

HAN = st.text(
    alphabet="网络主权空间命运共同体数据安全治理和平开放合作有序国家", min_size=2, max_size=12
)
BLOCKS = ["div", "p", "section", "li", "td", "h2", "blockquote"]
INLINES = ["span", "b", "i", "a", "em", "font", "strong"]


def _element(tag: str, children: list[str], closed: bool) -> str:
    return f"<{tag}>" + "".join(children) + (f"</{tag}>" if closed else "")


HTML_TREE = st.recursive(
    HAN,
    lambda inner: st.builds(
        _element,
        st.sampled_from(BLOCKS + INLINES),
        st.lists(inner, min_size=1, max_size=4),
        st.booleans(),
    ),
    max_leaves=30,
)


@given(
    tree=HTML_TREE,
    depth=st.sampled_from([0, 3, 150, 300, 2_000]),
    wrapper=st.sampled_from(BLOCKS + INLINES),
)
def test_an_html_tree_of_any_depth_keeps_every_piece_of_its_text(tree, depth, wrapper):
    """Whatever the nesting, closed or not, every run of text is in the visible lines."""
    import re

    body = f"<{wrapper}>" * depth + tree + f"</{wrapper}>" * depth
    html = f"<html><head><title>页</title></head><body>{body}<p>结尾。</p></body></html>"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(html, encoding="utf-8")
        raw = read_raw(path)
    seen = "".join(raw.lines).replace(" ", "")
    for piece in re.findall(r"[^<>]+", re.sub(r"<[^>]*>", "<>", tree)):
        assert piece in seen
    assert raw.lines[-1] == "结尾。"


YAML_LINE = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(["title", "date", "url", "tags"]), HAN),
    st.sampled_from(
        ["- a", "key: [unclosed", "  nested: {a: 1}", "!!python/object:x {}", "&a [*a]"]
    ),
)
MD_LINE = st.one_of(
    HAN,
    HAN.map(lambda t: f"# {t}"),
    HAN.map(lambda t: f"- {t}"),
    st.builds(
        lambda t, u: f"[{t}]({u})", HAN, st.sampled_from(["/", "https://x.cn/a(b).html", "("])
    ),
    st.builds(lambda t: f"![{t}](i.png)", HAN),
    st.sampled_from(
        ["```", "<!-- 注释", "-->", "| a | b |", "|---|---|", "[" * 300, "![](" * 100, ""]
    ),
)


@given(
    front=st.one_of(st.none(), st.lists(YAML_LINE, max_size=6)),
    body=st.lists(MD_LINE, min_size=1, max_size=30),
)
def test_markdown_with_any_front_matter_has_one_visible_line_per_line(front, body):
    lines = (["---", *front, "---"] if front is not None else []) + body
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        try:
            raw = read_raw(path)
        except CorpusError as exc:  # empty after all: a named error
            assert exc.problems[0].file == "page.md"
            return
    from cyberdiscourse.readers import split_lines

    file_lines = split_lines("\n".join(lines))  # a last empty line is the file's end
    assert len(raw.lines) == len(file_lines)
    for i, line in enumerate(file_lines):
        if front is None and line and all("\u4e00" <= ch <= "\u9fff" for ch in line):
            assert raw.lines[i] == line  # a plain line is its own text


@settings(max_examples=max(10, settings().max_examples // 4))
@given(
    paragraphs=st.lists(HAN, min_size=1, max_size=8),
    cells=st.lists(HAN, min_size=1, max_size=3),
    flip=st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.integers(1, 255))),
)
def test_a_word_file_reads_its_text_or_names_its_damage(paragraphs, cells, flip):
    from test_ingest import docx_bytes

    data = bytearray(docx_bytes(paragraphs, [cells]))
    if flip is not None:
        at, xor = flip
        data[at % len(data)] ^= xor
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "note.docx"
        path.write_bytes(bytes(data))
        try:
            raw = read_raw(path)
        except CorpusError as exc:
            assert exc.problems[0].file == "note.docx" and exc.problems[0].hint
            assert flip is not None  # an undamaged file is always read
            return
    if flip is None:
        assert raw.lines == [*paragraphs, " ".join(cells)]


CHARSETS = st.sampled_from(["utf-8", "gbk", "undefined", "idna", "x-unknown", "utf-16", ""])


@settings(max_examples=max(10, settings().max_examples // 4))
@given(
    pages=st.lists(
        st.tuples(HTML_TREE, CHARSETS, st.sampled_from(["200", "404"])), min_size=1, max_size=4
    ),
    cut=st.one_of(st.none(), st.integers(1, 4000)),
)
def test_a_web_archive_reads_its_pages_or_names_its_damage(pages, cut):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for i, (tree, charset, status) in enumerate(pages):
        content_type = "text/html" + (f"; charset={charset}" if charset else "")
        headers = StatusAndHeaders(
            f"{status} X", [("Content-Type", content_type)], protocol="HTTP/1.1"
        )
        payload = f"<html><body><p>{tree}</p></body></html>".encode()
        writer.write_record(
            writer.create_warc_record(
                f"https://x.cn/{i}.htm",
                "response",
                payload=io.BytesIO(payload),
                http_headers=headers,
            )
        )
    data = buf.getvalue()
    if cut is not None:
        data = data[: max(1, len(data) - cut)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crawl.warc.gz"
        path.write_bytes(data)
        try:
            raw = read_raw(path)
        except CorpusError as exc:
            assert exc.problems[0].file == "crawl.warc.gz" and exc.problems[0].hint
            return
    assert 1 <= len(raw.pages) <= sum(status == "200" for _, _, status in pages)
    assert all(p.url.startswith("https://x.cn/") for p in raw.pages)


@settings(max_examples=max(10, settings().max_examples // 4))
@given(
    tree=HTML_TREE,
    charset=CHARSETS,
    encoding=st.sampled_from(["quoted-printable", "base64", "8bit"]),
    nesting=st.integers(0, 40),
    date=st.sampled_from(
        ["Tue, 5 Mar 2024 10:30:00 +0800", "Tue, 5 Mar 99999 10:30:00 +0800", "x"]
    ),
    boundary_broken=st.booleans(),
)
def test_a_saved_page_reads_or_names_its_damage(
    tree, charset, encoding, nesting, date, boundary_broken
):
    import base64
    import quopri

    html = f"<html><body><p>{tree}</p></body></html>".encode()
    body = {
        "quoted-printable": lambda b: quopri.encodestring(b).decode("ascii"),
        "base64": lambda b: base64.encodebytes(b).decode("ascii"),
        "8bit": lambda b: b.decode("utf-8"),
    }[encoding](html)
    part = (
        f"Content-Type: text/html{'; charset=' + charset if charset else ''}\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n{body}\r\n"
    )
    for level in range(nesting):  # multiparts inside multiparts
        part = (
            f'Content-Type: multipart/related; boundary="N{level}"\r\n\r\n'
            f"--N{level}\r\n{part}--N{level}--\r\n"
        )
    closing = "--B-\r\n" if boundary_broken else "--B--\r\n"
    mhtml = (
        f"MIME-Version: 1.0\r\nDate: {date}\r\n"
        f'Content-Type: multipart/related; type="text/html"; boundary="B"\r\n\r\n'
        f"--B\r\n{part}{closing}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "saved.mhtml"
        path.write_text(mhtml, encoding="utf-8")
        try:
            raw = read_raw(path)
        except CorpusError as exc:
            assert exc.problems[0].file == "saved.mhtml" and exc.problems[0].hint
            return
    assert raw.kind == "mhtml" and raw.pages
