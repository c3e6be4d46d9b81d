"""Demo monthly reports: a plausible year of 月报 for every project under construction.

Past months are accepted; the current month is in every state the board knows (accepted,
submitted, returned, draft, not yet started), some submitted late. Figures follow from the
months exactly as in real use, and the monthly rollup is rebuilt at the end.
"""

import calendar
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from plans.models import Plan, PlanEntry
from progress.choices import ReportState
from progress.models import Report, period_seq
from progress.periods import Period, parts_in_month
from progress.rollup import refresh_projects
from projects.models import Project

CENT = Decimal("0.01")
# Share of a year's work done in each month: slow around the Spring Festival, fast in autumn.
SEASON = [0.04, 0.03, 0.07, 0.08, 0.09, 0.09, 0.09, 0.09, 0.1, 0.1, 0.11, 0.11]
PHASES = [
    (10, "场地平整、临时设施搭建"),
    (25, "桩基及基础施工"),
    (45, "主体结构施工"),
    (65, "主体结构封顶，开展二次结构施工"),
    (80, "机电安装及外立面施工"),
    (92, "室内装修及室外配套工程施工"),
    (100, "竣工验收准备"),
]
PROBLEMS = [
    "",
    "",
    "",
    "征地拆迁进度滞后",
    "资金到位不足",
    "施工许可办理中",
    "雨季影响施工进度",
    "管线迁改协调中",
]


def phase(percent: float) -> str:
    return next(text for limit, text in PHASES if percent <= limit)


def is_active(project: Project, year: int, month: int) -> bool:
    """On site during the month: started by its end, not completed before it began."""
    start, end = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    completed = project.actual_completion_date
    return bool(project.actual_start_date and project.actual_start_date <= end) and not (
        completed and completed < start
    )


def demo_report(
    rng: random.Random, tz: ZoneInfo, project_id: int, period: Period, amount: Decimal, current: date
) -> Report | None:
    """One report of the demo: accepted in the past; any state (or none) in the period under way."""
    deadline = period.deadline
    state = ReportState.ACCEPTED
    submitted: datetime | None = datetime.combine(
        deadline - timedelta(days=rng.randint(0, 6)), time(rng.randint(8, 18), rng.randint(0, 59)), tz
    )
    if rng.random() < 0.08:
        submitted = datetime.combine(deadline + timedelta(days=rng.randint(1, 5)), time(10), tz)
    if deadline >= current:
        roll = rng.random()
        if roll < 0.3:
            return None
        state = (
            ReportState.ACCEPTED if roll < 0.55 else ReportState.SUBMITTED if roll < 0.8
            else ReportState.RETURNED if roll < 0.88 else ReportState.DRAFT
        )  # fmt: skip
        if state == ReportState.DRAFT:
            submitted = None
        elif submitted and submitted.date() > current:
            submitted = datetime.combine(current - timedelta(days=rng.randint(0, 3)), time(9, 30), tz)
    return Report(
        project_id=project_id, year=period.year, month=period.month, part=period.part,
        frequency=period.frequency, seq=period_seq(period.year, period.month, period.part), amount=amount,
        problems_text=rng.choice(PROBLEMS), state=state, deadline=deadline,
        submitted_at=submitted, first_submitted_at=submitted,
        reviewed_at=submitted + timedelta(days=1) if submitted and state == ReportState.ACCEPTED else None,
        return_reason="本期完成投资与监理月报不一致，请核实后重新报送" if state == ReportState.RETURNED else "",
    )  # fmt: skip


def build_reports(
    current: date, seed: int = 1, years: int = 3, max_projects_for_history: int = 5000
) -> dict[str, int]:
    """Reports for the plan years up to `current` (its month: in progress); returns counts."""
    rng = random.Random(seed * 7919)
    tz = ZoneInfo(settings.TIME_ZONE)
    first_year = current.year - years + 1
    if Project.objects.count() > max_projects_for_history:
        first_year = current.year
    plans = Plan.objects.in_force().filter(year__gte=first_year, year__lte=current.year)
    annual: dict[tuple[int, int], Decimal] = {
        (row["project_id"], row["plan__year"]): row["amount"]
        for row in PlanEntry.objects.filter(plan__in=plans)
        .values("project_id", "plan__year")
        .annotate(amount=Max("annual_investment"))
    }
    projects = {
        p.pk: p
        for p in Project.objects.filter(
            pk__in={pid for pid, _ in annual}, actual_start_date__isnull=False
        ).only("pk", "total_investment", "actual_start_date", "actual_completion_date", "report_frequency")
    }
    rows: list[Report] = []
    for project_id in sorted(projects):
        project = projects[project_id]
        total = project.total_investment
        pace = rng.uniform(0.8, 1.3)
        cumulative = Decimal(0)
        started = project.actual_start_date
        if started and started.year < first_year:
            # The years before the demo window: an opening figure on the first report.
            cumulative = (total * Decimal(rng.uniform(0.1, 0.4))).quantize(CENT)
        opening = cumulative > 0
        for year in range(first_year, current.year + 1):
            plan = annual.get((project_id, year))
            if plan is None:
                continue
            ytd = Decimal(0)
            last_month = current.month if year == current.year else 12
            # The year's plan is spread over the months the project is on site that year.
            active = [m for m in range(1, 13) if is_active(project, year, m)]
            weight = sum(SEASON[m - 1] for m in active) or 1.0
            for month in range(1, last_month + 1):
                if month not in active:
                    continue
                share = SEASON[month - 1] / weight
                month_amount = (plan * Decimal(share * pace * rng.uniform(0.7, 1.3))).quantize(CENT)
                parts = parts_in_month(project.report_frequency, year, month)
                for part in range(1, parts + 1):
                    period = Period(year, month, part, project.report_frequency)
                    if period.start > current:
                        break
                    amount = (month_amount / parts).quantize(CENT)
                    amount = max(Decimal(0), min(amount, total - cumulative))
                    report = demo_report(rng, tz, project_id, period, amount, current)
                    if report is None:
                        continue
                    cumulative += amount
                    ytd += amount
                    report.year_to_date = amount if opening else ytd
                    report.cumulative = cumulative
                    report.is_opening = opening
                    percent = float(cumulative / total * 100) if total else 0.0
                    report.progress_text = phase(percent)
                    report.progress_percent = Decimal(str(round(percent, 1)))
                    rows.append(report)
                    # Only the first report carries the opening figure; later ones add up from it.
                    opening = False
    with transaction.atomic():
        Report.objects.bulk_create(rows, batch_size=2000)
        monthly = refresh_projects(projects)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    return {"reports": len(rows), "monthly_rows": monthly, **counts}
