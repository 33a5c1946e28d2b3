"""Engines give identical results; warm re-runs read caches; partitions stay independent.

The Dask tests run a real local cluster of worker processes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import GWR, NO_SHARED, make_data_dir, needs_gwr

from cyberdiscourse import engine, partitions
from cyberdiscourse.corpus import build, build_corpus, load_processed, read_manifest
from cyberdiscourse.errors import CorpusError
from cyberdiscourse.synthetic import make_synthetic_corpus, sentences_by_year
from cyberdiscourse.tokens import load_tokens, segment

PART_BYTES = 300_000  # small partitions, so a 1.5 MB corpus has several


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    if not GWR.is_file():
        pytest.skip(NO_SHARED)
    data = tmp_path_factory.mktemp("syn") / "data"
    made = make_synthetic_corpus(GWR, data, size_mb=1.5, random_state=3)
    assert made.n_bytes >= 1_500_000 and made.n_documents > 100
    return data


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(partitions, "PARTITION_BYTES", PART_BYTES)


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src / "raw", dest / "raw")
    return dest


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_synthetic_corpus_is_real_sentences_with_dates_and_is_reproducible(synthetic, tmp_path):
    again = make_synthetic_corpus(GWR, tmp_path / "again", size_mb=1.5, random_state=3)
    assert _files(synthetic / "raw") == _files(again.data_dir / "raw")
    works = pd.read_csv(synthetic / "raw" / "works.csv", dtype=str)
    assert works["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    report = {line.split("\t", 1)[0]: line for line in GWR.read_text(encoding="utf-8").splitlines()}
    first = works.iloc[0]
    text = (synthetic / "raw" / "syn_000001.txt").read_text(encoding="utf-8")
    sentence = text.split("。")[0] + "。"
    assert sentence in report[first["date"][:4]]  # a real sentence of that year's report


def test_dask_engine_writes_the_same_bytes_as_the_local_engine(synthetic, tmp_path, small_parts):
    local = _copy(synthetic, tmp_path / "local")
    dask = _copy(synthetic, tmp_path / "dask")
    result = build(local, engine="local", n_jobs=2)
    assert result.n_partitions >= 4
    build(dask, engine="dask", n_jobs=2)
    segment(local, engine="local", n_jobs=2)
    segment(dask, engine="dask", n_jobs=2)
    local_files, dask_files = _files(local / "processed"), _files(dask / "processed")
    assert sum(name.startswith("tokens/") for name in local_files) == result.n_partitions + 1
    assert local_files == dask_files


def test_partitioning_does_not_change_the_tables(synthetic, tmp_path, small_parts):
    parted = _copy(synthetic, tmp_path / "parted")
    build(parted, n_jobs=2)
    many = load_processed(parted)
    partitions.PARTITION_BYTES = 10**12
    whole = build_corpus(synthetic)
    for table in ("works", "documents", "aligned_pairs", "discarded", "duplicates"):
        pd.testing.assert_frame_equal(many[table], getattr(whole, table), obj=table)
    pd.testing.assert_frame_equal(many["paragraphs"], whole.paragraphs)
    assert len(whole.paragraphs) > 2000


@needs_gwr
def test_duplicates_are_found_across_partitions(tmp_path, monkeypatch):
    shared = "各国应在相互尊重的基础上加强网络空间国际合作,共同构建和平安全开放合作有序的网络空间。"
    pool = sentences_by_year(GWR)

    def paragraphs(year):  # real text: five consecutive sentences per paragraph
        s = pool[year]
        return ["".join(s[i : i + 5]) for i in range(0, len(s) - 4, 5)]

    files = {
        "a.txt": "\n".join([shared, *paragraphs(2019)]).encode(),
        "b.txt": "\n".join([*paragraphs(1990), shared]).encode(),
    }
    works = "wa,甲文件,,2020-01-01,,,true,,\nwb,乙文件,,2021-01-01,,,true,,\n"
    data = make_data_dir(tmp_path, files, works, "a.txt,wa,,,\nb.txt,wb,,,\n")
    monkeypatch.setattr(partitions, "PARTITION_BYTES", min(len(f) for f in files.values()))
    assert build(data).n_partitions == 2
    dup = load_processed(data)["duplicates"]
    assert dup[["work_id_a", "work_id_b", "kind"]].values.tolist() == [["wa", "wb", "exact"]]


def test_warm_build_and_tokens_come_from_the_caches(synthetic, tmp_path, small_parts, monkeypatch):
    data = _copy(synthetic, tmp_path / "warm")
    cold = build(data, n_jobs=2)
    first = segment(data, n_jobs=2)
    assert not cold.up_to_date and first.n_segmented == cold.n_partitions
    outputs = [p for p in (data / "processed").rglob("*") if p.is_file() and p.suffix != ".lock"]
    stamps = {p: p.stat().st_mtime_ns for p in outputs}
    target = data / "raw" / "syn_000003.txt"
    os.utime(target)  # touched, not changed
    assert build(data).up_to_date
    assert segment(data).n_segmented == 0
    assert load_tokens(data).attrs["from_cache"] is True
    after = {p: p.stat().st_mtime_ns for p in (data / "processed").rglob("*") if p.is_file()}
    assert {p: t for p, t in after.items() if p in stamps} == stamps  # nothing rewritten
    target.write_text(target.read_text(encoding="utf-8") + "网络主权是新的一段话。\n", "utf-8")
    rebuilt = build(data, n_jobs=2)
    assert not rebuilt.up_to_date
    changed = segment(data, n_jobs=2)
    assert changed.n_segmented == 1  # only the partition holding the edited file
    tokens = load_tokens(data)
    assert "网络主权" in tokens.loc[tokens["work_id"] == "syn-000003", "tokens"].explode().tolist()
    assert len(list((data / "processed" / "tokens").glob("*/*.parquet"))) == rebuilt.n_partitions


def test_a_running_dask_scheduler_can_be_named(synthetic, tmp_path, small_parts):
    from dask.distributed import LocalCluster

    data = _copy(synthetic, tmp_path / "addr")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        result = build(data, engine="dask", scheduler=c.scheduler_address)
    assert read_manifest(data / "processed")["partitions"][0]["rows"] > 0
    assert result.n_partitions >= 4


def test_an_unreachable_scheduler_is_a_clear_error(synthetic, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")
    data = _copy(synthetic, tmp_path / "bad")
    with pytest.raises(CorpusError, match="no Dask scheduler answered at tcp://127.0.0.1:9"):
        build(data, engine="dask", scheduler="tcp://127.0.0.1:9")
    assert not (data / "processed" / "paragraphs").exists()


def test_an_unknown_engine_is_refused(seed_copy):
    with pytest.raises(ValueError, match="engine must be one of"):
        build(seed_copy, engine="spark")


def test_progress_bars_only_on_a_terminal_and_never_under_ci(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    monkeypatch.setenv("CI", "false")
    assert engine.progress_wanted()
    monkeypatch.setenv("CI", "true")
    assert not engine.progress_wanted()
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert not engine.progress_wanted()


def test_map_partitions_keeps_the_order_of_the_items():
    items = list(range(7))
    assert engine.map_partitions(abs, [-i for i in items], n_jobs=2) == items
    assert engine.map_partitions(abs, [], engine="dask") == []


def test_partitions_run_with_the_garbage_collector_paused_and_it_is_restored():
    import gc

    from cyberdiscourse.engine import map_partitions

    assert gc.isenabled()
    assert map_partitions(_collector_state, [1, 2], n_jobs=1) == [False, False]
    assert map_partitions(_collector_state, [1, 2], n_jobs=2) == [False, False]
    assert gc.isenabled()


def _collector_state(_item) -> bool:
    import gc

    return gc.isenabled()


def test_follow_ups_run_in_the_same_pool_while_the_caller_goes_on():
    follow = engine.FollowUps(_negate, lambda r: r if r % 2 else None, n_jobs=2)
    with follow:
        results = follow.map(abs, [-i for i in range(7)])
        assert results == list(range(7))  # in the order of the items
        later = follow.wait()
    assert sorted(later) == [-5, -3, -1]  # only odd results led to a follow-up


def test_a_failed_follow_up_stops_the_pool_and_is_raised():
    follow = engine.FollowUps(_invert, lambda r: r, n_jobs=2)
    with pytest.raises(ZeroDivisionError), follow:
        follow.map(abs, [0, 1])
        follow.wait()
    assert follow._pool._shutdown_thread  # stopped, not left running


def _negate(x: int) -> int:
    return -x


def _invert(x: int) -> float:
    return 1 / x


def test_tokens_segmented_during_the_build_equal_those_segmented_after(
    synthetic, tmp_path, small_parts
):
    from cyberdiscourse.tokens import segmentation_follow_up

    after = _copy(synthetic, tmp_path / "after")
    during = _copy(synthetic, tmp_path / "during")
    build(after, n_jobs=2)
    assert segment(after, n_jobs=2).n_segmented >= 4
    result = build(during, n_jobs=2, follow_up=segmentation_follow_up(during))
    assert result.n_followed_up == result.n_partitions >= 4
    assert segment(during, n_jobs=2).n_segmented == 0  # all in the cache already
    tokens_after, tokens_during = (_files(d / "processed" / "tokens") for d in (after, during))
    assert tokens_during == tokens_after and len(tokens_after) == result.n_partitions + 1
    assert (
        build(during, n_jobs=1, force=True, follow_up=segmentation_follow_up(during)).n_followed_up
        == 0
    )
