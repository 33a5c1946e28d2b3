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
