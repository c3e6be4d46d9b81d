"""Data scope of supervision notices and site inspections.

A notice is seen by the unit it is addressed to (and the units above it), by whoever sees one of its
projects or problems, and by the roles that see everything; it is written by the supervisors
(督查, 重点办). Inspections hang off a project and follow its scope; supervisors record them.
"""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from problems.models import Problem
from projects.querysets import ScopedQuerySet, project_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from org.models import User
    from supervision.models import Inspection, Notice


def is_supervisor(user: "User | AnonymousUser") -> bool:
    """Whether `user` is signed in and a supervisor (User.is_supervisor)."""
    return bool(user.is_authenticated and user.is_supervisor)


class NoticeQuerySet(models.QuerySet["Notice"]):
    def visible_to(self, user: "User | AnonymousUser") -> "NoticeQuerySet":

        if not (user.is_authenticated and user.is_active):
            return self.none()
        # Notices are few: each asks after its own projects' scope.
        condition = project_scope(user, "project__", each_row=True)
        if condition is None:
            return self
        about_projects = self.model.projects.through.objects.filter(condition).values("notice_id")
        about_problems = self.model.problems.through.objects.filter(
            problem__in=Problem.objects.visible_to(user)
        ).values("notice_id")
        visible = Q(pk__in=about_projects) | Q(pk__in=about_problems)
        if user.unit is not None:
            visible |= Q(target_unit__path__startswith=user.unit.path)
        return self.filter(visible)

    def editable_by(self, user: "User | AnonymousUser") -> "NoticeQuerySet":
        return self if is_supervisor(user) else self.none()

    def addressed_to(self, user: "User") -> "NoticeQuerySet":
        """Notices the user's unit must answer: addressed to it or to a unit below it."""
        if not user.edits_own or user.unit is None:
            return self.none()
        return self.filter(target_unit__path__startswith=user.unit.path)


class InspectionQuerySet(ScopedQuerySet["Inspection"]):
    # A visit each: a few thousand a year where the projects are a hundred thousand.
    few_rows = True

    def editable_by(self, user: "User | AnonymousUser") -> "InspectionQuerySet":
        return self if is_supervisor(user) else self.none()
