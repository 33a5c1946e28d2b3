"""Exploring any term, as in a reading tool: a timeline with intervals, KWIC lines, first use.

Three layers:

- tables: :func:`textstat_terms` (each term's count, rate and interval per work, the
  intervals of the concept timeline), :func:`kwic_lines` (sorted KWIC lines);
- :class:`Explorer`, an ipywidgets view for JupyterLab: it updates on Enter or a
  selection, never on each keystroke; English finds concepts through the lexicon's
  renderings in any case; several terms separated by commas share one timeline;
  KWIC lines show "n of N", page, sort by left or right context, narrow to one work and
  download as CSV;
- :func:`static_explorer`, the same for every lexicon concept as plain HTML (inline
  images, no script, no kernel), for the rendered report.
"""

from __future__ import annotations

import base64
import html
import io
import re

import numpy as np
import pandas as pd

from . import concepts as cc
from .dates import as_dates, time_axis, unit_of
from .lexicon import Lexicon, english_label
from .matching import Matcher
from .normalise import count_cjk, text_size

PAGE = 10  # KWIC lines per page
SORTS = ("date", "left", "right")


def split_terms(query: str) -> list[str]:
    """The terms of a query: separated by commas (ASCII or Chinese) or semicolons."""
    return [t.strip() for t in re.split(r"[,，;；、]", query) if t.strip()]


def _language(term: str, lexicon: Lexicon) -> str:
    return "zh" if cc.resolve_concept(term, lexicon) or count_cjk(term) else "en"


def textstat_terms(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    terms: list[str],
    lexicon: Lexicon,
    *,
    n_boot: int = 500,
    random_state: int = 0,
) -> pd.DataFrame:
    """Count, rate and 95% interval of each term in each included work.

    A term that names a concept (id, label, Chinese form or English rendering, any
    case) is counted as the concept (its forms, children and wording rules) in the
    Chinese text; any other term literally, case-insensitive, in its language. The
    rate is per 10,000 characters of that language (Han characters for Chinese);
    the interval is the one of the concept timeline (the wider of the exact Poisson
    and a bootstrap over the work's paragraphs).

    Returns ``term, concept_id, lang, work_id, date, count, n_chars, per_10k_chars,
    ci_low, ci_high``.
    """
    inc = works[works["include"]].sort_values("date")
    rows = []
    for term in terms:
        concept = cc.resolve_concept(term, lexicon)
        lang = _language(term, lexicon)
        searched = paragraphs[
            (paragraphs["lang"] == lang) & paragraphs["work_id"].isin(inc["work_id"])
        ]
        hits = cc.term_hits(searched, term, lexicon)
        per_para = hits.groupby("para_id").size().reindex(searched["para_id"], fill_value=0)
        sizes = searched["text"].map(lambda t, lang=lang: text_size(t, lang)).to_numpy()
        counts = per_para.to_numpy()[:, None]
        positions = pd.Series(np.arange(len(searched))).groupby(searched["work_id"].to_numpy())
        index = positions.indices
        for w, d in zip(inc["work_id"], inc["date"]):
            at = index.get(w, np.array([], dtype=int))
            c, n = counts[at], sizes[at]
            total = c.sum(axis=0)
            method = "both" if n_boot and len(at) else "poisson"
            low, high = cc._interval(
                c, total, n, method, n_boot=n_boot, ci=0.95, rng=cc.unit_rng(random_state, w)
            )
            rows.append(
                (term, concept or "", lang, w, d, int(total[0]), int(n.sum()), low[0], high[0])
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "term",
            "concept_id",
            "lang",
            "work_id",
            "date",
            "count",
            "n_chars",
            "ci_low",
            "ci_high",
        ],
    )
    out.insert(7, "per_10k_chars", out["count"] / out["n_chars"].where(out["n_chars"] > 0) * 1e4)
    # A work with no text in the term's language says nothing about the term.
    out = out[out["n_chars"] > 0].reset_index(drop=True)
    out.attrs["n_documents"] = int(out["work_id"].nunique())
    return out


def term_by_work(
    paragraphs: pd.DataFrame, works: pd.DataFrame, term: str, lexicon: Lexicon
) -> pd.DataFrame:
    """Count and rate per 10,000 characters of one term in each included work
    (:func:`textstat_terms` without the interval)."""
    t = textstat_terms(paragraphs, works, [term], lexicon, n_boot=0)
    return t[["work_id", "date", "count", "per_10k_chars"]].reset_index(drop=True)


def kwic_lines(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    terms: list[str],
    lexicon: Lexicon,
    *,
    sort: str = "date",
) -> pd.DataFrame:
    """KWIC lines of every term, sorted by ``date`` (then position), by ``left`` context
    (read from the keyword leftwards, as concordancers sort) or by ``right`` context."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
    parts = []
    for term in terms:
        lang = _language(term, lexicon)
        lines = cc.kwic(paragraphs[paragraphs["lang"] == lang], works, term, lexicon)
        parts.append(lines.assign(term=term))
    lines = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if lines.empty:
        return lines
    key = {"date": ["date", "work_id", "para_id"], "left": ["_left"], "right": ["right"]}[sort]
    lines = lines.assign(_left=lines["left"].str[::-1])
    return lines.sort_values(key, kind="stable").drop(columns="_left").reset_index(drop=True)


def textplot_terms(table: pd.DataFrame, *, ax=None, sharey: bool = True):
    """Several terms on one timeline: each work a point with its 95% interval, one colour
    and marker per term. Returns the Axes."""

    from .plotting import LINE_PALETTE, MARKERS, Caption, date_axis, gloss, new_figure, set_caption

    if ax is None:
        _, ax = new_figure("two_column", height=2.8)
    terms = list(dict.fromkeys(table["term"]))
    shift = pd.Timedelta(days=12)  # side by side, so intervals of one work do not overlap
    for i, term in enumerate(terms):
        sub = table[table["term"] == term]
        x = as_dates(sub["date"]) + shift * (i - (len(terms) - 1) / 2)
        colour = LINE_PALETTE[i % len(LINE_PALETTE)]
        ax.vlines(x, sub["ci_low"], sub["ci_high"], color=colour, alpha=0.45, lw=1)
        ax.plot(
            x,
            sub["per_10k_chars"],
            MARKERS[i % len(MARKERS)],
            color=colour,
            ms=4,
            label=f"{gloss(term)}: {int(sub['count'].sum())}",
        )
    ax.set_ylim(bottom=0)
    ax.set_ylabel("per 10,000 characters (95% interval)")
    date_axis(ax, maxticks=8)
    ax.legend(frameon=False, title="term: mentions")
    set_caption(
        ax,
        Caption(
            "Mentions of each term per work",
            "per 10,000 characters of the work's text in the term's language",
            table.attrs.get("n_documents"),
            interval=cc.INTERVAL_NOTE,
            encodings={"colour and marker": "term", "vertical line": "interval"},
        ),
    )
    return ax


def _summary(table: pd.DataFrame, lexicon: Lexicon) -> str:
    parts = []
    for term, sub in table.groupby("term", sort=False):
        cid = sub["concept_id"].iloc[0]
        what = f"concept {cid}" if cid else f"literal text ({sub['lang'].iloc[0]})"
        parts.append(
            f"<b>{html.escape(term)}</b> ({html.escape(what)}): {int(sub['count'].sum())} "
            f"mentions in {int((sub['count'] > 0).sum())} of the {len(sub)} works with "
            f"{'Chinese' if sub['lang'].iloc[0] == 'zh' else 'English'} text"
        )
    return "; ".join(parts)


def kwic_html(lines: pd.DataFrame, *, start: int = 0, n: int = PAGE) -> str:
    """An HTML table of KWIC lines ``start`` to ``start + n`` with the count "n of N"."""
    if lines.empty:
        return "<p>No KWIC lines.</p>"
    page = lines.iloc[start : start + n]
    cells = "".join(
        "<tr><td>{}</td><td>{}</td><td style='text-align:right'>{}</td><td><b>{}</b></td>"
        "<td>{}</td><td><code>{}</code></td></tr>".format(
            *(html.escape(str(v)) for v in (r.date, r.work_id, r.left, r.match, r.right, r.source))
        )
        for r in page.itertuples()
    )
    head = f"<p class='cd-kwic-count'>lines {start + 1}–{start + len(page)} of {len(lines)}</p>"
    return (
        head + "<table class='cd-kwic'><thead><tr><th>date</th><th>work</th><th>left</th>"
        f"<th>match</th><th>right</th><th>source</th></tr></thead><tbody>{cells}</tbody></table>"
    )


def _csv_link(lines: pd.DataFrame, name: str = "kwic.csv") -> str:
    data = base64.b64encode(lines.to_csv(index=False).encode("utf-8-sig")).decode()
    return (
        f"<a download='{name}' href='data:text/csv;base64,{data}'>download all "
        f"{len(lines)} lines as CSV</a>"
    )


def _figure_png(ax) -> str:
    import matplotlib.pyplot as plt

    from .plotting import figure_of

    fig = figure_of(ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def completions(lexicon: Lexicon, tokens: pd.DataFrame | None = None, *, n: int = 300) -> list[str]:
    """What the explorer's box offers: concept ids, English labels, Chinese forms and
    the ``n`` most frequent tokens."""
    options = []
    for c in lexicon.concepts:
        options += [c.concept_id, english_label(c.label), *c.zh_forms]
    if tokens is not None and len(tokens):
        from .frequency import textstat_frequency

        options += textstat_frequency(tokens, n=n)["term"].tolist()
    return list(dict.fromkeys(o for o in options if o))


class Explorer:
    """The interactive explorer (ipywidgets; works offline in JupyterLab).

    Type one or more terms (commas between them) and press Enter, or pick from the
    list: the timeline of every term with intervals, the first use and the KWIC lines
    appear. The view is drawn from the widgets' events, never while the cell runs, so
    headless execution has no widget output to wait for.
    """

    def __init__(
        self,
        paragraphs: pd.DataFrame,
        works: pd.DataFrame,
        lexicon: Lexicon,
        *,
        tokens: pd.DataFrame | None = None,
        n_boot: int = 200,
    ) -> None:
        import ipywidgets as widgets

        self.paragraphs, self.works, self.lexicon, self.n_boot = paragraphs, works, lexicon, n_boot
        self.lines = pd.DataFrame()
        self.start = 0
        self.box = widgets.Combobox(
            options=completions(lexicon, tokens),
            placeholder="网络主权, cyber sovereignty, 数据安全 … then Enter",
            description="Terms:",
            ensure_option=False,
            continuous_update=False,  # Enter or a pick, not each keystroke
            layout=widgets.Layout(width="32em"),
        )
        self.sort = widgets.Dropdown(options=list(SORTS), value="date", description="Sort:")
        self.work = widgets.Dropdown(options=[("all works", "")], value="", description="Work:")
        self.previous = widgets.Button(description="◀ previous", disabled=True)
        self.next = widgets.Button(description="next ▶", disabled=True)
        self.message = widgets.HTML()
        self.chart = widgets.Output()
        self.table = widgets.HTML()
        self.download = widgets.HTML()
        self.box.observe(lambda _: self.search(), names="value")
        self.sort.observe(lambda _: self._relist(), names="value")
        self.work.observe(lambda _: self._relist(), names="value")
        self.previous.on_click(lambda _: self._page(-PAGE))
        self.next.on_click(lambda _: self._page(PAGE))
        self.widget = widgets.VBox(
            [
                self.box,
                self.message,
                self.chart,
                widgets.HBox([self.sort, self.work]),
                widgets.HBox([self.previous, self.next, self.download]),
                self.table,
            ]
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def search(self, query: str | None = None) -> None:
        """Show ``query`` (default: the box's text)."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        query = self.box.value if query is None else query
        terms = split_terms(query)
        self.chart.clear_output()
        self.lines = pd.DataFrame()
        if not terms:
            self.message.value = ""
            self._relist()
            return
        table = textstat_terms(self.paragraphs, self.works, terms, self.lexicon, n_boot=self.n_boot)
        found = table.groupby("term", sort=False)["count"].sum()
        missing = [t for t in terms if found.get(t, 0) == 0]
        note = (
            f"<p style='color:#D55E00'>No match for {', '.join(map(html.escape, missing))}: "
            "check the spelling, or try a Chinese form or a concept id.</p>"
            if missing
            else ""
        )
        self.message.value = _summary(table, self.lexicon) + note
        shown = table[~table["term"].isin(missing)]
        if len(shown):
            with self.chart:
                ax = textplot_terms(shown)
                display(ax.figure)
                plt.close(ax.figure)
            self.lines = kwic_lines(
                self.paragraphs,
                self.works,
                list(shown["term"].unique()),
                self.lexicon,
                sort=self.sort.value,
            )
        self._relist()

    def _relist(self) -> None:
        if len(self.lines) and self.sort.value:
            self.lines = kwic_lines(
                self.paragraphs,
                self.works,
                list(self.lines["term"].unique()),
                self.lexicon,
                sort=self.sort.value,
            )
        counts = self.lines["work_id"].value_counts() if len(self.lines) else pd.Series()
        options = [("all works", "")] + [(f"{w} ({n})", w) for w, n in counts.items()]
        if [v for _, v in self.work.options] != [v for _, v in options]:
            keep = self.work.value if self.work.value in counts else ""
            self.work.options = options
            self.work.value = keep
        self.start = 0
        self._show()

    def _selected(self) -> pd.DataFrame:
        if self.lines.empty or not self.work.value:
            return self.lines
        return self.lines[self.lines["work_id"] == self.work.value]

    def _page(self, step: int) -> None:
        self.start = max(0, min(self.start + step, len(self._selected()) - 1))
        self._show()

    def _show(self) -> None:
        lines = self._selected()
        self.table.value = kwic_html(lines, start=self.start) if len(lines) else ""
        self.download.value = _csv_link(lines) if len(lines) else ""
        self.previous.disabled = self.start == 0
        self.next.disabled = self.start + PAGE >= len(lines)


def concept_explorer(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    lexicon: Lexicon,
    *,
    tokens: pd.DataFrame | None = None,
    default: str = "",
) -> Explorer:
    """The :class:`Explorer`, optionally opened on ``default`` (shown only in a live
    kernel: the search runs when the widget is displayed, not while the cell runs)."""
    explorer = Explorer(paragraphs, works, lexicon, tokens=tokens)
    if default:
        explorer.box.value = default
    return explorer


def static_explorer(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    lexicon: Lexicon,
    *,
    stats: pd.DataFrame | None = None,
    n_lines: int = 10,
    max_download: int = 1000,
    n_boot: int = 200,
):
    """Every lexicon concept as a folded section of plain HTML: counts, its timeline with
    intervals (an inline PNG) and its first KWIC lines with a CSV download. No script,
    no kernel and nothing fetched: it reads the same in a rendered report offline.

    Parameters
    ----------
    stats
        A :func:`~cyberdiscourse.concepts.textstat_concepts` table to draw the timelines
        from (by work or by year: pass the by-year one for a large corpus); default:
        computed here, by work.
    max_download
        KWIC lines in each download link at most (the section says when there are more;
        ``cyberdiscourse kwic TERM --csv FILE`` writes them all).
    """
    from IPython.display import HTML

    if stats is None:
        stats = cc.textstat_concepts(paragraphs, works, lexicon, n_boot=n_boot)
    unit = unit_of(stats)
    zh = paragraphs[paragraphs["lang"] == "zh"]
    every_hit = cc.concept_hits(zh, lexicon)  # once, for every concept's KWIC lines
    sections = []
    for c in lexicon.concepts:
        sub = stats[stats["concept_id"] == c.concept_id]
        total = int(sub["count"].sum())
        head = (
            f"<summary><b>{html.escape(c.label)}</b> — {total:,} mentions in "
            f"{int((sub['count'] > 0).sum()):,} of {len(sub):,} "
            f"{'works' if unit == 'work_id' else unit + 's'}</summary>"
        )
        if not total:
            sections.append(f"<details class='cd-concept'>{head}<p>No mention.</p></details>")
            continue
        drawn = sub.assign(term=c.zh_forms[0] if c.zh_forms else c.label)
        if unit != "work_id":  # a period: drawn at its middle
            drawn = drawn.assign(date=time_axis(drawn).dt.strftime("%Y-%m-%d"))
        png = _figure_png(textplot_terms(drawn))
        family = Matcher(lexicon).family[c.concept_id]
        hits = every_hit[every_hit["concept_id"].isin(family)]
        lines = cc.kwic(zh, works, c.concept_id, lexicon, hits=hits)
        more = (
            f" (the first {max_download:,} of {len(lines):,}; <code>cyberdiscourse kwic "
            f"{html.escape(c.concept_id)} --csv FILE</code> writes them all)"
            if len(lines) > max_download
            else ""
        )
        sections.append(
            f"<details class='cd-concept'>{head}<img alt='timeline of {html.escape(c.label)}' "
            f"style='max-width:100%' src='data:image/png;base64,{png}'/>"
            f"{kwic_html(lines, n=n_lines)}"
            f"<p>{_csv_link(lines.head(max_download), f'{c.concept_id}.csv')}{more}</p>"
            "</details>"
        )
    return HTML("<div class='cd-static-explorer'>" + "".join(sections) + "</div>")


def show_term(
    paragraphs: pd.DataFrame, works: pd.DataFrame, term: str, lexicon: Lexicon, *, n_kwic: int = 8
):
    """Timeline, first use and KWIC lines of one term (or several, comma-separated),
    displayed in the notebook; the count of lines says how many are not shown."""
    from IPython.display import HTML, display

    terms = split_terms(term)
    table = textstat_terms(paragraphs, works, terms, lexicon)
    display(HTML(_summary(table, lexicon)))
    if not table["count"].sum():
        display(HTML("<p>No match: nothing to draw.</p>"))
        return None
    ax = textplot_terms(table[table.groupby("term")["count"].transform("sum") > 0])
    lines = kwic_lines(paragraphs, works, terms, lexicon)
    first = lines.iloc[0]
    display(
        HTML(
            f"<p>First use: {first['date']} ({html.escape(first['work_id'])}), "
            f"<code>{html.escape(first['source'])}</code>: {html.escape(first['context'])}</p>"
            + kwic_html(lines, n=n_kwic)
        )
    )
    return ax
