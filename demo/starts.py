"""Demo collective start events (集中开工): up to three batches this year, each with the new-start
projects of this year's plans that actually started around its day, and one or two planned starts
that have not shown substantive construction since (未实质性开工).
"""

import random
from datetime import date, timedelta

from demo.shared import Cast, moment, reference_day
from plans.choices import PlanType
from plans.models import Plan, PlanEntry
from projects.choices import ProjectStatus
from projects.models import Project
from starts.models import StartEvent, StartEventProject

# Months of the quarterly batches (原则上每季度举行一次集中开工活动) and the order words of their names.
MONTHS = [3, 6, 9]
ORDINALS = ["一", "二", "三", "四"]
# A started project belongs to the batch held up to this many days after or before its start.
BEFORE, AFTER = 15, 55


def build(rng: random.Random, today: date) -> dict[str, int]:
    """This year's collective start events and their projects; returns counts."""
    as_of = reference_day(today)
    year = today.year
    counts = {"start_events": 0, "start_event_projects": 0, "start_events_stalled": 0}
    office = Cast.load().coordinator
    days = []
    for month in MONTHS:
        held = date(year, month, rng.randint(8, 25))
        held -= timedelta(days=max(held.weekday() - 4, 0))  # on a weekday
        if held <= as_of - timedelta(days=5):
            days.append(held)
    if not days:
        return counts
    new_starts = PlanEntry.objects.filter(
        plan__in=Plan.objects.in_force().filter(year=year), plan_type=PlanType.NEW_START
    ).values("project_id")
    projects = list(Project.objects.filter(pk__in=new_starts).select_related("town").order_by("pk"))
    members: dict[date, list[tuple[Project, str]]] = {day: [] for day in days}
    for project in projects:
        started = project.actual_start_date
        if started is None or started.year != year or rng.random() < 0.1:
            continue
        near = [d for d in days if -BEFORE <= (started - d).days <= AFTER]
        if near:
            members[min(near, key=lambda d: abs((started - d).days))].append((project, ""))
    # Planned to start, listed at a batch whose two-month check has passed, still not started.
    checked = [d for d in days if d <= as_of - timedelta(days=70)] or days[:1]
    waiting = [
        p
        for p in projects
        if p.actual_start_date is None and p.status in (ProjectStatus.PRELIMINARY, ProjectStatus.SUSPENDED)
    ]
    for project in rng.sample(waiting, min(len(waiting), rng.randint(1, 2))):
        members[checked[rng.randrange(len(checked))]].append((project, "计划同期开工，前期手续未办结"))
        counts["start_events_stalled"] += 1
    rows: list[StartEventProject] = []
    for number, day in enumerate([d for d in sorted(members) if members[d]], start=1):
        batch = members[day]
        main = max(
            (p for p, note in batch if not note), key=lambda p: p.total_investment, default=batch[0][0]
        )
        total = sum(p.total_investment for p, _note in batch)
        event = StartEvent(
            held_on=day,
            batch=f"{year}年第{ORDINALS[number - 1]}批重大项目集中开工活动",
            place=f"{main.name}建设现场",
            note=(
                f"主会场设在{main.name}建设现场，各街道、乡镇设分会场。"
                f"本批集中开工项目{len(batch)}个，总投资{total / 10000:.2f}亿元。"
            ),
            created_by=office,
            created_at=moment(rng, day - timedelta(days=7)),
        )
        event.save()
        counts["start_events"] += 1
        for project, note in batch:
            town = project.town.short_name if project.town else ""
            if not note:
                note = "主会场" if project.pk == main.pk else f"{town}分会场" if town else ""
            rows.append(StartEventProject(event=event, project=project, note=note))
    StartEventProject.objects.bulk_create(rows, batch_size=500)
    counts["start_event_projects"] = len(rows)
    return counts
