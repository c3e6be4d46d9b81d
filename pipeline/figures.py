"""项目谋划 figures: what the pipeline for a year holds, by size and category, against last year's."""

from typing import Any

from figures.registry import Context
from lib.numbers import percent, year_on_year
from pipeline.models import PipelineEntry, ReviewRound
from pipeline.querysets import PipelineEntryQuerySet
from plans.scope import Scope
from projects.choices import SizeBucket


def pipeline_entries(year: int, scope: Scope | None = None) -> PipelineEntryQuerySet:
    """谋划口径: entries proposed for `year` still in the pipeline (not dropped), within `scope`.

    A scope's level means "proposed for that level's list".
    """
    entries = PipelineEntry.objects.filter(proposed_year=year).active()
    if scope is None:
        return entries
    entries = scope.narrow(entries)
    if scope.level:
        entries = entries.proposed_for(scope.level)
    return entries


def change(this: int, last: int | None) -> int | None:
    """同比增加/减少 x 个: None when there is no last year to compare with."""
    return None if last is None else this - last


def pipeline_figures(year: int, scope: Scope | None = None) -> dict[str, Any]:
    """项目谋划: 梳理汇总 projects, 概算投资 and 年度计划投资 for `year`; size buckets and categories with
    their change against last year's pipeline; 亿元以上项目占比; 拟申报市级以上 and 省控 projects.

    Last year is "missing" when its pipeline holds nothing in scope: the changes are then None.
    """
    entries = pipeline_entries(year, scope)
    last_entries = pipeline_entries(year - 1, scope)
    totals = entries.totals()
    last_totals = last_entries.totals()
    has_last = last_totals["count"] > 0
    buckets = entries.size_buckets()
    last_buckets = last_entries.size_buckets() if has_last else {}
    sizes = []
    for key, row in buckets.items():
        last_count = last_buckets[key]["count"] if has_last else None
        sizes.append({**row, "last_count": last_count, "change": change(row["count"], last_count)})
    above = sum(
        buckets[key]["count"] for key in (SizeBucket.TEN_PLUS, SizeBucket.FIVE_TEN, SizeBucket.ONE_FIVE)
    )
    categories = entries.by_category()
    last_categories = last_entries.by_category() if has_last else {}
    by_category = []
    for category_pk, row in sorted(categories.items(), key=lambda item: -item[1]["count"]):
        last_count = last_categories.get(category_pk, {}).get("count", 0) if has_last else None
        by_category.append({**row, "last_count": last_count, "change": change(row["count"], last_count)})
    return {
        "proposed_year": year,
        "review_rounds": ReviewRound.objects.filter(year=year).count(),
        **totals,
        "last_year": last_totals if has_last else None,
        "year_on_year": (
            {
                "count": year_on_year(totals["count"], last_totals["count"]),
                "estimated_investment": year_on_year(
                    totals["estimated_investment"], last_totals["estimated_investment"]
                ),
                "annual_investment": year_on_year(
                    totals["annual_investment"], last_totals["annual_investment"]
                ),
            }
            if has_last
            else None
        ),
        "sizes": sizes,
        "yi_and_above": above,
        "yi_and_above_share": percent(above, totals["count"], 2),
        "by_category": by_category,
        "above_county": entries.above_county().totals(),
        "province": entries.proposed_for("province").totals(),
    }


def figures_section(context: Context) -> dict[str, Any]:
    """项目谋划: the pipeline proposed for the next year."""
    return {"pipeline": pipeline_figures(context.year + 1, context.scope)}
