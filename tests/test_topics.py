import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from cyberdiscourse import topics as tp


def dtm_from(docs, work_ids=None):
    vocab = np.array(sorted({w for d in docs for w in d}))
    index = {w: j for j, w in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for i, d in enumerate(docs):
        for w in set(d):
            rows.append(i)
            cols.append(index[w])
            vals.append(d.count(w))
    X = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)))
    ids = np.array([f"p{i}" for i in range(len(docs))])
    return tp.DocumentTermMatrix(X, vocab, ids, np.array(work_ids or ["w"] * len(docs)))


@pytest.fixture(scope="module")
def planted():
    """Three planted topics, each with its own eight words; every document draws from one."""
    rng = np.random.default_rng(7)
    blocks = [[f"{name}{i}" for i in range(8)] for name in ("sov", "econ", "sec")]
    docs = [list(rng.choice(blocks[i % 3], size=30)) for i in range(90)]
    return blocks, dtm_from(docs)


@pytest.mark.parametrize(
    ("method", "engine"), [("lda", "tomotopy"), ("lda", "sklearn"), ("nmf", "sklearn")]
)
def test_same_seed_same_topics(planted, method, engine):
    _, dtm = planted
    a = tp.fit_topics(dtm, 3, method=method, engine=engine, random_state=5)
    b = tp.fit_topics(dtm, 3, method=method, engine=engine, random_state=5)
    assert a.top_terms(8) == b.top_terms(8)
    np.testing.assert_allclose(a.doc_topic, b.doc_topic)
    np.testing.assert_allclose(a.doc_topic.sum(axis=1), 1, atol=1e-6)
    np.testing.assert_allclose(a.topic_term.sum(axis=1), 1, atol=1e-6)


@pytest.mark.parametrize(
    ("method", "engine"), [("lda", "tomotopy"), ("lda", "sklearn"), ("nmf", "sklearn")]
)
def test_planted_topics_are_recovered(planted, method, engine):
    blocks, dtm = planted
    model = tp.fit_topics(dtm, 3, method=method, engine=engine, random_state=0)
    overlap, _ = tp.topic_overlap(model.top_terms(8), blocks)
    assert overlap == pytest.approx(1.0)


def test_npmi_equals_hand_computation():
    dtm = dtm_from([["a", "b"], ["a", "b"], ["a", "c"], ["c"]])
    ab = math.log((2 / 4) / ((3 / 4) * (2 / 4))) / -math.log(2 / 4)
    ac = math.log((1 / 4) / ((3 / 4) * (2 / 4))) / -math.log(1 / 4)
    assert ab == pytest.approx(0.415037, abs=1e-6)
    got = tp.npmi(dtm.X, dtm.vocab, [["a", "b"], ["a", "b", "c"]])
    assert got[0] == pytest.approx(ab)
    assert got[1] == pytest.approx((ab + ac - 1.0) / 3)  # b and c never co-occur: -1


def test_exclusivity_by_hand():
    topic_term = np.array([[0.6, 0.4, 0.0], [0.0, 0.4, 0.6]])
    # topic 1 top words: x0 (all its weight here: 1.0) and x1 (shared: 0.5)
    assert tp.exclusivity(topic_term, n=2).tolist() == pytest.approx([0.75, 0.75])


def test_topic_overlap_matches_permuted_topics_and_stability():
    a = [["x", "y"], ["p", "q"], ["m", "n"]]
    b = [["m", "n"], ["x", "y"], ["p", "z"]]
    score, match = tp.topic_overlap(a, b)
    assert match.tolist() == [1, 2, 0]
    assert score == pytest.approx((1 + 1 / 3 + 1) / 3)


def test_stability_and_selection(planted):
    _, dtm = planted
    models = [tp.fit_topics(dtm, 3, random_state=s) for s in (0, 1)]
    assert tp.stability(models, n=8) == pytest.approx(1.0)
    serial = tp.select_k(dtm, [2, 3, 4], seeds=(0, 1), n=8, n_jobs=1)
    parallel = tp.select_k(dtm, [2, 3, 4], seeds=(0, 1), n=8, n_jobs=2)
    pd.testing.assert_frame_equal(serial.drop(columns="seconds"), parallel.drop(columns="seconds"))
    assert serial.set_index("k").loc[3, "stability"] == pytest.approx(1.0)
    assert tp.choose_k(serial) == 3
    assert not serial["added"].any()  # the best k is inside the range: nothing added
    assert (serial["npmi"] <= serial["npmi_fitted"] + 0.05).all()


def test_the_k_range_widens_when_the_best_k_is_at_its_edge(planted):
    _, dtm = planted  # three planted topics
    sel = tp.select_k(dtm, [2], seeds=(0, 1), n=8, n_jobs=1, widen=3)
    # k = 2 is an edge; ks are added one step at a time while the best stays at the top
    # 2 at the top edge -> 3 added; 3 best at the edge -> 4 added; 3 inside: stop
    assert sel["k"].tolist() == [2, 3, 4]
    assert sel["added"].tolist() == [False, True, True]
    assert tp.choose_k(sel) == 3


def test_held_out_coherence_is_lower_than_in_sample_on_random_text():
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(60)]
    tokens = pd.DataFrame(
        {
            "para_id": [f"p{i}" for i in range(300)],
            "work_id": "w",
            "lang": "zh",
            "tokens": [list(rng.choice(vocab, size=15)) for _ in range(300)],
        }
    )
    dtm = tp.build_dtm(tokens, min_df=2, max_df=1.0)
    fit, held = tp.heldout_split(dtm, share=0.5, random_state=0)
    assert fit.X.shape[0] == held.X.shape[0] == 150
    assert not set(fit.para_id) & set(held.para_id)
    sel = tp.select_k(dtm, [4], seeds=(0, 1), n=8, holdout=0.5, n_jobs=1, widen=0)
    # topics of noise fit the paragraphs they were drawn from better than unseen ones
    assert sel["npmi"].iloc[0] < sel["npmi_fitted"].iloc[0]


def test_frex_by_hand():
    topic_term = np.array([[0.5, 0.3, 0.2], [0.5, 0.1, 0.4]])
    # exclusivity (share of the column): t0 [.5, .75, .33], t1 [.5, .25, .67]; ranks / 3
    # by exclusivity t0 [2, 3, 1], by frequency t0 [3, 2, 1]: FREX = 1 / (.5/e + .5/f)
    expected = np.array([[0.8, 0.8, 1 / 3], [0.8, 1 / 3, 0.8]])
    assert tp.frex(topic_term) == pytest.approx(expected)


def test_choose_k_by_hand():
    sel = pd.DataFrame({"k": [3, 4, 5], "npmi": [0.1, 0.2, 0.25], "stability": [0.9, 0.85, 0.5]})
    # z(npmi) = [-1.336, 0.267, 1.069]; z(stability) = [0.843, 0.562, -1.405]
    # sums = [-0.493, 0.829, -0.336]: k = 4
    assert tp.choose_k(sel) == 4
    tie = pd.DataFrame({"k": [6, 5], "npmi": [0.2, 0.2], "stability": [0.7, 0.7]})
    assert tp.choose_k(tie) == 5


def test_prevalence_intervals_contain_the_mean_and_shrink_with_more_paragraphs(planted):
    _, dtm = planted
    model = tp.fit_topics(dtm, 3, random_state=0)
    works = pd.DataFrame({"work_id": ["w"], "date": ["2020-01-01"], "include": [True]})
    widths = []
    for n in (15, 90):
        sub = tp.DocumentTermMatrix(dtm.X[:n], dtm.vocab, dtm.para_id[:n], dtm.work_id[:n])
        part = tp.TopicModel(
            model.method, model.engine, 3, 0, model.topic_term, model.doc_topic[:n], dtm.vocab, 0
        )
        prev = tp.textstat_prevalence(part, sub, works, n_boot=500)
        assert ((prev["ci_low"] <= prev["share"]) & (prev["share"] <= prev["ci_high"])).all()
        assert prev["share"].sum() == pytest.approx(1.0)
        widths.append((prev["ci_high"] - prev["ci_low"]).mean())
    assert widths[1] < widths[0] * 0.6


def test_topic_tables_on_the_seed_corpus(seed_corpus):
    from cyberdiscourse.lexicon import load_lexicon
    from cyberdiscourse.tokens import tokenize

    tokens = tokenize(seed_corpus.paragraphs, load_lexicon())
    dtm = tp.build_dtm(tokens, min_df=2, max_df=0.5)
    assert dtm.X.shape[0] > 250 and "网络空间命运共同体" in set(dtm.vocab)
    model = tp.fit_topics(dtm, 4, random_state=0)
    table = tp.textstat_topics(model, n=5)
    assert len(table) == 20 and table.groupby("topic")["frex"].is_monotonic_decreasing.all()
    by_weight = tp.textstat_topics(model, n=5, rank_by="weight")
    assert by_weight.groupby("topic")["weight"].is_monotonic_decreasing.all()
    # FREX moves words every topic shares down: fewer repeats among the tops than by weight
    assert table["term"].nunique() >= by_weight["term"].nunique()
    rep = tp.representative_paragraphs(model, dtm, seed_corpus.paragraphs, seed_corpus.works, n=2)
    assert len(rep) == 8 and rep["source"].str.match(r"^\d{3}_\w+\.txt:\d+$").all()
    prev = tp.textstat_prevalence(model, dtm, seed_corpus.works, n_boot=100)
    assert prev.groupby("work_id")["share"].sum().round(6).eq(1).all()


def test_bad_method_is_refused(planted):
    with pytest.raises(ValueError, match="method must be one of"):
        tp.fit_topics(planted[1], 3, method="lsa")


def test_same_seed_same_topics_whatever_ran_before(seed_corpus):
    """On real text: a fit gives the same topics before and after other work on the matrix."""
    from cyberdiscourse.lexicon import load_lexicon
    from cyberdiscourse.tokens import tokenize

    dtm = tp.build_dtm(tokenize(seed_corpus.paragraphs, load_lexicon()), min_df=2, max_df=0.5)
    first = tp.fit_topics(dtm, 6, random_state=0)
    tp.npmi(dtm.X, dtm.vocab, first.top_terms(10))
    tp.select_k(dtm, [3], seeds=(0,), n_jobs=1)
    again = tp.fit_topics(dtm, 6, random_state=0)
    assert first.top_terms(10) == again.top_terms(10)
    np.testing.assert_allclose(first.topic_term, again.topic_term)


def test_prevalence_intervals_carry_model_uncertainty(planted):
    _, dtm = planted
    works = pd.DataFrame({"work_id": ["w"], "date": ["2020-01-01"], "include": [True]})
    model = tp.fit_topics(dtm, 3, random_state=0)
    # another "fit": the same topics in another order, with shares moved by 0.1
    order = np.array([2, 0, 1])
    shifted = np.clip(model.doc_topic[:, order] + np.array([0.1, -0.05, -0.05]), 0, None)
    other = tp.TopicModel("lda", "tomotopy", 3, 1, model.topic_term[order], shifted, dtm.vocab, 0)
    assert tp.align_topics(model, other).tolist() == [1, 2, 0]
    alone = tp.textstat_prevalence(model, dtm, works, n_boot=300)
    both = tp.textstat_prevalence(model, dtm, works, n_boot=300, models=[other])
    assert (both["n_fits"] == 2).all() and (alone["seed_sd"] == 0).all()
    assert both["share"].tolist() == pytest.approx(alone["share"].tolist())
    # reference topic 3 (index 2) is the other fit's topic 0, moved up by 0.1: its
    # interval widens to reach the other fit's share, and the spread across fits is 0.05
    a, b = alone.set_index("topic").loc[3], both.set_index("topic").loc[3]
    assert b["ci_high"] - b["ci_low"] > a["ci_high"] - a["ci_low"] + 0.05
    assert b["ci_high"] >= a["share"] + 0.09
    assert b["seed_sd"] == pytest.approx(0.05, abs=0.005)


def planted_trend(seed: int = 3):
    """20 works (2000-2019), 30 paragraphs each, three topics with their own words:
    topic "up" rises from 0.1 to 0.6 of a paragraph on average, "flat" stays at 0.3."""
    rng = np.random.default_rng(seed)
    vocab = {name: [f"{name}{i}" for i in range(12)] for name in ("up", "flat", "rest")}
    docs, work_ids, works = [], [], []
    for y in range(2000, 2020):
        up = 0.1 + 0.5 * (y - 2000) / 19
        share = np.array([up, 0.3, 0.7 - up])
        for _ in range(30):
            # each paragraph its own mixture around the year's mean: topics are told apart
            # by how their words vary together across paragraphs
            topics = rng.choice(3, size=100, p=rng.dirichlet(4 * share))
            docs.append([str(rng.choice(list(vocab.values())[t])) for t in topics])
            work_ids.append(f"w{y}")
        works.append((f"w{y}", f"{y}-07-01", True))
    dtm = dtm_from(docs)
    dtm.work_id = np.array(work_ids)
    return dtm, pd.DataFrame(works, columns=["work_id", "date", "include"])


def test_estimate_effect_recovers_a_planted_trend_and_a_null():
    dtm, works = planted_trend()
    models = [tp.fit_topics(dtm, 3, random_state=s) for s in (0, 1, 2)]
    model = models[0]
    topic_of = {
        name: int(np.argmax([row[list(dtm.vocab).index(f"{name}0")] for row in model.topic_term]))
        + 1
        for name in ("up", "flat")
    }
    eff = tp.estimate_effect(model, dtm, works, models=models[1:], df=1, n_draws=600)
    change = eff[eff["kind"] == "change"].set_index("topic")
    up, flat = change.loc[topic_of["up"]], change.loc[topic_of["flat"]]
    # planted: +0.5 for "up" (0.1 -> 0.6 over the range), 0 for "flat"
    assert up["ci_low"] <= 0.5 <= up["ci_high"] and up["ci_low"] > 0.3
    assert flat["ci_low"] <= 0 <= flat["ci_high"]
    curve = eff[(eff["kind"] == "curve") & (eff["topic"] == topic_of["up"])]
    # the level is pulled toward 1/k by LDA's Dirichlet prior; the slope is what is tested
    assert curve["estimate"].is_monotonic_increasing
    spline = tp.estimate_effect(model, dtm, works, models=models[1:], df=3, n_draws=600)
    up = spline[spline["kind"] == "change"].set_index("topic").loc[topic_of["up"]]
    assert up["ci_low"] <= 0.5 <= up["ci_high"]  # a spline need not be told the shape


def test_topic_labels_file_is_written_then_read_and_checked(planted, tmp_path):
    _, dtm = planted
    model = tp.fit_topics(dtm, 3, random_state=0)
    path = tmp_path / "labels.csv"
    default = tp.topic_labels(model, path)
    assert path.is_file() and default == tp.topic_labels(model)
    table = pd.read_csv(path, encoding="utf-8-sig")
    assert table["topic"].tolist() == [1, 2, 3] and table["top_terms"].str.count(" ").eq(7).all()
    table.loc[0, "label"] = "Sovereignty"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    assert tp.topic_labels(model, path)[1] == "Sovereignty"
    other = tp.fit_topics(dtm, 2, random_state=0)
    with pytest.raises(Exception, match="the model has 2"):
        tp.topic_labels(other, path)


def test_seeded_topic_recovers_its_seed_words(planted):
    blocks, dtm = planted
    seeds = {"economy": ["econ0", "econ1"], "security": ["sec0"]}
    model, labels = tp.fit_seeded_topics(dtm, seeds, extra_topics=1, random_state=0)
    assert model.k == 3 and labels == {1: "economy", 2: "security", 3: "free 1"}
    top = model.top_terms(8)
    assert set(top[0]) == set(blocks[1])  # the topic seeded with two econ words is economy
    assert set(top[1]) == set(blocks[2])
    assert set(top[2]) == set(blocks[0])  # the free topic takes what is left


def test_lexicon_seeds_are_its_categories_in_the_vocabulary():
    from cyberdiscourse.lexicon import load_lexicon

    seeds = tp.lexicon_seeds(load_lexicon())
    assert "网络主权" in seeds["sovereignty"] and "数据安全" in seeds["security"]
    dtm = dtm_from([["网络主权", "合作"], ["网络主权", "发展"]])
    assert tp.lexicon_seeds(load_lexicon(), dtm) == {"sovereignty": ["网络主权"]}


def test_seeded_topics_on_the_seed_corpus_anchor_the_lexicon(seed_corpus):
    from cyberdiscourse.lexicon import load_lexicon
    from cyberdiscourse.tokens import tokenize

    dtm = tp.build_dtm(tokenize(seed_corpus.paragraphs, load_lexicon()), min_df=2, max_df=0.5)
    seeds = tp.lexicon_seeds(load_lexicon(), dtm)
    model, labels = tp.fit_seeded_topics(dtm, seeds, extra_topics=2, random_state=0)
    vocab = list(dtm.vocab)
    anchored = [
        int(np.argmax(model.topic_term[:, vocab.index(w)])) == t
        for t, words in enumerate(seeds.values())
        for w in words
    ]
    assert sum(anchored) >= 0.8 * len(anchored)  # measured: 22 of 25
    security = list(seeds).index("security")
    assert {"打击", "网络犯罪"} <= set(model.top_terms(8)[security])


def test_estimate_effect_contrasts_groups_of_a_categorical_covariate():
    """Issuer A's works carry 0.25 more of topic "up" than issuer B's, at every date."""
    rng = np.random.default_rng(11)
    vocab = {name: [f"{name}{i}" for i in range(12)] for name in ("up", "flat", "rest")}
    docs, work_ids, works = [], [], []
    for y in range(2000, 2020):
        for issuer, up in (("A", 0.45), ("B", 0.2)):
            share = np.array([up, 0.3, 0.7 - up])
            for _ in range(15):
                topics = rng.choice(3, size=100, p=rng.dirichlet(4 * share))
                docs.append([str(rng.choice(list(vocab.values())[t])) for t in topics])
                work_ids.append(f"w{y}{issuer}")
            works.append((f"w{y}{issuer}", f"{y}-07-01", True, issuer))
    dtm = dtm_from(docs)
    dtm.work_id = np.array(work_ids)
    works = pd.DataFrame(works, columns=["work_id", "date", "include", "issuer"])
    models = [tp.fit_topics(dtm, 3, random_state=s) for s in (0, 1)]
    up = int(np.argmax([r[list(dtm.vocab).index("up0")] for r in models[0].topic_term])) + 1
    eff = tp.estimate_effect(
        models[0], dtm, works, models=models[1:], covariates=["issuer"], df=1, n_draws=600
    )
    diff = eff[(eff["kind"] == "difference") & (eff["topic"] == up)].iloc[0]
    assert diff["group"] == "issuer: B - A"
    assert diff["ci_low"] <= -0.25 <= diff["ci_high"] and diff["ci_high"] < 0
    change = eff[(eff["kind"] == "change") & (eff["topic"] == up)].iloc[0]
    assert change["ci_low"] <= 0 <= change["ci_high"]  # no trend was planted
    levels = eff[(eff["kind"] == "level") & (eff["topic"] == up)]
    assert levels["group"].tolist() == ["issuer=A", "issuer=B"]
    ax = tp.textplot_contrasts(eff, {up: "up"})
    assert len(ax.get_yticklabels()) == 6  # three topics x (change, one difference)
    assert any(t.get_text() == "up  (issuer: B - A)" for t in ax.get_yticklabels())


def test_prevalence_by_week_and_effects_labelled_by_the_dates_of_a_crawled_month():
    import matplotlib.pyplot as plt

    dtm, works = planted_trend()
    days = [f"2023-01-{d:02d}" for d in range(1, 21)]  # the 20 works on 20 days of January
    works = works.assign(date=days)
    model = tp.fit_topics(dtm, 3, random_state=0)
    prev = tp.textstat_prevalence(model, dtm, works, by="week", n_boot=50)
    assert sorted(prev["week"].unique()) == ["2022-12-26", "2023-01-02", "2023-01-09", "2023-01-16"]
    assert prev.groupby("week")["n_paragraphs"].first().tolist() == [30, 210, 210, 150]
    eff = tp.estimate_effect(model, dtm, works, df=1, n_draws=100)
    ax = tp.textplot_contrasts(eff)
    assert all("(change)" in t.get_text() for t in ax.get_yticklabels())
    assert "change 2023-01-01 → 2023-01-20" in ax.figure._cyberdiscourse_caption.what
    axes = tp.textplot_effects(eff)
    assert "change 2023-01-01 → 2023-01-20" in axes.flat[0].figure._cyberdiscourse_caption.what
    plt.close("all")
