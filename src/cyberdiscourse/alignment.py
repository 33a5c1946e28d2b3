"""Chinese and English paragraphs of one copy paired as translations.

A pair is two parts of one line, or a Chinese paragraph followed by an English
one whose length is plausible for a translation (``ALIGN_RATIO`` English
characters per Chinese character). Paragraphs that no copy pairs can be aligned
afterwards across captures (:func:`align_across`): by length (Gale and Church
1993) and anchors (numbers, concepts whose Chinese form and English rendering
both occur), checked against the copies' own pairs by :func:`evaluate_across`.
"""

from __future__ import annotations

import math
import re

from .dedupe import Fragment
from .normalise import count_cjk, text_size

ALIGN_RATIO = (1.2, 6.0)  # English chars per Chinese char for an adjacent zh/en pair


def align_pairs(fragments: list[Fragment]) -> list[tuple[Fragment, Fragment, str]]:
    """zh/en pairs within one copy: parts of one line, or a zh paragraph then an en one.

    An adjacent pair is accepted only when neither paragraph shares its line with
    the other language and the lengths are plausible for a translation.
    """
    langs_on_line: dict[tuple[str, int], set[str]] = {}
    for f in fragments:
        langs_on_line.setdefault(f.same_line, set()).add(f.lang)
    pairs = []
    used: set[int] = set()
    for a, b in zip(fragments, fragments[1:]):
        if {a.lang, b.lang} != {"zh", "en"} or id(a) in used or id(b) in used:
            continue
        zh, en = (a, b) if a.lang == "zh" else (b, a)
        if a.same_line == b.same_line:
            method = "same_line"
        elif (
            a.lang == "zh"
            and len(langs_on_line[a.same_line]) == len(langs_on_line[b.same_line]) == 1
        ):
            ratio = len(en.text) / max(1, count_cjk(zh.text))
            if not ALIGN_RATIO[0] <= ratio <= ALIGN_RATIO[1]:
                continue
            method = "adjacent"
        else:
            continue
        used.update((id(zh), id(en)))
        pairs.append((zh, en, method))
    return pairs


# ------------------------------------------------ across captures

EN_PER_HAN = 4.05  # non-space English characters per Han character, on the seeds' pairs
EN_PER_HAN_VAR = 33.0  # variance of the Gale-Church deviation per Han character, same pairs
MAX_DEVIATION = 2.0  # a 1-1 pair further out (in standard deviations) is never proposed
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _deviation(zh: str, en: str) -> float:
    """Gale-Church length deviation of an English paragraph from a Chinese one."""
    n_zh, n_en = max(1, text_size(zh, "zh")), text_size(en, "en")
    return (n_en - EN_PER_HAN * n_zh) / math.sqrt(n_zh * EN_PER_HAN_VAR)


def _anchors_zh(text: str, lexicon) -> set[str]:
    found = set(_NUMBER.findall(text))
    if lexicon is not None:
        found |= {f"concept:{lexicon.form_to_concept[f]}" for f in lexicon.zh_forms if f in text}
    return found


def _anchors_en(text: str, renderings) -> set[str]:
    found = set(_NUMBER.findall(text))
    found |= {f"concept:{cid}" for cid, regex in renderings if regex.search(text)}
    return found


def _rendering_patterns(lexicon) -> list[tuple[str, re.Pattern]]:
    if lexicon is None:
        return []
    return [
        (c.concept_id, re.compile(rf"\b(?:{'|'.join(c.en_patterns)})\b", re.I))
        for c in lexicon.concepts
        if c.en_patterns
    ]


def _pair_score(zh: str, en: str, a_zh: set[str], a_en: set[str]) -> float | None:
    """Log-odds-like score of a 1-1 pair (higher is better), or None when implausible.

    Length deviation costs its square; every anchor (a number, a concept whose form
    is in the Chinese and whose rendering is in the English) found on one side only
    costs 1, every shared one earns 1.
    """
    dev = _deviation(zh, en)
    if abs(dev) > MAX_DEVIATION:
        return None
    shared, lonely = len(a_zh & a_en), len(a_zh ^ a_en)
    return 2.0 - dev * dev / 2 + shared - lonely


def align_sequences(zh: list[str], en: list[str], *, lexicon=None) -> list[tuple[int, int, float]]:
    """Monotone 1-1 alignment of two paragraph sequences by length and anchors.

    Dynamic programming over the moves pair, skip a Chinese paragraph, skip an
    English one (skips score 0): the alignment with the highest total score, where
    a pair scores :func:`_pair_score` and is taken only if that score is positive.
    Returns ``(i, j, score)`` for the pairs taken.
    """
    rend = _rendering_patterns(lexicon)
    a_zh = [_anchors_zh(t, lexicon) for t in zh]
    a_en = [_anchors_en(t, rend) for t in en]
    n, m = len(zh), len(en)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == j == 0:
                continue
            options = []
            if i:
                options.append((best[i - 1][j], "z"))
            if j:
                options.append((best[i][j - 1], "e"))
            if i and j:
                s = _pair_score(zh[i - 1], en[j - 1], a_zh[i - 1], a_en[j - 1])
                if s is not None and s > 0:
                    options.append((best[i - 1][j - 1] + s, "p"))
            best[i][j], move[i][j] = max(options)
    pairs, i, j = [], n, m
    while i or j:
        step = move[i][j]
        if step == "p":
            pairs.append((i - 1, j - 1, best[i][j] - best[i - 1][j - 1]))
            i, j = i - 1, j - 1
        elif step == "z":
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def align_across(paragraphs, pairs, *, lexicon=None):
    """Pairs for the Chinese and English paragraphs of each work that no copy paired.

    Where a work's English and Chinese come from separate captures (or a capture's
    order defeated the adjacent rule), the unpaired paragraphs of each language are
    aligned in the work's order by :func:`align_sequences`. Returns rows like the
    build's ``aligned_pairs`` with ``method = "across"`` and the pair's ``score``.
    """
    import pandas as pd

    paired = set(pairs["zh_para_id"]) | set(pairs["en_para_id"])
    rest = paragraphs[~paragraphs["para_id"].isin(paired)].sort_values(["work_id", "position"])
    rows = []
    for work_id, group in rest.groupby("work_id", sort=True):
        zh, en = group[group["lang"] == "zh"], group[group["lang"] == "en"]
        if zh.empty or en.empty:
            continue
        for i, j, score in align_sequences(list(zh["text"]), list(en["text"]), lexicon=lexicon):
            rows.append(
                {
                    "work_id": work_id,
                    "zh_para_id": zh["para_id"].iloc[i],
                    "en_para_id": en["para_id"].iloc[j],
                    "method": "across",
                    "doc_id": "",
                    "line_no": int(zh["line_no"].iloc[i]),
                    "score": round(score, 3),
                }
            )
    columns = [*pairs.columns, "score"] if "score" not in pairs.columns else list(pairs.columns)
    return pd.DataFrame(rows, columns=columns)


def evaluate_across(paragraphs, pairs, *, lexicon=None) -> dict:
    """Precision and recall of :func:`align_sequences` against the pairs the copies give.

    For each work with known pairs, every Chinese and English paragraph is handed
    to the aligner in the work's order as if nothing were paired; a proposed pair
    is right when the copies pair the same two paragraphs, wrong when they pair
    either paragraph otherwise, and not judged when neither is in a known pair.
    """
    known = set(zip(pairs["zh_para_id"], pairs["en_para_id"]))
    in_known = set(pairs["zh_para_id"]) | set(pairs["en_para_id"])
    right = judged = 0
    works = paragraphs[paragraphs["work_id"].isin(pairs["work_id"])]
    for _, group in works.sort_values(["work_id", "position"]).groupby("work_id"):
        zh, en = group[group["lang"] == "zh"], group[group["lang"] == "en"]
        for i, j, _ in align_sequences(list(zh["text"]), list(en["text"]), lexicon=lexicon):
            pair = (zh["para_id"].iloc[i], en["para_id"].iloc[j])
            if pair[0] in in_known or pair[1] in in_known:
                judged += 1
                right += pair in known
    return {
        "known_pairs": len(known),
        "proposed_judged": judged,
        "right": right,
        "precision": right / judged if judged else float("nan"),
        "recall": right / len(known) if known else float("nan"),
    }
