"""Importing an official table: match its rows to projects, validate, say what would change, write in bulk.

Rows match projects by 项目代码, else by exact name within the plan, then within the projects the
user may see. Projects, plan entries, procedures and (附件3 with a period) the period's reports
that do not exist yet are created. Nothing is written unless every row is valid, and then all of it
is written in one transaction with bulk inserts and updates.
"""

import gc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language

from audit.models import OperationLog
from catalog.models import Category, IndustryField, ProcedureType
from exchange.cells import (
    PROCEDURE_LABELS,
    CellError,
    clean_text,
    format_contact,
    parse_bool,
    parse_contact,
    parse_date,
    parse_level,
    parse_money,
    parse_nature,
    parse_plan_type,
    parse_procedure_state,
    parse_procedures_text,
    parse_status,
)
from exchange.models import Alias, AliasKind, ImportBatch
from exchange.names import Created, Names
from exchange.reader import Issue, ParsedSheet, SheetRow, WorkbookError, read_table
from exchange.tables import Kind
from exchange.writer import DATE_FIELDS, TEXT_FIELDS, keep_batch, write
from lib.sql import any_of
from lib.validators import normalize_build_years, validate_build_years, validate_phone, validate_project_code
from org.choices import Role, UnitKind
from org.models import Person, Unit, User
from plans.choices import PlanLevel, PlanType
from plans.models import Plan, PlanEntry, entry_date_warnings
from progress.choices import ReportState
from progress.models import Report, period_seq
from progress.periods import Period, parts_in_month
from projects.choices import (
    STATUS_TRANSITIONS,
    STATUSES_NEEDING_REASON,
    InvestmentNature,
    ProcedureStatus,
    ProjectStatus,
)
from projects.choices import ReportFrequency as Frequency
from projects.models import Procedure, Project

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
ZERO = Decimal("0.00")
# Rows checked together: one set of queries loads the projects they name (see _load_batch).
ROW_BATCH = 2000
# Rows of each kind (new, changed …) whose before → after a result keeps; the counts cover all.
DETAILED_ROWS = 1000
BATCH = 1000
ACCEPTED_OVERWRITE = "已审核的报告不能被导入覆盖，请走更正流程"
PROJECT_VALUES = (
    "id",
    "code",
    "name",
    "industry_id",
    "category_id",
    "content",
    "address",
    "build_years",
    "total_investment",
    "signing_status",
    "demolition_progress",
    "responsible_unit_id",
    "owner_unit_id",
    "chief_officer_id",
    "leader_in_charge_id",
    "responsible_person_id",
    "owner_contact_id",
    "in_statistics",
    "investment_nature",
    "report_frequency",
    "status",
    "status_reason",
    "version",
    *DATE_FIELDS,
)
PARSERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.MONEY: parse_money,
    Kind.DATE: parse_date,
    Kind.BOOL: parse_bool,
    Kind.CONTACT: parse_contact,
    Kind.PROCEDURE: parse_procedure_state,
    Kind.STATUS: parse_status,
    Kind.LEVEL: parse_level,
    Kind.PLAN_TYPE: parse_plan_type,
    Kind.NATURE: parse_nature,
}
IGNORED_KINDS = (Kind.SEQ, Kind.INFO)
RESPONSIBLE_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWN)
# Project fields that name a person of the directory, and the column each comes from.
PERSON_FIELDS = {
    "chief_officer_id": "chief_officer",
    "leader_in_charge_id": "leader_in_charge",
    "responsible_person_id": "responsible_person",
    "owner_contact_id": "owner_contact",
}
# Parsed once per distinct cell (see Importer._parsers); their results are not changed afterwards.
REPEATING_KINDS = (
    Kind.DATE,
    Kind.BOOL,
    Kind.CONTACT,
    Kind.PROCEDURE,
    Kind.STATUS,
    Kind.LEVEL,
    Kind.PLAN_TYPE,
    Kind.NATURE,
)


@dataclass(slots=True)
class RowResult:
    """What importing one row does: new, changed (with before → after), unchanged, or error."""

    row: int
    name: str
    status: str = UNCHANGED
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    def change(self, label: str, before: object, after: object) -> None:
        self.changes.append((label, _show(before), _show(after)))


@dataclass
class ImportResult:
    """What an import found (rows, errors, warnings) and whether it was written."""

    table_number: int | None
    rows: list[RowResult] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    sheet_name: str = ""
    committed: bool = False
    # The names the table uses that the system did not know, and what the commit created.
    names: "Names | None" = None
    name_issues: list[Issue] = field(default_factory=list)
    created: "Created" = field(default_factory=lambda: Created())

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0, ERROR: 0}
        for row in self.rows:
            counts[row.status] += 1
        counts["errors"] = len(self.errors)
        counts["warnings"] = len(self.warnings)
        return counts

    def rows_with(self, status: str) -> list[RowResult]:
        return [row for row in self.rows if row.status == status]


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def can_import(user: User | None) -> bool:
    """重点办 (coordinators, administrators) and 责任单位 import; None is the command line."""
    return user is None or user.edits_everything or user.role == Role.UNIT


@dataclass
class _Unit:
    """A unit as rows are checked against it: matched by exact name, scoped by path."""

    id: int
    name: str
    path: str
    kind: str
    parent_id: int | None
    short_name: str = ""


@dataclass(slots=True)
class _Previous:
    """An earlier report's figures, as check_rules and the totals need them."""

    seq: int
    year: int
    month: int
    part: int
    amount: Decimal
    year_to_date: Decimal
    cumulative: Decimal
    progress_text: str


class Rollback(Exception):
    """Raised inside the transaction when validation found errors: nothing is kept."""


class Importer:
    """One import of one parsed table for a (year, level) plan and, for 附件3, a period."""

    def __init__(
        self,
        parsed: ParsedSheet,
        *,
        year: int,
        level: str,
        period: Period | None,
        user: User | None,
        filename: str,
        unresolved: set[tuple[str, str]] | None = None,
    ) -> None:
        self.parsed = parsed
        # Names the table uses that nobody has decided about: said once (see Names), not on each row.
        self.unresolved = unresolved or set()
        self.blocked = False
        self.table = parsed.table
        self.year, self.level, self.period, self.user = year, level, period, user
        self.filename = filename
        self.edits_all = user is None or user.edits_everything
        # Only the coordinator's office accepts reports by import (see _acceptance).
        self.accepts = self.edits_all
        self.scope_path = "" if self.edits_all or user is None or user.unit is None else user.unit.path
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.result = ImportResult(
            parsed.table.number, ignored_headers=parsed.ignored_headers, sheet_name=parsed.sheet_name
        )
        self.result.errors.extend(parsed.issues)
        self.with_reports = self.table.number == 3 and period is not None and "amount" in parsed.columns
        # What the commit writes.
        self.plan: Plan | None = None
        # New rows are {attname: value} dicts (see bulk.insert); a "project" key points at the
        # project's own dict until the new project has an id.
        self.new_projects: list[dict[str, Any]] = []
        self.project_updates: dict[int, dict[str, Any]] = {}
        self.status_changes: list[dict[str, Any]] = []
        self.new_entries: list[dict[str, Any]] = []
        self.entry_updates: dict[int, dict[str, Any]] = {}
        # (project, procedure type id, {status, submitted_on, approved_on, note, updated_at})
        self.new_procedures: list[tuple[dict[str, Any], int, dict[str, Any]]] = []
        self.procedure_updates: dict[int, dict[str, Any]] = {}
        self.new_reports: list[dict[str, Any]] = []
        self.updated_reports: list[Report] = []
        self.recomputed_reports: list[Report] = []
        self.revisions: list[tuple[dict[str, Any] | Report, dict[str, str]]] = []
        self.logs: list[dict[str, Any]] = []
        self.user_id = user.pk if user is not None else None
        # check_rules runs on one scratch report, its earlier reports handed in (see _rules).
        self._earlier: list[_Previous] = []
        self._parts: dict[str, tuple[Period, Any]] = {}
        # Translated once: the log entry of every new project names its status.
        self.status_labels = {status.value: str(status.label) for status in ProjectStatus}
        self._scratch_project = Project(total_investment=ZERO)
        self._scratch = Report(project=self._scratch_project)
        # check_rules reads only the figures of earlier reports: a _Previous stands in for each.
        self._scratch.previous = lambda: self._earlier[0] if self._earlier else None  # type: ignore[method-assign, assignment, return-value]  # _Previous for Report
        self._scratch.recent = lambda count: self._earlier[:count]  # type: ignore[method-assign, assignment, return-value]  # _Previous for Report

    # Issues -------------------------------------------------------------------------------------

    def header(self, key: str) -> str:
        column = self.parsed.columns.get(key)
        return self.parsed.headers.get(key) or (column.title(self.year) if column else "")

    def error(self, row: int | None, key: str, message: str) -> None:
        self.result.errors.append(Issue(row, self.header(key) if key else "", message))

    def warn(self, row: int | None, key: str, message: str) -> None:
        self.result.warnings.append(Issue(row, self.header(key) if key else "", message))

    # Loading ------------------------------------------------------------------------------------

    def load(self) -> None:
        """The plan, units, dictionaries and people every row is checked against (projects: _load_batch)."""
        self.plan = Plan.objects.in_force().filter(year=self.year, level=self.level).first()
        # An adjustment being prepared: the plan in force is read-only until it is issued.
        self.draft = (
            Plan.objects.filter(year=self.year, level=self.level, version__gt=self.plan.version)
            .order_by("-version")
            .first()
            if self.plan is not None
            else None
        )
        units = [
            _Unit(pk, name, path, kind, parent, short)
            for pk, name, path, kind, parent, short in Unit.objects.values_list(
                "id", "name", "path", "kind", "parent_id", "short_name"
            )
        ]
        self.units_by_id = {unit.id: unit for unit in units}
        self.unit_paths = {unit.id: unit.path for unit in units}
        self.unit_names = {unit.id: unit.name for unit in units}
        aliases: dict[str, dict[str, int]] = defaultdict(dict)
        for kind, name, *targets in Alias.objects.values_list(
            "kind", "name", "unit", "person", "industry", "category"
        ):
            aliases[kind][name] = next(target for target in targets if target is not None)
        # A name means a unit when it is its full name, its one short name, or a remembered alias.
        shorts: dict[str, list[int]] = defaultdict(list)
        for unit in units:
            if unit.short_name:
                shorts[unit.short_name].append(unit.id)
        self.units = {name: ids[0] for name, ids in shorts.items() if len(ids) == 1}
        self.units.update(aliases[AliasKind.UNIT])
        self.units.update({unit.name: unit.id for unit in units})
        self.industries = {
            **aliases[AliasKind.INDUSTRY],
            **dict(IndustryField.objects.values_list("name", "id")),
        }
        self.industry_names = dict(IndustryField.objects.values_list("id", "name"))
        self.categories = {**aliases[AliasKind.CATEGORY], **dict(Category.objects.values_list("name", "id"))}
        self.category_names = dict(Category.objects.values_list("id", "name"))
        self.default_category = Category.objects.filter(is_active=True).order_by("sort_order", "code").first()
        people: dict[str, list[int]] = defaultdict(list)
        self.person_names: dict[int, str] = {}
        for pk, name in Person.objects.filter(is_active=True).values_list("id", "name"):
            people[name].append(pk)
            self.person_names[pk] = name
        self.people = {name: ids for name, ids in people.items()}
        for name, pk in aliases[AliasKind.PERSON].items():
            self.people[name] = [pk]
        # 责任人 and 联系人: (name, unit) → person id, or the row of a person the commit adds.
        self.contacts: dict[tuple[str, int | None], Any] = {}
        self.new_people: list[dict[str, Any]] = []
        self.phone_updates: dict[int, dict[str, Any]] = {}
        self.contact_ids: dict[tuple[str, int | None], int] = {}
        self.contact_phone: dict[int, str] = {}
        for pk, name, unit_id, phone in (
            Person.objects.filter(is_active=True)
            .order_by("-id")
            .values_list("id", "name", "unit_id", "phone")
        ):
            self.contact_ids[(name, unit_id)] = pk
            self.contact_phone[pk] = phone
        types = list(ProcedureType.objects.values_list("id", "code", "name", "table_column"))
        self.type_ids = {code: pk for pk, code, _name, _column in types}
        self.type_codes = {pk: code for pk, code, _name, _column in types}
        self.type_names = {code: name for _pk, code, name, _column in types}
        self.type_by_column = {column: code for _pk, code, _name, column in types if column}
        self.types_by_text = {name: code for _pk, code, name, _column in types}
        self.types_by_text.update(self.type_by_column)

    def _visible(self) -> Any:
        if self.user is None:
            return Project.objects.all()
        return Project.objects.visible_to(self.user)

    def _load_batch(self, rows: list[SheetRow]) -> None:
        """The projects some rows name, with their plan entries, procedures and reports.

        Rows are checked a batch at a time so that what is loaded for them is let go afterwards:
        memory grows with what the import will write, not with everything it looked at. Each kind
        of row is one query, its list of names or ids passed as one parameter (see any_of).
        """
        names = sorted({clean_text(row.get("name")) for row in rows} - {""})
        codes = sorted({clean_text(row.get("code")) for row in rows} - {""})
        self.projects: dict[int, dict[str, Any]] = {}
        self.in_plan_by_name: dict[str, list[int]] = defaultdict(list)
        self.visible_by_name: dict[str, list[int]] = defaultdict(list)
        self.by_code: dict[str, dict[str, Any]] = {}
        # Unordered: the rows are keyed by id, and sorting 20,000 projects is not free.
        visible = self._visible().order_by()
        if self.plan is not None and names:
            for item in visible.filter(plan_entries__plan=self.plan, name__in=any_of(names)).values(
                *PROJECT_VALUES
            ):
                self.projects[item["id"]] = item
                self.in_plan_by_name[item["name"]].append(item["id"])
        missing = [name for name in names if name not in self.in_plan_by_name]
        if missing:
            for item in visible.filter(name__in=any_of(missing)).values(*PROJECT_VALUES):
                self.projects.setdefault(item["id"], item)
                self.visible_by_name[item["name"]].append(item["id"])
        for item in self.projects.values():
            if item["code"]:
                self.by_code[item["code"]] = item
        unknown = [code for code in codes if code not in self.by_code]
        if unknown:
            for item in Project.objects.filter(code__in=any_of(unknown)).order_by().values(*PROJECT_VALUES):
                self.by_code[item["code"]] = item
                if self._readable(item["responsible_unit_id"], item["owner_unit_id"]):
                    self.projects.setdefault(item["id"], item)
        # (project id, type code) → (id, status, submitted_on, approved_on, note)
        self.procedures: dict[tuple[int, str], tuple[int, str, Any, Any, str]] = {}
        ids = sorted(self.projects)
        wanted_types = self._procedure_types_in_table()
        if wanted_types and ids:
            procedures = Procedure.objects.filter(
                project_id__in=any_of(ids), type_id__in=list(wanted_types.values())
            ).values_list("id", "project_id", "type_id", "status", "submitted_on", "approved_on", "note")
            for pk, project_id, type_id, status, submitted, approved, note in procedures:
                self.procedures[(project_id, self.type_codes[type_id])] = (
                    pk,
                    status,
                    submitted,
                    approved,
                    note,
                )
        self.entries: dict[int, dict[str, Any]] = {}
        if self.plan is not None and ids:
            for entry in PlanEntry.objects.filter(plan=self.plan, project_id__in=any_of(ids)).values(
                "id",
                "project_id",
                "annual_investment",
                "note",
                "plan_type",
                "planned_start_month",
                "planned_completion_month",
            ):
                self.entries[entry["project_id"]] = entry
        if self.with_reports:
            self._load_reports(ids)

    def _procedure_types_in_table(self) -> dict[str, int]:
        if "procedures_text" in self.parsed.columns:
            return dict(self.type_ids)
        codes = {self.type_by_column.get(column.procedure_column) for column in self.parsed.columns.values()}
        return {code: self.type_ids[code] for code in codes if code}

    def _load_reports(self, ids: list[int]) -> None:
        """The period's reports, the two before it (for the totals and the rules) and any after it."""
        assert self.period is not None
        first = period_seq(self.period.year, self.period.month, 1)
        last = period_seq(self.period.year, self.period.month, 9)
        self.month_reports: dict[int, dict[int, Report]] = defaultdict(dict)
        self.previous_reports: dict[int, list[_Previous]] = defaultdict(list)
        self.later_reports: dict[int, list[Report]] = defaultdict(list)
        if not ids:
            return
        projects = any_of(ids)
        for report in Report.objects.filter(
            project_id__in=projects, year=self.period.year, month=self.period.month
        ):
            self.month_reports[report.project_id][report.part] = report
        ranked = (
            Report.objects.filter(project_id__in=projects, seq__lt=first)
            .annotate(rank=Window(RowNumber(), partition_by=[F("project_id")], order_by=F("seq").desc()))
            .filter(rank__lte=2)
            .order_by("project_id", "-seq")
            .values_list(
                "project_id",
                "seq",
                "year",
                "month",
                "part",
                "amount",
                "year_to_date",
                "cumulative",
                "progress_text",
            )
        )
        for project_id, *values in ranked:
            self.previous_reports[project_id].append(_Previous(*values))
        for report in Report.objects.filter(project_id__in=projects, seq__gt=last).order_by("seq"):
            self.later_reports[report.project_id].append(report)

    # Rows ---------------------------------------------------------------------------------------

    def check(self) -> None:
        """Validate every row and work out what committing would write."""
        self._check_file()
        if self.refused:
            return
        self.load()
        if self.plan is None and not self.edits_all:
            self.error(
                None,
                "",
                f"{self.year}年{PlanLevel(self.level).label}计划尚未建立，请联系统筹协调部门先建立年度计划",
            )
            return
        seen: dict[object, int] = {}
        self.shown: dict[str, int] = defaultdict(int)
        self.parsers = self._parsers()
        # Procedure columns → their type code ("" for 手续办理进展, whose cell names its types).
        self.procedure_keys = {
            key: self.type_by_column.get(column.procedure_column, "") if column.kind == Kind.PROCEDURE else ""
            for key, column in self.parsed.columns.items()
            if column.kind in (Kind.PROCEDURE, Kind.PROCEDURES)
            and (column.kind == Kind.PROCEDURES or column.procedure_column in self.type_by_column)
        }
        # The days a procedure's 申报/批复 dates default to (see _procedure_dates).
        self.procedure_days = (
            self.period.start if self.period else self.today,
            min(self.period.end if self.period else self.today, self.today),
        )
        rows = self.parsed.rows
        for start in range(0, len(rows), ROW_BATCH):
            batch = rows[start : start + ROW_BATCH]
            self._load_batch(batch)
            for sheet_row in batch:
                self._check_row(sheet_row, seen)
            # Each row's cells are let go once checked.
            rows[start : start + ROW_BATCH] = [None] * len(batch)  # type: ignore[list-item]  # checked rows are dropped
        self.parsed.rows = []

    def _check_file(self) -> None:
        """What is wrong with the import as a whole: header year, period, the user's role."""
        parsed = self.parsed
        if parsed.header_year and parsed.header_year != self.year:
            key = next((column.key for column in parsed.columns.values() if column.is_yearly), "")
            self.error(None, key, f"表头中的年度（{parsed.header_year}年）与所选年度（{self.year}年）不一致")
        if self.period is not None and self.period.year != self.year:
            self.error(None, "", f"报送期（{self.period.label}）不在所选年度（{self.year}年）内")
        self.refused = False
        if self.user is not None and not can_import(self.user):
            self.error(None, "", "您的角色不能导入表格")
            self.refused = True
        if self.table.number == 3 and self.period is None:
            self.warn(None, "", "未选择报送期：本月、累计、年度完成投资和形象进度不导入")

    def _parsers(self) -> list[tuple[int, str, Callable[[Any], Any]]]:
        """(cell position, column key, parser) of each column imported, chosen once for the sheet.

        Kinds whose cells repeat down a table (the few words of a drop-down, one owner's contact,
        the same dates) are parsed once per distinct cell.
        """
        positions = self.parsed.rows[0].positions if self.parsed.rows else {}
        parsers: list[tuple[int, str, Callable[[Any], Any]]] = []
        for key, column in self.parsed.columns.items():
            # 项目进展情况 is not stored by 附件2, but it is where a 暂停 row says why.
            if (column.kind in IGNORED_KINDS and key != "progress_text") or key not in positions:
                continue
            if column.kind == Kind.PROCEDURES:
                parser: Callable[[Any], Any] = partial(
                    parse_procedures_text, types_by_name=self.types_by_text
                )
            else:
                parser = PARSERS.get(column.kind, clean_text)
            if column.kind in REPEATING_KINDS:
                parser = lru_cache(maxsize=1024, typed=True)(parser)
            parsers.append((positions[key], key, parser))
        return parsers

    def _parse(self, sheet_row: SheetRow) -> dict[str, Any]:
        """The row's filled cells as the system's values; a cell that cannot be read is an error."""
        values: dict[str, Any] = {}
        cells = sheet_row.cells
        for position, key, parser in self.parsers:
            raw = cells[position]
            if raw == "" or raw is None:
                continue
            try:
                value = parser(raw)
            except CellError as error:
                self.error(sheet_row.number, key, error.message)
                continue
            if value is not None and value != "" and value != {}:
                values[key] = value
        return values

    def _check_row(self, sheet_row: SheetRow, seen: dict[object, int]) -> None:
        """One row: read its cells, find its project, work out what it would write (or its errors)."""
        number = sheet_row.number
        errors_before = len(self.result.errors)
        self.blocked = False
        values = self._parse(sheet_row)
        name = values.get("name", "")
        outcome = RowResult(number, name or clean_text(sheet_row.get("code")))
        self.result.rows.append(outcome)
        if not name:
            self.error(number, "name", "项目名称不能为空")
            outcome.status = ERROR
            return
        if "level" in values and values["level"] != self.level:
            self.error(
                number,
                "level",
                f"计划级别“{PlanLevel(values['level']).label}”与所选的“{PlanLevel(self.level).label}”不一致",
            )
        project = self._match(number, values)
        if project is False:
            outcome.status = ERROR
            return
        key = project["id"] if project else ("new", values.get("code") or name)
        if key in seen:
            self.error(number, "name", f"与第{seen[key]}行是同一个项目，同一项目只能出现一次")
            outcome.status = ERROR
            return
        seen[key] = number
        if project is None:
            target = self._new_project(number, values, outcome)
        else:
            target = self._update_project(number, values, project, outcome)
        if target is None:
            outcome.status = ERROR
            self._forget(outcome)
            return
        # The rest of the row is checked even when its project fields have errors: every error
        # of the table is reported in one pass.
        self._plan_entry(number, values, target, outcome)
        states = self._row_states(values)
        self._procedures(number, states, target, outcome)
        if self.with_reports and "amount" in values:
            self._report(number, values, states, target, outcome)
        if len(self.result.errors) > errors_before or self.blocked:
            outcome.status = ERROR
            self._forget(outcome)
        self.shown[outcome.status] += 1
        if self.shown[outcome.status] > DETAILED_ROWS:
            outcome.changes.clear()

    def _forget(self, outcome: RowResult) -> None:
        """A row with errors writes nothing; the commit is refused anyway, so only the counts matter."""
        outcome.changes.clear()

    def _match(self, number: int, values: dict[str, Any]) -> dict[str, Any] | None | Literal[False]:
        """The project a row is about: by code, else by name in the plan, else among visible projects.

        None means a new project; False an error already reported.
        """
        code, name = values.get("code", ""), values["name"]
        if code:
            try:
                validate_project_code(code)
            except ValidationError as error:
                self.error(number, "code", error.messages[0])
                return False
            found = self.by_code.get(code)
            if found is not None:
                if found["id"] not in self.projects:
                    self.error(number, "code", f"项目代码“{code}”已被其他单位的项目使用，无权导入")
                    return False
                return self.projects.get(found["id"], found)
        for candidates, where in ((self.in_plan_by_name, "计划中"), (self.visible_by_name, "项目库中")):
            ids = candidates.get(name, [])
            if len(ids) > 1:
                self.error(number, "name", f"{where}有{len(ids)}个名为“{name}”的项目，请填写项目代码以区分")
                return False
            if ids:
                project = self.projects[ids[0]]
                if code and project["code"] and project["code"] != code:
                    self.error(
                        number, "code", f"项目代码“{code}”与系统中同名项目的代码“{project['code']}”不一致"
                    )
                    return False
                return project
        return None

    def _in_scope(self, responsible_id: int | None, owner_id: int | None) -> bool:
        """Whether the importing user may change a project with these units (data scope, as editable_by)."""
        if self.edits_all:
            return True
        return bool(self.scope_path) and any(
            unit_id is not None and self.unit_paths.get(unit_id, "").startswith(self.scope_path)
            for unit_id in (responsible_id, owner_id)
        )

    def _readable(self, responsible_id: int | None, owner_id: int | None) -> bool:
        """Whether the importing user may see a project with these units (data scope, as visible_to)."""
        if self.user is None or self.user.sees_everything:
            return True
        path = self.user.unit.path if self.user.unit is not None else ""
        return bool(path) and any(
            unit_id is not None and self.unit_paths.get(unit_id, "").startswith(path)
            for unit_id in (responsible_id, owner_id)
        )

    def _unknown(self, number: int, key: str, kind: str, name: str, message: str) -> None:
        """A name the system does not know: said once for the whole table (see Names), else on the row."""
        if (kind, name) in self.unresolved:
            self.blocked = True
        else:
            self.error(number, key, message)

    def _unit(self, number: int, key: str, values: dict[str, Any]) -> int | None | bool:
        name = values.get(key)
        if not name:
            return None
        unit_id = self.units.get(" ".join(name.split()))
        if unit_id is None:
            self._unknown(number, key, AliasKind.UNIT, " ".join(name.split()), f"单位“{name}”不存在")
            return False
        return unit_id

    def _contact(self, name: str, phone: str, unit_id: int | None) -> Any:
        """责任人 / 联系人 of a row: the directory's person of that name in that unit, or one the commit adds."""
        name = " ".join(name.split())[:40]
        key = (name, unit_id)
        if key not in self.contacts:
            found: int | dict[str, Any] | None = self.contact_ids.get(key) or self.contact_ids.get(
                (name, None)
            )
            if found is None:
                found = {"id": None, "name": name, "phone": phone, "unit_id": unit_id, "created_at": self.now}
                self.new_people.append(found)
            self.contacts[key] = found
        found = self.contacts[key]
        if isinstance(found, dict):
            if phone and not found["phone"]:
                found["phone"] = phone
        elif phone and self.contact_phone.get(found) != phone:
            self.phone_updates[found] = {"phone": phone}
        return found

    def _fields(
        self, number: int, values: dict[str, Any], current: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The project fields a row sets (its blank cells set nothing), with their references resolved."""
        fields: dict[str, Any] = {}
        for key, limit in TEXT_FIELDS.items():
            if key in values:
                if limit and len(values[key]) > limit:
                    self.error(number, key, f"内容过长：不能超过{limit}个字")
                    continue
                fields[key] = values[key]
        if "code" in values:
            fields["code"] = values["code"]
        if "build_years" in values:
            build_years, problem = _checked_build_years(values["build_years"], get_language())
            if problem:
                self.error(number, "build_years", problem)
            else:
                fields["build_years"] = build_years
        if "total_investment" in values:
            fields["total_investment"] = values["total_investment"]
        for key in ("responsible_unit", "owner_unit"):
            unit_id = self._unit(number, key, values)
            if unit_id is not False and unit_id is not None:
                fields[f"{key}_id"] = unit_id
        for key, names, ids, what, kind in (
            ("industry", self.industries, "industry_id", "行业领域", AliasKind.INDUSTRY),
            ("category", self.categories, "category_id", "项目类别", AliasKind.CATEGORY),
        ):
            if key in values:
                name = " ".join(values[key].split())
                if name in names:
                    fields[ids] = names[name]
                else:
                    self._unknown(number, key, kind, name, f"{what}“{name}”不在字典中")
        for key in ("chief_officer", "leader_in_charge"):
            if key in values:
                name = " ".join(values[key].split())
                people = self.people.get(name, [])
                if len(people) == 1:
                    fields[f"{key}_id"] = people[0]
                elif people:
                    self.error(
                        number, key, f"人员“{name}”有{len(people)}个同名，请在人员名录中区分后建立别名"
                    )
                else:
                    self._unknown(number, key, AliasKind.PERSON, name, f"人员“{name}”不在人员名录中")
        if "responsible_person" in values and len(values["responsible_person"]) > 40:
            self.error(number, "responsible_person", "内容过长：不能超过40个字")
        elif "responsible_person" in values:
            unit_id = fields.get("responsible_unit_id", (current or {}).get("responsible_unit_id"))
            fields["responsible_person_id"] = self._contact(values["responsible_person"], "", unit_id)
        if "owner_contact" in values:
            contact, phone = values["owner_contact"]
            if phone:
                try:
                    validate_phone(phone)
                except ValidationError as error:
                    self.error(number, "owner_contact", error.messages[0])
                    phone = ""
            if contact:
                unit_id = fields.get("owner_unit_id", (current or {}).get("owner_unit_id"))
                fields["owner_contact_id"] = self._contact(contact, phone, unit_id)
        for key in DATE_FIELDS:
            if key in values:
                fields[key] = values[key]
        if "in_statistics" in values:
            fields["in_statistics"] = values["in_statistics"]
        if values.get("investment_nature"):
            fields["investment_nature"] = values["investment_nature"]
        if "status" in values:
            fields["status"] = values["status"]
        return fields

    def _check_dates(self, number: int, project: dict[str, Any]) -> None:
        for start, end, key in (
            ("planned_start_date", "planned_completion_date", "planned_completion_date"),
            ("actual_start_date", "actual_completion_date", "actual_completion_date"),
        ):
            if project.get(start) and project.get(end) and project[end] < project[start]:
                self.error(number, key, "竣工时间不能早于开工时间")
        for key in ("actual_start_date", "actual_completion_date"):
            if project.get(key) and project[key] > self.today:
                self.error(number, key, "实际开竣工时间不能晚于今天")

    def _new_project(self, number: int, values: dict[str, Any], outcome: RowResult) -> dict[str, Any] | None:
        fields = self._fields(number, values)
        if not self.edits_all:
            self.error(
                number,
                "name",
                "在您单位的数据范围内没有该项目（可能属于其他单位或尚未登记）；新增项目须由统筹协调部门导入",
            )
            return None
        if "total_investment" not in fields:
            self.error(number, "total_investment", "新项目须填写总投资")
        if "responsible_unit_id" not in fields and "responsible_unit" not in values:
            self._assign_responsible(number, fields)
        if "category_id" not in fields:
            if self.default_category is None:
                self.error(number, "category", "新项目须填写项目类别")
            else:
                fields["category_id"] = self.default_category.pk
                if "category" in self.parsed.columns or self.table.number != 3:
                    self.warn(number, "category", f"未填写项目类别，按“{self.default_category.name}”处理")
        fields.setdefault("status", self.table.default_status)
        if fields["status"] in STATUSES_NEEDING_REASON:
            fields["status_reason"] = self._status_reason(number, values, fields["status"])
        self._check_dates(number, fields)
        build_years = fields.get("build_years", "")
        parts = build_years.split("-") if build_years else []
        project = {
            "id": None,
            "report_frequency": Frequency.MONTHLY,
            **fields,
            "start_year": int(parts[0]) if parts else None,
            "end_year": int(parts[-1]) if parts else None,
            "created_by_id": self.user_id,
            "created_at": self.now,
            "updated_at": self.now,
        }
        self.new_projects.append(project)
        outcome.status = NEW
        outcome.change("项目", "", "新增项目")
        return project

    def _assign_responsible(self, number: int, fields: dict[str, Any]) -> None:
        """附件2 has no 责任单位: the importing 责任单位's own unit, else the owner unit's parent, else 待明确."""
        user_unit = (
            self.units_by_id.get(self.user.unit_id) if self.user is not None and self.user.unit_id else None
        )
        if (
            self.user is not None
            and self.user.role == Role.UNIT
            and user_unit
            and user_unit.kind in RESPONSIBLE_KINDS
        ):
            fields["responsible_unit_id"] = user_unit.id
            return
        inferred = self._responsible_from_owner(fields.get("owner_unit_id"))
        if inferred is not None:
            fields["responsible_unit_id"] = inferred
            self.warn(
                number, "owner_unit", f"未填写责任单位，按项目单位的上级单位“{self.unit_names[inferred]}”处理"
            )
        else:
            self.warn(number, "name", "未填写责任单位，项目暂列为“责任单位待明确”，请在项目库中指定")

    def _status_reason(self, number: int, values: dict[str, Any], status: str) -> str:
        """暂停/终止 need a reason: the 暂停原因 column, else the progress text, else a note that says so."""
        reason = values.get("status_reason") or values.get("progress_text") or ""
        if reason:
            return " ".join(reason.split())[:200]
        label = ProjectStatus(status).label
        self.warn(
            number, "status", f"标为“{label}”但未写原因，原因记为“表格导入时标为{label}”，请在项目页面补充"
        )
        return f"表格导入时标为{label}"

    def _responsible_from_owner(self, owner_id: int | None) -> int | None:
        """附件2 has no 责任单位 column: the owner unit's parent department or town is responsible for it."""
        if owner_id is None:
            return None
        owner = self.units_by_id.get(owner_id)
        if owner is None or owner.parent_id is None:
            return None
        parent = self.units_by_id.get(owner.parent_id)
        return parent.id if parent is not None and parent.kind in ("department", "town") else None

    def _describe(self, before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
        """(label, before, after) of each field that differs, as people read them."""
        labels = {
            "responsible_unit_id": ("responsible_unit", self.unit_names),
            "owner_unit_id": ("owner_unit", self.unit_names),
            "industry_id": ("industry", self.industry_names),
            "category_id": ("category", self.category_names),
        }
        changes = []
        for name, value in after.items():
            old = before.get(name)
            if old == value:
                continue
            if name in labels:
                key, names = labels[name]
                old, value = names.get(old, "") if old else "", names.get(value, "")
            elif name in PERSON_FIELDS:
                key = PERSON_FIELDS[name]
                old, value = self._person_text(name, old), self._person_text(name, value)
                if old == value:
                    continue
            elif name == "status":
                key = "status"
                old, value = self.status_labels.get(old, "") if old else "", self.status_labels[value]
            elif name == "investment_nature":
                key = name
                natures = dict(InvestmentNature.choices)
                old, value = str(natures.get(old or "", "")), str(natures[value])
            else:
                key = name
            changes.append((self.header(key) or name, _show(old), _show(value)))
        return changes

    def _person_text(self, field: str, person: Any) -> str:
        """A person as the table writes it: the name, and for 联系人 the phone after it."""
        if person is None:
            return ""
        if isinstance(person, dict):
            name, phone = person["name"], person["phone"]
        else:
            name, phone = self.person_names.get(person, ""), self.contact_phone.get(person, "")
        return format_contact(name, phone) if field == "owner_contact_id" else name

    def _update_project(
        self, number: int, values: dict[str, Any], project: dict[str, Any], outcome: RowResult
    ) -> dict[str, Any] | None:
        if not self._in_scope(project["responsible_unit_id"], project["owner_unit_id"]):
            self.error(number, "name", "无权导入该项目：它不在您单位的数据范围内")
            return None
        fields = self._fields(number, values, project)
        changed = {name: value for name, value in fields.items() if project.get(name) != value}
        contact = fields.get("owner_contact_id")
        if (
            contact is not None
            and contact == project.get("owner_contact_id")
            and contact in self.phone_updates
        ):
            outcome.change(
                self.header("owner_contact"),
                self._person_text("owner_contact_id", contact),
                format_contact(self.person_names.get(contact, ""), self.phone_updates[contact]["phone"]),
            )
            outcome.status = CHANGED
        if not self._in_scope(
            changed.get("responsible_unit_id", project["responsible_unit_id"]),
            changed.get("owner_unit_id", project["owner_unit_id"]),
        ):
            self.error(number, "responsible_unit", "不能把项目改到您单位的数据范围以外")
        if "status" in changed:
            self._status_change(number, values, project, changed)
        merged = {**project, **changed} if changed else project
        self._check_dates(number, merged)
        if changed:
            described = self._describe(project, changed)
            for change in described:
                outcome.change(*change)
            outcome.status = CHANGED
            self.project_updates[project["id"]] = changed
            self.logs.append(
                {
                    "user_id": self.user_id,
                    "action": OperationLog.Action.UPDATE,
                    "object_type": "项目",
                    "object_id": str(project["id"]),
                    "object_repr": merged["name"][:200],
                    "project_id": project["id"],
                    "changes": {label: [before, after] for label, before, after in described},
                    "note": self._note(),
                    "at": self.now,
                }
            )
        return merged

    def _status_change(
        self, number: int, values: dict[str, Any], project: dict[str, Any], changed: dict[str, Any]
    ) -> None:
        old, new = project["status"], changed["status"]
        if new not in STATUS_TRANSITIONS[old]:
            self.error(
                number,
                "status",
                f"项目状态不能从“{ProjectStatus(old).label}”变为“{ProjectStatus(new).label}”",
            )
            return
        reason = "表格导入"
        if new in STATUSES_NEEDING_REASON:
            reason = changed["status_reason"] = self._status_reason(number, values, new)
        if new == ProjectStatus.CONSTRUCTION and not (
            changed.get("actual_start_date") or project["actual_start_date"]
        ):
            changed["actual_start_date"] = self.today
        if new == ProjectStatus.COMPLETED and not (
            changed.get("actual_completion_date") or project["actual_completion_date"]
        ):
            changed["actual_completion_date"] = self.today
        self.status_changes.append(
            {
                "project_id": project["id"],
                "from_status": old,
                "to_status": new,
                "reason": reason,
                "effective_date": self.today,
                "changed_by_id": self.user_id,
                "changed_at": self.now,
            }
        )

    def _note(self) -> str:
        return f"表格导入：{self.table.label}（{self.filename}）"[:300]

    def _plan_entry(
        self, number: int, values: dict[str, Any], project: dict[str, Any], outcome: RowResult
    ) -> None:
        annual = values.get("annual_investment")
        note = values.get("note")
        if note is not None and len(note) > 200:
            self.error(number, "note", "备注过长：不能超过200个字")
            return
        entry = self.entries.get(project["id"]) if project["id"] else None
        if entry is None:
            if not self.edits_all:
                self.error(number, "name", "项目不在该年度计划中；新增计划项目须由统筹协调部门导入")
                return
            if self.draft is not None:
                self.error(number, "name", self._draft_message("不能通过导入新增计划项目"))
                return
            start = project.get("planned_start_date")
            finish = project.get("planned_completion_date")
            new_entry = {
                "project": project,
                "plan_type": values.get("plan_type", self.table.plan_type),
                "annual_investment": annual or ZERO,
                "note": note or "",
                "planned_start_month": start.month if start and start.year == self.year else None,
                "planned_completion_month": finish.month if finish and finish.year == self.year else None,
            }
            self.new_entries.append(new_entry)
            if outcome.status != NEW:
                outcome.status = NEW
            outcome.change("年度计划", "", "列入计划")
            self._check_entry_dates(number, project, new_entry)
            return
        changes: dict[str, Any] = {}
        if annual is not None and annual != entry["annual_investment"]:
            if not self.edits_all:
                self.error(number, "annual_investment", "年度计划投资以下达的计划为准，不能通过导入修改")
                return
            changes["annual_investment"] = annual
            outcome.change(self.header("annual_investment"), entry["annual_investment"], annual)
        if note is not None and note != entry["note"]:
            changes["note"] = note
            outcome.change(self.header("note"), entry["note"], note)
        plan_type = values.get("plan_type")
        if plan_type is not None and plan_type != entry["plan_type"]:
            if not self.edits_all:
                self.error(number, "plan_type", "计划类型以下达的计划为准，不能通过导入修改")
                return
            changes["plan_type"] = plan_type
            outcome.change(
                self.header("plan_type"), PlanType(entry["plan_type"]).label, PlanType(plan_type).label
            )
        if changes:
            if self.draft is not None:
                key = next(iter(changes))
                self.error(number, key, self._draft_message("不能通过导入修改计划项目"))
                return
            self.entry_updates[entry["id"]] = changes
            if outcome.status == UNCHANGED:
                outcome.status = CHANGED
        self._check_entry_dates(number, project, {**entry, **changes})

    def _check_entry_dates(self, number: int, project: dict[str, Any], entry: dict[str, Any]) -> None:
        """计划与项目日期不符 (plans.models.entry_date_warnings): the row's warnings, not errors."""
        for message in entry_date_warnings(
            self.year,
            entry["plan_type"],
            project,
            start_month=entry["planned_start_month"],
            completion_month=entry["planned_completion_month"],
        ):
            self.warn(number, "plan_type", message)

    def _draft_message(self, what: str) -> str:
        assert self.plan is not None and self.draft is not None
        return (
            f"第{self.draft.version}版调整方案正在编制、尚未下达，现行第{self.plan.version}版计划{what}；"
            "请在调整方案中修改并下达后再导入"
        )

    def _row_states(self, values: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
        """{procedure type code: (state, column key, note)} a row gives; state "" when its text says none."""
        states: dict[str, tuple[str, str, str]] = {}
        for key, code in self.procedure_keys.items():
            value = values.get(key)
            if value is None:
                continue
            if code:
                states[code] = (value.state, key, value.note)
            else:
                for text_code, state in value.items():
                    states[text_code] = (state, key, "")
        return states

    def _procedures(
        self,
        number: int,
        row_states: dict[str, tuple[str, str, str]],
        project: dict[str, Any],
        outcome: RowResult,
    ) -> None:
        """Each procedure the row states: its status by phrase, the words as its note (seed 004's detail)."""
        if not row_states:
            return
        month = self._month_states(project)
        day, end = self.procedure_days
        for code, (given, key, note) in row_states.items():
            existing = self.procedures.get((project["id"], code)) if project["id"] else None
            current = month.get(code) or (existing[1] if existing else "")
            label = self.header(key) if self.procedure_keys[key] else self.type_names[code]
            state = given
            if not state:
                state = current or ProcedureStatus.NOT_STARTED
                self.warn(
                    number,
                    key,
                    f"“{note}”未能识别为办理状态，已作为手续备注保存；状态按“{PROCEDURE_LABELS[state]}”",
                )
            note_changed = bool(note) and note != (existing[4] if existing else "")
            if current == state and not note_changed:
                continue
            if current != state:
                outcome.change(label, PROCEDURE_LABELS.get(current, ""), PROCEDURE_LABELS[state])
            if note_changed:
                outcome.change(f"{label}（说明）", existing[4] if existing else "", note)
            if outcome.status == UNCHANGED:
                outcome.status = CHANGED
            if existing is not None and existing[1] == state and not note_changed:
                continue
            submitted, approved = _procedure_dates(
                state, existing[2] if existing else None, existing[3] if existing else None, day, end
            )
            values = {
                "status": state,
                "submitted_on": submitted,
                "approved_on": approved,
                "note": note if note_changed else (existing[4] if existing else ""),
                "updated_at": self.now,
            }
            if existing is None:
                self.new_procedures.append((project, self.type_ids[code], values))
            else:
                self.procedure_updates[existing[0]] = values

    def _month_states(self, project: dict[str, Any]) -> dict[str, str]:
        """The procedure states the period's reports already hold (what the export shows for the month)."""
        if not self.with_reports or not project["id"]:
            return {}
        states: dict[str, str] = {}
        for part in sorted(self.month_reports.get(project["id"], {})):
            report = self.month_reports[project["id"]][part]
            if report.state in (ReportState.SUBMITTED, ReportState.ACCEPTED):
                states.update(report.procedure_states or {})
        return states

    # Reports ------------------------------------------------------------------------------------

    def _report(
        self,
        number: int,
        values: dict[str, Any],
        states: dict[str, tuple[str, str, str]],
        project: dict[str, Any],
        outcome: RowResult,
    ) -> None:
        """The period's report: created or updated as accepted, its totals checked against the table's."""
        assert self.period is not None
        period, deadline = self._last_part(project.get("report_frequency") or Frequency.MONTHLY)
        parts = period.part
        month = self.month_reports.get(project["id"], {}) if project["id"] else {}
        target = month.get(parts)
        others = [report for part, report in month.items() if part != parts]
        table_amount: Decimal = values["amount"]
        amount = table_amount - sum((report.amount for report in others), ZERO)
        if amount < 0:
            self.error(number, "amount", f"本月已报各期合计超过表中本月完成投资（{table_amount}万元）")
            return
        earlier = sorted(others, key=lambda report: -report.seq)
        previous_rows = [_previous(report) for report in earlier] + list(
            self.previous_reports.get(project["id"], [])
        )
        previous = previous_rows[0] if previous_rows else None
        year_to_date, cumulative = values.get("year_to_date"), values.get("cumulative")
        first_of_year = previous is None or previous.year != period.year
        gap = previous is not None and not first_of_year and not _follows(previous, period)
        carried_year = ZERO if previous is None or first_of_year else previous.year_to_date
        computed_year = carried_year + amount
        computed_total = (previous.cumulative if previous else ZERO) + amount
        # The first report of a year (or after a missing period) opens the figures from the table.
        opening = (first_of_year or gap) and (year_to_date is not None or cumulative is not None)
        missing = _missing_months(previous, period) if gap and previous is not None else ""
        if amount > 0 and project.get("status") in (ProjectStatus.COMPLETED, ProjectStatus.OPERATING):
            self.warn(
                number,
                "amount",
                f"项目已{ProjectStatus(project['status']).label}，仍填报本月完成投资{amount}万元",
            )
        if opening:
            year_to_date = computed_year if year_to_date is None else year_to_date
            cumulative = computed_total if cumulative is None else cumulative
            if not self._opening_holds(number, amount, year_to_date, cumulative, previous, first_of_year):
                return
            if gap:
                self.warn(
                    number, "year_to_date", f"{missing}没有报告，年度、累计完成投资按表中数据作为期初数"
                )
        else:
            if gap and previous is not None:
                self.warn(
                    number,
                    "amount",
                    f"{missing}没有报告，年度、累计完成投资按{previous.year}年{previous.month}月的报告接续计算"
                    "，请补报缺少的月份",
                )
            errors_before = len(self.result.errors)
            for key, given, computed in (
                ("year_to_date", year_to_date, computed_year),
                ("cumulative", cumulative, computed_total),
            ):
                if given is not None and given != computed:
                    self.error(
                        number,
                        key,
                        f"与以往各期不符：表中为{given}万元，按系统中以往各期计算应为{computed}万元",
                    )
            if len(self.result.errors) > errors_before:
                return
            year_to_date, cumulative = computed_year, computed_total
        progress_text = values.get("progress_text")
        row_states = {code: state for code, (state, _key, _note) in states.items() if state}
        figures = {"amount": amount, "year_to_date": year_to_date, "cumulative": cumulative}
        if progress_text is not None:
            figures["progress_text"] = progress_text
        if target is not None and all(getattr(target, name) == value for name, value in figures.items()):
            return
        if (
            others
            and amount == 0
            and not opening
            and (target is None or target.state in (ReportState.DRAFT, ReportState.RETURNED))
            and progress_text in (None, earlier[0].progress_text)
        ):
            # The month's earlier parts already make up the table's figures (a table exported
            # before the last part was in): the table says nothing of the last part, which stays
            # as it is, missing or with its owner, rather than being reported as nothing. A last
            # part already submitted is in the export's figures, so a table without it changes it.
            return
        warnings = self._rules(number, figures, project, previous_rows)
        if target is not None:
            if not self._update_report(number, target, figures, opening, row_states, warnings, outcome):
                return
            latest = _previous(target)
        else:
            report = {
                "project_id": project["id"],
                "year": period.year,
                "month": period.month,
                "part": period.part,
                "frequency": period.frequency,
                "seq": period_seq(period.year, period.month, period.part),
                "amount": amount,
                "year_to_date": year_to_date,
                "cumulative": cumulative,
                "is_opening": opening,
                "progress_text": progress_text or "",
                "procedure_states": row_states,
                "warnings": warnings,
                "deadline": deadline,
                "created_at": self.now,
                "updated_at": self.now,
                **self._acceptance(),
            }
            if project["id"] is None:
                report["project"] = project
            self.new_reports.append(report)
            self.revisions.append((report, {}))
            if outcome.status != NEW:
                outcome.status = NEW
            outcome.change(self.header("amount"), "", amount)
            latest = _Previous(
                report["seq"], period.year, period.month, period.part, amount, year_to_date, cumulative, ""
            )
        self._recompute_later(project, latest)

    def _opening_holds(
        self,
        number: int,
        amount: Decimal,
        year_to_date: Decimal,
        cumulative: Decimal,
        previous: "_Previous | None",
        first_of_year: bool,
    ) -> bool:
        """The month a table imports is inside the 年度/累计 it gives, and those carry on from earlier reports."""
        before = len(self.result.errors)
        if year_to_date < amount:
            self.error(
                number,
                "year_to_date",
                f"年度完成投资（{year_to_date}万元）小于本月完成投资（{amount}万元），应包含本月",
            )
        if cumulative < year_to_date:
            self.error(
                number,
                "cumulative",
                f"累计完成投资（{cumulative}万元）小于年度完成投资（{year_to_date}万元）",
            )
        if previous is not None and len(self.result.errors) == before:
            floor_total = previous.cumulative + amount
            if cumulative < floor_total:
                self.error(
                    number,
                    "cumulative",
                    f"累计完成投资（{cumulative}万元）未包含本月：{previous.year}年{previous.month}月报告累计已为"
                    f"{previous.cumulative}万元，加本月{amount}万元应至少为{floor_total}万元",
                )
            floor_year = previous.year_to_date + amount
            if not first_of_year and year_to_date < floor_year:
                self.error(
                    number,
                    "year_to_date",
                    f"年度完成投资（{year_to_date}万元）未包含本月：{previous.month}月报告年度已为"
                    f"{previous.year_to_date}万元，加本月{amount}万元应至少为{floor_year}万元",
                )
        return len(self.result.errors) == before

    def _last_part(self, frequency: str) -> tuple[Period, Any]:
        """The month's last period for a reporting frequency, and its deadline (the same for every row)."""
        if frequency not in self._parts:
            assert self.period is not None
            year, month = self.period.year, self.period.month
            period = Period(year, month, parts_in_month(frequency, year, month), frequency)
            self._parts[frequency] = (period, period.deadline)
        return self._parts[frequency]

    def _update_report(
        self,
        number: int,
        report: Report,
        figures: dict[str, Any],
        opening: bool,
        row_states: dict[str, str],
        warnings: list[str],
        outcome: RowResult,
    ) -> bool:
        """Change a report of the period to the table's figures; False when there is nothing to write."""
        differing = {name: value for name, value in figures.items() if getattr(report, name) != value}
        if not differing:
            return False
        if report.state == ReportState.ACCEPTED:
            key = next(iter(differing))
            self.error(
                number,
                key,
                f"{ACCEPTED_OVERWRITE}（系统中为{_show(getattr(report, key))}，表中为{_show(differing[key])}）",
            )
            return False
        before = report.snapshot()
        for name, value in differing.items():
            outcome.change(self.header(name), getattr(report, name), value)
            setattr(report, name, value)
        report.procedure_states = {**(report.procedure_states or {}), **row_states}
        report.is_opening = opening
        report.warnings = warnings
        report.version += 1
        report.updated_at = self.now
        acceptance = self._acceptance()
        for name in ("submitted_at", "first_submitted_at", "submitted_by_id"):
            acceptance[name] = getattr(report, name) or acceptance[name]
        for name, value in acceptance.items():
            setattr(report, name, value)
        self.updated_reports.append(report)
        self.revisions.append((report, before))
        if outcome.status == UNCHANGED:
            outcome.status = CHANGED
        return True

    def _acceptance(self) -> dict[str, Any]:
        """The coordinator's consolidated table is accepted in its name; a unit's import submits for review."""
        if not self.accepts:
            return {
                "state": ReportState.SUBMITTED,
                "submitted_at": self.now,
                "first_submitted_at": self.now,
                "submitted_by_id": self.user_id,
                "reviewed_at": None,
                "reviewed_by_id": None,
                "return_reason": "",
            }
        return {
            "state": ReportState.ACCEPTED,
            "submitted_at": self.now,
            "first_submitted_at": self.now,
            "submitted_by_id": self.user_id,
            "reviewed_at": self.now,
            "reviewed_by_id": self.user_id,
            "return_reason": "",
        }

    def _rules(
        self, number: int, figures: dict[str, Any], project: dict[str, Any], earlier: list[_Previous]
    ) -> list[str]:
        """Report.check_rules on the row's figures; the earlier reports are handed in, so no query per row."""
        report = self._scratch
        report.amount = figures["amount"]
        report.year_to_date = figures["year_to_date"]
        report.cumulative = figures["cumulative"]
        report.progress_text = figures.get("progress_text") or ""
        self._scratch_project.total_investment = project.get("total_investment") or ZERO
        self._earlier = earlier
        errors, warnings = report.check_rules()
        for message in errors:
            self.error(number, "cumulative", message)
        for message in warnings:
            self.warn(number, "amount", message)
        return warnings

    def _recompute_later(self, project: dict[str, Any], latest: "_Previous") -> None:
        """Carry the new totals through the project's later reports, up to the next opening one."""
        previous: Any = latest
        for later in self.later_reports.get(project["id"], []) if project["id"] else []:
            if later.is_opening:
                break
            before = (later.year_to_date, later.cumulative)
            later.recompute_totals(previous)
            if (later.year_to_date, later.cumulative) != before:
                later.updated_at = self.now
                self.recomputed_reports.append(later)
            previous = later


@lru_cache(maxsize=1024)
def _checked_build_years(text: str, language: str | None) -> tuple[str, str]:
    """(normalised 建设年限, "") or ("", why it is wrong): a table's few distinct values checked once each."""
    try:
        validate_build_years(text)
    except ValidationError as error:
        return "", error.messages[0]
    return normalize_build_years(text), ""


def _procedure_dates(state: str, submitted: Any, approved: Any, day: Any, end: Any) -> tuple[Any, Any]:
    """申报/批复日期 a procedure keeps or gets on moving to `state` (what Procedure.clean expects)."""
    if state == ProcedureStatus.NOT_STARTED:
        return None, None
    if state == ProcedureStatus.NOT_NEEDED:
        return submitted, None
    submitted = submitted or day
    if state == ProcedureStatus.IN_PROGRESS:
        return submitted, None
    return submitted, approved or max(submitted, end)


def _previous(report: Report) -> _Previous:
    return _Previous(
        report.seq,
        report.year,
        report.month,
        report.part,
        report.amount,
        report.year_to_date,
        report.cumulative,
        report.progress_text,
    )


def _missing_months(previous: _Previous, period: Period) -> str:
    """The months between an earlier report and `period` that have none: "2024年5月、6月"."""
    months = []
    year, month = previous.year, previous.month
    while True:
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        if (year, month) >= (period.year, period.month):
            break
        months.append((year, month))
    if not months:
        return period.previous().label
    first_year = months[0][0]
    return f"{first_year}年" + "、".join(
        f"{month}月" if year == first_year else f"{year}年{month}月" for year, month in months
    )


def _follows(previous: _Previous, period: Period) -> bool:
    """Whether `previous` is in the month of `period` or the one before (no month missing in between)."""
    before = (period.year, period.month - 1) if period.month > 1 else (period.year - 1, 12)
    return (previous.year, previous.month) in {(period.year, period.month), before}


def import_table(
    data: bytes,
    filename: str,
    *,
    year: int,
    level: str,
    period: Period | None = None,
    table: int | None = None,
    user: User | None = None,
    commit: bool = False,
    batch: ImportBatch | None = None,
    decisions: dict[str, dict[str, Any]] | None = None,
    create_missing: bool = False,
) -> ImportResult:
    """Check a table and, with `commit`, write it: every row or none.

    The stages: read the sheet, resolve the names it uses (`decisions` from the user, or with
    `create_missing` every proposal), check each row, write. What the names' decisions create is
    made inside the transaction, so that the rows are checked against it; a preview rolls it back.
    A committed import is kept as `batch` (a new ImportBatch when None) in the same transaction.
    """
    with cycle_collection_paused():
        try:
            parsed = read_table(data, filename, table, year)
        except WorkbookError as error:
            return ImportResult(table, errors=[Issue(None, "", error.message)])
        names = Names(parsed, user=user, decisions=decisions, accept_proposals=create_missing).scan()
        importer = Importer(
            parsed,
            year=year,
            level=level,
            period=period,
            user=user,
            filename=filename,
            unresolved=names.unresolved,
        )
        importer.result.names = names
        importer.result.name_issues = names.issues()
        importer.result.errors.extend(importer.result.name_issues)
        if not commit and not names.to_write:
            importer.check()
            return importer.result
        try:
            with transaction.atomic():
                importer.result.created = names.apply()
                importer.check()
                if importer.result.errors or not commit:
                    raise Rollback
                write(importer)
                importer.result.committed = True
                keep_batch(batch, importer.result, data, filename, year, level, period, user)
        except Rollback:
            if not importer.result.committed:
                importer.result.created = Created()
        except DatabaseError:
            importer.result.committed = False
            importer.result.created = Created()
            importer.result.errors.append(
                Issue(None, "", "保存失败：数据可能已被他人同时修改，请重新预览后再导入")
            )
        return importer.result


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off while a table is imported.

    An import makes a few hundred thousand small objects that live until it ends (rows, values,
    what will be written), and each collection walks all of them: about a quarter of the time.
    Reference counting still frees everything else; the collector resumes when the import ends,
    however it ends. The switch is the process's: a threaded server's other requests run without
    the collector for those seconds too, which costs them nothing but a later collection.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def summary(result: ImportResult) -> str:
    counts = result.counts
    return f"新增 {counts[NEW]} 行，变更 {counts[CHANGED]} 行，未变 {counts[UNCHANGED]} 行，错误 {counts['errors']} 个"
