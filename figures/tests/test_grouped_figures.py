"""compute() adds up one grouped pass; each figure computed on its own must come out the same."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from catalog.models import Category
from figures.compute import (
    Scope,
    breakdown,
    compute,
    entry_counts,
    monthly_series,
    plan_totals,
    ranking,
    resumption_rate,
    scope_entries,
    size_buckets,
    start_and_finish_rates,
    status_breakdown,
)
from progress.models import MonthlyProgress, Report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("month", [1, 4, 6])
@pytest.mark.parametrize("level", [None, "local", "city"])
def test_compute_matches_each_figure_computed_alone(world, mixed, month, level):
    scope = Scope(level=level, user=world.coordinator)
    data = compute(2026, month, scope)
    entries = scope_entries(2026, scope)
    categories = {c.pk: c.name for c in Category.objects.all()}
    types = {row["key"]: row["label"] for row in data["by_plan_type"]}
    assert data["plan"] == plan_totals(entries, 2026, month)
    assert data["by_category"] == breakdown(entries, 2026, month, "project__category", categories)
    assert data["by_plan_type"] == breakdown(entries, 2026, month, "plan_type", types)
    assert data["ranking_units"] == ranking(entries, 2026, month, "unit")
    assert data["ranking_towns"] == ranking(entries, 2026, month, "town")
    counts = entry_counts(entries, 2026, month)
    assert data["by_status"] == status_breakdown(counts)
    assert data["starts"] == {**start_and_finish_rates(counts), **resumption_rate(counts)}
    assert data["ranking_owners"] == ranking(entries, 2026, month, "owner")
    assert data["sizes"] == size_buckets(counts)
    assert data["monthly"] == monthly_series(entries, 2026, month)
    if level is None and month == 6:
        assert data["plan"]["count"] == 14
        assert data["plan"]["completed"] > 0


def test_a_narrow_scope_adds_up_the_same(world, mixed):
    scope = Scope(unit=world.housing, category=Category.objects.get(code="infrastructure"))
    data = compute(2026, 6, scope)
    entries = scope_entries(2026, scope)
    assert data["plan"] == plan_totals(entries, 2026, 6)
    assert data["ranking_units"] == ranking(entries, 2026, 6, "unit")


def test_completed_figures_equal_the_accepted_reports_summed(world, mixed):
    """The figures read the yearly summary the rollup keeps; added up straight from the accepted
    reports (no opening figures here, so the year-to-date is the sum of the months' amounts) they
    come out the same, and so do the rollup's month rows."""
    scope = Scope(user=world.coordinator)
    projects = scope_entries(2026, scope).values("project_id")
    for month in range(1, 13):
        data = compute(2026, month, scope, work=False)
        expected = Report.objects.filter(
            project_id__in=projects, year=2026, month__lte=month, state="accepted"
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        assert data["plan"]["completed"] == expected
        assert data["monthly"][-1]["completed"] == expected
        assert sum(row["completed"] for row in data["by_category"]) == expected
        rolled_up = MonthlyProgress.objects.filter(
            project_id__in=projects, year=2026, month__lte=month
        ).aggregate(total=Sum("ytd_increment"))["total"] or Decimal("0.00")
        assert rolled_up == expected
    # Eleven of the fourteen projects reported in February and May.
    assert compute(2026, 12, scope, work=False)["plan"]["completed"] == sum(
        Decimal(f"{100 + 11 * i}.25") + Decimal(f"{50 + 7 * i}.10") for i in range(14) if i % 4 != 3
    )
