import json
import subprocess
import sys

from cyberdiscourse.cli import main


def test_build_writes_processed_and_prints_a_summary(seed_copy, capsys):
    assert main(["build", "--data-dir", str(seed_copy)]) == 0
    out = capsys.readouterr().out
    assert "works: 6 included, 3 excluded" in out
    assert "binary_garbage" in out and "table_of_contents" in out
    summary = json.loads((seed_copy / "processed" / "summary.json").read_text(encoding="utf-8"))
    assert summary["works_included"] == 6
    assert summary["raw_lines"] == 1294


def test_data_dir_from_environment(seed_copy, monkeypatch, capsys):
    monkeypatch.setenv("CYBERDISCOURSE_DATA_DIR", str(seed_copy))
    assert main(["check"]) == 0
    assert f"{seed_copy}/raw: 0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_check_lists_problems_with_file_and_row(seed_copy, capsys):
    captures = seed_copy / "raw" / "captures.csv"
    captures.write_text(
        captures.read_text(encoding="utf-8") + "missing.txt,wic-concept-2019,,,\n", encoding="utf-8"
    )
    assert main(["check", "--data-dir", str(seed_copy)]) == 1
    out = capsys.readouterr().out
    assert "ERROR: captures.csv, row 13: source_file 'missing.txt' does not exist" in out


def test_errors_exit_nonzero_without_a_traceback(seed_copy, tmp_path):
    (seed_copy / "raw" / "works.csv").write_text("work_id,title\nx,y\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "cyberdiscourse", "build", "--data-dir", str(seed_copy)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "works.csv, row 1: missing column(s): title_zh, title_en, date, include" in result.stderr
    assert "Traceback" not in result.stderr


def test_add_command(seed_copy, tmp_path, capsys):
    src = tmp_path / "speech.txt"
    src.write_text("网络主权是国家主权在网络空间的自然延伸。\n", encoding="utf-8")
    code = main(
        [
            "add",
            str(src),
            "--title",
            "讲话",
            "--title-en",
            "A speech",
            "--date",
            "2015-12",
            "--data-dir",
            str(seed_copy),
        ]
    )
    assert code == 0
    assert "as work 'a-speech-2015'" in capsys.readouterr().out
    assert (seed_copy / "raw" / "speech.txt").is_file()


def test_kwic_command_prints_and_exports(seed_copy, tmp_path, capsys):
    assert main(["build", "--data-dir", str(seed_copy)]) == 0
    capsys.readouterr()
    assert main(["kwic", "网络主权", "--data-dir", str(seed_copy)]) == 0
    out = capsys.readouterr().out
    assert "[网络主权]" in out and "(003_9bf46ce2aec8518c.txt:36)" in out
    assert "20 occurrence(s) of '网络主权'" in out  # 13 forms, 7 wording rules
    assert "[主权原则应适用于网络空间]" in out and "(004_e9e04761fada368c.txt:749)" in out
    csv = tmp_path / "kwic.csv"
    assert main(["kwic", "cyber_sovereignty", "--csv", str(csv), "--data-dir", str(seed_copy)]) == 0
    import pandas as pd

    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert list(table.columns) == [
        "work_id",
        "date",
        "left",
        "match",
        "right",
        "context",
        "source",
        "rule",
    ]
    assert len(table) == 20 and table["rule"].str.startswith("form ").sum() == 13


def test_the_hint_add_prints_works_when_run_as_written(tmp_path, capsys):
    import shlex

    page = tmp_path / "statement.txt"
    page.write_text(
        "关于网络空间治理的声明\n\n各国应当尊重网络主权，推动构建网络空间命运共同体。\n",
        encoding="utf-8",
    )
    data = tmp_path / "my corpus" / "data"  # a space: the hint must quote it
    assert main(["add", str(page), "--data-dir", str(data)]) == 0
    hint = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Next:"))
    build = hint.removeprefix("Next: ")
    assert build == f"cyberdiscourse build --data-dir {shlex.quote(str(data))}"
    assert main(shlex.split(build)[1:]) == 0
    assert (data / "processed" / "works.parquet").is_file()
