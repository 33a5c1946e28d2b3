"""ingest.encodings: bytes decoded as a browser decodes them, mojibake read again."""

import email.policy
from email.message import EmailMessage

import pytest

from cyberdiscourse.curate import add_captures
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.ingest.encodings import decode_bytes, decode_page, meta_charset, whatwg_codec
from cyberdiscourse.readers import read_raw

# 镕 and 堃 are in GBK but not in GB2312: a page declaring gb2312 holds them all the same.
ARTICLE = (
    "国务院总理朱镕基在会上指出，各国应尊重网络主权，反对网络霸权，"
    "共同维护网络空间和平与安全。记者王堃报道。\n"
)
DATE_LINE = "发布日期：2005-08-28"


def page(charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    return (
        f"<html><head>{meta if charset else ''}<title>网络主权</title></head><body>"
        f"<h1>网络主权</h1><p>{DATE_LINE}</p>" + f"<p>{ARTICLE}</p>" * 4 + "</body></html>"
    )


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("x-gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("big5", "big5hkscs"),
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("utf8", "utf-8"),
        ("undefined", None),
        ("idna", None),
        ("hz-gb-2312", None),
    ],
)
def test_charset_labels_follow_the_whatwg_table(label, codec):
    assert whatwg_codec(label) == codec


def test_a_page_cannot_declare_utf16_from_inside_itself():
    assert whatwg_codec("utf-16", from_meta=True) == "utf-8"
    text, encoding = decode_page(page("utf-16").encode("utf-8"), name="p.html")
    assert (encoding, ARTICLE in text) == ("utf-8", True)


def test_gb2312_declared_page_holding_gbk_characters_is_decoded_whole():
    data = page("gb2312").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")  # what a decoder that trusts the label literally does
    text, encoding = decode_page(data, name="p.html")
    assert encoding == "gb18030"
    assert text.count("朱镕基") == 4 and text.count("王堃") == 4


def test_undeclared_gb18030_page_with_four_byte_characters(tmp_path):
    body = "吉𠮷祥发布。网络主权是国家主权在网络空间的自然延伸和表现。\n" * 6
    data = body.encode("gb18030")
    assert b"\x95\x34\xb2\x35" in data  # 𠮷: four bytes in GB18030
    with pytest.raises(UnicodeEncodeError):
        body.encode("gbk")  # and absent from GBK
    path = tmp_path / "undeclared.txt"
    path.write_bytes(data)
    raw = read_raw(path)
    assert raw.encoding == "gb18030"
    assert raw.lines[0] == body.splitlines()[0]


@pytest.mark.parametrize("wrong", ["iso-8859-1", "windows-1251", "koi8-r"])
def test_gbk_bytes_under_a_wrong_transport_charset_are_read_again(wrong):
    data = page(None).encode("gbk")
    shown_by_the_label = data.decode(whatwg_codec(wrong), errors="replace")
    assert "网络主权" not in shown_by_the_label  # what a browser would have shown
    text, encoding = decode_page(data, declared=wrong, name="p.html")
    assert encoding == f"gb18030 (declared {wrong}, which reads as mojibake)"
    assert text.count(ARTICLE.strip()) == 4 and DATE_LINE in text


def test_utf8_page_declaring_gb2312_is_read_as_utf8():
    text, encoding = decode_page(page("gb2312").encode("utf-8"), name="p.html")
    assert encoding == "utf-8 (declared gb2312, which reads as mojibake)"
    assert text.count("朱镕基") == 4


@pytest.mark.parametrize("label", ["undefined", "idna", "no-such-charset"])
def test_unknown_labels_fall_back_to_detection(label):
    text, encoding = decode_page(page(label).encode("gbk"), name="p.html")
    assert encoding == "gb18030" and DATE_LINE in text


def test_a_few_broken_bytes_are_replaced_as_a_browser_does_not_refused():
    data = (ARTICLE * 12).encode("gbk")
    data = data[:101] + b"\x81" + data[101:]  # a lead byte with no trail byte
    text, encoding = decode_bytes(data, name="broken.txt")
    assert encoding == "gb18030 (1 bytes replaced)"
    assert text.count("\ufffd") == 1 and text.count("朱镕基") == 12
    text, encoding = decode_page(data, declared="gbk", name="broken.html")
    assert (encoding, text.count("朱镕基")) == ("gb18030 (1 bytes replaced)", 12)


def test_text_that_is_not_chinese_keeps_its_declared_encoding():
    russian = "Киберсуверенитет и международное право в информационной сфере. " * 5
    french = "La souveraineté numérique est très débattue depuis l'été. " * 5
    assert decode_page(russian.encode("cp1251"), declared="windows-1251", name="r") == (
        russian,
        "cp1251",
    )
    assert decode_page(french.encode("cp1252"), declared="iso-8859-1", name="f") == (
        french,
        "cp1252",
    )


def test_bytes_no_encoding_reads_cleanly_are_kept_and_said_to_be_mojibake():
    junk = bytes((37 * i + 11) % 128 + 128 for i in range(3000))
    text, encoding = decode_page(junk, declared="windows-1251", name="junk.html")
    assert encoding == "cp1251 (reads as mojibake)" and len(text) == 3000


def test_binary_bytes_are_still_refused_whatever_the_label():
    with pytest.raises(CorpusError, match="binary"):
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(i * 7 % 256 for i in range(5000))
        decode_page(png, declared="gbk", name="blob.html")


def test_meta_charset_is_found_in_either_form():
    assert meta_charset(b'<html><head><meta charset="GB2312"></head>') == "GB2312"
    assert meta_charset(page("gbk").encode()) == "gbk"
    assert meta_charset(b"<html><p>charset=gbk</p>") is None


def test_mhtml_with_a_wrong_charset_is_read_again_and_the_review_flags_it(tmp_path):
    message = EmailMessage(policy=email.policy.default)
    message["Snapshot-Content-Location"] = "http://www.example.gov.cn/a.htm"
    message["Subject"] = "page"
    message.add_related = None
    message.set_content(page(None).encode("gbk"), maintype="text", subtype="html", cte="base64")
    message.replace_header("Content-Type", "text/html; charset=iso-8859-1")
    src = tmp_path / "saved.mhtml"
    src.write_bytes(message.as_bytes())
    raw = read_raw(src)
    assert raw.encoding == "gb18030 (declared iso-8859-1, which reads as mojibake)"
    assert sum(ARTICLE.strip() in line for line in raw.lines) == 4

    data_dir = tmp_path / "corpus"
    (data_dir / "raw").mkdir(parents=True)
    added = add_captures(data_dir, [src])
    (row,) = added.added
    assert row["encoding"] == raw.encoding
    assert any(f.startswith("decoded as gb18030 (declared iso-8859-1") for f in row["flags"])


def test_utf8_read_as_latin1_or_windows_1256_and_saved_again_is_put_right(tmp_path):
    cp1256 = "[登录](/login) [注册](/register)".encode().decode("cp1256")
    cp1252 = "submit=提交查询".encode().decode("latin-1")  # C1 bytes kept, as a URL had them
    assert "登录" not in cp1256 and "提交" not in cp1252
    page = tmp_path / "crawled.md"
    lines = [
        "# 网络主权",
        cp1256,
        ARTICLE.strip(),
        "La souveraineté numérique est débattue à Genève.",
        cp1252,
    ]
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text, encoding = decode_bytes(page.read_bytes(), name=page.name)
    assert encoding == "utf-8 (2 lines of mojibake repaired)"
    assert text.splitlines() == [
        lines[0],
        "[登录](/login) [注册](/register)",
        lines[2],
        lines[3],  # French is French: left alone
        "submit=提交查询",
    ]
    raw = read_raw(page)
    assert "登录 注册" in raw.lines and raw.encoding == encoding
