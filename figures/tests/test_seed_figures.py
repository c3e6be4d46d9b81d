"""The seeds' figures out of portfolios built to their numbers: seed 003's 市级政府投资项目 of 1–9月
2022 (cut by 投资性质 and by size), seed 001's 开工率、复工率、竣工率均达100%, and 复工率's rules."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import Category
from figures.compute import Scope, compute, yi
from figures.tests.test_figures import accepted
from plans.models import Plan, PlanEntry
from progress.rollup import refresh_projects
from projects.models import Project, ProjectStatusChange

YI = Decimal(10000)


def project(name, world, total, nature="government", status="construction", started=None, **fields):
    return Project.objects.create(
        name=name,
        category=Category.objects.get(code="infrastructure"),
        total_investment=Decimal(total),
        investment_nature=nature,
        responsible_unit=world.housing,
        owner_unit=world.owner_a_unit,
        status=status,
        actual_start_date=started,
        **fields,
    )


@pytest.fixture
def quzhou(world):
    """Seed 003: the 2022 city plan at the end of September.

    Government investment: 41 projects of 1 亿元 and above (annual plan 77.18亿, done 61.9亿) and 47
    smaller ones (plan 20.68亿, done 16.1亿): 78亿 of 97.86亿, 79.7%; the big ones 80.2%. Of them 18
    were to start by September and 17 did (94.4%): one started in October. Enterprise projects on
    the same plan and government projects on the local plan must not count.
    """
    city = Plan.objects.create(year=2022, level="city", title="2022年市级重大政府投资项目计划")
    local = Plan.objects.create(year=2022, level="local", title="2022年区重点")
    projects = []

    def add(plan, name, total, annual, done, plan_type="continuing", **fields):
        item = project(name, world, total, **fields)
        PlanEntry.objects.create(
            plan=plan,
            project=item,
            plan_type=plan_type,
            annual_investment=Decimal(annual),
            planned_start_month=5 if plan_type == "new_start" else None,
        )
        accepted(item, 2022, 6, done)
        projects.append(item)

    for i in range(41):
        last = i == 40
        start = {}
        if i < 10:
            start = {"plan_type": "new_start", "started": date(2022, 5, 10) if i else date(2022, 10, 8)}
        add(
            city,
            f"重大项目{i:02d}",
            30000 + 1000 * i,
            19800 if last else 18800,
            15000 if last else 15100,
            **start,
        )
    for i in range(47):
        last = i == 46
        start = {"plan_type": "new_start", "started": date(2022, 9, 30)} if i < 8 else {}
        add(city, f"一般项目{i:02d}", "9999.99", 4400, 3450 if last else 3425, **start)
    for i in range(3):
        add(
            city,
            f"企业项目{i}",
            50000,
            20000,
            1000,
            nature="enterprise",
            plan_type="new_start",
            status="preliminary",
        )
    add(local, "区级政府投资项目", 80000, 30000, 29000)
    # A new start due in November is not yet counted.
    add(city, "年底开工项目", 9000, 0, "0.00", plan_type="new_start", status="preliminary")
    PlanEntry.objects.filter(project__name="年底开工项目").update(planned_start_month=11)
    refresh_projects([p.pk for p in projects])
    return projects


def test_seed_003_government_investment_figures(quzhou):
    data = compute(2022, 9, Scope(level="city", nature="government"))
    assert data["plan"]["count"] == 89
    assert yi(data["plan"]["completed"]) == Decimal("78.00")
    assert data["plan"]["completion_rate"] == Decimal("79.7")
    assert data["starts"]["to_start"] == 18
    assert data["starts"]["started"] == 17
    assert data["starts"]["start_rate"] == Decimal("94.4")


def test_seed_003_projects_of_one_yi_and_above(quzhou):
    data = compute(2022, 9, Scope(level="city", nature="government", min_total=YI))
    assert data["plan"]["count"] == 41
    assert yi(data["plan"]["completed"]) == Decimal("61.90")
    assert data["plan"]["completion_rate"] == Decimal("80.2")
    assert data["scope"]["nature"] == "government"
    assert data["scope"]["min_total"] == YI


def test_size_is_at_least_the_amount_given(quzhou):
    """The amount given is itself included: 9999.99 keeps the 47 smaller projects, not the one of 9000."""

    def count(least):
        return compute(2022, 9, Scope(level="city", nature="government", min_total=Decimal(least)))["plan"][
            "count"
        ]

    assert count("9999.99") == 88
    assert count("10000.00") == 41
    assert count("30000") == 41
    assert count("30001") == 40


def test_nature_and_size_cut_every_part_of_the_figures(quzhou, world):
    data = compute(2022, 9, Scope(level="city", nature="enterprise"))
    assert data["plan"]["count"] == 3
    assert sum(row["count"] for row in data["by_category"]) == 3
    assert [row["count"] for row in data["ranking_units"]] == [3]
    assert data["ranking_owners"][0]["name"] == world.owner_a_unit.name
    # A person who sees only part of the registry gets the cut of that part.
    assert compute(2022, 9, Scope(nature="enterprise", user=world.owner_b))["plan"]["count"] == 0


def test_figures_command_takes_nature_and_size(quzhou, capsys):
    call_command(
        "figures", "--year", "2022", "--month", "9", "--level", "city", "--nature", "government",
        "--min-total", "10000", "--json",
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["plan"]["count"] == 41
    assert data["plan"]["completion_rate"] == "80.2"
    call_command("figures", "--year", "2022", "--month", "9", "--level", "city", "--nature", "government")
    text = capsys.readouterr().out
    assert "政府投资：项目89个" in text
    assert "完成率79.7%" in text
    assert "开工率：94.4%" in text


@pytest.mark.parametrize("value", ["abc", "-1", "NaN", "1e20"])
def test_figures_command_refuses_a_bad_size(world, value):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="min-total"):
        call_command("figures", "--year", "2022", "--month", "9", "--min-total", value)


@pytest.fixture
def xinxiang(world):
    """Seed 001: 42 province and city key projects of 2017, 114亿 done, 140.1% of the plan; 22 new
    starts all started, 8 to complete all completed, 12 continuing all resumed."""
    province = Plan.objects.create(year=2017, level="province", title="2017年省重点")
    city = Plan.objects.create(year=2017, level="city", title="2017年市重点")
    projects = []
    for i in range(42):
        kind = "new_start" if i < 22 else "completing" if i < 30 else "continuing"
        item = project(
            f"省市重点项目{i:02d}",
            world,
            200000,
            status="completed" if kind == "completing" else "construction",
            started=date(2016, 3, 1) if kind != "new_start" else date(2017, 1 + i % 12, 15),
            actual_completion_date=date(2017, 11, 20) if kind == "completing" else None,
        )
        last = i == 41
        PlanEntry.objects.create(
            plan=province if i % 2 else city,
            project=item,
            plan_type=kind,
            annual_investment=Decimal(18300 if last else 19400),
            planned_start_month=1 + i % 12 if kind == "new_start" else None,
            planned_completion_month=11 if kind == "completing" else None,
        )
        if i % 7 == 0:
            # Also on the other list: counted once, under the city entry.
            PlanEntry.objects.create(
                plan=city if i % 2 else province, project=item, plan_type=kind,
                annual_investment=Decimal(18300 if last else 19400),
                planned_start_month=1 + i % 12 if kind == "new_start" else None,
                planned_completion_month=11 if kind == "completing" else None,
            )  # fmt: skip
        accepted(item, 2017, 8, 26850 if last else 27150)
        projects.append(item)
    refresh_projects([p.pk for p in projects])
    return projects


def test_seed_001_start_resume_and_completion_rates_all_100(xinxiang):
    data = compute(2017, 12, Scope())
    assert data["plan"]["count"] == 42
    assert yi(data["plan"]["completed"]) == Decimal("114.00")
    assert data["plan"]["completion_rate"] == Decimal("140.1")
    starts = data["starts"]
    assert (starts["to_start"], starts["started"], starts["start_rate"]) == (22, 22, Decimal("100.0"))
    assert (starts["to_resume"], starts["resumed"], starts["resume_rate"]) == (12, 12, Decimal("100.0"))
    assert (starts["to_finish"], starts["finished"], starts["finish_rate"]) == (8, 8, Decimal("100.0"))


def test_resumption_counts_accepted_amounts_and_returns_from_suspension(world):
    """复工: an accepted report of the year with an amount, or a return from 暂停施工 dated this year
    by the month's end; a draft, a zero, last year's report or a later return do not count."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    cases = {}
    for name in ("报送金额", "复工日期", "仅草稿", "金额为零", "上年报送", "十月复工", "新开工"):
        item = project(name, world, 20000, started=date(2024, 3, 1))
        PlanEntry.objects.create(
            plan=plan,
            project=item,
            plan_type="new_start" if name == "新开工" else "continuing",
            annual_investment=Decimal(1000),
            planned_start_month=3 if name == "新开工" else None,
        )
        cases[name] = item
    accepted(cases["报送金额"], 2026, 4, "120.00")
    accepted(cases["新开工"], 2026, 4, "120.00")
    accepted(cases["金额为零"], 2026, 4, "0.00")
    accepted(cases["上年报送"], 2025, 12, "300.00")
    draft = accepted(cases["仅草稿"], 2026, 5, "80.00")
    draft.state = "draft"
    draft.save()
    for name, day in (("复工日期", date(2026, 3, 2)), ("十月复工", date(2026, 10, 8))):
        ProjectStatusChange.objects.create(
            project=cases[name], from_status="suspended", to_status="construction", effective_date=day
        )
    refresh_projects([p.pk for p in cases.values()])
    starts = compute(2026, 9, Scope())["starts"]
    assert (starts["to_resume"], starts["resumed"], starts["resume_rate"]) == (6, 2, Decimal("33.3"))
    # At October's end the later return counts too; in February neither had happened.
    assert compute(2026, 10, Scope())["starts"]["resumed"] == 3
    assert compute(2026, 2, Scope())["starts"]["resumed"] == 0


def test_no_continuing_project_has_no_resumption_rate(world):
    Plan.objects.create(year=2026, level="local", title="2026年区重点")
    starts = compute(2026, 9, Scope())["starts"]
    assert (starts["to_resume"], starts["resumed"], starts["resume_rate"]) == (0, 0, None)
