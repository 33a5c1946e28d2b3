"""Topic models with evidence: LDA and NMF behind one interface, k chosen by
coherence, exclusivity and stability, topic prevalence over time with intervals.

- Units are paragraphs; the vocabulary comes from the cached tokens (concept
  terms are single tokens already), filtered by document frequency.
- Engines: ``"tomotopy"`` (collapsed Gibbs sampling in C++) and ``"sklearn"``
  (variational LDA) for LDA; scikit-learn for NMF. ``random_state`` fixes every
  fit: the same seed gives the same topics.
- Coherence is NPMI over the corpus's own paragraph co-occurrences; stability is
  the mean top-word Jaccard overlap of topics matched one-to-one (Hungarian
  algorithm) between fits with different seeds.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from .dates import period_of, time_axis, unit_of
from .plotting import Caption, date_axis, gloss, set_caption, set_title

METHODS = ("lda", "nmf")
ENGINES = ("tomotopy", "sklearn")


@dataclass
class DocumentTermMatrix:
    """Paragraph x term counts, with the paragraphs' ids and the vocabulary."""

    X: sparse.csr_matrix
    vocab: np.ndarray
    para_id: np.ndarray
    work_id: np.ndarray

    def __post_init__(self) -> None:
        # Sorted column indices make docs() list tokens in one fixed order. Left unsorted
        # (as CountVectorizer leaves them), a later scipy operation sorts them in place,
        # the token order changes, and a Gibbs sampler with the same seed finds other topics.
        self.X = sparse.csr_matrix(self.X)
        self.X.sort_indices()

    def subset(self, rows: np.ndarray) -> DocumentTermMatrix:
        """The same matrix restricted to some paragraphs (rows), vocabulary unchanged."""
        return DocumentTermMatrix(self.X[rows], self.vocab, self.para_id[rows], self.work_id[rows])

    def docs(self) -> list[list[str]]:
        """Each paragraph's in-vocabulary tokens (repeated by count), for Gibbs samplers."""
        rows = []
        for i in range(self.X.shape[0]):
            row = self.X.getrow(i)
            rows.append([w for j, n in zip(row.indices, row.data) for w in [self.vocab[j]] * n])
        return rows


def build_dtm(
    tokens: pd.DataFrame,
    *,
    lang: str = "zh",
    min_df: int | float = 2,
    max_df: float = 0.5,
    max_features: int | None = None,
) -> DocumentTermMatrix:
    """Count matrix of the paragraphs of one language.

    ``min_df``/``max_df`` are document frequencies (an int counts paragraphs, a float is
    a share), as in scikit-learn. Paragraphs left without any term are dropped.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    sub = tokens[tokens["lang"] == lang]
    vec = CountVectorizer(analyzer=list, min_df=min_df, max_df=max_df, max_features=max_features)
    X = vec.fit_transform(sub["tokens"].map(list)).tocsr()
    keep = np.asarray(X.sum(axis=1)).ravel() > 0
    return DocumentTermMatrix(
        X[keep],
        vec.get_feature_names_out(),
        sub["para_id"].to_numpy()[keep],
        sub["work_id"].to_numpy()[keep],
    )


@dataclass
class TopicModel:
    """A fitted model: ``topic_term`` (k x V, rows sum to 1) and ``doc_topic`` (D x k)."""

    method: str
    engine: str
    k: int
    random_state: int
    topic_term: np.ndarray
    doc_topic: np.ndarray
    vocab: np.ndarray
    seconds: float
    labels: dict[int, str] | None = None  # set by :func:`topic_labels`

    def top_terms(self, n: int = 10) -> list[list[str]]:
        return [list(self.vocab[np.argsort(-row, kind="stable")[:n]]) for row in self.topic_term]


def _normalise_rows(a: np.ndarray) -> np.ndarray:
    s = a.sum(axis=1, keepdims=True)
    return np.divide(a, s, out=np.full_like(a, 1.0 / a.shape[1]), where=s > 0)


def _fit_tomotopy(
    dtm: DocumentTermMatrix,
    k: int,
    random_state: int,
    iterations: int,
    seeds: dict[int, list[str]] | None = None,
    other_prior: float = 0.001,
):
    import tomotopy as tp

    model = tp.LDAModel(k=k, seed=random_state)
    for doc in dtm.docs():
        model.add_doc(doc)
    # keyATM-style anchoring with tomotopy's word priors (set before training): a seed
    # word's topic-word prior is 1 in its topic and other_prior elsewhere (tomotopy's
    # documented recipe uses 1 and 0.1; on the seeds 0.001 anchored 22 of 25 seed words
    # against 21 at 0.01, and 0 forces them all but lets a weak category's topic be
    # taken over by other words)
    vocab = set(dtm.vocab)
    for t, words in (seeds or {}).items():
        for w in words:
            if w in vocab:
                model.set_word_prior(w, [1.0 if j == t else other_prior for j in range(k)])
    model.train(iterations, workers=1)  # one worker: identical results for one seed
    index = {w: j for j, w in enumerate(dtm.vocab)}
    order = [index[w] for w in model.used_vocabs]
    topic_term = np.zeros((k, len(dtm.vocab)))
    for t in range(k):
        topic_term[t, order] = model.get_topic_word_dist(t)
    doc_topic = np.array([d.get_topic_dist() for d in model.docs])
    return topic_term, doc_topic


def _fit_sklearn_lda(dtm: DocumentTermMatrix, k: int, random_state: int, iterations: int):
    from sklearn.decomposition import LatentDirichletAllocation

    lda = LatentDirichletAllocation(
        n_components=k, random_state=random_state, learning_method="batch", max_iter=iterations
    )
    doc_topic = lda.fit_transform(dtm.X)
    return _normalise_rows(lda.components_), doc_topic


def _fit_nmf(dtm: DocumentTermMatrix, k: int, random_state: int, iterations: int):
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer().fit_transform(dtm.X)
    nmf = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=iterations)
    w = nmf.fit_transform(tfidf)
    return _normalise_rows(nmf.components_), _normalise_rows(w)


def fit_topics(
    dtm: DocumentTermMatrix,
    k: int,
    *,
    method: str = "lda",
    engine: str = "tomotopy",
    random_state: int = 0,
    iterations: int | None = None,
) -> TopicModel:
    """Fit one topic model.

    Parameters
    ----------
    method
        ``"lda"`` or ``"nmf"`` (NMF on TF-IDF, always scikit-learn).
    engine
        For LDA: ``"tomotopy"`` (Gibbs sampling, default) or ``"sklearn"``.
    iterations
        Gibbs sweeps (tomotopy, default 500) or maximum iterations (scikit-learn,
        default 50 for LDA and 400 for NMF).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if method == "lda" and engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    start = time.perf_counter()
    if method == "nmf":
        engine = "sklearn"
        topic_term, doc_topic = _fit_nmf(dtm, k, random_state, iterations or 400)
    elif engine == "tomotopy":
        topic_term, doc_topic = _fit_tomotopy(dtm, k, random_state, iterations or 500)
    else:
        topic_term, doc_topic = _fit_sklearn_lda(dtm, k, random_state, iterations or 50)
    return TopicModel(
        method,
        engine,
        k,
        random_state,
        topic_term,
        doc_topic,
        dtm.vocab,
        time.perf_counter() - start,
    )


# ---------------------------------------------------------------- evaluation


def npmi(dtm_X: sparse.spmatrix, vocab: np.ndarray, topics: list[list[str]]) -> np.ndarray:
    """Mean NPMI of each topic's top words over paragraph co-occurrence.

    For words i, j: ``NPMI = log(p_ij / (p_i p_j)) / -log(p_ij)``, with p the share of
    paragraphs containing the word(s); a pair that never co-occurs scores -1.
    """
    binary = (dtm_X > 0).astype(np.int64).tocsc()
    n = binary.shape[0]
    index = {w: j for j, w in enumerate(vocab)}
    scores = []
    for words in topics:
        cols = [index[w] for w in words]
        sub = binary[:, cols]
        co = (sub.T @ sub).toarray()
        p = np.diag(co) / n
        vals = []
        for a, b in itertools.combinations(range(len(cols)), 2):
            pab = co[a, b] / n
            if pab == 0:
                vals.append(-1.0)
            elif pab == 1:
                vals.append(1.0)
            else:
                vals.append(math.log(pab / (p[a] * p[b])) / -math.log(pab))
        scores.append(float(np.mean(vals)) if vals else 0.0)
    return np.array(scores)


def exclusivity(topic_term: np.ndarray, n: int = 10) -> np.ndarray:
    """Mean share of each top word's weight that belongs to its topic (1 = unique to it)."""
    share = topic_term / topic_term.sum(axis=0, keepdims=True).clip(min=1e-12)
    top = np.argsort(-topic_term, axis=1, kind="stable")[:, :n]
    return np.array([share[t, top[t]].mean() for t in range(topic_term.shape[0])])


def topic_overlap(a: list[list[str]], b: list[list[str]]) -> tuple[float, np.ndarray]:
    """Match the topics of two fits one-to-one by top-word Jaccard (Hungarian algorithm).

    Returns the mean Jaccard of the matched pairs and the matching (b's index per a).
    """
    from scipy.optimize import linear_sum_assignment

    sim = np.array([[len(set(x) & set(y)) / len(set(x) | set(y)) for y in b] for x in a])
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean()), cols


def stability(models: list[TopicModel], n: int = 10) -> float:
    """Mean matched top-word overlap over every pair of fits (1 = same topics every time)."""
    pairs = list(itertools.combinations(models, 2))
    if not pairs:
        return float("nan")
    return float(np.mean([topic_overlap(a.top_terms(n), b.top_terms(n))[0] for a, b in pairs]))


def heldout_split(
    dtm: DocumentTermMatrix, *, share: float = 0.3, random_state: int = 0
) -> tuple[DocumentTermMatrix, DocumentTermMatrix]:
    """Paragraphs split at random (seeded) into a part to fit on and ``share`` held out."""
    rng = np.random.default_rng(random_state)
    order = rng.permutation(dtm.X.shape[0])
    n_held = int(round(share * len(order)))
    return dtm.subset(np.sort(order[n_held:])), dtm.subset(np.sort(order[:n_held]))


def sample_paragraphs(
    dtm: DocumentTermMatrix, n: int, *, random_state: int = 0
) -> DocumentTermMatrix:
    """At most ``n`` paragraphs drawn at random (seeded), in their original order: for
    choosing k on a large corpus before the final model is fitted on everything."""
    if dtm.X.shape[0] <= n:
        return dtm
    rng = np.random.default_rng(random_state)
    return dtm.subset(np.sort(rng.choice(dtm.X.shape[0], size=n, replace=False)))


def _fit_and_score(fit, held, k, seed, method, engine, n):
    model = fit_topics(fit, k, method=method, engine=engine, random_state=seed)
    top = model.top_terms(n)
    return (
        model,
        float(npmi(held.X, held.vocab, top).mean()),
        float(npmi(fit.X, fit.vocab, top).mean()),
        float(exclusivity(model.topic_term, n).mean()),
    )


def select_k(
    dtm: DocumentTermMatrix,
    ks,
    *,
    seeds=(0, 1, 2),
    method: str = "lda",
    engine: str = "tomotopy",
    n: int = 10,
    holdout: float = 0.3,
    random_state: int = 0,
    widen: int = 2,
    n_jobs: int = -1,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Fit every (k, seed) on part of the paragraphs (in parallel) and score each k.

    Coherence is measured out of sample: the models are fitted on ``1 - holdout`` of
    the paragraphs and their top words scored (NPMI) on the ``holdout`` share they
    never saw (split by ``random_state``); ``npmi_fitted`` is the in-sample score,
    for comparison (it is optimistic). When the best k (:func:`choose_k`) lies at an
    edge of ``ks``, the range is widened one step beyond that edge, up to ``widen``
    times (``added`` marks those rows).

    Returns one row per k: held-out NPMI and its spread over seeds, in-sample NPMI,
    exclusivity, stability across seeds, the mean fitting time, ``added``.
    ``progress`` shows a bar (default: on a terminal, never under ``CI=true``).
    """
    fit, held = (
        heldout_split(dtm, share=holdout, random_state=random_state) if holdout else (dtm, dtm)
    )
    ks = sorted(ks)
    selection = _score_ks(fit, held, ks, seeds, method, engine, n, n_jobs, progress)
    step = min(np.diff(ks)) if len(ks) > 1 else 1
    for _ in range(widen):
        best = choose_k(selection)
        if best == max(ks):
            extra = max(ks) + step
        elif best == min(ks) and min(ks) - step >= 2:
            extra = min(ks) - step
        else:
            break
        more = _score_ks(fit, held, [extra], seeds, method, engine, n, n_jobs, progress)
        selection = pd.concat([selection, more.assign(added=True)]).sort_values("k")
        ks = sorted([*ks, extra])
    selection = selection.reset_index(drop=True)
    selection.attrs.update(
        n_documents=int(pd.Series(dtm.work_id).nunique()), n_paragraphs=int(dtm.X.shape[0])
    )
    return selection


def _score_ks(fit, held, ks, seeds, method, engine, n, n_jobs, progress) -> pd.DataFrame:
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    from .engine import progress_wanted

    jobs = [(k, s) for k in ks for s in seeds]
    fits = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fit_and_score)(fit, held, k, s, method, engine, n) for k, s in jobs
    )
    show = progress_wanted() if progress is None else progress
    results = list(tqdm(fits, total=len(jobs), desc="fitting", unit="model", disable=not show))
    rows = []
    for k in ks:
        fits = [r for (kk, _), r in zip(jobs, results) if kk == k]
        rows.append(
            {
                "k": k,
                "npmi": np.mean([f[1] for f in fits]),
                "npmi_sd": np.std([f[1] for f in fits]),
                "npmi_fitted": np.mean([f[2] for f in fits]),
                "exclusivity": np.mean([f[3] for f in fits]),
                "stability": stability([f[0] for f in fits], n),
                "seconds": np.mean([f[0].seconds for f in fits]),
                "added": False,
            }
        )
    return pd.DataFrame(rows)


LARGE_CORPUS = 50_000  # paragraphs: past this, fewer Gibbs sweeps by default


def sweeps_for(dtm: DocumentTermMatrix, iterations: int | None = None) -> int:
    """Gibbs sweeps for a fit on ``dtm``: ``iterations`` when given, else 500, or 200 on
    more than :data:`LARGE_CORPUS` paragraphs (each sweep then updates far more tokens
    per topic, and the chain mixes in fewer sweeps)."""
    if iterations:
        return iterations
    return 200 if dtm.X.shape[0] > LARGE_CORPUS else 500


def fit_many(
    dtm: DocumentTermMatrix,
    k: int,
    seeds,
    *,
    method: str = "lda",
    engine: str = "tomotopy",
    iterations: int | None = None,
    n_jobs: int = -1,
) -> list[TopicModel]:
    """One fit per random seed, all at once (each fit is the same as :func:`fit_topics`
    with that seed); in the order of ``seeds``.

    ``n_jobs=-1`` starts one process per seed, even past the number of cores: on two
    cores, three fits then end after about one and a half fit times instead of two
    rounds."""
    from joblib import Parallel, delayed

    if n_jobs == -1:
        n_jobs = max(1, min(len(seeds), 2 * (os.cpu_count() or 1)))
    return Parallel(n_jobs=n_jobs)(
        delayed(fit_topics)(
            dtm, k, method=method, engine=engine, random_state=s, iterations=iterations
        )
        for s in seeds
    )


def choose_k(selection: pd.DataFrame) -> int:
    """The k with the best sum of standardised NPMI and stability (ties: the smaller k).

    Both matter to a reviewer: coherent topics that the next seed would not reproduce
    are no finding, and stable but incoherent topics are no topics.
    """
    z = lambda s: (s - s.mean()) / (s.std(ddof=0) or 1)  # noqa: E731
    score = z(selection["npmi"]) + z(selection["stability"].fillna(0))
    best = selection.assign(score=score).sort_values(["score", "k"], ascending=[False, True])
    return int(best.iloc[0]["k"])


# ---------------------------------------------------------------- tables


def frex(topic_term: np.ndarray, *, weight: float = 0.5) -> np.ndarray:
    """FREX of every term in every topic (k x V), as stm's ``calcfrex``: the weighted
    harmonic mean of the term's rank (empirical CDF) by exclusivity to the topic and
    by frequency within it. ``weight`` is the weight of exclusivity."""
    from scipy.stats import rankdata

    excl = topic_term / topic_term.sum(axis=0, keepdims=True).clip(min=1e-300)
    v = topic_term.shape[1]
    e_rank = rankdata(excl, axis=1, method="max") / v
    f_rank = rankdata(topic_term, axis=1, method="max") / v
    return 1 / (weight / e_rank + (1 - weight) / f_rank)


def textstat_topics(model: TopicModel, *, n: int = 10, rank_by: str = "frex") -> pd.DataFrame:
    """Top terms of each topic with their probability and FREX, ranked by ``rank_by``
    (``"frex"``: frequent and exclusive, so words every topic shares, 发展 or 网络空间,
    stop heading several topics; ``"weight"``: raw probability), and a short label
    (the top three terms by FREX)."""
    if rank_by not in ("frex", "weight"):
        raise ValueError(f"rank_by must be 'frex' or 'weight', not {rank_by!r}")
    scores = frex(model.topic_term)
    rows = []
    for t, row in enumerate(model.topic_term):
        key = scores[t] if rank_by == "frex" else row
        top = np.lexsort((-row, -key))[:n]
        label = " / ".join(model.vocab[np.lexsort((-row, -scores[t]))[:3]])
        rows += [
            {
                "topic": t + 1,
                "label": label,
                "rank": r + 1,
                "term": model.vocab[j],
                "weight": float(row[j]),
                "frex": float(scores[t, j]),
            }
            for r, j in enumerate(top)
        ]
    return pd.DataFrame(rows)


def topic_labels(model: TopicModel, path=None) -> dict[int, str]:
    """A label for every topic: ``T1: 合作 / 国际 / 网络空间`` (top FREX terms), or the
    researcher's own from ``path``, a CSV ``topic,label,top_terms``.

    A ``path`` that does not exist yet is written with the default labels (and the top
    terms beside them), for the researcher to edit: every figure drawn with these labels
    then carries the names given there. A file written for another k is an error naming
    it, not a silent mismatch.
    """
    t = textstat_topics(model, n=8)
    first = t.drop_duplicates("topic")
    default = {k: f"T{k}: {v}" for k, v in first[["topic", "label"]].values}
    model.labels = _read_labels(model, path, default, t)
    return model.labels


def model_labels(model: TopicModel) -> dict[int, str]:
    """The topic labels of ``model`` (:func:`topic_labels`), else ``T1`` … ``Tk``."""
    return model.labels or {t: f"T{t}" for t in range(1, model.k + 1)}


def _read_labels(model, path, default: dict[int, str], t: pd.DataFrame) -> dict[int, str]:
    from pathlib import Path

    from .errors import CorpusError, Problem
    from .io import write_csv

    if path is None:
        return default
    path = Path(path)
    if not path.is_file():
        top = t.groupby("topic")["term"].agg(" ".join)
        table = pd.DataFrame(
            {"topic": list(default), "label": list(default.values()), "top_terms": top.to_list()}
        )
        write_csv(table, path)
        return default
    given = pd.read_csv(path, encoding="utf-8-sig", dtype={"label": str})
    if sorted(given.get("topic", pd.Series(dtype=int)).tolist()) != list(default):
        raise CorpusError(
            Problem(
                str(path),
                "",
                f"the labels are for topics {sorted(given.get('topic', []).tolist())}, "
                f"the model has {model.k}",
                "delete the file to have it written again for this k, or fix its rows",
            )
        )
    return {int(r.topic): str(r.label).strip() or default[int(r.topic)] for r in given.itertuples()}


def fit_seeded_topics(
    dtm: DocumentTermMatrix,
    seeds: dict[str, list[str]],
    *,
    extra_topics: int = 2,
    other_prior: float = 0.001,
    random_state: int = 0,
    iterations: int = 500,
) -> tuple[TopicModel, dict[int, str]]:
    """Topics anchored on seed words (keyATM-style, via tomotopy's word priors).

    ``seeds`` maps a name to its seed words (e.g. the lexicon's categories and their
    forms, :func:`lexicon_seeds`); a seed word's topic-word prior is 1 in its named topic
    and ``other_prior`` in every other, and ``extra_topics`` unseeded topics take what
    the seeds do not cover. Returns the model and the topic labels (seeded topics by name,
    the others ``free 1``, ``free 2`` …).
    """
    import time

    names = list(seeds)
    k = len(names) + extra_topics
    start = time.perf_counter()
    topic_term, doc_topic = _fit_tomotopy(
        dtm,
        k,
        random_state,
        iterations,
        seeds={i: words for i, words in enumerate(seeds.values())},
        other_prior=other_prior,
    )
    model = TopicModel(
        "seeded lda",
        "tomotopy",
        k,
        random_state,
        topic_term,
        doc_topic,
        dtm.vocab,
        time.perf_counter() - start,
    )
    labels = {i + 1: name for i, name in enumerate(names)}
    labels.update({len(names) + j + 1: f"free {j + 1}" for j in range(extra_topics)})
    return model, labels


def lexicon_seeds(lexicon, dtm: DocumentTermMatrix | None = None) -> dict[str, list[str]]:
    """The lexicon's categories as seed-word lists (each concept's Chinese forms), keeping
    only words in ``dtm``'s vocabulary and categories left with at least one word."""
    vocab = set(dtm.vocab) if dtm is not None else None
    out: dict[str, list[str]] = {}
    for c in lexicon.concepts:
        if not c.category or c.category == "formulation":
            continue
        words = [f for f in c.zh_forms if vocab is None or f in vocab]
        if words:
            out.setdefault(c.category, []).extend(words)
    return out


def representative_paragraphs(
    model: TopicModel,
    dtm: DocumentTermMatrix,
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    *,
    n: int = 3,
) -> pd.DataFrame:
    """The ``n`` paragraphs with the highest share of each topic, with work, date and source."""
    p = paragraphs.set_index("para_id")
    date = works.set_index("work_id")["date"]
    rows = []
    for t in range(model.k):
        for i in np.argsort(-model.doc_topic[:, t], kind="stable")[:n]:
            pid = dtm.para_id[i]
            rows.append(
                {
                    "topic": t + 1,
                    "share": round(float(model.doc_topic[i, t]), 3),
                    "work_id": p.loc[pid, "work_id"],
                    "date": date.get(p.loc[pid, "work_id"]),
                    "source": f"{p.loc[pid, 'source_file']}:{p.loc[pid, 'line_no']}",
                    "text": p.loc[pid, "text"][:160],
                }
            )
    return pd.DataFrame(rows)


def align_topics(reference: TopicModel, other: TopicModel) -> np.ndarray:
    """For each topic of ``reference``, the matching topic of ``other`` (one-to-one,
    Hungarian algorithm on the cosine similarity of their term distributions)."""
    from scipy.optimize import linear_sum_assignment

    a = reference.topic_term / np.linalg.norm(reference.topic_term, axis=1, keepdims=True)
    b = other.topic_term / np.linalg.norm(other.topic_term, axis=1, keepdims=True)
    rows, cols = linear_sum_assignment(-(a @ b.T))
    return cols[np.argsort(rows)]


def matched_fits(model: TopicModel, models: list[TopicModel] | None) -> list[TopicModel]:
    """``model`` and the other fits with their topics reordered to match ``model``'s."""
    out = [model]
    for m in models or []:
        order = align_topics(model, m)
        out.append(
            TopicModel(
                m.method,
                m.engine,
                m.k,
                m.random_state,
                m.topic_term[order],
                m.doc_topic[:, order],
                m.vocab,
                m.seconds,
            )
        )
    return out


def textstat_prevalence(
    model: TopicModel,
    dtm: DocumentTermMatrix,
    works: pd.DataFrame,
    *,
    by: str = "work_id",
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int = 0,
    models: list[TopicModel] | None = None,
) -> pd.DataFrame:
    """Mean topic share of the paragraphs of each work (or period), with an interval.

    ``by`` is ``"work_id"`` or a unit of time (``"year"``, ``"month"``, ``"week"``,
    ``"day"``; :func:`~cyberdiscourse.dates.time_unit_for` picks one for a corpus).

    Without ``models`` the interval comes from resampling the unit's paragraphs: it
    carries sampling uncertainty only. With ``models`` (other fits of the same k on the
    same matrix, e.g. other seeds) their topics are matched to ``model``'s
    (:func:`align_topics`) and the interval pools ``n_boot`` paragraph resamples of every
    fit, so it also carries model uncertainty; ``seed_sd`` is the spread of the unit's
    share across the fits and ``n_fits`` their number. Each unit has its own random
    stream (seeded by ``random_state`` and the unit), so one unit's interval does not
    depend on which other units exist.
    """
    from .concepts import unit_rng

    fits = matched_fits(model, models)
    date = works.set_index("work_id")["date"]
    unit = pd.Series(dtm.work_id)
    if by != "work_id":  # a unit of time: the works of one period pooled
        unit = period_of(unit.map(date), by)
    alpha = (1 - ci) / 2
    rows = []
    positions = unit.groupby(unit.to_numpy()).indices
    for key in sorted(positions, key=lambda k: (date.get(k, k), k)):
        mask = positions[key]  # the unit's rows (no scan of every row per unit)
        rng = unit_rng(random_state, key)
        idx = rng.integers(0, len(mask), size=(n_boot, len(mask)))
        boot = np.concatenate([f.doc_topic[mask][idx].mean(axis=1) for f in fits])
        low, high = np.quantile(boot, alpha, axis=0), np.quantile(boot, 1 - alpha, axis=0)
        means = np.array([f.doc_topic[mask].mean(axis=0) for f in fits])
        for t in range(model.k):
            rows.append(
                {
                    by: key,
                    "date": date.get(key, key),
                    "topic": t + 1,
                    "share": float(means[0, t]),
                    "ci_low": float(low[t]),
                    "ci_high": float(high[t]),
                    "seed_sd": float(means[:, t].std()),
                    "n_fits": len(fits),
                    "n_paragraphs": len(mask),
                }
            )
    out = pd.DataFrame(rows)
    if len(out):
        out["label"] = out["topic"].map(model_labels(model))
    out.attrs["n_documents"] = int(pd.Series(dtm.work_id).nunique())
    return out


# ---------------------------------------------------------------- figures


def textplot_selection(selection: pd.DataFrame, *, chosen: int | None = None, fig=None):
    """Held-out NPMI (in-sample dotted), exclusivity and stability against k (three
    panels); returns the array of Axes."""
    from .plotting import PALETTE, new_panels

    fig, axes = new_panels(1, 3, height=2.4, fig=fig)
    for ax, col, title, colour in zip(
        axes.flat,
        ["npmi", "exclusivity", "stability"],
        ["held-out coherence (NPMI)", "exclusivity", "stability across seeds"],
        PALETTE,
    ):
        yerr = selection["npmi_sd"] if col == "npmi" else None
        ax.errorbar(
            selection["k"], selection[col], yerr=yerr, fmt="-o", ms=3, color=colour, capsize=2
        )
        if col == "npmi" and "npmi_fitted" in selection:
            ax.plot(
                selection["k"], selection["npmi_fitted"], ":", color="0.5", lw=1, label="in sample"
            )
            ax.legend(frameon=False)
        if chosen is not None:
            ax.axvline(chosen, color="0.5", ls="--", lw=0.8)
        set_title(ax, title)
        ax.set_xlabel("k")
        ax.set_xticks(selection["k"])
    set_caption(
        axes,
        Caption(
            "Choosing the number of topics k: coherence on held-out paragraphs, exclusivity "
            "of the top terms and their stability across random seeds",
            "NPMI (-1 to 1); exclusivity and stability (0 to 1)",
            selection.attrs.get("n_documents"),
            interval="error bars: standard deviation of NPMI across seeds",
            encodings={"dashed line": "the k chosen", "dotted line": "in-sample NPMI"},
        ),
    )
    return axes


def _topic_panels(n: int, ncols: int, *, fig=None, row_height: float = 1.5, **subplots_kw):
    """A figure with one panel per topic: at most ``ncols`` columns and never an empty
    column (two topics: two panels), at the current width preset, each row
    ``row_height`` inches; panels beyond ``n`` are hidden. Returns ``(fig, axes)``,
    axes always 2-D."""
    from .plotting import new_panels, panel_columns

    ncols = max(1, min(panel_columns(ncols), n))
    nrows = math.ceil(n / ncols)
    fig, axes = new_panels(nrows, ncols, height=0.6 + row_height * nrows, fig=fig, **subplots_kw)
    for i, ax in enumerate(list(axes.flat)[n:], start=n):
        ax.set_visible(False)
        row, col = divmod(i, ncols)
        if row > 0:  # the panel above is now the last of its column: it shows the x labels
            axes[row - 1, col].xaxis.set_tick_params(labelbottom=True)
    return fig, axes


def _labels_of(table: pd.DataFrame, labels: dict[int, str] | None) -> dict[int, str]:
    """Topic labels: those given, else the table's ``label`` column, else ``T<k>``."""
    if labels:
        return dict(labels)
    if "label" in table:
        return dict(zip(table["topic"], table["label"]))
    return {t: f"T{t}" for t in table["topic"].unique()}


def textplot_prevalence(
    prev: pd.DataFrame,
    labels: dict[int, str] | None = None,
    *,
    ncols: int = 3,
    max_points: int = 60,
    fig=None,
):
    """Small multiples: each topic's mean share per work (or year) on a real time axis,
    as points with intervals. With more than ``max_points`` units per topic, draw the
    table of :func:`textstat_prevalence` by a unit of time instead (the caption says
    which). Returns the array of Axes."""
    from .plotting import LINE_PALETTE

    labels = _labels_of(prev, labels)
    unit = unit_of(prev)
    topics = sorted(prev["topic"].unique())
    fig, axes = _topic_panels(len(topics), ncols, fig=fig, sharex=True, sharey=True)
    for ax, t in zip(axes.flat, topics):
        sub = prev[prev["topic"] == t].sort_values("date").head(max_points)
        x = time_axis(sub)
        colour = LINE_PALETTE[(t - 1) % len(LINE_PALETTE)]
        ax.vlines(x, sub["ci_low"], sub["ci_high"], color=colour, alpha=0.45, lw=1)
        ax.plot(x, sub["share"], "o", ms=3, color=colour)
        set_title(ax, labels[t])
        date_axis(ax, maxticks=5)
    fig.supylabel("mean topic share (95% interval)")
    set_caption(
        axes,
        Caption(
            f"Topic prevalence per {unit.replace('_id', '')}: mean share of its paragraphs",
            "topic share (0 to 1)",
            prev.attrs.get("n_documents"),
            interval="95% percentile bootstrap over the unit's paragraphs, pooled over "
            f"{int(prev['n_fits'].max()) if 'n_fits' in prev else 1} fits with other seeds",
            encodings={"point": f"one {unit.replace('_id', '')}", "vertical line": "interval"},
        ),
    )
    return axes


def textplot_topic_heatmap(
    prev: pd.DataFrame,
    labels: dict[int, str] | None = None,
    *,
    work_labels: dict[str, str] | None = None,
    max_rows: int = 40,
    ax=None,
):
    """Works (or years) x topics: mean topic share; at most ``max_rows`` rows (the
    latest; use a unit of time, ``by="year"`` or finer, for a larger corpus)."""
    from .plotting import new_figure

    labels = _labels_of(prev, labels)
    unit = unit_of(prev)
    every = list(dict.fromkeys(prev.sort_values("date")[unit]))
    order = every[-max_rows:]
    dropped = [str(u) if str(u) not in ("", "nan", "<NA>") else "undated" for u in every]
    dropped = dropped[: len(every) - len(order)]
    grid = prev.pivot_table(index=unit, columns="topic", values="share").reindex(order)
    if ax is None:
        _, ax = new_figure("two_column_tall", height=max(2.6, 1.4 + 0.17 * len(order)))
    im = ax.imshow(grid.to_numpy(), aspect="auto", cmap="cividis", vmin=0)
    if grid.size <= 400:
        for (i, j), v in np.ndenumerate(grid.to_numpy()):
            ax.text(
                j,
                i,
                f"{v:.2f}",
                ha="center",
                va="center",
                fontsize=6,
                color="black" if v > np.nanmax(grid.to_numpy()) * 0.6 else "white",
            )
    ax.set_xticks(range(grid.shape[1]), [labels[t] for t in grid.columns], rotation=40, ha="right")
    ax.set_yticks(range(len(order)), [(work_labels or {}).get(w, w) for w in order])
    ax.figure.colorbar(im, ax=ax, label="mean topic share", shrink=0.6)
    set_caption(
        ax,
        Caption(
            f"Topic shares by {unit.replace('_id', '')}",
            "mean topic share of the paragraphs (0 to 1)",
            prev.attrs.get("n_documents"),
            encodings={"colour and number": "mean share"},
            note=(
                f"the latest {len(order)} of {len(every)} {unit.replace('_id', '')}s drawn; "
                f"{dropped[0]} to {dropped[-1]} left out (all in the CSV)"
                if dropped
                else ""
            ),
        ),
    )
    return ax


def textplot_topic_terms(
    model: TopicModel,
    *,
    n: int = 8,
    ncols: int = 3,
    labels: dict[int, str] | None = None,
    fig=None,
):
    """Grid of the top terms of each topic (ranked by FREX) with their probabilities;
    Chinese terms carry their English gloss. Returns the array of Axes."""
    from .plotting import LINE_PALETTE

    labels = labels or model_labels(model)
    fig, axes = _topic_panels(model.k, ncols, fig=fig, row_height=0.3 + 0.14 * n)
    table = textstat_topics(model, n=n)
    for ax, (t, sub) in zip(axes.flat, table.groupby("topic")):
        sub = sub.iloc[::-1]
        ax.barh(
            [gloss(w) for w in sub["term"]],
            sub["weight"],
            color=LINE_PALETTE[(t - 1) % len(LINE_PALETTE)],
        )
        set_title(ax, labels.get(t, f"Topic {t}"))
    fig.supxlabel("probability of the term in the topic (terms ranked by FREX)")
    set_caption(
        axes,
        Caption(
            f"Top {n} terms of each of the {model.k} topics ({model.method}, {model.engine}), "
            "ranked by FREX (frequency and exclusivity)",
            "probability of the term in the topic",
            encodings={"bar length": "probability", "panel": "one topic"},
        ),
    )
    return axes


# ---------------------------------------------------------------- covariate effects


def _year(dates: pd.Series) -> np.ndarray:
    """Decimal years from ISO dates (2022-11 -> 2022.83); a bare year is its middle."""
    d = pd.to_datetime(dates.astype(str).str.slice(0, 10), errors="coerce", format="mixed")
    return (d.dt.year + (d.dt.day_of_year - 1) / 365.25).to_numpy(dtype=float)


EFFECT_COLUMNS = ["topic", "kind", "year", "group", "estimate", "ci_low", "ci_high"]


def estimate_effect(
    model: TopicModel,
    dtm: DocumentTermMatrix,
    works: pd.DataFrame,
    *,
    models: list[TopicModel] | None = None,
    covariates: tuple[str, ...] | list[str] = (),
    df: int = 3,
    n_draws: int = 500,
    ci: float = 0.95,
    grid: int = 40,
    random_state: int = 0,
) -> pd.DataFrame:
    """Expected topic prevalence as a function of time and other covariates, as stm's
    ``estimateEffect``.

    Each paragraph's topic share is regressed (OLS, statsmodels) on a B-spline of the
    date of its work (``df`` degrees of freedom; ``df=1``: a straight line) plus each of
    ``covariates`` (columns of ``works`` such as ``issuer`` or ``genre``) as a
    categorical term. The uncertainty follows the method of composition: for every fit
    (``model`` and the other seeds in ``models``, topics matched to ``model``'s),
    coefficients are drawn from the regression's sampling distribution and turned into
    predictions; pooling the draws of every fit carries the topic model's own
    uncertainty into the bands. A regression after the fit (rather than tomotopy's
    DMR, which puts the covariates inside the model) keeps one topic model for every
    question and lets the seeds' fits be pooled. Paragraphs of one work share its date
    and issuer, so the effective sample is the number of works.

    Returns :data:`EFFECT_COLUMNS`; ``kind`` is ``curve`` (expected share at ``year``,
    other covariates at their most common level), ``change`` (last year minus first),
    ``level`` (expected share of ``group`` = ``covariate=level`` at the middle date) and
    ``difference`` (``group`` = ``covariate: level - reference``).
    """
    import patsy
    import statsmodels.api as sm

    meta = works.set_index("work_id")
    frame = pd.DataFrame({"year": _year(pd.Series(dtm.work_id).map(meta["date"]))})
    for cov in covariates:
        frame[cov] = pd.Series(dtm.work_id).map(meta[cov]).fillna("").astype(str).to_numpy()
    ok = frame["year"].notna().to_numpy()
    frame = frame[ok].reset_index(drop=True)
    lo, hi = float(frame["year"].min()), float(frame["year"].max())
    spline = "year" if df == 1 else f"bs(year, df={df}, lower_bound={lo}, upper_bound={hi})"
    formula = " + ".join([spline, *(f"C({cov})" for cov in covariates)])
    design = patsy.dmatrix(formula, frame, return_type="dataframe")
    common = {cov: frame[cov].mode().iloc[0] for cov in covariates}
    years = np.linspace(lo, hi, grid)
    points = [("curve", float(y), "", {"year": y, **common}) for y in years]
    for cov in covariates:
        for level in sorted(frame[cov].unique()):
            values = {"year": (lo + hi) / 2, **common, cov: level}
            points.append(("level", np.nan, f"{cov}={level}", values))
    new = np.asarray(
        patsy.build_design_matrices([design.design_info], pd.DataFrame([v for *_, v in points]))[0]
    )
    fits = matched_fits(model, models)
    per_fit = max(1, n_draws // len(fits))
    alpha = (1 - ci) / 2
    rows = []

    def add(t, kind, year, group, draws):
        rows.append(
            (
                t + 1,
                kind,
                year,
                group,
                float(draws.mean()),
                float(np.quantile(draws, alpha)),
                float(np.quantile(draws, 1 - alpha)),
            )
        )

    for t in range(model.k):
        rng = np.random.default_rng([random_state, t])
        preds = []
        for f in fits:
            res = sm.OLS(f.doc_topic[ok, t], design).fit()
            beta = rng.multivariate_normal(
                res.params.to_numpy(), res.cov_params().to_numpy(), size=per_fit
            )
            preds.append(beta @ new.T)
        preds = np.vstack(preds)  # draws x points
        for j, (kind, year, group, _) in enumerate(points):
            add(t, kind, year, group, preds[:, j])
        add(t, "change", np.nan, "", preds[:, grid - 1] - preds[:, 0])
        for cov in covariates:
            levels = [j for j, p in enumerate(points) if p[2].startswith(f"{cov}=")]
            ref = levels[0]
            for j in levels[1:]:
                label = (
                    f"{cov}: {points[j][2].split('=', 1)[1]} - {points[ref][2].split('=', 1)[1]}"
                )
                add(t, "difference", np.nan, label, preds[:, j] - preds[:, ref])
    out = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    out["label"] = out["topic"].map(model_labels(model))
    out.attrs["n_documents"] = int(pd.Series(dtm.work_id).nunique())
    return out


def _as_time(years: pd.Series) -> pd.Series:
    """Decimal years (2022.83) as timestamps, for a date axis."""
    whole = np.floor(years.to_numpy(dtype=float))
    start = pd.to_datetime(pd.Series(whole.astype(int).astype(str)), format="%Y")
    days = (years.to_numpy(dtype=float) - whole) * 365.25
    return start + pd.to_timedelta(days, unit="D")


def _span_label(effects: pd.DataFrame) -> str:
    """``2016 → 2022`` for the change an effects table reports (its dates, to the day when
    the span is shorter than three years)."""
    curve = effects.loc[effects["kind"] == "curve", "year"]
    if curve.empty:
        return "from the first to the last date"
    ends = _as_time(pd.Series([curve.min(), curve.max()])).dt.round("D")  # 2023.0520 is the 20th
    fmt = "%Y" if curve.max() - curve.min() >= 3 else "%Y-%m-%d"
    return f"{ends[0].strftime(fmt)} → {ends[1].strftime(fmt)}"


def textplot_effects(
    effects: pd.DataFrame, labels: dict[int, str] | None = None, *, ncols: int = 3, fig=None
):
    """Expected prevalence over time with its band, one panel per topic (the title gives
    the change from the first to the last date with its interval). Returns the Axes."""
    from .plotting import LINE_PALETTE

    labels = _labels_of(effects, labels)
    curve = effects[effects["kind"] == "curve"]
    change = effects[effects["kind"] == "change"].set_index("topic")
    topics = sorted(curve["topic"].unique())
    fig, axes = _topic_panels(len(topics), ncols, fig=fig, sharex=True, sharey=True)
    for ax, t in zip(axes.flat, topics):
        sub = curve[curve["topic"] == t]
        colour = LINE_PALETTE[(t - 1) % len(LINE_PALETTE)]
        when = _as_time(sub["year"])
        ax.fill_between(when, sub["ci_low"], sub["ci_high"], color=colour, alpha=0.2, lw=0)
        ax.plot(when, sub["estimate"], color=colour, lw=1.2)
        date_axis(ax, maxticks=5)
        c = change.loc[t]
        set_title(
            ax,
            f"{labels.get(t, t)}\nchange {c['estimate']:+.2f} "
            f"[{c['ci_low']:+.2f}, {c['ci_high']:+.2f}]",
        )
        ax.axhline(0, color="0.8", lw=0.6)
    fig.supylabel("expected topic share (95% band)")
    set_caption(
        axes,
        Caption(
            "Expected topic share over time from a regression of the works' topic shares "
            f"on a spline of the date; each panel's title gives the change {_span_label(effects)}",
            "topic share (0 to 1)",
            effects.attrs.get("n_documents"),
            interval="95% band from draws of the regression coefficients and of the topic "
            "shares of refits with other seeds",
            encodings={"line": "expected share", "band": "95% interval"},
        ),
    )
    return axes


def textplot_contrasts(effects: pd.DataFrame, labels: dict[int, str] | None = None, *, ax=None):
    """A forest plot of the contrasts in an :func:`estimate_effect` table: the change from
    the first to the last date and every group difference, each topic a row with its
    interval; a band crossing the zero line is no evidence of a difference. Returns the Axes."""
    from .plotting import PALETTE, new_figure

    labels = _labels_of(effects, labels)
    rows = effects[effects["kind"].isin(["change", "difference"])].copy()
    rows["what"] = np.where(rows["kind"] == "change", "change", rows["group"])  # span: caption
    whats = list(dict.fromkeys(rows["what"]))
    if ax is None:
        _, ax = new_figure("one_column", height=max(2.0, 0.7 + 0.16 * len(rows)))
    ticks, names = [], []
    y = 0
    for i, what in enumerate(whats):
        for r in rows[rows["what"] == what].itertuples():
            ax.errorbar(
                r.estimate,
                y,
                xerr=[[r.estimate - r.ci_low], [r.ci_high - r.estimate]],
                fmt="o",
                ms=3,
                color=PALETTE[i % len(PALETTE)],
                capsize=2,
            )
            ticks.append(y)
            names.append(f"{labels.get(r.topic, r.topic)}  ({what})")
            y += 1
        y += 0.5
    ax.axvline(0, color="0.4", lw=0.6)
    ax.set_yticks(ticks, names)
    ax.set_ylim(y - 0.5, -1)
    ax.set_xlabel("difference in topic share (95%)")
    set_caption(
        ax,
        Caption(
            f"Contrasts of topic prevalence: change {_span_label(effects)}, and "
            "differences between groups",
            "difference in topic share",
            effects.attrs.get("n_documents"),
            interval="95%, as in the effects figure; an interval crossing zero is no "
            "evidence of a difference",
            encodings={"point": "estimate", "horizontal line": "interval"},
        ),
    )
    return ax
