"""The write stage of an import: everything the check stage worked out, written in one transaction, in bulk.

The stages of an import are read (exchange.reader), resolve names (exchange.names), check rows
(exchange.importer.Importer) and write (here). Runs inside import_table's transaction, and only
when the check found no errors.
"""

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from audit.models import OperationLog
from exchange.bulk import insert, update_grouped
from exchange.models import ImportBatch
from org.models import Person, User
from plans.choices import PlanKind, PlanLevel
from plans.counting import recount
from plans.models import Plan, PlanEntry
from progress.choices import RevisionKind
from progress.models import TRACKED_FIELDS, Report, ReportRevision
from progress.periods import Period
from progress.rollup import refresh_projects
from progress.signals import report_accepted
from projects.models import Procedure, Project, ProjectStatusChange

if TYPE_CHECKING:
    from exchange.importer import Importer, ImportResult

BATCH = 1000
# Project fields an import may set, with the longest text each holds.
TEXT_FIELDS = {
    "name": 200,
    "content": 0,
    "address": 200,
    "signing_status": 200,
    "demolition_progress": 200,
    "status_reason": 200,
}
DATE_FIELDS = ("planned_start_date", "planned_completion_date", "actual_start_date", "actual_completion_date")
# Every field _fields may set: what a 新增 log entry lists.
CREATION_FIELDS = (
    *TEXT_FIELDS,
    "code",
    "build_years",
    "total_investment",
    "responsible_unit_id",
    "owner_unit_id",
    "industry_id",
    "category_id",
    "chief_officer_id",
    "leader_in_charge_id",
    "responsible_person_id",
    "owner_contact_id",
    *DATE_FIELDS,
    "in_statistics",
    "investment_nature",
    "status",
)


def write(importer: "Importer") -> None:
    """Write everything checked, in bulk. Runs inside the caller's transaction."""
    if importer.plan is None:
        importer.plan = Plan(
            year=importer.year,
            level=importer.level,
            version=1,
            kind=PlanKind.INITIAL,
            title=f"{importer.year}年{PlanLevel(importer.level).label}项目计划",
            created_by=importer.user,
        )
        importer.plan.defer_recount = True  # its new entries are recounted below
        importer.plan.save()
    insert(Person, importer.new_people)
    update_grouped(Person, importer.phone_updates)
    for row in itertools.chain(importer.new_projects, importer.project_updates.values()):
        for key in ("responsible_person_id", "owner_contact_id"):
            if isinstance(row.get(key), dict):
                row[key] = row[key]["id"]
    insert(Project, importer.new_projects)
    for rows in (importer.new_entries, importer.new_reports):
        _bind(rows)
    for entry in importer.new_entries:
        entry["plan_id"] = importer.plan.pk
    _update_projects(importer)
    insert(ProjectStatusChange, importer.status_changes)
    insert(PlanEntry, importer.new_entries)
    recount(importer.year, [entry["project_id"] for entry in importer.new_entries])
    importer.plan.defer_recount = False
    update_grouped(PlanEntry, importer.entry_updates)
    insert(
        Procedure,
        (
            {"project_id": project["id"], "type_id": type_id, **values}
            for project, type_id, values in importer.new_procedures
        ),
    )
    update_grouped(Procedure, importer.procedure_updates)
    insert(Report, importer.new_reports)
    report_fields = [
        "amount",
        "year_to_date",
        "cumulative",
        "is_opening",
        "progress_text",
        "procedure_states",
        "state",
        "submitted_at",
        "first_submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "return_reason",
        "warnings",
        "version",
        "updated_at",
    ]
    Report.objects.bulk_update(importer.updated_reports, report_fields, batch_size=BATCH)
    Report.objects.bulk_update(
        importer.recomputed_reports, ["year_to_date", "cumulative", "updated_at"], batch_size=BATCH
    )
    note = importer._note()
    insert(
        ReportRevision,
        [
            {
                "report_id": report["id"] if isinstance(report, dict) else report.pk,
                "kind": RevisionKind.IMPORT,
                "by_id": importer.user_id,
                "at": importer.now,
                "reason": note,
                "before": before,
                "after": _snapshot(report),
            }
            for report, before in importer.revisions
        ],
    )
    insert(OperationLog, itertools.chain(_creation_logs(importer), importer.logs))
    reported = {report["project_id"] for report in importer.new_reports} | {
        report.project_id for report in importer.updated_reports + importer.recomputed_reports
    }
    # The period's year, and the later years whose reports' totals were carried forward.
    years = {importer.period.year if importer.period else importer.year} | {
        report.year for report in importer.recomputed_reports
    }
    announced = [report["id"] for report in importer.new_reports[:1]] + [
        report.pk for report in importer.updated_reports[:1]
    ]
    _let_go(importer)
    if reported:
        refresh_projects(reported, years)
    if announced and importer.accepts:
        # Once for the whole import: its listener (the warning scan) looks at every project.
        report_accepted.send(sender=Report, report=Report.objects.get(pk=announced[0]))


def _let_go(importer: "Importer") -> None:
    """Drop the rows just written before the monthly rollup builds its own."""
    for rows in (
        importer.new_projects,
        importer.new_entries,
        importer.new_procedures,
        importer.new_reports,
        importer.logs,
    ):
        rows.clear()
    importer.revisions.clear()
    importer.project_updates.clear()
    importer.procedure_updates.clear()


def _creation_logs(importer: "Importer") -> Iterator[dict[str, Any]]:
    """新增 entries of the operation log, one per new project, made as they are written."""
    note = importer._note()
    for project in importer.new_projects:
        fields = {name: project[name] for name in CREATION_FIELDS if name in project}
        yield {
            "user_id": importer.user_id,
            "action": OperationLog.Action.CREATE,
            "object_type": "项目",
            "object_id": str(project["id"]),
            "object_repr": project["name"][:200],
            "project_id": project["id"],
            "changes": {label: ["", after] for label, _before, after in importer._describe({}, fields)},
            "note": note,
            "at": importer.now,
        }


def _update_projects(importer: "Importer") -> None:
    for fields in importer.project_updates.values():
        if "build_years" in fields:
            parts = fields["build_years"].split("-") if fields["build_years"] else []
            fields["start_year"] = int(parts[0]) if parts else None
            fields["end_year"] = int(parts[-1]) if parts else None
        fields["updated_at"] = importer.now
        fields["version"] = F("version") + 1
    update_grouped(Project, importer.project_updates)


def keep_batch(
    batch: ImportBatch | None,
    result: "ImportResult",
    data: bytes,
    filename: str,
    year: int,
    level: str,
    period: Period | None,
    user: User | None,
) -> ImportBatch:
    """Record a committed import (the file is kept so that it can be downloaded again)."""
    if batch is None:
        batch = ImportBatch(
            original_name=filename[:200],
            table=result.table_number or 0,
            year=year,
            level=level,
            period=period.key if period else "",
            uploaded_by=user,
        )
        batch.file.save(filename[-80:], ContentFile(data), save=False)
    batch.table = result.table_number or batch.table
    batch.status = ImportBatch.Status.COMMITTED
    batch.counts = result.counts
    batch.errors = []
    batch.committed_at = timezone.now()
    batch.save()
    return batch


def _snapshot(report: dict[str, Any] | Report) -> dict[str, str]:
    """Report.snapshot of a report that may still be a row to insert."""
    if isinstance(report, Report):
        return report.snapshot()
    return {name: "" if report.get(name) is None else str(report[name]) for name in TRACKED_FIELDS}


def _bind(rows: list[dict[str, Any]]) -> None:
    """Point rows made for new projects at the projects' ids, now that they have them."""
    for row in rows:
        project = row.pop("project", None)
        if project is not None and row.get("project_id") is None:
            row["project_id"] = project["id"]
