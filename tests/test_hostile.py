"""The command line against hostile but realistic input: one case a row.

Each case starts from a fresh small data folder, may break something in it,
runs one command in-process and checks the exit code, that the message names
what is wrong (and says it once), that no traceback escapes, and that ``raw/``
is byte-identical afterwards unless the command is ``add`` or ``import-tsv``
and succeeds.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CAPTURES_HEADER, WORKS_HEADER

from cyberdiscourse.cli import main

ZH_A = (
    "网络主权是国家主权在网络空间的自然延伸和表现。各国应尊重他国自主选择网络发展道路、"
    "网络管理模式、互联网公共政策和平等参与国际网络空间治理的权利。"
)
ZH_B = (
    "推动构建网络空间命运共同体，坚持多边参与、多方参与，加强对话协商，共同维护网络空间和平安全。"
)
EN_A = (
    "Cyber sovereignty is the natural extension of national sovereignty in cyberspace. "
    "All countries should respect each other's right to choose their own path."
)


def small_data(root: Path) -> Path:
    """Two works in three files: a Chinese one, a bilingual one, one file not yet listed."""
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "a.txt").write_text(f"关于网络主权的说明\n\n{ZH_A}\n{ZH_B}\n", encoding="utf-8")
    (raw / "b.txt").write_text(f"{ZH_B}\n{EN_A}\n", encoding="utf-8")
    (raw / "works.csv").write_text(
        WORKS_HEADER
        + "note-a,关于网络主权的说明,,2016-11-07,,,true,,\n"
        + "note-b,,A bilingual note,2017-03,,,true,,\n",
        encoding="utf-8",
    )
    (raw / "captures.csv").write_text(
        CAPTURES_HEADER + "a.txt,note-a,,,\nb.txt,note-b,,,\n", encoding="utf-8"
    )
    return root / "data"


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write(name: str, data: bytes | str) -> Callable[[Path], None]:
    def setup(data_dir: Path) -> None:
        path = data_dir / "raw" / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)

    return setup


def works(rows: str) -> Callable[[Path], None]:
    return write("works.csv", WORKS_HEADER + rows)


def captures(rows: str) -> Callable[[Path], None]:
    return write("captures.csv", CAPTURES_HEADER + rows)


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(data_dir: Path) -> None:
        for step in steps:
            step(data_dir)

    return setup


def encrypted_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


GOOD_WORKS = (
    "note-a,关于网络主权的说明,,2016-11-07,,,true,,\nnote-b,,A bilingual note,2017-03,,,true,,\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@dataclass
class Case:
    name: str
    argv: list[str]  # "{data}" and "{tmp}" are filled in
    setup: Callable[[Path], None] | None = None
    code: int = 1
    says: tuple[str, ...] = ()
    errors: int | None = None  # exactly this many ERROR lines (no cascade)
    raw_may_change: bool = False


BUILD = ["build", "--data-dir", "{data}"]
CHECK = ["check", "--data-dir", "{data}"]


def left_out(name: str, setup: Callable[[Path], None], *says: str) -> Case:
    """A raw file that is there but cannot be read: left out, the other captures build."""
    says = (*says, "left out of the build", "built, 1 partition")
    return Case(name, BUILD, setup, code=0, says=says, errors=0)


CASES = [
    # ------------------------------------------------ works.csv
    Case(
        "works gbk",
        BUILD,
        write("works.csv", (WORKS_HEADER + GOOD_WORKS).encode("gbk")),
        says=("works.csv", "not UTF-8"),
        errors=1,
    ),
    Case(
        "works semicolons",
        BUILD,
        write("works.csv", (WORKS_HEADER + GOOD_WORKS).replace(",", ";")),
        says=("separated by semicolons",),
        errors=1,
    ),
    Case(
        "works tabs",
        CHECK,
        write("works.csv", (WORKS_HEADER + GOOD_WORKS).replace(",", "\t")),
        says=("separated by tabs",),
        errors=1,
    ),
    Case("works empty", BUILD, write("works.csv", b""), says=("works.csv", "empty"), errors=1),
    Case(
        "works only bom", CHECK, write("works.csv", b"\xef\xbb\xbf\n\n"), says=("empty",), errors=1
    ),
    Case(
        "works missing column",
        BUILD,
        write("works.csv", "work_id,title_zh,title_en,date,exclude_reason\nnote-a,x,,2016,\n"),
        says=("missing column(s): include",),
        errors=1,
    ),
    Case(
        "works missing",
        CHECK,
        lambda d: (d / "raw" / "works.csv").unlink(),
        says=("works.csv", "metadata file not found"),
        errors=1,
    ),
    Case(
        "works is a folder",
        CHECK,
        lambda d: ((d / "raw" / "works.csv").unlink(), (d / "raw" / "works.csv").mkdir()),
        says=("works.csv", "is a folder"),
        errors=1,
    ),
    Case(
        "works bad date",
        BUILD,
        works("note-a,x,,2023-02-30,,,true,,\nnote-b,,B,2017,,,true,,\n"),
        says=("row 2", "impossible or malformed date '2023-02-30'"),
        errors=1,
    ),
    Case(
        "works duplicate id",
        CHECK,
        works("note-a,x,,2016,,,true,,\nnote-a,y,,2017,,,true,,\nnote-b,,B,2017,,,true,,\n"),
        says=("duplicate work_id 'note-a'",),
        errors=1,
    ),
    Case(
        "works bad slug",
        CHECK,
        works("Note A,x,,2016,,,true,,\nnote-b,,B,2017,,,true,,\n"),
        says=("is not a slug",),
        errors=1,
    ),
    Case(
        "works include maybe",
        CHECK,
        works("note-a,x,,2016,,,maybe,,\nnote-b,,B,2017,,,true,,\n"),
        says=("include must be true or false",),
        errors=1,
    ),
    Case(
        "works excluded no reason",
        CHECK,
        works("note-a,x,,2016,,,false,,\nnote-b,,B,2017,,,true,,\n"),
        says=("excluded without a reason",),
        errors=1,
    ),
    Case(
        "works no title: the capture's own is used",
        BUILD,
        works("note-a,,,2016,,,true,,\nnote-b,,B,2017,,,true,,\n"),
        code=0,
    ),
    Case(
        "works extra field",
        CHECK,
        works("note-a,x,,2016,,,true,,,surplus\nnote-b,,B,2017,,,true,,\n"),
        says=("row 2", "fields but the header names"),
        errors=1,
    ),
    Case(
        "works NUL byte",
        CHECK,
        write("works.csv", WORKS_HEADER + "note-a,x\x00y,,2016,,,true,,\n"),
        says=("works.csv",),
    ),
    Case(
        "works unclosed quote",
        CHECK,
        works('note-a,"x,,2016,,,true,,\nnote-b,,B,2017,,,true,,\n'),
        says=("works.csv",),
    ),
    Case(
        "works U+2028 in a quoted title",
        BUILD,
        works('note-a,"关于\u2028网络主权",,2016,,,true,,\nnote-b,,B,2017,,,true,,\n'),
        code=0,
    ),
    Case(
        "works newline in a quoted note",
        BUILD,
        works('note-a,x,,2016,,,true,,"two\nlines"\nnote-b,,B,2017,,,true,,\n'),
        code=0,
    ),
    Case(
        "works form feed in a field",
        BUILD,
        works('note-a,"x\x0cy",,2016,,,true,,\nnote-b,,B,2017,,,true,,\n'),
        code=0,
    ),
    Case(
        "works CRLF",
        BUILD,
        write("works.csv", (WORKS_HEADER + GOOD_WORKS).replace("\n", "\r\n")),
        code=0,
    ),
    # ------------------------------------------------ captures.csv
    Case(
        "captures gbk",
        BUILD,
        write(
            "captures.csv",
            (CAPTURES_HEADER + "a.txt,note-a,,,中文备注\n").encode("gbk"),
        ),
        says=("captures.csv", "not UTF-8"),
        errors=1,
    ),
    Case(
        "captures semicolons",
        CHECK,
        write("captures.csv", "source_file;work_id;line_start;line_end;notes\na.txt;note-a;;;\n"),
        says=("separated by semicolons",),
        errors=1,
    ),
    Case(
        "captures empty", CHECK, write("captures.csv", ""), says=("captures.csv", "empty"), errors=1
    ),
    Case(
        "captures unknown work",
        BUILD,
        captures("a.txt,note-a,,,\nb.txt,note-x,,,\n"),
        says=("unknown work_id 'note-x'",),
        errors=1,
    ),
    Case(
        "captures missing file",
        CHECK,
        captures("a.txt,note-a,,,\nnone.txt,note-b,,,\n"),
        says=("'none.txt' does not exist",),
        errors=1,
    ),
    Case(
        "captures outside raw",
        CHECK,
        captures("a.txt,note-a,,,\n../b.txt,note-b,,,\n"),
        says=("outside the raw data folder",),
        errors=1,
    ),
    Case(
        "captures absolute path",
        CHECK,
        captures("a.txt,note-a,,,\n/etc/passwd,note-b,,,\n"),
        says=("outside the raw data folder",),
        errors=1,
    ),
    Case(
        "captures bad line number",
        CHECK,
        captures("a.txt,note-a,x,3,\nb.txt,note-b,,,\n"),
        says=("positive whole numbers",),
        errors=1,
    ),
    Case(
        "captures start after end",
        CHECK,
        captures("a.txt,note-a,4,2,\nb.txt,note-b,,,\n"),
        says=("line_start 4 is after line_end 2",),
        errors=1,
    ),
    Case(
        "captures past the end",
        CHECK,
        captures("a.txt,note-a,1,99,\nb.txt,note-b,,,\n"),
        says=("line_end 99 is past the end of a.txt",),
        errors=1,
    ),
    Case(
        "captures overlap",
        CHECK,
        captures("a.txt,note-a,1,3,\na.txt,note-b,2,4,\n"),
        says=("also claimed by row 2",),
        errors=1,
    ),
    # ------------------------------------------------ raw files
    # A file that is there but cannot be read is left out; the other captures build.
    left_out("raw empty", write("a.txt", b""), "a.txt", "the file is empty"),
    left_out("raw binary", write("a.txt", PNG), "a.txt", "binary"),
    Case("raw gbk", BUILD, write("a.txt", ZH_A.encode("gbk")), code=0),
    Case(
        "raw big5",
        BUILD,
        write("a.txt", "網絡主權是國家主權在網絡空間的自然延伸和表現。".encode("big5")),
        code=0,
    ),
    Case("raw utf-16 with BOM", BUILD, write("a.txt", ZH_A.encode("utf-16")), code=0),
    Case("raw NUL bytes", BUILD, write("a.txt", ZH_A.replace("。", "。\x00").encode()), code=0),
    Case(
        "raw invalid UTF-8 and a lone surrogate",
        BUILD,
        write("a.txt", ZH_A.encode() + b"\xed\xa0\x80\n" + ZH_B.encode()),
        code=0,
    ),
    Case("raw CR line ends", BUILD, write("a.txt", f"{ZH_A}\r{ZH_B}\r"), code=0),
    Case("raw one line of 1 MB", BUILD, write("a.txt", (ZH_A + EN_A) * 4000), code=0),
    Case("raw control characters", BUILD, write("a.txt", ZH_A + "\x07\x1b[31m" + ZH_B), code=0),
    left_out(
        "raw pdf garbage",
        both(write("a.pdf", b"%PDF-1.4\n garbage"), captures("a.pdf,note-a,,,\nb.txt,note-b,,,\n")),
        "a.pdf",
        "unreadable PDF",
    ),
    left_out(
        "raw pdf encrypted",
        both(write("a.pdf", encrypted_pdf()), captures("a.pdf,note-a,,,\nb.txt,note-b,,,\n")),
        "a.pdf",
        "encrypted with a password",
    ),
    left_out(
        "raw pdf without text",
        both(write("a.pdf", blank_pdf()), captures("a.pdf,note-a,,,\nb.txt,note-b,,,\n")),
        "a.pdf",
        "no text layer",
    ),
    left_out(
        "raw unsupported type",
        both(write("a.exe", PNG), captures("a.exe,note-a,,,\nb.txt,note-b,,,\n")),
        "unsupported file type '.exe'",
    ),
    Case(
        "raw html of scripts only",
        BUILD,
        both(
            write("a.html", "<html><script>var x=1;</script></html>"),
            captures("a.html,note-a,,,\nb.txt,note-b,,,\n"),
        ),
        code=0,
        says=("note-a", "kept no paragraph"),
    ),
    Case(
        "raw unlisted file",
        CHECK,
        write("c.txt", ZH_A),
        code=0,
        says=("c.txt", "not listed in captures.csv"),
    ),
    Case(
        "raw work without capture",
        CHECK,
        works(GOOD_WORKS + "note-c,无文件,,2018,,,true,,\n"),
        code=0,
        says=("'note-c' has no capture",),
    ),
    Case(
        "raw everything discarded",
        BUILD,
        write("a.txt", "首页\n登录\n注册\n搜索\n版权所有 ©2024\n"),
        code=0,
        says=("WARNING", "'note-a' is included but kept no paragraph"),
    ),
    Case(
        "raw four short principles",
        BUILD,
        write("a.txt", "尊重网络主权\n维护和平安全\n促进开放合作\n构建良好秩序\n"),
        code=0,
    ),
    # ------------------------------------------------ folders and paths
    Case(
        "data dir missing",
        ["build", "--data-dir", "{tmp}/nowhere"],
        says=("does not exist",),
        errors=1,
    ),
    Case(
        "data dir is raw itself",
        ["build", "--data-dir", "{data}/raw"],
        says=("looks like the raw folder itself",),
        errors=1,
    ),
    Case(
        "data dir without raw",
        ["check", "--data-dir", "{tmp}"],
        says=("no raw/ folder here",),
        errors=1,
    ),
    Case(
        "report of a folder that does not exist",
        ["report", "--data-dir", "{tmp}/no-such-corpus"],
        says=("no raw/ folder here", "the folder does not exist"),
        errors=1,
    ),
    Case(
        "kwic before build",
        ["kwic", "网络主权", "--data-dir", "{data}"],
        says=("not built yet", "cyberdiscourse build"),
        errors=1,
    ),
    Case(
        "kwic empty term",
        ["kwic", "", "--data-dir", "{data}"],
        says=("search term is empty",),
        errors=1,
    ),
    Case(
        "kwic blank term",
        ["kwic", "   ", "--data-dir", "{data}"],
        says=("search term is empty",),
        errors=1,
    ),
    Case(
        "kwic csv into raw",
        ["kwic", "网络主权", "--csv", "{data}/raw/works.csv", "--data-dir", "{data}"],
        says=("into the raw data folder",),
        errors=1,
    ),
    Case(
        "kwic csv into raw with force",
        ["kwic", "网络主权", "--csv", "{data}/raw/new.csv", "--force", "--data-dir", "{data}"],
        says=("into the raw data folder",),
        errors=1,
    ),
    Case(
        "kwic csv exists",
        ["kwic", "网络主权", "--csv", "{tmp}/exists.csv", "--data-dir", "{data}"],
        lambda d: (d.parent / "exists.csv").write_text("keep me"),
        says=("exists already", "--force"),
        errors=1,
    ),
    Case(
        "kwic csv is a folder",
        ["kwic", "网络主权", "--csv", "{tmp}", "--data-dir", "{data}"],
        says=("is a folder",),
        errors=1,
    ),
    Case(
        "kwic chars zero",
        ["kwic", "网络主权", "--chars", "0", "--data-dir", "{data}"],
        says=("--chars", "must be 1 or more"),
        errors=1,
    ),
    Case(
        "report figures into raw",
        ["report", "--figures-dir", "{data}/raw/figs", "--data-dir", "{data}"],
        says=("into the raw data folder",),
        errors=1,
    ),
    Case("unknown command", ["frobnicate"], code=2),
    Case("engine unknown", ["build", "--engine", "spark", "--data-dir", "{data}"], code=2),
    # ------------------------------------------------ add
    Case(
        "add missing file",
        ["add", "{tmp}/none.txt", "--title", "x", "--data-dir", "{data}"],
        says=("file not found", "check the path you gave to add"),
        errors=1,
    ),
    Case(
        "add a folder with --title",
        ["add", "{tmp}/in", "--title", "x", "--data-dir", "{data}"],
        lambda d: [
            (d.parent / "in").mkdir(),
            (d.parent / "in" / "a1.txt").write_text(ZH_A, "utf-8"),
            (d.parent / "in" / "a2.txt").write_text(ZH_B, "utf-8"),
        ],
        says=("a title or an id belongs to one file",),
        errors=1,
    ),
    Case(
        "add an empty folder",
        ["add", "{tmp}/in", "--data-dir", "{data}"],
        lambda d: (d.parent / "in").mkdir(),
        says=("no capture to add",),
        errors=1,
    ),
    Case(
        "add the raw folder itself",
        ["add", "{data}/raw", "--data-dir", "{data}"],
        says=("already in the raw folder",),
    ),
    Case(
        "add empty title",
        ["add", "{tmp}/new.txt", "--title", "", "--data-dir", "{data}"],
        lambda d: (d.parent / "new.txt").write_text(ZH_A, encoding="utf-8"),
        says=("title is empty",),
        errors=1,
    ),
    Case(
        "add blank title",
        ["add", "{tmp}/new.txt", "--title", " \n\t", "--data-dir", "{data}"],
        lambda d: (d.parent / "new.txt").write_text(ZH_A, encoding="utf-8"),
        says=("title is empty",),
        errors=1,
    ),
    Case(
        "add name taken",
        ["add", "{tmp}/a.txt", "--title", "x", "--data-dir", "{data}"],
        lambda d: (d.parent / "a.txt").write_text(ZH_A, encoding="utf-8"),
        says=("already exists", "never overwritten"),
        errors=1,
    ),
    Case(
        "add impossible date",
        ["add", "{tmp}/new.txt", "--title", "x", "--date", "2023-02-30", "--data-dir", "{data}"],
        lambda d: (d.parent / "new.txt").write_text(ZH_A, encoding="utf-8"),
        says=("impossible or malformed date",),
        errors=1,
    ),
    Case(
        "add unsupported type",
        ["add", "{tmp}/new.exe", "--title", "x", "--data-dir", "{data}"],
        lambda d: (d.parent / "new.exe").write_bytes(PNG),
        says=("unsupported file type",),
        errors=1,
    ),
    Case(
        "add empty file",
        ["add", "{tmp}/new.txt", "--title", "x", "--data-dir", "{data}"],
        lambda d: (d.parent / "new.txt").write_bytes(b""),
        says=("empty",),
        errors=1,
    ),
    Case(
        "add binary as txt",
        ["add", "{tmp}/new.txt", "--title", "x", "--data-dir", "{data}"],
        lambda d: (d.parent / "new.txt").write_bytes(PNG),
        says=("binary",),
        errors=1,
    ),
    Case(
        "add taken work id",
        ["add", "{tmp}/new.txt", "--title", "x", "--work-id", "note-a", "--data-dir", "{data}"],
        lambda d: (d.parent / "new.txt").write_text(ZH_A, encoding="utf-8"),
        says=("work_id 'note-a' exists",),
        errors=1,
    ),
    Case(
        "add with works.csv unreadable",
        ["add", "{tmp}/new.txt", "--title", "x", "--data-dir", "{data}"],
        both(
            lambda d: (d.parent / "new.txt").write_text(ZH_A, encoding="utf-8"),
            write("works.csv", (WORKS_HEADER + GOOD_WORKS).encode("gbk")),
        ),
        says=("works.csv", "not UTF-8"),
        errors=1,
    ),
    Case(
        "add then build a name with a newline",
        ["add", '{tmp}/two\nlines,"q".txt', "--title", "新文件", "--data-dir", "{data}"],
        lambda d: (d.parent / 'two\nlines,"q".txt').write_text(ZH_A, encoding="utf-8"),
        code=0,
        says=("Stored as 'two_lines,\"q\".txt'",),
        raw_may_change=True,
    ),
    Case(
        "add a title with a line break",
        ["add", "{tmp}/new.txt", "--title", "新\n文件", "--data-dir", "{data}"],
        lambda d: (d.parent / "new.txt").write_text(ZH_A, encoding="utf-8"),
        code=0,
        says=("Added new.txt",),
        raw_may_change=True,
    ),
    # ------------------------------------------------ import-tsv
    Case(
        "tsv missing",
        ["import-tsv", "{tmp}/none.tsv", "--data-dir", "{data}"],
        says=("file not found",),
        errors=1,
    ),
    Case(
        "tsv empty",
        ["import-tsv", "{tmp}/r.tsv", "--data-dir", "{data}"],
        lambda d: (d.parent / "r.tsv").write_bytes(b""),
        says=("the file is empty",),
        errors=1,
    ),
    Case(
        "tsv gbk",
        ["import-tsv", "{tmp}/r.tsv", "--data-dir", "{data}"],
        lambda d: (d.parent / "r.tsv").write_bytes(f"2019\t{ZH_A}\n2020\t{ZH_B}\n".encode("gbk")),
        code=0,
        says=("Imported 2 documents",),
        raw_may_change=True,
    ),
    Case(
        "tsv no tab",
        ["import-tsv", "{tmp}/r.tsv", "--data-dir", "{data}"],
        lambda d: (d.parent / "r.tsv").write_text(f"2019 {ZH_A}\n", encoding="utf-8"),
        says=("line 1", "expected a year, a TAB and the text"),
        errors=1,
    ),
    Case(
        "tsv bad year",
        ["import-tsv", "{tmp}/r.tsv", "--data-dir", "{data}"],
        lambda d: (d.parent / "r.tsv").write_text(f"20x1\t{ZH_A}\n", encoding="utf-8"),
        says=("line 1", "expected a year"),
        errors=1,
    ),
    Case(
        "tsv a year twice",
        ["import-tsv", "{tmp}/r.tsv", "--data-dir", "{data}"],
        lambda d: (d.parent / "r.tsv").write_text(f"2019\t{ZH_A}\n2019\t{ZH_B}\n", "utf-8"),
        says=("line 2",),
    ),
]


def _fill(argv: list[str], data: Path, tmp: Path) -> list[str]:
    return [a.replace("{data}", str(data)).replace("{tmp}", str(tmp)) for a in argv]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, tmp_path, capsys):
    data = small_data(tmp_path)
    if case.setup:
        case.setup(data)
    before = digest(data / "raw")
    try:
        code = main(_fill(case.argv, data, tmp_path))
    except SystemExit as exc:  # argparse: a wrong command line
        code = exc.code
    out, err = capsys.readouterr()
    text = out + err
    assert code == case.code, text
    assert "Traceback" not in text
    for phrase in case.says:
        assert phrase in text, text
    if case.errors is not None:
        assert text.count("ERROR:") == case.errors, text
    if not (case.raw_may_change and code == 0):
        assert digest(data / "raw") == before


def test_a_name_with_a_newline_builds_after_add(tmp_path, capsys):
    data = small_data(tmp_path)
    src = tmp_path / "line\nbreak\u2028.txt"
    src.write_text(ZH_A, encoding="utf-8")
    assert main(["add", str(src), "--title", "换行", "--data-dir", str(data)]) == 0
    assert (data / "raw" / "line_break_.txt").is_file()
    assert main(["build", "--data-dir", str(data)]) == 0
    assert main(["kwic", "自然延伸", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "line_break_.txt:1" in out and "2 occurrence(s)" in out


def test_a_name_that_is_only_a_suffix_gets_a_name(tmp_path):
    """Found by the fuzz suite: " .txt" was stored as ".txt", which no build could read."""
    data = small_data(tmp_path)
    src = tmp_path / " .txt"
    src.write_text(ZH_A, encoding="utf-8")
    assert main(["add", str(src), "--title", "无名", "--data-dir", str(data)]) == 0
    assert (data / "raw" / "capture.txt").is_file()
    assert main(["build", "--data-dir", str(data)]) == 0


def test_quoted_fields_survive_a_round_trip_through_add(tmp_path):
    from cyberdiscourse.metadata import read_works

    data = small_data(tmp_path)
    (data / "raw" / "works.csv").write_text(
        WORKS_HEADER + 'note-a,"关于\u2028网络主权",,2016,,,true,,"a\x0cb"\n'
        "note-b,,B,2017,,,true,,\n",
        encoding="utf-8",
    )
    src = tmp_path / "new.txt"
    src.write_text(ZH_A, encoding="utf-8")
    assert main(["add", str(src), "--title", '新, "引号"', "--data-dir", str(data)]) == 0
    problems: list = []
    got = read_works(data / "raw", problems)
    assert problems == []
    assert got["note-a"].title_zh == "关于\u2028网络主权"
    assert [w.title_zh for w in got.values()][-1] == '新, "引号"'


def test_four_short_principles_are_text_and_kwic_finds_them(tmp_path, capsys):
    data = small_data(tmp_path)
    lines = ["尊重网络主权", "维护和平安全", "促进开放合作", "构建良好秩序"]
    (data / "raw" / "a.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["build", "--data-dir", str(data)]) == 0
    assert main(["kwic", "网络主权", "--data-dir", str(data)]) == 0
    assert "1 occurrence(s)" in capsys.readouterr().out
    import pandas as pd

    paragraphs = pd.read_parquet(data / "processed" / "paragraphs")
    assert paragraphs.loc[paragraphs["work_id"] == "note-a", "text"].tolist() == lines


def test_kwic_csv_is_replaced_only_with_force(tmp_path, capsys):
    data = small_data(tmp_path)
    assert main(["build", "--data-dir", str(data)]) == 0
    target = tmp_path / "out.csv"
    target.write_text("keep me", encoding="utf-8")
    args = ["kwic", "网络主权", "--csv", str(target), "--data-dir", str(data)]
    assert main(args) == 1
    assert target.read_text(encoding="utf-8") == "keep me"
    assert main([*args, "--force"]) == 0
    assert "网络主权" in target.read_text(encoding="utf-8-sig")


def _fail_writes(monkeypatch, err: int) -> None:
    """Every atomic write fails as the file system would (as root, chmod does not stop us)."""
    import tempfile as tempfile_mod

    real = tempfile_mod.mkstemp

    def refuse(*args, **kwargs):
        folder = kwargs.get("dir") or "."
        if "processed" in str(folder) or "raw" in str(folder):
            raise OSError(err, os.strerror(err), str(folder))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile_mod, "mkstemp", refuse)
    real_copy = shutil.copyfile

    def refuse_copy(src, dst, *args, **kwargs):  # add stages its copies beside raw/
        if ".add-staging" in str(dst):
            raise OSError(err, os.strerror(err), str(dst))
        return real_copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", refuse_copy)


@pytest.mark.parametrize(
    ("err", "says"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "read-only"),
    ],
)
def test_a_full_disk_or_a_read_only_folder_is_a_message(tmp_path, capsys, monkeypatch, err, says):
    data = small_data(tmp_path)
    assert main(["build", "--data-dir", str(data)]) == 0
    outputs = digest(data / "processed")
    src = tmp_path / "new.txt"
    src.write_text(ZH_A, encoding="utf-8")
    (data / "raw" / "a.txt").write_text(ZH_B + "\n", encoding="utf-8")  # so build has work
    raw = digest(data / "raw")
    capsys.readouterr()
    _fail_writes(monkeypatch, err)
    assert main(["build", "--data-dir", str(data)]) == 1
    assert main(["add", str(src), "--title", "新文件", "--data-dir", str(data)]) == 1
    text = "".join(capsys.readouterr())
    assert text.count(says) == 2 and "Traceback" not in text
    assert "nothing was half-written" in text
    assert digest(data / "raw") == raw
    # The outputs of the last good build are still whole, and readable as a build.
    left = {k: v for k, v in digest(data / "processed").items() if not k.endswith(".lock")}
    assert left == {k: v for k, v in outputs.items() if not k.endswith(".lock")}


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_truly_read_only_data_folder(tmp_path, capsys):
    data = small_data(tmp_path)
    for path in [data, data / "raw"]:
        path.chmod(0o555)
    try:
        assert main(["build", "--data-dir", str(data)]) == 1
        assert "permission denied" in capsys.readouterr().err
    finally:
        for path in [data, data / "raw"]:
            path.chmod(0o755)
