import pytest

from cyberdiscourse.dates import (
    date_in_file_name,
    find_dates,
    parse_metadata_date,
    zh_numeral_to_int,
)


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("2017-03-01", "2017-03-01", "day"),
        ("publishdate:2024/01/05", "2024-01-05", "day"),
        ("(2017年03月01日 外交部发布)", "2017-03-01", "day"),
        ("２０１７年３月１日", "2017-03-01", "day"),
        ("二○一六年六月二十五日", "2016-06-25", "day"),
        ("二〇二〇年十一月十八日", "2020-11-18", "day"),
        ("June 25, 2016", "2016-06-25", "day"),
        ("Dec. 16, 2015", "2015-12-16", "day"),
        ("25 June 2016", "2016-06-25", "day"),
        ("(最近更新时间:2024年1月)", "2024-01", "month"),
        ("January 2024", "2024-01", "month"),
    ],
)
def test_find_dates_formats(text, date, precision):
    found = find_dates(text)
    assert [(d.date, d.precision) for d in found] == [(date, precision)]


def test_impossible_dates_are_not_dates():
    assert find_dates("2019-02-30") == []
    assert find_dates("2019年13月1日") == []


def test_clock_time_marks_a_web_timestamp():
    (d,) = find_dates("2017-03-01 15:43")
    assert d.has_time
    (d,) = find_dates("2020年11月18日 16:02")
    assert d.has_time
    assert not find_dates("June 25, 2016 Beijing")[0].has_time


def test_zh_numerals():
    assert zh_numeral_to_int("二○一六") == 2016
    assert zh_numeral_to_int("十") == 10
    assert zh_numeral_to_int("十一") == 11
    assert zh_numeral_to_int("二十五") == 25


def test_parse_metadata_date():
    assert parse_metadata_date("2022-11") == ("2022-11", "month")
    assert parse_metadata_date("2016-06-25") == ("2016-06-25", "day")
    assert parse_metadata_date("2016") == ("2016", "year")
    assert parse_metadata_date("2019-02-30") is None
    assert parse_metadata_date("25/06/2016") is None


def test_as_dates_puts_each_precision_at_its_start():
    import pandas as pd

    from cyberdiscourse.dates import as_dates

    got = as_dates(pd.Series(["2016-06-25", "2022-11", "2016"])).dt.strftime("%Y-%m-%d")
    assert got.tolist() == ["2016-06-25", "2022-11-01", "2016-01-01"]


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("数据安全法(2021-06-10).md", "2021-06-10"),
        ("2023-01-05_网信办发布新规.md", "2023-01-05"),
        ("20230105-网信办发布新规.html", "2023-01-05"),
        ("IMG_20230105_1200.docx", "2023-01-05"),
        ("道路运输条例（２０２２-０３-２９）.md", "2022-03-29"),
    ],
)
def test_a_whole_day_in_a_file_name_is_found(name, date):
    found = date_in_file_name(name)
    assert found is not None and (found.date, found.precision) == (date, "day")


@pytest.mark.parametrize(
    "name",
    [
        "reg-gjxxjcss-2021.md",  # a bare year is no day
        "report_123456789.md",  # a number inside a longer one
        "abc20230105.md",  # glued to letters: an id, not a date
        "20231305-x.md",  # no 13th month
        "v2.0.md",
    ],
)
def test_a_file_name_without_a_whole_day_has_none(name):
    assert date_in_file_name(name) is None


def test_as_dates_leaves_a_missing_date_out_instead_of_inventing_a_year():
    import pandas as pd

    from cyberdiscourse.dates import as_dates

    got = as_dates(pd.Series(["2020", "2020-05", "2020-05-06", "", None, "-07-01", "n.d."]))
    assert got.iloc[:3].dt.strftime("%Y-%m-%d").tolist() == [
        "2020-01-01",
        "2020-05-01",
        "2020-05-06",
    ]
    assert got.iloc[3:].isna().all()  # "" + "-01-01" once became the year -1


def test_the_time_unit_follows_the_span_and_the_precision_of_the_dates():
    import pandas as pd

    from cyberdiscourse.dates import time_unit_for

    month = pd.Series([f"2023-01-{d:02d}" for d in range(1, 32)])
    assert time_unit_for(month) == "day"
    assert time_unit_for(pd.Series(["2023-01-02", "2023-03-20", "2023-02-11"])) == "week"
    assert time_unit_for(pd.Series(["2023-01-02", "2023-09-20"])) == "month"
    assert time_unit_for(pd.Series(["2016-06-25", "2017-03", "2022-11", "2024"])) == "year"
    # A crawl within a month, but dated only to the month: months, not days.
    assert time_unit_for(pd.Series(["2023-01"] * 9 + ["2023-02-03"])) == "month"
    # One stray date decades off does not turn a month into years (1st-99th percentile).
    assert time_unit_for(pd.concat([month] * 4 + [pd.Series(["1998-01-01"])])) == "day"
    assert time_unit_for(pd.Series(["", "nonsense"])) == "year"


def test_periods_and_their_middles():
    import pandas as pd

    from cyberdiscourse.dates import period_middle, period_of

    dates = pd.Series(["2023-01-05", "2023-01", "2023", "", "2023-01-08"])
    assert period_of(dates, "year").tolist() == ["2023", "2023", "2023", "", "2023"]
    assert period_of(dates, "month").tolist() == ["2023-01", "2023-01", "", "", "2023-01"]
    assert period_of(dates, "week").tolist() == ["2023-01-02", "", "", "", "2023-01-02"]
    assert period_of(dates, "day").tolist() == ["2023-01-05", "", "", "", "2023-01-08"]
    middles = period_middle(pd.Series(["2023", "2023-01", "2023-01-02"]), "year")
    assert str(middles.iloc[0].date()) == "2023-07-01"
    assert str(period_middle(pd.Series(["2023-01"]), "month").iloc[0].date()) == "2023-01-15"
    assert str(period_middle(pd.Series(["2023-01-02"]), "week").iloc[0].date()) == "2023-01-05"
    with pytest.raises(ValueError, match="unit must be one of"):
        period_of(dates, "decade")
