"""Alignment across captures: length and anchors, measured on the pairs the captures give."""

from __future__ import annotations

import pandas as pd
import pytest

from cyberdiscourse.alignment import align_across, align_sequences, evaluate_across
from cyberdiscourse.lexicon import load_lexicon


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def test_align_sequences_pairs_by_length_and_skips_what_has_no_partner(lexicon):
    zh = [
        "第一章 机遇与挑战",
        "尊重网络主权,反对网络霸权。" * 3,
        "这是一个只有中文的段落,没有英文译文可以对应。" * 4,
    ]
    en = [
        "Chapter I Opportunities and Challenges",
        "Respect cyber sovereignty and oppose cyber hegemony. " * 3,
    ]
    pairs = align_sequences(zh, en, lexicon=lexicon)
    assert [(i, j) for i, j, _ in pairs] == [(0, 0), (1, 1)]
    assert all(score > 0 for *_, score in pairs)


def test_precision_on_the_seed_pairs(seed_corpus, lexicon):
    result = evaluate_across(seed_corpus.paragraphs, seed_corpus.aligned_pairs, lexicon=lexicon)
    assert result["known_pairs"] == len(seed_corpus.aligned_pairs) == 94
    assert result["precision"] >= 0.95  # measured: 82 of 85 judged pairs right
    assert result["recall"] >= 0.85
    # the anchors help: length alone is less precise on the same pairs
    plain = evaluate_across(seed_corpus.paragraphs, seed_corpus.aligned_pairs, lexicon=None)
    assert plain["precision"] < result["precision"]


def test_align_across_pairs_only_what_no_capture_paired(seed_corpus, lexicon):
    pairs = seed_corpus.aligned_pairs
    across = align_across(seed_corpus.paragraphs, pairs, lexicon=lexicon)
    assert (across["method"] == "across").all()
    taken = set(pairs["zh_para_id"]) | set(pairs["en_para_id"])
    assert not taken & (set(across["zh_para_id"]) | set(across["en_para_id"]))
    text = seed_corpus.paragraphs.set_index("para_id")["text"]
    chapters = [(text[z], text[e]) for z, e in zip(across["zh_para_id"], across["en_para_id"])]
    assert ("第一章 机遇与挑战", "Chapter I Opportunities and Challenges") in chapters
    assert isinstance(across, pd.DataFrame) and len(across) == 3
