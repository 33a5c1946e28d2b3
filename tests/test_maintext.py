"""ingest.maintext: a short article kept whole; lists of links, widgets and calls to
action around it left out, by their form rather than by a site's strings."""

import pytest

from cyberdiscourse.cleaning import line_rule
from cyberdiscourse.corpus import build, load_processed
from cyberdiscourse.curate import add_captures
from cyberdiscourse.ingest.maintext import STRAY_GAP, decide
from cyberdiscourse.readers import read_raw

PARAGRAPHS = [
    "国家互联网信息办公室1日发布《网络数据安全管理条例》解读文章。",
    "文章指出，条例明确了网络数据处理者的安全保护义务，细化了个人信息保护要求。",
    "有关负责人表示，下一步将加强配套制度建设，推动条例落地见效。",
]
HEADLINES = [
    "多地出台数据要素市场化配置改革方案",
    "工信部：加快推进5G网络建设",
    "两部门发文规范网络直播营销",
    "人工智能产业发展提速 专家建言加强治理",
    "国新办举行新闻发布会介绍数字经济发展情况",
    "网信办开展清朗系列专项行动",
    "中国互联网络信息中心发布第53次统计报告",
    "数据安全产业规模持续扩大",
]


def short_news_page(*, related_heading: bool) -> str:
    """A short agency item (three sentences) whose page puts eight related headlines and a
    "back to the portal" link inside the article's own container."""
    article = "".join(
        f"<p>{p}</p>" for p in ["新华社北京3月1日电 " + PARAGRAPHS[0], *PARAGRAPHS[1:]]
    )
    related = "".join(f"<p><a href='/n/{i}.shtml'>{t}</a></p>" for i, t in enumerate(HEADLINES))
    return (
        '<html><head><meta charset="utf-8"><title>网信办解读网络数据安全管理条例_新浪新闻</title>'
        '</head><body><div class="nav"><a href="/">新浪首页</a> <a href="/news">新闻</a> '
        '<a href="/sports">体育</a></div><h1>网信办解读网络数据安全管理条例</h1>'
        "<div>2025年03月01日 10:12 新华社</div>"
        f'<div class="article">{article}<p>责任编辑：张三</p>'
        + ("<p>相关新闻：</p>" if related_heading else "")
        + f'{related}<p><a href="http://www.sina.com.cn">返回新浪首页</a></p></div>'
        "<div><p>新浪公司 版权所有 Copyright © 1996-2025 SINA Corporation</p></div></body></html>"
    )


@pytest.mark.parametrize("related_heading", [True, False])
def test_a_short_news_page_is_kept_whole_without_its_related_headlines(tmp_path, related_heading):
    page = tmp_path / "short.html"
    page.write_text(short_news_page(related_heading=related_heading), encoding="utf-8")
    data = tmp_path / "data"
    add_captures(data, [page])
    build(data, n_jobs=1)
    tables = load_processed(data)
    kept = [t.replace(",", "，") for t in tables["paragraphs"]["text"]]
    assert kept == PARAGRAPHS
    ledger = dict(zip(tables["discarded"]["text"], tables["discarded"]["reason"]))
    assert all(h in ledger for h in HEADLINES)
    assert "返回新浪首页" in ledger
    assert tables["works"].loc[0, "title_zh"] == "网信办解读网络数据安全管理条例"


def test_the_related_list_is_left_out_by_its_links_and_says_so(tmp_path):
    page = tmp_path / "short.html"
    page.write_text(short_news_page(related_heading=False), encoding="utf-8")
    raw = read_raw(page)
    verdicts = {line: (g, e) for line, g, e in zip(raw.lines, raw.given, raw.evidence)}
    for headline in HEADLINES:
        given, evidence = verdicts[headline]
        # Both extractors keep the list; the combined decision leaves it out.
        assert given == "not_main_text"
        assert evidence == "trafilatura: yes; gne: yes; in a list of links"


def test_a_widget_both_extractors_keep_far_below_the_article_is_left_out():
    lines = [
        "网络主权是国家主权在网络空间的自然延伸和表现，各国应当尊重彼此的网络主权。",
        "中国愿同各国一道，推动构建和平、安全、开放、合作、有序的网络空间。",
        "责编：张三",
        *["不感兴趣", "广告软文", "重复、旧闻", "文章质量差"][: STRAY_GAP + 1],
        "标题夸张、文不对题",
        "感谢您的反馈，我们将会减少此类文章的推荐",
    ]
    kept_by_both = "\n".join(lines[:2] + lines[-2:])
    votes = decide(lines, {"trafilatura": kept_by_both, "gne": kept_by_both})
    assert [v.main for v in votes] == [True, True] + [False] * (len(lines) - 2)
    assert votes[-1].evidence.endswith(f"more than {STRAY_GAP} lines away from the running text")


def test_a_line_close_below_the_article_stays():
    lines = [
        "网络主权是国家主权在网络空间的自然延伸和表现，各国应当尊重彼此的网络主权。",
        "图片来源：新华社",
        "（完）",
    ]
    text = "\n".join(lines)
    votes = decide(lines, {"trafilatura": text, "gne": text})
    assert [v.main for v in votes] == [True, True, True]


@pytest.mark.parametrize(
    "line",
    [
        "回复【公租房】查看最新消息",
        "1、回复【社保】查询广州社保缴纳记录",
        "点击菜单栏【便民服务】解锁更多服务！",
        "↓点击蓝字关注我们",
        "请扫码关注公众号",
        "长按识别二维码获取更多资讯",
        "轻触阅读原文",
        "返回新浪首页",
        "返回列表",
    ],
)
def test_calls_to_action_and_back_links_are_furniture_by_their_form(line):
    assert line_rule(line, []) == "site_furniture"


@pytest.mark.parametrize(
    "line",
    [
        "他回复说将查看有关材料。",
        "点击率较上年上升两成。",
        "返回式卫星成功着陆。",
        # Instructions in a technical article are its text.
        "点击控制面板页面中的“系统和安全”，进入设置。",
        "点击下载，然后直接根据版本搜索对应的补丁。",
    ],
)
def test_sentences_that_share_those_words_are_text(line):
    assert line_rule(line, []) is None
