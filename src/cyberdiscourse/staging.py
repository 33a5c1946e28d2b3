"""``add`` as a transaction: ``raw/`` is as before an add or as after it, never between.

An add first copies every capture, and writes the new ``works.csv`` and
``captures.csv``, into a staging folder beside ``raw/`` (``<data>/.add-staging/``,
on the same file system). Its ``commit.json``, written last, is the commit point:
it lists the files to move. The moves are renames, done with Ctrl-C held back.
A command that finds a staging folder (every ``add``, ``build`` and ``check`` looks,
under the add lock) finishes the moves when ``commit.json`` is there and removes
the folder when it is not: an add killed while copying leaves ``raw/`` as it was,
one killed while moving is completed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Callable
from contextlib import contextmanager, suppress
from pathlib import Path

STAGING_DIR = ".add-staging"
COMMIT_FILE = "commit.json"
FILES_DIR = "files"
METADATA_FILES = ("works.csv", "captures.csv")


def staging_dir_of(data_dir: Path) -> Path:
    return Path(data_dir) / STAGING_DIR


def recover(data_dir: Path) -> str | None:
    """Finish or undo an add that was interrupted; a sentence saying which, or None.

    Call only while holding the :class:`.io.AddLock`: then no add is staging now.
    """
    staging = staging_dir_of(data_dir)
    if not staging.exists():
        return None
    commit = staging / COMMIT_FILE
    try:
        names = json.loads(commit.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        shutil.rmtree(staging)
        return (
            "an earlier add was interrupted before it wrote anything to raw/: "
            "its copies were removed, and raw/ is as it was before it"
        )
    _move_in(Path(data_dir), staging, names)
    return (
        f"an earlier add was interrupted while it moved its {len(names)} file(s) into raw/: "
        "the moves were finished, so that add is complete"
    )


def finish_interrupted(data_dir: Path, *, announce=None) -> str | None:
    """:func:`recover` under the add lock, for commands other than ``add`` (which holds the
    lock already): an add running now is waited for, not undone."""
    from .io import AddLock

    if not staging_dir_of(data_dir).exists():
        return None
    with AddLock(Path(data_dir), announce=announce):
        return recover(data_dir)


class Transaction:
    """The copies and metadata of one add, staged, then moved into ``raw/`` at once.

    ``interrupted`` is set when Ctrl-C (or SIGTERM) came while the moves ran: they are
    finished first, so the add is complete all the same.
    """

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.staging = staging_dir_of(data_dir)
        self.names: list[str] = []
        self.interrupted = False

    def __enter__(self) -> Transaction:
        shutil.rmtree(self.staging, ignore_errors=True)
        (self.staging / FILES_DIR).mkdir(parents=True)
        return self

    def __exit__(self, kind, *_exc) -> None:
        if kind is not None and not (self.staging / COMMIT_FILE).is_file():
            shutil.rmtree(self.staging, ignore_errors=True)  # nothing reached raw/

    def stage_file(self, name: str, write: Callable[[Path], None]) -> None:
        """Stage the file stored as ``raw/<name>``: ``write(path)`` writes its bytes."""
        target = self.staging / FILES_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
        self.names.append(name)

    def stage_metadata(self, file_name: str, data: bytes) -> None:
        (self.staging / file_name).write_bytes(data)

    def commit(self) -> None:
        """Write the commit point, then move everything into ``raw/``."""
        from .io import write_json

        # The staged bytes reach the disk before the commit point can: after a power cut,
        # a commit point on disk finds every file it lists whole. One sync of the file
        # systems rather than an fsync per file (after copying the laws' 1,563 files,
        # it took 0.04 s here).
        os.sync()
        write_json({"files": self.names}, self.staging / COMMIT_FILE)
        with _signals_held() as held:
            _move_in(self.data_dir, self.staging, self.names)
        self.interrupted = bool(held)


def _move_in(data_dir: Path, staging: Path, names: list[str]) -> None:
    """Move the staged files, then the metadata, into ``raw/``; what was moved already
    is passed over, so a second run after an interruption finishes the first."""
    raw = data_dir / "raw"
    for name in names:
        source = staging / FILES_DIR / name
        if source.exists():
            (raw / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, raw / name)
    for file_name in METADATA_FILES:  # last: a row never names a file not yet in raw/
        if (staging / file_name).exists():
            os.replace(staging / file_name, raw / file_name)
    shutil.rmtree(staging)


@contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM noted, not acted on, inside the block; yields the list of
    signals that came."""
    came: list[int] = []
    handlers = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Outside the main thread no handler can be set, and no signal arrives there.
        with suppress(ValueError):
            handlers[sig] = signal.signal(sig, lambda number, _frame: came.append(number))
    try:
        yield came
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
