"""同类项目对比: where a project's cost and schedule overruns stand among similar evaluated projects."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from evaluation.choices import Peers
from evaluation.models import Evaluation
from lib.numbers import quantize, size_bucket
from projects.choices import SizeBucket, in_size_bucket

# The bins of the distributions (超支率/超期率, %): [low, high), open at both ends.
EDGES = [Decimal(-10), Decimal(0), Decimal(10), Decimal(20), Decimal(50)]


def bin_labels() -> list[str]:
    labels = [_("低于%(n)s%%") % {"n": EDGES[0]}]
    labels += [f"{low}%–{high}%" for low, high in zip(EDGES, EDGES[1:], strict=False)]
    labels.append(_("%(n)s%%及以上") % {"n": EDGES[-1]})
    return labels


def bin_of(value: Decimal) -> int:
    """The index of the bin `value` falls in."""
    return sum(1 for edge in EDGES if value >= edge)


@dataclass
class Distribution:
    """One figure (超支率 or 超期率) among the peers: counts per bin and this project's place."""

    label: str
    counts: list[int]
    own: Decimal | None
    own_bin: int | None
    median: Decimal | None
    percentile: Decimal | None
    size: int

    def as_chart(self) -> dict[str, Any]:
        return {"label": self.label, "counts": self.counts, "own_bin": self.own_bin}


def distribution(label: str, values: list[Decimal], own: Decimal | None) -> Distribution:
    """The peers' values in bins; the percentile is the share of peers at or below this project
    (equal values counted half), so that 80 means it overran more than four in five of them."""
    counts = [0] * (len(EDGES) + 1)
    for value in values:
        counts[bin_of(value)] += 1
    ordered = sorted(values)
    median = None
    if ordered:
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        median = quantize(median, 1)
    percentile = None
    if own is not None and ordered:
        below = sum(1 for v in ordered if v < own)
        equal = sum(1 for v in ordered if v == own)
        percentile = quantize(Decimal(below + equal / 2) * 100 / len(ordered), 1)
    return Distribution(
        label,
        counts,
        own,
        bin_of(own) if own is not None else None,
        median,
        percentile,
        len(values),
    )


def peers(evaluation: Evaluation, by: str) -> QuerySet[Evaluation]:
    """The evaluations of similar projects (this one included): same category, or same industry
    when `by` says so and the project has one, and the same size bucket of 总投资."""
    project = evaluation.project
    rows = Evaluation.objects.filter(
        in_size_bucket(size_bucket(project.total_investment), "project__total_investment")
    )
    if by == Peers.INDUSTRY and project.industry_id:
        return rows.filter(project__industry_id=project.industry_id)
    return rows.filter(project__category_id=project.category_id)


@dataclass
class Comparison:
    by: str
    group: str
    cost: Distribution
    schedule: Distribution

    @property
    def size(self) -> int:
        return self.cost.size

    def chart_data(self) -> dict[str, Any]:
        return {"bins": bin_labels(), "series": [self.cost.as_chart(), self.schedule.as_chart()]}


def compare(evaluation: Evaluation, by: str) -> Comparison:
    """The two distributions among the peers, read in one query."""
    if by != Peers.INDUSTRY or not evaluation.project.industry_id:
        by = Peers.CATEGORY
    rows = list(peers(evaluation, by).values_list("cost_overrun", "schedule_overrun"))
    project = evaluation.project
    bucket = SizeBucket(size_bucket(project.total_investment)).label
    kind = project.industry.name if by == Peers.INDUSTRY and project.industry else project.category.name
    return Comparison(
        by,
        f"{kind} · {bucket}",
        distribution(_("投资超支率"), [c for c, _s in rows if c is not None], evaluation.cost_overrun),
        distribution(_("工期超期率"), [s for _c, s in rows if s is not None], evaluation.schedule_overrun),
    )
