"""Add a new capture to the raw folder with its metadata row: the one write into ``data/raw``."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import shutil
from dataclasses import dataclass, replace
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


_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\ufeff]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def safe_file_name(name: str) -> str:
    """A file name without control characters, line breaks or invisible characters.

    They would break the metadata CSV in a spreadsheet and the ``file:line`` a
    reader follows; each run becomes one ``_``.
    """
    cleaned = _UNSAFE_IN_NAME.sub("_", name).strip()
    return cleaned if cleaned not in ("", ".", "..") else "capture"


def clean_title(title: str) -> str:
    """A title on one line: control characters and line breaks become spaces."""
    return " ".join(_CONTROL_OR_BREAK.sub(" ", title or "").split())


def make_work_id(title: str, date: str) -> str:
    """A stable id: the English title's slug and the year, or a hash of a Chinese title."""
    year = date[:4] if date else "undated"
    slug = slugify(title) if count_cjk(title) == 0 else ""
    if not slug:
        slug = "work-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{year}"


def _append_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Append rows to a CSV in one atomic rewrite (the header too if the file is new)."""
    # Bytes, not read_text: universal newlines would turn a "\r" inside a quoted field into
    # "\n" and so change rows the researcher wrote.
    data = path.read_bytes() if path.is_file() else b""
    bom = "\ufeff" if data.startswith(codecs.BOM_UTF8) else ""
    existing = data.decode("utf-8-sig")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    if not existing.strip():
        writer.writeheader()
    elif not existing.endswith("\n"):
        buf.write("\n")
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    text = bom + existing + buf.getvalue()
    write_atomic(path, lambda tmp: tmp.write_bytes(text.encode("utf-8")))


@dataclass
class _Planned:
    """One capture to add, checked but not yet written."""

    source: Path
    target: Path
    work: dict
    capture: dict


def _plan(
    raw_dir: Path,
    file: Path,
    taken_ids: dict[str, str],
    *,
    title: str,
    date: str,
    title_en: str,
    issuer: str,
    genre: str,
    work_id: str | None,
) -> tuple[_Planned, list[Problem]]:
    """Check one capture against the raw folder and the ids already taken (id -> where)."""
    if not file.is_file():
        what = "is a folder, not a file" if file.is_dir() else "file not found"
        raise CorpusError(Problem(str(file), "", what, "check the path you gave to add"))
    read_raw(file)  # fails with a clear message if the file is unusable
    problems: list[Problem] = []
    title, title_en = clean_title(title), clean_title(title_en)
    if not (title or title_en):
        problems.append(
            Problem(
                "--title",
                "",
                "the title is empty",
                "give the document's own title, e.g. --title '国家网络空间安全战略'",
            )
        )
    if date and parse_metadata_date(date) is None:
        problems.append(
            Problem(
                "--date",
                "",
                f"impossible or malformed date {date!r}",
                "write YYYY-MM-DD, YYYY-MM or YYYY",
            )
        )
    target = raw_dir / safe_file_name(file.name)
    if target.exists():
        problems.append(
            Problem(
                file.name,
                "",
                f"{target} already exists",
                "rename the new file; raw captures are never overwritten",
            )
        )
    zh, en = (title, title_en) if count_cjk(title) else (title_en, title)
    wid = work_id or make_work_id(en or zh, date)
    if wid in taken_ids:
        problems.append(
            Problem(
                WORKS_FILE,
                "",
                f"work_id {wid!r} exists ({taken_ids[wid]})",
                "pass --work-id with a new id",
            )
        )
    work = {
        "work_id": wid,
        "title_zh": zh,
        "title_en": en,
        "date": date,
        "issuer": issuer,
        "genre": genre,
        "include": "true",
    }
    return _Planned(file, target, work, {"source_file": target.name, "work_id": wid}), problems


def _taken_ids(raw_dir: Path) -> dict[str, str]:
    """Work ids in use; an unusable works.csv stops here, before anything is written."""
    if not (raw_dir / WORKS_FILE).is_file():
        return {}
    problems: list[Problem] = []
    works = read_works(raw_dir, problems)
    if works is None:
        raise CorpusError(problems)  # appending to a file we cannot read would damage it
    return {wid: f"{WORKS_FILE} row {w.row}" for wid, w in works.items()}


def _write(raw_dir: Path, planned: list[_Planned]) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    for p in planned:
        write_atomic(p.target, lambda tmp, src=p.source: shutil.copyfile(src, tmp))
    _append_rows(raw_dir / WORKS_FILE, WORK_COLUMNS, [p.work for p in planned])
    _append_rows(raw_dir / CAPTURES_FILE, CAPTURE_COLUMNS, [p.capture for p in planned])


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
    planned, problems = _plan(
        raw_dir,
        Path(file),
        _taken_ids(raw_dir),
        title=title,
        date=date,
        title_en=title_en,
        issuer=issuer,
        genre=genre,
        work_id=work_id,
    )
    if problems:
        raise CorpusError(problems)
    _write(raw_dir, [planned])
    return planned.work["work_id"]


def _tsv_lines(tsv: Path) -> list[str]:
    """The lines of a TSV file in any encoding the readers know (UTF-8, GBK, Big5 ...)."""
    from .readers import decode_bytes, split_lines

    if not tsv.is_file():
        what = "is a folder, not a file" if tsv.is_dir() else "file not found"
        raise CorpusError(Problem(str(tsv), "", what, "check the path you gave to import-tsv"))
    data = tsv.read_bytes()
    if not data.strip():
        raise CorpusError(
            Problem(tsv.name, "", "the file is empty", "one line per document: year, TAB, text")
        )
    return split_lines(decode_bytes(data, name=tsv.name)[0])


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
    for no, line in enumerate(_tsv_lines(tsv), start=1):
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
        rows.append((no, year.strip(), text))
    if problems:
        raise CorpusError(problems)
    prefix = id_prefix or slugify(tsv.stem) or "doc"
    raw_dir = raw_dir_of(Path(data_dir))
    taken = _taken_ids(raw_dir)
    planned: list[_Planned] = []
    with tempfile.TemporaryDirectory() as tmp:
        for no, year, text in rows:
            src = Path(tmp) / f"{tsv.stem}_{year}.txt"
            src.write_text(text + "\n", encoding="utf-8")
            plan, found = _plan(
                raw_dir,
                src,
                taken,
                title=title.format(year=year),
                title_en=title_en.format(year=year),
                date=year,
                issuer=issuer,
                genre=genre,
                work_id=f"{prefix}-{year}",
            )
            problems += [replace(p, file=tsv.name, where=f"line {no}") for p in found]
            taken[plan.work["work_id"]] = f"{tsv.name} line {no}"
            planned.append(plan)
        if problems:
            raise CorpusError(problems)
        _write(raw_dir, planned)  # one rewrite of each CSV, however many rows
    return [p.work["work_id"] for p in planned]
