"""Topic models on the Government Work Reports 1954-2022: does it scale, and which engine?

Imports the TSV through the normal data-folder route into a temporary folder,
builds and tokenises it, then measures in one run:

- LDA with tomotopy vs scikit-learn on the same matrix (time ratio, NPMI of each);
- NMF;
- model selection over k in parallel (all cores) vs serial (time ratio).

Prints a table and writes it to reports/bench_topics_gwr.md.
Usage: python benchmarks/topics_gwr.py [path/to/gov_work_reports_1954-2022.tsv]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from cyberdiscourse import topics as tp
from cyberdiscourse.config import REPO_ROOT
from cyberdiscourse.corpus import build_corpus, write_processed
from cyberdiscourse.curate import import_tsv
from cyberdiscourse.tokens import load_tokens

DEFAULT_TSV = REPO_ROOT.parent / "shared" / "corpora" / "gov_work_reports_1954-2022.tsv"
K, KS, SEEDS = 10, [6, 8, 10, 12], (0, 1)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def main(tsv: Path) -> str:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "gwr"
        _, t_import = timed(import_tsv, data, tsv, title="{year}年政府工作报告", id_prefix="gwr")
        corpus, t_build = timed(build_corpus, data)
        write_processed(corpus, data / "processed")
        tokens, t_tok = timed(load_tokens, data)
        dtm = tp.build_dtm(tokens, min_df=5, max_df=0.5)
        n_chars = int(corpus.paragraphs["n_chars"].sum())
        rows += [
            (
                "corpus",
                f"{len(corpus.works)} reports, {len(corpus.paragraphs)} paragraphs, "
                f"{n_chars:,} characters",
            ),
            (
                "matrix",
                f"{dtm.X.shape[0]} paragraphs x {dtm.X.shape[1]} terms, "
                f"{int(dtm.X.sum()):,} tokens",
            ),
            ("import + build + tokens", f"{t_import:.1f} s + {t_build:.1f} s + {t_tok:.1f} s"),
        ]
        fits = {}
        for name, kwargs in [
            ("LDA tomotopy", {"engine": "tomotopy"}),
            ("LDA scikit-learn", {"engine": "sklearn"}),
            ("NMF scikit-learn", {"method": "nmf"}),
        ]:
            model = tp.fit_topics(dtm, K, random_state=0, **kwargs)
            coherence = tp.npmi(dtm.X, dtm.vocab, model.top_terms(10)).mean()
            fits[name] = model.seconds
            rows.append((f"{name}, k={K}", f"{model.seconds:.1f} s, NPMI {coherence:.3f}"))
        rows.append(
            (
                "scikit-learn LDA / tomotopy LDA time",
                f"{fits['LDA scikit-learn'] / fits['LDA tomotopy']:.1f}x",
            )
        )
        _, t_par = timed(tp.select_k, dtm, KS, seeds=SEEDS, n_jobs=-1)
        _, t_ser = timed(tp.select_k, dtm, KS, seeds=SEEDS, n_jobs=1)
        rows += [
            (f"select k in {KS}, {len(SEEDS)} seeds, all cores", f"{t_par:.1f} s"),
            ("same, one core", f"{t_ser:.1f} s"),
            ("serial / parallel", f"{t_ser / t_par:.2f}x"),
        ]
    width = max(len(a) for a, _ in rows)
    table = "\n".join(f"| {a:<{width}} | {b} |" for a, b in rows)
    return f"| {'measure':<{width}} | result |\n|{'-' * (width + 2)}|--------|\n{table}\n"


if __name__ == "__main__":
    tsv = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TSV
    if not tsv.is_file():
        sys.exit(f"{tsv}: not found; pass the path of gov_work_reports_1954-2022.tsv")
    out = main(tsv)
    print(out)
    target = REPO_ROOT / "reports" / "bench_topics_gwr.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(out, encoding="utf-8")
    print(f"Written to {target}")
