"""An imported plan row that contradicts its project's dates is imported, with a warning on its row."""

from datetime import date
from decimal import Decimal

import pytest

from exchange.importer import import_table
from exchange.tests.test_import import workbook
from plans.models import Plan, PlanEntry
from projects.models import Project

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "项目名称",
    "行业领域",
    "建设单位",
    "建设规模和主要内容",
    "项目实施地点",
    "总投资",
    "建设起止年限",
    "2026年投资目标",
    "计划开工时间",
]


def new_starts(*rows: list[object]) -> bytes:
    """附件2 (新开工项目) with the planned start of each project."""
    return workbook([["示范区2026年新开工项目计划表"], ["单位：万元"], HEADER, *rows])


def run(content: bytes, user):
    return import_table(content, "附件2.xlsx", year=2026, level="local", table=2, user=user, commit=True)


def test_a_new_start_planned_for_next_year_is_imported_with_a_row_warning(world):
    content = new_starts(
        [1, "城关学校", "教育", "城关科技有限公司", "教学楼及运动场", "城关街道", 9000, "2027-2029", 0, "2027-03-15"],
        [2, "城关第二小学", "教育", "城关科技有限公司", "教学楼及食堂", "城关街道", 8000, "2026-2027", 3000, "2026-06-01"],
    )  # fmt: skip
    result = run(content, world.coordinator)
    assert result.errors == [], result.errors
    assert [(w.row, w.message) for w in result.warnings if "不符" in w.message] == [
        (4, "项目计划开工时间为2027年3月，不在2026年内，与“新开工”不符。")
    ]
    school = PlanEntry.objects.get(project__name="城关学校")
    assert school.plan_type == "new_start" and school.planned_start_month is None
    second = PlanEntry.objects.get(project__name="城关第二小学")
    assert second.planned_start_month == 6


def test_a_row_that_moves_a_planned_start_out_of_the_year_warns_on_the_existing_entry(world):
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点建设项目计划")
    PlanEntry.objects.create(
        plan=plan,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("4000"),
        planned_start_month=3,
    )
    content = new_starts(
        [1, world.project_b.name, None, None, None, None, None, None, None, "2027-03-01"],
    )
    result = run(content, world.coordinator)
    assert result.errors == [], result.errors
    assert [(w.row, w.message) for w in result.warnings] == [
        (4, "项目计划开工时间为2027年3月，不在2026年内，与“新开工”不符。")
    ]
    assert Project.objects.get(pk=world.project_b.pk).planned_start_date == date(2027, 3, 1)
