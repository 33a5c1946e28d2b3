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


def streams(*paragraphs):
    """Streams as :func:`fq.token_streams` gives them: one list of runs per paragraph."""
    return pd.DataFrame({"para_id": range(len(paragraphs)), "runs": list(paragraphs)})


def test_collocation_statistics_equal_hand_and_scipy_computation():
    from scipy.stats import chi2_contingency

    c = fq.textstat_collocations(streams([["x", "y", "x", "y", "z"]]), min_count=1)
    c = c.set_index("collocation")
    # slots: x y, y x, x y, y z (N = 4); "x y": O = 2, R = 2 (x first), C = 2 (y last)
    assert c.loc["x y", "count"] == 2 and c.loc["x y", "expected"] == pytest.approx(1.0)
    assert c.loc["x y", "PMI"] == pytest.approx(1.0)
    assert c.loc["x y", "t_score"] == pytest.approx((2 - 1) / math.sqrt(2))
    assert c.loc["x y", "log_dice"] == pytest.approx(14 + math.log2(2 * 2 / (2 + 2)))
    table = [[2, 0], [0, 2]]
    g2 = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
    assert c.loc["x y", "G2"] == pytest.approx(g2)


def test_collocations_never_cross_punctuation_and_drop_stopwords_afterwards():
    from cyberdiscourse.lexicon import load_lexicon

    lexicon = load_lexicon()
    text = "发挥互联网企业、技术社群和公民个人作用。互联网企业、技术社群和公民个人共同参与。"
    paragraphs = pd.DataFrame(
        {"para_id": ["p:0"], "work_id": ["p"], "lang": ["zh"], "text": [text]}
    )
    s = fq.token_streams(paragraphs, lexicon)
    assert s["runs"][0][1][:3] == ["技术社群", "和", "公民"]  # 、 and 。 cut the runs
    c = fq.textstat_collocations(s, min_count=1, stopwords=lexicon.zh_stopwords)
    pairs = set(c["collocation"])
    assert "互联网企业 技术社群" not in pairs  # separated by 、 in the text
    assert "技术社群 公民" not in pairs  # 和 stood between them
    assert "公民 个人" in pairs
    assert not any("和" in p.split() for p in pairs)  # a stopword never heads a candidate


def test_collocates_windows_stop_at_edges_and_count_overlaps_once():
    c = fq.textstat_collocates(streams([["n", "a", "b", "n", "a"]]), "n", window=1, min_count=1)
    c = c.set_index("collocate")
    # windows {1} and {2, 4}: 3 slots out of the 3 tokens that are not the node
    assert c.loc["a", "count"] == 2 and c.loc["b", "count"] == 1
    assert c.loc["a", "expected"] == pytest.approx(2 * 3 / 3) and c.loc["a", "PMI"] == 0
    overlap = fq.textstat_collocates(
        streams([["a", "n", "a", "n", "a"]]), "n", window=1, min_count=1
    ).set_index("collocate")
    assert overlap.loc["a", "count"] == 3  # the middle a sits in both windows, counted once
    split = fq.textstat_collocates(streams([["n", "a"], ["b"]]), "n", window=2, min_count=1)
    assert split["collocate"].tolist() == ["a"]  # b is beyond the punctuation
    both = fq.textstat_collocates(
        streams([["n", "a", "m", "a"]]), ["n", "m"], window=1, min_count=1
    )
    assert both.set_index("collocate").loc["a", "count"] == 2


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


def test_benjamini_hochberg_on_a_known_list():
    # sorted p 0.005 0.01 0.03 0.04, m = 4: 0.02 0.02 0.04 0.04 (monotone from the top)
    q = fq._bh(np.array([0.01, 0.04, 0.03, 0.005]))
    assert q.tolist() == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert fq._bh(np.array([0.5])).tolist() == [0.5]


def test_keyness_counts_documents_dispersion_and_guards():
    # target documents d1 (8 tokens) and d2 (2 tokens); reference document r (10 tokens)
    t = pd.concat(
        [
            toks(["x", "x", "y", "z", "z", "z", "z", "z"], work="d1"),
            toks(["y", "w"], work="d2"),
            toks(["w"] * 9 + ["z"], work="r"),
        ]
    )
    target = t["work_id"].isin(["d1", "d2"]).to_numpy()
    k = fq.textstat_keyness(t, target, min_count=1).set_index("term")
    assert k.loc["x", ["docs_target", "docs_reference"]].tolist() == [1, 0]
    assert k.loc["y", "docs_target"] == 2 and k.loc["w", "docs_reference"] == 1
    # Gries' DP: x all in d1 (80% of the tokens): 0.5 * (|1 - .8| + |0 - .2|) = 0.2;
    # y half and half: 0.5 * (|.5 - .8| + |.5 - .2|) = 0.3
    assert k.loc["x", "dispersion"] == pytest.approx(0.2)
    assert k.loc["y", "dispersion"] == pytest.approx(0.3)
    # expected counts of x's table: row x = 2, columns 10 | 10, N = 20 -> smallest is 1
    assert k.loc["x", "expected_min"] == pytest.approx(1.0)
    # w (9 of 10 in the reference) has every expected count at 5 and q < 0.05; the
    # others have an expected count under 5, however small their p
    assert k.loc["w", "expected_min"] == pytest.approx(5.0) and k.loc["w", "significant"]
    assert not k.loc[["x", "y", "z"], "significant"].any()
    assert k.attrs["target_docs"] == 2 and k.attrs["reference_tokens"] == 10
    q = fq._bh(k["p"].to_numpy())
    assert k["q"].to_numpy() == pytest.approx(q)


def test_significance_needs_q_expected_counts_and_documents():
    rng = np.random.default_rng(0)
    common = [f"c{i}" for i in range(40)]
    frames = []
    for w in range(6):
        paras = [list(rng.choice(common, size=50)) for _ in range(10)]
        if w < 3:  # "key" in the first three works, spread over all three
            paras = [p + ["key"] * 5 for p in paras]
        if w == 0:  # "lump": frequent, but in one work only
            paras = [p + ["lump"] * 5 for p in paras]
        frames.append(toks(*paras, work=f"w{w}"))
    t = pd.concat(frames, ignore_index=True)
    target = t["work_id"].isin(["w0", "w1", "w2"]).to_numpy()
    k = fq.textstat_keyness(t, target, min_count=5, min_docs=2).set_index("term")
    assert k.loc["key", "significant"] and k.loc["key", "docs_target"] == 3
    assert k.loc["lump", "q"] < 0.05 and not k.loc["lump", "significant"]  # one document
    assert k.loc[common, "significant"].sum() <= 2  # noise rarely passes BH
    by = fq.textstat_keyness_by(t, by="work_id", n=3, min_count=5)
    assert by[by["work_id"] == "w0"]["term"].iloc[0] == "lump"
    assert (by["q"] < 0.05).all() and by["significant"].all()


def test_an_undated_work_is_in_no_period_and_a_year_only_work_in_its_year():
    works = pd.DataFrame({"work_id": ["a", "b", "c"], "date": ["2016-06-25", "2020", ""]})
    tokens = pd.DataFrame({"work_id": ["a", "b", "c", "c"], "lang": ["zh"] * 4})
    out = fq.add_groups(tokens, works, period_boundary=2019)
    assert out["period"].tolist() == ["before 2019", "2019 and after", "undated", "undated"]
    assert out["year"].tolist()[:2] == [2016, 2020] and out["year"].isna().sum() == 2


def test_a_day_boundary_splits_a_month_and_cannot_place_a_work_dated_to_its_month():
    works = pd.DataFrame(
        {"work_id": ["a", "b", "c", "d"], "date": ["2023-01-03", "2023-01-16", "2023-01", ""]}
    )
    tokens = pd.DataFrame({"work_id": ["a", "b", "c", "d"], "lang": ["zh"] * 4})
    out = fq.add_groups(tokens, works, period_boundary="2023-01-16")
    assert out["period"].tolist() == [
        "before 2023-01-16",
        "2023-01-16 and after",
        "undated",  # January 2023 lies on both sides of the 16th
        "undated",
    ]
