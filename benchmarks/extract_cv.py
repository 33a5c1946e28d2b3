"""Leave-one-site-out cross-validation of the main-text rules on the real captures.

The rules that decide main text were written while looking at the development pages:
numeric thresholds (when two extractors agree on the article, which lines one of them
kept still count as text, what a non-prose line costs a Markdown block, how long a
line the furniture patterns may judge) and the furniture patterns themselves. Scored
on the same pages they were fitted to, they look better than they are.

For every site (the outlet a page comes from; for the laws, the kind of text: law,
regulation, rule, judicial interpretation) the site's pages are scored by rules fitted
without them:

- thresholds: every combination of :data:`KNOBS` is run on all pages once; for the
  held-out site the combination with the most clean pages (then the most main text
  found) on the *other* sites is used, ties going to the shipped values;
- furniture patterns: a pattern that fires on the held-out site's pages and on no
  other development page (of any folder) could only have been written from that
  site, so it is dropped while that site is scored.

The dev-fit numbers are the shipped rules on all pages; the gap (dev-fit minus
cross-validated) over 3 points in clean pages or main text found says a rule is fitted
to files rather than to a kind of page.
"""

from __future__ import annotations

import functools
import itertools
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

# (module, constant): the values tried. The shipped value is always among them.
KNOBS = {
    "html_pages": {
        ("cyberdiscourse.ingest.maintext", "LOPSIDED"): (0.15, 0.3, 0.5),
        ("cyberdiscourse.ingest.maintext", "AGREEMENT"): (0.3, 0.5, 0.7),
        ("cyberdiscourse.ingest.maintext", "TEXT_LINE_HAN"): (4, 8, 14),
        ("cyberdiscourse.ingest.maintext", "STRAY_GAP"): (2, 3, 6),
        ("cyberdiscourse.ingest.maintext", "LINK_LIST"): (2, 3, 5),
    },
    "markdown_captures": {
        ("cyberdiscourse.ingest.maintext", "LINE_PENALTY"): (5.0, 10.0, 20.0),
        ("cyberdiscourse.cleaning", "SHORT_FURNITURE"): (80, 160, 320),
    },
    "law_texts": {
        ("cyberdiscourse.cleaning", "SHORT_FURNITURE"): (80, 160, 320),
    },
}
GAP_POINTS = 3.0


def site_of(record: dict) -> str:
    """``gne-163-2.html``: ``163``; ``picker-freebuf-…``: ``freebuf``; ``law-sjaqf``: ``law``."""
    parts = Path(record["file"]).stem.split("-")
    return parts[1] if parts[0] in ("gne", "picker") and len(parts) > 1 else parts[0]


def cross_validate(folder: Path, dev: pd.DataFrame, support: dict[str, set]) -> dict:
    """Dev-fit and leave-one-site-out scores of one folder (see module doc).

    ``dev``: the per-page scores of the shipped rules on the whole folder;
    ``support``: :func:`pattern_support` over every development folder.
    """
    from cyberdiscourse.evaluate import load_gold

    records = load_gold(folder)
    sites = [site_of(r) for r in records]
    knobs = KNOBS[folder.name]
    with _extractors_remembered():
        grid = _grid_scores(folder, records, knobs)
        held_out = []
        for site in sorted(set(sites)):
            mine = [r for r, s in zip(records, sites) if s == site]
            setting = _best_without(grid, sites, site, knobs)
            dropped = [p for p, where in support.items() if where == {site}]
            with _knobs(dict(zip(knobs, setting))), _without_patterns(dropped):
                scores = _run(mine)
            scores["site"], scores["patterns_dropped"] = site, len(dropped)
            scores["setting"] = ", ".join(f"{k[1]}={v}" for k, v in zip(knobs, setting))
            held_out.append(scores)
    cv = pd.concat(held_out, ignore_index=True)
    return {"dev": dev, "cv": cv, "sites": len(set(sites)), "support": support}


def gap_line(result: dict) -> str:
    """Dev-fit, cross-validated and their gap, in points."""
    dev, cv = result["dev"], result["cv"]

    def rates(s: pd.DataFrame) -> tuple[float, float]:
        return 100 * s["clean"].mean(), 100 * s["n_found"].sum() / max(1, s["n_include"].sum())

    (dc, df), (cc, cf) = rates(dev), rates(cv)
    fitted = max(dc - cc, df - cf) > GAP_POINTS
    return (
        f"leave one site out ({result['sites']} sites): clean {cv['clean'].sum()}/{len(cv)} "
        f"({cc:.0f}%)  main text found {cf:.1f}%  | dev-fit clean {dc:.0f}%  found {df:.1f}%"
        f"  | gap {dc - cc:+.1f} / {df - cf:+.1f} points: "
        + ("FITTED TO FILES (over 3 points)" if fitted else "within 3 points")
    )


def _grid_scores(folder: Path, records: list[dict], knobs: dict) -> dict[tuple, pd.DataFrame]:
    out = {}
    for setting in itertools.product(*knobs.values()):
        with _knobs(dict(zip(knobs, setting))):
            out[setting] = _run(records)
    return out


def _best_without(grid: dict, sites: list[str], site: str, knobs: dict) -> tuple:
    """The setting with the most clean pages, then main text found, on the other sites."""
    shipped = tuple(_current(k) for k in knobs)
    keep = [s != site for s in sites]

    def merit(setting) -> tuple:
        scores = grid[setting][keep]
        return (int(scores["clean"].sum()), int(scores["n_found"].sum()), setting == shipped)

    return max(grid, key=merit)


def pattern_support(folders: list[Path]) -> dict[str, set]:
    """For each furniture pattern, the sites on whose pages (in any development folder)
    it matches a line that is not main text, whichever rule left that line out (a
    WeChat prompt the Markdown block rule dropped is furniture seen on that site)."""
    from cyberdiscourse import cleaning
    from cyberdiscourse.corpus import build, load_processed
    from cyberdiscourse.curate import add_captures
    from cyberdiscourse.evaluate import load_gold

    support: dict[str, set] = {p: set() for p in cleaning.FURNITURE_PATTERNS}
    for folder in folders:
        records = load_gold(folder)
        site_of_file = {Path(r["file"]).name: site_of(r) for r in records}
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            add_captures(data, [r["path"] for r in records])
            build(data, n_jobs=1)
            ledger = load_processed(data)["discarded"]
        furniture = ledger[
            (ledger["reason"] != "blank") & (ledger["text"].str.len() <= cleaning.SHORT_FURNITURE)
        ]
        for file, text in zip(furniture["source_file"], furniture["text"]):
            for pattern in cleaning.FURNITURE_PATTERNS:
                if re.search(pattern, text, re.I):
                    support[pattern].add(site_of_file.get(Path(file).name, "?"))
    return support


def _run(records: list[dict]) -> pd.DataFrame:
    from cyberdiscourse.corpus import build
    from cyberdiscourse.curate import add_captures
    from cyberdiscourse.evaluate import score_documents

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        add_captures(data, [r["path"] for r in records])
        build(data, n_jobs=1)
        return score_documents(data, records)


def _current(knob: tuple[str, str]):
    import importlib

    return getattr(importlib.import_module(knob[0]), knob[1])


@contextmanager
def _knobs(setting: dict):
    import importlib

    before = {k: _current(k) for k in setting}
    try:
        for (module, name), value in setting.items():
            setattr(importlib.import_module(module), name, value)
        yield
    finally:
        for (module, name), value in before.items():
            setattr(importlib.import_module(module), name, value)


@contextmanager
def _without_patterns(dropped: list[str]):
    from cyberdiscourse import cleaning

    before = cleaning._FURNITURE
    kept = [p for p in cleaning.FURNITURE_PATTERNS if p not in dropped]
    try:
        cleaning._FURNITURE = re.compile("|".join(f"(?:{p})" for p in kept), re.I)
        yield
    finally:
        cleaning._FURNITURE = before


@contextmanager
def _extractors_remembered():
    """The extractors' output depends on the page alone, not on any knob: run each
    once per page for the whole grid."""
    from cyberdiscourse.ingest import maintext

    before = dict(maintext.RUNNERS)
    try:
        for name, run in before.items():
            maintext.RUNNERS[name] = functools.lru_cache(maxsize=None)(run)
        yield
    finally:
        maintext.RUNNERS.update(before)
