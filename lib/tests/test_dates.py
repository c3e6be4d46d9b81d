from datetime import date

from lib.dates import add_months


def test_adding_months_keeps_the_day():
    assert add_months(date(2026, 3, 15), 2) == date(2026, 5, 15)


def test_adding_months_crosses_the_year():
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 10), -2) == date(2025, 11, 10)


def test_adding_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(date(2023, 12, 31), 2) == date(2024, 2, 29)
    assert add_months(date(2026, 8, 31), 1) == date(2026, 9, 30)


def test_a_span_of_months_names_january_alone():
    from lib.dates import months_so_far

    assert months_so_far(2019, 1) == "2019年1月"
    assert months_so_far(2026, 10) == "2026年1–10月"
