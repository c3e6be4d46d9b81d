import pytest

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
