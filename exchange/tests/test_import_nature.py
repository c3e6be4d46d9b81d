"""投资性质 is an accepted import column: 政府投资 / 企业投资 set, changed and logged; a word that is
neither is an error naming the choices; the export writes it."""

import pytest

from audit.models import OperationLog
from exchange.export import export_table
from exchange.tests.test_export import rows_of
from exchange.tests.test_import import HEADER_3, SUB_HEADER_3, row3, run, workbook
from plans.models import Plan, PlanEntry
from progress.periods import Period
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=100
    )
    return plan


def sheet(nature, name="滨河路改造工程", **fields):
    body = [
        *row3(name, total=12000, amount=5, cumulative=5, ytd=5, responsible="区住房和城乡建设局", **fields),
        nature,
    ]
    return workbook([[*HEADER_3, "投资性质"], [*SUB_HEADER_3, None], body], ("L1:P1",))


def test_the_nature_of_a_project_is_changed_and_logged(world, plan):
    result = run(sheet("企业投资"), world.coordinator)
    assert result.errors == []
    world.project_a.refresh_from_db()
    assert world.project_a.investment_nature == "enterprise"
    log = OperationLog.objects.get(project=world.project_a, action=OperationLog.Action.UPDATE)
    assert log.changes["投资性质"] == ["政府投资", "企业投资"]


def test_a_new_project_takes_the_nature_written(world, plan):
    result = run(sheet("企业", name="新建物流园"), world.coordinator)
    assert result.errors == []
    assert Project.objects.get(name="新建物流园").investment_nature == "enterprise"


def test_an_unknown_nature_is_an_error_naming_the_choices(world, plan):
    result = run(sheet("外资"), world.coordinator)
    assert any("投资性质“外资”无法识别" in str(error) for error in result.errors)
    world.project_a.refresh_from_db()
    assert world.project_a.investment_nature == "government"


def test_a_blank_nature_leaves_the_project_as_it_is(world, plan):
    Project.objects.filter(pk=world.project_a.pk).update(investment_nature="enterprise")
    assert run(sheet(None), world.coordinator).errors == []
    world.project_a.refresh_from_db()
    assert world.project_a.investment_nature == "enterprise"


def test_the_export_writes_the_nature(world, plan):
    rows = rows_of(export_table(3, 2026, "local", period=Period(2026, 3)))
    header = next(row for row in rows if "项目代码" in row)
    data = next(row for row in rows if "滨河路改造工程" in row)
    assert data[header.index("投资性质")] == "政府投资"
