"""Command line: ``cyberdiscourse build | check | add | import-tsv | kwic | lexicon | formulations
| reuse | report``."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from .config import ENV_VAR, command, resolve_data_dir
from .engine import progress_wanted
from .errors import CorpusError, Problem
from .versions import VERSIONS


def cmd_build(args: argparse.Namespace) -> int:
    import time

    from .corpus import build
    from .lexicon import load_lexicon
    from .tokens import segmentation_follow_up

    data_dir = resolve_data_dir(args.data_dir)
    engine = "dask" if args.scheduler else args.engine  # a scheduler address means Dask
    parallel = {"engine": engine, "scheduler": args.scheduler, "n_jobs": args.jobs}
    lexicon = load_lexicon(data_dir)
    start = time.perf_counter()
    result = build(
        data_dir,
        force=args.force,
        progress=progress_wanted(),
        announce=lambda message: print(message, file=sys.stderr, flush=True),
        follow_up=segmentation_follow_up(data_dir, lexicon=lexicon),
        **parallel,
    )
    for p in result.problems:
        print(p, file=sys.stderr)
    s = result.summary
    state = "up to date" if result.up_to_date else f"built, {result.n_partitions} partition(s)"
    print(f"{data_dir}/processed: {state} in {time.perf_counter() - start:.1f} s")
    print(f"  works: {s['works_included']} included, {s['works_excluded']} excluded")
    print(
        "  paragraphs: "
        + ", ".join(f"{k} {v}" for k, v in s["paragraphs_by_lang"].items())
        + f"; aligned zh/en pairs: {s['aligned_pairs']}"
    )
    total = sum(s["discarded_lines_by_reason"].values())
    print(f"  raw lines: {s['raw_lines']}, discarded: {total}")
    for reason, n in sorted(s["discarded_lines_by_reason"].items(), key=lambda kv: -kv[1]):
        print(f"    {reason:<20} {n:>5}")
    print(f"  duplicate paragraphs across works: {s['cross_work_duplicates']}")
    _build_tokens(data_dir, parallel, lexicon, result.n_followed_up)
    return 0


def _build_tokens(data_dir: Path, parallel: dict, lexicon, n_during_build: int) -> None:
    import time

    from .tokens import segment

    start = time.perf_counter()
    done = segment(data_dir, lexicon=lexicon, progress=progress_wanted(), **parallel)
    n_segmented = done.n_segmented + n_during_build
    state = (
        f"segmented {n_segmented} of {len(done.files)} partition(s)"
        + (f" ({n_during_build} during the build)" if n_during_build else "")
        if n_segmented
        else "all from the cache"
    )
    print(
        f"  tokens: {state} in {time.perf_counter() - start:.1f} s (lexicon {lexicon.source_dir})"
    )


def cmd_check(args: argparse.Namespace) -> int:
    from .corpus import check
    from .review import inferred_summary, write_table

    data_dir = resolve_data_dir(args.data_dir)
    problems = check(data_dir)

    def is_undated(p: Problem) -> bool:
        return p.severity == "warning" and ("field", "date") in p.fields

    undated = [p for p in problems if is_undated(p)]
    inferred = [p for p in problems if p.severity == "inferred"]
    others = [p for p in problems if p.severity != "inferred" and not is_undated(p)]
    for p in undated + others:  # one pass each: a list test per problem is quadratic
        print(p)
    errors = sum(p.severity == "error" for p in problems)
    if inferred and args.all:
        for p in inferred:
            print(p)
    elif inferred:
        table = write_table(
            [dict(p.fields) for p in undated + inferred], data_dir, "check-inferred.csv"
        )
        print(inferred_summary([dict(p.fields) for p in inferred]))
        print(f"Every inferred value, with its evidence (works without a date first): {table}")
    warnings = len(problems) - errors - len(inferred)
    print(
        f"{data_dir}/raw: {errors} error(s), {warnings} warning(s) ({len(undated)} work(s) "
        f"without a date), {len(inferred)} inferred value(s) not yet confirmed"
    )
    return 1 if errors else 0


def cmd_add(args: argparse.Namespace) -> int:
    from .curate import expand_captures

    data_dir = resolve_data_dir(args.data_dir)
    skipped: list = []
    files = expand_captures(args.paths, skipped=skipped)
    try:
        done = _add(args, data_dir, files)
    except CorpusError:  # nothing added: what was left out may say why
        _print_left_out(skipped)
        raise
    except KeyboardInterrupt:
        print(
            "Interrupted before anything was moved into raw/: nothing was added, raw/ is as "
            "it was; run the same command again.",
            file=sys.stderr,
        )
        return 130
    if done.recovered:
        print(f"Note: {done.recovered}.", file=sys.stderr)
    if done.interrupted:
        print(
            "Interrupted while the files were moved into raw/: the moves were finished, "
            "so the add is complete (do not run it again).",
            file=sys.stderr,
        )
    try:
        return _report_added(data_dir, files, skipped, done)
    except KeyboardInterrupt:
        print(
            "Interrupted after the add was complete: every capture listed is in raw/ "
            f"(do not run it again). Next: {command('build', data_dir)}",
            file=sys.stderr,
        )
        return 130


def _add(args: argparse.Namespace, data_dir: Path, files):
    from .curate import add_captures

    return add_captures(
        data_dir,
        files,
        title=args.title,
        date=args.date or "",
        title_en=args.title_en or "",
        issuer=args.issuer or "",
        genre=args.genre or "",
        work_id=args.work_id,
        announce=lambda message: print(message, file=sys.stderr, flush=True),
    )


def _print_left_out(skipped) -> None:
    for path, why in skipped:
        print(f"Left out {path}: {why} (name it alone to add it).")


def _report_added(data_dir: Path, files, skipped, done) -> int:
    from .curate import name_note, safe_file_name
    from .review import REVIEW_ROWS_SHOWN, review_rows, review_summary, review_table, write_table

    for file, name in files:
        if safe_file_name(file.name) != file.name and any(r["file"] == name for r in done.added):
            print(f"Stored as {name!r}: {name_note(file.name)}.")
    print(review_summary(done.added, done.refused))
    _print_left_out(skipped)
    shown = done.added
    if len(done.added) > REVIEW_ROWS_SHOWN:  # the works to check first, undated at the top
        shown = [r for r in done.added if r.get("flags")][:REVIEW_ROWS_SHOWN]
    if shown:
        print(review_table(shown, width=shutil.get_terminal_size((100, 20)).columns))
    if done.added or done.refused:
        rows = review_rows(done.added, done.refused)
        rows += [{"status": "left out", "file": str(p), "flags": why} for p, why in skipped]
        table = write_table(rows, data_dir, "add-review.csv")
        if len(done.added) > len(shown):
            print(f"{len(done.added) - len(shown)} more work(s) not shown above.")
        print(f"All rows (one per work, refused or left-out file): {table}")
    for problem in done.refused:
        print(problem, file=sys.stderr)
    names = {r["file"] for r in done.added}
    print(
        f"Added {len(names)} file(s) as {len(done.added)} work(s)"
        + (f"; {len(done.refused)} problem(s) above" if done.refused else "")
        + "."
    )
    if done.created:
        print(f"Created a new corpus at {data_dir}.")
    # One command per line, never wrapped, so each can be copied as it stands.
    print(f"Next: {command('build', data_dir)}")
    print(f"To list the inferred values: {command('check', data_dir)}")
    if len(names) == 1 and len(done.added) == 1:
        print(f"Added {next(iter(names))} as work {done.added[0]['work_id']!r}.")
    return 1 if done.refused else 0


def cmd_import_tsv(args: argparse.Namespace) -> int:
    from .curate import import_tsv

    data_dir = resolve_data_dir(args.data_dir)
    ids = import_tsv(
        data_dir,
        Path(args.file),
        title=args.title,
        title_en=args.title_en or "",
        issuer=args.issuer or "",
        genre=args.genre or "",
        id_prefix=args.id_prefix,
    )
    print(
        f"Imported {len(ids)} documents into {data_dir}/raw; run {command('build', data_dir)} next."
    )
    return 0


def cmd_kwic(args: argparse.Namespace) -> int:
    from .concepts import kwic
    from .corpus import load_processed
    from .io import check_output, write_csv
    from .lexicon import load_lexicon

    data_dir = resolve_data_dir(args.data_dir)
    if not args.term.strip():
        raise CorpusError(
            Problem("kwic", "", "the search term is empty", "give a word, a form or a concept id")
        )
    if args.chars is not None and args.chars < 1:
        raise CorpusError(
            Problem("--chars", "", f"must be 1 or more, not {args.chars}", "e.g. --chars 20")
        )
    if args.csv:
        check_output(Path(args.csv), data_dir=data_dir, force=args.force, what="file")
    tables = load_processed(data_dir, versions=args.versions)
    lines = kwic(
        tables["paragraphs"], tables["works"], args.term, load_lexicon(data_dir), chars=args.chars
    )
    if args.csv:
        write_csv(lines.drop(columns="para_id"), Path(args.csv))
        print(f"Wrote {len(lines)} lines to {args.csv}")
        return 0
    width = max((len(x) for x in lines["left"]), default=0)
    for row in lines.itertuples():
        print(
            f"{row.date:<10}  {row.left:>{min(width, 40)}} [{row.match}] {row.right}"
            f"   ({row.source})"
        )
    print(f"{len(lines)} occurrence(s) of {args.term!r}")
    return 0


def cmd_lexicon_audit(args: argparse.Namespace) -> int:
    import dataclasses

    from .audit import lexicon_audit
    from .corpus import load_processed
    from .io import check_output, write_csv
    from .lexicon import load_lexicon

    data_dir = resolve_data_dir(args.data_dir)
    if args.csv_dir:
        check_output(Path(args.csv_dir), data_dir=data_dir, what="folder")
    lexicon = load_lexicon(data_dir)
    if args.forms_only:
        kept = tuple(r for r in lexicon.rules if r.kind not in ("near", "construction"))
        lexicon = dataclasses.replace(lexicon, rules=kept)
    tables = lexicon_audit(load_processed(data_dir)["paragraphs"], lexicon)
    if args.csv_dir:
        folder = Path(args.csv_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            write_csv(table, folder / f"lexicon_audit_{name}.csv")
            print(f"Wrote {len(table)} rows to {folder / f'lexicon_audit_{name}.csv'}")
        return 0
    _print_audit(tables, lexicon.source_dir, args.limit)
    return 0


def _print_audit(tables: dict, source_dir: Path, limit: int) -> None:
    misses = tables["near_misses"]
    print(f"Lexicon {source_dir}")
    print(f"\nNear misses: {len(misses)} sentence(s) hold a concept's head words, nothing matched")
    for cid, group in misses.groupby("concept_id", sort=False):
        print(f"  {cid}: {len(group)}")
        for row in group.head(limit).itertuples():
            sentence = row.sentence if len(row.sentence) <= 70 else row.sentence[:69] + "…"
            print(f"    {row.source:<34} [{row.matched}] {sentence}")
        if len(group) > limit:
            print(f"    … {len(group) - limit} more (--limit, or --csv-dir for all)")
    dead = tables["dead_entries"]
    print(f"\nDead entries: {len(dead)}")
    for row in dead.itertuples():
        inside = f" (always inside {row.inside})" if row.inside else ""
        print(f"  {row.kind} {row.entry}: {row.problem}{inside}")
    names = tables["collisions"]
    print(f"\nForms inside names: {len(names)} (excluded ones are not counted)")
    for row in names.head(limit * 4).itertuples():
        state = "excluded" if row.excluded else "COUNTED"
        print(f"  {state:<8} {row.form} in {row.name} x{row.count}   ({row.example_source})")


def _export(table, path: str | None, data_dir: Path, force: bool) -> bool:
    """Write ``table`` as CSV to ``path`` (never into raw/); False when no path was given."""
    from .io import check_output, write_csv

    if not path:
        return False
    check_output(Path(path), data_dir=data_dir, force=force, what="file")
    write_csv(table, Path(path))
    print(f"Wrote {len(table)} rows to {path}")
    return True


def cmd_formulations(args: argparse.Namespace) -> int:
    from .corpus import load_processed
    from .formulations import accept_formulation, textstat_formulations
    from .lexicon import load_lexicon

    data_dir = resolve_data_dir(args.data_dir)
    if args.accept:
        cid, path = accept_formulation(data_dir, args.accept, concept_id=args.id)
        print(f"Accepted {args.accept!r} as concept {cid!r} (category formulation) in {path}")
        print(f"Run {command('build', data_dir)} again: tokens and counts then include it.")
        return 0
    tables = load_processed(data_dir, versions=args.versions)
    found = textstat_formulations(
        tables["paragraphs"],
        tables["works"],
        min_works=args.min_works,
        lexicon=load_lexicon(data_dir),
    )
    if _export(found, args.csv, data_dir, args.force):
        return 0
    for row in found.head(args.top).itertuples():
        print(
            f"{row.rank:>3}. {row.formulation}  [{row.kind}, {row.n_works} works, "
            f"{row.count}x{', boilerplate of its genre' if row.boilerplate else ''}]  "
            f"first {row.first_date} {row.first_work} ({row.first_source})"
        )
    n_boilerplate = int(found["boilerplate"].sum())
    print(
        f"{len(found)} candidate(s)"
        + (
            f", {n_boilerplate} of them boilerplate of their genre (ranked last)"
            if n_boilerplate
            else ""
        )
        + "; accept one with --accept PHRASE"
    )
    return 0


def cmd_reuse(args: argparse.Namespace) -> int:
    from .corpus import load_processed
    from .formulations import accepted_formulations
    from .lexicon import load_lexicon
    from .reuse import reuse_share, textstat_reuse

    data_dir = resolve_data_dir(args.data_dir)
    tables = load_processed(data_dir, versions=args.versions)
    mask = accepted_formulations(load_lexicon(data_dir))
    found = textstat_reuse(
        tables["paragraphs"], tables["works"], min_chars=args.min_chars, mask=mask
    )
    if _export(found, args.csv, data_dir, args.force):
        return 0
    for row in reuse_share(found, tables["paragraphs"], tables["works"]).itertuples():
        print(
            f"{row.date:<10} {row.work_id:<40} {row.share:6.1%} of {row.n_chars} characters "
            f"reused from earlier works {row.sources}"
        )
    for row in found.head(args.top).itertuples():
        text = row.target_text if len(row.target_text) <= 50 else row.target_text[:49] + "…"
        print(
            f"  {row.source_work} -> {row.target_work} ({row.n_chars}, {row.identity:.0%}) {text}"
        )
        print(f"      {row.source_source}  ->  {row.target_source}")
    print(f"{len(found)} reused passage(s); --csv FILE for all")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .corpus import require_raw
    from .io import check_output
    from .report import make_reports

    data_dir = resolve_data_dir(args.data_dir)
    require_raw(data_dir)  # before any notebook starts (notebook 01 builds what has raw/)
    for folder in (args.figures_dir, args.reports_dir):
        if folder:
            check_output(Path(folder), data_dir=data_dir, what="folder")
    params = {"data_dir": str(data_dir)}
    if args.figures_dir:
        params["figures_dir"] = str(Path(args.figures_dir).resolve())
    if args.figure_width:
        params["figure_width"] = args.figure_width
    params["versions"] = args.versions
    for path in make_reports(reports_dir=args.reports_dir, parameters=params, only=args.only):
        print(f"Wrote {path}")
    return 0


def cmd_lexicon_sample(args: argparse.Namespace) -> int:
    from .corpus import load_processed
    from .io import check_output, write_csv
    from .lexicon import load_lexicon
    from .validation import sample_matches, validation_dir

    data_dir = resolve_data_dir(args.data_dir)
    if args.n < 1:
        raise CorpusError([Problem("-n", "", f"{args.n} rows asked for", "give 1 or more")])
    out = Path(args.out) if args.out else validation_dir(data_dir) / f"{args.concept}.csv"
    check_output(out, data_dir=data_dir, force=args.force, what="file")
    tables = load_processed(data_dir)
    sample = sample_matches(
        tables["paragraphs"],
        tables["works"],
        load_lexicon(data_dir),
        args.concept,
        n=args.n,
        random_state=args.seed,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(sample, out)
    print(
        f"Wrote {len(sample)} of {sample.attrs['n_matches']} matches of {args.concept} "
        f"(seed {args.seed}) to {out}."
    )
    print(
        "Mark each row's 'correct' column y or n, then run: "
        + command("lexicon precision", data_dir)
    )
    return 0


def cmd_lexicon_precision(args: argparse.Namespace) -> int:
    from .validation import load_precision, read_judgements, textstat_precision, validation_dir

    data_dir = resolve_data_dir(args.data_dir)
    if args.files:
        import pandas as pd

        table = textstat_precision(pd.concat([read_judgements(f) for f in args.files]))
    else:
        table = load_precision(data_dir)
    if table.empty:
        print(f"No judged sample in {validation_dir(data_dir)}.")
        return 0
    print(f"{'concept':<32} {'rule':<34} {'judged':>6} {'correct':>7} {'precision':>9}  95% Wilson")
    for r in table.itertuples():
        shown = f"{r.precision:.0%}" if r.n_judged else "-"
        interval = f"{r.ci_low:.0%}-{r.ci_high:.0%}" if r.n_judged else "-"
        print(
            f"{r.concept_id[:32]:<32} {r.rule[:34]:<34} {r.n_judged:>6} {r.n_correct:>7} "
            f"{shown:>9}  {interval}"
        )
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cyberdiscourse", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        help=f"folder with raw/ and processed/ (default: ${ENV_VAR}, else this repository's data/)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "build", parents=[common], help="raw captures -> data/processed, then tokens"
    )
    p.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="local: a process pool on this machine (default); dask: a Dask cluster",
    )
    p.add_argument(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
    )
    p.add_argument("--jobs", type=int, help="worker processes (default: every core)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("check", parents=[common], help="validate raw files and metadata")
    p.add_argument(
        "--all",
        action="store_true",
        help="print every inferred value here instead of a summary and a CSV file",
    )
    p.set_defaults(func=cmd_check)
    p = sub.add_parser(
        "add", parents=[common], help="copy captures in (files, folders, globs) with metadata"
    )
    p.add_argument(
        "paths",
        nargs="+",
        help="captures, folders of captures or quoted globs (.txt .md .html .mhtml .pdf "
        ".docx .warc .warc.gz .wacz)",
    )
    p.add_argument("--title", help="title, one file only (default: the title the capture shows)")
    p.add_argument("--title-en", help="English title when --title is Chinese")
    p.add_argument("--date", help="YYYY-MM-DD, YYYY-MM or YYYY (default: read from the capture)")
    p.add_argument("--issuer")
    p.add_argument("--genre")
    p.add_argument("--work-id", help="id to use instead of one made from the title")
    p.set_defaults(func=cmd_add)
    p = sub.add_parser(
        "import-tsv", parents=[common], help="import a year<TAB>text file, one document per line"
    )
    p.add_argument("file")
    p.add_argument("--title", default="{year}", help="title template, e.g. '{year}年政府工作报告'")
    p.add_argument("--title-en", help="English title template")
    p.add_argument("--issuer")
    p.add_argument("--genre")
    p.add_argument("--id-prefix", help="work ids become <prefix>-<year>")
    p.set_defaults(func=cmd_import_tsv)
    versions = argparse.ArgumentParser(add_help=False)
    versions.add_argument(
        "--versions",
        choices=VERSIONS,
        default="all",
        help="a law in several versions: all (each at its own date, the default) or only "
        "its latest",
    )
    p = sub.add_parser(
        "kwic", parents=[common, versions], help="keyword in context for a term or concept"
    )
    p.add_argument("term", help="a concept id, label or form (with its sub-forms), or any text")
    p.add_argument("--chars", type=int, help="characters either side (default: the sentence)")
    p.add_argument("--csv", help="write the lines to this CSV file instead (never into raw/)")
    p.add_argument("--force", action="store_true", help="replace the CSV file if it exists")
    p.set_defaults(func=cmd_kwic)
    p = sub.add_parser("lexicon", help="check the concept lexicon against the corpus")
    lex = p.add_subparsers(dest="lexicon_command", required=True)
    p = lex.add_parser(
        "audit",
        parents=[common],
        help="near misses, dead entries and forms inside names, with file:line",
    )
    p.add_argument(
        "--forms-only",
        action="store_true",
        help="audit as if concept_rules.csv had no near/construction rows",
    )
    p.add_argument("--limit", type=int, default=10, help="passages shown per concept")
    p.add_argument("--csv-dir", help="write the three tables as CSV files into this folder")
    p.set_defaults(func=cmd_lexicon_audit)
    p = lex.add_parser(
        "sample",
        parents=[common],
        help="a seeded random sample of a concept's matches to judge (precision)",
    )
    p.add_argument("concept", help="concept id of concepts.csv, e.g. cyber_sovereignty")
    p.add_argument("-n", type=int, default=100, help="matches in the sample (default 100)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", help="CSV to write (default: <lexicon>/validation/CONCEPT.csv)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.set_defaults(func=cmd_lexicon_sample)
    p = lex.add_parser(
        "precision",
        parents=[common],
        help="precision per rule and concept, with Wilson intervals, from judged samples",
    )
    p.add_argument("files", nargs="*", help="judged CSV files (default: every one in validation/)")
    p.set_defaults(func=cmd_lexicon_precision)
    p = sub.add_parser(
        "formulations",
        parents=[common, versions],
        help="set phrases (提法) with first use and works",
    )
    p.add_argument("--top", type=int, default=30, help="rows to print (default 30)")
    p.add_argument("--min-works", type=int, default=2, help="used in at least N works")
    p.add_argument("--csv", help="write every candidate to this CSV file (never into raw/)")
    p.add_argument("--force", action="store_true", help="replace the CSV file if it exists")
    p.add_argument("--accept", metavar="PHRASE", help="write PHRASE into the lexicon")
    p.add_argument("--id", help="concept id for --accept (default: formulation_<pinyin>)")
    p.set_defaults(func=cmd_formulations)
    p = sub.add_parser(
        "reuse", parents=[common, versions], help="passages reused from earlier works"
    )
    p.add_argument("--top", type=int, default=20, help="passages to print (default 20)")
    p.add_argument("--min-chars", type=int, default=20, help="shortest passage, Han characters")
    p.add_argument("--csv", help="write every passage to this CSV file (never into raw/)")
    p.add_argument("--force", action="store_true", help="replace the CSV file if it exists")
    p.set_defaults(func=cmd_reuse)
    p = sub.add_parser("report", parents=[common, versions], help="execute notebooks, render HTML")
    p.add_argument(
        "--reports-dir",
        type=Path,
        help="default: <data-dir>/reports (the repository's reports/ for its own data/)",
    )
    p.add_argument(
        "--figures-dir",
        help="default: <data-dir>/figures (the repository's figures/ for its own data/)",
    )
    p.add_argument("--only", nargs="*", help="notebook number prefixes, e.g. 01")
    p.add_argument(
        "--figure-width",
        choices=["column", "medium", "page"],
        help="journal slot the figures are drawn for: column (3.5 in), medium (5.3 in) "
        "or page (7.2 in, the notebooks' default)",
    )
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; every expected failure is a message and an exit code, not a traceback.

    Exit codes: 0 done, 1 a problem with the input or the machine (the message
    names the file and what to do), 2 a wrong command line, 130 interrupted
    (Ctrl-C; outputs are replaced only when complete, so nothing is half-written).
    """
    try:
        args = make_parser().parse_args(argv)
        return args.func(args)
    except CorpusError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted: nothing was half-written; run the command again.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(os_error_problem(exc), file=sys.stderr)
        return 1


def os_error_problem(exc: OSError) -> Problem:
    """A failure of the machine (permissions, a full disk, a read-only folder) as a problem."""
    from .errors import os_error_reason

    message, hint = os_error_reason(exc)
    where = str(exc.filename or "(a file)")
    return Problem(where, "", message, hint + " (nothing was half-written)")


if __name__ == "__main__":
    sys.exit(main())
