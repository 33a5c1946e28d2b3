"""ingest.infer titles: labels left out by their form, a code's books titled by book, a
page carrying a document's full text titled as that document."""

import pytest

from cyberdiscourse.corpus import build, load_processed
from cyberdiscourse.curate import add_captures
from cyberdiscourse.ingest.infer import infer, without_label
from cyberdiscourse.readers import read_raw

ARTICLE = "国家互联网信息办公室发布解读文章，强调尊重网络主权，推动构建网络空间命运共同体。"


@pytest.mark.parametrize(
    ("headline", "title"),
    [
        ("权威解答 ｜ 网络安全法实施五周年", "网络安全法实施五周年"),
        ("前沿 ｜ 数据跨境流动新规解读", "数据跨境流动新规解读"),
        ("论坛·网络治理｜携手构建网络空间命运共同体", "携手构建网络空间命运共同体"),
        ("【新思想引领新征程】数字中国建设稳步推进", "数字中国建设稳步推进"),
        ("深度丨全球数字治理的中国方案", "全球数字治理的中国方案"),  # a label no list names
        (
            "网信中国 | 习近平对网络安全和信息化工作作出重要指示",
            "习近平对网络安全和信息化工作作出重要指示",
        ),
        # A speaker before a colon is part of the headline.
        ("庄荣文：以网络强国建设助力民族伟大复兴", "庄荣文：以网络强国建设助力民族伟大复兴"),
        ("国务院：全面加强网络安全和数据安全保护", "国务院：全面加强网络安全和数据安全保护"),
        # What follows the bar is no headline of its own, or the head says what the item
        # is: nothing is left out.
        ("视频｜网络", "视频｜网络"),
        ("安全热点周报 | 第二百七十六期", "安全热点周报 | 第二百七十六期"),
        ("DNV勒索软件攻击 | 1000艘轮船受影响", "DNV勒索软件攻击 | 1000艘轮船受影响"),
        (
            "美军基地清单｜附报告《美国在世界各地的军事存在》",
            "美军基地清单｜附报告《美国在世界各地的军事存在》",
        ),
        ("CertPotato｜从WebShell到System权限", "CertPotato｜从WebShell到System权限"),
        ("典型挖矿家族系列分析三 |Sysrv-hello", "典型挖矿家族系列分析三 |Sysrv-hello"),
        ("FreeBuf早报 | 美国国防部邮件服务器数据泄露", "美国国防部邮件服务器数据泄露"),
        ("【安全圈】美国国防部邮件服务器数据泄露", "美国国防部邮件服务器数据泄露"),
        (
            "运营商 5G 手机促销方式曝光，禁止提供购机补贴",
            "运营商 5G 手机促销方式曝光，禁止提供购机补贴",
        ),
    ],
)
def test_labels_at_the_head_of_a_headline_are_left_out_by_their_form(headline, title):
    assert without_label(headline) == title


def test_a_labelled_headline_on_a_page_gives_the_title_without_the_label(tmp_path):
    html = (
        "<html><head><title>前沿 ｜ 数据跨境流动新规解读_中国网信网</title></head><body>"
        "<h1>前沿 ｜ 数据跨境流动新规解读</h1><div>2024-03-05 10:20</div>"
        f"<div class='article'>{f'<p>{ARTICLE}</p>' * 4}</div></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    inferred = read_raw(path).pages[0].inferred
    assert inferred["title"] == "数据跨境流动新规解读"
    assert inferred["date"] == "2024-03-05"


def _law(*lines: str):
    given = [None] * len(lines)
    return infer(list(lines), given, {"markdown_h1": lines[0]})


@pytest.mark.parametrize("book", ["人格权编", "侵权责任编", "总则", "附则", "第四编 人格权"])
def test_a_file_holding_one_book_of_a_code_is_titled_by_the_book(book):
    found = _law(
        "中华人民共和国民法典",
        book,
        "2020年5月28日 第十三届全国人民代表大会第三次会议通过",
        "第一章 一般规定",
        "第九百八十九条 本编调整因人格权的享有和保护产生的民事关系。",
        "第一分编 通则",
    )
    assert found.title == f"中华人民共和国民法典·{book}"
    assert found.title_evidence.endswith(f"the book it holds: {book}")
    assert (found.date, found.date_kind) == ("2020-05-28", "adoption")


def test_a_books_two_headings_are_its_title_not_its_text(tmp_path):
    book = tmp_path / "人格权编.md"
    book.write_text(
        "# 中华人民共和国民法典\n\n# 人格权编\n\n"
        "2020年5月28日 第十三届全国人民代表大会第三次会议通过\n\n<!-- INFO END -->\n\n"
        + "".join(
            f"第九百九十{n}条 人格权受法律保护，任何组织或者个人不得侵害。\n\n" for n in "一二三四"
        ),
        encoding="utf-8",
    )
    data = tmp_path / "data"
    add_captures(data, [book])
    build(data, n_jobs=1)
    tables = load_processed(data)
    assert tables["works"].loc[0, "title_zh"] == "中华人民共和国民法典·人格权编"
    kept = tables["paragraphs"]["text"].tolist()
    assert sum(t.startswith("第九百九十") for t in kept) == 4
    assert "中华人民共和国民法典" not in kept and "人格权编" not in kept
    ledger = tables["discarded"]
    titled = set(ledger.loc[ledger["reason"] == "title", "text"])
    assert {"中华人民共和国民法典", "人格权编"} <= titled


def test_a_whole_code_keeps_its_title_though_its_first_book_follows_the_title():
    found = _law(
        "中华人民共和国刑法",
        "第一编 总则",
        "第一章 刑法的任务、基本原则和适用范围",
        "第一条 为了惩罚犯罪，保护人民，根据宪法，制定本法。",
        "第二编 分则",
        "第一百零二条 勾结外国，危害中华人民共和国的主权、领土完整和安全的，处无期徒刑。",
    )
    assert found.title == "中华人民共和国刑法"


REPOST = """---
title: 国家网信办《人工智能生成合成内容标识办法》公开征求意见
source: 安全内参
date: 2024-09-15
---

# 国家网信办《人工智能生成合成内容标识办法》公开征求意见

为规范人工智能生成合成内容标识，维护国家安全和社会公共利益，国家互联网信息办公室起草了本办法，现向社会公开征求意见。

意见反馈截止时间为2024年10月14日。

**附件：人工智能生成合成内容标识办法（征求意见稿）**

国家互联网信息办公室

2024年9月14日

**人工智能生成合成内容标识办法**

（征求意见稿）

**第一条** 为促进人工智能健康发展，规范人工智能生成合成内容标识，制定本办法。

**第二条** 服务提供者开展人工智能生成合成内容标识活动，适用本办法。

**第三条** 人工智能生成合成内容是指利用人工智能技术制作、生成、合成的文本、图片等信息。

**第四条** 服务提供者应当按照有关规定添加显式标识。

**第五条** 服务提供者应当在生成合成内容的文件元数据中添加隐式标识。

**第六条** 本办法自2024年 月 日起施行。
"""


def test_a_repost_carrying_a_full_regulation_is_that_regulations_work(tmp_path):
    page = tmp_path / "安全内参_国家网信办公开征求意见.md"
    page.write_text(REPOST, encoding="utf-8")
    data = tmp_path / "data"
    add_captures(data, [page])
    build(data, n_jobs=1)
    works = load_processed(data)["works"]
    work = works.iloc[0]
    assert work["title_zh"] == "人工智能生成合成内容标识办法(征求意见稿)"  # normalised brackets
    # The notice's signature dates the document, not the repost's front matter.
    assert (work["date"], work["date_kind"]) == ("2024-09-14", "issuance")
    raw = read_raw(page)
    evidence = raw.pages[0].inferred["title_evidence"]
    assert evidence.startswith("the document the page carries in full (line ")
    assert evidence.endswith(
        "the page's own headline: 国家网信办《人工智能生成合成内容标识办法》公开征求意见"
    )


def test_a_news_item_quoting_two_articles_keeps_its_own_headline():
    lines = [
        "网信办就人工智能生成合成内容标识公开征求意见",
        ARTICLE,
        "人工智能生成合成内容标识办法",
        "第一条 为促进人工智能健康发展，规范人工智能生成合成内容标识，制定本办法。",
        "第二条 服务提供者开展人工智能生成合成内容标识活动，适用本办法。",
        ARTICLE,
    ]
    found = infer(lines, [None] * len(lines), {"html_title": lines[0]})
    assert found.title == lines[0]


def test_a_title_wrapped_over_two_lines_is_not_taken_for_a_carried_document():
    lines = [
        "中华人民共和国全国人民代表大会",
        "常务委员会议事规则",
        "第一章 总则",
        *[f"第{n}条 常务委员会依照宪法和有关法律的规定行使职权。" for n in "一二三四五六"],
    ]
    found = infer(lines, [None] * len(lines), {"markdown_h1": "".join(lines[:2])})
    assert found.title == "中华人民共和国全国人民代表大会常务委员会议事规则"
    assert "carries" not in found.title_evidence
