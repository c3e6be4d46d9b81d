"""import_table: import an official table (附件1/2/3) for a (year, level) plan and, for 附件3, a period."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exchange.importer import import_table, summary
from org.models import User
from plans.choices import PlanLevel
from progress.periods import Period


class Command(BaseCommand):
    help = (
        "导入附件1/2/3（前期项目谋划表、新建（竣工）项目情况表、在建项目进展情况表）。"
        "有任何错误时列出错误（行、列、原因），不写入任何数据，退出码为 1。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--year", type=int, required=True, help="计划年度")
        parser.add_argument("--level", choices=PlanLevel.values, required=True, help="计划级别")
        parser.add_argument("--period", help="报送期 YYYY-MM（附件3导入本月、累计、年度完成投资时需要）")
        parser.add_argument("--table", type=int, choices=[1, 2, 3], help="表格；不填时按表头自动识别")
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出将要发生的变化，不写入")
        parser.add_argument("--user", help="以该用户的身份和数据范围导入（默认：全部数据，不记录导入人）")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="表中系统不认识的单位、人员、字典值按建议处理（对应到已有条目并记为别名，或新建），并列出所做的处理",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.run(options)
        except CommandError:
            raise
        except Exception as error:  # the command line never shows a traceback
            raise CommandError(f"导入失败：{error}") from error

    def run(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        if path.stat().st_size > settings.IMPORT_MAX_BYTES:
            raise CommandError(f"文件过大：超过 {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB 的上限")
        try:
            period = Period.parse(options["period"]) if options["period"] else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        user = None
        if options["user"]:
            user = (
                User.objects.filter(username=options["user"], is_active=True).select_related("unit").first()
            )
            if user is None:
                raise CommandError(f"用户不存在或已停用：{options['user']}")
        dry_run = options["dry_run"]
        result = import_table(
            path.read_bytes(),
            path.name,
            year=options["year"],
            level=options["level"],
            period=period,
            table=options["table"],
            user=user,
            commit=not dry_run,
            create_missing=options["create_missing"],
        )
        for line in result.created.lines():
            self.stdout.write(line)
        for warning in result.warnings:
            self.stdout.write(f"提示 {_where(warning.row, warning.column, warning.message)}{warning.message}")
        if result.errors:
            for issue in result.errors:
                self.stderr.write(f"错误 {_where(issue.row, issue.column, issue.message)}{issue.message}")
            raise CommandError(f"导入失败：共 {len(result.errors)} 个错误，未写入任何数据。")
        prefix = "检查通过（--dry-run，未写入）" if dry_run else "导入完成"
        self.stdout.write(self.style.SUCCESS(f"{prefix}：附件{result.table_number}，{summary(result)}。"))


def _where(row: int | None, column: str, message: str) -> str:
    """ "第N行‘列’：" before a message that does not say where already."""
    if row and message.startswith(f"第{row}行"):
        return ""
    place = f"第{row}行" if row else ""
    if column:
        place += f"‘{column}’列"
    return f"{place}：" if place else ""
