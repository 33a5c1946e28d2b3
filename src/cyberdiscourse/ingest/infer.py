"""What a capture says about itself: title, date (with its kind and the words it came
from), issuer or source, URL and language. Every value comes with its evidence.

Date rules, in order (the first that finds a date wins):

1. *Adoption or promulgation* in the document's own header: a line near the top
   such as "2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过" or
   "(2007年6月29日...会议通过)" or "2000年9月25日 中华人民共和国国务院令第291号公布".
   For a law the first such line is the original adoption; amendment lines and
   the entry-into-force article ("本法自...起施行") come later and are never taken.
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

import re
from dataclasses import dataclass

from ..dates import find_dates
from ..normalise import count_cjk, match_key, normalise_line

_ADOPTED = re.compile(
    r"(会议|常务会议|室务会议|局务会议|部务会议|办公会议)[^。]{0,12}(审议)?通过|通过$"
)
_PROMULGATED = re.compile(
    r"(令|公告)第?[\d〇一二三四五六七八九十百]+号\s*(公布|发布)|(公布|发布|印发)$"
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
_ADOPTING_BODY = re.compile(r"(第[一二三四五六七八九十]+届)?([^\d\s]{2,20}?)(第[^\s]{1,12}次)?会议")
_DECREE = re.compile(r"(中华人民共和国国务院|国务院|[^\s\d]{2,16}(部|局|委员会|办公室))令")
HEADER_LINES = 12  # a law's or a page's header: the lines right below its title
NEAR_TITLE = 8  # a publication date stands this close to the title


@dataclass(frozen=True)
class Inferred:
    """Values a capture gives, each with the words (and the line) it came from."""

    title: str = ""
    title_evidence: str = ""
    date: str = ""
    date_precision: str = ""
    date_kind: str = ""  # adoption / promulgation / issuance / publication / repost
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
    found = _date(norm, given, meta, _title_lines(norm, given, title, title_at), first_line)
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
# Column labels that some sites put before a headline ("专家观点 | ..."): not the title.
_COLUMN_LABEL = re.compile(
    r"^(专家观点|专家解读|独家快评|快评|观点|评论|时评|社论|国际|国内|深度|原创|独家|解读|"
    r"图集|视频|直播|专题|要闻|头条)\s*[|｜丨]\s*"
)


def _title(norm, given, meta, first_line) -> tuple[str, str, int]:
    """The document's own title and the index of the line that shows it (-1: none).

    Candidates come from the front matter, the first Markdown heading, og:title and
    the parts of the page's <title> ("标题_网易新闻"). A candidate shown on the page
    (on one line or across up to three lines, as a title broken by <br>) beats one
    that is not; among those, the longest. Where the page shows only the start of a
    candidate ("标题 东区办事处_中山网"), the line as shown is the title.
    """
    usable = [i for i, g in enumerate(given) if g not in _NOT_TEXT and norm[i]]
    keys = {i: match_key(norm[i]) for i in usable}
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
                return line, f"headline above the main text (line {_ln(first_line, i)})", i
    if best is not None:
        _, source, value, at = best
        where = f"line {_ln(first_line, at)}" if at >= 0 else "not shown on the page"
        return value, f"{source}: {value} ({where})", at
    for i in usable:  # no tag at all: the first heading-like line of the main text
        line = norm[i]
        if given[i] is None and count_cjk(line) <= 60 and not re.search(r"[。；]$", line):
            return line, f"first line of the main text (line {_ln(first_line, i)})", i
    return "", "", -1


def _title_candidates(meta) -> list[tuple[str, str]]:
    out = []
    for key in ("front_matter:title", "markdown_h1", "og:title", "dc.title", "html_title"):
        value = normalise_line(meta.get(key, ""))
        if not value:
            continue
        parts = _segments(value) if key == "html_title" else [value]
        for part in parts:
            out.append((key, _COLUMN_LABEL.sub("", part)))
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
            return i, _COLUMN_LABEL.sub("", norm[i])
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


def _adoption(norm, given, meta, title_at, first_line, considered):
    for i in _windows(norm, title_at, 0, HEADER_LINES):
        if given[i] in _NOT_TEXT:
            continue
        line = norm[i]
        for d in find_dates(line):
            after = line[d.end : d.end + 60]
            inside = re.sub(r"[()（）\s]", "", after)
            if _ADOPTED.search(inside[:50]) or _ADOPTED.search(line[d.end : d.end + 50]):
                return _result(d, "adoption", f"line {_ln(first_line, i)}: {line[:80]}")
            if _PROMULGATED.search(inside[:40]):
                return _result(d, "promulgation", f"line {_ln(first_line, i)}: {line[:80]}")
            considered.add(d.date)
    return None


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
