"""The lexicon audited against the corpus, so it grows on evidence.

:func:`lexicon_audit` returns three tables:

- ``near_misses``: per concept, sentences that hold its head words but where no
  form or rule of the concept matched. Head words come from the ``audit`` rows of
  ``concept_rules.csv`` (主权 with 网络 in one sentence) and, for every form of four
  or more characters, from the form split in two at a word boundary and found with
  up to ``split_gap`` characters between the halves, in either order (网络……主权).
- ``dead_entries``: concept forms and domain terms that occur nowhere, or occur but
  never become a token because a longer protected word always holds them.
- ``collisions``: forms inside a name (a title in 《》, or followed by 法, 条例, 委员会
  and the like), with whether an exclusion already drops them.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from .lexicon import SENTENCE_END, Lexicon, longest_first_pattern
from .matching import Matcher, concept_hits, sentence_span
from .tokens import quiet_jieba

SPLIT_GAP = 6
_NAME_SUFFIX = re.compile(
    r"(?:法(?!律|规|治|则)|条例|办法|规定|纲要|战略|倡议|宣言|公约|委员会|办公室|"
    r"中心|研究院|联盟|论坛|峰会|大会|组织|工作组)"
)
_BOOK_TITLE = re.compile(r"《([^《》]{1,60})》")

NEAR_MISS_COLUMNS = [
    "concept_id",
    "head",
    "work_id",
    "sentence",
    "matched",
    "source",
    "para_id",
]


def _split_heads(form: str) -> tuple[str, str] | None:
    """A form of 4+ characters in two, at the word boundary nearest its middle."""
    if len(form) < 4:
        return None
    jieba = quiet_jieba()

    bounds, at = [], 0
    for w in jieba.lcut(form, HMM=False):
        at += len(w)
        if 2 <= at <= len(form) - 2:
            bounds.append(at)
    cut = min(bounds, key=lambda b: (abs(b - len(form) / 2), -b)) if bounds else len(form) // 2
    return form[:cut], form[cut:]


def _head_patterns(lexicon: Lexicon, *, split_gap: int) -> list[tuple[str, str, re.Pattern]]:
    """``(concept_id, head name, pattern)``: audit rules first, then split forms."""
    out = [
        (r.concept_id, f"{'、'.join(r.words)} ~ {'、'.join(r.near)} ({r.name})", r.regex)
        for r in lexicon.rules
        if r.kind == "audit"
    ]
    for c in lexicon.concepts:
        for form in c.zh_forms:
            halves = _split_heads(form)
            if halves is None:
                continue
            a, b = map(re.escape, halves)
            gap = f"[^{SENTENCE_END}\\n]{{0,{split_gap}}}?"
            out.append(
                (
                    c.concept_id,
                    f"{halves[0]}…{halves[1]} (split form)",
                    re.compile(f"{a}{gap}{b}|{b}{gap}{a}"),
                )
            )
    return out


def near_misses(
    paragraphs: pd.DataFrame, lexicon: Lexicon, *, split_gap: int = SPLIT_GAP
) -> pd.DataFrame:
    """Sentences holding a concept's head words where nothing of the concept matched.

    A head-word match counts as a near miss when it overlaps no mention of the
    concept or of its children (:func:`~cyberdiscourse.matching.concept_hits`) and
    does not lie inside another concept's mention (网络空间 inside 网络空间命运共同体
    is there by the longest-match rule, not missed);
    each sentence is listed once per concept, under the first head that found it.
    """
    zh = paragraphs[paragraphs["lang"] == "zh"]
    heads = _head_patterns(lexicon, split_gap=split_gap)
    family = Matcher(lexicon).family
    hits = concept_hits(zh, lexicon)
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    any_span: dict[str, list[tuple[int, int]]] = {}
    for h in hits.itertuples():
        spans.setdefault((h.para_id, h.concept_id), []).append((h.start, h.end))
        any_span.setdefault(h.para_id, []).append((h.start, h.end))
    rows, seen = [], set()
    for w, p, text, f, n in zip(
        zh["work_id"], zh["para_id"], zh["text"], zh["source_file"], zh["line_no"]
    ):
        for cid, head, pattern in heads:
            for m in pattern.finditer(text):
                counted = [s for c in family[cid] for s in spans.get((p, c), ())]
                if any(a < m.end() and m.start() < b for a, b in counted):
                    continue
                if any(a <= m.start() and m.end() <= b for a, b in any_span.get(p, ())):
                    continue  # inside a longer form of another concept: the longest match's choice
                start, end = sentence_span(text, m.start())
                if (cid, p, start) in seen:
                    continue
                seen.add((cid, p, start))
                rows.append((cid, head, w, text[start:end].strip(), m.group(0), f"{f}:{n}", p))
    out = pd.DataFrame(rows, columns=NEAR_MISS_COLUMNS)
    order = {c.concept_id: i for i, c in enumerate(lexicon.concepts)}
    return out.sort_values(
        ["concept_id", "work_id", "source"],
        key=lambda s: s.map(order) if s.name == "concept_id" else s,
        kind="stable",
    ).reset_index(drop=True)


def dead_entries(paragraphs: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Forms and domain terms that occur nowhere, or never as a token.

    The segmenter protects forms and domain terms longest-first, so a word becomes
    a token exactly where the protected words' longest-first match is that word;
    a word that occurs only inside a longer protected word is never a token.
    Returns ``entry, kind, concept_id, occurrences, as_token, problem, inside``.
    """
    zh = paragraphs.loc[paragraphs["lang"] == "zh", "text"]
    protected = longest_first_pattern(
        {*lexicon.zh_forms, *(t for t in lexicon.domain_terms if t.strip())}
    )
    whole = Counter(m.group(0) for t in zh for m in protected.finditer(t)) if protected else {}
    entries = [(f, "form", lexicon.form_to_concept[f]) for f in lexicon.zh_forms]
    entries += [
        (t, "domain term", "") for t in lexicon.domain_terms if t not in lexicon.form_to_concept
    ]
    rows = []
    for word, kind, cid in entries:
        occurrences = int(sum(t.count(word) for t in zh))
        as_token = int(whole.get(word, 0))
        if occurrences and as_token:
            continue
        inside = sorted(w for w in whole if word in w and w != word)
        problem = "occurs nowhere" if not occurrences else "never a token"
        rows.append((word, kind, cid, occurrences, as_token, problem, "、".join(inside)))
    columns = ["entry", "kind", "concept_id", "occurrences", "as_token", "problem", "inside"]
    return pd.DataFrame(rows, columns=columns)


def collisions(paragraphs: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Forms inside a name: a 《title》 or a form followed by a name's suffix (法, 委员会 …).

    Returns ``concept_id, form, name, count, excluded, example_source``: ``excluded``
    is True when an ``exclude`` rule drops these matches (they are not counted).
    """
    zh = paragraphs[paragraphs["lang"] == "zh"]
    counted = concept_hits(zh, lexicon)
    dropped = concept_hits(zh, lexicon, excluded=True)
    text = zh.set_index("para_id")["text"]
    found: dict[tuple[str, str, str, bool], list[str]] = {}

    def note(h, excluded: bool) -> None:
        t = text[h.para_id]
        name = _name_around(t, h.start, h.end)
        if name:
            key = (h.concept_id, h.rule_name if not excluded else h.form, name, excluded)
            found.setdefault(key, []).append(f"{h.source_file}:{h.line_no}")

    for h in counted[counted["rule"] == "form"].itertuples():
        note(h, False)
    for h in dropped.itertuples():
        note(h, True)
    rows = [
        (cid, form, name, len(where), excluded, where[0])
        for (cid, form, name, excluded), where in found.items()
    ]
    columns = ["concept_id", "form", "name", "count", "excluded", "example_source"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(
        ["excluded", "count", "name"], ascending=[True, False, True]
    ).reset_index(drop=True)


def _name_around(text: str, start: int, end: int) -> str:
    """The name a match sits in, or "": the 《title》 around it, or the match plus a suffix."""
    for m in _BOOK_TITLE.finditer(text, max(0, start - 60), min(len(text), end + 60)):
        if m.start() < start and end < m.end():
            return m.group(0)
    suffix = _NAME_SUFFIX.match(text, end)
    return text[start : suffix.end()] if suffix else ""


def lexicon_audit(
    paragraphs: pd.DataFrame, lexicon: Lexicon, *, split_gap: int = SPLIT_GAP
) -> dict[str, pd.DataFrame]:
    """Near misses, dead entries and collisions (see the module's notes)."""
    return {
        "near_misses": near_misses(paragraphs, lexicon, split_gap=split_gap),
        "dead_entries": dead_entries(paragraphs, lexicon),
        "collisions": collisions(paragraphs, lexicon),
    }
