"""Who is named: states and territories, international bodies and forums, Chinese party and
state bodies, in Chinese and English text, from the gazetteer ``data/lexicon/actors.csv``.

Each actor has aliases in both languages (美方, 美国, US, United States). Chinese aliases
match leftmost-longest, so a name inside a longer name counts once, as the longer one
(国家互联网信息办公室 is the CAC, not also 国家); English aliases match whole words, an
alias in capitals (US, UN, CAC) only in capitals, the others in any case. What the
gazetteer lacks is found by jieba's part-of-speech tags (``ns`` place names, ``nt``
organisation names) and listed for the user to add (:func:`actor_candidates`).

``textstat_actors`` counts mentions per work or per period with a rate per 10,000
characters and its exact Poisson interval; ``textstat_actor_concepts`` lists every
sentence (or paragraph) in which an actor is named with a concept of the lexicon, with
its file and line, and sums them per actor, concept and period.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CorpusError, Problem
from .lexicon import lexicon_dir, longest_first_pattern
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

GAZETTEER = "actors.csv"
_UNIT_WORDS = {"work_id": "works", "year": "years", "decade": "decades"}
KINDS = (
    "state",
    "territory",
    "international organisation",
    "forum",
    "Chinese party or state body",
)
HIT_COLUMNS = [
    "work_id",
    "para_id",
    "lang",
    "actor_id",
    "kind",
    "alias",
    "start",
    "end",
    "source_file",
    "line_no",
]


@dataclass
class Gazetteer:
    """The actors and their aliases, compiled for matching."""

    actors: pd.DataFrame  # actor_id, kind, label
    zh_alias: dict[str, str]  # alias -> actor_id
    en_alias: dict[str, str]  # alias as written -> actor_id
    zh_pattern: re.Pattern[str] | None
    en_pattern: re.Pattern[str] | None

    def actor_of(self, alias: str, lang: str) -> str:
        if lang == "zh":
            return self.zh_alias[alias]
        return self.en_alias.get(alias) or self.en_alias[_fold(alias)]


def _fold(alias: str) -> str:
    return alias.casefold()


def read_gazetteer(path: Path | str) -> Gazetteer:
    """Read ``actors.csv`` (``actor_id, kind, label, aliases_zh, aliases_en, notes``;
    aliases separated by ``;``). Problems name the row and what to change."""
    path = Path(path)
    problems, rows = [], []
    zh, en = {}, {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row_no, row in enumerate(csv.DictReader(fh), start=2):
            actor = (row.get("actor_id") or "").strip()
            kind = (row.get("kind") or "").strip()
            if not actor:
                problems.append(Problem(path.name, f"row {row_no}", "no actor_id", "give one"))
                continue
            if kind not in KINDS:
                problems.append(
                    Problem(
                        path.name,
                        f"row {row_no}",
                        f"kind {kind!r} is not one of {', '.join(KINDS)}",
                        "use one of those",
                    )
                )
            rows.append({"actor_id": actor, "kind": kind, "label": row.get("label", "") or actor})
            for alias in _aliases(row.get("aliases_zh")):
                if zh.setdefault(alias, actor) != actor:
                    problems.append(_twice(path, row_no, alias, zh[alias]))
            for alias in _aliases(row.get("aliases_en")):
                key = alias if _capitals(alias) else _fold(alias)
                if en.setdefault(key, actor) != actor:
                    problems.append(_twice(path, row_no, alias, en[key]))
    if problems:
        raise CorpusError(problems)
    return Gazetteer(
        pd.DataFrame(rows, columns=["actor_id", "kind", "label"]),
        zh,
        en,
        longest_first_pattern(zh),
        _english_pattern(en),
    )


def _aliases(cell: str | None) -> list[str]:
    return [a.strip() for a in (cell or "").split(";") if a.strip()]


def _twice(path: Path, row_no: int, alias: str, other: str) -> Problem:
    return Problem(
        path.name, f"row {row_no}", f"alias {alias!r} is also {other}'s", "give it to one actor"
    )


def _capitals(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _english_pattern(aliases: dict[str, str]) -> re.Pattern[str] | None:
    """Whole-word alternation, longest first; aliases in capitals match only as written."""
    if not aliases:
        return None
    ordered = sorted(aliases, key=lambda a: (-len(a), a))
    parts = [re.escape(a) if _capitals(a) else f"(?i:{re.escape(a)})" for a in ordered]
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(parts) + r")(?![A-Za-z])")


def load_gazetteer(data_dir: Path | str | None = None) -> Gazetteer:
    """The gazetteer of the corpus in ``data_dir`` (its ``lexicon/actors.csv``)."""
    return read_gazetteer(lexicon_dir(Path(data_dir) if data_dir else None) / GAZETTEER)


def actor_hits(paragraphs: pd.DataFrame, gazetteer: Gazetteer) -> pd.DataFrame:
    """One row per actor named, in Chinese and English paragraphs (see the module doc)."""
    rows = []
    for w, p, lang, text, f, n in zip(
        paragraphs["work_id"],
        paragraphs["para_id"],
        paragraphs["lang"],
        paragraphs["text"],
        paragraphs["source_file"],
        paragraphs["line_no"],
    ):
        pattern = gazetteer.zh_pattern if lang == "zh" else gazetteer.en_pattern
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            actor = gazetteer.actor_of(m.group(0), lang)
            rows.append((w, p, lang, actor, "", m.group(0), m.start(), m.end(), f, n))
    hits = pd.DataFrame(rows, columns=HIT_COLUMNS)
    hits["kind"] = hits["actor_id"].map(gazetteer.actors.set_index("actor_id")["kind"])
    return hits


def textstat_actors(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    by: str = "work_id",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Mentions of each actor per work (``by="work_id"``) or per period (``"year"``,
    ``"decade"``), with the rate per 10,000 characters of text in that unit and the exact
    Poisson interval of the rate.

    The interval treats mentions as independent; a name repeated through one document is
    not, so read it as a lower bound on the uncertainty. Works without a date are left out
    of a period table (``attrs["undated_left_out"]`` says how many).
    """
    from .concepts import poisson_interval
    from .normalise import text_size

    hits = actor_hits(paragraphs, gazetteer)
    unit, undated = _units(paragraphs, works, by)
    sizes = (
        paragraphs.assign(
            unit=unit,
            size=[text_size(t, lang) for t, lang in zip(paragraphs["text"], paragraphs["lang"])],
        )
        .dropna(subset=["unit"])
        .groupby("unit")["size"]
        .sum()
    )
    hits = hits.assign(unit=hits["para_id"].map(dict(zip(paragraphs["para_id"], unit))))
    counts = hits.dropna(subset=["unit"]).groupby(["unit", "actor_id"]).size()
    table = counts.rename("count").reset_index().rename(columns={"unit": by})
    table["n_chars"] = table[by].map(sizes).astype(int)
    table["per_10k_chars"] = table["count"] / table["n_chars"] * 10_000
    table["ci_low"], table["ci_high"] = poisson_interval(
        table["count"].to_numpy(), table["n_chars"].to_numpy(), ci=ci
    )
    meta = gazetteer.actors.set_index("actor_id")
    table.insert(2, "kind", table["actor_id"].map(meta["kind"]))
    table.insert(3, "label", table["actor_id"].map(meta["label"]))
    if by == "work_id":
        table.insert(1, "date", table["work_id"].map(works.set_index("work_id")["date"]).fillna(""))
    table = table.sort_values([by, "count", "actor_id"], ascending=[True, False, True])
    table = table.reset_index(drop=True)
    table.attrs.update(undated_left_out=undated, by=by, n_works=int(works["work_id"].nunique()))
    return table


def _units(paragraphs: pd.DataFrame, works: pd.DataFrame, by: str):
    """Each paragraph's unit (a work id, a year or a decade; None when undated) and how
    many works have no date for the unit."""
    if by == "work_id":
        return paragraphs["work_id"].to_numpy(), 0
    period = _period(works.set_index("work_id")["date"], by)
    return paragraphs["work_id"].map(period).to_numpy(), int(period.isna().sum())


def _period(dates: pd.Series, by: str) -> pd.Series:
    """Each date's year (``2016``) or decade (``2010s``); None when it has no year."""
    from .dates import period_of

    if by not in ("year", "decade"):
        raise ValueError(f"a period must be 'year' or 'decade', not {by!r}")
    year = pd.Series(period_of(dates, "year").to_numpy(), index=dates.index, dtype=object)
    year = year.where(year != "", None)
    return year if by == "year" else year.map(lambda y: f"{y[:3]}0s" if y else None)


def textstat_actor_concepts(
    paragraphs: pd.DataFrame,
    works: pd.DataFrame,
    lexicon,
    gazetteer: Gazetteer,
    *,
    within: str = "sentence",
    terms: list[str] | tuple[str, ...] = (),
) -> pd.DataFrame:
    """Every sentence (``within="paragraph"``: paragraph) of the Chinese text in which an
    actor is named together with a concept of the lexicon: one row per actor, concept and
    sentence, with the work, its date, the file and line, and the sentence itself.
    ``terms`` adds literal words (和平, 发展) as if they were concepts, under their own
    text as ``concept_id``. Sum it with :func:`summarise_actor_concepts`."""
    from .lexicon import longest_first_pattern
    from .matching import concept_hits, literal_hits, sentence_span, with_parents

    if within not in ("sentence", "paragraph"):
        raise ValueError(f"within must be 'sentence' or 'paragraph', not {within!r}")
    zh = paragraphs[paragraphs["lang"] == "zh"]
    concepts = with_parents(concept_hits(zh, lexicon), lexicon)
    concepts["concept_id"] = concepts.pop("counts_for")  # a child's match counts for its parents
    if terms:
        words = literal_hits(zh, longest_first_pattern(terms))
        words["concept_id"] = words["form"]
        concepts = pd.concat([concepts, words], ignore_index=True)
    actors = actor_hits(zh, gazetteer)
    text = dict(zip(zh["para_id"], zh["text"]))

    def unit(para_id: str, start: int) -> tuple[int, int]:
        if within == "paragraph":
            return 0, len(text[para_id])
        return sentence_span(text[para_id], start)

    concepts = concepts.assign(
        span=[unit(p, s) for p, s in zip(concepts["para_id"], concepts["start"])]
    )
    actors = actors.assign(span=[unit(p, s) for p, s in zip(actors["para_id"], actors["start"])])
    both = (
        actors[["para_id", "span", "actor_id", "kind"]]
        .drop_duplicates()
        .merge(
            concepts[
                ["para_id", "span", "concept_id", "work_id", "source_file", "line_no"]
            ].drop_duplicates(["para_id", "span", "concept_id"]),
            on=["para_id", "span"],
        )
    )
    both["date"] = both["work_id"].map(works.set_index("work_id")["date"]).fillna("")
    both["sentence"] = [text[p][a:b].strip() for p, (a, b) in zip(both["para_id"], both["span"])]
    both["source"] = both["source_file"] + ":" + both["line_no"].astype(str)
    both["label"] = both["actor_id"].map(gazetteer.actors.set_index("actor_id")["label"])
    columns = ["actor_id", "label", "kind", "concept_id", "work_id", "date", "source", "sentence"]
    out = both[columns].sort_values(["concept_id", "actor_id", "date", "source"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(within=within)
    return out


def summarise_actor_concepts(pairs: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Counts of co-occurrences per actor and concept (and per year or decade with
    ``by``), with the number of works they come from."""
    keys = ["concept_id", "actor_id", "kind"]
    frame = pairs.copy()
    if by is not None:
        frame[by] = _period(frame["date"], by)
        frame = frame.dropna(subset=[by])
        keys = [by, *keys]
    out = frame.groupby(keys).agg(n=("sentence", "size"), n_works=("work_id", "nunique"))
    return out.reset_index().sort_values(
        [*keys[:-2], "n"], ascending=[True] * (len(keys) - 2) + [False]
    )


def actor_candidates(
    paragraphs: pd.DataFrame,
    gazetteer: Gazetteer,
    *,
    n: int = 30,
    min_count: int = 2,
    max_chars: int = 2_000_000,
) -> pd.DataFrame:
    """Place and organisation names (jieba's ``ns`` and ``nt`` tags) in the Chinese text
    that no alias of the gazetteer covers, by frequency: names for the user to add.
    Only the first ``max_chars`` characters are tagged (tagging is slow); ``attrs``
    says how many were. jieba's dictionary tags some common words as places (深度, 普及),
    so a place name is proposed only when it has three or more characters or ends as names
    of states, regions and bodies do (国, 洲, 省, 组织, 委员会, 论坛 ...).
    """
    import logging

    import jieba
    import jieba.posseg as posseg

    jieba.setLogLevel(logging.WARNING)  # not its dictionary-loading lines in a report
    zh = paragraphs[paragraphs["lang"] == "zh"]
    counts: dict[tuple[str, str], int] = {}
    seen = 0
    for text in zh["text"]:
        if seen >= max_chars:
            break
        seen += len(text)
        covered = (
            gazetteer.zh_pattern.sub(lambda m: "□" * len(m.group(0)), text)
            if gazetteer.zh_pattern
            else text
        )
        for word, flag in posseg.cut(covered):
            if "□" not in word and _looks_like_a_name(word, flag):
                counts[(word, flag)] = counts.get((word, flag), 0) + 1
    table = pd.DataFrame(
        [(w, "place" if f == "ns" else "organisation", c) for (w, f), c in counts.items()],
        columns=["name", "tag", "count"],
    )
    table = (
        table.sort_values(["count", "name"], ascending=[False, True]).head(n).reset_index(drop=True)
    )
    table.attrs.update(chars_tagged=min(seen, int(zh["text"].str.len().sum())), max_chars=max_chars)
    return table


def textplot_actors(table: pd.DataFrame, *, n: int = 15, ax=None):
    """The ``n`` actors named most often: total mentions as bars, coloured by kind, with
    the number of works or periods naming each. Returns the Axes."""
    by = table.attrs.get("by", "work_id")
    totals = (
        table.groupby(["actor_id", "label", "kind"])
        .agg(count=("count", "sum"), units=(by, "nunique"))
        .reset_index()
        .sort_values(["count", "actor_id"], ascending=[False, True])
        .head(n)
        .iloc[::-1]
    )
    if ax is None:
        _, ax = new_figure("two_column", height=max(2.2, 0.8 + 0.16 * len(totals)))
    colour = {k: PALETTE[i] for i, k in enumerate(KINDS)}
    ax.barh(totals["label"].map(gloss), totals["count"], color=totals["kind"].map(colour))
    for y, (count, units) in enumerate(zip(totals["count"], totals["units"])):
        ax.text(count, y, f" {units}", va="center", fontsize=6, color="0.35")
    ax.set_xlabel(
        wrap(f"mentions (beside each bar: {_UNIT_WORDS.get(by, by)} naming it)", axes_width(ax))
    )
    from matplotlib.patches import Patch

    kinds = [k for k in KINDS if k in set(totals["kind"])]
    legend_below(ax.figure, [Patch(color=colour[k], label=k) for k in kinds])
    set_caption(
        ax,
        Caption(
            f"The {len(totals)} actors named most often, from the gazetteer of the lexicon",
            "mentions (Chinese and English aliases, leftmost-longest)",
            table.attrs.get("n_works"),
            encodings={
                "bar": "mentions",
                "colour": "kind of actor",
                "number": f"{_UNIT_WORDS.get(by, by)} naming it",
            },
        ),
    )
    return ax


def textplot_actor_concepts(
    pairs: pd.DataFrame, concept_id: str, *, by: str | None = "year", n: int = 10, ax=None
):
    """For one concept, the ``n`` actors named with it most often (from
    :func:`textstat_actor_concepts`), per year or decade as dots sized by the number of
    sentences, or (``by=None``) as bars. Returns the Axes."""
    mine = pairs[pairs["concept_id"] == concept_id]
    rows = summarise_actor_concepts(mine, by=by)
    top = rows.groupby("actor_id")["n"].sum().sort_values(ascending=False).head(n).index
    rows = rows[rows["actor_id"].isin(top)]
    if ax is None:
        _, ax = new_figure("two_column", height=max(2.2, 0.9 + 0.18 * len(top)))
    order = list(top)[::-1]
    label = dict(zip(mine["actor_id"], mine["label"])) if "label" in mine else {}
    names = [label.get(a, a) for a in order]
    if by:
        # Years on a real axis (a gap is a gap); decades as evenly spaced labels.
        x = (
            rows[by].astype(int)
            if by == "year"
            else rows[by].map({p: i for i, p in enumerate(sorted(rows[by].unique()))})
        )
        y = rows["actor_id"].map({a: i for i, a in enumerate(order)})
        ax.scatter(x, y, s=12 + 18 * np.sqrt(rows["n"]), color=PALETTE[0], alpha=0.8)
        for xi, yi, k in zip(x, y, rows["n"]):
            radius = np.sqrt((12 + 18 * np.sqrt(k)) / np.pi)  # the dot's radius, in points
            ax.annotate(
                str(k),
                (xi, yi),
                xytext=(radius + 2, 0),
                textcoords="offset points",
                va="center",
                fontsize=6,
                color="0.3",
            )
        if by == "decade":
            periods = sorted(rows[by].unique())
            ax.set_xticks(range(len(periods)), periods)
        else:
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
            if len(x):
                ax.set_xlim(x.min() - 0.8, x.max() + 0.8)
        ax.set_yticks(range(len(order)), names)
        ax.set_ylim(-0.6, len(order) - 0.4)
    else:
        totals = rows.groupby("actor_id")["n"].sum().reindex(order)
        ax.barh(names, totals, color=PALETTE[0])
        ax.set_xlabel("sentences naming both")
    undated = int((mine["date"].fillna("") == "").sum()) if by else 0
    set_caption(
        ax,
        Caption(
            f"The actors named most often in the same {pairs.attrs.get('within', 'sentence')} "
            f"as {concept_id}",
            f"{pairs.attrs.get('within', 'sentence')}s of the Chinese text holding both",
            int(mine["work_id"].nunique()),
            encodings={"dot area and number": "sentences"} if by else {"bar": "sentences"},
            note=f"{undated} sentence(s) of undated works not drawn" if undated else "",
        ),
    )
    return ax


_NAME_ENDING = re.compile(
    r"(?:国|洲|省|市|县|自治区|特别行政区|组织|委员会|理事会|联盟|论坛|大会|峰会|部|局|署"
    r"|办公室|中心|银行|集团|公司|协会|联合会|研究院|大学)$"
)


def _looks_like_a_name(word: str, flag: str) -> bool:
    if len(word) < 2:
        return False
    if flag == "nt":
        return True
    return flag == "ns" and (len(word) >= 3 or bool(_NAME_ENDING.search(word)))
