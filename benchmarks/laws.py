"""Version dating on a real corpus of laws: ``shared/corpora/laws_national.tar.xz``.

The 1,563 national laws, regulations and judicial interpretations are added as a
researcher would add them (the whole folder, nothing but the files), built once,
and each work's date is compared with the version date the source's own catalogue
(``laws_db.csv``) gives for the file. Beside it, in the same run, the date the
corpus would have without versions (the original adoption or promulgation, kept as
``first_date``): the rule the version date replaced.

Printed: the share of works dated by their version, over the works whose header
or file name states one (target >= 95%); the amended and revised texts among them;
the works still dated before the version whose wording they hold, and the
mentions of 网络 / 数据 / 个人信息 they carry (target: none); the wrong ones, to read.

Usage::

    python benchmarks/laws.py [--tarball PATH] [--n-jobs N]
"""

from __future__ import annotations

import argparse
import re
import tarfile
import tempfile
import time
from pathlib import Path

import pandas as pd

from cyberdiscourse.config import REPO_ROOT

TARBALL = REPO_ROOT.parent / "shared" / "corpora" / "laws_national.tar.xz"
TERMS = ("网络", "数据", "个人信息")
TARGET = 0.95
# The catalogue dates a text by its promulgation or publication, the corpus (as the gold
# rule says) by its adoption: the same text, weeks apart. A work dated up to a year
# before its catalogue date holds that version's wording; further back it does not.
SAME_TEXT_DAYS = 366
_NAME_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)$")


def catalogue_dates(laws: Path) -> pd.DataFrame:
    """One row per law file: its file name, the catalogue's version date, its folder."""
    db = pd.read_csv(laws / "laws_db.csv", dtype=str, keep_default_na=False)
    rows = []
    for path in sorted(laws.rglob("*.md")):
        if path.name == "README.md":
            continue
        folder = str(path.parent.relative_to(laws))
        m = _NAME_DATE.search(path.stem)
        name = path.stem[: m.start()] if m else path.stem
        hits = db[(db["folder"] == folder) & (db["name"] == name)]
        if len(hits) > 1 and m:
            hits = hits[hits["version_date"] == m.group(1)]
        version = hits["version_date"].iloc[0] if len(hits) == 1 else ""
        rows.append(
            {
                "source_file": f"{laws.name}/{path.relative_to(laws).as_posix()}",
                "folder": folder,
                "version_date": version,
                "name_date": m.group(1) if m else "",
            }
        )
    return pd.DataFrame(rows)


def build_laws(laws: Path, data: Path, n_jobs: int | None) -> tuple[pd.DataFrame, dict]:
    """Add and build the folder; the works with their source file, paragraphs joined."""
    from cyberdiscourse.corpus import build, load_processed
    from cyberdiscourse.curate import add_captures, expand_captures

    start = time.perf_counter()
    added = add_captures(data, expand_captures([laws]))  # the folders kept, as add does
    seconds_add = time.perf_counter() - start
    start = time.perf_counter()
    build(data, n_jobs=n_jobs)
    seconds_build = time.perf_counter() - start
    tables = load_processed(data)
    captures = pd.read_csv(data / "raw" / "captures.csv", dtype=str, keep_default_na=False)
    text = tables["paragraphs"].groupby("work_id")["text"].agg("".join)
    works = tables["works"].merge(captures[["source_file", "work_id"]], on="work_id")
    works["text"] = works["work_id"].map(text).fillna("")
    facts = {
        "added": len(added.added),
        "refused": len(added.refused),
        "seconds_add": seconds_add,
        "seconds_build": seconds_build,
    }
    return works, facts


def score(works: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Each work beside its catalogue version date; ``stated``: the header or the file
    name gives a date, so the version date is in the file to be found."""
    from cyberdiscourse.ingest.infer import HEADER_KINDS, VERSION

    merged = works.merge(catalogue, on="source_file", how="inner")
    merged = merged[merged["version_date"] != ""].copy()
    merged["stated"] = merged["date_kind"].isin([*HEADER_KINDS, "file_name"]) | (
        merged["name_date"] != ""
    )
    merged["versioned"] = merged["date_kind"].isin(VERSION)
    previous = merged["first_date"].where(merged["first_date"] != "", merged["date"])
    for suffix, dates in (("", merged["date"]), ("_without_versions", previous)):
        gap = (_day(merged["version_date"]) - _day(dates)).dt.days
        merged["exact" + suffix] = dates == merged["version_date"]
        merged["right" + suffix] = (gap >= 0) & (gap <= SAME_TEXT_DAYS)
        merged["early" + suffix] = gap > SAME_TEXT_DAYS
    return merged


def _day(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates.where(dates != ""), format="mixed", errors="coerce")


def _share(mask: pd.Series, over: pd.Series) -> str:
    n, k = int(over.sum()), int((mask & over).sum())
    return f"{k}/{n} ({k / n:.1%})" if n else "0/0"


def report(scored: pd.DataFrame, facts: dict) -> bool:
    stated = scored["stated"]
    print(
        f"laws: {facts['added']} works added ({facts['refused']} refused) in "
        f"{facts['seconds_add']:.1f} s, built in {facts['seconds_build']:.1f} s"
    )
    print(
        f"  works with a catalogue version date: {len(scored)}; stated in the file: {stated.sum()}"
    )
    right = scored["right"][stated].mean()
    print(
        f"  dated by their version:   ours {_share(scored['right'], stated)}   "
        f"without versions (original adoption) {_share(scored['right_without_versions'], stated)}"
    )
    print(
        f"    (the catalogue's very day: ours {_share(scored['exact'], stated)}   "
        f"without versions {_share(scored['exact_without_versions'], stated)}; the rest are "
        "adoptions the catalogue dates by their publication)"
    )
    amended = scored["versioned"] | (scored["first_date"] != scored["version_date"])
    print(
        f"  amended or revised texts: ours {_share(scored['right'], stated & amended)}   "
        f"without versions {_share(scored['right_without_versions'], stated & amended)}"
    )
    met = right >= TARGET
    for column, label in (("early", "ours"), ("early_without_versions", "without versions")):
        early = scored[scored[column]]
        mentions = {t: int(early["text"].str.count(t).sum()) for t in TERMS}
        print(
            f"  dated more than a year before their version ({label}): {len(early)} works; "
            "mentions there: " + ", ".join(f"{t} {n}" for t, n in mentions.items())
        )
        if label == "ours":
            met = met and not any(mentions.values())
    several = scored[scored["n_versions"] > 1]
    print(
        f"  documents in several versions: {several['version_family'].nunique()} "
        f"({len(several)} works; latest of each: {int(several['latest_version'].sum())})"
    )
    undated = scored["date"] == ""
    print(
        f"  undated: {int(undated.sum())} (of which the file name has a date: "
        f"{int((undated & (scored['name_date'] != '')).sum())})"
    )
    wrong = scored[stated & ~scored["right"]]
    for row in wrong.head(20).itertuples():
        print(
            f"    {row.source_file}: {row.date or '-'} ({row.date_kind or '-'}), "
            f"catalogue {row.version_date}"
        )
    print(
        f"  target >= {TARGET:.0%} dated by the version, no term before it: "
        f"{'met' if met else 'NOT met'}"
    )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, default=TARBALL)
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)
    if not args.tarball.is_file():
        print(f"{args.tarball}: not found; this benchmark needs the shared laws corpus")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(args.tarball) as tar:
            tar.extractall(tmp, filter="data")
        laws = next(p.parent for p in Path(tmp).rglob("laws_db.csv"))
        works, facts = build_laws(laws, Path(tmp) / "data", args.n_jobs)
        met = report(score(works, catalogue_dates(laws)), facts)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
