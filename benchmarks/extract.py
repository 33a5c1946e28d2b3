"""Real captures in: the whole add-and-build path on ``shared/corpora/real_captures``,
scored as its README says, beside trafilatura alone and GNE alone on the HTML pages.

For every folder: each file is added with nothing but the file (title and date
inferred), the corpus is built once in one process, and each document is scored
(main text found, furniture left, clean, date right, trap taken, title right; see
:mod:`cyberdiscourse.evaluate`). On the HTML pages the same scoring is applied to
the text trafilatura alone and GNE alone return for each page, timed in the same
run. Ingestion speed is given twice: pages per second of add + build on one core
with an empty extraction cache (start-up included), and pages per second of
reading pages once the process runs; the re-run is the build again with
nothing changed. Beside the dev-fit numbers, each folder is scored by leave-one-site-out
cross-validation (:mod:`extract_cv`): every threshold and furniture pattern fitted
without the pages of the site being scored, and the gap between the two.
Usage::

    python benchmarks/extract.py [--folders html_pages,markdown_captures,law_texts] [--no-cv]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
from extract_cv import cross_validate, gap_line, pattern_support

from cyberdiscourse.config import REPO_ROOT

REAL = REPO_ROOT.parent / "shared" / "corpora" / "real_captures"
FOLDERS = ("html_pages", "markdown_captures", "law_texts")
TARGETS = {"clean": 0.90, "furniture": 0.03, "found": 0.98, "dates": 0.95, "titles": 0.90}


def ours(folder: Path) -> tuple[pd.DataFrame, float, float, int]:
    """Scores of the whole path, its seconds (add + cold build), the warm re-run, pages."""
    from cyberdiscourse.corpus import build
    from cyberdiscourse.curate import add_captures, expand_paths
    from cyberdiscourse.evaluate import load_gold, score_documents

    records = load_gold(folder)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        add_captures(data, expand_paths([folder / "files"]))
        build(data, n_jobs=1)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        assert build(data, n_jobs=1).up_to_date
        warm = time.perf_counter() - start
        scores = score_documents(data, records)
    return scores, cold, warm, len(records)


def alone(folder: Path, name: str) -> tuple[pd.DataFrame, float]:
    """One extractor on its own: its text scored as a document's paragraphs would be."""
    from cyberdiscourse.evaluate import gold_key, load_gold
    from cyberdiscourse.ingest import maintext
    from cyberdiscourse.readers import decode_bytes

    rows, seconds = [], 0.0
    for record in load_gold(folder):
        html, _ = decode_bytes(record["path"].read_bytes(), name=record["file"])
        start = time.perf_counter()
        text = gold_key(maintext.RUNNERS[name](html))
        seconds += time.perf_counter() - start
        found = [gold_key(s) in text for s in record["must_include"]]
        left = [gold_key(s) in text for s in record["must_exclude"]]
        rows.append(
            {
                "n_include": len(found),
                "n_found": sum(found),
                "n_exclude": len(left),
                "n_left": sum(left),
                "clean": all(found) and not any(left),
            }
        )
    return pd.DataFrame(rows), seconds


def steady_rate(folder: Path, passes: int = 3) -> float:
    """Pages per second of reading a page into visible lines with its main text decided and
    its metadata inferred (both extractors), in a process that has read one page already."""
    from cyberdiscourse.readers import read_raw

    files = sorted((folder / "files").iterdir())
    read_raw(files[0])  # imports and parser set-up are paid once per process
    start = time.perf_counter()
    for _ in range(passes):
        for path in files:
            read_raw(path)
    return passes * len(files) / (time.perf_counter() - start)


def summary(scores: pd.DataFrame) -> dict:
    out = {
        "documents": len(scores),
        "clean": scores["clean"].mean(),
        "n_clean": int(scores["clean"].sum()),
        "found": scores["n_found"].sum() / max(1, scores["n_include"].sum()),
        "furniture": scores["n_left"].sum() / max(1, scores["n_exclude"].sum()),
    }
    if "date_right" in scores:
        dated = scores[scores["gold_date"] != ""]
        out["dates"] = dated["date_right"].astype(bool).mean() if len(dated) else 1.0
        out["n_dated"], out["n_dates_right"] = len(dated), int(dated["date_right"].sum())
        out["traps"] = int(scores["trap_taken"].sum())
        out["titles"] = scores["title_right"].mean()
        out["n_titles_right"] = int(scores["title_right"].sum())
    return out


def line(label: str, s: dict) -> str:
    text = (
        f"  {label:<22} clean {s['n_clean']:>2}/{s['documents']:<2} ({s['clean']:.0%})  "
        f"main text found {s['found']:.1%}  furniture left {s['furniture']:.1%}"
    )
    if "dates" in s:
        text += (
            f"\n  {'':<22} dates right {s['n_dates_right']}/{s['n_dated']} ({s['dates']:.0%}), "
            f"traps taken {s['traps']}  titles right {s['n_titles_right']}/{s['documents']} "
            f"({s['titles']:.0%})"
        )
    return text


def verdict(s: dict) -> str:
    misses = []
    if s["clean"] < TARGETS["clean"]:
        misses.append("clean")
    if s["furniture"] > TARGETS["furniture"]:
        misses.append("furniture")
    if s["found"] < TARGETS["found"]:
        misses.append("main text")
    if s.get("dates", 1) < TARGETS["dates"] or s.get("traps", 0):
        misses.append("dates")
    if s.get("titles", 1) < TARGETS["titles"]:
        misses.append("titles")
    return "targets met" if not misses else "NOT met: " + ", ".join(misses)


def main() -> None:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folders", default=",".join(FOLDERS))
    parser.add_argument(
        "--no-cv", action="store_true", help="skip the leave-one-site-out cross-validation"
    )
    args = parser.parse_args()
    if not REAL.is_dir():
        raise SystemExit(f"{REAL} not found: the real captures live in ../shared/corpora")
    totals, cvs = [], []
    support = None if args.no_cv else pattern_support([REAL / f for f in FOLDERS])
    for name in args.folders.split(","):
        folder = REAL / name
        scores, cold, warm, n = ours(folder)
        s = summary(scores)
        totals.append(scores)
        print(f"{name}: {n} documents")
        print(line("ours (add + build)", s) + f"\n  {'':<22} {verdict(s)}")
        print(f"  {'':<22} {n / cold:.1f} pages/s on one core (cold); re-run {warm:.2f} s")
        if name == "html_pages":
            rate = steady_rate(folder)
            print(
                f"  {'':<22} {rate:.1f} pages/s per core once started (visible lines, both "
                f"extractors, inference), target >= 10: {'met' if rate >= 10 else 'NOT met'}"
            )
            for peer in ("trafilatura", "gne"):
                peer_scores, seconds = alone(folder, peer)
                print(line(f"{peer} alone", summary(peer_scores)) + f"  ({n / seconds:.0f}/s)")
        if not args.no_cv:
            result = cross_validate(folder, scores, support)
            cvs.append(result["cv"])
            print(f"  {'':<22} {gap_line(result)}")
        bad = scores[~scores["clean"] | (scores["date_right"] == False)]  # noqa: E712
        for row in bad.itertuples():
            print(
                f"    {row.id}: found {row.n_found}/{row.n_include}, furniture "
                f"{row.n_left}/{row.n_exclude}, date {row.date or '-'} "
                f"(gold {row.gold_date or '-'})"
            )
    s = summary(pd.concat(totals, ignore_index=True))
    print("all folders:")
    print(line("ours", s))
    if cvs:
        cv = pd.concat(cvs, ignore_index=True)
        print(line("ours, leave one site out", summary(cv)))


if __name__ == "__main__":
    main()
