"""The concept lexicon and word lists a researcher edits.

Files in ``<data_dir>/lexicon/`` (falling back to this repository's
``data/lexicon/`` when a data folder has none):

- ``concepts.csv``: ``concept_id, label, parent, category, zh_forms, en_patterns, notes``;
  several forms or patterns in one cell are separated by ``;`` (``|`` belongs to the
  regular expressions). English patterns are
  case-insensitive regular expressions matched on word boundaries. A concept with a
  ``parent`` is counted under the parent too (命运共同体 is the umbrella over
  网络空间命运共同体 and 人类命运共同体).
- ``domain_terms.txt``: extra words for the segmenter, one per line.
- ``stopwords_domain.txt``: project stopwords added to the maintained lists.
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
DOMAIN_TERMS_FILE = "domain_terms.txt"
STOPWORDS_FILE = "stopwords_domain.txt"
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


@dataclass(frozen=True)
class Lexicon:
    """Concepts, extra segmenter words and stopwords, with a fingerprint of their files."""

    concepts: tuple[Concept, ...]
    domain_terms: tuple[str, ...]
    domain_stopwords: tuple[str, ...]
    source_dir: Path

    @cached_property
    def zh_forms(self) -> tuple[str, ...]:
        """Every Chinese form, longest first (the order for longest-match counting)."""
        forms = {f for c in self.concepts for f in c.zh_forms}
        return tuple(sorted(forms, key=lambda f: (-len(f), f)))

    @cached_property
    def form_to_concept(self) -> dict[str, str]:
        return {f: c.concept_id for c in self.concepts for f in c.zh_forms}

    @cached_property
    def zh_stopwords(self) -> frozenset[str]:
        import stopwordsiso

        return frozenset(stopwordsiso.stopwords("zh")) | frozenset(self.domain_stopwords)

    @cached_property
    def en_stopwords(self) -> frozenset[str]:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS) | frozenset(w.lower() for w in self.domain_stopwords)

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
        for name in (CONCEPTS_FILE, DOMAIN_TERMS_FILE, STOPWORDS_FILE):
            path = self.source_dir / name
            h.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
        return h.hexdigest()


def load_lexicon(data_dir: Path | str | None = None) -> Lexicon:
    """Read the lexicon that belongs to ``data_dir`` (see :func:`lexicon_dir`)."""
    folder = lexicon_dir(Path(data_dir) if data_dir else None)
    return Lexicon(
        tuple(read_concepts(folder / CONCEPTS_FILE)),
        tuple(_word_list(folder / DOMAIN_TERMS_FILE)),
        tuple(_word_list(folder / STOPWORDS_FILE)),
        folder,
    )
