"""预警看板's summary (alerts.cells): the counts from it equal the warnings' own for every persona,
after every kind of write the triggers watch; the board reads it when unfiltered."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts import cells
from alerts.choices import AlertState, Colour
from alerts.models import Alert, AlertStale
from projects.models import Project

pytestmark = pytest.mark.django_db
PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider")
RULES = ("start_overdue", "approval_overdue", "not_in_statistics")


@pytest.fixture
def lit(world):
    """Warnings of three rules, both colours, open and closed, on a dozen projects of both units,
    owners A and B and none; some projects with several."""
    projects = [world.project_a, world.project_b]
    for n in range(10):
        projects.append(
            Project.objects.create(
                name=f"项目{n:02d}",
                category=world.project_a.category,
                total_investment=1000 + n,
                responsible_unit=world.housing if n % 2 else world.town,
                owner_unit=(world.owner_a_unit, world.owner_b_unit, None)[n % 3],
                status="construction",
            )
        )
    for n, project in enumerate(projects):
        for k, rule in enumerate(RULES):
            if (n + k) % 3 == 2:
                continue
            Alert.objects.create(
                rule=rule,
                project=project,
                object_key=f"{n}-{k}",
                colour=Colour.RED if (n * k) % 2 else Colour.YELLOW,
                state=AlertState.CLOSED if (n + 2 * k) % 4 == 0 else AlertState.OPEN,
                message=f"{project.name}的预警",
                opened_on=date(2026, 4, 1),
            )
    return projects


def assert_same(world):
    for persona in (*PERSONAS, None):
        user = getattr(world, persona) if persona else None
        alerts = Alert.objects.all() if user is None else Alert.objects.visible_to(user)
        assert cells.SUMMARY.refreshed([cells.YEAR])
        assert cells.summary(user) == alerts.summary(), persona


def test_the_cells_give_the_warnings_counts_for_every_persona(world, lit):
    assert_same(world)
    counted = cells.summary(world.coordinator)
    assert counted["raised"] == Alert.objects.count()
    assert counted["projects"] == Alert.objects.values("project").distinct().count()


@pytest.mark.parametrize("write", ["lit", "closed", "recoloured", "reopened", "deleted", "unit", "owner"])
def test_every_write_the_counts_depend_on_is_followed(world, lit, write):
    assert_same(world)
    assert not AlertStale.objects.exists()
    # 项目01: 住建局's, owner B's, with two open warnings.
    project = lit[3]
    warnings = Alert.objects.filter(project=project)
    if write == "lit":
        Alert.objects.create(
            rule="start_overdue",
            project=lit[5],
            object_key="new",
            colour=Colour.RED,
            message="新预警",
            opened_on=date(2026, 5, 1),
        )
    elif write == "closed":
        warnings.update(state=AlertState.CLOSED)
    elif write == "recoloured":
        warnings.update(colour=Colour.RED)
    elif write == "reopened":
        Alert.objects.filter(state=AlertState.CLOSED).update(state=AlertState.OPEN)
    elif write == "deleted":
        warnings.delete()
    elif write == "unit":
        Project.objects.filter(pk=project.pk).update(responsible_unit=world.drc)
    elif write == "owner":
        Project.objects.filter(pk=project.pk).update(owner_unit=world.owner_a_unit)
    assert AlertStale.objects.exists(), "the write was not marked"
    assert_same(world)


def test_the_board_reads_the_cells_unless_filtered(world, lit, client_for):
    cells.SUMMARY.refresh()
    client = client_for(world.department)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/alerts/")
    assert response.status_code == 200
    grouped = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert grouped and not any(f'"{Alert._meta.db_table}"' in sql for sql in grouped)
    assert response.context["summary"] == Alert.objects.visible_to(world.department).summary()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/alerts/", {"rule": "start_overdue"})
    assert response.status_code == 200
    assert not any(cells.CELLS in q["sql"] for q in captured.captured_queries)
