"""The review table ``add`` prints: what was inferred for each capture, and what to check."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path


def width(text: str) -> int:
    """Columns a string takes in a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, cols: int) -> str:
    """``text`` cut (with …) and padded to exactly ``cols`` terminal columns."""
    indent = len(str(text)) - len(str(text).lstrip(" "))
    text = " " * indent + " ".join(str(text).split())
    if width(text) > cols:
        out = ""
        for ch in text:
            if width(out + ch) > cols - 1:
                break
            out += ch
        text = out + "…"
    return text + " " * (cols - width(text))


def review_table(rows: list[dict], *, width: int = 100) -> str:
    """Two or three lines per work, readable in a ``width``-column terminal:

    file, work id, date, date kind, characters kept, share discarded; then the
    title, the issuer and the date's evidence; then the flags, if any. Works without
    a date come first: every analysis over time leaves them out until one is given.
    """
    width_ = max(80, min(width, 160))
    head = (
        f"{fit('file', 24)} {fit('work id', 28)} {fit('date', 10)} {fit('kind', 12)} "
        f"{'kept':>6} {'disc':>5}"
    )
    out = [head, "-" * min(width_, len(head) + 2)]
    for r in sorted(rows, key=lambda r: bool(r["date"])):  # stable: undated first
        out.append(
            f"{fit(r['file'], 24)} {fit(r['work_id'], 28)} {fit(r['date'] or '-', 10)} "
            f"{fit(r['date_kind'] or '-', 12)} {r['chars_kept']:>6} "
            f"{r['share_discarded']:>5.0%}"
        )
        inferred = " (inferred)" if r["title_inferred"] and r["title"] else ""
        detail = f"  title: {r['title'] or '-'}{inferred}"
        if r["issuer"]:
            detail += f" · issuer: {r['issuer']}"
        out.append(fit(detail, width_ - 1).rstrip())
        if r["date_evidence"]:
            out.append(fit(f"  date from: {r['date_evidence']}", width_ - 1).rstrip())
        if r.get("flags"):
            out.append(fit("  CHECK: " + "; ".join(r["flags"]), width_ - 1).rstrip())
    return "\n".join(out)


# The kind of each flag review_flags (curate) writes, for counting them.
_FLAG_KINDS = (
    ("no date found", "no date found"),
    ("candidate dates", "several candidate dates"),
    ("dated by its", "dated by the file name"),
    ("file name says", "file name and text disagree on the date"),
    ("decoded as", "encoding to check"),
    ("main text under", "short main text"),
    ("looks like a list", "list or portal page"),
    ("looks truncated", "looks truncated"),
    ("same file as", "same file as another"),
    ("another version of", "another version in the corpus"),
    ("same title as", "same title as another work"),
    ("not over HTTP", "archive records left out"),
)
REVIEW_ROWS_SHOWN = 40  # works shown in the terminal; all of them go to the CSV


def flag_kind(flag: str) -> str:
    return next((kind for start, kind in _FLAG_KINDS if start in flag), flag.split(":")[0])


def review_summary(rows: list[dict], refused: list) -> str:
    """The head of the review: files, works, flags by kind, refused."""
    files = {r["file"] for r in rows}
    kinds = Counter(flag_kind(f) for r in rows for f in r.get("flags", []))
    flagged = sum(bool(r.get("flags")) for r in rows)
    lines = [
        f"Review: {len(files)} file(s) added as {len(rows)} work(s); {flagged} work(s) to "
        f"check; {len(refused)} problem(s) refused."
    ]
    lines += [f"  {n:>6}  {kind}" for kind, n in kinds.most_common()]
    return "\n".join(lines)


def review_rows(rows: list[dict], refused: list) -> list[dict]:
    """One row per work added and per problem refused, for the review's CSV."""
    out = [
        {
            "status": "added",
            **{k: v for k, v in r.items() if k not in ("flags", "last_line")},
            "flags": "; ".join(r.get("flags", [])),
        }
        for r in sorted(rows, key=lambda r: bool(r["date"]))
    ]
    out += [
        {"status": "refused", "file": p.file, "flags": f"{p.message} -> {p.hint}"} for p in refused
    ]
    return out


def inferred_summary(rows: list[dict]) -> str:
    """Inferred values by field (dates by kind too), with counts."""
    fields = Counter(r["field"] for r in rows)
    dates = Counter(r.get("kind") or "-" for r in rows if r["field"] == "date")
    lines = ["Inferred, not yet confirmed:"]
    for name, n in fields.most_common():
        detail = ""
        if name == "date" and dates:
            detail = " (" + ", ".join(f"{k} {v}" for k, v in dates.most_common()) + ")"
        lines.append(f"  {n:>6}  {'issuer' if name == 'source' else name}{detail}")
    return "\n".join(lines)


def write_table(rows: list[dict], data_dir: Path, name: str) -> Path:
    """Write ``rows`` as CSV (UTF-8 with a BOM, for spreadsheets) into the corpus's
    reports folder, atomically; returns the path."""
    import pandas as pd

    from .config import outputs_dir_of
    from .io import write_csv

    return write_csv(pd.DataFrame(rows), outputs_dir_of(data_dir, "reports") / name)
