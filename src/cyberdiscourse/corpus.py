"""Build the corpus: raw captures + curated metadata -> works, documents,
paragraphs, aligned pairs, duplicates and the discard ledger.

The steps live in their own modules: reading and main-text decisions in
:mod:`.ingest`, line rules in :mod:`.cleaning`, partition planning in
:mod:`.partitions`, translation pairs in :mod:`.alignment`, copies merged in
:mod:`.dedupe`, the tables' columns in :mod:`.schemas`, writing and reading
them in :mod:`.storage`. This module runs them, partition by partition.

Every raw line ends up either contributing text to a paragraph or in
``discarded`` with a reason (the ledger invariant). Nothing here writes into
``data/raw/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import pandas as pd

from . import cleaning
from .alignment import align_pairs
from .config import raw_dir_of
from .dedupe import FoundDuplicates, Fragment, Signatures, find_duplicates, merge_copies
from .errors import CorpusError, Problem
from .ingest.formats import SUPPORTED, Page, page_inferred, suffix_of
from .ingest.infer import HEADER_KINDS, with_file_name
from .language import split_languages
from .metadata import (
    Capture,
    Work,
    check_spans,
    collection_of,
    raw_files,
    read_captures,
    read_works,
)
from .normalise import count_cjk, normalise_line, variant_differences
from .partitions import Partition, plan_partitions
from .readers import OWN_LINE_KINDS, RawText, read_raw
from .schemas import (
    DISCARD_COLUMNS,
    DOCUMENT_COLUMNS,
    DUPLICATE_COLUMNS,
    MANIFEST,
    PAIR_COLUMNS,
    PARAGRAPH_COLUMNS,
    PARAGRAPHS_DIR,
    TABLES,
    WORK_COLUMNS,
    Corpus,
    frame,
)
from .staging import STAGING_DIR, finish_interrupted
from .storage import (
    EXTRACTED_DIR,
    _finish,
    _outputs_present,
    _staging_dir,
    _swap_dir,
    _texts,
    extracted_name,
    load_processed,
    prune_extracted,
    read_manifest,
    read_paragraphs,
    summarise,
    write_extracted,
    write_processed,
)
from .versions import add_version_families

__all__ = [  # the corpus API, whichever module holds each piece
    "TABLES",
    "MANIFEST",
    "BuildResult",
    "Corpus",
    "Partition",
    "PartResult",
    "PartTask",
    "build",
    "build_corpus",
    "build_partition",
    "check",
    "input_fingerprint",
    "load_processed",
    "missing_raw_problem",
    "page_of",
    "plan_partitions",
    "protected_forms",
    "read_manifest",
    "read_paragraphs",
    "split_paragraphs",
    "summarise",
    "write_processed",
]

LONG_LINE = 1200  # a line this long holds several paragraphs (a whole page on one line)
_PARA_BREAK = re.compile(
    r"(?<=[。;!?:])(?=(?:[一二三四五六七八九十]{1,3}、|\d{1,2}\.(?!\d)|\([一二三四五六七八九十]{1,3}\)))"
)
CHUNK = 600
_SENTENCE_END = re.compile(r"(?<=[。!?;])")


def split_paragraphs(text: str) -> list[str]:
    """Split a very long line (a whole page on one line) into paragraphs.

    First before its numbered items (一、 1. (一)); a part still longer than
    ``LONG_LINE`` is then cut at sentence ends into pieces of about ``CHUNK``
    characters, so that paragraphs stay usable as units of resampling.
    """
    if len(text) < LONG_LINE:
        return [text]
    out = []
    for part in (p.strip() for p in _PARA_BREAK.split(text)):
        if len(part) < LONG_LINE:
            out.extend([part] if part else [])
            continue
        chunk = ""
        for sentence in _SENTENCE_END.split(part):
            if chunk and len(chunk) + len(sentence) > CHUNK:
                out.append(chunk)
                chunk = ""
            chunk += sentence
        if chunk.strip():
            out.append(chunk.strip())
    return out


# ---------------------------------------------------------------- reading


def _load_metadata(data_dir: Path) -> tuple[dict[str, Work], list[Capture], list[Problem]]:
    """works.csv and captures.csv, checked against each other and the folder listing.

    Raw files are not read here: each partition reads its own.
    """
    raw_dir = require_raw(Path(data_dir))
    problems: list[Problem] = []
    rejected: set[str] = set()
    works = read_works(raw_dir, problems, rejected=rejected)
    # A works.csv row with an error may be the row a capture names: say it once.
    captures = read_captures(raw_dir, None if problems else works, problems, rejected=rejected)
    if works is None or captures is None or problems:
        # Warnings derived from broken metadata would be false: report the errors alone.
        return works or {}, captures or [], problems
    listed = {c.source_file for c in captures}
    for name, path in raw_files(raw_dir):
        if suffix_of(path.name) in SUPPORTED and name not in listed:
            problems.append(
                Problem(
                    name,
                    "",
                    "not listed in captures.csv, so not used",
                    "add a row to captures.csv (or use 'cyberdiscourse add')",
                    severity="warning",
                )
            )
    with_capture = {c.work_id for c in captures}
    for work in works.values():
        if work.work_id not in with_capture:
            problems.append(
                Problem(
                    "works.csv",
                    f"row {work.row}",
                    f"work {work.work_id!r} has no capture",
                    "add its file to captures.csv",
                    severity="warning",
                )
            )
    return works, captures, problems


def require_raw(data_dir: Path) -> Path:
    """``data_dir``'s raw folder; an error naming the likely mix-up when there is none."""
    raw_dir = raw_dir_of(data_dir)
    if not raw_dir.is_dir():
        raise CorpusError(missing_raw_problem(data_dir))
    return raw_dir


def missing_raw_problem(data_dir: Path) -> Problem:
    """The message for a data folder without ``raw/``, naming the likely mix-up."""
    if (data_dir / "works.csv").is_file() or (data_dir / "captures.csv").is_file():
        hint = f"{data_dir.name}/ looks like the raw folder itself: pass its parent as --data-dir"
    elif not data_dir.exists():
        hint = "the folder does not exist: check --data-dir or $CYBERDISCOURSE_DATA_DIR"
    else:
        hint = "pass --data-dir pointing at a folder that holds raw/ (with works.csv, captures.csv)"
    return Problem(str(data_dir), "", "no raw/ folder here", hint)


def _read_raws(
    raw_dir: Path, captures: list[Capture] | tuple[Capture, ...], problems: list[Problem]
) -> dict[str, RawText]:
    """Read the files of these captures and check their spans against the line counts.

    A file that is there but cannot be read (a format's reader fails, a limit is
    passed) is left out with a warning, so the other captures still build; a file
    that is not there is an error (captures.csv and raw/ disagree).
    """
    raws: dict[str, RawText] = {}
    cache = Path(raw_dir).parent / "processed" / EXTRACT_CACHE
    for name in sorted({c.source_file for c in captures}):
        try:
            raws[name] = read_raw(raw_dir / name, display_name=name, cache_dir=cache)
        except CorpusError as exc:
            present = (Path(raw_dir) / name).is_file()
            problems.extend(_left_out(p) if present else p for p in exc.problems)
    check_spans(
        [c for c in captures if c.source_file in raws],
        {n: len(r.lines) for n, r in raws.items()},
        problems,
    )
    return raws


def _left_out(problem: Problem) -> Problem:
    """A capture's reading error as the warning that it is left out of the build."""
    return replace(
        problem,
        message=f"{problem.message}; left out of the build (its work has no text from it)",
        severity="warning",
    )


def check(data_dir: Path) -> list[Problem]:
    """Validate raw files and metadata without building; returns every problem found.

    Values the build would infer because ``works.csv`` leaves them blank (title,
    date, issuer) are listed too, with their evidence (severity ``inferred``):
    confirmed once written into ``works.csv``.
    """
    data_dir = Path(data_dir)
    recovered = finish_interrupted(data_dir)
    works, captures, problems = _load_metadata(data_dir)
    if recovered:
        problems.insert(0, Problem(STAGING_DIR, "", recovered, "nothing to do", severity="warning"))
    for part in plan_partitions(works, captures, raw_dir_of(data_dir)):
        raws = _read_raws(raw_dir_of(data_dir), part.captures, problems)  # one partition
        for cap in part.captures:
            if cap.source_file in raws:
                problems.extend(_unconfirmed(works[cap.work_id], cap, raws[cap.source_file]))
    return problems


_INFERRED_FIELDS = (
    ("title", "title_evidence", "has_title"),
    ("date", "date_evidence", "date"),
    ("source", "source_evidence", "issuer"),
)


def _unconfirmed(work: Work, cap: Capture, raw: RawText) -> list[Problem]:
    if work.has_title and work.date and work.issuer:
        return []
    found = _whole_page(cap, page_of(raw, cap), raw)
    out = []
    if not work.date and not found.get("date") and raw.kind != "text":
        out.append(
            Problem(
                "works.csv",
                f"row {work.row}",
                f"{work.work_id}: no date in works.csv nor in {cap.source_file}",
                "write its date into works.csv; until then analyses over time leave it out",
                severity="warning",
                fields=(("work_id", work.work_id), ("field", "date"), ("value", "")),
            )
        )
    for field_name, evidence, curated in _INFERRED_FIELDS:
        if getattr(work, curated) or not found.get(field_name):
            continue
        if field_name == "date" and raw.kind == "text":
            continue  # plain text takes its date from the line rules (works.date_source)
        kind = f" ({found['date_kind']})" if field_name == "date" else ""
        out.append(
            Problem(
                "works.csv",
                f"row {work.row}",
                f"{work.work_id}: {field_name} {found[field_name]!r}{kind} inferred from "
                f"{cap.source_file}: {found.get(evidence, '')[:80]}",
                "not yet confirmed: write it (or the right value) into works.csv",
                severity="inferred",
                fields=(
                    ("work_id", work.work_id),
                    ("row", str(work.row)),
                    ("field", field_name),
                    ("value", str(found[field_name])),
                    ("kind", found.get("date_kind", "") if field_name == "date" else ""),
                    ("source_file", cap.source_file),
                    ("evidence", found.get(evidence, "")),
                ),
            )
        )
    return out


# ---------------------------------------------------------------- cleaning


@dataclass
class _Span:
    capture: Capture
    work: Work
    verdicts: list[cleaning.LineVerdict]
    fragments: list[Fragment]
    page: Page | None  # the page of the file this span is (URL, inferred values)
    raw: RawText


def _span_lines(cap: Capture, lines: list[str]) -> list[tuple[int, str]]:
    start, end = cap.line_start or 1, cap.line_end or len(lines)
    return [(no, lines[no - 1]) for no in range(start, end + 1)]


def _fragments(cap: Capture, verdicts: list[cleaning.LineVerdict]) -> list[Fragment]:
    doc_id = cap.doc_id
    return [
        Fragment(doc_id, x.line_no, lang, text, heading, cap.source_file)
        for x in verdicts
        if x.reason is None
        for lang, text, heading in _pieces(x.text)
    ]


@lru_cache(maxsize=1 << 16)  # a crawl carries one article's paragraphs on many pages
def _pieces(line: str) -> tuple[tuple[str, str, bool], ...]:
    """A kept line's paragraphs: (language, text, whether a heading) each."""
    return tuple(
        (part.lang, text, cleaning.is_heading(text))
        for part in split_languages(line)
        for text in split_paragraphs(part.text)
    )


def _clean_file(
    raw: RawText,
    caps: list[Capture],
    works: dict[str, Work],
    ledger: list[tuple],
    protected: re.Pattern[str] | None = None,
) -> list[_Span]:
    norm = [normalise_line(line) for line in raw.lines]
    watermarks = cleaning.find_watermarks(norm)
    claimed: set[int] = set()
    spans = []
    for cap in sorted(caps, key=lambda c: c.line_start or 1):
        work = works[cap.work_id]
        lines = _span_lines(cap, norm)
        claimed.update(no for no, _ in lines)
        page = page_of(raw, cap)
        inferred_title = (
            "" if work.has_title or page is None else page_inferred(raw, page).get("title", "")
        )
        verdicts = cleaning.classify_lines(
            lines,
            titles=[work.title_zh, work.title_en] if work.has_title else [inferred_title],
            watermarks=watermarks,
            protected=protected,
            given=[_given(raw, no) for no, _ in lines] if raw.given else None,
            extracted=raw.kind in EXTRACTED_KINDS,
        )
        if not work.include:
            for x in verdicts:
                ledger.append(_discard(raw, cap, x.line_no, "excluded_work", work.exclude_reason))
            spans.append(_Span(cap, work, verdicts, [], page, raw))
            continue
        spans.append(_Span(cap, work, verdicts, _fragments(cap, verdicts), page, raw))
    for no, text in enumerate(norm, start=1):
        if no not in claimed:
            reason = _given(raw, no)[0] or cleaning.line_rule(text, watermarks) or "unassigned"
            ledger.append(_discard(raw, None, no, reason, "outside every span in captures.csv"))
    return spans


def page_of(raw: RawText, cap: Capture) -> Page | None:
    """The page of a file that a capture's span starts in."""
    start = cap.line_start or 1
    for page in raw.pages or []:
        if page.line_start <= start <= page.line_end:
            return page
    return (raw.pages or [None])[0]


EXTRACTED_KINDS = {"html", "mhtml", "warc"}  # main text chosen by the extractors
EXTRACT_CACHE = "extract-cache"  # visible lines of web pages, by file content


def _given(raw: RawText, line_no: int) -> tuple[str | None, str]:
    """The reason the file's format gave a line, and its evidence."""
    if not raw.given:
        return None, ""
    return raw.given[line_no - 1], raw.evidence[line_no - 1]


def _discard(
    raw: RawText,
    cap: Capture | None,
    line_no: int,
    reason: str,
    detail: str = "",
    partial: bool = False,
    text: str | None = None,
) -> tuple:
    """One ledger row, its values in the order of ``DISCARD_COLUMNS`` (a tuple: a crawl
    discards hundreds of thousands of lines)."""
    original = raw.lines[line_no - 1] if text is None else text
    return (
        raw.name,
        line_no,
        cap.doc_id if cap else "",
        cap.work_id if cap else "",
        reason,
        cleaning.rule_kind(reason),
        detail,
        partial,
        original[:300],
    )


# ---------------------------------------------------------------- works


def _copy_order(spans: list[_Span]) -> list[_Span]:
    """The copy with the most Chinese text first: it sets the order the others fill in."""

    def size(s: _Span) -> tuple[int, str]:
        return (-sum(count_cjk(f.text) for f in s.fragments), s.capture.doc_id)

    return sorted(spans, key=size)


def _number(work_id: str, merged: list[Fragment]) -> None:
    for i, frag in enumerate(merged, start=1):
        frag.para_id = f"{work_id}:{i:04d}"


def _resolve(frag: Fragment) -> Fragment:
    return frag.duplicate_of if frag.duplicate_of is not None else frag


# ---------------------------------------------------------------- dates


def _inferred(s: _Span) -> dict:
    if s.work.has_title and s.work.date and s.work.issuer:
        return {}  # all curated: nothing to infer
    return _whole_page(s.capture, s.page, s.raw)


def _whole_page(cap: Capture, page: Page | None, raw: RawText) -> dict:
    """What a page says of itself, when the span is that whole page (a span cut from a
    longer file holds only part of the page the inference read)."""
    if page is None:
        return {}
    start, end = cap.line_start, cap.line_end
    whole = start is None or (start <= page.line_start and end >= page.line_end)
    return page_inferred(raw, page) if whole else {}


def _work_date(work: Work, spans: list[_Span]) -> dict:
    """The work's date: ``works.csv``, else what its copies say of themselves.

    A law's or regulation's header comes first in every format: the version it states
    (latest amendment or revision, else adoption or promulgation; see
    :func:`.ingest.infer.version_dates`), with ``first_date`` its original adoption.
    Then plain-text captures use the line rules (:func:`cleaning.date_evidence`);
    other formats, and text where those find nothing, the rest of the page inference
    (issuance, publication, repost, in that order). A day in the file's name ranks
    below all of these (:func:`.ingest.infer.with_file_name`).
    """
    text_date = text_precision = text_source = kind = first_date = ""
    inferred = [(s, _inferred(s)) for s in spans]
    header = [(s, f) for s, f in inferred if f.get("date_kind") in HEADER_KINDS]
    evidence = []
    for s in spans if not header else []:
        for rank, line_no, date, precision, raw in (
            cleaning.date_evidence(s.verdicts) if s.raw.kind == "text" else []
        ):
            evidence.append(
                (rank, s.capture.doc_id, line_no, date, precision, raw, s.capture.source_file)
            )
    evidence.sort(key=lambda e: (e[0], e[1], e[2]))
    if evidence:
        rank, _doc, line_no, text_date, text_precision, raw, source = evidence[0]
        text_source = f"{source}:{line_no} ({'issuing note' if rank == 1 else 'date line'}) {raw}"
        kind = "issuance" if rank == 1 else ""
    else:
        for s, found in header or inferred:
            if found.get("date"):
                text_date, text_precision = found["date"], found["date_precision"]
                kind, first_date = found.get("date_kind", ""), found.get("first_date", "")
                text_source = f"{s.capture.source_file} ({kind}) {found.get('date_evidence', '')}"
                break
    text = {
        "date": text_date,
        "date_precision": text_precision,
        "date_kind": kind,
        "date_evidence": text_source,
    }
    chosen = _file_name_date(spans, text)
    if work.date:
        date, precision, source = work.date, work.date_precision, "metadata"
    elif chosen["date"]:
        date, precision, kind = chosen["date"], chosen["date_precision"], chosen["date_kind"]
        source = ("" if kind == "file_name" else "text: ") + chosen["date_evidence"]
    else:
        date, precision, source, kind = "", "", "none", ""
    return {
        "date": date,
        "date_precision": precision,
        "date_kind": kind if not work.date else "",
        "first_date": first_date,
        "date_in_file_name": chosen.get("date_in_file_name", ""),
        "date_source": source,
        "date_in_text": text_date,
        "date_in_text_source": text_source,
    }


def _file_name_date(spans: list[_Span], found: dict) -> dict:
    """The text's date weighed against the first copy's file name that carries a day
    (see :func:`.ingest.infer.with_file_name`)."""
    for s in spans:
        named = with_file_name(found, s.capture.source_file, pages=len(s.raw.pages or [None]))
        if "date_in_file_name" in named:
            return named
    return found


def _empty_work(work: Work, spans: list[_Span]) -> Problem:
    """A loud warning: an included work whose every line was discarded."""
    from collections import Counter

    reasons = Counter(x.reason for s in spans for x in s.verdicts if x.reason)
    top = ", ".join(f"{r} {n}" for r, n in reasons.most_common(3))
    return Problem(
        "works.csv",
        f"row {work.row}",
        f"work {work.work_id!r} is included but kept no paragraph: every line was "
        f"discarded ({top})",
        "look at its rows in processed/discarded.parquet; fix its capture or its line span",
        severity="warning",
    )


def _date_disagreement(work: Work, row: dict) -> list[Problem]:
    """Warn when the curated date and the document's own date disagree."""
    meta, text = work.date, row["date_in_text"]
    if not meta or not text or meta.startswith(text) or text.startswith(meta):
        return []
    return [
        Problem(
            "works.csv",
            f"row {work.row}",
            f"date {meta} differs from the date in the text, {text} ({row['date_in_text_source']})",
            "check which is right; the date in works.csv is the one used",
            severity="warning",
        )
    ]


# ---------------------------------------------------------------- build


@dataclass
class PartResult:
    """What one partition gives: its tables, or (when written) the facts about its file."""

    number: int
    problems: list[Problem]
    work_rows: list[dict] = field(default_factory=list)
    documents: pd.DataFrame | None = None
    aligned_pairs: pd.DataFrame | None = None
    discarded: pd.DataFrame | None = None
    paragraphs: pd.DataFrame | None = None  # None once written to ``part_file``
    part_file: str = ""
    part_rows: int = 0
    part_sha256: str = ""
    paragraphs_by_lang: dict[str, int] = field(default_factory=dict)
    signatures: Signatures | None = None
    raw_lines: dict[str, int] = field(default_factory=dict)
    extracted: dict[str, list[str]] = field(default_factory=dict)
    extracted_files: list[str] = field(default_factory=list)  # written by the worker


@dataclass(frozen=True)
class PartTask:
    """One partition to build, picklable for worker processes and Dask."""

    raw_dir: Path
    partition: Partition
    out_dir: Path | None = None  # write paragraphs here instead of returning them
    extracted_dir: Path | None = None  # write the visible lines of pages here, likewise
    protected: tuple[str, ...] = ()  # lexicon forms: a short line holding one is text


def build_partition(task: PartTask) -> PartResult:
    """Read, normalise, clean, merge and align the works of one partition."""
    part = task.partition
    problems: list[Problem] = []
    raws = _read_raws(task.raw_dir, part.captures, problems)
    if any(p.severity == "error" for p in problems):
        return PartResult(part.number, problems)
    ledger: list[tuple] = []
    spans: list[_Span] = []
    captures_of: dict[str, list[Capture]] = {}
    for cap in part.captures:
        captures_of.setdefault(cap.source_file, []).append(cap)
    works = {w.work_id: w for w in part.works}
    protected = cleaning.protected_pattern(task.protected)
    for name in sorted(raws):
        spans.extend(_clean_file(raws[name], captures_of[name], works, ledger, protected))
    for s in spans:
        _ledger_verdicts(s, raws[s.capture.source_file], ledger)
    spans_of: dict[str, list[_Span]] = {}
    for s in spans:
        spans_of.setdefault(s.work.work_id, []).append(s)
    work_rows, para_rows, pair_rows, kept = [], [], [], []
    for work in part.works:
        wspans = spans_of.get(work.work_id, [])
        merged = merge_copies([s.fragments for s in _copy_order(wspans)]) if work.include else []
        _number(work.work_id, merged)
        kept.extend((work.work_id, f.para_id, f.key) for f in merged)
        copies = _copies_per_paragraph(wspans)
        para_rows.extend(
            _paragraph_row(work.work_id, i, f, copies[id(f)]) for i, f in enumerate(merged, 1)
        )
        for s in wspans:
            _ledger_duplicates(s, raws, ledger)
            pair_rows.extend(_pair_rows(work.work_id, s))
        row = _work_row(work, wspans)
        row.update(_language_counts(merged))
        work_rows.append(row)
        problems.extend(_date_disagreement(work, row))
        if work.include and wspans and not merged:
            problems.append(_empty_work(work, wspans))
    paragraphs = frame(para_rows, PARAGRAPH_COLUMNS)
    discarded = frame(sorted(_mark_partial(ledger, paragraphs), key=_ledger_order), DISCARD_COLUMNS)
    extracted = {n: r.lines for n, r in raws.items() if r.kind not in OWN_LINE_KINDS}
    written = []
    if task.extracted_dir is not None:
        write_extracted(extracted, task.extracted_dir)
        written, extracted = [extracted_name(n) for n in extracted], {}
    read = [c for c in part.captures if c.source_file in raws]  # unreadable ones left out
    result = PartResult(
        part.number,
        problems,
        work_rows,
        _documents(read, raws, paragraphs, discarded),
        frame(pair_rows, PAIR_COLUMNS),
        discarded,
        paragraphs,
        paragraphs_by_lang=paragraphs["lang"].value_counts().to_dict(),
        signatures=Signatures.of_keys(kept),  # match keys the merge already computed
        raw_lines={n: len(r.lines) for n, r in raws.items()},
        extracted=extracted,
        extracted_files=written,
    )
    if task.out_dir is not None:
        _write_part(result, Path(task.out_dir) / f"{part.name}.parquet")
    return result


def _write_part(result: PartResult, path: Path) -> None:
    import hashlib

    from .io import write_parquet

    write_parquet(result.paragraphs, path)
    result.part_file = path.name
    result.part_rows = len(result.paragraphs)
    result.part_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    result.paragraphs = None  # the text stays on disk, not in the parent's memory


def _ledger_verdicts(s: _Span, raw: RawText, ledger: list[tuple]) -> None:
    for x in s.verdicts:
        if s.work.include and x.reason is not None:
            ledger.append(_discard(raw, s.capture, x.line_no, x.reason, x.detail))
        for reason, piece in x.removed if x.reason is None else []:
            ledger.append(
                _discard(
                    raw,
                    s.capture,
                    x.line_no,
                    reason,
                    "cut from the line",
                    partial=True,
                    text=piece,
                )
            )


def _work_row(work: Work, spans: list[_Span]) -> dict:
    found = next(filter(None, map(_inferred, spans)), {})
    title_zh, title_en, title_source = work.title_zh, work.title_en, "metadata"
    if not work.has_title:
        title = found.get("title", "") or work.work_id
        title_zh, title_en = (title, "") if count_cjk(title) else ("", title)
        title_source = found.get("title_evidence", "") or "none found: the work id stands in"
    issuer, issuer_source = work.issuer, "metadata" if work.issuer else ""
    if not issuer and found.get("source"):
        issuer, issuer_source = found["source"], found.get("source_evidence", "")
    return {
        "work_id": work.work_id,
        "title_zh": title_zh,
        "title_en": title_en,
        "title_source": title_source,
        **_work_date(work, spans),
        "issuer": issuer,
        "issuer_source": issuer_source,
        "url": next((s.page.url for s in spans if s.page is not None and s.page.url), ""),
        "genre": work.genre,
        "collection": collection_of(spans[0].capture.source_file) if spans else "",
        "include": work.include,
        "exclude_reason": work.exclude_reason,
        "n_copies": len(spans),
    }


def _run_partitions(
    data_dir: Path,
    out_dir: Path | None,
    *,
    engine: str,
    scheduler: str | None,
    n_jobs: int | None,
    progress: bool,
    follow_ups=None,
) -> tuple[list[Capture], list[PartResult], list[Problem]]:
    from .engine import map_partitions

    works, captures, problems = _load_metadata(data_dir)
    if any(p.severity == "error" for p in problems):
        raise CorpusError([p for p in problems if p.severity == "error"])
    raw_dir = raw_dir_of(data_dir)
    protected = protected_forms(data_dir)
    extracted_dir = out_dir.parent / EXTRACTED_DIR if out_dir is not None else None
    tasks = [
        PartTask(raw_dir, part, out_dir, extracted_dir, protected)
        for part in plan_partitions(works, captures, raw_dir)
    ]
    if follow_ups is not None and len(tasks) > 1:
        results = follow_ups.map(build_partition, tasks, progress=progress, desc="building")
    else:
        results = map_partitions(
            build_partition,
            tasks,
            engine=engine,
            scheduler=scheduler,
            n_jobs=n_jobs,
            progress=progress,
            desc="building",
        )
    for r in results:
        problems.extend(r.problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CorpusError(errors)
    return captures, results, problems


def build_corpus(
    data_dir: Path | str,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> Corpus:
    """Build every table from ``data_dir/raw``, in memory (see :func:`build` for large corpora).

    Raises
    ------
    CorpusError
        If the metadata or a raw file has errors; every problem is listed.
    """
    captures, results, problems = _run_partitions(
        Path(data_dir), None, engine=engine, scheduler=scheduler, n_jobs=n_jobs, progress=progress
    )
    paragraphs = pd.concat([r.paragraphs for r in results], ignore_index=True)
    text = dict(zip(paragraphs["para_id"], paragraphs["text"]))
    corpus = _combine(
        captures, results, problems, lambda sigs: lambda: find_duplicates(sigs, lambda ids: text)
    )
    corpus.paragraphs = paragraphs
    corpus.partition_rows = [len(r.paragraphs) for r in results]
    return corpus


def _combine(captures, results, problems, start_duplicates) -> Corpus:
    """The corpus-wide tables from the partitions' pieces (paragraphs left to the caller).

    ``start_duplicates(signatures)`` starts the search for duplicates across works and
    returns what gives its :class:`.dedupe.FoundDuplicates`, called once the other
    tables are made: in a worker, the search runs meanwhile.
    """
    duplicates_found = start_duplicates(Signatures.concat([r.signatures for r in results]))
    rows = [row for r in results for row in r.work_rows]
    works_df = frame(add_version_families(pd.DataFrame(rows)), WORK_COLUMNS)
    works_df = works_df.sort_values(
        ["include", "date", "work_id"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    pairs = pd.concat([r.aligned_pairs for r in results], ignore_index=True)
    pairs = pairs.drop_duplicates(["work_id", "zh_para_id", "en_para_id"])
    pairs = pairs.sort_values(["work_id", "zh_para_id", "en_para_id"]).reset_index(drop=True)
    discarded = _concat_ledgers([r.discarded for r in results])
    row_of = {c.doc_id: c.row for c in captures}
    documents = pd.concat([r.documents for r in results], ignore_index=True)
    documents = documents.iloc[documents["doc_id"].map(row_of).argsort(kind="stable")]
    duplicates = _duplicates_frame(duplicates_found())
    by_lang: dict[str, int] = {}
    for r in results:
        for lang, n in r.paragraphs_by_lang.items():
            by_lang[lang] = by_lang.get(lang, 0) + int(n)
    return Corpus(
        works_df,
        documents.reset_index(drop=True),
        frame([], PARAGRAPH_COLUMNS),
        pairs,
        discarded,
        duplicates,
        {n: c for r in results for n, c in r.raw_lines.items()},
        {n: lines for r in results for n, lines in r.extracted.items()},
        [p for p in problems if p.severity != "error"],
        paragraphs_by_lang=dict(sorted(by_lang.items())),
    )


LEDGER_ORDER = ["source_file", "line_no", "partial", "reason"]  # the ledger's row order
# The same order as a key of the rows (tuples in the order of DISCARD_COLUMNS).
_ledger_order = itemgetter(*(DISCARD_COLUMNS.index(c) for c in LEDGER_ORDER))
_FILE, _LINE, _REASON, _PARTIAL = (
    DISCARD_COLUMNS.index(c) for c in ("source_file", "line_no", "reason", "partial")
)


def _concat_ledgers(ledgers: list[pd.DataFrame]) -> pd.DataFrame:
    """The partitions' ledgers, each sorted already, as one ledger in file and line order.
    (A file's rows are then one run in one partition: the sort moves whole runs, which
    costs a fraction of what sorting scattered rows does.)"""
    return (
        pd.concat(ledgers, ignore_index=True)
        .sort_values(LEDGER_ORDER, kind="stable")
        .reset_index(drop=True)
    )


def _paragraph_row(work_id: str, position: int, f: Fragment, copies: int) -> dict:
    return {
        "work_id": work_id,
        "para_id": f.para_id,
        "position": position,
        "lang": f.lang,
        "text": f.text,
        "is_heading": f.is_heading,
        "doc_id": f.doc_id,
        "source_file": f.source_file,
        "line_no": f.line_no,
        "n_chars": len(f.text),
        "n_copies": copies,
    }


def _copies_per_paragraph(spans: list[_Span]) -> dict[int, int]:
    """How many captures carry each kept paragraph (its own and those of its duplicates)."""
    docs: dict[int, set[str]] = {}
    for s in spans:
        for f in s.fragments:
            kept = _resolve(f)
            docs.setdefault(id(kept), set()).add(f.doc_id)
    return {k: len(v) for k, v in docs.items()}


def _ledger_duplicates(s: _Span, raws: dict[str, RawText], ledger: list[tuple]) -> None:
    raw = raws[s.capture.source_file]
    for f in s.fragments:
        if f.duplicate_of is not None:
            ledger.append(
                _discard(
                    raw,
                    s.capture,
                    f.line_no,
                    "duplicate",
                    _duplicate_detail(f),
                    text=f.text,
                )
            )


def _duplicate_detail(f: Fragment) -> str:
    """``same as <para_id>``, naming the variant characters if the copies differ by them."""
    variants = variant_differences(f.text, f.duplicate_of.text)
    return f"same as {f.duplicate_of.para_id}" + (
        f" (variant characters {', '.join(variants)})" if variants else ""
    )


def _pair_rows(work_id: str, s: _Span) -> list[dict]:
    return [
        {
            "work_id": work_id,
            "zh_para_id": _resolve(zh).para_id,
            "en_para_id": _resolve(en).para_id,
            "method": method,
            "doc_id": s.capture.doc_id,
            "line_no": zh.line_no,
        }
        for zh, en, method in align_pairs(s.fragments)
    ]


def _language_counts(merged: list[Fragment]) -> dict:
    out = {}
    for lang in ("zh", "en"):
        frags = [f for f in merged if f.lang == lang]
        out[f"n_paragraphs_{lang}"] = len(frags)
        out[f"n_chars_{lang}"] = sum(len(f.text) for f in frags)
    return out


def _mark_partial(ledger: list[tuple], paragraphs: pd.DataFrame) -> list[tuple]:
    """A duplicate fragment of a line that also gave a paragraph is a partial discard."""
    contributed = set(zip(paragraphs["source_file"], paragraphs["line_no"]))
    # One full-discard row per line: a line whose fragments were all duplicates
    # may have several; keep the first and fold the others into it.
    seen: set[tuple[str, int]] = set()
    out = []
    for row in ledger:
        key = (row[_FILE], row[_LINE])
        if row[_REASON] == "duplicate":
            partial = key in contributed
            row = (*row[:_PARTIAL], partial, *row[_PARTIAL + 1 :])
        if not row[_PARTIAL]:
            if key in seen:
                continue
            seen.add(key)
        out.append(row)
    return out


def _documents(
    captures: list[Capture],
    raws: dict[str, RawText],
    paragraphs: pd.DataFrame,
    discarded: pd.DataFrame,
) -> pd.DataFrame:
    import hashlib

    discarded_per_doc = discarded.loc[~discarded["partial"], "doc_id"].value_counts()
    paragraphs_per_doc = paragraphs["doc_id"].value_counts()
    rows = []
    for cap in captures:
        raw = raws[cap.source_file]
        start, end = cap.line_start or 1, cap.line_end or len(raw.lines)
        span_text = "\n".join(raw.lines[start - 1 : end])
        n_disc = int(discarded_per_doc.get(cap.doc_id, 0))
        n_lines = end - start + 1
        page = page_of(raw, cap)
        rows.append(
            {
                "doc_id": cap.doc_id,
                "work_id": cap.work_id,
                "source_file": cap.source_file,
                "line_start": start,
                "line_end": end,
                "sha256": hashlib.sha256(span_text.encode("utf-8")).hexdigest(),
                "n_chars": len(span_text),
                "encoding": raw.encoding,
                "source_kind": raw.kind,
                "n_lines": n_lines,
                "n_lines_kept": n_lines - n_disc,
                "n_lines_discarded": n_disc,
                "n_paragraphs_new": int(paragraphs_per_doc.get(cap.doc_id, 0)),
                "url": page.url if page else "",
                "captured_at": page.captured_at if page else "",
                "hidden_chars": page.hidden_chars if page else 0,
                "extractors": page.extractors if page else "",
            }
        )
    return frame(rows, DOCUMENT_COLUMNS)


def _duplicates_frame(found: FoundDuplicates) -> pd.DataFrame:
    """The duplicates table, built by column: a crawl has hundreds of thousands of pairs
    among some ten thousand paragraphs, so each paragraph's id, work and text are made
    once and taken for every pair it is in."""
    import numpy as np
    import pyarrow as pa

    per_id = {
        "para_id": pa.array(found.ids, pa.string()),
        "work_id": pa.array([x.split(":")[0] for x in found.ids], pa.string()),
        "text": pa.array(found.texts, pa.string()),
    }

    def column(name: str, side) -> pd.Series:
        return pd.Series(per_id[name].take(pa.array(side, pa.int64())), dtype="str")

    columns = {
        "para_id_a": column("para_id", found.a),
        "work_id_a": column("work_id", found.a),
        "para_id_b": column("para_id", found.b),
        "work_id_b": column("work_id", found.b),
        "kind": pd.Series(found.kind, dtype="str"),
        "similarity": np.asarray(found.similarity, dtype=np.float64),
        "text_a": column("text", found.a),
        "text_b": column("text", found.b),
    }
    return frame(pd.DataFrame(columns), DUPLICATE_COLUMNS)


@dataclass(frozen=True)
class DuplicatesTask:
    """The search for duplicates across the works of a build, for a worker process."""

    signatures: Signatures
    paragraphs_dir: Path  # where the partitions' paragraphs are written


def find_duplicates_in(task: DuplicatesTask) -> FoundDuplicates:
    return find_duplicates(task.signatures, lambda ids: _texts(task.paragraphs_dir, ids))


BUILD_VERSION = "9"  # bump when the build's output changes for the same input


def protected_forms(data_dir: Path) -> tuple[str, ...]:
    """The lexicon's Chinese forms and domain terms: a short line holding one is text."""
    from .lexicon import load_lexicon

    lexicon = load_lexicon(data_dir)
    return tuple(sorted(set(lexicon.zh_forms) | {t for t in lexicon.domain_terms if count_cjk(t)}))


def input_fingerprint(data_dir: Path) -> str:
    """Hash of everything a build reads: metadata, the raw files, the folder listing, the code.

    Raw files are hashed by content, so touching a file without changing it does
    not force a rebuild, and replacing it with new text always does. The
    lexicon's forms count too (a short line holding one is kept as text), its
    stopwords and English patterns do not.
    """
    import hashlib

    from . import __version__

    raw_dir = raw_dir_of(data_dir)
    h = hashlib.sha256(f"{__version__}/{BUILD_VERSION}".encode())
    h.update("\n".join(protected_forms(data_dir)).encode() + b"\0")  # the line rules use them
    for name, path in raw_files(raw_dir):
        h.update(name.encode() + b"\0" + _file_digest(path) + b"\0")
    return h.hexdigest()


def _file_digest(path: Path) -> bytes:
    import hashlib

    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").digest()


@dataclass
class BuildResult:
    """What :func:`build` did: the summary, the warnings, and whether it was up to date."""

    processed_dir: Path
    summary: dict
    problems: list[str]
    up_to_date: bool
    n_partitions: int
    n_followed_up: int = 0  # partitions whose ``follow_up`` ran during the build


def build(
    data_dir: Path | str | None = None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    n_jobs: int | None = None,
    force: bool = False,
    progress: bool = False,
    announce=None,
    follow_up: tuple[Callable[[Any], Any], Callable[[Path, str], Any]] | None = None,
) -> BuildResult:
    """Build ``data_dir/processed`` from ``data_dir/raw``, one partition at a time.

    Nothing is done when the raw folder (metadata and file contents) and the code
    are unchanged since the last build. Otherwise partitions are built in
    parallel (``engine="local"``: a process pool; ``"dask"``: a Dask cluster at
    ``scheduler``, or a local one), each writing its paragraphs to
    ``processed/paragraphs/part-NNNNN.parquet``; only small per-partition facts
    come back, so memory stays flat as the corpus grows. Both engines write the
    same bytes.

    A lock on ``processed/`` makes a second build of the same folder wait for
    the first (``announce``, if given, is called with a message saying so);
    staging folders an interrupted build left behind are removed first.

    ``follow_up``, ``(func, item_of)``: a next step for each partition written (as
    :func:`.tokens.segmentation_follow_up` gives), run by the local engine's workers
    while this process combines the corpus-wide tables. ``item_of(part_file,
    sha256)`` is called here with each partition's file and digest and returns
    ``func``'s item, or None when there is nothing to do. The build returns once
    every follow-up has finished; with one partition, one job or Dask, none runs.

    Raises
    ------
    CorpusError
        If the metadata or a raw file has errors; nothing is written then.
    """
    from .config import processed_dir_of, resolve_data_dir
    from .engine import check_engine
    from .io import BuildLock, remove_leftovers

    parallel = {"engine": engine, "scheduler": scheduler, "n_jobs": n_jobs, "progress": progress}

    check_engine(engine)
    data_dir = resolve_data_dir(data_dir)
    recovered = finish_interrupted(data_dir, announce=announce)
    if recovered and announce:
        announce(recovered)
    require_raw(data_dir)
    processed = processed_dir_of(data_dir)
    with BuildLock(processed, announce=announce):
        remove_leftovers(processed)
        return _build_locked(data_dir, processed, force, parallel, follow_up)


def _build_locked(
    data_dir: Path, processed: Path, force: bool, parallel: dict, follow_up
) -> BuildResult:
    import json
    import shutil

    from .engine import gc_paused

    fingerprint = input_fingerprint(data_dir)
    manifest_file = processed / MANIFEST
    if not force and manifest_file.is_file():
        try:
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        except ValueError:  # damaged by hand or by a full disk: build again
            manifest = {}
        if manifest.get("inputs") == fingerprint and _outputs_present(processed, manifest):
            return BuildResult(
                processed,
                manifest["summary"],
                manifest["problems"],
                True,
                len(manifest["partitions"]),
            )
    processed.mkdir(parents=True, exist_ok=True)
    staging = _staging_dir(processed)
    try:
        with _follow_ups(follow_up, staging, parallel) as follow_ups:
            captures, results, problems = _run_partitions(
                data_dir, staging, **parallel, follow_ups=follow_ups
            )
            with gc_paused():  # hundreds of thousands of pairs and rows, none in a cycle
                corpus = _combine(
                    captures, results, problems, _duplicates_search(follow_ups, staging)
                )
            n_followed_up = len(follow_ups.wait()) if follow_ups is not None else 0
        manifest_file.unlink(missing_ok=True)  # until the new one is written, nothing is built
        _swap_dir(staging, processed / PARAGRAPHS_DIR)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    parts = [(r.part_file, r.part_rows, r.part_sha256) for r in results]
    prune_extracted(processed / EXTRACTED_DIR, {f for r in results for f in r.extracted_files})
    manifest, _ = _finish(corpus, processed, fingerprint, parts)
    return BuildResult(
        processed, manifest["summary"], manifest["problems"], False, len(parts), n_followed_up
    )


def _follow_ups(follow_up, staging: Path, parallel: dict):
    """The local engine's pool of the build, which also runs ``follow_up`` (see
    :func:`build`) and the search for duplicates; nothing to enter for Dask or one job."""
    from contextlib import nullcontext

    from .engine import FollowUps

    if parallel["engine"] != "local" or parallel["n_jobs"] == 1:
        return nullcontext()
    if follow_up is None:
        return FollowUps(n_jobs=parallel["n_jobs"])
    func, item_of = follow_up

    def follow(result: PartResult):
        return item_of(staging / result.part_file, result.part_sha256)

    return FollowUps(func, follow, n_jobs=parallel["n_jobs"])


def _duplicates_search(follow_ups, staging: Path):
    """How :func:`_combine` starts the search for duplicates: in the build's pool when its
    workers run (this process goes on with the other tables), else here when asked."""

    def start(signatures: Signatures):
        if follow_ups is not None and follow_ups.used:
            return follow_ups.submit(find_duplicates_in, DuplicatesTask(signatures, staging)).result
        return lambda: find_duplicates(signatures, lambda ids: _texts(staging, ids))

    return start
