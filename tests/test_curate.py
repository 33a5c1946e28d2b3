import pytest
from conftest import REAL_CAPTURES, needs_real_captures

from cyberdiscourse.corpus import build_corpus, check
from cyberdiscourse.curate import add_capture, import_tsv, make_work_id
from cyberdiscourse.errors import CorpusError

STATEMENT = (
    "关于网络空间合作的联合声明\n"
    "双方同意尊重各国网络主权,反对网络霸权,共同构建网络空间命运共同体。\n"
)


def test_add_copies_the_file_and_appends_valid_rows(tmp_path, seed_copy):
    src = tmp_path / "new_statement.txt"
    src.write_text(STATEMENT, encoding="utf-8")
    wid = add_capture(
        seed_copy,
        src,
        title="关于网络空间合作的联合声明",
        title_en="Joint Statement",
        date="2023-05-19",
        issuer="MFA",
        genre="joint statement",
    )
    assert wid == "joint-statement-2023"
    assert (seed_copy / "raw" / "new_statement.txt").read_bytes() == src.read_bytes()
    assert [p for p in check(seed_copy) if p.severity == "error"] == []
    corpus = build_corpus(seed_copy)
    w = corpus.works.set_index("work_id").loc[wid]
    assert (w["date"], w["date_source"], bool(w["include"])) == ("2023-05-19", "metadata", True)
    assert corpus.paragraphs["text"].str.contains("反对网络霸权").sum() == 1
    assert (
        (seed_copy / "raw" / "works.csv")
        .read_text(encoding="utf-8")
        .endswith(
            "joint-statement-2023,关于网络空间合作的联合声明,Joint Statement,2023-05-19,MFA,"
            "joint statement,true,,\n"
        )
    )


def test_add_refuses_bad_input_and_writes_nothing(tmp_path, seed_copy):
    raw = seed_copy / "raw"
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    src = tmp_path / "000_ddd7ae31e7bb7b86.txt"
    src.write_text(STATEMENT, encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        add_capture(
            seed_copy,
            src,
            title="Strategy",
            date="2017-02-30",
            work_id="intl-strategy-cyberspace-2017",
        )
    msg = str(err.value)
    assert "impossible or malformed date '2017-02-30'" in msg
    assert "already exists" in msg
    assert "work_id 'intl-strategy-cyberspace-2017' exists" in msg
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CorpusError, match="empty.txt: the file is empty"):
        add_capture(seed_copy, empty, title="Empty")
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before


def test_make_work_id():
    assert (
        make_work_id("Jointly Build a Community", "2019-10-16") == "jointly-build-a-community-2019"
    )
    # Chinese titles: pinyin word by word, at most 40 characters, then the year.
    assert make_work_id("携手构建网络空间命运共同体", "") == (
        "xieshou-goujian-wangluokongjian-mingyun-undated"
    )
    assert make_work_id("中华人民共和国数据安全法", "2021-06-10") == "shuju-anquanfa-2021"


def test_import_tsv_checks_every_line_before_writing_anything(tmp_path):
    tsv = tmp_path / "reports.tsv"
    tsv.write_text("2019\t第一份报告。\n2020\t第二份报告。\n2019\t重复的年份。\n", encoding="utf-8")
    data = tmp_path / "data"
    with pytest.raises(CorpusError) as err:
        import_tsv(data, tsv)
    message = "reports.tsv, line 3: work_id 'reports-2019' exists (reports.tsv line 1)"
    assert message in str(err.value)
    assert not (data / "raw").exists()
    tsv.write_text("2019\t第一份报告。\n2020\t第二份报告。\n", encoding="utf-8")
    assert import_tsv(data, tsv) == ["reports-2019", "reports-2020"]
    works = (data / "raw" / "works.csv").read_text(encoding="utf-8").splitlines()
    assert len(works) == 3 and works[2].startswith("reports-2020,")


def test_names_that_use_nearly_all_255_bytes_are_added_and_built(tmp_path):
    """A crawler names files after headlines: temporary and extracted files beside them
    must not pass the file system's limit."""
    from cyberdiscourse.corpus import build, load_processed
    from cyberdiscourse.curate import add_captures

    text = "国家互联网信息办公室发布《网络数据安全管理条例》解读文章，强调尊重网络主权。"
    stem = "SANS Internet Storm Center_" + "网络空间命运共同体" * 8 + "网络"  # 249 bytes
    md = tmp_path / f"{stem}.md"
    html = tmp_path / f"{stem}.html"
    md.write_text(f"# 标题一\n\n{text}\n", encoding="utf-8")
    html.write_text(f"<html><body><h1>标题二</h1><p>{text}</p></body></html>", encoding="utf-8")
    assert len(html.name.encode()) == 254  # with .txt appended it would be 258
    data = tmp_path / "data"
    added = add_captures(data, [md, html])
    assert len(added.added) == 2 and not added.refused
    assert {p.name for p in (data / "raw").iterdir()} >= {md.name, html.name}
    build(data, n_jobs=1)
    assert len(load_processed(data)["works"]) == 2
    # The page's visible lines are written out; a Markdown file's lines are its own.
    extracted = sorted((data / "processed" / "extracted").iterdir())
    assert len(extracted) == 1 and extracted[0].name.startswith(stem[:60])  # the page, shortened
    for path in extracted:
        assert len(path.name.encode()) <= 255 and text in path.read_text(encoding="utf-8")


LAW = (
    "# {title}\n\n2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过\n\n"
    "<!-- INFO END -->\n\n第一条 {body}\n\n第二条 国家保障数据依法有序自由流动。\n"
)


def _tree(root):
    """Two category folders, each with a file named 规定.md holding a different text."""
    for folder, title, body in [
        (
            "司法解释",
            "最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定",
            "为正确审理网络消费纠纷案件。",
        ),
        (
            "部门规章",
            "最高人民法院关于审理网络暴力案件适用法律若干问题的规定",
            "为依法惩治网络暴力。",
        ),
    ]:
        (root / "laws" / folder).mkdir(parents=True)
        (root / "laws" / folder / "规定.md").write_text(
            LAW.format(title=title, body=body), encoding="utf-8"
        )
    (root / "laws" / "readme.json").write_text("{}", encoding="utf-8")  # not a capture


def test_add_keeps_the_folder_tree_so_equal_names_in_two_folders_both_stay(tmp_path, capsys):
    from cyberdiscourse.cli import main
    from cyberdiscourse.corpus import load_processed

    _tree(tmp_path)
    data = tmp_path / "data"
    assert main(["add", str(tmp_path / "laws"), "--data-dir", str(data)]) == 0
    raw = data / "raw"
    assert sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*.md")) == [
        "laws/司法解释/规定.md",
        "laws/部门规章/规定.md",
    ]
    out = capsys.readouterr().out
    # Short test texts: each is flagged as such, and the summary counts them by kind.
    assert out.startswith(
        "Review: 2 file(s) added as 2 work(s); 2 work(s) to check; 0 problem(s) refused.\n"
        "       2  short main text\n"
    )
    assert main(["build", "--data-dir", str(data)]) == 0
    works = load_processed(data)["works"].set_index("collection")
    assert works.loc["laws/司法解释", "title_zh"].endswith("网络消费纠纷案件适用法律若干问题的规定")
    assert works.loc["laws/部门规章", "title_zh"].endswith("网络暴力案件适用法律若干问题的规定")
    # Readable ids from the subject, not the court's name repeated with -2, -3.
    assert sorted(works["work_id"]) == [
        "shenli-wangluo-baoli-anjian-shiyongfalv-2021",
        "shenli-wangluo-xiaofei-jiufenanjian-2021",
    ]


def test_the_review_csv_has_one_row_per_file_added_or_refused(tmp_path, capsys):
    import pandas as pd

    from cyberdiscourse.cli import main

    _tree(tmp_path)
    data = tmp_path / "data"
    main(["add", str(tmp_path / "laws" / "司法解释"), "--data-dir", str(data)])
    # Again, with the other folder: the first is refused (already in raw/), the second added.
    code = main(
        [
            "add",
            str(tmp_path / "laws" / "司法解释"),
            str(tmp_path / "laws" / "部门规章"),
            "--data-dir",
            str(data),
        ]
    )
    assert code == 1
    review = pd.read_csv(data / "reports" / "add-review.csv", encoding="utf-8-sig")
    assert list(review["status"]) == ["added", "refused"]
    assert list(review["file"])[0] == "部门规章/规定.md"
    assert "司法解释/规定.md already exists in raw/" in review["flags"].iloc[1]
    out = capsys.readouterr().out
    assert "Review: 1 file(s) added as 1 work(s); 1 work(s) to check; 1 problem(s) refused." in out


def test_slugs_grow_before_they_are_numbered(tmp_path):
    from cyberdiscourse.curate import _free_id, make_work_id

    a = "最高人民法院关于审理名誉权案件若干问题的解答"
    b = "最高人民法院关于审理名誉权案件若干问题的解释"
    taken = {}
    first = _free_id(a, "1993", tmp_path / "a.md", taken)
    taken[first] = "a.md"
    second = _free_id(b, "1998", tmp_path / "b.md", taken)
    assert (first, second) == (
        "shenli-mingyuquan-anjian-ruogan-wenti-1993",
        "shenli-mingyuquan-anjian-ruogan-wenti-1998",
    )
    taken[second] = "b.md"
    third = _free_id(b, "1998", tmp_path / "c.md", taken)  # a text of that title and year
    assert third == "shenli-mingyuquan-anjian-ruogan-wenti-jieshi-1998"
    taken[third] = "c.md"
    assert (
        _free_id(b, "1998", tmp_path / "d.md", taken)
        == "shenli-mingyuquan-anjian-ruogan-wenti-1998-2"
    )
    assert make_work_id("最高人民法院关于审理名誉权案件若干问题的解答", "") == first.replace(
        "1993", "undated"
    )


def test_check_summarises_inferred_values_and_writes_them_all_to_a_file(tmp_path, capsys):
    import pandas as pd

    from cyberdiscourse.cli import main

    _tree(tmp_path)
    (tmp_path / "laws" / "无日期.md").write_text(
        "# 关于网络安全的说明\n\n各方应当共同维护网络空间安全，反对网络霸权。\n", encoding="utf-8"
    )
    data = tmp_path / "data"
    main(["add", str(tmp_path / "laws"), "--data-dir", str(data)])
    capsys.readouterr()
    assert main(["check", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "WARNING: works.csv, row 3: guanyu-wangluoanquan-shuoming-undated: no date in works.csv "
        "nor in laws/无日期.md\n"
    )
    assert "  2  date (adoption 2)" in out and "  3  title" in out
    table = pd.read_csv(data / "reports" / "check-inferred.csv", encoding="utf-8-sig")
    assert table["field"].iloc[0] == "date" and pd.isna(table["value"].iloc[0])  # undated first
    assert sorted(table["field"].iloc[1:].value_counts().items()) == [
        ("date", 2),
        ("source", 2),
        ("title", 3),
    ]


def test_a_folders_readme_is_left_out_and_said_so(tmp_path, capsys):
    import pandas as pd

    from cyberdiscourse.cli import main
    from cyberdiscourse.curate import expand_captures

    _tree(tmp_path)
    readme = tmp_path / "laws" / "README.md"
    readme.write_text("# 中国法律法规\n\n本文件夹收录国家法律法规。\n", encoding="utf-8")
    skipped = []
    names = [name for _, name in expand_captures([tmp_path / "laws"], skipped=skipped)]
    assert names == ["laws/司法解释/规定.md", "laws/部门规章/规定.md"]
    assert skipped == [(readme, "the folder's own documentation, not a capture")]
    assert [n for _, n in expand_captures([readme])] == ["README.md"]  # named alone: added
    data = tmp_path / "data"
    assert main(["add", str(tmp_path / "laws"), "--data-dir", str(data)]) == 0
    assert f"Left out {readme}: the folder's own documentation" in capsys.readouterr().out
    review = pd.read_csv(data / "reports" / "add-review.csv", encoding="utf-8-sig")
    assert review["status"].tolist() == ["added", "added", "left out"]


def test_reading_ahead_on_every_core_adds_exactly_what_reading_in_turn_adds(tmp_path, monkeypatch):
    from cyberdiscourse import curate
    from cyberdiscourse.curate import add_captures, expand_captures

    folder = tmp_path / "crawl"
    folder.mkdir()
    for i in range(curate.READ_AHEAD_FROM + 6):
        (folder / f"{i:03d}.md").write_text(
            f"---\ntitle: 网络安全动态第{i}期\ndate: 2023-01-{i % 28 + 1:02d}\n---\n\n"
            f"# 网络安全动态第{i}期\n\n各国应尊重网络主权，共同维护网络空间和平与安全（{i}）。\n",
            encoding="utf-8",
        )
    (folder / "blank.md").write_bytes(b"  \n\n")  # refused either way
    files = expand_captures([folder])
    n = curate.READ_AHEAD_FROM + 6
    ahead = add_captures(tmp_path / "a", files)
    assert any((tmp_path / "a" / "processed" / "extract-cache").iterdir())
    monkeypatch.setattr(curate, "READ_AHEAD_FROM", 10**9)
    in_turn = add_captures(tmp_path / "b", files)
    assert len(ahead.added) == n
    assert ahead.added == in_turn.added
    assert [str(p) for p in ahead.refused] == [str(p) for p in in_turn.refused]
    assert "the file is empty" in str(ahead.refused[0])


def test_a_rebuild_leaves_no_visible_lines_of_files_it_did_not_write(tmp_path):
    """``processed/extracted`` holds the pages of this build only: a stale file from an
    earlier build (a capture since removed, or a Markdown file, whose lines are its own)
    is removed, and the page's file is written again."""
    from cyberdiscourse.corpus import build
    from cyberdiscourse.curate import add_captures

    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><h1>网络主权</h1><p>尊重网络主权是国际关系基本准则的体现。</p></body></html>",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    add_captures(data, [page])
    build(data, n_jobs=1)
    folder = data / "processed" / "extracted"
    stale = folder / "old" / "gone.md.txt"
    stale.parent.mkdir()
    stale.write_text("x\n", encoding="utf-8")
    build(data, n_jobs=1, force=True)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == ["page.html.txt"]


@needs_real_captures
def test_work_id_words_are_jiebas_words_for_real_titles():
    """The ids' segmenter (rjieba) cuts as jieba itself does, on the gold titles of real
    laws, news pages and crawled articles (and on ids' known examples)."""
    import json
    import logging
    import re

    import jieba

    from cyberdiscourse.curate import _tokenizer

    titles = ["中华人民共和国数据安全法", "网络空间国际合作战略", "关于加强网络安全学科建设的意见"]
    for gold in sorted(REAL_CAPTURES.glob("*/gold.jsonl")):
        rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
        titles += [row["title"] for row in rows if row.get("title")]
    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    assert len(titles) > 60
    for title in titles:
        text = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]+", " ", title)
        ours = [w for w in _tokenizer().cut(text, True) if w.strip()]
        assert ours == [w for w in reference.lcut(text) if w.strip()], title
    assert make_work_id("中华人民共和国数据安全法", "2021-06-10") == "shuju-anquanfa-2021"


def test_file_names_in_gbk_bytes_are_stored_decoded_and_said(tmp_path, capsys):
    """What unzipping a Chinese Windows archive gives: names in GBK bytes, not UTF-8."""
    import os

    from cyberdiscourse.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    raw_folder = os.fsencode(folder)
    texts = {
        "网络主权.txt".encode("gbk"): "网络主权是国家主权在网络空间的自然延伸和表现。",
        b"bad\xff\xfe.txt": "推动构建网络空间命运共同体，共同维护网络空间和平安全。",
    }
    for name, text in texts.items():
        with open(os.path.join(raw_folder, name), "wb") as f:
            f.write(text.encode("utf-8"))
    data = tmp_path / "data"
    assert main(["add", str(folder), "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "Stored as 'in/网络主权.txt': its name was not UTF-8; it was read as GB18030." in out
    assert "Stored as 'in/bad__.txt': its name was neither UTF-8 nor GB18030" in out
    assert sorted(p.name for p in (data / "raw" / "in").iterdir()) == ["bad__.txt", "网络主权.txt"]
    works = (data / "raw" / "works.csv").read_text(encoding="utf-8")
    assert "wangluo-zhuquan-undated" in works and "bad-undated" in works
    assert build_corpus(data).paragraphs["source_file"].nunique() == 2


def test_a_work_id_from_a_name_without_letters_is_not_the_hash_of_nothing():
    from pathlib import Path

    first = make_work_id("", "", Path("《》.txt"))
    second = make_work_id("", "", Path("「」.txt"))
    assert first.startswith("work-") and first != second
