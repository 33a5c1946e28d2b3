import pytest

from cyberdiscourse.errors import CorpusError
from cyberdiscourse.readers import decode_bytes, read_raw, split_lines

TEXT = "网络空间国际合作战略\n尊重网络主权,反对侵犯他国网络主权的行为。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_txt_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes((TEXT * 5).encode(encoding))
    raw = read_raw(path)
    assert raw.lines[:2] == TEXT.splitlines()
    assert len(raw.lines) == 10


def test_big5_traditional_text_is_detected(tmp_path):
    text = "網絡空間國際合作戰略\n各國應尊重網絡主權,反對侵犯他國網絡主權的行為。\n" * 5
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    assert read_raw(path).lines[1] == "各國應尊重網絡主權,反對侵犯他國網絡主權的行為。"


def test_crlf_and_cr_line_endings():
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c"]


def test_html_visible_lines_and_main_text_without_scripts_and_menus(tmp_path):
    html = """<html><head><script>var x = "网络主权脚本";</script><style>p{}</style></head>
    <body><nav><a>首页</a><a>登录</a></nav><header>站点标题</header>
    <article><h1>中国关于网络空间国际规则的立场</h1><p>各国应尊重网络主权。</p></article>
    <footer>版权所有 京ICP备05070218号</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    raw = read_raw(path)
    # Every visible line is in the line space; scripts and styles are not.
    assert raw.lines == [
        "首页登录",  # inline links join into one line, as a reader sees them
        "站点标题",
        "中国关于网络空间国际规则的立场",
        "各国应尊重网络主权。",
        "版权所有 京ICP备05070218号",
    ]
    kept = [line for line, reason in zip(raw.lines, raw.given) if reason is None]
    assert kept == ["中国关于网络空间国际规则的立场", "各国应尊重网络主权。"]
    assert raw.given[0] == "not_main_text" and "gne: no" in raw.evidence[0]
    assert raw.pages[0].hidden_chars == len('var x = "网络主权脚本";') + len("p{}")


def test_pdf_text_layer(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cyberdiscourse.plotting import use_style

    use_style()
    fig = plt.figure()
    fig.text(0.1, 0.5, "尊重网络主权 cyber sovereignty")
    fig.savefig(tmp_path / "doc.pdf")
    plt.close(fig)
    raw = read_raw(tmp_path / "doc.pdf")
    assert raw.kind == "pdf"
    assert "尊重网络主权 cyber sovereignty" in raw.text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n", "empty"),
        ("image.txt", bytes(range(256)) * 40, "binary"),
        ("scan.pdf", b"%PDF-1.4 not really a pdf", "PDF"),
        ("table.xlsx", b"PK\x03\x04", "unsupported"),
    ],
)
def test_bad_files_give_a_clear_error_naming_the_file(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CorpusError) as err:
        read_raw(path)
    assert name in str(err.value)
    assert message in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(CorpusError, match="gone.txt: file not found"):
        read_raw(tmp_path / "gone.txt")


def test_decode_bytes_reports_encoding():
    assert decode_bytes("网络".encode("gb18030") * 20)[1] == "gb18030"
    assert decode_bytes(b"\xef\xbb\xbfabc")[1] == "utf-8-sig"


def test_mixed_encodings_are_decoded_line_by_line(tmp_path):
    utf8 = "中国主张在联合国框架下制定网络空间国际规则。\n".encode() * 3
    gbk = "各国应尊重网络主权,反对网络霸权,共同维护网络空间和平与安全。\n".encode("gb18030") * 2
    path = tmp_path / "mixed.txt"
    path.write_bytes(utf8 + gbk + utf8)
    raw = read_raw(path)
    assert raw.encoding == "utf-8+gb18030"
    assert raw.lines[0] == "中国主张在联合国框架下制定网络空间国际规则。"
    assert raw.lines[3] == "各国应尊重网络主权,反对网络霸权,共同维护网络空间和平与安全。"
    assert raw.lines[6] == raw.lines[0]
