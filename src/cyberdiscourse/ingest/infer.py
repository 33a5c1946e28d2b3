"""What a capture says about itself: title, date (with its kind and the words it came
from), issuer or source, URL and language. Every value comes with its evidence.

Date rules, in order (the first that finds a date wins):

1. *The version a header states*: the lines below a law's or regulation's title
   list its adoption ("2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过"),
   promulgation ("2000年9月25日 中华人民共和国国务院令第291号公布") and every later
   amendment or revision ("根据2016年2月6日《国务院关于修改部分行政法规的决定》修订").
   The text in hand is its latest amendment or revision, else its earliest adoption
   or promulgation; ``first_date`` keeps the original. Entry into force
   ("自...起施行") is never a version: a timeline must not place 2024 wording in 1988.
2. *Issuance*: a signature block, an issuing body's line followed by a line that
   is only a date, near the end of the text.
3. *Publication*: a date (usually with a clock time) on a line near the title
   that carries a label (发布时间, 时间, 来源 ...) or nothing but the date; then
   the page's publication meta tags.
4. *Repost*: the ``date`` of a crawler's front matter (when the page itself
   states none of the above).

Never taken: a crawl date (``fetch_date``), a "last updated" time, a relative
time ("3小时前"), a date inside the running text, or a date in a list of
related articles far from the title.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass

from ..dates import date_in_file_name, find_dates
from ..normalise import ARTICLE_LINE, count_cjk, match_key, normalise_line

_ADOPTED = re.compile(
    r"(会议|常务会议|室务会议|局务会议|部务会议|办公会议)[^。]{0,12}(审议)?通过|通过$"
)
_PUBLISHED_LABEL = re.compile(
    r"(发布时间|发布日期|发表于|发表时间|时间|日期|来源|Published|Date)\s*[:：]?", re.I
)
_UPDATED = re.compile(r"更新|修改|updated|modified|最后|编辑于", re.I)
_SOURCE = re.compile(r"(?:来源|来自|Source)\s*[:：|丨]\s*([^\s|丨，,。]{2,30})", re.I)
_TITLE_SEPARATORS = re.compile(
    r"\s*(?:_|\||｜|--|—|–|\s-\s|(?<=[\u4e00-\u9fff])-(?=[\u4e00-\u9fff]))\s*"
)
_ISSUER_LINE = re.compile(r"(办公室|委员会|部|局|院|署|厅|政府|中心|协会|办|会)$")
# The body that adopted a text: "第十三届全国人民代表大会常务委员会第二十九次会议",
# "国务院第82次常务会议", "最高人民法院审判委员会第1850次会议" (the body, not "次常务").
_ADOPTING_BODY = re.compile(
    r"(第[一二三四五六七八九十]+届)?([^\d\s第由]{2,20}?)(?:\d{4}年)?(第[^\s]{1,12}?次)?"
    r"(常务|室务|局务|部务|部长办公|主任办公|办公|全体)?会议"
)
_DECREE = re.compile(r"(中华人民共和国国务院|国务院|[^\s\d]{2,16}(部|局|委员会|办公室))令")
HEADER_LINES = 12  # a law's or a page's header: the lines right below its title
NEAR_TITLE = 8  # a publication date stands this close to the title
PAGE_TOP = 40  # lines from the title's first showing within which it may show again


@dataclass(frozen=True)
class Inferred:
    """Values a capture gives, each with the words (and the line) it came from."""

    title: str = ""
    title_evidence: str = ""
    date: str = ""
    date_precision: str = ""
    # amendment / revision / adoption / promulgation / issuance / publication / repost
    date_kind: str = ""
    first_date: str = ""  # a law's original adoption or promulgation, when the header states it
    date_evidence: str = ""
    date_candidates: int = 0  # distinct dates the rules considered
    source: str = ""
    source_evidence: str = ""
    url: str = ""
    lang: str = ""


def infer(
    lines: list[str],
    given: list[str | None],
    meta: dict[str, str],
    *,
    url: str = "",
    first_line: int | list[int] = 1,
    html: str | None = None,
) -> Inferred:
    """Infer title, date, source and language from one page's visible lines.

    ``given`` holds the reasons the format gave (``not_main_text`` ...): a page's
    header and footer lines still count as evidence for dates and sources.
    ``first_line`` is the file's number of the first line, or the numbers of every
    line when the lines are a view (the head and tail of a long document).
    """
    norm = [normalise_line(line) for line in lines]
    title, title_evidence, title_at = _title(norm, given, meta, first_line)
    book = _book_of(norm, given, title_at)
    if book:
        title, title_evidence = f"{title}·{book}", f"{title_evidence}; the book it holds: {book}"
    found = _date(norm, given, meta, _title_lines(norm, given, title, title_at), first_line)
    carried = _carried_document(norm, given, title)
    if carried:
        at, carried_title = carried
        title_evidence = (
            f"the document the page carries in full (line {_ln(first_line, at)}); "
            f"the page's own headline: {title}"
        )
        title = carried_title
    if not found.get("date") and html:
        found = _htmldate(html) or found
    source, source_evidence = _source(norm, given, meta, first_line, title_at)
    text = "".join(n for n, g in zip(norm, given) if g is None)
    return Inferred(
        title=title,
        title_evidence=title_evidence,
        **found,
        source=source,
        source_evidence=source_evidence,
        url=url or meta.get("front_matter:url", "") or meta.get("og:url", ""),
        lang=_lang(text),
    )


# ---------------------------------------------------------------- title


_NOT_TEXT = {"front_matter", "markup", "image", "link_only"}
# A column, programme or site label at the head of a headline, by its form: a short
# label before a vertical bar ("权威解答 ｜ …", "论坛·网络治理｜…") or in 【】. A label
# before a colon is left alone: "庄荣文：…", "国务院：…" name the speaker.
_BAR_LABEL = re.compile(r"^\s*([^|｜丨:：。！？!?，,]{1,16}?)\s*[|｜丨]\s*")
_BRACKET_LABEL = re.compile(r"^\s*【([^【】]{1,16})】\s*")
# What cannot stand alone after a label: an issue number, an appendix, a continuation.
_NOT_A_HEADLINE = re.compile(r"^(第\S{1,8}[期号辑]|附|之|及|和|与|[(（]|\d)")
LABEL_UNITS = 6  # at most this long (Han characters and Latin words) before a bar
HEADLINE_UNITS = 8  # and what follows at least this long, for the label to go


def without_label(headline: str) -> str:
    """The headline without a label at its head, when what follows is a headline itself.

    In doubt the headline stays whole: "DNV勒索软件攻击 | 1000艘轮船受影响" and
    "安全热点周报 | 第二百七十六期" keep their heads, which say what the item is.
    """
    bracket = _BRACKET_LABEL.match(headline)
    bar = None if bracket else _BAR_LABEL.match(headline)
    found = bracket or bar
    if not found:
        return headline
    rest = headline[found.end() :]
    label_limit, rest_floor = (10, 6) if bracket else (LABEL_UNITS, HEADLINE_UNITS)
    if (
        _units(found.group(1)) <= label_limit
        and _units(rest) >= rest_floor
        and not _NOT_A_HEADLINE.match(rest)
    ):
        return rest
    return headline


def _units(text: str) -> int:
    """Length in Han characters and Latin words."""
    return count_cjk(text) + len(re.findall(r"[A-Za-z0-9]+", text))


def _title(norm, given, meta, first_line) -> tuple[str, str, int]:
    """The document's own title and the index of the line that shows it (-1: none).

    Candidates come from the front matter, the first Markdown heading, og:title and
    the parts of the page's <title> ("标题_网易新闻"). A candidate shown on the page
    (on one line or across up to three lines, as a title broken by <br>) beats one
    that is not; among those, the longest. Where the page shows only the start of a
    candidate ("标题 东区办事处_中山网"), the line as shown is the title.
    """
    usable = [i for i, g in enumerate(given) if g not in _NOT_TEXT and norm[i]]
    keys = {i: match_key(without_label(norm[i])) for i in usable}
    start = next((i for i in usable if given[i] is None), -1)  # where the main text begins

    def near(at: int) -> bool:
        return at >= 0 and start >= 0 and start - 6 <= at <= start + 1

    best = None
    for source, value in _title_candidates(meta):
        k = match_key(value)
        if len(k) < 2:
            continue
        at, shown = _shown_at(k, usable, keys, norm)
        rank = (near(at), at >= 0, source.startswith("front_matter"), len(k))
        if best is None or rank > best[0]:
            best = (rank, source, shown or value, at)
    section_name = best is not None and best[0][3] <= 6  # "新闻动态": a section, maybe a title
    if (best is None or section_name or not best[0][1]) and start > 0:
        # The tag names a section ("新闻动态--学会官网"): the headline right above the
        # article is the title.
        for i in range(start - 1, max(-1, start - 4), -1):
            line = norm[i]
            if (
                given[i] not in _NOT_TEXT
                and max(6, len(best[2]) + 1 if best else 6) <= count_cjk(line) <= 60
                and not line.endswith("。")
                and not find_dates(line)
                and not _PUBLISHED_LABEL.search(line)
                and len(line.split()) <= 2  # not a menu of short items
            ):
                where = f"headline above the main text (line {_ln(first_line, i)})"
                return without_label(line), where, i
    if best is not None:
        _, source, value, at = best
        where = f"line {_ln(first_line, at)}" if at >= 0 else "not shown on the page"
        return value, f"{source}: {value} ({where})", at
    for i in usable:  # no tag at all: the first heading-like line of the main text
        line = norm[i]
        if given[i] is None and count_cjk(line) <= 60 and not re.search(r"[。；]$", line):
            return line, f"first line of the main text (line {_ln(first_line, i)})", i
    return "", "", -1


# A book or part of a code, as a heading of its own ("人格权编", "第四编 人格权", "总则").
_BOOK = re.compile(
    r"^(第[一二三四五六七八九十]+(编|分编)\s*\S{0,10}|\S{1,8}(编|分编)|总\s?则|分\s?则|附\s?则)$"
)
_BOOK_HEADING = re.compile(r"^[#\s]*第[一二三四五六七八九十]+编")  # a sub-book (分编) is not one


def _book_of(norm, given, title_at: int) -> str:
    """The book of a code a file holds alone: a book heading right under the title, in
    a text with no other book heading (a whole code has several: 刑法's 第一编 总则 is
    one of its parts, not what the file holds)."""
    if title_at < 0:
        return ""
    below = next((i for i in range(title_at + 1, len(norm)) if norm[i]), None)
    if below is None or given[below] in _NOT_TEXT or not _BOOK.match(norm[below]):
        return ""
    others = sum(bool(_BOOK_HEADING.match(line)) for line in norm)
    return norm[below] if others <= 1 else ""


# The title of a document a page carries: a short line ending in a kind of document,
# then an optional version note, then its first chapter or article.
_DOCUMENT_KIND = re.compile(
    r"(办法|规定|条例|法|决定|细则|规则|意见|方案|纲要|规划|章程|准则|指引|指南|标准|公约|协定|"
    r"解释|要点|守则)$"
)
_VERSION_NOTE = re.compile(r"^[（(](征求意见稿|试行|(修订|修正)?草案|送审稿|暂行|修订稿)[）)]$")
_NUMBERED = re.compile(  # a heading or an item: 第…, 一、, (一), 1.
    r"^(第|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])"
)
_OPENING = re.compile(r"^[#*\s]*第[一1][章条节]")
ARTICLES_CARRIED = 5  # articles after the title: the page holds the document, not a quotation


def _carried_document(norm, given, headline: str) -> tuple[int, str] | None:
    """``(line, title)`` of a document whose full text a page carries under a headline of
    its own (a news item or a repost over a regulation's text), or None."""
    usable = [i for i, g in enumerate(given) if g not in _NOT_TEXT and norm[i]]
    for n, i in enumerate(usable):
        line = norm[i]
        if (
            _NUMBERED.match(line)
            or not 6 <= count_cjk(line) <= 40
            or re.search(r"[，。；：,;:]", line)
            or not _DOCUMENT_KIND.search(line)
        ):
            continue
        after = usable[n + 1 : n + 3]
        note = after[0] if after and _VERSION_NOTE.match(norm[after[0]]) else None
        opening = next((j for j in after if j != note), None)
        if opening is None or not _OPENING.match(norm[opening]):
            continue
        title = line + (norm[note] if note is not None else "")
        articles = sum(bool(ARTICLE_LINE.match(norm[j])) for j in usable[n + 1 :])
        # The headline's own last line ("…常务委员会" / "议事规则") is no other document.
        if articles >= ARTICLES_CARRIED and not match_key(headline).endswith(match_key(line)):
            return i, title
        return None
    return None


def _title_candidates(meta) -> list[tuple[str, str]]:
    out = []
    for key in ("front_matter:title", "markdown_h1", "og:title", "dc.title", "html_title"):
        value = normalise_line(meta.get(key, ""))
        if not value:
            continue
        parts = _segments(value) if key == "html_title" else [value]
        for part in parts:
            out.append((key, without_label(part)))
    return out


def _shown_at(key: str, usable: list[int], keys: dict[int, str], norm) -> tuple[int, str]:
    """Where the page shows a title: (line index, the text as shown) or (-1, "")."""
    for n, i in enumerate(usable):
        joined = ""
        for j in usable[n : n + 3]:
            joined += keys[j]
            if joined == key or (key in joined and len(joined) <= len(key) + 4):
                return i, ""
        line = keys[i]
        if len(line) >= 8 and key.startswith(line) and len(line) >= 0.6 * len(key):
            return i, without_label(norm[i])
    return -1, ""


def _segments(title: str) -> list[str]:
    """ "标题_网易新闻" -> ["标题", "网易新闻"]: the page title's parts."""
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    return parts or [title]


# ---------------------------------------------------------------- date


def _title_lines(norm, given, title, title_at) -> list[int]:
    """Every line that shows the title: a saved page often shows it twice (a crawler's
    heading, then the site's own header with the date below it)."""
    key = match_key(title)
    if len(key) < 4:
        return [title_at] if title_at >= 0 else []
    found = [
        i
        for i, line in enumerate(norm)
        if given[i] not in _NOT_TEXT and key in match_key(line) and len(line) <= 2 * len(title) + 20
    ]
    return found or ([title_at] if title_at >= 0 else [])


def _date(norm, given, meta, title_at, first_line) -> dict:
    considered: set[str] = set()
    for rule in (_adoption, _issuance, _publication, _meta_date, _front_matter_date):
        found = rule(norm, given, meta, title_at, first_line, considered)
        if found:
            found["date_candidates"] = len(considered | {found["date"]})
            return found
    return {"date_candidates": len(considered)}


def _result(date, kind, evidence) -> dict:
    return {
        "date": date.date,
        "date_precision": date.precision,
        "date_kind": kind,
        "date_evidence": evidence,
    }


def _windows(norm, title_lines: list[int], before: int, after: int) -> list[int]:
    """Line indices near the title's lines, in order, each once; the top when none."""
    starts = title_lines or [0]
    seen: dict[int, None] = {}
    for at in starts:
        for i in range(max(0, at - before), min(len(norm), at + after + 1)):
            seen.setdefault(i, None)
    return list(seen)


# What a header line says happened on its date. 修订/修正 first: "修订通过" is a revision
# and "会议通过的《…修正案》" an amendment; book titles are cut out before these are read.
_EVENT_WORDS = (
    ("revision", re.compile(r"修订")),
    ("amendment", re.compile(r"修正|修改")),
    ("adoption", re.compile(r"通过|批准")),
    ("promulgation", re.compile(r"公布|颁布|发布|印发|令第?[\d〇一二三四五六七八九十百]+号$")),
)
_IN_FORCE = re.compile(r"施行|生效|实施|执行")
_BOOK_TITLE = re.compile(r"《[^《》]*》")
# What may stand before a header's first date: brackets, 根据 ("根据2009年…修正"), a
# decree's "《…规定》已经" ("已经2025年4月21日…局务会议审议通过"), or a label (公布日期：).
_EVENT_LEAD = re.compile(
    r"^[\s(（\[【]*(根据|经)?$|》\s*(已经|经)$"
    r"|(通过|公布|颁布|修订|修正|施行|生效)(日期|时间)\s*[:：]?\s*$"
)
_LABEL_KINDS = {"通过": "adoption", "公布": "promulgation", "颁布": "promulgation"}
_CLAUSE_END = re.compile(r"[，,；;。]|根据|自(?=\s*\d)")
ORIGINAL = ("adoption", "promulgation")
VERSION = ("amendment", "revision")
HEADER_KINDS = ORIGINAL + VERSION  # the kinds a law's or regulation's header states
_NUMBERS = re.compile(r"[\d〇一二三四五六七八九十百零]+")
LAW_CLAUSE = 45  # "第十三届全国人民代表大会常务委员会第二十九次会议通过" is 26 characters


@dataclass(frozen=True)
class HeaderEvent:
    """One dated event a header states: what happened, when, and the line that says so."""

    date: object  # a DateMatch
    kind: str
    line: int
    body: str = ""  # who acted, without session numbers: "最高人民法院审判委员会次会议通过"


def header_events(norm: list[str], given, title_lines: list[int]) -> list[HeaderEvent]:
    """Every adoption, promulgation, amendment and revision the header below the title states.

    A header runs on past :data:`HEADER_LINES` while its lines keep stating events (the
    Criminal Law lists a dozen amendments). Entry into force (施行, 生效) is not an event.
    """
    # The title again deep in the text (an annex's "关于《…基本法》…的决定") opens no header.
    top = [i for i in title_lines if i <= title_lines[0] + PAGE_TOP] if title_lines else []
    window = _windows(norm, top, 0, HEADER_LINES)
    beyond = range(window[-1] + 1, len(norm)) if window else range(0)
    events: list[HeaderEvent] = []
    last = -1
    for i in itertools.chain(window, beyond):
        if i > window[-1] and not (last >= 0 and i <= last + 3):
            break
        if given[i] not in _NOT_TEXT:
            found = _line_events(norm[i], i)
            if not found and _wrapped(norm, given, i):
                found = _line_events(norm[i] + norm[i + 1], i)
            events += found
            last = i if found else last
    return events


def _wrapped(norm, given, i: int) -> bool:
    """A dated header line whose clause runs on to the next line: a short one with no
    date and no sentence in it ("《国务院关于修改部分行政法规的决定》第一次修订")."""
    return (
        i + 1 < len(norm)
        and given[i + 1] not in _NOT_TEXT
        and len(norm[i + 1]) <= LAW_CLAUSE
        and not re.search(r"[，。,]", norm[i + 1])
        and bool(find_dates(norm[i]))
        and not find_dates(norm[i + 1])
    )


def _line_events(line: str, i: int) -> list[HeaderEvent]:
    """The events one header line states, each date read with the clause after it.

    A date counts only where a header puts one: first on its line (after brackets,
    根据 or a label such as 公布日期) or right after another event's clause. In prose
    ("本法自…起施行，1996年…发布的《…》同时废止") the chain breaks and nothing is taken.
    A date whose clause ends in 、 shares the next one's event: a joint interpretation
    "…审判委员会第1856次会议、2022年2月9日…检察委员会…会议通过" was adopted by both.
    """
    # A clock time marks a page's publication stamp, never a law's header.
    dates = [d for d in find_dates(line) if d.precision in ("day", "month") and not d.has_time]
    events: list[HeaderEvent] = []
    joint: list = []
    chained = False
    for n, d in enumerate(dates):
        lead = line[dates[n - 1].end if n else 0 : d.start]
        labelled = _EVENT_LEAD.search(lead) if not n or not chained else None
        if not (chained or labelled):
            break
        after = line[d.end : dates[n + 1].start if n + 1 < len(dates) else len(line)]
        clause = _clause(after)
        kind, in_force = _clause_kind(clause)
        if kind is None and labelled and labelled.group(4):
            kind = _LABEL_KINDS.get(labelled.group(4))
            in_force = kind is None
        if kind is None and not in_force and after.rstrip().endswith("、"):
            joint.append(d)
            chained = True
            continue
        body = _NUMBERS.sub("", clause)
        events += [HeaderEvent(x, kind, i, body) for x in [*joint, d]] if kind else []
        joint, chained = [], kind is not None or in_force
    return events


def _clause(after: str) -> str:
    """The words after a date up to the end of its clause, book titles emptied."""
    text = _BOOK_TITLE.sub("《》", re.sub(r"\s", "", after))
    cut = _CLAUSE_END.search(text)
    return text[: cut.start()] if cut and cut.start() > 0 else text


def _clause_kind(clause: str) -> tuple[str | None, bool]:
    """What a clause after a date says happened: an event kind, or entry into force."""
    if len(clause) > LAW_CLAUSE:
        return None, False
    if "通过的《" in clause and not _EVENT_WORDS[0][1].search(clause):
        return "amendment?", False  # passing another instrument: an amendment unless first
    for kind, words in _EVENT_WORDS:
        if words.search(clause.replace("《》", "")):
            return kind, False
    return None, bool(_IN_FORCE.search(clause))


def version_dates(events: list[HeaderEvent]) -> tuple[HeaderEvent | None, HeaderEvent | None]:
    """The version a header's text is (its latest amendment or revision, else its
    earliest adoption or promulgation) and its original adoption or promulgation.

    A later line on which the same body adopts the text again ("2002年…审判委员会第1246次
    会议通过", then "2020年…审判委员会第1823次会议通过") is an amendment; two bodies
    adopting one text on one line (a joint interpretation) are not.
    """
    events = [_as_version(e, n, events) for n, e in enumerate(events)]
    originals = [e for e in events if e.kind in ORIGINAL]
    first = min(originals, key=lambda e: e.date.date) if originals else None
    versions = [e for e in events if e.kind in VERSION]
    if first:  # an amendment dated before the original is a misreading: not this text's version
        versions = [e for e in versions if e.date.date > first.date.date]
    latest = max(versions, key=lambda e: e.date.date) if versions else first
    return latest, first


def _as_version(event: HeaderEvent, n: int, events: list[HeaderEvent]) -> HeaderEvent:
    if event.kind == "amendment?":  # another instrument passed: an amendment unless it opens
        return dataclasses.replace(event, kind="amendment" if n else "adoption")
    readopted = (
        event.kind == "adoption"
        and any(
            e.kind == "adoption"
            and e.line < event.line
            and e.body == event.body
            and "会议" in e.body  # a body named: a bare "（…通过）" names none
            and e.date.date < event.date.date
            for e in events[:n]
        )
    )
    return dataclasses.replace(event, kind="amendment") if readopted else event


def _adoption(norm, given, meta, title_at, first_line, considered):
    """The header's version date: latest amendment or revision, else adoption or promulgation."""
    events = header_events(norm, given, title_at)
    considered.update(e.date.date for e in events)
    latest, first = version_dates(events)
    if latest is None:
        return None
    found = _result(latest.date, latest.kind, _event_evidence(norm, first_line, latest))
    found["first_date"] = first.date.date if first else ""
    if first and first is not latest:
        found["date_evidence"] += (
            f" (first {first.kind} {first.date.date}, {_event_evidence(norm, first_line, first)})"
        )
    return found


def _event_evidence(norm, first_line, event: HeaderEvent) -> str:
    return f"line {_ln(first_line, event.line)}: {norm[event.line][:80]}"


def _issuance(norm, given, meta, title_at, first_line, considered):
    """An issuing body's line, then a line that is only a date (a signature block)."""
    kept = [i for i, g in enumerate(given) if g is None and norm[i]]
    for a, b in zip(kept, kept[1:]):
        issuer, line = norm[a], norm[b]
        dates = find_dates(line)
        if (
            len(dates) == 1
            and len(re.sub(r"[\s()（）]", "", line)) <= len(dates[0].raw) + 2
            and dates[0].precision == "day"
            and count_cjk(issuer) >= 4
            and len(issuer) <= 30
            and _ISSUER_LINE.search(issuer)
        ):
            return _result(
                dates[0],
                "issuance",
                f"lines {_ln(first_line, a)}-{_ln(first_line, b)}: {issuer} {line}",
            )
    return None


def _publication(norm, given, meta, title_at, first_line, considered):
    for i in _windows(norm, title_at, 3, NEAR_TITLE):
        line = norm[i]
        if (
            given[i] in _NOT_TEXT
            or _UPDATED.search(line)
            or "前" in line
            and re.search(r"\d+\s*(分钟|小时|天)前", line)
        ):
            continue
        dates = find_dates(line)
        if not dates:
            continue
        d = dates[0]
        only = not re.sub(r"[\s()（）\[\]【】]", "", line.replace(d.raw, ""))
        if d.precision != "day" and not only:  # "(2022年3月)" under a title: a title-block date
            continue
        labelled = _PUBLISHED_LABEL.search(line[: d.start + 1]) is not None
        alone = len(line) <= len(d.raw) + 40
        if d.has_time or labelled or alone:
            return _result(d, "publication", f"line {_ln(first_line, i)}: {line[:80]}")
        considered.add(d.date)
    return None


_META_DATES = (
    "article:published_time",
    "publishdate",
    "pubdate",
    "publish_date",
    "firstpublishedtime",
    "og:release_date",
    "dc.date",
)


def _meta_date(norm, given, meta, title_at, first_line, considered):
    for key in _META_DATES:
        dates = find_dates(meta.get(key, ""))
        if dates:
            return _result(dates[0], "publication", f"<meta {key}> {meta[key]}")
    return None


def _front_matter_date(norm, given, meta, title_at, first_line, considered):
    value = meta.get("front_matter:date", "")
    dates = find_dates(value)
    if dates:
        return _result(dates[0], "repost", f"front matter date: {value}")
    return None


# ---------------------------------------------------------------- source


def _source(norm, given, meta, first_line, title_at) -> tuple[str, str]:
    for key in ("front_matter:source", "source", "contentsource", "og:site_name", "author"):
        if meta.get(key):
            return normalise_line(meta[key]), f"{key}: {meta[key]}"
    start = max(0, title_at)
    for i in range(start, min(len(norm), start + HEADER_LINES)):
        m = _SOURCE.search(norm[i])
        if m:
            return m.group(1), f"line {_ln(first_line, i)}: {norm[i][:80]}"
        # The two patterns backtrack on long lines: test cheap substrings first.
        adopted = _ADOPTING_BODY.search(norm[i]) if "会议" in norm[i] else None
        if adopted and _ADOPTED.search(norm[i]):
            body = re.sub(r"^(第[一二三四五六七八九十]+届)", "", adopted.group(2))
            return body, f"line {_ln(first_line, i)}: {norm[i][:80]}"
        decree = _DECREE.search(norm[i]) if "令" in norm[i] else None
        if decree:
            body = decree.group(1).replace("中华人民共和国国务院", "国务院")
            return body, f"line {_ln(first_line, i)}: {norm[i][:80]}"
    return "", ""


def _htmldate(html: str) -> dict | None:
    """The last resort on a web page: htmldate reads the markup and scripts (JSON-LD,
    data attributes, "publishDate") for the original publication date."""
    import logging

    from htmldate import find_date

    logging.getLogger("htmldate").setLevel(logging.ERROR)
    try:
        value = find_date(html, original_date=True, extensive_search=True, outputformat="%Y-%m-%d")
    except Exception:  # a page htmldate cannot read: no date from it
        return None
    dates = find_dates(value or "")
    if not dates or not _written_in(html, dates[0].date):
        return None  # a date htmldate completed from a year alone is no evidence
    return {
        **_result(dates[0], "publication", "htmldate: the page's markup and scripts"),
        "date_candidates": 1,
    }


def _written_in(html: str, iso: str) -> bool:
    """The page writes this day somewhere (2019-09-07, 2019/9/7, 2019年9月7日, 20190907)."""
    y, m, d = iso.split("-")
    m, d = int(m), int(d)
    pattern = rf"{y}\s*[-/.年]\s*0?{m}\s*[-/.月]\s*0?{d}(?!\d)|{y}{m:02d}{d:02d}(?!\d)"
    return re.search(pattern, html) is not None


def _ln(first_line, i: int) -> int:
    """The file's line number of line ``i`` of the view inference read."""
    return first_line[i] if isinstance(first_line, list) else first_line + i


def _lang(text: str) -> str:
    from ..language import detect_lang

    return detect_lang(text[:5000]) if text.strip() else ""


# ---------------------------------------------------------------- file name

# How long after a header's last event a file name's day can still be that text's own
# publication. An adopted text (a judicial interpretation, a rule approved before it is
# issued) is published within months of its adoption: on the national laws 39 days at the
# median, a few near a year. A promulgated, amended or revised text is published at once
# or within weeks: there the same text's later days lie within 73 days and the next
# version's from 152 days on. A file name's day past these names a version the header
# does not list.
SAME_TEXT_DAYS = {"adoption": 366, "promulgation": 120, "amendment": 120, "revision": 120}


def with_file_name(found: dict, file_name: str, *, pages: int = 1) -> dict:
    """A page's date with its file name's day as evidence ranked below the text.

    The file name's day (``名称(2023-04-27).md``, ``2023-01-05_…``, ``20230105-…``) is
    kept as ``date_in_file_name``; it becomes the date (``date_kind="file_name"``) when
    the text states none, or when the text is a law whose header's last event lies
    further before it than a text's publication follows that kind of event
    (:data:`SAME_TEXT_DAYS`): the file holds a later version than its header lists (a
    header copied from an older edition). Otherwise the text's date stands. The name of a
    file of several ``pages`` (crawl-20230105.warc.gz) dates the crawl, not a page.
    """
    named = date_in_file_name(file_name) if pages == 1 else None
    if named is None:
        return found
    out = {**found, "date_in_file_name": named.date}
    stated = found.get("date", "")
    if not stated:
        return {**out, **_result(named, "file_name", f"file name: {file_name}")}
    kind = found.get("date_kind", "")
    if kind in SAME_TEXT_DAYS and _days_between(stated, named.date) > SAME_TEXT_DAYS[kind]:
        header = f"{found['date_kind']} {stated}: {found.get('date_evidence', '')}"
        evidence = f"file name: {file_name}; a later version than the header's latest ({header})"
        return {**out, **_result(named, "file_name", evidence[:300])}
    return out


def same_text_day(kind: str, stated: str, named: str) -> bool:
    """Whether a file name's day can be the stated event's own text (its publication):
    the same day, or after it by no more than that kind of event allows; an earlier
    day, or one past the lag, is another date than the text's."""
    gap = _days_between(stated, named)
    return gap == 0 or 0 < gap <= SAME_TEXT_DAYS.get(kind, 0)


def _days_between(earlier: str, later: str) -> int:
    """Days from one ISO date to another, a month or a year taken at its first day."""
    import datetime as dt

    def day(iso: str) -> dt.date:
        return dt.date.fromisoformat((iso + "-01-01")[:10])

    return (day(later) - day(earlier)).days
