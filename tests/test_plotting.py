import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from cyberdiscourse import plotting


@pytest.fixture
def saved(tmp_path):
    fig, ax = plotting.new_figure("one_column")
    ax.bar(["网络主权", "命运共同体"], [3, 5])
    ax.set_title("网络主权 cyber sovereignty")
    data = pd.DataFrame({"term": ["网络主权", "命运共同体"], "count": [3, 5]})
    paths = plotting.save_figure(fig, "bars", data=data, notebook="99_test", figures_dir=tmp_path)
    return paths, data


def pdf_fonts(path):
    fonts = []
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = [d.get_object() for d in font.get("/DescendantFonts", [])]
            fonts.append((font["/Subtype"], str(font.get("/BaseFont")), desc))
    return fonts


def test_bundled_font_is_truetype_and_registered():
    assert plotting.FONT_PATH.read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType outlines
    assert plotting.register_font() == "WenQuanYi Micro Hei"


def test_all_formats_written_under_the_notebook_folder(saved, tmp_path):
    paths, data = saved
    assert sorted(paths) == ["csv", "pdf", "png", "svg"]
    for p in paths.values():
        assert p.parent == tmp_path / "99_test" and p.stat().st_size > 0
    pd.testing.assert_frame_equal(pd.read_csv(paths["csv"]), data)


def test_pdf_embeds_the_cjk_font_as_truetype_never_type3(saved):
    paths, _ = saved
    fonts = pdf_fonts(paths["pdf"])
    assert fonts
    assert all(subtype != "/Type3" for subtype, _, _ in fonts)
    cjk = [f for f in fonts if "WenQuanYi" in f[1]]
    assert cjk, fonts
    for subtype, _, desc in cjk:
        assert subtype == "/Type0"
        assert desc[0]["/Subtype"] == "/CIDFontType2"
        assert "/FontFile2" in desc[0]["/FontDescriptor"].get_object()
    assert "网络主权" in PdfReader(paths["pdf"]).pages[0].extract_text()


def test_png_is_300_dpi_and_svg_has_glyphs_as_paths(saved):
    paths, _ = saved
    with Image.open(paths["png"]) as img:
        assert round(img.info["dpi"][0]) == 300
        assert img.size == (round(3.5 * 300), round(2.6 * 300))
    svg = paths["svg"].read_text(encoding="utf-8")
    assert "<text" not in svg and "<path" in svg


def test_save_is_reproducible(tmp_path):
    digests = []
    for run in range(2):
        fig, ax = plotting.new_figure("two_column")
        ax.plot([1, 2, 3], [3, 1, 2])
        ax.set_xlabel("年份")
        paths = plotting.save_figure(
            fig,
            "line",
            data=pd.DataFrame({"x": [1]}),
            notebook="nb",
            figures_dir=tmp_path / str(run),
        )
        digests.append({k: p.read_bytes() for k, p in paths.items()})
    assert digests[0] == digests[1]


def test_unknown_size_is_refused():
    with pytest.raises(ValueError, match="size must be one of"):
        plotting.new_figure("poster")
