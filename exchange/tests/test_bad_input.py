"""Bad uploads: each gets a clear Chinese message and nothing is written."""

import io
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from audit.models import OperationLog
from exchange.importer import import_table
from exchange.models import ImportBatch
from plans.models import Plan, PlanEntry
from progress.models import Report, ReportRevision
from progress.periods import Period
from projects.models import Procedure, Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Kept import files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


YEAR = 2026
HEADER = ["序号", "项目名称", "总投资", "本月完成投资", "累计完成投资", "年度完成投资", "责任单位"]
GOOD = [1, "滨河路改造工程", 12000, 100, 2100, 100, "区住房和城乡建设局"]


def workbook(*rows: list[Any], formula: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(row)
    if formula:
        sheet[formula] = "=SUM(D3:D4)"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def everything() -> dict[str, int]:
    models = (Project, PlanEntry, Plan, Report, ReportRevision, Procedure, ImportBatch, OperationLog)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def plan(world):
    plan = Plan.objects.create(year=YEAR, level="local", title="计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal(1)
    )
    return plan


def attempt(content: bytes, user, name: str = "附件3.xlsx", table: int | None = None):
    before = everything()
    result = import_table(
        content, name, year=YEAR, level="local", period=Period(YEAR, 3), table=table, user=user, commit=True
    )
    assert everything() == before, "a refused import writes nothing"
    assert not result.committed
    return result


def only_message(result) -> str:
    assert result.errors, "the import must be refused"
    return result.errors[0].message


def test_a_file_that_is_not_excel(world, plan):
    assert "不是 Excel 文件" in only_message(attempt(b"name,total\n", world.coordinator, "附件3.csv"))
    assert "不是 Excel 文件" in only_message(attempt(b"plain text", world.coordinator))


def test_a_zip_that_is_not_a_workbook(world, plan):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "不是 Excel 工作簿" in only_message(attempt(buffer.getvalue(), world.coordinator))


def test_an_empty_workbook(world, plan):
    assert "工作簿是空的" in only_message(attempt(workbook(), world.coordinator))


def test_an_encrypted_workbook(world, plan):
    content = (
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 500
    )
    assert "文件已加密" in only_message(attempt(content, world.coordinator))


def test_an_old_xls_file_is_asked_to_be_saved_as_xlsx(world, plan):
    content = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 500 + "Workbook".encode("utf-16-le")
    assert ".xlsx" in only_message(attempt(content, world.coordinator, "附件3.xls"))


def test_a_corrupt_zip(world, plan):
    content = workbook([*HEADER], GOOD)
    assert "已损坏" in only_message(attempt(content[: len(content) // 2], world.coordinator))
    damaged = bytearray(content)
    middle = content.index(b"xl/worksheets/sheet1.xml") + 60
    damaged[middle : middle + 200] = b"\xff" * 200
    assert "已损坏" in only_message(attempt(bytes(damaged), world.coordinator))


def test_a_zip_bomb_is_refused_before_parsing(world, plan, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        source = zipfile.ZipFile(io.BytesIO(workbook([*HEADER], GOOD)))
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/media/padding.bin", b"\0" * (5 * 1024 * 1024))
    assert "恶意构造" in only_message(attempt(buffer.getvalue(), world.coordinator))


def test_too_many_rows(world, plan, settings):
    settings.IMPORT_MAX_ROWS = 5
    many = workbook([*HEADER], *([i, f"项目{i}", 1, 1, 1, 1, "区住房和城乡建设局"] for i in range(40)))
    assert "超过单次导入 5 行的上限" in only_message(attempt(many, world.coordinator))
    some = workbook([*HEADER], *([i, f"项目{i}", 1, 1, 1, 1, "区住房和城乡建设局"] for i in range(8)))
    assert "超过单次导入 5 行的上限" in only_message(attempt(some, world.coordinator))


def test_missing_required_columns_are_named(world, plan):
    content = workbook(
        ["序号", "项目名称", "总投资", "形象进度", "联审联批手续", "责任单位"],
        [1, "滨河路改造工程", 1, "", "", ""],
    )
    message = only_message(attempt(content, world.coordinator, table=3))
    assert "“本月完成投资”" in message and "“累计完成投资”" in message and "“年度完成投资”" in message


def test_no_header_at_all(world, plan):
    message = only_message(attempt(workbook(["一些说明"], ["另一行"]), world.coordinator))
    assert "未找到表头" in message


def test_text_in_an_amount_column(world, plan):
    result = attempt(
        workbook([*HEADER], [1, "滨河路改造工程", 12000, "约3000", 2100, 100, "区住房和城乡建设局"]),
        world.coordinator,
    )
    error = result.errors[0]
    assert (error.row, error.column) == (2, "本月完成投资")
    assert "“约3000”不是确定的数字" in error.message


def test_negative_amounts(world, plan):
    result = attempt(
        workbook([*HEADER], [1, "滨河路改造工程", 12000, -5, 2100, 100, "区住房和城乡建设局"]),
        world.coordinator,
    )
    assert (result.errors[0].row, result.errors[0].column) == (2, "本月完成投资")
    assert "不能为负数" in result.errors[0].message


def test_the_same_project_twice(world, plan):
    result = attempt(workbook([*HEADER], GOOD, [2, *GOOD[1:]]), world.coordinator)
    assert result.errors[0].row == 3 and "与第2行是同一个项目" in result.errors[0].message


def test_an_unknown_unit_is_one_error_naming_its_rows(world, plan):
    rows = [[n, f"新项目{n}", 100, 1, 1, 1, "区不存在局"] for n in (1, 2, 3)]
    result = attempt(workbook([*HEADER], *rows), world.coordinator)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (None, "责任单位", "单位“区不存在局”不存在（第2、3、4行）")
    ]


def test_a_formula_without_a_cached_value(world, plan):
    result = attempt(workbook([*HEADER], GOOD, formula="D2"), world.coordinator)
    error = result.errors[0]
    assert error.message == "第2行‘本月完成投资’列是公式但没有计算结果，请在 Excel 中打开并保存后再导入"
    assert (error.row, error.column) == (2, "本月完成投资")


def test_a_formula_with_its_cached_value_is_read(world, plan):
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, GOOD)
    sheet.write_formula(1, 3, "=50+50", None, 100)
    book.close()
    result = import_table(
        buffer.getvalue(), "a.xlsx", year=YEAR, level="local", period=Period(YEAR, 3), commit=True
    )
    assert result.errors == []
    assert Report.objects.get().amount == Decimal(100)


def test_roles_that_only_read_cannot_import(world, plan):
    assert "不能导入" in only_message(attempt(workbook([*HEADER], GOOD), world.leader))
