"""政银企对接's summary (financing.cells): the sums it gives equal those of the needs, for every
persona, after every kind of write its triggers watch; the list opens on them and on the page its
order's index gives."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from financing import cells
from financing.models import Bank, FinancingCell, FinancingNeed, FinancingStale, Signing
from financing.tests.conftest import need
from projects.models import Project

pytestmark = pytest.mark.django_db
PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")


@pytest.fixture
def needs(world, ledger):
    """The ledger's needs, and needs of ten more projects of both units, some owners' and some
    without an owner unit, over two years, some signed with one or two banks."""
    banks = list(Bank.objects.order_by("pk")[:4])
    projects = [world.project_a, world.project_b]
    for n in range(10):
        projects.append(
            Project.objects.create(
                name=f"融资项目{n:02d}",
                category=world.project_a.category,
                total_investment=1000 + n,
                responsible_unit=world.housing if n % 2 else world.town,
                owner_unit=world.owner_b_unit if n % 3 == 0 else None,
            )
        )
    for n, project in enumerate(projects[2:], start=2):
        made = need(project, f"{1000 + 100 * n}", year=2026 if n % 4 else 2025)
        for k in range(n % 3):
            Signing.objects.create(
                need=made, bank=banks[(n + k) % 4], amount=Decimal(200 + k), signed_on=date(2026, 6, n)
            )
    return projects


def from_needs(user):
    rows = FinancingNeed.objects.all() if user is None else FinancingNeed.objects.visible_to(user)
    return rows.totals()


def from_cells(user):
    assert cells.refreshed()
    return cells.totals(user)


def assert_same(world):
    for user in [*(getattr(world, persona) for persona in PERSONAS), None]:
        assert from_cells(user) == from_needs(user), user


def test_the_cells_give_the_needs_sums_for_every_persona(world, needs):
    assert_same(world)
    whole = from_cells(None)
    assert whole["needs"] == FinancingNeed.objects.count() and whole["banks"] >= 3
    assert from_cells(world.outsider)["needs"] == 0


@pytest.mark.parametrize(
    "write",
    [
        "need_added",
        "amount",
        "year_moved",
        "need_deleted",
        "signed",
        "signing_moved",
        "bank_changed",
        "signing_deleted",
        "unit_moved",
        "owner_moved",
        "project_deleted",
    ],
)
def test_every_write_the_sums_depend_on_is_followed(world, ledger, needs, write):
    assert_same(world)
    assert not FinancingStale.objects.exists()
    bank = Bank.objects.order_by("-pk")[0]
    if write == "need_added":
        need(needs[5], "777")
    elif write == "amount":
        FinancingNeed.objects.filter(pk=ledger.need_b.pk).update(amount=Decimal("1"))
    elif write == "year_moved":
        FinancingNeed.objects.filter(pk=ledger.need_a.pk).update(year=2024)
    elif write == "need_deleted":
        ledger.need_a.delete()
    elif write == "signed":
        Signing.objects.create(
            need=ledger.need_p, bank=bank, amount=Decimal("50"), signed_on=date(2026, 9, 1)
        )
    elif write == "signing_moved":
        Signing.objects.filter(pk=ledger.signing.pk).update(need=FinancingNeed.objects.get(project=needs[4]))
    elif write == "bank_changed":
        Signing.objects.filter(need=ledger.need_b).update(bank=bank)
    elif write == "signing_deleted":
        Signing.objects.filter(need=ledger.need_a).delete()
    elif write == "unit_moved":
        Project.objects.filter(pk=needs[2].pk).update(responsible_unit=world.housing)
    elif write == "owner_moved":
        Project.objects.filter(pk=needs[4].pk).update(owner_unit=world.owner_a_unit)
    elif write == "project_deleted":
        Project.objects.get(pk=needs[3].pk).delete()
    assert FinancingStale.objects.exists(), "the write was not marked"
    assert_same(world)


def test_the_whole_rebuild_equals_the_marked_ones(world, needs):
    FinancingNeed.objects.filter(project=needs[2]).update(amount=Decimal("9"))
    cells.SUMMARY.refresh()
    fields = ("year", "bank_id", "unit_id", "per_owner", "owner_unit_id", *cells.MEASURES)
    kept = sorted(FinancingCell.objects.values_list(*fields), key=repr)
    assert kept
    cells.SUMMARY.rebuild_all()
    assert sorted(FinancingCell.objects.values_list(*fields), key=repr) == kept


@pytest.mark.parametrize("persona", ["coordinator", "department", "owner_b"])
def test_the_list_opens_on_the_cells_and_the_sorted_page(world, needs, client_for, persona):
    user = getattr(world, persona)
    expected = list(
        FinancingNeed.objects.visible_to(user).order_by("-year", "-amount", "id").values_list("pk", flat=True)
    )
    cells.SUMMARY.refresh()
    client = client_for(user)
    shown = []
    for page in range(1, -(-len(expected) // 3) + 1):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/financing/", {"per_page": 3, "page": page})
        assert response.status_code == 200
        assert response.context["totals"] == from_needs(user)
        assert response.context["page"].paginator.count == len(expected)
        shown += [row.pk for row in response.context["page"].object_list]
        # The sums and the count are the cells': no statement adds up the needs or the signings
        # (the page's rows add up their own signings).
        sums = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].startswith(("SELECT COUNT(", "SELECT SUM("))
        ]
        tables = (FinancingNeed._meta.db_table, Signing._meta.db_table)
        assert not [sql for sql in sums if any(f'FROM "{table}"' in sql for table in tables)], sums
    assert shown == expected


def test_a_filtered_list_adds_up_its_own_needs(world, needs, client_for):
    cells.SUMMARY.refresh()
    response = client_for(world.coordinator).get("/financing/", {"year": 2025})
    assert response.status_code == 200
    assert response.context["totals"] == FinancingNeed.objects.filter(year=2025).totals()
    assert response.context["totals"]["needs"] < FinancingNeed.objects.count()
