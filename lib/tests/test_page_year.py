import time_machine

from lib.params import page_year


@time_machine.travel("2026-03-15 10:00 +0800", tick=False)
def test_the_year_of_a_page_is_this_year_unless_the_query_names_one():
    assert page_year({}) == 2026
    assert page_year({"year": "2024"}) == 2024
    assert page_year({"year": " 2031 "}) == 2031


@time_machine.travel("2026-03-15 10:00 +0800", tick=False)
def test_a_page_may_default_to_another_year_or_to_every_year():
    assert page_year({}, default=2027) == 2027
    assert page_year({"year": "2025"}, default=2027) == 2025
    assert page_year({}, default=0) == 0


@time_machine.travel("2026-03-15 10:00 +0800", tick=False)
def test_a_year_out_of_range_or_not_a_number_gives_the_default():
    for value in ("1999", "2101", "10000", "二〇二六", "2026.0", "-2026", "9" * 30):
        assert page_year({"year": value}) == 2026, value
        assert page_year({"year": value}, default=0) == 0, value
