"""政银企对接 figures: the financing needs of a year, the amount sought and the amount signed."""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q

from figures.registry import Context
from financing import cells
from financing.models import FinancingNeed, MatchEvent, Signing
from financing.querysets import FinancingNeedQuerySet
from plans.scope import Scope, is_whole, scope_projects
from projects.querysets import project_scope


def scoped_needs(year: int, scope: Scope | None = None) -> FinancingNeedQuerySet:
    """融资需求 of `year` for the projects in `scope`."""
    needs = FinancingNeed.objects.filter(year=year)
    if scope is None or is_whole(scope):
        return needs
    return needs.filter(project__in=scope_projects(year, scope))


def financing_figures(
    year: int, scope: Scope | None = None, as_of: date | None = None, *, kept: bool = True
) -> dict[str, Any]:
    """政银企对接 of `year`: needs registered and the amount sought (融资需求), the needs signed and the
    amount signed by `as_of` (签约金额), the signing rate, the matchmaking events held, and the banks.
    From the summary's cells (financing.cells) where they answer, unless `kept` is False; else
    from the tables."""
    found = from_cells(year, scope, as_of) if kept else None
    if found is not None:
        return found
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


def from_cells(year: int, scope: Scope | None, as_of: date | None) -> dict[str, Any] | None:
    """financing_figures() from the summary's cells, or None where they cannot say: a scope narrowed
    by more than the user's data scope (the cells are kept per unit and owner), a signing of the
    year's needs dated after `as_of` (they carry no dates), or a rebuild under way elsewhere."""
    scope = scope or Scope()
    if scope.narrowed:
        return None
    if as_of is not None and Signing.objects.filter(need__year=year, signed_on__gt=as_of).exists():
        return None
    if not cells.refreshed():
        return None
    user = None if scope.user_sees_everything else scope.user
    events = MatchEvent.objects.filter(year=year)
    if as_of is not None:
        events = events.filter(held_on__lte=as_of)
    if user is not None:
        # A year has a few events: each asks whether one of its needs is of a project in scope, that
        # project looked up by its key, rather than listing every project of the scope.
        visible = project_scope(user, "project__", each_row=True) or Q()
        events = events.filter(
            Exists(FinancingNeed.objects.filter(visible, year=year, events=OuterRef("pk")))
        )
    return {
        "year": year,
        **cells.totals(user, year),
        "events": events.count(),
        "by_bank": cells.by_bank(year, user),
    }


def figures_section(context: Context) -> dict[str, Any]:
    """政银企对接 of the year as it stood at the end of the month (or today)."""
    return {"financing": financing_figures(context.year, context.scope, as_of=context.as_of)}
