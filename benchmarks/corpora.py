"""The three real corpora of ``../shared/corpora`` end to end, as a researcher runs them.

For the national laws (1,563 Markdown files in category folders), the crawler month
(4,900 Markdown captures in day folders) and the Government Work Reports (one TSV):
a new data folder, one ``add`` (``import-tsv`` for the reports), ``build``, then the
full ``report`` into that corpus's own folders, each as the command line runs it, in
a process of its own. Printed per corpus and step: wall time, peak memory of the
process tree, exit code; then MB/s of the build, files/s of ``add``, works left
undated, lines discarded by kind, and each notebook's time (from papermill's record
in the executed notebook), against the targets: every report complete, add + build +
report at most 15 minutes and 4 GiB for the laws and the crawler month, build at
least 3 MB/s, add at least 250 files/s.

The rates of ``add`` and ``build`` are the median of ``--repeat`` runs (3 by default),
each a new data folder, one ``add`` and one ``build``, printed with their range: on
a shared virtual machine one run's wall time moves by 15% from run to run with the
same work (user time too), so a single run says little about a 10% margin.

The archives are extracted outside the repository (a temporary folder, or
``--work DIR`` to keep the outputs for reading).

Usage::

    python benchmarks/corpora.py [--only laws,crawler,gwr] [--work DIR] [--no-report]
                                 [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

from cyberdiscourse.config import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared" / "corpora"
TARGETS = {"minutes": 15, "gib": 4, "mb_per_s": 3.0, "files_per_s": 250}
CORPORA = {
    "laws": ("laws_national.tar.xz", "laws_national"),
    "crawler": ("crawler_archive_2023-01.tar.xz", "crawler_archive_2023-01"),
    "gwr": ("gov_work_reports_1954-2022.tsv", None),
}


def run(args: list[str]) -> dict:
    """Run one command; its wall time, the peak RSS of its process tree, exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cyberdiscourse", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**__import__("os").environ, "CI": "true"},
    )
    peak = [0]

    def watch() -> None:
        parent = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, _ = proc.communicate()
    watcher.join()
    return {
        "seconds": time.perf_counter() - start,
        "peak_gib": peak[0] / 2**30,
        "rc": proc.returncode,
        "tail": out.strip().splitlines()[-12:],
    }


def source_of(name: str, work: Path) -> Path:
    archive, folder = CORPORA[name]
    if folder is None:
        return SHARED / archive
    target = work / "sources" / folder
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(SHARED / archive) as tar:
            tar.extractall(target.parent, filter="data")
    return target


def corpus_run(name: str, work: Path, *, report: bool, repeat: int = 1) -> dict:
    """One corpus: add and build into ``work/name/data``, ``repeat - 1`` more adds and
    builds, each into a new data folder, for the rates' median; then the report."""
    source = source_of(name, work)
    data = work / name / "data"
    steps = add_and_build(name, source, data)
    rates = [steps]
    for i in range(1, repeat):  # before the report, so every run meets the same machine
        again = work / name / f"again-{i}"
        rates.append(add_and_build(name, source, again))
        shutil.rmtree(again)
    if report:
        steps["report"] = run(["report", "--data-dir", str(data)])
    if name == "gwr":
        n_files, mb = 1, source.stat().st_size / 1e6
    else:
        files = [p for p in source.rglob("*") if p.is_file() and p.suffix in (".md", ".html")]
        n_files, mb = len(files), sum(p.stat().st_size for p in files) / 1e6
    return {
        "name": name,
        "data": data,
        "files": n_files,
        "mb": mb,
        "steps": steps,
        "add_seconds": [r["add"]["seconds"] for r in rates],
        "build_seconds": [r["build"]["seconds"] for r in rates],
    }


def add_and_build(name: str, source: Path, data: Path) -> dict:
    """A new data folder, one ``add`` (``import-tsv`` for the reports), one ``build``."""
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    if name == "gwr":
        add = ["import-tsv", str(source), "--title", "{year}年政府工作报告", "--id-prefix", "gwr"]
    else:
        add = ["add", str(source)]
    steps = {"add": run([*add, "--data-dir", str(data)])}
    steps["build"] = run(["build", "--data-dir", str(data)])
    return steps


def rate(amount: float, seconds: list[float]) -> tuple[float, float, float]:
    """Median, lowest and highest of ``amount`` per second over the runs."""
    rates = [amount / s for s in seconds]
    return statistics.median(rates), min(rates), max(rates)


def notebook_times(data: Path) -> list[tuple[str, float]]:
    out = []
    for nb in sorted((data / "reports").glob("[0-9][0-9]_*.ipynb")):
        meta = json.loads(nb.read_text(encoding="utf-8")).get("metadata", {})
        out.append((nb.stem, float(meta.get("papermill", {}).get("duration") or 0.0)))
    return out


def describe(result: dict) -> list[str]:
    steps, data = result["steps"], result["data"]
    lines = [f"{result['name']}: {result['files']} file(s), {result['mb']:.1f} MB"]
    for step, r in steps.items():
        lines.append(
            f"  {step:<7} {r['seconds']:>7.1f} s  peak {r['peak_gib']:.2f} GiB  exit {r['rc']}"
        )
        if r["rc"] not in (0, 1) or (step != "add" and r["rc"] != 0):
            lines += [f"      {t}" for t in r["tail"]]
    add_rate, add_low, add_high = rate(result["files"], result["add_seconds"])
    build_rate, build_low, build_high = rate(result["mb"], result["build_seconds"])
    runs = len(result["build_seconds"])
    lines.append(
        f"  add {add_rate:.0f} files/s (range {add_low:.0f}-{add_high:.0f}; "
        f"target >= {TARGETS['files_per_s']}); "
        f"build {build_rate:.2f} MB/s (range {build_low:.2f}-{build_high:.2f}; "
        f"target >= {TARGETS['mb_per_s']}); median of {runs} run(s)"
    )
    works_file = data / "processed" / "works.parquet"
    if works_file.is_file():
        works = pd.read_parquet(works_file, columns=["work_id", "date"])
        undated = int((works["date"].fillna("") == "").sum())
        lines.append(f"  works {len(works)}, undated {undated}")
        ledger = pd.read_parquet(data / "processed" / "discarded.parquet", columns=["reason"])
        kinds = ledger["reason"].value_counts()
        lines.append("  discarded: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    for stem, seconds in notebook_times(data):
        lines.append(f"    {stem:<28} {seconds:>7.1f} s")
    total = sum(r["seconds"] for r in steps.values()) / 60
    peak = max(r["peak_gib"] for r in steps.values())
    ok = all(r["rc"] == 0 for s, r in steps.items() if s != "add")
    if result["name"] != "gwr":
        verdict = (
            ok
            and total <= TARGETS["minutes"]
            and peak <= TARGETS["gib"]
            and build_rate >= TARGETS["mb_per_s"]
            and add_rate >= TARGETS["files_per_s"]
        )
        lines.append(
            f"  total {total:.1f} min (target <= {TARGETS['minutes']}), peak {peak:.2f} GiB "
            f"(target <= {TARGETS['gib']}): {'targets met' if verdict else 'targets NOT met'}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(CORPORA))
    parser.add_argument("--work", help="keep the data folders here (default: a temporary one)")
    parser.add_argument("--no-report", action="store_true", help="add and build only")
    parser.add_argument(
        "--repeat", type=int, default=3, help="adds and builds per corpus for the rates (3)"
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} not found: the real corpora live in ../shared/corpora")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        for name in args.only.split(","):
            result = corpus_run(name, work, report=not args.no_report, repeat=args.repeat)
            print("\n".join(describe(result)), flush=True)


if __name__ == "__main__":
    main()
