"""观摩点评: who sees which rounds, and the ranking of a round's projects and towns."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Avg, Count, Sum

from lib.numbers import quantize
from projects.querysets import ScopedQuerySet, project_scope
from reviews.choices import TRIM_FROM_SHEETS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from org.models import User
    from reviews.models import Round, Sheet, Stop


class RoundQuerySet(models.QuerySet["Round"]):
    def visible_to(self, user: "User | AnonymousUser") -> "RoundQuerySet":
        """Everyone who sees all projects sees every round; others, the rounds that visited a project
        of theirs."""
        if project_scope(user) is None:
            return self
        from reviews.models import Stop

        return self.filter(pk__in=Stop.objects.visible_to(user).values("round_id"))

    def with_counts(self) -> "RoundQuerySet":
        """Each round with the number of its projects, of the towns they were shown by, and of its sheets."""
        return self.annotate(
            stop_count=Count("stops", distinct=True),
            town_count=Count("stops__town", distinct=True),
            sheet_count=Count("stops__sheets", distinct=True),
        )


class StopQuerySet(ScopedQuerySet["Stop"]):
    scope_prefix = "project__"


class SheetQuerySet(ScopedQuerySet["Sheet"]):
    scope_prefix = "stop__project__"


def stop_score(totals: list[Decimal], trim: bool) -> Decimal | None:
    """得分: the mean of the reviewers' totals, without the highest and the lowest one when the round
    drops them and there are at least TRIM_FROM_SHEETS sheets; None without a sheet."""
    if not totals:
        return None
    kept = sorted(totals)
    if trim and len(kept) >= TRIM_FROM_SHEETS:
        kept = kept[1:-1]
    return quantize(sum(kept, Decimal(0)) / len(kept), 2)


def competition_ranks(rows: list[dict[str, Any]]) -> None:
    """Set `rank` on rows sorted by `score` (highest first): equal scores share a rank and the next
    rank skips as many (1, 2, 2, 4); rows without a score get none."""
    previous: Decimal | None = None
    rank = 0
    for position, row in enumerate(rows, start=1):
        if row["score"] is None:
            row["rank"] = None
            continue
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank


@dataclass
class Ranking:
    """The ranking of a round: its projects by score, and the towns by their projects' mean score."""

    projects: list[dict[str, Any]] = field(default_factory=list)
    towns: list[dict[str, Any]] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return sum(1 for row in self.projects if row["score"] is not None)

    def seen_by(self, user: "User | AnonymousUser") -> "Ranking":
        """The rows `user` may read, ranked among all: the projects of theirs, and the towns within
        their unit. Whoever sees every project sees the whole ranking."""
        if project_scope(user) is None:
            return self
        from reviews.models import Stop

        listed = [row["stop_id"] for row in self.projects]
        visible = set(Stop.objects.visible_to(user).filter(pk__in=listed).values_list("pk", flat=True))
        unit = getattr(user, "unit", None)
        path = unit.path if unit is not None else None
        return Ranking(
            [row for row in self.projects if row["stop_id"] in visible],
            [row for row in self.towns if path is not None and row["path"].startswith(path)],
        )


def round_ranking(round: "Round") -> Ranking:
    """排名: every project of `round` with its sheets, each criterion's mean and its score, highest
    first (ties by name); then the towns (乡镇/街道) by the mean score of their scored projects.

    Three grouped queries whatever the round's size: the stops, the sheet totals, the criterion means.
    """
    from reviews.models import Score, Sheet, Stop

    stops = list(
        Stop.objects.filter(round=round)
        .order_by()
        .values(
            "pk",
            "project_id",
            "project__name",
            "project__responsible_unit__name",
            "project__owner_unit__name",
            "town_id",
            "town__name",
            "town__path",
            "sort_order",
        )
    )
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for row in (
        Sheet.objects.filter(stop__round=round)
        .order_by()
        .values("stop_id", "pk")
        .annotate(total=Sum("scores__points"))
    ):
        totals[row["stop_id"]].append(row["total"] or Decimal(0))
    means: dict[tuple[int, int], Decimal] = {
        (row["sheet__stop_id"], row["criterion_id"]): quantize(row["mean"], 2)
        for row in Score.objects.filter(sheet__stop__round=round)
        .order_by()
        .values("sheet__stop_id", "criterion_id")
        .annotate(mean=Avg("points"))
    }
    criteria = list(round.criteria.values_list("pk", flat=True))
    rows: list[dict[str, Any]] = [
        {
            "stop_id": stop["pk"],
            "project_id": stop["project_id"],
            "name": stop["project__name"],
            "unit": stop["project__responsible_unit__name"],
            "owner": stop["project__owner_unit__name"],
            "town_id": stop["town_id"],
            "town": stop["town__name"] or "",
            "town_path": stop["town__path"] or "",
            "sheets": len(totals[stop["pk"]]),
            "criteria": [means.get((stop["pk"], pk)) for pk in criteria],
            "score": stop_score(totals[stop["pk"]], round.trim_extremes),
        }
        for stop in stops
    ]
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["name"]))
    competition_ranks(rows)

    by_town: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["town_id"] is not None:
            by_town[row["town_id"]].append(row)
    towns = []
    for town_id, members in by_town.items():
        scores = [r["score"] for r in members if r["score"] is not None]
        towns.append(
            {
                "town_id": town_id,
                "name": members[0]["town"],
                "path": members[0]["town_path"],
                "projects": len(members),
                "scored": len(scores),
                "score": quantize(sum(scores, Decimal(0)) / len(scores), 2) if scores else None,
            }
        )
    towns.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["name"]))
    competition_ranks(towns)
    return Ranking(rows, towns)
