"""Past years for the forecast: each year's year-to-date at the end of every month, summed by
category and by responsible unit, read from the figures' summary (figures.cells) in a few grouped
queries, whatever the number of projects or years.

The sums cover the plans in force of each year, a project once (its counted entry), as the plan
figures do. The profiles are shapes and realisation ratios of the whole district's past, the same
for every user; the amounts a user sees come from the user's own scope (scope_series).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q, Sum

from figures import cells
from figures.models import FigureCell
from forecast.model import Floats, Profile, profile_from
from plans.models import Plan
from plans.scope import Scope, scope_entries
from progress.yearly import completed_sum, with_progress

MONTHS = range(1, 13)
# A category's or unit's past is its own profile only with this many project-years behind it;
# fewer say more about a project or two than about the group, and the next profile is used.
MIN_PROJECT_YEARS = 5


@dataclass
class Sums:
    """Year-to-date at the end of months 1–12, annual plan and project count, added up."""

    ytd: Floats = field(default_factory=lambda: np.zeros(12))
    plan: float = 0.0
    count: int = 0

    def add(self, other: "Sums") -> None:
        self.ytd = self.ytd + other.ytd
        self.plan += other.plan
        self.count += other.count


@dataclass(frozen=True)
class Profiles:
    """The profiles a forecast of one year may follow: by category, by unit, of the portfolio."""

    by_category: dict[int, Profile]
    by_unit: dict[int, Profile]
    portfolio: Profile | None
    years: list[int]


def in_force_plans(years: list[int] | None = None, level: str | None = None) -> dict[int, list[int]]:
    """The ids of the plans in force of each year (of `years`, or of every year; of one level)."""
    plans = Plan.objects.in_force()
    if years is not None:
        plans = plans.filter(year__in=years)
    if level:
        plans = plans.filter(level=level)
    by_year: dict[int, list[int]] = defaultdict(list)
    for pk, year in plans.values_list("pk", "year"):
        by_year[year].append(pk)
    return dict(by_year)


def counted_condition(plans: dict[int, list[int]]) -> Q:
    """The cells of those plans that count once per project: with several lists in a year, the
    entry each project counts under (PlanEntry.counted)."""
    single = [pk for ids in plans.values() if len(ids) == 1 for pk in ids]
    several = [pk for ids in plans.values() if len(ids) > 1 for pk in ids]
    return Q(plan_id__in=single) | Q(plan_id__in=several, counted=True)


def month_sums() -> dict[str, Sum]:
    return {f"sum_ytd_{m}": Sum(f"ytd_{m}") for m in MONTHS}


def sums_of(row: dict[str, Any]) -> Sums:
    return Sums(
        np.array([float(row[f"sum_ytd_{m}"] or 0) for m in MONTHS]),
        float(row.get("sum_plan") or 0),
        int(row.get("sum_count") or 0),
    )


@dataclass
class History:
    """Each past year's sums by category and by unit."""

    by_category: dict[tuple[int, int], Sums]
    by_unit: dict[tuple[int, int], Sums]

    @classmethod
    def read(cls, before: int, window: int | None) -> "History":
        """The years before `before` (the last `window` of them, or all), from the figures' summary
        brought up to date first."""
        years = sorted(y for y in in_force_plans() if y < before)
        if window is not None:
            years = years[-window:] if window > 0 else []
        plans = in_force_plans(years) if years else {}
        if not plans:
            return cls({}, {})
        cells.refresh(list(plans))
        # The cells added up over the owners: each entry once.
        rows = cells.of_kind(FigureCell.objects.filter(counted_condition(plans), month=12), False).order_by()
        totals = {**month_sums(), "sum_plan": Sum("annual_plan"), "sum_count": Sum("count")}
        by_category = {
            (row["year"], row["category_id"]): sums_of(row)
            for row in rows.values("year", "category_id").annotate(**totals).order_by("year", "category_id")
        }
        by_unit = {
            (row["year"], row["unit_id"]): sums_of(row)
            for row in rows.values("year", "unit_id").annotate(**totals).order_by("year", "unit_id")
        }
        return cls(by_category, by_unit)

    @property
    def years(self) -> list[int]:
        return sorted({year for year, _key in self.by_category})

    def profiles(self, before: int, window: int | None = None) -> Profiles:
        """The profiles of the years before `before` (the last `window` of them)."""
        years = [y for y in self.years if y < before]
        if window is not None:
            years = years[-window:] if window > 0 else []
        chosen = set(years)

        def pooled(rows: dict[tuple[int, int], Sums]) -> dict[int, Sums]:
            pools: dict[int, Sums] = defaultdict(Sums)
            for (year, key), sums in rows.items():
                if year in chosen:
                    pools[key].add(sums)
            return pools

        def usable(pools: dict[int, Sums]) -> dict[int, Profile]:
            found = {}
            for key, sums in pools.items():
                profile = profile_from(sums.ytd, sums.plan) if sums.count >= MIN_PROJECT_YEARS else None
                if profile is not None:
                    found[key] = profile
            return found

        categories = pooled(self.by_category)
        whole = Sums()
        for sums in categories.values():
            whole.add(sums)
        return Profiles(
            usable(categories),
            usable(pooled(self.by_unit)),
            profile_from(whole.ytd, whole.plan) if whole.count else None,
            years,
        )

    def portfolio_year(self, year: int) -> Floats | None:
        """The whole district's year-to-date at the end of months 1–12 of `year`, added up in the
        order of the categories: a float sum in another order differs in its last digits, and the
        seasonal model fitted to the series turns that into a different range."""
        rows = [sums.ytd for (y, _key), sums in self.by_category.items() if y == year]
        return np.sum(rows, axis=0) if rows else None


def increments(ytd: Floats) -> Floats:
    """What each month added, from the year-to-date at the end of each month."""
    return np.diff(np.concatenate(([0.0], ytd)))


def scope_series(year: int, scope: Scope, window: int, history: History) -> Floats:
    """The completed investment month by month of the scope's plans over the years before `year`
    (as far back as `window` years, stopping at the first year without a plan), oldest first.

    For those who see every project it is read from the figures' summary (the whole district from
    `history`, a narrowed scope from its cells); for a limited user from the tables, one grouped
    query per year.
    """
    years: list[int] = []
    plans = in_force_plans([year - back for back in range(1, window + 1)], scope.level)
    for back in range(1, window + 1):
        if year - back not in plans:
            break
        years.insert(0, year - back)
    if not years:
        return np.zeros(0)
    parts: list[Floats] = []
    if cells.serves(scope) and not scope.narrowed:
        for y in years:
            found = history.portfolio_year(y)
            parts.append(increments(found if found is not None else np.zeros(12)))
        return np.concatenate(parts)
    if cells.serves(scope):
        cells.refresh(years)
        for y in years:
            rows = cells.scope_cells(y, 12, scope, plans.get(y, [])).filter(counted_condition(plans))
            parts.append(increments(sums_of(rows.aggregate(**month_sums())).ytd))
        return np.concatenate(parts)
    for y in years:
        ytd = with_progress(scope_entries(y, scope), y).aggregate(
            **{f"sum_ytd_{m}": completed_sum(m) for m in MONTHS}
        )
        parts.append(increments(sums_of(ytd).ytd))
    return np.concatenate(parts)
