"""Correspondence analysis against prince, and the bootstrap's stability on planted data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cyberdiscourse.correspondence import ca_coordinates, textmodel_ca, textplot_ca, textstat_ca


def test_coordinates_and_inertias_match_prince():
    prince = pytest.importorskip("prince")
    table = np.random.default_rng(0).poisson(5, (5, 12)).astype(float)
    rows, cols, inertia, _, _ = ca_coordinates(table)
    fitted = prince.CA(n_components=2, random_state=0).fit(pd.DataFrame(table))
    theirs_rows = fitted.row_coordinates(pd.DataFrame(table)).to_numpy()
    theirs_cols = fitted.column_coordinates(pd.DataFrame(table)).to_numpy()
    # Each axis is defined up to its sign.
    np.testing.assert_allclose(np.abs(rows), np.abs(theirs_rows), atol=1e-10)
    np.testing.assert_allclose(np.abs(cols), np.abs(theirs_cols), atol=1e-10)
    np.testing.assert_allclose(inertia[:2], fitted.eigenvalues_[:2], rtol=1e-10)


def planted_counts(seed: int = 1):
    """Three groups of eight works; term gN is typical of group N in every work, term
    'noise' is drawn from one work in each group at random."""
    rng = np.random.default_rng(seed)
    rows, groups = [], []
    for g in range(3):
        for _ in range(8):
            row = {f"g{k}": rng.poisson(30 if k == g else 3) for k in range(3)}
            row["common"] = rng.poisson(40)
            row["noise"] = rng.poisson(12) if rng.random() < 0.3 else 0
            rows.append(row)
            groups.append(f"group{g}")
    ids = [f"w{i:02d}" for i in range(len(rows))]
    return pd.DataFrame(rows, index=ids), pd.Series(groups, index=ids)


def test_typical_terms_hold_their_place_and_a_sporadic_one_does_not():
    counts, groups = planted_counts()
    model = textmodel_ca(counts, groups, group="period", n_boot=200, random_state=0)
    table = np.vstack([counts[groups == g].sum().to_numpy(float) for g in sorted(set(groups))])
    np.testing.assert_allclose(model.inertia, ca_coordinates(table)[2])  # not the shares
    assert model.share.sum() == pytest.approx(1.0)
    holds = model.columns.set_index("term")["holds"]
    assert (holds[["g0", "g1", "g2"]] >= 0.95).all()
    assert holds["noise"] < holds[["g0", "g1", "g2"]].min()
    # Each typical term lies nearer its own group than the other groups do.
    rows = model.rows.set_index("period")[["dim1", "dim2"]]
    for k in range(3):
        point = model.columns.set_index("term").loc[f"g{k}", ["dim1", "dim2"]].to_numpy(float)
        nearest = (rows - point).pow(2).sum(axis=1).idxmin()
        assert nearest == f"group{k}"
    table = textstat_ca(model)
    assert set(table["kind"]) == {"period", "term"} and table.attrs["n_boot"] == 200
    ax = textplot_ca(model)
    assert "inertia" in ax.get_xlabel()


def test_fewer_than_three_groups_is_refused():
    counts, groups = planted_counts()
    with pytest.raises(ValueError, match="three or more groups"):
        textmodel_ca(counts, groups.replace("group2", "group1"), n_boot=5)


def test_group_names_lose_only_the_folder_they_all_share():
    from cyberdiscourse.correspondence import _without_common_folder

    assert _without_common_folder(["laws/刑法", "laws/宪法", "laws/案例/民法典"]) == (
        ["刑法", "宪法", "案例/民法典"],
        "laws/",
    )
    assert _without_common_folder(["2016–2017", "2019–2020"]) == (["2016–2017", "2019–2020"], "")
