"""项目后评价: recorded by the office after completion, compared with similar projects, read in scope."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import OperationLog
from catalog.models import Category
from evaluation.comparison import compare, distribution
from evaluation.models import Evaluation
from evaluation.views import latest_awaiting
from projects.models import Project

pytestmark = pytest.mark.django_db


def completed(project: Project) -> Project:
    project.status = "completed"
    project.planned_start_date, project.planned_completion_date = date(2024, 3, 1), date(2025, 3, 1)
    project.actual_start_date, project.actual_completion_date = date(2024, 3, 1), date(2025, 6, 1)
    project.save()
    return project


def evaluate(project: Project, final_cost: str, actual_end: date, **extra) -> Evaluation:
    values = {
        "project": project,
        "budget": project.total_investment,
        "final_cost": Decimal(final_cost),
        "planned_start_date": date(2024, 3, 1),
        "planned_completion_date": date(2025, 3, 1),
        "actual_start_date": date(2024, 3, 1),
        "actual_completion_date": actual_end,
        "operating_results": "通车后日均车流量1.2万辆。",
        "grade": "good",
        "evaluator": "区发改局",
        "evaluated_on": date(2025, 9, 1),
        **extra,
    }
    return Evaluation.objects.create(**values)


@pytest.fixture
def evaluated(world):
    """project_a (基础设施, 1–5亿) is completed and evaluated: 13200 against 12000 (10% over), 15
    months against 12 (25.2% longer); three other infrastructure projects of its size are evaluated."""
    completed(world.project_a)
    evaluation = evaluate(world.project_a, "13200", date(2025, 6, 1), is_case=True, case_summary="EPC总承包")
    category = world.project_a.category
    for n, (cost, end) in enumerate(
        (("11400", date(2025, 3, 1)), ("12000", date(2025, 4, 1)), ("15600", date(2025, 9, 1)))
    ):
        peer = completed(
            Project.objects.create(
                name=f"同类道路{n}", category=category, total_investment=Decimal("12000"), status="completed"
            )
        )
        evaluate(peer, cost, end)
    return world, evaluation


def test_overruns_follow_from_the_amounts_and_dates(evaluated):
    _world, evaluation = evaluated
    assert evaluation.cost_overrun == Decimal("10.0")
    assert (evaluation.planned_days, evaluation.actual_days) == (365, 457)
    assert evaluation.schedule_overrun == Decimal("25.2")
    assert evaluation.cost_difference == Decimal("1200.00")


def test_the_project_stands_among_projects_of_its_category_and_size(evaluated):
    _world, evaluation = evaluated
    comparison = compare(evaluation, "category")
    assert comparison.size == 4
    # Cost overruns of the peers: -5, 0, 10 (this one), 30.
    assert comparison.cost.percentile == Decimal("62.5")
    assert comparison.cost.median == Decimal("5.0")
    assert comparison.cost.counts == [0, 1, 1, 1, 1, 0]
    assert comparison.cost.own_bin == 3
    assert sum(comparison.schedule.counts) == 4


def test_a_project_of_another_size_or_category_is_no_peer(evaluated):
    world, evaluation = evaluated
    big = completed(
        Project.objects.create(
            name="大型道路", category=world.project_a.category, total_investment=Decimal("200000")
        )
    )
    evaluate(big, "300000", date(2026, 1, 1))
    other = completed(
        Project.objects.create(
            name="学校", category=Category.objects.get(code="social"), total_investment=Decimal("12000")
        )
    )
    evaluate(other, "30000", date(2026, 1, 1))
    assert compare(evaluation, "category").size == 4
    # By industry: project_a alone has 市政 among the evaluated.
    assert compare(evaluation, "industry").size == 1


def test_distribution_without_peers_has_no_percentile():
    result = distribution("x", [], None)
    assert result.percentile is None and result.median is None and result.size == 0


def test_the_coordinator_records_an_evaluation_of_a_completed_project(world, client_for):
    completed(world.project_a)
    client = client_for(world.coordinator)
    url = reverse("evaluation:create", args=[world.project_a.pk])
    form = client.get(url)
    assert form.status_code == 200 and "12000.00" in form.content.decode()
    response = client.post(
        url,
        {
            "budget": "12,000",
            "final_cost": "11500",
            "planned_start_date": "2024-03-01",
            "planned_completion_date": "2025-03-01",
            "actual_start_date": "2024-03-01",
            "actual_completion_date": "2025-02-01",
            "quality_incidents": "0",
            "safety_incidents": "1",
            "operating_results": "已通车",
            "grade": "excellent",
            "evaluator": "第三方评估机构",
            "evaluated_on": "2025-10-01",
        },
    )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302 and response["Location"] == evaluation.get_absolute_url()
    assert evaluation.cost_overrun == Decimal("-4.2") and evaluation.created_by == world.coordinator
    assert OperationLog.objects.filter(action=OperationLog.Action.CREATE, project=world.project_a).exists()
    # A second visit to the create page edits the one evaluation.
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == reverse("evaluation:edit", args=[evaluation.pk])


def test_bad_input_is_refused_with_messages_and_nothing_saved(world, client_for):
    completed(world.project_a)
    response = client_for(world.coordinator).post(
        reverse("evaluation:create", args=[world.project_a.pk]),
        {
            "budget": "-1",
            "final_cost": "abc",
            "planned_start_date": "2025-03-01",
            "planned_completion_date": "2024-03-01",
            "actual_start_date": "2024-03-01",
            "actual_completion_date": "2025-02-01",
            "quality_incidents": "0",
            "safety_incidents": "0",
            "operating_results": "x",
            "grade": "good",
            "evaluator": "x",
            "evaluated_on": "2099-01-01",
            "is_case": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "竣工时间不能早于开工时间" in html or "列为典型案例须填写典型经验" in html
    assert Evaluation.objects.count() == 0


def test_a_project_not_yet_completed_cannot_be_evaluated(world, client_for):
    response = client_for(world.coordinator).get(reverse("evaluation:create", args=[world.project_a.pk]))
    assert response.status_code == 302 and response["Location"] == world.project_a.get_absolute_url()
    assert Evaluation.objects.count() == 0


@pytest.mark.parametrize("persona", ["leader", "department", "owner_a", "inspector"])
def test_only_the_office_writes(evaluated, client_for, persona):
    world, evaluation = evaluated
    client = client_for(getattr(world, persona))
    assert client.get(reverse("evaluation:edit", args=[evaluation.pk])).status_code == 403
    assert client.post(reverse("evaluation:delete", args=[evaluation.pk])).status_code == 403
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("leader", 200),
        ("inspector", 200),
        ("department", 200),
        ("owner_a", 200),
        ("owner_b", 404),
        ("town_user", 404),
        ("outsider", 404),
    ],
)
def test_the_evaluation_is_read_in_the_projects_scope(evaluated, client_for, persona, status):
    world, evaluation = evaluated
    response = client_for(getattr(world, persona)).get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert 'data-testid="comparison"' in html and "62.5" in html


def test_the_list_and_the_cases_show_only_what_the_user_may_see(evaluated, client_for):
    world, _evaluation = evaluated
    coordinator = client_for(world.coordinator)
    assert (
        coordinator.get(reverse("evaluation:list")).content.decode().count('data-testid="evaluation-row"')
        == 4
    )
    html = coordinator.get(reverse("evaluation:cases")).content.decode()
    assert html.count('data-testid="case-card"') == 1 and "EPC总承包" in html
    owner_a = client_for(world.owner_a).get(reverse("evaluation:list")).content.decode()
    assert owner_a.count('data-testid="evaluation-row"') == 1
    owner_b = client_for(world.owner_b)
    assert 'data-testid="empty"' in owner_b.get(reverse("evaluation:list")).content.decode()
    assert 'data-testid="empty"' in owner_b.get(reverse("evaluation:cases")).content.decode()


def test_the_list_filters_sorts_and_exports(evaluated, client_for):
    world, _evaluation = evaluated
    client = client_for(world.coordinator)
    html = client.get(
        reverse("evaluation:list"), {"is_case": "true", "sort": "-cost_overrun"}
    ).content.decode()
    assert html.count('data-testid="evaluation-row"') == 1
    html = client.get(reverse("evaluation:list"), {"size": "10y+"}).content.decode()
    assert 'data-testid="empty"' in html
    export = client.get(reverse("evaluation:list"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_project_page_has_an_evaluation_tab(evaluated, client_for):
    world, _evaluation = evaluated
    url = reverse("projects:detail", args=[world.project_a.pk])
    html = client_for(world.owner_a).get(url, {"tab": "evaluation"}).content.decode()
    assert 'data-testid="project-evaluation"' in html
    html = (
        client_for(world.coordinator)
        .get(reverse("projects:detail", args=[world.project_b.pk]), {"tab": "evaluation"})
        .content.decode()
    )
    assert 'data-testid="not-evaluable"' in html


def test_the_office_deletes_an_evaluation_with_a_log_entry(evaluated, client_for):
    world, evaluation = evaluated
    response = client_for(world.coordinator).post(reverse("evaluation:delete", args=[evaluation.pk]))
    assert response.status_code == 302
    assert not Evaluation.objects.filter(pk=evaluation.pk).exists()
    assert OperationLog.objects.filter(action=OperationLog.Action.DELETE, project=world.project_a).exists()


def test_the_office_sees_the_latest_five_completed_projects_awaiting_and_how_many(world, client_for):
    for day in range(1, 8):
        project = completed(
            Project.objects.create(
                name=f"待评价项目{day}",
                category=world.project_a.category,
                total_investment=1000,
                responsible_unit=world.housing,
            )
        )
        Project.objects.filter(pk=project.pk).update(actual_completion_date=date(2025, 7, day))
    response = client_for(world.coordinator).get(reverse("evaluation:list"))
    shown = [project.name for project in response.context["awaiting"]]
    assert shown == [f"待评价项目{day}" for day in (7, 6, 5, 4, 3)]
    assert response.context["awaiting_count"] == 7
    assert "共 7 个项目待后评价" in response.content.decode()


def test_the_projects_awaiting_are_the_latest_completed_or_operating_without_an_evaluation(world, client_for):
    """Operating projects await too, ties on the day go by name (拼音), those without a completion
    date come last, and neither a project evaluated nor one under construction is listed, whatever
    its date; the first few are read from the index of the list's order."""

    def made(name: str, status: str, day: int) -> Project:
        project = completed(
            Project.objects.create(
                name=name,
                category=world.project_a.category,
                total_investment=1000,
                responsible_unit=world.housing,
            )
        )
        Project.objects.filter(pk=project.pk).update(status=status, actual_completion_date=date(2025, 8, day))
        return project

    made("乙运营项目", "operating", 20)
    made("甲竣工项目", "completed", 20)
    made("丙竣工项目", "completed", 18)
    made("在建项目", "construction", 30)
    evaluate(made("已评价项目", "completed", 25), "900", date(2025, 8, 25))
    made("丁竣工项目", "completed", 2)
    made("戊竣工项目", "completed", 1)
    made("己竣工项目", "completed", 1)
    undated = made("庚竣工项目", "completed", 1)
    Project.objects.filter(pk=undated.pk).update(actual_completion_date=None)
    client = client_for(world.coordinator)
    response = client.get(reverse("evaluation:list"))
    shown = [project.name for project in response.context["awaiting"]]
    assert shown == ["甲竣工项目", "乙运营项目", "丙竣工项目", "丁竣工项目", "己竣工项目"]
    assert response.context["awaiting_count"] == 7
    # Fewer than five with a date: those without one follow, by name.
    Project.objects.filter(name__in=["丙竣工项目", "丁竣工项目", "戊竣工项目"]).delete()
    response = client.get(reverse("evaluation:list"))
    shown = [project.name for project in response.context["awaiting"]]
    assert shown == ["甲竣工项目", "乙运营项目", "己竣工项目", "庚竣工项目"]
    assert response.context["awaiting_count"] == 4
    if connection.vendor == "sqlite":
        # PostgreSQL plans from its statistics, which a test's few rows do not make like a registry's.
        assert "project_awaiting_evaluation" in latest_awaiting(world.coordinator)[:6].explain()
