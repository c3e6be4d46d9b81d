"""Data scope of problems, meetings and decided matters, and the overdue findings warnings read.

A problem is seen by whoever sees its project (projects.querysets.project_scope) and by the units
it is assigned to, with the units above them; the same for changing it, among the roles that change
their own data. Decided matters follow their project and their owner unit; meetings follow their
matters, their agenda and their attendees.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, TypeGuard, cast

from django.conf import settings
from django.db import connection, models
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from alerts.models import AlertRuleConfig
from problems.choices import UNSOLVED, MatterStatus
from projects.models import Project
from projects.querysets import ProjectQuerySet, project_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import WithAnnotations

    from org.models import Unit, User
    from problems.models import Matter, Meeting, Problem

NOTHING = Q(pk__in=[])


def signed_in(user: "User | AnonymousUser") -> TypeGuard["User"]:
    return bool(user.is_authenticated and user.is_active)


def raisable_projects(user: "User | AnonymousUser") -> ProjectQuerySet:
    """Projects a user may raise a problem on (登记问题): those the user may change."""
    return Project.objects.editable_by(user)


class ProblemQuerySet(models.QuerySet["Problem"]):
    def assigned_to(self, user: "User") -> Q:
        """Problems whose responsible units include the user's unit or a unit below it."""
        if user.unit is None:
            return NOTHING
        return Q(pk__in=self.assigned_ids(user.unit))

    def assigned_ids(self, unit: "Unit") -> "models.QuerySet[Any, Any]":
        """The ids of the problems assigned to `unit` or a unit below it."""
        through = self.model.responsible_units.through
        return through.objects.filter(unit__path__startswith=unit.path).values("problem_id")

    def visible_to(self, user: "User | AnonymousUser") -> "ProblemQuerySet":
        """问题台账的数据权限: the projects' scope, or assignment to the user's unit subtree."""
        if not signed_in(user):
            return self.none()
        return self.in_scope(user, write=False)

    def editable_by(self, user: "User | AnonymousUser") -> "ProblemQuerySet":
        if not signed_in(user):
            return self.none()
        if not user.edits_everything and not user.edits_own:
            return self.none()
        return self.in_scope(user, write=True)

    def in_scope(self, user: "User", write: bool) -> "ProblemQuerySet":
        """The problems of the projects `user` may read (or `write`), and those assigned to the
        user's units. Problems are few beside the projects: on SQLite each asks after its own
        project's scope. PostgreSQL cannot join a subquery under an OR, and asked so it read every
        problem, each looking its project up (an owner's 问题台账 at 100,000 projects: 13 ms for
        the count and again for the page); as the ids of the scope's problems added to those of
        the assigned ones, it finds them through the projects' and the problems' indexes (3 ms)."""
        if connection.vendor != "postgresql":
            condition = project_scope(user, "project__", write=write, each_row=True)
            return self if condition is None else self.filter(condition | self.assigned_to(user))
        listed = project_scope(user, "project__", write=write)
        if listed is None:
            return self
        if user.unit is None:
            return self.filter(listed)
        scoped = self.model._default_manager.filter(listed).order_by().values("pk")
        return self.filter(pk__in=scoped.union(self.assigned_ids(user.unit), all=True))

    def unsolved(self) -> "ProblemQuerySet":
        return self.filter(status__in=UNSOLVED)

    def overdue(self, on: date) -> "ProblemQuerySet":
        """超期: not solved and past the deadline on the given day."""
        return self.unsolved().filter(deadline__lt=on)

    def with_overdue_level(
        self, today: date, thresholds: tuple[int, int]
    ) -> "models.QuerySet[WithAnnotations[Problem, OverdueLevel]]":
        """Each problem with `level`: "red", "yellow" or "" as problem_overdue would light it today."""
        yellow, red = thresholds
        unsolved = Q(status__in=UNSOLVED)
        rows = self.annotate(
            level=Case(
                When(unsolved & Q(deadline__lt=today - timedelta(days=red)), then=Value("red")),
                When(unsolved & Q(deadline__lt=today - timedelta(days=yellow)), then=Value("yellow")),
                default=Value(""),
                output_field=models.CharField(),
            )
        )
        return cast("models.QuerySet[WithAnnotations[Problem, OverdueLevel]]", rows)

    def with_list_relations(self) -> "ProblemQuerySet":
        return self.select_related("project", "leader", "raised_by").prefetch_related("responsible_units")


def overdue_thresholds(code: str, default_red: int) -> tuple[int, int]:
    """(yellow, red) days past the deadline of warning rule `code`: the warnings' own settings
    (/alerts/rules/) when that app is installed and has them, else 0 and `default_red`."""
    from django.apps import apps

    if apps.is_installed("alerts"):
        row = (
            AlertRuleConfig.objects.filter(code=code).values_list("yellow_threshold", "red_threshold").first()
        )
        if row is not None:
            return row
    return 0, default_red


def problem_thresholds() -> tuple[int, int]:
    return overdue_thresholds("problem_overdue", settings.PROBLEM_OVERDUE_RED_DAYS)


def overdue_level(deadline_field: str, today: date, yellow_after_days: int, red_after_days: int) -> Case:
    """ "red" more than `red_after_days` past the deadline, "yellow" more than `yellow_after_days`, else ""."""
    return Case(
        When(**{f"{deadline_field}__lt": today - timedelta(days=red_after_days)}, then=Value("red")),
        When(**{f"{deadline_field}__lt": today - timedelta(days=yellow_after_days)}, then=Value("yellow")),
        default=Value(""),
        output_field=models.CharField(),
    )


class OverdueLevel(TypedDict):
    """What overdue_level() adds to each row, as `level`."""

    level: str


def overdue_problems(
    today: date | None = None, yellow_after_days: int | None = None, red_after_days: int | None = None
) -> "models.QuerySet[WithAnnotations[Problem, OverdueLevel]]":
    """问题超期 (warning problem_overdue): unsolved problems more than `yellow_after_days` past their
    deadline, each with `level` "yellow", or "red" beyond `red_after_days`, in one query."""
    from problems.models import Problem

    today = today or timezone.localdate()
    if yellow_after_days is None or red_after_days is None:
        yellow_after_days, red_after_days = problem_thresholds()
    rows = (
        Problem.objects.overdue(today - timedelta(days=yellow_after_days))
        .annotate(level=overdue_level("deadline", today, yellow_after_days, red_after_days))
        .select_related("project")
        .order_by("deadline", "pk")
    )
    return cast("models.QuerySet[WithAnnotations[Problem, OverdueLevel]]", rows)


class MatterQuerySet(models.QuerySet["Matter"]):
    def visible_to(self, user: "User | AnonymousUser") -> "MatterQuerySet":
        """议定事项: seen through its project's scope or by its owner unit and the units above it.
        Matters are few beside the projects: each asks after its own project's scope."""
        if not signed_in(user):
            return self.none()
        condition = project_scope(user, "project__", each_row=True)
        if condition is None:
            return self
        if user.unit is not None:
            condition |= Q(owner_unit__path__startswith=user.unit.path)
        return self.filter(condition)

    def editable_by(self, user: "User | AnonymousUser") -> "MatterQuerySet":
        """A matter's progress is reported by its owner unit; the coordinator's office changes any."""
        if not signed_in(user):
            return self.none()
        if user.edits_everything:
            return self
        if not user.edits_own or user.unit is None:
            return self.none()
        return self.filter(owner_unit__path__startswith=user.unit.path)

    def undone(self) -> "MatterQuerySet":
        return self.exclude(status=MatterStatus.DONE)


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: "User | AnonymousUser") -> "MeetingQuerySet":
        """调度会议: everything for roles that see all; else meetings one attended, or whose agenda or
        decided matters one can see."""
        from problems.models import Matter, Problem

        if not signed_in(user):
            return self.none()
        if user.sees_everything:
            return self
        matters = Matter.objects.visible_to(user).values("meeting_id")
        agenda = self.model.agenda.through.objects.filter(
            problem__in=Problem.objects.visible_to(user)
        ).values("meeting_id")
        attended = self.model.attendees.through.objects.filter(user=user).values("meeting_id")
        return self.filter(Q(pk__in=matters) | Q(pk__in=agenda) | Q(pk__in=attended))

    def editable_by(self, user: "User | AnonymousUser") -> "MeetingQuerySet":
        """Meetings are called and minuted by the coordinator's office."""
        return self if signed_in(user) and user.edits_everything else self.none()
