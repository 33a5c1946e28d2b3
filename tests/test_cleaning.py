from cyberdiscourse.cleaning import (
    classify_lines,
    date_evidence,
    find_watermarks,
    is_binary_garbage,
    is_heading,
    line_rule,
)


def judge(lines, titles=("网络空间国际合作战略",), watermarks=()):
    v = classify_lines(
        list(enumerate(lines, start=1)), titles=list(titles), watermarks=list(watermarks)
    )
    return [x.reason for x in v], v


def test_line_rules_name_their_reason():
    assert line_rule("", []) == "blank"
    assert line_rule("京ICP备05070218号 京公网安备11010202000001号", []) == "site_furniture"
    assert line_rule("2022-11-07 10:20", []) == "site_furniture"
    assert line_rule("首页 > 资料 > 条约文件 > 政策文件", []) == "site_furniture"
    assert (
        line_rule("Dear visitor,you are attempting to view a subscription-based section", [])
        == "paywall"
    )
    assert line_rule("...... ......", []) == "truncation_marker"
    assert line_rule("|", []) == "navigation"
    assert line_rule("1716 0 obj <> endobj", []) == "binary_garbage"
    assert line_rule("各国应尊重网络主权,反对侵犯他国网络主权的行为。", []) is None


def test_policy_sentence_mentioning_copyright_is_kept():
    long = (
        "保护知识产权,反对贸易保护主义,形成世界网络大市场,促进全球网络经济的繁荣发展,"
        "尊重版权所有者的合法权益并加强国际合作。" * 4
    )
    assert line_rule(long, []) is None


def test_binary_garbage_detection():
    assert is_binary_garbage("h\ufffdb```b``{\ufffd\ufffd")
    assert is_binary_garbage("0000002680 00000 n")
    assert not is_binary_garbage("网络空间命运共同体")


def test_headings():
    for h in [
        "第一章 机遇与挑战",
        "一、和平原则",
        "(三)网络空间法治体系不断完善",
        "1.携手推进全球信息基础设施建设",
        "Chapter II Basic Principles",
        "结束语",
        "Conclusion",
    ]:
        assert is_heading(h), h
    assert not is_heading("中国将积极参与网络领域相关国际进程,加强双边对话。继续推动合作。")


def test_watermarks_are_repeated_lines_with_a_url_not_menu_items():
    lines = ["文章源自英文巴士-https://www.en84.com/8034.html"] * 3 + ["首页"] * 5 + ["正文"]
    assert find_watermarks(lines) == ["文章源自英文巴士-https://www.en84.com/8034.html"]


def test_page_header_title_and_table_of_contents():
    lines = [
        "May 31, 2010",
        "Login Subscribe Now!",
        "网络空间国际合作战略 [现行有效]",
        "目录",
        "序言",
        "第一章 机遇与挑战",
        "结束语",
        "序言",
        "当今世界,以互联网为代表的信息技术日新月异,引领了社会生产新变革。",
    ]
    reasons, _ = judge(lines)
    assert reasons == [
        "page_header",
        "paywall",
        "title",
        "table_of_contents",
        "table_of_contents",
        "table_of_contents",
        "table_of_contents",
        None,
        None,
    ]


def test_everything_after_a_paywall_notice_or_related_links_marker_goes():
    lines = [
        "网络空间国际合作战略",
        "国际社会应本着相互尊重、互谅互让的精神开展对话与合作,以规则为基础实现全球治理。",
        "Dear visitor,you are attempting to view a subscription-based section of",
        "If you are not a subscriber, please subscribe.",
        "Fax: +86 (10) 8266-8268",
        "The remaining chapters of this strategy follow in the members area.",
    ]
    reasons, _ = judge(lines)
    # First reason wins: the fax line is furniture by its own rule; the last line is
    # caught only by the block rule.
    assert reasons == ["title", None, "paywall", "paywall", "site_furniture", "paywall"]
    lines = [
        "网络空间国际合作战略",
        "中国将积极参与网络领域相关国际进程,加强双边对话与合作。",
        "相关新闻",
        "中央部委",
        "中国政府网",
    ]
    reasons, _ = judge(lines)
    assert reasons == ["title", None, "page_footer", "page_footer", "page_footer"]


def test_short_line_runs_are_navigation_or_byline():
    sig = [
        "网络空间国际合作战略",
        "各方同意加强信息网络空间合作,共同维护网络空间的和平与安全,促进发展。",
        "",
        "中华人民共和国主席",
        "习近平",
        "俄罗斯联邦总统",
        "弗·弗·普京",
        "二○一六年六月二十五日",
        "于北京",
        "",
    ]
    reasons, v = judge(sig)
    assert reasons[3:9] == ["byline"] * 6
    assert date_evidence(v)[0][1:4] == (8, "2016-06-25", "day")
    menu = [
        "网络空间国际合作战略",
        "政策文件正文第一段的内容很长,足以成为一个真正的段落,讲的是网络空间国际合作。",
        "",
        "外交部",
        "主要职责",
        "组织机构",
        "外交动态",
    ]
    reasons, _ = judge(menu)
    assert reasons[3:] == ["navigation"] * 4


def test_watermark_fragment_is_cut_and_recorded():
    mark = "文章源自英文巴士-https://www.en84.com/8034.html"
    reasons, v = judge(["Path to Realization" + mark, mark], titles=[], watermarks=[mark])
    assert reasons == [None, "watermark"]
    assert v[0].text == "Path to Realization" and v[0].removed == [("watermark", mark)]


def test_date_evidence_prefers_issuing_note_and_ignores_timestamps():
    lines = [
        "网络空间国际合作战略",
        "2017-03-01 15:43",
        "(Issued by the Ministry of Foreign Affairs on March 1, 2017) (2017年03月01日 外交部发布)",
        "2017年3月,中国发布首份《网络空间国际合作战略》,这是一个很长的句子,描述了战略发布的背景。",
    ]
    _, v = judge(lines)
    ev = date_evidence(v)
    assert ev[0][:4] == (1, 3, "2017-03-01", "day")
    assert all(line != 2 for _, line, *_ in ev)
    assert all(line != 4 for _, line, *_ in ev)  # a date in running text is no document date


LAW = [
    "中华人民共和国民法典",
    "第一千零一十二条 自然人享有姓名权，有权依法决定、使用、变更或者许可他人使用自己的姓名。",
    "第一千零一十七条 具有一定社会知名度，被他人使用足以造成公众混淆的笔名、艺名、网名、译名、"
    "字号、姓名和名称的简称等，参照适用姓名权和名称权保护的有关规定。",
    "（一）依法追究刑事责任；",
    "第一千零一十八条 自然人享有肖像权，有权依法制作、使用、公开或者许可他人使用自己的肖像。",
    "（一）依法追究刑事责任；",
    "第九十三条 对电子邮件、电子数据交换、网上聊天记录、博客、微博客、手机短信、电子签名、域名等"
    "电子数据，应当着重审查以下内容：",
    "第二百九十一条 本法自公布之日起施行，《中华人民共和国民法典》同时废止。",
    "（一）电子数据是否随原始存储媒介移送；",
]


def test_web_page_rules_take_nothing_from_a_laws_articles():
    reasons, v = judge(LAW, titles=("中华人民共和国民法典",))
    assert reasons[0] == "title"
    assert reasons[1:] == [None] * (len(LAW) - 1)  # 字号, 电子邮件, a repeated clause, the title
    assert [x.text for x in v[1:]] == LAW[1:]


def test_outside_an_articled_text_the_web_rules_still_apply():
    reasons, _ = judge(["网络空间国际合作战略", LAW[1], "京ICP备05070218号", LAW[3], LAW[3]])
    assert reasons[2] == "site_furniture" and reasons[4] == "duplicate_line"


def test_furniture_patterns_one_by_one_flag_what_one_alternation_flags():
    import re

    from conftest import REPO

    from cyberdiscourse import cleaning
    from cyberdiscourse.normalise import normalise_line

    alternation = re.compile("|".join(f"(?:{p})" for p in cleaning.FURNITURE_PATTERNS), re.I)
    lines = {
        normalise_line(line)
        for path in sorted((REPO / "data" / "raw").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    lines |= {"COPYRIGHT 2023", "Site MAP", "版权所有 ©", "首页 > 新闻 > 正文", "QQ群: 123", "qq群"}
    # What a case-blind pattern takes for a Latin letter: dotless ı, long ſ, İ, the Kelvin K.
    odd = {"D\u0131sclaimer", "\u017fite map", "S\u0130TE MAP", "Boo\u212amark", "Dіsclaimer"}
    lines = sorted(x for x in lines | odd if x and len(x) <= cleaning.SHORT_FURNITURE)
    flagged = [x for x in lines if cleaning._FURNITURE.search(x)]
    assert flagged == [x for x in lines if alternation.search(x)]
    assert {"COPYRIGHT 2023", "Site MAP", "qq群", "Boo\u212amark"} <= set(flagged)
    assert "Dіsclaimer" not in flagged and len(lines) > 100  # a Cyrillic і is no i


def test_a_patterns_required_characters_are_in_every_match():
    import re
    import string

    from cyberdiscourse.cleaning import FURNITURE_PATTERNS, required_chars

    assert required_chars(re.compile("版权所有")) == {"版"}
    assert required_chars(re.compile("^(收藏|留言)$|关注")) == {"收", "留", "关"}
    assert required_chars(re.compile(r"\S+\s*")) is None
    assert all(required_chars(re.compile(p)) for p in FURNITURE_PATTERNS)
    # Case-blind: every character the engine takes for a letter is counted as it.
    for letter in string.ascii_letters:
        need = required_chars(re.compile(letter, re.I))
        pattern = re.compile(letter, re.I)
        takes = [chr(c) for c in range(0x3000) if pattern.fullmatch(chr(c))]
        if letter in "kK":
            takes.append("\u212a")  # the Kelvin sign, beyond the range scanned
        assert all({c, *c.lower()} & need for c in takes), letter
