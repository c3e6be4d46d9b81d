"""预警销号率 read from the leader cells (service.cells) gives what the warnings give, at every window,
by street and by responsible unit, with warnings lit and closed on the edges of the months."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from alerts.models import Alert
from assessment.providers import Basis, Window, warning_closure
from assessment.tests.test_rankings_and_scores import towns  # noqa: F401  (a fixture)
from lib.dates import end_of_day, month_end
from org.models import Unit
from plans.scope import Scope, scope_entries
from projects.models import Project
from service.models import LeaderStale

pytestmark = pytest.mark.django_db
WINDOWS = [Window(2026, "quarter", n) for n in (1, 2, 3, 4)] + [
    Window(2026, "half", 1),
    Window(2026, "half", 2),
    Window(2026, "year"),
]


def at(day: date, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second, micro)))


def lit(project: Project, opened_on: date, closed_at: datetime | None = None) -> Alert:
    return Alert.objects.create(
        rule="start_overdue",
        project=project,
        object_key=f"{opened_on}-{closed_at}",
        colour="red",
        message="应开未开",
        opened_on=opened_on,
        state="closed" if closed_at else "open",
        closed_at=closed_at,
    )


def rates(basis_of, key, window, scope):
    return warning_closure.compute(basis_of(key, window, scope))


@pytest.fixture
def basis_of(towns):  # noqa: F811
    units = [town.pk for town in towns] + list(Unit.objects.values_list("pk", flat=True))

    def basis(key: str, window: Window, scope: Scope | None) -> Basis:
        listed = scope_entries(2026, Scope())
        entries = listed.exclude(**{f"{key}__isnull": True})
        return Basis(entries, key, window, units, scope=scope, listed=listed)

    return basis


def test_the_cells_give_the_rates_the_warnings_give(towns, basis_of):  # noqa: F811
    projects = list(Project.objects.filter(plan_entries__isnull=False).order_by("pk"))
    # Lit last year, lit on each month's first and last day, closed at the last moment of a month
    # and at the first of the next, still open; a project moved off its street.
    for k, project in enumerate(projects):
        month = k % 12 + 1
        first = date(2026, month, 1)
        last = month_end(2026, month)
        lit(project, date(2025, 12, 31), at(first, 9))
        lit(project, first, end_of_day(last))
        lit(project, last, at(date(2026, month % 12 + 1, 1)) if month < 12 else None)
        lit(project, first)
    Project.objects.filter(pk=projects[1].pk).update(town=None)
    for window in WINDOWS:
        for key in ("project__town", "project__responsible_unit"):
            from_cells = rates(basis_of, key, window, Scope())
            assert not LeaderStale.objects.filter(year=2026).exists()
            from_tables = rates(basis_of, key, window, None)
            assert from_cells == from_tables, (window, key)
            assert any(rate is not None and 0 < rate < 100 for rate in from_cells.values())


def test_a_warning_closed_later_changes_the_rate_at_once(towns, basis_of):  # noqa: F811
    project = Project.objects.get(town=towns[0])
    warning = lit(project, date(2026, 2, 3))
    window = Window(2026, "quarter", 1)
    assert rates(basis_of, "project__town", window, Scope())[towns[0].pk] == 0
    warning.state, warning.closed_at = "closed", at(date(2026, 3, 31), 23, 30)
    warning.save()
    assert rates(basis_of, "project__town", window, Scope())[towns[0].pk] == 100
    Alert.objects.filter(pk=warning.pk).update(closed_at=at(date(2026, 4, 1), 0, 30))
    assert rates(basis_of, "project__town", window, Scope())[towns[0].pk] == 0
    Alert.objects.filter(pk=warning.pk).update(opened_on=date(2026, 4, 2))
    assert towns[0].pk not in rates(basis_of, "project__town", window, Scope())
    for scope in (Scope(), None):
        assert rates(basis_of, "project__town", Window(2026, "half", 1), scope)[towns[0].pk] == 100
