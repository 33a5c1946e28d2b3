"""Text reuse: passages carried from one document into a later one.

1. **Seeds.** Every run of ``n`` Han characters (punctuation and spacing ignored) in
   every Chinese paragraph is hashed. A hash used by more than ``max_df`` of the
   works is register, not reuse (国际社会, 网络空间命运共同体 …) and is masked, as is
   every seed that overlaps an accepted formulation. Each remaining hash links the
   earliest paragraph that holds it (by the work's date) to each later one: linear in
   the corpus, never a comparison of every pair of documents.
2. **Alignment.** A pair of paragraphs with at least ``min_seeds`` seeds is aligned
   locally (Smith-Waterman, Biopython's ``PairwiseAligner``) around each cluster of
   seeds, so inserted qualifiers and changed words cost a little and do not break
   the passage.
3. **Passages** of at least ``min_chars`` Han characters with an identity of at
   least ``min_identity`` are reported with both sources, dates, file:line, length
   and identity; the direction runs from the earlier work to the later one (works
   of one date: ``same date``).

What it can and cannot show: reuse within this corpus, from the earliest work that
holds the passage here; a common source outside the corpus looks like reuse
between the two works that quote it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_B = np.uint64(1_000_003)
REUSE_COLUMNS = [
    "source_work",
    "source_date",
    "target_work",
    "target_date",
    "direction",
    "source_text",
    "target_text",
    "n_chars",
    "identity",
    "source_source",
    "target_source",
    "source_para",
    "target_para",
]


@dataclass
class _Keys:
    """Han-only text of each paragraph and where each of its characters is in the paragraph."""

    text: list[str]
    offsets: list[np.ndarray]


def _han_keys(texts: list[str]) -> _Keys:
    keys, offsets = [], []
    for t in texts:
        codes = np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32)
        han = ((codes >= 0x3400) & (codes <= 0x4DBF)) | ((codes >= 0x4E00) & (codes <= 0x9FFF))
        at = np.flatnonzero(han).astype(np.int32)
        offsets.append(at)
        keys.append(codes[at].tobytes().decode("utf-32-le"))
    return _Keys(keys, offsets)


def _seeds(keys: list[str], n: int, masked: list[np.ndarray] | None):
    """``(hash, paragraph, position)`` of every unmasked n-gram of the keys."""
    hashes, paras, positions = [], [], []
    for i, key in enumerate(keys):
        if len(key) < n:
            continue
        codes = np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        h = np.zeros(len(codes) - n + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(n):
                h = h * _B + codes[j : len(codes) - n + 1 + j]
        pos = np.arange(len(h), dtype=np.int32)
        if masked is not None and masked[i].any():
            covered = np.convolve(masked[i].astype(np.int64), np.ones(n, dtype=np.int64))
            keep = covered[n - 1 : n - 1 + len(h)] == 0
            h, pos = h[keep], pos[keep]
        hashes.append(h)
        paras.append(np.full(len(h), i, dtype=np.int32))
        positions.append(pos)
    if not hashes:
        empty = np.zeros(0, dtype=np.int32)
        return np.zeros(0, dtype=np.uint64), empty, empty
    return np.concatenate(hashes), np.concatenate(paras), np.concatenate(positions)


def _mask(keys: list[str], phrases: list[str]) -> list[np.ndarray] | None:
    """Where the keys hold an accepted formulation (its Han characters)."""
    import re

    bare = [re.sub(r"[^\u3400-\u4dbf\u4e00-\u9fff]", "", p) for p in phrases]
    bare = [b for b in bare if len(b) >= 2]
    if not bare:
        return None
    from .lexicon import longest_first_pattern

    pattern = longest_first_pattern(bare)
    out = []
    for key in keys:
        m = np.zeros(len(key), dtype=bool)
        for hit in pattern.finditer(key):
            m[hit.start() : hit.end()] = True
        out.append(m)
    return out


def _seed_links(keys: list[str], n: int, masked, work: np.ndarray, *, max_works: int):
    """Seeds linking the earliest paragraph holding a hash to each later one.

    Paragraphs are in date order, so the earliest holder is the lowest paragraph
    number. Returns arrays ``(first_para, first_pos, later_para, later_pos)``; hashes
    in more than ``max_works`` works, or in one work only, are left out. The seeds are
    made here and dropped as soon as they are sorted, to keep the peak memory down.
    """
    h, para, pos = _seeds(keys, n, masked)
    order = np.lexsort((pos, para, h))
    h = h[order]
    para, pos = para[order], pos[order]
    del order
    new_hash = np.r_[True, h[1:] != h[:-1]]
    del h
    starts = np.flatnonzero(new_hash)
    group = (np.cumsum(new_hash) - 1).astype(np.int32)
    w = work[para]
    # works are contiguous runs of paragraphs, so within a hash they come in order
    new_work = new_hash | np.r_[True, w[1:] != w[:-1]]
    n_works = np.bincount(group[new_work], minlength=len(starts))
    ok_group = (n_works >= 2) & (n_works <= max_works)
    first = starts[group]
    keep = ok_group[group] & (w != w[first])
    return para[first[keep]], pos[first[keep]], para[keep], pos[keep]


def _clusters(pa, pb, *, gap: int):
    """Seeds of one paragraph pair grouped where they run along one diagonal.

    Returns ``(a_start, a_end, b_start, b_end, n_seeds, exact)`` per cluster, where
    ``exact`` means one diagonal with a seed at every position: an unbroken copy.
    Plain Python: a pair has a handful of seeds, too few for numpy to pay.
    """
    seeds = sorted(zip(pa.tolist(), pb.tolist()))
    out, group = [], [seeds[0]]
    for prev, cur in zip(seeds, seeds[1:]):
        if cur[0] - prev[0] > gap or abs((cur[1] - cur[0]) - (prev[1] - prev[0])) > gap:
            out.append(_cluster(group))
            group = []
        group.append(cur)
    out.append(_cluster(group))
    return out


def _cluster(group):
    xs, ys = [x for x, _ in group], [y for _, y in group]
    diag = {y - x for x, y in group}
    exact = len(diag) == 1 and xs[-1] - xs[0] == len(group) - 1
    return min(xs), max(xs), min(ys), max(ys), len(group), exact


def _whole_copy(ka: str, kb: str, a0: int, a1: int, b0: int, b1: int) -> bool:
    """Both paragraphs are this one unbroken copy, end to end: the local alignment could
    find nothing else, so it is skipped (a repost, the commonest kind of reuse)."""
    return a0 == 0 and b0 == 0 and a1 == len(ka) and b1 == len(kb) and ka == kb


def _aligner():
    from Bio.Align import PairwiseAligner

    aligner = PairwiseAligner()
    aligner.mode = "local"
    aligner.match_score = 1.0
    aligner.mismatch_score = -1.0
    aligner.open_gap_score = -2.0
    aligner.extend_gap_score = -0.5
    return aligner


def _align(aligner, a: str, b: str) -> tuple[int, int, int, int, float] | None:
    """Best local alignment of ``a`` and ``b``: spans and identity (matches / columns)."""
    if not a or not b:
        return None
    try:
        best = next(iter(aligner.align(a, b)))
    except (StopIteration, OverflowError):
        return None
    coords = best.coordinates.tolist()  # a segment is aligned where both rows advance
    xs, ys = coords
    blocks = [
        (xs[i], xs[i + 1], ys[i], ys[i + 1])
        for i in range(len(xs) - 1)
        if xs[i + 1] > xs[i] and ys[i + 1] > ys[i]
    ]
    if not blocks:
        return None
    a0, a1, b0, b1 = blocks[0][0], blocks[-1][1], blocks[0][2], blocks[-1][3]
    matches = sum(sum(x == y for x, y in zip(a[s:e], b[t:u])) for s, e, t, u in blocks)
    columns = max(a1 - a0, b1 - b0)
    return a0, a1, b0, b1, matches / columns if columns else 0.0


def textstat_reuse(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    *,
    n: int = 10,
    max_df: float = 0.5,
    min_seeds: int = 2,
    min_chars: int = 20,
    min_identity: float = 0.8,
    mask: list[str] | tuple[str, ...] = (),
    gap: int = 40,
    flank: int = 10,
) -> pd.DataFrame:
    """Passages that a later work shares with an earlier one (see the module's notes).

    Parameters
    ----------
    n
        Seed length in Han characters.
    max_df
        Share of the works (or, above 1, a number of works) beyond which a seed is
        register and masked. At least 2 works are always allowed.
    min_seeds, min_chars, min_identity
        A paragraph pair needs ``min_seeds`` seeds; a passage ``min_chars`` Han
        characters and ``min_identity`` of its aligned columns equal.
    mask
        Phrases (accepted formulations) that never seed reuse.
    gap, flank
        Seeds of a paragraph pair further apart than ``gap`` characters (or off their
        diagonal by more) make separate passages; each is aligned over its seeds plus
        ``flank`` characters either side (a seed breaks within ``n - 1`` characters of
        a change, so a flank of ``n`` finds where the passage ends).

    Returns
    -------
    DataFrame of :data:`REUSE_COLUMNS`, sorted by target date, target and source.
    """
    from .formulations import chinese_by_date

    zh = chinese_by_date(paragraphs, works)
    keys = _han_keys(zh["text"].tolist())
    n_works = zh["work_id"].nunique()
    max_works = max(2, int(max_df if max_df > 1 else max_df * n_works))
    work = pd.factorize(zh["work_id"])[0].astype(np.int32)
    a, apos, b, bpos = _seed_links(
        keys.text, n, _mask(keys.text, list(mask)), work, max_works=max_works
    )
    if not len(a):
        return pd.DataFrame(columns=REUSE_COLUMNS)
    pair = a.astype(np.int64) * len(zh) + b
    del a, b
    order = np.lexsort((apos, pair))
    pair, apos, bpos = pair[order], apos[order], bpos[order]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    ends = np.r_[starts[1:], len(pair)]
    aligner = _aligner()
    found_rows: list[tuple] = []  # (a, b, a0, a1, b0, b1, length, identity): small, no text
    for s, e in zip(starts, ends):
        if e - s < min_seeds:
            continue
        pa_, pb_ = int(pair[s] // len(zh)), int(pair[s] % len(zh))
        ka, kb = keys.text[pa_], keys.text[pb_]
        for a0, a1, b0, b1, k, exact in _clusters(apos[s:e], bpos[s:e], gap=gap):
            if k < min_seeds:
                continue
            wa0, wb0 = max(0, a0 - flank), max(0, b0 - flank)
            if exact and _whole_copy(ka, kb, a0, a1 + n, b0, b1 + n):
                found = (a0 - wa0, a1 + n - wa0, b0 - wb0, b1 + n - wb0, 1.0)
            else:
                found = _align(aligner, ka[wa0 : a1 + n + flank], kb[wb0 : b1 + n + flank])
            if found is None:
                continue
            x0, x1, y0, y1, identity = found
            length = max(x1 - x0, y1 - y0)
            if length < min_chars or identity < min_identity:
                continue
            found_rows.append(
                (pa_, pb_, wa0 + x0, wa0 + x1, wb0 + y0, wb0 + y1, length, round(identity, 4))
            )
    out = _reuse_table(zh, keys, found_rows)
    out = out.drop_duplicates(["source_para", "target_para", "target_text"])
    return out.sort_values(
        ["target_date", "target_work", "source_date", "source_work", "target_source"], kind="stable"
    ).reset_index(drop=True)


def _reuse_table(zh: pd.DataFrame, keys, found: list[tuple]) -> pd.DataFrame:
    """The reuse table from ``(a, b, a0, a1, b0, b1, length, identity)`` rows: columns
    taken from the paragraphs by position (shared, not copied), texts cut once."""
    if not found:
        return pd.DataFrame(columns=REUSE_COLUMNS)
    f = np.array(found, dtype=np.float64)
    a, b = f[:, 0].astype(np.int64), f[:, 1].astype(np.int64)
    text, offsets = zh["text"].to_numpy(), keys.offsets

    def cut(rows, lo, hi) -> list[str]:
        return [
            text[p][int(offsets[p][x]) : int(offsets[p][y - 1]) + 1]
            for p, x, y in zip(
                rows.tolist(),
                f[:, lo].astype(np.int64).tolist(),
                f[:, hi].astype(np.int64).tolist(),
            )
        ]

    source = (zh["source_file"].astype(str) + ":" + zh["line_no"].astype(str)).to_numpy()
    date = zh["date"].to_numpy()
    return pd.DataFrame(
        {
            "source_work": zh["work_id"].to_numpy()[a],
            "source_date": date[a],
            "target_work": zh["work_id"].to_numpy()[b],
            "target_date": date[b],
            "direction": np.where(date[a] == date[b], "same date", "earlier to later"),
            "source_text": cut(a, 2, 3),
            "target_text": cut(b, 4, 5),
            "n_chars": f[:, 6].astype(np.int64),
            "identity": f[:, 7],
            "source_source": source[a],
            "target_source": source[b],
            "source_para": zh["para_id"].to_numpy()[a],
            "target_para": zh["para_id"].to_numpy()[b],
        },
        columns=REUSE_COLUMNS,
    )


def reuse_share(reuse: pd.DataFrame, paragraphs: pd.DataFrame, works: pd.DataFrame) -> pd.DataFrame:
    """Per included work: Han characters in passages reused from earlier works, over its
    Han characters (overlapping passages counted once): ``work_id, date, n_chars,
    reused_chars, share, sources``."""
    from .normalise import count_cjk

    inc = works[works["include"]].set_index("work_id")
    zh = paragraphs[(paragraphs["lang"] == "zh") & paragraphs["work_id"].isin(inc.index)]
    total = zh["text"].map(count_cjk).groupby(zh["work_id"]).sum()
    earlier = reuse[reuse["direction"] == "earlier to later"]
    # one lookup of each paragraph's text and one pass over the passages, grouped by
    # work: a filter per work and per passage would be quadratic in a large corpus
    text_of = dict(zip(zh["para_id"], zh["text"]))
    by_work = dict(tuple(earlier.groupby("target_work", sort=False)))
    rows = []
    for work_id in inc.index:
        sub = by_work.get(work_id, earlier.iloc[:0])
        covered: dict[str, set[int]] = {}
        for para, passage in zip(sub["target_para"], sub["target_text"]):
            text = text_of[para]
            start = text.find(passage)
            span = range(start, start + len(passage)) if start >= 0 else range(0)
            covered.setdefault(para, set()).update(i for i in span if count_cjk(text[i]))
        reused = sum(len(v) for v in covered.values())
        n_chars = int(total.get(work_id, 0))
        rows.append(
            {
                "work_id": work_id,
                "date": inc.loc[work_id, "date"],
                "n_chars": n_chars,
                "reused_chars": reused,
                "share": reused / n_chars if n_chars else np.nan,
                "sources": ";".join(sorted(set(sub["source_work"]))),
            }
        )
    return pd.DataFrame(rows).sort_values("date", kind="stable").reset_index(drop=True)


def reuse_graph(reuse: pd.DataFrame, works: pd.DataFrame):
    """A directed graph of works: an edge from the earlier to the later work, with the
    number of passages and of reused Han characters. Returns a :class:`networkx.DiGraph`."""
    import networkx as nx

    inc = works[works["include"]].set_index("work_id")
    graph = nx.DiGraph()
    for work_id, row in inc.sort_values("date").iterrows():
        graph.add_node(work_id, date=str(row["date"]), issuer=str(row.get("issuer", "") or ""))
    earlier = reuse[reuse["direction"] == "earlier to later"]
    links = (
        earlier.groupby(["source_work", "target_work"], sort=True)["n_chars"]
        .agg(["size", "sum"])
        .reset_index()
    )  # one pass over the passages, not one Python group per link
    graph.add_edges_from(
        (a, b, {"passages": int(n), "chars": int(c)})
        for a, b, n, c in zip(
            links["source_work"], links["target_work"], links["size"], links["sum"]
        )
    )
    return graph


def textstat_reuse_flows(reuse: pd.DataFrame, works: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """Reuse between groups of works (``grouping``: ``year``, ``five_years``, ``genre``,
    ``issuer``, as :func:`~cyberdiscourse.overview.group_of`): passages and Han characters
    reused from the works of one group in the later works of another (or the same).

    Returns ``source_group, target_group, passages, chars``.
    """
    from .overview import group_of

    inc = works[works["include"]]
    group = dict(zip(inc["work_id"], group_of(inc, grouping)))
    earlier = reuse[reuse["direction"] == "earlier to later"]
    flows = (
        earlier.assign(
            source_group=earlier["source_work"].map(group),
            target_group=earlier["target_work"].map(group),
        )
        .groupby(["source_group", "target_group"])
        .agg(passages=("n_chars", "size"), chars=("n_chars", "sum"))
        .reset_index()
    )
    flows.attrs["n_documents"] = int(
        pd.concat([earlier["source_work"], earlier["target_work"]]).nunique()
    )
    flows.attrs["grouping"] = grouping
    return flows


def textplot_reuse_flows(flows: pd.DataFrame, *, ax=None):
    """Reuse between groups as a matrix: rows the group reused from, columns the group
    reusing; colour the reused Han characters (log scale). Returns the Axes."""
    from matplotlib.colors import LogNorm

    from .plotting import Caption, new_figure, set_caption

    groups = sorted(set(flows["source_group"]) | set(flows["target_group"]))
    grid = (
        flows.pivot_table(index="source_group", columns="target_group", values="chars")
        .reindex(index=groups, columns=groups)
        .to_numpy(dtype=float)
    )
    if ax is None:
        side = min(7.2, 1.6 + 0.12 * len(groups))
        _, ax = new_figure("two_column", height=side)
    positive = grid[grid > 0]
    norm = LogNorm(positive.min(), positive.max()) if len(positive) > 1 else None
    im = ax.imshow(np.where(grid > 0, grid, np.nan), cmap="cividis", norm=norm, aspect="auto")
    step = max(1, -(-len(groups) // 25))
    ticks = range(0, len(groups), step)
    ax.set_xticks(ticks, groups[::step], rotation=60, ha="right")
    ax.set_yticks(ticks, groups[::step])
    ax.set_xlabel("works reusing (group)")
    ax.set_ylabel("works reused from (group)")
    ax.figure.colorbar(im, ax=ax, label="reused Han characters (log scale)", shrink=0.7)
    set_caption(
        ax,
        Caption(
            "Text reuse between groups of works: passages of earlier works found again in "
            f"later ones, summed by {flows.attrs.get('grouping', 'group')}",
            "Han characters in reused passages",
            flows.attrs.get("n_documents"),
            encodings={"colour": "reused characters (log scale)", "blank": "no reuse"},
        ),
    )
    return ax


def textplot_reuse(graph, *, labels: dict[str, str] | None = None, max_edges: int = 25, ax=None):
    """Works on a time axis (x: date), an arrow from each work to the later works that reuse
    its passages; arrow width grows with the reused characters, the label is the number of
    passages. Only the ``max_edges`` links with the most reused characters are drawn (the
    GraphML keeps them all). Returns the Axes."""
    import matplotlib.dates as mdates
    import networkx as nx

    from .dates import as_dates
    from .plotting import PALETTE, Caption, date_axis, new_figure, set_caption

    if ax is None:
        _, ax = new_figure("two_column")
    when = as_dates(pd.Series({v: d for v, d in graph.nodes(data="date", default="")}))
    undated = int(when.isna().sum())  # no place on a time axis: left out and said so
    graph = graph.subgraph(when.index[when.notna()])
    n_edges = graph.number_of_edges()
    strongest = sorted(graph.edges(data=True), key=lambda e: (-e[2]["chars"], e[0], e[1]))
    graph = graph.edge_subgraph([(a, b) for a, b, _ in strongest[:max_edges]]).copy()
    nodes = list(graph.nodes)
    x = as_dates(pd.Series([graph.nodes[v]["date"] for v in nodes]))
    xnum = mdates.date2num(x)
    y = [(i % 3) - 1 + 0.15 * (i // 3 % 2) for i in range(len(nodes))]
    pos = {v: (xi, yi) for v, xi, yi in zip(nodes, xnum, y)}
    widths = [0.6 + np.log10(1 + d["chars"]) for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(
        graph,
        pos,
        ax=ax,
        width=widths,
        edge_color="0.55",
        arrows=True,
        arrowsize=9,
        connectionstyle="arc3,rad=0.15",
        node_size=260,
    )
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=260, node_color=PALETTE[0])
    edge_labels = {(a, b): str(d["passages"]) for a, b, d in graph.edges(data=True)}
    nx.draw_networkx_edge_labels(graph, pos, edge_labels=edge_labels, ax=ax, font_size=6)
    for v, (xi, yi) in pos.items():
        ax.annotate(
            (labels or {}).get(v, v),
            (xi, yi),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            fontsize=6,
        )
    ax.set_ylim(-1.8, 1.8)
    ax.set_yticks([])
    ax.xaxis_date()
    date_axis(ax, maxticks=10)
    ax.tick_params(axis="x", labelbottom=True, bottom=True)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("date of the work")
    set_caption(
        ax,
        Caption(
            "Text reuse between works: passages of an earlier work found again in a later one "
            "(local alignment)",
            "passages (arrow labels); reused Han characters (arrow width, log scale)",
            graph.number_of_nodes(),
            encodings={"node": "a work at its date", "arrow": "earlier work to the later one"},
            note="; ".join(
                n
                for n in (
                    f"the {graph.number_of_edges()} strongest of {n_edges} links drawn"
                    if n_edges > graph.number_of_edges()
                    else "",
                    f"{undated} undated work(s) not drawn" if undated else "",
                )
                if n
            ),
        ),
    )
    return ax
