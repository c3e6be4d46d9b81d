"""The figures of DOMAIN §9 on hand-built data, checked against the seeds' worked figures."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import Category
from figures.compute import Scope, ahead_of_time, completion_rate, compute, time_progress
from lib.numbers import largest_remainder_shares, percent
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period
from progress.rollup import refresh_projects
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_worked_figures_of_domain_md():
    assert largest_remainder_shares([15, 15, 2, 11]) == [
        Decimal("34.9"),
        Decimal("34.9"),
        Decimal("4.6"),
        Decimal("25.6"),
    ]
    rate = completion_rate(Decimal("1806000"), Decimal("1713000"))
    assert rate == Decimal("105.4")
    assert ahead_of_time(rate, 12) == Decimal("5.4")
    assert percent(140, 223, 2) == Decimal("62.78")
    assert time_progress(9) == Decimal("75.0")


def accepted(project, year, month, amount, ytd=None, cumulative=None):
    report = Report(
        project=project,
        year=year,
        month=month,
        amount=Decimal(amount),
        deadline=Period(year, month).deadline,
        state="accepted",
        first_submitted_at=None,
    )
    if ytd is not None:
        report.is_opening, report.year_to_date, report.cumulative = True, Decimal(ytd), Decimal(cumulative)
    else:
        report.recompute_totals()
    report.save()
    return report


@pytest.fixture
def district(world):
    """43 projects on the 2017 local plan: 15 completed, 15 in construction, 2 suspended, 11 preliminary."""
    plan = Plan.objects.create(year=2017, level="local", title="2017年区重点")
    city = Plan.objects.create(year=2017, level="city", title="2017年市重点")
    categories = list(Category.objects.order_by("sort_order"))
    statuses = ["completed"] * 15 + ["construction"] * 15 + ["suspended"] * 2 + ["preliminary"] * 11
    projects = []
    for i, status in enumerate(statuses):
        project = Project.objects.create(
            name=f"项目{i:02d}",
            category=categories[i % 3],
            total_investment=Decimal(20000 + i * 1000),
            responsible_unit=world.housing if i % 2 else world.town,
            town=world.town,
            status=status,
            actual_start_date=date(2016, 5, 1) if status != "preliminary" else None,
        )
        projects.append(project)
        # 43 entries of 4941.86 万元 ≈ 21.25 亿元 of annual plan.
        PlanEntry.objects.create(
            plan=plan, project=project, plan_type="continuing", annual_investment=Decimal("4941.86")
        )
    PlanEntry.objects.create(
        plan=city, project=projects[0], plan_type="continuing", annual_investment=Decimal("4941.86")
    )
    return projects


def test_status_shares_add_up_to_100(district):
    data = compute(2017, 12, Scope(level="local"))
    shares = {row["key"]: (row["count"], row["share"]) for row in data["by_status"]}
    assert shares["completed"] == (15, Decimal("34.9"))
    assert shares["construction"] == (15, Decimal("34.9"))
    assert shares["suspended"] == (2, Decimal("4.6"))
    assert shares["preliminary"] == (11, Decimal("25.6"))
    assert sum(row["share"] for row in data["by_status"]) == Decimal("100.0")


def test_completed_investment_rate_and_time_progress(district):
    # 239,000 万元 completed against 212,500 万元 planned = 112.5%, 12.5 points ahead in December.
    for i, project in enumerate(district[:30]):
        accepted(project, 2017, 6, "4000")
        accepted(project, 2017, 12, "3966.57" if i == 0 else "3966.67")
    refresh_projects([p.pk for p in district])
    data = compute(2017, 12, Scope(level="local"))
    plan = data["plan"]
    assert plan["count"] == 43
    assert plan["annual_plan"] == Decimal("212499.98")
    assert plan["completed"] == Decimal("239000.00")
    assert plan["completion_rate"] == Decimal("112.5")
    assert plan["ahead_points"] == Decimal("12.5")
    june = compute(2017, 6, Scope(level="local"))["plan"]
    assert june["completed"] == Decimal("120000.00")
    assert [m["completed"] for m in data["monthly"]][5] == Decimal("120000.00")


def test_a_project_on_two_lists_counts_once_across_levels(district):
    assert compute(2017, 12)["plan"]["count"] == 43
    levels = {row["key"]: row["count"] for row in compute(2017, 12)["by_level"]}
    assert levels == {"local": 43, "city": 1, "province": 0}


def test_a_plan_type_across_levels_takes_each_projects_counting_entry(district):
    """Project 0 is 续建 on the local list and 新开工 on the city list: added together it counts as
    续建, so the plan-type scopes add up to the whole and agree with the plan-type breakdown."""
    PlanEntry.objects.filter(plan__level="city").update(plan_type="new_start", planned_start_month=3)
    by_type = {row["key"]: row["count"] for row in compute(2017, 12)["by_plan_type"]}
    assert by_type["continuing"] == 43 and by_type.get("new_start", 0) == 0
    assert compute(2017, 12, Scope(plan_type="new_start"))["plan"]["count"] == 0
    assert compute(2017, 12, Scope(plan_type="continuing"))["plan"]["count"] == 43
    assert compute(2017, 12, Scope(level="city", plan_type="new_start"))["plan"]["count"] == 1


def test_on_time_reporting_counts_each_due_project_once(district):
    """Due: started, not completed before the month, reporting monthly. A report first submitted
    on the deadline is on time, the day after is late, an unsubmitted draft is neither."""
    from django.utils import timezone

    building = [p for p in district if p.status == "construction"]
    deadline = Period(2017, 12).deadline
    moments = {0: deadline, 1: deadline, 2: date.fromordinal(deadline.toordinal() + 1)}
    for i, project in enumerate(building[:4]):
        first = moments.get(i)
        Report.objects.create(
            project=project,
            year=2017,
            month=12,
            amount=Decimal("10"),
            year_to_date=Decimal("10"),
            cumulative=Decimal("10"),
            deadline=deadline,
            state="submitted" if first else "draft",
            first_submitted_at=timezone.make_aware(datetime.combine(first, time(23, 30))) if first else None,
        )
    reporting = compute(2017, 12)["reporting"]
    # 15 completed in 2016-05 … still due (no completion date), 15 building, 2 suspended.
    assert reporting == {"due": 32, "submitted": 3, "on_time": 2, "on_time_rate": Decimal("6.3")}


def test_opening_figures_count_once(world):
    plan = Plan.objects.create(year=2026, level="local", title="2026")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("1000")
    )
    accepted(world.project_a, 2026, 5, "100", ytd="600", cumulative="3000")
    accepted(world.project_a, 2026, 6, "50")
    refresh_projects([world.project_a.pk])
    assert compute(2026, 5)["plan"]["completed"] == Decimal("600.00")
    assert compute(2026, 6)["plan"]["completed"] == Decimal("650.00")
    assert compute(2026, 4)["plan"]["completed"] == Decimal("0.00")


def test_scope_by_unit_includes_sub_units_and_the_user_scope(world):
    plan = Plan.objects.create(year=2026, level="local", title="2026")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("1000")
    )
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("3000"),
        planned_start_month=3,
    )
    assert compute(2026, 6, Scope(unit=world.government))["plan"]["count"] == 2
    assert compute(2026, 6, Scope(unit=world.housing))["plan"]["count"] == 1
    assert compute(2026, 6, Scope(user=world.owner_b))["plan"]["annual_plan"] == Decimal("3000.00")
    starts = compute(2026, 6)["starts"]
    assert (starts["to_start"], starts["started"], starts["start_rate"]) == (1, 0, Decimal("0.0"))


def test_size_buckets_and_yi_share(world):
    plan = Plan.objects.create(year=2018, level="local", title="2018")
    for amount in (100_000, 50_000, 10_000, 9_999, 150_000):
        project = Project.objects.create(
            name=f"p{amount}",
            category=world.project_a.category,
            total_investment=amount,
            responsible_unit=world.housing,
        )
        PlanEntry.objects.create(plan=plan, project=project, plan_type="preliminary", annual_investment=0)
    sizes = compute(2018, 12)["sizes"]
    assert [b["count"] for b in sizes["buckets"]] == [2, 1, 1, 1]
    assert sizes["yi_and_above"] == 4 and sizes["yi_and_above_share"] == Decimal("80.00")


def test_year_on_year_with_and_without_last_year(world):
    this = Plan.objects.create(year=2022, level="local", title="2022")
    PlanEntry.objects.create(
        plan=this, project=world.project_a, plan_type="continuing", annual_investment=Decimal("1713")
    )
    assert compute(2022, 12)["year_on_year"]["annual_plan"] is None
    last = Plan.objects.create(year=2021, level="local", title="2021")
    PlanEntry.objects.create(
        plan=last, project=world.project_a, plan_type="continuing", annual_investment=Decimal("1300")
    )
    assert compute(2022, 12)["year_on_year"]["annual_plan"] == Decimal("31.8")


def test_ranking_ties_break_on_amount_then_name(world):
    plan = Plan.objects.create(year=2026, level="local", title="2026")
    extra = Unit.objects.create(name="甲街道", kind=UnitKind.TOWN, parent=world.government)
    for unit, planned, done in ((world.housing, 1000, 500), (world.town, 2000, 1000), (extra, 2000, 1000)):
        project = Project.objects.create(
            name=f"r{unit.pk}",
            category=world.project_a.category,
            total_investment=5000,
            responsible_unit=unit,
        )
        PlanEntry.objects.create(
            plan=plan, project=project, plan_type="continuing", annual_investment=planned
        )
        accepted(project, 2026, 3, done)
        refresh_projects([project.pk])
    ranking = compute(2026, 3)["ranking_units"]
    # All at 50%: the larger completed amounts first, then by name.
    assert [r["name"] for r in ranking] == ["城关街道办事处", "甲街道", "区住房和城乡建设局"]
    assert [r["rank"] for r in ranking] == [1, 2, 3]


def test_figures_command_prints_json(district, capsys):
    call_command("figures", "--year", "2017", "--month", "12", "--level", "local", "--json")
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["plan"]["count"] == 43
    assert data["by_status"][0]["share"] == "34.9"
