import pytest

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
    extracted = sorted((data / "processed" / "extracted").iterdir())
    assert len(extracted) == 2
    for path in extracted:
        assert len(path.name.encode()) <= 255 and text in path.read_text(encoding="utf-8")
