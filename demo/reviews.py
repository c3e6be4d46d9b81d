"""Demo review rounds (观摩点评): one a half-year since last year, held at the end of June and in
mid-December when the demo's day has passed them, each visiting projects under construction of
every town, scored by a panel of district leaders and officials."""

import random
from datetime import date, timedelta
from decimal import Decimal

from demo.shared import Cast, moment, reference_day
from org.models import Person
from plans.models import Plan, PlanEntry
from projects.choices import ProjectStatus
from projects.models import Project
from reviews.choices import DEFAULT_CRITERIA, Half
from reviews.models import Criterion, Round, Score, Sheet, Stop

# Projects a town shows on a round, and how many reviewers sit on the panel.
PER_TOWN = (1, 3)
PANEL = 5
REMARKS = [
    "项目推进有力，现场管理规范，形象进度明显。",
    "建设进度符合计划，要素保障到位，需加快设备安装。",
    "前期手续办理较慢，需倒排工期，加快推进。",
    "施工组织有序，安全文明施工措施落实到位。",
    "投资完成进度滞后，需加大人员和机械投入。",
]
SHEET_REMARKS = ["进度快", "亮点突出", "形象进度好", "需加快进度", "管理规范", ""]


def build(rng: random.Random, today: date) -> dict[str, int]:
    """The rounds held by the demo's day, with their stops, sheets and remarks; returns counts."""
    as_of = reference_day(today)
    counts = {"observation_rounds": 0, "observation_stops": 0, "observation_sheets": 0}
    office = Cast.load().coordinator
    panel = list(
        Person.objects.filter(user__role__in=["leader", "coordinator"], is_active=True).order_by("pk")
    )
    panel = panel[:PANEL] or list(Person.objects.filter(is_active=True).order_by("pk")[:PANEL])
    if not panel:
        return counts
    for year in (today.year - 1, today.year):
        for half, held in ((Half.FIRST, date(year, 6, 26)), (Half.SECOND, date(year, 12, 16))):
            held -= timedelta(days=max(held.weekday() - 4, 0))  # on a weekday
            if held > as_of:
                continue
            projects = visited(rng, year)
            if not projects:
                continue
            round = Round(
                year=year,
                half=half,
                held_on=held,
                title=f"{year}年{half.label}重点项目观摩点评",
                trim_extremes=True,
                note="由区政府主要领导带队，分管领导、联席会议成员单位主要负责同志参加，现场观摩、现场点评、现场打分。",
                created_by=office,
            )
            round.save()
            Round.objects.filter(pk=round.pk).update(created_at=moment(rng, held - timedelta(days=10)))
            round.reviewers.set(panel)
            criteria = [
                Criterion.objects.create(round=round, name=name, max_points=points, sort_order=i)
                for i, (name, points) in enumerate(DEFAULT_CRITERIA)
            ]
            counts["observation_rounds"] += 1
            for order, project in enumerate(projects, start=1):
                stop = Stop.objects.create(
                    round=round,
                    project=project,
                    town=project.town,
                    sort_order=order,
                    comment=rng.choice(REMARKS),
                )
                counts["observation_stops"] += 1
                quality = rng.uniform(0.62, 0.95)
                scores = []
                for person in panel:
                    sheet = Sheet.objects.create(
                        stop=stop,
                        reviewer=person,
                        comment=rng.choice(SHEET_REMARKS),
                        entered_by=office,
                        entered_at=moment(rng, held),
                    )
                    counts["observation_sheets"] += 1
                    for criterion in criteria:
                        share = min(max(quality + rng.uniform(-0.08, 0.08), 0.3), 1.0)
                        points = Decimal(round_half(float(criterion.max_points) * share))
                        scores.append(Score(sheet=sheet, criterion=criterion, points=points))
                Score.objects.bulk_create(scores)
    return counts


def round_half(value: float) -> str:
    """A score to the half point, as reviewers write them."""
    return f"{round(value * 2) / 2:.1f}"


def visited(rng: random.Random, year: int) -> list[Project]:
    """Projects under construction on the year's plans, one to three from each town."""
    on_plans = PlanEntry.objects.filter(plan__in=Plan.objects.in_force().filter(year=year)).values(
        "project_id"
    )
    candidates = list(
        Project.objects.filter(pk__in=on_plans, town__isnull=False)
        .filter(status__in=[ProjectStatus.CONSTRUCTION, ProjectStatus.COMPLETED])
        .order_by("town_id", "-total_investment", "pk")
    )
    by_town: dict[int, list[Project]] = {}
    for project in candidates:
        by_town.setdefault(project.town_id, []).append(project)  # type: ignore[arg-type]  # filtered to projects with a town
    chosen = []
    for town_projects in by_town.values():
        top = town_projects[:6]
        chosen.extend(rng.sample(top, min(len(top), rng.randint(*PER_TOWN))))
    return chosen
