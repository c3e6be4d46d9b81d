"""PlanEntry.counted: the one entry per project and year that counts when the levels are added
together, kept right by every way plans and entries change."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Category
from pipeline.models import PipelineEntry
from plans.counting import recount
from plans.models import Plan, PlanEntry
from projects.models import Project

pytestmark = pytest.mark.django_db

PRECEDENCE = {"local": 0, "city": 1, "province": 2}


def expected_counted() -> set[int]:
    """The rule, worked out in Python from every plan: per year and project, the entry on the
    latest issued version of the first level in local, city, province order."""
    latest: dict[tuple[int, str], Plan] = {}
    for plan in Plan.objects.all():
        key = (plan.year, plan.level)
        issued = plan.kind == "initial" or plan.issued_on is not None
        if issued and (key not in latest or plan.version > latest[key].version):
            latest[key] = plan
    best: dict[tuple[int, int], PlanEntry] = {}
    for plan in latest.values():
        for entry in plan.entries.all():
            year_project = (plan.year, entry.project_id)
            if year_project not in best or PRECEDENCE[plan.level] < PRECEDENCE[best[year_project].plan.level]:
                best[year_project] = entry
    return {entry.pk for entry in best.values()}


def counted() -> set[int]:
    return set(PlanEntry.objects.filter(counted=True).values_list("pk", flat=True))


def add(plan: Plan, project: Project, amount: str = "1000") -> PlanEntry:
    return PlanEntry.objects.create(
        plan=plan, project=project, plan_type="continuing", annual_investment=Decimal(amount)
    )


@pytest.fixture
def levels(world):
    """2026: project A on all three lists, project B on the city and province lists only."""
    plans = {
        level: Plan.objects.create(year=2026, level=level, title=f"2026年{level}计划")
        for level in ("local", "city", "province")
    }
    entries = {
        ("a", "local"): add(plans["local"], world.project_a),
        ("a", "city"): add(plans["city"], world.project_a),
        ("a", "province"): add(plans["province"], world.project_a),
        ("b", "city"): add(plans["city"], world.project_b),
        ("b", "province"): add(plans["province"], world.project_b),
    }
    return plans, entries


def test_each_project_counts_once_local_first_then_city_then_province(world, levels):
    _plans, entries = levels
    assert counted() == {entries[("a", "local")].pk, entries[("b", "city")].pk}
    assert counted() == expected_counted()


def test_the_mark_follows_entries_added_and_removed_one_at_a_time(world, levels):
    plans, entries = levels
    b_local = add(plans["local"], world.project_b)
    assert counted() == {entries[("a", "local")].pk, b_local.pk}
    entries[("a", "local")].delete()
    b_local.delete()
    assert counted() == {entries[("a", "city")].pk, entries[("b", "city")].pk}
    # A queryset delete is a bulk write: its caller recounts.
    PlanEntry.objects.filter(plan=plans["city"]).delete()
    assert recount(2026) == 2
    assert counted() == {entries[("a", "province")].pk, entries[("b", "province")].pk}
    assert counted() == expected_counted()


def test_an_adjusted_plan_takes_over_once_issued_and_deleting_it_hands_back(world, levels):
    plans, entries = levels
    adjusted = plans["city"].adjust(by=world.coordinator)
    # A draft: the figures still go by the version before it.
    assert counted() == {entries[("a", "local")].pk, entries[("b", "city")].pk}
    adjusted.issued_on = date(2026, 7, 1)
    adjusted.save()
    new_b = adjusted.entries.get(project=world.project_b)
    assert counted() == {entries[("a", "local")].pk, new_b.pk}
    assert not PlanEntry.objects.filter(plan=plans["city"], counted=True).exists()
    adjusted.delete()
    assert counted() == {entries[("a", "local")].pk, entries[("b", "city")].pk}
    plans["local"].delete()
    assert counted() == {entries[("a", "city")].pk, entries[("b", "city")].pk}
    assert counted() == expected_counted()


def test_a_new_first_version_of_a_level_takes_precedence_at_once(world):
    province = Plan.objects.create(year=2026, level="province", title="省")
    entry = add(province, world.project_a)
    assert counted() == {entry.pk}
    local = Plan.objects.create(year=2026, level="local", title="区")
    local_entry = add(local, world.project_a)
    assert counted() == {local_entry.pk}


def test_years_are_kept_apart(world):
    this = Plan.objects.create(year=2026, level="city", title="2026 市")
    last = Plan.objects.create(year=2025, level="local", title="2025 区")
    entries = {add(this, world.project_a).pk, add(last, world.project_a).pk}
    assert counted() == entries


def test_recount_repairs_entries_written_around_the_model(world, levels):
    """Bulk writes skip the signals; recount() over a year or a few projects puts them right."""
    plans, entries = levels
    PlanEntry.objects.update(counted=False)
    assert recount(2026, [world.project_b.pk]) == 1
    assert counted() == {entries[("b", "city")].pk}
    PlanEntry.objects.update(counted=True)
    assert recount(2026) == 3
    assert counted() == expected_counted()
    assert recount(2026) == 0
    assert recount(2026, []) == 0
    assert recount(1999) == 0


def test_plan_pages_and_api_keep_the_mark(world, levels, client_for):
    plans, entries = levels
    coordinator = client_for(world.coordinator)
    response = coordinator.post(
        reverse("plans:entry_delete", args=[plans["local"].pk, entries[("a", "local")].pk])
    )
    assert response.status_code == 302
    assert counted() == {entries[("a", "city")].pk, entries[("b", "city")].pk}
    response = coordinator.post(
        "/api/plan-entries/",
        {
            "plan": plans["local"].pk,
            "project": world.project_b.pk,
            "plan_type": "continuing",
            "annual_investment": "800",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert counted() == {entries[("a", "city")].pk, response.json()["id"]}
    response = coordinator.post(reverse("plans:adjust", args=[plans["city"].pk]))
    assert response.status_code == 302
    assert counted() == expected_counted()
    assert len(counted()) == 2


def test_promotion_from_the_pipeline_counts_the_new_entries(world, levels):
    plans, entries = levels
    project = Project.objects.create(
        name="新谋划的产业园",
        category=Category.objects.get(code="industry"),
        total_investment=Decimal("30000"),
        responsible_unit=world.housing,
        owner_unit=world.owner_a_unit,
        status="preliminary",
    )
    PipelineEntry.objects.create(
        project=project,
        proposed_year=2026,
        estimated_investment=Decimal("30000"),
        proposed_annual_investment=Decimal("3000"),
        planned_start_month=9,
        proposing_unit=world.housing,
    )
    PipelineEntry.objects.filter(project=project).promote("city", "new_start", by=world.coordinator)
    new = PlanEntry.objects.get(plan=plans["city"], project=project)
    assert new.counted
    assert counted() == expected_counted()


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_the_plans_already_there(world):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("plans", "0001_initial")]
    executor = MigrationExecutor(connection)
    # Every app back to its latest state, those built on plans (the figures' triggers) too.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldPlan, OldEntry = old.get_model("plans", "Plan"), old.get_model("plans", "PlanEntry")
    city = OldPlan.objects.create(year=2026, level="city", title="市")
    city_2 = OldPlan.objects.create(year=2026, level="city", version=2, title="市（调整）")
    local = OldPlan.objects.create(year=2026, level="local", title="区")
    fields = {"plan_type": "continuing", "annual_investment": Decimal("10")}
    OldEntry.objects.create(plan=city, project_id=world.project_a.pk, **fields)
    OldEntry.objects.create(plan=city, project_id=world.project_b.pk, **fields)
    b_city_2 = OldEntry.objects.create(plan=city_2, project_id=world.project_b.pk, **fields)
    OldEntry.objects.create(plan=city_2, project_id=world.project_a.pk, **fields)
    a_local = OldEntry.objects.create(plan=local, project_id=world.project_a.pk, **fields)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    assert counted() == {a_local.pk, b_city_2.pk}


def test_an_entry_keeps_its_plan_and_project_through_the_api(world, levels, client_for):
    plans, entries = levels
    entry = entries[("a", "city")]
    response = client_for(world.coordinator).patch(
        f"/api/plan-entries/{entry.pk}/",
        {"project": world.project_b.pk, "plan": plans["local"].pk, "annual_investment": "900"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    entry.refresh_from_db()
    assert (entry.plan_id, entry.project_id, entry.annual_investment) == (
        plans["city"].pk,
        world.project_a.pk,
        Decimal("900.00"),
    )
    assert counted() == expected_counted()


def test_an_adjustment_marks_its_entries_once(world, levels, django_assert_max_num_queries):
    """The new version is recounted once it is filled, not also while it is still empty."""
    plans, _entries = levels
    with django_assert_max_num_queries(20):
        plans["province"].adjust(by=world.coordinator)
    assert counted() == expected_counted()


@pytest.mark.django_db(transaction=True)
def test_two_levels_taking_in_one_project_at_once_leave_one_counted(world):
    """Two coordinators add the same project to the local and the city list at the same moment: the
    second recount waits for the first and sees its entry, so the project counts once."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    local = Plan.objects.create(year=2026, level="local", title="区")
    city = Plan.objects.create(year=2026, level="city", title="市")
    first_holds = threading.Event()
    failures: list[BaseException] = []

    def take_in(plan: Plan, hold: bool) -> None:
        try:
            with transaction.atomic():
                add(plan, world.project_a)
                if hold:
                    first_holds.set()
                    time.sleep(0.5)  # the other level adds the project meanwhile
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=take_in, args=(city, True))
    first.start()
    first_holds.wait(10)
    second = threading.Thread(target=take_in, args=(local, False))
    second.start()
    first.join(20)
    second.join(20)
    assert failures == []
    assert counted() == {PlanEntry.objects.get(plan=local).pk}


def test_a_plan_page_says_where_an_entry_counts_instead(world, levels, client_for):
    plans, _entries = levels
    client = client_for(world.coordinator)
    province = client.get(reverse("plans:detail", args=[plans["province"].pk])).content.decode()
    assert province.count("合并统计计入") == 2
    assert "合并统计计入区重点" in province and "合并统计计入市重点" in province
    local = client.get(reverse("plans:detail", args=[plans["local"].pk])).content.decode()
    assert "合并统计计入" not in local
    # An earlier version counts nowhere and says nothing, once the adjustment is issued.
    adjusted = plans["city"].adjust(by=world.coordinator)
    adjusted.issued_on = date(2026, 7, 1)
    adjusted.save()
    earlier = client.get(reverse("plans:detail", args=[plans["city"].pk])).content.decode()
    assert "合并统计计入" not in earlier


def test_the_command_repairs_marks_written_around_the_application(world, levels):
    from io import StringIO

    from django.core.management import call_command

    PlanEntry.objects.update(counted=False)
    out = StringIO()
    call_command("recount_plans", stdout=out)
    assert "2026年：2个计划项目的标记已更正。" in out.getvalue()
    assert counted() == expected_counted()
    out = StringIO()
    call_command("recount_plans", "--year", "2026", stdout=out)
    assert "2026年：无需更正。" in out.getvalue()
