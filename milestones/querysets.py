"""Milestones hang off projects: read and written through the project's data scope; the overdue
findings the warnings read."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from problems.querysets import overdue_level
from projects.querysets import ScopedQuerySet


class MilestoneQuerySet(ScopedQuerySet):
    def overdue(self, on: date) -> "MilestoneQuerySet":
        """节点超期: the planned date has passed and no actual date is recorded."""
        return self.filter(actual_date__isnull=True, planned_date__lt=on)


def overdue_milestones(today: date | None = None, red_after_days: int | None = None) -> models.QuerySet:
    """节点超期 (warning milestone_overdue): milestones past their planned date without an actual date,
    each with `level` "yellow", or "red" MILESTONE_OVERDUE_RED_DAYS later, in one query."""
    from milestones.models import Milestone

    today = today or timezone.localdate()
    red_after = settings.MILESTONE_OVERDUE_RED_DAYS if red_after_days is None else red_after_days
    return (
        Milestone.objects.overdue(today)
        .annotate(level=overdue_level("planned_date", today, red_after))
        .select_related("project")
        .order_by("planned_date", "pk")
    )
