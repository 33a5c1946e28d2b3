"""Add a new capture to the raw folder with its metadata row: the one write into ``data/raw``."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from pathlib import Path

from .config import raw_dir_of
from .dates import parse_metadata_date
from .errors import CorpusError, Problem
from .io import write_atomic
from .metadata import CAPTURE_COLUMNS, CAPTURES_FILE, WORK_COLUMNS, WORKS_FILE, read_works
from .normalise import count_cjk
from .readers import read_raw


def slugify(text: str) -> str:
    """Lower-case ASCII slug of the Latin words in ``text`` (empty if there are none)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:60].strip("-")


def make_work_id(title: str, date: str) -> str:
    """A stable id: the English title's slug and the year, or a hash of a Chinese title."""
    year = date[:4] if date else "undated"
    slug = slugify(title) if count_cjk(title) == 0 else ""
    if not slug:
        slug = "work-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{year}"


def _append_row(path: Path, columns: list[str], row: dict) -> None:
    existing = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    if not existing.strip():
        writer.writeheader()
    elif not existing.endswith("\n"):
        buf.write("\n")
    writer.writerow({c: row.get(c, "") for c in columns})
    write_atomic(path, lambda tmp: tmp.write_text(existing + buf.getvalue(), encoding="utf-8"))


def add_capture(
    data_dir: Path,
    file: Path,
    *,
    title: str,
    date: str = "",
    title_en: str = "",
    issuer: str = "",
    genre: str = "",
    work_id: str | None = None,
) -> str:
    """Copy ``file`` into ``data_dir/raw`` and append its works and captures rows.

    Everything is validated before anything is written. Returns the work id.

    Raises
    ------
    CorpusError
        Unreadable file, a name already taken, an impossible date, a duplicate id.
    """
    raw_dir = raw_dir_of(Path(data_dir))
    file = Path(file)
    read_raw(file)  # fails with a clear message if the file is unusable
    problems: list[Problem] = []
    if date and parse_metadata_date(date) is None:
        problems.append(
            Problem(
                "--date",
                "",
                f"impossible or malformed date {date!r}",
                "write YYYY-MM-DD, YYYY-MM or YYYY",
            )
        )
    target = raw_dir / file.name
    if target.exists():
        problems.append(
            Problem(
                file.name,
                "",
                f"{target} already exists",
                "rename the new file; raw captures are never overwritten",
            )
        )
    works = read_works(raw_dir, []) if (raw_dir / WORKS_FILE).is_file() else {}
    zh, en = (title, title_en) if count_cjk(title) else (title_en, title)
    wid = work_id or make_work_id(en or zh, date)
    if wid in works:
        problems.append(
            Problem(
                WORKS_FILE,
                f"row {works[wid].row}",
                f"work_id {wid!r} exists",
                "pass --work-id with a new id",
            )
        )
    if problems:
        raise CorpusError(problems)
    raw_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(target, lambda tmp: shutil.copyfile(file, tmp))
    _append_row(
        raw_dir / WORKS_FILE,
        WORK_COLUMNS,
        {
            "work_id": wid,
            "title_zh": zh,
            "title_en": en,
            "date": date,
            "issuer": issuer,
            "genre": genre,
            "include": "true",
        },
    )
    _append_row(
        raw_dir / CAPTURES_FILE, CAPTURE_COLUMNS, {"source_file": file.name, "work_id": wid}
    )
    return wid


def import_tsv(
    data_dir: Path,
    tsv: Path,
    *,
    title: str = "{year}",
    title_en: str = "",
    issuer: str = "",
    genre: str = "",
    id_prefix: str | None = None,
) -> list[str]:
    """Import a ``year<TAB>text`` file (one document per line) as one capture per line.

    Each line becomes ``raw/<tsv stem>_<year>.txt`` with a works row dated ``year``
    (precision: year) and a captures row. ``title`` and ``title_en`` are templates
    with ``{year}``. A line is split on its first TAB only (texts may contain TABs).

    Raises
    ------
    CorpusError
        Naming the TSV line for a line without a TAB or a year; nothing is written then.
    """
    import tempfile

    tsv = Path(tsv)
    rows, problems = [], []
    for no, line in enumerate(tsv.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        year, sep, text = line.partition("\t")
        if not sep or not re.fullmatch(r"\d{4}", year.strip()) or not text.strip():
            problems.append(
                Problem(
                    tsv.name,
                    f"line {no}",
                    "expected a year, a TAB and the text",
                    "fix or delete the line",
                )
            )
            continue
        rows.append((year.strip(), text))
    if problems:
        raise CorpusError(problems)
    prefix = id_prefix or slugify(tsv.stem) or "doc"
    ids = []
    with tempfile.TemporaryDirectory() as tmp:
        for year, text in rows:
            src = Path(tmp) / f"{tsv.stem}_{year}.txt"
            src.write_text(text + "\n", encoding="utf-8")
            ids.append(
                add_capture(
                    data_dir,
                    src,
                    title=title.format(year=year),
                    title_en=title_en.format(year=year),
                    date=year,
                    issuer=issuer,
                    genre=genre,
                    work_id=f"{prefix}-{year}",
                )
            )
    return ids
