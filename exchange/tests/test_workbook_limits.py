"""Workbooks no one typed (a row that never ends, a cell longer than Excel allows, a tag of megabytes)
are refused with a Chinese message before calamine reads them, in bounded memory."""

import io
import re
import tracemalloc
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.conf import settings as django_settings
from openpyxl.worksheet.worksheet import Worksheet

from exchange import reader
from exchange.importer import import_table
from exchange.reader import check_file, read_table
from plans.models import Plan, PlanEntry
from progress.models import Report
from progress.periods import Period

MB = 1024 * 1024
YEAR = 2026
SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["序号", "项目名称", "总投资", "本月完成投资", "累计完成投资", "年度完成投资", "责任单位"]
GOOD = [1, "滨河路改造工程", 12000, 100, 2100, 100, "区住房和城乡建设局"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Kept import files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def calamine_must_not_run(monkeypatch):
    """A refusal comes from the file checks: calamine is never handed the file."""
    handed: list[object] = []

    class Calamine:
        @staticmethod
        def from_filelike(stream: object) -> None:
            handed.append(stream)
            raise ValueError("calamine stand-in")

    monkeypatch.setattr(reader, "CalamineWorkbook", Calamine)
    yield
    assert not handed, "calamine was handed a workbook the file checks should have refused"


def workbook(*rows: list[Any]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_part(content: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part of its package rewritten."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            archive.writestr(item, change(data) if item.filename == name else data)
    return buffer.getvalue()


def workbook_whose_row_never_ends(size: int = 390 * MB) -> bytes:
    """A workbook of a few megabytes whose sheet XML inflates to `size` bytes: one row, opened and
    never ended, of inline-string cells.

    The sheet is deflated as it is written, 1 MB at a time: the 390 MB never exist in memory.
    """
    source = zipfile.ZipFile(io.BytesIO(workbook(HEADER, GOOD)))
    cell = b'<c r="A1" t="inlineStr"><is><t>' + b"x" * 200 + b"</t></is></c>"
    piece = cell * (MB // len(cell))
    buffer = io.BytesIO()
    # Level 1 deflates 390 MB twice as fast as the default and still inflates about 110 times over.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for item in source.infolist():
            if item.filename != SHEET:
                archive.writestr(item, source.read(item))
        with archive.open(SHEET, "w") as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1">'
            )
            written = 0
            while written < size:
                written += sheet.write(piece)
    return buffer.getvalue()


def refusal(content: bytes) -> str:
    """The message of the one error an import of `content` is refused with."""
    result = import_table(content, "附件3.xlsx", year=YEAR, level="local", period=Period(YEAR, 3))
    assert not result.committed
    assert len(result.errors) == 1, result.errors
    return result.errors[0].message


def test_a_row_that_never_ends_is_refused_in_bounded_memory_before_calamine(calamine_must_not_run):
    content = workbook_whose_row_never_ends()
    sheet = zipfile.ZipFile(io.BytesIO(content)).getinfo(SHEET)
    # Small, and within the zip-bomb guards: only the row limit stands in its way.
    assert sheet.file_size >= 390 * MB
    assert len(content) < django_settings.IMPORT_MAX_BYTES
    assert sheet.file_size < django_settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    assert sheet.file_size < reader.MAX_RATIO * sheet.compress_size

    tracemalloc.start()
    try:
        message = refusal(content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert message == "工作表“Sheet”第1行的数据超过 4 MB，可能是恶意构造的文件，已拒绝导入"
    assert peak < 300 * MB, f"peak {peak / MB:.0f} MB"


def test_a_row_larger_than_the_setting_is_refused_naming_the_row(settings, calamine_must_not_run):
    settings.IMPORT_MAX_ROW_BYTES = 64 * 1024
    wide = [2, "宽行项目", *["很长的说明文字" * 150 for _ in range(40)]]
    assert "工作表“Sheet”第2行的数据超过 64 KB" in refusal(workbook(HEADER, wide))


def test_a_cell_over_32767_characters_is_refused_naming_the_cell(calamine_must_not_run):
    # Written into the XML by hand: openpyxl, like Excel, cuts a longer text to 32,767 characters.
    content = with_part(
        workbook(HEADER, [1, "LONG", 12000, 100, 2100, 100, "区住房和城乡建设局"]),
        SHEET,
        lambda xml: xml.replace(b"<t>LONG</t>", ("<t>" + "项" * 32_768 + "</t>").encode()),
    )
    assert refusal(content) == (
        "工作表“Sheet”单元格 B2 的内容有 32768 个字符，超过 Excel 单元格 32767 个字符的上限，"
        "可能是恶意构造的文件，已拒绝导入"
    )


def test_a_cell_of_exactly_32767_characters_is_read_whatever_its_xml_takes():
    # "&" is written "&amp;": 32,767 characters in 160 KB of XML, counted as Excel counts them.
    content = workbook(HEADER, [1, "滨河路改造工程", 12000, 100, 2100, 100, "&" * 32_767])
    parsed = read_table(content, "附件3.xlsx")
    assert parsed.rows[0].get("responsible_unit") == "&" * 32_767


def test_characters_are_counted_as_excel_counts_them():
    # Phonetic guides are not shown, "_x000D_" is one character, an emoji two (UTF-16, as Excel).
    assert reader.cell_length('<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh></si>'.encode()) == 2
    assert reader.cell_length(b"<is><t>a_x000D_b</t></is>") == 3
    assert reader.cell_length(b"<is><r><t>ab</t></r><r><rPr><b/></rPr><t>&amp;&#x4e00;</t></r></is>") == 4
    assert reader.cell_length("<is><t>😀</t></is>".encode()) == 2


def test_a_shared_string_over_32767_characters_is_refused(calamine_must_not_run):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, GOOD)
    book.close()
    content = with_part(
        buffer.getvalue(),
        "xl/sharedStrings.xml",
        lambda xml: xml.replace("<t>滨河路改造工程</t>".encode(), ("<t>" + "河" * 40_000 + "</t>").encode()),
    )
    assert "文件中有单元格的内容有 40000 个字符，超过 Excel 单元格 32767 个字符的上限" in refusal(content)


def test_a_shared_string_that_never_ends_is_refused(settings, calamine_must_not_run):
    settings.IMPORT_MAX_ROW_BYTES = 64 * 1024
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet().write_row(0, 0, HEADER)
    book.close()
    content = with_part(
        buffer.getvalue(), "xl/sharedStrings.xml", lambda xml: xml.replace(b"</sst>", b"<si><t>" + b"x" * MB)
    )
    assert "文件中有单元格的内容超过 64 KB" in refusal(content)


def test_a_text_of_megabytes_after_the_rows_is_refused(settings, calamine_must_not_run):
    # calamine holds a text or tag whole while it looks for merged cells after the rows.
    settings.IMPORT_MAX_ROW_BYTES = 64 * 1024
    content = with_part(
        workbook(HEADER, GOOD), SHEET, lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + b"x" * MB)
    )
    assert "工作表“Sheet”中有超过 64 KB 的单个标签或文本" in refusal(content)


def test_a_sheet_directory_of_megabytes_is_refused_before_it_is_parsed(calamine_must_not_run):
    padding = b"<!--" + b" " * (reader.MAX_DIRECTORY_BYTES + 1) + b"-->"
    content = with_part(
        workbook(HEADER, GOOD), "xl/workbook.xml", lambda xml: xml.replace(b"<sheets>", padding + b"<sheets>")
    )
    assert "工作表目录过大" in refusal(content)


def prefixed(content: bytes) -> bytes:
    """The workbook with its sheet's tags written with a namespace prefix (<x:row>), as some generators write them."""
    return with_part(
        content,
        SHEET,
        lambda xml: re.sub(rb"<(/?)(\w+)([\s/>])", rb"<\1x:\2\3", xml).replace(b'xmlns="', b'xmlns:x="'),
    )


@pytest.mark.parametrize("write", [lambda content: content, prefixed], ids=["plain", "prefixed"])
def test_the_scan_finds_the_same_rows_and_formulas_whatever_the_chunk_size(monkeypatch, write):
    rows = [[n, f"项目{n}", "=C1*2", n, "&<>" * n, "=SUM(A1:A2)" if n % 3 else ""] for n in range(300)]
    content = write(workbook(HEADER, *rows))
    whole = check_file(content, "附件3.xlsx")["Sheet"]
    assert whole.rows == 301
    assert len(whole.formulas_without_value) == 300 + 200
    # Chunks cut tags, rows and cells in two at every place.
    for size in (5, 61, 4096):
        monkeypatch.setattr(reader, "CHUNK_BYTES", size)
        assert check_file(content, "附件3.xlsx")["Sheet"] == whole


@pytest.mark.django_db
def test_a_normal_workbook_imports_under_a_tight_row_limit(settings, world):
    settings.IMPORT_MAX_ROW_BYTES = 16 * 1024
    plan = Plan.objects.create(year=YEAR, level="local", title="计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal(1)
    )
    result = import_table(
        workbook(HEADER, GOOD), "附件3.xlsx", year=YEAR, level="local", period=Period(YEAR, 3), commit=True
    )
    assert result.errors == []
    assert result.committed
    assert Report.objects.get().amount == Decimal(100)
