"""Word documents in the official layout (GB/T 9704): A4 with its margins, 方正小标宋 titles, 仿宋_GB2312
body, 黑体 headings, the issuing office and date bottom right, page numbers "— 1 —"."""

import io
from datetime import date
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT = "方正小标宋简体"  # 二号 = 22 pt
BODY_FONT = "仿宋_GB2312"  # 三号 = 16 pt
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"  # 四号 = 14 pt
TITLE_SIZE, BODY_SIZE = 22, 16
CENTER, RIGHT, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
RED = RGBColor(0xE6, 0x00, 0x12)


def chinese_date(day: date) -> str:
    """2026年5月6日."""
    return f"{day.year}年{day.month}月{day.day}日"


def set_font(run: Any, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    """A run's font for Chinese and Latin text alike: the east-asian name is what Word uses for 汉字."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)


def new_document() -> Any:
    """An empty A4 document with the official margins and "— 1 —" page numbers in the footer:
    odd pages on the right, even pages on the left (GB/T 9704 7.5)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], LEFT)
    return document


def paragraph(
    document: Any,
    text: str,
    font: str = BODY_FONT,
    size: float = BODY_SIZE,
    *,
    align: Any = None,
    indent: bool = True,
    bold: bool = False,
    color: RGBColor | None = None,
    space_after: float = 0,
) -> Any:
    """One paragraph at a fixed 28-point line pitch, indented two characters unless told not to."""
    para = document.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28 if size <= BODY_SIZE else size * 1.5)
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        para.alignment = align
    set_font(para.add_run(text), font, size, bold, color)
    return para


def labelled(document: Any, label: str, text: str) -> Any:
    """A body paragraph opening with a label in 黑体 ("办理时限：…")."""
    para = paragraph(document, "")
    set_font(para.add_run(label), HEADING_FONT, BODY_SIZE)
    set_font(para.add_run(text), BODY_FONT, BODY_SIZE)
    return para


def title(document: Any, text: str) -> Any:
    return paragraph(document, text, TITLE_FONT, TITLE_SIZE, align=CENTER, indent=False, space_after=12)


def heading(document: Any, text: str) -> Any:
    return paragraph(document, text, HEADING_FONT)


def body(document: Any, text: str) -> None:
    """Text as paragraphs, one per line; blank lines dropped."""
    for line in text.splitlines():
        if line.strip():
            paragraph(document, line.strip())


def signature(document: Any, office: str, day: date) -> None:
    """The issuing office and the date, bottom right, after two blank lines."""
    paragraph(document, "", indent=False)
    paragraph(document, "", indent=False)
    for text in (office, chinese_date(day)):
        para = paragraph(document, text, align=RIGHT, indent=False)
        para.paragraph_format.right_indent = Pt(BODY_SIZE * 2)


def red_rule(para: Any) -> None:
    """The red line under a masthead (版头中的分隔线)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    border.append(bottom)
    para._p.get_or_add_pPr().append(border)


def _page_number(para: Any, align: Any) -> None:
    para.alignment = align
    set_font(para.add_run("— "), PAGE_NUMBER_FONT, 14)
    run = para.add_run()
    set_font(run, PAGE_NUMBER_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    set_font(para.add_run(" —"), PAGE_NUMBER_FONT, 14)


def to_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_response(filename: str, content: bytes) -> HttpResponse:
    """An attachment response whose Chinese file name survives every browser."""
    response = HttpResponse(content, content_type=DOCX_MIME)
    response["Content-Disposition"] = (
        f"attachment; filename=\"document.docx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
