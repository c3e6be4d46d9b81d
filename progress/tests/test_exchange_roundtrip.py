"""Export → import of the official tables leaves the data as it was."""

from decimal import Decimal

import pytest

from catalog.models import ProcedureType
from plans.models import Plan, PlanEntry
from progress.choices import ReportState
from progress.exchange.export import export_table
from progress.exchange.importer import import_table
from progress.models import Report
from progress.periods import Period
from projects.models import Procedure

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def plan(world):
    plan = Plan.objects.create(year=YEAR, level="local", title="2026年区重点项目计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("3000")
    )
    PlanEntry.objects.create(
        plan=plan, project=world.project_b, plan_type="preliminary", annual_investment=Decimal("500")
    )
    return plan


def report(project, month, amount, ytd, cumulative, state=ReportState.ACCEPTED, **extra):
    period = Period(YEAR, month)
    return Report.objects.create(
        project=project,
        year=YEAR,
        month=month,
        amount=Decimal(amount),
        year_to_date=Decimal(ytd),
        cumulative=Decimal(cumulative),
        state=state,
        deadline=period.deadline,
        **extra,
    )


def test_table3_round_trip_changes_nothing(world, plan):
    report(world.project_a, 1, "100", "100", "2100", is_opening=True, progress_text="基础施工")
    report(world.project_a, 2, "150", "250", "2250", progress_text="主体施工")
    Procedure.objects.create(
        project=world.project_a,
        type=ProcedureType.objects.get(code="land"),
        status="done",
        submitted_on="2025-01-01",
        approved_on="2025-02-01",
    )
    content = export_table(3, YEAR, "local", period=Period(YEAR, 2))
    result = import_table(
        content, "附件3.xlsx", year=YEAR, level="local", period=Period(YEAR, 2), commit=True
    )
    assert result.errors == []
    assert result.counts["changed"] == 0 and result.counts["new"] == 0, result.rows
    assert result.counts["unchanged"] == 1
