"""Numbers in query strings, read one way everywhere: years, months, pages and ids within sane bounds.

A page falls back to its default for a value out of range; the API answers 400 with a message
(YearFilter / IdFilter in FilterSets, `api_year` in actions that read a year by hand).
"""

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

YEARS = (2000, 2100)
# The most rows a list page shows at once (`?per_page=`): a page stays quick to render and to read.
MAX_PAGE_SIZE = 100
# Ids are 64-bit integers in every database: a larger number names nothing and must not reach SQL.
MAX_ID = 2**63 - 1


def query_int(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    """`name` from a query string as an int within [low, high]; the default for anything else."""
    value = str(params.get(name, "")).strip()
    if value.lstrip("-").isdigit() and len(value) <= 20 and low <= int(value) <= high:
        return int(value)
    return default


def page_year(params: Mapping[str, Any], default: int | None = None) -> int:
    """The page's `?year=` when it is a year from 2000 to 2100, else `default`: this year unless given
    (next year for the pipeline being prepared, 0 for pages that list every year when none is chosen)."""
    return query_int(params, "year", timezone.localdate().year if default is None else default, *YEARS)


def api_year(params: Mapping[str, Any]) -> int:
    """The `year` of an API request (this year when absent); out of range is a 400 that says so."""
    if str(params.get("year", "")).strip() == "":
        return timezone.localdate().year
    year = query_int(params, "year", 0, *YEARS)
    if not year:
        raise ValidationError(
            {"year": [_("年度应为%(a)d到%(b)d之间的整数。") % {"a": YEARS[0], "b": YEARS[1]}]}
        )
    return year


class YearFilter(filters.NumberFilter):
    """A year between 2000 and 2100; anything else is an invalid filter value (400 in the API)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", YEARS[0])
        kwargs.setdefault("max_value", YEARS[1])
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    """A row id: a positive integer that fits the database's 64-bit ids."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


# Query values a page reads as numbers, and their sane bounds (a notice says when one is ignored).
PAGE_BOUNDS: dict[str, tuple[int, int]] = {
    "year": YEARS,
    "plan_year": YEARS,
    "month": (1, 12),
    "page": (1, 10**9),
    "per_page": (1, MAX_PAGE_SIZE),
    **{
        name: (1, MAX_ID)
        for name in (
            "project",
            "unit",
            "responsible_unit",
            "town",
            "category",
            "industry",
            "leader_in_charge",
        )
    },
}


def ignored_values(params: Mapping[str, Any]) -> list[str]:
    """The `name=value` pairs of a page's query string that are not numbers within their bounds."""
    ignored = []
    for name, (low, high) in PAGE_BOUNDS.items():
        value = str(params.get(name, "")).strip()
        if value and query_int(params, name, low - 1, low, high) == low - 1:
            ignored.append(f"{name}={value[:30]}")
    return ignored
