"""A review round of the first half of 2026 that visited project_a (住建局, owner A, shown by 城关街道)
and project_b (城关街道, owner B), scored by three reviewers on two criteria."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from org.models import Person
from reviews.models import Criterion, Round, Score, Sheet, Stop


@dataclass
class Visit:
    round: Round
    progress: Criterion
    quality: Criterion
    reviewers: list[Person]
    stop_a: Stop
    stop_b: Stop


def score(stop: Stop, reviewer: Person, **points: str) -> Sheet:
    """A reviewer's sheet: points by criterion name ("progress", "quality")."""
    sheet = Sheet.objects.create(stop=stop, reviewer=reviewer)
    criteria = {c.name: c for c in stop.round.criteria.all()}
    names = {"progress": "项目建设进度", "quality": "项目质量与形象"}
    for key, value in points.items():
        Score.objects.create(sheet=sheet, criterion=criteria[names[key]], points=Decimal(value))
    return sheet


@pytest.fixture
def visit(world) -> Visit:
    round = Round.objects.create(
        year=2026, half="first", held_on=date(2026, 6, 18), title="2026年上半年重点项目观摩点评"
    )
    progress = Criterion.objects.create(
        round=round, name="项目建设进度", max_points=Decimal(60), sort_order=1
    )
    quality = Criterion.objects.create(
        round=round, name="项目质量与形象", max_points=Decimal(40), sort_order=2
    )
    reviewers = [Person.objects.create(name=name, unit=world.drc) for name in ("张评委", "李评委", "王评委")]
    round.reviewers.set(reviewers)
    stop_a = Stop.objects.create(round=round, project=world.project_a, town=world.town, sort_order=1)
    stop_b = Stop.objects.create(round=round, project=world.project_b, town=world.town, sort_order=2)
    return Visit(round, progress, quality, reviewers, stop_a, stop_b)
