"""Shared fixtures: the seed corpus built once, and throw-away data folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cyberdiscourse.corpus import build_corpus

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GWR = SHARED / "corpora" / "gov_work_reports_1954-2022.tsv"
REAL_CAPTURES = SHARED / "corpora" / "real_captures"
NO_SHARED = "needs ../shared/corpora beside the clone (the Government Work Reports, real captures)"
needs_gwr = pytest.mark.skipif(not GWR.is_file(), reason=NO_SHARED)
needs_real_captures = pytest.mark.skipif(not REAL_CAPTURES.is_dir(), reason=NO_SHARED)
SEED_DATA = REPO / "data"
SEED_FILES = {
    "000_ddd7ae31e7bb7b86.txt": "18bbceab5c7ec40ba169ab5b64a8e10af8c2b0bf815e166af0f133beba261268",
    "001_c3395b16cd9682d1.txt": "bfdc60c61f266bd357e9ba4fba1a4892ac1aac839652fe6d86d69e410af73cb6",
    "002_7f6f740f4e046d2f.txt": "405a10b89425508b79b3a159c8feec79ff19c4b8b230175db650f809a783db07",
    "003_9bf46ce2aec8518c.txt": "b9c003a5f10540c3fc46546b9869eaa804f16e8016d1c05f018a3efc4644bf9a",
    "004_e9e04761fada368c.txt": "d82ac5cb24aa08d2560b0312cd7334acb37c942f52da8d1901b55b84dd297488",
}


@pytest.fixture(scope="session")
def seed_corpus():
    return build_corpus(SEED_DATA)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A copy of the seed data folder (raw only) that a test may change."""
    shutil.copytree(SEED_DATA / "raw", tmp_path / "data" / "raw")
    return tmp_path / "data"


WORKS_HEADER = "work_id,title_zh,title_en,date,issuer,genre,include,exclude_reason,notes\n"
CAPTURES_HEADER = "source_file,work_id,line_start,line_end,notes\n"


def make_data_dir(root: Path, files: dict[str, bytes], works: str, captures: str) -> Path:
    """A data folder with the given raw files and metadata rows (headers added)."""
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    for name, data in files.items():
        (raw / name).write_bytes(data)
    (raw / "works.csv").write_text(WORKS_HEADER + works, encoding="utf-8")
    (raw / "captures.csv").write_text(CAPTURES_HEADER + captures, encoding="utf-8")
    return root / "data"


def assert_ledger_invariant(corpus) -> None:
    """Every raw line either gives paragraph text or has one full-discard row with a reason."""
    contributed = set(zip(corpus.paragraphs["source_file"], corpus.paragraphs["line_no"]))
    full = corpus.discarded[~corpus.discarded["partial"]]
    discarded = list(zip(full["source_file"], full["line_no"]))
    assert len(discarded) == len(set(discarded)), "a line has two full-discard rows"
    assert not contributed & set(discarded)
    every = {(f, n) for f, count in corpus.raw_lines.items() for n in range(1, count + 1)}
    assert contributed | set(discarded) == every
    assert full["reason"].str.len().gt(0).all()
