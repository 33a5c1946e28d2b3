"""Atomic, reproducible writes: a reader never sees a half-written file, and the
same inputs give the same bytes."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{_head(path.name)}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; others may need to read it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _head(name: str, limit: int = 200) -> str:
    """The start of a file name, short enough that the temporary name beside it fits the
    file system's 255 bytes (a saved page's name may use nearly all of them)."""
    return name.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def write_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Write a DataFrame as Parquet (no index, zstd), atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    return write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_csv(df: pd.DataFrame, path: Path, *, encoding: str = "utf-8-sig") -> Path:
    """Write a DataFrame as CSV (no index) atomically; ``utf-8-sig`` by default, the BOM
    letting a spreadsheet read the Chinese right."""
    return write_atomic(path, lambda tmp: df.to_csv(tmp, index=False, encoding=encoding))


def write_json(obj: object, path: Path) -> Path:
    """Write JSON (sorted keys, UTF-8, trailing newline) atomically."""
    return write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n", path)


def umask() -> int:
    """The process umask (read without changing it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output(path: Path, *, data_dir: Path, force: bool = False, what: str = "output") -> Path:
    """Refuse an output the user named that would land in ``raw/`` or replace a file.

    ``raw/`` holds the captures and the curated metadata; only ``add`` writes
    there. An existing file is replaced only with ``force``.

    Raises
    ------
    CorpusError
        Naming the file and what to do instead.
    """
    from .errors import CorpusError, Problem

    path = Path(path).expanduser()
    raw = (Path(data_dir) / "raw").resolve()
    target = path.resolve()
    if target == raw or raw in target.parents:
        raise CorpusError(
            Problem(
                str(path),
                "",
                f"this {what} would be written into the raw data folder {raw}",
                "choose a path outside raw/: raw/ holds the captures and their metadata",
            )
        )
    if target.is_dir() and what == "file":
        raise CorpusError(
            Problem(str(path), "", "is a folder, not a file", "name a file, e.g. kwic.csv")
        )
    if target.exists() and not force and what == "file":
        raise CorpusError(
            Problem(
                str(path),
                "",
                "exists already and would be overwritten",
                "choose another name, or pass --force to replace it",
            )
        )
    return path


class FolderLock:
    """An exclusive lock held through a file beside what it guards.

    A second holder waits for the first (and says whose process it waits for).
    The kernel drops the lock when its holder dies, so a killed command never
    leaves a stale lock.
    """

    what = "command"  # what holds the lock, as the waiting message names it

    def __init__(self, path: Path, *, announce=None):
        self.path = Path(path)
        self.announce = announce
        self._fh = None

    def __enter__(self) -> BuildLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held until __exit__)
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            if self.announce:
                self.announce(
                    f"another {self.what} of this folder is running (process {holder}); "
                    "waiting for it to finish"
                )
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


class BuildLock(FolderLock):
    """An exclusive lock on a data folder's ``processed/`` while a build writes it.

    A second build of the same folder waits for the first, then finds the outputs up
    to date.
    """

    what = "build"

    def __init__(self, processed: Path, *, announce=None):
        super().__init__(Path(processed) / ".build.lock", announce=announce)


class AddLock(FolderLock):
    """An exclusive lock on a data folder's ``raw/`` while an ``add`` checks and writes
    it (or another command finishes an interrupted one): two adds at once would both
    find a name free and one capture would be lost."""

    what = "add"

    def __init__(self, data_dir: Path, *, announce=None):
        super().__init__(Path(data_dir) / ".add.lock", announce=announce)


def remove_leftovers(processed: Path) -> list[Path]:
    """Staging folders and temporary files an interrupted build left in ``processed/``.

    Call only while holding the :class:`BuildLock`: then no other build is writing them.
    """
    import shutil

    processed = Path(processed)
    found = sorted(processed.glob(".paragraphs-*")) + sorted(processed.glob(".*.old"))
    for folder in ("", "paragraphs"):
        found += sorted((processed / folder).glob(".*.tmp"))
    found += sorted((processed / "extracted").rglob(".*.tmp"))
    for path in found:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return found
