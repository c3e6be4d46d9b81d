"""Funding and element queries: scope, sums by source, special-bond pace, the waiting board."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import BigIntegerField, Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone

from alerts.models import AlertRuleConfig
from elements.choices import SPECIAL_BOND, SPECIAL_BOND_RULE, WAITING_STATUSES, PaceLevel
from lib.dates import add_months
from lib.numbers import percent, quantize
from org.choices import Role
from org.models import Unit
from projects.querysets import ScopedQuerySet, project_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from elements.models import (
        ElementNeed,
        FundingRecord,
    )
    from org.models import User

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)
AMOUNTS = ("planned", "approved", "arrived", "spent")
# 要素保障看板's order: by supplying department (its place, then its name), type, then as entered.
BOARD_ORDER = ("department__sort_order", "department__name", "type__sort_order", "id")


def money_sum(name: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(name, filter=condition), Value(ZERO), output_field=MONEY)


@dataclass(frozen=True)
class BondPace:
    """专项债支出进度: expected (linear over the spending window) and actual, in percent."""

    expected: Decimal
    actual: Decimal
    behind: Decimal
    level: str


def bond_thresholds() -> tuple[int, int]:
    """(yellow, red): points behind pace that light the special-bond warning, as set for the warning
    rule on /alerts/rules/ when it has been set there, else the defaults from the settings."""
    from django.apps import apps

    if apps.is_installed("alerts"):
        row = (
            AlertRuleConfig.objects.filter(code=SPECIAL_BOND_RULE)
            .values_list("yellow_threshold", "red_threshold")
            .first()
        )
        if row is not None:
            return row
    return settings.SPECIAL_BOND_YELLOW_POINTS, settings.SPECIAL_BOND_RED_POINTS


def expected_pace(issued_on: date, today: date) -> Decimal:
    """应支出进度 on `today` of a bond issued on `issued_on`: the share of its spending window (N months
    after issue) gone by, in percent."""
    window = (add_months(issued_on, settings.SPECIAL_BOND_SPEND_MONTHS) - issued_on).days
    elapsed = min(max((today - issued_on).days, 0), window)
    return quantize(Decimal(elapsed) * 100 / Decimal(window), 1)


def pace_against(expected: Decimal, issued: Decimal, spent: Decimal, thresholds: tuple[int, int]) -> BondPace:
    """A bond's pace: its spending against the `expected` pace, and the warning level it lights."""
    yellow, red = thresholds
    actual = percent(spent, issued, 1) or Decimal("0.0")
    behind = quantize(expected - actual, 1)
    if behind > red:
        level = PaceLevel.RED
    elif behind > yellow:
        level = PaceLevel.YELLOW
    else:
        level = PaceLevel.ON_PACE
    return BondPace(expected=expected, actual=actual, behind=behind, level=level.value)


def bond_pace(
    issued_on: date, issued: Decimal, spent: Decimal, today: date, thresholds: tuple[int, int] | None = None
) -> BondPace:
    """How far a special bond's spending trails the linear pace to full spending N months after issue.

    Behind by more than the yellow threshold (points) is yellow, by more than the red one red.
    """
    return pace_against(expected_pace(issued_on, today), issued, spent, thresholds or bond_thresholds())


class FundingRecordQuerySet(ScopedQuerySet["FundingRecord"]):
    scope_prefix = "project__"

    def special_bonds(self) -> "FundingRecordQuerySet":
        return self.filter(source__code=SPECIAL_BOND)

    def totals(self) -> dict[str, Any]:
        """资金汇总: projects, 计划/下达/到位/支出 amounts, in one query."""
        return self.aggregate(
            projects=Count("project", distinct=True), **{name: money_sum(name) for name in AMOUNTS}
        )

    def by_source(self) -> list[dict[str, Any]]:
        """By funding source (资金来源): projects supported, amounts, 到位率 and 支出率, in one query
        grouped by the source alone, so that the records are read in the order of the index on
        (year, source, project) rather than sorted; the sources' names and order are read apart."""
        rows = (
            self.order_by()
            .values("source")
            .annotate(
                records=Count("id"),
                projects=Count("project", distinct=True),
                supported=Count("project", distinct=True, filter=Q(approved__gt=0) | Q(arrived__gt=0)),
                **{name: money_sum(name) for name in AMOUNTS},
            )
        )
        return sources_in_order(list(rows))

    def issued_bonds(self, today: date) -> "FundingRecordQuerySet":
        """The special bonds issued by `today` with an amount issued: those with a spending pace."""
        return self.special_bonds().filter(issued_on__isnull=False, issued_on__lte=today, approved__gt=0)

    def with_behind(
        self, today: date, dates_of: "FundingRecordQuerySet | None" = None
    ) -> "FundingRecordQuerySet":
        """The issued bonds, each with how far its spending trails the pace in tenths of a point
        (`behind_tenths`), worked out by the database exactly as pace_against() does: in whole
        cents and tenths, whatever form the database keeps the amounts in. The expected pace comes
        from the few issue dates, each worked out once: those of these bonds, or of the bonds of
        `dates_of`, records holding these and more (the year's, without the user's scope, which
        would otherwise be asked of each bond once more to find its date)."""
        bonds = self.issued_bonds(today)
        dated = bonds if dates_of is None else dates_of.issued_bonds(today)
        dates = dated.order_by().values_list("issued_on", flat=True).distinct()
        expected = [
            When(issued_on=day, then=Value(int(expected_pace(day, today) * 10)))
            for day in dates
            if day is not None
        ]
        if not expected:
            return bonds.none().annotate(behind_tenths=Value(0, output_field=BigIntegerField()))
        spent = Cast(Round(F("spent") * 100), BigIntegerField())
        issued = Cast(Round(F("approved") * 100), BigIntegerField())
        # 支出进度 in tenths of a point rounded half up: floor((2000 × spent + issued) / (2 × issued)),
        # amounts in cents. Exact in 64-bit integers while amounts keep lib.fields' MONEY_DIGITS
        # (below 10¹⁴ cents, times 2000) and are not negative (the fields' validators).
        actual = (spent * 2000 + issued) / (issued * 2)
        return bonds.annotate(
            behind_tenths=Case(*expected, output_field=BigIntegerField()) - actual,
        )

    def behind_pace(
        self,
        today: date | None = None,
        thresholds: tuple[int, int] | None = None,
        dates_of: "FundingRecordQuerySet | None" = None,
    ) -> "BondsBehind":
        """The bonds spending behind pace (yellow or red), furthest behind first, picked and ordered
        by the database (with_behind, `dates_of` as it takes it): their ids with how far behind,
        to count and to show."""
        today = today or timezone.localdate()
        thresholds = thresholds or bond_thresholds()
        # Behind the red threshold is red whatever the yellow one (pace_against), were it set lower.
        lowest = min(thresholds)
        behind = list(
            self.with_behind(today, dates_of)
            .filter(behind_tenths__gt=Decimal(lowest) * 10)  # type: ignore[misc]  # with_behind's annotation
            .order_by("-behind_tenths", "issued_on", "pk")
            .values_list("pk", "behind_tenths")
        )
        return BondsBehind(self.model, today, thresholds, behind)

    def lagging_bonds(
        self, today: date | None = None, thresholds: tuple[int, int] | None = None
    ) -> list[tuple["FundingRecord", BondPace]]:
        """专项债支出滞后: issued special bonds spending behind the linear pace (yellow or red)."""
        return self.behind_pace(today, thresholds).first()


@dataclass(frozen=True)
class BondsBehind:
    """The bonds behind pace on `today` by `thresholds` (FundingRecordQuerySet.behind_pace): their ids
    with how far behind in tenths of a point, furthest behind first."""

    model: type["FundingRecord"]
    today: date
    thresholds: tuple[int, int]
    behind: list[tuple[int, int]]

    def counts(self) -> dict[str, int]:
        """How many light yellow and how many red."""
        red = Decimal(self.thresholds[1]) * 10
        reds = sum(1 for _pk, tenths in self.behind if tenths > red)
        return {PaceLevel.YELLOW: len(self.behind) - reds, PaceLevel.RED: reds}

    def first(self, limit: int | None = None) -> list[tuple["FundingRecord", BondPace]]:
        """The first `limit` of them (all without one), each with its project, responsible unit and
        source, read by id in one query, and its pace worked out again (pace_against); a bond
        deleted since is left out."""
        ids = [pk for pk, _tenths in self.behind[:limit]]
        records = self.model.objects.select_related("project", "project__responsible_unit", "source").in_bulk(
            ids
        )
        return [
            (record, bond_pace(record.issued_on, record.approved, record.spent, self.today, self.thresholds))
            for record in (records[pk] for pk in ids if pk in records)
            if record.issued_on is not None
        ]


def supplying_department_scope(user: "User | AnonymousUser", prefix: str = "") -> Q:
    """Elements a department (责任单位 user) must supply, whatever project they are for."""
    if not user.is_authenticated or not user.is_active or user.role != Role.UNIT or user.unit is None:
        return Q(pk__in=[])
    from org.models import in_subtree

    return in_subtree(f"{prefix}department", user.unit.path)


class ElementNeedQuerySet(ScopedQuerySet["ElementNeed"]):
    """Element needs are seen by the project's units and also by the department asked to supply them
    (推送至相关职能部门), which may update how far it has got."""

    scope_prefix = "project__"

    def visible_to(self, user: "User | AnonymousUser") -> "ElementNeedQuerySet":
        condition = project_scope(user, self.scope_prefix, alternative=True)
        return self if condition is None else self.filter(condition | supplying_department_scope(user))

    def editable_by(self, user: "User | AnonymousUser") -> "ElementNeedQuerySet":
        condition = project_scope(user, self.scope_prefix, write=True, alternative=True)
        return self if condition is None else self.filter(condition | supplying_department_scope(user))

    def waiting(self) -> "ElementNeedQuerySet":
        """要素待保障: needs not yet secured."""
        return self.filter(status__in=WAITING_STATUSES)

    def by_department(self) -> list[dict[str, Any]]:
        """Waiting needs grouped by the supplying department: needs and distinct projects, the most
        needs first, then by name. Grouped by the department's id alone, which the index on
        (status, department, project) answers without reading a need; the names come after."""
        rows = list(
            self.order_by()
            .values("department")
            .annotate(needs=Count("id"), projects=Count("project", distinct=True))
        )
        return departments_in_order(rows)

    def by_type(self) -> list[dict[str, Any]]:
        """By element type: needs, needed and secured quantities (each type in its own unit), in
        the types' order. Grouped by the type's id alone, which the index on the type and the
        amounts answers without reading a need; the types' names come from the dictionary."""
        rows = list(
            self.order_by()
            .values("type")
            .annotate(
                needs=Count("id"),
                waiting=Count("id", filter=Q(status__in=WAITING_STATUSES)),
                needed=money_sum("needed"),
                secured=money_sum("secured"),
                cultivated_needed=money_sum("cultivated_needed"),
                cultivated_secured=money_sum("cultivated_secured"),
            )
        )
        return types_in_order(rows)


def sources_in_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of funding records by source ("source", "records", "projects", "supported" and the
    amounts) with the source's code and name, 到位率 and 支出率, in the sources' order."""
    from catalog.models import FundingSource

    sources = {
        pk: (code, name, order)
        for pk, code, name, order in FundingSource.objects.values_list("pk", "code", "name", "sort_order")
    }
    listed = [
        {
            "source": row["source"],
            "code": sources[row["source"]][0],
            "name": sources[row["source"]][1],
            "records": row["records"],
            "projects": row["projects"],
            "supported": row["supported"],
            **{name: row[name] for name in AMOUNTS},
            "arrival_rate": percent(row["arrived"], row["approved"], 1),
            "spending_rate": percent(row["spent"], row["arrived"], 1),
        }
        for row in rows
    ]
    listed.sort(key=lambda row: (sources[row["source"]][2], row["code"]))
    return listed


def departments_in_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of waiting needs by supplying department ("department", "needs", "projects") with the
    department's name, the most needs first, then by name."""
    # The database's order of the names, as it sorted them when it joined them.
    names = dict(
        Unit.objects.filter(pk__in=[row["department"] for row in rows])
        .order_by("name")
        .values_list("pk", "name")
    )
    rank = {pk: index for index, pk in enumerate(names)}
    for row in rows:
        row["department__name"] = names.get(row["department"])
    return sorted(rows, key=lambda row: (-row["needs"], rank.get(row["department"], len(rank))))


def types_in_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of needs by element type ("type" and its figures) with the type's name, measure unit
    and place, in the types' order."""
    from elements.models import ElementType

    found = {
        row["pk"]: row
        for row in ElementType.objects.filter(pk__in=[row["type"] for row in rows])
        .order_by("sort_order", "name")
        .values("pk", "name", "measure_unit", "sort_order")
    }
    rank = {pk: index for index, pk in enumerate(found)}
    for row in rows:
        kind = found.get(row["type"], {})
        row.update({f"type__{name}": kind.get(name) for name in ("name", "measure_unit", "sort_order")})
    return sorted(rows, key=lambda row: rank.get(row["type"], len(rank)))
