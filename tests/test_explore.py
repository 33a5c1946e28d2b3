import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cyberdiscourse import explore
from cyberdiscourse.explore import (
    Explorer,
    concept_explorer,
    kwic_lines,
    split_terms,
    static_explorer,
    term_by_work,
    textstat_terms,
)
from cyberdiscourse.lexicon import load_lexicon


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def test_term_by_work_for_a_concept_and_for_any_text(seed_corpus, lexicon):
    c = term_by_work(seed_corpus.paragraphs, seed_corpus.works, "cyber_sovereignty", lexicon)
    assert c["count"].tolist() == [3, 3, 1, 2, 10, 1]  # the timeline's counts, rules included
    lit = term_by_work(seed_corpus.paragraphs, seed_corpus.works, "Internet", lexicon)
    assert lit["count"].sum() > 20
    assert len(lit) == 3  # only the three works with English text say anything


def test_explorer_rates_and_intervals_equal_the_concept_timeline(seed_corpus, lexicon):
    from cyberdiscourse.concepts import textstat_concepts

    terms = textstat_terms(
        seed_corpus.paragraphs, seed_corpus.works, ["网络主权"], lexicon, n_boot=300
    )
    timeline = textstat_concepts(
        seed_corpus.paragraphs,
        seed_corpus.works,
        lexicon,
        concepts=["cyber_sovereignty"],
        n_boot=300,
    )
    merged = terms.merge(timeline, on="work_id", suffixes=("_explorer", "_timeline"))
    assert len(merged) == 6
    for col in ("per_10k_chars", "ci_low", "ci_high"):
        assert merged[f"{col}_explorer"].tolist() == pytest.approx(
            merged[f"{col}_timeline"].tolist()
        )


def test_english_finds_the_concept_in_any_case_through_its_renderings(seed_corpus, lexicon):
    for query in ("Cyber sovereignty", "CYBERSPACE SOVEREIGNTY", "sovereignty in cyberspace"):
        t = textstat_terms(seed_corpus.paragraphs, seed_corpus.works, [query], lexicon, n_boot=0)
        assert t["concept_id"].unique().tolist() == ["cyber_sovereignty"], query
        assert t["count"].sum() == 20


def test_several_terms_split_on_any_comma():
    assert split_terms("网络主权，数据安全, cyber sovereignty;数字经济 ") == [
        "网络主权",
        "数据安全",
        "cyber sovereignty",
        "数字经济",
    ]


def test_kwic_sorts_by_left_and_right_context(seed_corpus, lexicon):
    p, w = seed_corpus.paragraphs, seed_corpus.works
    by_right = kwic_lines(p, w, ["网络主权"], lexicon, sort="right")
    assert by_right["right"].tolist() == sorted(by_right["right"])
    by_left = kwic_lines(p, w, ["网络主权"], lexicon, sort="left")
    reversed_left = [s[::-1] for s in by_left["left"]]
    assert reversed_left == sorted(reversed_left)  # read leftwards from the keyword
    by_date = kwic_lines(p, w, ["网络主权"], lexicon)
    assert by_date["date"].tolist() == sorted(by_date["date"]) and len(by_date) == 20


def test_explorer_updates_on_enter_pages_narrows_and_offers_csv(seed_corpus, lexicon, monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    ex = concept_explorer(seed_corpus.paragraphs, seed_corpus.works, lexicon)
    assert isinstance(ex.box, widgets.Combobox) and ex.box.continuous_update is False
    assert {"网络主权", "cyber sovereignty", "cyber_sovereignty"} <= set(ex.box.options)
    assert ex.table.value == ""  # nothing drawn while the cell runs
    ex.box.value = "Cyber sovereignty"  # what Enter commits
    assert "20 mentions in 6 of the 6 works" in ex.message.value
    assert "lines 1–10 of 20" in ex.table.value
    ex.next.click()
    assert "lines 11–20 of 20" in ex.table.value and ex.next.disabled
    ex.sort.value = "right"
    assert "lines 1–10 of 20" in ex.table.value
    work = "scio-white-paper-2022"
    assert (f"{work} (10)", work) in ex.work.options
    ex.work.value = work
    assert "lines 1–10 of 10" in ex.table.value
    assert "download all 10 lines as CSV" in ex.download.value
    csv = explore.base64.b64decode(ex.download.value.split("base64,")[1].split("'")[0])
    frame = pd.read_csv(explore.io.BytesIO(csv), encoding="utf-8-sig")
    assert len(frame) == 10 and set(frame["work_id"]) == {work}
    plt.close("all")


def test_explorer_says_so_when_nothing_matches(seed_corpus, lexicon, monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    ex = Explorer(seed_corpus.paragraphs, seed_corpus.works, lexicon)
    ex.search("量子纠缠")
    assert "No match for 量子纠缠" in ex.message.value
    assert ex.table.value == "" and ex.download.value == ""
    ex.search("网络主权, 量子纠缠")  # one found, one not: the found one is drawn
    assert "No match for 量子纠缠" in ex.message.value and "of 20" in ex.table.value
    plt.close("all")


def test_static_explorer_is_plain_html_for_every_concept(seed_corpus, lexicon):
    html = static_explorer(seed_corpus.paragraphs, seed_corpus.works, lexicon, n_boot=20).data
    assert html.count("<details") == len(lexicon.concepts)
    assert "<script" not in html and "http" not in html
    assert html.count("data:image/png;base64,") == sum(
        1 for c in lexicon.concepts if "No mention" not in html.split(c.label, 1)[1][:200]
    )
    assert "信息网络空间国家主权" in html  # a KWIC line found by a wording rule


def test_show_term_displays_counts_first_use_and_kwic(seed_corpus, lexicon, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    explore.show_term(seed_corpus.paragraphs, seed_corpus.works, "网络主权", lexicon)
    summary, first_use = shown
    assert "20 mentions in 6 of the 6 works" in summary.data
    assert "003_9bf46ce2aec8518c.txt:24" in first_use.data
    assert "lines 1–8 of 20" in first_use.data
    plt.close("all")
