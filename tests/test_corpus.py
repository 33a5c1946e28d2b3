"""The seed corpus pinned by hand-checked facts, the ledger invariant, and bad input."""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd
import pytest
from conftest import SEED_DATA, SEED_FILES, assert_ledger_invariant, make_data_dir

from cyberdiscourse.corpus import (
    build,
    build_corpus,
    check,
    input_fingerprint,
    load_processed,
    write_processed,
)
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.normalise import match_key

# ------------------------------------------------------------------ seed facts


def test_seed_files_are_byte_identical():
    for name, digest in SEED_FILES.items():
        assert hashlib.sha256((SEED_DATA / "raw" / name).read_bytes()).hexdigest() == digest


def test_six_included_works_with_dates_and_precision(seed_corpus):
    w = seed_corpus.works.set_index("work_id")
    inc = w[w["include"]]
    got = {wid: (r.date, r.date_precision) for wid, r in inc.iterrows()}
    assert got == {
        "cn-ru-joint-statement-2016": ("2016-06-25", "day"),
        "intl-strategy-cyberspace-2017": ("2017-03-01", "day"),
        "wic-concept-2019": ("2019-10-16", "day"),
        "wic-action-initiative-2020": ("2020-11-18", "day"),
        "scio-white-paper-2022": ("2022-11", "month"),
        "position-intl-rules-2024": ("2024-01", "month"),
    }


def test_dates_read_from_the_text_name_their_source(seed_corpus):
    w = seed_corpus.works.set_index("work_id")
    # The signature line, not the news site's 2016-06-27 header.
    assert (
        w.loc["cn-ru-joint-statement-2016", "date_source"]
        == "text: 003_9bf46ce2aec8518c.txt:53 (date line) 二○一六年六月二十五日"
    )
    # The issuing note, not the law database's "May 31, 2010" header.
    assert w.loc["intl-strategy-cyberspace-2017", "date_source"].startswith(
        "text: 001_c3395b16cd9682d1.txt:12 (issuing note)"
    )
    assert (
        w.loc["scio-white-paper-2022", "date_source"]
        == "text: 004_e9e04761fada368c.txt:39 (date line) 2022年11月"
    )
    assert (
        w.loc["position-intl-rules-2024", "date_source"]
        == "text: 004_e9e04761fada368c.txt:746 (issuing note) 2024年1月"
    )
    # Metadata wins, and a web timestamp (2020年11月18日 16:02) is never a text date.
    assert w.loc["wic-action-initiative-2020", "date_source"] == "metadata"
    assert w.loc["wic-action-initiative-2020", "date_in_text"] == ""
    assert w.loc["wic-concept-2019", "date_in_text"] == ""


def test_excluded_pages_with_reasons(seed_corpus):
    w = seed_corpus.works.set_index("work_id")
    out = w[~w["include"]]
    assert sorted(out.index) == [
        "baike-internet-treaties",
        "wenku-internet-convention",
        "zhihu-internet-convention",
    ]
    assert out["exclude_reason"].str.contains("not a").all()
    d = seed_corpus.discarded
    excluded = d[d["reason"] == "excluded_work"]
    assert sorted(set(excluded["line_no"])) == [*range(1, 6), *range(280, 302)]
    assert not seed_corpus.paragraphs["text"].str.contains("国际互联网公约").any()


JUNK = [
    "京ICP",
    "ICP备",
    "公网安备",
    "版权所有",
    "©",
    "文章源自英文巴士",
    "en84.com",
    "subscribe",
    "Subscribe",
    "logged in",
    "首页",
    "登录",
    "Comment(s)",
    "分享到",
    "责任编辑",
    "打印",
    "字号",
    " 0 obj",
    "endobj",
    "\ufffd",
    "驻外使馆",
    "常驻联合国代表团",
    "外办",
    "Chinalawinfo",
    "Back to Contents",
    "跳转至目录",
    "北大法宝",
    "相关链接",
    "返回顶部",
    "学习强国",
    "Go to Forum",
    "Racist, abusive",
    "新华社北京11月7日电",
    "Photo/Xinhua",
    "publishdate",
    ".....",
]


@pytest.mark.parametrize("junk", JUNK)
def test_no_menu_footer_watermark_or_paywall_text_in_paragraphs(seed_corpus, junk):
    hits = seed_corpus.paragraphs[seed_corpus.paragraphs["text"].str.contains(junk, regex=False)]
    assert hits.empty, hits[["para_id", "text"]].to_string()


def test_strategy_chinese_text_present_once(seed_corpus):
    p = seed_corpus.paragraphs
    zh = p[(p["work_id"] == "intl-strategy-cyberspace-2017") & (p["lang"] == "zh")]
    keys = zh["text"].map(match_key)
    assert keys.is_unique
    # Chapter IV's opening is in two copies (000 and the full text) and is kept once.
    opening = "中国将积极参与网络领域相关国际进程"
    assert p["text"].str.contains(opening).sum() == 1
    assert p.loc[p["text"].str.startswith(opening), "n_copies"].tolist() == [2]
    # The Preamble is in the law-database copy and the full Chinese copy.
    assert p.loc[p["text"] == "序言", "n_copies"].tolist() == [2]
    assert set(p.loc[p["work_id"] != "intl-strategy-cyberspace-2017", "n_copies"]) == {1}
    # The full Chinese copy gives the chapters; the bilingual copies add the English.
    for heading in [
        "序言",
        "第一章 机遇与挑战",
        "第二章 基本原则",
        "第三章 战略目标",
        "第四章 行动计划",
        "结束语",
    ]:
        assert (zh["text"] == heading).sum() == 1, heading
    en = p[(p["work_id"] == "intl-strategy-cyberspace-2017") & (p["lang"] == "en")]
    assert en["text"].str.startswith("China will continue to actively participate").sum() == 1
    assert set(en["source_file"]) == {"000_ddd7ae31e7bb7b86.txt", "001_c3395b16cd9682d1.txt"}
    w = seed_corpus.works.set_index("work_id")
    assert w.loc["intl-strategy-cyberspace-2017", "n_copies"] == 3


def test_aligned_pairs_for_bilingual_sources(seed_corpus):
    pairs = seed_corpus.aligned_pairs
    text = seed_corpus.paragraphs.set_index("para_id")["text"]
    by_work = pairs.groupby("work_id").size()
    assert by_work["cn-ru-joint-statement-2016"] >= 8
    assert by_work["intl-strategy-cyberspace-2017"] >= 60
    assert by_work["wic-concept-2019"] >= 12
    assert "scio-white-paper-2022" not in by_work  # Chinese only
    # China-Russia: 网络主权 is rendered "sovereignty in information space".
    cr = pairs[pairs["work_id"] == "cn-ru-joint-statement-2016"]
    hit = [
        (text[z], text[e])
        for z, e in zip(cr["zh_para_id"], cr["en_para_id"])
        if "网络主权" in text[z]
    ]
    assert len(hit) == 1
    assert "sovereignty in information space" in hit[0][1]
    # Alternating paragraphs (2019 concept document) pair by position.
    wic = pairs[pairs["work_id"] == "wic-concept-2019"]
    pair = {text[z]: text[e] for z, e in zip(wic["zh_para_id"], wic["en_para_id"])}
    (en,) = [e for z, e in pair.items() if z.startswith("构建网络空间命运共同体应加强")]
    assert en.startswith("Building a community with a shared future in cyberspace requires")
    assert set(wic["method"]) == {"adjacent"}


def test_watermark_cut_from_a_line_keeps_the_rest(seed_corpus):
    p = seed_corpus.paragraphs
    row = p[(p["source_file"] == "002_7f6f740f4e046d2f.txt") & (p["line_no"] == 2)]
    assert row["text"].tolist() == ["Path to Realization"]
    d = seed_corpus.discarded
    cut = d[(d["source_file"] == "002_7f6f740f4e046d2f.txt") & (d["line_no"] == 2)]
    assert cut["partial"].all() and (cut["reason"] == "watermark").all()


def test_one_line_document_is_split_into_paragraphs(seed_corpus):
    p = seed_corpus.paragraphs
    pos = p[p["work_id"] == "position-intl-rules-2024"]
    from_749 = pos[pos["line_no"] == 749]
    assert len(from_749) == 11
    assert from_749["text"].str.match(r"^[一二三四五]、").sum() == 5
    assert from_749["text"].str.match(r"^\([一二三四五]\)").sum() == 5


# ------------------------------------------------------------------ ledger


def test_ledger_invariant_on_seed_corpus(seed_corpus):
    assert_ledger_invariant(seed_corpus)
    assert sum(seed_corpus.raw_lines.values()) == 54 + 94 + 33 + 75 + 1038


def test_binary_tail_is_discarded_as_garbage(seed_corpus):
    d = seed_corpus.discarded
    tail = d[(d["source_file"] == "004_e9e04761fada368c.txt") & (d["line_no"] >= 974)]
    assert len(tail) == 1038 - 974 + 1
    assert set(tail["reason"]) <= {"binary_garbage", "blank"}


def _tree(folder):
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "tokens" not in p.parts and p.name != ".build.lock"
    }


def test_outputs_are_identical_on_rerun(tmp_path, seed_copy):
    out1, out2 = tmp_path / "p1", tmp_path / "p2"
    write_processed(build_corpus(seed_copy), out1)
    write_processed(build_corpus(seed_copy), out2)
    files = _tree(out1)
    assert sorted(files) == [
        "aligned_pairs.parquet",
        "discarded.parquet",
        "documents.parquet",
        "duplicates.parquet",
        "manifest.json",
        "paragraphs/part-00000.parquet",
        "summary.json",
        "works.parquet",
    ]
    assert files == _tree(out2)
    assert not list(out1.rglob(".*"))
    back = pd.read_parquet(out1 / "works.parquet")
    assert back["include"].sum() == 6


def test_streaming_build_writes_what_the_in_memory_build_writes(tmp_path, seed_copy):
    corpus = build_corpus(seed_copy)
    write_processed(corpus, tmp_path / "mem")
    result = build(seed_copy)
    assert not result.up_to_date and result.n_partitions == 1
    streamed, in_memory = _tree(seed_copy / "processed"), _tree(tmp_path / "mem")
    manifest = json.loads(streamed.pop("manifest.json"))
    assert manifest["inputs"] == input_fingerprint(seed_copy)
    assert json.loads(in_memory.pop("manifest.json"))["partitions"] == manifest["partitions"]
    assert streamed == in_memory
    pd.testing.assert_frame_equal(load_processed(seed_copy)["paragraphs"], corpus.paragraphs)
    # zh 303: the 2017 paragraph whose copies differ by 其它/其他 is kept once
    assert result.summary["paragraphs_by_lang"] == {"en": 102, "zh": 303}


def test_build_never_writes_into_raw(seed_copy):
    raw = seed_copy / "raw"
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    write_processed(build_corpus(seed_copy), seed_copy / "processed")
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before


# ------------------------------------------------------------------ generated noisy input

NOISY_WORKS = (
    "trad-2019,網絡主權白皮書,Cyber sovereignty paper,,Office,white paper,true,,\n"
    "mixed-2021,合作倡议,Cooperation initiative,2021-05-01,Office,initiative,true,,\n"
    "page-2022,立场文件,Position paper,,Office,position,true,,\n"
    "junk-2022,垃圾页面,Junk,,,,false,spam page,\n"
)


def noisy_files() -> dict[str, bytes]:
    trad = (
        "網絡主權白皮書\n首頁\n登錄\n搜索\n(二○一九年十月)\n"
        "各國應尊重網絡主權,反對侵犯他國網絡主權的行為。\n"
        "國際社會應加強對話與合作,共同構建網絡空間命運共同體。\n"
        "京ICP備05070218號 版權所有\n"
    ) * 1
    mixed = (
        "合作倡议\r\n本站水印 https://example.org/wm\r\n"
        "各方应加强合作，共同维\u200b护网络空间和平与安全。"
        "Parties should strengthen cooperation to "
        "safeguard peace and security in cyberspace.\r\n"
        "本站水印 https://example.org/wm\r\n\x00\x00\r\n"
        "Parties should respect cyber sovereignty and oppose cyber hegemony.\r\n"
        "本站水印 https://example.org/wm\r\n"
    )
    html = (
        "<html><body><nav>首页 登录</nav><article><h1>立场文件</h1><p>(2022年3月)</p>"
        "<p>中国主张在联合国框架下制定网络空间国际规则。</p>"
        "<p>Subscribe now to read more</p></article><script>x=1</script></body></html>"
    )
    junk = "买币赚钱 国际互联网公约\n点击下载\n"
    return {
        "trad.txt": trad.encode("big5"),
        "mixed.txt": mixed.encode("utf-16"),
        "page.html": html.encode("gb18030"),
        "junk.txt": junk.encode("utf-8"),
    }


@pytest.fixture
def noisy_corpus(tmp_path):
    captures = (
        "trad.txt,trad-2019,,,\nmixed.txt,mixed-2021,,,\npage.html,page-2022,,,\n"
        "junk.txt,junk-2022,,,\n"
    )
    return build_corpus(make_data_dir(tmp_path, noisy_files(), NOISY_WORKS, captures))


def test_noisy_input_is_decoded_normalised_and_accounted_for(noisy_corpus):
    c = noisy_corpus
    assert_ledger_invariant(c)
    texts = c.paragraphs["text"].tolist()
    # Big5 decoded, zero-width removed, Traditional -> Simplified.
    assert "各国应尊重网络主权,反对侵犯他国网络主权的行为。" in texts
    assert "国际社会应加强对话与合作,共同构建网络空间命运共同体。" in texts
    # UTF-16 with CRLF and NUL: split into zh and en, watermark gone, aligned.
    assert "各方应加强合作,共同维护网络空间和平与安全。" in texts
    assert "Parties should respect cyber sovereignty and oppose cyber hegemony." in texts
    assert not any("水印" in t or "example.org" in t for t in texts)
    assert (c.aligned_pairs["work_id"] == "mixed-2021").sum() == 1
    # HTML in GB18030: script and nav gone, paywall line dropped.
    assert "中国主张在联合国框架下制定网络空间国际规则。" in texts
    assert not any("Subscribe" in t or "x=1" in t for t in texts)
    # Menus and footers are ledger rows with reasons.
    reasons = c.discarded.set_index(["source_file", "line_no"])["reason"]
    assert reasons[("trad.txt", 8)] == "site_furniture"
    assert reasons[("mixed.txt", 2)] == "watermark"
    assert set(c.discarded[c.discarded["source_file"] == "junk.txt"]["reason"]) == {"excluded_work"}


def test_noisy_input_dates_from_text(noisy_corpus):
    w = noisy_corpus.works.set_index("work_id")
    assert (w.loc["trad-2019", "date"], w.loc["trad-2019", "date_precision"]) == (
        "2019-10",
        "month",
    )
    assert w.loc["mixed-2021", "date_source"] == "metadata"
    assert w.loc["page-2022", "date"] == "2022-03"
    docs = noisy_corpus.documents.set_index("doc_id")
    assert docs.loc["trad.txt", "encoding"] == "big5hkscs"
    assert docs.loc["mixed.txt", "encoding"] == "utf-16"
    assert docs.loc["page.html", "source_kind"] == "html"


def test_duplicates_across_works_are_reported(tmp_path):
    shared = "各国应在相互尊重的基础上加强网络空间国际合作,共同构建和平安全开放合作有序的网络空间。"
    near = shared.replace("有序的", "有序之")
    files = {
        "a.txt": f"{shared}\n这是第一份文件特有的段落,内容完全不同于其他文件。\n".encode(),
        "b.txt": f"第二份文件开头的一段话,与前者无关。\n{shared}\n".encode(),
        "c.txt": f"{near}\n".encode(),
    }
    works = "a-2019,甲,A,2019,,,true,,\nb-2020,乙,B,2020,,,true,,\nc-2021,丙,C,2021,,,true,,\n"
    captures = "a.txt,a-2019,,,\nb.txt,b-2020,,,\nc.txt,c-2021,,,\n"
    dup = build_corpus(make_data_dir(tmp_path, files, works, captures)).duplicates
    kinds = {(r.work_id_a, r.work_id_b): r.kind for r in dup.itertuples()}
    assert kinds[("a-2019", "b-2020")] == "exact"
    assert kinds[("a-2019", "c-2021")] == "near"
    assert len(dup) == 3


# ------------------------------------------------------------------ bad metadata


def bad_metadata(tmp_path, works: str, captures: str, files=None):
    files = files or {"a.txt": "各国应尊重网络主权。\n".encode()}
    data = make_data_dir(tmp_path, files, works, captures)
    with pytest.raises(CorpusError) as err:
        build_corpus(data)
    return str(err.value), check(data)


def test_missing_file_names_the_row(tmp_path):
    msg, problems = bad_metadata(
        tmp_path, "a-2019,甲,A,2019,,,true,,\n", "a.txt,a-2019,,,\ngone.txt,a-2019,,,\n"
    )
    assert "captures.csv, row 3: source_file 'gone.txt' does not exist" in msg
    assert [p.where for p in problems if p.severity == "error"] == ["row 3"]


def test_file_outside_the_data_folder(tmp_path):
    (tmp_path / "secret.txt").write_text("网络主权", encoding="utf-8")
    msg, _ = bad_metadata(tmp_path, "a-2019,甲,A,2019,,,true,,\n", "../../secret.txt,a-2019,,,\n")
    assert "captures.csv, row 2: source_file '../../secret.txt' is outside" in msg


def test_duplicate_ids_and_impossible_dates(tmp_path):
    msg, problems = bad_metadata(
        tmp_path,
        "a-2019,甲,A,2019-02-30,,,true,,\nb,乙,B,2019,,,true,,\nb,丙,C,2020,,,true,,\n",
        "a.txt,b,,,\n",
    )
    assert "works.csv, row 2: impossible or malformed date '2019-02-30'" in msg
    assert "works.csv, row 4: duplicate work_id 'b' (first on row 3)" in msg
    assert len([p for p in problems if p.severity == "error"]) == 2


def test_spans_past_the_end_or_overlapping(tmp_path):
    files = {"a.txt": "一\n二\n三\n".encode()}
    msg, _ = bad_metadata(
        tmp_path,
        "a-2019,甲,A,2019,,,true,,\nb-2019,乙,B,2019,,,true,,\n",
        "a.txt,a-2019,1,2,\na.txt,b-2019,2,9,\n",
        files,
    )
    assert "row 3: line_end 9 is past the end of a.txt (3 lines)" in msg
    assert "row 3: lines 2-2 of a.txt are also claimed by row 2" in msg


def test_binary_and_empty_raw_files_are_named_and_left_out(tmp_path):
    files = {
        "bin.txt": bytes(range(256)) * 50,
        "empty.txt": b"",
        "good.txt": "各国应尊重网络主权。\n".encode(),
    }
    data = make_data_dir(
        tmp_path,
        files,
        "a-2019,甲,A,2019,,,true,,\nb-2019,乙,B,2019,,,true,,\n",
        "bin.txt,a-2019,,,\nempty.txt,a-2019,,,\ngood.txt,b-2019,,,\n",
    )
    corpus = build_corpus(data)  # the readable capture builds
    said = "\n".join(str(p) for p in corpus.problems)
    assert "WARNING: bin.txt: looks like a binary file" in said
    assert "WARNING: empty.txt: the file is empty; left out of the build" in said
    assert list(corpus.documents["source_file"]) == ["good.txt"]
    assert list(corpus.works["work_id"]) == ["a-2019", "b-2019"]
    assert [p.severity for p in check(data) if p.file in ("bin.txt", "empty.txt")] == [
        "warning",
        "warning",
    ]


def test_missing_columns_and_bad_include(tmp_path):
    msg, _ = bad_metadata(
        tmp_path, "a-2019,甲,A,2019,,,maybe,,\nb-2019,乙,B,2019,,,false,,\n", "a.txt,b-2019,,,\n"
    )
    assert "row 2: include must be true or false, not 'maybe'" in msg
    assert "row 3: excluded without a reason" in msg


def test_unlisted_raw_file_is_a_warning_not_a_silent_drop(tmp_path):
    files = {"a.txt": "各国应尊重网络主权。\n".encode(), "b.txt": "另一份文件。\n".encode()}
    data = make_data_dir(tmp_path, files, "a-2019,甲,A,2019,,,true,,\n", "a.txt,a-2019,,,\n")
    corpus = build_corpus(data)
    assert [str(p) for p in corpus.problems] == [
        "WARNING: b.txt: not listed in captures.csv, so not used\n"
        "    -> add a row to captures.csv (or use 'cyberdiscourse add')"
    ]
    assert re.search("网络主权", corpus.paragraphs["text"].iloc[0])


def test_metadata_date_wins_but_a_disagreeing_text_date_is_reported(tmp_path):
    files = {
        "a.txt": "\n".join(
            ["甲声明", "各方应加强合作,共同维护网络空间和平与安全。", "二○一六年六月二十五日"]
        ).encode()
    }
    data = make_data_dir(
        tmp_path, files, "a-2016,甲声明,A,2016-07-01,,,true,,\n", "a.txt,a-2016,,,\n"
    )
    corpus = build_corpus(data)
    w = corpus.works.set_index("work_id").loc["a-2016"]
    assert (w["date"], w["date_source"], w["date_in_text"]) == (
        "2016-07-01",
        "metadata",
        "2016-06-25",
    )
    assert [str(p).splitlines()[0] for p in corpus.problems] == [
        "WARNING: works.csv, row 2: date 2016-07-01 differs from the date in the text, "
        "2016-06-25 (a.txt:3 (date line) 二○一六年六月二十五日)"
    ]


def test_extracted_html_text_is_written_so_line_numbers_can_be_followed(noisy_corpus, tmp_path):
    write_processed(noisy_corpus, tmp_path / "processed")
    extracted = (tmp_path / "processed" / "extracted" / "page.html.txt").read_text(encoding="utf-8")
    lines = extracted.splitlines()
    row = noisy_corpus.paragraphs[noisy_corpus.paragraphs["source_file"] == "page.html"]
    for text, line_no in zip(row["text"], row["line_no"]):
        assert lines[line_no - 1].strip() == text
