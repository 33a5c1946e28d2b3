"""Faults during a build: Ctrl-C, kill -9, two builds at once; and outputs free of machine paths.

These run the real command in a child process, as a researcher's terminal does.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEED_DATA

from cyberdiscourse import corpus as corpus_mod
from cyberdiscourse.corpus import build

N_COPIES = 24  # copies of the seed captures: a build that takes a few seconds


def big_data(root: Path, copies: int = N_COPIES) -> Path:
    """The seed corpus with every capture and work repeated under new names."""
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    works = (SEED_DATA / "raw" / "works.csv").read_text(encoding="utf-8").splitlines()
    caps = (SEED_DATA / "raw" / "captures.csv").read_text(encoding="utf-8").splitlines()
    out_works, out_caps = [works[0]], [caps[0]]
    for i in range(copies):
        for path in sorted((SEED_DATA / "raw").glob("*.txt")):
            shutil.copyfile(path, raw / f"c{i:02d}_{path.name}")
        out_works += [f"c{i:02d}-{row}" for row in works[1:]]
        out_caps += [f"c{i:02d}_{row.replace(',', f',c{i:02d}-', 1)}" for row in caps[1:]]
    (raw / "works.csv").write_text("\n".join(out_works) + "\n", encoding="utf-8")
    (raw / "captures.csv").write_text("\n".join(out_caps) + "\n", encoding="utf-8")
    return root / "data"


def outputs(processed: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(processed)): p.read_bytes()
        for p in sorted(processed.rglob("*"))
        if p.is_file() and "tokens" not in p.parts and p.name != ".build.lock"
    }


def start_build(data: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "CI": "true"}
    return subprocess.Popen(
        [sys.executable, "-m", "cyberdiscourse", "build", "--data-dir", str(data), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, as a terminal gives a command
        # Ctrl-C as at a terminal: a shell running the tests in the background hands its
        # children SIGINT ignored, and Python keeps an ignored SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(condition, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def staging(data: Path) -> list[Path]:
    return list((data / "processed").glob(".paragraphs-*"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """What an undisturbed build of the big corpus writes."""
    data = big_data(tmp_path_factory.mktemp("ref"))
    build(data, n_jobs=1)
    return outputs(data / "processed")


def test_ctrl_c_stops_the_build_with_130_and_leaves_nothing_half_written(tmp_path):
    data = big_data(tmp_path, copies=40)  # over 8 MB: several partitions, two worker processes
    proc = start_build(data, "--jobs", "2")
    assert wait_for(lambda: staging(data)), "the build never started writing"
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Interrupted" in err
    assert not staging(data)
    assert not (data / "processed" / "manifest.json").exists()  # nothing counts as built
    assert build(data, n_jobs=1).n_partitions >= 2


def test_kill_9_leaves_staging_that_the_next_build_removes(tmp_path, reference):
    data = big_data(tmp_path)
    proc = start_build(data, "--jobs", "1")
    assert wait_for(lambda: staging(data)), "the build never started writing"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert staging(data), "kill -9 should have left the staging folder behind"
    result = build(data, n_jobs=1)
    assert not result.up_to_date and not staging(data)
    assert outputs(data / "processed") == reference


def test_two_builds_of_one_folder_take_turns(tmp_path, reference):
    data = big_data(tmp_path)
    first = start_build(data, "--jobs", "1")
    assert wait_for(lambda: staging(data))
    second = start_build(data, "--jobs", "1")
    out2, err2 = second.communicate(timeout=300)
    out1, err1 = first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert f"another build of this folder is running (process {first.pid})" in err2
    assert "up to date" in out2  # it waited, then found the first one's outputs
    assert outputs(data / "processed") == reference


def test_no_output_holds_a_path_of_this_machine(tmp_path):
    from cyberdiscourse.tokens import segment

    data = big_data(tmp_path, copies=1)
    build(data, n_jobs=1)
    segment(data)
    needles = [str(tmp_path), str(Path.home()), str(corpus_mod.__file__).rsplit("/src/", 1)[0]]
    for path in (data / "processed").rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            for needle in needles:
                assert needle.encode() not in blob, f"{path} holds {needle}"
