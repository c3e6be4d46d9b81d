"""ListPage: the filters, the sort whitelist, the export switch, the page shown and the htmx table."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Value
from django.http import HttpRequest
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_filters import rest_framework as filters

from lib import listing as listing_module
from lib.listing import ListPage
from lib.messages import flash_errors
from org.choices import UnitKind
from org.models import Unit

pytestmark = pytest.mark.django_db

PAGE = "<html><body><form id='unit-filters'></form>{% include 'units/table.html' %}</body></html>"
TABLE = (
    "<table>{% for unit in page %}<tr><td>{{ unit.name }}</td></tr>{% endfor %}</table>"
    "sort={{ sort }};table_only={{ table_only }};q={{ filterset.form.q.value|default:'' }}"
)
MESSAGES = "<div id='messages' hx-swap-oob='{{ oob }}'>{% for m in messages %}{{ m }}{% endfor %}</div>"


class UnitFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains")
    kind = filters.ChoiceFilter(choices=UnitKind.choices)

    class Meta:
        model = Unit
        fields: list[str] = []


class AmountForm(forms.Form):
    amount = forms.DecimalField(error_messages={"invalid": "请输入数字（单位：万元）。"})
    month = forms.IntegerField(min_value=1, max_value=12)


@pytest.fixture(autouse=True)
def templates(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "units/page.html": PAGE,
                            "units/table.html": TABLE,
                            "includes/messages.html": MESSAGES,
                        },
                    )
                ]
            },
        }
    ]


@pytest.fixture
def units(db: None) -> list[Unit]:
    names = ["甲镇", "乙镇", "丙局", "丁局", "戊镇"]
    kinds = [UnitKind.TOWN, UnitKind.TOWN, UnitKind.DEPARTMENT, UnitKind.DEPARTMENT, UnitKind.TOWN]
    return [Unit.objects.create(name=name, kind=kind) for name, kind in zip(names, kinds, strict=True)]


def listing(query: str = "", **options):
    request = RequestFactory().get(f"/units/?{query}", headers=options.pop("headers", {}))
    queryset = Unit.objects.order_by("pk")
    return ListPage(request, queryset, options.pop("filterset_class", UnitFilterSet), **options)


def names(rows) -> list[str]:
    return [unit.name for unit in rows]


def test_the_rows_are_what_the_filters_let_through(units):
    assert names(listing("kind=department").rows) == ["丙局", "丁局"]
    assert names(listing("q=镇&kind=town").rows) == ["甲镇", "乙镇", "戊镇"]


def test_without_a_query_every_row_is_listed_in_the_default_order(units):
    page = listing()
    assert page.filterset is not None and not page.filterset.is_bound
    assert names(page.rows) == [unit.name for unit in units]


def test_a_page_can_fill_in_the_filters_input(units):
    assert names(listing("q=甲", data={"kind": "department"}).rows) == ["丙局", "丁局"]


def test_a_filter_value_not_valid_filters_nothing_and_gives_no_values(units):
    page = listing("kind=castle")
    assert names(page.rows) == [unit.name for unit in units]
    assert page.filter_values == {}
    assert listing("kind=town").filter_values["kind"] == "town"


def test_a_list_without_filters_lists_the_queryset(units):
    page = listing("kind=department", filterset_class=None)
    assert page.filterset is None and len(page.rows) == 5 and page.filter_values == {}


def test_sorting_follows_the_whitelist_both_ways_with_the_id_breaking_ties(units):
    sorts = {"name": "name", "kind": "kind"}
    assert listing("sort=-kind", sorts=sorts).rows.query.order_by == ("-kind", "-id")
    ascending = listing("sort=name&kind=town", sorts=sorts)
    assert ascending.sort == "name"
    # 甲 jiǎ, 戊 wù, 乙 yǐ: by 拼音, where code points would put 乙 first.
    assert names(ascending.rows) == ["甲镇", "戊镇", "乙镇"]


def test_an_unknown_sort_key_keeps_the_default_order(units):
    for query in ("sort=password", "sort=-pk", "sort=name__startswith", "sort="):
        page = listing(query, sorts={"name": "name"})
        assert page.rows.query.order_by == ("pk",), query
        assert names(page.rows) == [unit.name for unit in units]


def test_without_sorts_the_sort_parameter_is_not_read(units):
    page = listing("sort=name")
    assert page.sort == "" and page.rows.query.order_by == ("pk",)


def test_the_export_is_asked_for_with_export_xlsx_only(units):
    assert listing("export=xlsx&kind=town").exporting
    assert not listing("export=csv").exporting
    assert not listing().exporting


def test_pages_have_the_size_asked_for(units):
    page = listing("page=2", per_page=2).paginate()
    assert names(page) == ["丙局", "丁局"] and page.paginator.num_pages == 3


def test_the_default_page_size_is_the_sites(units, settings):
    settings.LIST_PAGE_SIZE = 4
    assert len(listing().paginate()) == 4


def test_the_page_size_asked_for_replaces_the_lists_default(units):
    page = listing("per_page=2&page=2", per_page=20)
    assert page.per_page == 2 and names(page.paginate()) == ["丙局", "丁局"]
    assert page.page_sizes == [20, 50, 100]
    assert listing(per_page=25).page_sizes == [20, 25, 50, 100]


def test_a_page_size_out_of_bounds_or_not_a_number_gives_the_default(units):
    for query in ("per_page=0", "per_page=101", "per_page=-5", "per_page=all", "per_page=1e3", "per_page="):
        page = listing(query, per_page=3)
        assert page.per_page == 3, query
        assert len(page.paginate()) == 3, query
    assert listing("per_page=100", per_page=3).per_page == 100


def test_the_table_keeps_a_chosen_page_size_and_not_the_default(units, settings):
    settings.TEMPLATES[0]["OPTIONS"]["loaders"][0][1]["units/table.html"] = "per_page=[{{ per_page }}]"
    htmx = {"HX-Request": "true"}
    chosen = listing("per_page=50", per_page=20, headers=htmx).render("units/page.html", "units/table.html")
    assert b"per_page=[50]" in chosen.content
    default = listing("per_page=20", per_page=20, headers=htmx).render("units/page.html", "units/table.html")
    assert b"per_page=[]" in default.content


def test_a_page_out_of_range_shows_the_last_and_one_not_a_number_the_first(units):
    assert listing("page=99", per_page=2).paginate().number == 3
    assert listing("page=-1", per_page=2).paginate().number == 3
    assert listing("page=abc", per_page=2).paginate().number == 1


def test_a_page_can_paginate_the_rows_with_what_only_the_page_shows(units):
    page = listing(per_page=2)
    shown = page.paginate(page.rows.annotate(marked=Value(1)))
    assert page.page is shown and [unit.marked for unit in shown] == [1, 1]
    html = page.render("units/page.html", "units/table.html").content.decode()
    assert html.count("<tr>") == 2 and "<td>甲镇</td>" in html


def test_a_page_is_read_by_its_ids_then_its_rows_in_the_lists_order(units, django_assert_num_queries):
    for unit in units[:3]:
        Unit.objects.create(name=f"{unit.name}下属", kind=UnitKind.OWNER, parent=unit)
    rows = Unit.objects.select_related("parent").order_by("-parent__name", "-name", "pk")
    expected = [(unit.name, unit.parent.name if unit.parent else None) for unit in rows[3:6]]
    page = listing("page=2&per_page=3").paginate(rows)
    with django_assert_num_queries(0):
        shown = [(unit.name, unit.parent.name if unit.parent else None) for unit in page]
    assert shown == expected
    # The count a page knows already is not asked of the database.
    everything = names(Unit.objects.order_by("pk"))
    with django_assert_num_queries(2):
        assert names(listing().paginate(Unit.objects.order_by("pk"), count=8)) == everything
    # Rows of values are sliced as they are.
    values = listing("per_page=2").paginate(Unit.objects.order_by("pk").values("name"))
    assert [row["name"] for row in values] == ["甲镇", "乙镇"]


def test_a_pages_rows_are_read_by_their_ids_alone_unless_they_sum_over_a_join(units):
    for unit in units[:2]:
        for number in range(2):
            Unit.objects.create(name=f"{unit.name}下属{number}", kind=UnitKind.OWNER, parent=unit)
    # Filtered by a subquery, as a user's scope is: the rows are read by their ids alone.
    scoped = Unit.objects.filter(pk__in=Unit.objects.filter(kind=UnitKind.OWNER).values("parent")).order_by(
        "pk"
    )
    with CaptureQueriesContext(connection) as captured:
        rows = list(listing("per_page=10").paginate(scoped))
    assert names(rows) == ["甲镇", "乙镇"]
    assert "kind" not in captured[-1]["sql"].split("WHERE")[1]
    # Filtered through a join that repeats a unit once per child, made distinct: the filter stays,
    # and each unit comes out once in the list's order.
    joined = Unit.objects.filter(children__kind=UnitKind.OWNER, kind=UnitKind.TOWN).distinct().order_by("pk")
    with CaptureQueriesContext(connection) as captured:
        rows = list(listing("per_page=10").paginate(joined))
    assert names(rows) == ["甲镇", "乙镇"]
    assert "kind" in captured[-1]["sql"].split("WHERE")[1]
    # A sum over the joined rows keeps the filter that chose them: 2 owner children each, not 2 of
    # every kind.
    summed = (
        Unit.objects.filter(children__kind=UnitKind.OWNER)
        .annotate(children_count=Count("children"))
        .order_by("pk")
    )
    Unit.objects.create(name="甲镇科室", kind=UnitKind.DEPARTMENT, parent=units[0])
    assert [unit.children_count for unit in listing("per_page=10").paginate(summed)] == [2, 2]


@pytest.mark.parametrize("further", [False, True])
def test_a_page_is_looked_for_at_the_head_of_the_table_first(units, monkeypatch, further):
    """Every page of every filter, with a head of 4 units and then, looking further, 8: the same
    rows as without a head, found there when the page lies whole within the first 4 units or else
    the first 8, else read as before."""
    monkeypatch.setattr(listing_module, "HEAD_ROWS", 4)
    monkeypatch.setattr(listing_module, "HEAD_GROWTH", 2)
    on_sqlite = connection.vendor == "sqlite"
    for number in range(7):
        Unit.objects.create(name=f"企业{number}", kind=UnitKind.OWNER)
    head = Unit.objects.order_by("pk")
    first = list(head.values_list("pk", flat=True))
    for query in ["", "kind=town", "kind=owner", "kind=department", "q=镇", "q=无此单位", "kind=x"]:
        for page in range(1, 7):
            for per_page in (1, 2, 3, 5):
                asked = f"{query}&page={page}&per_page={per_page}"
                expected = list(listing(asked).paginate())
                with CaptureQueriesContext(connection) as captured:
                    shown = listing(asked, head=head, look_further=further).paginate()
                    assert names(shown) == names(expected), asked
                probes = [q["sql"] for q in captured if "LIMIT 4)" in q["sql"] or "LIMIT 8)" in q["sql"]]
                filtered = query not in ("", "kind=x")
                if not (expected and filtered and on_sqlite):
                    assert probes == [], asked
                else:
                    within_four = {unit.pk for unit in expected} <= set(first[:4])
                    assert len(probes) == (1 if within_four or not further else 2), asked
    # Found at the head: the count, the ids from the head and the rows; found further down, one look
    # more. Beyond both: the ids again. Without a filter, and on PostgreSQL, the list is read as it is.
    for asked, statements in [
        ("kind=town&per_page=1", 3),
        ("kind=owner&per_page=2", 4),
        ("kind=owner&per_page=2&page=3", 5 if further else 4),
        ("per_page=2", 3),
    ]:
        with CaptureQueriesContext(connection) as captured:
            list(listing(asked, head=head, look_further=further).paginate())
        assert len(captured) == (statements if on_sqlite else 3), asked


def test_rows_of_values_are_read_from_the_head_through_the_rows_written_for_a_few(units, monkeypatch):
    """Rows of values, whose page is found at the head: read by their ids through `head_rows` (the
    same rows written otherwise), with their columns; else sliced as they are. Every page, with a
    head of 4 units, gives the rows of the list without a head."""
    monkeypatch.setattr(listing_module, "HEAD_ROWS", 4)
    monkeypatch.setattr(listing_module, "HEAD_GROWTH", 2)
    on_sqlite = connection.vendor == "sqlite"
    for number in range(7):
        Unit.objects.create(name=f"企业{number}", kind=UnitKind.OWNER, parent=units[number % 2])
    head = Unit.objects.order_by("pk")
    first = list(head.values_list("pk", flat=True))
    for kind in (UnitKind.TOWN, UnitKind.OWNER, UnitKind.DEPARTMENT):
        rows = Unit.objects.filter(kind=kind).values("pk", "name", "parent__name").order_by("pk")
        # The same rows asked otherwise: each unit's kind looked up by its own key.
        few = (
            Unit.objects.filter(pk__in=Unit.objects.filter(kind=kind).values("pk"))
            .values("pk", "name", "parent__name")
            .order_by("pk")
        )
        for page in range(1, 7):
            for per_page in (1, 2, 3):
                request = RequestFactory().get(f"/units/?page={page}&per_page={per_page}")
                expected = list(ListPage(request, rows).paginate())
                with CaptureQueriesContext(connection) as captured:
                    shown = list(
                        ListPage(request, rows, head=head, head_rows=few, look_further=True).paginate()
                    )
                assert shown == expected, (kind, page, per_page)
                probes = [q["sql"] for q in captured if "LIMIT 4)" in q["sql"] or "LIMIT 8)" in q["sql"]]
                pks = {row["pk"] for row in expected}
                if expected and on_sqlite:
                    assert len(probes) == (1 if pks <= set(first[:4]) else 2), (kind, page, per_page)
                else:
                    assert probes == []
                # A page found at the head is read through the rows written for a few; any other
                # page as the rows are.
                through_few = "IN (SELECT" in captured[-1]["sql"]
                at_head = bool(expected) and pks <= set(first[:8])
                assert through_few == (on_sqlite and at_head), (kind, page, per_page)


def test_rows_written_for_a_few_are_refused_beside_filters(units):
    request = RequestFactory().get("/units/")
    with pytest.raises(ValueError):
        ListPage(request, Unit.objects.all(), UnitFilterSet, head_rows=Unit.objects.all())


def test_the_head_is_the_default_orders_alone(units):
    head = Unit.objects.order_by("pk")
    assert listing("", head=head, sorts={"name": "name"}).head is head
    assert listing("sort=other", head=head, sorts={"name": "name"}).head is head
    for sort in ("name", "-name"):
        page = listing(f"sort={sort}&per_page=2", head=head, sorts={"name": "name"})
        assert page.head is None
        assert names(page.paginate()) == names(
            listing(f"sort={sort}&per_page=2", sorts={"name": "name"}).paginate()
        )


def test_the_whole_page_is_rendered_without_htmx(units):
    response = listing("q=镇&sort=name", sorts={"name": "name"}).render("units/page.html", "units/table.html")
    html = response.content.decode()
    assert html.startswith("<html>") and "<td>甲镇</td>" in html and "<td>丙局</td>" not in html
    assert "sort=name;table_only=False;q=镇" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_gets_the_table_alone(units):
    page = listing("q=局", headers={"HX-Request": "true", "HX-Target": "unit-list"})
    response = page.render("units/page.html", "units/table.html", {"extra": 1})
    html = response.content.decode()
    assert "<html>" not in html and html.startswith("<table>")
    assert "<td>丙局</td><" in html and "甲镇" not in html and "table_only=True" in html
    assert html.endswith("<div id='messages' hx-swap-oob='True'></div>")
    assert "HX-Request" in response["Vary"]


def test_restoring_a_page_from_the_history_gets_all_of_it(units):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = listing(headers=headers).render("units/page.html", "units/table.html").content.decode()
    assert html.startswith("<html>") and "table_only=False" in html


def test_the_views_context_comes_after_the_lists_own(units):
    request = RequestFactory().get("/units/")
    response = ListPage(request, Unit.objects.all()).render(
        "units/page.html", "units/table.html", {"sort": "kept"}
    )
    assert "sort=kept;" in response.content.decode()


def posted() -> HttpRequest:
    """A POST with the message storage the messages middleware would give it."""
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]  # set by MessageMiddleware, not in the stubs
    return request


def test_form_errors_are_flashed_one_message_each_in_order():
    request = posted()
    form = AmountForm(data={"amount": "约3000", "month": "13"})
    assert not form.is_valid()
    flash_errors(request, form)
    flashed = list(get_messages(request))
    assert [m.message for m in flashed] == ["请输入数字（单位：万元）。", form.errors["month"][0]]
    assert all(m.level_tag == "error" for m in flashed)


def test_validation_errors_are_flashed_one_message_each():
    request = posted()
    flash_errors(request, ValidationError(["计划开工时间不能晚于竣工时间。", "请上传照片。"]))
    assert [m.message for m in get_messages(request)] == ["计划开工时间不能晚于竣工时间。", "请上传照片。"]
