import pytest

from cyberdiscourse.normalise import (
    chain,
    collapse_whitespace,
    count_cjk,
    match_key,
    nfkc,
    normalise_line,
    remove_control,
    remove_invisible,
    traditional_to_simplified,
)


def test_nfkc_turns_full_width_into_ascii():
    assert nfkc("ＡＢＣ１２３，（网络）") == "ABC123,(网络)"
    assert nfkc("２０１７年３月１日") == "2017年3月1日"


def test_remove_invisible_rejoins_a_split_word():
    assert remove_invisible("网络\u200b主权\ufeff与\u200d\u2060安全\u00ad") == "网络主权与安全"


def test_remove_control_drops_nul_and_keeps_text():
    assert remove_control("网络\x00主权\x07") == "网络主权"


def test_collapse_whitespace_folds_ideographic_and_nbsp_spaces():
    assert collapse_whitespace("\u3000 网络  空间\u00a0\t治理 ") == "网络 空间 治理"


def test_traditional_to_simplified_converts_chinese_and_leaves_english():
    assert traditional_to_simplified("網絡空間命運共同體") == "网络空间命运共同体"
    assert (
        traditional_to_simplified("尊重網絡主權 cyber sovereignty")
        == "尊重网络主权 cyber sovereignty"
    )
    assert traditional_to_simplified("plain English") == "plain English"


def test_pipeline_order_and_chain():
    line = "\ufeff　網絡\u200b主權，ＡＢＣ\r"
    assert normalise_line(line) == "网络主权,ABC"
    upper = chain([str.strip, str.upper])
    assert upper("  abc ") == "ABC"


def test_match_key_ignores_punctuation_spacing_width_and_case():
    a = "中国将积极参与网络领域相关国际进程,加强双边、地区及国际对话与合作。"
    b = "中国将积极参与网络领域相关国际进程，加强双边 地区及国际对话与合作"
    assert match_key(a) == match_key(b)
    assert match_key("Cyber Sovereignty!") == match_key("cyber  sovereignty")
    assert match_key(a) != match_key("中国将积极参与网络领域相关国际进程")


def test_count_cjk():
    assert count_cjk("网络主权 cyber 5G") == 4


def test_variant_characters_fold_in_the_match_key_from_the_kept_list():
    from cyberdiscourse.normalise import _variant_table, fold_variants, variant_differences

    assert match_key("其它国际机制和平台") == match_key("其他国际机制和平台")
    assert match_key("帐户") == match_key("账户")
    assert match_key("网络主权") != match_key("网络主义")
    assert fold_variants("其它") == fold_variants("其他")
    table = _variant_table()
    assert len(table) > 200  # from yitizi's sets, not a hand-typed pair or two
    assert all(len(v) == 1 for v in table.values())  # one character for one: offsets kept
    assert variant_differences("其它国际机制", "其他国际机制,提供有益补充") == ["它/他"]
    assert variant_differences("其他", "其他") == []


def test_copies_differing_only_by_variants_merge_and_the_ledger_names_them(seed_corpus):
    p = seed_corpus.paragraphs
    both = p[p["text"].str.contains("国际机制和平台也应发挥各自优势")]
    assert len(both[both["lang"] == "zh"]) == 1  # the 2017 paragraph is kept once
    d = seed_corpus.discarded
    row = d[d["detail"].str.contains("variant characters", na=False)]
    assert row["source_file"].tolist() == ["001_c3395b16cd9682d1.txt"]
    assert row["line_no"].tolist() == [68]
    assert row["detail"].iloc[0].endswith("(variant characters 它/他)")


@pytest.mark.parametrize(
    "simplified",
    ["违反本法规定，破坏耕地的", "非法占用耕地、破坏土地", "朱镕基", "干部", "著作权", "后来"],
)
def test_simplified_text_is_never_run_through_opencc(simplified):
    """OpenCC's t2s reads 坏 as the traditional form of 坯: 破坏 would become 破坯."""
    assert traditional_to_simplified(simplified) == simplified
    assert normalise_line(simplified) == simplified.replace("，", ",")  # NFKC's comma only


def test_a_traditional_line_is_converted_whole():
    assert traditional_to_simplified("破壞土地，違反本法") == "破坏土地，违反本法"
    assert normalise_line("裡面 後來 臺灣") == "里面 后来 台湾"
