"""What every analysis notebook does first, once: resolve the data folder, load the
corpus, set the figure width, glosses and saving, and show tables at a readable size.

A notebook starts with::

    nb = setup_notebook("02_term_frequency", data_dir=data_dir, figures_dir=figures_dir,
                        save_figures=save_figures, figure_width=figure_width)
    nb.save(ax, "top_terms", data=table)      # figures/02_term_frequency/top_terms.*
    nb.table(keyness, "keyness")              # top rows shown, the whole table as CSV
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import REPO_ROOT, resolve_data_dir
from .io import write_csv
from .lexicon import Lexicon, load_glossary, load_lexicon
from .plotting import FigureSaver, figures_root

SHOW_ROWS = 15  # table rows shown in a notebook; the CSV has them all
DIGITS = 3


@dataclass
class NotebookContext:
    """One notebook's data folder, lexicon, figure saver and table writer."""

    name: str
    data_dir: Path
    lexicon: Lexicon
    save: FigureSaver

    def table(
        self, table: pd.DataFrame, name: str, *, n: int = SHOW_ROWS, digits: int = DIGITS
    ) -> pd.DataFrame:
        """Write the whole ``table`` as ``<figures>/<notebook>/tables/<name>.csv`` (when
        saving is on) and return its first ``n`` rows, rounded, for display; a line says
        how many rows are not shown and where they are."""
        rest = len(table) - n
        if self.save.save_files:
            path = self.save.folder / "tables" / f"{name}.csv"
            write_csv(table, path, encoding="utf-8")
            where = f"all {len(table):,} rows in {shown_path(path)}"
        else:
            where = "saving is off"
        if rest > 0:
            print(f"{n} of {len(table):,} rows shown; {where}")
        return table.head(n).round(digits)


def shown_path(path: Path) -> str:
    """A path as a report may show it: relative to the repository, or its name only."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return path.name


def setup_notebook(
    name: str,
    *,
    data_dir: str | os.PathLike | None = None,
    figures_dir: str | os.PathLike | None = None,
    save_figures: bool = True,
    figure_width: str | float = "page",
    editable_svg: bool = False,
) -> NotebookContext:
    """Set up an analysis notebook.

    Parameters
    ----------
    name
        The notebook's stem, e.g. ``"02_term_frequency"`` (its figures' folder).
    data_dir, figures_dir
        As everywhere (``None``: the defaults of :mod:`cyberdiscourse.config`; the
        figures of a corpus other than the repository's go to ``<data_dir>/figures``).
    save_figures
        ``False`` for interactive runs: figures are drawn, nothing is written.
    figure_width
        The journal slot figures are drawn for: ``"column"`` (3.5 in), ``"medium"``
        (5.3 in) or ``"page"`` (7.2 in).
    editable_svg
        SVG text as editable text naming the bundled font.
    """
    data_dir = resolve_data_dir(data_dir)
    figures_dir = figures_root(figures_dir, data_dir=data_dir)
    pd.set_option("display.precision", DIGITS)
    pd.set_option("display.max_rows", 40)
    pd.set_option("display.max_colwidth", 90)
    saver = FigureSaver(
        name,
        figures_dir,
        save=save_figures,
        width=figure_width,
        editable_svg=editable_svg,
        glossary=load_glossary(data_dir),
    )
    return NotebookContext(name, data_dir, load_lexicon(data_dir), saver)
