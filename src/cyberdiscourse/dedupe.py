"""Merge the copies of one work, and report duplicates across works.

Copies of a work are merged paragraph by paragraph: a paragraph that several
copies share is kept once (matched on :func:`~cyberdiscourse.normalise.match_key`,
so punctuation, spacing and full/half-width differences do not matter, and a
copy's truncated paragraph matches the full one); each copy adds what the
others lack, placed after the last paragraph it shares with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .normalise import match_key

MIN_CONTAINED = 20  # a shorter paragraph is never taken as "contained" in a longer one


@dataclass
class Fragment:
    """One paragraph of one copy, before merging."""

    doc_id: str
    line_no: int
    lang: str
    text: str
    is_heading: bool
    source_file: str = ""
    key: str = ""
    para_id: str = ""  # set once kept paragraphs are numbered
    duplicate_of: Fragment | None = None  # the kept paragraph this one repeats

    def __post_init__(self) -> None:
        self.key = match_key(self.text)

    @property
    def same_line(self) -> tuple[str, int]:
        """Fragments with equal ``same_line`` come from one raw line of one copy."""
        return (self.doc_id, self.line_no)


def _contained_in(frag: Fragment, kept: list[Fragment]) -> Fragment | None:
    if len(frag.key) < MIN_CONTAINED:
        return None
    return next((o for o in kept if o.lang == frag.lang and frag.key in o.key), None)


def merge_copies(copies: list[list[Fragment]]) -> list[Fragment]:
    """Merge the fragments of several copies into one ordered list of kept paragraphs.

    Copies are taken in the given order (put the most complete first). Each
    fragment that duplicates an already kept paragraph gets ``duplicate_of``
    set to that paragraph and is not kept. Only later copies are searched for
    truncated (contained) paragraphs, so one long copy merges in linear time.
    """
    merged: list[Fragment] = []
    by_key: dict[tuple[str, str], Fragment] = {}
    for n, copy in enumerate(copies):
        insert_at = None if n == 0 else 0
        for frag in copy:
            match = by_key.get((frag.lang, frag.key))
            if match is None and n > 0:
                match = _contained_in(frag, merged)
            if match is not None:
                frag.duplicate_of = match
                if insert_at is not None:
                    insert_at = merged.index(match) + 1
                continue
            by_key[(frag.lang, frag.key)] = frag
            if insert_at is None:
                merged.append(frag)
            else:
                merged.insert(insert_at, frag)
                insert_at += 1
    return merged


def _shingles(key: str, n: int = 4) -> set[str]:
    return {key[i : i + n] for i in range(max(1, len(key) - n + 1))}


_MERSENNE = (1 << 61) - 1


def _hash_params(n_hashes: int) -> tuple:
    import numpy as np

    rng = np.random.default_rng(20170301)  # fixed: signatures are the same on every run
    a = rng.integers(1, 1 << 31, size=(n_hashes, 1), dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=(n_hashes, 1), dtype=np.uint64)
    return a, b


def _minhash(shingles: set[str], params: tuple) -> tuple[int, ...]:
    """MinHash signature: universal hashes (a*x + b) of each shingle's CRC-32, minimum per hash."""
    import zlib

    import numpy as np

    a, b = params
    x = np.fromiter(
        (zlib.crc32(s.encode()) for s in shingles), dtype=np.uint64, count=len(shingles)
    )
    return tuple(((a * x + b) % _MERSENNE).min(axis=1).tolist())


def near_duplicates(
    items: list[tuple[str, str, str]],
    *,
    threshold: float = 0.8,
    min_len: int = 20,
    bands: int = 8,
    rows: int = 4,
) -> list[tuple[str, str, str, float]]:
    """Pairs of paragraphs from different groups that are exact or near duplicates.

    Parameters
    ----------
    items
        ``(group, item_id, text)``; pairs within one group are not reported.
    threshold
        Minimum Jaccard similarity of character 4-gram sets for "near".

    Returns
    -------
    list of ``(item_a, item_b, kind, similarity)`` with kind ``exact`` or ``near``.
    Candidates come from MinHash banding, then the true Jaccard is computed.
    """
    keyed = [(g, i, match_key(t)) for g, i, t in items]
    keyed = [k for k in keyed if len(k[2]) >= min_len]
    shingles = {i: _shingles(key) for _, i, key in keyed}
    group = {i: g for g, i, _ in keyed}
    key_of = {i: key for _, i, key in keyed}
    buckets: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    params = _hash_params(bands * rows)
    for _, item, _key in keyed:
        sig = _minhash(shingles[item], params)
        for b in range(bands):
            buckets.setdefault((b, tuple(sig[b * rows : (b + 1) * rows])), []).append(item)
    pairs: set[tuple[str, str]] = set()
    for members in buckets.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = sorted((members[x], members[y]))
                if group[a] != group[b]:
                    pairs.add((a, b))
    out = []
    for a, b in sorted(pairs):
        if key_of[a] == key_of[b]:
            out.append((a, b, "exact", 1.0))
            continue
        sa, sb = shingles[a], shingles[b]
        sim = len(sa & sb) / len(sa | sb)
        if sim >= threshold:
            out.append((a, b, "near", round(sim, 4)))
    return out
