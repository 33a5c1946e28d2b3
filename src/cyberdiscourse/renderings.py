"""How the official English renders each concept, and how much of the Chinese it covers.

:func:`translation_variants` reads the aligned zh/en pairs: for each concept in a
pair's Chinese, which known English rendering its English uses (or none).
:func:`translation_coverage` gives the denominators a reader needs before
believing a statement about renderings: how many Chinese paragraphs hold the
concept, how many of those have an aligned English paragraph, how many of those
use a known rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .dates import as_dates
from .lexicon import Lexicon
from .matching import ancestors, concept_hits


@dataclass(frozen=True)
class _Rendering:
    concept_id: str
    pattern: str
    regex: re.Pattern[str]


def _renderings(lexicon: Lexicon) -> dict[str, list[_Rendering]]:
    """English patterns to try for each concept: its own first, then its parents'."""
    own = {
        c.concept_id: [
            _Rendering(c.concept_id, p, re.compile(rf"\b(?:{p})\b", re.I)) for p in c.en_patterns
        ]
        for c in lexicon.concepts
    }
    return {cid: [r for a in ancestors(lexicon, cid) for r in own[a]] for cid in own}


def translation_variants(
    paragraphs: pd.DataFrame, pairs: pd.DataFrame, works: pd.DataFrame, lexicon: Lexicon
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which English rendering the aligned English uses for each concept in the Chinese.

    Returns ``(variants, unmatched)``: ``variants`` has one row per (pair, concept) with
    ``rendering`` (the English words found) and ``pattern``; ``unmatched`` lists the pairs
    whose Chinese has the concept but whose English matches no known rendering, with
    both texts, so the rendering can be added to the lexicon.
    """
    text = paragraphs.set_index("para_id")["text"]
    date = works.set_index("work_id")["date"]
    hits = concept_hits(paragraphs[paragraphs["para_id"].isin(pairs["zh_para_id"])], lexicon)
    found = hits.groupby("para_id")["concept_id"].agg(lambda s: sorted(set(s)))
    rend = _renderings(lexicon)
    variants, unmatched = [], []
    for p in pairs.itertuples():
        en = text[p.en_para_id]
        for cid in found.get(p.zh_para_id, []):
            base = {
                "work_id": p.work_id,
                "date": date.get(p.work_id, ""),
                "concept_id": cid,
                "zh_para_id": p.zh_para_id,
                "en_para_id": p.en_para_id,
            }
            match = next(((r, m) for r in rend[cid] for m in [r.regex.search(en)] if m), None)
            if match is None:
                unmatched.append({**base, "zh": text[p.zh_para_id], "en": en})
                continue
            r, m = match
            variants.append(
                {
                    **base,
                    "rendering": m.group(0).lower(),
                    "pattern": r.pattern,
                    "pattern_of": r.concept_id,
                }
            )
    v_cols = [
        "work_id",
        "date",
        "concept_id",
        "rendering",
        "pattern",
        "pattern_of",
        "zh_para_id",
        "en_para_id",
    ]
    u_cols = ["work_id", "date", "concept_id", "zh_para_id", "en_para_id", "zh", "en"]
    return (
        pd.DataFrame(variants, columns=v_cols).sort_values(["concept_id", "date"], kind="stable"),
        pd.DataFrame(unmatched, columns=u_cols),
    )


COVERAGE_COLUMNS = [
    "concept_id",
    "work_id",
    "date",
    "zh_paragraphs",
    "aligned",
    "aligned_across",
    "known_rendering",
    "no_known_rendering",
]


def translation_coverage(
    paragraphs: pd.DataFrame,
    pairs: pd.DataFrame,
    works: pd.DataFrame,
    lexicon: Lexicon,
    *,
    variants: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """For each concept and included work: the denominators behind its renderings.

    Returns one row per (concept, work) where the concept occurs: ``zh_paragraphs``
    (Chinese paragraphs holding it, by any form or rule), ``aligned`` (of those, how
    many have an aligned English paragraph, any method), ``aligned_across`` (of those,
    how many by :func:`~cyberdiscourse.alignment.align_across`), ``known_rendering``
    and ``no_known_rendering`` (aligned ones whose English matches a known rendering
    of the concept, or none). ``aligned = known_rendering + no_known_rendering``.
    """
    inc = works[works["include"]].set_index("work_id")
    zh = paragraphs[paragraphs["work_id"].isin(inc.index)]
    hits = concept_hits(zh, lexicon)[["concept_id", "work_id", "para_id"]].drop_duplicates()
    if variants is None:
        variants, _ = translation_variants(paragraphs, pairs, works, lexicon)
    method = pairs.drop_duplicates("zh_para_id").set_index("zh_para_id")["method"]
    known = set(zip(variants["concept_id"], variants["zh_para_id"]))
    hits = hits.assign(
        aligned=hits["para_id"].isin(method.index),
        aligned_across=hits["para_id"].map(method).eq("across"),
        known_rendering=[(c, p) in known for c, p in zip(hits["concept_id"], hits["para_id"])],
    )
    out = (
        hits.groupby(["concept_id", "work_id"])
        .agg(
            zh_paragraphs=("para_id", "size"),
            aligned=("aligned", "sum"),
            aligned_across=("aligned_across", "sum"),
            known_rendering=("known_rendering", "sum"),
        )
        .reset_index()
    )
    out["no_known_rendering"] = out["aligned"] - out["known_rendering"]
    out["date"] = out["work_id"].map(inc["date"])
    order = {c.concept_id: i for i, c in enumerate(lexicon.concepts)}
    out = out.sort_values(
        ["concept_id", "date"], key=lambda s: s.map(order) if s.name == "concept_id" else s
    )
    return (
        out[COVERAGE_COLUMNS].astype({c: int for c in COVERAGE_COLUMNS[3:]}).reset_index(drop=True)
    )


def textstat_renderings(variants: pd.DataFrame) -> pd.DataFrame:
    """Renderings of each concept by work and date, with counts."""
    return (
        variants.groupby(["concept_id", "rendering", "date", "work_id"])
        .size()
        .rename("count")
        .reset_index()
        .sort_values(["concept_id", "date", "rendering"])
    )


NOT_ALIGNED = "(not aligned)"


def textplot_renderings(
    variants: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    concepts: list[str] | None = None,
    coverage: pd.DataFrame | None = None,
    fig=None,
):
    """For each concept, the English renderings (rows) used over time (x), sized by count.

    With ``coverage`` (:func:`translation_coverage`), each panel shows its
    denominators: the title counts the Chinese paragraphs holding the concept, the
    aligned ones and those with a known rendering, and a grey bottom row marks, per
    work, the mentions with no aligned English (hollow circles with their number),
    so works that say nothing about renderings stay in view. Returns the Axes.
    """

    from .plotting import LINE_PALETTE, Caption, date_axis, new_panels, set_caption, set_title

    table = textstat_renderings(variants)
    concepts = concepts or list(dict.fromkeys(table["concept_id"]))
    gaps = _unaligned(coverage)
    heights = [
        max(1, table[table["concept_id"] == c]["rendering"].nunique())
        + (c in set(gaps["concept_id"]))
        for c in concepts
    ]
    fig, axes = new_panels(
        len(concepts),
        1,
        height=0.4 + 0.45 * len(concepts) + 0.17 * sum(heights),
        fig=fig,
        sharex=True,
        gridspec_kw={"height_ratios": heights},
    )
    for i, (ax, cid) in enumerate(zip(axes[:, 0], concepts)):
        sub = table[table["concept_id"] == cid]
        gap = gaps[gaps["concept_id"] == cid]
        rows = list(dict.fromkeys(sub.sort_values("date")["rendering"]))
        rows += [NOT_ALIGNED] if len(gap) else []
        colour = LINE_PALETTE[i % len(LINE_PALETTE)]
        _points(ax, sub["date"], [rows.index(r) for r in sub["rendering"]], sub["count"], colour)
        if len(gap):
            y = [rows.index(NOT_ALIGNED)] * len(gap)
            _points(ax, gap["date"], y, gap["not_aligned"], "0.5", hollow=True)
        ax.set_yticks(range(len(rows)), rows)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        set_title(ax, _panel_title(cid, labels, coverage), fontsize=6.5, loc="left")
        ax.grid(axis="x", color="0.9")
    dates = as_dates(pd.concat([table["date"], gaps["date"]]))
    pad = max(pd.Timedelta(days=1), (dates.max() - dates.min()) * 0.04)
    axes[-1, 0].set_xlim(dates.min() - pad, dates.max() + pad)
    date_axis(axes[-1, 0], maxticks=10)
    set_caption(
        axes,
        Caption(
            "English renderings of each concept in the official translations, by work",
            "aligned Chinese-English paragraph pairs whose Chinese mentions the concept",
            int(table["work_id"].nunique()) if "work_id" in table else None,
            encodings={
                "filled circle": "pairs using the rendering (area and number)",
                "hollow grey circle": "mentions with no aligned English paragraph",
            },
            note="only works with official English say anything about renderings",
        ),
    )
    return axes


def _unaligned(coverage: pd.DataFrame | None) -> pd.DataFrame:
    """Per concept and work, the mentions with no aligned English."""
    if coverage is None:
        return pd.DataFrame(columns=["concept_id", "date", "not_aligned"])
    out = coverage.assign(not_aligned=coverage["zh_paragraphs"] - coverage["aligned"])
    return out[out["not_aligned"] > 0][["concept_id", "date", "not_aligned"]]


def _points(ax, dates, y, counts, colour, *, hollow: bool = False) -> None:
    x = as_dates(dates)
    style = {"facecolors": "none", "edgecolors": colour} if hollow else {"color": colour}
    ax.scatter(x, y, s=18 + 10 * pd.Series(list(counts)).clip(upper=40), zorder=3, **style)
    for xi, yi, n in zip(x, y, counts):
        ax.annotate(str(n), (xi, yi), textcoords="offset points", xytext=(6, -3), fontsize=6)


def _panel_title(cid: str, labels, coverage) -> str:
    title = (labels or {}).get(cid, cid)
    if coverage is None:
        return title
    n = coverage[coverage["concept_id"] == cid][["zh_paragraphs", "aligned", "known_rendering"]]
    n = n.sum()
    return (
        f"{title}\n{n['zh_paragraphs']} Chinese paragraphs mention it; {n['aligned']} aligned"
        f" with English, {n['known_rendering']} of those with a known rendering"
    )
