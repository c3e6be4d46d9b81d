"""政银企对接 figures: the financing needs of a year, the amount sought and the amount signed."""

from datetime import date
from typing import Any

from figures.registry import Context
from financing.models import FinancingNeed, MatchEvent, Signing
from financing.querysets import FinancingNeedQuerySet
from plans.scope import Scope, is_whole, scope_projects


def scoped_needs(year: int, scope: Scope | None = None) -> FinancingNeedQuerySet:
    """融资需求 of `year` for the projects in `scope`."""
    needs = FinancingNeed.objects.filter(year=year)
    if scope is None or is_whole(scope):
        return needs
    return needs.filter(project__in=scope_projects(year, scope))


def financing_figures(year: int, scope: Scope | None = None, as_of: date | None = None) -> dict[str, Any]:
    """政银企对接 of `year`: needs registered and the amount sought (融资需求), the needs signed and the
    amount signed by `as_of` (签约金额), the signing rate, the matchmaking events held, and the banks."""
    needs = scoped_needs(year, scope)
    events = MatchEvent.objects.filter(year=year)
    if as_of is not None:
        events = events.filter(held_on__lte=as_of)
    if scope is not None and not is_whole(scope):
        events = events.filter(needs__in=needs).distinct()
    signings = Signing.objects.filter(need__in=needs.values("pk"))
    if as_of is not None:
        signings = signings.filter(signed_on__lte=as_of)
    return {
        "year": year,
        **needs.totals(as_of),
        "events": events.count(),
        "by_bank": signings.by_bank(),
    }


def figures_section(context: Context) -> dict[str, Any]:
    """政银企对接 of the year as it stood at the end of the month (or today)."""
    return {"financing": financing_figures(context.year, context.scope, as_of=context.as_of)}
