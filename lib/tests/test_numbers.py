"""Money and share arithmetic: 亿元, percentages, largest-remainder shares, size buckets."""

from decimal import Decimal

import pytest

from lib.numbers import largest_remainder_shares, percent, quantize, size_bucket, wan_to_yi


def test_shares_of_15_15_2_11_read_as_in_the_seed_bulletin() -> None:
    shares = largest_remainder_shares([15, 15, 2, 11])
    assert shares == [Decimal("34.9"), Decimal("34.9"), Decimal("4.6"), Decimal("25.6")]
    assert sum(shares) == Decimal("100.0")


@pytest.mark.parametrize("counts", [[1, 1, 1], [1, 2, 3, 4, 5, 6, 7], [999, 1], [7]])
def test_shares_always_add_up_to_exactly_100(counts: list[int]) -> None:
    assert sum(largest_remainder_shares(counts)) == Decimal(100)


def test_shares_of_nothing_are_zero() -> None:
    assert largest_remainder_shares([0, 0]) == [Decimal("0.0"), Decimal("0.0")]


def test_percent_of_projects_above_one_yi() -> None:
    assert percent(140, 223, 2) == Decimal("62.78")


def test_percent_above_100_when_plan_is_exceeded() -> None:
    assert percent(1806, 1713) == Decimal("105.4")


def test_percent_of_a_zero_whole_is_none() -> None:
    assert percent(5, 0) is None


def test_wan_to_yi_rounds_half_up() -> None:
    assert wan_to_yi(Decimal("239000")) == Decimal("23.90")
    assert wan_to_yi(Decimal("12345")) == Decimal("1.23")
    assert wan_to_yi(Decimal("12350")) == Decimal("1.24")
    assert wan_to_yi(None) == Decimal("0.00")
    assert wan_to_yi(1_101_000, places=1) == Decimal("110.1")


def test_quantize_rounds_half_up_not_to_even() -> None:
    assert quantize(Decimal("0.125")) == Decimal("0.13")
    assert quantize(Decimal("2.5"), 0) == Decimal("3")


@pytest.mark.parametrize(
    ("total", "bucket"),
    [
        (Decimal("9999.99"), "<1y"),
        (Decimal("10000"), "1-5y"),
        (Decimal("49999.99"), "1-5y"),
        (Decimal("50000"), "5-10y"),
        (Decimal("99999.99"), "5-10y"),
        (Decimal("100000"), "10y+"),
        (None, "<1y"),
    ],
)
def test_size_buckets_start_exactly_at_their_boundaries(total: Decimal | None, bucket: str) -> None:
    assert size_bucket(total) == bucket
