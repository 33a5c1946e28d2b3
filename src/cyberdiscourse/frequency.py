"""Term frequency, TF-IDF, keyness and collocations (``textstat_*``), and their
figures (``textplot_*``).

Every ``textstat_*`` takes the token table of :func:`cyberdiscourse.tokens.load_tokens`
(one row per paragraph, a list of tokens in ``tokens``) and returns a tidy DataFrame.
Grouping columns (``year``, ``period``) are added with :func:`add_groups`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.stats import chi2

from .plotting import (
    FONT_PATH,
    LINE_PALETTE,
    MIN_FONT_PT,
    PALETTE,
    Caption,
    axes_width,
    gloss,
    legend_below,
    new_figure,
    new_panels,
    panel_columns,
    set_caption,
    set_title,
    wrap,
)

MAX_PANELS = 12  # small multiples drawn at most


def add_groups(
    tokens: pd.DataFrame, works: pd.DataFrame, *, period_boundary: int | str | None = None
) -> pd.DataFrame:
    """Add ``date``, ``year`` and (with ``period_boundary``) ``period`` from the works table.

    ``period`` is ``"before <boundary>"``, ``"<boundary> and after"`` or ``"undated"``
    (``year`` is then missing). The boundary is a year (``2019``) or a day
    (``"2023-01-16"``, for a corpus within a year or two); against a day, a work dated
    only to its month or year cannot be placed and counts as undated.
    """
    dates = works.set_index("work_id")["date"]
    out = tokens.copy()
    out["date"] = out["work_id"].map(dates).fillna("")
    out["year"] = pd.to_numeric(out["date"].str.slice(0, 4), errors="coerce").astype("Int64")
    if period_boundary is not None:
        if isinstance(period_boundary, str) and len(period_boundary) > 4:
            known = (out["date"].str.len() >= 10).to_numpy()
            early = (out["date"] < period_boundary).to_numpy(dtype=bool)
        else:
            boundary = int(period_boundary)
            known = out["year"].notna().to_numpy()
            early = (out["year"].fillna(boundary) < boundary).to_numpy(dtype=bool)
        out["period"] = np.where(
            ~known,
            "undated",
            np.where(early, f"before {period_boundary}", f"{period_boundary} and after"),
        )
    return out


def explode(tokens: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """One row per token occurrence (empty paragraphs drop out), with the given columns of
    its paragraph (default: all but the token lists and sizes). Only the columns asked for
    are repeated per token, which keeps a corpus of millions of tokens small."""
    if columns is None:
        columns = [c for c in tokens.columns if c not in ("tokens", "n_tokens", "n_chars")]
    lists = tokens["tokens"].to_numpy()
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    rows = np.repeat(np.arange(len(tokens)), lengths)
    long = tokens[columns].iloc[rows].reset_index(drop=True)
    long["term"] = np.fromiter(
        (t for toks in lists for t in toks), dtype=object, count=int(lengths.sum())
    )
    return long


def _as_list(groups: str | list[str] | None) -> list[str]:
    return [] if groups is None else [groups] if isinstance(groups, str) else list(groups)


def textstat_frequency(
    tokens: pd.DataFrame,
    *,
    groups: str | list[str] | None = None,
    n: int | None = None,
    min_count: int = 1,
) -> pd.DataFrame:
    """Counts, document frequency and rates per 10,000 tokens and per 10,000 characters.

    Parameters
    ----------
    groups
        Column(s) to count within, e.g. ``"work_id"``, ``"year"``, ``"period"``, ``"lang"``.
    n
        Keep the top ``n`` terms of each group.

    Returns
    -------
    DataFrame with the group columns, ``term, count, docfreq, rank, per_10k_tokens,
    per_10k_chars``; ``docfreq`` counts paragraphs. Characters are those of the
    group's paragraphs, so rates compare fairly across groups of unequal length, in
    the package's one definition (:func:`cyberdiscourse.normalise.text_size`): Han
    characters of Chinese paragraphs, non-space characters of English ones.
    """
    keys = _as_list(groups)
    long = explode(tokens, keys + ["para_id"])
    counts = (
        long.groupby(keys + ["term"], sort=False)
        .agg(count=("term", "size"), docfreq=("para_id", "nunique"))
        .reset_index()
    )
    if keys:
        sizes = tokens.groupby(keys)[["n_tokens", "n_chars"]].sum().reset_index()
        counts = counts.merge(sizes, on=keys, how="left")
    else:
        counts["n_tokens"] = tokens["n_tokens"].sum()
        counts["n_chars"] = tokens["n_chars"].sum()
    counts["per_10k_tokens"] = counts["count"] / counts["n_tokens"] * 10_000
    counts["per_10k_chars"] = counts["count"] / counts["n_chars"] * 10_000
    counts = counts[counts["count"] >= min_count]
    counts = counts.sort_values(
        keys + ["count", "term"], ascending=[True] * len(keys) + [False, True], kind="stable"
    )
    counts["rank"] = counts.groupby(keys).cumcount() + 1 if keys else range(1, len(counts) + 1)
    if n is not None:
        counts = counts[counts["rank"] <= n]
    cols = keys + ["term", "count", "docfreq", "rank", "per_10k_tokens", "per_10k_chars"]
    out = counts[cols].reset_index(drop=True)
    out.attrs.update(
        n_documents=int(tokens["work_id"].nunique()) if "work_id" in tokens else None,
        n_tokens=int(tokens["n_tokens"].sum()),
        lang=",".join(sorted(tokens["lang"].unique())) if "lang" in tokens else "",
    )
    return out


def textstat_tfidf(
    tokens: pd.DataFrame, *, by: str = "work_id", n: int | None = 10
) -> pd.DataFrame:
    """TF-IDF of each term in each unit (``by``), top ``n`` per unit.

    ``tf`` is the term's share of the unit's tokens; ``idf = ln((1 + N) / (1 + df)) + 1``
    with ``N`` units and ``df`` units containing the term (scikit-learn's smoothed idf).
    """
    long = explode(tokens, [by])
    counts = long.groupby([by, "term"]).size().rename("count").reset_index()
    totals = counts.groupby(by)["count"].transform("sum")
    n_units = counts[by].nunique()
    df = counts.groupby("term")[by].nunique()
    counts["tf"] = counts["count"] / totals
    counts["idf"] = np.log((1 + n_units) / (1 + counts["term"].map(df))) + 1
    counts["tfidf"] = counts["tf"] * counts["idf"]
    counts = counts.sort_values([by, "tfidf", "term"], ascending=[True, False, True])
    counts["rank"] = counts.groupby(by).cumcount() + 1
    if n is not None:
        counts = counts[counts["rank"] <= n]
    return counts.reset_index(drop=True)


def g2_2x2(o11, o12, o21, o22):
    """Log-likelihood G² of 2x2 tables (vectorised); cells of 0 contribute 0."""
    o = np.array([o11, o12, o21, o22], dtype=float)
    n = o.sum(axis=0)
    rows = np.array([o[0] + o[1], o[0] + o[1], o[2] + o[3], o[2] + o[3]])
    cols = np.array([o[0] + o[2], o[1] + o[3], o[0] + o[2], o[1] + o[3]])
    e = rows * cols / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(o > 0, o * np.log(o / e), 0.0)
    return 2 * terms.sum(axis=0)


KEYNESS_COLUMNS = [
    "term",
    "n_target",
    "n_reference",
    "docs_target",
    "docs_reference",
    "dispersion",
    "expected_min",
    "G2",
    "p",
    "q",
    "log_ratio",
    "significant",
]


def textstat_keyness(
    tokens: pd.DataFrame,
    target: pd.Series | np.ndarray,
    *,
    min_count: int = 5,
    docs: str = "work_id",
    min_docs: int = 1,
    alpha: float = 0.05,
    min_expected: float = 5.0,
) -> pd.DataFrame:
    """Keyness of every term in the target rows against the rest, with the documents behind it.

    Parameters
    ----------
    target
        Boolean, one value per row of ``tokens`` (e.g. ``tokens["period"] == "2019 and after"``).
    min_count
        Terms with fewer occurrences in both groups together are left out (not tested).
    docs
        The column naming each row's document: a term's documents are counted in it.
    min_docs, alpha, min_expected
        A term is ``significant`` when its Benjamini-Hochberg ``q`` is below ``alpha``,
        every expected cell of its 2x2 table is at least ``min_expected`` (below that
        the chi-squared approximation of G² is poor) and it occurs in at least
        ``min_docs`` documents of the group it is key for.

    Returns
    -------
    DataFrame :data:`KEYNESS_COLUMNS`, most key for the target first. ``G2`` is Dunning's
    log-likelihood on the full 2x2 table, signed negative when the term is relatively more
    frequent in the reference; ``p`` its chi-squared(1) p-value and ``q`` the p-value
    adjusted for the number of terms tested (Benjamini-Hochberg, scipy); ``log_ratio`` is
    Hardie's binary log ratio of relative frequencies (a zero count taken as 0.5);
    ``docs_target``/``docs_reference`` count the documents holding the term and
    ``dispersion`` is Gries' DP over the target's documents (0: spread as the documents'
    sizes, 1: all in one document). The frame's ``attrs`` record both groups' documents
    and tokens. Tokens are not independent draws, so p and q rank rather than prove;
    with few documents a group contrast is a contrast between those documents.
    """
    target = np.asarray(target, dtype=bool)
    counts = _UnitCounts(tokens, np.where(target, 1, 0), docs if docs in tokens else None)
    return counts.keyness(1, min_count, min_docs, alpha, min_expected)


class _UnitCounts:
    """Term counts of every unit and of every document, counted once: keyness of each unit
    against the rest then needs no pass over the tokens (a corpus of thousands of works
    compared year by year is counted once, not once per year)."""

    def __init__(self, tokens: pd.DataFrame, units: np.ndarray, docs: str | None) -> None:
        lists = tokens["tokens"].to_numpy()
        lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
        flat = np.fromiter(
            (t for toks in lists for t in toks), dtype=object, count=int(lengths.sum())
        )
        term_codes, self.terms = pd.factorize(flat, sort=True)
        del flat
        unit_codes, self.units = pd.factorize(pd.Series(units), sort=True)
        raw_docs = pd.factorize(tokens[docs])[0] if docs is not None else np.arange(len(tokens))
        # a document's rows in one unit are one "document" of that unit, so documents
        # always nest in units, even when a unit is any mask of rows
        doc_codes = pd.factorize(raw_docs.astype(np.int64) * len(self.units) + unit_codes)[0]
        row = np.repeat(np.arange(len(tokens)), lengths)
        n_terms = len(self.terms)
        self.unit_term = np.zeros((len(self.units), n_terms), dtype=np.int64)
        np.add.at(self.unit_term, (unit_codes[row], term_codes), 1)
        # (document, term) pairs with their counts, and each document's unit and size
        key = doc_codes[row].astype(np.int64) * n_terms + term_codes
        pairs, self.k = np.unique(key, return_counts=True)
        self.pair_doc, self.pair_term = pairs // n_terms, pairs % n_terms
        n_docs = int(doc_codes.max()) + 1 if len(doc_codes) else 0
        self.doc_unit = np.zeros(n_docs, dtype=np.int64)
        self.doc_unit[doc_codes] = unit_codes
        self.doc_size = np.bincount(doc_codes[row], minlength=n_docs)
        self.docs_per_term = np.bincount(self.pair_term, minlength=n_terms)
        self.has_docs = docs is not None
        self.unit_docs = np.bincount(self.doc_unit, minlength=len(self.units))

    def keyness(self, unit, min_count, min_docs, alpha, min_expected) -> pd.DataFrame:
        where = np.flatnonzero(self.units == unit)
        u = int(where[0]) if len(where) else -1
        a = self.unit_term[u].astype(float) if u >= 0 else np.zeros(len(self.terms))
        b = self.unit_term.sum(axis=0) - a
        c, d = a.sum(), b.sum()
        keep = (a + b) >= min_count
        in_unit = self.doc_unit[self.pair_doc] == u
        docs_t = np.bincount(self.pair_term[in_unit], minlength=len(self.terms))
        docs_r = self.docs_per_term - docs_t
        # Gries' DP over the unit's documents: 0.5 * sum_i |v_i - s_i|, where documents
        # without the term add s_i (hence the 1 - s_i below)
        unit_size = self.doc_size[self.doc_unit == u].sum()
        share = self.doc_size[self.pair_doc[in_unit]] / unit_size if unit_size else 0.0
        held = self.pair_term[in_unit]
        v = self.k[in_unit] / np.where(a[held] > 0, a[held], 1)
        part = np.bincount(held, weights=np.abs(v - share) - share, minlength=len(self.terms))
        dispersion = np.where(docs_t > 0, 0.5 * (1 + part), np.nan)
        a, b = a[keep], b[keep]
        g2 = g2_2x2(a, b, c - a, d - b)
        sign = np.where(a / c >= b / d, 1.0, -1.0)
        p = chi2.sf(g2, 1)
        out = pd.DataFrame(
            {
                "term": np.asarray(self.terms, dtype=object)[keep],
                "n_target": a.astype(int),
                "n_reference": b.astype(int),
                "docs_target": docs_t[keep] if self.has_docs else 0,
                "docs_reference": docs_r[keep] if self.has_docs else 0,
                "dispersion": dispersion[keep] if self.has_docs else np.nan,
                "expected_min": _expected_min(a, b, c, d),
                "G2": sign * g2,
                "p": p,
                "q": _bh(p),
                "log_ratio": np.log2((np.where(a > 0, a, 0.5) / c) / (np.where(b > 0, b, 0.5) / d)),
            }
        )
        own_docs = np.where(out["G2"] > 0, out["docs_target"], out["docs_reference"])
        out["significant"] = (
            (out["q"] < alpha) & (out["expected_min"] >= min_expected) & (own_docs >= min_docs)
        )
        out = out[KEYNESS_COLUMNS].sort_values(["G2", "term"], ascending=[False, True])
        out = out.reset_index(drop=True)
        total_docs = int(self.unit_docs.sum())
        target_docs = int(self.unit_docs[u]) if u >= 0 else 0
        out.attrs = {
            "target_docs": target_docs if self.has_docs else 0,
            "reference_docs": total_docs - target_docs if self.has_docs else 0,
            "target_tokens": int(c),
            "reference_tokens": int(d),
            "alpha": alpha,
            "min_expected": min_expected,
        }
        return out


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (scipy's ``false_discovery_control``)."""
    from scipy.stats import false_discovery_control

    return false_discovery_control(p, method="bh") if len(p) else np.asarray(p, dtype=float)


def _expected_min(a, b, c, d) -> np.ndarray:
    """The smallest expected count of each term's 2x2 table (term/other x target/reference)."""
    n = c + d
    row_term, row_other = a + b, n - a - b
    return np.minimum.reduce(
        [row_term * c / n, row_term * d / n, row_other * c / n, row_other * d / n]
    )


def textstat_keyness_by(
    tokens: pd.DataFrame, *, by: str = "work_id", n: int | None = 10, **options
) -> pd.DataFrame:
    """Each unit (a work, by default) against all the others: what is distinctive of it.

    For a small corpus this is the comparison that respects documents: every work
    is compared with the rest, and ``q`` is adjusted over all tests of all units
    together. Returns the :func:`textstat_keyness` columns plus ``by`` and ``rank``,
    the top ``n`` significant terms of each unit with a positive G² (None: all rows).
    ``options`` go to :func:`textstat_keyness` (``docs`` defaults to ``by``).
    """
    docs = options.get("docs", by)
    alpha = options.get("alpha", 0.05)
    min_expected = options.get("min_expected", 5.0)
    min_docs = options.get("min_docs", 1)
    rows = tokens[tokens[by].notna()]
    counts = _UnitCounts(rows, rows[by].to_numpy(), docs if docs in rows else None)
    frames = [
        counts.keyness(unit, options.get("min_count", 5), min_docs, alpha, min_expected).assign(
            **{by: unit}
        )
        for unit in counts.units
    ]
    if not frames:
        return pd.DataFrame(columns=[by, "rank", *KEYNESS_COLUMNS])
    out = pd.concat(frames, ignore_index=True)
    out["q"] = _bh(out["p"].to_numpy())
    own_docs = np.where(out["G2"] > 0, out["docs_target"], out["docs_reference"])
    out["significant"] = (
        (out["q"] < alpha) & (out["expected_min"] >= min_expected) & (own_docs >= min_docs)
    )
    if n is not None:
        out = out[(out["G2"] > 0) & out["significant"]]
    out = out.sort_values([by, "G2", "term"], ascending=[True, False, True], kind="stable")
    out["rank"] = out.groupby(by).cumcount() + 1
    if n is not None:
        out = out[out["rank"] <= n]
    return out[[by, "rank", *KEYNESS_COLUMNS]].reset_index(drop=True)


_WORD = re.compile("[\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9]")
_EN_STREAM = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+|[^\sA-Za-z\d]")


def token_streams(paragraphs: pd.DataFrame, lexicon, *, lang: str = "zh") -> pd.DataFrame:
    """The text as written, for collocations: every token of every paragraph in order,
    stopwords kept, split into runs at punctuation (and a paragraph is its own run).

    Returns ``para_id, work_id, lang, runs`` where ``runs`` is a list of token lists.
    Chinese is cut by the project's segmenter (lexicon forms whole); English into words.
    """
    from .tokens import Segmenter

    sub = paragraphs[paragraphs["lang"] == lang]
    cut = Segmenter(lexicon).raw_zh if lang == "zh" else _EN_STREAM.findall
    runs = [_runs(cut(text), lower=lang != "zh") for text in sub["text"]]
    return pd.DataFrame(
        {"para_id": sub["para_id"], "work_id": sub["work_id"], "lang": lang, "runs": runs}
    ).reset_index(drop=True)


def _runs(tokens: list[str], *, lower: bool) -> list[list[str]]:
    """Tokens split at every token without a letter, digit or Han character."""
    out, run = [], []
    for tok in tokens:
        if _WORD.search(tok):
            run.append(tok.lower() if lower else tok)
        elif run:
            out.append(run)
            run = []
    if run:
        out.append(run)
    return out


def _candidate(words, stopwords) -> bool:
    return not any(w in stopwords or len(w) < 2 and not w.isascii() for w in words)


COLLOCATION_COLUMNS = ["collocation", "count", "expected", "PMI", "G2", "t_score", "log_dice"]


def textstat_collocations(
    streams: pd.DataFrame,
    *,
    size: int = 2,
    min_count: int = 3,
    stopwords=frozenset(),
    min_g2: float = 10.83,
) -> pd.DataFrame:
    """Adjacent n-grams of the text as written (:func:`token_streams`), never across
    punctuation or a paragraph's edge; stopwords are dropped from the candidates only
    afterwards, so "A 的 B" never counts as the bigram "A B".

    The 2x2 table of each n-gram counts the n-gram slots of the corpus (every run of
    ``k`` tokens has ``k - size + 1``): ``O`` the n-gram, ``R`` slots starting with its
    first ``size - 1`` words, ``C`` slots ending with its last word, ``N`` all slots.
    ``expected = R C / N``, ``PMI = log2(O / expected)``, ``G2`` Dunning's
    log-likelihood of the table, ``t_score = (O - expected) / sqrt(O)``, ``log_dice =
    14 + log2(2 O / (f(first) + f(last)))`` with the words' token frequencies.
    ``significant``: G² at least ``min_g2`` (10.83: p < 0.001 for one degree of freedom).
    """
    grams: Counter = Counter()
    freq: Counter = Counter()
    for runs in streams["runs"]:
        for run in runs:
            freq.update(run)
            grams.update(zip(*(run[i:] for i in range(size))))
    n = sum(grams.values())
    if not n:
        return pd.DataFrame(columns=[*COLLOCATION_COLUMNS, "significant"])
    heads: Counter = Counter()
    tails: Counter = Counter()
    for g, k in grams.items():
        heads[g[:-1]] += k
        tails[g[-1]] += k
    rows = [(g, k) for g, k in grams.items() if k >= min_count and _candidate(g, stopwords)]
    o = np.array([k for _, k in rows], dtype=float)
    r = np.array([heads[g[:-1]] for g, _ in rows], dtype=float)
    c = np.array([tails[g[-1]] for g, _ in rows], dtype=float)
    expected = r * c / n
    out = pd.DataFrame(
        {
            "collocation": [" ".join(g) for g, _ in rows],
            "count": o.astype(int),
            "expected": expected,
            "PMI": np.log2(o / expected) if len(rows) else [],
            "G2": g2_2x2(o, r - o, c - o, n - r - c + o),
            "t_score": (o - expected) / np.sqrt(o) if len(rows) else [],
            "log_dice": 14
            + np.log2(2 * o / np.array([freq[g[0]] + freq[g[-1]] for g, _ in rows], dtype=float))
            if len(rows)
            else [],
        }
    )
    out["significant"] = out["G2"] >= min_g2
    return out.sort_values(["G2", "collocation"], ascending=[False, True]).reset_index(drop=True)


def textstat_collocates(
    streams: pd.DataFrame,
    node: str | Iterable[str],
    *,
    window: int = 5,
    min_count: int = 2,
    stopwords=frozenset(),
    min_g2: float = 10.83,
) -> pd.DataFrame:
    """Words within ``window`` tokens of ``node`` in the text as written (:func:`token_streams`):
    windows stop at punctuation and paragraph edges, and where two node occurrences'
    windows overlap a token is counted once.

    ``node`` may be one term or several (all forms of a concept, e.g.
    ``lexicon.forms_of("community_shared_future")``); they count as one node.

    Returns ``collocate, count, expected, PMI, G2, significant``: ``count`` is the
    collocate's tokens inside the windows; the windows hold ``S`` token slots (as they
    actually fall, cut at edges) out of the ``N`` tokens that are not the node, so
    ``expected = f(collocate) S / N`` and ``PMI = log2(count / expected)``; ``G2`` is
    the log-likelihood of the table (in windows or not x collocate or not).
    Stopwords are left out of the candidates, not out of the text.
    """
    nodes = {node} if isinstance(node, str) else set(node)
    freq: Counter = Counter()
    co: Counter = Counter()
    slots = 0
    for runs in streams["runs"]:
        for run in runs:
            freq.update(run)
            hits = [i for i, t in enumerate(run) if t in nodes]
            if not hits:
                continue
            inside = {
                j
                for i in hits
                for j in range(max(0, i - window), min(len(run), i + window + 1))
                if run[j] not in nodes
            }
            slots += len(inside)
            co.update(run[j] for j in inside)
    n = sum(freq.values()) - sum(freq[x] for x in nodes)
    rows = [(w, k) for w, k in co.items() if k >= min_count and _candidate([w], stopwords)]
    if not rows or not n:
        return pd.DataFrame(columns=["collocate", "count", "expected", "PMI", "G2", "significant"])
    o = np.array([k for _, k in rows], dtype=float)
    f_col = np.array([freq[w] for w, _ in rows], dtype=float)
    expected = f_col * slots / n
    g2 = g2_2x2(o, slots - o, f_col - o, n - slots - f_col + o)
    out = pd.DataFrame(
        {
            "collocate": [w for w, _ in rows],
            "count": o.astype(int),
            "expected": expected,
            "PMI": np.log2(o / expected),
            "G2": g2,
        }
    )
    out["significant"] = out["G2"] >= min_g2
    out = out.sort_values(["G2", "collocate"], ascending=[False, True]).reset_index(drop=True)
    if "work_id" in streams:
        out.attrs["n_documents"] = int(streams["work_id"].nunique())
    return out


# ---------------------------------------------------------------- figures


UNITS = {"per_10k_tokens": "per 10,000 tokens", "per_10k_chars": "per 10,000 characters"}


def textplot_top_terms(
    freq: pd.DataFrame,
    *,
    n: int = 20,
    value: str = "per_10k_tokens",
    ax=None,
    color: str = PALETTE[0],
    title: str | None = None,
):
    """Horizontal bars of the top ``n`` terms of a :func:`textstat_frequency` table;
    Chinese terms carry their English gloss (:func:`~cyberdiscourse.plotting.gloss`)."""
    if ax is None:
        _, ax = new_figure("one_column_tall", height=max(2.0, 0.5 + 0.15 * min(n, len(freq))))
    top = freq.nlargest(n, value).iloc[::-1]
    ax.barh([gloss(t) for t in top["term"]], top[value], color=color)
    ax.set_xlabel(UNITS.get(value, value))
    if title:
        set_title(ax, title)
    set_caption(
        ax,
        Caption(
            f"The {len(top)} most frequent terms"
            + (f" ({freq.attrs['lang']})" if freq.attrs.get("lang") else ""),
            UNITS.get(value, value) + " of the language's tokens, stopwords removed",
            freq.attrs.get("n_documents"),
            encodings={"bar length": UNITS.get(value, value)},
            note="terms segmented by jieba with the concept lexicon kept whole; "
            "English glosses in brackets",
        ),
    )
    return ax


def textplot_terms_by_group(
    freq: pd.DataFrame,
    group: str,
    *,
    n: int = 8,
    value: str = "per_10k_tokens",
    ncols: int | None = None,
    labels=None,
    max_panels: int = MAX_PANELS,
    fig=None,
):
    """Small multiples: the top ``n`` terms of each group on one shared x-scale.

    At most ``max_panels`` panels are drawn (the first groups in order; the caption
    says how many are left out). Returns the array of Axes.
    """
    groups = list(dict.fromkeys(freq[group]))
    if labels:  # the order of ``labels`` (e.g. works by date) wins
        groups = [g for g in labels if g in groups] + [g for g in groups if g not in labels]
    shown = _largest_groups(freq, group, groups, max_panels)
    ncols = min(ncols or panel_columns(3), len(shown))
    nrows = math.ceil(len(shown) / ncols)
    fig, axes = new_panels(
        nrows, ncols, height=0.4 + nrows * (0.25 + 0.13 * n), fig=fig, sharex=True
    )
    for ax, g in zip(axes.flat, shown):
        sub = freq[freq[group] == g]
        textplot_top_terms(
            sub,
            n=n,
            value=value,
            ax=ax,
            color=PALETTE[shown.index(g) % len(LINE_PALETTE)],
            title=(labels or {}).get(g, str(g)),
        )
        ax.set_xlabel("")
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_visible(False)
    fig.supxlabel(UNITS.get(value, value) + " (one scale for every panel)")
    left_out = [str((labels or {}).get(g, g)) for g in groups if g not in shown]
    set_caption(
        axes,
        Caption(
            f"The {n} most frequent terms of each {group.replace('_id', '')}",
            UNITS.get(value, value) + " of the group's tokens",
            freq.attrs.get("n_documents"),
            encodings={"bar length": UNITS.get(value, value), "panel": f"one {group}"},
            note=(
                f"{len(left_out)} smallest groups not drawn ({', '.join(left_out[:4])}"
                f"{' …' if len(left_out) > 4 else ''}; all in the CSV)"
                if left_out
                else ""
            ),
        ),
    )
    return axes


def _largest_groups(freq: pd.DataFrame, group: str, groups: list, cap: int) -> list:
    """The ``cap`` groups with the most tokens counted, in their given order: a
    75-year corpus drawn by five-year periods keeps its fullest periods, not the
    earliest ones."""
    if len(groups) <= cap or "count" not in freq:
        return groups[:cap]
    sizes = freq.groupby(group)["count"].sum()
    keep = set(sizes.sort_values(ascending=False, kind="stable").index[:cap])
    return [g for g in groups if g in keep]


def textplot_keyness(
    keyness: pd.DataFrame,
    *,
    n: int = 15,
    target: str = "target",
    reference: str = "reference",
    ax=None,
):
    """Two-sided bars: the ``n`` most key terms of the target (right) and of the reference
    (left). Significant terms (see :func:`textstat_keyness`) are coloured, the others
    grey (the legend states the threshold); the axis label names both groups with their
    documents and tokens. Returns the Axes."""
    from matplotlib.patches import Patch

    top = keyness[keyness["G2"] > 0].head(n)
    bottom = keyness[keyness["G2"] < 0].tail(n)
    both = pd.concat([top, bottom]).iloc[::-1]
    if ax is None:
        _, ax = new_figure("two_column", height=max(2.4, 1.0 + 0.13 * len(both)))
    sig = both["significant"] if "significant" in both else pd.Series(True, index=both.index)
    colours = [
        (PALETTE[0] if g > 0 else PALETTE[1]) if s else "0.78" for g, s in zip(both["G2"], sig)
    ]
    ax.barh([gloss(t) for t in both["term"]], both["G2"], color=colours)
    ax.axvline(0, color="0.2", lw=0.6)
    at = keyness.attrs

    def size(group: str) -> str:
        if f"{group}_docs" not in at:
            return ""
        return f" ({at[f'{group}_docs']} docs, {at[f'{group}_tokens']:,} tokens)"

    ax.set_xlabel(
        wrap(
            f"signed G²: ← {reference}{size('reference')} · {target}{size('target')} →",
            axes_width(ax),
            fontsize=7,
        )
    )
    if "alpha" in at:
        rule = f"q < {at['alpha']}, expected ≥ {at['min_expected']:g}"
        legend_below(  # below the bars: no corner of the Axes is free for every table
            ax.figure,
            [
                Patch(color=PALETTE[0], label=f"key for {target} ({rule})"),
                Patch(color=PALETTE[1], label=f"key for {reference}"),
                Patch(color="0.78", label="not significant"),
            ],
        )
    docs = sum(at.get(f"{g}_docs", 0) for g in ("target", "reference")) or None
    set_caption(
        ax,
        Caption(
            f"Key terms of {target} against {reference}: the {n} strongest each way",
            "signed log-likelihood G² (positive: more frequent in the target)",
            docs,
            interval="none; significance by Benjamini-Hochberg q over every term tested",
            encodings={
                "bar length": "G²",
                "colour": f"{target} (blue) or {reference} (orange) when significant, grey not",
            },
        ),
    )
    return ax


def wordcloud_image(
    freqs: dict[str, float],
    *,
    random_state: int = 0,
    max_words: int = 100,
    width: int = 1200,
    height: int = 900,
    min_font_size: int = 4,
):
    """A word cloud as an RGB array, drawn with the project's CJK font, every word
    horizontal; ``min_font_size`` in pixels of the image."""
    from matplotlib.colors import ListedColormap
    from wordcloud import WordCloud

    wc = WordCloud(
        font_path=str(FONT_PATH),
        width=width,
        height=height,
        max_words=max_words,
        background_color="white",
        random_state=random_state,
        prefer_horizontal=1.0,  # Chinese words turned sideways are hard to read
        min_font_size=min_font_size,
        colormap=ListedColormap(PALETTE[:6]),
        collocations=False,
    )
    return wc.generate_from_frequencies(freqs).to_array()


def textplot_wordcloud(
    freq: pd.DataFrame,
    *,
    value: str = "count",
    max_words: int = 100,
    random_state: int = 0,
    ax=None,
    title: str | None = None,
):
    """A word cloud of a :func:`textstat_frequency` table (reproducible with ``random_state``).

    The cloud is drawn as an image, so every PDF viewer shows it exactly as the PNG.
    Its smallest word is at least :data:`~cyberdiscourse.plotting.MIN_FONT_PT` at the
    axes' printed width. A word cloud is for a first look, not for a paper: its sizes
    cannot be read precisely (use :func:`textplot_top_terms`).
    """
    if ax is None:
        _, ax = new_figure("two_column")
    freqs = dict(zip(freq["term"], freq[value].astype(float)))
    ax.figure.canvas.draw()  # the axes' printed width is known after a layout
    inches = max(ax.get_window_extent().width / ax.figure.dpi, 0.5)
    pixels_per_point = 1200 / (inches * 72)
    ax.imshow(
        wordcloud_image(
            freqs,
            random_state=random_state,
            max_words=max_words,
            min_font_size=math.ceil(MIN_FONT_PT * pixels_per_point),
        ),
        interpolation="bilinear",
    )
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def textplot_collocates(
    collocates: pd.DataFrame,
    *,
    n: int = 12,
    ax=None,
    color: str = PALETTE[2],
    title: str | None = None,
):
    """Bars of the strongest collocates by G², each labelled with its count and PMI."""
    if ax is None:
        _, ax = new_figure("one_column_tall")
    top = collocates.head(n).iloc[::-1]
    ax.barh([gloss(t) for t in top["collocate"]], top["G2"], color=color)
    for y, (g2, k, pmi) in enumerate(zip(top["G2"], top["count"], top["PMI"])):
        ax.text(g2, y, f" n={k}, PMI={pmi:.1f}", va="center", fontsize=6)
    ax.set_xlim(0, (top["G2"].max() if len(top) else 1) * 1.45)
    ax.set_xlabel("G² (association with the node)")
    if title:
        set_title(ax, title)
    set_caption(
        ax,
        Caption(
            "Collocates: words within the window of the node, ranked by log-likelihood G²",
            "G² of the collocate's count against its expected count",
            collocates.attrs.get("n_documents"),
            encodings={"bar length": "G²", "label": "co-occurrences (n) and PMI in bits"},
            note="G² ≥ 10.83 is p < 0.001 for one test; many candidates were tested",
        ),
    )
    return ax
