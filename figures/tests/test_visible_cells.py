"""A user's scope of the summaries: the cells of the responsible units and owner units of the
user's subtree, found through each column's own index rather than by reading every owner's cells
of the period."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum

from approvals.models import ApprovalCell
from catalog.models import ProcedureType
from figures import cells
from figures.models import FigureCell
from figures.tests.test_cells import owned_apart
from org.models import Unit
from plans.models import Plan
from projects.models import Procedure
from service import cells as leader_cells
from service.models import LeaderCell

pytestmark = pytest.mark.django_db


def either_column(queryset, user):
    """The cells of the user's subtree asked as one OR, the form PostgreSQL reads."""
    subtree = Unit.objects.filter(path__startswith=user.unit.path).values("pk")
    return queryset.filter(Q(unit_id__in=subtree) | Q(owner_unit_id__in=subtree), per_owner=True)


@pytest.fixture
def summaries(world, mixed):
    owned_apart(world, mixed)
    # Procedures approved on every project, which the triggers add to the approvals' cells.
    kind = ProcedureType.objects.order_by("sort_order")[0]
    for i, project in enumerate(mixed):
        submitted = date(2026, 1, 5) + timedelta(days=11 * i)
        Procedure.objects.create(
            project=project,
            type=kind,
            status="done",
            submitted_on=submitted,
            approved_on=submitted + timedelta(days=9),
        )
    cells.rebuild_all()
    leader_cells.rebuild_all()
    return world


def counted(queryset):
    """The cells' count added up per responsible unit."""
    return dict(queryset.order_by().values("unit_id").annotate(n=Sum("count")).values_list("unit_id", "n"))


@pytest.mark.parametrize("model", [FigureCell, LeaderCell, ApprovalCell])
def test_each_persona_sees_the_cells_of_its_units_and_owners(summaries, model):
    world = summaries
    assert model.objects.filter(per_owner=True).exists()
    for user in (world.department, world.town_user, world.owner_a, world.owner_b, world.outsider):
        seen = cells.visible_cells(model.objects.all(), user)
        # What the cells of each owner of the user's units and owners add up to, each unit's
        # read from its cells added up over the owners.
        assert counted(seen) == counted(either_column(model.objects.all(), user)), user
        subtree = Unit.objects.filter(path__startswith=user.unit.path).values("pk")
        assert not seen.filter(per_owner=True, unit_id__in=subtree).exists()
        # A ranking by owner reads each owner's cells.
        owners = cells.visible_cells(model.objects.all(), user, owners=True)
        assert set(owners.values_list("pk", flat=True)) == set(
            either_column(model.objects.all(), user).values_list("pk", flat=True)
        )
    # The town sees cells answered for by other units, through the company it owns them by.
    town = cells.visible_cells(model.objects.all(), world.town_user)
    assert town.exclude(unit_id=world.town.pk).exists()
    assert not cells.visible_cells(model.objects.all(), world.coordinator).filter(per_owner=True).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan SQLite chooses without statistics")
@pytest.mark.parametrize(
    "model, period, indexes",
    [
        (FigureCell, {"year": 2026, "month": 6}, ("figure_cell_by_unit", "figure_cell_by_owner")),
        (LeaderCell, {"year": 2026}, ("leader_cell_of_unit", "leader_cell_of_owner")),
    ],
)
def test_a_scope_is_read_through_the_unit_and_owner_indexes(summaries, model, period, indexes):
    plans = list(Plan.objects.values_list("pk", flat=True))
    scoped = cells.visible_cells(model.objects.filter(plan_id__in=plans, **period), summaries.town_user)
    plan = scoped.values("plan_id").annotate(n=Count("pk")).explain()
    for index in indexes:
        assert f"INDEX {index} " in plan, plan
    assert "MULTI-INDEX OR" in plan, plan
