"""Where each concept is mentioned: forms, exclusions and wording rules, in one pass.

Counting semantics (tested in ``tests/test_matching.py``):

1. **Forms**, leftmost-longest over every concept's forms at once: 网络空间命运共同体
   is one match of ``cyber_community_shared_future``, not also a bare 命运共同体.
2. **Exclusions**: a form match inside an excluded name of its concept (数据安全法,
   a law's name) is dropped; ``excluded_hits`` lists what was dropped.
3. **Wording rules** (``near`` and ``construction`` rows of ``concept_rules.csv``)
   run per concept over the text with that concept's form matches and excluded names
   blanked out, so a passage a form already counted is never counted again by a rule;
   overlapping rule matches of one concept count once (the earliest, then the rule
   listed first).
4. A child counts for its parents (:func:`with_parents`).

Every hit says which rule found it: ``rule`` is ``form`` or the rule's kind, and
``rule_name`` names the form or the rule's row, so a KWIC line can be checked
against the lexicon.
"""

from __future__ import annotations

import re

import pandas as pd

from .lexicon import SENTENCE_END, Lexicon, Rule, longest_first_pattern

HIT_COLUMNS = [
    "work_id",
    "para_id",
    "concept_id",
    "form",
    "start",
    "end",
    "source_file",
    "line_no",
    "rule",
    "rule_name",
]
COUNTED_RULES = ("near", "construction")
_BLANK = "\x00"  # never in clean text (control characters are removed), never Han

_SENTENCE = re.compile(f"[^{SENTENCE_END}]*[{SENTENCE_END}]?")


def ancestors(lexicon: Lexicon, concept_id: str) -> list[str]:
    """The concept and its parents, nearest first."""
    parent = {c.concept_id: c.parent for c in lexicon.concepts}
    chain = [concept_id]
    while parent.get(chain[-1]):
        chain.append(parent[chain[-1]])
    return chain


def with_parents(hits: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """One row per (match, concept it counts for): a child match also counts for its parents."""
    rows = hits.assign(counts_for=hits["concept_id"].map(lambda c: ancestors(lexicon, c)))
    return rows.explode("counts_for")


def _rows(paragraphs: pd.DataFrame):
    return zip(
        paragraphs["work_id"],
        paragraphs["para_id"],
        paragraphs["text"],
        paragraphs["source_file"],
        paragraphs["line_no"],
    )


def literal_hits(paragraphs: pd.DataFrame, pattern: re.Pattern[str]) -> pd.DataFrame:
    """One row per match of any pattern (a literal term), with no concept."""
    rows = [
        (w, p, "", m.group(0), m.start(), m.end(), f, n, "literal", pattern.pattern)
        for w, p, text, f, n in _rows(paragraphs)
        for m in pattern.finditer(text)
    ]
    return pd.DataFrame(rows, columns=HIT_COLUMNS)


def _blank(text: str, spans) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = _BLANK * (b - a)
    return "".join(chars)


def _first_non_overlapping(found: list[tuple[int, int, int, Rule, str]]):
    """Matches sorted by start (then rule order), each kept only if it overlaps no kept one."""
    kept, end = [], -1
    for item in sorted(found, key=lambda x: (x[0], x[2])):
        if item[0] >= end:
            kept.append(item)
            end = item[1]
    return kept


class Matcher:
    """The lexicon's forms, exclusions and rules, compiled once."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.forms = longest_first_pattern(lexicon.zh_forms)
        self.exclusions = [r for r in lexicon.rules if r.kind == "exclude"]
        family: dict[str, set[str]] = {}
        for c in lexicon.concepts:
            for a in ancestors(lexicon, c.concept_id):
                family.setdefault(a, set()).add(c.concept_id)
        self.family = family  # a concept and its descendants
        counted = [r for r in lexicon.rules if r.kind in COUNTED_RULES]
        self.rules = {
            cid: [(i, r) for i, r in enumerate(counted) if r.concept_id == cid]
            for cid in dict.fromkeys(r.concept_id for r in counted)
        }
        self.any_rule = (
            re.compile("|".join(f"(?:{r.regex.pattern})" for r in counted)) if counted else None
        )

    def paragraph(self, text: str):
        """``(hits, excluded)`` of one paragraph: tuples ``(concept, matched, start, end,
        rule, rule_name)``."""
        form_of = self.lexicon.form_to_concept
        forms = [
            (form_of[m.group(0)], m.group(0), m.start(), m.end())
            for m in (self.forms.finditer(text) if self.forms else ())
        ]
        excluded_spans: dict[str, list[tuple[int, int]]] = {}
        hits, excluded = [], []
        if forms and self.exclusions:
            for r in self.exclusions:
                for m in r.regex.finditer(text):
                    excluded_spans.setdefault(r.concept_id, []).append((m.start(), m.end()))
                    excluded.append((r.concept_id, m.group(0), m.start(), m.end(), r.kind, r.name))
        for cid, form, a, b in forms:
            if any(x <= a and b <= y for x, y in excluded_spans.get(cid, ())):
                continue
            hits.append((cid, form, a, b, "form", form))
        if self.any_rule is not None and self.any_rule.search(text):
            hits += self._rule_hits(text, hits, excluded_spans)
        return hits, excluded

    def _rule_hits(self, text: str, form_hits, excluded_spans):
        out = []
        for cid, rules in self.rules.items():
            if not any(r.regex.search(text) for _, r in rules):
                continue
            family = self.family[cid]
            spans = [(a, b) for c, _, a, b, _, _ in form_hits if c in family]
            spans += [s for c in family for s in excluded_spans.get(c, ())]
            masked = _blank(text, spans) if spans else text
            found = [
                (m.start(), m.end(), i, r, m.group(0))
                for i, r in rules
                for m in r.regex.finditer(masked)
            ]
            out += [
                (cid, text[a:b], a, b, r.kind, r.name)
                for a, b, _, r, _ in _first_non_overlapping(found)
            ]
        return out


def concept_hits(
    paragraphs: pd.DataFrame, lexicon: Lexicon, *, excluded: bool = False
) -> pd.DataFrame:
    """Every mention of a concept in the Chinese paragraphs (see the module's notes).

    Parameters
    ----------
    excluded
        Return the form matches dropped by exclusions instead (``rule`` = ``exclude``).

    Returns
    -------
    DataFrame ``work_id, para_id, concept_id, form, start, end, source_file, line_no,
    rule, rule_name``; ``form`` is the matched text (for a rule, the whole passage).
    """
    zh = paragraphs[paragraphs["lang"] == "zh"]
    matcher = Matcher(lexicon)
    rows = []
    for w, p, text, f, n in _rows(zh):
        hits, dropped = matcher.paragraph(text)
        for cid, matched, a, b, rule, name in dropped if excluded else hits:
            rows.append((w, p, cid, matched, a, b, f, n, rule, name))
    out = pd.DataFrame(rows, columns=HIT_COLUMNS)
    return out.sort_values(["para_id", "start"], kind="stable").reset_index(drop=True)


def resolve_concept(term: str, lexicon: Lexicon) -> str | None:
    """The concept a term names: its id, its label, one of its Chinese forms, its
    English label or an English rendering (``en_patterns``), the English in any case
    (``Cyber sovereignty``, ``cyberspace sovereignty`` → ``cyber_sovereignty``)."""
    from .lexicon import english_label

    term = term.strip()
    folded = term.casefold()
    for c in lexicon.concepts:
        if term in (c.concept_id, c.label) or term in c.zh_forms:
            return c.concept_id
    for c in lexicon.concepts:
        if folded in (c.concept_id.casefold(), english_label(c.label).casefold()):
            return c.concept_id
    for c in lexicon.concepts:
        if any(re.fullmatch(p, term, flags=re.I) for p in c.en_patterns):
            return c.concept_id
    return None


def term_hits(paragraphs: pd.DataFrame, term: str, lexicon: Lexicon) -> pd.DataFrame:
    """Mentions of a concept (id, label or one of its forms: with its children and its
    wording rules), or matches of any literal term (case-insensitive).

    Returns the columns of :func:`concept_hits`.
    """
    concept = resolve_concept(term, lexicon)
    if concept is None:
        return literal_hits(paragraphs, re.compile(re.escape(term), re.I))
    family = Matcher(lexicon).family[concept]
    hits = concept_hits(paragraphs, lexicon)
    return hits[hits["concept_id"].isin(family)].reset_index(drop=True)


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence (up to 。!?;) around ``text[start:end]``."""
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < max(m.end(), m.start() + 1):
            return m.group(0).strip()
    return text[start:end]


def sentence_span(text: str, start: int) -> tuple[int, int]:
    """Start and end offsets of the sentence holding offset ``start``."""
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < max(m.end(), m.start() + 1):
            return m.start(), m.end()
    return start, start
