"""The rollup: month rows and year rows rebuilt from the accepted reports, and the two agreeing."""

import threading
import time
from decimal import Decimal

import pytest
from django.db.models import Sum

from progress.choices import ReportState
from progress.models import MonthlyProgress, Report, YearProgress
from progress.periods import Period
from progress.rollup import refresh_projects

pytestmark = pytest.mark.django_db


def report(project, year, month, amount, ytd, cumulative, part=1, **extra):
    """An accepted report with its figures as given (an import writes them so)."""
    frequency = "half_monthly" if part == 2 or extra.pop("half", False) else "monthly"
    return Report.objects.create(
        project=project,
        year=year,
        month=month,
        part=part,
        frequency=frequency,
        amount=Decimal(amount),
        year_to_date=Decimal(ytd),
        cumulative=Decimal(cumulative),
        deadline=Period(year, month, part, frequency).deadline,
        state=extra.pop("state", ReportState.ACCEPTED),
        **extra,
    )


def year_row(project, year) -> list[Decimal]:
    row = YearProgress.objects.get(project=project, year=year)
    return [getattr(row, YearProgress.column(month)) for month in range(1, 13)]


def monthly_sums(project, year) -> list[Decimal]:
    """年度完成投资 at the end of each month as the month rows give it: their increments added up."""
    rows = MonthlyProgress.objects.filter(project=project, year=year)
    return [
        rows.filter(month__lte=month).aggregate(total=Sum("ytd_increment"))["total"] or Decimal("0.00")
        for month in range(1, 13)
    ]


@pytest.fixture
def history(world):
    """project_a: opened in February 2026 from a table (year-to-date 500 with 100 that month),
    half-monthly in March (two reports), nothing in April, May accepted, June still submitted;
    then January 2027."""
    a = world.project_a
    report(a, 2026, 2, "100", "500", "3500", is_opening=True)
    report(a, 2026, 3, "40", "540", "3540", half=True)
    report(a, 2026, 3, "25.55", "565.55", "3565.55", part=2)
    report(a, 2026, 5, "34.45", "600", "3600")
    report(a, 2026, 6, "50", "650", "3650", state=ReportState.SUBMITTED)
    report(a, 2027, 1, "10", "10", "3610")
    refresh_projects([a.pk])
    return a


def test_month_rows_add_up_half_months_and_count_the_opening_figure_whole(history):
    rows = list(
        MonthlyProgress.objects.filter(project=history)
        .order_by("year", "month")
        .values_list("year", "month", "amount", "ytd_increment", "year_to_date", "cumulative")
    )
    assert rows == [
        (2026, 2, Decimal("100.00"), Decimal("500.00"), Decimal("500.00"), Decimal("3500.00")),
        (2026, 3, Decimal("65.55"), Decimal("65.55"), Decimal("565.55"), Decimal("3565.55")),
        (2026, 5, Decimal("34.45"), Decimal("34.45"), Decimal("600.00"), Decimal("3600.00")),
        (2027, 1, Decimal("10.00"), Decimal("10.00"), Decimal("10.00"), Decimal("3610.00")),
    ]


def test_year_row_carries_the_year_to_date_through_months_without_a_report(history):
    zero, opening, march, may = (Decimal(v) for v in ("0.00", "500.00", "565.55", "600.00"))
    assert year_row(history, 2026) == [zero, opening, march, march] + [may] * 8
    assert year_row(history, 2027) == [Decimal("10.00")] * 12


def test_year_rows_equal_the_month_rows_summed(history):
    for year in (2026, 2027):
        assert year_row(history, year) == monthly_sums(history, year)


def test_a_correction_after_acceptance_rewrites_both(history, world):
    may = Report.objects.get(project=history, year=2026, month=5)
    march = Report.objects.get(project=history, year=2026, month=3, part=1)
    march.correct(by=world.coordinator, reason="监理复核后调整", amount=Decimal("60"))
    may.refresh_from_db()
    assert may.year_to_date == Decimal("620.00")
    assert MonthlyProgress.objects.get(project=history, year=2026, month=3).amount == Decimal("85.55")
    assert year_row(history, 2026)[2:5] == [Decimal("585.55")] * 2 + [Decimal("620.00")]
    assert year_row(history, 2026) == monthly_sums(history, 2026)


def test_projects_with_nothing_accepted_lose_their_rows(history, world):
    report(world.project_b, 2026, 4, "70", "70", "70", state=ReportState.RETURNED)
    Report.objects.filter(project=history).update(state=ReportState.RETURNED)
    assert refresh_projects([history.pk, world.project_b.pk]) == 0
    assert not MonthlyProgress.objects.exists()
    assert not YearProgress.objects.exists()


def test_refreshing_again_changes_nothing_and_other_projects_are_left_alone(history, world):
    b = world.project_b
    report(b, 2026, 4, "70", "70", "70")
    report(b, 2026, 7, "30.01", "100.01", "100.01")
    assert refresh_projects([b.pk]) == 2
    before = {p.pk: (year_row(p, 2026), monthly_sums(p, 2026)) for p in (history, b)}
    assert refresh_projects([b.pk, history.pk, b.pk]) == 6
    assert {p.pk: (year_row(p, 2026), monthly_sums(p, 2026)) for p in (history, b)} == before
    assert year_row(b, 2026) == [Decimal("0.00")] * 3 + [Decimal("70.00")] * 3 + [Decimal("100.01")] * 6
    assert refresh_projects([]) == 0


def test_refreshing_named_years_leaves_the_others_as_they_are(world):
    """An import names its period's year: the rows of other years are neither read nor rewritten."""
    project = world.project_a
    report(project, 2025, 12, "40", "480", "900")
    january = report(project, 2026, 1, "30", "30", "930")
    refresh_projects([project.pk])
    # A figure changed behind the rollup's back in 2025 stays unseen when only 2026 is refreshed …
    Report.objects.filter(project=project, year=2025).update(year_to_date=Decimal("500"))
    Report.objects.filter(pk=january.pk).update(amount=Decimal("35"), year_to_date=Decimal("35"))
    report(project, 2026, 2, "20", "55", "955")
    assert refresh_projects([project.pk], years=[2026]) == 2
    assert year_row(project, 2025)[11] == Decimal("480.00")
    assert year_row(project, 2026)[:3] == [Decimal("35.00"), Decimal("55.00"), Decimal("55.00")]
    assert MonthlyProgress.objects.get(project=project, year=2026, month=2).ytd_increment == Decimal("20.00")
    # … and is taken up by a refresh of every year.
    refresh_projects([project.pk])
    assert year_row(project, 2025)[11] == Decimal("500.00")
    assert refresh_projects([project.pk], years=[]) == 0


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_of_the_same_project_at_once_both_succeed(world):
    """An import and an acceptance refreshing one project together: the second waits, neither fails."""
    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    project = world.project_a
    report(project, 2026, 1, "30", "30", "1030", is_opening=True)
    report(project, 2026, 2, "20", "50", "1050")
    first_holds = threading.Event()
    failures: list[BaseException] = []

    def refresh(hold: bool) -> None:
        try:
            with transaction.atomic():
                refresh_projects([project.pk])
                if hold:
                    first_holds.set()
                    time.sleep(0.5)  # the other refresh runs meanwhile
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=refresh, args=(True,))
    first.start()
    first_holds.wait(10)
    second = threading.Thread(target=refresh, args=(False,))
    second.start()
    first.join(20)
    second.join(20)
    assert failures == []
    assert year_row(project, 2026)[:3] == [Decimal("30.00"), Decimal("50.00"), Decimal("50.00")]
    assert MonthlyProgress.objects.filter(project=project).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_summary_migration_gives_existing_month_rows_their_year_rows(world):
    """A database upgraded with months already rolled up gets the year rows the rollup would write."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("progress", "0003_monthly_ytd_covering_index")]
    executor = MigrationExecutor(connection)
    # Every app back to its latest state, those built on progress (the figures' triggers) too.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("progress", "MonthlyProgress")
    # An opening figure in March, nothing in April, a month in May; one month of another year.
    for year, month, increment, ytd in (
        (2026, 3, "130", "130"),
        (2026, 5, "20.5", "150.5"),
        (2025, 12, "90", "90"),
    ):
        old.objects.create(
            project_id=world.project_a.pk,
            year=year,
            month=month,
            amount=Decimal(increment),
            ytd_increment=Decimal(increment),
            year_to_date=Decimal(ytd),
            cumulative=Decimal(ytd),
        )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    assert (
        year_row(world.project_a, 2026)
        == [Decimal(v) for v in ("0", "0", "130", "130", "150.5")] + [Decimal("150.5")] * 7
    )
    assert year_row(world.project_a, 2025)[11] == Decimal("90.00")
