"""How precise a concept's count is: a seeded sample of its matches for a person to judge,
read back as precision with a Wilson interval, per rule and overall.

The cycle, as a methods section describes it:

1. ``cyberdiscourse lexicon sample CONCEPT -n 100`` writes a random sample of the
   concept's matches (the sentence, the rule that matched, file:line) to
   ``<data>/lexicon/validation/CONCEPT.csv`` with an empty ``correct`` column;
2. a reader marks each row ``y`` or ``n`` (blank: not judged) in a spreadsheet;
3. ``cyberdiscourse lexicon precision`` (or :func:`textstat_precision`) reads every judged
   file back: the precision of each rule and of the concept, with its 95% Wilson interval,
   which :func:`attach_precision` adds to the concept tables and the timeline's caption.

Together with the lexicon audit's near misses (what the rules miss: recall's side) this is
the validation a reviewer asks for. The sample is of matches, so it measures precision
only: a concept that is never matched has no precision, and what the rules miss is not in
any sample.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CorpusError, Problem

VALIDATION_DIR = "validation"  # under the lexicon folder
SAMPLE_COLUMNS = [
    "sample_id",
    "concept_id",
    "rule",
    "work_id",
    "date",
    "source",
    "left",
    "match",
    "right",
    "correct",
]
YES = {"y", "yes", "1", "true", "t", "correct", "是", "对", "✓"}
NO = {"n", "no", "0", "false", "f", "wrong", "否", "错", "✗"}


def validation_dir(data_dir: Path | str | None = None) -> Path:
    """``<data_dir>/lexicon/validation``: the corpus's own, even when its lexicon is the
    repository's (a judged sample belongs to the corpus it was drawn from)."""
    from .config import resolve_data_dir

    return resolve_data_dir(data_dir) / "lexicon" / VALIDATION_DIR


def sample_matches(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    lexicon,
    concept_id: str,
    *,
    n: int = 100,
    random_state: int = 0,
) -> pd.DataFrame:
    """A simple random sample of ``n`` of the concept's matches (all when fewer), seeded,
    in a stable order, with an empty ``correct`` column to fill in."""
    from .concepts import kwic

    if concept_id not in {c.concept_id for c in lexicon.concepts}:
        raise CorpusError(
            [
                Problem(
                    "concepts.csv",
                    "",
                    f"no concept {concept_id!r} in the lexicon",
                    "give a concept_id of data/lexicon/concepts.csv",
                )
            ]
        )
    lines = kwic(paragraphs, works, concept_id, lexicon)
    lines = lines[lines["rule"] != "literal"]
    rng = np.random.default_rng(random_state)
    take = np.sort(rng.choice(len(lines), size=min(n, len(lines)), replace=False))
    sample = lines.iloc[take].reset_index(drop=True)
    sample.insert(0, "sample_id", [f"{concept_id}-{k + 1:04d}" for k in range(len(sample))])
    sample.insert(1, "concept_id", concept_id)
    sample["correct"] = ""
    sample.attrs.update(n_matches=len(lines), random_state=random_state)
    return sample[SAMPLE_COLUMNS]


def read_judgements(path: Path | str) -> pd.DataFrame:
    """A judged sample; each ``correct`` cell is yes, no or blank (not judged). A cell that
    is none of these is an error naming its row."""
    path = Path(path)
    table = _read_sheet(path)
    missing = [c for c in ("concept_id", "rule", "correct") if c not in table]
    if missing:
        raise CorpusError(
            [
                Problem(
                    path.name,
                    "",
                    f"no column {', '.join(missing)}",
                    "judge a file written by 'cyberdiscourse lexicon sample'",
                )
            ]
        )
    verdict, problems = [], []
    for row_no, cell in enumerate(table["correct"], start=2):
        value = cell.strip().lower()
        if value in YES:
            verdict.append(True)
        elif value in NO:
            verdict.append(False)
        elif not value:
            verdict.append(None)
        else:
            verdict.append(None)
            problems.append(
                Problem(path.name, f"row {row_no}", f"correct is {cell!r}", "write y, n or nothing")
            )
    if problems:
        raise CorpusError(problems)
    table["judged"] = [v is not None for v in verdict]
    table["is_correct"] = [bool(v) for v in verdict]
    table["file"] = path.name
    return table


def _read_sheet(path: Path) -> pd.DataFrame:
    """The judged CSV as a spreadsheet saved it: UTF-8, or GB18030 (what Excel on a Chinese
    Windows writes for "CSV (comma delimited)")."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise CorpusError(
                [Problem(path.name, "", f"cannot be read as CSV ({exc})", "save it as CSV again")]
            ) from None
    raise CorpusError(
        [Problem(path.name, "", "is neither UTF-8 nor GB18030 text", "save it as CSV UTF-8")]
    )


def wilson_interval(successes, trials, *, ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (Wilson 1927); nan where ``trials`` is 0."""
    from scipy.stats import norm

    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = norm.ppf(0.5 + ci / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)


def textstat_precision(judged: pd.DataFrame, *, ci: float = 0.95) -> pd.DataFrame:
    """Precision per concept and rule, and per concept over all its rules (``rule`` =
    ``all``): judged, correct, precision and its Wilson interval. Rows not judged are
    left out (``n_unjudged`` says how many)."""
    rows = []
    for concept, group in judged.groupby("concept_id", sort=True):
        parts = [(rule, g) for rule, g in group.groupby("rule", sort=True)] + [("all", group)]
        for rule, g in parts:
            done = g[g["judged"]]
            rows.append(
                (concept, rule, len(done), int(done["is_correct"].sum()), int((~g["judged"]).sum()))
            )
    table = pd.DataFrame(
        rows, columns=["concept_id", "rule", "n_judged", "n_correct", "n_unjudged"]
    )
    low, high = wilson_interval(table["n_correct"], table["n_judged"], ci=ci)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["precision"] = table["n_correct"] / table["n_judged"].where(table["n_judged"] > 0)
    table["ci_low"], table["ci_high"] = low, high
    return table


def load_precision(data_dir: Path | str | None = None) -> pd.DataFrame:
    """The precision of every concept judged in ``<lexicon>/validation/*.csv`` (an empty
    table when none is)."""
    folder = validation_dir(data_dir)
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    judged = [read_judgements(f) for f in files]
    judged = [j for j in judged if j["judged"].any()]
    if not judged:
        return textstat_precision(
            pd.DataFrame(columns=["concept_id", "rule", "judged", "is_correct"])
        )
    return textstat_precision(pd.concat(judged, ignore_index=True))


def attach_precision(stats: pd.DataFrame, precision: pd.DataFrame) -> pd.DataFrame:
    """The concept table with each concept's judged precision (``precision``,
    ``precision_low``, ``precision_high``, ``precision_n``); ``attrs["precision"]`` holds
    them for captions. Concepts never judged get nan."""
    overall = precision[precision["rule"] == "all"].set_index("concept_id")
    out = stats.copy()
    out["precision"] = out["concept_id"].map(overall["precision"])
    out["precision_low"] = out["concept_id"].map(overall["ci_low"])
    out["precision_high"] = out["concept_id"].map(overall["ci_high"])
    out["precision_n"] = out["concept_id"].map(overall["n_judged"]).fillna(0).astype(int)
    out.attrs = dict(stats.attrs)
    out.attrs["precision"] = {
        c: (float(r.precision), float(r.ci_low), float(r.ci_high), int(r.n_judged))
        for c, r in overall.iterrows()
        if r.n_judged > 0
    }
    return out


def precision_note(attrs: dict, concepts: list[str]) -> str:
    """The caption's sentence on precision for these concepts ('' when none was judged)."""
    judged = attrs.get("precision", {})
    parts = [
        f"{c} {p:.0%} (95% Wilson {lo:.0%}-{hi:.0%}, {n} judged)"
        for c, (p, lo, hi, n) in judged.items()
        if c in concepts
    ]
    return (
        "precision of the counts, judged on a sample of matches: " + "; ".join(parts)
        if parts
        else ""
    )
