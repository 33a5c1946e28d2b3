"""The one place that owns how figures look and how they are saved.

- a bundled open-licensed CJK font (WenQuanYi Micro Hei, Apache-2.0, TrueType
  outlines), so Chinese renders on a fresh machine without system fonts;
- PDF fonts embedded as TrueType (``pdf.fonttype = 42``), never Type 3; SVG
  text as paths by default (looks the same everywhere) or as editable text
  naming the bundled font (``editable_svg=True``);
- width presets for journal slots (3.5, 5.3 and 7.2 inches): a figure is drawn
  at the width it is printed at, and no text is smaller than 6 pt
  (:data:`MIN_FONT_PT`);
- English glosses beside Chinese tick labels (:func:`gloss`), from the
  lexicon's labels and ``glossary.csv``;
- the Okabe-Ito colour-blind-safe palette;
- :class:`FigureSaver` writes PDF, SVG, 300 dpi PNG, the data behind the figure
  as CSV and a caption file under ``figures/<notebook>/``, byte-identical on a
  re-run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd

from .config import REPO_ROOT, outputs_dir_of
from .io import write_atomic, write_csv, write_text

FONT_PATH = Path(__file__).parent / "fonts" / "WenQuanYiMicroHei.ttf"
FONT_NAME = "WenQuanYi Micro Hei"
# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
# Yellow last: it is too faint for lines and small marks on white.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
LINE_PALETTE = PALETTE[:-1]  # for lines and small marks: without the faint yellow
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]  # a second channel beside colour
LANG_COLOURS = {"zh": PALETTE[0], "en": PALETTE[1]}
# Journal slots, in inches: one column (~89 mm), a 5.3-inch single-column page
# (common in political-science and IR journals) and two columns (~183 mm).
WIDTHS = {"column": 3.5, "medium": 5.3, "page": 7.2}
MIN_FONT_PT = 6.0
# A figure's kind: its natural width (the preset caps it) and its height.
SIZES = {
    "one_column": (3.5, 2.6),
    "one_column_tall": (3.5, 4.2),
    "two_column": (7.2, 3.6),
    "two_column_tall": (7.2, 5.4),
}
FORMATS = ("pdf", "svg", "png")
DPI = 300

STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_NAME, "DejaVu Sans"],
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 7,
    "xtick.labelsize": 6.5,
    "ytick.labelsize": 6.5,
    "legend.fontsize": 6.5,
    "legend.title_fontsize": 6.5,
    "figure.titlesize": 8,
    "figure.labelsize": 7,
    "axes.unicode_minus": False,  # the CJK font has no U+2212 minus glyph
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": False,
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": DPI,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "cyberdiscourse",
    "image.cmap": "cividis",
}

_state: dict = {"width": WIDTHS["page"], "glossary": {}}


def register_font() -> str:
    """Make the bundled CJK font known to matplotlib; returns its family name."""
    from matplotlib import font_manager

    if FONT_NAME not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(FONT_PATH))
    return FONT_NAME


def use_style() -> None:
    """Apply the project style to matplotlib (idempotent)."""
    register_font()
    matplotlib.rcParams.update(STYLE)


def set_width(width: str | float) -> float:
    """Choose the journal slot figures are drawn for: ``"column"`` (3.5 in),
    ``"medium"`` (5.3 in), ``"page"`` (7.2 in) or one of those numbers.

    Every later figure is drawn at most this wide, at its printed size, so its
    text keeps the point sizes of the style (never below :data:`MIN_FONT_PT`).
    Returns the width in inches.
    """
    inches = WIDTHS.get(width) if isinstance(width, str) else float(width)
    if inches not in WIDTHS.values():
        raise ValueError(
            f"width must be one of {list(WIDTHS)} or {sorted(WIDTHS.values())}, not {width!r}"
        )
    _state["width"] = inches
    return inches


def figure_width() -> float:
    """The width, in inches, of the current journal slot (see :func:`set_width`)."""
    return _state["width"]


def figure_size(size: str = "one_column", *, height: float | None = None) -> tuple[float, float]:
    """``(width, height)`` in inches of a figure of kind ``size`` at the current preset."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    natural_width, natural_height = SIZES[size]
    return min(natural_width, figure_width()), height or natural_height


def new_figure(size: str = "one_column", *, height: float | None = None, **subplots_kw):
    """A figure of kind ``size`` at the current width preset; returns ``(fig, ax)``.

    ``height`` (inches) overrides the kind's height, e.g. for small multiples
    whose rows depend on the data.
    """
    import matplotlib.pyplot as plt

    use_style()
    return plt.subplots(figsize=figure_size(size, height=height), **subplots_kw)


def new_panels(
    nrows: int,
    ncols: int,
    *,
    size: str = "two_column",
    height: float | None = None,
    fig=None,
    **subplots_kw,
):
    """Small multiples: ``nrows x ncols`` Axes on ``fig`` (a new figure of kind ``size``
    at the current preset when ``None``; an empty given figure is resized). Returns
    ``(fig, axes)`` with ``axes`` always two-dimensional."""
    import matplotlib.pyplot as plt

    use_style()
    width, height = figure_size(size, height=height)
    if fig is None:
        fig = plt.figure(figsize=(width, height))
    else:
        fig.set_size_inches(width, height)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplots_kw)
    return fig, axes


def panel_columns(max_columns: int, *, min_panel_width: float = 2.2) -> int:
    """Columns of small multiples at the current preset: at most ``max_columns``, each
    panel at least ``min_panel_width`` inches wide (3.5 in: 1; 5.3 in: 2; 7.2 in: 3)."""
    return max(1, min(max_columns, int(figure_width() // min_panel_width)))


def text_width(text: str, fontsize: float) -> float:
    """Approximate printed width in inches of one line (Han characters one em, others
    0.56 em in the bundled font)."""
    ems = sum(
        1.0 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 0.56 for ch in text
    )
    return ems * fontsize / 72


def wrap(text: str, width: float, *, fontsize: float = 7.0) -> str:
    """``text`` broken into lines of at most ``width`` inches, between words (a run of
    Han characters counts as one word); existing line breaks are kept."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in _words(paragraph):
            candidate = line + word
            if line and text_width(candidate.rstrip(), fontsize) > width:
                lines.append(line.rstrip())
                line = word.lstrip()
            else:
                line = candidate
        lines.append(line.rstrip())
    return "\n".join(lines)


def _words(text: str) -> list[str]:
    import re

    # A run of Han characters is one word (a term is not split across lines).
    return re.findall(
        r"[\u2e80-\u9fff\uff00-\uffef]+\s*|[^\s\u2e80-\u9fff\uff00-\uffef]+\s*|\s+", text
    )


def axes_width(ax) -> float:
    """The width in inches left for the plot of ``ax``: its share of the grid less its
    y tick labels (known before the layout that will make room for them)."""
    size = matplotlib.rcParams["ytick.labelsize"]
    size = size if isinstance(size, (int, float)) else 7
    labels = [t.get_text() for t in ax.get_yticklabels()]
    widest = max((text_width(t, size) for t in labels), default=0.0)
    return max(ax.get_position().width * ax.figure.get_figwidth() - widest - 0.25, 1.0)


def date_axis(ax, *, minticks: int = 3, maxticks: int = 7) -> None:
    """Ticks and labels of a real time axis that suit its span: years over decades, months
    over a year, days over a crawler's month (matplotlib's concise date labels)."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=minticks, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def set_title(ax, title: str, *, fontsize: float | None = None, **kwargs) -> None:
    """``ax.set_title`` with the title wrapped to the axes' width."""
    size = fontsize or matplotlib.rcParams["axes.titlesize"]
    size = size if isinstance(size, (int, float)) else 8
    ax.set_title(wrap(title, axes_width(ax), fontsize=size), fontsize=size, **kwargs)


def legend_below(fig, handles, *, title: str | None = None):
    """A legend under every panel of ``fig``, in as many columns as its widest entry
    allows at the figure's width (constrained layout makes room for it). Returns it."""
    size = matplotlib.rcParams["legend.fontsize"]
    size = size if isinstance(size, (int, float)) else 6.5
    entry = max(text_width(h.get_label(), size) for h in handles) + 0.45  # marker and gap
    columns = min(len(handles), max(1, int(fig.get_figwidth() // entry)))
    return fig.legend(
        handles=handles, loc="outside lower center", ncols=columns, frameon=False, title=title
    )


def figure_of(drawn):
    """The Figure behind what a ``textplot_*`` returned: an Axes, an array of Axes or a Figure."""
    import numpy as np

    if hasattr(drawn, "savefig"):
        return drawn
    if isinstance(drawn, np.ndarray):
        return drawn.flat[0].figure
    if isinstance(drawn, (list, tuple)):
        return figure_of(drawn[0])
    return drawn.figure


# ---------------------------------------------------------------- glosses


def use_glossary(glossary: Mapping[str, str]) -> None:
    """Set the English glosses that :func:`gloss` adds to Chinese labels."""
    _state["glossary"] = dict(glossary)


def gloss(label: str, *, sep: str = " ", max_chars: int = 24) -> str:
    """``label`` with its English gloss in brackets when one is known: ``网络主权 (cyber
    sovereignty)``; other labels unchanged. A gloss longer than ``max_chars`` is cut
    with an ellipsis (tick labels must leave room for the data)."""
    english = _state["glossary"].get(str(label))
    if not english:
        return str(label)
    if len(english) > max_chars:
        english = english[: max_chars - 1].rstrip() + "…"
    return f"{label}{sep}({english})"


# ---------------------------------------------------------------- captions


@dataclass
class Caption:
    """What a reader needs beside a figure: what is counted, its unit, how many
    documents, the interval method and what each visual channel encodes."""

    what: str
    unit: str
    n_documents: int | None = None
    interval: str = ""
    encodings: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    def text(self, *, data_file: str = "") -> str:
        parts = [f"{self.what}.", f"Unit: {self.unit}."]
        if self.n_documents is not None:
            parts.append(f"N = {self.n_documents:,} documents.")
        if self.interval:
            parts.append(f"Intervals: {self.interval}.")
        if self.encodings:
            parts.append(
                "Encoding: " + "; ".join(f"{k}: {v}" for k, v in self.encodings.items()) + "."
            )
        if self.note:
            parts.append(self.note.rstrip(".") + ".")
        if data_file:
            parts.append(f"Data: {data_file}.")
        return " ".join(parts)


def set_caption(drawn, caption: Caption):
    """Attach ``caption`` to the figure of ``drawn`` (read by :meth:`FigureSaver.save`);
    returns ``drawn``."""
    figure_of(drawn)._cyberdiscourse_caption = caption
    return drawn


def caption_of(drawn) -> Caption | None:
    """The caption attached to the figure of ``drawn``, if any."""
    return getattr(figure_of(drawn), "_cyberdiscourse_caption", None)


# ---------------------------------------------------------------- saving


def figures_root(
    figures_dir: str | os.PathLike | None = None, *, data_dir: str | os.PathLike | None = None
) -> Path:
    """``figures_dir``, else ``$CYBERDISCOURSE_FIGURES_DIR``, else the figures folder of the
    corpus in ``data_dir`` (:func:`.config.outputs_dir_of`), else this repo's ``figures/``."""
    if figures_dir:
        return Path(figures_dir)
    if os.environ.get("CYBERDISCOURSE_FIGURES_DIR"):
        return Path(os.environ["CYBERDISCOURSE_FIGURES_DIR"])
    return outputs_dir_of(Path(data_dir), "figures") if data_dir else REPO_ROOT / "figures"


def save_figure(
    drawn,
    name: str,
    *,
    data: pd.DataFrame,
    notebook: str,
    figures_dir: str | os.PathLike | None = None,
    caption: Caption | str | None = None,
    editable_svg: bool = False,
) -> dict[str, Path]:
    """Save a figure as PDF, SVG and 300 dpi PNG, its data as CSV and its caption.

    Files go to ``<figures_dir>/<notebook>/<name>.<ext>``; each is written
    atomically and with no timestamps, so a re-run gives identical bytes.

    Parameters
    ----------
    drawn
        The Figure, or what a ``textplot_*`` returned (an Axes or array of Axes).
    name
        File stem, e.g. ``"works_timeline"``.
    data
        The table behind the figure, so a reviewer can check every mark.
    notebook
        The notebook's stem, e.g. ``"01_corpus_overview"``.
    caption
        Caption text, or a :class:`Caption`; default: the one the ``textplot_*``
        attached. Written as ``<name>.caption.txt``.
    editable_svg
        Store SVG text as text naming the bundled font (editable in Inkscape or
        Illustrator when that font is installed) instead of as paths.
    """
    fig = figure_of(drawn)
    out_dir = figures_root(figures_dir) / notebook
    paths: dict[str, Path] = {}
    metadata = {"pdf": {"CreationDate": None, "ModDate": None}, "svg": {"Date": None}, "png": {}}
    for fmt in FORMATS:
        path = out_dir / f"{name}.{fmt}"
        svg_text = {"svg.fonttype": "none" if editable_svg and fmt == "svg" else "path"}

        def write(tmp: Path, fmt: str = fmt, svg_text=svg_text) -> None:
            with matplotlib.rc_context(svg_text):
                fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata[fmt])

        paths[fmt] = write_atomic(path, write)
    paths["csv"] = write_csv(data, out_dir / f"{name}.csv", encoding="utf-8")
    caption = caption if caption is not None else caption_of(fig)
    if caption is not None:
        text = caption if isinstance(caption, str) else caption.text(data_file=f"{name}.csv")
        paths["caption"] = write_text(text + "\n", out_dir / f"{name}.caption.txt")
    return paths


class FigureSaver:
    """Saves a notebook's figures: it knows the notebook and the folder once.

    Parameters
    ----------
    notebook
        The notebook's stem, e.g. ``"01_corpus_overview"``.
    figures_dir
        Root folder (default: :func:`figures_root`).
    save
        ``False`` for interactive runs: figures are drawn, nothing is written.
    width
        The journal slot (see :func:`set_width`); ``None`` keeps the current one.
    editable_svg
        SVG text as editable text (see :func:`save_figure`).
    glossary
        English glosses for Chinese labels (see :func:`use_glossary`).
    """

    def __init__(
        self,
        notebook: str,
        figures_dir: str | os.PathLike | None = None,
        *,
        save: bool = True,
        width: str | float | None = None,
        editable_svg: bool = False,
        glossary: Mapping[str, str] | None = None,
    ) -> None:
        use_style()
        if width is not None:
            set_width(width)
        if glossary is not None:
            use_glossary(glossary)
        self.notebook = notebook
        self.figures_dir = figures_dir
        self.save_files = save
        self.editable_svg = editable_svg
        self.saved: list[str] = []

    def __call__(
        self, drawn, name: str, *, data: pd.DataFrame, caption: Caption | str | None = None
    ) -> dict[str, Path]:
        """Save what a ``textplot_*`` drew under ``name``; returns the paths written
        (none when saving is off)."""
        if not self.save_files:
            return {}
        self.saved.append(name)
        return save_figure(
            drawn,
            name,
            data=data,
            notebook=self.notebook,
            figures_dir=self.figures_dir,
            caption=caption,
            editable_svg=self.editable_svg,
        )

    @property
    def folder(self) -> Path:
        """Where this notebook's figures go."""
        return figures_root(self.figures_dir) / self.notebook
