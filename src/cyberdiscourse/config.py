"""Where the data lives, and where a corpus's figures and reports go.

``--data-dir``, else ``$CYBERDISCOURSE_DATA_DIR``, else this repository's ``data/``.
The repository's own corpus writes to its ``figures/`` and ``reports/``; any other
corpus to ``<data_dir>/figures`` and ``<data_dir>/reports``, so two corpora never
overwrite each other's outputs.
"""

from __future__ import annotations

import os
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
