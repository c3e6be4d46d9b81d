"""How many projects a user may read, counted from the units' indexes (count_visible), and the pages
that show it: the project list's total and 一张图's."""

from decimal import Decimal

import pytest

from org.choices import UnitKind
from org.models import Unit
from projects.models import Project

pytestmark = pytest.mark.django_db

PERSONAS = ("coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider", "admin")


@pytest.fixture
def mixed(world):
    """Projects owned in one unit's subtree that answer to another, one to no unit yet, one with
    no owner unit: each is counted once, by whichever of its units is in a user's subtree."""
    school = Unit.objects.create(name="区实验学校", kind=UnitKind.OWNER, parent=world.education)
    rows = [
        (world.housing, world.owner_b_unit),
        (world.town, world.owner_a_unit),
        (None, world.owner_a_unit),
        (None, None),
        (world.education, None),
        (world.housing, school),
        (world.housing, world.owner_a_unit),
    ]
    for number, (unit, owner) in enumerate(rows):
        Project.objects.create(
            name=f"混合项目{number}",
            category=world.project_a.category,
            total_investment=Decimal(100),
            responsible_unit=unit,
            owner_unit=owner,
        )
    return world


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_count_is_the_visible_projects(mixed, persona):
    user = getattr(mixed, persona)
    assert Project.objects.count_visible(user) == Project.objects.visible_to(user).count() > 0


def test_an_inactive_user_or_one_without_a_unit_counts_none(mixed):
    mixed.department.is_active = False
    assert Project.objects.count_visible(mixed.department) == 0
    mixed.town_user.unit = None
    assert Project.objects.count_visible(mixed.town_user) == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_project_list_and_the_map_show_the_visible_count(mixed, client_for, persona):
    user = getattr(mixed, persona)
    client = client_for(user)
    expected = Project.objects.visible_to(user).count()
    assert client.get("/projects/").context["page"].paginator.count == expected
    assert client.get("/dashboard/map/").context["project_count"] == expected
    # Filtered, the pages count the filtered projects.
    filtered = Project.objects.visible_to(user).filter(name__contains="混合").count()
    assert client.get("/projects/", {"q": "混合"}).context["page"].paginator.count == filtered
    assert client.get("/dashboard/map/", {"q": "混合"}).context["project_count"] == filtered
