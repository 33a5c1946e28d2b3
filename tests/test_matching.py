"""Forms, exclusions and wording rules counted once each, on hand examples and the seeds."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pandas as pd
import pytest
from conftest import REPO

from cyberdiscourse import concepts as cc
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.lexicon import RULES_FILE, load_lexicon
from cyberdiscourse.matching import concept_hits


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def paragraphs(*texts: str) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame(
        {
            "work_id": ["w"] * n,
            "para_id": [f"w:{i}" for i in range(n)],
            "lang": ["zh"] * n,
            "text": list(texts),
            "source_file": ["f.txt"] * n,
            "line_no": list(range(1, n + 1)),
            "position": list(range(n)),
        }
    )


def sovereignty(hits: pd.DataFrame) -> list[tuple[str, str]]:
    s = hits[hits["concept_id"] == "cyber_sovereignty"]
    return list(zip(s["form"], s["rule"]))


def test_near_rule_finds_both_orders_within_the_window_and_not_across_punctuation(lexicon):
    hits = concept_hits(
        paragraphs(
            "明确网络空间的主权,既能体现责任。",  # 网络空间 … 主权, one character between
            "尊重信息网络空间国家主权的原则。",  # 信息网络空间 … 主权
            "维护在网络空间的国家主权、安全、发展利益。",
            "维护国家主权,推动网络空间发展。",  # a comma between: not the concept
            "主权国家之间开展合作,共建网络。",  # more than 4 characters apart
        ),
        lexicon,
    )
    assert sovereignty(hits) == [
        ("网络空间的主权", "near"),
        ("信息网络空间国家主权", "near"),
        ("网络空间的国家主权", "near"),
    ]
    assert set(hits.loc[hits["rule"] == "near", "para_id"]) == {"w:0", "w:1", "w:2"}


def test_construction_rule_and_its_row_in_the_hit(lexicon):
    hits = concept_hits(paragraphs("(二)国家主权原则应适用于网络空间。"), lexicon)
    row = hits[hits["concept_id"] == "cyber_sovereignty"].iloc[0]
    assert row["form"] == "主权原则应适用于网络空间"
    assert row["rule"] == "construction"
    assert re.fullmatch(r"construction \(concept_rules\.csv row \d+\)", row["rule_name"])


def test_forms_first_then_rules_each_passage_counted_once(lexicon):
    # 网络主权 is a form; the near rule would also match 网络主权 and 主权在网络空间 overlaps
    # nothing the form took, so: one form hit, one rule hit, never the form twice.
    text = "网络主权是国家主权在网络空间的自然延伸。"
    hits = concept_hits(paragraphs(text), lexicon)
    assert sovereignty(hits) == [("网络主权", "form"), ("主权在网络空间", "near")]
    # two rules that would match overlapping passages count the passage once
    text = "国家主权原则适用于网络空间。"
    assert len(sovereignty(concept_hits(paragraphs(text), lexicon))) == 1
    works = pd.DataFrame({"work_id": ["w"], "date": ["2020"], "include": [True]})
    p = paragraphs("网络主权是国家主权在网络空间的自然延伸。", "尊重网络空间主权。")
    s = cc.textstat_concepts(p, works, lexicon, n_boot=10).set_index("concept_id")
    assert s.loc["cyber_sovereignty", ["count", "from_forms", "from_rules"]].tolist() == [3, 2, 1]


def test_exclusions_drop_a_laws_name_but_keep_the_concept(lexicon):
    p = paragraphs(
        "制定《中华人民共和国数据安全法》,加强数据安全保护。",
        "完善个人信息保护法律制度,实施《个人信息保护法》。",
    )
    hits = concept_hits(p, lexicon)
    after = p["text"][0].index("加强数据安全") + 2
    assert hits[hits["concept_id"] == "data_security"]["start"].tolist() == [after]
    pip = hits[hits["concept_id"] == "personal_information_protection"]
    assert pip["para_id"].tolist() == ["w:1"]
    assert pip["start"].tolist() == [2]  # 个人信息保护法律: the law's name is undone by 律
    dropped = concept_hits(p, lexicon, excluded=True)
    assert sorted(dropped["form"]) == ["个人信息保护法", "数据安全法"]


def test_kwic_names_the_rule_and_the_raw_line(seed_corpus, lexicon):
    lines = cc.kwic(seed_corpus.paragraphs, seed_corpus.works, "cyber_sovereignty", lexicon)
    by_source = lines.set_index("source")
    # the three wordings of the issue: 2016, 2017 and the 2024 position paper
    assert by_source.loc["003_9bf46ce2aec8518c.txt:24", "match"] == "信息网络空间国家主权"
    assert by_source.loc["004_e9e04761fada368c.txt:417", "match"] == "网络空间的主权"
    row = by_source.loc["004_e9e04761fada368c.txt:749"]
    assert (row["work_id"], row["match"]) == (
        "position-intl-rules-2024",
        "主权原则应适用于网络空间",
    )
    assert row["rule"].startswith("construction (concept_rules.csv row")
    assert set(lines["rule"]) >= {"form 网络主权", "form 网络空间主权"}


def test_seed_counts_split_into_forms_and_rules(seed_corpus, lexicon):
    s = cc.textstat_concepts(seed_corpus.paragraphs, seed_corpus.works, lexicon, n_boot=10)
    s = s.set_index(["work_id", "concept_id"])
    row = s.loc[("position-intl-rules-2024", "cyber_sovereignty")]
    assert (row["count"], row["from_forms"], row["from_rules"]) == (1, 0, 1)
    assert (s["count"] == s["from_forms"] + s["from_rules"]).all()
    ds = s.xs("data_security", level="concept_id")
    zh = seed_corpus.paragraphs[seed_corpus.paragraphs["lang"] == "zh"]
    text = "\n".join(zh[zh["work_id"] == "scio-white-paper-2022"]["text"])
    expected = text.count("数据安全") - text.count("数据安全法")
    assert ds.loc["scio-white-paper-2022", "count"] == expected
    assert text.count("数据安全法") == 5


def test_rules_file_rows_are_validated_by_row(tmp_path):
    shutil.copytree(REPO / "data" / "lexicon", tmp_path / "lexicon")
    path = tmp_path / "lexicon" / RULES_FILE
    with open(path, "a", encoding="utf-8") as f:
        f.write("nope,near,主权,网络,4,网络主权,\n")
        f.write("cyber_sovereignty,nearby,主权,网络,4,网络主权,\n")
        f.write("cyber_sovereignty,near,主权,网络,four,网络的主权,\n")
        f.write('cyber_sovereignty,construction,"主权(原则",,,主权原则,\n')
        f.write("cyber_sovereignty,near,主权,网络,2,网络空间治理的主权,\n")
        f.write("data_security,exclude,数字经济法,,,数字经济法,\n")
    with pytest.raises(CorpusError) as err:
        load_lexicon(tmp_path)
    msg = str(err.value)
    n = len(path.read_text(encoding="utf-8").splitlines()) - 6
    assert f"concept_rules.csv, row {n + 1}: unknown concept 'nope'" in msg
    assert f"row {n + 2}: unknown rule 'nearby'" in msg
    assert f"row {n + 3}: window 'four' is not a number" in msg
    assert f"row {n + 4}: bad regular expression" in msg
    assert f"row {n + 5}: the rule does not match its own example" in msg
    assert f"row {n + 6}: excluded 数字经济法 holds no form of 'data_security'" in msg


def test_rules_enter_the_fingerprint_and_can_be_removed(tmp_path, lexicon):
    shutil.copytree(REPO / "data" / "lexicon", tmp_path / "lexicon")
    before = load_lexicon(tmp_path).fingerprint()
    (tmp_path / "lexicon" / RULES_FILE).unlink()
    bare = load_lexicon(tmp_path)
    assert bare.rules == () and bare.fingerprint() != before
    hits = concept_hits(paragraphs("明确网络空间的主权。"), bare)
    assert sovereignty(hits) == []
    assert dataclasses.replace(lexicon, rules=()).rules == ()
