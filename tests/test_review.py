"""The review table add prints."""

from cyberdiscourse.review import review_table


def _row(name: str, date: str) -> dict:
    return {
        "file": name,
        "work_id": name.split(".")[0],
        "date": date,
        "date_kind": "publication" if date else "",
        "chars_kept": 500,
        "share_discarded": 0.1,
        "title": name,
        "title_inferred": True,
        "issuer": "",
        "date_evidence": "",
        "flags": [] if date else ["no date found"],
    }


def test_works_without_a_date_come_first_in_the_review():
    table = review_table([_row("a.md", "2021-06-10"), _row("b.md", ""), _row("c.md", "2020")])
    files = [line.split()[0] for line in table.splitlines()[2:] if line.endswith("%")]
    assert files == ["b.md", "a.md", "c.md"]
    assert table.index("CHECK: no date found") < table.index("a.md")
