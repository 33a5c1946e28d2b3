"""Concept counts, first use, KWIC, dispersion, networks and translation variants."""

from __future__ import annotations

import shutil

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import GWR, REPO, make_data_dir, needs_gwr

from cyberdiscourse import concepts as cc
from cyberdiscourse.corpus import build_corpus
from cyberdiscourse.curate import import_tsv
from cyberdiscourse.lexicon import load_lexicon
from cyberdiscourse.normalise import normalise_line
from cyberdiscourse.readers import read_raw


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def seed_stats(seed_corpus, lexicon):
    return cc.textstat_concepts(seed_corpus.paragraphs, seed_corpus.works, lexicon, n_boot=500)


def work_text(corpus, work_id):
    p = corpus.paragraphs
    return "\n".join(p[(p["work_id"] == work_id) & (p["lang"] == "zh")]["text"])


def test_counts_equal_plain_substring_counts_of_each_works_clean_text(seed_corpus, seed_stats):
    s = seed_stats.set_index(["work_id", "concept_id"])
    for work_id in seed_corpus.works[seed_corpus.works["include"]]["work_id"]:
        text = work_text(seed_corpus, work_id)
        row = s.loc[work_id]
        # forms as plain substrings; the wording rules add to them (tests/test_matching.py)
        assert row.loc["cyber_sovereignty", "from_forms"] == text.count("网络主权") + text.count(
            "网络空间主权"
        )
        sov = row.loc["cyber_sovereignty"]
        assert sov["count"] == sov["from_forms"] + sov["from_rules"]
        # The umbrella counts every 命运共同体; its own count excludes the nested forms.
        assert row.loc["community_shared_future", "count"] == text.count("命运共同体")
        assert row.loc["community_shared_future", "own_count"] == (
            text.count("命运共同体")
            - text.count("网络空间命运共同体")
            - text.count("人类命运共同体")
        )
        assert row.loc["cyber_community_shared_future", "count"] == text.count("网络空间命运共同体")
        assert row.loc["human_community_shared_future", "count"] == text.count("人类命运共同体")
        assert row.loc["critical_information_infrastructure", "count"] == text.count(
            "关键信息基础设施"
        )
    assert s.loc[("scio-white-paper-2022", "community_shared_future"), "count"] == 36
    # 2016: 网络主权 twice, and 尊重信息网络空间国家主权 (near rule) once
    assert s.loc[("cn-ru-joint-statement-2016", "cyber_sovereignty"), "count"] == 3


def test_nesting_and_umbrella_semantics(lexicon):
    text = "携手构建网络空间命运共同体,推动构建人类命运共同体,命运共同体理念深入人心。"
    paragraphs = pd.DataFrame(
        {
            "work_id": ["w"],
            "para_id": ["w:1"],
            "lang": ["zh"],
            "text": [text],
            "source_file": ["f.txt"],
            "line_no": [1],
            "position": [1],
        }
    )
    hits = cc.concept_hits(paragraphs, lexicon)
    assert hits["form"].tolist() == ["网络空间命运共同体", "人类命运共同体", "命运共同体"]
    assert "cyberspace" not in set(hits["concept_id"])  # 网络空间 inside the longer form
    works = pd.DataFrame({"work_id": ["w"], "date": ["2020"], "include": [True]})
    s = cc.textstat_concepts(paragraphs, works, lexicon, n_boot=10).set_index("concept_id")
    assert s.loc["community_shared_future", ["count", "own_count"]].tolist() == [3, 1]
    assert s.loc["cyber_community_shared_future", "count"] == 1
    assert s.loc["community_shared_future", "per_10k_chars"] == pytest.approx(
        3 / sum("\u4e00" <= ch <= "\u9fff" for ch in text) * 10_000
    )


def test_bootstrap_interval_contains_the_estimate_and_shrinks_with_more_paragraphs(lexicon):
    rng = np.random.default_rng(0)
    base = [
        "各国应尊重网络主权。",
        "共同维护网络空间和平与安全。",
        "推动数字经济发展。",
        "加强国际合作。",
    ]

    def corpus(n):
        texts = [base[i] for i in rng.integers(0, 4, n)]
        return pd.DataFrame(
            {
                "work_id": "w",
                "para_id": [f"w:{i}" for i in range(n)],
                "lang": "zh",
                "text": texts,
                "source_file": "f",
                "line_no": 1,
                "position": range(n),
            }
        )

    works = pd.DataFrame({"work_id": ["w"], "date": ["2020"], "include": [True]})
    widths = []
    for n in (20, 500):
        s = cc.textstat_concepts(
            corpus(n), works, lexicon, concepts=["cyber_sovereignty"], n_boot=800
        ).iloc[0]
        assert s["ci_low"] <= s["per_10k_chars"] <= s["ci_high"]
        widths.append(s["ci_high"] - s["ci_low"])
    assert widths[1] < widths[0] / 2


def test_intervals_contain_estimates_on_the_seed_corpus(seed_stats):
    s = seed_stats
    assert (
        (s["ci_low"] <= s["per_10k_chars"] + 1e-9) & (s["per_10k_chars"] <= s["ci_high"] + 1e-9)
    ).all()


def test_by_year_pools_works(seed_corpus, lexicon):
    y = cc.textstat_concepts(
        seed_corpus.paragraphs,
        seed_corpus.works,
        lexicon,
        by="year",
        concepts=["cyber_sovereignty"],
        n_boot=50,
    )
    assert y["year"].tolist() == ["2016", "2017", "2019", "2020", "2022", "2024"]
    # forms [2, 2, 1, 2, 6, 0] plus the wording rules, read in the KWIC lines by hand:
    # 2016 信息网络空间国家主权, 2017 网络空间的主权, 2022 主权在网络空间, 网络空间的国家主权 and
    # two 主权平等原则…适用于网络空间, 2024 主权原则应适用于网络空间
    assert y["count"].tolist() == [3, 3, 1, 2, 10, 1]
    assert y["from_rules"].tolist() == [1, 1, 0, 0, 4, 1]


def test_a_crawled_month_pools_by_day_and_draws_on_a_day_axis(seed_corpus, lexicon):
    import matplotlib.pyplot as plt

    works = seed_corpus.works.copy()
    dated = works["date"] != ""
    works.loc[dated, "date"] = [f"2023-01-{3 * i + 2:02d}" for i in range(int(dated.sum()))]
    by_work = cc.textstat_concepts(
        seed_corpus.paragraphs, works, lexicon, concepts=["cyber_sovereignty"], n_boot=20
    )
    by_week = cc.textstat_concepts(
        seed_corpus.paragraphs,
        works,
        lexicon,
        by="week",
        concepts=["cyber_sovereignty"],
        n_boot=20,
    )
    assert by_week["week"].tolist() == ["2023-01-02", "2023-01-09", "2023-01-16"]
    assert by_week["count"].sum() == by_work["count"].sum() == 20  # pooled, nothing lost
    (ax,) = cc.textplot_timeline(by_week, ["cyber_sovereignty"]).flat
    import matplotlib.dates as mdates

    x = np.concatenate([mdates.date2num(line.get_xdata()) for line in ax.lines])
    days = sorted({str(d.date()) for d in mdates.num2date(x)})
    assert days == ["2023-01-05", "2023-01-12", "2023-01-19"]  # the Thursday of each week
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert len(set(ticks)) == len(ticks) > 2  # days of January, not "2023" at every tick
    plt.close("all")


def test_first_use_on_the_seed_corpus(seed_corpus, lexicon):
    f = cc.textstat_first_use(seed_corpus.paragraphs, seed_corpus.works, lexicon).set_index(
        "concept_id"
    )
    assert f.loc["cyber_sovereignty", ["first_date", "first_work", "source"]].tolist() == [
        "2016-06-25",
        "cn-ru-joint-statement-2016",
        "003_9bf46ce2aec8518c.txt:24",
    ]
    assert f.loc["cyber_sovereignty", "form"] == "信息网络空间国家主权"  # a near-rule mention
    assert f.loc["cyber_sovereignty", "sentence"].startswith("我们一贯恪守尊重信息网络空间国家主权")
    # The Preamble's quotation of Xi Jinping (2015) in the 2017 strategy.
    assert f.loc["cyber_community_shared_future", ["first_date", "source"]].tolist() == [
        "2017-03-01",
        "004_e9e04761fada368c.txt:400",
    ]
    assert f.loc["human_community_shared_future", ["first_date", "source"]].tolist() == [
        "2017-03-01",
        "004_e9e04761fada368c.txt:489",
    ]
    assert f.loc["cyber_sovereignty", "n_works"] == 6


def test_kwic_lines_point_at_the_raw_file_and_line(seed_corpus, lexicon):
    lines = cc.kwic(seed_corpus.paragraphs, seed_corpus.works, "网络主权", lexicon)
    assert len(lines) == 20  # 13 forms and 7 rule matches
    assert lines["rule"].str.startswith("form ").sum() == 13
    assert lines["date"].is_monotonic_increasing
    raw = {}
    for row in lines.itertuples():
        name, line = row.source.rsplit(":", 1)
        raw.setdefault(name, read_raw(REPO / "data" / "raw" / name).lines)
        original = normalise_line(raw[name][int(line) - 1])
        assert row.match in original and row.context in original
    short = cc.kwic(seed_corpus.paragraphs, seed_corpus.works, "网络主权", lexicon, chars=5)
    assert all(len(x) <= 5 for x in short["left"]) and all(len(x) <= 5 for x in short["right"])
    literal = cc.kwic(seed_corpus.paragraphs, seed_corpus.works, "乌镇", lexicon)
    assert len(literal) >= 2 and set(literal["match"]) == {"乌镇"}


def test_dispersion_positions(seed_corpus, lexicon):
    d = cc.dispersion(
        seed_corpus.paragraphs,
        cc.term_hits(seed_corpus.paragraphs, "community_shared_future", lexicon),
    )
    assert d["relative_position"].between(0, 1).all()
    assert (d["work_id"] == "scio-white-paper-2022").sum() == 36


def test_cooccurrence_network_and_graphml(tmp_path, lexicon):
    tokens = pd.DataFrame(
        {
            "lang": "zh",
            "tokens": [["网络主权", "尊重", "各国"]] * 4
            + [["网络主权", "尊重"]] * 2
            + [["合作", "发展"]] * 6,
        }
    )
    g = cc.cooccurrence_network(tokens, lexicon, top_terms=5, min_count=3)
    label = "cyber sovereignty 网络主权"
    assert g.nodes[label]["kind"] == "concept" and g.nodes[label]["paragraphs"] == 6
    assert g.edges[label, "尊重"]["count"] == 6
    assert g.edges[label, "尊重"]["pmi"] == pytest.approx(np.log2(6 * 12 / (6 * 6)))
    assert not g.has_edge("合作", label)
    path = tmp_path / "net.graphml"
    cc.write_graphml(g, path)
    back = nx.read_graphml(path)
    assert set(back.nodes) == set(g.nodes) and "网络主权" in path.read_text(encoding="utf-8")


def test_translation_variants_on_the_seed_corpus(seed_corpus, lexicon):
    variants, unmatched = cc.translation_variants(
        seed_corpus.paragraphs, seed_corpus.aligned_pairs, seed_corpus.works, lexicon
    )
    cs = variants[variants["concept_id"] == "cyber_sovereignty"]
    # checked by hand: 2016 lines 24 and 36, 2017 line 417 (明确网络空间的主权: "Specifying
    # sovereignty in cyberspace"), 2019 line 22
    assert cs[["work_id", "rendering"]].values.tolist() == [
        ["cn-ru-joint-statement-2016", "sovereignty in information space"],
        ["cn-ru-joint-statement-2016", "sovereignty in information space"],
        ["intl-strategy-cyberspace-2017", "sovereignty in cyberspace"],
        ["wic-concept-2019", "sovereignty in cyberspace"],
    ]
    table = cc.textstat_renderings(variants)
    assert table["count"].sum() == len(variants)
    assert {"zh", "en"} <= set(unmatched.columns) and len(unmatched) > 0
    for row in unmatched.itertuples():
        forms = lexicon.forms_of(row.concept_id)
        assert any(f in row.zh for f in forms)


def test_unknown_rendering_is_listed_for_the_lexicon(tmp_path, lexicon):
    files = {
        "a.txt": (
            "声明\n各国应尊重网络主权。Every state's digital self-rule must be respected by "
            "all others.\n"
        ).encode()
    }
    data = make_data_dir(tmp_path, files, "a-2021,声明,A,2021,,,true,,\n", "a.txt,a-2021,,,\n")
    c = build_corpus(data)
    variants, unmatched = cc.translation_variants(c.paragraphs, c.aligned_pairs, c.works, lexicon)
    assert variants.empty
    assert unmatched[["concept_id", "zh"]].values.tolist() == [
        ["cyber_sovereignty", "各国应尊重网络主权。"]
    ]
    assert "digital self-rule" in unmatched["en"].iloc[0]


@needs_gwr
def test_government_work_reports_through_the_data_dir_route(tmp_path, lexicon):
    """External check: 人类命运共同体 once in 2017 and twice in 2018-2022; 网络主权 never."""
    data = tmp_path / "gwr"
    ids = import_tsv(
        data, GWR, title="{year}年政府工作报告", genre="government work report", id_prefix="gwr"
    )
    assert len(ids) == 53
    corpus = build_corpus(data)
    # Every report line gives text; the only discards are the news agency's datelines that
    # open the 2019 and 2020 reports (cut, the report kept) and passages that the source
    # itself repeats inside the 1959 and 1991 reports, kept once; all partial discards.
    d = corpus.discarded
    assert d["partial"].all() and set(d["reason"]) == {"duplicate", "news_lead"}
    leads = d[d["reason"] == "news_lead"]
    assert leads["text"].tolist() == ["新华社北京3月16日电", "新华社北京5月29日电"]
    assert leads["source_file"].str.endswith(("_2019.txt", "_2020.txt")).all()
    d = d[d["reason"] == "duplicate"]
    assert set(d["source_file"]) == {
        "gov_work_reports_1954-2022_1959.txt",
        "gov_work_reports_1954-2022_1991.txt",
    }
    for name, texts in d.groupby("source_file")["text"]:
        raw = normalise_line((data / "raw" / name).read_text(encoding="utf-8"))
        assert all(raw.count(t[:40].strip()) == 2 for t in texts)
    s = cc.textstat_concepts(
        corpus.paragraphs,
        corpus.works,
        lexicon,
        by="year",
        n_boot=20,
        concepts=["human_community_shared_future", "cyber_sovereignty"],
    )
    human = s[s["concept_id"] == "human_community_shared_future"].set_index("year")["count"]
    assert human[human > 0].to_dict() == {
        "2017": 1,
        "2018": 2,
        "2019": 2,
        "2020": 2,
        "2021": 2,
        "2022": 2,
    }
    assert s[s["concept_id"] == "cyber_sovereignty"]["count"].sum() == 0


def test_network_is_the_same_whatever_the_string_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    script = (
        "import pandas as pd\n"
        "from cyberdiscourse import concepts as cc\n"
        "from cyberdiscourse.lexicon import load_lexicon\n"
        "toks = pd.DataFrame({'lang': 'zh', 'tokens': [['网络主权', '尊重', '各国', '合作'],"
        " ['网络主权', '尊重', '发展'], ['合作', '发展', '各国']] * 4})\n"
        "g = cc.cooccurrence_network(toks, load_lexicon(), top_terms=5, min_count=2)\n"
        "print(list(g.nodes), list(g.edges))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and "网络主权" in outputs.pop()


# ------------------------------------------------------------------ honest intervals


def test_exact_poisson_interval_has_its_defining_coverage():
    """Checked with scipy's Poisson distribution, not the chi-square the code uses:
    P(X >= k | low) = P(X <= k | high) = 2.5%."""
    from scipy.stats import poisson

    counts = np.array([0, 1, 2, 3, 10, 36])
    low, high = cc.poisson_interval(counts, 10_000, ci=0.95)  # exposure 10,000: rates = counts
    for k, lo, hi in zip(counts, low, high):
        assert poisson.cdf(k, hi) == pytest.approx(0.025, abs=1e-9)
        if k == 0:
            assert lo == 0 and hi == pytest.approx(-np.log(0.025))  # 3.689, not 0
        else:
            assert poisson.sf(k - 1, lo) == pytest.approx(0.025, abs=1e-9)


def test_intervals_are_meaningful_at_zero_on_the_seed_corpus(seed_stats):
    zero = seed_stats[seed_stats["count"] == 0]
    assert len(zero) > 20  # the cells that used to read [0, 0]
    assert (zero["ci_low"] == 0).all() and (zero["ci_high"] > 0).all()
    assert set(seed_stats["interval"]) == {"both"}


def test_a_works_interval_does_not_depend_on_the_other_works(seed_corpus, lexicon):
    p, w = seed_corpus.paragraphs, seed_corpus.works
    one = "wic-concept-2019"
    alone_w = w[w["work_id"] == one]
    for interval in ("bootstrap", "both"):
        kw = {"n_boot": 300, "random_state": 5, "interval": interval}
        together = cc.textstat_concepts(p, w, lexicon, **kw)
        alone = cc.textstat_concepts(p[p["work_id"] == one], alone_w, lexicon, **kw)
        a = together[together["work_id"] == one].reset_index(drop=True)
        pd.testing.assert_frame_equal(a, alone.reset_index(drop=True))


def test_one_definition_of_characters_across_the_package(seed_corpus, lexicon, tmp_path):
    """per_10k_chars of 网络主权 in 2016 is the same in the term and the concept tables."""
    from cyberdiscourse import frequency as fq
    from cyberdiscourse.corpus import write_processed
    from cyberdiscourse.tokens import load_tokens

    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "raw", data / "raw")
    write_processed(seed_corpus, data / "processed")
    tokens = load_tokens(data, lexicon=lexicon)
    works = seed_corpus.works
    tokens = tokens.merge(works[["work_id", "date"]], on="work_id")
    tokens["year"] = tokens["date"].str.slice(0, 4)
    terms = fq.textstat_frequency(tokens[tokens["lang"] == "zh"], groups="year")
    term = terms[(terms["year"] == "2016") & (terms["term"] == "网络主权")].iloc[0]
    concept = cc.textstat_concepts(
        seed_corpus.paragraphs, works, lexicon, by="year", concepts=["cyber_sovereignty"]
    ).set_index("year")
    # the token 网络主权 is the form; the concept also counts a near-rule wording
    row = concept.loc["2016"]
    assert row["from_forms"] == term["count"] == 2 and row["count"] == 3
    by_forms = row["from_forms"] / row["n_chars"] * 10_000
    assert term["per_10k_chars"] == pytest.approx(by_forms)
    assert round(term["per_10k_chars"], 2) == 19.42


def test_translation_coverage_on_the_seeds_checked_by_hand(seed_corpus, lexicon):
    """网络主权 by work, read in the raw captures: 2016 lines 24 and 36 are bilingual lines
    ("sovereignty in information space" both); the 2017 strategy mentions it on lines 417
    (bilingual page 000 gives "Specifying sovereignty in cyberspace"), 427 and 430 (the
    Chinese-only MFA copy); the 2019 excerpt once, with its English; 2020, 2022 and 2024
    have no English in the corpus."""
    cov = cc.translation_coverage(
        seed_corpus.paragraphs, seed_corpus.aligned_pairs, seed_corpus.works, lexicon
    )
    sov = cov[cov["concept_id"] == "cyber_sovereignty"].set_index("work_id")
    columns = ["zh_paragraphs", "aligned", "known_rendering", "no_known_rendering"]
    assert sov.loc["cn-ru-joint-statement-2016", columns].tolist() == [2, 2, 2, 0]
    assert sov.loc["intl-strategy-cyberspace-2017", columns].tolist() == [3, 1, 1, 0]
    assert sov.loc["wic-concept-2019", columns].tolist() == [1, 1, 1, 0]
    for work in ["wic-action-initiative-2020", "scio-white-paper-2022", "position-intl-rules-2024"]:
        assert sov.loc[work, "aligned"] == 0
    assert sov["zh_paragraphs"].sum() == 14 and sov["aligned"].sum() == 4
    assert (cov["aligned"] == cov["known_rendering"] + cov["no_known_rendering"]).all()
    assert (cov["aligned"] <= cov["zh_paragraphs"]).all()
    # the paragraphs counted are those concept_hits finds, one per (concept, paragraph)
    hits = cc.concept_hits(seed_corpus.paragraphs, lexicon)
    expected = hits[hits["concept_id"] == "cyber_sovereignty"]["para_id"].nunique()
    assert sov["zh_paragraphs"].sum() == expected
