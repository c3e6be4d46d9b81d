"""年度目标预测 over portfolios of known shapes: steady, stalled since spring, back-loaded."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Category
from forecast.alerts import YearTargetRisk
from forecast.compute import forecast
from forecast.history import History
from forecast.tests.conftest import MONTHS, PAST_YEARS, YEAR, make_portfolio
from plans.scope import Scope, scope_entries


def by_name(data):
    return {row["name"]: row for row in data["projects"]}


def test_a_project_stalled_since_spring_is_at_risk_and_a_steady_one_is_not(portfolio):
    rows = by_name(forecast(YEAR, MONTHS))

    stalled = rows[portfolio.stalled.name]
    assert stalled["at_risk"] is True
    assert stalled["completed"] == Decimal("300.00")
    assert stalled["forecast"] == Decimal("300.00")
    assert stalled["forecast_rate"] == Decimal("25.0")
    assert stalled["reason"].startswith("停滞6个月")

    steady = rows[portfolio.steady.name]
    assert steady["at_risk"] is False
    assert steady["completed"] == Decimal("900.00")
    # Nine twelfths done of a steady year, and past years of its category as steady: the whole plan.
    assert steady["forecast_rate"] == Decimal("100.0")
    assert "同类项目往年季节规律" in steady["reason"]


def test_a_back_loaded_project_follows_its_categorys_past_seasons(portfolio):
    row = by_name(forecast(YEAR, MONTHS))[portfolio.back_loaded.name]

    # 520 of 1,200 by September is 43%, far behind time progress, but its category's past years
    # did as little by then and finished the year: it is on course, not at risk.
    assert row["completed"] == Decimal("520.00")
    assert row["at_risk"] is False
    assert row["forecast_rate"] == Decimal("100.0")
    assert "同类项目往年季节规律" in row["reason"]


def test_without_past_years_the_plans_schedule_is_followed(world):
    portfolio = make_portfolio(world, past_projects=0)

    rows = by_name(forecast(YEAR, MONTHS))

    assert rows[portfolio.stalled.name]["at_risk"] is True
    assert rows[portfolio.steady.name]["at_risk"] is False
    # Evenly over the year, 520 by September is behind the plan's schedule.
    assert rows[portfolio.back_loaded.name]["at_risk"] is True
    assert "计划进度安排" in rows[portfolio.back_loaded.name]["reason"]


def test_the_portfolio_total_adds_up_the_projects_with_a_range_around_it(portfolio):
    data = forecast(YEAR, MONTHS)
    total = data["total"]

    assert total["count"] == 3
    assert total["annual_plan"] == Decimal("3600.00")
    assert total["completed"] == Decimal("1720.00")
    assert total["forecast"] == sum(row["forecast"] for row in data["projects"])
    assert total["forecast_rate"] == Decimal("75.0")
    assert total["low"] <= total["forecast"] <= total["high"]
    assert total["low"] >= total["completed"]
    assert total["at_risk"] == 1


def test_a_scope_narrowed_to_a_unit_forecasts_its_projects_only(portfolio, world):
    data = forecast(YEAR, MONTHS, Scope(unit=world.town))

    assert [row["name"] for row in data["projects"]] == [portfolio.back_loaded.name]
    assert data["total"]["annual_plan"] == Decimal("1200.00")


def test_the_query_count_does_not_grow_with_the_projects(world):
    make_portfolio(world, past_projects=3)
    with CaptureQueriesContext(connection) as few:
        forecast(YEAR, MONTHS, entries=scope_entries(YEAR, Scope()))
    make_portfolio(world, past_projects=2)
    with CaptureQueriesContext(connection) as more:
        data = forecast(YEAR, MONTHS, entries=scope_entries(YEAR, Scope()))

    assert data["total"]["count"] == 6
    assert len(more) == len(few)


def test_a_kept_forecast_is_read_in_as_many_queries_however_many_projects(world):
    make_portfolio(world, past_projects=3)
    forecast(YEAR, MONTHS)
    with CaptureQueriesContext(connection) as few:
        forecast(YEAR, MONTHS)
    make_portfolio(world, past_projects=2)
    forecast(YEAR, MONTHS)
    with CaptureQueriesContext(connection) as more:
        data = forecast(YEAR, MONTHS)

    assert data["total"]["count"] == 6
    assert len(more) == len(few)


def test_the_json_has_the_projects_and_the_total(portfolio):
    out = StringIO()
    call_command("forecast", "--year", str(YEAR), "--month", str(MONTHS), "--json", stdout=out)
    data = json.loads(out.getvalue())

    assert set(data) == {"projects", "total"}
    assert {tuple(sorted(row)) for row in data["projects"]} == {
        ("annual_plan", "at_risk", "code", "completed", "forecast", "forecast_rate", "name", "reason")
    }
    assert set(data["total"]) >= {"annual_plan", "completed", "forecast", "forecast_rate", "low", "high"}
    # Amounts are decimal strings, as figures --json writes them.
    stalled = next(row for row in data["projects"] if row["name"] == portfolio.stalled.name)
    assert stalled["annual_plan"] == "1200.00"
    assert stalled["forecast_rate"] == "25.0"
    assert stalled["at_risk"] is True


def test_the_text_names_the_projects_at_risk(portfolio):
    out = StringIO()
    call_command("forecast", "--year", str(YEAR), "--month", str(MONTHS), stdout=out)
    text = out.getvalue()

    assert "预计全年完成" in text
    assert portfolio.stalled.name in text
    assert portfolio.steady.name not in text


def test_the_backtest_prints_its_error_for_each_month(portfolio):
    out = StringIO()
    call_command("forecast", "--backtest", "--year", "2025", stdout=out)
    lines = out.getvalue().splitlines()

    assert lines[0].startswith("回测：2024—2025年（2个年度）")
    months = [line.split() for line in lines[2:]]
    assert [row[0] for row in months] == [f"{m}月" for m in range(1, 12)]
    # Forecasts, then the mean absolute errors in points and in 万元, for every month.
    assert all(int(row[2]) == 2 * 6 and float(row[3]) >= 0 and float(row[4]) >= 0 for row in months)
    # 2024 had no past year and followed the plans' even schedule, which the back-loaded projects
    # did not keep: its forecasts made in January were off.
    assert float(months[0][3]) > 0


def test_the_backtest_json_gives_the_errors(portfolio):
    out = StringIO()
    call_command("forecast", "--backtest", "--year", "2025", "--json", stdout=out)
    data = json.loads(out.getvalue())

    assert data["years"] == [2024, 2025]
    november = data["months"][-1]
    assert november["forecasts"] == 2 * 6
    assert november["mae_points"] is not None and november["mae_points"] >= 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "2026", "--month", "13"], "月份"),
        (["--month", "3"], "--year"),
        (["--year", "1900", "--month", "3"], "年份"),
        (["--year", "2026", "--month", "3", "--unit", "999999"], "不存在"),
    ],
)
def test_bad_arguments_are_refused_in_words(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("forecast", *arguments, stdout=StringIO())


def test_the_year_target_rule_lights_the_stalled_project_from_june_on(portfolio):
    rule = YearTargetRisk()
    config = rule.default_config()

    findings = list(rule.findings(date(2026, 9, 28), config))

    assert [(f.project_id, f.colour, f.object_key) for f in findings] == [
        (portfolio.stalled.pk, "red", "2026")
    ]
    assert "25.0%" in findings[0].message and "停滞" in findings[0].message


def test_the_year_target_rule_waits_for_its_month(portfolio, settings):
    settings.FORECAST_RULE_FROM_MONTH = 10
    rule = YearTargetRisk()

    assert list(rule.findings(date(2026, 9, 28), rule.default_config())) == []


def test_the_past_years_count_each_project_once(portfolio):
    """The summary holds each owner's cells and their unit's totals over the owners: the history
    reads the totals, so that three 基础设施 projects a year are three, at their plans' amounts."""
    history = History.read(YEAR, None)
    infrastructure = Category.objects.get(code="infrastructure")
    for year in PAST_YEARS:
        sums = history.by_category[(year, infrastructure.pk)]
        assert sums.count == 3
        assert sums.plan == 3 * 1200
        assert list(sums.ytd) == [3 * 100 * month for month in range(1, 13)]
