"""观摩点评 figures: the rounds of a year, their projects, towns and panel, and each round's ranking."""

from typing import Any

from figures.registry import Context
from plans.scope import Scope, is_whole, scope_projects
from reviews.models import Round

# How many of a round's projects and towns the figures name, from the top.
TOP = 5


def review_figures(year: int, scope: Scope | None = None) -> dict[str, Any]:
    """重点项目观摩点评 of `year`: each round with its projects, towns and reviewers, and the first
    projects and towns of its ranking (ranked among all; in a narrower scope, those of the scope)."""
    rounds = Round.objects.filter(year=year).order_by("held_on", "id")
    whole = scope is None or is_whole(scope)
    in_scope: set[int] = set()
    if not whole:
        assert scope is not None
        rounds = rounds.filter(stops__project__in=scope_projects(year, scope)).distinct()
        in_scope = set(
            scope_projects(year, scope).filter(review_stops__round__year=year).values_list("pk", flat=True)
        )
    result = []
    for round in rounds.prefetch_related("reviewers"):
        ranking = round.ranking()
        projects = [r for r in ranking.projects if whole or r["project_id"] in in_scope]
        town_ids = {r["town_id"] for r in projects}
        towns = [t for t in ranking.towns if whole or t["town_id"] in town_ids]
        result.append(
            {
                "id": round.pk,
                "title": round.title,
                "half": round.half,
                "half_label": str(round.get_half_display()),
                "held_on": round.held_on,
                "projects": len(projects),
                "scored": sum(1 for r in projects if r["score"] is not None),
                "towns": len({t for t in town_ids if t is not None}),
                "reviewers": len(round.reviewers.all()),
                "top_projects": [
                    {k: r[k] for k in ("rank", "project_id", "name", "town", "score")}
                    for r in projects[:TOP]
                    if r["score"] is not None
                ],
                "top_towns": [
                    {k: t[k] for k in ("rank", "town_id", "name", "projects", "score")}
                    for t in towns[:TOP]
                    if t["score"] is not None
                ],
            }
        )
    return {"year": year, "rounds": result}


def figures_section(context: Context) -> dict[str, Any]:
    """观摩点评 of the year, the rounds held by the end of the period."""
    figures = review_figures(context.year, context.scope)
    figures["rounds"] = [r for r in figures["rounds"] if r["held_on"] <= context.end]
    return {"reviews": figures}
