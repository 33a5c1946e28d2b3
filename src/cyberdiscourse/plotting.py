"""The one place that owns how figures look and how they are saved.

- a bundled open-licensed CJK font (WenQuanYi Micro Hei, Apache-2.0, TrueType
  outlines), so Chinese renders on a fresh machine without system fonts;
- PDF fonts embedded as TrueType (``pdf.fonttype = 42``), never Type 3;
  SVG text as paths, so the SVG looks the same everywhere;
- the Okabe-Ito colour-blind-safe palette; one- and two-column widths;
- :func:`save_figure` writes PDF, SVG, 300 dpi PNG and the data behind the
  figure as CSV under ``figures/<notebook>/``, byte-identical on a re-run.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pandas as pd

from .config import REPO_ROOT
from .io import write_atomic

FONT_PATH = Path(__file__).parent / "fonts" / "WenQuanYiMicroHei.ttf"
FONT_NAME = "WenQuanYi Micro Hei"
# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
# Yellow last: it is too faint for lines and small marks on white.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
LINE_PALETTE = PALETTE[:-1]  # for lines and small marks: without the faint yellow
LANG_COLOURS = {"zh": PALETTE[0], "en": PALETTE[1]}
# Widths in inches: one journal column (~89 mm) and two columns (~183 mm).
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
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
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


def new_figure(size: str = "one_column", **subplots_kw):
    """A figure of a journal size with the project style; returns ``(fig, ax)``."""
    import matplotlib.pyplot as plt

    use_style()
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, not {size!r}")
    return plt.subplots(figsize=SIZES[size], **subplots_kw)


def figures_root(figures_dir: str | os.PathLike | None = None) -> Path:
    """``figures_dir``, else ``$CYBERDISCOURSE_FIGURES_DIR``, else this repo's ``figures/``."""
    if figures_dir:
        return Path(figures_dir)
    return Path(os.environ.get("CYBERDISCOURSE_FIGURES_DIR") or REPO_ROOT / "figures")


def save_figure(
    fig,
    name: str,
    *,
    data: pd.DataFrame,
    notebook: str,
    figures_dir: str | os.PathLike | None = None,
) -> dict[str, Path]:
    """Save ``fig`` as PDF, SVG and 300 dpi PNG, and ``data`` as CSV.

    Files go to ``<figures_dir>/<notebook>/<name>.<ext>``; each is written
    atomically and with no timestamps, so a re-run gives identical bytes.

    Parameters
    ----------
    fig
        The matplotlib figure.
    name
        File stem, e.g. ``"works_timeline"``.
    data
        The table behind the figure, so a reviewer can check every mark.
    notebook
        The notebook's stem, e.g. ``"01_corpus_overview"``.
    """
    out_dir = figures_root(figures_dir) / notebook
    paths: dict[str, Path] = {}
    metadata = {"pdf": {"CreationDate": None, "ModDate": None}, "svg": {"Date": None}, "png": {}}
    for fmt in FORMATS:
        path = out_dir / f"{name}.{fmt}"

        def write(tmp: Path, fmt: str = fmt) -> None:
            fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata[fmt])

        paths[fmt] = write_atomic(path, write)
    paths["csv"] = write_atomic(
        out_dir / f"{name}.csv", lambda tmp: data.to_csv(tmp, index=False, encoding="utf-8")
    )
    return paths
