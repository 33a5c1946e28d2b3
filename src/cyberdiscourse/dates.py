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


_ISO_DATE = r"^\d{4}(-\d{2}){0,2}$"  # a curated date of any precision: 2023, 2023-01, 2023-01-05


def as_dates(dates):
    """ISO dates of any precision (a pandas Series) as timestamps at the start of the
    month or year they name, for plotting on a real time axis; a missing or unreadable
    date is NaT (a plot leaves it out), never a year before the common era."""
    import pandas as pd

    d = dates.fillna("").astype(str).str.strip()
    d = d.where(d.str.match(_ISO_DATE), "")
    full = d.where(d.str.len() > 7, d.where(d.str.len() > 4, d + "-01") + "-01")
    return pd.to_datetime(full.where(d != ""), format="%Y-%m-%d", errors="coerce")


# The units of a time axis, coarse to fine, and the spans (days between the 1st and
# 99th percentile of the dates) above which each coarser one is used instead.
TIME_UNITS = ("year", "month", "week", "day")
_UNIT_SPANS = {"year": 3 * 365, "month": 183, "week": 62}
_PRECISE = 0.9  # share of the dates that must be precise enough for a finer unit


def time_unit_for(dates) -> str:
    """The unit a time axis of these ISO dates reads best in: ``"year"`` over more than
    about three years, ``"month"`` over more than six months, ``"week"`` over more than
    two months, else ``"day"`` (a crawler's month). The span is that of the bulk of the
    dates (1st to 99th percentile), so one stray date does not decide; a finer unit is
    used only when at least 90% of the dates are that precise (``2023`` cannot be put
    in a month)."""
    import pandas as pd

    d = pd.Series(dates).fillna("").astype(str)
    d = d[d.str.match(_ISO_DATE)]
    when = as_dates(d).dropna()
    if when.empty:
        return "year"
    span = (when.quantile(0.99) - when.quantile(0.01)).days
    by_month, by_day = (d.str.len() >= 7).mean(), (d.str.len() >= 10).mean()
    for unit, longest in _UNIT_SPANS.items():
        if span > longest:
            return unit
        if (by_month if unit == "year" else by_day) < _PRECISE:
            return unit
    return "day"


def period_of(dates, unit: str):
    """Each ISO date's period in ``unit``: ``2023``, ``2023-01``, the Monday of its week
    (``2023-01-02``) or the day itself; ``""`` for a date missing or too coarse for the
    unit (a bare year has no month)."""
    import pandas as pd

    if unit not in TIME_UNITS:
        raise ValueError(f"unit must be one of {TIME_UNITS}, not {unit!r}")
    d = pd.Series(dates).fillna("").astype(str)
    d = d.where(d.str.match(_ISO_DATE), "")
    if unit == "year":
        return d.str.slice(0, 4)
    if unit == "month":
        return d.str.slice(0, 7).where(d.str.len() >= 7, "")
    day = d.where(d.str.len() >= 10, "")
    if unit == "day":
        return day
    when = pd.to_datetime(day.where(day != ""), format="%Y-%m-%d", errors="coerce")
    monday = when - pd.to_timedelta(when.dt.day_of_week, unit="D")
    return monday.dt.strftime("%Y-%m-%d").fillna("")


def period_middle(periods, unit: str):
    """Timestamps at the middle of :func:`period_of`'s periods, for a real time axis:
    1 July of a year, the 15th of a month, the Thursday of a week, the day."""
    import pandas as pd

    p = pd.Series(periods).fillna("").astype(str)
    start = as_dates(p)
    half = {"year": {"months": 6}, "month": {"days": 14}, "week": {"days": 3}}.get(unit)
    return start + pd.DateOffset(**half) if half else start


def unit_of(table) -> str:
    """The unit a ``textstat_*`` table is by: ``work_id`` or one of :data:`TIME_UNITS`
    (the column it has)."""
    return next((c for c in ("work_id", *TIME_UNITS) if c in table), "year")


def time_axis(table):
    """Where each row of a table by work or by period sits on a real time axis: the work's
    date, or the middle of the period."""
    unit = unit_of(table)
    if unit == "work_id":
        return as_dates(table["date"])
    return period_middle(table[unit].astype(str), unit)


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
