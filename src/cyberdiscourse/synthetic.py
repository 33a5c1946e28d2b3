"""A synthetic corpus of any size, made of real sentences, for scale and speed checks.

Real Government Work Reports (``year<TAB>text``) are cut into sentences; each new
document takes a year that has a report, a date in that year, and paragraphs
recombined from that year's sentences. Every sentence is real official prose and
the concepts keep their years (人类命运共同体 only from 2017), but the paragraphs
are new, so de-duplication does not collapse the corpus. The result is an
ordinary data folder (``raw/`` with ``works.csv`` and ``captures.csv``) that
``cyberdiscourse build --data-dir`` reads like any other.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError, Problem
from .io import write_text
from .metadata import CAPTURE_COLUMNS, CAPTURES_FILE, WORK_COLUMNS, WORKS_FILE

_SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]")
_MIN_SENTENCE_CHARS = 8


@dataclass(frozen=True)
class SyntheticCorpus:
    """What :func:`make_synthetic_corpus` wrote."""

    data_dir: Path
    n_documents: int
    n_bytes: int
    years: tuple[int, ...]


def sentences_by_year(tsv: Path) -> dict[int, list[str]]:
    """The sentences of each year's text in a ``year<TAB>text`` file."""
    tsv = Path(tsv)
    out: dict[int, list[str]] = {}
    for no, line in enumerate(tsv.read_text(encoding="utf-8-sig").splitlines(), start=1):
        year, sep, text = line.partition("\t")
        if not line.strip():
            continue
        if not sep or not year.strip().isdigit():
            raise CorpusError(
                Problem(tsv.name, f"line {no}", "expected a year, a TAB and the text", "fix it")
            )
        # U+E004 (private use) marks paragraphs in some years' source; it is not text.
        text = text.replace("\t", " ").replace("\ue004", "")
        found = [s.strip() for s in _SENTENCE.findall(text)]
        out[int(year)] = [s for s in found if len(s) >= _MIN_SENTENCE_CHARS]
    return {y: s for y, s in sorted(out.items()) if s}


def make_synthetic_corpus(
    source_tsv: Path | str,
    data_dir: Path | str,
    *,
    size_mb: float = 100.0,
    doc_kb: tuple[float, float] = (4.0, 16.0),
    random_state: int = 0,
    progress: bool = False,
) -> SyntheticCorpus:
    """Write about ``size_mb`` MB (UTF-8) of new dated documents into ``data_dir/raw``.

    Parameters
    ----------
    source_tsv
        ``year<TAB>text`` file of real documents, e.g. the Government Work Reports.
    data_dir
        Folder to create; it must not hold a ``raw/`` folder yet.
    size_mb
        Total size of the raw files, in megabytes (10**6 bytes).
    doc_kb
        Range of document sizes, in kilobytes.
    random_state
        Seed: the same seed gives byte-identical files.
    """
    import numpy as np
    from tqdm.auto import tqdm

    raw_dir = Path(data_dir) / "raw"
    if raw_dir.exists():
        raise CorpusError(
            Problem(str(raw_dir), "", "already exists", "pick an empty folder for the corpus")
        )
    pool = sentences_by_year(Path(source_tsv))
    years = list(pool)
    rng = np.random.default_rng(random_state)
    target = int(size_mb * 1e6)
    works, captures = io.StringIO(), io.StringIO()
    work_rows = csv.DictWriter(works, WORK_COLUMNS, lineterminator="\n")
    capture_rows = csv.DictWriter(captures, CAPTURE_COLUMNS, lineterminator="\n")
    work_rows.writeheader()
    capture_rows.writeheader()
    written = n = 0
    with tqdm(total=target, unit="B", unit_scale=True, desc="writing", disable=not progress) as bar:
        while written < target:
            n += 1
            year = years[int(rng.integers(len(years)))]
            date = f"{year}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
            text = _document(pool[year], int(rng.uniform(*doc_kb) * 1000), rng)
            name = f"syn_{n:06d}.txt"
            write_text(text, raw_dir / name)
            work_id = f"syn-{n:06d}"
            work_rows.writerow(
                {
                    "work_id": work_id,
                    "title_zh": f"{year}年综合文件第{n}号",
                    "date": date,
                    "issuer": "synthetic",
                    "genre": "synthetic",
                    "include": "true",
                }
            )
            capture_rows.writerow({"source_file": name, "work_id": work_id})
            size = len(text.encode("utf-8"))
            written += size
            bar.update(size)
    write_text(works.getvalue(), raw_dir / WORKS_FILE)
    write_text(captures.getvalue(), raw_dir / CAPTURES_FILE)
    return SyntheticCorpus(Path(data_dir), n, written, tuple(years))


def _document(sentences: list[str], n_bytes: int, rng) -> str:
    """Paragraphs of 2 to 8 random sentences until the document reaches ``n_bytes``."""
    paragraphs, size = [], 0
    while size < n_bytes:
        picks = rng.integers(len(sentences), size=int(rng.integers(2, 9)))
        paragraph = "".join(sentences[i] for i in picks)
        paragraphs.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 1
    return "\n".join(paragraphs) + "\n"
