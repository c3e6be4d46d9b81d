"""Pipeline figures on hand-built data: size buckets, year on year, the seed's 2018 pipeline."""

from decimal import Decimal

import pytest

from catalog.models import Category
from pipeline.figures import pipeline_figures
from pipeline.models import PipelineEntry, ReviewRound
from plans.scope import Scope
from projects.models import Project

pytestmark = pytest.mark.django_db


def propose(world, name, amount, year=2027, annual=0, unit=None, category=None, **flags):
    project = Project.objects.create(
        name=name,
        category=category or world.project_a.category,
        total_investment=Decimal(amount),
        responsible_unit=unit or world.housing,
        status="reserve",
    )
    return PipelineEntry.objects.create(
        project=project,
        proposed_year=year,
        estimated_investment=Decimal(amount),
        proposed_annual_investment=Decimal(annual),
        proposing_unit=unit or world.housing,
        **flags,
    )


def test_bucket_boundaries_at_one_five_and_ten_yi_belong_to_the_larger_bucket(world):
    for amount in ("9999.99", "10000", "49999.99", "50000", "99999.99", "100000"):
        propose(world, f"项目{amount}", amount)
    figures = pipeline_figures(2027)
    counts = {row["key"]: row["count"] for row in figures["sizes"]}
    assert counts == {"10y+": 1, "5-10y": 2, "1-5y": 2, "<1y": 1}
    assert figures["yi_and_above"] == 5
    assert figures["yi_and_above_share"] == Decimal("83.33")


def test_without_last_years_pipeline_there_is_no_change_figure(world):
    propose(world, "新项目", 20000)
    figures = pipeline_figures(2027)
    assert figures["last_year"] is None
    assert figures["year_on_year"] is None
    assert {row["change"] for row in figures["sizes"]} == {None}
    assert figures["by_category"][0]["change"] is None


def test_changes_against_last_years_pipeline(world):
    propose(world, "去年十亿", 120000, year=2026)
    propose(world, "去年一亿", 10000, year=2026)
    propose(world, "今年十亿甲", 150000)
    propose(world, "今年十亿乙", 100000)
    figures = pipeline_figures(2027)
    changes = {row["key"]: row["change"] for row in figures["sizes"]}
    assert changes == {"10y+": 1, "5-10y": 0, "1-5y": -1, "<1y": 0}
    assert figures["year_on_year"]["count"] == Decimal("0.0")
    # (250000 − 130000) / 130000 = +92.3%
    assert figures["year_on_year"]["estimated_investment"] == Decimal("92.3")


def test_dropped_projects_leave_the_pipeline_and_its_figures(world):
    kept = propose(world, "保留", 20000)
    dropped = propose(world, "剔除", 30000)
    review = ReviewRound.objects.create(year=2027, number=1, held_on="2026-10-01")
    review.decide(kept, "keep", by=world.coordinator)
    review.decide(dropped, "drop", by=world.coordinator)
    assert pipeline_figures(2027)["count"] == 1
    # A later round has the last word.
    second = ReviewRound.objects.create(year=2027, number=2, held_on="2026-10-20")
    second.decide(dropped, "revise", by=world.coordinator)
    dropped.refresh_from_db()
    assert dropped.decision == "revise"
    assert pipeline_figures(2027)["count"] == 2


def test_figures_follow_the_users_scope(world):
    propose(world, "住建", 20000, unit=world.housing)
    propose(world, "街道", 30000, unit=world.town)
    assert pipeline_figures(2027, Scope(user=world.department))["count"] == 1
    assert pipeline_figures(2027, Scope(user=world.outsider))["count"] == 0
    assert pipeline_figures(2027, Scope(user=world.coordinator))["count"] == 2


def test_the_2018_pipeline_of_seed_001(world):
    """223 projects, 658.31 亿元; 19 of 10 亿 and more (+6), 30 of 5–10 (+5), 91 of 1–5 (+25);
    亿元以上 62.78%; 63 proposed for the city's or province's list, 16 of them for the province's."""
    category = Category.objects.get(code="industry")
    projects = Project.objects.bulk_create(
        Project(
            name=f"谋划{i}",
            category=category,
            total_investment=0,
            responsible_unit=world.housing,
            status="reserve",
        )
        for i in range(223 + 13 + 25 + 66)
    )
    # 6,470,000 万元 in the three upper buckets and 113,100 in 83 small ones: 658.31 亿元 in all.
    sizes = [150_000] * 19 + [60_000] * 30 + [20_000] * 91 + [1_300] * 82 + [6_500]
    last_sizes = [150_000] * 13 + [60_000] * 25 + [20_000] * 66
    entries = [
        PipelineEntry(
            project=project,
            proposed_year=2018,
            estimated_investment=amount,
            to_province=index < 16,
            to_city=16 <= index < 63,
            proposing_unit=world.housing,
        )
        for index, (project, amount) in enumerate(zip(projects[:223], sizes, strict=True))
    ]
    entries += [
        PipelineEntry(
            project=project, proposed_year=2017, estimated_investment=amount, proposing_unit=world.housing
        )
        for project, amount in zip(projects[223:], last_sizes, strict=True)
    ]
    PipelineEntry.objects.bulk_create(entries)
    figures = pipeline_figures(2018)
    assert figures["count"] == 223
    assert figures["estimated_investment"] == Decimal("6583100.00")
    sizes_by_key = {row["key"]: (row["count"], row["change"]) for row in figures["sizes"]}
    assert sizes_by_key["10y+"] == (19, 6)
    assert sizes_by_key["5-10y"] == (30, 5)
    assert sizes_by_key["1-5y"] == (91, 25)
    assert figures["yi_and_above_share"] == Decimal("62.78")
    assert figures["above_county"]["count"] == 63
    assert figures["province"]["count"] == 16
