"""The review table ``add`` prints: what was inferred for each capture, and what to check."""

from __future__ import annotations

import unicodedata


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
