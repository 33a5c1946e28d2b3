"""Versions of one document: families, the latest version, the review's flag."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cyberdiscourse.corpus import build, load_processed
from cyberdiscourse.curate import add_captures
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.tokens import load_tokens
from cyberdiscourse.versions import add_version_families, describe_versions, family_key

ARTICLE = (
    "第一条 为了规范道路运输市场秩序，保障道路运输安全，保护各方当事人的合法权益，制定本条例。"
)
ADDED_2023 = "第二条 国家推进网络安全和数据安全保障，道路运输经营者应当保护个人信息。"


def _law(folder, name: str, header: list[str], body: list[str]):
    path = folder / name
    lines = ["# 中华人民共和国道路运输条例", *header, "<!-- INFO END -->", *body]
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def three_versions(tmp_path_factory):
    """道路运输条例 in three versions (one dated only by its file name), and two works
    that share a title without being versions of one document."""
    folder = tmp_path_factory.mktemp("laws")
    promulgated = "2004年4月30日 中华人民共和国国务院令第406号公布"
    files = [
        _law(folder, "道路运输条例(2019-03-02).md", [], [ARTICLE]),
        _law(
            folder,
            "道路运输条例(2022-03-29).md",
            [promulgated, "根据2022年3月29日《国务院关于修改和废止部分行政法规的决定》第五次修订"],
            [ARTICLE],
        ),
        _law(
            folder,
            "道路运输条例(2023-07-20).md",
            [promulgated, "根据2023年7月20日《国务院关于修改和废止部分行政法规的决定》第六次修订"],
            [ARTICLE, ADDED_2023],
        ),
    ]
    for name, issuer, date in (
        ("wic.md", "世界互联网大会", "2019年10月16日"),
        ("scio.md", "国务院新闻办公室", "2022年11月7日"),
    ):
        path = folder / name
        path.write_text(
            f"# 携手构建网络空间命运共同体\n\n来源：{issuer} {date}\n\n"
            f"{ARTICLE.replace('道路运输', issuer)}\n",
            encoding="utf-8",
        )
        files.append(path)
    data = tmp_path_factory.mktemp("corpus") / "data"
    added = add_captures(data, files)
    build(data, n_jobs=1)
    return data, added


def test_the_versions_of_one_regulation_form_one_family(three_versions):
    data, _ = three_versions
    works = load_processed(data)["works"]
    law = works[works["title_zh"] == "中华人民共和国道路运输条例"].sort_values("date")
    assert law["date"].tolist() == ["2019-03-02", "2022-03-29", "2023-07-20"]
    assert law["date_kind"].tolist() == ["file_name", "revision", "revision"]
    assert law["version_family"].nunique() == 1
    assert law["version_family"].iloc[0] == law["work_id"].iloc[0]  # the earliest's id
    assert law["n_versions"].tolist() == [3, 3, 3]
    assert law["latest_version"].tolist() == [False, False, True]


def test_one_title_from_two_issuers_is_two_documents(three_versions):
    works = load_processed(three_versions[0])["works"]
    papers = works[works["title_zh"] == "携手构建网络空间命运共同体"]
    assert len(papers) == 2 and papers["issuer"].nunique() == 2
    assert papers["n_versions"].tolist() == [1, 1]
    assert (papers["version_family"] == papers["work_id"]).all()


def test_latest_keeps_each_documents_last_version_in_every_table(three_versions):
    data, _ = three_versions
    every = load_processed(data)
    latest = load_processed(data, versions="latest")
    assert len(every["works"]) == 5 and len(latest["works"]) == 3
    kept = set(latest["works"]["work_id"])
    assert set(latest["paragraphs"]["work_id"]) <= kept
    # The passage the 2023 text added is counted once either way; the article kept across
    # three versions three times with every version, once with the latest.
    for tables, n in ((every, 3), (latest, 1)):
        paragraphs = tables["paragraphs"]
        assert paragraphs["text"].str.contains("规范道路运输市场秩序").sum() == n
        assert paragraphs["text"].str.contains("保护个人信息").sum() == 1
    tokens = load_tokens(data, versions="latest")
    assert set(tokens["work_id"]) <= kept
    assert set(load_tokens(data)["work_id"]) - kept  # the earlier versions' tokens


def test_the_report_says_which_versions_it_counts(three_versions):
    data, _ = three_versions
    every = load_processed(data)["works"]
    latest = load_processed(data, versions="latest")["works"]
    assert describe_versions(every, "all").startswith(
        "Versions: all. 1 document(s) are in the corpus in more than one version (3 works)"
    )
    assert "2 earlier version(s) are left out" in describe_versions(latest, "latest")
    one = every[every["n_versions"] == 1]
    assert describe_versions(one, "all") == (
        "Versions: no document is in the corpus in more than one version."
    )


def test_a_wrong_choice_of_versions_says_what_to_use(three_versions):
    with pytest.raises(CorpusError, match='versions="all"'):
        load_processed(three_versions[0], versions="newest")


def test_the_review_flags_another_version_already_in_the_corpus(three_versions, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(three_versions[0], data)  # the shared corpus stays as built
    newer = _law(
        tmp_path,
        "道路运输条例(2024-12-01).md",
        [
            "2004年4月30日 中华人民共和国国务院令第406号公布",
            "根据2024年12月1日《国务院关于修改部分行政法规的决定》第七次修订",
        ],
        [ARTICLE, ADDED_2023, "第三条 新增条款。"],
    )
    row = add_captures(data, [newer]).added[0]
    assert any(
        f.startswith("another version of 中华人民共和国道路运输条例 is in the corpus: ")
        and f.endswith("(2023-07-20)")
        for f in row["flags"]
    ), row["flags"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("中华人民共和国数据安全法", "数据安全法", True),
        ("中华人民共和国刑法", "中华人民共和国刑法（2020年修正）", True),
        ("网络安全法", "网络安全法 (第二次修订)", True),
        ("中华人民共和国宪法修正案（1988年）", "中华人民共和国宪法修正案（1993年）", False),
        ("数据安全法", "数据安全管理办法", False),
        ("中华人民共和国会计法", "会计法", True),  # three characters name a law
    ],
)
def test_family_keys_ignore_the_states_name_and_a_version_note(a, b, same):
    assert (family_key(a) == family_key(b)) is same


def test_works_without_titles_or_dates_are_their_own_family():
    works = pd.DataFrame(
        {
            "work_id": ["a", "b", "c"],
            "title_zh": ["", "法", "法"],
            "title_en": ["", "", ""],
            "date": ["2020-01-01", "2020-01-01", "2021-01-01"],
            "issuer": ["", "", ""],
        }
    )
    out = add_version_families(works)
    assert out["version_family"].tolist() == ["a", "b", "c"]  # 法: too short to tell apart
    assert out["latest_version"].all()


def test_kwic_on_the_command_line_counts_the_chosen_versions(three_versions, capsys):
    from cyberdiscourse.cli import main

    data = str(three_versions[0])
    for versions, n in (("all", 3), ("latest", 1)):
        assert main(["kwic", "道路运输市场秩序", "--data-dir", data, "--versions", versions]) == 0
        out = capsys.readouterr().out
        assert out.strip().endswith(f"{n} occurrence(s) of '道路运输市场秩序'")
