"""The lexicon audit on the seeds: near misses, dead entries, forms inside names."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from conftest import REPO

from cyberdiscourse.audit import dead_entries, lexicon_audit
from cyberdiscourse.cli import main
from cyberdiscourse.lexicon import load_lexicon

WORDINGS = {
    "003_9bf46ce2aec8518c.txt:24": "信息网络空间国家主权",  # 2016 joint statement
    "004_e9e04761fada368c.txt:417": "明确网络空间的主权",  # 2017 strategy
    "004_e9e04761fada368c.txt:749": "国家主权原则应适用于网络空间",  # 2024 position paper
}


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def forms_only(lexicon):
    kept = tuple(r for r in lexicon.rules if r.kind not in ("near", "construction"))
    return dataclasses.replace(lexicon, rules=kept)


def test_without_the_rules_the_audit_surfaces_the_three_wordings(seed_corpus, lexicon):
    misses = lexicon_audit(seed_corpus.paragraphs, forms_only(lexicon))["near_misses"]
    sov = misses[misses["concept_id"] == "cyber_sovereignty"].set_index("source")
    for source, wording in WORDINGS.items():
        assert wording in sov.loc[source, "sentence"]


def test_with_the_rules_those_wordings_are_counted_not_missed(seed_corpus, lexicon):
    misses = lexicon_audit(seed_corpus.paragraphs, lexicon)["near_misses"]
    sov = misses[misses["concept_id"] == "cyber_sovereignty"]
    assert not set(WORDINGS) & set(sov["source"])
    # what is left is for the researcher to judge, e.g. sovereignty as a basis of order
    assert "004_e9e04761fada368c.txt:429" in set(sov["source"])


def test_dead_entries_name_words_that_never_become_tokens(seed_corpus, lexicon, tmp_path):
    assert dead_entries(seed_corpus.paragraphs, lexicon).empty  # 网络空间治理 is a token now
    shutil.copytree(REPO / "data" / "lexicon", tmp_path / "lexicon")
    with open(tmp_path / "lexicon" / "domain_terms.txt", "a", encoding="utf-8") as f:
        f.write("空间命运\n数字丝绸之路\n")
    dead = dead_entries(seed_corpus.paragraphs, load_lexicon(tmp_path)).set_index("entry")
    assert dead.loc["空间命运", "problem"] == "never a token"
    assert dead.loc["空间命运", "inside"] == "网络空间命运共同体"
    assert dead.loc["空间命运", "occurrences"] > 0
    assert dead.loc["数字丝绸之路", "problem"] == "occurs nowhere"


def test_collisions_list_forms_inside_names_and_whether_excluded(seed_corpus, lexicon):
    c = lexicon_audit(seed_corpus.paragraphs, lexicon)["collisions"]
    law = c[(c["form"] == "数据安全法") & (c["name"] == "《数据安全法》")]
    assert law["excluded"].tolist() == [True] and law["count"].tolist() == [4]
    initiative = c[c["name"] == "《全球数据安全倡议》"]
    assert initiative["excluded"].tolist() == [False]


def test_cli_lexicon_audit(tmp_path, capsys):
    assert main(["build", "--data-dir", str(REPO / "data")]) == 0
    capsys.readouterr()
    assert main(["lexicon", "audit", "--forms-only", "--data-dir", str(REPO / "data")]) == 0
    out = capsys.readouterr().out
    assert "cyber_sovereignty:" in out and "003_9bf46ce2aec8518c.txt:24" in out
    folder = tmp_path / "audit"
    assert (
        main(["lexicon", "audit", "--data-dir", str(REPO / "data"), "--csv-dir", str(folder)]) == 0
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "lexicon_audit_collisions.csv",
        "lexicon_audit_dead_entries.csv",
        "lexicon_audit_near_misses.csv",
    ]
    raw = REPO / "data" / "raw"
    assert (
        main(["lexicon", "audit", "--data-dir", str(REPO / "data"), "--csv-dir", str(raw / "x")])
        == 1
    )
    assert "raw data folder" in capsys.readouterr().err
