"""Small builders for the problem, meeting and supervision tests, on the shared personas' world."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from org.models import Unit
from problems.models import Matter, Meeting, Problem
from projects.models import Project


def make_problem(
    project: Project,
    *units: Unit,
    description: str = "用地指标尚未落实，影响开工",
    category: str = "land",
    deadline: date | None = None,
    **fields: Any,
) -> Problem:
    problem = Problem.objects.create(
        project=project,
        category=category,
        description=description,
        deadline=deadline if deadline is not None else timezone.localdate() + timedelta(days=30),
        **fields,
    )
    problem.responsible_units.set(units)
    return problem


def escalated(problem: Problem, by: Any) -> Problem:
    problem.move("start", by)
    problem.move("escalate", by, "需区级协调用地指标")
    return problem


def make_meeting(
    by: Any, on: date | None = None, title: str = "第1次重点项目周调度会", **fields: Any
) -> Meeting:
    return Meeting.objects.create(title=title, date=on or timezone.localdate(), created_by=by, **fields)


def make_matter(meeting: Meeting, owner_unit: Unit, problem: Problem | None = None, **fields: Any) -> Matter:
    matter = Matter(
        meeting=meeting,
        owner_unit=owner_unit,
        problem=problem,
        content=fields.pop("content", "由区自然资源局牵头，两周内完成用地指标调剂"),
        deadline=fields.pop("deadline", meeting.date + timedelta(days=14)),
        **fields,
    )
    matter.full_clean()
    matter.save()
    return matter
