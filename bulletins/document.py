"""Bulletins as Word documents in the GB/T 9704 layout, and as PDF through LibreOffice."""

import io
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm

from assessment.views import praise_and_pressure
from bulletins.charts import category_chart, monthly_chart
from bulletins.drafting import yi
from bulletins.models import Bulletin, BulletinKind
from lib.officedoc import (
    BODY_FONT,
    CENTER,
    HEADING_FONT,
    RED,
    RIGHT,
    SUBHEADING_FONT,
    TITLE_FONT,
    new_document,
    paragraph,
    red_rule,
    set_font,
)


class PdfUnavailable(Exception):
    """LibreOffice is not installed, or the conversion failed."""


def _table(document: Any, headers: list[str], rows: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        set_font(cell.paragraphs[0].add_run(header), HEADING_FONT, 10.5)
        cell.paragraphs[0].alignment = CENTER
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            set_font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, 10.5)
            cell.paragraphs[0].alignment = CENTER
    document.add_paragraph()


def _caption(document: Any, text: str) -> None:
    paragraph(document, text, SUBHEADING_FONT, 14, align=CENTER, indent=False)


def tables_of(figures: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The tables of a bulletin, from its figures: by level, by category, the ranking."""
    level_rows = [
        [
            r["label"],
            r["count"],
            yi(r["annual_plan"]),
            yi(r["completed"]),
            f"{r['completion_rate']}%" if r["completion_rate"] is not None else "—",
        ]
        for r in figures["by_level"]
    ]
    category_rows = [
        [
            r["label"],
            r["count"],
            yi(r["annual_plan"]),
            yi(r["completed"]),
            f"{r['completion_rate']}%" if r["completion_rate"] is not None else "—",
        ]
        for r in figures["by_category"]
    ]

    ranking = figures["ranking_units"]
    first, last = praise_and_pressure(ranking)
    ranking_rows = [
        [
            r["rank"],
            r["name"],
            yi(r["annual_plan"]),
            yi(r["completed"]),
            f"{r['completion_rate']}%" if r["completion_rate"] is not None else "—",
            "激励" if r["unit_id"] in first else "鞭策" if r["unit_id"] in last else "",
        ]
        for r in ranking
    ]
    headers = ["项目", "项目数（个）", "年度计划投资（亿元）", "完成投资（亿元）", "完成率"]
    tables = [
        ("表1 分级别完成情况", ["计划级别", *headers[1:]], level_rows),
        ("表2 分类别完成情况", ["项目类别", *headers[1:]], category_rows),
        (
            "表3 责任单位完成投资排名",
            ["名次", "责任单位", "年度计划投资（亿元）", "完成投资（亿元）", "完成率", "通报"],
            ranking_rows,
        ),
    ]
    behind = figures.get("behind") or []
    if behind:
        tables.append((
            "表4 慢于时间进度的项目",
            ["项目名称", "责任单位", "年度计划投资（万元）", "完成投资（万元）", "完成率", "慢于时间进度（个百分点）"],
            [[r["name"], r["unit"], r["annual_plan"], r["completed"], f"{r['completion_rate']}%" if r["completion_rate"] is not None else "—",
              abs(Decimal(str(r["ahead_points"]))) if r["ahead_points"] is not None else "—"] for r in behind],
        ))  # fmt: skip
    alerts = figures.get("alerts")
    if alerts and alerts.get("raised"):
        names = figures.get("rule_names", {})
        tables.append((
            "表5 红黄灯预警情况",
            ["预警规则", "累计预警（个）", "在亮（个）", "已销号（个）", "销号率"],
            [[names.get(code, code), r["raised"], r["open"], r["closed"], f"{r['closure_rate']}%"] for code, r in alerts["by_rule"].items()]
            + [["合计", alerts["raised"], alerts["open"], alerts["closed"], f"{alerts['closure_rate']}%"]],
        ))  # fmt: skip
    problems = figures.get("problems")
    if problems and problems.get("raised"):
        tables.append((
            "表6 问题台账办理情况",
            ["累计问题（个）", "已销号（个）", "超期未办结（个）", "销号率"],
            [[problems["raised"], problems["solved"], problems["overdue"], f"{problems['closure_rate']}%"]],
        ))  # fmt: skip
    return tables


def red_head(document: Any, bulletin: Bulletin) -> None:
    """版头 (GB/T 9704 §7.2): the 发文机关标志 in red 小标宋, centred; the 发文字号 centred under it in
    仿宋 三号; the red separator line under that."""
    paragraph(
        document,
        settings.BULLETIN_HEADER,
        TITLE_FONT,
        36 if len(settings.BULLETIN_HEADER) <= 12 else 26,
        align=CENTER,
        indent=False,
        color=RED,
        space_after=24,
    )
    line = paragraph(document, bulletin.doc_number, BODY_FONT, 16, align=CENTER, indent=False, space_after=24)
    red_rule(line)


def render_docx(bulletin: Bulletin) -> bytes:
    """The bulletin as .docx: A4, GB/T 9704 margins, fonts and page numbers."""
    document = new_document()
    if bulletin.kind == BulletinKind.BRIEF:
        paragraph(
            document,
            bulletin.issuer,
            TITLE_FONT,
            22,
            align=CENTER,
            indent=False,
            color=RED,
        )
        paragraph(
            document,
            "简  报",
            TITLE_FONT,
            42,
            align=CENTER,
            indent=False,
            color=RED,
            space_after=6,
        )
        paragraph(
            document,
            f"（{bulletin.number_label}）",
            BODY_FONT,
            16,
            align=CENTER,
            indent=False,
        )
        line = paragraph(
            document,
            f"{bulletin.issuer}\u3000\u3000{bulletin.issue_date.year}年{bulletin.issue_date.month}月{bulletin.issue_date.day}日",
            BODY_FONT,
            14,
            align=CENTER,
            indent=False,
            space_after=12,
        )
        red_rule(line)
    elif bulletin.has_red_head:
        red_head(document, bulletin)
    paragraph(
        document,
        bulletin.title,
        TITLE_FONT,
        22,
        align=CENTER,
        indent=False,
        space_after=16,
    )
    if bulletin.kind == BulletinKind.MONTHLY:
        paragraph(document, settings.BULLETIN_RECIPIENTS, BODY_FONT, 16, indent=False)

    figures = bulletin.figures
    charted = False
    for part in bulletin.sections:
        heading = part.get("heading", "")
        if heading:
            font = HEADING_FONT if part.get("level", 1) == 1 else SUBHEADING_FONT
            paragraph(document, heading, font, 16)
        for text in part.get("paragraphs", []):
            if text.strip():
                paragraph(document, text.strip(), BODY_FONT, 16)
        if not charted and part.get("paragraphs") and figures.get("monthly"):
            charted = True
            image = monthly_chart(figures)
            if image:
                document.add_picture(io.BytesIO(image), width=Mm(150))
                document.paragraphs[-1].alignment = CENTER
                _caption(document, f"图1 {figures['period']['year']}年累计完成投资与时间进度")
            image = category_chart(figures)
            if image:
                document.add_picture(io.BytesIO(image), width=Mm(110))
                document.paragraphs[-1].alignment = CENTER
                _caption(document, "图2 分类别完成投资")

    if figures:
        paragraph(document, "附表", HEADING_FONT, 16, indent=False)
        for caption, headers, rows in tables_of(figures):
            _caption(document, caption)
            _table(document, headers, rows)

    date = bulletin.issue_date
    paragraph(document, "", indent=False)
    paragraph(document, bulletin.issuer, BODY_FONT, 16, align=RIGHT, indent=False)
    paragraph(
        document,
        f"{date.year}年{date.month}月{date.day}日",
        BODY_FONT,
        16,
        align=RIGHT,
        indent=False,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(content: bytes) -> bytes:
    """The same document as PDF, converted by LibreOffice headless."""
    binary = soffice()
    if binary is None:
        raise PdfUnavailable(_("服务器未安装 LibreOffice，无法生成 PDF；Word 文件可正常下载。"))
    with tempfile.TemporaryDirectory(prefix="kp-pdf-") as folder:
        source = Path(folder) / "bulletin.docx"
        source.write_bytes(content)
        profile = Path(folder) / "profile"
        try:
            subprocess.run(
                [
                    binary,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    folder,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
        except (subprocess.SubprocessError, OSError) as error:
            raise PdfUnavailable(_("PDF 转换失败：%(e)s") % {"e": error}) from error
        target = Path(folder) / "bulletin.pdf"
        if not target.exists():
            raise PdfUnavailable(_("PDF 转换没有产生文件。"))
        return target.read_bytes()
