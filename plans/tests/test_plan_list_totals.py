"""The plan list's 项目数, 总投资 and 年度计划投资: the same from the figures' summary as from the
entries, for each persona's data scope, kept current as entries change, and sortable."""

from decimal import Decimal

import pytest
from django.urls import reverse

from figures import cells
from plans import totals
from plans.models import Plan, PlanEntry


@pytest.fixture
def plans(world):
    last = Plan.objects.create(year=2025, level="local", title="2025年区重点建设项目计划")
    PlanEntry.objects.create(
        plan=last, project=world.project_a, plan_type="new_start", annual_investment=Decimal("4000")
    )
    this = Plan.objects.create(year=2026, level="local", title="2026年区重点建设项目计划")
    PlanEntry.objects.create(
        plan=this, project=world.project_a, plan_type="continuing", annual_investment=Decimal("5000")
    )
    PlanEntry.objects.create(
        plan=this, project=world.project_b, plan_type="new_start", annual_investment=Decimal("10000")
    )
    return last, this


def listed(client, **query):
    response = client.get(reverse("plans:list"), query)
    assert response.status_code == 200
    return {
        plan.pk: (plan.entry_count, plan.project_total, plan.annual_total)
        for plan in response.context["page"]
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", (2, Decimal("68000.00"), Decimal("15000.00"))),
        ("leader", (2, Decimal("68000.00"), Decimal("15000.00"))),
        ("department", (1, Decimal("12000.00"), Decimal("5000.00"))),
        ("town_user", (1, Decimal("56000.00"), Decimal("10000.00"))),
        ("owner_a", (1, Decimal("12000.00"), Decimal("5000.00"))),
        ("outsider", (0, Decimal("0.00"), Decimal("0.00"))),
    ],
)
def test_each_persona_sees_the_totals_of_the_entries_in_its_scope(
    world, client_for, plans, persona, expected
):
    last, this = plans
    shown = listed(client_for(getattr(world, persona)))
    assert shown[this.pk] == expected
    user = getattr(world, persona)
    assert totals.from_entries([this], user).get(this.pk, {}).get("entry_count", 0) == expected[0]


def test_the_totals_come_from_the_summary_and_follow_a_new_entry(world, client_for, plans):
    _, this = plans
    client = client_for(world.coordinator)
    assert listed(client)[this.pk][0] == 2
    this.entries.filter(project=world.project_b).update(annual_investment=Decimal("12000"))
    PlanEntry.objects.filter(plan=this, project=world.project_a).delete()
    assert listed(client)[this.pk] == (1, Decimal("56000.00"), Decimal("12000.00"))


def test_the_list_reads_the_summary_in_a_fixed_number_of_queries(
    world, client_for, plans, django_assert_max_num_queries
):
    client = client_for(world.coordinator)
    client.get(reverse("plans:list"))
    with django_assert_max_num_queries(14):
        client.get(reverse("plans:list"))


def test_the_plans_sort_by_their_totals(world, client_for, plans):
    last, this = plans
    client = client_for(world.coordinator)
    for sort, first in (("annual", last), ("-annual", this), ("entries", last), ("-total", this)):
        response = client.get(reverse("plans:list"), {"sort": sort})
        assert [plan.pk for plan in response.context["page"]][0] == first.pk, sort


@pytest.mark.parametrize("persona", ["coordinator", "department", "town_user", "owner_a", "outsider"])
def test_the_summary_answers_for_the_plans_asked_and_no_other_of_their_years(world, plans, persona):
    """The summary reads every plan of the years asked about: a second plan of 2026 and the plan
    of 2025 stay out of the answer for 2026's local plan alone."""
    last, this = plans
    city = Plan.objects.create(year=2026, level="city", title="2026年市重点建设项目计划")
    PlanEntry.objects.create(
        plan=city, project=world.project_b, plan_type="new_start", annual_investment=Decimal("7000")
    )
    user = getattr(world, persona)
    assert set(cells.plan_totals([this], user)) <= {this.pk}
    from_summary = totals.plan_totals([this], user)
    expected = totals.from_entries([this], user).get(this.pk, {})
    assert from_summary[this.pk]["entry_count"] == expected.get("entry_count", 0)
    assert from_summary[this.pk]["annual_total"] == expected.get("annual_total", Decimal("0.00"))
    both = totals.plan_totals([this, city], user)
    assert set(both) == {this.pk, city.pk}
    assert both[this.pk] == from_summary[this.pk]


@pytest.mark.parametrize("persona", ["coordinator", "department", "town_user", "owner_a", "outsider"])
def test_the_plan_page_shows_what_its_entries_add_up_to(world, client_for, plans, persona):
    """A plan's page: its totals and last year's from the summary, the sizes and plan types in one
    pass, and the list's count, each what the entries the user sees add up to."""
    last, this = plans
    user = getattr(world, persona)
    response = client_for(user).get(reverse("plans:detail", args=[this.pk]))
    assert response.status_code == 200
    context = response.context
    for plan, shown in ((this, context["totals"]), (last, context["last_totals"])):
        entries = list(plan.entries.visible_to(user).select_related("project"))
        assert shown == {
            "count": len(entries),
            "total_investment": sum((e.project.total_investment for e in entries), Decimal(0)),
            "annual_investment": sum((e.annual_investment for e in entries), Decimal(0)),
        }
    entries = list(this.entries.visible_to(user))
    assert context["page"].paginator.count == len(entries)
    by_type = {row["plan_type"]: (row["count"], row["annual_investment"]) for row in context["by_type"]}
    for plan_type, (count, annual) in by_type.items():
        of_type = [e for e in entries if e.plan_type == plan_type]
        assert (count, annual) == (len(of_type), sum((e.annual_investment for e in of_type), Decimal(0)))
    assert sum(bucket["count"] for bucket in context["buckets"]) == len(entries)
    filtered = client_for(user).get(reverse("plans:detail", args=[this.pk]), {"plan_type": "new_start"})
    assert filtered.context["page"].paginator.count == by_type["new_start"][0]
