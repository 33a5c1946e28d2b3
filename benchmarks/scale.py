"""Scale benchmark: our pipeline against the naive one, on a synthetic corpus, in one run.

A corpus of ``--size-mb`` megabytes (default 100) is generated from the
Government Work Reports by recombining real sentences into new dated
documents. Each stage then runs in its own process while this one samples the
memory of that process tree:

- build: read + normalise + clean + de-duplicate, MB of raw files per second;
- segment: our tokens (rjieba, lexicon forms protected, filtered, written per
  partition), MB of paragraph text per second, all cores;
- warm: the same build and segmentation again with nothing changed;
- naive: ``jieba.lcut`` in a loop over the same paragraphs (one process, with
  the same user dictionary), and how many paragraphs get the same tokens as ours;
  our segmentation on all cores runs five times between its partitions, and the
  ratio is the median of the five, so drift in the machine's speed moves both alike;
- percore: one core, the first partitions in turn: the naive loop, our segmentation and
  the per-paragraph cut it replaced, each timed on the same partition right after the
  other, so a machine that gets slower or faster meanwhile moves all three alike;
- topics: on about 5 MB of the tokens (``--topic-mb``), model selection over k on all cores vs
  one, and our LDA (tomotopy) vs a plain scikit-learn LDA on the same matrix;
- formulations and reuse: the whole corpus, time and peak memory (the synthetic corpus
  recombines real sentences, so nearly every passage is "reused": a worst case);
- report: every notebook executed and rendered as ``make report`` does, each in its own
  process tree (papermill and its kernel), with its time and peak memory.

Prints a table with the targets and writes it to ``reports/bench_scale.md``
(or ``--out``). Usage::

    python benchmarks/scale.py [--size-mb 100] [--stages build,segment,warm,naive,topics]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cyberdiscourse.config import REPO_ROOT

DEFAULT_TSV = REPO_ROOT.parent / "shared" / "corpora" / "gov_work_reports_1954-2022.tsv"
STAGES = (
    "build",
    "segment",
    "warm",
    "naive",
    "percore",
    "topics",
    "formulations",
    "reuse",
    "report",
)
REPORT_MINUTES, REPORT_GIB = 20, 4  # the whole report on the corpus; peak RSS of any notebook
TOPIC_MB, K, KS, SEEDS = 5, 10, (6, 8, 10, 12), (0, 1)
MB = 1e6


# ---------------------------------------------------------------- stages (in a child)


def stage_build(data: Path) -> dict:
    from cyberdiscourse.corpus import build

    start = time.perf_counter()
    result = build(data, force=True)
    seconds = time.perf_counter() - start
    raw = sum(p.stat().st_size for p in (data / "raw").iterdir())
    return {"seconds": seconds, "raw_bytes": raw, "partitions": result.n_partitions}


def _segment_all_cores(data: Path):
    """Our segmentation of the whole corpus on all cores, from no cache: its seconds and
    what :func:`segment` returned."""
    from cyberdiscourse.tokens import segment

    shutil.rmtree(data / "processed" / "tokens", ignore_errors=True)
    start = time.perf_counter()
    done = segment(data)
    return time.perf_counter() - start, done


def stage_segment(data: Path) -> dict:
    seconds, done = _segment_all_cores(data)
    return {"seconds": seconds, "text_bytes": _text_bytes(data), "parts": done.n_segmented}


def stage_warm(data: Path) -> dict:
    from cyberdiscourse.corpus import build
    from cyberdiscourse.tokens import segment

    up_to_date = build(data).up_to_date
    again = segment(data).n_segmented
    return {"up_to_date": up_to_date, "segmented": again}


def _naive_tokenizer(lexicon):
    """The peer notebook's segmenter: a jieba Tokenizer with the same user words as ours."""
    import jieba

    jieba.setLogLevel(60)
    naive = jieba.Tokenizer()
    naive.initialize()
    for word in (*lexicon.domain_terms, *lexicon.zh_forms):
        naive.add_word(word)
    return naive


def stage_naive(data: Path, ours_runs: int = 5) -> dict:
    """The peer notebook's loop, timed alone. Its tokens are compared with ours twice:
    filtered as the token cache stores them (what every analysis reads), and unfiltered
    (what collocations read).

    Our segmentation on all cores runs ``ours_runs`` times, spread between the naive
    loop's partitions (the loop waits meanwhile), so both are timed over the same
    minutes: a machine that gets slower or faster in between moves both alike."""
    import re
    from collections import Counter

    import pandas as pd
    import pyarrow.parquet as pq

    from cyberdiscourse.corpus import read_manifest
    from cyberdiscourse.lexicon import load_lexicon
    from cyberdiscourse.tokens import Segmenter, TokenSettings, segment

    lexicon = load_lexicon(data)
    naive = _naive_tokenizer(lexicon)
    ours = Segmenter(lexicon)
    reference_filter = Segmenter(lexicon, TokenSettings(engine="jieba"))
    forms = re.compile("|".join(map(re.escape, lexicon.zh_forms)))
    seconds = equal = equal_raw = total = 0
    nbytes = 0
    expected, got = Counter(), Counter()
    partitions = read_manifest(data / "processed")["partitions"]
    between = {round(i * len(partitions) / (ours_runs - 1)) for i in range(ours_runs - 1)}
    ours_seconds = []
    for k, (part, stored) in enumerate(zip(partitions, segment(data).files)):
        if k in between:  # writes the same token files again
            ours_seconds.append(_segment_all_cores(data)[0])
        texts = pd.read_parquet(data / "processed" / part["file"], columns=["text"])["text"]
        references = []
        for text in texts:
            start = time.perf_counter()
            reference = naive.lcut(text)
            seconds += time.perf_counter() - start
            references.append(reference)
            equal_raw += ours.raw_zh(text) == reference
            total += 1
            nbytes += len(text.encode("utf-8"))
            expected.update(m.group(0) for m in forms.finditer(text))
        filtered = reference_filter.filter_lists(references)
        mine = pq.read_table(stored, columns=["tokens"])["tokens"].to_pylist()
        equal += sum(a == b for a, b in zip(mine, filtered.to_pylist()))
        got.update(t for tokens in mine for t in tokens if t in lexicon.form_to_concept)
    ours_seconds.append(_segment_all_cores(data)[0])
    return {
        "seconds": seconds,
        "ours_seconds": ours_seconds,
        "text_bytes": nbytes,
        "paragraphs": total,
        "equal": equal,
        "equal_raw": equal_raw,
        "forms_whole": got == expected,
        "forms": sum(expected.values()),
    }


def stage_percore(data: Path, partitions: int = 3) -> dict:
    """One core, drift cancelled: on each of the first partitions in turn, the naive loop,
    our segmentation of the partition (read, cut, filter, write) and the per-paragraph
    cut it replaced (one rjieba call per paragraph and piece, then the same filter)."""
    import tempfile

    import pyarrow.parquet as pq

    from cyberdiscourse.corpus import read_manifest
    from cyberdiscourse.lexicon import load_lexicon
    from cyberdiscourse.tokens import TokenSettings, TokenTask, _segmenter, segment_partition

    lexicon = load_lexicon(data)
    naive = _naive_tokenizer(lexicon)
    ours = _segmenter(lexicon, TokenSettings())
    ours.token_lists(["网络主权"], ["zh"])  # dictionaries loaded before any clock starts
    seconds = {"naive": 0.0, "ours": 0.0, "per_paragraph": 0.0}
    nbytes = 0
    files = read_manifest(data / "processed")["partitions"][:partitions]
    with tempfile.TemporaryDirectory() as tmp:
        for part in files:
            path = data / "processed" / part["file"]
            texts = pq.read_table(path, columns=["text"])["text"].to_pylist()
            nbytes += sum(len(t.encode("utf-8")) for t in texts)
            start = time.perf_counter()
            for text in texts:
                naive.lcut(text)
            seconds["naive"] += time.perf_counter() - start
            start = time.perf_counter()
            segment_partition(TokenTask(path, Path(tmp) / "t.parquet", lexicon, TokenSettings()))
            seconds["ours"] += time.perf_counter() - start
            start = time.perf_counter()
            ours.filter_lists([ours.raw_zh(t) for t in texts])
            seconds["per_paragraph"] += time.perf_counter() - start
    return {"seconds": seconds, "text_bytes": nbytes, "partitions": len(files)}


def stage_topics(data: Path, topic_mb: float = TOPIC_MB) -> dict:
    import pandas as pd

    from cyberdiscourse import topics as tp
    from cyberdiscourse.tokens import segment

    frames, size = [], 0
    for path in segment(data).files:  # cached: reads the first partitions only
        frame = pd.read_parquet(path)
        cum = size + frame["n_chars"].cumsum() * 3  # Chinese: 3 bytes a character in UTF-8
        frames.append(frame[cum.shift(fill_value=size) < topic_mb * MB])
        size = int(cum.iloc[-1])
        if size >= topic_mb * MB:
            break
    tokens = pd.concat(frames, ignore_index=True)
    size = int(tokens["n_chars"].sum()) * 3
    dtm = tp.build_dtm(tokens, min_df=20, max_df=0.5, max_features=3000)
    out = {"docs": dtm.X.shape[0], "terms": dtm.X.shape[1], "mb": size / MB}
    for name, kwargs in [("tomotopy", {"engine": "tomotopy"}), ("sklearn", {"engine": "sklearn"})]:
        model = tp.fit_topics(dtm, K, random_state=0, **kwargs)
        out[name] = {
            "seconds": model.seconds,
            "npmi": float(tp.npmi(dtm.X, dtm.vocab, model.top_terms(10)).mean()),
        }
    for label, n_jobs in [("select_parallel", -1), ("select_serial", 1)]:
        start = time.perf_counter()
        tp.select_k(dtm, list(KS), seeds=SEEDS, n_jobs=n_jobs)
        out[label] = time.perf_counter() - start
    return out


def _corpus(data: Path):
    from cyberdiscourse.corpus import load_processed

    tables = load_processed(data)
    return tables["paragraphs"], tables["works"]


def stage_formulations(data: Path) -> dict:
    from cyberdiscourse.formulations import textstat_formulations
    from cyberdiscourse.lexicon import load_lexicon

    paragraphs, works = _corpus(data)
    start = time.perf_counter()
    found = textstat_formulations(paragraphs, works, lexicon=load_lexicon(data))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "candidates": len(found), "works": int(works["include"].sum())}


def stage_reuse(data: Path) -> dict:
    from cyberdiscourse.reuse import textstat_reuse

    paragraphs, works = _corpus(data)
    start = time.perf_counter()
    found = textstat_reuse(paragraphs, works)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "passages": len(found), "works": int(works["include"].sum())}


def stage_report(data: Path, notebook: str) -> dict:
    from cyberdiscourse.report import make_reports

    start = time.perf_counter()
    (html,) = make_reports(
        reports_dir=data.parent / "reports",
        parameters={"data_dir": str(data), "figures_dir": str(data.parent / "figures")},
        only=[notebook],
    )
    return {"seconds": time.perf_counter() - start, "html_bytes": html.stat().st_size}


def _text_bytes(data: Path) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from cyberdiscourse.corpus import read_manifest

    total = 0
    for part in read_manifest(data / "processed")["partitions"]:
        text = pq.read_table(data / "processed" / part["file"], columns=["text"])["text"]
        total += pc.sum(pc.binary_length(text)).as_py() or 0
    return total


# ---------------------------------------------------------------- the parent


def run_stage(
    name: str, data: Path, topic_mb: float, extra: tuple[str, ...] = ()
) -> tuple[dict, float, int]:
    """Run one stage in a child process: its result, wall seconds, peak RSS of the tree."""
    import psutil

    cmd = [sys.executable, __file__, "--stage", name, "--data", str(data)]
    cmd += ["--topic-mb", str(topic_mb), *extra]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        proc = psutil.Process(child.pid)
        while not done.is_set():
            try:
                tree = [proc, *proc.children(recursive=True)]
                peak = max(peak, sum(_rss(p) for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.25)  # light: the sampler must not slow the stage it measures

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if child.returncode:
        sys.exit(f"stage {name} failed (exit {child.returncode})")
    return json.loads(out.strip().splitlines()[-1]), seconds, peak


def _rss(proc) -> int:
    try:
        return proc.memory_info().rss
    except Exception:  # the process ended between listing and reading
        return 0


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV)
    parser.add_argument("--workdir", type=Path, help="keep the corpus here (default: temporary)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "reports" / "bench_scale.md")
    parser.add_argument("--topic-mb", type=float, default=TOPIC_MB, help="text for topic models")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--notebook", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:  # child: run one stage, print its result as the last line
        extra = {"topic_mb": args.topic_mb} if args.stage == "topics" else {}
        if args.stage == "report":
            extra = {"notebook": args.notebook}
        print(json.dumps(globals()[f"stage_{args.stage}"](args.data, **extra)))
        return
    if not args.tsv.is_file():
        sys.exit(f"{args.tsv}: not found; pass --tsv path/to/gov_work_reports_1954-2022.tsv")
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        sys.exit(f"unknown stage(s) {sorted(unknown)}; choose from {STAGES}")
    tmp = None if args.workdir else tempfile.TemporaryDirectory(prefix="cyberdiscourse-bench-")
    work = args.workdir or Path(tmp.name)
    try:
        report = run(stages, work / "data", args)
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"Written to {args.out}")


def run(stages: list[str], data: Path, args) -> str:
    from cyberdiscourse.synthetic import make_synthetic_corpus

    rows: list[tuple[str, str, str]] = []
    if not (data / "raw").is_dir():
        start = time.perf_counter()
        made = make_synthetic_corpus(args.tsv, data, size_mb=args.size_mb, random_state=0)
        rows.append(
            (
                "synthetic corpus",
                f"{made.n_bytes / MB:.1f} MB, {made.n_documents:,} documents, "
                f"{len(made.years)} years, written in {time.perf_counter() - start:.0f} s",
                "",
            )
        )
    results: dict[str, tuple[dict, float, int]] = {}
    for name in stages:
        if name == "report":
            from cyberdiscourse.report import list_notebooks

            for nb in list_notebooks(REPO_ROOT / "notebooks"):
                print(f"stage report {nb.stem} ...", file=sys.stderr, flush=True)
                results[f"report {nb.stem}"] = run_stage(
                    "report", data, args.topic_mb, ("--notebook", nb.stem[:2])
                )
            continue
        print(f"stage {name} ...", file=sys.stderr, flush=True)
        results[name] = run_stage(name, data, args.topic_mb)
    rows += table_rows(results)
    return render(rows, args.size_mb)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def table_rows(results: dict) -> list[tuple[str, str, str]]:
    rows = []
    gb = 2**30
    if "build" in results:
        r, wall, rss = results["build"]
        rows.append(
            (
                "build (read, normalise, clean, de-duplicate)",
                f"{r['raw_bytes'] / MB / r['seconds']:.1f} MB/s ({r['raw_bytes'] / MB:.0f} MB in "
                f"{r['seconds']:.1f} s, {r['partitions']} partitions); peak RSS {rss / gb:.2f} GiB",
                "",
            )
        )
    if "segment" in results:
        r, wall, rss = results["segment"]
        rate = r["text_bytes"] / MB / r["seconds"]
        rows.append(
            (
                "segmentation, ours (all cores)",
                f"{rate:.1f} MB/s ({r['text_bytes'] / MB:.0f} MB of text in {r['seconds']:.1f} s); "
                f"peak RSS {rss / gb:.2f} GiB",
                f">= 10 MB/s: {_met(rate >= 10)}",
            )
        )
    if "naive" in results:
        r, wall, rss = results["naive"]
        naive_rate = r["text_bytes"] / MB / r["seconds"]
        rows.append(
            (
                "segmentation, naive jieba.lcut loop",
                f"{naive_rate:.2f} MB/s ({r['seconds']:.0f} s)",
                "",
            )
        )
        ratios = sorted(r["seconds"] / s for s in r["ours_seconds"])
        ratio = statistics.median(ratios)
        alone = ""
        if "segment" in results:
            s = results["segment"][0]
            rate = (s["text_bytes"] / s["seconds"]) / (r["text_bytes"] / r["seconds"])
            alone = f"; the segment stage's one run: {rate:.1f}x"
        rows.append(
            (
                "ours (all cores) / naive",
                f"{ratio:.1f}x, the median of {len(ratios)} runs of ours spread over the naive "
                f"loop's (range {ratios[0]:.1f}-{ratios[-1]:.1f}x){alone}",
                f">= 20x: {_met(ratio >= 20)}",
            )
        )
        for key, what in (("equal", "as stored"), ("equal_raw", "unfiltered")):
            share = r[key] / max(1, r["paragraphs"])
            rows.append(
                (
                    f"paragraphs with tokens equal to jieba's ({what})",
                    f"{100 * share:.3f}% ({r[key]:,} of {r['paragraphs']:,})",
                    f">= 99.9%: {_met(share >= 0.999)}",
                )
            )
        rows.append(
            (
                "lexicon forms whole",
                f"{'all' if r['forms_whole'] else 'NOT all'} {r['forms']:,} occurrences are "
                "one token",
                _met(r["forms_whole"]),
            )
        )
    if "percore" in results:
        r, wall, rss = results["percore"]
        t, mb = r["seconds"], r["text_bytes"] / MB
        rows.append(
            (
                f"one core, {r['partitions']} partitions in turn: ours / naive",
                f"{t['naive'] / t['ours']:.1f}x (ours {mb / t['ours']:.1f} MB/s with reading "
                f"and writing, naive {mb / t['naive']:.2f} MB/s); the per-paragraph cut it "
                f"replaced: {t['naive'] / t['per_paragraph']:.1f}x without reading or writing",
                f">= 10x per core: {_met(t['naive'] / t['ours'] >= 10)}",
            )
        )
    if {"build", "segment", "warm"} <= set(results):
        cold = results["build"][1] + results["segment"][1]
        r, warm, rss = results["warm"]
        ok = r["up_to_date"] and r["segmented"] == 0
        rows.append(
            (
                "re-run with nothing changed (process start to end)",
                f"cold {cold:.1f} s, warm {warm:.2f} s: {cold / warm:.0f}x faster"
                + ("" if ok else " (BUT it rebuilt)"),
                f">= 20x: {_met(ok and cold / warm >= 20)}",
            )
        )
    if "topics" in results:
        r, wall, rss = results["topics"]
        tt, sk = r["tomotopy"], r["sklearn"]
        rows += [
            (
                "topic matrix",
                f"{r['mb']:.0f} MB of text: {r['docs']:,} paragraphs x {r['terms']:,} terms",
                "",
            ),
            (
                f"LDA k={K}: ours (tomotopy) vs plain scikit-learn",
                f"{tt['seconds']:.1f} s vs {sk['seconds']:.1f} s: "
                f"{sk['seconds'] / tt['seconds']:.1f}x; NPMI {tt['npmi']:.3f} vs {sk['npmi']:.3f}",
                "",
            ),
            (
                f"select k in {list(KS)}, {len(SEEDS)} seeds: all cores vs one",
                f"{r['select_parallel']:.1f} s vs {r['select_serial']:.1f} s: "
                f"{r['select_serial'] / r['select_parallel']:.2f}x; peak RSS {rss / gb:.2f} GiB",
                f"uses all {os.cpu_count()} cores",
            ),
        ]
    if "formulations" in results:
        r, wall, rss = results["formulations"]
        rows.append(
            (
                "formulations (enumerations, templates, quotes, n-grams)",
                f"{r['seconds']:.0f} s for {r['works']:,} works, {r['candidates']:,} candidates; "
                f"peak RSS {rss / gb:.2f} GiB",
                f"< 4 GiB: {_met(rss < 4 * gb)}",
            )
        )
    if "reuse" in results:
        r, wall, rss = results["reuse"]
        rows.append(
            (
                "text reuse (seeds, alignment)",
                f"{r['seconds']:.0f} s for {r['works']:,} works, {r['passages']:,} passages; "
                f"peak RSS {rss / gb:.2f} GiB",
                f"< 4 GiB: {_met(rss < 4 * gb)}",
            )
        )
    notebooks = {k: v for k, v in results.items() if k.startswith("report ")}
    for name, (r, wall, rss) in notebooks.items():
        rows.append(
            (
                f"report: {name.removeprefix('report ')}",
                f"{wall:.0f} s, HTML {r['html_bytes'] / MB:.1f} MB; peak RSS {rss / gb:.2f} GiB",
                f"< {REPORT_GIB} GiB: {_met(rss < REPORT_GIB * gb)}",
            )
        )
    if notebooks:
        total = sum(wall for _, wall, _ in notebooks.values())
        top = max(rss for _, _, rss in notebooks.values())
        rows.append(
            (
                "report: every notebook (make report)",
                f"{total / 60:.1f} min; peak RSS {top / gb:.2f} GiB",
                f"≤ {REPORT_MINUTES} min and < {REPORT_GIB} GiB: "
                f"{_met(total <= REPORT_MINUTES * 60 and top < REPORT_GIB * gb)}",
            )
        )
    peak = max((rss for _, _, rss in results.values()), default=0)
    rows.append(
        ("peak RSS of any stage", f"{peak / gb:.2f} GiB", f"< 4 GiB: {_met(peak < 4 * gb)}")
    )
    return rows


def render(rows: list[tuple[str, str, str]], size_mb: float) -> str:
    head = f"Scale benchmark, {size_mb:g} MB synthetic corpus. Machine: {machine()}\n\n"
    lines = ["| measure | result | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return head + "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
