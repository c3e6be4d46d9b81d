"""Demo 项目清单 (seeds 002 and 003): the year's 关键项目清单 of the largest projects under way, a
百个前期 list of projects still in preparation, a 挂图作战 list of those due to start this year, and a
存量资产 ledger of finished projects with each asset's value and how it is to be put back to use.
"""

import random
from datetime import date
from decimal import Decimal

from demo.shared import reference_day
from portfolios.choices import DisposalMethod, ListKind
from portfolios.models import ListItem, ProjectList
from projects.choices import ProjectStatus
from projects.models import Project

KEY_NOTES = ["挂钩区领导联系推进", "纳入周调度会重点调度", "要素保障优先安排", "每月现场观摩"]
PRELIMINARY_NOTES = ["年内完成可研批复", "加快用地报批", "力争年内开工", "完成初步设计审查"]
WAR_MAP_NOTES = ["倒排工期、挂图作战", "按月销号推进", "责任单位主要负责人包保"]
DISPOSALS = [DisposalMethod.REITS, DisposalMethod.PPP, DisposalMethod.TRANSFER, DisposalMethod.OTHER]


def build(rng: random.Random, today: date) -> dict[str, int]:
    """Four lists of the demo district, each with its own note per project."""
    year = reference_day(today).year
    projects = Project.objects.order_by("pk")
    lists = [
        (
            f"{year}年关键项目清单",
            ListKind.KEY,
            "总投资最大的在建项目，区主要领导挂钩推进。",
            projects.filter(status=ProjectStatus.CONSTRUCTION).order_by("-total_investment", "pk")[:20],
            KEY_NOTES,
        ),
        (
            f"{year}年“百个前期”项目清单",
            ListKind.PRELIMINARY,
            "前期工作攻坚项目，按月调度可研、用地、规划等手续办理。",
            projects.filter(status=ProjectStatus.PRELIMINARY)[:100],
            PRELIMINARY_NOTES,
        ),
        (
            f"{year}年挂图作战任务清单",
            ListKind.WAR_MAP,
            "年内计划开工的项目，逐项明确开工节点和责任人。",
            projects.filter(planned_start_date__year=year)[:30],
            WAR_MAP_NOTES,
        ),
        (
            "存量资产台账",
            ListKind.STOCK_ASSETS,
            "已建成的存量资产，逐项明确盘活方式。",
            projects.filter(status__in=(ProjectStatus.COMPLETED, ProjectStatus.OPERATING))[:25],
            [],
        ),
    ]
    counts = {"project_lists": 0, "list_items": 0}
    for order, (name, kind, description, chosen, notes) in enumerate(lists):
        members = list(chosen)
        if not members:
            continue
        project_list = ProjectList.objects.create(
            name=name, kind=kind, description=description, sort_order=order
        )
        items = []
        for project in members:
            item = ListItem(
                project_list=project_list, project=project, note=rng.choice(notes) if notes else ""
            )
            if kind == ListKind.STOCK_ASSETS:
                share = Decimal(rng.randint(60, 95)) / 100
                item.asset_value = (project.total_investment * share).quantize(Decimal("0.01"))
                item.disposal_method = rng.choice(DISPOSALS)
            items.append(item)
        ListItem.objects.bulk_create(items, batch_size=2000)
        counts["project_lists"] += 1
        counts["list_items"] += len(items)
    return counts
