"""后评价's summary (evaluation.cells): the counts it gives equal those of the tables, for every
persona, after every kind of write its triggers watch; the list opens on them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation import cells
from evaluation.models import Evaluation, EvaluationCell, EvaluationStale
from evaluation.tests.test_evaluation import completed, evaluate
from evaluation.views import awaiting
from projects.models import Project

pytestmark = pytest.mark.django_db
PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")


@pytest.fixture
def projects(world):
    """Twelve projects of both units, some owners' and some without an owner unit: completed,
    operating or under construction, half of the finished ones evaluated."""
    made = [world.project_a, world.project_b]
    for n in range(12):
        project = Project.objects.create(
            name=f"竣工项目{n:02d}",
            category=world.project_a.category,
            total_investment=1000 + n,
            responsible_unit=world.housing if n % 2 else world.town,
            owner_unit=world.owner_b_unit if n % 3 == 0 else (world.owner_a_unit if n % 5 == 0 else None),
            status=("completed", "operating", "construction")[n % 3],
        )
        if n % 3 != 2:
            completed(project) if project.status == "completed" else None
            if n % 2 == 0:
                evaluate(project, "1100", date(2025, 6, 1))
        made.append(project)
    return made


def from_tables(user):
    evaluations = Evaluation.objects.all() if user is None else Evaluation.objects.visible_to(user)
    waiting = Project.objects.filter(status__in=["completed", "operating"], evaluation__isnull=True)
    if user is not None:
        waiting = waiting.visible_to(user)
    return {"evaluations": evaluations.count(), "awaiting": waiting.count()}


def assert_same(world):
    for user in [*(getattr(world, persona) for persona in PERSONAS), None]:
        assert cells.counts(user) == from_tables(user), user


def test_the_cells_count_as_the_tables_for_every_persona(world, projects):
    assert_same(world)
    whole = cells.counts(None)
    assert whole is not None and whole["evaluations"] >= 4 and whole["awaiting"] >= 3
    assert cells.counts(world.outsider) == {"evaluations": 0, "awaiting": 0}


@pytest.mark.parametrize(
    "write",
    [
        "evaluated",
        "evaluation_deleted",
        "evaluation_moved",
        "project_completed",
        "project_reopened",
        "project_added",
        "project_deleted",
        "unit_moved",
        "owner_moved",
    ],
)
def test_every_write_the_counts_depend_on_is_followed(world, projects, write):
    assert_same(world)
    assert not EvaluationStale.objects.exists()
    waiting = Project.objects.filter(status="operating", evaluation__isnull=True).first()
    done = Evaluation.objects.select_related("project").first()
    assert waiting is not None and done is not None
    if write == "evaluated":
        evaluate(waiting, "900", date(2025, 8, 1))
    elif write == "evaluation_deleted":
        done.delete()
    elif write == "evaluation_moved":
        Evaluation.objects.filter(pk=done.pk).update(project=waiting)
    elif write == "project_completed":
        Project.objects.filter(status="construction").update(status="completed")
    elif write == "project_reopened":
        Project.objects.filter(pk=waiting.pk).update(status="construction")
    elif write == "project_added":
        Project.objects.create(
            name="新竣工项目", category=world.project_a.category, total_investment=10, status="operating"
        )
    elif write == "project_deleted":
        Project.objects.get(pk=done.project_id).delete()
    elif write == "unit_moved":
        Project.objects.filter(pk=done.project_id).update(responsible_unit=world.education)
    elif write == "owner_moved":
        Project.objects.filter(pk=waiting.pk).update(owner_unit=world.owner_a_unit)
    assert EvaluationStale.objects.exists(), "the write was not marked"
    assert_same(world)


def test_the_whole_rebuild_equals_the_marked_ones(world, projects):
    Project.objects.filter(pk=projects[3].pk).update(status="operating")
    cells.SUMMARY.refresh()
    fields = ("unit_id", "per_owner", "owner_unit_id", *cells.MEASURES)
    kept = sorted(EvaluationCell.objects.values_list(*fields), key=repr)
    assert kept
    cells.SUMMARY.rebuild_all()
    assert sorted(EvaluationCell.objects.values_list(*fields), key=repr) == kept


@pytest.mark.parametrize("persona", ["coordinator", "department", "owner_b"])
def test_the_list_opens_on_the_cells(world, projects, client_for, persona):
    user = getattr(world, persona)
    # More projects awaiting an evaluation than the list names: the count says how many.
    for n in range(5):
        Project.objects.create(
            name=f"待评价{n}", category=world.project_a.category, total_investment=10, status="operating"
        )
    expected = list(
        Evaluation.objects.visible_to(user).order_by("-evaluated_on", "-id").values_list("pk", flat=True)
    )
    cells.SUMMARY.refresh()
    client = client_for(user)
    shown = []
    for page in range(1, -(-len(expected) // 2) + 1):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/evaluation/", {"per_page": 2, "page": page})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == len(expected)
        shown += [row.pk for row in response.context["page"].object_list]
        counted = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(")]
        assert not [sql for sql in counted if 'FROM "evaluation_evaluation"' in sql], counted
        assert not [sql for sql in counted if 'FROM "projects_project"' in sql], counted
    assert shown == expected
    if persona == "coordinator":
        assert (
            response.context["awaiting_count"] == awaiting(user).count() > len(response.context["awaiting"])
        )


def test_a_filtered_list_counts_its_own_evaluations(world, projects, client_for):
    cells.SUMMARY.refresh()
    response = client_for(world.coordinator).get("/evaluation/", {"grade": "excellent"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == Evaluation.objects.filter(grade="excellent").count()
