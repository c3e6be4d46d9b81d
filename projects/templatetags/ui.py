"""Small template helpers shared by list pages: sortable headers, money, query strings."""

from decimal import Decimal

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lib.dates import months_so_far as months_so_far_text
from lib.numbers import wan_to_yi

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: str) -> str:
    """A column header that sorts by `key`, toggling direction, keeping the filters and the page size.
    The column sorted by shows its direction; the others a faint mark that they sort."""
    request = context["request"]
    current = request.GET.get("sort", "")
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    query["sort"] = f"-{key}" if current == key else key
    if current in (key, f"-{key}"):
        arrow = "↑" if current == key else "↓"
        state = _("升序") if current == key else _("降序")
        return format_html(
            '<a class="table-sort-link active" href="?{}" title="{}">{} {}</a>',
            query.urlencode(),
            _("已按“%(label)s”%(state)s排列，点击切换") % {"label": label, "state": state},
            label,
            arrow,
        )
    return format_html(
        '<a class="table-sort-link" href="?{}" title="{}">{}<i class="ti ti-selector ms-1 opacity-50" aria-hidden="true"></i></a>',
        query.urlencode(),
        _("按“%(label)s”排序") % {"label": label},
        label,
    )


@register.simple_tag(takes_context=True)
def list_state(context: template.Context, form_id: str) -> str:
    """The list's sort and page size as hidden inputs of its filter form `form_id`, so that filtering
    keeps them; they sit in the table, which htmx swaps, and so always hold the table's own."""
    return format_html(
        '<input type="hidden" name="sort" value="{}" form="{}"><input type="hidden" name="per_page" value="{}" form="{}">',
        context.get("sort", ""),
        form_id,
        context.get("per_page", ""),
        form_id,
    )


@register.simple_tag(takes_context=True)
def per_page_query(context: template.Context, size: int) -> str:
    """The current query string showing `size` rows a page, from the first page, keeping the filters and the sort."""
    query: QueryDict = context["request"].GET.copy()
    query.pop("page", None)
    query["per_page"] = str(size)
    return query.urlencode()


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
