"""Approval efficiency on hand-built procedures: averages, green channel, the change against last year."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from approvals.figures import approval_efficiency, efficiency_change, overdue_procedures
from catalog.models import ProcedureType
from plans.scope import Scope
from projects.models import Procedure, Project

pytestmark = pytest.mark.django_db


def done(project, code, submitted, days, green=False, department=None):
    return Procedure.objects.create(
        project=project,
        type=ProcedureType.objects.get(code=code),
        status="done",
        submitted_on=submitted,
        approved_on=submitted + timedelta(days=days),
        green_channel=green,
        department=department,
    )


@pytest.fixture
def approvals(world):
    """Last year 立项 took 50 days on average; this year 8 (green, 6 and 4) and 14 (ordinary)."""
    extra = Project.objects.create(
        name="城关幼儿园",
        category=world.project_a.category,
        total_investment=2000,
        responsible_unit=world.housing,
        investment_nature="enterprise",
    )
    done(world.project_a, "approval", date(2025, 2, 1), 40, department=world.drc)
    done(world.project_b, "approval", date(2025, 3, 1), 60, department=world.drc)
    done(world.project_a, "eia", date(2026, 1, 5), 6, green=True, department=world.housing)
    done(world.project_b, "eia", date(2026, 2, 1), 4, green=True, department=world.housing)
    done(extra, "approval", date(2026, 3, 1), 14, department=world.drc)


def test_efficiency_change_is_said_as_the_seed_says_it():
    assert efficiency_change(Decimal(50), Decimal(8)) == Decimal("84.0")
    assert efficiency_change(Decimal(10), Decimal(12)) == Decimal("-20.0")
    assert efficiency_change(None, Decimal(8)) is None


def test_average_days_green_channel_and_change_against_last_year(world, approvals):
    figures = approval_efficiency(2026, through=date(2026, 12, 31))
    overall = figures["overall"]
    assert (overall["count"], overall["average"]) == (3, Decimal("8.0"))
    assert (overall["green_average"], overall["ordinary_average"]) == (Decimal("5.0"), Decimal("14.0"))
    assert overall["last_average"] == Decimal("50.0")
    assert overall["change"] == Decimal("84.0")
    # Green channel against ordinary: (14 − 5) / 14 = 64.3% faster.
    assert overall["green_faster"] == Decimal("64.3")
    by_type = {row["label"]: row for row in figures["by_type"]}
    assert by_type["审批核准备案"]["average"] == Decimal("14.0")
    assert by_type["审批核准备案"]["change"] == Decimal("72.0")
    assert by_type["环评审批"]["last_average"] is None and by_type["环评审批"]["change"] is None
    assert by_type["审批核准备案"]["time_limit_days"] == 20
    by_department = {row["label"]: row["count"] for row in figures["by_department"]}
    assert by_department == {"区发展和改革局": 1, "区住房和城乡建设局": 2}
    by_nature = {row["key"]: row["average"] for row in figures["by_nature"]}
    assert by_nature == {"government": Decimal("5.0"), "enterprise": Decimal("14.0")}


def test_comparison_is_with_the_same_days_of_last_year(world, approvals):
    # Up to 1 March 2026, last year's first approval (13 March 2025) is not yet in.
    figures = approval_efficiency(2026, through=date(2026, 3, 1))
    assert figures["overall"]["last_count"] == 0
    assert figures["overall"]["change"] is None


def test_efficiency_follows_the_users_scope(world, approvals):
    figures = approval_efficiency(2026, Scope(user=world.town_user), through=date(2026, 12, 31))
    assert figures["overall"]["count"] == 1
    assert (
        approval_efficiency(2026, Scope(user=world.outsider), through=date(2026, 12, 31))["overall"]["count"]
        == 0
    )


def test_averages_are_computed_in_one_query(world, approvals, django_assert_num_queries):
    from approvals.figures import stats

    with django_assert_num_queries(1):
        stats(Procedure.objects.all())


def test_procedures_past_their_time_limit(world):
    eia = ProcedureType.objects.get(code="eia")  # 30 days
    today = date(2026, 6, 30)
    late = Procedure.objects.create(
        project=world.project_a, type=eia, status="in_progress", submitted_on=today - timedelta(days=31)
    )
    Procedure.objects.create(
        project=world.project_b, type=eia, status="in_progress", submitted_on=today - timedelta(days=30)
    )
    assert list(overdue_procedures(Procedure.objects.all(), today)) == [late]


@pytest.mark.parametrize(
    ("persona", "count"),
    [("coordinator", 2), ("leader", 2), ("department", 1), ("town_user", 1), ("owner_b", 1), ("outsider", 0)],
)
def test_pages_and_api_follow_the_data_scope(world, client_for, persona, count):
    eia = ProcedureType.objects.get(code="eia")
    long_ago = date.today() - timedelta(days=90)
    for project in (world.project_a, world.project_b):
        Procedure.objects.create(project=project, type=eia, status="in_progress", submitted_on=long_ago)
    client = client_for(getattr(world, persona))
    page = client.get(reverse("approvals:overdue"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == count
    assert client.get(reverse("approvals:efficiency")).context["figures"]["overdue"] == count
    assert client.get("/api/approvals/overdue/").json()["count"] == count
    assert client.get("/api/approvals/efficiency/").json()["overdue"] == count
    assert client.get(reverse("approvals:overdue"), {"export": "xlsx"}).status_code == 200
    assert client.get(reverse("approvals:efficiency"), {"export": "xlsx"}).status_code == 200
