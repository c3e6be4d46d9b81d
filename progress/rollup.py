"""Keeping MonthlyProgress current from the accepted reports."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from progress.choices import ReportState
from progress.models import MonthlyProgress, Report

ZERO = Decimal("0.00")


def refresh_projects(project_ids: Iterable[int]) -> int:
    """Rebuild the monthly rows of these projects from their accepted reports; returns rows written."""
    ids = sorted(set(project_ids))
    rows: list[MonthlyProgress] = []
    reports = (
        Report.objects.filter(project_id__in=ids, state=ReportState.ACCEPTED)
        .order_by("project_id", "seq")
        .values_list("project_id", "year", "month", "amount", "year_to_date", "cumulative")
    )
    current: MonthlyProgress | None = None
    base = ZERO
    last_ytd: dict[tuple[int, int], Decimal] = {}
    for project_id, year, month, amount, year_to_date, cumulative in reports.iterator(chunk_size=5000):
        if current is None or (current.project_id, current.year, current.month) != (project_id, year, month):
            if current is not None:
                rows.append(current)
            current = MonthlyProgress(project_id=project_id, year=year, month=month, amount=ZERO)
            # What the year stood at before this month: the month adds the rest.
            base = last_ytd.get((project_id, year), ZERO)
        current.amount += amount
        current.year_to_date, current.cumulative = year_to_date, cumulative
        current.ytd_increment = year_to_date - base
        last_ytd[(project_id, year)] = year_to_date
    if current is not None:
        rows.append(current)
    with transaction.atomic():
        for start in range(0, len(ids), 500):
            MonthlyProgress.objects.filter(project_id__in=ids[start : start + 500]).delete()
        MonthlyProgress.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
