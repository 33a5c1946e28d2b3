"""Concepts over time: matches, counts with bootstrap intervals, first use, KWIC,
dispersion, co-occurrence networks and the English renderings of each concept.

Counting semantics
------------------
- Mentions come from :mod:`cyberdiscourse.matching`: forms leftmost-longest
  (网络空间命运共同体 is one match of ``cyber_community_shared_future``, not also a
  bare 命运共同体), minus excluded names (数据安全法), then the wording rules of
  ``concept_rules.csv`` over what the forms did not match, each passage once.
  ``from_forms`` and ``from_rules`` say how many of ``count`` came from each.
- A parent counts its children: ``community_shared_future`` = bare 命运共同体 +
  网络空间命运共同体 + 人类命运共同体 (``count``); ``own_count`` is the concept's own
  mentions only.
- Rates are per 10,000 Chinese (Han) characters of the unit's clean paragraphs, the
  package's one definition of "characters" for Chinese text (and per 10,000 tokens
  when tokens are given).
- Intervals (95% by default), ``interval=``:

  * ``"poisson"``: the exact (Garwood) interval of a Poisson count with the unit's
    characters as exposure. Meaningful at zero (0 occurrences in 5,000 characters:
    0 to 7.4 per 10,000) and at one or two; it assumes occurrences independent.
  * ``"bootstrap"``: percentile interval over the unit's paragraphs resampled with
    replacement, which carries the clustering of mentions in a few paragraphs, but
    is [0, 0] at a zero count and ragged at small ones. Each unit has its own random
    stream (seeded by ``random_state`` and the unit's name), so adding a work never
    moves another work's interval.
  * ``"both"`` (default): the wider of the two at each end, so neither the zero-count
    case nor the clustering is understated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dates import period_of, time_axis, unit_of
from .lexicon import Lexicon
from .matching import (  # noqa: F401  (the concept API, re-exported for the notebooks)
    HIT_COLUMNS,
    ancestors,
    concept_hits,
    resolve_concept,
    sentence_at,
    sentence_span,
    term_hits,
    with_parents,
)
from .normalise import count_cjk
from .plotting import Caption, date_axis, gloss, set_caption
from .renderings import (  # noqa: F401  (re-exported for the notebooks)
    textplot_renderings,
    textstat_renderings,
    translation_coverage,
    translation_variants,
)
from .validation import precision_note

# ---------------------------------------------------------------- counts


def poisson_interval(counts: np.ndarray, exposure, *, ci: float) -> tuple:
    """Exact (Garwood) interval of Poisson counts, as rates per 10,000 of ``exposure`` (one
    for all counts, or one each); nan where the exposure is not positive."""
    from scipy.stats import chi2

    counts = np.asarray(counts, dtype=float)
    exposure = np.broadcast_to(np.asarray(exposure, dtype=float), counts.shape)
    alpha = 1 - ci
    low = np.where(counts > 0, chi2.ppf(alpha / 2, 2 * counts) / 2, 0.0)
    high = chi2.ppf(1 - alpha / 2, 2 * (counts + 1)) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = exposure > 0
        return (
            np.where(positive, low / exposure * 10_000, np.nan),
            np.where(positive, high / exposure * 10_000, np.nan),
        )


def unit_rng(random_state: int, unit: str) -> np.random.Generator:
    """A random stream of one unit (a work, a year): independent of which others exist."""
    import hashlib

    key = int(hashlib.sha256(str(unit).encode("utf-8")).hexdigest()[:12], 16)
    return np.random.default_rng([random_state, key])


INTERVALS = ("both", "poisson", "bootstrap")


def _bootstrap(
    counts: np.ndarray, chars: np.ndarray, *, n_boot: int, ci: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of sum(counts)/sum(chars)*1e4 over resampled paragraphs.

    ``counts`` is paragraphs x concepts.
    """
    from scipy import sparse

    n = len(chars)
    idx = rng.integers(0, n, size=(n_boot, n))
    # Each resample as a row of paragraph weights (how often each was drawn): the sums
    # are exactly those of counts[idx].sum(axis=1), without an n_boot x n x concepts array
    # (gigabytes for a year of a large corpus).
    rows = np.repeat(np.arange(n_boot), n)
    weights = sparse.csr_matrix((np.ones(idx.size), (rows, idx.ravel())), shape=(n_boot, n))
    boot_counts = weights @ np.asarray(counts, dtype=float)  # n_boot x concepts
    boot_chars = (weights @ np.asarray(chars, dtype=float))[:, None]
    rates = boot_counts / np.where(boot_chars > 0, boot_chars, np.nan) * 10_000
    alpha = (1 - ci) / 2
    return np.nanquantile(rates, alpha, axis=0), np.nanquantile(rates, 1 - alpha, axis=0)


def _interval(counts, totals, chars, interval, *, n_boot, ci, rng) -> tuple:
    """Per-concept interval of one unit (see the module's notes)."""
    p_low, p_high = poisson_interval(totals, float(chars.sum()), ci=ci)
    if interval == "poisson":
        return p_low, p_high
    b_low, b_high = _bootstrap(counts, chars, n_boot=n_boot, ci=ci, rng=rng)
    if interval == "bootstrap":
        return b_low, b_high
    return np.fmin(p_low, b_low), np.fmax(p_high, b_high)


def textstat_concepts(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    lexicon: Lexicon,
    *,
    by: str = "work_id",
    tokens: pd.DataFrame | None = None,
    concepts: list[str] | None = None,
    n_boot: int = 1000,
    ci: float = 0.95,
    interval: str = "both",
    random_state: int = 0,
) -> pd.DataFrame:
    """Count, rate and interval of each concept in each work (or year).

    Parameters
    ----------
    by
        ``"work_id"``, or a unit of time (``"year"``, ``"month"``, ``"week"``, ``"day"``:
        the works of one period pooled; :func:`~cyberdiscourse.dates.time_unit_for`
        picks the one a corpus's span needs).
    tokens
        The token table, to add ``per_10k_tokens``.
    concepts
        Concept ids to report (default: all).
    interval
        ``"both"`` (default), ``"poisson"`` or ``"bootstrap"``: see the module's notes.

    Returns
    -------
    DataFrame ``<by>, date, concept_id, label, count, own_count, from_forms, from_rules,
    n_chars, per_10k_chars, ci_low, ci_high, interval[, n_tokens, per_10k_tokens]``, every
    unit x concept (zeros included).
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, not {interval!r}")
    inc = works[works["include"]]
    zh = paragraphs[(paragraphs["lang"] == "zh") & paragraphs["work_id"].isin(inc["work_id"])]
    ids = concepts or [c.concept_id for c in lexicon.concepts]
    hits = concept_hits(zh, lexicon)
    counted = with_parents(hits, lexicon)
    per_para = pd.crosstab(counted["para_id"], counted["counts_for"]).reindex(
        index=zh["para_id"], columns=ids, fill_value=0
    )
    by_form = counted[counted["rule"] == "form"]
    form_per_para = pd.crosstab(by_form["para_id"], by_form["counts_for"]).reindex(
        index=zh["para_id"], columns=ids, fill_value=0
    )
    own = pd.crosstab(hits["para_id"], hits["concept_id"]).reindex(
        index=zh["para_id"], columns=ids, fill_value=0
    )
    date = inc.set_index("work_id")["date"]
    unit = zh["work_id"] if by == "work_id" else period_of(zh["work_id"].map(date), by)
    chars = zh["text"].map(count_cjk).to_numpy()
    label = {c.concept_id: c.label for c in lexicon.concepts}
    all_counts, all_own, all_forms = per_para.to_numpy(), own.to_numpy(), form_per_para.to_numpy()
    rows = []
    positions = pd.Series(np.arange(len(zh))).groupby(unit.to_numpy()).indices
    for key in sorted(positions, key=lambda k: (date.get(k, k), k)):
        mask = positions[key]  # row positions of the unit's paragraphs (no scan per unit)
        counts = all_counts[mask]
        totals, own_totals = counts.sum(axis=0), all_own[mask].sum(axis=0)
        form_totals = all_forms[mask].sum(axis=0)
        n_chars = int(chars[mask].sum())
        low, high = _interval(
            counts,
            totals,
            chars[mask],
            interval,
            n_boot=n_boot,
            ci=ci,
            rng=unit_rng(random_state, key),
        )
        for j, cid in enumerate(ids):
            rows.append(
                {
                    by: key,
                    "date": date.get(key, key),
                    "concept_id": cid,
                    "label": label[cid],
                    "count": int(totals[j]),
                    "own_count": int(own_totals[j]),
                    "from_forms": int(form_totals[j]),
                    "from_rules": int(totals[j] - form_totals[j]),
                    "n_chars": n_chars,
                    "per_10k_chars": totals[j] / n_chars * 10_000 if n_chars else 0,
                    "ci_low": low[j],
                    "ci_high": high[j],
                    "interval": interval,
                }
            )
    out = pd.DataFrame(rows)
    if tokens is not None and len(out):
        n_tok = tokens[tokens["lang"] == "zh"].groupby("work_id")["n_tokens"].sum()
        if by != "work_id":
            n_tok = n_tok.groupby(period_of(n_tok.index.map(date), by).to_numpy()).sum()
        out["n_tokens"] = out[by].map(n_tok).fillna(0).astype(int)
        out["per_10k_tokens"] = out["count"] / out["n_tokens"].where(out["n_tokens"] > 0) * 10_000
    if by == "work_id" and len(out):
        extra = [c for c in ("genre", "issuer") if c in inc]
        out = out.merge(inc[["work_id", *extra]], on="work_id", how="left")
    out.attrs["n_documents"] = int(zh["work_id"].nunique())
    return out


# ---------------------------------------------------------------- context


def kwic(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    term: str,
    lexicon: Lexicon,
    *,
    chars: int | None = None,
    hits: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Keyword in context: every occurrence with its sentence (or ``chars`` either side).

    ``hits`` (of :func:`term_hits`), when already found, are used instead of a new search.

    Returns ``work_id, date, left, match, right, context, source, para_id, rule``:
    ``source`` is ``source_file:line`` of the raw capture, so a reader can find the
    original; ``rule`` says what matched (``form 网络主权``, ``near (concept_rules.csv
    row 2)``, ``literal`` for a term outside the lexicon).
    """
    hits = term_hits(paragraphs, term, lexicon) if hits is None else hits
    text = paragraphs.set_index("para_id")["text"]
    date = works.set_index("work_id")["date"]
    rows = []
    for h in hits.itertuples():
        t = text[h.para_id]
        if chars is None:
            sent = sentence_at(t, h.start, h.end)
            offset = t.find(sent)
            left, right = t[offset : h.start], t[h.end : offset + len(sent)]
        else:
            left, right = t[max(0, h.start - chars) : h.start], t[h.end : h.end + chars]
        rows.append(
            {
                "work_id": h.work_id,
                "date": date.get(h.work_id, ""),
                "left": left,
                "match": h.form,
                "right": right,
                "context": left + h.form + right,
                "source": f"{h.source_file}:{h.line_no}",
                "para_id": h.para_id,
                "rule": f"form {h.rule_name}" if h.rule == "form" else h.rule_name,
            }
        )
    columns = ["work_id", "date", "left", "match", "right", "context", "source", "para_id", "rule"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["date", "work_id", "para_id"], kind="stable").reset_index(drop=True)


def textstat_first_use(
    paragraphs: pd.DataFrame, works: pd.DataFrame, lexicon: Lexicon
) -> pd.DataFrame:
    """For each concept (children counted for parents): the earliest work that uses it,
    its date, the sentence and where it is in the raw capture."""
    inc = works[works["include"]].set_index("work_id")
    counted = with_parents(concept_hits(paragraphs, lexicon), lexicon)
    counted = counted[counted["work_id"].isin(inc.index)]
    position = paragraphs.set_index("para_id")["position"]
    counted = counted.assign(
        date=counted["work_id"].map(inc["date"]), pos=counted["para_id"].map(position)
    )
    text = paragraphs.set_index("para_id")["text"]
    label = {c.concept_id: c.label for c in lexicon.concepts}
    rows = []
    for c in lexicon.concepts:
        sub = counted[counted["counts_for"] == c.concept_id]
        if sub.empty:
            rows.append({"concept_id": c.concept_id, "label": c.label, "n_works": 0})
            continue
        first = sub.sort_values(["date", "work_id", "pos", "start"]).iloc[0]
        rows.append(
            {
                "concept_id": c.concept_id,
                "label": label[c.concept_id],
                "first_work": first["work_id"],
                "first_date": first["date"],
                "form": first["form"],
                "sentence": sentence_at(text[first["para_id"]], first["start"], first["end"]),
                "source": f"{first['source_file']}:{first['line_no']}",
                "n_works": sub["work_id"].nunique(),
            }
        )
    return pd.DataFrame(rows)


def dispersion(paragraphs: pd.DataFrame, hits: pd.DataFrame) -> pd.DataFrame:
    """Where in each work the matches fall: ``relative_position`` 0 (start) to 1 (end) of the
    work's Chinese text, in paragraph order."""
    zh = paragraphs[paragraphs["lang"] == "zh"].sort_values(["work_id", "position"])
    lengths = zh["text"].str.len()
    offset = lengths.groupby(zh["work_id"]).cumsum() - lengths
    total = lengths.groupby(zh["work_id"]).transform("sum")
    base = pd.DataFrame({"offset": offset, "total": total}).set_index(zh["para_id"])
    out = hits.join(base, on="para_id")
    out["relative_position"] = (out["offset"] + out["start"]) / out["total"]
    return out.drop(columns=["offset", "total"])


# ---------------------------------------------------------------- co-occurrence network


def cooccurrence_network(
    tokens: pd.DataFrame,
    lexicon: Lexicon,
    *,
    top_terms: int = 30,
    min_count: int = 3,
    min_pmi: float = 0.0,
    max_edges: int = 40,
):
    """A graph of concepts and frequent terms that co-occur in paragraphs.

    Nodes: every concept form found (named by its concept label) and the ``top_terms``
    most frequent other tokens, with their paragraph frequency. Edges: pairs found
    together in at least ``min_count`` paragraphs with PMI above ``min_pmi``
    (``PMI = log2(n_ab * N / (n_a * n_b))`` over N paragraphs), pruned to the
    ``max_edges`` strongest (paragraphs x PMI); each node gets a ``community``
    (greedy modularity, deterministic). Returns a :class:`networkx.Graph`.
    """
    import itertools
    from collections import Counter

    import networkx as nx

    zh = tokens[tokens["lang"] == "zh"]
    owner = lexicon.form_to_concept
    label = {c.concept_id: c.label for c in lexicon.concepts}

    def node(tok: str) -> str:
        return label[owner[tok]] if tok in owner else tok

    term_freq = Counter(t for ts in zh["tokens"] for t in set(ts) if t not in owner)
    keep = {t for t, _ in term_freq.most_common(top_terms)}
    sets = [{node(t) for t in ts if t in owner or t in keep} for ts in zh["tokens"]]
    n = len(sets)
    df = Counter(x for s in sets for x in s)
    pairs = Counter(p for s in sets for p in itertools.combinations(sorted(s), 2))
    graph = nx.Graph()
    concept_labels = set(label.values())
    # Sorted: set iteration order changes with Python's string hashing from run to run.
    for x, k in sorted(df.items()):
        graph.add_node(x, paragraphs=k, kind="concept" if x in concept_labels else "term")
    for (a, b), k in sorted(pairs.items()):
        pmi = float(np.log2(k * n / (df[a] * df[b])))
        if k >= min_count and pmi > min_pmi:
            graph.add_edge(a, b, count=k, pmi=round(pmi, 4))
    if "work_id" in zh:
        graph.graph["n_documents"] = int(zh["work_id"].nunique())
    concepts_found = [x for x in graph if x in concept_labels]
    _prune(graph, max_edges, keep_for=concepts_found)
    # A concept that occurs stays in the picture even when none of its pairs passes.
    graph.remove_nodes_from(
        [x for x in list(graph) if graph.degree(x) == 0 and x not in concept_labels]
    )
    communities = nx.community.greedy_modularity_communities(graph, weight="count")
    for i, members in enumerate(sorted(communities, key=lambda c: (-len(c), sorted(c)))):
        for member in members:
            graph.nodes[member]["community"] = i
    return graph


PER_CONCEPT_EDGES = 3  # each concept's strongest pairs are kept whatever the others weigh


def _prune(graph, max_edges: int, *, keep_for: list[str] = ()) -> None:
    """Keep the ``max_edges`` strongest edges (paragraphs x PMI, so both frequent and
    associated pairs), and each node of ``keep_for``'s ``PER_CONCEPT_EDGES`` strongest:
    in a corpus of laws the pairs of 应当 and 规定 outweigh every concept's. What was
    removed is recorded in ``graph.graph["pruning"]``."""
    edges = sorted(graph.edges(data=True), key=lambda e: (-e[2]["count"] * e[2]["pmi"], e[0], e[1]))
    if len(edges) <= max_edges:
        return
    kept = {(a, b) for a, b, _ in edges[:max_edges]}
    for node in keep_for:
        own = [(a, b) for a, b, _ in edges if node in (a, b)]
        kept.update(own[:PER_CONCEPT_EDGES])
    graph.remove_edges_from([(a, b) for a, b, _ in edges if (a, b) not in kept])
    graph.graph["pruning"] = (
        f"the {max_edges} strongest of {len(edges)} edges kept (paragraphs x PMI), and "
        f"each concept's {PER_CONCEPT_EDGES} strongest"
    )


def write_graphml(graph, path) -> None:
    """GraphML for Gephi, written atomically."""
    import networkx as nx

    from .io import write_atomic

    write_atomic(path, lambda tmp: nx.write_graphml(graph, tmp))


# ---------------------------------------------------------------- figures


MAX_PANELS = 12  # small multiples drawn at most
MAX_ROWS = 30  # works or groups a figure lists one by one
VALUE_UNITS = {
    "per_10k_chars": "per 10,000 Chinese (Han) characters",
    "per_10k_tokens": "per 10,000 tokens",
}
INTERVAL_NOTE = (
    "95%, the wider at each end of the exact Poisson interval (length as exposure) "
    "and a bootstrap over the unit's paragraphs"
)


def _rate_ceiling(rates, upper, used) -> float:
    """The top of a rate axis: set by the rates observed and the intervals of the units
    that use the concept, not by the upper bounds of units without a mention (a year
    of one short law can have an interval up to 50 per 10k while the rates are below
    0.2). Intervals past it are marked at the top with an arrow."""
    rates = np.asarray(rates, dtype=float)
    peak = float(np.nanmax(rates)) if rates.size and np.isfinite(rates).any() else 0.0
    if peak > 0:
        bounds = np.asarray(upper, dtype=float)[used] if upper is not None else []
        return max(peak * 1.35, max((u for u in bounds if np.isfinite(u)), default=0.0))
    finite = np.asarray(upper if upper is not None else [], dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    return float(finite.min()) if finite.size else 1.0


def textplot_timeline(
    stats: pd.DataFrame,
    concepts: list[str] | None = None,
    *,
    value: str = "per_10k_chars",
    ncols: int = 2,
    lines: bool = False,
    marker_by: str | None = "genre",
    sharey: bool = False,
    max_panels: int = MAX_PANELS,
    fig=None,
):
    """Small multiples, one concept each: the rate of each work (or year) as a point
    with its interval, on a real time axis.

    Parameters
    ----------
    stats
        Output of :func:`textstat_concepts` (by work or by year).
    concepts
        Concept ids, one panel each (default: every concept in ``stats``, up to
        ``max_panels``).
    lines
        Join the points (a guide to the eye only: nothing was observed between them).
    marker_by
        A column of ``stats`` (``genre``, ``issuer``) whose values get marker shapes.
    sharey
        One y-scale for every panel (to compare levels across concepts).
    fig
        A Figure to draw on (default: a new one).

    Returns
    -------
    numpy.ndarray of Axes. Each point is labelled with its count (and, in brackets,
    the mentions found by wording rules) while a panel has at most 15 points.
    """
    import math

    from matplotlib.lines import Line2D

    from .plotting import LINE_PALETTE, MARKERS, legend_below, new_panels, panel_columns, set_title

    concepts = list(dict.fromkeys(concepts or stats["concept_id"]))[:max_panels]
    ncols = min(panel_columns(ncols), len(concepts))
    nrows = math.ceil(len(concepts) / ncols)
    unit = unit_of(stats)
    fig, axes = new_panels(
        nrows, ncols, height=0.6 + 1.55 * nrows, fig=fig, sharex=True, sharey=sharey
    )
    shapes = {}
    if marker_by and marker_by in stats:
        kinds = sorted(stats[marker_by].fillna("").astype(str).unique())
        shapes = {k: MARKERS[i % len(MARKERS)] for i, k in enumerate(kinds)}
    has_ci = value == "per_10k_chars" and {"ci_low", "ci_high"} <= set(stats)
    tops: list[float] = []
    cut = 0  # intervals of units without a mention cut at the top
    for i, (ax, cid) in enumerate(zip(axes.flat, concepts)):
        sub = stats[stats["concept_id"] == cid].sort_values("date")
        x = time_axis(sub)
        y = sub[value].to_numpy(dtype=float)
        colour = LINE_PALETTE[i % len(LINE_PALETTE)]
        used = (sub["count"] > 0).to_numpy()  # units that mention the concept
        upper = sub["ci_high"].to_numpy(dtype=float) if has_ci else None
        if has_ci:
            # A unit without a mention has only an upper bound to show: drawn faint, so
            # seventy empty years do not look like seventy findings.
            for on, alpha in ((used, 0.45), (~used, 0.12)):
                if on.any():
                    ax.vlines(
                        np.asarray(x)[on], sub["ci_low"][on], sub["ci_high"][on],
                        color=colour, alpha=alpha, lw=1,
                    )  # fmt: skip
        if lines:
            ax.plot(x, y, "-", color=colour, lw=0.7, alpha=0.6)
        kind = sub[marker_by].fillna("").astype(str) if shapes else pd.Series("", index=sub.index)
        for k in kind.unique():
            on = (kind == k).to_numpy()
            ax.plot(x[on], y[on], shapes.get(k, "o"), color=colour, ms=3.5, ls="none")
        if len(sub) <= 15:
            by_rule = sub["from_rules"] if "from_rules" in sub else [0] * len(sub)
            for xi, yi, n, r in zip(x, y, sub["count"], by_rule):
                text = f"{n} ({r})" if r else str(n)
                ax.annotate(text, (xi, yi), textcoords="offset points", xytext=(3, 2), fontsize=6)
        set_title(ax, sub["label"].iloc[0] if len(sub) else cid, loc="left")
        top = _rate_ceiling(y, upper, used)
        tops.append(top)
        ax.set_ylim(0, top)
        if has_ci:  # an interval of a unit that uses the concept, past the top: an arrow
            past = upper > top
            cut += int((past & ~used).sum())
            if (past & used).any():
                ax.plot(
                    np.asarray(x)[past & used], [top * 0.97] * int((past & used).sum()),
                    ls="none", marker=r"$\uparrow$", color=colour, ms=6,
                )  # fmt: skip
        date_axis(ax)
    for ax in list(axes.flat)[len(concepts) :]:
        ax.set_visible(False)
    if sharey and tops:
        axes.flat[0].set_ylim(0, max(tops))
    unit_text = VALUE_UNITS.get(value, value)
    fig.supylabel(unit_text + (" (95% interval)" if has_ci else ""))
    if len(shapes) > 1:
        handles = [
            Line2D([], [], marker=m, ls="none", color="0.3", ms=4, label=k or "unknown")
            for k, m in shapes.items()
        ]
        legend_below(fig, handles, title=marker_by)
    encodings = {"point": f"one {unit.replace('_id', '')}", "vertical line": "95% interval"}
    if len(shapes) > 1:
        encodings["marker shape"] = marker_by
    set_caption(
        axes,
        Caption(
            "Mentions of each concept over time (forms, minus excluded names, plus wording "
            "rules; a parent counts its children)",
            unit_text,
            stats.attrs.get("n_documents"),
            interval=INTERVAL_NOTE if has_ci else "",
            encodings=encodings,
            note="; ".join(
                n
                for n in (
                    "numbers beside points: mentions (of which found by wording rules)"
                    if stats["concept_id"].isin(concepts).sum() <= 15 * len(concepts)
                    else "",
                    f"{cut} intervals of {unit.replace('_id', '')}s without a mention run past "
                    "the top (little text: the rate axis follows the rates); an arrow marks "
                    "one that has mentions"
                    if cut
                    else "",
                    precision_note(stats.attrs, list(concepts)),
                )
                if n
            ),
        ),
    )
    return axes


def textplot_heatmap(
    stats: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    value: str = "per_10k_chars",
    scale: str = "log",
    max_columns: int = 80,
    ax=None,
):
    """Concepts x works (or years): colour is the rate, the number the count.

    Parameters
    ----------
    scale
        ``"log"`` (default: one very high cell does not wash out the rest; zeros are
        blank), ``"row"`` (each concept relative to its own maximum, to compare where
        each concept peaks) or ``"linear"``.
    max_columns
        Columns drawn at most (the latest); with more works, draw a table by a unit of time.
    """
    from matplotlib.colors import LogNorm, Normalize

    from .plotting import new_figure

    if scale not in ("log", "row", "linear"):
        raise ValueError(f"scale must be 'log', 'row' or 'linear', not {scale!r}")
    unit = unit_of(stats)
    order = list(dict.fromkeys(stats.sort_values("date")[unit]))[-max_columns:]
    rows = list(dict.fromkeys(stats["label"]))  # the lexicon's order
    grid = stats.pivot_table(index="label", columns=unit, values=value).reindex(
        index=rows, columns=order
    )
    counts = stats.pivot_table(index="label", columns=unit, values="count").reindex(
        index=rows, columns=order
    )
    if ax is None:
        _, ax = new_figure(
            "two_column_tall", height=max(3.0, 1.2 + 0.16 * len(rows) + 0.05 * len(order))
        )
    shown = grid.to_numpy(dtype=float)
    if scale == "row":
        peak = np.nanmax(np.where(shown > 0, shown, np.nan), axis=1, keepdims=True)
        shown = shown / np.where(np.isnan(peak), 1, peak)
    shown = np.where(shown > 0, shown, np.nan)  # zero: blank cell
    positive = shown[~np.isnan(shown)]
    norm = (
        LogNorm(positive.min(), positive.max())
        if scale == "log" and len(positive) and positive.min() < positive.max()
        else Normalize(0, np.nanmax(shown) if len(positive) else 1)
    )
    im = ax.imshow(shown, aspect="auto", cmap="cividis", norm=norm)
    ax.set_facecolor("white")
    if grid.size <= 600:
        for (i, j), n in np.ndenumerate(counts.to_numpy()):
            if n:
                bright = not np.isnan(shown[i, j]) and norm(shown[i, j]) > 0.6
                ax.text(
                    j,
                    i,
                    int(n),
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="black" if bright else "white",
                )
    step = max(1, -(-len(order) // 30))  # at most 30 labels, so they stay readable
    ax.set_xticks(
        range(0, len(order), step),
        [(labels or {}).get(w, w) for w in order[::step]],
        rotation=40 if len(order) > 3 else 0,
        ha="right" if len(order) > 3 else "center",
    )
    ax.set_yticks(range(len(grid.index)), grid.index)
    legend = {
        "log": f"{VALUE_UNITS.get(value, value)} (log scale)",
        "row": "share of the concept's highest rate",
        "linear": VALUE_UNITS.get(value, value),
    }[scale]
    ax.figure.colorbar(im, ax=ax, label=legend, shrink=0.6)
    set_caption(
        ax,
        Caption(
            f"Every concept of the lexicon in every {unit.replace('_id', '')}",
            VALUE_UNITS.get(value, value),
            stats.attrs.get("n_documents"),
            encodings={"colour": legend, "number": "mentions", "blank cell": "no mention"},
        ),
    )
    return ax


def textplot_dispersion(
    disp: pd.DataFrame,
    works_order: list[str],
    *,
    labels: dict[str, str] | None = None,
    max_rows: int = MAX_ROWS,
    ax=None,
    title: str = "",
):
    """Where each work uses the concept: a tick per match along the work (0 = start).

    With more than ``max_rows`` works, the ``max_rows`` with the most matches are
    drawn (in ``works_order``) and the caption says how many are left out.
    """
    from .plotting import PALETTE, new_figure, set_title

    if len(works_order) > max_rows:
        most = disp["work_id"].value_counts().index[:max_rows]
        works_order = [w for w in works_order if w in set(most)]
    if ax is None:
        _, ax = new_figure("two_column", height=max(2.0, 0.7 + 0.2 * len(works_order)))
    for i, w in enumerate(works_order):
        pos = disp.loc[disp["work_id"] == w, "relative_position"]
        ax.vlines(pos, i - 0.35, i + 0.35, color=PALETTE[0], lw=0.9)
        ax.text(
            1.01, i, f"n={len(pos)}", va="center", fontsize=6.5, transform=ax.get_yaxis_transform()
        )
    ax.set_yticks(range(len(works_order)), [(labels or {}).get(w, w) for w in works_order])
    ax.set_xlim(0, 1)
    ax.set_ylim(len(works_order) - 0.5, -0.5)
    ax.set_xlabel("position in the work's Chinese text (0 = start, 1 = end)")
    if title:
        set_title(ax, title)
    left_out = disp["work_id"].nunique() - len(set(works_order) & set(disp["work_id"]))
    set_caption(
        ax,
        Caption(
            "Where each work mentions the concept",
            "relative position in the work's Chinese text",
            len(works_order),
            encodings={"tick": "one mention", "n": "mentions in the work"},
            note=f"{left_out} works with fewer mentions not drawn" if left_out > 0 else "",
        ),
    )
    return ax


def _keep_inside(ax, texts) -> None:
    """Shift each text that sticks out of the Axes back inside it (a wide label of a
    node at the edge)."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    to_data = ax.transData.inverted()
    for text in texts:
        box = text.get_window_extent(renderer)
        dx = max(frame.x0 - box.x0, 0) - max(box.x1 - frame.x1, 0)
        dy = max(frame.y0 - box.y0, 0) - max(box.y1 - frame.y1, 0)
        if dx or dy:
            x, y = ax.transData.transform(text.get_position())
            text.set_position(to_data.transform((x + dx, y + dy)))


def textplot_network(graph, *, ax=None, random_state: int = 0, title: str = ""):
    """Draw a co-occurrence network (see :func:`cooccurrence_network`): nodes coloured by
    community, concepts as squares and terms as circles, node size the paragraphs,
    edge width the PMI; a legend names each community by its largest node."""
    import networkx as nx
    from adjustText import adjust_text
    from matplotlib.lines import Line2D

    from .plotting import FONT_NAME, LINE_PALETTE, legend_below, new_figure, set_title

    if ax is None:
        _, ax = new_figure("two_column_tall")
    # Kamada-Kawai spreads nodes evenly (labels overlap less than with a spring layout),
    # started from a seeded spring layout so the figure is the same on every run.
    pos = nx.kamada_kawai_layout(graph, pos=nx.spring_layout(graph, seed=random_state))
    kinds = nx.get_node_attributes(graph, "kind")
    freq = nx.get_node_attributes(graph, "paragraphs")
    community = nx.get_node_attributes(graph, "community")
    top = max(freq.values(), default=1)
    colour = {n: LINE_PALETTE[community.get(n, 0) % len(LINE_PALETTE)] for n in graph}
    widths = [0.3 + 0.6 * d["pmi"] for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="0.75")
    for kind, shape in (("concept", "s"), ("term", "o")):
        nodes = [n for n in graph if kinds[n] == kind]
        nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=nodes,
            ax=ax,
            node_size=[40 + 500 * freq[n] / top for n in nodes],
            node_color=[colour[n] for n in nodes],
            node_shape=shape,
            alpha=0.8,
        )
    names = {n: gloss(n.split(" ")[-1] if kinds[n] == "concept" else n, sep="\n") for n in graph}
    texts = nx.draw_networkx_labels(
        graph, pos, labels=names, ax=ax, font_size=6, font_family=FONT_NAME
    )
    for t in texts.values():
        t.set_bbox({"facecolor": "white", "alpha": 0.6, "edgecolor": "none", "pad": 0.3})
    groups = sorted(set(community.values()))
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            ls="none",
            color=LINE_PALETTE[g % len(LINE_PALETTE)],
            ms=5,
            label=max((n for n in graph if community[n] == g), key=lambda n: freq[n]).split(" ")[
                -1
            ],
        )
        for g in groups
    ]
    handles += [
        Line2D([], [], marker="s", ls="none", color="0.4", ms=5, label="concept"),
        Line2D([], [], marker="o", ls="none", color="0.4", ms=5, label="term"),
    ]
    # below the network, which keeps the figure's whole width
    legend_below(ax.figure, handles, title="community (named by its largest node)")
    ax.set_axis_off()
    if title:
        set_title(ax, title)
    ax.margins(x=0.22, y=0.08)  # room for the labels of the outermost nodes
    # Labels of nearby nodes pushed apart (adjustText), each tied to its node by a line
    # when it had to move; deterministic, so the figure is the same on every run. The
    # labels stay inside the Axes and out of the layout, so the layout settles first and
    # does not move the Axes under them afterwards.
    for t in texts.values():
        t.set_in_layout(False)
        t.set_clip_on(False)  # the Axes may still move by a point or two when saved
    for _ in range(2):  # constrained layout settles over two passes
        ax.figure.canvas.draw()
    adjust_text(
        list(texts.values()),
        ax=ax,
        expand=(1.1, 1.3),
        arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.4},
        iter_lim=250,  # a count, not adjustText's default time limit: the same on every run
    )
    for drawn in ax.texts:  # the lines adjustText drew stay out of the layout too
        drawn.set_in_layout(False)
    _keep_inside(ax, texts.values())
    set_caption(
        ax,
        Caption(
            f"Concepts and frequent terms co-occurring in paragraphs: the "
            f"{graph.number_of_edges()} strongest pairs",
            "paragraphs",
            graph.graph.get("n_documents"),
            encodings={
                "node size": "paragraphs with the node",
                "edge width": "PMI of the pair",
                "colour": "community (greedy modularity)",
                "shape": "square: concept; circle: term",
            },
            note=graph.graph.get("pruning", ""),
        ),
    )
    return ax
