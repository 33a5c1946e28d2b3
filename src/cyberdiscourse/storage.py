"""Writing and reading the built corpus in ``data/processed``.

The small tables are single Parquet files; paragraphs are one Parquet file per
partition under ``paragraphs/``; ``manifest.json`` lists the partitions with
their sha256 and is written last, so a build without it never counts as done.
Folders are swapped in whole, so a reader sees the old outputs or the new ones.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import command
from .errors import CorpusError, Problem
from .schemas import MANIFEST, PARAGRAPH_COLUMNS, PARAGRAPHS_DIR, TABLES, Corpus, frame


def summarise(corpus: Corpus) -> dict:
    """Counts a researcher checks first: works in and out, paragraphs, discards by reason."""
    works = corpus.works
    by_lang = corpus.paragraphs_by_lang or {
        k: int(v) for k, v in corpus.paragraphs["lang"].value_counts().sort_index().items()
    }
    return {
        "works_included": int(works["include"].sum()),
        "works_excluded": int((~works["include"]).sum()),
        "documents": len(corpus.documents),
        "paragraphs_by_lang": by_lang,
        "aligned_pairs": len(corpus.aligned_pairs),
        "raw_lines": int(sum(corpus.raw_lines.values())),
        "discarded_lines_by_reason": {
            k: int(v)
            for k, v in corpus.discarded.loc[~corpus.discarded["partial"], "reason"]
            .value_counts()
            .sort_index()
            .items()
        },
        "cross_work_duplicates": len(corpus.duplicates),
        "works_without_paragraphs": sorted(
            works.loc[
                works["include"] & (works["n_paragraphs_zh"] + works["n_paragraphs_en"] == 0),
                "work_id",
            ]
        ),
    }


def _finish(
    corpus: Corpus, processed: Path, inputs: str, parts: list[tuple[str, int, str]]
) -> tuple[dict, list[Path]]:
    """Write the small tables, then the manifest (last: without it nothing counts as built)."""
    from .io import write_json, write_parquet

    written = [
        write_parquet(getattr(corpus, name), processed / f"{name}.parquet")
        for name in TABLES
        if name != "paragraphs"  # written per partition
    ]
    written += write_extracted(corpus.extracted, processed / EXTRACTED_DIR)
    (processed / "paragraphs.parquet").unlink(missing_ok=True)  # single-file layout of old builds
    summary = summarise(corpus)
    written.append(write_json(summary, processed / "summary.json"))
    manifest = {
        "inputs": inputs,
        "partitions": [
            {"file": f"{PARAGRAPHS_DIR}/{name}", "rows": rows, "sha256": sha}
            for name, rows, sha in parts
        ],
        "summary": summary,
        "problems": [str(p) for p in corpus.problems],
    }
    written.append(write_json(manifest, processed / MANIFEST))
    return manifest, written


def _outputs_present(processed: Path, manifest: dict) -> bool:
    files = [f"{t}.parquet" for t in TABLES if t != "paragraphs"] + ["summary.json"]
    files += [p["file"] for p in manifest.get("partitions", [])]
    return all((processed / f).is_file() for f in files)


def _texts(folder: Path, ids: set[str]) -> dict[str, str]:
    """Texts of some paragraphs, read from the partition files."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if not ids:
        return {}
    value_set = pa.array(sorted(ids), type=pa.string())
    out: dict[str, str] = {}
    for path in sorted(Path(folder).glob("part-*.parquet")):
        table = pq.read_table(path, columns=["para_id", "text"])
        picked = table.filter(pc.is_in(table["para_id"], value_set=value_set))
        out.update(zip(picked["para_id"].to_pylist(), picked["text"].to_pylist()))
    return out


def _staging_dir(processed: Path) -> Path:
    """A fresh folder beside the outputs (so the swap is a rename), readable as they are."""
    import tempfile

    from .io import umask

    folder = Path(tempfile.mkdtemp(prefix=".paragraphs-", dir=processed))
    folder.chmod(0o777 & ~umask())  # mkdtemp makes 0700
    return folder


def _swap_dir(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``; a reader sees the old or the new folder whole."""
    import os
    import shutil

    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def write_processed(corpus: Corpus, processed_dir: Path) -> list[Path]:
    """Write an in-memory corpus in the layout :func:`build` writes (same bytes).

    The paragraphs go to ``paragraphs/part-NNNNN.parquet``, one file per
    partition, and ``manifest.json`` lists them. The manifest records no input
    fingerprint, so the next :func:`build` rebuilds.
    """
    import hashlib
    import shutil

    from .io import write_parquet

    processed_dir = Path(processed_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    staging = _staging_dir(processed_dir)
    parts = []
    try:
        start = 0
        for number, n in enumerate(corpus.partition_rows or [len(corpus.paragraphs)]):
            chunk = corpus.paragraphs.iloc[start : start + n].reset_index(drop=True)
            path = write_parquet(chunk, staging / f"part-{number:05d}.parquet")
            parts.append((path.name, n, hashlib.sha256(path.read_bytes()).hexdigest()))
            start += n
        (processed_dir / MANIFEST).unlink(missing_ok=True)
        _swap_dir(staging, processed_dir / PARAGRAPHS_DIR)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    written = _finish(corpus, processed_dir, "", parts)[1]
    return written + [processed_dir / PARAGRAPHS_DIR / name for name, _, _ in parts]


def read_manifest(processed_dir: Path) -> dict:
    """The build's manifest: partitions (file, rows, sha256), summary and warnings."""
    import json

    path = Path(processed_dir) / MANIFEST
    if not path.is_file():
        raise CorpusError(
            Problem(
                str(processed_dir),
                "",
                "the corpus is not built yet",
                f"run {command('build', Path(processed_dir).parent)} first",
            )
        )
    return json.loads(path.read_text(encoding="utf-8"))


def read_paragraphs(processed_dir: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All paragraphs, partitions concatenated in order."""
    manifest = read_manifest(processed_dir)
    frames = [
        pd.read_parquet(Path(processed_dir) / p["file"], columns=columns)
        for p in manifest["partitions"]
    ]
    if not frames:
        return frame([], PARAGRAPH_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def read_works(data_dir: Path | str | None, columns: list[str] | None = None) -> pd.DataFrame:
    """The built works table (``processed/works.parquet``), or some of its columns."""
    from .config import processed_dir_of, resolve_data_dir

    path = processed_dir_of(resolve_data_dir(data_dir)) / "works.parquet"
    return pd.read_parquet(path, columns=columns)


EXTRACTED_DIR = "extracted"  # the visible lines of pages, one text file per capture


def write_extracted(lines_of: dict[str, list[str]], folder: Path) -> list[Path]:
    """Write each file's visible lines to ``folder`` (see :func:`extracted_name`)."""
    from .io import write_text

    return [
        write_text("\n".join(lines) + "\n", folder / extracted_name(name))
        for name, lines in sorted(lines_of.items())
    ]


def prune_extracted(folder: Path, keep: set[str]) -> None:
    """Remove from ``folder`` the visible lines of files this build did not write (a
    capture removed, or of a kind whose lines are its own), and folders left empty."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*.txt")):
        if path.relative_to(folder).as_posix() not in keep:
            path.unlink()
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(sub.iterdir()):
            sub.rmdir()


def extracted_name(source_file: str) -> str:
    """The name of a capture's visible lines in ``processed/extracted/``: the file's path
    under ``raw/`` and ``.txt``; the file part shortened to its start and a digest when
    it would pass the file system's 255 bytes."""
    import hashlib

    folder, _, name = source_file.rpartition("/")
    name = f"{name}.txt"
    if len(name.encode("utf-8")) > 255:
        digest = hashlib.sha256(source_file.encode("utf-8")).hexdigest()[:16]
        head = name.encode("utf-8")[:200].decode("utf-8", errors="ignore")
        name = f"{head}-{digest}.txt"
    return f"{folder}/{name}" if folder else name


def load_processed(
    data_dir: Path | str | None = None, *, versions: str = "all"
) -> dict[str, pd.DataFrame]:
    """Read the built tables back (``works``, ``paragraphs``, ...) from ``data/processed``.

    ``versions="latest"`` keeps only each document's latest version in the corpus (every
    table's rows of the others are left out); ``"all"`` keeps every version at its own
    date (see :mod:`.versions`).
    """
    from .config import processed_dir_of, resolve_data_dir
    from .versions import check_versions, select_versions

    check_versions(versions)

    processed = processed_dir_of(resolve_data_dir(data_dir))
    missing = [
        t for t in TABLES if t != "paragraphs" and not (processed / f"{t}.parquet").is_file()
    ]
    if missing or not (processed / MANIFEST).is_file():
        raise CorpusError(
            Problem(
                str(processed),
                "",
                f"not built yet (missing {missing[0] + '.parquet' if missing else MANIFEST})",
                f"run {command('build', Path(processed).parent)} first",
            )
        )
    tables = {t: pd.read_parquet(processed / f"{t}.parquet") for t in TABLES if t != "paragraphs"}
    tables["paragraphs"] = read_paragraphs(processed)
    works = tables["works"]
    return {
        t: select_versions(tables[t], works, versions) if "work_id" in tables[t] else tables[t]
        for t in TABLES
    }
