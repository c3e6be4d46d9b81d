"""表格报送: which town or department sent which of the three tables for a month, and when.

A unit's staff importing 附件1, 附件2 or 附件3 through the Excel exchange records the submission
(the first one of the month counts); the coordinating office records a table it received
otherwise, and may undo such a record.
"""

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from assessment.models import Table, TableSubmission
from assessment.providers import monthly_deadline
from exchange.models import ImportBatch
from org.choices import Role, UnitKind
from org.models import Unit
from progress.periods import Period

ASSESSED_KINDS = (UnitKind.TOWN, UnitKind.DEPARTMENT)


def assessed_unit(unit: Unit | None) -> Unit | None:
    """The town or department a unit belongs to: itself, or the nearest such unit above it."""
    while unit is not None and unit.kind not in ASSESSED_KINDS:
        unit = unit.parent
    return unit


def record_import(batch: ImportBatch) -> TableSubmission | None:
    """Record a committed import of an official table by a responsible unit's staff as that unit's
    submission of the table for the import's period (or, without one, the month it was imported)."""
    user = batch.uploaded_by
    if batch.status != ImportBatch.Status.COMMITTED or batch.committed_at is None or user is None:
        return None
    if user.role != Role.UNIT or batch.table not in Table.values:
        return None
    unit = assessed_unit(user.unit)
    if unit is None:
        return None
    committed = timezone.localtime(batch.committed_at)
    try:
        period = Period.parse(batch.period) if batch.period else Period(committed.year, committed.month)
    except ValueError:
        period = Period(committed.year, committed.month)
    submission, _created = TableSubmission.objects.get_or_create(
        unit=unit,
        table=batch.table,
        year=period.year,
        month=period.month,
        defaults={"submitted_at": batch.committed_at, "batch": batch, "recorded_by": user},
    )
    return submission


def on_import_saved(sender: Any, instance: ImportBatch, **kwargs: Any) -> None:
    record_import(instance)


def state(submitted: date | None, deadline: date, today: date) -> str:
    """按时 / 逾期 / 未报 / 未到期 of one table of one month."""
    if submitted is not None:
        return "on_time" if submitted <= deadline else "late"
    return "missing" if deadline < today else "pending"


def board(
    units: QuerySet[Unit], year: int, month: int, reporting: dict[int, dict[str, int]]
) -> list[dict[str, Any]]:
    """Each unit's three tables of the month: 附件1 and 附件2 from the submissions, 附件3 from an
    imported 附件3 or, failing that, the unit's projects' reports of the month."""
    today = timezone.localdate()
    deadline = monthly_deadline(year, month)
    submissions = {
        (s.unit_id, s.table): s
        for s in TableSubmission.objects.filter(unit__in=units, year=year, month=month).select_related(
            "recorded_by", "batch"
        )
    }
    rows = []
    for unit in units:
        tables = []
        for table in Table:
            found = submissions.get((unit.pk, table.value))
            day = timezone.localtime(found.submitted_at).date() if found else None
            cell: dict[str, Any] = {"table": table, "submission": found, "state": state(day, deadline, today)}
            if table == Table.UNDER_CONSTRUCTION and found is None:
                counts = reporting.get(unit.pk, {"due": 0, "submitted": 0, "on_time": 0})
                cell["reports"] = counts
                if not counts["due"]:
                    cell["state"] = "none"
                elif counts["on_time"] == counts["due"]:
                    cell["state"] = "on_time"
                elif counts["submitted"] == counts["due"]:
                    cell["state"] = "late"
            tables.append(cell)
        rows.append({"unit": unit, "tables": tables})
    return rows
