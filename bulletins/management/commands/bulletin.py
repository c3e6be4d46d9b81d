"""python manage.py bulletin --kind {monthly,brief,annual} --year YYYY --month M [--level L] --out FILE.docx"""

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bulletins.charts import ChartFontMissing
from bulletins.document import PdfUnavailable, docx_to_pdf, render_docx
from bulletins.drafting import draft
from bulletins.models import Bulletin, BulletinKind
from plans.choices import PlanLevel


class Command(BaseCommand):
    help = "按统计数据起草通报/简报/年度报告并写出 .docx（--pdf 同时写出 PDF）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=BulletinKind.values, required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, default=12)
        parser.add_argument("--level", choices=PlanLevel.values, default="")
        parser.add_argument("--number", type=int, help="简报期号（默认1）")
        parser.add_argument("--out", required=True)
        parser.add_argument("--pdf", action="store_true", help="同时写出同名 PDF")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["month"] <= 12:
            raise CommandError("月份应在1到12之间。")
        drafted = draft(options["kind"], options["year"], options["month"], options["level"])
        bulletin = Bulletin(
            kind=options["kind"],
            year=options["year"],
            month=options["month"],
            level=options["level"],
            number=options["number"] or (1 if options["kind"] == BulletinKind.BRIEF else None),
            number_year=date.today().year,
            title=drafted["title"],
            sections=drafted["sections"],
            figures=drafted["figures"],
            issuer=settings.BULLETIN_ISSUER,
        )
        try:
            content = render_docx(bulletin)
        except ChartFontMissing as error:
            raise CommandError(str(error)) from error
        out = Path(options["out"])
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入 {out}：{error}") from error
        self.stdout.write(f"已写出 {out}（{len(content)} 字节）")
        if options["pdf"]:
            try:
                pdf = out.with_suffix(".pdf")
                pdf.write_bytes(docx_to_pdf(content))
                self.stdout.write(f"已写出 {pdf}")
            except PdfUnavailable as error:
                raise CommandError(str(error)) from error
