"""计划汇总 of each plan in a list: 项目数, 总投资 and 年度计划投资 of the entries a user may see.

A province's plans hold hundreds of thousands of entries, so a layer above that keeps a summary of
them (the figures' summary, figures.cells) registers it here in its AppConfig.ready(), and the plan
list asks it first. Without one, the totals are one grouped statement over the entries.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from lib.numbers import quantize
from plans.models import Plan, PlanEntry

ZERO = Decimal("0.00")
# (plans, user) → {plan id: {"entry_count", "project_total", "annual_total"}} for those plans.
Source = Callable[[list[Plan], Any], dict[int, dict[str, Any]]]
_sources: list[Source] = []


def register_source(source: Source) -> None:
    """Let `source` answer for the plans' totals (the last registered is asked)."""
    _sources.append(source)


def from_entries(plans: list[Plan], user: Any) -> dict[int, dict[str, Any]]:
    """The totals of `plans` from their entries that `user` may see, in one grouped statement."""
    rows = (
        PlanEntry.objects.visible_to(user)
        .filter(plan__in=[plan.pk for plan in plans])
        .order_by()
        .values("plan_id")
        .annotate(
            entry_count=Count("id"),
            project_total=Sum("project__total_investment"),
            annual_total=Sum("annual_investment"),
        )
    )
    return {row.pop("plan_id"): row for row in rows}


def plan_totals(plans: Iterable[Plan], user: Any) -> dict[int, dict[str, Any]]:
    """项目数 (entry_count), 总投资 (project_total) and 年度计划投资 (annual_total) of each plan, as much of
    it as `user` may see, amounts to the cent; a plan with no such entry has zeros."""
    listed = list(plans)
    source = _sources[-1] if _sources else from_entries
    found = source(listed, user) if listed else {}
    return {
        plan.pk: {
            "entry_count": int(found.get(plan.pk, {}).get("entry_count") or 0),
            "project_total": quantize(Decimal(found.get(plan.pk, {}).get("project_total") or ZERO), 2),
            "annual_total": quantize(Decimal(found.get(plan.pk, {}).get("annual_total") or ZERO), 2),
        }
        for plan in listed
    }


def with_totals(plans: Iterable[Plan], user: Any) -> list[Plan]:
    """`plans` with their totals set on each (entry_count, project_total, annual_total)."""
    listed = list(plans)
    totals = plan_totals(listed, user)
    for plan in listed:
        for name, value in totals[plan.pk].items():
            setattr(plan, name, value)
    return listed
