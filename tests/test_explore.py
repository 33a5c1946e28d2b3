import ipywidgets as widgets
import pytest

from cyberdiscourse import explore
from cyberdiscourse.explore import concept_explorer, term_by_work
from cyberdiscourse.lexicon import load_lexicon


def test_term_by_work_for_a_concept_and_for_any_text(seed_corpus):
    lex = load_lexicon()
    c = term_by_work(seed_corpus.paragraphs, seed_corpus.works, "cyber_sovereignty", lex)
    assert c["count"].tolist() == [3, 3, 1, 2, 10, 1]  # the timeline's counts, rules included
    lit = term_by_work(seed_corpus.paragraphs, seed_corpus.works, "Internet", lex)
    assert lit["count"].sum() > 20


def test_explorer_rates_equal_the_concept_timeline_rates(seed_corpus):
    from cyberdiscourse.concepts import textstat_concepts

    lex = load_lexicon()
    explorer = term_by_work(seed_corpus.paragraphs, seed_corpus.works, "网络主权", lex)
    timeline = textstat_concepts(
        seed_corpus.paragraphs, seed_corpus.works, lex, concepts=["cyber_sovereignty"], n_boot=10
    )
    merged = explorer.merge(timeline, on="work_id", suffixes=("_explorer", "_timeline"))
    assert len(merged) == 6
    assert merged["per_10k_chars_explorer"].tolist() == pytest.approx(
        merged["per_10k_chars_timeline"].tolist()
    )


def test_explorer_draws_on_each_new_term_only(seed_corpus, monkeypatch):
    # The Output widget captures only inside a running kernel, so record the redraws.
    calls = []
    monkeypatch.setattr(explore, "show_term", lambda p, w, term, lex: calls.append(term))
    box = concept_explorer(seed_corpus.paragraphs, seed_corpus.works, load_lexicon())
    picker, out = box.children
    assert isinstance(picker, widgets.Combobox) and isinstance(out, widgets.Output)
    assert calls == []  # nothing drawn while the cell runs
    picker.value = "数字经济"
    picker.value = "cyber_sovereignty"
    assert calls == ["数字经济", "cyber_sovereignty"]
    assert "community_shared_future" in picker.options


def test_show_term_displays_counts_first_use_and_kwic(seed_corpus, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    explore.show_term(seed_corpus.paragraphs, seed_corpus.works, "网络主权", load_lexicon())
    summary, first_use, table = shown
    assert "20 occurrences in 6 of 6 works" in summary.data
    assert "003_9bf46ce2aec8518c.txt:24" in first_use.data
    assert len(table) == 8 and "rule" in table.columns
    assert set(table["match"]) >= {"网络主权", "信息网络空间国家主权"}
