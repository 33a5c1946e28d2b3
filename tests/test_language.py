from cyberdiscourse.language import detect_lang, split_languages


def parts(line):
    return [(p.lang, p.text) for p in split_languages(line)]


def test_chinese_then_english_on_one_line():
    assert parts("第四章 行动计划Chapter IV. Plan of Action") == [
        ("zh", "第四章 行动计划"),
        ("en", "Chapter IV. Plan of Action"),
    ]
    assert parts("一、倡导和促进网络空间和平与稳定1. Peace and Stability in Cyberspace") == [
        ("zh", "一、倡导和促进网络空间和平与稳定"),
        ("en", "1. Peace and Stability in Cyberspace"),
    ]


def test_english_then_chinese_on_one_line():
    assert parts("2. Principle of Sovereignty   二、主权原则") == [
        ("en", "2. Principle of Sovereignty"),
        ("zh", "二、主权原则"),
    ]
    got = parts("(Issued on March 1, 2017) (2017年03月01日 外交部发布)")
    assert got == [("en", "(Issued on March 1, 2017)"), ("zh", "(2017年03月01日 外交部发布)")]
    got = parts("-- Xi Jinping, December 16, 2015 --中国国家主席习近平,2015年12月16日")
    assert got[1] == ("zh", "--中国国家主席习近平,2015年12月16日")


def test_latin_inside_chinese_stays_chinese():
    line = "大数据、云计算、人工智能、VR、AR等信息技术突飞猛进,5G网络建设加快。"
    assert parts(line) == [("zh", line)]


def test_detect_lang():
    assert detect_lang("Building a community with a shared future in cyberspace") == "en"
    assert detect_lang("构建网络空间命运共同体") == "zh"
    assert detect_lang("the 《网络安全法》 and many other laws were adopted in those years") == "en"
