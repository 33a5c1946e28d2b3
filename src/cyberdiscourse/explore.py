"""An interactive concept explorer for JupyterLab (ipywidgets, works offline)."""

from __future__ import annotations

import pandas as pd

from . import concepts as cc
from .dates import as_dates
from .lexicon import Lexicon
from .normalise import count_cjk, text_size


def term_by_work(
    paragraphs: pd.DataFrame, works: pd.DataFrame, term: str, lexicon: Lexicon
) -> pd.DataFrame:
    """Count and rate per 10,000 characters of any term or concept in each included work.

    The rate has the package's one denominator (:func:`~cyberdiscourse.normalise.text_size`):
    Han characters of the Chinese paragraphs for a concept or a Chinese term,
    non-space characters of the English paragraphs for an English term.
    """
    inc = works[works["include"]]
    chinese = cc.resolve_concept(term, lexicon) is not None or count_cjk(term) > 0
    searched = paragraphs[paragraphs["lang"] == ("zh" if chinese else "en")]
    counts = cc.term_hits(searched, term, lexicon).groupby("work_id").size()
    size = searched["text"].map(lambda t: text_size(t, "zh" if chinese else "en"))
    chars = size.groupby(searched["work_id"]).sum()
    out = inc[["work_id", "date"]].copy()
    out["count"] = out["work_id"].map(counts).fillna(0).astype(int)
    out["per_10k_chars"] = out["count"] / out["work_id"].map(chars) * 10_000
    return out.sort_values("date").reset_index(drop=True)


def show_term(
    paragraphs: pd.DataFrame, works: pd.DataFrame, term: str, lexicon: Lexicon, *, n_kwic: int = 8
):
    """Timeline, first use and KWIC lines of one term, displayed in the notebook."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    from .plotting import PALETTE, new_figure

    table = term_by_work(paragraphs, works, term, lexicon)
    lines = cc.kwic(paragraphs, works, term, lexicon)
    concept = cc.resolve_concept(term, lexicon)
    what = f"concept `{concept}` (with its sub-forms)" if concept else "literal text"
    display(
        Markdown(
            f"**{term}**: {what}; {int(table['count'].sum())} occurrences in "
            f"{int((table['count'] > 0).sum())} of {len(table)} works."
        )
    )
    fig, ax = new_figure("two_column")
    ax.plot(as_dates(table["date"]), table["per_10k_chars"], "-o", color=PALETTE[0])
    for x, y, n in zip(as_dates(table["date"]), table["per_10k_chars"], table["count"]):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(3, 3), fontsize=7)
    ax.set_ylabel("per 10,000 characters")
    ax.set_title(f"{term} by work")
    plt.show()
    if len(lines):
        first = lines.iloc[0]
        display(
            Markdown(
                f"First use: {first['date']} ({first['work_id']}), "
                f"`{first['source']}`: {first['context']}"
            )
        )
        display(lines[["date", "work_id", "left", "match", "right", "source", "rule"]].head(n_kwic))


def concept_explorer(
    paragraphs: pd.DataFrame, works: pd.DataFrame, lexicon: Lexicon, *, default: str = ""
):
    """A widget: pick a concept or type any term; its timeline, first use and KWIC appear.

    The view is drawn when the term changes, from the widget's own event, never while
    the cell runs: headless execution (papermill, CI) then has no widget output to wait
    for. Show a default view with :func:`show_term` in an ordinary cell.
    """
    import ipywidgets as widgets

    options = [c.concept_id for c in lexicon.concepts]
    picker = widgets.Combobox(
        value=default,
        options=options,
        description="Term:",
        placeholder="concept id or any text",
        ensure_option=False,
    )
    out = widgets.Output()

    def update(change=None) -> None:
        term = picker.value.strip()
        out.clear_output()
        with out:
            if term:
                show_term(paragraphs, works, term, lexicon)

    picker.observe(update, names="value")
    return widgets.VBox([picker, out])
