"""Where each work stands relative to the others: Wordfish and Wordscores.

Wordfish (Slapin & Proksch 2008) places works on one latent dimension from word counts
alone: the count of word *j* in work *i* is Poisson with log mean
``alpha_i + psi_j + beta_j * theta_i``. ``theta`` is the position, ``beta`` how strongly a
word tells the two ends apart, ``psi`` its baseline frequency and ``alpha`` the work's
length. Positions are relative to this corpus (mean 0, sd 1 over its works); which end is
"low" is fixed by a pair of works the user names. Standard errors come from the observed
information of each work's own parameters given the word parameters (as quanteda's
``textmodel_wordfish`` computes them), or from a parametric bootstrap that refits the
whole model to counts drawn from it (``se="bootstrap"``), which also carries the
uncertainty of the word parameters; intervals are normal, estimate +/- z * se.

Wordscores (Laver, Benoit & Garry 2003) scores words from reference works whose positions
the user gives, then scores every other work from its words, with the LBG standard error
and, optionally, the LBG rescaling to the references' spread.

Both read a works x terms count matrix (:func:`work_term_matrix`) built from the token
cache; ``textstat_scale`` turns either model into a table with each work's date, genre and
issuer, and ``textplot_scale`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import gammaln

from .plotting import (
    PALETTE,
    Caption,
    axes_width,
    gloss,
    legend_below,
    new_figure,
    set_caption,
    wrap,
)

# Precisions of the normal priors (quanteda's sd 3 on beta, sd 1 on theta).
PRIOR_BETA = 1 / 9
PRIOR_THETA = 1.0


@dataclass
class WorkTermMatrix:
    """Works x terms counts (the paragraphs of each work summed), with their labels."""

    X: sparse.csr_matrix
    work_id: np.ndarray
    vocab: np.ndarray
    left_out: list[str] = field(default_factory=list)  # works with no counted term


def work_term_matrix(
    tokens: pd.DataFrame,
    *,
    lang: str = "zh",
    min_works: int = 2,
    max_share: float = 1.0,
    max_terms: int | None = 2000,
    works: list[str] | None = None,
) -> WorkTermMatrix:
    """The counts of each term in each work, from the token table (``load_tokens``).

    Parameters
    ----------
    lang
        The language whose paragraphs are counted.
    min_works
        A term must occur in at least this many works: a word of one work cannot place it
        relative to any other.
    max_share
        Leave out terms found in more than this share of works (1.0 keeps them all: in
        Wordfish, words common to every work carry the length, not the position).
    max_terms
        Keep the most frequent terms only (None: all).
    works
        Restrict to these works, in this order.

    Works left without any counted term are dropped and named in ``left_out``.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    sub = tokens[tokens["lang"] == lang]
    if works is not None:
        sub = sub[sub["work_id"].isin(works)]
    ids = np.array(works) if works is not None else np.array(sorted(sub["work_id"].unique()))
    ids = np.array([w for w in ids if w in set(sub["work_id"])])
    if len(ids) < 2:
        raise ValueError(f"scaling needs two or more works with {lang} text; found {len(ids)}")
    vec = CountVectorizer(analyzer=list)
    para = vec.fit_transform(sub["tokens"].map(list)).tocsr()
    row_of = {w: k for k, w in enumerate(ids)}
    rows = sub["work_id"].map(row_of).to_numpy()
    summing = sparse.csr_matrix((np.ones(len(rows)), (rows, np.arange(len(rows)))))
    X = (summing @ para).tocsr()
    vocab = vec.get_feature_names_out()
    in_works = np.asarray((X > 0).sum(axis=0)).ravel()
    keep = (in_works >= min_works) & (in_works <= max_share * len(ids))
    totals = np.asarray(X.sum(axis=0)).ravel()
    order = np.argsort(-totals[keep], kind="stable")
    columns = np.flatnonzero(keep)[order][:max_terms]
    columns = np.sort(columns)
    X = X[:, columns].tocsr()
    counted = np.asarray(X.sum(axis=1)).ravel() > 0
    if counted.sum() < 2:
        raise ValueError(
            f"scaling needs two or more works with counted terms; found {counted.sum()}"
        )
    # A work none of whose words is kept (a short page of rare words) cannot be placed.
    dtm = WorkTermMatrix(X[counted], ids[counted], vocab[columns])
    dtm.left_out = list(ids[~counted])
    return dtm


# ---------------------------------------------------------------- Wordfish


@dataclass
class Wordfish:
    """A fitted Wordfish model (see :func:`textmodel_wordfish`)."""

    work_id: np.ndarray
    vocab: np.ndarray
    theta: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    psi: np.ndarray
    se_theta: np.ndarray
    se_beta: np.ndarray
    se_psi: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    loglik: float
    n_iter: int
    converged: bool
    direction: tuple[str, str]
    se_method: str
    n_terms_per_work: np.ndarray
    boot_theta: np.ndarray | None = field(default=None, repr=False)


def _loglik(Y: np.ndarray, eta: np.ndarray) -> float:
    return float(np.sum(Y * eta - np.exp(eta) - gammaln(Y + 1)))


def _newton_pairs(y, offset, z, a, b, *, axis: int, prior_b: float, steps: int = 3):
    """Newton steps for the pair (a, b) in log mu = offset + a + b * z, one pair per row
    (axis=1: z runs along columns) or per column (axis=0), all pairs at once. ``prior_b``
    is the precision of a normal prior on b (0: none)."""
    for _ in range(steps):
        eta = offset + _along(a, axis) + _along(b, axis) * z
        mu = np.exp(np.clip(eta, -50, 50))
        r = y - mu
        g_a = r.sum(axis=axis)
        g_b = (r * z).sum(axis=axis) - prior_b * b
        h_aa = mu.sum(axis=axis)
        h_ab = (mu * z).sum(axis=axis)
        h_bb = (mu * z * z).sum(axis=axis) + prior_b
        det = h_aa * h_bb - h_ab**2
        det = np.where(det > 1e-12, det, 1e-12)
        a = a + (h_bb * g_a - h_ab * g_b) / det
        b = b + (h_aa * g_b - h_ab * g_a) / det
    return a, b


def _along(v: np.ndarray, axis: int) -> np.ndarray:
    return v[:, None] if axis == 1 else v[None, :]


def _start(Y: np.ndarray):
    """Starting values as Slapin and Proksch give them: log row and column means, then
    the first singular vectors of the double-centred log counts."""
    psi = np.log(Y.mean(axis=0) + 1e-3)
    alpha = np.log(Y.sum(axis=1) / max(Y.sum(axis=1)[0], 1e-9) + 1e-9)
    resid = np.log(Y + 0.1) - alpha[:, None] - psi[None, :]
    resid -= resid.mean(axis=0, keepdims=True)
    u, s, vt = np.linalg.svd(resid, full_matrices=False)
    theta = u[:, 0]
    theta = (theta - theta.mean()) / (theta.std() or 1.0)
    beta = vt[0] * s[0] / np.sqrt(len(theta))
    return alpha, psi, beta, theta


def _fit_wordfish(
    Y, *, start=None, tol=1e-8, max_iter=500, prior_beta=PRIOR_BETA, prior_theta=PRIOR_THETA
):
    alpha, psi, beta, theta = start if start is not None else _start(Y)
    last = -np.inf
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        # Words given works, then works given words (the conditional maximisations).
        psi, beta = _newton_pairs(
            Y, alpha[:, None], theta[:, None], psi, beta, axis=0, prior_b=prior_beta
        )
        alpha, theta = _newton_pairs(
            Y, psi[None, :], beta[None, :], alpha, theta, axis=1, prior_b=prior_theta
        )
        alpha, psi, beta, theta = _identify(alpha, psi, beta, theta)
        ll = _loglik(Y, alpha[:, None] + psi[None, :] + beta[None, :] * theta[:, None])
        if abs(ll - last) <= tol * max(1.0, abs(ll)):
            converged = True
            break
        last = ll
    return alpha, psi, beta, theta, ll, it, converged


def _identify(alpha, psi, beta, theta):
    """theta to mean 0 and sd 1, alpha of the first work to 0; the fit is unchanged."""
    mean, sd = theta.mean(), theta.std() or 1.0
    psi = psi + beta * mean + alpha[0]
    beta = beta * sd
    theta = (theta - mean) / sd
    return alpha - alpha[0], psi, beta, theta


def textmodel_wordfish(
    dtm: WorkTermMatrix,
    *,
    direction: tuple[str, str] | None = None,
    se: str = "information",
    n_boot: int = 100,
    level: float = 0.95,
    random_state: int | None = 0,
    tol: float = 1e-8,
    max_iter: int = 500,
) -> Wordfish:
    """Fit Wordfish to a works x terms matrix.

    Parameters
    ----------
    direction
        ``(low, high)``: two work ids; the signs are set so that ``low`` has the lower
        position. Default: the first two works of the matrix.
    se
        ``"information"``: each work's standard error from the observed information of its
        own parameters given the word parameters (fast; it leaves out the word
        parameters' uncertainty, so it is narrower than it should be when works are few or
        short). ``"bootstrap"``: a parametric bootstrap refitting the whole model to
        ``n_boot`` count matrices drawn from the fitted one; the interval is the estimate
        plus or minus z times the bootstrap standard error.
    level
        Coverage of the intervals.
    random_state
        Seeds the bootstrap draws.

    Notes
    -----
    Word parameters have a normal prior with sd 3 on ``beta`` and work positions one with
    sd 1 on ``theta`` (quanteda's defaults), which keeps words found in few works from
    running to infinity. The log-likelihood returned is that of the counts, without the
    priors.
    """
    if se not in ("information", "bootstrap"):
        raise ValueError(f"se must be 'information' or 'bootstrap', not {se!r}")
    Y = dtm.X.toarray().astype(float)
    used = Y.sum(axis=1)
    if (used == 0).any():
        empty = ", ".join(dtm.work_id[used == 0][:5])
        raise ValueError(f"works without any counted term cannot be placed: {empty}")
    ids = list(dtm.work_id)
    low, high = direction or (ids[0], ids[1])
    for w in (low, high):
        if w not in ids:
            raise ValueError(f"direction names {w!r}, which is not a work of the matrix")
    alpha, psi, beta, theta, ll, n_iter, converged = _fit_wordfish(Y, tol=tol, max_iter=max_iter)
    if theta[ids.index(low)] > theta[ids.index(high)]:
        theta, beta = -theta, -beta
    mu = np.exp(alpha[:, None] + psi[None, :] + beta[None, :] * theta[:, None])
    _, se_theta = _pair_se(mu, beta[None, :], axis=1, prior_b=PRIOR_THETA)
    se_psi, se_beta = _pair_se(mu, theta[:, None], axis=0, prior_b=PRIOR_BETA)
    z = _z(level)
    boot = None
    if se == "bootstrap":
        boot = _bootstrap(Y, (alpha, psi, beta, theta), n_boot, random_state, tol, max_iter)
        se_theta = boot.std(axis=0, ddof=1)
    # Normal intervals, also from the bootstrap's standard errors: its percentiles need not
    # hold the estimate (every refit is rescaled to sd 1, which pulls the ends inwards).
    ci_low, ci_high = theta - z * se_theta, theta + z * se_theta
    return Wordfish(
        dtm.work_id,
        dtm.vocab,
        theta,
        alpha,
        beta,
        psi,
        se_theta,
        se_beta,
        se_psi,
        ci_low,
        ci_high,
        ll,
        n_iter,
        converged,
        (low, high),
        se,
        (Y > 0).sum(axis=1),
        boot,
    )


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def _pair_se(mu: np.ndarray, z: np.ndarray, *, axis: int, prior_b: float):
    """Standard errors ``(se_a, se_b)`` of each pair (a, b) in log mu = offset + a + b * z
    (per row with axis=1, per column with axis=0; as in :func:`_newton_pairs`), from the
    inverse of its 2x2 information at ``mu``: a work's (alpha, theta) given the words, a
    word's (psi, beta) given the works."""
    h_aa = mu.sum(axis=axis)
    h_ab = (mu * z).sum(axis=axis)
    h_bb = (mu * z**2).sum(axis=axis) + prior_b
    det = h_aa * h_bb - h_ab**2
    return np.sqrt(h_bb / det), np.sqrt(h_aa / det)


def _bootstrap(Y, fitted, n_boot: int, random_state, tol, max_iter) -> np.ndarray:
    alpha, psi, beta, theta = fitted
    mu = np.exp(alpha[:, None] + psi[None, :] + beta[None, :] * theta[:, None])
    rng = np.random.default_rng(random_state)
    out = np.empty((n_boot, len(theta)))
    for b in range(n_boot):
        Yb = rng.poisson(mu).astype(float)
        empty = Yb.sum(axis=1) == 0
        Yb[empty, np.argmax(mu[empty], axis=1)] = 1  # a work drawn empty keeps one word
        *_, tb, _ll, _n, _c = _fit_wordfish(
            Yb, start=(alpha, psi, beta, theta), tol=tol, max_iter=max_iter
        )
        # The same end up as in the fit: match the sign to the fitted positions.
        out[b] = tb if np.dot(tb, theta) >= 0 else -tb
    return out


# ---------------------------------------------------------------- Wordscores


@dataclass
class Wordscores:
    """A fitted Wordscores model (see :func:`textmodel_wordscores`)."""

    work_id: np.ndarray
    vocab: np.ndarray
    word_scores: np.ndarray  # nan for words not in any reference work
    references: dict[str, float]
    raw: np.ndarray
    se: np.ndarray
    position: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    rescaling: str
    n_scored_words: np.ndarray
    direction: tuple[str, str] = ("", "")


def textmodel_wordscores(
    dtm: WorkTermMatrix,
    references: dict[str, float],
    *,
    rescaling: str = "none",
    level: float = 0.95,
) -> Wordscores:
    """Score words from reference works of known position, then every work from its words.

    Parameters
    ----------
    references
        ``{work_id: position}`` for two or more reference works.
    rescaling
        ``"none"`` (raw scores, comparable across works but shrunk towards the middle),
        or ``"lbg"`` (Laver, Benoit & Garry: the virgin works' scores stretched to the
        references' spread; the references keep their raw scores).

    Notes
    -----
    ``F[w, r]`` is word *w*'s share of reference *r*'s words; ``P(r | w) = F[w, r] /
    sum_r F[w, r]``; the word's score is ``sum_r P(r | w) A_r``. A work's raw score is the
    mean of its scored words' scores weighted by their share; its standard error is
    ``sqrt(sum_w F[w, v] (S_w - S_v)^2 / N_v)`` over its ``N_v`` scored words (LBG 2003).
    """
    if rescaling not in ("none", "lbg"):
        raise ValueError(f"rescaling must be 'none' or 'lbg', not {rescaling!r}")
    ids = list(dtm.work_id)
    missing = [w for w in references if w not in ids]
    if missing or len(references) < 2:
        raise ValueError(
            "Wordscores needs two or more reference works of the matrix"
            + (f"; not in it: {', '.join(missing)}" if missing else "")
        )
    Y = dtm.X.toarray().astype(float)
    ref_rows = [ids.index(w) for w in references]
    A = np.array(list(references.values()), dtype=float)
    F = Y[ref_rows] / Y[ref_rows].sum(axis=1, keepdims=True)  # refs x words
    total = F.sum(axis=0)
    scored = total > 0
    P = np.divide(F, total, out=np.zeros_like(F), where=scored)
    S = np.where(scored, (P * A[:, None]).sum(axis=0), np.nan)
    counts = Y[:, scored]
    n_scored = counts.sum(axis=1)
    share = np.divide(
        counts, n_scored[:, None], out=np.zeros_like(counts), where=n_scored[:, None] > 0
    )
    raw = share @ S[scored]
    var = (share * (S[scored][None, :] - raw[:, None]) ** 2).sum(axis=1)
    se = np.sqrt(np.divide(var, n_scored, out=np.full_like(var, np.nan), where=n_scored > 0))
    position, pos_se = raw.copy(), se.copy()
    if rescaling == "lbg":
        virgin = np.array([w not in references for w in ids])
        if virgin.sum() >= 2:
            mean_v, sd_v = raw[virgin].mean(), raw[virgin].std(ddof=1)
            stretch = A.std(ddof=1) / sd_v if sd_v > 0 else 1.0
            position[virgin] = (raw[virgin] - mean_v) * stretch + mean_v
            pos_se[virgin] = se[virgin] * stretch
    z = _z(level)
    order = sorted(references, key=references.get)
    return Wordscores(
        dtm.work_id,
        dtm.vocab,
        S,
        dict(references),
        raw,
        pos_se,
        position,
        position - z * pos_se,
        position + z * pos_se,
        rescaling,
        n_scored.astype(int),
        (order[0], order[-1]),
    )


# ---------------------------------------------------------------- tables and figures


def textstat_scale(model: Wordfish | Wordscores, works: pd.DataFrame) -> pd.DataFrame:
    """One row per work: its position and interval, with date, genre and issuer.

    ``attrs`` carries the method, the direction (which work was set low and which high),
    the number of works and, for Wordfish, the log-likelihood and the SE method.
    """
    meta = works.set_index("work_id")
    table = pd.DataFrame(
        {
            "work_id": model.work_id,
            "position": model.theta if isinstance(model, Wordfish) else model.position,
            "se": model.se_theta if isinstance(model, Wordfish) else model.se,
            "ci_low": model.ci_low,
            "ci_high": model.ci_high,
        }
    )
    for column in ("date", "title_zh", "title_en", "genre", "issuer", "collection"):
        if column in meta:
            table[column] = table["work_id"].map(meta[column]).fillna("")
    if isinstance(model, Wordfish):
        table["n_terms"] = model.n_terms_per_work
        table["reference"] = ""
    else:
        table["n_terms"] = model.n_scored_words
        table["reference"] = [
            "" if w not in model.references else f"{model.references[w]:g}" for w in model.work_id
        ]
    table = table.sort_values(["position", "work_id"], kind="stable").reset_index(drop=True)
    table.attrs.update(
        method="Wordfish" if isinstance(model, Wordfish) else "Wordscores",
        direction=list(model.direction),
        n_works=len(table),
        n_terms=len(model.vocab),
    )
    if isinstance(model, Wordfish):
        table.attrs.update(
            loglik=model.loglik, se_method=model.se_method, converged=model.converged
        )
    else:
        table.attrs.update(rescaling=model.rescaling)
    return table


def textstat_scale_words(model: Wordfish, *, n: int = 15) -> pd.DataFrame:
    """The words that anchor each end: the ``n`` most negative and most positive ``beta``
    among words frequent enough to matter (``psi`` above its median), with their standard
    errors. An end may list fewer than ``n`` (or none) when few words lean its way."""
    table = pd.DataFrame(
        {
            "term": model.vocab,
            "beta": model.beta,
            "se_beta": model.se_beta,
            "psi": model.psi,
            "se_psi": model.se_psi,
        }
    )
    common = table[table["psi"] >= table["psi"].median()]
    low = common[common["beta"] < 0].nsmallest(n, "beta").assign(end=f"low ({model.direction[0]})")
    high = common[common["beta"] > 0].nlargest(n, "beta").assign(end=f"high ({model.direction[1]})")
    return pd.concat([low, high], ignore_index=True)


def textplot_scale(table: pd.DataFrame, *, order: str = "position", ax=None):
    """Each work's position with its interval, ordered by position or placed in time
    (``order="date"``); the marker's colour is the genre. Returns the Axes."""
    if order not in ("position", "date"):
        raise ValueError(f"order must be 'position' or 'date', not {order!r}")
    rows = table.copy()
    if ax is None and order == "date":
        _, ax = new_figure("two_column")
    elif ax is None:
        _, ax = new_figure("two_column", height=max(2.4, 0.8 + 0.16 * len(rows)))
    marker = 3 if len(rows) <= 200 else 1.5  # a cloud of a thousand works stays readable
    if "genre" not in rows:
        rows["genre"] = ""
    genres = list(dict.fromkeys(rows["genre"].fillna("")))
    colour = {g: PALETTE[k % (len(PALETTE) - 1)] for k, g in enumerate(genres)}
    if order == "date":
        from .dates import as_dates

        rows["when"] = as_dates(rows["date"])
        left_out = int(rows["when"].isna().sum())
        rows = rows.dropna(subset=["when"]).reset_index(drop=True)
        ax.set_ylabel(_axis_label(table))
        note = f"{left_out} undated work(s) not drawn" if left_out else ""
    else:
        rows = rows.sort_values("position", kind="stable").reset_index(drop=True)
        ax.set_yticks(np.arange(len(rows)), [_label(r) for r in rows.itertuples()])
        ax.set_xlabel(_axis_label(table))
        note = ""
    style = {"fmt": "o", "ms": marker, "lw": 0.8 if marker == 3 else 0.4}
    style["alpha"] = 1.0 if marker == 3 else 0.6
    for g in genres:
        sel = (rows["genre"].fillna("") == g).to_numpy()
        position = rows["position"][sel]
        err = [position - rows["ci_low"][sel], rows["ci_high"][sel] - position]
        if order == "date":
            ax.errorbar(
                rows["when"][sel],
                position,
                yerr=err,
                color=colour[g],
                **style,
                label=g or "no genre",
            )
        else:
            ax.errorbar(
                position,
                np.flatnonzero(sel),
                xerr=err,
                color=colour[g],
                **style,
                label=g or "no genre",
            )
    ax.axhline(0, color="0.85", lw=0.5) if order == "date" else ax.axvline(0, color="0.85", lw=0.5)
    if len(genres) > 1:
        legend_below(ax.figure, ax.get_legend_handles_labels()[0])
    at = table.attrs
    low, high = at.get("direction", ["", ""])
    ax.set_title(
        wrap(f"{at.get('method', 'scaling')}: {low} low, {high} high", axes_width(ax)), fontsize=8
    )
    if at.get("method") == "Wordfish" and at.get("se_method") == "bootstrap":
        interval = "estimate ± 1.96 parametric-bootstrap standard errors"
    elif at.get("method") == "Wordfish":
        interval = "observed information of each work given the word parameters"
    else:
        interval = "LBG standard error of each work's scored words"
    wordfish = at.get("method") == "Wordfish"
    set_caption(
        ax,
        Caption(
            f"Positions of the works on one dimension by {at.get('method', 'scaling')}, "
            f"relative to this corpus of {at.get('n_works', len(table))} works and "
            f"{at.get('n_terms', 0):,} terms",
            "latent position (mean 0, sd 1 over these works)" if wordfish else "reference scale",
            at.get("n_works", len(table)),
            interval=f"95%, {interval}",
            encodings={"point": "position", "bar": "interval", "colour": "genre"},
            note=note,
        ),
    )
    return ax


def _axis_label(table: pd.DataFrame) -> str:
    if table.attrs.get("method") == "Wordscores":
        return "position (on the references' scale)"
    return "position (sd of this corpus)"


def _label(row) -> str:
    title = (getattr(row, "title_zh", "") or getattr(row, "title_en", "") or row.work_id)[:18]
    year = (getattr(row, "date", "") or "")[:4]
    return gloss(title if year in title else f"{title} {year}".strip(), max_chars=40)
