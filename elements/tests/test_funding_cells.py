"""资金保障's summary (elements.funding_cells): what it adds up equals what the records give, for every
persona, after every kind of write the triggers watch; the page's list is found from it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from catalog.models import FundingSource
from elements import funding_cells
from elements.figures import funding_figures
from elements.models import FundingCell, FundingRecord, FundingStale
from plans.scope import Scope
from projects.models import Project

pytestmark = pytest.mark.django_db
PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")
CODES = ("central_budget", "special_bond", "fiscal", "bank_loan", "self_raised")


def source(code):
    return FundingSource.objects.get(code=code)


@pytest.fixture
def funding(world):
    """Records of 2026 (and a few of 2025) for project_a, project_b and ten more projects of both
    units, some owners' and some without an owner unit, from five sources; the special bonds in
    three batches and one without a batch written; two sources in the same place."""
    FundingSource.objects.filter(code__in=["fiscal", "bank_loan"]).update(sort_order=40)
    projects = [world.project_a, world.project_b]
    for n in range(10):
        projects.append(
            Project.objects.create(
                name=f"项目{n:02d}",
                category=world.project_a.category,
                total_investment=1000 + n,
                responsible_unit=world.housing if n % 2 else world.town,
                owner_unit=world.owner_b_unit if n % 3 == 0 else None,
                status="construction",
            )
        )
    for n, project in enumerate(projects):
        for k, code in enumerate(CODES):
            if (n + k) % 3 == 0:
                continue
            FundingRecord.objects.create(
                project=project,
                source=source(code),
                year=2026 if (n + k) % 5 else 2025,
                planned=Decimal(100 + n),
                approved=Decimal(80 + k) if (n * k) % 4 else 0,
                arrived=Decimal(50) if (n * k) % 4 else 0,
                spent=Decimal(10 * k),
                issue_batch=f"2026年第{n % 3 + 1}批" if code == "special_bond" and n != 3 else "",
                issued_on=date(2026, 3, 1) if code == "special_bond" else None,
            )
    return projects


def from_records(user, year):
    records = FundingRecord.objects.filter(year=year)
    if user is not None:
        records = records.visible_to(user)
    bond = source("special_bond").pk
    return (
        records.by_source(),
        records.aggregate(n=Count("project", distinct=True))["n"],
        records.filter(source_id=bond).aggregate(n=Count("issue_batch", distinct=True))["n"],
    )


def from_cells(user, year):
    assert funding_cells.SUMMARY.refreshed([year])
    bond = source("special_bond").pk
    return (
        funding_cells.source_rows(year, user),
        funding_cells.project_count(year, user),
        funding_cells.batch_count(year, user, bond),
    )


def assert_same(world, years=(2025, 2026)):
    for year in years:
        for user in [*(getattr(world, persona) for persona in PERSONAS), None]:
            assert from_cells(user, year) == from_records(user, year), (user, year)


def test_the_cells_give_the_records_figures_for_every_persona(world, funding):
    assert_same(world)
    rows, projects, batches = from_cells(world.coordinator, 2026)
    assert projects == FundingRecord.objects.filter(year=2026).values("project").distinct().count()
    # Two batches, and the bonds written without one.
    assert batches == 3
    figures = funding_figures(2026, Scope(user=world.department))
    assert figures["totals"]["projects"] == from_records(world.department, 2026)[1]


@pytest.mark.parametrize(
    "write",
    ["added", "amounts", "source_moved", "year_moved", "batch", "deleted", "unit_moved", "owner_moved"],
)
def test_every_write_the_figures_depend_on_is_followed(world, funding, write):
    assert_same(world)
    assert not FundingStale.objects.exists()
    record = FundingRecord.objects.filter(year=2026, project=funding[3]).earliest("pk")
    if write == "added":
        FundingRecord.objects.create(project=funding[5], source=source("fiscal"), year=2026, planned=7)
    elif write == "amounts":
        FundingRecord.objects.filter(pk=record.pk).update(approved=0, arrived=0, spent=0)
    elif write == "source_moved":
        FundingRecord.objects.filter(pk=record.pk).update(source=source("ultra_long_bond"))
    elif write == "year_moved":
        FundingRecord.objects.filter(pk=record.pk).update(year=2025)
    elif write == "batch":
        FundingRecord.objects.filter(source__code="special_bond", year=2026).update(
            issue_batch="2026年第九批"
        )
    elif write == "deleted":
        record.delete()
    elif write == "unit_moved":
        Project.objects.filter(pk=funding[2].pk).update(responsible_unit=world.housing)
    elif write == "owner_moved":
        Project.objects.filter(pk=funding[4].pk).update(owner_unit=world.owner_a_unit)
    assert FundingStale.objects.exists(), "the write was not marked"
    assert_same(world)


def test_the_whole_rebuild_equals_the_marked_ones(world, funding):
    FundingRecord.objects.filter(project=funding[2]).update(spent=1)
    funding_cells.SUMMARY.refresh()
    fields = (
        "year",
        "source_id",
        "issue_batch",
        "unit_id",
        "per_owner",
        "owner_unit_id",
        "records",
        "projects",
    )
    kept = sorted(FundingCell.objects.values_list(*fields), key=repr)
    funding_cells.SUMMARY.rebuild_all()
    assert sorted(FundingCell.objects.values_list(*fields), key=repr) == kept


@pytest.mark.parametrize("persona", [*PERSONAS, None])
def test_the_lists_pages_from_the_cells_are_the_sorted_ones(world, funding, persona):
    user = getattr(world, persona) if persona else None
    records = FundingRecord.objects.filter(year=2026)
    if user is not None:
        records = records.visible_to(user)
    expected = list(records.order_by(*funding_cells.LIST_ORDER).values_list("pk", flat=True))
    assert funding_cells.SUMMARY.refreshed([2026])
    for size in (1, 4, 20):
        pages = [
            funding_cells.page_ids(2026, user, slice(start, start + size))
            for start in range(0, len(expected) + size, size)
        ]
        assert [pk for page in pages for pk in page] == expected, (persona, size)


def test_the_page_reads_the_cells_and_shows_the_sorted_page(world, funding, client_for):
    client = client_for(world.department)
    expected = list(
        FundingRecord.objects.filter(year=2026)
        .visible_to(world.department)
        .order_by(*funding_cells.LIST_ORDER)
        .values_list("pk", flat=True)
    )
    funding_cells.SUMMARY.refresh()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/elements/funding/", {"year": 2026, "per_page": 3, "page": 2})
    assert response.status_code == 200
    assert [record.pk for record in response.context["page"].object_list] == expected[3:6]
    grouped = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert not any(FundingRecord._meta.db_table in sql for sql in grouped), grouped
