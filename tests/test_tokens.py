import re
import shutil
from collections import Counter
from unittest import mock

import jieba
import pytest
from conftest import GWR, NO_SHARED, REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberdiscourse import tokens as tk
from cyberdiscourse.corpus import build_corpus, write_processed
from cyberdiscourse.lexicon import load_lexicon
from cyberdiscourse.tokens import Segmenter, TokenSettings, load_tokens, tokenize


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def seg(lexicon):
    return Segmenter(lexicon)


@pytest.fixture
def built(seed_copy):
    write_processed(build_corpus(seed_copy), seed_copy / "processed")
    return seed_copy


def test_lexicon_forms_are_single_tokens(seg):
    text = (
        "各国应尊重网络主权,携手构建网络空间命运共同体,"
        "推动构建人类命运共同体,保护关键信息基础设施。"
    )
    toks = seg.zh(text)
    for form in ["网络主权", "网络空间命运共同体", "人类命运共同体", "关键信息基础设施"]:
        assert form in toks
    assert "命运" not in toks and "共同体" not in toks
    assert "的" not in seg.zh("中国的网络主权")


def test_a_domain_term_longer_than_a_concept_form_is_one_token(seg):
    toks = seg.zh("推进全球网络空间治理体系变革,维护网络空间安全。")
    assert "网络空间治理" in toks and "网络空间安全" in toks and "网络空间" not in toks


def test_a_dedicated_tokenizer_leaves_the_global_one_alone(seg):
    seg.zh("网络空间命运共同体")
    assert "网络空间命运共同体" not in jieba.dt.FREQ


def test_lexicon_counts_equal_an_independent_count_of_the_clean_text(seed_corpus, lexicon, seg):
    """Tokens of each form and domain term equal a leftmost-longest regex count over the
    paragraph text, forms and domain terms together (a longer domain term wins)."""
    zh = seed_corpus.paragraphs[seed_corpus.paragraphs["lang"] == "zh"]
    words = sorted({*lexicon.zh_forms, *lexicon.domain_terms}, key=lambda w: (-len(w), w))
    pattern = re.compile("|".join(map(re.escape, words)))
    expected = Counter(m.group(0) for text in zh["text"] for m in pattern.finditer(text))
    got = Counter(t for text in zh["text"] for t in seg.zh(text) if t in set(words))
    assert got == expected
    # Domain terms whole: 13 of 13 网络空间治理; 6 of the 7 网络空间安全, the seventh standing
    # in "信息网络空间安全", where the concept form 信息网络空间 starts first (leftmost wins).
    assert got["网络空间治理"] == sum(t.count("网络空间治理") for t in zh["text"]) == 13
    assert got["网络空间安全"] == sum(t.count("网络空间安全") for t in zh["text"]) - 1 == 6
    assert got["网络主权"] == sum(t.count("网络主权") for t in zh["text"]) > 10
    assert got["网络空间命运共同体"] == sum(t.count("网络空间命运共同体") for t in zh["text"]) > 30


def test_english_tokens(seg):
    assert seg.en("China supports the UN's role in Cyber-Security and 5G.") == [
        "china",
        "supports",
        "un's",
        "role",
        "cyber-security",
    ]


def test_pos_filter_keeps_only_requested_tags(lexicon):
    nouns = Segmenter(lexicon, TokenSettings(pos_keep=("n",)))
    all_tags = Segmenter(lexicon)
    text = "中国积极参与联合国框架下的国际规则制定"
    assert set(nouns.zh(text)) < set(all_tags.zh(text))
    assert "积极" not in nouns.zh(text)


def test_parallel_and_serial_tokens_are_equal(seed_corpus, lexicon, monkeypatch):
    paras = seed_corpus.paragraphs
    serial = tokenize(paras, lexicon, n_jobs=1)
    monkeypatch.setattr(tk, "PARALLEL_MIN_CHARS", 0)
    parallel = tokenize(paras, lexicon, n_jobs=2)
    assert serial["tokens"].map(list).tolist() == parallel["tokens"].map(list).tolist()
    assert serial["n_tokens"].sum() > 10_000


def test_cache_hit_then_miss_after_a_lexicon_edit(built, monkeypatch):
    calls = []
    real = tk.segment_partition
    monkeypatch.setattr(tk, "segment_partition", lambda task: calls.append(1) or real(task))
    first = load_tokens(built)
    assert calls == [1] and first.attrs["from_cache"] is False
    again = load_tokens(built)
    assert calls == [1]  # no segmentation: read from the cache
    assert again.attrs["from_cache"] is True
    assert again["tokens"].map(list).tolist() == first["tokens"].map(list).tolist()
    shutil.copytree(REPO / "data" / "lexicon", built / "lexicon")
    with open(built / "lexicon" / "domain_terms.txt", "a", encoding="utf-8") as f:
        f.write("行为准则\n")
    edited = load_tokens(built)
    assert calls == [1, 1]
    assert Counter(t for ts in edited["tokens"] for t in ts)["行为准则"] >= 2
    load_tokens(built, settings=TokenSettings(hmm=False))
    assert calls == [1, 1, 1]  # settings are part of the key


def test_tokens_need_a_built_corpus(seed_copy):
    with pytest.raises(Exception, match="not built yet"):
        load_tokens(seed_copy)


@pytest.mark.parametrize("source", ["seeds", "government work reports"])
def test_rjieba_gives_jiebas_tokens_on_real_text(seed_corpus, lexicon, source):
    """Default engine vs the jieba reference, same dictionary: every paragraph equal."""
    if source == "seeds":
        texts = list(seed_corpus.paragraphs["text"])
    else:
        if not GWR.is_file():
            pytest.skip(NO_SHARED)
        lines = GWR.read_text(encoding="utf-8").splitlines()
        reports = [line.partition("\t")[2] for line in lines]
        texts = [r[i : i + 400] for r in reports[:8] for i in range(0, len(r), 400)]
    for hmm in (True, False):
        fast = Segmenter(lexicon, TokenSettings(engine="rjieba", hmm=hmm, min_chars_zh=1))
        ref = Segmenter(lexicon, TokenSettings(engine="jieba", hmm=hmm, min_chars_zh=1))
        differ = [t for t in texts if fast.raw_zh(t) != ref.raw_zh(t)]
        assert differ == [], (hmm, differ[:2])
        # The stored tokens: rjieba cuts all paragraphs in one call, jieba one by one.
        langs = ["zh"] * len(texts)
        joined = fast.token_lists(texts, langs).to_pylist()
        one_by_one = ref.token_lists(texts, langs).to_pylist()
        assert [i for i, (a, b) in enumerate(zip(joined, one_by_one)) if a != b] == []
        assert len(joined) == len(texts) and sum(map(len, joined)) > 20 * len(texts)
    assert len(texts) > (300 if source != "seeds" else 400)


# Pieces of paragraphs where the joined cut could go wrong: lexicon forms next to each
# other and to Latin, symbol runs jieba cuts (2011-2020) or keeps (C++, AT&T), the
# line breaks and tabs that mark paragraphs and forms, and English rows between.
TRICKY = st.sampled_from(
    ["网络主权", "网络空间", "网络空间治理", "网络空间命运共同体", "人类命运共同体", "数据安全法"]
    + ["各国", "尊重", "推进", "的", "和", "是", "中国", "合作", "治理", "体系", "变革"]
    + ["2011-2020", "COVID-19", "B2B", "C++", "AT&T", "c#", "6.5%", "a.b", "#1", "5G", "x_y"]
    + ["8.8mm", "2.2.1", "1.5", "--", "..", "%"]
    + ["\n", "\t", "\r\n", " ", "\u3000", ",", "。", "、", "《", "》", "-", "%", "\ue004"]
)


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(
        st.tuples(st.lists(TRICKY, max_size=25).map("".join), st.sampled_from(["zh", "zh", "en"])),
        max_size=8,
    ),
    st.booleans(),
    st.sampled_from([1, 9, 40, tk.CUT_CHUNK_CHARS]),
)
def test_joined_cut_equals_jieba_paragraph_by_paragraph(lexicon, rows, hmm, chunk_chars):
    """Also with rjieba's calls ending after every paragraph or every few (chunk_chars)."""
    texts, langs = [t for t, _ in rows], [lang for _, lang in rows]
    fast = tk._segmenter(lexicon, TokenSettings(hmm=hmm, min_chars_zh=1))
    ref = tk._segmenter(lexicon, TokenSettings(engine="jieba", hmm=hmm, min_chars_zh=1))
    with mock.patch.object(tk, "CUT_CHUNK_CHARS", chunk_chars):
        got = fast.token_lists(texts, langs).to_pylist()
    assert got == ref.token_lists(texts, langs).to_pylist()
    assert [fast.raw_zh(t) for t in texts] == [ref.raw_zh(t) for t in texts]  # unfiltered


def test_cut_in_runs_of_paragraphs_is_the_cut_of_the_whole(lexicon, seed_corpus, monkeypatch):
    """rjieba gets runs of paragraphs that end at a line break, and every run ends where
    a paragraph ends: the tokens are those of one call on the whole text."""
    texts = list(seed_corpus.paragraphs.query("lang == 'zh'")["text"])
    seg = Segmenter(lexicon)
    calls, real = [], seg._rjieba

    def cut(text: str, hmm: bool) -> list[str]:
        if hmm:  # not the dictionary look-ups of symbol runs (HMM off)
            calls.append(text)
        return real.cut(text, hmm)

    monkeypatch.setattr(seg, "_rjieba", mock.Mock(cut=cut))
    monkeypatch.setattr(tk, "CUT_CHUNK_CHARS", 2_000)
    runs = seg.token_lists(texts, ["zh"] * len(texts)).to_pylist()
    assert len(calls) > 10 and all(c.endswith("\n") for c in calls[:-1])
    assert sum(c.count("\n") for c in calls) == len(texts) - 1
    assert max(map(len, calls)) < 2_000 + max(map(len, texts)) + 1
    monkeypatch.setattr(tk, "CUT_CHUNK_CHARS", 10**9)
    calls.clear()
    assert seg.token_lists(texts, ["zh"] * len(texts)).to_pylist() == runs and len(calls) == 1


def test_joined_cut_on_hand_examples(seg):
    texts = [
        "网络主权网络空间命运共同体",
        "",
        "实施《2011-2020年规划》,推进B2B和COVID-19防控",
        "China respects cyber sovereignty.",
        "掌握C++和AT&T\n的5G网络\t主权",
    ]
    got = seg.token_lists(texts, ["zh", "zh", "zh", "en", "zh"]).to_pylist()
    assert got == [
        ["网络主权", "网络空间命运共同体"],
        [],
        ["实施", "规划", "推进", "b2b", "covid", "防控"],
        ["china", "respects", "cyber", "sovereignty"],
        ["掌握", "c++", "at&t", "5g", "网络", "主权"],
    ]


def test_symbol_runs_are_cut_as_jieba_cuts_them(lexicon):
    fast = Segmenter(lexicon, TokenSettings(engine="rjieba"))
    ref = Segmenter(lexicon, TokenSettings(engine="jieba"))
    text = "实施《2011-2020年规划》,推进B2B和COVID-19防控,增长6.5%。"
    assert fast.raw_zh(text) == ref.raw_zh(text)
    assert fast.raw_zh(text)[2:5] == ["2011", "-", "2020"] and "6.5%" in fast.raw_zh(text)
    # Each alone, so that no other run in the text sends it to the symbol cut.
    assert fast.raw_zh("见2.2.1节") == ref.raw_zh("见2.2.1节") == ["见", "2.2", ".", "1", "节"]
    assert fast.raw_zh("口径8.8mm") == ref.raw_zh("口径8.8mm") == ["口径", "8.8", "mm"]


def test_an_unknown_engine_is_refused(lexicon):
    with pytest.raises(ValueError, match="engine must be one of"):
        Segmenter(lexicon, TokenSettings(engine="pkuseg"))


def test_han_counts_from_bytes_equal_count_cjk(seed_corpus):
    import pyarrow as pa

    from cyberdiscourse.normalise import count_cjk
    from cyberdiscourse.tokens import han_counts

    edge = [
        "\u3400\u4dbf\u4dc0\u4e00\u9fff\uf900\ufaff\u33ff\ufb00",  # range ends and neighbours
        "",
        "网络主权 cyber sovereignty、。《》",
        "\U00020000𠀀",  # outside the counted ranges: not Han here
    ]
    texts = [*seed_corpus.paragraphs["text"], *edge]
    for arr in (pa.array(texts), pa.array(texts, pa.large_string()), pa.array(texts)[3:]):
        expected = [count_cjk(t) for t in arr.to_pylist()]
        assert han_counts(arr).tolist() == expected
    assert han_counts(pa.array([edge[0]])).tolist() == [6]
