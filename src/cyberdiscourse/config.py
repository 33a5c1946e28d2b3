"""Where the data lives, and where a corpus's figures and reports go.

``--data-dir``, else ``$CYBERDISCOURSE_DATA_DIR``, else this repository's ``data/``.
The repository's own corpus writes to its ``figures/`` and ``reports/``; any other
corpus to ``<data_dir>/figures`` and ``<data_dir>/reports``, so two corpora never
overwrite each other's outputs.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

ENV_VAR = "CYBERDISCOURSE_DATA_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data folder to use (it holds ``raw/`` and ``processed/``)."""
    if data_dir:
        return Path(data_dir).expanduser().resolve()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser().resolve()
    return (REPO_ROOT / "data").resolve()


def raw_dir_of(data_dir: Path) -> Path:
    return Path(data_dir) / "raw"


def processed_dir_of(data_dir: Path) -> Path:
    return Path(data_dir) / "processed"


def outputs_dir_of(data_dir: Path, kind: str) -> Path:
    """Where a corpus's ``kind`` of output (``"figures"`` or ``"reports"``) goes."""
    data_dir = Path(data_dir).expanduser().resolve()
    if data_dir == (REPO_ROOT / "data").resolve():
        return REPO_ROOT / kind
    return data_dir / kind


def command(words: str, data_dir: Path | str | None = None) -> str:
    """A command line to print as a hint, with the ``--data-dir`` it needs (none for the
    repository's own corpus), so that it works when copied as written."""
    line = f"cyberdiscourse {words}"
    if data_dir is None or Path(data_dir).resolve() == resolve_data_dir():
        return line
    return f"{line} --data-dir {shlex.quote(str(data_dir))}"
