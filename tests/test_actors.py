"""The gazetteer on hand examples: aliases in both languages, a name inside a longer name,
capitals; rates against statsmodels' exact Poisson interval; actors named with a concept
in the same sentence, traceable to file and line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cyberdiscourse.actors import (
    actor_hits,
    load_gazetteer,
    read_gazetteer,
    summarise_actor_concepts,
    textstat_actor_concepts,
    textstat_actors,
)
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.lexicon import load_lexicon


def paragraphs(rows):
    return pd.DataFrame(
        [
            {
                "work_id": w,
                "para_id": f"{w}:{k:04d}",
                "lang": lang,
                "text": text,
                "source_file": f"{w}.txt",
                "line_no": k + 1,
            }
            for k, (w, lang, text) in enumerate(rows)
        ]
    )


def found(text: str, lang: str = "zh") -> list[tuple[str, str]]:
    hits = actor_hits(paragraphs([("w", lang, text)]), load_gazetteer())
    return list(zip(hits["actor_id"], hits["alias"]))


def test_chinese_aliases_and_a_name_inside_a_longer_name():
    assert found("美方和美国都表示") == [("united_states", "美方"), ("united_states", "美国")]
    assert found("中国共产党领导") == [("cpc", "中国共产党")]  # not also 中国
    assert found("国家互联网信息办公室发布") == [("cac", "国家互联网信息办公室")]
    assert found("网信办和国家网信办") == [("cac", "网信办"), ("cac", "国家网信办")]
    assert found("中俄两国") == [("russia", "俄")]  # 中俄 is no alias of China


def test_english_aliases_whole_words_and_capitals():
    assert found("The US and the United States of America", "en") == [
        ("united_states", "US"),
        ("united_states", "United States of America"),
    ]
    assert found("let us talk about business", "en") == []  # 'us' is not US
    assert found("the united nations and the UN", "en") == [
        ("un", "united nations"),
        ("un", "UN"),
    ]
    assert found("CAC and the Cyberspace Administration of China", "en") == [
        ("cac", "CAC"),
        ("cac", "Cyberspace Administration of China"),
    ]


def test_an_alias_given_to_two_actors_names_its_row(tmp_path):
    path = tmp_path / "actors.csv"
    path.write_text(
        "actor_id,kind,label,aliases_zh,aliases_en,notes\na,state,A,甲国,,\nb,state,B,甲国,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError) as err:
        read_gazetteer(path)
    (problem,) = err.value.problems
    assert problem.where == "row 3" and "甲国" in problem.message


def test_rates_and_their_interval_against_statsmodels():
    rates = pytest.importorskip("statsmodels.stats.rates")
    paras = paragraphs([("w1", "zh", "美国" + "字" * 98), ("w1", "zh", "美国和俄罗斯" + "字" * 94)])
    works = pd.DataFrame({"work_id": ["w1"], "date": ["2020-01-01"]})
    table = textstat_actors(paras, works, load_gazetteer()).set_index("actor_id")
    us = table.loc["united_states"]
    assert us["count"] == 2 and us["n_chars"] == 200
    assert us["per_10k_chars"] == pytest.approx(100.0)
    low, high = rates.confint_poisson(2, 200 / 10_000, method="exact-c")
    assert us["ci_low"] == pytest.approx(low) and us["ci_high"] == pytest.approx(high)
    by_year = textstat_actors(paras, works, load_gazetteer(), by="year")
    assert set(by_year["year"]) == {"2020"}


def test_actors_named_with_a_concept_in_the_same_sentence():
    paras = paragraphs(
        [
            ("w1", "zh", "美国侵犯他国网络主权。中国倡导构建网络空间命运共同体。"),
            ("w2", "zh", "俄罗斯支持网络主权,联合国也讨论了这一问题。"),
        ]
    )
    works = pd.DataFrame({"work_id": ["w1", "w2"], "date": ["2016-06-25", "2017-03-01"]})
    pairs = textstat_actor_concepts(paras, works, load_lexicon(), load_gazetteer())
    sovereignty = pairs[pairs["concept_id"] == "cyber_sovereignty"]
    assert sorted(sovereignty["actor_id"]) == ["russia", "un", "united_states"]  # not china
    us = sovereignty[sovereignty["actor_id"] == "united_states"].iloc[0]
    assert us["source"] == "w1.txt:1" and us["sentence"] == "美国侵犯他国网络主权。"
    summary = summarise_actor_concepts(pairs, by="year").set_index(
        ["year", "concept_id", "actor_id"]
    )
    assert summary.loc[("2017", "cyber_sovereignty", "russia"), "n"] == 1
    assert "china" in set(pairs[pairs["concept_id"] == "cyber_community_shared_future"]["actor_id"])
    # A child concept's match counts for its parent too.
    assert "china" in set(pairs[pairs["concept_id"] == "community_shared_future"]["actor_id"])
    whole = textstat_actor_concepts(
        paras, works, load_lexicon(), load_gazetteer(), within="paragraph"
    )
    assert "china" in set(whole[whole["concept_id"] == "cyber_sovereignty"]["actor_id"])
    assert np.all(whole["source"].str.match(r"w\d\.txt:\d+"))


def test_literal_terms_count_as_concepts_of_their_own():
    paras = paragraphs([("w1", "zh", "联合国倡导和平与发展。美国谈安全。")])
    works = pd.DataFrame({"work_id": ["w1"], "date": ["1990"]})
    pairs = textstat_actor_concepts(
        paras, works, load_lexicon(), load_gazetteer(), terms=["和平", "发展"]
    )
    named = pairs[pairs["concept_id"].isin(["和平", "发展"])]
    assert sorted(zip(named["concept_id"], named["actor_id"])) == [("发展", "un"), ("和平", "un")]
