"""Plain .xlsx exports of lists: a title line, a bold frozen header, sensible widths."""

import io
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def build_workbook(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], money_columns: Sequence[int] = ()
) -> bytes:
    """An .xlsx of one sheet; user text never becomes a formula."""
    buffer = io.BytesIO()
    write_workbook(buffer, title, headers, rows, money_columns, in_memory=True)
    return buffer.getvalue()


def write_workbook(
    target: IO[bytes],
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    money_columns: Sequence[int] = (),
    in_memory: bool = False,
) -> None:
    """Write an .xlsx of one sheet to `target`. Not `in_memory`, each row goes to a temporary file
    as it is written, so that the rows are never all held at once."""
    book = xlsxwriter.Workbook(
        target,
        {
            "in_memory": in_memory,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(title[:31].replace("/", "-") or "Sheet1")
    title_format = book.add_format({"bold": True, "font_size": 14})
    header_format = book.add_format(
        {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    money_format = book.add_format({"num_format": "#,##0.00"})
    sheet.write_string(0, 0, title, title_format)
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, header_format)
        sheet.set_column(
            col, col, max(10, min(40, len(header) * 2 + 4)), money_format if col in money_columns else None
        )
    sheet.freeze_panes(2, 0)
    for row_index, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            value = _cell(value)
            if isinstance(value, str):
                sheet.write_string(row_index, col, value)
            else:
                sheet.write(row_index, col, value)
    book.close()


def xlsx_file_response(
    filename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    money_columns: Sequence[int] = (),
) -> FileResponse:
    """An .xlsx of every row as an attachment sent in chunks from a temporary file: a list of a
    hundred thousand rows is written row by row and read back piece by piece, never whole in memory."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
    try:
        write_workbook(target, title, headers, rows, money_columns)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    response = FileResponse(target, content_type=XLSX_MIME)
    response["Content-Disposition"] = attachment_header(filename)
    return response


def attachment_header(filename: str) -> str:
    """Content-Disposition of an attachment whose Chinese file name survives every browser."""
    return f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    """An attachment response whose Chinese file name survives every browser."""
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = attachment_header(filename)
    return response
