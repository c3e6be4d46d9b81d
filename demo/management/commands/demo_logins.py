"""demo_logins: print the demo accounts — user name, password, role, unit and what to try."""

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.projects import DEMO_ACCOUNTS, DEMO_PASSWORD
from org.choices import Role
from org.models import User


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


class Command(BaseCommand):
    help = "列出演示账号（用户名、密码、角色、单位、可以试试什么）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/",
            help="演示站点的地址（make demo 按其 HOST、PORT 传入），默认 http://127.0.0.1:8000/",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = options["url"].strip()
        if not site.startswith(("http://", "https://")):
            raise CommandError(f"站点地址应以 http:// 或 https:// 开头：{site}")
        login_url = site.rstrip("/") + "/login/"
        users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
        if not users:
            self.stdout.write("还没有演示账号：先运行 manage.py seed_demo。")
            return
        header = ("用户名", "密码", "角色", "单位", "可以试试")
        rows = []
        for account in DEMO_ACCOUNTS:
            user = users.get(account.username)
            unit = str(user.unit) if user is not None and user.unit_id else account.unit
            rows.append(
                (account.username, DEMO_PASSWORD, str(Role(account.role).label), unit, account.try_this)
            )
        widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
        line = "  ".join("-" * w for w in widths) + "  " + "-" * 20

        def render(row: tuple[str, ...]) -> str:
            return "  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]

        self.stdout.write(f"演示账号（{login_url}）")
        self.stdout.write(render(header))
        self.stdout.write(line)
        for row in rows:
            self.stdout.write(render(row))
        others = User.objects.filter(username__startswith="leader").exclude(username="leader").count()
        officers = User.objects.filter(username__startswith="officer").count()
        if others or officers:
            self.stdout.write(
                f"另有分包领导 leader02…（{others} 个）和首席服务员 officer01…（{officers} 个），密码相同。"
            )
