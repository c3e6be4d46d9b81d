"""Plain .xlsx exports of lists: a title line, a bold frozen header, sensible widths."""

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse
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
    book = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
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
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    """An attachment response whose Chinese file name survives every browser."""
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
