"""Portfolios of known shapes for the forecast's tests, built the way reports arrive: accepted
monthly reports, then the rollup (progress.rollup) that keeps the yearly summary."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from catalog.models import Category
from figures.tests.test_figures import accepted
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from projects.models import Project

PLAN = Decimal("1200.00")
STEADY = [100] * 12
# Little in spring, most in autumn: what the 社会事业 projects of past years did.
BACK_LOADED = [20, 20, 30, 40, 50, 60, 80, 100, 120, 200, 230, 250]
STALLED = [100, 100, 100] + [0] * 9
PAST_YEARS = (2024, 2025)
YEAR, MONTHS = 2026, 9


@dataclass
class Portfolio:
    steady: Project
    stalled: Project
    back_loaded: Project
    past: list[Project]


def planned(project: Project, year: int, amounts: list[int], months: int = 12) -> None:
    plan, _created = Plan.objects.get_or_create(
        year=year, level="local", defaults={"title": f"{year}年区重点"}
    )
    PlanEntry.objects.create(plan=plan, project=project, plan_type="continuing", annual_investment=PLAN)
    for month, amount in enumerate(amounts[:months], start=1):
        if amount:
            accepted(project, year, month, f"{amount}.00")


def make_portfolio(world, past_projects: int = 3) -> Portfolio:
    """Past years: steady 基础设施 projects and back-loaded 社会事业 ones; this year, nine months of a
    steady project and one stalled since spring (both 住建局's), and a back-loaded one (城关街道's)."""
    infrastructure = Category.objects.get(code="infrastructure")
    social = Category.objects.get(code="social")

    def project(name: str, category: Category, unit, owner) -> Project:
        return Project.objects.create(
            name=name,
            category=category,
            total_investment=Decimal("20000.00"),
            responsible_unit=unit,
            owner_unit=owner,
            build_years="2024-2027",
            status="construction",
        )

    past = []
    for i in range(past_projects):
        steady = project(f"往年道路工程{i}", infrastructure, world.housing, world.owner_a_unit)
        later = project(f"往年学校工程{i}", social, world.town, world.owner_b_unit)
        for year in PAST_YEARS:
            planned(steady, year, STEADY)
            planned(later, year, BACK_LOADED)
        past += [steady, later]
    portfolio = Portfolio(
        steady=project("稳步推进道路工程", infrastructure, world.housing, world.owner_a_unit),
        stalled=project("春季停工管网工程", infrastructure, world.housing, world.owner_a_unit),
        back_loaded=project("城关中学新建工程", social, world.town, world.owner_b_unit),
        past=past,
    )
    planned(portfolio.steady, YEAR, STEADY, MONTHS)
    planned(portfolio.stalled, YEAR, STALLED, MONTHS)
    planned(portfolio.back_loaded, YEAR, BACK_LOADED, MONTHS)
    refresh_projects([p.pk for p in [*past, portfolio.steady, portfolio.stalled, portfolio.back_loaded]])
    return portfolio


@pytest.fixture
def portfolio(world) -> Portfolio:
    return make_portfolio(world)
