"""``add`` as a transaction: a lock for adds at once, raw/ as before or as after an
interruption, and what a folder given to ``add`` may and may not bring in."""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cyberdiscourse import staging
from cyberdiscourse.corpus import check
from cyberdiscourse.curate import add_captures, expand_captures
from cyberdiscourse.errors import CorpusError

TEXT = "网络主权是国家主权在网络空间的自然延伸。各国应当尊重彼此的网络主权。\n"


def _folder(root: Path, name: str, n: int, *, salt: str = "") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"doc{i:03d}.txt").write_text(
            f"文件{i}{salt}\n2023年1月{i % 28 + 1}日\n{TEXT * 3}", encoding="utf-8"
        )
    return folder


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cyberdiscourse", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _rows(data: Path, name: str) -> list[dict]:
    path = data / "raw" / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _raw_files(data: Path) -> set[str]:
    raw = data / "raw"
    return {
        p.relative_to(raw).as_posix()
        for p in raw.rglob("*")
        if p.is_file() and p.name not in ("works.csv", "captures.csv")
    }


def _consistent(data: Path) -> set[str]:
    """raw/ after recovery: every file listed once, every row's file present, check clean."""
    problems = check(data) if (data / "raw").is_dir() else []
    problems = [p for p in problems if p.file != staging.STAGING_DIR]  # the recovery's note
    assert not [p for p in problems if p.severity in ("error", "warning") and "date" not in str(p)]
    files = _raw_files(data)
    listed = [r["source_file"] for r in _rows(data, "captures.csv")]
    assert sorted(listed) == sorted(files)  # no orphan, no row without its file, no twin
    ids = [r["work_id"] for r in _rows(data, "works.csv")]
    assert len(ids) == len(set(ids)) == len(files)
    assert not staging.staging_dir_of(data).exists()
    return files


def test_two_and_four_adds_at_once_all_land_with_distinct_rows(tmp_path):
    data = tmp_path / "data"
    folders = [_folder(tmp_path, f"f{k}", 8, salt=f"-{k}") for k in range(4)]
    for group in (folders[:2], folders[2:]):  # two at once, then two more into the same
        procs = [_cli("add", str(f), "--data-dir", str(data)) for f in group]
        assert [p.wait(timeout=300) for p in procs] == [0, 0]
    procs = [_cli("add", str(f), "--data-dir", str(tmp_path / "four")) for f in folders]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0, 0]
    for d in (data, tmp_path / "four"):
        files = _consistent(d)
        assert len(files) == 32 and {f.split("/")[0] for f in files} == {"f0", "f1", "f2", "f3"}


def test_adds_at_once_of_one_name_keep_one_and_refuse_the_other_by_name(tmp_path):
    data = tmp_path / "data"
    a = _folder(tmp_path, "a", 1, salt="甲") / "doc000.txt"
    b = _folder(tmp_path, "b", 1, salt="乙") / "doc000.txt"
    procs = [_cli("add", str(f), "--data-dir", str(data)) for f in (a, b)]
    codes = [p.wait(timeout=300) for p in procs]
    errs = [p.stderr.read() for p in procs]
    assert sorted(codes) == [0, 1]
    refused = errs[codes.index(1)]
    assert "doc000.txt" in refused and "already" in refused and "Traceback" not in refused
    assert _consistent(data) == {"doc000.txt"}
    kept = (data / "raw" / "doc000.txt").read_text(encoding="utf-8")
    assert kept == (a if codes[0] == 0 else b).read_text(encoding="utf-8")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_add_leaves_raw_as_before_or_as_after(tmp_path, sig):
    source = _folder(tmp_path, "src", 100)
    for k, delay in enumerate((0.0, 0.3, 0.8, 1.5, 2.5)):
        data = tmp_path / f"d{k}"
        _folder(tmp_path / f"seed{k}", "old", 2)  # a corpus with captures already
        assert _cli("add", str(tmp_path / f"seed{k}" / "old"), "--data-dir", str(data)).wait() == 0
        proc = _cli("add", str(source), "--data-dir", str(data))
        _wait_for_the_lock(proc, data)  # the add has started: its imports are done
        time.sleep(delay)
        proc.send_signal(sig)
        code = proc.wait(timeout=300)
        err = proc.stderr.read()
        assert "Traceback" not in err
        files = _consistent(data)  # check ran the recovery first
        new = {f for f in files if f.startswith("src/")}
        assert len(new) in (0, 100) and len(files) == 2 + len(new)
        if sig == signal.SIGINT and code == 130:
            said_complete = "do not run it again" in err
            assert said_complete == (len(new) == 100), err
        again = _cli("add", str(source), "--data-dir", str(data))
        assert again.wait(timeout=300) == (1 if new else 0)  # refused only if it was there
        assert len(_consistent(data)) == 102
    # Which phase each signal hit depends on the machine's speed; the phases are each
    # hit for certain by the two tests below.


KILL_WHILE_MOVING = """
import os, signal, sys
from cyberdiscourse import staging
real = staging._move_in
def move_half_then_die(data_dir, stage, names):
    real_replace = os.replace
    moved = []
    def replace(src, dst):
        if len(moved) == len(names) // 2:
            os.kill(os.getpid(), signal.SIGKILL)  # as kill -9 would, half-way through
        moved.append(src)
        real_replace(src, dst)
    os.replace = replace
    real(data_dir, stage, names)
staging._move_in = move_half_then_die
from cyberdiscourse.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_add_killed_while_moving_its_files_in_is_finished_by_the_next_command(tmp_path):
    source = _folder(tmp_path, "src", 40)
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-c", KILL_WHILE_MOVING, "add", str(source), "--data-dir", str(data)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -signal.SIGKILL
    assert 0 < len(_raw_files(data)) < 40 and not (data / "raw" / "captures.csv").exists()
    problems = check(data)  # finds the commit point and finishes the moves
    assert "interrupted while it moved its 40 file(s)" in str(problems[0])
    assert len(_consistent(data)) == 40


def test_an_add_interrupted_while_copying_leaves_raw_as_it_was(tmp_path, monkeypatch):
    data = tmp_path / "data"
    add_captures(data, expand_captures([_folder(tmp_path, "old", 2)]))
    before = {p: p.read_bytes() for p in (data / "raw").rglob("*") if p.is_file()}
    real = staging.Transaction.stage_file

    def stage_then_interrupt(self, name, write):
        if len(self.names) == 20:
            raise KeyboardInterrupt  # Ctrl-C half-way through the copies
        real(self, name, write)

    monkeypatch.setattr(staging.Transaction, "stage_file", stage_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        add_captures(data, expand_captures([_folder(tmp_path, "new", 40)]))
    assert {p: p.read_bytes() for p in (data / "raw").rglob("*") if p.is_file()} == before
    assert not staging.staging_dir_of(data).exists()
    assert len(_consistent(data)) == 2


def _wait_for_the_lock(proc: subprocess.Popen, data: Path) -> None:
    lock = data / ".add.lock"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if lock.is_file() and lock.read_text(encoding="utf-8").strip() == str(proc.pid):
            return
        time.sleep(0.01)


def test_recovery_finishes_moves_after_the_commit_point_and_undoes_before(tmp_path):
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    stage = staging.staging_dir_of(data)
    (stage / "files" / "sub").mkdir(parents=True)
    (stage / "files" / "sub" / "b.txt").write_text(TEXT, encoding="utf-8")
    (data / "raw" / "sub").mkdir()
    (data / "raw" / "sub" / "a.txt").write_text(TEXT, encoding="utf-8")  # moved already
    (stage / "works.csv").write_text("work_id\nx\n", encoding="utf-8")
    (stage / "commit.json").write_text(json.dumps({"files": ["sub/a.txt", "sub/b.txt"]}))
    said = staging.recover(data)
    assert "finished" in said and not stage.exists()
    assert sorted(_raw_files(data)) == ["sub/a.txt", "sub/b.txt"]
    assert (data / "raw" / "works.csv").read_text(encoding="utf-8") == "work_id\nx\n"
    (stage / "files").mkdir(parents=True)  # copies without a commit point
    (stage / "files" / "c.txt").write_text(TEXT, encoding="utf-8")
    said = staging.recover(data)
    assert "removed" in said and not stage.exists() and "c.txt" not in _raw_files(data)
    assert staging.recover(data) is None


def test_a_full_disk_while_staging_names_the_file_and_adds_nothing(tmp_path, monkeypatch):
    data = tmp_path / "data"
    _folder(tmp_path, "old", 2)
    add_captures(data, expand_captures([tmp_path / "old"]))
    before = {p: p.read_bytes() for p in (data / "raw").rglob("*") if p.is_file()}

    def full(self, file_name, data_bytes):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(staging.Transaction, "stage_metadata", full)
    with pytest.raises(CorpusError) as err:
        add_captures(data, expand_captures([_folder(tmp_path, "new", 3)]))
    message = str(err.value)
    assert "works.csv" in message and "the disk is full" in message
    assert "nothing was added" in message
    assert {p: p.read_bytes() for p in (data / "raw").rglob("*") if p.is_file()} == before
    assert not staging.staging_dir_of(data).exists()


def test_symbolic_links_are_followed_inside_the_folder_only(tmp_path):
    folder = _folder(tmp_path, "in", 1)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=abc\n", encoding="utf-8")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "same.txt").symlink_to(folder / "doc000.txt")
    (folder / "etc").symlink_to("/etc", target_is_directory=True)
    skipped: list = []
    found = dict((p.name, name) for p, name in expand_captures([folder], skipped=skipped))
    assert "leak.txt" not in found and "same.txt" not in found  # same.txt is doc000.txt
    assert found == {"doc000.txt": "in/doc000.txt"}
    why = {p.name: reason for p, reason in skipped}
    assert "outside the folder given" in why["leak.txt"] and str(secret) in why["leak.txt"]
    assert "outside the folder given" in why["etc"]


def test_a_pipe_is_left_out_of_a_folder_and_refused_when_named(tmp_path):
    folder = _folder(tmp_path, "in", 1)
    os.mkfifo(folder / "pipe.txt")
    skipped: list = []
    found = expand_captures([folder], skipped=skipped)
    assert [p.name for p, _ in found] == ["doc000.txt"]
    assert skipped == [(folder / "pipe.txt", "not a regular file (a pipe, a socket or a device)")]
    proc = _cli("add", str(folder / "pipe.txt"), "--data-dir", str(tmp_path / "d"))
    assert proc.wait(timeout=120) == 1
    assert "not a regular file" in proc.stderr.read()
    assert not (tmp_path / "d").exists()  # nothing added: no corpus made either


def test_a_folder_named_twice_is_added_once(tmp_path, monkeypatch):
    folder = _folder(tmp_path, "twice", 3)
    monkeypatch.chdir(tmp_path)
    os.mkfifo(folder / "pipe.txt")  # left out: said once, not once per naming
    proc = _cli("add", "twice", str(folder), "./twice/", "--data-dir", str(tmp_path / "d"))
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    said = proc.stdout.read()
    assert "Created a new corpus at" in said and said.count("Left out twice/pipe.txt") == 1
    assert len(_consistent(tmp_path / "d")) == 3


def test_commands_other_than_add_do_not_make_a_missing_data_folder(tmp_path):
    missing = tmp_path / "no-such-corpus"
    proc = _cli("build", "--data-dir", str(missing))
    assert proc.wait(timeout=120) == 1
    assert "the folder does not exist" in proc.stderr.read() and not missing.exists()


def test_the_staged_files_are_synced_to_disk_before_the_commit_point(tmp_path, monkeypatch):
    from cyberdiscourse import io as cd_io

    events = []
    monkeypatch.setattr(os, "sync", lambda: events.append(("sync", _staged(tmp_path))))
    write_json = cd_io.write_json

    def commit_point(obj, path):
        events.append(("commit point", len(obj["files"])))
        write_json(obj, path)

    monkeypatch.setattr(cd_io, "write_json", commit_point)
    add_captures(tmp_path / "data", expand_captures([_folder(tmp_path, "in", 3)]))
    assert events == [("sync", 3), ("commit point", 3)]
    assert len(_raw_files(tmp_path / "data")) == 3


def _staged(root: Path) -> int:
    folder = staging.staging_dir_of(root / "data") / staging.FILES_DIR
    return sum(1 for p in folder.rglob("*") if p.is_file())


def test_a_folder_tree_1200_deep_is_added_down_to_the_limit_and_the_rest_named(tmp_path, capsys):
    from cyberdiscourse.cli import main
    from cyberdiscourse.curate import MAX_FOLDER_DEPTH

    root = tmp_path / "tree"
    root.mkdir()
    (root / "top.txt").write_text(TEXT, encoding="utf-8")
    deep = root
    for level in range(1, 1201):  # one level a call: makedirs of the whole path recurses
        deep = deep / "d"
        deep.mkdir()
        if level == MAX_FOLDER_DEPTH - 1:
            (deep / "deepest-read.txt").write_text(TEXT + "最深处。\n", encoding="utf-8")
    (deep / "bottom.txt").write_text(TEXT, encoding="utf-8")
    data = tmp_path / "data"
    try:
        assert main(["add", str(root), "--data-dir", str(data)]) == 0
    finally:
        _remove_deep_tree(root)  # shutil.rmtree (pytest's clean-up too) recurses and fails
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert f"a folder nested more than {MAX_FOLDER_DEPTH} deep: not entered" in out
    assert sorted(Path(f).name for f in _raw_files(data)) == ["deepest-read.txt", "top.txt"]


def _remove_deep_tree(root: Path) -> None:
    """Remove a folder tree of any depth without recursion (os.walk and shutil.rmtree
    recurse): list every folder, then remove them deepest first."""
    import os

    folders, todo = [], [str(root)]
    while todo:
        folders.append(todo.pop())
        with os.scandir(folders[-1]) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                else:
                    os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)
