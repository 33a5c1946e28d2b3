"""Corpus overview: tables (``textstat_*``) and figures (``textplot_*``) for notebook 01."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd

from .dates import as_dates
from .plotting import LANG_COLOURS, PALETTE, new_figure

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


def textplot_timeline(works: pd.DataFrame, ax=None):
    """Works on a real time axis; month-precision dates drawn as a bar across the month.

    Parameters
    ----------
    works
        Output of :func:`textstat_works`.
    """
    if ax is None:
        _, ax = new_figure("two_column")
    w = works[works["date"].fillna("") != ""].sort_values("date")
    starts = as_dates(w["date"])
    labels = [
        f" {g}\n {d}" + ("" if p == "day" else f" ({p} only)")
        for g, d, p in zip(w["genre"], w["date"], w["date_precision"])
    ]
    pad = pd.Timedelta(days=200)
    lo, hi = starts.min() - pad, starts.max() + pad * 3
    days_per_inch = (hi - lo).days / (ax.figure.get_figwidth() * 0.95)
    fontsize = 7
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
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_title("Works in the corpus by date (dot: exact day; bar: month only)")
    return ax


def textplot_composition(works: pd.DataFrame, ax=None):
    """Characters of clean text per work and language, as horizontal stacked bars."""
    if ax is None:
        _, ax = new_figure("two_column")
    w = works.iloc[::-1]
    ax.barh(w["label"], w["n_chars_zh"], color=LANG_COLOURS["zh"], label="Chinese (zh)")
    ax.barh(
        w["label"],
        w["n_chars_en"],
        left=w["n_chars_zh"],
        color=LANG_COLOURS["en"],
        label="English (en)",
    )
    for y, (zh, en) in enumerate(zip(w["n_chars_zh"], w["n_chars_en"])):
        ax.text(zh + en, y, f" {zh:,} / {en:,}", va="center", fontsize=6.5)
    ax.set_xlabel("characters of clean paragraph text (zh / en)")
    ax.set_xlim(0, (w["n_chars_zh"] + w["n_chars_en"]).max() * 1.25)
    ax.legend(loc="lower right", frameon=False)
    ax.set_title("Corpus composition: clean text per work and language")
    return ax


def textplot_ledger(ledger: pd.DataFrame, ax=None):
    """Discarded raw lines by reason (output of :func:`textstat_ledger`)."""
    if ax is None:
        _, ax = new_figure("two_column")
    led = ledger.sort_values("lines")
    labels = [LEDGER_REASONS.get(r, r) for r in led["reason"]]
    ax.barh(labels, led["lines"], color=PALETTE[5])
    for y, n in enumerate(led["lines"]):
        ax.text(n, y, f" {n}", va="center", fontsize=6.5)
    ax.set_xlabel("raw lines")
    ax.set_xlim(0, led["lines"].max() * 1.15)
    ax.set_title("Why raw lines were not used as text (the discard ledger)")
    return ax
