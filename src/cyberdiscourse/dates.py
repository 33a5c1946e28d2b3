"""Find dates in Chinese and English text, with their precision.

Handles ISO dates (2017-03-01, 2024/01/05), Chinese dates with Arabic or
full-width digits (2017年03月01日; full-width digits become ASCII under NFKC),
Chinese numerals (二○一六年六月二十五日), English dates (June 25, 2016;
25 June 2016) and month precision (2024年1月, January 2024).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ZH_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_NUM = "〇○零一二三四五六七八九十"
_TIME_AFTER = re.compile(r"\s*\d{1,2}:\d{2}")  # used with .match(text, pos)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")),
    ("zh", re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")),
    (
        "zh_numeral",
        re.compile(rf"([{_ZH_NUM}]{{4}})年([{_ZH_NUM}]{{1,2}})月(?:([{_ZH_NUM}]{{1,3}})日)?"),
    ),
    (
        "en_mdy",
        re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
    ),
    (
        "en_dmy",
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I),
    ),
    ("en_my", re.compile(rf"\b({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)),
]


_MAY_HOLD_DATE = re.compile(rf"\d|[{_ZH_NUM}]年")


@dataclass(frozen=True)
class DateMatch:
    """A date found in text."""

    date: str  # ISO: YYYY-MM-DD, YYYY-MM or YYYY
    precision: str  # "day", "month" or "year"
    start: int
    end: int
    raw: str
    has_time: bool  # followed by a clock time: a web page's timestamp, not a document date


def zh_numeral_to_int(text: str) -> int:
    """Convert a Chinese numeral (二十五, 十一, 二○一六 digit by digit) to an int."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[units] if units else 0)
    return int("".join(str(_ZH_DIGITS[ch]) for ch in text))


def make_date(
    year: int, month: int | None = None, day: int | None = None
) -> tuple[str, str] | None:
    """ISO string and precision for a calendar date, or None if impossible."""
    try:
        if day is not None:
            return dt.date(year, month or 0, day).isoformat(), "day"
        if month is not None:
            dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}", "month"
        dt.date(year, 1, 1)
        return f"{year:04d}", "year"
    except ValueError:
        return None


def _fields(kind: str, groups: tuple[str | None, ...]) -> tuple[int, int | None, int | None]:
    if kind in ("iso", "zh"):
        y, m, d = groups
        return int(y), int(m), int(d) if d else None
    if kind == "zh_numeral":
        y, m, d = groups
        return zh_numeral_to_int(y), zh_numeral_to_int(m), zh_numeral_to_int(d) if d else None
    if kind == "en_mdy":
        mon, d, y = groups
        return int(y), _MONTHS[mon.lower()], int(d)
    if kind == "en_dmy":
        d, mon, y = groups
        return int(y), _MONTHS[mon.lower()], int(d)
    mon, y = groups  # en_my
    return int(y), _MONTHS[mon.lower()], None


def find_dates(text: str) -> list[DateMatch]:
    """All valid dates in ``text``, in order of position; overlapping weaker matches dropped."""
    text = unicodedata.normalize("NFKC", text)
    if not _MAY_HOLD_DATE.search(text):  # every pattern needs a digit or a numeral year
        return []
    found: list[DateMatch] = []
    taken = bytearray(len(text))  # characters inside a date already found: linear overall
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            made = make_date(*_fields(kind, m.groups()))
            if made is None:
                continue
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            has_time = bool(_TIME_AFTER.match(text, m.end()))
            found.append(DateMatch(made[0], made[1], m.start(), m.end(), m.group(0), has_time))
    return sorted(found, key=lambda d: d.start)


_METADATA_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_metadata_date(value: str) -> tuple[str, str] | None:
    """Parse a curated date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; None if invalid."""
    m = _METADATA_DATE.match(value.strip())
    if not m:
        return None
    y, mo, d = m.groups()
    return make_date(int(y), int(mo) if mo else None, int(d) if d else None)


def as_dates(dates):
    """ISO dates of any precision (a pandas Series) as timestamps at the start of the
    month or year they name, for plotting on a real time axis; a missing or unreadable
    date is NaT (a plot leaves it out), never a year before the common era."""
    import pandas as pd

    d = dates.fillna("").astype(str).str.strip()
    d = d.where(d.str.match(r"^\d{4}(-\d{2}){0,2}$"), "")
    full = d.where(d.str.len() > 7, d.where(d.str.len() > 4, d + "-01") + "-01")
    return pd.to_datetime(full.where(d != ""), format="%Y-%m-%d", errors="coerce")


# A whole day in a file name: "名称(2023-04-27).md", "2023-01-05_标题.md", "20230105-标题.md".
# A bare year ("规定-2021.md") or a number inside a longer one is never a date.
_NAME_DAY = re.compile(
    r"(?<![0-9A-Za-z])(1[89]\d{2}|20\d{2})(?:-(\d{2})-(\d{2})|(\d{2})(\d{2}))(?![0-9A-Za-z])"
)


def date_in_file_name(name: str) -> DateMatch | None:
    """The day a file's name carries, or None: a full date only, never a year alone."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    for m in _NAME_DAY.finditer(unicodedata.normalize("NFKC", stem)):
        y, mo, d = m.group(1), m.group(2) or m.group(4), m.group(3) or m.group(5)
        made = make_date(int(y), int(mo), int(d))
        if made:
            return DateMatch(made[0], made[1], m.start(), m.end(), m.group(0), False)
    return None
