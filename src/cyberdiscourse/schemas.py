"""The tables of a built corpus: their columns and types, and the container that holds them.

See DESIGN.md, "Data contract". Every table is made through :func:`frame`, so it has
the same columns and dtypes whether it has rows or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import Problem


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
    paragraphs_by_lang: dict[str, int] = field(default_factory=dict)
    partition_rows: list[int] = field(default_factory=list)  # paragraphs per partition


WORK_COLUMNS = [
    "work_id",
    "title_zh",
    "title_en",
    "title_source",
    "date",
    "date_precision",
    "date_kind",
    "first_date",
    "date_in_file_name",
    "date_source",
    "date_in_text",
    "date_in_text_source",
    "version_family",
    "n_versions",
    "latest_version",
    "issuer",
    "issuer_source",
    "url",
    "genre",
    "collection",
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
    "rule_kind",
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
    "url",
    "captured_at",
    "hidden_chars",
    "extractors",
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
    "hidden_chars": "int64",
    "n_versions": "int64",
    "latest_version": "bool",
}


def frame(rows: list[dict] | pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A table with fixed columns and dtypes, also when it has no rows."""
    df = pd.DataFrame(rows, columns=columns)
    return df.astype({c: t for c, t in _DTYPES.items() if c in df.columns})


DUPLICATE_COLUMNS = [
    "para_id_a",
    "work_id_a",
    "para_id_b",
    "work_id_b",
    "kind",
    "similarity",
    "text_a",
    "text_b",
]


# ---------------------------------------------------------------- on disk

TABLES = ("works", "documents", "paragraphs", "aligned_pairs", "discarded", "duplicates")
MANIFEST = "manifest.json"
PARAGRAPHS_DIR = "paragraphs"  # one Parquet file per partition
