"""The exported tables look the way offices make them: title, 单位 line, merged headers, 合计, print setup."""

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from exchange.export import FIRST_DATA_ROW, TOTAL_ROW, export_table
from plans.models import Plan, PlanEntry
from progress.choices import ReportState
from progress.models import Report
from progress.periods import Period

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def plan(world):
    plan = Plan.objects.create(year=YEAR, level="local", title="计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal(3000)
    )
    PlanEntry.objects.create(
        plan=plan, project=world.project_b, plan_type="new_start", annual_investment=Decimal(800)
    )
    world.project_b.status = "construction"
    world.project_b.save()
    return plan


def add_report(project, month, amount, ytd, cumulative, **extra):
    frequency = extra.get("frequency", "monthly")
    period = Period(YEAR, month, extra.get("part", 1), frequency)
    return Report.objects.create(
        project=project,
        year=YEAR,
        month=month,
        amount=Decimal(amount),
        year_to_date=Decimal(ytd),
        cumulative=Decimal(cumulative),
        deadline=period.deadline,
        state=extra.pop("state", ReportState.ACCEPTED),
        **extra,
    )


def rows_of(content: bytes) -> Sequence[Sequence[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_table3_has_the_offices_layout(world, plan, settings):
    settings.REGION_NAME = "湛河区"
    content = export_table(3, YEAR, "local", period=Period(YEAR, 3))
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    assert sheet["A1"].value == "湛河区2026年在建项目进展情况表"
    assert sheet["A2"].value == "单位：万元"
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert "L3:P3" in merged and sheet["L3"].value == "联审联批手续"
    assert [sheet.cell(4, c).value for c in range(12, 17)] == [
        "用地审批手续",
        "审批核准备案手续",
        "用地规划手续",
        "建设规划手续",
        "环评审批手续",
    ]
    assert {"A3:A4", "B3:B4", "Q3:Q4"} <= merged and sheet["Q3"].value == "2026年计划完成投资"
    system = [sheet.cell(3, c).value for c in range(23, 32)]
    assert system == [
        "项目代码",
        "项目类别",
        "计划级别",
        "项目状态",
        "计划开工时间",
        "计划竣工时间",
        "实际开工时间",
        "实际竣工时间",
        "已入统",
    ]
    assert sheet.freeze_panes == "C5"
    assert sheet.page_setup.paperSize == 8 and sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0), (
        "one page wide, as long as needed"
    )
    assert sheet.print_title_rows == "$3:$4"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_table2_merges_the_early_work_header(world, plan):
    sheet = openpyxl.load_workbook(io.BytesIO(export_table(2, YEAR, "local"))).active
    assert isinstance(sheet, Worksheet)
    assert sheet["J3"].value == "前期进展情况（必须填写详细，不能留空格）"
    assert "J3:M3" in {str(r) for r in sheet.merged_cells.ranges}
    assert [sheet.cell(4, c).value for c in range(10, 14)] == ["审批、核准、备案", "环评", "土地", "规划"]
    assert sheet["I3"].value == "2026年投资目标"


def test_totals_are_numbers_not_only_formulas(world, plan):
    add_report(world.project_a, 3, "100", "100", "2100", is_opening=True)
    add_report(world.project_b, 3, "50.5", "50.5", "50.5", is_opening=True)
    rows = rows_of(export_table(3, YEAR, "local", period=Period(YEAR, 3)))
    total = rows[TOTAL_ROW]
    assert total[1] == "合计（2个项目）"
    assert total[6:10] == [68000.0, 150.5, 2150.5, 150.5]
    assert total[16] == 3800.0
    sheet = openpyxl.load_workbook(io.BytesIO(export_table(3, YEAR, "local", period=Period(YEAR, 3)))).active
    assert isinstance(sheet, Worksheet)
    assert sheet["H5"].value == "=SUM(H6:H7)"


def test_figures_come_from_the_month_and_the_latest_report_before_it(world, plan):
    add_report(world.project_a, 1, "100", "100", "2100", is_opening=True)
    add_report(world.project_b, 3, "10", "10", "10", frequency="half_monthly", part=1, is_opening=True)
    add_report(world.project_b, 3, "15", "25", "25", frequency="half_monthly", part=2)
    add_report(world.project_b, 4, "99", "124", "124", state=ReportState.DRAFT)
    rows = rows_of(export_table(3, YEAR, "local", period=Period(YEAR, 3)))
    a, b = rows[FIRST_DATA_ROW], rows[FIRST_DATA_ROW + 1]
    assert a[1] == "滨河路改造工程" and a[7:10] == ["", 2100.0, 100.0], (
        "no March report: only the totals so far"
    )
    assert b[7:10] == [25.0, 25.0, 25.0], "half-monthly parts are summed"


def test_user_text_never_becomes_a_formula(world, plan):
    world.project_a.content = '=HYPERLINK("http://evil","点我")'
    world.project_a.save()
    sheet = openpyxl.load_workbook(io.BytesIO(export_table(3, YEAR, "local", period=Period(YEAR, 3)))).active
    assert isinstance(sheet, Worksheet)
    cell = sheet.cell(FIRST_DATA_ROW + 1, 4)
    assert cell.value == '=HYPERLINK("http://evil","点我")' and cell.data_type == "s"


def test_system_columns_hold_codes_dates_and_flags(world, plan):
    world.project_a.code = "2020-440104-70-01-012345"
    world.project_a.planned_start_date = date(2025, 3, 1)
    world.project_a.in_statistics = True
    world.project_a.save()
    row = rows_of(export_table(3, YEAR, "local", period=Period(YEAR, 3)))[FIRST_DATA_ROW]
    assert row[22:27] == ["2020-440104-70-01-012345", "基础设施项目", "区重点", "在建", date(2025, 3, 1)]
    assert row[30] == "是"


def test_a_blank_template_has_the_units_projects_blank_figures_and_drop_downs(world, plan):
    add_report(world.project_a, 3, "100", "100", "2100", is_opening=True)
    content = export_table(3, YEAR, "local", unit=world.housing, template=True)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["附件3"]
    assert sheet.cell(FIRST_DATA_ROW + 1, 2).value == "滨河路改造工程"
    assert sheet.cell(FIRST_DATA_ROW + 2, 2).value is None, "only the unit's projects"
    assert [sheet.cell(FIRST_DATA_ROW + 1, c).value for c in (8, 9, 10)] == [None, None, None]
    assert sheet.cell(FIRST_DATA_ROW + 1, 7).value == 12000
    assert book["字典"].sheet_state == "hidden"
    validations = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations["C6"].startswith("字典!")  # 行业领域
    assert "L6" in validations  # 用地审批手续
    assert "AE6" in validations  # 已入统
    dictionary = book["字典"]
    assert "未启动" in [cell.value for cell in dictionary["E"]]


def test_an_outsider_exports_an_empty_table(world, plan):
    rows = rows_of(export_table(3, YEAR, "local", period=Period(YEAR, 3), user=world.outsider))
    assert len(rows) <= FIRST_DATA_ROW or not any(row[1] for row in rows[FIRST_DATA_ROW:])
    assert rows[TOTAL_ROW][1] == "合计（0个项目）"


def test_no_plan_gives_an_empty_table(world):
    rows = rows_of(export_table(1, YEAR, "province"))
    assert rows[0][0] == "示范区2026年前期项目谋划表"
    assert rows[TOTAL_ROW][1] == "合计（0个项目）"
