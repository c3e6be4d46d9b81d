"""Writing the official tables (附件1–3) the way offices make them, for a scope, a plan and a period."""

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, overload

import xlsxwriter
from django.conf import settings
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from catalog.models import Category, IndustryField, ProcedureType
from exchange.cells import PROCEDURE_LABELS, format_contact
from exchange.reader import column_letters
from exchange.tables import PROCEDURE_STATES, TABLES, Column, Kind, Table
from org.models import Unit, in_unit_subtree
from plans.choices import PlanLevel, PlanType
from plans.models import Plan, PlanEntry
from progress.choices import ReportState
from progress.models import Report, period_seq
from progress.periods import Period
from projects.choices import InvestmentNature, ProjectStatus
from projects.models import Procedure, Project

if TYPE_CHECKING:
    from org.models import User

# Reports that count in an official table: what an owner has sent in, and what was accepted.
SHOWN_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED)
STARTED = (
    ProjectStatus.CONSTRUCTION,
    ProjectStatus.SUSPENDED,
    ProjectStatus.COMPLETED,
    ProjectStatus.OPERATING,
)
TITLE_ROW, UNIT_ROW, HEADER_ROW, SUB_HEADER_ROW, TOTAL_ROW = 0, 1, 2, 3, 4
FIRST_DATA_ROW = 5
# Rows a blank template leaves for projects the unit adds, with the same drop-downs.
TEMPLATE_SPARE_ROWS = 200
DICTIONARY_SHEET = "字典"
PROJECT_FIELDS = {
    "name": "project__name",
    "code": "project__code",
    "content": "project__content",
    "build_years": "project__build_years",
    "address": "project__address",
    "total_investment": "project__total_investment",
    "signing_status": "project__signing_status",
    "demolition_progress": "project__demolition_progress",
    "responsible_person": "project__responsible_person__name",
    "status_reason": "project__status_reason",
    "planned_start_date": "project__planned_start_date",
    "planned_completion_date": "project__planned_completion_date",
    "actual_start_date": "project__actual_start_date",
    "actual_completion_date": "project__actual_completion_date",
    "in_statistics": "project__in_statistics",
    "investment_nature": "project__investment_nature",
    "industry": "project__industry__name",
    "category": "project__category__name",
    "responsible_unit": "project__responsible_unit__name",
    "owner_unit": "project__owner_unit__name",
}


def plan_in_force(year: int, level: str) -> Plan | None:
    """The version in force of the (year, level) plan."""
    return Plan.objects.in_force().filter(year=year, level=level).first()


def table_entries(table: Table, plan: Plan, projects: QuerySet[Project]) -> QuerySet[PlanEntry]:
    """The plan entries a table lists: 附件1 前期, 附件2 新开工/竣工, 附件3 续建 and every started project."""
    entries = plan.entries.filter(project__in=projects)
    if table.number == 1:
        return entries.filter(plan_type=PlanType.PRELIMINARY)
    if table.number == 2:
        return entries.filter(plan_type__in=(PlanType.NEW_START, PlanType.COMPLETING))
    return entries.exclude(plan_type=PlanType.PRELIMINARY).filter(
        Q(plan_type=PlanType.CONTINUING) | Q(project__status__in=STARTED)
    )


def scope_projects(user: "User | None", unit: Unit | None = None) -> QuerySet[Project]:
    """Projects a user may see (None: everything), narrowed to a unit's subtree for its template."""
    projects = Project.objects.all() if user is None else Project.objects.visible_to(user)
    if unit is not None:
        projects = projects.filter(in_unit_subtree(unit.path, "responsible_unit", "owner_unit"))
    return projects


def procedure_codes_by_column() -> dict[str, str]:
    """附件3 column (ProcedureType.table_column) → procedure type code."""
    return dict(ProcedureType.objects.exclude(table_column="").values_list("table_column", "code"))


def collect_rows(
    table: Table,
    plan: Plan | None,
    projects: QuerySet[Project],
    period: Period | None,
    blank_figures: bool = False,
) -> list[dict[str, Any]]:
    """The table's rows as {column key: value}, in plan order, with a handful of queries."""
    if plan is None:
        return []
    entries = table_entries(table, plan, projects).order_by("id")
    values = list(
        entries.values(
            "project_id",
            "annual_investment",
            "note",
            "plan_type",
            "project__status",
            "project__owner_contact__name",
            "project__owner_contact__phone",
            "project__chief_officer__name",
            "project__leader_in_charge__name",
            *PROJECT_FIELDS.values(),
        )
    )
    if not values:
        return []
    project_ids = entries.values("project_id")
    procedures: dict[int, dict[str, str]] = defaultdict(dict)
    summaries: dict[int, list[str]] = defaultdict(list)
    summarise = table.column("procedures_text") is not None
    for project_id, code, name, status in (
        Procedure.objects.filter(project__in=project_ids)
        .order_by("project_id", "type__sort_order", "type__code")
        .values_list("project_id", "type__code", "type__name", "status")
    ):
        procedures[project_id][code] = status
        if summarise:
            summaries[project_id].append(f"{name}：{PROCEDURE_LABELS[status]}")
    month, latest = month_figures(project_ids, period)
    column_codes = procedure_codes_by_column()
    level_label = str(PlanLevel(plan.level).label)
    rows = []
    for number, item in enumerate(values, start=1):
        project_id = item["project_id"]
        row: dict[str, Any] = {key: item[path] for key, path in PROJECT_FIELDS.items()}
        row["seq"] = number
        row["annual_investment"] = item["annual_investment"]
        row["note"] = item["note"]
        row["level"] = level_label
        row["plan_type"] = str(PlanType(item["plan_type"]).label)
        row["status"] = str(ProjectStatus(item["project__status"]).label)
        row["investment_nature"] = str(InvestmentNature(item["project__investment_nature"]).label)
        row["owner_contact"] = format_contact(
            item["project__owner_contact__name"] or "", item["project__owner_contact__phone"] or ""
        )
        row["chief_officer"] = item["project__chief_officer__name"] or ""
        row["leader_in_charge"] = item["project__leader_in_charge__name"] or ""
        row["procedures_text"] = "；".join(summaries.get(project_id, []))
        this_month = month.get(project_id)
        last = latest.get(project_id)
        states = dict(procedures.get(project_id, {}))
        if this_month:
            states.update(this_month["procedure_states"])
        for column in table.columns:
            if column.procedure_column:
                status = states.get(column_codes.get(column.procedure_column, ""), "")
                row[column.key] = PROCEDURE_LABELS.get(status, "")
        if last:
            row["progress_text"] = last["progress_text"]
            row["problems_text"] = last["problems_text"]
        if not blank_figures and period is not None:
            row["amount"] = this_month["amount"] if this_month else None
            if last:
                row["cumulative"] = last["cumulative"]
                row["year_to_date"] = last["year_to_date"] if last["year"] == period.year else Decimal(0)
        rows.append(row)
    return rows


def month_figures(
    project_ids: QuerySet, period: Period | None
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """The month's reports summed per project (all parts), and each project's latest report up to it."""
    reports = Report.objects.filter(project__in=project_ids, state__in=SHOWN_STATES)
    month: dict[int, dict[str, Any]] = {}
    if period is not None:
        for item in (
            reports.filter(year=period.year, month=period.month)
            .order_by("project_id", "seq")
            .values("project_id", "amount", "procedure_states")
        ):
            total = month.setdefault(item["project_id"], {"amount": Decimal(0), "procedure_states": {}})
            total["amount"] += item["amount"]
            total["procedure_states"].update(item["procedure_states"] or {})
        reports = reports.filter(seq__lte=period_seq(period.year, period.month, 9))
    ranked = reports.annotate(
        rank=Window(RowNumber(), partition_by=[F("project_id")], order_by=F("seq").desc())
    ).filter(rank=1)
    latest = {
        item["project_id"]: item
        for item in ranked.values(
            "project_id", "year", "year_to_date", "cumulative", "progress_text", "problems_text"
        )
    }
    return month, latest


# Writing ---------------------------------------------------------------------------------------


@dataclass
class Formats:
    title: Any
    unit: Any
    period: Any
    header: Any
    system_header: Any
    text: Any
    center: Any
    money: Any
    date: Any
    total_label: Any
    total_money: Any
    total_blank: Any


def _formats(book: xlsxwriter.Workbook) -> Formats:
    cell = {"border": 1, "valign": "vcenter", "font_size": 10}
    header = {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}
    total = {**cell, "bold": True, "bg_color": "#F2F2F2"}
    return Formats(
        title=book.add_format({"bold": True, "font_size": 18, "align": "center", "valign": "vcenter"}),
        unit=book.add_format({"font_size": 11}),
        period=book.add_format({"font_size": 11, "align": "right"}),
        header=book.add_format(header),
        system_header=book.add_format({**header, "bg_color": "#E2EFDA"}),
        text=book.add_format({**cell, "text_wrap": True}),
        center=book.add_format({**cell, "align": "center"}),
        money=book.add_format({**cell, "num_format": "#,##0.00"}),
        date=book.add_format({**cell, "num_format": "yyyy-mm-dd", "align": "center"}),
        total_label=book.add_format({**total, "align": "center"}),
        total_money=book.add_format({**total, "num_format": "#,##0.00"}),
        total_blank=book.add_format(total),
    )


def _header_groups(columns: tuple[Column, ...]) -> list[tuple[int, int, str]]:
    """(first, last, parent header) of each run of columns under one merged parent."""
    groups: list[tuple[int, int, str]] = []
    for index, column in enumerate(columns):
        if not column.group:
            continue
        if groups and groups[-1][2] == column.group and groups[-1][1] == index - 1:
            groups[-1] = (groups[-1][0], index, column.group)
        else:
            groups.append((index, index, column.group))
    return groups


def write_table(
    output: Any,
    table: Table,
    year: int,
    rows: list[dict[str, Any]],
    period: Period | None = None,
    template: bool = False,
) -> None:
    """Write the table to a path or binary stream: title, 单位 line, merged headers, 合计 row, rows."""
    columns = table.all_columns
    # Not constant_memory: it writes each row out as soon as a later one is started, and the
    # header's vertical merges span two rows. 20,000 rows take about 140 MB this way.
    book = xlsxwriter.Workbook(
        output,
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    sheet = book.add_worksheet(f"附件{table.number}")
    formats = _formats(book)
    last_col = len(columns) - 1
    official = len(table.columns)

    sheet.set_row(TITLE_ROW, 36)
    sheet.merge_range(
        TITLE_ROW, 0, TITLE_ROW, official - 1, table.title(settings.REGION_NAME, year), formats.title
    )
    sheet.write_string(UNIT_ROW, 0, "单位：万元", formats.unit)
    if period is not None:
        sheet.merge_range(
            UNIT_ROW, official - 4, UNIT_ROW, official - 1, f"报送期：{period.label}", formats.period
        )
    sheet.set_row(HEADER_ROW, 30)
    sheet.set_row(SUB_HEADER_ROW, 45)
    grouped: set[int] = set()
    for first, last, group in _header_groups(columns):
        sheet.merge_range(HEADER_ROW, first, HEADER_ROW, last, group, formats.header)
        grouped.update(range(first, last + 1))
    for index, column in enumerate(columns):
        style = formats.header if index < official else formats.system_header
        sheet.set_column(index, index, column.width)
        if index in grouped:
            sheet.write_string(SUB_HEADER_ROW, index, column.title(year), style)
        else:
            sheet.merge_range(HEADER_ROW, index, SUB_HEADER_ROW, index, column.title(year), style)

    last_row = FIRST_DATA_ROW + len(rows) - 1
    _write_totals(sheet, columns, rows, last_row, formats)
    writers = {index: _writer(sheet, column, formats) for index, column in enumerate(columns)}
    for row_number, row in enumerate(rows, start=FIRST_DATA_ROW):
        for index, column in enumerate(columns):
            writers[index](row_number, index, row.get(column.key))

    sheet.freeze_panes(FIRST_DATA_ROW - 1, 2)
    sheet.set_paper(8)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW, SUB_HEADER_ROW)
    sheet.center_horizontally()
    sheet.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.5)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.print_area(0, 0, max(last_row, TOTAL_ROW), last_col)
    if template:
        _add_drop_downs(book, sheet, columns, last_row + TEMPLATE_SPARE_ROWS)
    book.close()


def _write_totals(
    sheet: Any, columns: tuple[Column, ...], rows: list[dict[str, Any]], last_row: int, formats: Formats
) -> None:
    """合计: SUM formulas that also carry the computed totals, so that readers without Excel see numbers."""
    for index, column in enumerate(columns):
        if column.key == "name":
            sheet.write_string(TOTAL_ROW, index, f"合计（{len(rows)}个项目）", formats.total_label)
        elif column.kind == Kind.MONEY:
            total = sum((row.get(column.key) or Decimal(0) for row in rows), Decimal(0))
            letter = column_letters(index)
            if rows:
                formula = f"=SUM({letter}{FIRST_DATA_ROW + 1}:{letter}{last_row + 1})"
                sheet.write_formula(TOTAL_ROW, index, formula, formats.total_money, float(total))
            else:
                sheet.write_number(TOTAL_ROW, index, 0, formats.total_money)
        else:
            sheet.write_blank(TOTAL_ROW, index, None, formats.total_blank)


def _writer(sheet: Any, column: Column, formats: Formats) -> Any:
    """The function that writes one cell of this column, chosen once per column."""
    if column.kind == Kind.MONEY:

        def write_money(row: int, col: int, value: Any) -> None:
            if value is None or value == "":
                sheet.write_blank(row, col, None, formats.money)
            else:
                sheet.write_number(row, col, float(value), formats.money)

        return write_money
    if column.kind == Kind.DATE:

        def write_date(row: int, col: int, value: Any) -> None:
            if isinstance(value, date):
                sheet.write_datetime(row, col, value, formats.date)
            else:
                sheet.write_blank(row, col, None, formats.date)

        return write_date
    style = (
        formats.center
        if column.kind
        in (Kind.SEQ, Kind.PROCEDURE, Kind.BOOL, Kind.LEVEL, Kind.STATUS, Kind.PLAN_TYPE, Kind.NATURE)
        else formats.text
    )

    def write_text(row: int, col: int, value: Any) -> None:
        if isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否", style)
        elif isinstance(value, int):
            sheet.write_number(row, col, value, style)
        elif value is None or value == "":
            sheet.write_blank(row, col, None, style)
        else:
            sheet.write_string(row, col, str(value)[:32767], style)

    return write_text


def dictionary_lists() -> dict[Kind, list[str]]:
    """The drop-down lists of a blank template, by the kind of column they serve."""
    return {
        Kind.INDUSTRY: list(IndustryField.objects.filter(is_active=True).values_list("name", flat=True)),
        Kind.CATEGORY: list(Category.objects.filter(is_active=True).values_list("name", flat=True)),
        Kind.LEVEL: [str(label) for label in PlanLevel.labels],
        Kind.STATUS: [str(label) for label in ProjectStatus.labels],
        Kind.PROCEDURE: list(PROCEDURE_STATES),
        Kind.BOOL: ["是", "否"],
        Kind.UNIT: list(Unit.objects.filter(is_active=True).order_by("path").values_list("name", flat=True)),
        Kind.PLAN_TYPE: [str(label) for label in PlanType.labels],
        Kind.NATURE: [str(label) for label in InvestmentNature.labels],
    }


def _add_drop_downs(book: Any, sheet: Any, columns: tuple[Column, ...], last_row: int) -> None:
    """Drop-downs (data validation lists) for dictionary columns, read from a hidden 字典 sheet."""
    lists = dictionary_lists()
    source = book.add_worksheet(DICTIONARY_SHEET)
    ranges: dict[Kind, str] = {}
    for col, (kind, items) in enumerate(lists.items()):
        source.write_string(0, col, str(kind))
        for row, item in enumerate(items, start=1):
            source.write_string(row, col, item)
        letter = column_letters(col)
        ranges[kind] = f"={DICTIONARY_SHEET}!${letter}$2:${letter}${max(len(items), 1) + 1}"
    source.hide()
    for index, column in enumerate(columns):
        if column.kind not in ranges:
            continue
        sheet.data_validation(
            FIRST_DATA_ROW,
            index,
            last_row,
            index,
            {
                "validate": "list",
                "source": ranges[column.kind],
                "error_title": "请从下拉列表中选择",
                "error_message": f"“{column.header}”请从下拉列表中选择。",
            },
        )


@overload
def export_table(
    table_number: int,
    year: int,
    level: str,
    period: Period | None = None,
    user: "User | None" = None,
    unit: Unit | None = None,
    template: bool = False,
    output: None = None,
) -> bytes: ...


@overload
def export_table(
    table_number: int,
    year: int,
    level: str,
    period: Period | None = None,
    user: "User | None" = None,
    unit: Unit | None = None,
    template: bool = False,
    *,
    output: str | IO[bytes],
) -> None: ...


def export_table(
    table_number: int,
    year: int,
    level: str,
    period: Period | None = None,
    user: "User | None" = None,
    unit: Unit | None = None,
    template: bool = False,
    output: str | IO[bytes] | None = None,
) -> bytes | None:
    """Export 附件N of the (year, level) plan in force for the user's scope (None: everything).

    With `template`, the figures to report are left blank and dictionary columns get drop-downs.
    Writes to `output` (a path or stream) when given; otherwise returns the file's bytes.
    """
    table = TABLES[table_number]
    rows = collect_rows(
        table, plan_in_force(year, level), scope_projects(user, unit), period, blank_figures=template
    )
    buffer = io.BytesIO()
    target = output if output is not None else buffer
    write_table(target, table, year, rows, period=None if template else period, template=template)
    return buffer.getvalue() if output is None else None


def export_filename(
    table_number: int, year: int, period: Period | None, template: bool, unit: Unit | None
) -> str:
    table = TABLES[table_number]
    name = table.title(settings.REGION_NAME, year)
    if template:
        return f"附件{table.number} {name}（{unit.name if unit else ''}填报模板）.xlsx"
    return f"附件{table.number} {name}{f'（{period.label}）' if period else ''}.xlsx"
