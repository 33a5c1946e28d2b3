"""Partition planning: which works are built together.

Works are grouped into partitions of about ``PARTITION_BYTES`` of raw files,
in ``works.csv`` order; every copy of a work, and every work that shares a file
with it, stays in one partition, so each partition can be read, cleaned and
merged on its own (in a worker process or on a Dask cluster).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .metadata import Capture, Work

PARTITION_BYTES = 4_000_000  # raw bytes per partition: a fixed size, so parts are stable


@dataclass(frozen=True)
class Partition:
    """Works built together: all copies of a work, and all works sharing a file, in one."""

    number: int
    works: tuple[Work, ...]
    captures: tuple[Capture, ...]
    n_bytes: int

    @property
    def name(self) -> str:
        return f"part-{self.number:05d}"


def plan_partitions(
    works: dict[str, Work],
    captures: list[Capture],
    raw_dir: Path,
    *,
    max_bytes: int | None = None,
) -> list[Partition]:
    """Cut the corpus into partitions of about ``max_bytes`` of raw files.

    Works linked through a shared file stay together; groups keep the order of
    works.csv, so one partition of a small corpus holds everything in order.
    ``max_bytes`` defaults to ``PARTITION_BYTES``.
    """
    max_bytes = max_bytes or PARTITION_BYTES
    caps_of: dict[str, list[Capture]] = {}
    works_of_file: dict[str, list[str]] = {}
    for cap in captures:
        caps_of.setdefault(cap.work_id, []).append(cap)
        works_of_file.setdefault(cap.source_file, []).append(cap.work_id)
    group_of: dict[str, int] = {}
    groups: list[list[str]] = []
    for wid in works:  # connected components of the work-file graph, in works.csv order
        if wid in group_of:
            continue
        group, todo = [], [wid]
        group_of[wid] = len(groups)
        while todo:
            w = todo.pop()
            group.append(w)
            for cap in caps_of.get(w, []):
                for other in works_of_file[cap.source_file]:
                    if other not in group_of:
                        group_of[other] = len(groups)
                        todo.append(other)
        groups.append(group)
    parts: list[Partition] = []
    current: list[str] = []
    size = 0
    for group in groups:
        files = {c.source_file for w in group for c in caps_of.get(w, [])}
        group_bytes = sum(_file_size(raw_dir / f) for f in files)
        if current and size + group_bytes > max_bytes:
            parts.append(_partition(len(parts), current, works, caps_of, size))
            current, size = [], 0
        current.extend(group)
        size += group_bytes
    if current or not parts:
        parts.append(_partition(len(parts), current, works, caps_of, size))
    return parts


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _partition(number, work_ids, works, caps_of, size) -> Partition:
    order = {w: i for i, w in enumerate(works)}
    work_ids = sorted(work_ids, key=order.__getitem__)  # works.csv order within a partition
    return Partition(
        number,
        tuple(works[w] for w in work_ids),
        tuple(c for w in work_ids for c in caps_of.get(w, [])),
        size,
    )
