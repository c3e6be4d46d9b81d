import pytest

from lib.listing import window
from lib.sorting import sort_queryset
from org.models import Unit

pytestmark = pytest.mark.django_db


def test_sorting_follows_the_whitelist_only():
    units = Unit.objects.all()
    assert sort_queryset(units, "-kind", {"kind": "kind"}).query.order_by == ("-kind", "-id")
    assert sort_queryset(units, "-name", {"name": "name"}).query.order_by == ("-name_key", "-name", "-id")
    assert sort_queryset(units, "password", {"name": "name"}) is units


def test_plain_data_keeps_amounts_exact():
    from datetime import date
    from decimal import Decimal

    from lib.jsondata import plain

    assert plain({"a": Decimal("658310.00"), "d": date(2026, 3, 1)}) == {"a": "658310.00", "d": "2026-03-01"}


# A list of 3 + 0 + (2 and 4, interleaved) + 5 rows: groups a, b, (c, d) and e.
BLOCKS = [[("a", 3)], [("b", 0)], [("c", 2), ("d", 4)], [("e", 5)]]


@pytest.mark.parametrize(
    ("index", "groups", "skip"),
    [
        (slice(0, 2), ["a"], 0),
        (slice(2, 4), ["a", "c", "d"], 2),
        (slice(3, 9), ["c", "d"], 0),
        (slice(8, 10), ["c", "d", "e"], 5),
        (slice(9, 20), ["e"], 0),
        (slice(14, 20), [], 0),
    ],
)
def test_a_window_names_the_groups_a_page_falls_in(index, groups, skip):
    assert window(iter(BLOCKS), index) == (groups, skip)
