"""Pipeline queries: scope, totals, size buckets and promotion into next year's plans."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _t

from pipeline.choices import Decision
from plans.choices import PlanLevel, PlanType
from plans.models import Plan, PlanEntry
from projects.choices import SIZE_BUCKET_BOUNDS, SizeBucket, in_size_bucket
from projects.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from org.models import User
    from pipeline.models import (
        PipelineEntry,
        ReviewDecision,
    )
    from plans.models import Plan, PlanEntry

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)
# The flag of a pipeline entry that says it is proposed for a level's list.
LEVEL_FLAGS = {PlanLevel.PROVINCE: "to_province", PlanLevel.CITY: "to_city", PlanLevel.LOCAL: "to_local"}


def money_sum(name: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(name, filter=condition), Value(ZERO), output_field=MONEY)


@dataclass
class Promotion:
    """What a promotion did: plans it had to create, entries it added, entries already on the plan."""

    plans_created: list["Plan"] = field(default_factory=list)
    created: list["PlanEntry"] = field(default_factory=list)
    already_listed: list["PipelineEntry"] = field(default_factory=list)


class PipelineEntryQuerySet(ScopedQuerySet["PipelineEntry"]):
    scope_prefix = "project__"
    # 谋划项目 are hundreds or a few thousand beside the registry's projects.
    few_rows = True

    def active(self) -> "PipelineEntryQuerySet":
        """Entries still in the pipeline: every one but those a review round dropped (剔除)."""
        return self.exclude(decision=Decision.DROP)

    def proposed_for(self, level: str) -> "PipelineEntryQuerySet":
        return self.filter(**{LEVEL_FLAGS[PlanLevel(level)]: True})

    def above_county(self) -> "PipelineEntryQuerySet":
        """拟申报市级以上重点项目: proposed for the city's or the province's list."""
        return self.filter(Q(to_city=True) | Q(to_province=True))

    def totals(self) -> dict[str, Any]:
        """梳理汇总: number of projects, 概算投资 and 年度计划投资, in one query."""
        return self.aggregate(
            count=Count("id"),
            estimated_investment=money_sum("estimated_investment"),
            annual_investment=money_sum("proposed_annual_investment"),
        )

    def size_buckets(self) -> dict[str, dict[str, Any]]:
        """规模分布 of 概算投资 (lower bound inclusive: exactly 1 亿元 is a 1–5 亿元 project), in one query."""
        aggregates: dict[str, Any] = {}
        for bucket in SIZE_BUCKET_BOUNDS:
            condition = in_size_bucket(bucket, "estimated_investment")
            aggregates[f"n_{bucket}"] = Count("id", filter=condition)
            aggregates[f"t_{bucket}"] = money_sum("estimated_investment", condition)
        row = self.aggregate(**aggregates)
        return {
            bucket: {
                "key": bucket,
                "label": str(SizeBucket(bucket).label),
                "count": row[f"n_{bucket}"],
                "estimated_investment": row[f"t_{bucket}"],
            }
            for bucket in SIZE_BUCKET_BOUNDS
        }

    def by_category(self) -> dict[int, dict[str, Any]]:
        """By project category (产业/基础设施/社会事业 …): count and 概算投资."""
        return {
            row["project__category"]: {
                "key": row["project__category"],
                "label": row["project__category__name"],
                "count": row["count"],
                "estimated_investment": row["estimated_investment"],
            }
            for row in self.order_by()
            .values("project__category", "project__category__name", "project__category__sort_order")
            .annotate(count=Count("id"), estimated_investment=money_sum("estimated_investment"))
            # In the catalogue's order, so that callers sorting by count keep ties in it.
            .order_by("project__category__sort_order", "project__category")
        }

    def with_plan_levels(self) -> "PipelineEntryQuerySet":
        """Each entry with on_province / on_city / on_local: already on that level's plan for its year."""

        # The latest versions, where promotions go: an adjustment being prepared counts.
        latest = Plan.objects.latest_versions()
        return self.annotate(
            **{
                f"on_{level}": Exists(
                    PlanEntry.objects.filter(
                        project_id=OuterRef("project_id"),
                        plan__year=OuterRef("proposed_year"),
                        plan__level=level,
                        plan__in=latest,
                    )
                )
                for level in PlanLevel.values
            }
        )

    def promote(self, level: str, plan_type: str, by: "User | None") -> Promotion:
        """纳入年度计划: put these entries on `level`'s plan of their proposed year, all or none.

        The latest version of the plan is used (an adjustment still being prepared included), or a
        first version is created. A project already on that plan
        is left as it is, so promoting twice adds nothing. Any entry that cannot go (dropped in
        review, no start month for a 新开工 entry …) stops the whole promotion and nothing is written.
        """

        if plan_type not in (PlanType.NEW_START, PlanType.PRELIMINARY):
            raise ValidationError(_t("纳入计划时，计划类型只能是“新开工”或“预备”。"))
        level = PlanLevel(level)
        entries = list(self.select_related("project").order_by("proposed_year", "id"))
        result = Promotion()
        with transaction.atomic():
            plans: dict[int, Plan] = {}
            for year in sorted({entry.proposed_year for entry in entries}):
                # The latest version: an adjustment being prepared takes the new entries with it.
                plan = Plan.objects.latest_versions().filter(year=year, level=level).first()
                if plan is None:
                    plan = Plan.objects.create(
                        year=year,
                        level=level,
                        title=_t("%(year)s年%(level)s建设项目计划") % {"year": year, "level": level.label},
                        created_by=by,
                    )
                    result.plans_created.append(plan)
                plans[year] = plan
            listed = set(
                PlanEntry.objects.filter(
                    plan__in=plans.values(), project_id__in=[e.project_id for e in entries]
                ).values_list("plan_id", "project_id")
            )
            errors: list[str] = []
            for entry in entries:
                plan = plans[entry.proposed_year]
                if entry.decision == Decision.DROP:
                    errors.append(
                        _t("%(name)s：已在审查中剔除，不能纳入计划。") % {"name": entry.project.name}
                    )
                    continue
                if (plan.pk, entry.project_id) in listed:
                    result.already_listed.append(entry)
                    continue
                new = PlanEntry(
                    plan=plan,
                    project=entry.project,
                    plan_type=plan_type,
                    annual_investment=entry.proposed_annual_investment,
                    planned_start_month=entry.planned_start_month,
                    note=_t("由项目谋划库纳入"),
                )
                try:
                    new.clean_fields(exclude=["plan", "project"])
                    new.clean()
                except ValidationError as error:
                    errors.append(f"{entry.project.name}：{'；'.join(error.messages)}")
                    continue
                new.save()
                listed.add((plan.pk, entry.project_id))
                result.created.append(new)
            if errors:
                # Leaving the block with an exception rolls back the plans and entries made so far.
                raise ValidationError(errors)
        return result


class ReviewDecisionQuerySet(ScopedQuerySet["ReviewDecision"]):
    scope_prefix = "entry__project__"
