"""Wordfish and Wordscores: planted positions recovered, signs fixed by the user, the
estimating equations and standard errors against statsmodels' Poisson GLM, Wordscores
against a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.stats import spearmanr

from cyberdiscourse import scaling
from cyberdiscourse.scaling import WorkTermMatrix, textmodel_wordfish, textmodel_wordscores


def planted(n_works: int = 50, n_terms: int = 400, *, seed: int = 3):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n_works)
    theta = (theta - theta.mean()) / theta.std()
    beta = rng.normal(0, 0.6, n_terms)
    psi = rng.normal(1.0, 1.0, n_terms)
    alpha = rng.normal(0, 0.3, n_works)
    Y = rng.poisson(np.exp(alpha[:, None] + psi[None, :] + beta[None, :] * theta[:, None]))
    ids = np.array([f"w{i:02d}" for i in range(n_works)])
    dtm = WorkTermMatrix(sparse.csr_matrix(Y), ids, np.array([f"t{j}" for j in range(n_terms)]))
    return dtm, theta, (ids[np.argmin(theta)], ids[np.argmax(theta)])


def test_wordfish_recovers_planted_positions_and_its_intervals_cover_them():
    dtm, truth, direction = planted()
    model = textmodel_wordfish(dtm, direction=direction)
    assert model.converged
    assert spearmanr(model.theta, truth)[0] >= 0.95
    covered = np.mean((model.ci_low <= truth) & (truth <= model.ci_high))
    assert 0.85 <= covered <= 1.0  # nominal 0.95 over 50 works
    assert model.theta.mean() == pytest.approx(0, abs=1e-9)
    assert model.theta.std() == pytest.approx(1, abs=1e-9)


def test_the_bootstrap_intervals_cover_the_planted_positions():
    dtm, truth, direction = planted(n_works=30, seed=5)
    model = textmodel_wordfish(dtm, direction=direction, se="bootstrap", n_boot=60)
    assert model.boot_theta.shape == (60, 30)
    covered = np.mean((model.ci_low <= truth) & (truth <= model.ci_high))
    assert 0.8 <= covered <= 1.0


def test_the_sign_follows_the_pair_of_works_the_user_names():
    dtm, truth, (low, high) = planted(n_works=20)
    one = textmodel_wordfish(dtm, direction=(low, high))
    other = textmodel_wordfish(dtm, direction=(high, low))
    ids = list(dtm.work_id)
    assert one.theta[ids.index(low)] < one.theta[ids.index(high)]
    assert other.theta[ids.index(high)] < other.theta[ids.index(low)]
    np.testing.assert_allclose(one.theta, -other.theta, atol=1e-8)
    with pytest.raises(ValueError, match="not a work"):
        textmodel_wordfish(dtm, direction=("nowhere", high))


def test_the_work_step_and_its_standard_error_match_a_poisson_glm():
    sm = pytest.importorskip("statsmodels.api")
    dtm, _, direction = planted(n_works=20, n_terms=300)
    model = textmodel_wordfish(dtm, direction=direction)
    Y = dtm.X.toarray().astype(float)
    i = 7  # one work, word parameters held at the fit: its (alpha, theta) by Newton, no prior
    a, t = scaling._newton_pairs(
        Y[i : i + 1],
        model.psi[None, :],
        model.beta[None, :],
        model.alpha[i : i + 1],
        model.theta[i : i + 1],
        axis=1,
        prior_b=0.0,
        steps=50,
    )
    glm = sm.GLM(
        Y[i],
        np.column_stack([np.ones(len(model.beta)), model.beta]),
        family=sm.families.Poisson(),
        offset=model.psi,
    ).fit()
    np.testing.assert_allclose([a[0], t[0]], glm.params, rtol=1e-6, atol=1e-8)
    mu = np.exp(a[:, None] + model.psi[None, :] + model.beta[None, :] * t[:, None])
    _se_alpha, se_theta = scaling._pair_se(mu, model.beta[None, :], axis=1, prior_b=0.0)
    assert se_theta[0] == pytest.approx(glm.bse[1], rel=1e-5)


def test_the_word_step_matches_a_poisson_glm():
    sm = pytest.importorskip("statsmodels.api")
    dtm, _, direction = planted(n_works=25, n_terms=200)
    model = textmodel_wordfish(dtm, direction=direction)
    Y = dtm.X.toarray().astype(float)
    j = 11
    p, b = scaling._newton_pairs(
        Y[:, j : j + 1],
        model.alpha[:, None],
        model.theta[:, None],
        model.psi[j : j + 1],
        model.beta[j : j + 1],
        axis=0,
        prior_b=0.0,
        steps=50,
    )
    glm = sm.GLM(
        Y[:, j],
        np.column_stack([np.ones(len(model.theta)), model.theta]),
        family=sm.families.Poisson(),
        offset=model.alpha,
    ).fit()
    np.testing.assert_allclose([p[0], b[0]], glm.params, rtol=1e-6, atol=1e-8)


def test_wordscores_by_hand():
    # R1 (-1): a a b b; R2 (+1): b b c c; V: a c c c.
    Y = sparse.csr_matrix([[2, 2, 0], [0, 2, 2], [1, 0, 3]])
    dtm = WorkTermMatrix(Y, np.array(["r1", "r2", "v"]), np.array(["a", "b", "c"]))
    model = textmodel_wordscores(dtm, {"r1": -1.0, "r2": 1.0})
    np.testing.assert_allclose(model.word_scores, [-1.0, 0.0, 1.0])
    assert model.raw[2] == pytest.approx(0.5)  # 0.25 * -1 + 0.75 * 1
    # sqrt((0.25 * 1.5**2 + 0.75 * 0.5**2) / 4)
    assert model.se[2] == pytest.approx(np.sqrt(0.75 / 4))
    assert model.raw[0] == pytest.approx(-0.5) and model.raw[1] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="two or more reference"):
        textmodel_wordscores(dtm, {"r1": -1.0})


def test_a_scale_table_carries_each_work_its_date_and_the_direction():
    dtm, _, direction = planted(n_works=6, n_terms=120)
    works = pd.DataFrame(
        {
            "work_id": dtm.work_id,
            "date": [f"20{10 + k}-01-01" for k in range(6)],
            "genre": ["law"] * 3 + ["speech"] * 3,
            "issuer": "x",
        }
    )
    table = scaling.textstat_scale(textmodel_wordfish(dtm, direction=direction), works)
    assert list(table["position"]) == sorted(table["position"])
    assert (table["ci_low"] < table["position"]).all() and (
        table["position"] < table["ci_high"]
    ).all()
    assert table.attrs["direction"] == list(direction) and table.attrs["n_works"] == 6
    assert set(table["date"]) == set(works["date"])
    ax = scaling.textplot_scale(table, order="date")
    assert len(ax.collections) + len(ax.lines) > 0


def test_a_work_without_any_counted_term_is_left_out_by_name():
    tokens = pd.DataFrame(
        {
            "work_id": ["a", "b", "c", "d"],
            "lang": ["zh"] * 4,
            "tokens": [["网络", "主权", "合作"], ["网络", "主权"], ["合作", "网络"], ["孤词"]],
        }
    )
    dtm = scaling.work_term_matrix(tokens)
    assert list(dtm.work_id) == ["a", "b", "c"] and dtm.left_out == ["d"]
    assert list(dtm.vocab) == ["主权", "合作", "网络"]


def test_each_method_names_its_scale_on_the_axis():
    Y = sparse.csr_matrix([[2, 2, 0], [0, 2, 2], [1, 0, 3]])
    dtm = WorkTermMatrix(Y, np.array(["r1", "r2", "v"]), np.array(["a", "b", "c"]))
    works = pd.DataFrame({"work_id": ["r1", "r2", "v"], "date": ["2001", "2002", "2003"]})
    table = scaling.textstat_scale(textmodel_wordscores(dtm, {"r1": -1.0, "r2": 1.0}), works)
    assert scaling.textplot_scale(table).get_xlabel() == "position (on the references' scale)"
    dtm, _, direction = planted(n_works=6, n_terms=120)
    works = pd.DataFrame({"work_id": dtm.work_id, "date": "2020"})
    table = scaling.textstat_scale(textmodel_wordfish(dtm, direction=direction), works)
    assert scaling.textplot_scale(table).get_xlabel() == "position (sd of this corpus)"
