"""Each discard reason checked on real pages: how much main text it wrongly removes.

Adds every capture of ``../shared/corpora/real_captures/<folder>/files`` with
its gold title (so the title rule has something to find), builds once, and
prints per folder: main text found, furniture left, clean documents, and for
every ``must_include`` string that was lost, the reason of the line it was on.
Usage::

    python benchmarks/line_reasons.py [--folders html_pages,markdown_captures,law_texts]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from cyberdiscourse.config import REPO_ROOT

REAL = REPO_ROOT.parent / "shared" / "corpora" / "real_captures"
FOLDERS = ("html_pages", "markdown_captures", "law_texts")


def ingest(folder: Path, data: Path) -> list[dict]:
    from cyberdiscourse.corpus import build
    from cyberdiscourse.curate import add_capture
    from cyberdiscourse.evaluate import load_gold, work_id_for

    records = load_gold(folder)
    for record in records:
        add_capture(data, record["path"], title=record["title"], work_id=work_id_for(record))
    build(data, n_jobs=1)
    return records


def main() -> None:
    from cyberdiscourse.evaluate import lost_text, score_documents

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folders", default=",".join(FOLDERS))
    args = parser.parse_args()
    for name in args.folders.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            records = ingest(REAL / name, data)
            scores = score_documents(data, records)
            lost = lost_text(data, records)
        found = scores["n_found"].sum() / scores["n_include"].sum()
        left = scores["n_left"].sum() / max(1, scores["n_exclude"].sum())
        print(
            f"{name}: {len(scores)} documents, main text found {found:.1%}, "
            f"furniture left {left:.1%}, clean {scores['clean'].sum()}/{len(scores)}"
        )
        by_reason = Counter(r for reasons in lost["reasons"] for r in reasons.split(";"))
        for reason, n in by_reason.most_common():
            print(f"    lost to {reason or '(not in the capture as read)':<32} {n:>3}")


if __name__ == "__main__":
    main()
