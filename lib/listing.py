"""List pages written one way: the page's FilterSet applied to the rows the user may see, a whitelisted
`?sort=`, the .xlsx export when `?export=xlsx` asks for it, one page of rows, and the table alone when
htmx swaps it (the filter form, the sort headers and the page links all replace only the table).

    listing = ListPage(request, visible, NoticeFilterSet, sorts=NOTICE_SORTS)
    if listing.exporting:
        return export_notices(request, listing.rows)
    return listing.render("supervision/notice_list.html", "supervision/includes/notice_table.html", {...})

The page template includes the table template inside the element the form and links target. Rendered
alone, the table template has `table_only` set, so that it can also send what else the query string
changes (the export link, figures of the filtered rows) as htmx out-of-band swaps.

Every list offers the same page sizes (`?per_page=`, at most `lib.params.MAX_PAGE_SIZE`) in its page
footer, and sorts by the columns its `sorts` names (`{% sort_header 'deadline' _('办理时限') %}` in the
header), names by 拼音 (`lib.sorting`). The table keeps the sort and the page size for the filter form
in hidden inputs tied to the form, `{% list_state "notice-filters" %}`.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast, overload

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.where import WhereNode
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django_filters.filterset import BaseFilterSet
from django_htmx.middleware import HtmxDetails

from lib.params import MAX_PAGE_SIZE, query_int
from lib.sorting import sort_queryset

Rows = TypeVar("Rows", bound=QuerySet)

# The page sizes every list offers, besides its own default.
PAGE_SIZES = (20, 50, 100)
# How many rows at the head of a list's whole table PageRows looks among first for a page's rows,
# and how many times as many it looks among next, for a list that asks it to (`look_further`),
# when the page is not all there (a town's projects, a few in a hundred of the registry's, fill a
# page only further down).
HEAD_ROWS = 1000
HEAD_GROWTH = 10


def swaps_table(request: HttpRequest) -> bool:
    """An htmx request for the table alone; restoring a page from history needs all of it."""
    htmx = HtmxDetails(request)
    return bool(htmx) and not htmx.history_restore_request


class PageRows:
    """Rows for the paginator, fetched a page at a time in two steps: the page's ids in the list's
    order (a narrow statement, which the database sorts without carrying every joined column), then
    those rows with everything the page shows. Rows of values are sliced as they are, unless their
    page is found at the head (below); rows that cannot be filtered again (sliced, or a union) are
    sliced as they are. The ids are read once each, so a list must
    not repeat a row through a join, nor compute a window over the list's rows. The count is the
    one given, when the page knows it already, or the database's.

    `head` is the list's whole table in the list's own order, an order an index holds. The page's
    ids are first looked for among its first HEAD_ROWS rows, each asked whether the list keeps it,
    then, with `look_further`, among HEAD_GROWTH times as many (for a list whose own statement
    costs more than that second look, 8–14 ms at 100,000 projects, whatever its scope): a page
    found whole there is the list's page, since the list keeps its rows in the same order.
    A user's scope otherwise makes SQLite list and sort every project of it to read twenty (an
    owner of 18,000 projects at 100,000: 14 ms, against 1 ms from the head). A page not found
    whole there (a narrow filter, a page far down) is read as before. PostgreSQL walks the order's
    index itself, asking each row the list's filters (0.4 ms, against 2–9 ms from the head): it
    reads the page as it is."""

    def __init__(
        self,
        rows: QuerySet,
        count: int | None = None,
        head: QuerySet | None = None,
        head_rows: QuerySet | None = None,
        look_further: bool = False,
        ids: Callable[[slice], list[Any]] | None = None,
    ) -> None:
        self.rows = rows
        self.known = count
        self.ids = ids
        self.head = head
        self.look_further = look_further
        # The same rows written to be asked after a few of them (each looked up, where the rows'
        # own statement lists a set once for every row): read for a page looked for at the head.
        self.head_rows = rows if head_rows is None else head_rows

    def count(self) -> int:
        if self.known is None:
            self.known = self.rows.count()
        return self.known

    def __len__(self) -> int:
        return self.count()

    @property
    def ordered(self) -> bool:
        return self.rows.ordered

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        query = self.rows.query
        if isinstance(index, int) or query.is_sliced or query.combinator:
            return self.rows[index]
        if not issubclass(self.rows._iterable_class, ModelIterable):
            # Rows of values keep their columns: only a page found at the head is read by its ids,
            # the rows' own statement then computing its columns for the page's rows alone.
            ids = self.head_ids(index)
            return self.rows[index] if ids is None else list(self.head_rows.filter(pk__in=ids))
        ids = self.page_ids(index)
        shown = self.rows.order_by()
        if not query.distinct and not any(
            getattr(value, "contains_aggregate", False) for value in query.annotations.values()
        ):
            # The ids were read through the list's filters (a user's scope is a subquery over its
            # projects): the page's rows are found by their keys alone. A list made distinct may
            # join many rows to each, and a sum over a join counts the rows its filters kept: both
            # keep their filters.
            shown = shown.all()
            shown.query.where = WhereNode()
        found = {row.pk: row for row in shown.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    def page_ids(self, index: slice) -> list[Any]:
        """The ids of the rows `index` takes: as the page's own `ids` finds them when it has its way
        (from its summary), else from the head of the table when all of them are there."""
        if self.ids is not None and index.stop is not None and index.step is None:
            return self.ids(index)
        found = self.head_ids(index)
        return list(self.rows.values_list("pk", flat=True)[index]) if found is None else found

    def head_ids(self, index: slice) -> list[Any] | None:
        """The ids of the rows `index` takes when all of them are at the head of the table; else None."""
        # A list without filters is read from the order's index as it is.
        if (
            self.head is None
            or connection.vendor != "sqlite"
            or not self.rows.query.where
            or index.stop is None
            or index.step is not None
        ):
            return None
        wanted = index.stop - (index.start or 0)
        ids = self.head_rows.values_list("pk", flat=True)
        for rows in (HEAD_ROWS, HEAD_ROWS * HEAD_GROWTH) if self.look_further else (HEAD_ROWS,):
            found = list(ids.filter(pk__in=self.head.values("pk")[:rows])[index])
            if len(found) == wanted:
                return found
        return None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


class ListPage(Generic[Rows]):
    """One request to a list page: filtered and sorted rows, the page of them shown, the response."""

    def __init__(
        self,
        request: HttpRequest,
        queryset: Rows,
        filterset_class: type[BaseFilterSet] | None = None,
        *,
        data: QueryDict | None = None,
        sorts: Mapping[str, str] | None = None,
        per_page: int | None = None,
        head: QuerySet | None = None,
        head_rows: QuerySet | None = None,
        look_further: bool = False,
    ) -> None:
        """`queryset` in the list's default order; `data` replaces the query string as the filters'
        input when a page fills in defaults (this year, open warnings); `sorts` maps `?sort=` keys
        to fields, anything else keeps the default order; `per_page` is the list's default page size,
        which `?per_page=` replaces (1 to MAX_PAGE_SIZE, anything else ignored). `head` is the whole
        table in the default order, from an index that holds it: a page in that order is looked for
        at its head first (PageRows); `head_rows`, the same rows as `queryset` written to be asked
        after a few of them, reads the page found there (a list without filters only); `look_further`
        looks for it further down the head too (PageRows)."""
        if head_rows is not None and filterset_class is not None:
            raise ValueError("head_rows is the list's rows: its filters would not apply to them")
        self.request = request
        self.filterset = (
            filterset_class(
                (request.GET or None) if data is None else data, queryset=queryset, request=request
            )
            if filterset_class is not None
            else None
        )
        rows = self.filterset.qs if self.filterset is not None else queryset
        self.sort = request.GET.get("sort", "") if sorts else ""
        sorted_rows = sort_queryset(rows, self.sort, sorts) if sorts else rows
        # The rows keep the queryset's class, with the methods its model's pages call.
        self.rows = cast(Rows, sorted_rows)
        # The head is in the default order: a sort asked for leaves it out.
        self.head = head if sorted_rows is rows else None
        self.head_rows = head_rows
        self.look_further = look_further
        self.default_per_page = per_page or settings.LIST_PAGE_SIZE
        self.per_page = query_int(request.GET, "per_page", self.default_per_page, 1, MAX_PAGE_SIZE)
        self.page: Page | None = None

    @property
    def exporting(self) -> bool:
        return self.request.GET.get("export") == "xlsx"

    @property
    def filter_values(self) -> dict[str, Any]:
        """The filters' cleaned values; none without filters, without a query or with one not valid."""
        if self.filterset is None or not self.filterset.is_valid():
            return {}
        return self.filterset.form.cleaned_data

    @property
    def filters_set(self) -> set[str] | None:
        """filters_given() of the list's filters (none without filters)."""
        return set() if self.filterset is None else filters_given(self.filterset)

    @property
    def page_sizes(self) -> list[int]:
        """The page sizes the footer offers: the usual ones and this list's default."""
        return sorted({*PAGE_SIZES, self.default_per_page})

    def paginate(
        self,
        rows: QuerySet | None = None,
        count: int | None = None,
        ids: Callable[[slice], list[Any]] | None = None,
    ) -> Page:
        """The requested page of the rows (or of `rows`, the same rows with what only the page shows);
        a page number out of range gives the last page, one that is not a number the first. `count`
        is how many rows of a queryset there are when the page knows it already (from its grouped
        summary), which spares the database counting them again; `ids(slice)`, when given, the
        ids of a page's rows in the list's order, as the page finds them from what it knows (the
        same summary). With a `head`, `rows` keep the list's order."""
        shown = self.rows if rows is None else rows
        paginator = Paginator(
            PageRows(
                shown, count, self.head, self.head_rows if rows is None else None, self.look_further, ids
            )
            if isinstance(shown, QuerySet)
            else shown,
            self.per_page,
        )
        self.page = paginator.get_page(self.request.GET.get("page"))
        return self.page

    def render(
        self, template: str, table_template: str, context: Mapping[str, Any] | None = None
    ) -> HttpResponse:
        """The whole page, or for htmx the table template alone; both read `page`, `sort` and `filterset`."""
        table_only = swaps_table(self.request)
        page = self.paginate() if self.page is None else self.page
        shown: dict[str, Any] = {
            "page": page,
            "sort": self.sort,
            "per_page": "" if self.per_page == self.default_per_page else self.per_page,
            "page_sizes": self.page_sizes,
            "table_only": table_only,
        }
        if self.filterset is not None:
            shown["filterset"] = self.filterset
        response = render(
            self.request, table_template if table_only else template, {**shown, **(context or {})}
        )
        if table_only:
            # The messages the request raised (a query value out of range …) replace the page's.
            response.content += render_to_string(
                "includes/messages.html", {"oob": True}, self.request
            ).encode()
        # A browser cache must not answer a full page load with a table, nor the reverse.
        patch_vary_headers(response, ("HX-Request",))
        return response


def filters_given(filterset: BaseFilterSet) -> set[str] | None:
    """The names of the filters given a value (none without a query); None when the filters are
    not valid (a list is then filtered by the valid ones alone)."""
    if not filterset.is_bound:
        return set()
    if not filterset.is_valid():
        return None
    return {name for name, value in filterset.form.cleaned_data.items() if value not in (None, "", [], ())}


def window(blocks: Iterable[list[tuple[Any, int]]], index: slice) -> list[tuple[list[Any], int, int]]:
    """Of a list whose rows come in groups, the blocks of groups the rows `index` takes fall in:
    for each, its groups that have rows, how many of its rows come before the page and how many
    the page takes. `blocks` are the groups in the list's order, each with its number of rows, the
    groups of one block listed together (their rows interleaved by the list's last order), so that
    a page is told from the groups' counts alone and its rows are then read from its own groups
    (window_ids())."""
    start, stop = index.start or 0, index.stop
    found: list[tuple[list[Any], int, int]] = []
    position = 0
    for block in blocks:
        size = sum(count for _key, count in block)
        first = max(start, position)
        last = position + size if stop is None else min(stop, position + size)
        if last > first:
            found.append(([key for key, count in block if count], first - position, last - first))
        position += size
    return found


def window_ids(
    spans: list[tuple[list[Any], int, int]],
    rows_of: Callable[[list[Any]], QuerySet[Any]],
    order: Sequence[str],
) -> list[Any]:
    """The ids of the rows a page takes (`spans`, window()'s), in one statement over the rows of its
    groups (`rows_of`). A page within one block is read in the order of the ids alone, the list's
    last order: the database walks the primary key, each row asked after (its scope, say) as it
    is reached, until the page is full. A page across blocks is read in the list's whole `order`,
    every row of its groups sorted."""
    if not spans:
        return []
    keys = [key for groups, _skip, _taken in spans for key in groups]
    skip, taken = spans[0][1], sum(taken for _groups, _skip, taken in spans)
    rows = rows_of(keys).order_by(*(["pk"] if len(spans) == 1 else order))
    return list(rows.values_list("pk", flat=True)[skip : skip + taken])


def places(rows: QuerySet[Any], fields: tuple[str, ...]) -> list[list[Any]]:
    """The keys of `rows`, in their order, those with the same `fields` together: the rows a list
    sorted by those fields cannot tell apart (window()'s blocks)."""
    groups: list[list[Any]] = []
    last: Any = object()
    for pk, *place in rows.values_list("pk", *fields):
        if place != last:
            groups.append([])
            last = place
        groups[-1].append(pk)
    return groups
