"""Figures of supervision (DOMAIN §6) for a period and a set of projects."""

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from figures.registry import Context
from supervision.choices import NoticeStatus
from supervision.models import Inspection, Notice


def inspection_figures(
    start: date, end: date, projects: QuerySet | list[int] | None = None
) -> dict[str, Any]:
    """现场督导: inspections made (深入一线多少个次) and projects visited in the period."""
    last = min(end, timezone.localdate())
    inspections = Inspection.objects.filter(date__gte=start, date__lte=last)
    if projects is not None:
        inspections = inspections.filter(project__in=projects)
    return inspections.aggregate(made=Count("id"), projects=Count("project", distinct=True))


def notice_figures(start: date, end: date, projects: QuerySet | list[int] | None = None) -> dict[str, Any]:
    """督办通知: notices issued in the period, and of them replied to and closed (已办结)."""
    last = min(end, timezone.localdate())
    notices = Notice.objects.filter(issued_on__gte=start, issued_on__lte=last)
    if projects is not None:
        notices = notices.filter(
            pk__in=Notice.projects.through.objects.filter(project__in=projects).values("notice_id")
        )
    return notices.aggregate(
        issued=Count("id"),
        replied=Count("id", filter=~Q(status=NoticeStatus.SENT)),
        closed=Count("id", filter=Q(status=NoticeStatus.CLOSED)),
    )


def figures_section(context: Context) -> dict[str, Any]:
    """督办 and 现场督导 from January to the end of the month, for the scope's projects."""
    return {
        "notices": notice_figures(context.start, context.end, context.projects),
        "inspections": inspection_figures(context.start, context.end, context.projects),
    }
