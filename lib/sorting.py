"""Whitelisted sorting of list pages: "?sort=name" or "?sort=-amount", never an arbitrary field."""

from collections.abc import Mapping

from django.db.models import QuerySet


def sort_queryset(queryset: QuerySet, sort: str, keys: Mapping[str, str]) -> QuerySet:
    """Order by the field `keys[sort]` (descending with a leading "-"), then by id; unknown keys change nothing."""
    key = sort.lstrip("-")
    if key not in keys:
        return queryset
    prefix = "-" if sort.startswith("-") else ""
    return queryset.order_by(f"{prefix}{keys[key]}", f"{prefix}id")
