"""Rules that decide which lines of a capture are document text.

Every rule is named, and the name is the ``reason`` recorded in the discard
ledger. Rules are plain regular expressions or small block rules that a
reader can check against the raw file; none depends on line numbers.

Order of application (first reason wins):

1. line rules: ``blank``, ``binary_garbage``, ``site_furniture`` (footers, ICP
   numbers, share/print widgets, timestamps, comment forms), ``paywall``,
   ``watermark`` (a line repeated across the file), ``truncation_marker``;
2. block rules: ``page_header`` (everything above the document's title),
   ``title``, ``table_of_contents``, ``paywall`` (all after a paywall notice),
   ``page_footer`` (all after "相关新闻"/"Related" markers), ``news_lead``;
3. runs of three or more short lines: ``navigation`` when the run holds a
   menu word or separator; text when the lines are the items of a list;
   otherwise ``byline`` (title blocks, signatures), except a line that holds
   a lexicon form, and except in a capture that has no other text;
4. ``duplicate_line``: the same text again within one capture.

The web-page rules (:data:`WEB_PAGE_RULES`) do not apply inside the running text of
a law, regulation or other articled document (from its first "第…条" to its last and
the list items after it): a law names a trade name (字号) or a sponsor (主办单位),
repeats a clause (（一）依法…) and sentences by design. The ledger records which kind of
rule decided each line (:data:`RULE_KINDS`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .dates import find_dates
from .normalise import ARTICLE_LINE, count_cjk, match_key

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_URL = re.compile(r"(https?://|www\.)\S+", re.I)

# Footers, widgets, timestamps and comment forms. Applied to lines of at most
# SHORT_FURNITURE characters, so a policy sentence that merely mentions
# "copyright" is never dropped.
SHORT_FURNITURE = 160
NOTICE_MAX = 400  # a paywall notice is at most a few sentences
FURNITURE_PATTERNS = [
    r"ICP[备证]",
    r"公网安备",
    r"版权所有",
    r"©",
    r"\bcopyright\b",
    r"all rights reserved",
    r"网站标识码",
    r"主办单位",
    r"运行维护单位",
    r"^承办[:：]",
    r"^技术支持[:：]",
    r"Produced By CMS",
    r"publishdate",
    r"扫一扫",
    r"^分享到",
    r"【打印】",
    r"【纠错】",
    r"【我要纠错】",
    r"^责任编辑",
    r"字号",
    r"【中大小】",
    r"^打印$",
    r"^(收藏|留言|关闭|搜索|登录|注册|退出|邮箱|首页|返回顶部)$",
    r"^返回\S{0,10}(首页|顶部|列表|目录|上一?页)$",  # 返回新浪首页, 返回列表
    r"Comment\(s\)",
    r"E-mail",
    r"\bBookmark\b",
    r"Font Size",
    r"发布时间[:：]",
    r"^来源[:：]",
    r"设为首页",
    r"加入收藏",
    r"当前位置",
    r"Back to Contents",
    r"跳转至目录",
    r"Go to Forum",
    r"^No comments",
    r"Add your comments",
    r"User Name Required",
    r"^• Your Comment",
    r"Enter the words you see",
    r"comments may be removed",
    r"Send your stories",
    r"Please kindly comment",
    r"Confirmation Code",
    r"Click image to reset",
    r"Site Map",
    r"\bDisclaimer\b",
    r"【法宝引证码】",
    r"北大法宝",
    r"Search:",
    r"您即将离开",
    r"^继续访问",
    r"^信息提示$",
    r"^相关稿件$",
    r"^(Source|来源)[:：]?\s*\S*\s*$",
    r"^\(Source:",
    r"^(Tel|Fax|Mobile)[:：]",
    r"^\+86\b",
    r"客户端",
    r"小程序",
    r"微博",
    r"^微信$",
    r"^电脑版$",
    r"^PC版$",
    r"^无障碍$|无障碍(浏览|阅读|模式|通道)",  # the link, not 无障碍设施 in a sentence
    r"关怀版",
    r"^EN$",
    r"^简$",
    r"^繁$",
    r"^首页\s*>",
    r"\S\s*>\s*\S+\s*>\s*\S",  # breadcrumbs
    r"^\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(:\d{2})?$",  # bare web timestamp
    r"^\d{4}年\d{1,2}月\d{1,2}日\s+\d{1,2}:\d{2}$",
    # Prompts and widgets of Chinese news sites and WeChat articles (short lines only).
    r"^(此前报道|相关报道|延伸阅读|推荐阅读|相关阅读|点击进入专题|点击进入|点击查看|阅读原文)[:：]?",
    r"二维码",
    # A call to action: an instruction to the reader to operate the page or the account.
    # A line of its own, no sentence: "点击控制面板…，进入设置。" is an instruction in the text.
    r"^\W{0,3}(\d{1,2}[、.．]\s*)?(请|欢迎)?(回复|点击|扫描|扫码|长按|轻触)[^。；，,：:]{0,30}"
    r"(查看|查询|获取|了解|领取|解锁|关注|订阅|阅读|下载|进入|加入)[^。；，,：:]{0,24}[!！]?$",
    r"感谢您的反馈",
    r"^(不感兴趣|看过了|内容质量差|标题夸张|旧闻重复|内容低俗|广告软文)",
    r"^(赞|在看|分享|收藏|写留言|留言|预览时标签不可点)$|轻点两下取消(赞|在看)",
    r"^(继续滑动看下一个|向上滑动看下一个|知道了|取消|允许|视频|小程序)$",
    r"微信扫一扫|关注该公众号|可打开此内容|使用完整服务|长按识别|长按关注|识别关注",
    r"网友评论仅供|并不表明.{0,8}立场|免责声明|未经授权禁止转载|转载请注明|如若转载|欢迎转载|"
    r"本文为.{0,20}原创",
    r"^扫码(订阅|关注|加入|下载)|征订热线|^欢迎关注|^关注我们$|倾力推荐$|^编者荐语|^你可能感兴趣|"
    r"^您还未登录|请先登录|签名都懒得|什么也没说|^本文已被(查看|阅读)|QQ群|^如需进一步咨询",
    r"^(本文|文章)?(来源|作者|编辑|责编|校对|审核|监制|排版)\s*[|丨｜:：]",
    r"报料[:：]|爆料[:：]|投稿邮箱|商务合作",
]
PAYWALL_PATTERNS = [
    r"subscription-based",
    r"\bsubscribe\b",
    r"not logged in",
    r"^Login\b",
    r"please login",
    r"会员专区",
    r"注册并交纳",
    r"Welcome visitor",
    r"Dear visitor",
]
# A paywall notice ends the document text of its capture.
PAYWALL_START = re.compile(r"subscription-based|Dear visitor|会员专区", re.I)
FOOTER_START = re.compile(
    r"^(相关新闻|相关链接|相关附件|相关阅读|延伸阅读|相关稿件|点击进入专题|推荐阅读|往期推荐|往期回顾"
    r"|Related (news|links|articles))[:：]?$",
    re.I,
)
NEWS_LEAD = re.compile(
    r"^(新华社|人民网|中新社|新华网|央视网|光明网|中国新闻网).{0,16}\d{1,2}月\d{1,2}日电"
    r"(\s*[(（][^()（）]{0,30}[)）])?\s*"  # (记者 ...)
)
SOURCE_LABEL = re.compile(r"^(来源|Source|作者|Author)[:：]?$", re.I)
TOC_START = re.compile(
    r"^(目录|目 录|Contents|Table of Contents)$|^Contents\s*目录$|^目录\s*Contents$", re.I
)
TRUNCATION = re.compile(r"^[.。…\s]{3,}$")
SEPARATOR = re.compile(r"^[|｜·•◆◇■□×>\-–—_/\\\s<>\d]+$")
# Menu words that mark a run of short lines as site navigation.
MENU_WORDS = re.compile(
    r"首页|登录|注册|搜索|English|Français|Español|Русский|驻外|外办|相关|链接|主要职责|组织机构|"
    r"部长|外交动态|政务|专题|资讯|贴吧|文库|百科|客户端|Home|Login|Menu|网信|互动服务|热点|"
    r"时政要闻|中央部委|政府网|微信|微博|看过|更多|文档|新客|^[|×◆◇]"
)
_BINARY_TOKENS = re.compile(
    r"^\d+ \d+ obj\b|\bendobj\b|^xref$|^trailer$|^%%EOF|^startxref$|^\d{10} \d{5} [nf]$|"
    r"\bendstream\b|/Filter\s*/FlateDecode|^%PDF-|<<.*>>|\bobj\s*<"
)
HEADING = re.compile(
    r"^(第[一二三四五六七八九十百零〇]+[章节部分篇]|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|"
    r"\d{1,2}[.、](?!\d)|Chapter\s+[IVXLC\d]+|Part\s+[IVXLC\d]+|[IVX]+\.\s|"
    r"前言|序言|引言|结束语|结语|Preamble|Conclusion|Introduction|Foreword)",
    re.I,
)
LIST_ITEM = re.compile(r"^[\s*]*([(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、])")
MIN_ARTICLES = 3  # a document with this many "第…条" lines is articled
# Rules written for web pages, and what decides every other reason.
WEB_PAGE_RULES = frozenset(
    {
        "site_furniture",
        "watermark",
        "byline",
        "duplicate_line",
        "binary_garbage",
        "navigation",
        "paywall",
        "truncation_marker",
        "page_footer",
        "title",
    }
)
RULE_KINDS = {
    **dict.fromkeys(WEB_PAGE_RULES, "web page"),
    **dict.fromkeys(("page_header", "news_lead", "table_of_contents"), "web page"),
    **dict.fromkeys(("blank", "duplicate", "heading"), "document"),
}  # anything else (front matter, markup, extractors' votes) the file's format decided


def _searchers(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    """The patterns compiled one by one, case-insensitive only where they hold a Latin
    letter: a pattern of Chinese text alone keeps its literal prefix, which the regular
    expression engine finds by a fast scan, so the set costs a third less than one
    case-insensitive alternation."""
    letter = re.compile(r"(?<!\\)[A-Za-z]")
    return tuple(re.compile(p, re.I if letter.search(p) else 0) for p in patterns)


class PatternSet:
    """Does any of many patterns match? Each pattern is tried only on lines that hold one
    of the characters every match of it must contain (worked out from the parsed pattern:
    one of 版权所有's, one of each alternative's); a pattern without such characters is
    always tried. The same answer as trying them all, at a fraction of the searches."""

    def __init__(self, patterns: tuple[re.Pattern[str], ...]):
        self.always: list[re.Pattern[str]] = []
        self.by_char: dict[str, list[re.Pattern[str]]] = {}
        for pattern in patterns:
            chars = required_chars(pattern)
            if chars is None:
                self.always.append(pattern)
            for char in chars or ():
                self.by_char.setdefault(char, []).append(pattern)

    def search(self, text: str) -> bool:
        by_char = self.by_char
        chars = set(text)
        chars.update(text.lower())  # the Kelvin sign is a k, İ an i, to a case-blind pattern
        tried = {p for ch in chars.intersection(by_char) for p in by_char[ch]}
        return any(p.search(text) for p in (*self.always, *tried))


def required_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters one of which every match of ``pattern`` contains, or None when the
    pattern does not say. For a case-insensitive pattern, every character the regular
    expression engine takes for each of them is included (k: K, k and the Kelvin sign)."""
    from re import _casefix, _parser

    found = _required(_parser.parse(pattern.pattern, pattern.flags))
    if found is None:
        return None
    if pattern.flags & re.I:
        cased = set()
        for char in found:
            for form in {char, char.lower(), char.upper()}:
                cased.add(form)
                cased.update(chr(c) for c in _casefix._EXTRA_CASES.get(ord(form), ()))
        found = cased
    return frozenset(found)


def _required(items) -> set[str] | None:
    best = None
    for op, av in items:
        found = _required_one(op, av)
        if found is not None and (best is None or len(found) < len(best)):
            best = found
    return best


def _required_one(op, av) -> set[str] | None:
    from re import _constants as c

    if op is c.LITERAL:
        return {chr(av)}
    if op is c.IN:
        chars = set()
        for item_op, item in av:
            if item_op is not c.LITERAL:
                return None  # a range, a category, a negation: too many characters
            chars.add(chr(item))
        return chars
    if op is c.SUBPATTERN:
        return _required(av[-1])
    if op is c.BRANCH:
        branches = [_required(branch) for branch in av[1]]
        return None if any(b is None for b in branches) else set().union(*branches)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _required(av[2])
    return None


_FURNITURE = PatternSet(_searchers(FURNITURE_PATTERNS))
_PAYWALL = re.compile("|".join(f"(?:{p})" for p in PAYWALL_PATTERNS), re.I)


@dataclass(slots=True)  # one per line of every capture: slots make them smaller and faster
class LineVerdict:
    """What the rules decided about one line."""

    line_no: int
    text: str  # normalised text, watermark fragments removed
    reason: str | None = None  # None: the line is document text
    detail: str = ""  # the evidence for a reason the file's format gave (extractor votes)
    # Pieces cut from a kept line, as (reason, text): a watermark, a news agency's dateline.
    removed: list[tuple[str, str]] = field(default_factory=list)


_ODD_GLYPHS = re.compile("[\ufffd\ue000-\uf8ff]")  # replacement and private-use characters


def is_binary_garbage(text: str) -> bool:
    """Decoded bytes of a binary file: replacement characters, PDF syntax, private-use glyphs."""
    if len(text) < 300 and _BINARY_TOKENS.search(text):
        return True
    odd = len(_ODD_GLYPHS.findall(text))
    # A rare glyph or two in a long text is not garbage; a line full of them is.
    return odd / max(1, len(text)) >= 0.02 or (odd >= 1 and len(text) < 40)


@lru_cache(maxsize=1 << 16)  # asked of every line, and a crawl repeats its lines
def is_short(text: str) -> bool:
    """A line too short to be a sentence: a menu item, a byline, a signature."""
    if text.endswith(("。", "!", "?", ";", "；")) and count_cjk(text) > 6:
        return False
    return count_cjk(text) <= 16 and len(_LATIN_WORD.findall(text)) <= 8 and len(text) <= 60


PHOTO_CAPTION = re.compile(
    r"[\[【(（]\s*(Photo|图|新华社|记者)[^\]】)）]{0,40}[\]】)）]\s*$|(摄|供图)[)）]?\s*$", re.I
)


def is_prose(text: str) -> bool:
    """A line of running text: a long sentence, not a menu, a heading, a byline or a
    photo caption."""
    if PHOTO_CAPTION.search(text):
        return False
    sentence_end = re.search(r"[。!?;；]|\.\s|\.$", text) is not None
    return sentence_end and (count_cjk(text) >= 40 or len(_LATIN_WORD.findall(text)) >= 25)


@lru_cache(maxsize=1 << 16)
def is_heading(text: str) -> bool:
    """A numbered or named section heading: 第一章, 一、, (三), 1., Chapter II, 前言 ..."""
    return (
        bool(HEADING.match(text))
        and count_cjk(text) <= 40
        and "。" not in text[:-1]
        and len(_LATIN_WORD.findall(text)) <= 16
    )


def protected_pattern(forms: tuple[str, ...] | list[str]) -> re.Pattern[str] | None:
    """One alternation of the forms of two characters or more, longest first."""
    from .lexicon import longest_first_pattern

    return longest_first_pattern(f for f in forms if len(f) >= 2)


def find_watermarks(lines: list[str], *, min_repeats: int = 3) -> list[str]:
    """Lines repeated at least ``min_repeats`` times in one file that carry a URL or are long.

    Repeated menu items ("首页", "亚洲") are short and URL-free, so they are left
    to the navigation rule.
    """
    counts = Counter(line for line in lines if line)
    marks = [
        line
        for line, n in counts.items()
        if n >= min_repeats
        and (_URL.search(line) or len(line) >= 15)
        and not is_heading(line)
        and not is_binary_garbage(line)
    ]
    return sorted(marks, key=len, reverse=True)


def line_rule(text: str, watermarks: list[str]) -> str | None:
    """The reason a single line is not document text, judged on the line alone."""
    if not text:
        return "blank"
    rule = _form_rule(text)
    if rule != "binary_garbage" and text in watermarks:
        return "watermark"
    return rule


@lru_cache(maxsize=1 << 16)  # a crawl repeats its sites' menus and footers on every page
def _form_rule(text: str) -> str | None:
    """:func:`line_rule` but for the file's own watermarks, which the caller checks."""
    if is_binary_garbage(text):
        return "binary_garbage"
    if len(text) <= SHORT_FURNITURE:
        if _PAYWALL.search(text):
            return "paywall"
        if _FURNITURE.search(text):
            return "site_furniture"
    if TRUNCATION.match(text):
        return "truncation_marker"
    if SEPARATOR.match(text) and not HEADING.match(text):
        return "navigation"
    return None


def _title_keys(titles: list[str]) -> list[str]:
    # A code's book ("中华人民共和国民法典·人格权编") shows its title as two headings.
    parts = [p for t in titles if t for p in (t, *t.split("·")[: 2 if "·" in t else 0])]
    return list(dict.fromkeys(k for k in map(match_key, parts) if len(k) >= 4))


def _is_title_line(text: str, keys: list[str]) -> bool:
    key = match_key(text)
    return any(k in key and len(key) <= 2.5 * len(k) + 20 for k in keys)


def _mark(verdicts: list[LineVerdict], idx: range | list[int], reason: str) -> None:
    for i in idx:
        if verdicts[i].reason is None:
            verdicts[i].reason = reason


def _title_lines(v: list[LineVerdict], keys: list[str]) -> list[int]:
    """The lines that show the title: the first of any kind (it ends the page header),
    then those still text (the only ones the title rule can mark)."""
    if not keys:
        return []
    found: list[int] = []
    for i, x in enumerate(v):
        if x.text and (x.reason is None or not found) and _is_title_line(x.text, keys):
            found.append(i)
    return found


def _block_rules(v: list[LineVerdict], titles: list[str]) -> None:
    title_idx = _title_lines(v, _title_keys(titles))
    # The page header: everything above the first title line, if that line is in
    # the first half of the capture (a title quoted late in the text is no header).
    if title_idx and title_idx[0] < len(v) / 2:
        first = title_idx[0]
        # A page header is furniture; a paragraph of running text above the title (a
        # news item's introduction before the document it carries) is not, nor is
        # anything above it.
        prose = [i for i in range(first) if v[i].reason is None and is_prose(v[i].text)]
        _mark(v, range(prose[-1] + 1 if prose else 0, first), "page_header")
        _mark(v, title_idx, "title")
    for i, x in enumerate(v):
        # A notice is a few sentences; a whole page on one line that mentions one is text.
        if (
            x.reason in (None, "paywall", "site_furniture")
            and len(x.text) <= NOTICE_MAX
            and PAYWALL_START.search(x.text)
        ):
            _mark(v, range(i, len(v)), "paywall")
            break
    for i, x in enumerate(v):
        if x.reason is None and FOOTER_START.match(x.text):
            _mark(v, range(i, len(v)), "page_footer")
            break
        if x.reason == "site_furniture" and FOOTER_START.match(x.text):
            _mark(v, range(i + 1, len(v)), "page_footer")
            break
    for i, x in enumerate(v):
        if x.reason is None and NEWS_LEAD.match(x.text):
            _cut_news_lead(x)
        # "来源:" alone on a line: the next line names the source site.
        if (
            i + 1 < len(v)
            and v[i + 1].reason is None
            and SOURCE_LABEL.match(x.text)
            and is_short(v[i + 1].text)
        ):
            v[i + 1].reason = "site_furniture"
    _table_of_contents(v)


def _cut_news_lead(x: LineVerdict) -> None:
    """ "新华社北京3月5日电 (记者 ...)" is the agency's dateline, not the article: cut it
    and keep the sentence it opens; a line that is only a dateline is discarded."""
    m = NEWS_LEAD.match(x.text)
    rest = x.text[m.end() :].strip()
    if count_cjk(rest) < 6:
        x.reason = "news_lead"
        return
    x.removed.append(("news_lead", x.text[: m.end()].strip()))
    x.text = rest


def _table_of_contents(v: list[LineVerdict]) -> None:
    """From a "目录"/"Contents" line up to where its first entry appears again as a heading."""
    for i, x in enumerate(v):
        if x.reason is not None or not TOC_START.match(x.text):
            continue
        entries = [j for j in range(i + 1, len(v)) if v[j].reason is None and v[j].text]
        if not entries:
            return
        first_key = match_key(v[entries[0]].text)
        for j in entries[1:]:
            if match_key(v[j].text) == first_key:
                _mark(v, range(i, j), "table_of_contents")
                return
        return


_LIST_ITEM = re.compile(
    r"^\s*(\d{1,2}[.、)）](?!\d)|[(（]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}[、是]|"
    r"[(（][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]{1,3}[,，、]|[①-⑳]|[-*•·●▪]\s)"
)
_ITEM_END = re.compile(r"[;；,，、]$")


def is_list(v: list[LineVerdict], run: list[int]) -> bool:
    """Short lines that are the items of one list: numbered or bulleted alike, ended with
    list punctuation alike, or introduced by a line that ends with a colon."""
    texts = [v[j].text for j in run]
    if sum(bool(_LIST_ITEM.match(t)) for t in texts) >= 2:
        return True
    if len(texts) >= 2 and all(_ITEM_END.search(t) for t in texts[:-1]):
        return True
    before = next((v[j] for j in range(run[0] - 1, -1, -1) if v[j].text), None)
    return (
        before is not None
        and before.reason is None
        and before.text.endswith((":", "："))
        and count_cjk(before.text) >= 6
        and not SOURCE_LABEL.match(before.text)
    )


def _short_runs(
    v: list[LineVerdict], *, min_run: int = 3, protected: re.Pattern[str] | None = None
) -> None:
    """Runs of short lines; site furniture between them continues a run, a blank line ends it.

    A run is ``navigation`` when it, or the furniture lines it spans, holds a
    menu word or a widget. Otherwise it is text when it is a list
    (:func:`is_list`), and else a ``byline`` (title block, signature) except
    for its lines that hold a ``protected`` form (a lexicon concept or domain
    term): a short line that names the concept is what a researcher counts.
    """
    run: list[int] = []
    spanned: list[int] = []  # furniture lines inside the run, or just before it
    furniture_before: list[int] = []

    def close() -> None:
        if len(run) >= min_run:
            menu = bool(spanned) or any(MENU_WORDS.search(v[j].text) for j in run)
            if menu:
                _mark(v, run, "navigation")
            elif not is_list(v, run):
                keep = protected.search if protected is not None else lambda _t: None
                _mark(v, [j for j in run if not keep(v[j].text)], "byline")
        elif run and any(j < run[0] for j in spanned) and any(j > run[0] for j in spanned):
            _mark(v, run, "navigation")  # short lines sandwiched in page furniture
        run.clear()
        spanned.clear()

    for i, x in enumerate(v):
        if x.reason in ("site_furniture", "navigation", "paywall"):
            (spanned if run else furniture_before).append(i)
            continue
        if x.reason is None and is_short(x.text) and not is_heading(x.text):
            if not run:
                spanned.extend(furniture_before)
            run.append(i)
        else:
            if run:  # with no run there is nothing to close (and nothing spanned)
                close()
            furniture_before.clear()
        if x.reason == "blank" and run:
            close()
    close()


def _keep_all_short(v: list[LineVerdict]) -> None:
    """A capture that is nothing but short lines (a list of principles, a slogan sheet)
    has no running text for a byline to sign: its short lines are its text."""
    if any(x.reason is None and not is_short(x.text) for x in v):
        return
    for x in v:
        if x.reason == "byline":
            x.reason = None


def _binary_neighbours(v: list[LineVerdict]) -> None:
    """Short Chinese-free lines next to binary garbage ("0", "1716 46") are part of it."""
    changed = any(x.reason == "binary_garbage" for x in v)
    while changed:
        changed = False
        for i, x in enumerate(v):
            if x.reason == "binary_garbage" or count_cjk(x.text) or len(x.text) > 40:
                continue
            near = [v[j].reason for j in (i - 1, i + 1) if 0 <= j < len(v)]
            if x.text and "binary_garbage" in near:
                x.reason = "binary_garbage"
                changed = True


def _strip_watermarks(x: LineVerdict, watermarks: list[str]) -> None:
    for mark in watermarks:
        if mark in x.text:
            x.removed.append(("watermark", mark))
            x.text = x.text.replace(mark, " ").strip()
    if x.removed and not x.text:
        x.reason = "watermark"


def _duplicates(v: list[LineVerdict]) -> None:
    seen: set[str] = set()
    for x in v:
        if x.reason is not None:
            continue
        key = match_key(x.text)
        if len(key) >= 6 and key in seen:
            x.reason = "duplicate_line"
        seen.add(key)


def classify_lines(
    lines: list[tuple[int, str]],
    *,
    titles: list[str],
    watermarks: list[str],
    protected: re.Pattern[str] | None = None,
    given: list[tuple[str | None, str]] | None = None,
    extracted: bool = False,
) -> list[LineVerdict]:
    """Judge every line of one capture span.

    Parameters
    ----------
    lines
        ``(line_no, normalised_text)`` pairs, in file order.
    titles
        The work's titles (Chinese and English), used to find the page header.
    watermarks
        Watermark strings found across the whole file (:func:`find_watermarks`).
    protected
        Forms that make a short line text rather than a byline (see :func:`_short_runs`).
    given
        ``(reason, evidence)`` per line where the file's format decided already
        (front matter, an image, a line outside the extractors' main text).
    extracted
        The main text was chosen by extractors (web pages): the runs-of-short-lines
        rule, which stands in for them on plain text, is not applied.
    """
    verdicts = []
    # A law's running text gets back whatever a web-page line rule would take from it
    # (_articled_text), so those rules are not run there: most of a law's time is saved.
    originals = [text for _, text in lines]
    articled = articled_span(originals)
    for k, (no, text) in enumerate(lines):
        reason, detail = given[k] if given else (None, "")
        if not reason:
            reason = (
                ("blank" if not text else None) if k in articled else line_rule(text, watermarks)
            )
        verdicts.append(LineVerdict(no, text, reason, detail))
    _binary_neighbours(verdicts)
    for k, x in enumerate(verdicts):
        if x.reason is None and k not in articled:
            _strip_watermarks(x, watermarks)
    _block_rules(verdicts, titles)
    if not extracted:
        _short_runs(verdicts, protected=protected)
        _keep_all_short(verdicts)
    _duplicates(verdicts)
    _articled_text(verdicts, originals, articled)
    return verdicts


def rule_kind(reason: str) -> str:
    """Which kind of rule a ledger reason is: ``web page``, ``document`` or ``format``."""
    return RULE_KINDS.get(reason, "format")


def is_articled(texts: list[str]) -> bool:
    """Whether lines are a law's or regulation's running text: enough "第…条" lines."""
    return bool(articled_span(texts))


def articled_span(originals: list[str]) -> range:
    """The running text of a law or regulation among these lines: from its first
    "第…条" to its last and the list items after it (empty when not articled)."""
    articles = [i for i, text in enumerate(originals) if ARTICLE_LINE.match(text)]
    if len(articles) < MIN_ARTICLES:  # not articled
        return range(0)
    end = articles[-1]
    while end + 1 < len(originals) and LIST_ITEM.match(originals[end + 1]):
        end += 1  # the last article's items
    return range(articles[0], end + 1)


def _articled_text(v: list[LineVerdict], originals: list[str], span: range) -> None:
    """Give back to a law's running text (``span``) the lines web-page rules took from it."""
    for i in span:
        x = v[i]
        if x.reason in WEB_PAGE_RULES and not x.detail:  # a format's decision stands
            x.reason, x.text = None, originals[i]
        elif x.reason is None and x.removed and all(r[0] == "watermark" for r in x.removed):
            x.text, x.removed = originals[i], []


def date_evidence(verdicts: list[LineVerdict]) -> list[tuple[int, int, str, str, str]]:
    """Candidate document dates from the lines that may carry one.

    Returns ``(rank, line_no, date, precision, raw)``, best first. Rank 1: a date
    inside a parenthesis with an issuing verb (发布, 印发, 更新时间, issued,
    adopted); rank 2: a line that is only a date (a signature or a title-block
    date). Page headers, site furniture and clock-time stamps never count.
    """
    usable = {None, "byline", "title", "duplicate_line"}
    found = []
    for x in verdicts:
        if x.reason not in usable:
            continue
        dates = [d for d in find_dates(x.text) if not d.has_time]
        issuing = _issuing_parentheses(x.text) if dates else []
        for d in dates:
            if any(start < d.start < end for start, end in issuing):
                found.append((1, x.line_no, d.date, d.precision, d.raw))
            elif _only_a_date(x.text, d.raw):
                found.append((2, x.line_no, d.date, d.precision, d.raw))
    return sorted(found, key=lambda f: (f[0], f[1]))


_ISSUING = re.compile(
    r"发布|印发|公布|通过|签署|更新时间|issued|adopted|released|updated|signed", re.I
)


def _issuing_parentheses(text: str) -> list[tuple[int, int]]:
    """Spans of the parentheses in a line that hold an issuing verb (one pass per line)."""
    return [
        (m.start(), m.end()) for m in _PARENTHESIS.finditer(text) if _ISSUING.search(m.group(1))
    ]


_PARENTHESIS = re.compile(r"\(([^()]{0,120})\)")


def _only_a_date(text: str, raw: str) -> bool:
    if len(text) > len(raw) + 40:  # a date line is short; a long line never is one
        return False
    rest = text.replace(raw, "")
    return not re.sub(r"[\s()\[\]【】,.:;于在]", "", rest)
