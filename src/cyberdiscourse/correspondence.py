"""Correspondence analysis of words x groups, with how well each word's place holds.

A table of counts (groups of works -- period, genre, issuer, collection -- by the most
frequent terms) is decomposed as in Greenacre's *Correspondence Analysis in Practice*:
the standardised residuals ``D_r^-1/2 (P - r c') D_c^-1/2`` by their singular value
decomposition, rows and columns in principal coordinates, so the map is symmetric.

What KH Coder's users miss is how stable such a map is: a term near one group may sit
elsewhere when a few works are left out. Here the works are resampled with replacement
within each group ``n_boot`` times, each table analysed again and rotated onto the first
map (orthogonal Procrustes on the groups and words both hold), and each word gets the
spread of its positions (a 95% ellipse) and ``holds``: the share of resamples in which it
lies within 45 degrees of its own direction from the centre. A word with ``holds`` under
0.8 leans to no group reliably; the map draws it grey.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .plotting import PALETTE, Caption, gloss, new_figure, set_caption

HOLDS = 0.8  # a word whose direction holds in fewer resamples is drawn grey


@dataclass
class CA:
    """A fitted correspondence analysis (see :func:`textmodel_ca`)."""

    rows: pd.DataFrame  # group, dim1, dim2, mass, inertia share
    columns: pd.DataFrame  # term, dim1, dim2, mass, holds, sd1, sd2, cov12
    inertia: np.ndarray  # principal inertias of every dimension
    group: str
    n_works: int
    n_boot: int

    @property
    def share(self) -> np.ndarray:
        """Each dimension's share of the total inertia."""
        return self.inertia / self.inertia.sum()


def ca_coordinates(table: np.ndarray, n_dims: int = 2):
    """Row and column principal coordinates and the principal inertias of a count table."""
    P = table / table.sum()
    r, c = P.sum(axis=1), P.sum(axis=0)
    S = (P - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    U, sv, Vt = np.linalg.svd(S, full_matrices=False)
    rows = (U / np.sqrt(r)[:, None]) * sv
    cols = (Vt.T / np.sqrt(c)[:, None]) * sv
    return rows[:, :n_dims], cols[:, :n_dims], sv**2, r, c


def group_term_counts(
    tokens: pd.DataFrame,
    works: pd.DataFrame,
    group: str,
    *,
    lang: str = "zh",
    n_terms: int = 60,
    stopwords: set[str] | frozenset[str] = frozenset(),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts of each work's terms (works x terms, the ``n_terms`` most frequent) and each
    work's group; works without a value for ``group`` are left out."""
    sub = tokens[tokens["lang"] == lang][["work_id", "tokens"]].explode("tokens")
    sub = sub[sub["tokens"].notna() & ~sub["tokens"].isin(stopwords)]
    keep = sub["tokens"].value_counts().head(n_terms).index
    sub = sub[sub["tokens"].isin(keep)]
    counts = pd.crosstab(sub["work_id"], sub["tokens"])
    groups = works.set_index("work_id")[group].reindex(counts.index).fillna("").astype(str)
    counts = counts[groups != ""]
    return counts, groups[groups != ""]


def textmodel_ca(
    counts: pd.DataFrame,
    groups: pd.Series,
    *,
    group: str = "group",
    n_boot: int = 200,
    random_state: int | None = 0,
) -> CA:
    """Correspondence analysis of the groups x terms table summed from works x terms
    ``counts``, with a bootstrap over works within each group (see the module doc)."""
    labels = sorted(groups.unique())
    if len(labels) < 3:
        raise ValueError(
            f"a correspondence map needs three or more groups of {group}; found {len(labels)}"
        )
    index = {g: np.flatnonzero(groups.to_numpy() == g) for g in labels}
    X = counts.to_numpy(dtype=float)
    table = np.vstack([X[index[g]].sum(axis=0) for g in labels])
    used = table.sum(axis=0) > 0
    table, terms = table[:, used], counts.columns[used]
    rows, cols, inertia, r, c = ca_coordinates(table)
    rng = np.random.default_rng(random_state)
    boot = np.empty((n_boot, len(terms), 2))
    reference = np.vstack([rows, cols])
    for b in range(n_boot):
        sample = np.vstack(
            [X[rng.choice(index[g], size=len(index[g]))].sum(axis=0) for g in labels]
        )[:, used]
        sample[:, sample.sum(axis=0) == 0] = 1e-9  # a term drawn nowhere stays in the table
        rb, cb, *_ = ca_coordinates(sample)
        rotation = _procrustes(np.vstack([rb, cb]), reference)
        boot[b] = cb @ rotation
    holds = _holds(boot, cols)
    spread = np.array([np.cov(boot[:, j].T) for j in range(len(terms))])
    return CA(
        pd.DataFrame(
            {
                group: labels,
                "dim1": rows[:, 0],
                "dim2": rows[:, 1],
                "mass": r,
                "n_works": [len(index[g]) for g in labels],
            }
        ),
        pd.DataFrame(
            {
                "term": terms,
                "dim1": cols[:, 0],
                "dim2": cols[:, 1],
                "mass": c,
                "count": table.sum(axis=0).astype(int),
                "holds": holds,
                "sd1": np.sqrt(spread[:, 0, 0]),
                "sd2": np.sqrt(spread[:, 1, 1]),
                "cov12": spread[:, 0, 1],
            }
        ),
        inertia,
        group,
        len(groups),
        n_boot,
    )


def _procrustes(moving: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The orthogonal matrix that best turns ``moving`` onto ``target`` (least squares)."""
    u, _, vt = np.linalg.svd(moving.T @ target)
    return u @ vt


def _holds(boot: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Share of resamples in which each word lies within 45 degrees of its direction."""
    norm = np.linalg.norm(cols, axis=1)
    unit = np.divide(cols, norm[:, None], out=np.zeros_like(cols), where=norm[:, None] > 0)
    bnorm = np.linalg.norm(boot, axis=2)
    cos = np.einsum("bjk,jk->bj", boot, unit) / np.where(bnorm > 0, bnorm, 1)
    return (cos >= np.cos(np.pi / 4)).mean(axis=0)


def textstat_ca(model: CA) -> pd.DataFrame:
    """The map's table: each group and each term with its coordinates (terms also with
    their bootstrap spread and ``holds``); ``attrs`` give the inertia of each axis."""
    rows = model.rows.rename(columns={model.group: "label"}).assign(kind=model.group)
    cols = model.columns.rename(columns={"term": "label"}).assign(kind="term")
    table = pd.concat([rows, cols], ignore_index=True)
    table.attrs.update(
        inertia_dim1=float(model.inertia[0]),
        inertia_dim2=float(model.inertia[1]) if len(model.inertia) > 1 else 0.0,
        group=model.group,
        n_works=model.n_works,
        n_boot=model.n_boot,
    )
    return table


def textplot_ca(model: CA, *, max_labels: int = 20, ellipses: bool = True, ax=None):
    """The symmetric map: groups as labelled squares, terms as points. Terms whose direction
    holds in at least 80% of resamples are blue and labelled (at most ``max_labels``, those
    farthest from the centre), with their 95% bootstrap ellipses; the others are small grey
    dots, named in the table only. Labels are moved apart where they would overlap.
    Returns the Axes."""
    from adjustText import adjust_text
    from matplotlib.patches import Ellipse

    if ax is None:
        _, ax = new_figure("two_column_tall")
    cols = model.columns.assign(reach=np.hypot(model.columns["dim1"], model.columns["dim2"]))
    steady = cols["holds"] >= HOLDS
    labelled = cols[steady].nlargest(max_labels, "reach")
    ax.scatter(cols.loc[~steady, "dim1"], cols.loc[~steady, "dim2"], s=4, c="0.75", zorder=2)
    ax.scatter(labelled["dim1"], labelled["dim2"], s=10, c=PALETTE[0], zorder=3)
    rest = cols[steady & ~cols.index.isin(labelled.index)]
    ax.scatter(rest["dim1"], rest["dim2"], s=6, c=PALETTE[0], alpha=0.5, zorder=3)
    if ellipses:
        for row in labelled.itertuples():
            width, height, angle = _ellipse(row.sd1, row.sd2, row.cov12)
            ax.add_patch(
                Ellipse(
                    (row.dim1, row.dim2),
                    width,
                    height,
                    angle=angle,
                    fill=False,
                    lw=0.4,
                    color=PALETTE[0],
                    alpha=0.35,
                    clip_on=True,
                )
            )
    ax.scatter(model.rows["dim1"], model.rows["dim2"], s=30, marker="s", c=PALETTE[3], zorder=4)
    texts = [
        ax.text(r.dim1, r.dim2, gloss(str(r.term)), fontsize=6, color="0.1")
        for r in labelled.itertuples()
    ]
    names, prefix = _without_common_folder([str(g) for g in model.rows[model.group]])
    texts += [
        ax.text(x, y, g, fontsize=7, color=PALETTE[3])
        for g, x, y in zip(names, model.rows["dim1"], model.rows["dim2"])
    ]
    points = np.vstack([cols[["dim1", "dim2"]].to_numpy(), model.rows[["dim1", "dim2"]].to_numpy()])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 0.15 * (high - low)
    ax.set_xlim(low[0] - pad[0], high[0] + pad[0])  # by the points: an ellipse may run off
    ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
    ax.axhline(0, color="0.85", lw=0.5, zorder=0)
    ax.axvline(0, color="0.85", lw=0.5, zorder=0)
    share = model.share
    ax.set_xlabel(f"dimension 1 ({share[0]:.0%} of inertia)")
    ax.set_ylabel(f"dimension 2 ({share[1]:.0%} of inertia)" if len(share) > 1 else "")
    adjust_text(texts, ax=ax, arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.4})
    small = int((model.rows["n_works"] < 5).sum())
    set_caption(
        ax,
        Caption(
            f"Correspondence analysis of the {len(cols)} most frequent terms by {model.group} "
            f"({len(model.rows)} groups of {model.n_works} works), symmetric map",
            "principal coordinates (distances between a term and a group are not read directly)",
            model.n_works,
            interval=f"95% ellipses from {model.n_boot} resamples of the works within each group",
            encodings={
                "square": model.group,
                "blue point": f"a term whose direction holds in {HOLDS:.0%} or more of resamples "
                f"({int(steady.sum())}; the {len(labelled)} farthest from the centre named)",
                "grey point": f"one that does not ({int((~steady).sum())}), named in the table",
            },
            note="; ".join(
                n
                for n in (
                    f"{model.group}s named without their common folder {prefix}" if prefix else "",
                    f"{small} group(s) hold fewer than five works: resampling so few shows "
                    "little of how the works vary"
                    if small
                    else "",
                )
                if n
            ),
        ),
    )
    return ax


def _without_common_folder(names: list[str]) -> tuple[list[str], str]:
    """Group names without the folder they all start with (``laws/刑法`` -> ``刑法``)."""
    import os

    prefix = os.path.commonprefix(names)
    prefix = prefix[: prefix.rfind("/") + 1] if "/" in prefix else ""
    if not prefix or any(n == prefix for n in names):
        return names, ""
    return [n[len(prefix) :] for n in names], prefix


def _ellipse(sd1: float, sd2: float, cov12: float) -> tuple[float, float, float]:
    """Width, height and angle (degrees) of the 95% ellipse of a 2-d normal."""
    cov = np.array([[sd1**2, cov12], [cov12, sd2**2]])
    values, vectors = np.linalg.eigh(cov)
    scale = np.sqrt(5.991464547107979)  # chi-square, 2 degrees of freedom, 0.95
    width, height = 2 * scale * np.sqrt(np.maximum(values[::-1], 0))
    angle = float(np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1])))
    return float(width), float(height), angle


def choose_grouping(
    works: pd.DataFrame, *, candidates=("collection", "genre", "issuer"), max_periods: int = 5
) -> tuple[str, pd.Series, str]:
    """A grouping of the works for the map: the first of ``candidates`` that gives three or
    more groups of two or more works, else periods holding equal numbers of dated works
    (at most ``max_periods``). Returns its name, each work's group (works in groups of one
    are left out) and a sentence saying what was chosen and why."""
    for column in candidates:
        if column not in works:
            continue
        values = works.set_index("work_id")[column].fillna("").astype(str)
        sizes = values[values != ""].value_counts()
        kept = sizes[sizes >= 2].index
        if len(kept) >= 3:
            left = int((values != "").sum() - values.isin(kept).sum())
            return (
                column,
                values[values.isin(kept)],
                (
                    f"Grouped by {column}: {len(kept)} groups of two or more works"
                    + (f" ({left} work(s) in groups of one left out)." if left else ".")
                ),
            )
    from .dates import as_dates

    dated = works.assign(when=as_dates(works["date"])).dropna(subset=["when"])
    dated = dated.sort_values(["when", "work_id"], kind="stable")
    k = min(max_periods, len(dated) // 2)
    if k < 3:
        raise ValueError(
            "no grouping gives three groups of two or more works (collection, genre, issuer, "
            f"or periods of the {len(dated)} dated works)"
        )
    bins = np.array_split(np.arange(len(dated)), k)
    span = dated["when"].iloc[-1] - dated["when"].iloc[0]
    fmt = "%Y" if span.days > 3 * 365 else "%Y-%m" if span.days > 90 else "%m-%d"
    labels = {}
    for n, b in enumerate(bins):
        part = dated.iloc[b]
        first, last = (part["when"].iloc[i].strftime(fmt) for i in (0, -1))
        label = first if first == last else f"{first}–{last}"
        if label in labels.values():  # two spans within one unit of the format
            label = f"{label} ({n + 1})"
        for w in part["work_id"]:
            labels[w] = label
    groups = pd.Series(labels, name="period")
    return (
        "period",
        groups,
        (
            f"Grouped by period: {k} spans holding equal numbers of the {len(dated)} dated works "
            "(no collection, genre or issuer gives three groups of two or more works)."
        ),
    )
