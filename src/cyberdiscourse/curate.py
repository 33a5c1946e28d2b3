"""Add a new capture to the raw folder with its metadata row: the one write into ``data/raw``."""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import raw_dir_of
from .dates import parse_metadata_date
from .errors import CorpusError, Problem
from .ingest.formats import page_inferred
from .ingest.infer import HEADER_KINDS, same_text_day, with_file_name
from .io import AddLock
from .metadata import (
    CAPTURE_COLUMNS,
    CAPTURES_FILE,
    WORK_COLUMNS,
    WORKS_FILE,
    Work,
    collection_of,
    raw_files,
    read_works,
)
from .normalise import count_cjk, match_key
from .readers import is_cached, read_raw
from .staging import recover
from .versions import family_key


def slugify(text: str, *, max_chars: int = 60) -> str:
    """Lower-case ASCII slug of the Latin words in ``text`` (empty if there are none),
    whole words up to ``max_chars`` (a first word longer than that is cut)."""
    return _join_words(re.findall(r"[a-z0-9]+", text.lower()), max_chars)


def _join_words(words: list[str], max_chars: int) -> str:
    slug = ""
    for w in words:
        if slug and len(slug) + len(w) + 1 > max_chars:
            break
        slug = f"{slug}-{w}" if slug else w[:max_chars]
    return slug


_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\ufeff]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def safe_file_name(name: str) -> str:
    """A file name without control characters, line breaks or invisible characters.

    They would break the metadata CSV in a spreadsheet and the ``file:line`` a
    reader follows; each run becomes one ``_``. A name left starting with a dot
    (" .txt") gets ``capture`` in front, so it is neither hidden nor nameless.
    """
    cleaned = _UNSAFE_IN_NAME.sub("_", name_from_bytes(name)).strip()
    if cleaned in ("", ".", ".."):
        return "capture"
    if cleaned.startswith("."):  # " .txt" would become ".txt": hidden, and with no name
        cleaned = "capture" + cleaned
    return cleaned


_UNDECODED = re.compile(r"[\udc80-\udcff]")  # bytes the file system's UTF-8 could not decode


def name_note(name: str) -> str:
    """Why :func:`safe_file_name` changed ``name``, for the message of ``add``."""
    if not _UNDECODED.search(name):
        return "control characters in the file name became '_'"
    try:
        name.encode("utf-8", "surrogateescape").decode("gb18030")
        return "its name was not UTF-8; it was read as GB18030"
    except UnicodeDecodeError:
        return "its name was neither UTF-8 nor GB18030; the bytes that were not became '_'"


def name_from_bytes(name: str) -> str:
    """A file name whose bytes were not UTF-8, decoded as GB18030 (what unzipping a
    Chinese Windows archive gives), else with each undecodable byte as ``_``.

    Python hands such a name over with each byte it could not decode as a lone
    surrogate, which no CSV, terminal or Parquet file can hold.
    """
    if not _UNDECODED.search(name):
        return name
    raw = name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace").replace("\ufffd", "_")


def clean_title(title: str) -> str:
    """A title on one line: control characters and line breaks become spaces."""
    return " ".join(_CONTROL_OR_BREAK.sub(" ", title or "").split())


ID_LENGTHS = (40, 64, 96)  # a slug grows to the next length when a different text took it


def make_work_id(
    title: str, date: str, file: Path | None = None, *, max_chars: int = ID_LENGTHS[0]
) -> str:
    """A readable, stable id: a short slug of the title and the year.

    An English title gives its words; a Chinese one its pinyin, word by word
    (segmented with jieba), with the generic "中华人民共和国" and an issuer before
    "关于" left out (the subject is what tells a court's hundred interpretations
    apart); no title gives the file's name. ``数据安全法`` 2021 -> ``shuju-anquanfa-2021``.
    """
    year = date[:4] if date else "undated"
    if count_cjk(title) == 0:
        slug = slugify(title, max_chars=max_chars + 20)
    else:
        slug = pinyin_slug(title, max_chars=max_chars)
    stem = name_from_bytes(file.stem) if file is not None else ""
    if not slug and stem:
        slug = slugify(stem) or pinyin_slug(stem)
    if not slug:  # a title and a name with no letter, digit or Han character
        slug = "work-" + hashlib.sha256((title or stem).encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{year}"


def pinyin_slug(title: str, *, max_chars: int = 40) -> str:
    """Pinyin of a Chinese title, word by word, at most ``max_chars`` long."""
    return _join_words(list(_pinyin_words(title)), max_chars)


@functools.lru_cache(maxsize=4096)  # an id taken by another text asks again, longer
def _pinyin_words(title: str) -> tuple[str, ...]:
    text = title.replace("中华人民共和国", "") or title
    text = _ISSUER_BEFORE_SUBJECT.sub("", text)
    text = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]+", " ", text)
    words = []
    for word in _tokenizer().cut(text, True):
        if not word.strip() or word == "的":  # a particle: no reader looks for it in an id
            continue
        romanised = _romanised(word)
        if romanised:
            words.append(romanised)
    return tuple(words)


@functools.lru_cache(maxsize=1 << 14)  # titles share their words: 条例, 管理, 规定 ...
def _romanised(word: str) -> str:
    from pypinyin import lazy_pinyin

    return re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(word)).lower())


# "最高人民法院、最高人民检察院关于": the issuer, when a subject of some length follows.
_ISSUER_BEFORE_SUBJECT = re.compile(r"^[^关]{2,40}?关于(?=\S{6,})")
_TOKENIZER = None


def _tokenizer():
    """jieba's segmenter in Rust (rjieba), with jieba's dictionary: the same words as
    jieba's own on 5,520 titles of laws and crawled pages, in a tenth of the time, and
    its dictionary loads in 0.1 s instead of 0.6 s (``cut(text, hmm)`` as rjieba's)."""
    global _TOKENIZER
    if _TOKENIZER is None:
        import rjieba

        _TOKENIZER = rjieba.Jieba()  # not a shared one: others add their own words
    return _TOKENIZER


def _appended(path: Path, columns: list[str], rows: list[dict]) -> bytes:
    """The bytes of a CSV with rows appended (the header too if the file is new)."""
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
    return (bom + existing + buf.getvalue()).encode("utf-8")


@dataclass
class _Planned:
    """One capture to add, checked but not yet written: its works and captures rows."""

    source: Path
    target: Path
    name: str  # its path under raw/, as captures.csv names it
    works: list[dict]
    captures: list[dict]
    review: list[dict] = field(default_factory=list)

    @property
    def work(self) -> dict:  # the first (for a web archive, one work per page)
        return self.works[0]


def _plan(
    raw_dir: Path,
    file: Path,
    name: str,
    taken_ids: dict[str, str],
    *,
    title: str | None,
    date: str,
    title_en: str,
    issuer: str,
    genre: str,
    work_id: str | None,
) -> tuple[_Planned, list[Problem]]:
    """Check one capture against the raw folder and the ids already taken (id -> where).

    Title and date may be left out: the build then takes what the capture says of
    itself (see :mod:`.ingest.infer`), and the review names it as inferred.
    """
    if not file.is_file():
        if file.is_dir():
            what, hint = "is a folder, not a file", "check the path you gave to add"
        elif file.exists():
            what, hint = NOT_REGULAR, "save what it holds to a file and add that file"
        else:
            what, hint = "file not found", "check the path you gave to add"
        raise CorpusError(Problem(str(file), "", what, hint))
    raw = read_raw(file, cache_dir=raw_dir.parent / "processed" / "extract-cache")
    problems: list[Problem] = []
    given_title = title is not None or bool(title_en)
    title, title_en = clean_title(title or ""), clean_title(title_en)
    if given_title and not (title or title_en):
        problems.append(
            Problem(
                "--title",
                "",
                "the title is empty",
                "give the document's own title, e.g. --title '国家网络空间安全战略', "
                "or leave --title out to use the title the capture shows",
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
    target = raw_dir / name
    if target.exists():
        problems.append(
            Problem(
                str(file),
                "",
                f"{name} already exists in raw/",
                "rename the new file; raw captures are never overwritten",
            )
        )
    planned = _Planned(file, target, name, [], [])
    pages = raw.pages or []
    for page in pages:
        found = with_file_name(page_inferred(raw, page), file.name, pages=len(pages))
        zh, en = (title, title_en) if count_cjk(title) else (title_en, title)
        shown = en or zh or found.get("title", "")
        wid = work_id if work_id and len(pages) == 1 else None
        wid = wid or _free_id(shown, date or found.get("date", ""), file, taken_ids)
        if wid in taken_ids:
            problems.append(
                Problem(
                    WORKS_FILE,
                    "",
                    f"work_id {wid!r} exists ({taken_ids[wid]})",
                    "pass --work-id with a new id",
                )
            )
        taken_ids[wid] = name
        planned.works.append(
            {
                "work_id": wid,
                "title_zh": zh,
                "title_en": en,
                "date": date,
                "issuer": issuer,
                "genre": genre,
                "include": "true",
            }
        )
        span = len(pages) > 1
        planned.captures.append(
            {
                "source_file": name,
                "work_id": wid,
                "line_start": page.line_start if span else "",
                "line_end": page.line_end if span else "",
            }
        )
        planned.review.append(_review_row(file, name, wid, raw, page, found, shown, date, issuer))
    return planned, problems


def _review_row(
    file: Path, name: str, wid: str, raw, page, found: dict, title: str, date: str, issuer: str
) -> dict:
    a, b = page.line_start - 1, page.line_end
    lines, given = raw.lines[a:b], (raw.given or [None] * len(raw.lines))[a:b]
    kept = sum(len(t) for t, g in zip(lines, given) if g is None)
    visible = sum(len(t) for t in lines) or 1
    return {
        "file": name,
        "collection": collection_of(name),
        "work_id": wid,
        "title": title,
        "title_inferred": not bool(title) or title == found.get("title"),
        "date": date or found.get("date", ""),
        "date_kind": "given" if date else found.get("date_kind", ""),
        "date_evidence": "" if date else found.get("date_evidence", ""),
        "date_candidates": int(found.get("date_candidates", 0)),
        "date_in_file_name": "" if date else found.get("date_in_file_name", ""),
        "issuer": issuer or found.get("source", ""),
        "chars_kept": kept,
        "share_discarded": 1 - kept / visible,
        "last_line": next((t for t, g in zip(reversed(lines), reversed(given)) if g is None), ""),
        "n_lines": len(lines),
        "has_prose": any(
            g is None and count_cjk(t) >= 20 and re.search(r"[。！？!?]", t)
            for t, g in zip(lines, given)
        ),
        "sha256": raw.sha256,
        "n_bytes": file.stat().st_size,
        "encoding": raw.encoding,
        "records_not_http": page.meta.get("records_not_http", ""),
        "records_misaligned": page.meta.get("records_misaligned", ""),
    }


def _free_id(title: str, date: str, file: Path, taken: dict[str, str]) -> str:
    """The shortest slug no other work holds; a numbered one only when the whole title
    is taken (a copy, or the same title another year)."""
    for limit in ID_LENGTHS:
        wid = make_work_id(title, date, file, max_chars=limit)
        if wid not in taken:
            return wid
    return unique_id(make_work_id(title, date, file), taken)


def unique_id(wid: str, taken: dict[str, str]) -> str:
    """``wid``, or ``wid-2``, ``wid-3`` ... when it is taken (stable for the same corpus)."""
    if wid not in taken:
        return wid
    n = 2
    while f"{wid}-{n}" in taken:
        n += 1
    return f"{wid}-{n}"


READ_AHEAD_FROM = 64  # files: below this, starting worker processes costs more than it saves


@contextmanager
def _reading_ahead(files: list[Path], cache_dir: Path):
    """Read many captures on every core while they are checked here in order: their
    visible lines and inferred values land in the extraction cache, and ``wait(k)``
    (what this gives) returns once file ``k`` has been read ahead, so the check of each
    file overlaps the reading of those after it. A file that fails there is read again
    here and refused with its message."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    todo = [k for k, f in enumerate(files) if f.is_file() and is_cached(f.name)]
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < READ_AHEAD_FROM or workers < 2:
        yield lambda k: None
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(workers) as pool:
        read = pool.map(
            _read_quietly,
            [str(files[k]) for k in todo],
            [str(cache_dir)] * len(todo),
            chunksize=16,
        )
        pending = iter(todo)
        done = -1  # the last file known to be read ahead

        def wait(k: int) -> None:
            nonlocal done
            while done < k:
                done = next(pending, len(files))
                if done < len(files):
                    next(read)

        yield wait
        wait(len(files))  # every task finished before the pool closes


def _read_quietly(path: str, cache_dir: str) -> None:
    import contextlib

    # A failure is reported when the file is read again, in order, and refused there.
    with contextlib.suppress(Exception):
        read_raw(Path(path), cache_dir=Path(cache_dir))


def _existing_works(raw_dir: Path) -> dict[str, Work]:
    """The works already listed; an unusable works.csv stops here, before anything is
    written."""
    if not (raw_dir / WORKS_FILE).is_file():
        return {}
    problems: list[Problem] = []
    works = read_works(raw_dir, problems)
    if works is None:
        raise CorpusError(problems)  # appending to a file we cannot read would damage it
    return works


def _taken_ids(works: dict[str, Work]) -> dict[str, str]:
    """Work id -> where it is taken."""
    return {wid: f"{WORKS_FILE} row {w.row}" for wid, w in works.items()}


def _write(raw_dir: Path, planned: list[_Planned]) -> bool:
    """Stage every capture and both metadata files, then move them into ``raw/`` at once
    (see :mod:`.staging`). True when Ctrl-C came during the moves, which were finished."""
    from .staging import Transaction

    raw_dir.mkdir(parents=True, exist_ok=True)
    works = _appended(raw_dir / WORKS_FILE, WORK_COLUMNS, [w for p in planned for w in p.works])
    captures = _appended(
        raw_dir / CAPTURES_FILE, CAPTURE_COLUMNS, [c for p in planned for c in p.captures]
    )
    with Transaction(raw_dir.parent) as staged:
        for p in planned:
            try:
                staged.stage_file(p.name, lambda tmp, src=p.source: shutil.copyfile(src, tmp))
            except OSError as exc:
                raise CorpusError(_copy_problem(p.source, exc)) from None
        try:
            staged.stage_metadata(WORKS_FILE, works)
            staged.stage_metadata(CAPTURES_FILE, captures)
        except OSError as exc:
            raise CorpusError(_copy_problem(raw_dir / WORKS_FILE, exc)) from None
        staged.commit()
    return staged.interrupted


def _copy_problem(path: Path, exc: OSError) -> Problem:
    from .errors import os_error_reason

    reason, hint = os_error_reason(exc)
    return Problem(
        str(path),
        "",
        f"could not be copied into the data folder: {reason}",
        f"{hint}; nothing was added, raw/ is as it was",
    )


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files named, the supported captures inside folders named (recursively, sorted), and
    the matches of quoted globs; a path that matches nothing is kept, so ``add`` can say so.
    """
    return [file for file, _ in expand_captures(paths)]


# A folder's own documentation, not a capture: left out of a folder (named alone, added).
_FOLDER_DOCS = re.compile(r"^(readme|license|licence|changelog|contributing)(\.[a-z]+)?$", re.I)


def expand_captures(
    paths: list[str | Path], *, skipped: list[tuple[Path, str]] | None = None
) -> list[tuple[Path, str]]:
    """As :func:`expand_paths`, each file with the name it takes under ``raw/``: a file
    named alone keeps its name; a file found in a folder keeps its path below that folder,
    under the folder's own name (``laws/民法典/人格权编.md``), so two folders' files of one
    name never meet and the folders stay as the researcher had them. A folder's
    ``README.md`` (or licence) is left out, with the reason appended to ``skipped``."""
    import glob

    from .ingest.formats import SUPPORTED, suffix_of

    out: dict[Path, tuple[Path, str]] = {}  # by the file it is: one folder named twice
    left_out = skipped if skipped is not None else []
    folders_seen: set[Path] = set()
    for item in paths:
        path = Path(item).expanduser()
        if path.is_dir():
            root = path.resolve()
            if root in folders_seen:  # named twice: its files and left-outs are listed once
                continue
            folders_seen.add(root)
            for p in sorted(_walk(path, left_out)):  # links to folders are not entered
                why = _not_followed(p, root)
                if why:
                    left_out.append((p, why))
                elif p.is_dir() or suffix_of(p.name) not in SUPPORTED or p.name.startswith("."):
                    continue
                elif _FOLDER_DOCS.match(p.name):
                    left_out.append((p, "the folder's own documentation, not a capture"))
                else:
                    parts = (root.name, *p.relative_to(path).parts)
                    name = "/".join(safe_file_name(part) for part in parts)
                    out.setdefault(p.resolve(), (p, name))
        elif not path.exists() and any(ch in str(item) for ch in "*?["):
            for p in sorted(Path(p) for p in glob.glob(str(path), recursive=True)):
                out.setdefault(p.resolve(), (p, safe_file_name(p.name)))
        else:  # named alone: taken as named, a link followed as the user asked
            out.setdefault(path.resolve(), (path, safe_file_name(path.name)))
    return list(out.values())


NOT_REGULAR = "not a regular file (a pipe, a socket or a device)"


MAX_FOLDER_DEPTH = 64  # folders below the one given; a corpus nests a few, a loop or a trap 1,000s


def _walk(folder: Path, left_out: list) -> list[Path]:
    """Everything under ``folder``, as ``rglob("*")`` lists it (links to folders are not
    entered), without recursion: ``rglob`` runs out of stack 1,000 folders down. A
    folder deeper than :data:`MAX_FOLDER_DEPTH` is left out by name."""
    import os

    found: list[Path] = []
    stack = [(folder, 0)]
    while stack:
        current, depth = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                path = Path(entry.path)
                found.append(path)
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if depth + 1 < MAX_FOLDER_DEPTH:
                    stack.append((path, depth + 1))
                else:
                    why = f"a folder nested more than {MAX_FOLDER_DEPTH} deep: not entered"
                    left_out.append((path, why))
    return found


def _not_followed(path: Path, root: Path) -> str | None:
    """Why a path found in a folder is not read at all: a symbolic link leading out of
    the folder, or not a regular file nor a folder; None for anything else."""
    if path.is_symlink():
        target = path.resolve()
        if root != target and root not in target.parents:
            return f"a symbolic link to {target}, outside the folder given: not followed"
    if not (path.is_dir() or path.is_file()):
        return NOT_REGULAR
    return None


def add_capture(
    data_dir: Path,
    file: Path,
    *,
    title: str | None = None,
    date: str = "",
    title_en: str = "",
    issuer: str = "",
    genre: str = "",
    work_id: str | None = None,
) -> str:
    """Copy ``file`` into ``data_dir/raw`` and append its works and captures rows.

    Everything is validated before anything is written. Returns the (first) work id.
    Without ``title`` or ``date`` the build uses what the capture says of itself.

    Raises
    ------
    CorpusError
        Unreadable file, a name already taken, an impossible date, a duplicate id.
    """
    return add_captures(
        data_dir,
        [Path(file)],
        title=title,
        date=date,
        title_en=title_en,
        issuer=issuer,
        genre=genre,
        work_id=work_id,
    ).added[0]["work_id"]


@dataclass
class Added:
    """What :func:`add_captures` did: one review row per work added, and what it refused."""

    added: list[dict]
    refused: list[Problem]
    recovered: str | None = None  # how an earlier, interrupted add was finished or undone
    interrupted: bool = False  # Ctrl-C came while the files were moved in (all were)
    created: bool = False  # the data folder did not exist: a new corpus


def add_captures(
    data_dir: Path,
    files: list[Path] | list[tuple[Path, str]],
    *,
    title: str | None = None,
    date: str = "",
    title_en: str = "",
    issuer: str = "",
    genre: str = "",
    work_id: str | None = None,
    announce=None,
) -> Added:
    """Add many captures at once; every file is checked before anything is written.

    ``files``: paths (each stored under its own name at the top of ``raw/``) or
    ``(path, name under raw/)`` pairs, as :func:`expand_captures` gives them for
    folders. A file that cannot be added (unreadable, name taken ...) is refused with its
    problems and the others are added. ``title``, ``title_en`` and ``work_id``
    belong to one file and are refused for several. Raises only when nothing
    can be added.

    The add holds a lock on the data folder (a second add waits, ``announce``
    saying so, then sees the first one's captures) and is a transaction
    (:mod:`.staging`): ``raw/`` ends as before it or as after it, whatever
    interrupts it. A folder that does not exist is created as a new corpus.
    """
    raw_dir = raw_dir_of(Path(data_dir))
    files = [f if isinstance(f, tuple) else (Path(f), safe_file_name(Path(f).name)) for f in files]
    if len(files) > 1 and (title is not None or title_en or work_id):
        raise CorpusError(
            Problem(
                "--title/--work-id",
                "",
                f"given for {len(files)} files; a title or an id belongs to one file",
                "add the files one by one with --title, or leave --title out: each "
                "capture's own title is used",
            )
        )
    data_dir = Path(data_dir)
    created = not data_dir.exists()
    with _creating(data_dir, announce) if created else AddLock(data_dir, announce=announce):
        recovered = recover(data_dir)
        cache = data_dir / "processed" / "extract-cache"
        with _reading_ahead([f for f, _ in files], cache) as read_ahead:
            planned, refused = _plan_all(
                raw_dir, files, title, date, title_en, issuer, genre, work_id, read_ahead
            )
        interrupted = _write(raw_dir, planned)
    return Added(
        [row for p in planned for row in p.review], refused, recovered, interrupted, created
    )


def _plan_all(raw_dir, files, title, date, title_en, issuer, genre, work_id, read_ahead=None):
    """Every file checked against the corpus as it stands (read under the add lock) and
    against the others; the planned captures and the problems of the refused.
    ``read_ahead(k)`` waits until file ``k`` is in the extraction cache."""
    existing = _existing_works(raw_dir)
    taken = _taken_ids(existing)
    known = _Known.of(raw_dir, existing)
    planned, refused = [], []
    inside = raw_dir.parent.resolve()
    for k, (file, name) in enumerate(files):
        if read_ahead is not None:
            read_ahead(k)
        if inside in file.resolve().parents:
            refused.append(
                Problem(
                    str(file),
                    "",
                    "already in the raw folder (or the built outputs) of this corpus",
                    "add captures from outside the data folder",
                )
            )
            continue
        try:
            plan, problems = _plan(
                raw_dir,
                file,
                name,
                dict(taken),
                title=title,
                date=date,
                title_en=title_en,
                issuer=issuer,
                genre=genre,
                work_id=work_id,
            )
        except CorpusError as exc:
            refused.extend(exc.problems)
            continue
        if problems:
            refused.extend(problems)
            continue
        if plan.name in {p.name for p in planned}:
            refused.append(Problem(str(file), "", f"{name} is in the list twice", "rename one"))
            continue
        for row in plan.review:
            row["flags"] = review_flags(row, known)
            known.remember(row)
        taken.update({w["work_id"]: name for w in plan.works})
        planned.append(plan)
    if not planned:
        raise CorpusError(
            refused
            or Problem(
                "add",
                "",
                "no capture to add (the folder is empty or holds no supported file)",
                "name files, folders or quoted globs of .txt .md .html .mhtml .pdf .docx "
                ".warc .warc.gz .wacz captures",
            )
        )
    return planned, refused


@contextmanager
def _creating(data_dir: Path, announce):
    """A new data folder, made and locked; removed again when nothing was added to it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with AddLock(data_dir, announce=announce) as lock:
            yield lock
    except BaseException:
        if not (data_dir / "raw").exists():
            shutil.rmtree(data_dir, ignore_errors=True)
        raise


@dataclass
class _Known:
    """Captures already in the corpus (and those added before in the same call), to flag
    duplicates. Raw files are hashed only when a new file has their size, so adding one
    capture to a large corpus does not read every file in it."""

    raw_dir: Path
    by_size: dict[int, list[Path]]
    hashes: dict[str, str]  # sha256 -> the raw file (or the work added in this call)
    titles: dict[str, str]  # title key -> work id
    families: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {date: id}

    @classmethod
    def of(cls, raw_dir: Path, works: dict[str, Work]) -> _Known:
        by_size: dict[int, list[Path]] = {}
        for _, path in raw_files(raw_dir):
            by_size.setdefault(path.stat().st_size, []).append(path)
        known = cls(raw_dir, by_size, {}, {})
        for wid, title, date, issuer in _titled_works(raw_dir, works):
            if len(match_key(title)) >= 4:
                known.titles.setdefault(match_key(title), wid)
            if key := family_key(title, issuer):
                known.families.setdefault(key, {}).setdefault(date, wid)
        return known

    def other_version(self, title: str, date: str, issuer: str) -> str | None:
        """A work in the corpus that is another version (same document, another date)."""
        family = self.families.get(family_key(title, issuer), {})
        others = {d: w for d, w in family.items() if d != date}
        return f"{others[max(others)]} ({max(others)})" if date and others else None

    def same_file(self, sha256: str, size: int) -> str | None:
        for path in self.by_size.pop(size, []):
            name = path.relative_to(self.raw_dir).as_posix()
            self.hashes.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), name)
        return self.hashes.get(sha256)

    def same_title(self, title: str) -> str | None:
        key = match_key(title)
        return self.titles.get(key) if len(key) >= 4 else None

    def remember(self, row: dict) -> None:
        self.same_file(row["sha256"], row["n_bytes"])  # hash the raw files of its size first
        self.hashes.setdefault(row["sha256"], row["work_id"])
        self.titles.setdefault(match_key(row["title"]), row["work_id"])
        if key := family_key(row["title"], row["issuer"]):
            self.families.setdefault(key, {}).setdefault(row["date"], row["work_id"])


def _titled_works(raw_dir: Path, works: dict[str, Work]) -> list[tuple[str, str, str, str]]:
    """(work id, title, date, issuer) of the works in the corpus: from the last build,
    whose values were inferred, else (not built, or an older build) works.csv's."""
    from .storage import read_works

    try:
        table = read_works(raw_dir.parent, ["work_id", "title_zh", "title_en", "date", "issuer"])
    except (OSError, ValueError, KeyError):
        rows = [(wid, w.title_zh, w.title_en, w.date, w.issuer) for wid, w in works.items()]
    else:
        rows = list(table.itertuples(index=False))
    return [(wid, t, date, issuer) for wid, zh, en, date, issuer in rows for t in (zh, en) if t]


_TRUNCATED = re.compile(r"(\.\.\.|…|未完|待续|展开全文|阅读全文|查看全文|点击查看更多)\s*$")
_SENTENCE_END = re.compile(r"[。！？!?.…”」』》)）]\s*$")
_MISREAD = re.compile(r"mojibake|replaced")  # set by ingest.encodings
SHORT_TEXT = 200  # characters of main text under which a capture is flagged


def review_flags(row: dict, known: _Known) -> list[str]:
    """What a researcher should check before trusting a capture's values."""
    flags = []
    if not row["date"]:
        flags.append("no date found")
    elif row["date_kind"] not in ("given", *HEADER_KINDS) and row["date_candidates"] > 1:
        flags.append(f"{row['date_candidates']} candidate dates")
    named = row.get("date_in_file_name", "")
    if row["date_kind"] == "file_name":
        flags.append(f"dated by its {row['date_evidence'][:140]}")
    elif (
        named
        and row["date"]
        and not named.startswith(row["date"])
        and not same_text_day(row["date_kind"], row["date"], named)  # its publication: agrees
    ):
        flags.append(f"file name says {named}, the text {row['date']} (the text's is used)")
    if _MISREAD.search(row.get("encoding", "")):
        flags.append(f"decoded as {row['encoding']}: read it before trusting it")
    if row["chars_kept"] < SHORT_TEXT:
        flags.append(f"main text under {SHORT_TEXT} characters")
    if row["n_lines"] >= 40 and not row["has_prose"]:
        flags.append("looks like a list or portal page")
    last = row["last_line"].strip()
    if _TRUNCATED.search(last) or (len(last) > 40 and not _SENTENCE_END.search(last)):
        flags.append("looks truncated")
    if row.get("records_not_http"):
        flags.append(f"the archive's {row['records_not_http']}, were left out")
    if row.get("records_misaligned"):
        flags.append(f"the archive has {row['records_misaligned']}")
    if same := known.same_file(row["sha256"], row["n_bytes"]):
        flags.append(f"same file as {same}")
    elif other := known.other_version(row["title"], row["date"], row["issuer"]):
        flags.append(f"another version of {row['title'][:40]} is in the corpus: {other}")
    elif same := known.same_title(row["title"]):
        flags.append(f"same title as work {same}")
    return flags


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
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    with AddLock(Path(data_dir)):
        recover(Path(data_dir))
        return _import_rows(raw_dir, tsv, rows, prefix, title, title_en, issuer, genre)


def _import_rows(raw_dir, tsv, rows, prefix, title, title_en, issuer, genre) -> list[str]:
    import tempfile

    problems: list[Problem] = []
    taken = _taken_ids(_existing_works(raw_dir))
    planned: list[_Planned] = []
    with tempfile.TemporaryDirectory() as tmp:
        for no, year, text in rows:
            src = Path(tmp) / f"{tsv.stem}_{year}.txt"
            src.write_text(text + "\n", encoding="utf-8")
            plan, found = _plan(
                raw_dir,
                src,
                src.name,
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
