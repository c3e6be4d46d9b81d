"""年度目标预测's summary (forecast.cells): read from its rows, every scope's forecast is the one the
tables give, and stays so through the writes that change it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Sum
from django.urls import reverse

from catalog.models import Category
from figures.tests.locks import rebuilding_elsewhere
from figures.tests.test_figures import accepted
from forecast import cells
from forecast.compute import forecast
from forecast.models import ForecastBuild, ForecastCell, ForecastRow
from forecast.tests.conftest import MONTHS, YEAR
from plans.models import Plan, PlanEntry
from plans.scope import Scope, scope_entries
from progress.rollup import refresh_projects

PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")


def from_tables(year, month, scope, **options):
    return forecast(year, month, scope, entries=scope_entries(year, scope), **options)


def scopes(world):
    yield Scope()
    for persona in PERSONAS:
        yield Scope(user=getattr(world, persona))
    yield Scope(unit=world.housing)
    yield Scope(category=Category.objects.get(code="social"))
    yield Scope(plan_type="continuing")
    yield Scope(level="local", user=world.department)


def assert_same(world, month=MONTHS, **options):
    for scope in scopes(world):
        kept = forecast(YEAR, month, scope, **options)
        assert kept == from_tables(YEAR, month, scope, **options), scope


def only_build():
    (build,) = ForecastBuild.objects.all()
    return build


@pytest.mark.parametrize(
    "options",
    [{}, {"at_risk_only": True, "limit": 1}, {"below": Decimal("60")}, {"limit": 2}],
    ids=["all", "worst", "below", "first-two"],
)
def test_every_scope_reads_the_figures_the_tables_give(portfolio, world, options):
    assert_same(world, **options)
    build = only_build()
    assert (build.year, build.month) == (YEAR, MONTHS)
    # One row for each planned entry of the year.
    assert ForecastRow.objects.count() == PlanEntry.objects.filter(plan__year=YEAR).count() == 3


@pytest.mark.parametrize("month", [1, 6, 12])
def test_each_month_is_kept_apart(portfolio, world, month):
    assert_same(world, month=month)
    assert ForecastBuild.objects.filter(year=YEAR, month=month).count() == 1


def test_the_personas_see_their_own_projects_only(portfolio, world):
    def names(persona):
        data = forecast(YEAR, MONTHS, Scope(user=getattr(world, persona)))
        return sorted(row["name"] for row in data["projects"])

    assert names("department") == sorted([portfolio.steady.name, portfolio.stalled.name])
    assert names("town_user") == [portfolio.back_loaded.name]
    assert names("outsider") == []
    assert len(names("coordinator")) == 3


def test_a_report_accepted_after_the_build_moves_its_projects_forecast(portfolio, world):
    before = forecast(YEAR, MONTHS)
    build = only_build()
    stalled = portfolio.stalled
    assert next(row for row in before["projects"] if row["id"] == stalled.pk)["reason"].startswith("停滞")

    for month in (7, 8, 9):
        accepted(stalled, YEAR, month, "200.00")
    refresh_projects([stalled.pk])

    after = forecast(YEAR, MONTHS)
    row = next(row for row in after["projects"] if row["id"] == stalled.pk)
    assert row["completed"] == Decimal("900.00")
    assert not row["reason"].startswith("停滞")
    assert after["total"]["completed"] == before["total"]["completed"] + Decimal("600.00")
    # Rebuilt where marked: the build is the same one.
    assert only_build().pk == build.pk
    assert_same(world)


def test_a_project_moved_to_another_unit_moves_its_rows(portfolio, world):
    forecast(YEAR, MONTHS)
    stalled = portfolio.stalled
    stalled.responsible_unit = world.town
    stalled.owner_unit = world.owner_b_unit
    stalled.save()

    department = forecast(YEAR, MONTHS, Scope(user=world.department))
    assert [row["name"] for row in department["projects"]] == [portfolio.steady.name]
    assert ForecastRow.objects.filter(project_id=stalled.pk).get().unit_id == world.town.pk
    assert_same(world)


def test_an_entry_taken_off_the_plan_leaves_the_forecast(portfolio, world):
    forecast(YEAR, MONTHS)
    PlanEntry.objects.filter(project=portfolio.stalled, plan__year=YEAR).delete()

    data = forecast(YEAR, MONTHS)
    assert data["total"]["count"] == 2
    assert not ForecastRow.objects.filter(project_id=portfolio.stalled.pk).exists()
    assert_same(world)


def test_a_new_annual_plan_is_forecast_against(portfolio, world):
    forecast(YEAR, MONTHS)
    PlanEntry.objects.filter(project=portfolio.steady, plan__year=YEAR).update(
        annual_investment=F("annual_investment") * 2
    )

    row = next(row for row in forecast(YEAR, MONTHS)["projects"] if row["id"] == portfolio.steady.pk)
    assert row["annual_plan"] == Decimal("2400.00")
    assert_same(world)


def test_a_change_in_a_past_year_builds_the_year_again(portfolio, world):
    forecast(YEAR, MONTHS)
    build = only_build()
    # One of last year's back-loaded projects had thrice the plan: its category realised less of its plans.
    past = next(project for project in portfolio.past if project.category.code == "social")
    PlanEntry.objects.filter(project=past, plan__year=YEAR - 1).update(
        annual_investment=F("annual_investment") * 3
    )

    assert_same(world)
    rebuilt = only_build()
    assert rebuilt.pk != build.pk
    assert rebuilt.profiles_key != build.profiles_key


def test_a_changed_setting_builds_the_month_again(portfolio, world, settings):
    forecast(YEAR, MONTHS)
    settings.FORECAST_STALL_MONTHS = 12

    row = next(row for row in forecast(YEAR, MONTHS)["projects"] if row["id"] == portfolio.stalled.pk)
    assert not row["reason"].startswith("停滞")
    assert only_build().stall_months == 12
    assert_same(world)


def test_a_scope_cut_by_nature_is_worked_out_from_the_tables(portfolio):
    scope = Scope(nature="government")
    assert forecast(YEAR, MONTHS, scope) == from_tables(YEAR, MONTHS, scope)
    assert not ForecastBuild.objects.exists()


def test_building_everything_again_gives_the_same_rows(portfolio, world):
    forecast(YEAR, MONTHS)
    fields = [field.name for field in ForecastRow._meta.fields if field.name != "id"]
    before = sorted(ForecastRow.objects.values_list(*fields))

    cells.rebuild_all()

    assert sorted(ForecastRow.objects.values_list(*fields)) == before
    assert_same(world)


def test_a_migrate_forgets_the_months_kept(portfolio):
    forecast(YEAR, MONTHS)
    cells.mark_all(connection)
    assert not ForecastBuild.objects.exists() and not ForecastRow.objects.exists()
    assert forecast(YEAR, MONTHS)["total"]["count"] == 3


def test_only_the_latest_months_of_a_year_are_kept(portfolio, world):
    for month in range(1, 7):
        forecast(YEAR, month)
    kept = sorted(ForecastBuild.objects.filter(year=YEAR).values_list("month", flat=True))
    assert kept == [4, 5, 6] and len(kept) == cells.KEPT_MONTHS
    assert set(ForecastRow.objects.values_list("month", flat=True)) == {4, 5, 6}
    # A month forgotten is built again when asked for.
    assert_same(world, month=1)
    assert ForecastBuild.objects.filter(year=YEAR, month=1).exists()


def test_the_cells_add_up_the_rows(portfolio, world):
    forecast(YEAR, MONTHS)
    PlanEntry.objects.filter(project=portfolio.steady, plan__year=YEAR).update(annual_investment=5000)
    forecast(YEAR, MONTHS)
    rows = ForecastRow.objects.filter(year=YEAR, month=MONTHS)
    owners = ForecastCell.objects.filter(year=YEAR, month=MONTHS, per_owner=True)
    totals = ForecastCell.objects.filter(year=YEAR, month=MONTHS, per_owner=False)
    for cells_of in (owners, totals):
        assert cells_of.aggregate(n=Sum("count"), plan=Sum("plan_cents")) == {
            "n": rows.count(),
            "plan": rows.aggregate(plan=Sum("plan_cents"))["plan"],
        }


@pytest.mark.parametrize("options", [{}, {"at_risk_only": True, "limit": 1}], ids=["all", "worst"])
def test_a_large_scope_walked_in_order_lists_the_same_projects(portfolio, world, monkeypatch, options):
    """SQLite lists a scope of WALK_FROM rows or more along the order's index: every scope taken as
    large gives the same projects."""
    monkeypatch.setattr(cells, "WALK_FROM", 0)
    assert_same(world, **options)


def test_a_change_in_a_past_year_beyond_a_gap_builds_the_year_again(portfolio, world, settings):
    """With two past years followed and no plan in force in 2024, 2026's profiles come from 2023
    and 2025: a report of 2023 changes them."""
    settings.FORECAST_HISTORY_YEARS = 2
    Plan.objects.filter(year=YEAR - 2).update(year=YEAR - 3)
    forecast(YEAR, MONTHS)
    build = only_build()
    assert build.profile_years == [YEAR - 3, YEAR - 1]
    past = next(project for project in portfolio.past if project.category.code == "social")
    accepted(past, YEAR - 3, 1, "5000.00")
    refresh_projects([past.pk])

    assert_same(world)
    assert only_build().profiles_key != build.profiles_key


def test_a_month_forgotten_while_it_is_read_is_worked_out_from_the_tables(portfolio, monkeypatch):
    forecast(YEAR, MONTHS)
    found = cells.kept

    def forgotten_meanwhile(year, month):
        build = found(year, month)
        # A migrate, or a fourth month built elsewhere, forgets it before its rows are read.
        cells.mark_all(connection)
        return build

    monkeypatch.setattr(cells, "kept", forgotten_meanwhile)
    assert forecast(YEAR, MONTHS) == from_tables(YEAR, MONTHS, Scope())
    assert forecast(YEAR, MONTHS)["total"]["count"] == 3


def test_a_new_arithmetic_builds_the_months_again(portfolio, monkeypatch):
    forecast(YEAR, MONTHS)
    build = only_build()
    monkeypatch.setattr(cells, "ARITHMETIC", cells.ARITHMETIC + 1)
    forecast(YEAR, MONTHS)
    assert only_build().pk != build.pk


def project_from_tables(project, month=MONTHS):
    """What the tab showed before there were kept forecasts: the project's entries worked out."""
    one = forecast(YEAR, month, entries=scope_entries(YEAR, Scope()).filter(project=project))
    return {
        "row": one["projects"][0] if one["projects"] else None,
        "threshold": one["threshold"],
        "profile_years": list(one["profile_years"]),
    }


@pytest.mark.parametrize("month", [1, 6, MONTHS])
def test_a_projects_tab_reads_what_the_tables_give(portfolio, world, month):
    """The project page's 年度预测 tab: each planned project's row, and none for a project off the
    year's plans."""
    for project in (portfolio.steady, portfolio.stalled, portfolio.back_loaded, world.project_a):
        assert cells.project_forecast(YEAR, month, project.pk) == project_from_tables(project, month)
    assert project_from_tables(world.project_a, month)["row"] is None


def test_a_projects_tab_follows_a_report_accepted_after_the_build(portfolio, world):
    stalled = portfolio.stalled
    assert project_from_tables(stalled)["row"]["reason"].startswith("停滞")
    assert cells.project_forecast(YEAR, MONTHS, stalled.pk) == project_from_tables(stalled)
    for month in (7, 8, 9):
        accepted(stalled, YEAR, month, "200.00")
    refresh_projects([stalled.pk])
    from_tables_now = project_from_tables(stalled)
    assert from_tables_now["row"]["completed"] == Decimal("900.00")
    assert cells.project_forecast(YEAR, MONTHS, stalled.pk) == from_tables_now
    assert only_build().month == MONTHS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the rebuild lock is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_while_another_process_rebuilds_the_forecasts_the_tables_answer(portfolio, world, client_for):
    with rebuilding_elsewhere(cells.REFRESH_LOCK):
        assert cells.project_forecast(YEAR, MONTHS, portfolio.stalled.pk) is None
        assert forecast(YEAR, MONTHS) == from_tables(YEAR, MONTHS, Scope())
        page = reverse("projects:detail", args=[portfolio.stalled.pk]) + "?tab=forecast"
        html = client_for(world.coordinator).get(page).content.decode()
        assert "25.0%" in html and "停滞6个月" in html
    assert not ForecastBuild.objects.exists()
    assert cells.project_forecast(YEAR, MONTHS, portfolio.stalled.pk) == project_from_tables(
        portfolio.stalled
    )
