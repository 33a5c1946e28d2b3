import math

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from cyberdiscourse import frequency as fq
from cyberdiscourse import plotting


def toks(*paras, work="w", lang="zh"):
    return pd.DataFrame(
        {
            "para_id": [f"{work}:{i}" for i in range(len(paras))],
            "work_id": work,
            "lang": lang,
            "tokens": [list(p) for p in paras],
            "n_tokens": [len(p) for p in paras],
            "n_chars": [10 * len(p) for p in paras],
        }
    )


def test_frequency_counts_docfreq_and_rates():
    t = toks(["a", "a", "b"], ["b", "c"])
    f = fq.textstat_frequency(t).set_index("term")
    assert f.loc["a", "count"] == 2 and f.loc["a", "docfreq"] == 1
    assert f.loc["b", "count"] == 2 and f.loc["b", "docfreq"] == 2
    assert f.loc["a", "per_10k_tokens"] == pytest.approx(2 / 5 * 10_000)
    assert f.loc["a", "per_10k_chars"] == pytest.approx(2 / 50 * 10_000)
    assert f["rank"].tolist() == [1, 2, 3]


def test_frequency_by_group():
    t = pd.concat([toks(["a", "b"], work="w1"), toks(["a", "a", "a", "c"], work="w2")])
    f = fq.textstat_frequency(t, groups="work_id", n=1)
    assert f[["work_id", "term", "count"]].values.tolist() == [["w1", "a", 1], ["w2", "a", 3]]


def test_tfidf_equals_hand_computation():
    t = pd.concat([toks(["a", "a", "b"], work="u1"), toks(["b", "c"], work="u2")])
    r = fq.textstat_tfidf(t, n=None).set_index(["work_id", "term"])
    assert r.loc[("u1", "a"), "tfidf"] == pytest.approx(2 / 3 * (math.log(3 / 2) + 1))
    assert r.loc[("u1", "b"), "idf"] == pytest.approx(1.0)


def test_keyness_equals_hand_computed_g2_and_log_ratio():
    # target: a a b ; reference: b b c a   ->  for "a": a=2, b=1, c=3, d=4
    t = toks(["a", "a", "b"], ["b", "b", "c", "a"])
    k = fq.textstat_keyness(t, np.array([True, False]), min_count=1).set_index("term")
    g2 = 2 * (2 * math.log(14 / 9) + 2 * math.log(7 / 12) + 3 * math.log(21 / 16))
    assert k.loc["a", "G2"] == pytest.approx(1.24295, abs=1e-5)
    assert k.loc["a", "G2"] == pytest.approx(g2)
    assert k.loc["a", "log_ratio"] == pytest.approx(math.log2((2 / 3) / (1 / 4)))
    assert k.loc["c", "G2"] < 0  # only in the reference
    assert k.loc["c", "log_ratio"] == pytest.approx(math.log2((0.5 / 3) / (1 / 4)))
    assert 0 < k.loc["a", "p"] < 1
    assert "c" not in fq.textstat_keyness(t, np.array([True, False]), min_count=2)["term"].values


def test_collocation_pmi_equals_hand_computation():
    t = toks(["x", "y", "x", "y", "z"])
    c = fq.textstat_collocations(t, size=2, min_count=1).set_index("collocation")
    assert c.loc["x y", "count"] == 2
    assert c.loc["x y", "PMI"] == pytest.approx(math.log2((2 / 4) / ((2 / 5) * (2 / 5))))
    assert c.loc["x y", "G2"] > 0


def test_collocates_in_a_window():
    t = toks(["n", "a", "b", "n", "a"])
    c = fq.textstat_collocates(t, "n", window=1, min_count=1).set_index("collocate")
    assert c.loc["a", "count"] == 2 and c.loc["b", "count"] == 1
    assert c.loc["a", "PMI"] == pytest.approx(math.log2(2 / (2 * 2 * 2 / 5)))
    both = fq.textstat_collocates(toks(["n", "a", "m", "a"]), ["n", "m"], window=1, min_count=1)
    assert both.set_index("collocate").loc["a", "count"] == 3


def test_wordcloud_is_reproducible_and_seeded():
    freqs = {"网络主权": 10, "命运共同体": 8, "合作": 6, "发展": 5, "安全": 4, "治理": 3}
    a = fq.wordcloud_image(freqs, random_state=1, width=400, height=300)
    b = fq.wordcloud_image(freqs, random_state=1, width=400, height=300)
    c = fq.wordcloud_image(freqs, random_state=2, width=400, height=300)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_wordcloud_pdf_has_drawn_content(tmp_path):
    freq = pd.DataFrame({"term": ["网络主权", "命运共同体", "合作", "发展"], "count": [9, 7, 5, 3]})
    ax = fq.textplot_wordcloud(freq, random_state=0)
    paths = plotting.save_figure(ax.figure, "cloud", data=freq, notebook="nb", figures_dir=tmp_path)
    images = PdfReader(paths["pdf"]).pages[0].images
    assert len(images) == 1
    pixels = np.asarray(images[0].image.convert("L"))
    assert (pixels < 200).mean() > 0.05  # words, not a blank page
    png = np.asarray(Image.open(paths["png"]).convert("L"))
    assert (png < 200).mean() > 0.03


def test_textplots_return_axes_with_the_terms():
    f = fq.textstat_frequency(toks(["网络主权", "网络主权", "合作"]))
    ax = fq.textplot_top_terms(f, n=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["合作", "网络主权"]
    k = fq.textstat_keyness(
        toks(["a", "a", "b"], ["b", "b", "c"]), np.array([True, False]), min_count=1
    )
    ax = fq.textplot_keyness(k, n=2)
    assert {t.get_text() for t in ax.get_yticklabels()} == {"a", "b", "c"}
