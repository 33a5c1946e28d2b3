import shutil

import pytest
from conftest import REPO

from cyberdiscourse.errors import CorpusError
from cyberdiscourse.lexicon import lexicon_dir, load_lexicon, read_concepts

HEADER = "concept_id,label,parent,category,zh_forms,en_patterns,notes\n"


def test_project_lexicon_has_the_key_concepts_with_an_umbrella():
    lex = load_lexicon()
    ids = {c.concept_id for c in lex.concepts}
    assert len(ids) >= 15
    assert {
        "cyber_sovereignty",
        "community_shared_future",
        "cyber_community_shared_future",
        "human_community_shared_future",
        "critical_information_infrastructure",
        "global_internet_governance_system",
    } <= ids
    assert lex.forms_of("community_shared_future") == (
        "网络空间命运共同体",
        "人类命运共同体",
        "命运共同体",
    )
    assert lex.forms_of("cyber_sovereignty") == ("网络空间主权", "网络主权")
    assert lex.zh_forms[0] == "全球互联网治理体系"  # longest first


def test_stopword_lists_come_from_packages_plus_the_domain_file():
    lex = load_lexicon()
    assert {"的", "和", "我们"} <= lex.zh_stopwords
    assert {"网络", "主权", "合作"}.isdisjoint(lex.zh_stopwords)
    assert "一是" in lex.zh_stopwords  # from stopwords_domain.txt
    assert {"the", "and", "of", "chapter"} <= lex.en_stopwords
    assert len(lex.zh_stopwords) > 700


def test_bad_rows_are_named(tmp_path):
    path = tmp_path / "concepts.csv"
    path.write_text(
        HEADER
        + "a,A,,x,网络主权,cyber sovereignty,\n"
        + "a,A2,,x,主权,,\n"
        + "b,B,missing,x,网络主权,(unclosed,\n"
        + "c,C,,x,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError) as err:
        read_concepts(path)
    msg = str(err.value)
    assert "concepts.csv, row 3: duplicate concept_id 'a'" in msg
    assert "concepts.csv, row 4: bad English pattern '(unclosed'" in msg
    assert "concepts.csv, row 4: form '网络主权' also belongs to 'a'" in msg
    assert "concepts.csv, row 5: concept 'c' has no forms" in msg
    assert "concepts.csv, row 4: unknown parent 'missing'" in msg


def test_data_folder_lexicon_overrides_and_fingerprint_follows_edits(tmp_path):
    assert lexicon_dir(tmp_path) == REPO / "data" / "lexicon"
    shutil.copytree(REPO / "data" / "lexicon", tmp_path / "lexicon")
    assert lexicon_dir(tmp_path) == tmp_path / "lexicon"
    before = load_lexicon(tmp_path).fingerprint()
    with open(tmp_path / "lexicon" / "domain_terms.txt", "a", encoding="utf-8") as f:
        f.write("数字丝绸之路\n")
    after = load_lexicon(tmp_path)
    assert after.fingerprint() != before
    assert "数字丝绸之路" in after.domain_terms


def test_english_stop_words_are_scikit_learns_without_importing_it():
    import subprocess
    import sys

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from cyberdiscourse.lexicon import english_stop_words

    assert english_stop_words() == frozenset(ENGLISH_STOP_WORDS)
    code = (
        "import sys; from cyberdiscourse.lexicon import english_stop_words as w; "
        "assert 'the' in w() and 'network' not in w(); print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
