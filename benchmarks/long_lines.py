"""Long-line benchmark: build time per MB of captures that are one single line.

PDF text layers, minified HTML and some saved pages put a whole document on one
line. Every per-line step must be linear in the line's length, so the build
time per MB must stay flat as the line grows. This benchmark writes captures of
``--sizes`` kilobytes, each one line made of the seed corpus's own Chinese and
English sentences (so the language splitter, the date finder and the
paragraph cutter all have work), builds each in a fresh data folder in this
process (one job), and prints seconds, MB/s and the ratio of the slowest
per-MB time to the fastest. Usage::

    python benchmarks/long_lines.py [--sizes 128,512,2048,8192,16384]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from cyberdiscourse.config import REPO_ROOT

SIZES_KB = (128, 512, 2048, 8192, 16384)
FLAT = 2.0  # slowest per-MB time at most this many times the fastest


def seed_sentences() -> str:
    """The seed corpus's kept paragraphs joined without a newline: real zh and en text."""
    from cyberdiscourse.corpus import build_corpus

    paragraphs = build_corpus(REPO_ROOT / "data").paragraphs
    return " ".join(paragraphs.sort_values(["work_id", "position"])["text"])


def make_capture(data: Path, size_kb: int, text: str) -> int:
    raw = data / "raw"
    raw.mkdir(parents=True)
    target = size_kb * 1024
    body = text.encode("utf-8")
    repeats = target // len(body) + 1
    line = (body * repeats)[:target].decode("utf-8", errors="ignore")
    (raw / "long.txt").write_text(line + "\n", encoding="utf-8")
    (raw / "works.csv").write_text(
        "work_id,title_zh,title_en,date,issuer,genre,include,exclude_reason,notes\n"
        "long,,A long line,2020,,,true,,\n",
        encoding="utf-8",
    )
    (raw / "captures.csv").write_text(
        "source_file,work_id,line_start,line_end,notes\nlong.txt,long,,,\n", encoding="utf-8"
    )
    return len(line.encode("utf-8"))


def time_build(data: Path) -> tuple[float, int]:
    from cyberdiscourse.corpus import build

    start = time.perf_counter()
    result = build(data, force=True, n_jobs=1)
    return time.perf_counter() - start, sum(result.summary["paragraphs_by_lang"].values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES_KB)), help="kilobytes")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    text = seed_sentences()
    rows = []
    print(f"{'size':>9} {'seconds':>8} {'s per MB':>9} {'MB/s':>6} {'paragraphs':>10}")
    for kb in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            n_bytes = make_capture(Path(tmp) / "data", kb, text)
            seconds, paragraphs = time_build(Path(tmp) / "data")
        per_mb = seconds / (n_bytes / 1e6)
        rows.append(per_mb)
        print(f"{kb:>6} KB {seconds:>8.2f} {per_mb:>9.2f} {1 / per_mb:>6.2f} {paragraphs:>10}")
        sys.stdout.flush()
    ratio = max(rows) / min(rows)
    verdict = "flat" if ratio <= FLAT else "NOT flat"
    print(f"slowest / fastest time per MB: {ratio:.2f} ({verdict}; target <= {FLAT})")


if __name__ == "__main__":
    main()
