"""Warnings as the pages and figures read them, always through the projects' data scope."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from alerts.choices import AlertState, Colour
from figures.registry import Context
from lib.numbers import percent
from projects.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from alerts.models import Alert


class Tally(TypedDict):
    """预警销号情况 of one rule or one colour: counts, then the closure rate (销号率) once they are in."""

    raised: int
    open: int
    closed: int
    closure_rate: NotRequired[Decimal | None]
    # A rule's open warnings in each colour.
    open_red: NotRequired[int]
    open_yellow: NotRequired[int]


class AlertQuerySet(ScopedQuerySet["Alert"]):
    def open(self) -> "AlertQuerySet":
        return self.filter(state=AlertState.OPEN)

    def closed(self) -> "AlertQuerySet":
        return self.filter(state=AlertState.CLOSED)

    def in_board_order(self) -> "AlertQuerySet":
        """Open before closed, red before yellow, newest first: the order of the index
        alert_board_order, so that a page of the board is read from it rather than after sorting
        every warning ("open" sorts after "closed", and "red" before "yellow")."""
        return self.order_by("-state", "colour", "-opened_at", "-id")

    def summary(self, until: datetime | None = None) -> dict[str, Any]:
        """预警销号情况: raised, open, closed and the closure rate (销号率), by rule (with its open
        warnings of each colour) and by colour.

        With `until`, as things stood then: raised by then, closed by then. Two queries: the counts
        by rule and colour, whose sums are the totals, and the projects with a warning, which the
        index by project counts alone (asked in the same pass, they made it read every warning).
        """
        rows = self if until is None else self.filter(opened_at__lte=until)
        closed = Q(state=AlertState.CLOSED)
        if until is not None:
            closed &= Q(closed_at__lte=until)
        projects = rows.aggregate(projects=Count("project_id", distinct=True))["projects"]
        grouped = (
            rows.order_by()
            .values("rule", "colour")
            .annotate(raised=Count("id"), closed=Count("id", filter=closed))
        )
        return tallied(grouped, projects)


def tallied(grouped: Iterable[dict[str, Any]], projects: int) -> dict[str, Any]:
    """AlertQuerySet.summary() of the warnings counted by rule and colour (`grouped`: "rule",
    "colour", "raised" and "closed"), `projects` of them having one."""
    by_rule: dict[str, Tally] = {}
    by_colour: dict[str, Tally] = {c: {"raised": 0, "open": 0, "closed": 0} for c in Colour.values}
    for row in grouped:
        rule = by_rule.setdefault(
            row["rule"], {"raised": 0, "open": 0, "closed": 0, "open_red": 0, "open_yellow": 0}
        )
        if row["colour"] == Colour.RED:
            rule["open_red"] += row["raised"] - row["closed"]
        else:
            rule["open_yellow"] += row["raised"] - row["closed"]
        for counts in (rule, by_colour[row["colour"]]):
            counts["raised"] += row["raised"]
            counts["closed"] += row["closed"]
            counts["open"] += row["raised"] - row["closed"]
    for counts in [*by_rule.values(), *by_colour.values()]:
        counts["closure_rate"] = percent(counts["closed"], counts["raised"], 1)
    raised = sum(counts["raised"] for counts in by_colour.values())
    closed_count = sum(counts["closed"] for counts in by_colour.values())
    return {
        "raised": raised,
        "open": raised - closed_count,
        "closed": closed_count,
        "closure_rate": percent(closed_count, raised, 1),
        "projects": projects,
        "by_rule": dict(sorted(by_rule.items())),
        "by_colour": by_colour,
    }


def with_alert_counts(projects: QuerySet) -> QuerySet:
    """Each project with its numbers of open red and yellow warnings, as two subqueries of the one query."""
    from alerts.models import Alert

    def count_of(colour: str) -> Coalesce:
        rows = (
            Alert.objects.filter(project_id=OuterRef("pk"), state=AlertState.OPEN, colour=colour)
            .order_by()
            .values("project_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return projects.annotate(alerts_red=count_of(Colour.RED), alerts_yellow=count_of(Colour.YELLOW))


def with_worst_alert(projects: QuerySet) -> QuerySet:
    """Each project with `alert`: the worst colour among its open warnings ("red", "yellow" or None)."""
    from alerts.models import Alert

    worst = (
        Alert.objects.filter(project_id=OuterRef("pk"), state=AlertState.OPEN)
        .order_by(Case(When(colour=Colour.RED, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .values("colour")[:1]
    )
    return projects.annotate(alert=Subquery(worst))


def alert_figures(projects: QuerySet, until: datetime | None = None) -> dict[str, Any]:
    """预警销号情况 of some projects (a queryset of projects or of project ids), as at `until`."""
    from alerts.models import Alert

    return Alert.objects.filter(project_id__in=projects).summary(until)


def figures_section(context: Context) -> dict[str, Any]:
    """预警: raised by the end of the month, closed by then, closure rate; by rule and colour."""
    return {"alerts": alert_figures(context.entries.values("project_id"), until=context.until)}
