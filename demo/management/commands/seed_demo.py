"""seed_demo: build the demo district (units, accounts, projects, procedures, three-level plans), its
monthly reports, the records of the other modules (problems, meetings, supervision, milestones, pipeline,
collective starts, funding and elements) and the warnings."""

import calendar
import random
import time
from argparse import ArgumentParser
from datetime import date, datetime
from datetime import time as clock
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from alerts.choices import AlertState, Colour
from alerts.models import Alert, AlertEvent
from alerts.scan import run_scan
from demo.progress import build_reports
from demo.projects import DEMO_PASSWORD, DemoBuilder, flush_demo
from elements import cells as element_cells
from elements import funding_cells
from evaluation import cells as evaluation_cells
from figures import map_cells
from figures.cells import refresh as refresh_figures
from financing import cells as financing_cells
from forecast import cells as forecast_cells
from lib.sql import analyze
from progress.choices import ReportState
from progress.models import Report, period_seq
from projects.models import Project
from service.cells import refresh as refresh_leader_cells
from starts.cells import refresh as refresh_start_cells

# The apps whose `demo.<app>.build(rng, today)` fills their pages, in the order they run: supervision
# reads the problems, and the warnings read them all.
DEMO_APPS = (
    "problems",
    "supervision",
    "milestones",
    "pipeline",
    "starts",
    "elements",
    "disclosure",
    "service",
    "reviews",
    "financing",
    "evaluation",
    "portfolios",
)
# Up to this many projects the warnings are scanned at every month end of the year; above, at the last.
MONTHLY_SCANS = 1000


def build_modules(seed: int, today: date) -> dict[str, int]:
    """Each app's demo records, each from its own random stream, so that one does not shift another."""
    counts: dict[str, int] = {}
    for app in DEMO_APPS:
        if apps.is_installed(app):
            module = import_module(f"demo.{app}")
            counts.update(module.build(random.Random(f"{seed}:{app}"), today))
    return counts


def scan_history(today: date, monthly: bool = True) -> dict[str, int]:
    """The warning scan as the district would have run it: at the end of each month of the year so far
    (`monthly`; else of last month only), then on `today`. Each past scan's warnings and events carry
    that evening's time, so that the figures show warnings raised and closed (销号) month by month.
    Nobody is notified."""

    month_ends = [
        date(today.year, month, calendar.monthrange(today.year, month)[1])
        for month in range(1, today.month + 1)
    ]
    past = [day for day in month_ends if day < today]
    days = (past if monthly else past[-1:]) + [today]
    tz = ZoneInfo(settings.TIME_ZONE)
    for day in days:
        before = timezone.now()
        run_scan(day, notify=False)
        if day >= timezone.localdate():
            continue
        evening = datetime.combine(day, clock(22, 0), tzinfo=tz)
        Alert.objects.filter(opened_at__gte=before).update(opened_at=evening)
        Alert.objects.filter(escalated_at__gte=before).update(escalated_at=evening)
        Alert.objects.filter(closed_at__gte=before).update(closed_at=evening)
        AlertEvent.objects.filter(at__gte=before).update(at=evening)
    open_alerts = Alert.objects.filter(state=AlertState.OPEN)
    return {
        "scans": len(days),
        "alerts": Alert.objects.count(),
        "alerts_red": open_alerts.filter(colour=Colour.RED).count(),
        "alerts_yellow": open_alerts.filter(colour=Colour.YELLOW).count(),
    }


class Command(BaseCommand):
    help = (
        "生成演示数据：示范区的单位树、演示账号、重点项目、手续、状态变更、近三年省/市/区三级年度计划和月报，"
        "以及问题台账、调度会议、督查督办、节点计划、项目谋划、集中开工、资金与要素保障和红黄灯预警。"
        "同一 --seed 和 --year 在同一月份生成相同的数据。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--projects", type=int, default=180, help="项目个数（默认 180）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--year", type=int, default=None, help="当前计划年度（默认今年）")
        parser.add_argument("--if-empty", action="store_true", help="已有项目时什么也不做")
        parser.add_argument(
            "--flush", action="store_true", help="先删除已有的计划、项目、单位、业务记录和非超级用户账号"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["projects"]
        if count < 1:
            raise CommandError("--projects 至少为 1。")
        if not options["flush"] and Project.objects.exists():
            if options["if_empty"]:
                self.stdout.write("已有项目数据，未生成演示数据。")
                return
            raise CommandError("数据库中已有项目。使用 --flush 先清除，或用 --if-empty 跳过。")
        started = time.perf_counter()
        # One transaction: a failure anywhere leaves the database as it was, never half a demo.
        with transaction.atomic():
            if options["flush"]:
                removed = flush_demo()
                self.stdout.write(
                    f"已清除：项目 {removed['projects']} 个，计划 {removed['plans']} 个，"
                    f"单位 {removed['units']} 个，账号 {removed['users']} 个，业务记录 {removed['records']} 条。"
                )
            builder = DemoBuilder(projects=count, seed=options["seed"], year=options["year"])
            verbose = options["verbosity"] >= 2
            counts = builder.build(log=self.stdout.write if verbose else None)
            today = timezone.localdate()
            current = today if builder.year >= today.year else date(builder.year, 12, 31)
            reports = build_reports(current, seed=builder.seed)
            counts["reports"] = reports["reports"]
            extras = build_modules(builder.seed, current)
            if apps.is_installed("alerts"):
                extras.update(scan_history(current, monthly=count <= MONTHLY_SCANS))
            # The summaries' cells (figures, leaders, starts, elements, funding, financing,
            # evaluations, map, warnings) the demo's writes marked stale, built now rather than
            # on the first page.
            refresh_figures()
            refresh_leader_cells()
            refresh_start_cells()
            element_cells.SUMMARY.refresh()
            funding_cells.SUMMARY.refresh()
            financing_cells.SUMMARY.refresh()
            evaluation_cells.SUMMARY.refresh()
            map_cells.SUMMARY.refresh()
            if apps.is_installed("alerts"):
                from alerts import cells as alert_cells

                alert_cells.SUMMARY.refresh()
            # 年度目标预测 of the latest month with accepted reports, the month the dashboard opens on.
            latest = (
                Report.objects.filter(
                    state=ReportState.ACCEPTED, seq__lte=period_seq(current.year, current.month, 9)
                )
                .order_by("-seq")
                .values_list("year", "month")
                .first()
            )
            if latest is not None:
                forecast_cells.kept(*latest)
        # Pages read the demo the moment it is written, before autovacuum has looked at it.
        analyze()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成（种子 {builder.seed}，年度 {builder.year}，数据截至 {builder.as_of:%Y-%m-%d}）："
                f"单位 {counts['units']}，账号 {counts['users']}，项目 {counts['projects']}，"
                f"状态变更 {counts['status_changes']}，手续 {counts['procedures']}，"
                f"计划 {counts['plans']}，计划项目 {counts['plan_entries']}，月报 {counts['reports']}；用时 {elapsed:.1f} 秒。"
            )
        )
        self.stdout.write(self.describe(extras))
        self.stdout.write(f"演示账号密码均为 {DEMO_PASSWORD}，运行 manage.py demo_logins 查看账号列表。")

    @staticmethod
    def describe(c: dict[str, int]) -> str:
        def n(key: str) -> int:
            return c.get(key, 0)

        return (
            f"业务记录：问题 {n('problems')}（办理记录 {n('problem_events')}、评论 {n('comments')}），"
            f"调度会议 {n('meetings')}（议定事项 {n('matters')}），督办通知单 {n('notices')}（回复 {n('notice_replies')}），"
            f"现场督导 {n('inspections')}，节点 {n('milestones')}（{n('milestone_projects')} 个项目），"
            f"谋划项目 {n('pipeline_entries')}（审查 {n('review_rounds')} 轮），"
            f"集中开工 {n('start_events')} 次（项目 {n('start_event_projects')} 个），"
            f"资金记录 {n('funding_records')}（专项债 {n('special_bonds')}），要素需求 {n('element_needs')}，"
            f"现场照片 {n('photos')}（公开 {n('photos_public')}），"
            f"首席服务员专班 {n('teams')} 个（成员 {n('team_members')}），服务台账 {n('services')} 条，"
            f"观摩点评 {n('observation_rounds')} 次（项目 {n('observation_stops')} 个、评分表 {n('observation_sheets')} 份），"
            f"融资需求 {n('financing_needs')}（对接活动 {n('financing_events')} 次、签约 {n('financing_signings')} 笔），"
            f"项目后评价 {n('evaluations')} 个（典型案例 {n('evaluation_cases')} 个），"
            f"项目清单 {n('project_lists')} 个（项目 {n('list_items')} 个）；"
            f"预警 {n('alerts')} 条（{n('scans')} 次扫描，在亮红灯 {n('alerts_red')}、黄灯 {n('alerts_yellow')}）。"
        )
