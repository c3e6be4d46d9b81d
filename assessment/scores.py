"""季考核: weighted indicators per town/street or department for a quarter, half-year or year.

Each indicator is a rate in percent per unit from its provider (assessment.providers), computed in
the database for the period's window; a unit scores `weight × min(rate / target, 1)` on it. A unit
an indicator has nothing to measure for (no project due to start, no problem raised) has no data
(无数据) on it, and the indicator counts as its administrator chose: left out, the unit's total
being the others' scaled up to full marks, or zero. It never counts as full marks.
Half-year (半年兑现) and year (全年总评) use the same indicators over the longer window.
"""

from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from django.utils.translation import gettext_lazy as _

from assessment.models import Indicator, MissingData
from assessment.providers import PROVIDERS, Basis, Rates, Window
from lib.numbers import quantize
from org.choices import UnitKind
from org.models import Unit
from plans.scope import Scope, scope_entries

ZERO = Decimal(0)
GROUPS = {
    "town": ("project__town", UnitKind.TOWN),
    "department": ("project__responsible_unit", UnitKind.DEPARTMENT),
}
PERIOD_KINDS = {"quarter": _("季度"), "half": _("半年"), "year": _("全年")}

__all__ = ["GROUPS", "PERIOD_KINDS", "Window", "scores"]


class ScoreCell(TypedDict):
    """A unit's result on one indicator: its rate, or None for 无数据; its score, or None when the
    indicator is left out of the unit's total for want of data."""

    indicator: Indicator
    rate: Decimal | None
    score: Decimal | None


class ScoreRow(TypedDict):
    """One unit's line: its score on each indicator, the total, and its place once ranked."""

    unit: Unit
    cells: list[ScoreCell]
    total: Decimal | None
    rank: NotRequired[int]


def score_row(unit: Unit, indicators: list[Indicator], rates: dict[str, Rates], full: Decimal) -> ScoreRow:
    """A unit's scores: the indicators with data as weighted, those without as each says; with some
    left out, the total is what was scored over what could be, times full marks."""
    cells: list[ScoreCell] = []
    scored = possible = ZERO
    for indicator in indicators:
        rate = rates[indicator.code].get(unit.pk)
        if rate is None and indicator.missing == MissingData.EXCLUDE:
            cells.append({"indicator": indicator, "rate": None, "score": None})
            continue
        ratio = ZERO if rate is None else min(rate / indicator.target, Decimal(1))
        score = quantize(indicator.weight * ratio, 2)
        scored += score
        possible += indicator.weight
        cells.append({"indicator": indicator, "rate": rate, "score": score})
    total = quantize(scored * full / possible, 2) if possible else None
    return {"unit": unit, "cells": cells, "total": total}


def scores(group: str, window: Window, user: Any = None) -> dict[str, Any]:
    """Score and rank of every town/street (group="town") or department for the window. A unit with
    no data on any indicator has no total and comes last."""
    key, kind = GROUPS[group]
    indicators = list(Indicator.objects.filter(is_active=True))
    scope = Scope(user=user)
    listed = scope_entries(window.year, scope)
    entries = listed.exclude(**{f"{key}__isnull": True})
    units = Unit.objects.filter(kind=kind, is_active=True)
    if user is not None and not user.sees_everything:
        units = units.visible_to(user)
    units_list = list(units.order_by("sort_order", "name"))
    basis = Basis(entries, key, window, [unit.pk for unit in units_list], scope=scope, listed=listed)
    # An indicator whose provider is no longer registered has no data for anyone.
    rates = {i.code: PROVIDERS[i.code].compute(basis) if i.code in PROVIDERS else {} for i in indicators}
    full = sum((i.weight for i in indicators), ZERO)
    rows = [score_row(unit, indicators, rates, full) for unit in units_list]
    rows.sort(key=lambda r: (r["total"] is None, -(r["total"] or ZERO), r["unit"].name))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    return {
        "window": window,
        "group": group,
        "indicators": indicators,
        "rows": rows,
        "full_marks": full,
        "unknown": [i for i in indicators if i.code not in PROVIDERS],
    }
