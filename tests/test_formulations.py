"""Formulations (提法) and text reuse: planted phrases and passages, the seeds, the CLI."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from cyberdiscourse import concepts as cc
from cyberdiscourse.cli import main
from cyberdiscourse.formulations import (
    _families,
    accept_formulation,
    enumeration_items,
    formulation_timeline,
    textstat_formulations,
)
from cyberdiscourse.lexicon import load_lexicon
from cyberdiscourse.reuse import reuse_graph, reuse_share, textstat_reuse

FIVE = "和平、安全、开放、合作、有序"
THREE = "多边、民主、透明"
FOUR = "发展共同推进、安全共同维护、治理共同参与、成果共同分享"


def filler(rng: np.random.Generator, n: int) -> str:
    """Random Han characters from a wide range: no two texts share a long run by chance."""
    return "".join(chr(c) for c in rng.integers(0x4E00, 0x8000, size=n))


def corpus(texts_by_work: dict[str, list[str]], dates: dict[str, str]):
    rows = []
    for w, texts in texts_by_work.items():
        for i, t in enumerate(texts):
            rows.append((w, f"{w}:{i:04d}", i, "zh", t, f"{w}.txt", i + 1))
    paragraphs = pd.DataFrame(
        rows, columns=["work_id", "para_id", "position", "lang", "text", "source_file", "line_no"]
    )
    works = pd.DataFrame(
        {
            "work_id": list(texts_by_work),
            "date": [dates[w] for w in texts_by_work],
            "include": True,
            "issuer": [f"issuer {i % 3}" for i in range(len(texts_by_work))],
        }
    )
    return paragraphs, works


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(7)
    passage = filler(rng, 60)
    register = filler(rng, 14)
    edited = passage[:20] + "积极" + passage[20:40] + "进一步" + passage[40:]
    docs, dates = {}, {}
    for k in range(8):
        w = f"doc-{k}"
        dates[w] = f"{2010 + k}-01-01"
        paras = [filler(rng, 80) + "。" for _ in range(4)]
        if k in (1, 3, 5, 6):
            paras[1] = (
                filler(rng, 10) + "坚持" + "开放、包容、普惠、平衡" + "的方向。" + filler(rng, 10)
            )
        if k < 7:  # in 7 of 8 works: register, not reuse
            paras[2] = filler(rng, 20) + register + "。" + filler(rng, 20)
        docs[w] = paras
    docs["doc-2"][3] = filler(rng, 15) + "," + passage + "。"
    docs["doc-5"][0] = filler(rng, 12) + "," + edited + "。" + filler(rng, 8)
    return corpus(docs, dates), passage, register


def test_planted_enumeration_is_found_with_its_first_use(planted):
    (p, w), *_ = planted
    found = textstat_formulations(p, w).set_index("formulation")
    row = found.loc["开放、包容、普惠、平衡"]
    assert row["kind"] == "enumeration" and row["n_works"] == 4
    assert (row["first_work"], row["first_date"], row["first_source"]) == (
        "doc-1",
        "2011-01-01",
        "doc-1.txt:2",
    )
    assert row["works"] == "doc-1;doc-3;doc-5;doc-6"
    # works after the first (doc-2 … doc-7: 6 works), 3 of them use it
    assert row["adoption"] == pytest.approx(3 / 6)


def test_planted_reuse_with_inserted_words_is_found_with_both_sources(planted):
    (p, w), passage, _ = planted
    reuse = textstat_reuse(p, w)
    hit = reuse[(reuse["source_work"] == "doc-2") & (reuse["target_work"] == "doc-5")]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert row["source_text"] == passage
    assert row["target_text"].startswith(passage[:20] + "积极")
    assert row["n_chars"] >= 60 and 0.85 <= row["identity"] < 1
    assert (row["source_source"], row["target_source"]) == ("doc-2.txt:4", "doc-5.txt:1")
    assert row["direction"] == "earlier to later"


def test_register_and_accepted_phrases_do_not_make_reuse(planted):
    (p, w), passage, register = planted
    reuse = textstat_reuse(p, w)
    assert not reuse["target_text"].str.contains(register).any()  # in 7 of 8 works
    assert set(zip(reuse["source_work"], reuse["target_work"])) == {("doc-2", "doc-5")}
    # the same passage, accepted as a formulation, is masked
    assert textstat_reuse(p, w, mask=[passage]).empty
    # with a looser register threshold the shared phrase would count
    loose = textstat_reuse(p, w, max_df=1.0, min_chars=14)
    assert loose["target_text"].str.contains(register).any()


def test_results_are_identical_across_runs(planted):
    (p, w), *_ = planted
    pd.testing.assert_frame_equal(textstat_formulations(p, w), textstat_formulations(p, w))
    pd.testing.assert_frame_equal(textstat_reuse(p, w), textstat_reuse(p, w))


def test_variant_families_group_what_they_should_and_nothing_else():
    phrases = [
        FIVE,
        "和平、安全、开放、合作",
        "和平安全开放合作有序",
        THREE,
        "多边、民主、透明、包容",
        "网络空间命运共同体",
        "人类命运共同体",
        FOUR,
    ]
    fam = _families(phrases, similarity=0.8)
    assert fam[0] == fam[1] == fam[2]
    assert fam[3] == fam[4]
    assert len({fam[0], fam[3], fam[5], fam[6], fam[7]}) == 5


def test_enumeration_edges_are_cut_to_whole_words():
    assert enumeration_items("倡导构建和平、安全、开放、合作、有序的网络空") == tuple(
        FIVE.split("、")
    )
    assert enumeration_items("建立多边、民主、透明的全球互") == ("多边", "民主", "透明")


def test_seed_formulations_rank_in_the_top_20_with_first_use(seed_corpus):
    found = textstat_formulations(
        seed_corpus.paragraphs, seed_corpus.works, lexicon=load_lexicon()
    ).head(20)
    rows = found.set_index("formulation")
    assert {FIVE, THREE, FOUR} <= set(rows.index)
    assert rows.loc[FIVE, ["first_date", "first_source"]].tolist() == [
        "2017-03-01",
        "004_e9e04761fada368c.txt:404",
    ]
    assert rows.loc[THREE, ["first_work", "first_source"]].tolist() == [
        "cn-ru-joint-statement-2016",
        "003_9bf46ce2aec8518c.txt:25",
    ]
    assert rows.loc[FIVE, "works"].split(";") == [
        "intl-strategy-cyberspace-2017",
        "wic-action-initiative-2020",
        "scio-white-paper-2022",
        "position-intl-rules-2024",
    ]
    assert rows.loc[THREE, "n_works"] == 4
    assert rows.loc[FOUR, "works"] == "wic-action-initiative-2020;scio-white-paper-2022"
    timeline = formulation_timeline(seed_corpus.paragraphs, seed_corpus.works, [FIVE])
    # three times in the 2022 white paper, as read in the capture
    assert timeline.set_index("work_id").loc["scio-white-paper-2022", "count"] == 3


def test_seed_reuse_finds_what_the_2022_white_paper_shares(seed_corpus):
    reuse = textstat_reuse(seed_corpus.paragraphs, seed_corpus.works)
    wp = reuse[reuse["target_work"] == "scio-white-paper-2022"]
    assert {"intl-strategy-cyberspace-2017", "wic-action-initiative-2020"} <= set(wp["source_work"])
    texts = " ".join(wp["target_text"])
    assert "网络空间是人类共同的活动空间,需要世界各国共同建设,共同治理" in texts
    assert (reuse["source_date"] <= reuse["target_date"]).all()
    share = reuse_share(reuse, seed_corpus.paragraphs, seed_corpus.works).set_index("work_id")
    assert share.loc["cn-ru-joint-statement-2016", "reused_chars"] == 0  # nothing earlier
    assert 0 < share.loc["scio-white-paper-2022", "share"] < 0.5
    graph = reuse_graph(reuse, seed_corpus.works)
    assert graph.has_edge("intl-strategy-cyberspace-2017", "scio-white-paper-2022")
    assert not graph.has_edge("scio-white-paper-2022", "intl-strategy-cyberspace-2017")


def test_accepting_a_formulation_puts_it_in_the_lexicon_and_the_counts(tmp_path, seed_corpus):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "raw", data / "raw")
    cid, path = accept_formulation(data, FIVE)
    assert path == data / "lexicon" / "concepts.csv"
    assert (REPO / "data" / "lexicon" / "concepts.csv").read_text(encoding="utf-8").count(FIVE) == 0
    lexicon = load_lexicon(data)
    concept = next(c for c in lexicon.concepts if c.concept_id == cid)
    assert concept.category == "formulation"
    assert concept.zh_forms == (FIVE, "和平安全开放合作有序")
    stats = cc.textstat_concepts(
        seed_corpus.paragraphs, seed_corpus.works, lexicon, concepts=[cid], n_boot=10
    )
    assert stats["count"].sum() == 6
    with pytest.raises(Exception, match="already a form"):
        accept_formulation(data, FIVE)


def test_cli_formulations_and_reuse(seed_copy, tmp_path, capsys):
    assert main(["build", "--data-dir", str(seed_copy)]) == 0
    capsys.readouterr()
    assert main(["formulations", "--top", "5", "--data-dir", str(seed_copy)]) == 0
    out = capsys.readouterr().out
    assert FIVE in out and "004_e9e04761fada368c.txt:404" in out
    csv = tmp_path / "reuse.csv"
    assert main(["reuse", "--csv", str(csv), "--data-dir", str(seed_copy)]) == 0
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(table) > 10 and "target_source" in table.columns
    assert main(["reuse", "--csv", str(csv), "--data-dir", str(seed_copy)]) == 1  # exists
    assert main(["formulations", "--accept", THREE, "--data-dir", str(seed_copy)]) == 0
    assert "formulation" in (seed_copy / "lexicon" / "concepts.csv").read_text(encoding="utf-8")


def test_row_labels_keep_phrases_with_one_prefix_apart():
    from cyberdiscourse.formulations import _short_labels

    phrases = [
        "政府、国际组织、互联网企业、技术社群、民间机构、公民个人",
        "政府、国际组织、互联网企业、技术社群和公民个人",
        "和平、安全、开放、合作、有序",
        "一二三四五六七八甲乙丙九十子丑寅卯辰巳午",  # same start and end, other middle
        "一二三四五六七八戊己庚九十子丑寅卯辰巳午",
    ]
    labels = _short_labels(phrases, 18)
    assert labels[:3] == [
        "政府、国际组织、…民间机构、公民个人",
        "政府、国际组织、…技术社群和公民个人",
        "和平、安全、开放、合作、有序",
    ]
    assert labels[3:] == [
        "一二三四五六七八…九十子丑寅卯辰巳午 (4)",
        "一二三四五六七八…九十子丑寅卯辰巳午 (5)",
    ]
    assert all(len(label) <= 18 for label in labels[:3])


# ------------------------------------------------ genre boilerplate and spread


def test_dispersion_is_gries_dp_checked_against_scipy():
    from scipy.spatial.distance import cityblock

    from cyberdiscourse.formulations import dispersion

    sizes = pd.Series([10.0, 30.0, 60.0], index=["a", "b", "c"])
    counts = pd.Series([5.0, 0.0, 1.0], index=["a", "b", "c"])
    share, used = sizes / sizes.sum(), counts / counts.sum()
    expected = cityblock(used, share) / 2 / (1 - share.min())
    assert dispersion(counts, sizes) == pytest.approx(expected)
    assert dispersion(sizes, sizes) == pytest.approx(0.0)  # used just as the parts' sizes
    assert dispersion(pd.Series([1.0], index=["a"]), sizes) == pytest.approx(1.0)  # the smallest
    assert np.isnan(dispersion(pd.Series(dtype=float), sizes))


@pytest.fixture(scope="module")
def genre_of_laws():
    """60 laws over 1981-2020 of one genre: a penalty clause in every other law, whatever its
    year; a new set phrase in 14 of the laws from 2015 on; a shared list in two early laws."""
    rng = np.random.default_rng(11)
    penalty, new_phrase = "依法追究刑事责任", "坚持总体国家安全观"
    docs, dates = {}, {}
    for k in range(60):
        w = f"law-{k:02d}"
        year = 1981 + (k * 40) // 60
        dates[w] = f"{year}-07-01"
        paras = [filler(rng, 60) + "。" for _ in range(3)]
        if k % 2 == 0:
            paras[0] = filler(rng, 10) + "构成犯罪的，" + penalty + "。" + filler(rng, 10)
        if year >= 2015 and k % 3 != 0:
            paras[1] = filler(rng, 10) + "，" + new_phrase + "，" + filler(rng, 10)
        docs[w] = paras
    paragraphs, works = corpus(docs, dates)
    works["genre"] = "law"
    return paragraphs, works, penalty, new_phrase


def test_genre_boilerplate_ranks_after_the_phrase_that_emerges(genre_of_laws):
    paragraphs, works, penalty, new_phrase = genre_of_laws
    found = textstat_formulations(paragraphs, works, kinds=("ngram",)).set_index("formulation")
    pen = found.loc[found.index.str.contains(penalty[:6])].iloc[0]
    new = found.loc[found.index.str.contains("总体国家安全观")].iloc[0]
    assert pen["n_works"] == 30 and pen["coverage"] == pytest.approx(0.5)
    assert pen["boilerplate"] and pen["emergence"] <= 0.1  # spread as chance spreads it
    assert not new["boilerplate"] and new["emergence"] > 0.5  # all from 2015 on
    assert new["rank"] < pen["rank"]
    assert pen["salience"] > new["salience"]  # salience alone would put the penalty first
    assert set(found["genre"]) == {"law"}


def test_emergence_is_not_judged_in_a_small_genre(seed_corpus):
    found = textstat_formulations(seed_corpus.paragraphs, seed_corpus.works)
    assert found["emergence"].isna().all() and not found["boilerplate"].any()
    assert (found["score"] == found["salience"]).all()  # the seeds rank as before


def test_formulation_dots_never_overlap_and_become_periods_when_crowded(genre_of_laws):
    import matplotlib.pyplot as plt

    from cyberdiscourse.formulations import textplot_formulations

    paragraphs, works, penalty, new_phrase = genre_of_laws
    timeline = formulation_timeline(paragraphs, works, [penalty, new_phrase])
    for frame_, unit_label in ((timeline, "date of the work"), (_crowded(timeline), "day")):
        ax = textplot_formulations(frame_)
        assert unit_label in ax.get_xlabel()
        ax.figure.canvas.draw()
        to_points = ax.figure.dpi / 72
        for dots in ax.collections:
            xy = dots.get_offsets()
            if len(xy) < 2:
                continue
            pixels = ax.transData.transform(xy)
            diameter = np.sqrt(dots.get_sizes()) * to_points  # marker size is an area in pt²
            gaps = np.diff(np.sort(pixels[:, 0]))
            assert gaps.min() >= diameter.max() * 0.99  # dots of one row do not touch
        plt.close("all")


def _crowded(timeline: pd.DataFrame) -> pd.DataFrame:
    """The same uses squeezed into one month: a dot per work would overlap."""
    days = pd.Series(range(len(timeline))) % 28 + 1
    return timeline.assign(date=[f"2023-02-{d:02d}" for d in days])


def test_a_formulation_used_only_in_undated_works_gets_a_row_without_dots(genre_of_laws):
    import matplotlib.pyplot as plt

    from cyberdiscourse.formulations import textplot_formulations

    paragraphs, works, penalty, new_phrase = genre_of_laws
    timeline = formulation_timeline(paragraphs, works, [penalty, new_phrase])
    timeline.loc[timeline["formulation"] == new_phrase, "date"] = ""
    ax = textplot_formulations(timeline)
    assert [t.get_text() for t in ax.get_yticklabels()] == [penalty, new_phrase]
    note = ax.figure._cyberdiscourse_caption.note
    assert note == f"1 row(s) without dots: used only in undated works ({new_phrase})"
    plt.close("all")


def test_in_a_genre_judged_by_time_a_phrase_of_undated_works_ranks_after_the_dated(
    genre_of_laws,
):
    paragraphs, works, penalty, new_phrase = genre_of_laws
    listed = "公安机关、人民检察院、人民法院"
    extra = pd.DataFrame(
        [(f"case-{i}", f"case-{i}:0000", 0, "zh", f"由{listed}依法处理。", "c.txt", 1)
         for i in range(3)],
        columns=paragraphs.columns,
    )  # fmt: skip
    works = pd.concat(
        [works, pd.DataFrame({"work_id": extra["work_id"], "date": "", "include": True,
                              "issuer": "", "genre": "law"})],
        ignore_index=True,
    )  # fmt: skip
    found = textstat_formulations(pd.concat([paragraphs, extra]), works)
    row = found[found["formulation"].str.contains(listed)].iloc[0]
    new = found[found["formulation"].str.contains("总体国家安全观")].iloc[0]
    assert row["score"] == 0.0 and np.isnan(row["emergence"])
    assert row["salience"] > new["salience"]  # by salience the undated list would rank first
    assert new["rank"] < row["rank"]
