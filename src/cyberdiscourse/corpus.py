"""Build the corpus: raw captures + curated metadata -> works, documents,
paragraphs, aligned pairs, duplicates and the discard ledger.

Every raw line ends up either contributing text to a paragraph or in
``discarded`` with a reason (the ledger invariant). Nothing here writes into
``data/raw/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import cleaning
from .config import raw_dir_of
from .dedupe import Fragment, merge_copies, near_duplicates
from .errors import CorpusError, Problem
from .language import split_languages
from .metadata import Capture, Work, check_spans, read_captures, read_works
from .normalise import count_cjk, normalise_line
from .readers import SUPPORTED_SUFFIXES, RawText, read_raw

LONG_LINE = 1200  # a line this long holds several paragraphs (a whole page on one line)
_PARA_BREAK = re.compile(
    r"(?<=[。;!?:])(?=(?:[一二三四五六七八九十]{1,3}、|\d{1,2}\.(?!\d)|\([一二三四五六七八九十]{1,3}\)))"
)
CHUNK = 600
_SENTENCE_END = re.compile(r"(?<=[。!?;])")
ALIGN_RATIO = (1.2, 6.0)  # English chars per Chinese char for an adjacent zh/en pair


@dataclass
class Corpus:
    """The tables of a built corpus (see DESIGN.md, "Data contract")."""

    works: pd.DataFrame
    documents: pd.DataFrame
    paragraphs: pd.DataFrame
    aligned_pairs: pd.DataFrame
    discarded: pd.DataFrame
    duplicates: pd.DataFrame
    raw_lines: dict[str, int]  # source_file -> number of lines
    extracted: dict[str, list[str]] = field(default_factory=dict)  # html/pdf text by file
    problems: list[Problem] = field(default_factory=list)  # warnings


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


def _load(
    data_dir: Path,
) -> tuple[dict[str, Work], list[Capture], dict[str, RawText], list[Problem]]:
    raw_dir = raw_dir_of(data_dir)
    if not raw_dir.is_dir():
        raise CorpusError(
            Problem(
                str(raw_dir),
                "",
                "no raw data folder here",
                "pass --data-dir pointing at a folder that holds raw/ "
                "(with works.csv and captures.csv)",
            )
        )
    problems: list[Problem] = []
    works = read_works(raw_dir, problems)
    captures = read_captures(raw_dir, works, problems)
    raws: dict[str, RawText] = {}
    for name in sorted({c.source_file for c in captures}):
        try:
            raws[name] = read_raw(raw_dir / name, display_name=name)
        except CorpusError as exc:
            problems.extend(exc.problems)
    check_spans(
        [c for c in captures if c.source_file in raws],
        {n: len(r.lines) for n, r in raws.items()},
        problems,
    )
    listed = {c.source_file for c in captures}
    for path in sorted(raw_dir.iterdir()):
        if path.suffix.lower() in SUPPORTED_SUFFIXES and path.name not in listed:
            problems.append(
                Problem(
                    path.name,
                    "",
                    "not listed in captures.csv, so not used",
                    "add a row to captures.csv (or use 'cyberdiscourse add')",
                    severity="warning",
                )
            )
    for work in works.values():
        if not any(c.work_id == work.work_id for c in captures):
            problems.append(
                Problem(
                    "works.csv",
                    f"row {work.row}",
                    f"work {work.work_id!r} has no capture",
                    "add its file to captures.csv",
                    severity="warning",
                )
            )
    return works, captures, raws, problems


def check(data_dir: Path) -> list[Problem]:
    """Validate raw files and metadata without building; returns every problem found."""
    return _load(Path(data_dir))[3]


# ---------------------------------------------------------------- cleaning


@dataclass
class _Span:
    capture: Capture
    work: Work
    verdicts: list[cleaning.LineVerdict]
    fragments: list[Fragment]


def _span_lines(cap: Capture, lines: list[str]) -> list[tuple[int, str]]:
    start, end = cap.line_start or 1, cap.line_end or len(lines)
    return [(no, lines[no - 1]) for no in range(start, end + 1)]


def _fragments(cap: Capture, verdicts: list[cleaning.LineVerdict]) -> list[Fragment]:
    doc_id = cap.doc_id
    out = []
    for x in verdicts:
        if x.reason is not None:
            continue
        for part in split_languages(x.text):
            for text in split_paragraphs(part.text):
                out.append(
                    Fragment(
                        doc_id,
                        x.line_no,
                        part.lang,
                        text,
                        cleaning.is_heading(text),
                        cap.source_file,
                    )
                )
    return out


def _clean_file(
    raw: RawText, caps: list[Capture], works: dict[str, Work], ledger: list[dict]
) -> list[_Span]:
    norm = [normalise_line(line) for line in raw.lines]
    watermarks = cleaning.find_watermarks(norm)
    claimed: set[int] = set()
    spans = []
    for cap in sorted(caps, key=lambda c: c.line_start or 1):
        work = works[cap.work_id]
        lines = _span_lines(cap, norm)
        claimed.update(no for no, _ in lines)
        verdicts = cleaning.classify_lines(
            lines, titles=[work.title_zh, work.title_en], watermarks=watermarks
        )
        if not work.include:
            for x in verdicts:
                ledger.append(_discard(raw, cap, x.line_no, "excluded_work", work.exclude_reason))
            spans.append(_Span(cap, work, verdicts, []))
            continue
        spans.append(_Span(cap, work, verdicts, _fragments(cap, verdicts)))
    for no, text in enumerate(norm, start=1):
        if no not in claimed:
            reason = cleaning.line_rule(text, watermarks) or "unassigned"
            ledger.append(_discard(raw, None, no, reason, "outside every span in captures.csv"))
    return spans


def _discard(
    raw: RawText,
    cap: Capture | None,
    line_no: int,
    reason: str,
    detail: str = "",
    partial: bool = False,
    text: str | None = None,
) -> dict:
    original = raw.lines[line_no - 1] if text is None else text
    return {
        "source_file": raw.path.name,
        "line_no": line_no,
        "doc_id": cap.doc_id if cap else "",
        "work_id": cap.work_id if cap else "",
        "reason": reason,
        "detail": detail,
        "partial": partial,
        "text": original[:300],
    }


# ---------------------------------------------------------------- works


def _copy_order(spans: list[_Span]) -> list[_Span]:
    """The copy with the most Chinese text first: it sets the order the others fill in."""

    def size(s: _Span) -> tuple[int, str]:
        return (-sum(count_cjk(f.text) for f in s.fragments), s.capture.doc_id)

    return sorted(spans, key=size)


def _number(work_id: str, merged: list[Fragment]) -> None:
    for i, frag in enumerate(merged, start=1):
        frag.para_id = f"{work_id}:{i:04d}"


def _align(fragments: list[Fragment]) -> list[tuple[Fragment, Fragment, str]]:
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


def _resolve(frag: Fragment) -> Fragment:
    return frag.duplicate_of if frag.duplicate_of is not None else frag


# ---------------------------------------------------------------- dates


def _work_date(work: Work, spans: list[_Span]) -> dict:
    evidence = []
    for s in spans:
        for rank, line_no, date, precision, raw in cleaning.date_evidence(s.verdicts):
            evidence.append(
                (rank, s.capture.doc_id, line_no, date, precision, raw, s.capture.source_file)
            )
    evidence.sort(key=lambda e: (e[0], e[1], e[2]))
    text_date = text_precision = text_source = ""
    if evidence:
        rank, _doc, line_no, text_date, text_precision, raw, source = evidence[0]
        kind = "issuing note" if rank == 1 else "date line"
        text_source = f"{source}:{line_no} ({kind}) {raw}"
    if work.date:
        date, precision, source = work.date, work.date_precision, "metadata"
    elif text_date:
        date, precision, source = text_date, text_precision, f"text: {text_source}"
    else:
        date, precision, source = "", "", "none"
    return {
        "date": date,
        "date_precision": precision,
        "date_source": source,
        "date_in_text": text_date,
        "date_in_text_source": text_source,
    }


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


def build_corpus(data_dir: Path | str, *, progress: bool = False) -> Corpus:
    """Build every table from ``data_dir/raw``.

    Raises
    ------
    CorpusError
        If the metadata or a raw file has errors; every problem is listed.
    """
    from tqdm.auto import tqdm

    works, captures, raws, problems = _load(Path(data_dir))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CorpusError(errors)
    ledger: list[dict] = []
    spans: list[_Span] = []
    captures_of: dict[str, list[Capture]] = {}
    for cap in captures:
        captures_of.setdefault(cap.source_file, []).append(cap)
    for name in tqdm(sorted(raws), desc="cleaning", unit="file", disable=not progress):
        spans.extend(_clean_file(raws[name], captures_of[name], works, ledger))
    for s in spans:
        raw = raws[s.capture.source_file]
        for x in s.verdicts:
            if s.work.include and x.reason is not None:
                ledger.append(_discard(raw, s.capture, x.line_no, x.reason))
            for mark in x.removed if x.reason is None else []:
                ledger.append(
                    _discard(
                        raw,
                        s.capture,
                        x.line_no,
                        "watermark",
                        "cut from the line",
                        partial=True,
                        text=mark,
                    )
                )

    spans_of: dict[str, list[_Span]] = {}
    for s in spans:
        spans_of.setdefault(s.work.work_id, []).append(s)
    work_rows, para_rows, pair_rows = [], [], []
    for work in works.values():
        wspans = spans_of.get(work.work_id, [])
        row = {
            "work_id": work.work_id,
            "title_zh": work.title_zh,
            "title_en": work.title_en,
            **_work_date(work, wspans),
            "issuer": work.issuer,
            "genre": work.genre,
            "include": work.include,
            "exclude_reason": work.exclude_reason,
            "n_copies": len(wspans),
        }
        merged = merge_copies([s.fragments for s in _copy_order(wspans)]) if work.include else []
        _number(work.work_id, merged)
        copies = _copies_per_paragraph(wspans)
        para_rows.extend(
            _paragraph_row(work.work_id, i, f, copies[id(f)]) for i, f in enumerate(merged, 1)
        )
        for s in wspans:
            _ledger_duplicates(s, raws, ledger)
            pair_rows.extend(_pair_rows(work.work_id, s))
        row.update(_language_counts(merged))
        work_rows.append(row)
        problems.extend(_date_disagreement(work, row))

    paragraphs = _frame(para_rows, PARAGRAPH_COLUMNS)
    works_df = _frame(work_rows, WORK_COLUMNS)
    works_df = works_df.sort_values(
        ["include", "date", "work_id"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    pairs = _frame(pair_rows, PAIR_COLUMNS).drop_duplicates(["work_id", "zh_para_id", "en_para_id"])
    pairs = pairs.sort_values(["work_id", "zh_para_id", "en_para_id"]).reset_index(drop=True)
    ledger = _mark_partial(ledger, paragraphs)
    discarded = (
        _frame(ledger, DISCARD_COLUMNS)
        .sort_values(["source_file", "line_no", "partial", "reason"], kind="stable")
        .reset_index(drop=True)
    )
    documents = _documents(captures, raws, paragraphs, discarded)
    duplicates = _cross_work_duplicates(paragraphs)
    return Corpus(
        works_df,
        documents,
        paragraphs,
        pairs.reset_index(drop=True),
        discarded,
        duplicates,
        {n: len(r.lines) for n, r in raws.items()},
        {n: r.lines for n, r in raws.items() if r.kind != "text"},
        [p for p in problems if p.severity != "error"],
    )


WORK_COLUMNS = [
    "work_id",
    "title_zh",
    "title_en",
    "date",
    "date_precision",
    "date_source",
    "date_in_text",
    "date_in_text_source",
    "issuer",
    "genre",
    "include",
    "exclude_reason",
    "n_copies",
    "n_paragraphs_zh",
    "n_paragraphs_en",
    "n_chars_zh",
    "n_chars_en",
]
PARAGRAPH_COLUMNS = [
    "work_id",
    "para_id",
    "position",
    "lang",
    "text",
    "is_heading",
    "doc_id",
    "source_file",
    "line_no",
    "n_chars",
    "n_copies",
]
PAIR_COLUMNS = ["work_id", "zh_para_id", "en_para_id", "method", "doc_id", "line_no"]
DISCARD_COLUMNS = [
    "source_file",
    "line_no",
    "doc_id",
    "work_id",
    "reason",
    "detail",
    "partial",
    "text",
]
DOCUMENT_COLUMNS = [
    "doc_id",
    "work_id",
    "source_file",
    "line_start",
    "line_end",
    "sha256",
    "n_chars",
    "encoding",
    "source_kind",
    "n_lines",
    "n_lines_kept",
    "n_lines_discarded",
    "n_paragraphs_new",
]


_DTYPES = {
    "line_no": "int64",
    "position": "int64",
    "partial": "bool",
    "is_heading": "bool",
    "include": "bool",
    "n_copies": "int64",
    "line_start": "int64",
    "line_end": "int64",
    "similarity": "float64",
}


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A table with fixed columns and dtypes, also when it has no rows."""
    df = pd.DataFrame(rows, columns=columns)
    return df.astype({c: t for c, t in _DTYPES.items() if c in df.columns})


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


def _ledger_duplicates(s: _Span, raws: dict[str, RawText], ledger: list[dict]) -> None:
    raw = raws[s.capture.source_file]
    for f in s.fragments:
        if f.duplicate_of is not None:
            ledger.append(
                _discard(
                    raw,
                    s.capture,
                    f.line_no,
                    "duplicate",
                    f"same as {f.duplicate_of.para_id}",
                    text=f.text,
                )
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
        for zh, en, method in _align(s.fragments)
    ]


def _language_counts(merged: list[Fragment]) -> dict:
    out = {}
    for lang in ("zh", "en"):
        frags = [f for f in merged if f.lang == lang]
        out[f"n_paragraphs_{lang}"] = len(frags)
        out[f"n_chars_{lang}"] = sum(len(f.text) for f in frags)
    return out


def _mark_partial(ledger: list[dict], paragraphs: pd.DataFrame) -> list[dict]:
    """A duplicate fragment of a line that also gave a paragraph is a partial discard."""
    contributed = set(zip(paragraphs["source_file"], paragraphs["line_no"]))
    for row in ledger:
        if row["reason"] == "duplicate":
            row["partial"] = (row["source_file"], row["line_no"]) in contributed
    # One full-discard row per line: a line whose fragments were all duplicates
    # may have several; keep the first and fold the others into it.
    seen: set[tuple[str, int]] = set()
    out = []
    for row in ledger:
        key = (row["source_file"], row["line_no"])
        if not row["partial"]:
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
            }
        )
    return _frame(rows, DOCUMENT_COLUMNS)


def _cross_work_duplicates(paragraphs: pd.DataFrame) -> pd.DataFrame:
    items = list(zip(paragraphs["work_id"], paragraphs["para_id"], paragraphs["text"]))
    found = near_duplicates(items)
    text = dict(zip(paragraphs["para_id"], paragraphs["text"]))
    rows = [
        {
            "para_id_a": a,
            "work_id_a": a.split(":")[0],
            "para_id_b": b,
            "work_id_b": b.split(":")[0],
            "kind": kind,
            "similarity": sim,
            "text_a": text[a][:200],
            "text_b": text[b][:200],
        }
        for a, b, kind, sim in found
    ]
    return _frame(
        rows,
        [
            "para_id_a",
            "work_id_a",
            "para_id_b",
            "work_id_b",
            "kind",
            "similarity",
            "text_a",
            "text_b",
        ],
    )


# ---------------------------------------------------------------- on disk

TABLES = ("works", "documents", "paragraphs", "aligned_pairs", "discarded", "duplicates")


def summarise(corpus: Corpus) -> dict:
    """Counts a researcher checks first: works in and out, paragraphs, discards by reason."""
    works = corpus.works
    return {
        "works_included": int(works["include"].sum()),
        "works_excluded": int((~works["include"]).sum()),
        "documents": len(corpus.documents),
        "paragraphs_by_lang": {
            k: int(v) for k, v in corpus.paragraphs["lang"].value_counts().sort_index().items()
        },
        "aligned_pairs": len(corpus.aligned_pairs),
        "raw_lines": int(sum(corpus.raw_lines.values())),
        "discarded_lines_by_reason": {
            k: int(v)
            for k, v in corpus.discarded[~corpus.discarded["partial"]]["reason"]
            .value_counts()
            .sort_index()
            .items()
        },
        "cross_work_duplicates": len(corpus.duplicates),
    }


def write_processed(corpus: Corpus, processed_dir: Path) -> list[Path]:
    """Write every table as Parquet plus ``summary.json``, each atomically."""
    from .io import write_json, write_parquet, write_text

    processed_dir = Path(processed_dir)
    written = [
        write_parquet(getattr(corpus, name), processed_dir / f"{name}.parquet") for name in TABLES
    ]
    for name, lines in sorted(corpus.extracted.items()):
        written.append(
            write_text("\n".join(lines) + "\n", processed_dir / "extracted" / f"{name}.txt")
        )
    written.append(write_json(summarise(corpus), processed_dir / "summary.json"))
    return written


def load_processed(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Read the built tables back (``works``, ``paragraphs``, ...) from ``data/processed``."""
    from .config import processed_dir_of, resolve_data_dir

    processed = processed_dir_of(resolve_data_dir(data_dir))
    missing = [t for t in TABLES if not (processed / f"{t}.parquet").is_file()]
    if missing:
        raise CorpusError(
            Problem(
                str(processed),
                "",
                f"not built yet (missing {missing[0]}.parquet)",
                "run 'cyberdiscourse build' first",
            )
        )
    return {t: pd.read_parquet(processed / f"{t}.parquet") for t in TABLES}
