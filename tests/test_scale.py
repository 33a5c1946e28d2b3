"""Scale-aware choices: on a generated corpus of many works, figures group, cap their panels
and rows, and tables show their first rows with the count of the rest."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import make_data_dir

from cyberdiscourse import concepts as cc
from cyberdiscourse import frequency as fq
from cyberdiscourse import overview
from cyberdiscourse import reuse as ru
from cyberdiscourse import topics as tp
from cyberdiscourse.notebook import SHOW_ROWS, setup_notebook

matplotlib.use("Agg")
N_WORKS = 400


@pytest.fixture(scope="module")
def many_works():
    """400 works over 40 years (1985-2024), ten a year."""
    rng = np.random.default_rng(0)
    years = np.repeat(np.arange(1985, 2025), N_WORKS // 40)
    return pd.DataFrame(
        {
            "work_id": [f"w{i:04d}" for i in range(N_WORKS)],
            "date": [f"{y}-{rng.integers(1, 13):02d}-15" for y in years],
            "date_precision": "day",
            "genre": rng.choice(["speech", "white paper", "law"], N_WORKS),
            "include": True,
            "n_chars_zh": rng.integers(1_000, 20_000, N_WORKS),
            "n_chars_en": 0,
        }
    )


def visible_panels(fig) -> int:
    return sum(ax.get_visible() and ax.get_label() != "<colorbar>" for ax in fig.axes)


def test_grouping_follows_the_number_of_works_and_years(many_works):
    assert overview.grouping_for(many_works.head(30)) == "work_id"
    assert overview.grouping_for(many_works.head(250)) == "year"  # 25 years
    assert overview.grouping_for(many_works) == "five_years"  # 40 years
    groups = overview.group_of(many_works, "five_years")
    assert groups.nunique() == 8 and groups.iloc[0] == "1985–1989"


def test_composition_and_timeline_of_many_works_stay_readable(many_works):
    composition = overview.textstat_composition(many_works.assign(label=many_works["work_id"]))
    assert len(composition) == 8  # five-year periods, not 400 bars
    assert composition["n_works"].sum() == N_WORKS
    assert composition["n_chars_zh"].sum() == many_works["n_chars_zh"].sum()
    zh, _ = overview.textplot_composition(composition)
    assert len(zh.patches) == 8
    ax = overview.textplot_timeline(many_works.assign(label="x"))
    assert len(ax.texts) == 0 and len(ax.patches) == 40  # works per year, no labels
    plt.close("all")


def test_small_multiples_are_capped(many_works):
    freq = pd.DataFrame(
        {
            "group": np.repeat([str(y) for y in range(1985, 2025)], 3),
            "term": ["网络", "安全", "发展"] * 40,
            "per_10k_tokens": np.tile([30.0, 20.0, 10.0], 40),
        }
    )
    axes = fq.textplot_terms_by_group(freq, "group", n=3)
    assert visible_panels(axes.flat[0].figure) == fq.MAX_PANELS
    stats = pd.DataFrame(
        [
            {"concept_id": f"c{i}", "label": f"concept {i}", "work_id": w, "date": d,
             "count": 1, "from_rules": 0, "per_10k_chars": 1.0, "ci_low": 0.5, "ci_high": 2.0}
            for i in range(20)
            for w, d in zip(many_works["work_id"][:5], many_works["date"][:5])
        ]
    )  # fmt: skip
    axes = cc.textplot_timeline(stats)
    assert visible_panels(axes.flat[0].figure) == cc.MAX_PANELS
    plt.close("all")


def test_per_work_figures_cap_their_rows_columns_and_labels(many_works):
    disp = pd.DataFrame({"work_id": np.repeat(many_works["work_id"], 2), "relative_position": 0.5})
    ax = cc.textplot_dispersion(disp, list(many_works["work_id"]))
    assert len(ax.get_yticks()) == cc.MAX_ROWS
    years = pd.DataFrame(
        [{"year": str(y), "date": str(y), "concept_id": "c", "label": "c", "count": 1,
          "per_10k_chars": float(y - 1900)} for y in range(1900, 2025)]
    )  # fmt: skip
    ax = cc.textplot_heatmap(years)
    image = ax.images[0].get_array()
    assert image.shape == (1, 80)  # the latest 80 years
    assert len(ax.get_xticklabels()) <= 30
    prev = pd.DataFrame(
        {"work_id": np.tile(many_works["work_id"], 2), "date": np.tile(many_works["date"], 2),
         "topic": np.repeat([1, 2], N_WORKS), "share": 0.5, "ci_low": 0.4, "ci_high": 0.6}
    )  # fmt: skip
    axes = tp.textplot_prevalence(prev, max_points=60)
    assert all(len(a.lines[0].get_xdata()) == 60 for a in axes.flat if a.get_visible())
    plt.close("all")


def test_the_reuse_graph_draws_its_strongest_links_and_flows_sum_groups(many_works):
    graph = nx.DiGraph()
    for w, d in zip(many_works["work_id"], many_works["date"]):
        graph.add_node(w, date=d)
    for i in range(1, 200):
        graph.add_edge("w0000", f"w{i:04d}", passages=1, chars=i)
    ax = ru.textplot_reuse(graph, max_edges=25)
    assert "the 25 strongest of 199 links drawn" in ax.figure._cyberdiscourse_caption.note
    reused = pd.DataFrame(
        {"source_work": "w0000", "target_work": [f"w{i:04d}" for i in range(1, 200)],
         "n_chars": 30, "direction": "earlier to later"}
    )  # fmt: skip
    flows = ru.textstat_reuse_flows(reused, many_works, "five_years")
    assert flows["passages"].sum() == 199 and flows["chars"].sum() == 199 * 30
    assert set(flows["source_group"]) == {"1985–1989"}
    ax = ru.textplot_reuse_flows(flows)
    assert ax.images[0].get_array().shape == (4, 4)  # w0000-w0199 are 1985-2004
    plt.close("all")


def test_tables_show_their_first_rows_and_write_the_rest(tmp_path, capsys, many_works):
    nb = setup_notebook("99_scale", figures_dir=tmp_path)
    shown = nb.table(many_works.assign(x=1 / 3), "works")
    assert len(shown) == SHOW_ROWS and shown["x"].iloc[0] == 0.333
    assert f"{SHOW_ROWS} of 400 rows shown" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "99_scale" / "tables" / "works.csv")) == N_WORKS


@pytest.mark.slow
def test_notebook_01_groups_a_corpus_of_many_works(tmp_path):
    from cyberdiscourse.report import make_reports

    n = 80
    files = {
        f"{i:03d}.txt": (
            f"关于网络空间治理的第{i}号文件\n"
            "各国应当尊重网络主权，推动构建网络空间命运共同体。"
            f"这是第{i}份文件的正文，讨论数字经济与数据安全。\n"
        ).encode()
        for i in range(n)
    }
    works = "".join(
        f"w{i:03d},文件{i},Document {i},{1990 + i // 2}-03-01,State Council,notice,true,,\n"
        for i in range(n)
    )
    captures = "".join(f"{i:03d}.txt,w{i:03d},,,\n" for i in range(n))
    data = make_data_dir(tmp_path, files, works, captures)
    figures = tmp_path / "figures"
    (html,) = make_reports(
        reports_dir=tmp_path / "reports",
        parameters={"data_dir": str(data), "figures_dir": str(figures)},
        only=["01"],
    )
    composition = pd.read_csv(figures / "01_corpus_overview" / "corpus_composition.csv")
    assert composition["grouping"].iloc[0] == "five_years"  # 80 works over 40 years
    assert len(composition) == 8 and composition["n_works"].sum() == n
    text = html.read_text(encoding="utf-8")
    assert f"{SHOW_ROWS} of {n} rows shown" in text
    works_csv = pd.read_csv(figures / "01_corpus_overview" / "tables" / "works.csv")
    assert len(works_csv) == n


def test_formulation_adoption_of_many_works_is_drawn_per_year(many_works):
    from cyberdiscourse import formulations as fm

    timeline = pd.DataFrame(
        {"formulation": "网络主权", "work_id": many_works["work_id"], "date": many_works["date"],
         "issuer": "", "count": 1}
    )  # fmt: skip
    ax = fm.textplot_formulations(timeline, max_points=40)
    hollow, filled = ax.collections[1], ax.collections[0]
    assert len(filled.get_offsets()) + len(hollow.get_offsets()) == 40  # one dot a year
    assert ax.get_xlabel() == "year of the works"
    plt.close("all")


def test_the_rate_axis_follows_the_rates_not_the_intervals_of_near_empty_years():
    years = range(1950, 2025)
    stats = pd.DataFrame(
        [{"concept_id": "c", "label": "网络主权", "year": y, "date": str(y),
          "count": int(y >= 2015), "from_rules": 0,
          "per_10k_chars": 0.1 if y >= 2015 else 0.0, "ci_low": 0.0,
          "ci_high": 0.12 if y >= 2015 else 50.0} for y in years]
    )  # fmt: skip
    (ax,) = cc.textplot_timeline(stats, ["c"]).flat
    assert ax.get_ylim() == pytest.approx((0.0, 0.135))  # 1.35 x the highest rate, not 50
    marks = [ln for ln in ax.lines if ln.get_marker() == r"$\uparrow$"]
    assert not marks  # the intervals past the top are of years without a mention: cut, counted
    note = ax.figure._cyberdiscourse_caption.note
    assert "65 intervals of years without a mention run past the top" in note
    plt.close("all")


def test_capped_panels_keep_the_fullest_groups_and_name_the_rest():
    groups = [f"{y}–{y + 4}" for y in range(1945, 2025, 5)]  # 16 five-year periods
    freq = pd.DataFrame(
        {
            "group": np.repeat(groups, 2),
            "term": ["网络", "安全"] * len(groups),
            "count": np.repeat([1] * 4 + [100] * 12, 2),  # the earliest periods hold little
            "per_10k_tokens": 10.0,
        }
    )
    axes = fq.textplot_terms_by_group(freq, "group", n=2)
    titles = [ax.get_title(loc="left") or ax.get_title() for ax in axes.flat if ax.get_visible()]
    assert len(titles) == fq.MAX_PANELS == 12
    assert titles[0] == "1965–1969" and titles[-1] == "2020–2024"
    note = axes.flat[0].figure._cyberdiscourse_caption.note
    assert note == (
        "4 smallest groups not drawn (1945–1949, 1950–1954, 1955–1959, 1960–1964; all in the CSV)"
    )
    plt.close("all")


def test_the_network_keeps_every_concept_that_occurs():
    from cyberdiscourse.lexicon import load_lexicon

    lexicon = load_lexicon()
    boiler = ["应当", "规定", "依法", "管理", "部门"]
    rows = [boiler] * 300 + [["网络主权", "尊重", "各国"]] * 3 + [["人类命运共同体"]]
    tokens = pd.DataFrame({"lang": "zh", "work_id": "w", "tokens": rows})
    graph = cc.cooccurrence_network(tokens, lexicon, top_terms=7, min_count=2, max_edges=4)
    concepts = {x for x, k in graph.nodes(data="kind") if k == "concept"}
    assert (
        concepts == {"Cyber sovereignty", "Community with a shared future for mankind"}
        or len(concepts) == 2
    )
    sovereignty = next(x for x in concepts if graph.degree(x) > 0)
    assert {"尊重", "各国"} <= set(graph.neighbors(sovereignty))
    assert "each concept's 3 strongest" in graph.graph["pruning"]
    plt.close("all")


def test_the_ledger_figure_counts_blank_lines_in_its_caption():
    ledger = pd.DataFrame(
        {"reason": ["blank", "site_furniture", "watermark"], "lines": [157_000, 120, 40],
         "share_of_raw_lines": [0.9, 0.001, 0.0003]}
    )  # fmt: skip
    ax = overview.textplot_ledger(ledger)
    assert len(ax.patches) == 2 and ax.get_xlim()[1] == pytest.approx(144)
    assert ax.figure._cyberdiscourse_caption.note.endswith("; 157,000 blank lines not drawn")
    plt.close("all")


def test_the_topic_heatmap_says_which_years_it_leaves_out():
    prev = pd.DataFrame(
        {"year": np.repeat(range(1950, 2025), 2),
         "date": np.repeat([str(y) for y in range(1950, 2025)], 2),
         "topic": np.tile([0, 1], 75), "share": 0.5}
    )  # fmt: skip
    ax = tp.textplot_topic_heatmap(prev, max_rows=40)
    assert ax.images[0].get_array().shape == (40, 2)
    note = ax.figure._cyberdiscourse_caption.note
    assert note == "the latest 40 of 75 years drawn; 1950 to 1984 left out (all in the CSV)"
    plt.close("all")


def test_a_crawl_of_one_month_is_drawn_by_day_with_its_outliers_counted():
    rng = np.random.default_rng(1)
    days = [f"2023-01-{d:02d}" for d in rng.integers(1, 32, 500)] + ["2016-03-01", "2025-03-21"]
    works = pd.DataFrame(
        {"work_id": [f"w{i}" for i in range(len(days))], "date": days, "date_precision": "day",
         "label": "x"}
    )  # fmt: skip
    works = pd.concat([works, works.head(3).assign(date="", work_id=["u1", "u2", "u3"])])
    ax = overview.textplot_timeline(works)
    assert ax.get_ylabel() == "works per day"
    assert sum(p.get_height() for p in ax.patches) == 500
    note = ax.figure._cyberdiscourse_caption.note
    assert note == "3 undated works not shown; 2 works dated outside 2023-01-01 to 2023-01-31"
    plt.close("all")
