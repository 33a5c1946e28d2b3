"""The precision cycle: a seeded sample written by the command line, judged, read back as
precision per rule with a Wilson interval (checked against statsmodels)."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import SEED_DATA

from cyberdiscourse.cli import main
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.validation import (
    attach_precision,
    load_precision,
    precision_note,
    read_judgements,
    wilson_interval,
)


def test_wilson_interval_against_statsmodels():
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    for k, n in [(0, 5), (3, 10), (7, 9), (50, 50), (41, 100)]:
        ours = wilson_interval(k, n)
        theirs = proportion.proportion_confint(k, n, method="wilson")
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    assert np.isnan(wilson_interval(0, 0)[0])


@pytest.fixture
def corpus(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SEED_DATA / "raw", data / "raw")
    shutil.copytree(SEED_DATA / "lexicon", data / "lexicon")
    assert main(["build", "--data-dir", str(data)]) == 0
    return data


def test_sample_judge_and_read_back(corpus, capsys):
    assert (
        main(["lexicon", "sample", "cyber_sovereignty", "-n", "8", "--data-dir", str(corpus)]) == 0
    )
    path = corpus / "lexicon" / "validation" / "cyber_sovereignty.csv"
    sample = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(sample) == 8 and (sample["correct"] == "").all()
    assert sample["source"].str.match(r".+:\d+$").all()
    # Seeded: the same command gives the same rows.
    assert (
        main(
            [
                "lexicon",
                "sample",
                "cyber_sovereignty",
                "-n",
                "8",
                "--force",
                "--data-dir",
                str(corpus),
            ]
        )
        == 0
    )
    again = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert again["sample_id"].tolist() == sample["sample_id"].tolist()
    assert again["source"].tolist() == sample["source"].tolist()
    sample["correct"] = ["y", "n", "y", "y", "", "yes", "Y", "0"]
    sample.to_csv(path, index=False, encoding="utf-8-sig")
    precision = load_precision(corpus)
    overall = precision[precision["rule"] == "all"].iloc[0]
    assert (overall["n_judged"], overall["n_correct"], overall["n_unjudged"]) == (7, 5, 1)
    assert overall["precision"] == pytest.approx(5 / 7)
    judged = read_judgements(path)
    per_rule = precision[precision["rule"] != "all"]
    assert per_rule["n_judged"].sum() == 7
    assert set(per_rule["rule"]) == set(judged.loc[judged["judged"], "rule"])
    capsys.readouterr()
    assert main(["lexicon", "precision", "--data-dir", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "cyber_sovereignty" in out and "71%" in out
    stats = pd.DataFrame({"concept_id": ["cyber_sovereignty", "cyber_security"], "count": [3, 4]})
    carried = attach_precision(stats, precision)
    assert carried["precision_n"].tolist() == [7, 0] and np.isnan(carried["precision"][1])
    note = precision_note(carried.attrs, ["cyber_sovereignty"])
    assert note.startswith("precision of the counts") and "71% (95% Wilson" in note


def test_a_judgement_that_is_neither_yes_nor_no_names_its_row(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("concept_id,rule,correct\nc,form a,y\nc,form a,maybe\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        read_judgements(path)
    (problem,) = err.value.problems
    assert problem.where == "row 3" and "maybe" in problem.message


def test_a_concept_not_in_the_lexicon_is_refused(corpus, capsys):
    assert main(["lexicon", "sample", "no_such_concept", "--data-dir", str(corpus)]) == 1
    assert "no concept 'no_such_concept'" in capsys.readouterr().err


def test_the_timeline_caption_states_the_judged_precision(seed_corpus):
    from cyberdiscourse import concepts as cc
    from cyberdiscourse.lexicon import load_lexicon
    from cyberdiscourse.plotting import caption_of
    from cyberdiscourse.validation import textstat_precision

    judged = pd.DataFrame(
        {
            "concept_id": ["cyber_sovereignty"] * 10,
            "rule": ["form 网络主权"] * 10,
            "judged": [True] * 10,
            "is_correct": [True] * 9 + [False],
        }
    )
    stats = cc.textstat_concepts(
        seed_corpus.paragraphs, seed_corpus.works, load_lexicon(), n_boot=20
    )
    stats = attach_precision(stats, textstat_precision(judged))
    axes = cc.textplot_timeline(stats, ["cyber_sovereignty"])
    text = caption_of(axes).text()
    assert "cyber_sovereignty 90% (95% Wilson 60%-98%, 10 judged)" in text


def test_a_sample_saved_by_a_chinese_excel_is_read(tmp_path):
    path = tmp_path / "judged.csv"
    text = "concept_id,rule,left,correct\nc,form 网络主权,尊重各国,是\nc,form 网络主权,反对,否\n"
    path.write_bytes(text.encode("gb18030"))  # "CSV (comma delimited)" on a Chinese Windows
    judged = read_judgements(path)
    assert judged["left"].tolist() == ["尊重各国", "反对"]
    assert judged["is_correct"].tolist() == [True, False]
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(CorpusError, match="cannot be read as CSV"):
        read_judgements(tmp_path / "empty.csv")
