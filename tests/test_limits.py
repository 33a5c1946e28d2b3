"""Limits on what one capture may cost: each hostile file is made here, on the fly.

A limit whose real size would take seconds to generate (256 MiB inflated, 5,000
pages) is lowered for the test with ``monkeypatch``; ``make bench-limits`` runs every
case at its real size and shows the time and memory each takes.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from test_ingest import ARTICLE, ARTICLE_HTML, SECOND, docx_bytes, page, warc_bytes

from cyberdiscourse.cli import main
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.ingest import formats, limits, maintext, visible
from cyberdiscourse.readers import read_raw


def refused(path) -> str:
    """The one problem reading ``path`` gives: its message (the file is named)."""
    with pytest.raises(CorpusError) as err:
        read_raw(path)
    (problem,) = err.value.problems
    assert problem.file == path.name and problem.hint
    return problem.message


def docx_with(document_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx_bytes([ARTICLE], [["网络主权", "数据安全"]])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = document_xml if item.filename == "word/document.xml" else source.read(item)
            out.writestr(item.filename, data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# ------------------------------------------------------------------ inflation


def test_a_docx_that_inflates_a_thousandfold_is_refused_naming_the_part(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_with(b" " * (20 * limits.MiB)))  # 20 MiB of spaces: ~20 KB stored
    assert path.stat().st_size < 100_000
    message = refused(path)
    assert "'word/document.xml' inflates" in message and "zip bomb" in message


def test_a_docx_of_ordinary_text_is_read_whatever_its_ratio(tmp_path):
    path = tmp_path / "note.docx"
    path.write_bytes(docx_bytes([ARTICLE] * 200, [["网络主权", "数据安全"]]))
    assert read_raw(path).lines[:2] == [ARTICLE, ARTICLE]


def test_a_wacz_whose_members_inflate_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_INFLATED_BYTES", limits.MiB)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:  # stored: a ratio of 1, only the total is over
        z.writestr("archive/a.warc", b"WARC/1.0\r\n" + b"x" * (2 * limits.MiB))
    path = tmp_path / "big.wacz"
    path.write_bytes(buf.getvalue())
    assert "parts inflate to 2 MiB, over the limit of 1 MiB" in refused(path)


def test_a_warc_whose_records_inflate_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_INFLATED_BYTES", limits.MiB)
    records = [
        ("https://www.cac.gov.cn/a.htm", "text/html; charset=utf-8", ARTICLE_HTML.encode()),
        ("https://www.cac.gov.cn/zeros.bin", "image/png", bytes(2 * limits.MiB)),
    ]
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(warc_bytes(records))
    assert path.stat().st_size < 50_000  # two megabytes of zeros gzip to a few KB
    assert "inflate to more than 1 MiB" in refused(path)


def test_a_warc_page_over_the_page_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PAGE_BYTES", 100_000)
    html = page("很长的页面", f"<p>{ARTICLE}</p>" * 2_000).encode()
    path = tmp_path / "long.warc.gz"
    path.write_bytes(warc_bytes([("https://www.cac.gov.cn/a.htm", "text/html", html)]))
    assert "a page in it is over" in refused(path)


def test_a_warc_past_the_page_limit_is_refused_before_its_pages_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PAGES", 3)
    read = []
    monkeypatch.setattr(formats, "html_page", lambda *a, **k: read.append(1))
    records = [
        (f"https://www.cac.gov.cn/{i}.htm", "text/html", ARTICLE_HTML.encode()) for i in range(5)
    ]
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc_bytes(records))
    assert "more than 3 HTML pages" in refused(path)
    assert read == []


# ------------------------------------------------------------------ size and elements


def test_a_capture_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:  # sparse: no disk space taken
        f.truncate(limits.MAX_CAPTURE_BYTES + 1)
    assert "over the limit of 512 MiB for one capture" in refused(path)


def test_an_html_page_over_the_element_limit_is_refused(tmp_path):
    path = tmp_path / "spans.html"
    body = "<span>x</span>" * (limits.MAX_ELEMENTS + 1)
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    assert "elements, over the limit of 200,000 for one page" in refused(path)


def test_an_html_page_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PAGE_CHARS", 1_000_000)
    path = tmp_path / "long.html"
    path.write_text(page("很长的页面", f"<p>{ARTICLE}</p>" * 16_000), encoding="utf-8")
    assert "million characters of HTML, over the limit of 1 million" in refused(path)


def mhtml(html: str, *, extra_parts: int = 0) -> str:
    part = "--B\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
    return (
        "From: <Saved by Blink>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; type="text/html"; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"{html}\r\n" + part * extra_parts + "--B--\r\n"
    )


def test_mhtml_over_its_part_limit_is_refused_and_under_it_is_read(tmp_path):
    path = tmp_path / "saved.mhtml"
    path.write_text(mhtml(ARTICLE_HTML, extra_parts=limits.MAX_MIME_PARTS), encoding="utf-8")
    assert "MIME parts, over the limit of 2,000" in refused(path)
    path.write_text(mhtml(ARTICLE_HTML, extra_parts=50), encoding="utf-8")
    assert ARTICLE in read_raw(path).lines


def test_mhtml_over_its_size_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_MHTML_BYTES", limits.MiB)
    parsed = []
    monkeypatch.setattr("email.message_from_bytes", lambda *a, **k: parsed.append(1))
    path = tmp_path / "saved.mhtml"
    path.write_text(mhtml(ARTICLE_HTML + " " * (2 * limits.MiB)), encoding="utf-8")
    assert "over the limit of 1 MiB for a saved page" in refused(path)
    assert parsed == []


# ------------------------------------------------------------------ deep and broken markup


@pytest.mark.parametrize("depth", [300, 5_000, 60_000])
def test_a_page_nested_past_libxml2s_depth_keeps_all_its_text(tmp_path, depth):
    deep = "<div>" * depth + f"<p>{ARTICLE}</p><p>{SECOND}</p>" + "</div>" * depth
    path = tmp_path / "deep.html"
    path.write_text(page("很深的页面", f"<p>开头。</p>{deep}<p>结尾。</p>"), encoding="utf-8")
    lines = read_raw(path).lines
    # Every paragraph on a line of its own, the ones after the deep part too.
    assert [x for x in lines if x in ("开头。", ARTICLE, SECOND, "结尾。")] == [
        "开头。",
        ARTICLE,
        SECOND,
        "结尾。",
    ]


@pytest.mark.parametrize("depth", [5, 130, 300, 5_000])
def test_the_paragraphs_of_a_deep_page_stay_main_text(tmp_path, capsys, depth):
    deep = "<div>" * depth + f"<p>{ARTICLE}</p><p>{SECOND}</p>" + "</div>" * depth
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "deep.html").write_text(
        page("很深的页面", f"<p>{SECOND}开头。</p>{deep}<p>{SECOND}结尾。</p>"), encoding="utf-8"
    )
    data = tmp_path / "data"
    assert main(["add", str(folder), "--data-dir", str(data)]) == 0
    assert main(["build", "--data-dir", str(data)]) == 0
    import pandas as pd

    from cyberdiscourse.normalise import normalise_line

    kept = pd.read_parquet(data / "processed" / "paragraphs")["text"].tolist()
    ledger = pd.read_parquet(data / "processed" / "discarded.parquet")
    # The deep part is main text at any depth; the lines around it are kept or, where
    # an extractor's block ends at the deep part, in the ledger with its verdict.
    assert normalise_line(ARTICLE) in kept and normalise_line(SECOND) in kept
    for edge in (f"{SECOND}开头。", f"{SECOND}结尾。"):
        if normalise_line(edge) not in kept:
            (row,) = ledger[ledger["text"] == edge].itertuples()
            assert row.reason == "not_main_text" and "trafilatura: yes" in row.detail


def test_paragraphs_past_the_depth_limit_keep_their_element():
    deep = "<div>" * 4 + "<p>甲</p><li>乙</li>" + "</div>" * 4
    flat = visible._flatten_deep(f"<body>{deep}</body>", 2)
    assert flat == "<body><div><br><p>甲</p><li>乙</li><br></div></body>"


def test_unclosed_inline_elements_keep_their_text():
    html = f"<html><body><p>开头。</p>{'<b>字' * 16_000}</body></html>"
    lines = formats.html_page(html, encoding="utf-8").lines
    assert lines == ["开头。", "字" * 16_000]


def test_a_shallow_page_is_left_as_lexbor_wrote_it():
    html = ARTICLE_HTML
    from selectolax.lexbor import LexborHTMLParser

    assert visible.repair_html(html) == LexborHTMLParser(html).html


def test_unwrapping_keeps_text_and_turns_block_edges_into_one_break():
    deep = "<div>" * 3 + "甲<span>乙</span>" + "<div>丙</div>" + "</div>" * 3
    flat = visible._flatten_deep(f"<body>{deep}</body>", 2)
    assert flat == "<body><div><br>甲乙<br>丙<br></div></body>"


def test_gne_abstains_past_its_element_limit():
    many = page("很多元素", "<span>字</span>" * maintext.GNE_MAX_ELEMENTS + f"<p>{ARTICLE}</p>")
    assert maintext.run_gne(many) == ""
    assert ARTICLE in maintext.run_gne(ARTICLE_HTML)


# ------------------------------------------------------------------ Markdown


@pytest.mark.parametrize(
    "line",
    ["[" * 50_000, "![](" * 25_000, "[a](" * 25_000],
    ids=["brackets", "empty images", "open links"],
)
def test_markdown_lines_of_unclosed_links_are_kept_as_text(line):
    visible_ = formats.markdown_visible(["# 标题", "", line, ARTICLE], "utf-8")
    assert visible_.given[2] is None and visible_.lines[3] == ARTICLE
    assert len(visible_.lines[2]) >= len(line) // 4


@pytest.mark.parametrize(
    ("line", "given", "text"),
    [
        ("![图](a.png)", "image", None),
        ("[首页](/) | [要闻](/news)", "link_only", "首页 | 要闻"),
        ("见[附件[1]](a.pdf)。", None, "见附件[1]。"),
        ("[链接](https://x.cn/a(b).html)", "link_only", "链接"),  # CommonMark's parentheses
        ("[链接](https://x.cn/a(b)", None, None),
    ],
)
def test_links_and_images_are_told_apart_from_text(line, given, text):
    kind, _, out = formats._markdown_line(line)
    assert kind == given
    if text is not None:
        assert out == text


# ------------------------------------------------------------------ add


def test_add_refuses_a_bomb_in_one_line_and_adds_the_rest(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bomb.docx").write_bytes(docx_with(b" " * (20 * limits.MiB)))
    (folder / "note.txt").write_text(f"{ARTICLE}\n{SECOND}\n", encoding="utf-8")
    data = tmp_path / "data"
    code = main(["add", str(folder), "--data-dir", str(data)])
    text = "".join(capsys.readouterr())
    assert code == 1 and "Traceback" not in text
    assert text.count("bomb.docx") >= 1 and "zip bomb" in text
    assert sorted(p.name for p in (data / "raw").rglob("*.*") if p.suffix != ".csv") == ["note.txt"]


# ------------------------------------------------------------------ build


def test_a_capture_past_a_limit_in_raw_is_left_out_and_the_others_build(tmp_path):
    from cyberdiscourse.corpus import build, load_processed

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(f"{ARTICLE}\n", encoding="utf-8")
    (folder / "b.docx").write_bytes(docx_bytes([SECOND], [["网络主权", "数据安全"]]))
    data = tmp_path / "data"
    assert main(["add", str(folder), "--data-dir", str(data)]) == 0
    # As an older version could have let in: the .docx in raw/ replaced by a bomb.
    (bomb,) = (data / "raw").rglob("b.docx")
    bomb.write_bytes(docx_with(b" " * (20 * limits.MiB)))
    result = build(data, n_jobs=1)
    (problem,) = [p for p in result.problems if "b.docx" in p]
    assert problem.startswith("WARNING:") and "zip bomb" in problem
    assert "left out of the build" in problem
    tables = load_processed(data)
    assert list(tables["documents"]["source_file"].str.rsplit("/", n=1).str[-1]) == ["a.txt"]
    (text,) = tables["paragraphs"]["text"]
    assert text.startswith("国家互联网信息办公室发布《网络数据安全管理条例》")
    assert len(tables["works"]) == 2  # b's work stays, with no text
