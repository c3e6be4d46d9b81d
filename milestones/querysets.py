"""Milestones hang off projects: read and written through the project's data scope; the overdue
findings the warnings read."""

from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import models
from django.utils import timezone

from problems.querysets import OverdueLevel, overdue_level, overdue_thresholds
from projects.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from milestones.models import Milestone


class MilestoneQuerySet(ScopedQuerySet["Milestone"]):
    def overdue(self, on: date) -> "MilestoneQuerySet":
        """节点超期: the planned date has passed and no actual date is recorded."""
        return self.filter(actual_date__isnull=True, planned_date__lt=on)


def milestone_thresholds() -> tuple[int, int]:
    return overdue_thresholds("milestone_overdue", settings.MILESTONE_OVERDUE_RED_DAYS)


def overdue_milestones(
    today: date | None = None, yellow_after_days: int | None = None, red_after_days: int | None = None
) -> "models.QuerySet[WithAnnotations[Milestone, OverdueLevel]]":
    """节点超期 (warning milestone_overdue): milestones more than `yellow_after_days` past their planned
    date without an actual date, each with `level` "yellow", or "red" beyond `red_after_days`, in one query."""
    from milestones.models import Milestone

    today = today or timezone.localdate()
    if yellow_after_days is None or red_after_days is None:
        yellow_after_days, red_after_days = milestone_thresholds()
    rows = (
        Milestone.objects.overdue(today - timedelta(days=yellow_after_days))
        .annotate(level=overdue_level("planned_date", today, yellow_after_days, red_after_days))
        .select_related("project")
        .order_by("planned_date", "pk")
    )
    return cast("models.QuerySet[WithAnnotations[Milestone, OverdueLevel]]", rows)
