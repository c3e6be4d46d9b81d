"""Importing the official tables as offices fill them in: hand-made workbooks, opening figures, scope."""

import gc
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from audit.models import OperationLog
from catalog.models import ProcedureType
from exchange import importer
from exchange.importer import import_table
from exchange.models import ImportBatch
from plans.models import Plan, PlanEntry
from progress.choices import ReportState, RevisionKind
from progress.models import MonthlyProgress, Report, ReportRevision, YearProgress
from progress.periods import Period
from progress.rollup import refresh_projects
from projects.models import Procedure, Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Kept import files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


YEAR = 2026
MARCH = Period(YEAR, 3)

HEADER_3 = [
    "序号",
    "项目名称",
    "行业领域",
    "建设\n内容及规模",
    "建设年限",
    "建设地点",
    "总 投 资",
    "本月完成投资",
    "累计完成投资",
    "年度完成投资",
    "形象进度",
    "联审联批手续",
    None,
    None,
    None,
    None,
    "2026 年计划完成投资",
    "首席服务员",
    "责任单位",
    "责任人",
    "项目单位",
    "项目单位联系人及电话",
]
SUB_HEADER_3 = (
    [None] * 11
    + ["用地审批手续", "审批核准备案手续", "用地规划手续", "建设规划手续", "环评审批手续"]
    + [None] * 6
)
# Columns of HEADER_3 (1-based letters) merged over the two header rows.
VERTICAL = [c for c in "ABCDEFGHIJKQRSTUV"]


def workbook(rows: Sequence[Sequence[Any]], merges: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table3(
    *body: list[object], merges: tuple[str, ...] = (), notes: bool = True, header: list = HEADER_3
) -> bytes:
    """附件3 the way an office makes it: 附件 line, title, 单位 line, two-row header, 合计, body, notes."""
    rows: list[Sequence[object]] = [
        ["附件3"],
        ["湛河区 2026 年在建项目进展情况表"],
        ["单位：万元"],
        header,
        SUB_HEADER_3,
        [],
        [None, "合计", None, None, None, None, 68000, 350, 2450, 350],
        ["一、基础设施项目"],
        *body,
        [],
    ]
    if notes:
        rows += [["注：1.本表由各责任单位填报。"], ["填表人：张三", None, "审核人：李四"]]
    header_merges = tuple(f"{c}4:{c}5" for c in VERTICAL) + ("L4:P4", "A2:V2")
    return workbook(rows, header_merges + merges)


def row3(name: str, **values: object) -> list[object]:
    row: list[object] = [None] * 22
    row[1] = name
    keys = {
        "seq": 0,
        "industry": 2,
        "content": 3,
        "years": 4,
        "address": 5,
        "total": 6,
        "amount": 7,
        "cumulative": 8,
        "ytd": 9,
        "progress": 10,
        "land": 11,
        "approval": 12,
        "annual": 16,
        "responsible": 18,
        "person": 19,
        "owner": 20,
        "contact": 21,
    }
    for key, value in values.items():
        row[keys[key]] = value
    return row


@pytest.fixture
def plan(world):
    plan = Plan.objects.create(year=YEAR, level="local", title="2026年区重点项目计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("3000")
    )
    PlanEntry.objects.create(
        plan=plan, project=world.project_b, plan_type="continuing", annual_investment=Decimal("500")
    )
    return plan


def run(content: bytes, user, period=MARCH, commit=True, **options):
    return import_table(
        content, "附件3.xlsx", year=YEAR, level="local", period=period, user=user, commit=commit, **options
    )


def add_report(project, month, amount, ytd, cumulative, **extra):
    period = Period(YEAR, month)
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


def test_a_hand_made_table_imports_with_titles_merges_notes_and_numbers_as_text(world, plan):
    content = table3(
        row3(
            "滨河路改造工程",
            seq=1,
            total="１２，０００",
            amount="100万元",
            cumulative="2,100",
            ytd="２５０．００",
            progress="路基完成 60%",
            land="已办结",
            approval="已取得批复（区发改〔2025〕12号）",
            annual="3000",
            responsible="区住房和城乡建设局",
            owner="示范区城投建设有限公司",
            contact="王五 13800001111",
        ),
        row3(
            "城东污水处理厂",
            seq=2,
            industry="市政公用",
            years="2026—2027",
            total=8000,
            amount="1,234.5",
            cumulative="1234.5",
            ytd="1234.5",
            annual="3000万元",
            owner="示范区城投建设有限公司",
        ),
        merges=("S9:S10",),
    )
    add_report(world.project_a, 2, "150", "150", "2000", is_opening=True)

    result = run(content, world.coordinator)

    assert result.errors == [], result.errors
    assert result.counts["new"] == 2
    march = Report.objects.get(project=world.project_a, year=YEAR, month=3)
    assert (march.amount, march.year_to_date, march.cumulative) == (
        Decimal("100"),
        Decimal("250"),
        Decimal("2100"),
    )
    assert march.state == ReportState.ACCEPTED and march.reviewed_by == world.coordinator
    assert march.progress_text == "路基完成 60%"
    assert ReportRevision.objects.filter(
        report=march, kind=RevisionKind.IMPORT, by=world.coordinator
    ).exists()
    world.project_a.refresh_from_db()
    contact = world.project_a.owner_contact
    assert (contact.name, contact.phone, contact.unit) == ("王五", "13800001111", world.owner_a_unit)
    statuses = dict(Procedure.objects.filter(project=world.project_a).values_list("type__code", "status"))
    assert statuses == {"land": "done", "approval": "done"}

    new = Project.objects.get(name="城东污水处理厂")
    created = OperationLog.objects.get(project=new, action=OperationLog.Action.CREATE)
    assert created.user == world.coordinator and created.changes["总投资"] == ["", "8,000.00"]
    assert new.responsible_unit == world.housing, "the merged 责任单位 cell is carried down"
    assert new.build_years == "2026-2027" and new.start_year == 2026
    assert new.total_investment == Decimal("8000")
    entry = PlanEntry.objects.get(plan=plan, project=new)
    assert entry.annual_investment == Decimal("3000") and entry.plan_type == "continuing"
    opening = Report.objects.get(project=new, month=3)
    assert opening.is_opening and opening.amount == Decimal("1234.50")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.counts["new"] == 2


def test_header_found_without_the_title_lines_and_with_data_starting_in_column_c(world, plan):
    body = row3(
        "滨河路改造工程",
        seq=1,
        total=12000,
        amount=10,
        cumulative=10,
        ytd=10,
        responsible="区住房和城乡建设局",
    )
    rows: list[list[object]] = [[None, None, *HEADER_3], [None, None, *SUB_HEADER_3], [None, None, *body]]
    merges = tuple(f"{chr(ord(c) + 2)}1:{chr(ord(c) + 2)}2" for c in VERTICAL if ord(c) + 2 <= ord("Z"))
    result = run(workbook(rows, merges + ("N1:R1",)), world.coordinator)
    assert result.errors == []
    assert Report.objects.get(project=world.project_a, month=3).amount == Decimal("10")


def test_the_year_in_a_yearly_header_must_be_the_import_year(world, plan):
    header = [*HEADER_3]
    header[16] = "2025年计划完成投资"
    content = workbook(
        [
            header,
            SUB_HEADER_3,
            row3("滨河路改造工程", total=1, amount=1, cumulative=1, ytd=1, responsible="区住房和城乡建设局"),
        ]
    )
    result = run(content, world.coordinator)
    assert "2025年" in result.errors[0].message and not Report.objects.exists()


def test_first_import_of_a_year_takes_the_tables_figures_as_opening(world, plan):
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=5100,
            ytd=700,
            responsible="区住房和城乡建设局",
        )
    )
    result = run(content, world.coordinator)
    assert result.errors == []
    report = Report.objects.get(project=world.project_a)
    assert report.is_opening
    assert (report.year_to_date, report.cumulative) == (Decimal("700"), Decimal("5100"))


def test_figures_that_do_not_follow_from_earlier_periods_are_an_error_with_both_numbers(world, plan):
    add_report(world.project_a, 2, "150", "600", "5000", is_opening=True)
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=5100,
            ytd=999,
            responsible="区住房和城乡建设局",
        )
    )
    result = run(content, world.coordinator)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (9, "年度完成投资")
    assert "999" in error.message and "700" in error.message
    assert not Report.objects.filter(month=3).exists()


def test_a_missing_month_opens_the_figures_again_with_a_warning(world, plan):
    add_report(world.project_a, 1, "150", "150", "5000", is_opening=True)
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=5300,
            ytd=450,
            responsible="区住房和城乡建设局",
        )
    )
    result = run(content, world.coordinator)
    assert result.errors == []
    assert any("2026年2月没有报告" in warning.message for warning in result.warnings)
    assert Report.objects.get(month=3).is_opening


def test_an_accepted_report_with_other_figures_is_not_overwritten(world, plan):
    add_report(world.project_a, 3, "80", "80", "2080", is_opening=True)
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=2100,
            ytd=100,
            responsible="区住房和城乡建设局",
        )
    )
    result = run(content, world.coordinator)
    assert "已审核的报告不能被导入覆盖，请走更正流程" in result.errors[0].message
    assert Report.objects.get(month=3).amount == Decimal("80")


def test_a_submitted_report_is_updated_and_accepted_with_its_history(world, plan):
    report = add_report(world.project_a, 3, "80", "80", "2080", is_opening=True, state=ReportState.SUBMITTED)
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=2100,
            ytd=100,
            responsible="区住房和城乡建设局",
        )
    )
    result = run(content, world.coordinator)
    assert result.errors == [] and result.counts["changed"] == 1
    report.refresh_from_db()
    assert (report.amount, report.state) == (Decimal("100"), ReportState.ACCEPTED)
    revision = report.revisions.get(kind=RevisionKind.IMPORT)
    assert revision.before["amount"] == "80.00" and revision.after["amount"] == "100.00"


def test_later_reports_carry_the_new_totals(world, plan):
    add_report(world.project_a, 2, "100", "100", "1100", is_opening=True)
    april = add_report(world.project_a, 4, "50", "150", "1150")
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=30,
            cumulative=1130,
            ytd=130,
            responsible="区住房和城乡建设局",
        )
    )
    assert run(content, world.coordinator).errors == []
    april.refresh_from_db()
    assert (april.year_to_date, april.cumulative) == (Decimal("180"), Decimal("1180"))


def test_half_monthly_projects_get_the_rest_of_the_month_in_their_last_part(world, plan):
    world.project_a.report_frequency = "half_monthly"
    world.project_a.save()
    add_report(world.project_a, 2, "100", "100", "1100", is_opening=True, frequency="half_monthly", part=2)
    add_report(world.project_a, 3, "40", "140", "1140", frequency="half_monthly", part=1)
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=1200,
            ytd=200,
            responsible="区住房和城乡建设局",
        )
    )
    assert run(content, world.coordinator).errors == []
    second = Report.objects.get(month=3, part=2)
    assert (second.amount, second.year_to_date, second.cumulative) == (
        Decimal("60"),
        Decimal("200"),
        Decimal("1200"),
    )


def test_dry_run_writes_nothing_and_lists_the_changes(world, plan):
    content = table3(
        row3(
            "滨河路改造工程",
            total=13000,
            amount=100,
            cumulative=2100,
            ytd=100,
            responsible="区住房和城乡建设局",
        )
    )
    result = run(content, world.coordinator, commit=False)
    assert result.errors == []
    (row,) = result.rows
    assert ("总投资", "12,000.00", "13,000.00") in row.changes
    assert not Report.objects.exists() and not ImportBatch.objects.exists()
    world.project_a.refresh_from_db()
    assert world.project_a.total_investment == Decimal("12000")


def test_a_unit_cannot_import_another_units_project(world, plan):
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=2100,
            ytd=100,
            responsible="区住房和城乡建设局",
        ),
        row3(
            "城关智能制造产业园", total=56000, amount=10, cumulative=10, ytd=10, responsible="城关街道办事处"
        ),
    )
    result = run(content, world.department)
    assert [error.row for error in result.errors] == [10]
    assert "数据范围" in result.errors[0].message
    assert not Report.objects.exists()


def test_a_unit_imports_its_own_projects_figures_for_review_not_accepted(world, plan):
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=2100,
            ytd=100,
            responsible="区住房和城乡建设局",
        )
    )
    result = run(content, world.department)
    assert result.errors == []
    report = Report.objects.get()
    assert report.state == ReportState.SUBMITTED and report.submitted_by == world.department
    assert report.reviewed_by is None


def test_a_unit_cannot_create_projects_or_change_the_plan(world, plan):
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=100,
            cumulative=2100,
            ytd=100,
            annual=9999,
            responsible="区住房和城乡建设局",
        ),
        row3("新项目", total=100, amount=1, cumulative=1, ytd=1, responsible="区住房和城乡建设局"),
    )
    result = run(content, world.department)
    assert {(error.row, error.column) for error in result.errors} == {
        (9, "2026年计划完成投资"),
        (10, "项目名称"),
    }


def test_rows_match_by_project_code_before_name(world, plan):
    world.project_a.code = "2020-440104-70-01-012345"
    world.project_a.save()
    header = [*HEADER_3, "项目代码"]
    sub = [*SUB_HEADER_3, None]
    body = [
        *row3(
            "滨河路改造工程（一期）",
            total=12000,
            amount=5,
            cumulative=5,
            ytd=5,
            responsible="区住房和城乡建设局",
        ),
        "2020-440104-70-01-012345",
    ]
    result = run(workbook([header, sub, body], ("L1:P1",)), world.coordinator)
    assert result.errors == []
    world.project_a.refresh_from_db()
    assert world.project_a.name == "滨河路改造工程（一期）"
    assert world.project_a.version == 2, "edit forms see that the project changed"
    assert Project.objects.count() == 2
    log = OperationLog.objects.get(project=world.project_a, action=OperationLog.Action.UPDATE)
    assert log.changes["项目名称"] == ["滨河路改造工程", "滨河路改造工程（一期）"]


def test_table1_creates_projects_in_a_new_plan_with_procedures(world):
    header = [
        "序号",
        "项目名称",
        "行业领域",
        "建设内容及规模",
        "建设年限",
        "建设地点",
        "总投资",
        "签约情况",
        "手续办理进展",
        "拆迁进展",
        "存在问题",
        "责任单位",
        "项目单位",
        "项目单位联系人及电话",
    ]
    body = [
        1,
        "城南物流园",
        "商贸物流",
        "仓储10万平方米",
        "2026-2028",
        "城关街道",
        "50000",
        "已签约",
        "审批核准备案：已办结；用地审批：办理中",
        "完成80%",
        "用地指标不足",
        "城关街道办事处",
        "城关科技有限公司",
        "赵六 0375-1234567",
    ]
    content = workbook([["示范区2026年前期项目谋划表"], ["单位：万元"], header, body])
    result = import_table(content, "附件1.xlsx", year=YEAR, level="city", user=world.coordinator, commit=True)
    assert result.errors == [] and result.table_number == 1
    project = Project.objects.get(name="城南物流园")
    assert project.owner_contact is not None
    assert project.status == "preliminary" and project.owner_contact.phone == "0375-1234567"
    assert PlanEntry.objects.get(project=project).plan.level == "city"
    statuses = dict(project.procedures.values_list("type__code", "status"))
    assert statuses == {"approval": "done", "land": "in_progress"}


def test_table2_infers_the_responsible_unit_from_the_owner(world):
    header = [
        "序号",
        "项目名称",
        "行业领域",
        "建设单位",
        "建设规模和主要内容",
        "项目实施地点",
        "总投资",
        "建设起止年限",
        "2026年投资目标",
        "前期进展情况（必须填写详细，不能留空格）",
        None,
        None,
        None,
        "项目进展情况",
        "项目单位联系人及电话",
        "备注",
    ]
    sub = [None] * 9 + ["审批、核准、备案", "环评", "土地", "规划"] + [None] * 3
    body = [
        1,
        "城关学校",
        "教育",
        "城关科技有限公司",
        "教学楼",
        "城关",
        9000,
        "2026-2027",
        4000,
        "已办结",
        "无需办理",
        "办理中",
        "未启动",
        "开工准备",
        "",
        "新开工",
    ]
    merges = tuple(f"{c}1:{c}2" for c in "ABCDEFGHINOP") + ("J1:M1",)
    content = workbook([header, sub, body], merges)
    result = import_table(
        content, "附件2.xlsx", year=YEAR, level="local", user=world.coordinator, commit=True
    )
    assert result.errors == [], result.errors
    project = Project.objects.get(name="城关学校")
    assert project.responsible_unit == world.town
    assert any("上级单位" in warning.message for warning in result.warnings)
    entry = project.plan_entries.get()
    assert (entry.plan_type, entry.annual_investment, entry.note) == ("new_start", Decimal("4000"), "新开工")
    statuses = dict(project.procedures.values_list("type__code", "status"))
    assert statuses == {
        "approval": "done",
        "eia": "not_needed",
        "land": "in_progress",
        "land_planning": "not_started",
    }


def test_procedure_text_is_read_generously(world, plan):
    ProcedureType.objects.filter(code="eia").update(table_column="环评审批手续")
    content = table3(
        row3(
            "滨河路改造工程",
            total=12000,
            amount=1,
            cumulative=1,
            ytd=1,
            land="正在办理中",
            approval="不涉及",
            responsible="区住房和城乡建设局",
        )
    )
    result = run(content, world.coordinator)
    assert result.errors == []
    statuses = dict(Procedure.objects.values_list("type__code", "status"))
    assert statuses == {"land": "in_progress", "approval": "not_needed"}


def test_an_import_announces_its_accepted_reports_once(world, plan):
    from progress.signals import report_accepted

    received = []

    def listener(sender, report, **kwargs):
        received.append(report.project_id)

    report_accepted.connect(listener)
    try:
        content = table3(
            row3(
                "滨河路改造工程", total=12000, amount=1, cumulative=1, ytd=1, responsible="区住房和城乡建设局"
            ),
            row3(
                "城关智能制造产业园", total=56000, amount=2, cumulative=2, ytd=2, responsible="城关街道办事处"
            ),
        )
        assert run(content, world.coordinator).errors == []
    finally:
        report_accepted.disconnect(listener)
    assert len(received) == 1, "one warning scan for the whole table, not one per row"


def test_build_years_are_normalised_and_checked_row_by_row(world, plan):
    """The same 建设年限 down a table is read once; each row still gets its own verdict."""
    result = run(
        table3(
            row3(world.project_a.name, years="2025—2027", amount=100),
            row3(world.project_b.name, years="2028-2026", amount=100),
            row3("新建仓储物流园", years="2028-2026", total=9000, responsible="区住房和城乡建设局"),
        ),
        world.coordinator,
        commit=False,
    )
    problems = [(issue.row, issue.message) for issue in result.errors if "建设年限" in issue.column]
    assert problems == [
        (10, "建设年限的结束年份不能早于开始年份。"),
        (11, "建设年限的结束年份不能早于开始年份。"),
    ]
    result = run(table3(row3(world.project_a.name, years="2025—2027", amount=100)), world.coordinator)
    assert result.committed, result.errors
    world.project_a.refresh_from_db()
    assert world.project_a.build_years == "2025-2027"


def test_an_import_brings_the_rollup_of_later_years_up_to_date(world):
    """December 2025 imported after January 2026 was accepted: January's totals and its rollup follow."""
    project = world.project_a
    for year, month, amount, ytd, cumulative, opening in (
        (2025, 11, "500", "500", "1500", True),
        (2026, 1, "40", "40", "1540", False),
    ):
        Report.objects.create(
            project=project,
            year=year,
            month=month,
            amount=Decimal(amount),
            year_to_date=Decimal(ytd),
            cumulative=Decimal(cumulative),
            is_opening=opening,
            deadline=Period(year, month).deadline,
            state=ReportState.ACCEPTED,
        )
    refresh_projects([project.pk])
    header_2025 = [h.replace("2026", "2025") if isinstance(h, str) else h for h in HEADER_3]
    content = table3(row3(project.name, amount=60, ytd=560, cumulative=1560), header=header_2025)
    result = import_table(
        content,
        "附件3.xlsx",
        year=2025,
        level="local",
        period=Period(2025, 12),
        user=world.coordinator,
        commit=True,
    )
    assert result.committed, result.errors
    january = MonthlyProgress.objects.get(project=project, year=2026, month=1)
    assert (january.year_to_date, january.cumulative) == (Decimal("40.00"), Decimal("1600.00"))
    december = YearProgress.objects.get(project=project, year=2025)
    assert (december.ytd_11, december.ytd_12) == (Decimal("500.00"), Decimal("560.00"))


def test_the_cycle_collector_runs_again_after_an_import_even_a_failed_one(world, plan, monkeypatch):
    content = table3(row3(world.project_a.name, amount=30, ytd=30, cumulative=1030))
    assert run(content, world.coordinator, commit=False).ok
    assert gc.isenabled()

    def broken(checked):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "write", broken)
    with pytest.raises(RuntimeError):
        run(content, world.coordinator)
    assert gc.isenabled()


def test_imported_entries_count_once_across_the_levels(world, plan):
    """A project a table puts on the city list counts there until the local list takes it in."""
    header = ["序号", "项目名称", "行业领域", "建设年限", "总投资", "签约情况", "手续办理进展", "责任单位"]
    body = [1, "城南物流园", "商贸物流", "2026-2028", "50000", "已签约", "", "城关街道办事处"]
    content = workbook([["示范区2026年前期项目谋划表"], ["单位：万元"], header, body])
    for level in ("city", "local"):
        result = import_table(
            content, "附件1.xlsx", year=YEAR, level=level, user=world.coordinator, commit=True
        )
        assert result.errors == []
        levels = dict(
            PlanEntry.objects.filter(project__name="城南物流园").values_list("plan__level", "counted")
        )
        assert levels == ({"city": True} if level == "city" else {"city": False, "local": True})


def test_a_half_monthly_row_with_new_text_still_reports_the_last_part(world, plan):
    """The earlier half already makes up the month's amount, but the table brings a new 形象进度:
    the last half is reported with it (and nothing more)."""
    world.project_a.report_frequency = "half_monthly"
    world.project_a.save()
    add_report(world.project_a, 2, "100", "100", "1100", is_opening=True, frequency="half_monthly", part=2)
    add_report(world.project_a, 3, "40", "140", "1140", frequency="half_monthly", part=1)
    row = row3("滨河路改造工程", total=12000, amount=40, cumulative=1140, ytd=140, progress="主体封顶")
    assert run(table3(row), world.coordinator).errors == []
    second = Report.objects.get(month=3, part=2)
    assert (second.amount, second.progress_text, second.state) == (Decimal("0"), "主体封顶", "accepted")


def test_an_adjustment_being_prepared_keeps_the_plan_in_force_as_it_is(world, plan):
    """While a draft adjustment exists, the plan in force is read-only: an import may report
    progress, but neither adds projects to the plan nor changes its entries."""
    plan.adjust(by=world.coordinator)
    header = ["序号", "项目名称", "行业领域", "建设年限", "总投资", "签约情况", "手续办理进展", "责任单位"]
    body = [1, "城南物流园", "商贸物流", "2026-2028", "50000", "已签约", "", "城关街道办事处"]
    content = workbook([["示范区2026年前期项目谋划表"], ["单位：万元"], header, body])
    result = import_table(
        content, "附件1.xlsx", year=YEAR, level="local", user=world.coordinator, commit=True
    )
    assert [issue.message for issue in result.errors] == [
        "第2版调整方案正在编制、尚未下达，现行第1版计划不能通过导入新增计划项目；请在调整方案中修改并下达后再导入"
    ]
    row = row3("滨河路改造工程", total=12000, amount=100, cumulative=2100, ytd=100, annual=9999)
    result = run(table3(row), world.coordinator)
    assert [issue.column for issue in result.errors] == ["2026年计划完成投资"]
    assert PlanEntry.objects.get(plan=plan, project=world.project_a).annual_investment == Decimal("3000")
    # Figures alone go in as ever.
    row = row3("滨河路改造工程", total=12000, amount=100, cumulative=2100, ytd=100, annual=3000)
    assert run(table3(row), world.coordinator).errors == []
