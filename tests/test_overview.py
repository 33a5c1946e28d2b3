from cyberdiscourse import overview


def test_textstat_works_orders_included_works_by_date(seed_corpus):
    works = overview.textstat_works(seed_corpus.works)
    assert works["label"].tolist() == [
        "2016-06 joint statement",
        "2017-03 strategy",
        "2019-10 concept document",
        "2020-11 initiative",
        "2022-11 white paper",
        "2024-01 position paper",
    ]
    assert (works["n_chars_zh"] > 1000).all()


def test_ledger_table_counts_full_discards_only(seed_corpus):
    raw_lines = sum(seed_corpus.raw_lines.values())
    ledger = overview.textstat_ledger(seed_corpus.discarded, raw_lines)
    full = seed_corpus.discarded[~seed_corpus.discarded["partial"]]
    assert ledger["lines"].sum() == len(full)
    assert set(ledger["reason"]) <= set(overview.LEDGER_REASONS)
    assert (ledger["meaning"] != "").all()


def test_label_levels_keep_stems_out_of_labels():
    # Three works a few days apart with wide labels: each label rises above the next stem.
    assert overview._label_levels([0, 10, 20], [100, 100, 100]) == [2.6, 1.8, 1.0]
    # Far apart: all on the first level.
    assert overview._label_levels([0, 500, 1000], [100, 100, 100]) == [1.0, 1.0, 1.0]


def test_textplots_return_axes_with_every_work(seed_corpus):
    works = overview.textstat_works(seed_corpus.works)
    composition = overview.textstat_composition(works)
    assert composition["group"].tolist() == works["label"].tolist()  # six works: one row each
    zh, en = overview.textplot_composition(composition)
    assert [t.get_text() for t in zh.get_yticklabels()] == works["label"].tolist()[::-1]
    assert zh.get_xlabel() == "Chinese characters" and en.get_xlabel() == "English characters"
    # Chinese and English apart: each bar is one language's count, never a sum of both
    assert [p.get_width() for p in zh.patches] == works["n_chars_zh"].tolist()[::-1]
    assert [p.get_width() for p in en.patches] == works["n_chars_en"].tolist()[::-1]
    ax = overview.textplot_timeline(works)
    texts = [t.get_text() for t in ax.texts]
    assert " white paper\n 2022-11 (month only)" in texts
    assert len(texts) == 6


def test_undated_works_are_split_off_and_named():
    import pandas as pd

    works = pd.DataFrame(
        {
            "work_id": ["a", "b", "c"],
            "title_zh": ["甲", "乙", "丙"],
            "title_en": ["", "", ""],
            "date": ["2016-06-25", "2020", ""],
        }
    )
    dated, left_out = overview.split_dated(works)
    assert dated["work_id"].tolist() == ["a", "b"] and left_out["work_id"].tolist() == ["c"]
    assert overview.undated_note(left_out, "the timeline").startswith(
        "1 work(s) have no date and are left out of the timeline (c)"
    )
    assert overview.undated_note(left_out.iloc[:0], "the timeline") == (
        "Every work has a date: the timeline uses all of them."
    )


def _works(dates, sizes=None):
    import pandas as pd

    sizes = sizes or [100] * len(dates)
    return pd.DataFrame(
        {
            "work_id": [f"w{i}" for i in range(len(dates))],
            "title_zh": [f"文件{i}" for i in range(len(dates))],
            "title_en": "",
            "date": dates,
            "n_chars_zh": sizes,
            "n_chars_en": 0,
        }
    )


def test_the_period_boundary_is_derived_from_the_dated_works():
    from cyberdiscourse.overview import period_boundary_of

    # The demo's six years: the lower median, 2019, splits them two against four.
    assert (
        period_boundary_of(_works(["2016-06-25", "2017-03", "2019", "2020", "2022-11", "2024"]))
        == 2019
    )
    # Undated works are not counted; a boundary always leaves works on both sides.
    assert period_boundary_of(_works(["1990", "1990", "1990", "2001", "", ""])) == 2001
    # Works within a few weeks (a crawl): the median day, as an ISO date.
    assert period_boundary_of(_works(["2023-01-05", "2023-01-09", ""])) == "2023-01-09"
    month = [f"2023-01-{d:02d}" for d in (3, 3, 4, 10, 11, 17, 20, 30)]
    assert period_boundary_of(_works(month)) == "2023-01-10"
    assert period_boundary_of(_works(["2023-01-05", "2023-01-05"])) is None  # one day
    assert period_boundary_of(_works(["", ""])) is None


def test_a_month_of_works_is_grouped_by_day_or_week_not_by_one_year():
    from cyberdiscourse.overview import group_of, grouping_for

    days = [f"2023-01-{d:02d}" for d in range(1, 32)]
    month = _works(days * 2 + [""])  # 63 works over the 31 days of January, one undated
    assert grouping_for(month) == "week"  # 31 days > 30 groups; weeks are 6
    assert grouping_for(month, max_groups=60) == "day"
    weeks = group_of(month, "week")
    assert weeks.iloc[0] == "week of 2022-12-26" and weeks.iloc[1] == "week of 2023-01-02"
    assert weeks.iloc[-1] == "undated" and weeks.nunique() == 7
    years = _works([f"{y}-06-01" for y in range(1950, 2020)])
    assert grouping_for(years) == "five_years"  # 70 years: as before


def test_the_spread_note_names_the_works_that_hold_most_paragraphs():
    import pandas as pd

    from cyberdiscourse.overview import spread_note

    works = _works(["2016", "2017", ""])
    note = spread_note(works, pd.Series({"w1": 60, "w0": 30, "w2": 10}))
    assert note == (
        "100 paragraphs from 3 works; the 2 largest (文件1 (2017); 文件0 (2016)) hold 90% of them."
    )
