"""Errors and problem reports that name the file, the row or line, and what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in the raw data or the curated metadata."""

    file: str
    where: str  # "row 3", "line 12" or "" for the whole file
    message: str
    hint: str = ""
    severity: str = "error"  # "error" stops a build; "warning" is reported only
    fields: tuple[tuple[str, str], ...] = ()  # the same, as columns of a table (inferred values)

    def __str__(self) -> str:
        place = f"{self.file}, {self.where}" if self.where else self.file
        text = f"{self.severity.upper()}: {place}: {self.message}"
        return f"{text}\n    -> {self.hint}" if self.hint else text


class CorpusError(Exception):
    """Raised when raw data or metadata cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def os_error_reason(exc: OSError) -> tuple[str, str]:
    """What a failure of the machine (a full disk, permissions, a read-only folder) means,
    and what to do about it, in the words every message uses."""
    import errno

    reasons = {
        errno.ENOSPC: ("the disk is full", "free some space, then run the command again"),
        errno.EDQUOT: ("the disk quota is used up", "free some space, then run it again"),
        errno.EACCES: ("permission denied", "use a data folder you may write to (--data-dir)"),
        errno.EPERM: ("operation not permitted", "use a data folder you may write to"),
        errno.EROFS: ("the file system is read-only", "copy the data folder somewhere writable"),
        errno.ENOENT: ("no such file or folder", "check the path"),
        errno.ENOTDIR: ("a part of this path is not a folder", "check the path"),
        errno.EISDIR: ("is a folder, not a file", "name a file"),
    }
    return reasons.get(
        exc.errno, (exc.strerror or str(exc), "check the path and the disk, then run it again")
    )
