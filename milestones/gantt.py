"""挂图作战: the geometry of a server-rendered SVG chart of many projects' milestones on one time axis."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from milestones.models import Milestone
from projects.models import Project

LABEL_WIDTH = 240
CHART_WIDTH = 960
ROW_HEIGHT = 30
HEADER_HEIGHT = 34
MIN_TICK_SPACING = 46
COLOURS = {
    "done": "#2fb344",
    "late_done": "#74b816",
    "yellow": "#f59f00",
    "red": "#d63939",
    "pending": "#206bc4",
}


@dataclass
class Mark:
    x: float
    y: float
    colour: str
    filled: bool
    tooltip: str
    points: str = ""


@dataclass
class Row:
    project: Project
    y: float
    text_y: float
    bar_x1: float
    bar_x2: float
    marks: list[Mark] = field(default_factory=list)
    overdue: int = 0


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Gantt:
    width: int
    height: int
    label_width: int
    rows: list[Row]
    ticks: list[Tick]
    today_x: float | None
    start: date
    end: date


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def build_gantt(
    projects: Sequence[Project],
    milestones: dict[int, list[Milestone]],
    today: date,
    thresholds: tuple[int, int],
) -> Gantt | None:
    """Rows of projects with a diamond per milestone on a month axis from the earliest to the latest date,
    coloured by state (done, overdue yellow/red, pending), and today's line."""
    dates = [d for items in milestones.values() for m in items for d in (m.planned_date, m.actual_date) if d]
    if not dates:
        return None
    start = month_start(min([*dates, today]))
    end = next_month(max([*dates, today]))
    span = max((end - start).days, 1)

    def x_of(day: date) -> float:
        return round(LABEL_WIDTH + (day - start).days / span * CHART_WIDTH, 1)

    ticks: list[Tick] = []
    month = start
    last_x: float = -MIN_TICK_SPACING
    while month < end:
        x = x_of(month)
        if x - last_x >= MIN_TICK_SPACING:
            ticks.append(Tick(x, f"{month:%Y-%m}"))
            last_x = x
        month = next_month(month)

    rows: list[Row] = []
    for index, project in enumerate(projects):
        items = milestones.get(project.pk, [])
        y = HEADER_HEIGHT + index * ROW_HEIGHT + ROW_HEIGHT / 2
        planned = [m.planned_date for m in items]
        row = Row(
            project=project,
            y=y,
            text_y=y + 4,
            bar_x1=x_of(min(planned)) if planned else LABEL_WIDTH,
            bar_x2=x_of(max(planned)) if planned else LABEL_WIDTH,
        )
        for milestone in items:
            light = milestone.light(today, thresholds)
            x = x_of(milestone.planned_date)
            tooltip = _("%(n)s：计划%(p)s，实际%(a)s") % {
                "n": milestone.name,
                "p": milestone.planned_date,
                "a": milestone.actual_date or _("未完成"),
            }
            if light in ("yellow", "red"):
                row.overdue += 1
                tooltip += _("（超期%(d)d天）") % {"d": milestone.days_overdue(today)}
            size = 7
            points = f"{x},{y - size} {x + size},{y} {x},{y + size} {x - size},{y}"
            row.marks.append(Mark(x, y, COLOURS[light], light != "pending", tooltip, points))
        rows.append(row)
    height = HEADER_HEIGHT + len(rows) * ROW_HEIGHT + 10
    today_x = x_of(today) if start <= today <= end else None
    return Gantt(
        LABEL_WIDTH + CHART_WIDTH + 50,
        height,
        LABEL_WIDTH,
        rows,
        ticks,
        today_x,
        start,
        end - timedelta(days=1),
    )
