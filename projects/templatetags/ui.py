"""Small template helpers shared by list pages: sortable headers, money, query strings."""

from decimal import Decimal

from django import template
from django.http import QueryDict
from django.utils.html import format_html

from lib.dates import months_so_far as months_so_far_text
from lib.numbers import wan_to_yi

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: str) -> str:
    """A column header that sorts by `key`, toggling direction, keeping the filters."""
    request = context["request"]
    current = request.GET.get("sort", "")
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    query["sort"] = f"-{key}" if current == key else key
    arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
    return format_html('<a class="table-sort-link" href="?{}">{}{}</a>', query.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced."""
    query: QueryDict = context["request"].GET.copy()
    for name, value in changes.items():
        query[name] = str(value)
    return query.urlencode()


@register.filter
def yi(amount_wan: Decimal | None) -> str:
    """万元 → "12.34" 亿元."""
    return f"{wan_to_yi(amount_wan):,.2f}"


@register.filter
def wan(amount: Decimal | None) -> str:
    """万元 with thousands separators and 2 decimals."""
    return "" if amount is None else f"{Decimal(amount):,.2f}"


@register.simple_tag
def months_so_far(year: int, month: int) -> str:
    """{% months_so_far year month %}: 2026年1–10月, or 2026年1月 for January alone."""
    return months_so_far_text(year, month)
