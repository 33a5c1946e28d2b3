"""Official formulations (提法): set phrases found in the characters, dated and grouped.

Candidates come from characters, not tokens (a segmenter with a protected lexicon
hides new compounds), of four kinds:

- ``enumeration``: lists of three or more short items joined by 、 (和平、安全、开放、
  合作、有序). The first and last items are cut from the running text around them:
  to the length of the inner items when those agree, else to the word jieba puts
  at the edge.
- ``template``: a numeral, a measure word and a noun (四项原则, 五点主张, 三个…).
- ``quoted``: a phrase of 4 to 40 characters in quotation marks (“…”).
- ``ngram``: character n-grams of ``min_len`` to ``max_len`` Han characters that
  recur, are cohesive (pointwise mutual information of their weakest split, PMI)
  and free (branching entropy of the characters on either side): the classic
  test of a new word, applied to phrases.

Each candidate's works, issuers and first use (work, date, sentence, file:line)
come from its occurrences; candidates within ``family_similarity`` of each other
(rapidfuzz's normalised Indel similarity, separators removed) form a variant
family. N-grams must also begin and end on word boundaries and hold two or more
words (jieba's cut of their sentence), and must not be a lexicon form or domain
term already known. The table is ranked by :func:`salience` (works x log2 of
the length, doubled for the constructed kinds), then issuers and occurrences.

In a genre of many dated works (a folder of laws, a crawl), that ranking would be
led by the genre's boilerplate: every law's penalty clause (依法追究刑事责任, in
half of all laws), a site's footer. There each candidate's spread over the genre's
time (ten spans that each hold a tenth of its dated works) is measured (Gries'
deviation of proportions, :func:`dispersion`) against the spread that as many works
drawn at random from the genre give: ``emergence``, 0 when the phrase is spread as
chance spreads it, toward 1 when it is concentrated in some spans. Phrases spread as
chance spreads them are the genre's boilerplate and rank last; the others rank by
:func:`score`, which weighs emergence.

What it can and cannot show: "first use" is first in this corpus, not in the
world; a formulation used by one issuer only is a house style, not adoption.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .matching import sentence_at
from .tokens import quiet_jieba

KINDS = ("enumeration", "template", "quoted", "ngram")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_ITEM = f"[{_HAN}]{{1,8}}"
_ENUMERATION = re.compile(f"{_ITEM}(?:、{_ITEM}){{2,}}")
_TEMPLATE = re.compile(
    f"(?:[两二三四五六七八九]|十[一二三四五六七八九]?)(?:个|项|点|条|大|种)[{_HAN}]{{2}}"
)
_QUOTED = re.compile('[“「『"]([^”」』"“]{4,40})[”」』"]')
_B = np.uint64(1_000_003)
MAX_FAMILY_ROWS = 5000  # families are sought among the highest-ranked rows


@dataclass
class Occurrence:
    para: int  # row of the sorted paragraphs
    start: int
    text: str


def chinese_by_date(paragraphs: pd.DataFrame, works: pd.DataFrame) -> pd.DataFrame:
    """Chinese paragraphs of included works in date order, with ``date`` and ``issuer``
    (first use is the first row; the earliest holder of a passage the lowest row)."""
    inc = works[works["include"]].set_index("work_id")
    zh = paragraphs[(paragraphs["lang"] == "zh") & paragraphs["work_id"].isin(inc.index)]
    zh = zh.assign(
        date=zh["work_id"].map(inc["date"]).fillna(""),
        issuer=zh["work_id"].map(inc["issuer"]).fillna("") if "issuer" in inc else "",
    )
    return zh.sort_values(["date", "work_id", "position"], kind="stable").reset_index(drop=True)


# ------------------------------------------------ structured candidates


@lru_cache(maxsize=100_000)  # official text repeats its lists: cut each edge once
def _edge(text: str, *, min_len: int, last: bool) -> str:
    """The shortest run of whole words (jieba) at the end (``last``) or start of
    ``text`` that is at least ``min_len`` characters long: 倡导构建和平 -> 和平."""
    jieba = quiet_jieba()

    words = jieba.lcut(text)
    words = words[::-1] if last else words
    taken = ""
    for w in words:
        taken = w + taken if last else taken + w
        if len(taken) >= min_len:
            break
    return taken


def enumeration_items(match: str) -> tuple[str, ...]:
    """The items of an enumeration match, its first and last cut from the running text
    to whole words: as long as the inner items when those agree (倡导构建和平 -> 和平),
    else to the edge word (发挥政府 -> 政府)."""
    items = match.split("、")
    inner = items[1:-1]
    lengths = {len(x) for x in inner}
    n = lengths.pop() if len(lengths) == 1 else 2  # parallel items: as long as the inner ones
    return (_edge(items[0], min_len=n, last=True), *inner, _edge(items[-1], min_len=n, last=False))


def _structured(zh: pd.DataFrame) -> dict[tuple[str, str], list[Occurrence]]:
    found: dict[tuple[str, str], list[Occurrence]] = defaultdict(list)
    for row, text in enumerate(zh["text"]):
        for m in _ENUMERATION.finditer(text):
            items = enumeration_items(m.group(0))
            phrase = "、".join(items)
            start = m.start() + m.group(0).find(phrase) if phrase in m.group(0) else m.start()
            found[("enumeration", phrase)].append(Occurrence(row, start, phrase))
        for m in _TEMPLATE.finditer(text):
            found[("template", m.group(0))].append(Occurrence(row, m.start(), m.group(0)))
        for m in _QUOTED.finditer(text):
            found[("quoted", m.group(1))].append(Occurrence(row, m.start(1), m.group(1)))
    return found


# ------------------------------------------------ character n-grams


class _Ngrams:
    """Counts of every character n-gram (within runs of Han characters), as hashes."""

    def __init__(self, texts: list[str], *, max_len: int, min_count: int):
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        self.codes = np.frombuffer(("\n".join(texts) + "\n").encode("utf-32-le"), dtype=np.uint32)
        self.para = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)
        self.start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        han = ((self.codes >= 0x3400) & (self.codes <= 0x4DBF)) | (
            (self.codes >= 0x4E00) & (self.codes <= 0x9FFF)
        )
        # run[i]: Han characters from i onwards before the next other character
        stop = np.where(han, len(han), np.arange(len(han))).astype(np.int32)
        stop = np.minimum.accumulate(stop[::-1])[::-1]
        self.run = stop - np.arange(len(han), dtype=np.int32)
        del stop
        self.max_len = max_len
        self.min_count = min_count
        self.total = int(han.sum())
        self.counts: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def by_length(self):
        """Yield ``(n, hashes, valid)`` for n = 1 .. max_len, counting each length as it
        goes (``valid``: n Han characters start there); only the current length's hashes
        are held, the counts of the shorter ones are kept for cohesion."""
        h = np.zeros(len(self.codes), dtype=np.uint64)
        for n in range(1, self.max_len + 1):
            with np.errstate(over="ignore"):
                h[: len(h) - n + 1] *= _B
                h[: len(h) - n + 1] += self.codes[n - 1 :]
            valid = self.run >= n
            keys, counts = np.unique(h[valid], return_counts=True)
            # a substring occurs at least as often as the string: pruning below
            # min_count never loses a count that cohesion will ask for
            keep = counts >= (1 if n == 1 else self.min_count)
            self.counts[n] = (keys[keep], counts[keep])
            del keys, counts
            yield n, h, valid

    def count(self, n: int, key: np.uint64) -> int:
        keys, counts = self.counts[n]
        i = np.searchsorted(keys, key)
        return int(counts[i]) if i < len(keys) and keys[i] == key else 0

    @staticmethod
    def hash_of(text: str) -> np.uint64:
        h = np.uint64(0)
        with np.errstate(over="ignore"):
            for c in text:
                h = h * _B + np.uint64(ord(c))
        return h

    def text_at(self, pos: int, n: int) -> str:
        return self.codes[pos : pos + n].tobytes().decode("utf-32-le")

    def cohesion(self, text: str) -> float:
        """PMI of the weakest split: min over k of log2(c(w) N / (c(w[:k]) c(w[k:])))."""
        cw = self.count(len(text), self.hash_of(text))
        best = math.inf
        for k in range(1, len(text)):
            a = self.count(k, self.hash_of(text[:k]))
            b = self.count(len(text) - k, self.hash_of(text[k:]))
            if a and b:
                best = min(best, math.log2(cw * self.total / (a * b)))
        return best


def _whole_words(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` begins and ends at word boundaries (jieba's cut of
    its clause), holds at least two words and neither begins nor ends with a function
    word: a phrase, not a word or a fragment (在网络空间的)."""
    jieba = quiet_jieba()

    a = max(text.rfind(c, 0, start) for c in "。!?;,、") + 1
    b = min((i for i in (text.find(c, end) for c in "。!?;,、") if i >= 0), default=len(text))
    bounds, at = {a}, a
    for w in jieba.lcut(text[a:b], HMM=True):
        at += len(w)
        bounds.add(at)
    inside = sorted(x for x in bounds if start <= x <= end)
    if start not in bounds or end not in bounds or len(inside) < 3:
        return False
    first, last = text[inside[0] : inside[1]], text[inside[-2] : inside[-1]]
    return first not in _function_words() and last not in _function_words()


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Words a phrase does not begin or end with (的, 和, 在 …): stopwords-iso's Chinese list."""
    import stopwordsiso

    return frozenset(stopwordsiso.stopwords("zh"))


def _entropy(counts: np.ndarray) -> float:
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def _ngram_candidates(
    zh: pd.DataFrame,
    *,
    min_len: int,
    max_len: int,
    min_count: int,
    min_works: int,
    min_pmi: float,
    min_entropy: float,
    known: frozenset[str] = frozenset(),
    max_candidates: int = 5000,
) -> dict[tuple[str, str], list[Occurrence]]:
    texts = zh["text"].tolist()
    grams = _Ngrams(texts, max_len=max_len, min_count=min_count)
    work_of = pd.factorize(zh["work_id"])[0]
    found: dict[tuple[str, str], list[Occurrence]] = {}
    for n, h, valid in grams.by_length():
        keys, _ = grams.counts[n]
        if n < min_len or not len(keys):
            continue
        pos = np.flatnonzero(valid)
        hp = h[pos]
        at = np.minimum(np.searchsorted(keys, hp), len(keys) - 1)
        frequent = keys[at] == hp
        pos, hp = pos[frequent], hp[frequent]
        works = work_of[grams.para[pos]].astype(np.uint64)
        key_w, n_w = np.unique(np.unique(np.stack([hp, works]), axis=1)[0], return_counts=True)
        # the most widely used first: at most max_candidates per length get the
        # per-candidate tests (entropy, cohesion, word boundaries)
        wide = n_w >= min_works
        key_w, n_w = key_w[wide], n_w[wide]
        if not len(key_w):
            continue
        top = np.sort(key_w[np.argsort(-n_w, kind="stable")[:max_candidates]])
        at = np.minimum(np.searchsorted(top, hp), len(top) - 1)
        sel = top[at] == hp
        pos, hp = pos[sel], hp[sel]
        order = np.argsort(hp, kind="stable")
        pos, hp = pos[order], hp[order]
        bounds = np.flatnonzero(np.r_[True, hp[1:] != hp[:-1], True])
        for a, b in zip(bounds[:-1], bounds[1:]):
            at = pos[a:b]
            text = grams.text_at(int(at[0]), n)
            left = grams.codes[at - 1].astype(np.int64)
            right = grams.codes[at + n].astype(np.int64)
            # a boundary (punctuation, paragraph end) counts as a new neighbour each time
            left = np.where(grams.run[at - 1] > 0, left, -np.arange(1, len(at) + 1))
            right = np.where(grams.run[at + n] > 0, right, -np.arange(1, len(at) + 1))
            ent = min(
                _entropy(np.unique(left, return_counts=True)[1]),
                _entropy(np.unique(right, return_counts=True)[1]),
            )
            if ent < min_entropy or grams.cohesion(text) < min_pmi:
                continue
            paras = grams.para[at]
            first = int(at[0] - grams.start[paras[0]])
            if text in known or not _whole_words(texts[paras[0]], first, first + n):
                continue
            found[("ngram", text)] = [
                Occurrence(int(p), int(s - grams.start[p]), text) for p, s in zip(paras, at)
            ]
    return found


def _merge_kinds(found: dict) -> dict:
    """One candidate per phrase: a phrase found as a template and as a quotation (“三个代表”)
    becomes one row of kind ``template+quoted`` with its occurrences counted once."""
    by_phrase: dict[str, list] = defaultdict(list)
    for kind, phrase in found:
        by_phrase[phrase].append(kind)
    out = {}
    for phrase, kinds in by_phrase.items():
        kinds = sorted(kinds, key=KINDS.index)
        occ = {(o.para, o.start): o for k in kinds for o in found[(k, phrase)]}
        out[("+".join(kinds), phrase)] = sorted(occ.values(), key=lambda o: (o.para, o.start))
    return out


def _maximal(found: dict) -> dict:
    """Drop an n-gram held in a longer candidate that occurs nearly as often (80%)."""

    def bare(key) -> str:
        return key[1].replace("、", "")

    lengths = {len(key[1]) for key in found if "ngram" in key[0]}
    holders: dict[str, list] = defaultdict(list)
    for key in found:
        text = bare(key)
        for n in lengths:
            for i in range(len(text) - n + 1):
                if n < len(text):
                    holders[text[i : i + n]].append(key)
    keep = {}
    for key, occ in found.items():
        covered = key[0] == "ngram" and any(
            len(found[other]) >= 0.8 * len(occ) for other in holders.get(key[1], ())
        )
        if not covered:
            keep[key] = occ
    return keep


# ------------------------------------------------ table


def _families(phrases: list[str], *, similarity: float) -> list[int]:
    """Single-link groups of phrases whose separator-free forms are within ``similarity``
    (rapidfuzz's normalised Indel similarity, all pairs at once in C++)."""
    from rapidfuzz import fuzz, process

    bare = [p.replace("、", "") for p in phrases]
    parent = list(range(len(phrases)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(bare) > 1:
        scores = process.cdist(
            bare, bare, scorer=fuzz.ratio, score_cutoff=similarity * 100, dtype=np.uint8
        )
        for i, j in zip(*np.nonzero(np.triu(scores, 1))):
            parent[root(int(j))] = root(int(i))
    return [root(i) for i in range(len(phrases))]


def textstat_formulations(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    *,
    min_works: int = 2,
    min_len: int = 6,
    max_len: int = 12,
    min_count: int = 2,
    min_pmi: float = 3.0,
    min_entropy: float = 1.0,
    family_similarity: float = 0.8,
    boilerplate_emergence: float = 0.1,
    random_state: int = 0,
    top: int | None = None,
    kinds: tuple[str, ...] = KINDS,
    lexicon=None,
) -> pd.DataFrame:
    """Candidate formulations with their works, issuers, first use and variant family.

    Parameters
    ----------
    min_works
        Keep candidates used in at least this many works.
    min_len, max_len
        Length in Han characters of the n-gram candidates.
    min_count, min_pmi, min_entropy
        An n-gram must occur ``min_count`` times, have the PMI of its weakest
        split at least ``min_pmi`` bits and branching entropy on both sides at
        least ``min_entropy`` bits.
    family_similarity
        Normalised Indel similarity (0-1) at which two candidates join one family.
    boilerplate_emergence
        In a genre large enough to judge (``MIN_GENRE_WORKS`` dated works), a
        candidate used in at least ``MIN_BOILERPLATE_WORKS`` of them whose
        ``emergence`` is at most this is the genre's boilerplate (every law's penalty
        clause, a site's footer): its works lie over time as a random draw of the
        genre's works would. Boilerplate ranks after every other candidate.
    random_state
        Seed of the random draws that give the dispersion expected by chance.
    lexicon
        A :class:`~cyberdiscourse.lexicon.Lexicon`: its forms and domain terms are
        known words, not new formulations, and are left out of the n-grams.

    Returns
    -------
    DataFrame ``rank, formulation, kind, n_works, n_issuers, count, first_work,
    first_date, first_sentence, first_source, works, adoption, salience, genre,
    coverage, time_dispersion, emergence, boilerplate, score, family`` where
    ``adoption`` is the share of the works dated after the first use that use it,
    ``genre`` the genre most of its works have, ``coverage`` the share of that
    genre's works using it, ``time_dispersion`` how unevenly its works lie over the
    genre's time (:func:`dispersion` over ten spans that each hold a tenth of the
    genre's dated works) and ``emergence`` how far that is from what a random draw of
    as many of the genre's works gives: 0 spread as chance spreads them, 1 all in
    one period (NaN where the genre is too small to judge). ``score`` ranks
    (:func:`score`).
    """
    zh = chinese_by_date(paragraphs, works)
    found: dict = {}
    if {"enumeration", "template", "quoted"} & set(kinds):
        found.update({k: v for k, v in _structured(zh).items() if k[0] in kinds})
    if "ngram" in kinds:
        found.update(
            _ngram_candidates(
                zh,
                min_len=min_len,
                max_len=max_len,
                min_count=min_count,
                min_works=min_works,
                min_pmi=min_pmi,
                min_entropy=min_entropy,
                known=_known_words(lexicon),
            )
        )
    found = _maximal(_merge_kinds(found))
    ctx = {
        "work": zh["work_id"].to_numpy(),
        "issuer": zh["issuer"].to_numpy(),
        "dates": zh.drop_duplicates("work_id").set_index("work_id")["date"],
    }
    rows = [_row(kind, phrase, occ, zh, ctx) for (kind, phrase), occ in found.items()]
    out = pd.DataFrame(rows, columns=_COLUMNS[1 : _COLUMNS.index("adoption") + 1])
    out = out[out["n_works"] >= min_works]
    out["salience"] = [
        round(salience(k, f, n), 3)
        for k, f, n in zip(out["kind"], out["formulation"], out["n_works"])
    ]
    out = pd.concat([out, _spread(out["works"], works, random_state=random_state)], axis=1)
    out["boilerplate"] = out["n_dated"].ge(MIN_BOILERPLATE_WORKS) & out["emergence"].le(
        boilerplate_emergence
    )
    out["score"] = [
        round(score(k, f, n, e, d), 3)
        for k, f, n, e, d in zip(
            out["kind"], out["formulation"], out["n_works"], out["emergence"], out["n_dated"]
        )
    ]
    # In a genre judged by time, a phrase of undated works only cannot be placed in it:
    # it ranks after the phrases that can, not by its salience.
    out.loc[out["genre_works"].ge(MIN_GENRE_WORKS) & out["n_dated"].eq(0), "score"] = 0.0
    out = out.sort_values(
        ["boilerplate", "score", "n_issuers", "count", "formulation"],
        ascending=[True, False, False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    if top is not None:
        out = out.head(top)
    fam = _families(out["formulation"].head(MAX_FAMILY_ROWS).tolist(), similarity=family_similarity)
    fam += list(range(len(fam), len(out)))  # beyond the first rows: a family of its own
    first_of = {}
    for i, f in enumerate(fam):
        first_of.setdefault(f, out["formulation"].iloc[i])
    out["family"] = [first_of[f] for f in fam]
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[_COLUMNS]


_COLUMNS = [
    "rank",
    "formulation",
    "kind",
    "n_works",
    "n_issuers",
    "count",
    "first_work",
    "first_date",
    "first_sentence",
    "first_source",
    "works",
    "adoption",
    "salience",
    "genre",
    "coverage",
    "time_dispersion",
    "emergence",
    "boilerplate",
    "score",
    "family",
]
MIN_GENRE_WORKS = 20  # dated works a genre needs before its boilerplate can be told
MIN_BOILERPLATE_WORKS = 10  # dated works using a phrase before its spread can be judged
_CHANCE_DRAWS = 300  # random draws behind each expected dispersion


def dispersion(counts: pd.Series, sizes: pd.Series) -> float:
    """Gries' deviation of proportions, normalised (Lijffijt and Gries 2012): how unevenly
    ``counts`` lie over parts of the given ``sizes``. 0 when every part holds its share
    of the uses in proportion to its size, 1 when all uses sit in the smallest part.
    NaN without uses or with one part."""
    share = sizes / sizes.sum()
    if len(share) < 2 or counts.sum() <= 0:
        return float("nan")
    used = counts.reindex(share.index, fill_value=0)
    used = used / used.sum()
    return float(0.5 * np.abs(used - share).sum() / (1 - share.min()))


def _spread(work_lists: pd.Series, works: pd.DataFrame, *, random_state: int = 0) -> pd.DataFrame:
    """Per candidate (its ``;``-joined works): its genre, the share of the genre's works
    using it, its :func:`dispersion` over the genre's time spans (by works), the dispersion
    that as many works drawn at random from the genre's dated works give on average
    (``_CHANCE_DRAWS`` draws, seeded), and ``emergence``, the observed dispersion's
    distance from chance toward 1. Emergence is NaN in a genre of fewer than
    ``MIN_GENRE_WORKS`` dated works."""
    from collections import Counter

    inc = works[works["include"]]
    genres = inc["genre"].fillna("") if "genre" in inc else pd.Series("", index=inc.index)
    genre_of = dict(zip(inc["work_id"], genres))
    size = Counter(genre_of.values())
    period_of_work: dict[str, str] = {}
    shares: dict[str, pd.Series] = {}
    for g in size:
        members = inc[genres.to_numpy() == g]
        period_of_work.update(zip(members["work_id"], _time_bins(members["date"])))
        dated = pd.Series([period_of_work[w] for w in members["work_id"]])
        shares[g] = dated[dated != ""].value_counts().sort_index()
    chance = _ChanceDispersion(shares, random_state)
    rows = []
    for listed in work_lists:
        ids = listed.split(";")
        g = Counter(genre_of.get(i, "") for i in ids).most_common(1)[0][0]
        periods = [period_of_work.get(i, "") for i in ids if genre_of.get(i) == g]
        used = pd.Series(Counter(p for p in periods if p), dtype=float)
        n_dated = int(used.sum())
        observed = dispersion(used, shares[g])
        judged = int(shares[g].sum()) >= MIN_GENRE_WORKS and len(shares[g]) > 1 and n_dated > 0
        expected = chance(g, n_dated) if judged else float("nan")
        rows.append(
            {
                "genre": g,
                "genre_works": int(shares[g].sum()),
                "n_dated": n_dated,
                "coverage": round(len(periods) / size[g], 4),
                "time_dispersion": round(observed, 4),
                "emergence": round(max(0.0, (observed - expected) / (1 - expected)), 4)
                if judged and expected < 1
                else float("nan"),
            }
        )
    return pd.DataFrame(rows, index=work_lists.index)


TIME_BINS = 10  # spans of a genre's time, each with as many of its dated works


def _time_bins(dates: pd.Series) -> list[str]:
    """Each work's span of its genre's time: the dated works in date order cut into
    ``TIME_BINS`` groups of equally many (works of one date together); ``""`` undated.
    Equal counts, not calendar years: a phrase in six laws is judged against ten spans
    that each hold a tenth of the laws, not against forty years most of which hold none."""
    from .dates import as_dates

    when = as_dates(dates.fillna(""))
    rank = when.rank(method="min")
    n = int(when.notna().sum())
    bins = ((rank - 1) * TIME_BINS // max(n, 1)).astype("Int64")
    return ["" if pd.isna(b) else f"{int(b):02d}" for b in bins]


class _ChanceDispersion:
    """The mean :func:`dispersion` of ``n`` works drawn at random from a genre's dated
    works (multinomial over its periods), computed once per genre and ``n``."""

    def __init__(self, shares: dict[str, pd.Series], random_state: int):
        self.shares, self.random_state, self.memo = shares, random_state, {}

    def __call__(self, genre: str, n: int) -> float:
        if (genre, n) not in self.memo:
            sizes = self.shares[genre].to_numpy(dtype=float)
            p = sizes / sizes.sum()
            rng = np.random.default_rng([self.random_state, n])
            drawn = rng.multinomial(n, p, size=_CHANCE_DRAWS) / n
            dp = 0.5 * np.abs(drawn - p).sum(axis=1) / (1 - p.min())
            self.memo[(genre, n)] = float(dp.mean())
        return self.memo[(genre, n)]


def _known_words(lexicon) -> frozenset[str]:
    if lexicon is None:
        return frozenset()
    return frozenset(lexicon.zh_forms) | frozenset(lexicon.domain_terms)


def salience(kind: str, phrase: str, n_works: int) -> float:
    """How strongly a candidate reads as a set phrase: works x log2(1 + Han characters),
    doubled for the constructed kinds (an enumeration, a numbered template, a quoted
    phrase): repeating 24 characters verbatim in two works is rarer by chance than
    repeating 6 in four."""
    return n_works * _form_weight(kind, phrase)


def _form_weight(kind: str, phrase: str) -> float:
    """log2(1 + Han characters), doubled for the constructed kinds."""
    weight = 1.0 if kind == "ngram" else 2.0  # "template+quoted" and the like are constructed
    return math.log2(1 + len(phrase.replace("、", ""))) * weight


def score(kind: str, phrase: str, n_works: int, emergence: float, n_dated: int) -> float:
    """The rank of a candidate. Where its genre is too small to judge how it spreads
    (``emergence`` NaN), its :func:`salience`. Elsewhere a phrase that emerges and
    spreads must outrank one that every document of the genre carries (a law's penalty
    clause is in half of all laws): the works count on a log scale, times the
    emergence, times ``n / (n + MIN_BOILERPLATE_WORKS)`` of the ``n`` dated works using
    it, because the emergence of a phrase in two works is mostly chance."""
    if math.isnan(emergence):
        return salience(kind, phrase, n_works)
    reliability = n_dated / (n_dated + MIN_BOILERPLATE_WORKS)
    return math.log2(1 + n_works) * _form_weight(kind, phrase) * emergence * reliability


def _row(kind: str, phrase: str, occ: list[Occurrence], zh: pd.DataFrame, ctx: dict) -> dict:
    first = min(occ, key=lambda o: (o.para, o.start))
    rec = zh.iloc[first.para]
    rows = [o.para for o in occ]
    work_ids = list(dict.fromkeys(ctx["work"][rows]))
    issuers = {i for i in ctx["issuer"][rows] if i}
    later = ctx["dates"][ctx["dates"] > rec["date"]]
    adoption = len(set(work_ids) & set(later.index)) / len(later) if len(later) else np.nan
    return {
        "formulation": phrase,
        "kind": kind,
        "n_works": len(work_ids),
        "n_issuers": len(issuers),
        "count": len(occ),
        "first_work": rec["work_id"],
        "first_date": rec["date"],
        "first_sentence": sentence_at(rec["text"], first.start, first.start + len(phrase)),
        "first_source": f"{rec['source_file']}:{rec['line_no']}",
        "works": ";".join(work_ids),
        "adoption": adoption,
    }


def formulation_timeline(
    paragraphs: pd.DataFrame, works: pd.DataFrame, formulations: list[str]
) -> pd.DataFrame:
    """How often each formulation occurs in each included work: ``formulation, work_id,
    date, issuer, count`` (works where it does not occur left out). An enumeration
    is found with any of 、 , ， between its items."""
    zh = chinese_by_date(paragraphs, works)
    meta = zh.drop_duplicates("work_id").set_index("work_id")[["date", "issuer"]]
    rows = []
    for phrase in formulations:
        pattern = re.compile("[、,，]?".join(map(re.escape, phrase.split("、"))))
        counts = zh["text"].map(lambda t, p=pattern: len(p.findall(t)))
        by_work = counts.groupby(zh["work_id"]).sum()
        for work_id, n in by_work[by_work > 0].items():
            date, issuer = meta.loc[work_id]
            rows.append((phrase, work_id, date, issuer, int(n)))
    return pd.DataFrame(rows, columns=["formulation", "work_id", "date", "issuer", "count"])


def _short_labels(phrases: list[str], width: int) -> list[str]:
    """Each phrase in at most ``width`` characters, cut in the middle (an enumeration's
    first and last items tell it from its variants); labels that still coincide get
    their row number."""
    head = (width - 1) // 2
    short = [p if len(p) <= width else p[:head] + "…" + p[-(width - 1 - head) :] for p in phrases]
    seen = pd.Series(short).duplicated(keep=False).to_numpy()
    return [f"{s} ({i + 1})" if dup else s for i, (s, dup) in enumerate(zip(short, seen))]


MIN_DOT_GAP = 8.0  # points between the centres of two dots of a row, at the least
MAX_DOT = 12.0  # points: the diameter of the largest dot


def textplot_formulations(
    timeline: pd.DataFrame,
    *,
    ax=None,
    max_label: int = 18,
    max_rows: int = 20,
    max_points: int = 40,
):
    """Adoption over time: a row per formulation (the first ``max_rows``), a dot per work
    that uses it (area: uses), the first use filled and the later ones hollow.

    Dots never overlap. When two works of a row lie closer than ``MIN_DOT_GAP`` points
    on the time axis, or a formulation has more than ``max_points`` works, each dot is
    a period instead (area: the works of that period using it): the finest of day,
    week, month, year and five years whose periods are that far apart. Every dot is
    at most as wide as the gap to its neighbours and the rows' spacing. Returns the
    Axes."""
    from .plotting import PALETTE, Caption, date_axis, new_figure, set_caption

    order = list(dict.fromkeys(timeline["formulation"]))[:max_rows]
    shown = timeline[timeline["formulation"].isin(order)]
    if ax is None:
        _, ax = new_figure("two_column", height=max(2.2, 0.8 + 0.2 * len(order)))
    points_per_day = _points_per_day(ax, shown["date"])
    row_points = _row_points(ax, len(order))
    unit = _dot_unit(shown, points_per_day, max_points)
    drawn = _dots(shown, unit)
    gap = _smallest_gap(drawn, points_per_day)
    biggest = max(2.0, min(MAX_DOT, 0.9 * gap, 0.9 * row_points))
    cap = 20 if unit == "work" else max(1, int(drawn["count"].max() if len(drawn) else 1))
    undated_only: list[str] = []
    for i, phrase in enumerate(order):
        sub = drawn[drawn["formulation"] == phrase]
        if sub.empty:  # used only in undated works: a row without dots
            undated_only.append(phrase)
            continue
        sizes = (biggest * np.sqrt(sub["count"].clip(upper=cap) / cap).clip(lower=0.3)) ** 2
        ax.scatter(sub["x"].iloc[:1], [i], s=sizes.iloc[:1], color=PALETTE[0], zorder=3, lw=0)
        ax.scatter(
            sub["x"].iloc[1:],
            [i] * (len(sub) - 1),
            s=sizes.iloc[1:],
            facecolors="none",
            edgecolors=PALETTE[0],
            linewidths=0.6,
            zorder=3,
        )
        ax.plot(sub["x"], [i] * len(sub), color="0.8", lw=0.8, zorder=1)
    labels = _short_labels(order, max_label)
    ax.set_yticks(range(len(order)), labels)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.grid(axis="x", color="0.92")
    date_axis(ax, maxticks=10)
    per = {"work": "work", "five_years": "five-year period"}.get(unit, unit)
    ax.set_xlabel("date of the work" if unit == "work" else f"{per} of the works")
    set_caption(
        ax,
        Caption(
            f"Adoption of the {len(order)} highest-ranked formulations (set phrases) across works",
            "uses of the phrase in a work" if unit == "work" else f"works using it in a {per}",
            int(timeline["work_id"].nunique()),
            encodings={
                "row": "one formulation",
                "filled dot": f"the {per} of its first use in the corpus",
                "hollow dot": f"a later {per} using it",
                "dot area": "uses (up to 20)"
                if unit == "work"
                else f"works using it in the {per} (up to {cap})",
            },
            note=f"{len(undated_only)} row(s) without dots: used only in undated works "
            f"({', '.join(undated_only)})"
            if undated_only
            else "",
        ),
    )
    return ax


def _points_per_day(ax, dates: pd.Series) -> float:
    """How many points of the Axes' width one day takes, for the span of ``dates``."""
    from .dates import as_dates

    when = as_dates(dates).dropna()
    span = max((when.max() - when.min()).days, 1) if len(when) else 1
    width = ax.get_position().width * ax.figure.get_figwidth() * 72
    return width / (span * 1.1)  # matplotlib's default margins


def _row_points(ax, n_rows: int) -> float:
    height = ax.get_position().height * ax.figure.get_figheight() * 72
    return height / max(n_rows, 1)


_DOT_UNITS = ("day", "week", "month", "year", "five_years")
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30.4, "year": 365.25, "five_years": 1826}


def _dot_unit(timeline: pd.DataFrame, points_per_day: float, max_points: int) -> str:
    """``"work"`` when a dot per work fits without overlap, else the finest period whose
    dots do."""
    works = _dots(timeline, "work")
    most = works["formulation"].value_counts().max() if len(works) else 0
    if most <= max_points and _smallest_gap(works, points_per_day) >= MIN_DOT_GAP:
        return "work"
    return next(
        (u for u in _DOT_UNITS if _UNIT_DAYS[u] * points_per_day >= MIN_DOT_GAP), "five_years"
    )


def _dots(timeline: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One row per dot: ``formulation, x`` (a timestamp) and ``count`` (uses in the work,
    or works in the period), sorted by time within each formulation."""
    from .dates import as_dates, period_middle, period_of

    t = timeline[["formulation", "date", "count", "work_id"]].copy()
    if unit == "work":
        t["x"] = as_dates(t["date"])
        return t.dropna(subset=["x"]).sort_values(["formulation", "x"], kind="stable")
    if unit == "five_years":
        years = pd.to_numeric(t["date"].str.slice(0, 4), errors="coerce")
        t["period"] = (years // 5 * 5 + 2).astype("Int64").astype(str) + "-07-01"
        t.loc[years.isna(), "period"] = ""
        middle = as_dates
    else:
        t["period"] = period_of(t["date"], unit).to_numpy()
        middle = lambda p: period_middle(p, unit)  # noqa: E731
    t = t[t["period"] != ""]
    dots = t.groupby(["formulation", "period"], as_index=False).agg(count=("work_id", "size"))
    dots["x"] = middle(dots["period"]).to_numpy()
    return dots.sort_values(["formulation", "x"], kind="stable")


def _smallest_gap(dots: pd.DataFrame, points_per_day: float) -> float:
    """The smallest distance in points between two dots of one row (the axis width when
    no row has two)."""
    gaps = [
        np.diff(np.sort(x.to_numpy())).min() / np.timedelta64(1, "D") * points_per_day
        for _, x in dots.groupby("formulation")["x"]
        if len(x) > 1
    ]
    return float(min(gaps)) if gaps else MAX_DOT / 0.9


def accept_formulation(
    data_dir, phrase: str, *, concept_id: str | None = None, label: str | None = None
) -> tuple[str, Path]:
    """Write an accepted formulation into the data folder's lexicon (``concepts.csv``).

    The row has category ``formulation``; its forms are the phrase and, for an
    enumeration, the phrase without its 、 (和平安全开放合作有序), so every other
    analysis (concept counts, KWIC, the segmenter's protected words, the reuse mask)
    counts it from the next run. A data folder without a lexicon of its own gets a
    copy of the default one first, so the repository's lexicon is never changed for
    somebody else's corpus.

    Returns ``(concept_id, path of concepts.csv)``.

    Raises
    ------
    CorpusError
        When the phrase is empty or already a form of a concept.
    """
    import csv
    import io
    import shutil

    from .config import REPO_ROOT
    from .curate import pinyin_slug
    from .errors import CorpusError, Problem
    from .io import write_atomic
    from .lexicon import CONCEPTS_FILE, load_lexicon

    phrase = phrase.strip()
    if not phrase:
        raise CorpusError(
            Problem("formulations --accept", "", "the phrase is empty", "give the phrase")
        )
    folder = Path(data_dir) / "lexicon"
    if not (folder / CONCEPTS_FILE).is_file():
        shutil.copytree(REPO_ROOT / "data" / "lexicon", folder, dirs_exist_ok=True)
    lexicon = load_lexicon(data_dir)
    forms = list(dict.fromkeys([phrase, phrase.replace("、", "")]))
    taken = [f for f in forms if f in lexicon.form_to_concept]
    if taken:
        raise CorpusError(
            Problem(
                str(folder / CONCEPTS_FILE),
                "",
                f"{taken[0]} is already a form of {lexicon.form_to_concept[taken[0]]!r}",
                "nothing to accept; edit that row instead",
            )
        )
    cid = concept_id or "formulation_" + pinyin_slug(phrase).replace("-", "_")
    ids = {c.concept_id for c in lexicon.concepts}
    base, k = cid, 2
    while cid in ids:
        cid, k = f"{base}_{k}", k + 1
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        [cid, label or phrase, "", "formulation", ";".join(forms), "", "accepted formulation"]
    )
    path = folder / CONCEPTS_FILE
    text = path.read_text(encoding="utf-8-sig")
    text = text if text.endswith("\n") else text + "\n"
    write_atomic(path, lambda tmp: Path(tmp).write_text(text + buf.getvalue(), encoding="utf-8"))
    load_lexicon(data_dir)  # the new row must validate, else the error names it
    return cid, path


def accepted_formulations(lexicon) -> list[str]:
    """The forms of the lexicon's concepts of category ``formulation``."""
    return [f for c in lexicon.concepts if c.category == "formulation" for f in c.zh_forms]
