"""Score a built corpus against gold annotations of its captures.

A gold file (``gold.jsonl``, one JSON object per captured file) says what a
page's main text is (``must_include`` strings), what is furniture
(``must_exclude``), and the document's ``title`` and ``date`` (with
``date_traps``: dates in the file that are not the document's). The scoring rule:

- texts are compared after NFKC and removal of all whitespace;
- main text found = share of ``must_include`` strings in the work's paragraphs;
- furniture left = share of ``must_exclude`` strings in them;
- a document is clean when all its ``must_include`` strings are present and
  none of its ``must_exclude``;
- date right = the work's date equals the gold date at the gold's precision;
  a date equal to a trap is a trap taken;
- title right = the work's title equals the gold title; for a file that holds one
  book of a code, the code's title with the book's name after it ("中华人民共和国民法典
  人格权编") is the fuller form the gold notes accept.

For every ``must_include`` string that is missing, :func:`lost_text` names the
discard reasons of the lines that held it, so each line rule can be checked
for the text it wrongly removes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd

_WHITESPACE = re.compile(r"\s+")


def gold_key(text: str) -> str:
    """NFKC, then every whitespace character removed: the form texts are compared in."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def load_gold(folder: Path) -> list[dict]:
    """The records of ``folder/gold.jsonl``, each with ``path`` (the capture) added."""
    folder = Path(folder)
    records = []
    for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            record["path"] = folder / record["file"]
            records.append(record)
    return records


def work_id_for(record: dict) -> str:
    """A work id from a gold record's id (lower-case slug)."""
    return re.sub(r"[^a-z0-9_-]+", "-", record["id"].lower()).strip("-")


def works_by_file(documents: pd.DataFrame) -> dict[str, str]:
    """The work each captured file was added as (a file that is one page, one work)."""
    return dict(zip(documents["source_file"], documents["work_id"]))


def _work_texts(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each work's paragraphs in order, joined, in the compared form."""
    paragraphs = tables["paragraphs"].sort_values(["work_id", "position"])
    return {wid: gold_key("".join(g["text"])) for wid, g in paragraphs.groupby("work_id")}


def _work_of(record: dict, by_file: dict[str, str]) -> str:
    return by_file.get(Path(record["file"]).name, work_id_for(record))


def _date_matches(found: str, gold: str) -> bool:
    return bool(found) and found[: len(gold)] == gold


def score_documents(data_dir: Path, records: list[dict]) -> pd.DataFrame:
    """One row per gold record: found, furniture, clean, date and title, scored as above."""
    from .corpus import load_processed

    tables = load_processed(data_dir)
    works = tables["works"].set_index("work_id")
    text_of = _work_texts(tables)
    by_file = works_by_file(tables["documents"])
    rows = []
    for record in records:
        wid = _work_of(record, by_file)
        text = text_of.get(wid, "")
        include = [gold_key(s) for s in record.get("must_include", [])]
        exclude = [gold_key(s) for s in record.get("must_exclude", [])]
        found = [s in text for s in include]
        left = [s in text for s in exclude]
        work = works.loc[wid] if wid in works.index else None
        date = "" if work is None else str(work["date"] or "")
        title = "" if work is None else str(work["title_zh"] or work["title_en"] or "")
        traps = [_iso_or_empty(t) for t in record.get("date_traps") or []]
        rows.append(
            {
                "id": record["id"],
                "work_id": wid,
                "n_include": len(include),
                "n_found": sum(found),
                "n_exclude": len(exclude),
                "n_left": sum(left),
                "clean": all(found) and not any(left),
                "gold_date": record.get("date") or "",
                "date": date,
                "date_right": _date_matches(date, record["date"]) if record.get("date") else None,
                "trap_taken": _trap_taken(date, record.get("date") or "", traps),
                "gold_title": record.get("title", ""),
                "title": title,
                "title_right": title_matches(title, record.get("title", "")),
            }
        )
    return pd.DataFrame(rows)


_BOOK_NAME = re.compile(r"^[·・]?(第[一二三四五六七八九十]+编)?\S{0,8}(编|分编|总则|附则)$")


def title_matches(title: str, gold: str) -> bool:
    """The gold title, or a code's title with the book the file holds (see module doc)."""
    found, wanted = gold_key(title), gold_key(gold)
    if found == wanted:
        return True
    return found.startswith(wanted) and bool(_BOOK_NAME.match(found[len(wanted) :]))


def _trap_taken(date: str, gold: str, traps: list[str]) -> bool:
    """The date found is one of the dates the gold names as traps (and not the right one)."""
    if not date or (gold and _date_matches(date, gold)):
        return False
    return any(t and (date.startswith(t) or t.startswith(date)) for t in traps)


def _iso_or_empty(text: str) -> str:
    from .dates import find_dates

    found = find_dates(text)
    return found[0].date if found else ""


def lost_text(data_dir: Path, records: list[dict]) -> pd.DataFrame:
    """Each missing ``must_include`` string with the discard reasons of the lines it was on.

    Columns: ``id``, ``string``, ``reasons`` (``;``-joined, empty when the string
    was on no line of the capture as read, e.g. lost by the reader itself).
    """
    from .corpus import load_processed
    from .readers import read_raw

    tables = load_processed(data_dir)
    discarded = tables["discarded"]
    discarded = discarded[~discarded["partial"]]
    text_of = _work_texts(tables)
    by_file = works_by_file(tables["documents"])
    rows = []
    for record in records:
        wid = _work_of(record, by_file)
        missing = [
            s for s in record.get("must_include", []) if gold_key(s) not in text_of.get(wid, "")
        ]
        if not missing:
            continue
        docs = tables["documents"]
        source = docs.loc[docs["work_id"] == wid, "source_file"]
        if source.empty:
            rows += [{"id": record["id"], "string": s, "reasons": "no capture"} for s in missing]
            continue
        lines = read_raw(Path(data_dir) / "raw" / source.iloc[0]).lines
        reason_of = dict(
            zip(
                discarded.loc[discarded["source_file"] == source.iloc[0], "line_no"],
                discarded.loc[discarded["source_file"] == source.iloc[0], "reason"],
            )
        )
        for s in missing:
            rows.append({"id": record["id"], "string": s, "reasons": _reasons(s, lines, reason_of)})
    return pd.DataFrame(rows, columns=["id", "string", "reasons"])


def _reasons(string: str, lines: list[str], reason_of: dict[int, str]) -> str:
    """Reasons of the lines a string sits on (it may span lines the reader split)."""
    key = gold_key(string)
    keys = [gold_key(line) for line in lines]
    joined, starts = "", []
    for k in keys:
        starts.append(len(joined))
        joined += k
    at = joined.find(key)
    if at < 0:
        return ""
    end = at + len(key)
    spanned = [i + 1 for i, s in enumerate(starts) if s < end and s + len(keys[i]) > at]
    return ";".join(sorted({reason_of.get(no, "kept") for no in spanned}))
