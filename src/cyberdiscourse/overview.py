"""Corpus overview: tables (``textstat_*``) and figures (``textplot_*``) for notebook 01."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from .dates import TIME_UNITS, as_dates, period_of, time_unit_for
from .plotting import (
    LANG_COLOURS,
    PALETTE,
    Caption,
    date_axis,
    new_figure,
    set_caption,
    set_title,
    wrap,
)

MAX_GROUPS = 30  # rows a figure or table shows before works are grouped

LEDGER_REASONS = {
    "page_footer": "page footer (after 相关新闻/Related)",
    "site_furniture": "site furniture (footers, ICP, widgets)",
    "navigation": "navigation menus",
    "table_of_contents": "table of contents",
    "page_header": "page header above the title",
    "binary_garbage": "decoded binary garbage",
    "blank": "blank lines",
    "excluded_work": "excluded works (on purpose)",
    "title": "title lines (title kept in metadata)",
    "watermark": "repeated watermark",
    "byline": "bylines, signatures, title blocks",
    "paywall": "paywall notice and after",
    "duplicate": "duplicate of another copy",
    "duplicate_line": "repeated line within a capture",
    "truncation_marker": "truncation marker (……)",
    "news_lead": "news agency dateline",
    "unassigned": "outside every capture span",
    "not_main_text": "outside the main text (extractors)",
    "front_matter": "front matter of a saved page",
    "image": "image-only lines",
    "link_only": "link-only lines",
    "markup": "markup (comments, table rules)",
}


def work_label(date: str, genre: str) -> str:
    """A short label for a work in figures: ``2017-03 strategy``."""
    return f"{date[:7] or 'undated'} {genre}".strip()


def textstat_works(works: pd.DataFrame) -> pd.DataFrame:
    """The included works, oldest first, with a short label and character counts."""
    cols = [
        "label",
        "work_id",
        "title_zh",
        "title_en",
        "date",
        "date_precision",
        "date_source",
        "issuer",
        "genre",
        "n_copies",
        "n_paragraphs_zh",
        "n_paragraphs_en",
        "n_chars_zh",
        "n_chars_en",
    ]
    inc = works[works["include"]].copy()
    inc["label"] = [work_label(d, g) for d, g in zip(inc["date"], inc["genre"])]
    return inc.sort_values(["date", "work_id"])[cols].reset_index(drop=True)


def textstat_excluded(works: pd.DataFrame) -> pd.DataFrame:
    """The works excluded on purpose, with their reasons."""
    return works[~works["include"]][["work_id", "title_zh", "genre", "exclude_reason"]].reset_index(
        drop=True
    )


def textstat_ledger(discarded: pd.DataFrame, raw_lines: int) -> pd.DataFrame:
    """Discarded raw lines by reason, with their share of all raw lines."""
    full = discarded[~discarded["partial"]]
    counts = full["reason"].value_counts().rename_axis("reason").reset_index(name="lines")
    counts["share_of_raw_lines"] = (counts["lines"] / raw_lines).round(4)
    counts["meaning"] = counts["reason"].map(LEDGER_REASONS).fillna("")
    return counts


def textstat_ledger_examples(discarded: pd.DataFrame, *, per_reason: int = 2) -> pd.DataFrame:
    """A few discarded lines for each reason, to check the rules by eye."""
    full = discarded[~discarded["partial"] & (discarded["text"].str.len() > 0)]
    ex = full.groupby("reason", sort=True).head(per_reason)
    return (
        ex[["reason", "source_file", "line_no", "text"]]
        .assign(text=lambda d: d["text"].str.slice(0, 80))
        .reset_index(drop=True)
    )


def _label_levels(x_days: list[float], widths: list[float], *, step: float = 0.8) -> list[float]:
    """Heights for timeline labels, placed right to left: a label sits above every stem
    that its text spans, so no stem crosses a label."""
    levels = [0.0] * len(x_days)
    for i in range(len(x_days) - 1, -1, -1):
        spanned = [
            levels[j] for j in range(i + 1, len(x_days)) if x_days[j] <= x_days[i] + widths[i]
        ]
        levels[i] = max(spanned, default=1.0 - step) + step
    return levels


def grouping_for(works: pd.DataFrame, *, max_groups: int = MAX_GROUPS) -> str:
    """How to show ``works`` readably: ``"work_id"`` while there are at most
    ``max_groups`` works; else by time: for works within a few years (a crawler's month)
    the finest of ``"day"``, ``"week"``, ``"month"`` that gives at most ``max_groups``
    periods; else ``"year"`` while there are at most that many years, else
    ``"five_years"`` (five-year periods)."""
    if len(works) <= max_groups:
        return "work_id"
    dates = works["date"].fillna("")
    finest = time_unit_for(dates)
    if finest != "year":
        for unit in TIME_UNITS[TIME_UNITS.index(finest) :: -1]:  # fine to coarse
            periods = period_of(dates, unit)
            if periods[periods != ""].nunique() <= max_groups:
                return unit
    years = dates.str.slice(0, 4)
    return "year" if years[years != ""].nunique() <= max_groups else "five_years"


def group_of(works: pd.DataFrame, grouping: str) -> pd.Series:
    """Each work's group label under ``grouping`` (``work_id``, a unit of time such as
    ``year`` or ``week``, ``five_years``, or any column such as ``genre`` or ``issuer``);
    undated works (and, by day, week or month, works dated too coarsely) are
    ``"undated"``."""
    if grouping == "work_id":
        return pd.Series(
            [work_label(d, g) for d, g in zip(works["date"], works["genre"])], index=works.index
        )
    if grouping in TIME_UNITS:
        periods = period_of(works["date"], grouping)
        periods.index = works.index
        if grouping == "week":  # a week is named by its Monday, which alone reads as a day
            periods = periods.where(periods == "", "week of " + periods)
        return periods.where(periods != "", "undated")
    years = works["date"].fillna("").str.slice(0, 4)
    if grouping == "five_years":
        start = pd.to_numeric(years, errors="coerce") // 5 * 5
        return start.map(lambda y: "undated" if pd.isna(y) else f"{int(y)}–{int(y) + 4}")
    return works[grouping].fillna("").replace("", "unknown").astype(str)


def split_dated(works: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The works an analysis over time can place (a date of at least a year) and the
    ones it leaves out, with why, for the report to say how many and which."""
    years = pd.to_numeric(works["date"].fillna("").str.slice(0, 4), errors="coerce")
    dated = years.notna()
    left_out = works.loc[~dated, ["work_id", "title_zh", "title_en"]].assign(
        reason="no date in the text, its file name or works.csv"
    )
    return works[dated], left_out.reset_index(drop=True)


def undated_note(left_out: pd.DataFrame, what: str) -> str:
    """One sentence: how many works ``what`` leaves out for want of a date (or none)."""
    if left_out.empty:
        return f"Every work has a date: {what} uses all of them."
    names = ", ".join(left_out["work_id"].head(5)) + (" …" if len(left_out) > 5 else "")
    return (
        f"{len(left_out):,} work(s) have no date and are left out of {what} ({names}); "
        "the table of them is written beside the figures. Every analysis that needs no "
        "date uses them."
    )


def period_boundary_of(works: pd.DataFrame) -> int | str | None:
    """The default boundary between an earlier and a later period, so each holds about
    half the dated works: the median year (the lower one of an even count), or, when the
    works lie within two years (a crawler's month), the median day (``"2023-01-16"``).
    None when there is nothing to split (one day, or no dates)."""
    dated, _ = split_dated(works)
    if time_unit_for(dated["date"]) == "year":
        years = pd.to_numeric(dated["date"].str.slice(0, 4), errors="coerce").astype(int)
        return _lower_median_above_first(years.tolist())
    return _lower_median_above_first([d for d in dated["date"] if len(d) >= 10])


def _lower_median_above_first(values: list):
    """The lower median of ``values``, or the next value above the first when the median
    is the first (a boundary must leave values on both sides); None for one distinct value."""
    values = sorted(values)
    if len(set(values)) < 2:
        return None
    median = values[(len(values) - 1) // 2]
    return median if median > values[0] else min(v for v in values if v > values[0])


def spread_note(works: pd.DataFrame, paragraphs_per_work: pd.Series, *, top: int = 2) -> str:
    """How the paragraphs are spread over the works, in one sentence: a topic model of
    a corpus where a few works hold most paragraphs describes those works."""
    counts = paragraphs_per_work.sort_values(ascending=False)
    if counts.empty:
        return "No paragraphs."
    labels = works.set_index("work_id").reindex(counts.index[:top])
    names = [
        f"{(t or w)[:30]} ({d or 'undated'})"
        for w, t, d in zip(labels.index, labels["title_zh"].fillna(""), labels["date"].fillna(""))
    ]
    share = counts.iloc[:top].sum() / counts.sum()
    return (
        f"{counts.sum():,} paragraphs from {len(counts):,} works; the {min(top, len(counts))} "
        f"largest ({'; '.join(names)}) hold {share:.0%} of them."
    )


def textstat_composition(works: pd.DataFrame, *, grouping: str | None = None) -> pd.DataFrame:
    """Clean text per group and language: works, Chinese (Han) characters and English
    characters, oldest group first. ``grouping=None`` chooses with :func:`grouping_for`.

    Parameters
    ----------
    works
        Output of :func:`textstat_works` (the included works).
    """
    grouping = grouping or grouping_for(works)
    w = works.sort_values("date").assign(group=group_of(works, grouping))
    out = (
        w.groupby("group", sort=False)
        .agg(
            n_works=("work_id", "size"),
            first_date=("date", "min"),
            n_chars_zh=("n_chars_zh", "sum"),
            n_chars_en=("n_chars_en", "sum"),
        )
        .reset_index()
    )
    return out.assign(grouping=grouping)


def textstat_dates(works: pd.DataFrame) -> pd.DataFrame:
    """Works per year and date precision (the timeline of a corpus too large to label)."""
    years = works["date"].fillna("").str.slice(0, 4)
    dated = works.assign(year=years)[years != ""]
    return dated.groupby(["year", "date_precision"]).size().rename("n_works").reset_index()


def textplot_timeline(works: pd.DataFrame, *, ax=None, max_labels: int = MAX_GROUPS):
    """Works on a real time axis: each work labelled while there are at most
    ``max_labels``, else works per year stacked by date precision.

    Parameters
    ----------
    works
        Output of :func:`textstat_works`.
    """
    if ax is None:
        _, ax = new_figure("two_column")
    dated = works[works["date"].fillna("") != ""]
    notes = (
        [f"{len(works) - len(dated)} undated works not shown"] if len(works) > len(dated) else []
    )
    many = len(dated) > max_labels
    days = pd.Series(as_dates(dated["date"]), index=dated.index) if many else None
    span = _short_span(days) if many else None
    if span is not None:  # a crawl of weeks: works per day, not one bar for the year
        bar = _timeline_by_day(days, span, ax)
        outside = int((~days.between(*span)).sum())
        if outside:
            notes.append(f"{outside} works dated outside {span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}")
        encodings = {"bar": f"works per {bar}"}
    elif many:
        _timeline_by_year(textstat_dates(dated), ax)
        encodings = {"bar": "works per year, stacked by how precisely the date is known"}
    else:
        _timeline_of_works(dated, ax)
        encodings = {"dot": "date known to the day", "bar": "date known to the month only"}
    set_caption(
        ax,
        Caption(
            "Works in the corpus by date of issue",
            "works",
            len(dated),
            encodings=encodings,
            note="; ".join(notes),
        ),
    )
    return ax


SHORT_SPAN_DAYS = 400  # dated works (all but the outermost 1% each side) within this: by day


def _short_span(days: pd.Series):
    """``(first, last)`` day of the bulk of the dates when they lie within about a year
    (a crawler's month), else None."""
    days = days.dropna()
    if days.empty:
        return None
    first, last = days.quantile(0.01), days.quantile(0.99)
    return (first.normalize(), last.normalize()) if (last - first).days <= SHORT_SPAN_DAYS else None


def _timeline_by_day(days: pd.Series, span, ax) -> str:
    days = days[days.between(*span)].dt.normalize()
    unit = "day" if (span[1] - span[0]).days <= 120 else "week"
    if unit == "week":
        days = days.dt.to_period("W").dt.start_time
    counts = days.value_counts().sort_index()
    ax.bar(counts.index, counts.to_numpy(), width=0.8 if unit == "day" else 5.6, color=PALETTE[0])
    date_axis(ax, minticks=4, maxticks=10)
    ax.set_ylabel(f"works per {unit}")
    set_title(ax, f"Works in the corpus by {unit} of issue ({len(days):,} dated works)")
    return unit


def _timeline_by_year(per_year: pd.DataFrame, ax) -> None:
    grid = per_year.pivot_table(
        index="year", columns="date_precision", values="n_works", fill_value=0
    )
    years = grid.index.astype(int)
    bottom = np.zeros(len(grid))
    for i, prec in enumerate(c for c in ("day", "month", "year") if c in grid):
        ax.bar(years, grid[prec], bottom=bottom, color=PALETTE[i], width=0.8, label=f"{prec}")
        bottom += grid[prec].to_numpy()
    ax.set_ylabel("works")
    ax.legend(title="date known to the", frameon=False)
    set_title(ax, f"Works in the corpus by year of issue ({int(bottom.sum()):,} dated works)")


def _timeline_of_works(w: pd.DataFrame, ax) -> None:
    w = w.sort_values("date")
    starts = as_dates(w["date"])
    labels = [
        f" {g}\n {d}" + ("" if p == "day" else f" ({p} only)")
        for g, d, p in zip(w["genre"], w["date"], w["date_precision"])
    ]
    pad = pd.Timedelta(days=200)
    lo, hi = starts.min() - pad, starts.max() + pad * 3
    days_per_inch = (hi - lo).days / (ax.figure.get_figwidth() * 0.95)
    fontsize = 6.5
    widths = [
        max(map(len, lab.split("\n"))) * 0.55 * fontsize / 72 * days_per_inch for lab in labels
    ]
    x_days = [(s - lo).days for s in starts]
    levels = _label_levels(x_days, widths)
    for start, prec, label, level in zip(starts, w["date_precision"], labels, levels):
        ax.vlines(start, 0, level, color="0.6", lw=0.6)
        if prec == "day":
            ax.plot(start, 0, "o", color=PALETTE[0], ms=5)
        else:
            offset = pd.offsets.MonthEnd(0) if prec == "month" else pd.offsets.YearEnd(0)
            ax.plot([start, start + offset], [0, 0], color=PALETTE[3], lw=6, solid_capstyle="butt")
        ax.text(start, level, label, va="bottom", ha="left", fontsize=fontsize)
    ax.set_ylim(-0.4, max(levels) + 0.9)
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.axhline(0, color="0.2", lw=0.8)
    ax.set_xlim(lo, hi)
    date_axis(ax, maxticks=10)
    set_title(ax, "Works in the corpus by date (dot: exact day; bar: month only)")


def textplot_composition(composition: pd.DataFrame, *, ax=None):
    """Clean text per group, Chinese and English in two panels with their own units
    (Han characters are not comparable with English letters).

    Parameters
    ----------
    composition
        Output of :func:`textstat_composition`.
    ax
        Two Axes side by side (default: a new figure).

    Returns
    -------
    numpy.ndarray of the two Axes.
    """
    import numpy as np

    if ax is None:
        height = min(8.0, 1.0 + 0.16 * len(composition))
        _, ax = new_figure("two_column", height=max(2.4, height), ncols=2, sharey=True)
    axes = np.asarray(ax)
    c = composition.iloc[::-1]
    names = c["group"].astype(str).tolist()
    for a, lang, unit in zip(
        axes,
        ("zh", "en"),
        ("Chinese characters", "English characters"),
    ):
        values = c[f"n_chars_{lang}"].to_numpy()
        a.barh(names, values, color=LANG_COLOURS[lang])
        for y, n in enumerate(values):
            a.text(n, y, f" {n:,}", va="center", fontsize=6)
        a.set_xlabel(unit)
        if not values.any():
            a.text(
                0.5,
                0.5,
                f"no {unit.split()[0]} text",
                ha="center",
                va="center",
                transform=a.transAxes,
            )
            a.set_xticks([])
            continue
        a.set_xlim(0, values.max() * 1.3)
        a.xaxis.set_major_locator(MaxNLocator(4))
        a.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        a.tick_params(axis="x", labelrotation=30)
    grouping = composition["grouping"].iloc[0] if len(composition) else "work_id"
    by = {"work_id": "work", "year": "year", "five_years": "five-year period"}.get(
        grouping, grouping
    )
    axes[0].figure.suptitle(
        wrap(
            f"Clean paragraph text per {by} and language", axes[0].figure.get_figwidth(), fontsize=8
        )
    )
    set_caption(
        axes,
        Caption(
            f"Clean paragraph text per {by}, Chinese and English counted apart",
            "characters of clean paragraph text, punctuation and spaces included; a Chinese "
            "and an English character are different units, so each panel has its own scale",
            int(composition["n_works"].sum()),
            encodings={"bar length": "characters of clean text"},
        ),
    )
    return axes


def textplot_ledger(ledger: pd.DataFrame, *, ax=None):
    """Discarded raw lines by reason (output of :func:`textstat_ledger`)."""
    if ax is None:
        _, ax = new_figure("two_column", height=max(2.4, 0.6 + 0.17 * len(ledger)))
    blank = int(ledger.loc[ledger["reason"] == "blank", "lines"].sum())
    # Blank lines outnumber every reason that needs reading (157,000 in a folder of
    # laws): counted in the caption, not drawn on the same scale.
    led = ledger[ledger["reason"] != "blank"].sort_values("lines")
    if led.empty:
        ax.text(
            0.5,
            0.5,
            "Every raw line became text: none was discarded",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
    labels = [LEDGER_REASONS.get(r, r) for r in led["reason"]]
    ax.barh(labels, led["lines"], color=PALETTE[5])
    for y, n in enumerate(led["lines"]):
        ax.text(n, y, f" {n:,}", va="center", fontsize=6.5)
    ax.set_xlabel("raw lines")
    ax.set_xlim(0, max(led["lines"].max() if len(led) else 0, 1) * 1.2)
    set_title(ax, "Why raw lines were not used as text (the discard ledger)")
    set_caption(
        ax,
        Caption(
            "Raw lines of the captures that were not used as text, by the rule that removed them",
            "raw lines",
            note="every raw line is either in a paragraph or in this ledger"
            + (f"; {blank:,} blank lines not drawn" if blank else ""),
        ),
    )
    return ax
