"""Merge the copies of one work, and report duplicates across works.

Copies of a work are merged paragraph by paragraph: a paragraph that several
copies share is kept once (matched on :func:`~cyberdiscourse.normalise.match_key`,
so punctuation, spacing and full/half-width differences do not matter, and a
copy's truncated paragraph matches the full one); each copy adds what the
others lack, placed after the last paragraph it shares with them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .cleaning import is_articled
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
    fragment that duplicates an already kept paragraph gets ``duplicate_of`` set to
    that paragraph and is not kept, except what a copy repeats itself where documents
    repeat by design: a heading or list item ("第一节 一般规定" in many chapters), and
    anything in an articled text (a law repeats "（一）依法追究刑事责任；" and whole
    sentences in many articles). Elsewhere a passage found twice in one copy is a
    fault of the capture (a report's paragraph pasted twice) and is kept once. Only later copies are
    searched for truncated (contained) paragraphs, so one long copy merges in linear
    time.
    """
    merged: list[Fragment] = []
    by_key: dict[tuple[str, str], Fragment] = {}
    for n, copy in enumerate(copies):
        insert_at = None if n == 0 else 0
        articled = is_articled([f.text for f in copy])
        for frag in copy:
            match = by_key.get((frag.lang, frag.key))
            own = match is not None and match.doc_id == frag.doc_id
            if own and (articled or _structural(frag)):
                match = None  # the document's own repeat, by design
            if match is None and n > 0:
                match = _contained_in(frag, merged)
            if match is not None:
                frag.duplicate_of = match
                if insert_at is not None:
                    insert_at = merged.index(match) + 1
                continue
            by_key.setdefault((frag.lang, frag.key), frag)
            if insert_at is None:
                merged.append(frag)
            else:
                merged.insert(insert_at, frag)
                insert_at += 1
    return merged


_ITEM = re.compile(
    r"^[(（][一二三四五六七八九十\d]+[)）]|^\d{1,2}[.、]|^第[一二三四五六七八九十百]+[编章节]"
)
SHORT_ITEM = 30  # characters: a list item or heading, not a passage


def _structural(frag: Fragment) -> bool:
    """A heading or a short list item: what a document may repeat by design."""
    return frag.is_heading or (len(frag.key) <= SHORT_ITEM and bool(_ITEM.match(frag.text)))


def _shingles(key: str, n: int = 4) -> set[str]:
    return {key[i : i + n] for i in range(max(1, len(key) - n + 1))}


_MERSENNE = (1 << 61) - 1
SHINGLE = 4  # characters per shingle
BANDS, ROWS = 8, 4  # MinHash banding: pairs with Jaccard 0.8 meet in a band with p > 0.99
MIN_LEN = 20  # shorter paragraphs are not compared across works


def _hash_params(n_hashes: int) -> tuple:
    import numpy as np

    rng = np.random.default_rng(20170301)  # fixed: signatures are the same on every run
    a = rng.integers(1, _MERSENNE, size=(n_hashes, 1), dtype=np.uint64)
    b = rng.integers(0, _MERSENNE, size=(n_hashes, 1), dtype=np.uint64)
    return a, b


def _shingle_hashes(key: str, n: int = SHINGLE):
    """32-bit hashes of the character ``n``-grams of ``key``, computed on code points."""
    import numpy as np

    cp = np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return _window_hashes(cp, min(n, len(cp)))


def _window_hashes(cp, width: int):
    """32-bit hashes of every ``width``-long window of the code points ``cp``."""
    import numpy as np

    h = np.zeros(len(cp) - width + 1, dtype=np.uint64)
    for j in range(width):  # polynomial hash; uint64 arithmetic wraps around
        h = h * np.uint64(1_000_003) + cp[j : len(cp) - width + 1 + j]
    # splitmix64's finaliser spreads every input bit over the low 32 bits
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h & np.uint64(0xFFFFFFFF)


def minhash(keys: list[str], *, n_hashes: int = BANDS * ROWS):
    """MinHash signatures of match keys: an ``(n, n_hashes)`` uint32 array.

    The hashes are seeded with a constant, so signatures are the same in every
    process and on every run.
    """
    import numpy as np

    a, b = _hash_params(n_hashes)  # a * x wraps around 2**64, as in datasketch's MinHash
    out = np.zeros((len(keys), n_hashes), dtype=np.uint32)
    short = [i for i, key in enumerate(keys) if len(key) < SHINGLE]
    for i in short:  # fewer characters than a shingle: one hash of the whole key
        sig = ((a * _shingle_hashes(key=keys[i])[None, :] + b) % _MERSENNE).min(axis=1)
        out[i] = sig & np.uint64(0xFFFFFFFF)
    rest = [i for i, key in enumerate(keys) if len(key) >= SHINGLE]
    for start in range(0, len(rest), MINHASH_CHUNK):  # many keys per numpy call
        chunk = rest[start : start + MINHASH_CHUNK]
        hashes, starts = _chunk_shingle_hashes([keys[i] for i in chunk])
        values = a * hashes[None, :]  # then in place: one large array, not three
        values += b
        values %= _MERSENNE
        out[chunk] = np.minimum.reduceat(values, starts, axis=1).T & np.uint64(0xFFFFFFFF)
    return out


MINHASH_CHUNK = 512  # keys hashed together: 32 x their shingles x 8 bytes stays small


def _chunk_shingle_hashes(keys: list[str]):
    """The :func:`_shingle_hashes` of several keys at once, concatenated, and where each
    key's start in the result: the same numbers, without a numpy call per key."""
    import numpy as np

    cp = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    ends = np.cumsum(lengths)
    n_windows = lengths - SHINGLE + 1
    h = _window_hashes(cp, SHINGLE)  # every window, across key borders too
    first = ends - lengths  # each key's first window; windows across a border are dropped
    starts = np.concatenate([[0], np.cumsum(n_windows)[:-1]])
    keep = np.arange(int(n_windows.sum())) + np.repeat(first - starts, n_windows)
    return h[keep], starts


@dataclass
class Signatures:
    """What near-duplicate detection needs of a set of paragraphs, without their text."""

    group: list[str]
    item: list[str]
    sig: object  # numpy (n, BANDS * ROWS) uint32

    @classmethod
    def of(cls, items: list[tuple[str, str, str]], *, min_len: int = MIN_LEN) -> Signatures:
        """Signatures of ``(group, item, text)``."""
        return cls.of_keys([(g, i, match_key(t)) for g, i, t in items], min_len=min_len)

    @classmethod
    def of_keys(cls, keyed: list[tuple[str, str, str]], *, min_len: int = MIN_LEN) -> Signatures:
        """Signatures of ``(group, item, match key)``; keys under ``min_len`` are left out."""
        keyed = [k for k in keyed if len(k[2]) >= min_len]
        return cls(
            [g for g, _, _ in keyed], [i for _, i, _ in keyed], minhash([k for *_, k in keyed])
        )

    @classmethod
    def concat(cls, parts: list[Signatures]) -> Signatures:
        import numpy as np

        return cls(
            [g for p in parts for g in p.group],
            [i for p in parts for i in p.item],
            np.concatenate([p.sig for p in parts])
            if parts
            else np.zeros((0, BANDS * ROWS), np.uint32),
        )


def _pairs_within(starts, sizes):
    """Every pair of positions ``(p, q)``, ``p < q``, inside each run of ``sizes[k]``
    positions from ``starts[k]``: the pairs of a band's buckets, as two arrays."""
    import numpy as np

    starts, sizes = np.asarray(starts, dtype=np.int64), np.asarray(sizes, dtype=np.int64)
    member = np.repeat(starts, sizes)  # each bucket's first position, once per member
    rank = np.arange(len(member)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    later = np.repeat(sizes, sizes) - 1 - rank  # how many members follow this one
    first = np.repeat(member + rank, later)
    offset = np.arange(len(first)) - np.repeat(np.cumsum(later) - later, later)
    return first, first + 1 + offset


def candidate_pairs(
    sigs: Signatures, *, rows: int = ROWS, min_estimate: float = 0.55
) -> list[tuple[str, str]]:
    """Pairs of items from different groups that may be near-duplicates, sorted.

    A pair is a candidate when its signatures agree on a whole band of ``rows``
    hashes and on at least ``min_estimate`` of all hashes (the MinHash estimate
    of their Jaccard similarity; a pair at 0.8 falls below 0.55 with
    probability under 0.1%). Everything runs on integer arrays, so a corpus of
    millions of paragraphs costs seconds, not Python loops over pairs.
    """
    import numpy as np

    n, width = sigs.sig.shape
    if n < 2:
        return []
    groups = np.unique(np.asarray(sigs.group, dtype=object), return_inverse=True)[1]
    left, right = [], []
    mix = np.uint64(0x9E3779B97F4A7C15)
    for start in range(0, width - rows + 1, rows):
        key = np.zeros(n, dtype=np.uint64)
        for r in range(start, start + rows):
            key = (key ^ sigs.sig[:, r].astype(np.uint64)) * mix
        order = np.argsort(key, kind="stable")
        sk = key[order]
        starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
        sizes = np.diff(np.r_[starts, n])
        two = starts[sizes == 2]
        left.append(order[two])
        right.append(order[two + 1])
        first, second = _pairs_within(starts[sizes > 2], sizes[sizes > 2])
        left.append(order[first])
        right.append(order[second])
    i, j = np.concatenate(left), np.concatenate(right)
    i, j = np.minimum(i, j), np.maximum(i, j)
    keep = groups[i] != groups[j]
    i, j = i[keep], j[keep]
    pair_code = np.sort(i.astype(np.int64) * n + j)  # unique by sorting: faster than hashing
    pair_code = (
        pair_code[np.r_[True, pair_code[1:] != pair_code[:-1]]] if len(pair_code) else pair_code
    )
    i, j = pair_code // n, pair_code % n
    agree = np.zeros(len(i))
    for c in range(0, len(i), 1_000_000):  # in chunks: two (pairs, hashes) arrays at a time
        agree[c : c + 1_000_000] = (
            sigs.sig[i[c : c + 1_000_000]] == sigs.sig[j[c : c + 1_000_000]]
        ).mean(axis=1)
    i, j = i[agree >= min_estimate], j[agree >= min_estimate]
    import pandas as pd

    items = np.asarray(sigs.item, dtype=object)
    a, b = items[i], items[j]
    first = a < b  # each pair in name order, the pairs sorted: by arrays, not a Python loop
    pairs = pd.DataFrame({"a": np.where(first, a, b), "b": np.where(first, b, a)})
    pairs = pairs.sort_values(["a", "b"], kind="stable")
    return list(zip(pairs["a"].tolist(), pairs["b"].tolist()))


@dataclass
class FoundDuplicates:
    """Verified pairs of duplicate paragraphs, compact enough to pass between processes:
    each paragraph's id and the start of its text once, the pairs as indices into them."""

    ids: list[str]  # every paragraph in a pair, sorted
    texts: list[str]  # the first ``text_chars`` characters of each
    a: object  # numpy int64: each pair's first paragraph, an index into ids
    b: object  # and its second
    kind: list[str]  # "exact" or "near"
    similarity: object  # numpy float64


def find_duplicates(
    sigs: Signatures,
    texts_of: Callable[[set[str]], dict[str, str]],
    *,
    threshold: float = 0.8,
    text_chars: int = 200,
) -> FoundDuplicates:
    """Candidate pairs of the signatures (:func:`candidate_pairs`) verified on their text
    (:func:`verify_pairs`); ``texts_of(ids)`` gives the text of the paragraphs named."""
    import numpy as np

    pairs = candidate_pairs(sigs)
    text = texts_of({x for pair in pairs for x in pair})
    found = verify_pairs(pairs, text, threshold=threshold)
    ids = sorted({x for f in found for x in f[:2]})
    at = {x: k for k, x in enumerate(ids)}
    return FoundDuplicates(
        ids,
        [text[x][:text_chars] for x in ids],
        np.fromiter((at[f[0]] for f in found), dtype=np.int64, count=len(found)),
        np.fromiter((at[f[1]] for f in found), dtype=np.int64, count=len(found)),
        [f[2] for f in found],
        np.fromiter((f[3] for f in found), dtype=np.float64, count=len(found)),
    )


def verify_pairs(
    pairs: list[tuple[str, str]], text: dict[str, str], *, threshold: float = 0.8
) -> list[tuple[str, str, str, float]]:
    """Keep the candidate pairs whose true Jaccard similarity reaches ``threshold``."""
    from functools import lru_cache

    @lru_cache(maxsize=4096)  # a paragraph recurs in many pairs; bounded, so memory stays flat
    def shingles_of(key: str) -> frozenset[str]:
        return frozenset(_shingles(key))

    out = []
    for a, b in pairs:
        ka, kb = match_key(text[a]), match_key(text[b])
        if ka == kb:  # most pairs of a crawl: the same paragraph on two pages
            out.append((a, b, "exact", 1.0))
            continue
        sa, sb = shingles_of(ka), shingles_of(kb)
        sim = len(sa & sb) / len(sa | sb)
        if sim >= threshold:
            out.append((a, b, "near", round(sim, 4)))
    return out


def near_duplicates(
    items: list[tuple[str, str, str]],
    *,
    threshold: float = 0.8,
    min_len: int = MIN_LEN,
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
    pairs = candidate_pairs(Signatures.of(items, min_len=min_len))
    return verify_pairs(pairs, {i: t for _, i, t in items}, threshold=threshold)
