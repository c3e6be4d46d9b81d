import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lib.listing import window, window_ids
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
    ("index", "blocks"),
    [
        (slice(0, 2), [(["a"], 0, 2)]),
        (slice(2, 4), [(["a"], 2, 1), (["c", "d"], 0, 1)]),
        (slice(3, 9), [(["c", "d"], 0, 6)]),
        (slice(8, 10), [(["c", "d"], 5, 1), (["e"], 0, 1)]),
        (slice(9, 20), [(["e"], 0, 5)]),
        (slice(12, None), [(["e"], 3, 2)]),
        (slice(14, 20), []),
    ],
)
def test_a_window_names_the_blocks_a_page_falls_in_and_its_rows_of_each(index, blocks):
    assert window(iter(BLOCKS), index) == blocks


def test_window_ids_read_a_page_of_one_block_by_id_and_one_across_blocks_in_the_lists_order():
    # Units in the order (sort_order, id): place 1 holds three of them, place 2 two, created mixed.
    units = [
        Unit.objects.create(name=f"单位{n}", kind="owner", sort_order=place)
        for n, place in enumerate([2, 1, 1, 2, 1])
    ]
    mine = Unit.objects.filter(pk__in=[unit.pk for unit in units])
    order = ("sort_order", "id")
    expected = list(mine.order_by(*order).values_list("pk", flat=True))
    blocks = [[(1, 3)], [(2, 2)]]

    def rows_of(places):
        return mine.filter(sort_order__in=places)

    for index in (slice(0, 2), slice(1, 3), slice(2, 4), slice(3, 5), slice(0, 5)):
        spans = window(iter(blocks), index)
        with CaptureQueriesContext(connection) as captured:
            assert window_ids(spans, rows_of, order) == expected[index], index
        (statement,) = captured.captured_queries
        _where, _by, ordered_by = statement["sql"].rpartition("ORDER BY")
        assert ("sort_order" in ordered_by) == (len(spans) > 1), (index, ordered_by)
    assert window_ids([], rows_of, order) == []
