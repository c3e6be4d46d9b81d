"""Bulletins as Word documents in the GB/T 9704 layout, and as PDF through LibreOffice."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from bulletins.charts import category_chart, monthly_chart
from bulletins.drafting import yi
from bulletins.models import Bulletin, BulletinKind

TITLE_FONT = "方正小标宋简体"  # 二号 = 22 pt
BODY_FONT = "仿宋_GB2312"  # 三号 = 16 pt
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"  # 四号 = 14 pt
RED = RGBColor(0xE6, 0x00, 0x12)


class PdfUnavailable(Exception):
    """LibreOffice is not installed, or the conversion failed."""


def _font(run: Any, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)


def _paragraph(
    document: Any,
    text: str,
    font: str = BODY_FONT,
    size: float = 16,
    *,
    align: Any = None,
    indent: bool = True,
    bold: bool = False,
    color: RGBColor | None = None,
    space_after: float = 0,
) -> Any:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(29)
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), font, size, bold, color)
    return paragraph


def _red_rule(paragraph: Any) -> None:
    """The red line under the masthead (版头中的分隔线)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def _page_number(footer: Any, align: Any) -> None:
    """ "— 1 —" in 4号宋体, odd pages on the right, even on the left (GB/T 9704 7.5)."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    _font(paragraph.add_run("— "), PAGE_NUMBER_FONT, 14)
    run = paragraph.add_run()
    _font(run, PAGE_NUMBER_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, 14)


def _table(document: Any, headers: list[str], rows: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(header), HEADING1_FONT, 10.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, 10.5)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph()


def _caption(document: Any, text: str) -> None:
    _paragraph(document, text, HEADING2_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


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
    from assessment.views import praise_and_pressure

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
    return [
        ("表1 分级别完成情况", ["计划级别", *headers[1:]], level_rows),
        ("表2 分类别完成情况", ["项目类别", *headers[1:]], category_rows),
        (
            "表3 责任单位完成投资排名",
            ["名次", "责任单位", "年度计划投资（亿元）", "完成投资（亿元）", "完成率", "通报"],
            ranking_rows,
        ),
    ]


def render_docx(bulletin: Bulletin) -> bytes:
    """The bulletin as .docx: A4, GB/T 9704 margins, fonts and page numbers."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    if bulletin.kind == BulletinKind.BRIEF:
        _paragraph(
            document,
            bulletin.issuer,
            TITLE_FONT,
            22,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
            color=RED,
        )
        _paragraph(
            document,
            "简  报",
            TITLE_FONT,
            42,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
            color=RED,
            space_after=6,
        )
        _paragraph(
            document,
            f"（{bulletin.number_label}）",
            BODY_FONT,
            16,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
        )
        line = _paragraph(
            document,
            f"{bulletin.issuer}\u3000\u3000{bulletin.issue_date.year}年{bulletin.issue_date.month}月{bulletin.issue_date.day}日",
            BODY_FONT,
            14,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
            space_after=12,
        )
        _red_rule(line)
    _paragraph(
        document,
        bulletin.title,
        TITLE_FONT,
        22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        space_after=16,
    )
    if bulletin.kind == BulletinKind.MONTHLY:
        _paragraph(document, settings.BULLETIN_RECIPIENTS, BODY_FONT, 16, indent=False)

    figures = bulletin.figures
    charted = False
    for part in bulletin.sections:
        heading = part.get("heading", "")
        if heading:
            font = HEADING1_FONT if part.get("level", 1) == 1 else HEADING2_FONT
            _paragraph(document, heading, font, 16)
        for text in part.get("paragraphs", []):
            if text.strip():
                _paragraph(document, text.strip(), BODY_FONT, 16)
        if not charted and part.get("paragraphs") and figures.get("monthly"):
            charted = True
            image = monthly_chart(figures)
            if image:
                document.add_picture(io.BytesIO(image), width=Mm(150))
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _caption(document, f"图1 {figures['period']['year']}年累计完成投资与时间进度")
            image = category_chart(figures)
            if image:
                document.add_picture(io.BytesIO(image), width=Mm(110))
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _caption(document, "图2 分类别完成投资")

    if figures:
        _paragraph(document, "附表", HEADING1_FONT, 16, indent=False)
        for caption, headers, rows in tables_of(figures):
            _caption(document, caption)
            _table(document, headers, rows)

    date = bulletin.issue_date
    _paragraph(document, "", indent=False)
    _paragraph(document, bulletin.issuer, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(
        document,
        f"{date.year}年{date.month}月{date.day}日",
        BODY_FONT,
        16,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
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
