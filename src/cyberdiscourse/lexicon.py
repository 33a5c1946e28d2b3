"""The concept lexicon and word lists a researcher edits.

Files in ``<data_dir>/lexicon/`` (falling back to this repository's
``data/lexicon/`` when a data folder has none):

- ``concepts.csv``: ``concept_id, label, parent, category, zh_forms, en_patterns, notes``;
  several forms or patterns in one cell are separated by ``;`` (``|`` belongs to the
  regular expressions). English patterns are
  case-insensitive regular expressions matched on word boundaries. A concept with a
  ``parent`` is counted under the parent too (命运共同体 is the umbrella over
  网络空间命运共同体 and 人类命运共同体).
- ``concept_rules.csv`` (optional): ``concept_id, rule, words, near, window, example,
  notes``, the wordings of a concept beyond its forms (see :func:`read_rules`).
- ``domain_terms.txt``: extra words for the segmenter, one per line.
- ``stopwords_domain.txt``: project stopwords added to the maintained lists.
- ``glossary.csv`` (optional): ``term, gloss``, English glosses printed beside Chinese
  labels in figures (concept forms are glossed by their concept's label already).
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .config import REPO_ROOT
from .errors import CorpusError, Problem

CONCEPTS_FILE = "concepts.csv"
RULES_FILE = "concept_rules.csv"
DOMAIN_TERMS_FILE = "domain_terms.txt"
STOPWORDS_FILE = "stopwords_domain.txt"
GLOSSARY_FILE = "glossary.csv"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_REQUIRED = ["concept_id", "label", "parent", "zh_forms", "en_patterns"]


def longest_first_pattern(words) -> re.Pattern[str] | None:
    """One alternation of ``words``, longest first (ties in code-point order), or None.

    Python's alternation takes its first alternative that matches, so at each
    position the longest word wins: leftmost-longest matching, as the counts and
    the segmenter's protection both need.
    """
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


def lexicon_dir(data_dir: Path | None) -> Path:
    """``<data_dir>/lexicon`` if it has a concepts file, else the repository's ``data/lexicon``."""
    if data_dir is not None and (Path(data_dir) / "lexicon" / CONCEPTS_FILE).is_file():
        return Path(data_dir) / "lexicon"
    return REPO_ROOT / "data" / "lexicon"


@dataclass(frozen=True)
class Concept:
    concept_id: str
    label: str
    parent: str
    category: str
    zh_forms: tuple[str, ...]
    en_patterns: tuple[str, ...]
    row: int


def _word_list(path: Path) -> list[str]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split(";") if p.strip())


def read_concepts(path: Path) -> list[Concept]:
    """Parse and validate ``concepts.csv``.

    Raises
    ------
    CorpusError
        Listing every bad row (duplicate id, unknown parent, no forms, a pattern that
        is not a valid regular expression, a form claimed by two concepts).
    """
    name = path.name
    if not path.is_file():
        raise CorpusError(
            Problem(
                str(path),
                "",
                "concept lexicon not found",
                f"create {name} with columns {', '.join(_REQUIRED)}",
            )
        )
    reader = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise CorpusError(
            Problem(
                name,
                "row 1",
                f"missing column(s): {', '.join(missing)}",
                f"the header must name {', '.join(_REQUIRED)}",
            )
        )
    problems: list[Problem] = []
    concepts: list[Concept] = []
    owner: dict[str, str] = {}
    for row_no, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        cid = row["concept_id"]
        where = f"row {row_no}"
        if not cid:
            continue
        if any(c.concept_id == cid for c in concepts):
            problems.append(
                Problem(name, where, f"duplicate concept_id {cid!r}", "give each concept one row")
            )
            continue
        zh, en = _split(row["zh_forms"]), _split(row["en_patterns"])
        if not zh and not en:
            problems.append(
                Problem(
                    name, where, f"concept {cid!r} has no forms", "fill zh_forms and/or en_patterns"
                )
            )
        for pattern in en:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(
                    Problem(
                        name,
                        where,
                        f"bad English pattern {pattern!r}: {exc}",
                        "fix the regular expression (escape ( ) . with \\)",
                    )
                )
        for form in zh:
            if form in owner:
                problems.append(
                    Problem(
                        name,
                        where,
                        f"form {form!r} also belongs to {owner[form]!r}",
                        "a form may belong to one concept",
                    )
                )
            owner[form] = cid
        concepts.append(
            Concept(
                cid, row["label"] or cid, row["parent"], row.get("category", ""), zh, en, row_no
            )
        )
    ids = {c.concept_id for c in concepts}
    for c in concepts:
        if c.parent and c.parent not in ids:
            problems.append(
                Problem(
                    name,
                    f"row {c.row}",
                    f"unknown parent {c.parent!r}",
                    "name an existing concept_id or leave parent blank",
                )
            )
    if problems:
        raise CorpusError(problems)
    return concepts


RULE_KINDS = ("near", "construction", "exclude", "audit")
RULE_COLUMNS = ["concept_id", "rule", "words", "near", "window", "example", "notes"]
SENTENCE_END = "。！？；!?;"
_HAN_GAP = "[\u3400-\u4dbf\u4e00-\u9fff]"  # a gap of Han characters: no punctuation
AUDIT_WINDOW = 20


@dataclass(frozen=True)
class Rule:
    """One row of ``concept_rules.csv``.

    ``kind`` is one of:

    - ``near``: one of ``words`` within ``window`` Han characters of one of ``near``,
      in either order, with nothing but Han characters between (no punctuation, so
      never across a clause). 明确网络空间的主权: 主权 within 1 of 网络空间.
    - ``construction``: ``words`` is one regular expression, for a fixed
      construction (国家主权原则应适用于网络空间).
    - ``exclude``: ``words`` are names (a law, an institution) that hold a form of
      the concept but are not the concept: 数据安全法 is not 数据安全. Where one
      matches, no form of the concept inside it counts. ``near`` may list what,
      right after the name, undoes the exclusion (个人信息保护法律 is about the
      concept, 个人信息保护法 is a law's name: ``near`` = 律).
    - ``audit``: not counted; ``lexicon audit`` lists sentences where one of ``words``
      stands within ``window`` characters (default 20) of one of ``near`` and no
      form or rule of the concept matched, so the lexicon grows on evidence.
    """

    concept_id: str
    kind: str
    words: tuple[str, ...]
    near: tuple[str, ...]
    window: int
    example: str
    row: int

    @property
    def name(self) -> str:
        """How tables and KWIC name the rule: ``near (concept_rules.csv row 3)``."""
        return f"{self.kind} ({RULES_FILE} row {self.row})"

    @cached_property
    def regex(self) -> re.Pattern[str]:
        if self.kind == "construction":
            return re.compile(self.words[0])
        if self.kind == "exclude":
            undo = f"(?!{_alternation(self.near)})" if self.near else ""
            return re.compile(_alternation(self.words) + undo)
        gap = _HAN_GAP if self.kind == "near" else f"[^{SENTENCE_END}\n]"
        a = _alternation(self.words)
        b = _alternation(self.near)
        lazy = f"{gap}{{0,{self.window}}}?"
        return re.compile(f"{a}{lazy}{b}|{b}{lazy}{a}")


def _alternation(words) -> str:
    return "(?:" + "|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w)))) + ")"


def _rule_problem(row_no: int, what: str, fix: str) -> Problem:
    return Problem(RULES_FILE, f"row {row_no}", what, fix)


def _parse_rule(row: dict, row_no: int, forms_of: dict) -> tuple[Rule | None, list[Problem]]:
    cid, kind = row["concept_id"], row["rule"]
    if cid not in forms_of:
        return None, [
            _rule_problem(row_no, f"unknown concept {cid!r}", "use a concept_id of concepts.csv")
        ]
    if kind not in RULE_KINDS:
        return None, [
            _rule_problem(row_no, f"unknown rule {kind!r}", f"write one of {', '.join(RULE_KINDS)}")
        ]
    words = (row["words"],) if kind == "construction" else _split(row["words"])
    near = _split(row["near"])
    if not words or (kind in ("near", "audit") and not near):
        need = "words and near" if kind in ("near", "audit") else "words"
        return None, [_rule_problem(row_no, f"a {kind} rule without {need}", f"fill {need}")]
    window_cell = row["window"] or (str(AUDIT_WINDOW) if kind == "audit" else "")
    if kind in ("near", "audit") and not (window_cell.isdigit() and 0 < int(window_cell) <= 200):
        return None, [
            _rule_problem(
                row_no, f"window {row['window']!r} is not a number of characters", "write 1 to 200"
            )
        ]
    rule = Rule(cid, kind, words, near, int(window_cell or 0), row["example"], row_no)
    try:
        _ = rule.regex  # compiled here, so a bad expression is reported with its row
    except re.error as exc:
        return None, [
            _rule_problem(
                row_no,
                f"bad regular expression {words[0]!r}: {exc}",
                "fix it (escape ( ) . with \\)",
            )
        ]
    return rule, _check_rule(rule, forms_of[cid])


def _check_rule(rule: Rule, forms: tuple[str, ...]) -> list[Problem]:
    """A rule must match its own example; an exclusion must hold a form of its concept."""
    problems = []
    if rule.kind == "exclude":
        pointless = [w for w in rule.words if not any(f in w and f != w for f in forms)]
        if pointless:
            problems.append(
                _rule_problem(
                    rule.row,
                    f"excluded {'、'.join(pointless)} holds no form of {rule.concept_id!r}",
                    "an exclusion names a longer wording that holds one of the concept's forms",
                )
            )
    if not rule.example:
        problems.append(
            _rule_problem(
                rule.row, "no example", "give a phrase from a real text that the rule matches"
            )
        )
    elif not rule.regex.search(rule.example):
        problems.append(
            _rule_problem(
                rule.row,
                f"the rule does not match its own example {rule.example!r}",
                "fix the rule or the example",
            )
        )
    return problems


def read_rules(path: Path, concepts) -> list[Rule]:
    """Parse and validate ``concept_rules.csv`` (absent: no rules).

    Raises
    ------
    CorpusError
        Listing every bad row: unknown concept or rule kind, missing words, a bad
        window or regular expression, a rule that does not match its own example,
        an exclusion that holds none of its concept's forms.
    """
    if not path.is_file():
        return []
    reader = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
    missing = [c for c in RULE_COLUMNS[:5] if c not in (reader.fieldnames or [])]
    if missing:
        raise CorpusError(
            Problem(
                RULES_FILE,
                "row 1",
                f"missing column(s): {', '.join(missing)}",
                f"the header must name {', '.join(RULE_COLUMNS)}",
            )
        )
    forms_of = {c.concept_id: c.zh_forms for c in concepts}
    rules, problems = [], []
    for row_no, row in enumerate(reader, start=2):
        row = {k: (row.get(k) or "").strip() for k in RULE_COLUMNS}
        if not row["concept_id"] or row["concept_id"].startswith("#"):
            continue
        rule, found = _parse_rule(row, row_no, forms_of)
        problems += found
        if rule is not None:
            rules.append(rule)
    if problems:
        raise CorpusError(problems)
    return rules


@dataclass(frozen=True)
class Lexicon:
    """Concepts, extra segmenter words and stopwords, with a fingerprint of their files."""

    concepts: tuple[Concept, ...]
    domain_terms: tuple[str, ...]
    domain_stopwords: tuple[str, ...]
    source_dir: Path
    rules: tuple[Rule, ...] = ()

    @cached_property
    def zh_forms(self) -> tuple[str, ...]:
        """Every Chinese form, longest first (the order for longest-match counting)."""
        forms = {f for c in self.concepts for f in c.zh_forms}
        return tuple(sorted(forms, key=lambda f: (-len(f), f)))

    @cached_property
    def form_to_concept(self) -> dict[str, str]:
        return {f: c.concept_id for c in self.concepts for f in c.zh_forms}

    def rules_of(self, concept_id: str, *kinds: str) -> tuple[Rule, ...]:
        """The rules of one concept, of the given kinds (all kinds when none is given)."""
        return tuple(
            r for r in self.rules if r.concept_id == concept_id and (not kinds or r.kind in kinds)
        )

    @cached_property
    def zh_stopwords(self) -> frozenset[str]:
        import stopwordsiso

        return frozenset(stopwordsiso.stopwords("zh")) | frozenset(self.domain_stopwords)

    @cached_property
    def en_stopwords(self) -> frozenset[str]:
        return english_stop_words() | frozenset(w.lower() for w in self.domain_stopwords)

    def forms_of(self, concept_id: str, *, with_children: bool = True) -> tuple[str, ...]:
        """The Chinese forms of a concept and, for an umbrella, of its descendants."""
        ids = {concept_id}
        while with_children:
            more = {c.concept_id for c in self.concepts if c.parent in ids} - ids
            if not more:
                break
            ids |= more
        if not any(c.concept_id == concept_id for c in self.concepts):
            raise KeyError(f"unknown concept {concept_id!r}")
        return tuple(f for f in self.zh_forms if self.form_to_concept[f] in ids)

    def fingerprint(self) -> str:
        """Hash of the lexicon files' bytes: any edit changes it."""
        h = hashlib.sha256()
        for name in (CONCEPTS_FILE, RULES_FILE, DOMAIN_TERMS_FILE, STOPWORDS_FILE):
            path = self.source_dir / name
            h.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
        return h.hexdigest()


def english_label(label: str) -> str:
    """The English part of a concept label (``"cyber sovereignty 网络主权"`` → ``"cyber
    sovereignty"``)."""
    return re.sub(r"\s+", " ", _HAN.sub("", label)).strip()


def load_glossary(data_dir: Path | str | None = None) -> dict[str, str]:
    """English glosses of Chinese words for figure labels: every concept form → its
    concept's English label, then ``glossary.csv`` (columns ``term``, ``gloss``) of the
    lexicon folder, which wins. A malformed row is an error naming the row."""
    folder = lexicon_dir(Path(data_dir) if data_dir else None)
    glossary = {}
    for concept in read_concepts(folder / CONCEPTS_FILE):
        for form in concept.zh_forms:
            glossary.setdefault(form, english_label(concept.label))
    path = folder / GLOSSARY_FILE
    if not path.is_file():  # a data folder's lexicon without one: the repository's
        path = REPO_ROOT / "data" / "lexicon" / GLOSSARY_FILE
    if not path.is_file():
        return glossary
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"term", "gloss"} <= set(reader.fieldnames or ()):
            raise CorpusError(
                Problem(
                    str(path),
                    "line 1",
                    "the header must name the columns term,gloss",
                    "write 'term,gloss' as the first line",
                )
            )
        for row_no, row in enumerate(reader, start=2):
            term, english = (row.get("term") or "").strip(), (row.get("gloss") or "").strip()
            if not term or not english:
                raise CorpusError(
                    Problem(
                        str(path),
                        f"line {row_no}",
                        "a row needs both a term and a gloss",
                        "fill in both cells or delete the row",
                    )
                )
            glossary[term] = english
    return glossary


def load_lexicon(data_dir: Path | str | None = None) -> Lexicon:
    """Read the lexicon that belongs to ``data_dir`` (see :func:`lexicon_dir`)."""
    folder = lexicon_dir(Path(data_dir) if data_dir else None)
    concepts = tuple(read_concepts(folder / CONCEPTS_FILE))
    return Lexicon(
        concepts,
        tuple(_word_list(folder / DOMAIN_TERMS_FILE)),
        tuple(_word_list(folder / STOPWORDS_FILE)),
        folder,
        tuple(read_rules(folder / RULES_FILE, concepts)),
    )


def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (the Glasgow Information Retrieval Group's list).

    Read from the one file of scikit-learn that holds them, without importing
    scikit-learn: its import takes about a second, which every build worker that
    meets English text would pay.
    """
    import importlib.util

    spec = importlib.util.find_spec("sklearn")  # finds the package, runs none of it
    words = Path(spec.origin).parent / "feature_extraction" / "_stop_words.py"
    if words.is_file():
        module_spec = importlib.util.spec_from_file_location("_english_stop_words", words)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return frozenset(module.ENGLISH_STOP_WORDS)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # moved in a new release

    return frozenset(ENGLISH_STOP_WORDS)
