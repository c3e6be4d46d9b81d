"""seed_demo: build the demo district (units, accounts, projects, procedures, three-level plans)."""

import time
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from progress.demo import build_reports
from projects.demo import DEMO_PASSWORD, DemoBuilder, flush_demo
from projects.models import Project


class Command(BaseCommand):
    help = (
        "生成演示数据：示范区的单位树、演示账号、重点项目、手续、状态变更和近三年省/市/区三级年度计划。"
        "同一 --seed 和 --year 在同一参考日生成相同的数据。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--projects", type=int, default=180, help="项目个数（默认 180）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--year", type=int, default=None, help="当前计划年度（默认今年）")
        parser.add_argument("--if-empty", action="store_true", help="已有项目时什么也不做")
        parser.add_argument(
            "--flush", action="store_true", help="先删除已有的计划、项目、单位和非超级用户账号"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["projects"]
        if count < 1:
            raise CommandError("--projects 至少为 1。")
        started = time.perf_counter()
        if options["flush"]:
            removed = flush_demo()
            self.stdout.write(
                f"已清除：项目 {removed['projects']} 个，计划 {removed['plans']} 个，"
                f"单位 {removed['units']} 个，账号 {removed['users']} 个。"
            )
        elif Project.objects.exists():
            if options["if_empty"]:
                self.stdout.write("已有项目数据，未生成演示数据。")
                return
            raise CommandError("数据库中已有项目。使用 --flush 先清除，或用 --if-empty 跳过。")

        builder = DemoBuilder(projects=count, seed=options["seed"], year=options["year"])
        verbose = options["verbosity"] >= 2
        counts = builder.build(log=self.stdout.write if verbose else None)
        today = timezone.localdate()
        current = today if builder.year >= today.year else date(builder.year, 12, 31)
        reports = build_reports(current, seed=builder.seed)
        counts["reports"] = reports["reports"]
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成（种子 {builder.seed}，年度 {builder.year}，数据截至 {builder.as_of:%Y-%m-%d}）："
                f"单位 {counts['units']}，账号 {counts['users']}，项目 {counts['projects']}，"
                f"状态变更 {counts['status_changes']}，手续 {counts['procedures']}，"
                f"计划 {counts['plans']}，计划项目 {counts['plan_entries']}，月报 {counts['reports']}；用时 {elapsed:.1f} 秒。"
            )
        )
        self.stdout.write(f"演示账号密码均为 {DEMO_PASSWORD}，运行 manage.py demo_logins 查看账号列表。")
