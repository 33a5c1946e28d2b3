"""The curated metadata beside the raw captures: ``works.csv`` and ``captures.csv``.

``works.csv`` has one row per distinct text (a work); ``captures.csv`` one row
per stretch of a raw file that holds a work (a whole file when ``line_start``
and ``line_end`` are blank). Both are plain UTF-8 CSV a researcher edits in a
spreadsheet or text editor. Row numbers in messages count the header as row 1,
as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .dates import parse_metadata_date
from .errors import Problem

WORKS_FILE = "works.csv"
CAPTURES_FILE = "captures.csv"
WORK_COLUMNS = [
    "work_id",
    "title_zh",
    "title_en",
    "date",
    "issuer",
    "genre",
    "include",
    "exclude_reason",
    "notes",
]
CAPTURE_COLUMNS = ["source_file", "work_id", "line_start", "line_end", "notes"]
_REQUIRED_WORK = ["work_id", "title_zh", "title_en", "date", "include", "exclude_reason"]
_REQUIRED_CAPTURE = ["source_file", "work_id", "line_start", "line_end"]
_WORK_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TRUE = {"true", "yes", "y", "1", "include", "included"}
_FALSE = {"false", "no", "n", "0", "exclude", "excluded"}


@dataclass(frozen=True)
class Work:
    work_id: str
    title_zh: str
    title_en: str
    date: str  # ISO or "" when the text must supply it
    date_precision: str
    issuer: str
    genre: str
    include: bool
    exclude_reason: str
    row: int

    @property
    def has_title(self) -> bool:
        """A curated title; without one the capture's own (inferred) title is used."""
        return bool(self.title_zh or self.title_en)


@dataclass(frozen=True)
class Capture:
    source_file: str
    work_id: str
    line_start: int | None
    line_end: int | None
    row: int

    @property
    def doc_id(self) -> str:
        if self.line_start is None:
            return self.source_file
        return f"{self.source_file}:{self.line_start}-{self.line_end}"


def read_csv_text(path: Path, problems: list[Problem]) -> str | None:
    """The text of a metadata CSV, or None with a problem saying what is wrong with the file."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, "", f"cannot be read ({exc.strerror})", _FIX_ACCESS))
        return None
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        problems.append(Problem(name, "", "the file is empty", _fix_header(name)))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                name,
                f"line {line}",
                "not UTF-8 text (a spreadsheet saved it in another encoding, e.g. GBK)",
                "save it as 'CSV UTF-8' from your spreadsheet",
            )
        )
        return None


_FIX_ACCESS = "check that the file exists and that you may read it"
_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _fix_header(name: str) -> str:
    columns = WORK_COLUMNS if name == WORKS_FILE else CAPTURE_COLUMNS
    return f"write a header row with the columns {', '.join(columns)}"


def _read_csv(
    path: Path, required: list[str], problems: list[Problem]
) -> list[tuple[int, dict]] | None:
    """Rows of a metadata CSV as ``(row number, {column: value})``.

    Read with the csv module from the whole text, so a quoted field may hold a
    newline, U+2028 or a form feed. None when the file cannot be used at all
    (missing, empty, not UTF-8, wrong separator, missing columns): one problem
    then says why, and callers check nothing that depends on the file.
    """
    if not path.is_file():
        problems.append(
            Problem(
                path.name,
                "",
                "is a folder, not a file" if path.is_dir() else "metadata file not found",
                f"create {path.name} with the columns {', '.join(required)}",
            )
        )
        return None
    text = read_csv_text(path, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict]] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in required if c not in header]
        if missing:
            problems.append(_header_problem(path.name, header, missing, required))
            return None
        for row_no, values in enumerate(reader, start=2):  # spreadsheet rows: header is 1
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                problems.append(
                    Problem(
                        path.name,
                        f"row {row_no}",
                        f"{len(values)} fields but the header names {len(header)}",
                        "put quotes around a value that contains a comma",
                    )
                )
                continue
            cells = [v.strip() for v in values] + [""] * (len(header) - len(values))
            rows.append((row_no, {h: v for h, v in zip(header, cells) if h}))
    except csv.Error as exc:
        problems.append(
            Problem(
                path.name,
                f"line {reader.line_num}",
                f"not readable as CSV ({exc})",
                "remove the stray character (a NUL byte or an unclosed quote) in a text editor",
            )
        )
        return None
    return rows


def _header_problem(name: str, header: list[str], missing: list[str], required: list[str]):
    joined = ",".join(header)
    for sep, word in _SEPARATORS.items():
        if sep in joined and len(header) <= 2:
            return Problem(
                name,
                "row 1",
                f"the columns are separated by {word}, not commas",
                "save it as 'CSV UTF-8 (comma delimited)' from your spreadsheet",
            )
    return Problem(
        name,
        "row 1",
        f"missing column(s): {', '.join(missing)}",
        f"the header must name {', '.join(required)}",
    )


def _parse_include(value: str) -> bool | None:
    v = value.strip().lower()
    return True if v in _TRUE else False if v in _FALSE else None


def read_works(
    raw_dir: Path, problems: list[Problem], *, rejected: set[str] | None = None
) -> dict[str, Work] | None:
    """Parse and validate ``works.csv``; problems are appended, valid works returned.

    None when the file cannot be used at all. The ids of rows rejected for a
    problem go into ``rejected``, so that their captures are not reported again.
    """
    works: dict[str, Work] = {}
    rows = _read_csv(raw_dir / WORKS_FILE, _REQUIRED_WORK, problems)
    if rows is None:
        return None
    rejected = set() if rejected is None else rejected
    for row_no, row in rows:
        where = f"row {row_no}"
        wid = row["work_id"]
        if not _WORK_ID.match(wid):
            problems.append(
                Problem(
                    WORKS_FILE,
                    where,
                    f"work_id {wid!r} is not a slug",
                    "use lower-case letters, digits, '-' and '_' only",
                )
            )
            rejected.add(wid)
            continue
        if wid in works:
            problems.append(
                Problem(
                    WORKS_FILE,
                    where,
                    f"duplicate work_id {wid!r} (first on row {works[wid].row})",
                    "give each work one row and a unique id",
                )
            )
            rejected.add(wid)
            continue
        date, precision = "", ""
        if row["date"]:
            parsed = parse_metadata_date(row["date"])
            if parsed is None:
                problems.append(
                    Problem(
                        WORKS_FILE,
                        where,
                        f"impossible or malformed date {row['date']!r}",
                        "write YYYY-MM-DD, YYYY-MM or YYYY",
                    )
                )
                rejected.add(wid)
                continue
            date, precision = parsed
        include = _parse_include(row["include"])
        if include is None:
            problems.append(
                Problem(
                    WORKS_FILE,
                    where,
                    f"include must be true or false, not {row['include']!r}",
                    "write true or false",
                )
            )
            rejected.add(wid)
            continue
        if not include and not row["exclude_reason"]:
            problems.append(
                Problem(
                    WORKS_FILE, where, "excluded without a reason", "write why in exclude_reason"
                )
            )
        works[wid] = Work(
            wid,
            row["title_zh"],
            row["title_en"],
            date,
            precision,
            row.get("issuer", ""),
            row.get("genre", ""),
            include,
            row["exclude_reason"],
            row_no,
        )
    return works


def raw_files(raw_dir: Path) -> list[tuple[str, Path]]:
    """Every file under ``raw/`` but the metadata and hidden ones (a temporary file, a
    system's ``.DS_Store``), as ``(name, path)``: the name is the path under ``raw/``
    with ``/`` between folders, as ``captures.csv`` writes it. Sorted by name."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    found = []
    for path in raw_dir.rglob("*"):
        name = path.relative_to(raw_dir).as_posix()
        if name in (WORKS_FILE, CAPTURES_FILE) or any(p.startswith(".") for p in name.split("/")):
            continue
        if path.is_file():
            found.append((name, path))
    return sorted(found)


def collection_of(source_file: str) -> str:
    """The folder a capture sits in under ``raw/`` ("" at the top): a law's category, a
    crawler's day, as the researcher's own folders had it."""
    return source_file.rpartition("/")[0]


def _parse_line_no(value: str) -> int | None | str:
    if value == "":
        return None
    return int(value) if value.isdigit() and int(value) > 0 else "bad"


def _inside(raw_dir: Path, name: str, root: Path | None = None) -> bool:
    """Whether ``raw_dir/name`` resolves inside ``raw_dir`` (``root``: its resolved path,
    when the caller asks for many names).

    A relative name without ``..`` whose folders and file are no symbolic links is
    inside (a look at each part below ``raw_dir``); any other is resolved in full.
    """
    try:
        if Path(name).is_absolute():
            return False
        parts = Path(name).parts
        path = raw_dir
        for part in parts:
            path = path / part
            if part == ".." or path.is_symlink():
                break
        else:
            return True
        (raw_dir / name).resolve().relative_to(root or raw_dir.resolve())
    except (ValueError, OSError):  # outside, or no usable path (too long, a NUL byte)
        return False
    return True


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def read_captures(
    raw_dir: Path,
    works: dict[str, Work] | None,
    problems: list[Problem],
    *,
    rejected: set[str] = frozenset(),
) -> list[Capture] | None:
    """Parse and validate ``captures.csv`` against the works and the files on disk.

    ``works`` None (``works.csv`` unusable or with errors) or a work id in ``rejected`` (its row
    has a problem already reported): the row is passed over without a second
    message, so one bad file gives one error, not one per capture. Returns None
    when ``captures.csv`` itself cannot be used.
    """
    captures: list[Capture] = []
    rows = _read_csv(raw_dir / CAPTURES_FILE, _REQUIRED_CAPTURE, problems)
    if rows is None:
        return None
    root = raw_dir.resolve()
    for row_no, row in rows:
        where = f"row {row_no}"
        name = row["source_file"]
        if not name or not _inside(raw_dir, name, root):
            problems.append(
                Problem(
                    CAPTURES_FILE,
                    where,
                    f"source_file {name!r} is outside the raw data folder",
                    "name a file inside data/raw/",
                )
            )
            continue
        if not _is_file(raw_dir / name):
            problems.append(
                Problem(
                    CAPTURES_FILE,
                    where,
                    f"source_file {name!r} does not exist",
                    f"copy the capture into {raw_dir.name}/ or fix the name",
                )
            )
            continue
        if works is None or row["work_id"] in rejected:
            continue
        if row["work_id"] not in works:
            problems.append(
                Problem(
                    CAPTURES_FILE,
                    where,
                    f"unknown work_id {row['work_id']!r}",
                    f"add a row for it to {WORKS_FILE} or fix the id",
                )
            )
            continue
        start, end = _parse_line_no(row["line_start"]), _parse_line_no(row["line_end"])
        if "bad" in (start, end) or (start is None) != (end is None):
            problems.append(
                Problem(
                    CAPTURES_FILE,
                    where,
                    "line_start/line_end must both be "
                    "positive whole numbers, or both blank for the whole file",
                    "fill both or clear both",
                )
            )
            continue
        if start is not None and start > end:
            problems.append(
                Problem(
                    CAPTURES_FILE, where, f"line_start {start} is after line_end {end}", "swap them"
                )
            )
            continue
        captures.append(Capture(name, row["work_id"], start, end, row_no))
    return captures


def check_spans(
    captures: list[Capture], line_counts: dict[str, int], problems: list[Problem]
) -> None:
    """Spans must lie inside their file and must not overlap."""
    by_file: dict[str, list[Capture]] = {}
    for cap in captures:
        by_file.setdefault(cap.source_file, []).append(cap)
    for name, caps in by_file.items():
        n = line_counts.get(name)
        if n is None:
            continue
        spans = []
        for cap in caps:
            start, end = (cap.line_start or 1), (cap.line_end or n)
            if end > n:
                problems.append(
                    Problem(
                        CAPTURES_FILE,
                        f"row {cap.row}",
                        f"line_end {end} is past the end of {name} ({n} lines)",
                        "fix line_end",
                    )
                )
            spans.append((start, end, cap))
        spans.sort(key=lambda s: s[0])
        for (_s1, e1, c1), (s2, _e2, c2) in zip(spans, spans[1:]):
            if s2 <= e1:
                problems.append(
                    Problem(
                        CAPTURES_FILE,
                        f"row {c2.row}",
                        f"lines {s2}-{e1} of {name} are also claimed by row {c1.row}",
                        "make the spans of one file disjoint",
                    )
                )
