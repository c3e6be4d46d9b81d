"""Which plan entry counts for its project when the levels are added together (合并口径).

A project may be on the local, the city and the province list of a year. Added together, it
counts once: under its entry on the local plan in force, else the city one, else the province
one. Every figure over all levels reads only the entries so marked (`PlanEntry.counted`), a plain
filter, instead of working out the precedence over every entry of the year on each request.

`recount()` keeps the mark right. Saving or deleting a single entry or plan does it through the
signals below; code that writes entries in bulk (`bulk_create`, queryset `update` or `delete`,
the official-table import) calls `recount()` itself, in the same transaction. A new plan saved
with `defer_recount = True` set on it leaves the recount to its creator, who fills it first.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from lib.sql import any_of
from plans.choices import PlanLevel
from plans.models import Plan, PlanEntry

# Local first, then city, then province.
PRECEDENCE = (PlanLevel.LOCAL, PlanLevel.CITY, PlanLevel.PROVINCE)
# The advisory lock recounts of a year take on PostgreSQL (a number of the application's choosing,
# paired with the year).
RECOUNT_LOCK = 7_202_612


def recount(year: int, project_ids: Iterable[int] | None = None) -> int:
    """Set `counted` on the entries of `year`'s plans (of `project_ids`, or of every project).

    A handful of UPDATE statements whatever the number of entries, each writing only the entries
    whose mark changes; returns how many changed.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two transactions changing the lists of one year take turns: each sees the other's
            # entries. (SQLite runs one write transaction at a time anyway.)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RECOUNT_LOCK, year])
        return _recount(year, project_ids)


def _recount(year: int, project_ids: Iterable[int] | None) -> int:
    versions = list(Plan.objects.filter(year=year).values_list("pk", flat=True))
    if not versions:
        return 0
    in_force = dict(Plan.objects.in_force().filter(year=year).values_list("level", "pk"))
    entries = PlanEntry.objects.filter(plan_id__in=versions)
    if project_ids is not None:
        ids = sorted(set(project_ids))
        if not ids:
            return 0
        entries = entries.filter(project_id__in=any_of(ids))
    # Earlier versions of a list are not in force: none of their entries counts.
    changed = entries.exclude(plan_id__in=list(in_force.values())).filter(counted=True).update(counted=False)
    earlier: list[int] = []
    for level in PRECEDENCE:
        plan_id = in_force.get(level)
        if plan_id is None:
            continue
        mine = entries.filter(plan_id=plan_id)
        if earlier:
            # As an anti-join: the database hashes the earlier lists once.
            listed_before = Exists(
                PlanEntry.objects.filter(plan_id__in=earlier, project_id=OuterRef("project_id"))
            )
            changed += mine.filter(listed_before, counted=True).update(counted=False)
            changed += mine.filter(~listed_before, counted=False).update(counted=True)
        else:
            changed += mine.filter(counted=False).update(counted=True)
        earlier.append(plan_id)
    return changed


@receiver(post_save, sender=PlanEntry, dispatch_uid="plans.counting.entry_saved")
def entry_saved(sender: Any, instance: PlanEntry, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # The project of an entry does not change once it is on a plan; only a new entry moves the mark.
    if created and not raw:
        recount(instance.plan.year, [instance.project_id])


@receiver(post_delete, sender=PlanEntry, dispatch_uid="plans.counting.entry_deleted")
def entry_deleted(sender: Any, instance: PlanEntry, origin: Any = None, **kwargs: Any) -> None:
    # Deleted with its plan, the plan's own signal recounts the year once; deleted by a queryset,
    # its caller recounts (as after any bulk write).
    if isinstance(origin, Plan | QuerySet):
        return
    year = Plan.objects.filter(pk=instance.plan_id).values_list("year", flat=True).first()
    if year is not None:
        recount(year, [instance.project_id])


@receiver(pre_save, sender=Plan, dispatch_uid="plans.counting.plan_saving")
def plan_saving(sender: Any, instance: Plan, raw: bool = False, **kwargs: Any) -> None:
    # Whether this save issues an adjustment (or takes its 下达日期 back): only then is it recounted.
    instance.issue_changed = bool(
        not raw
        and instance.pk
        and Plan.objects.filter(pk=instance.pk).exclude(issued_on=instance.issued_on).exists()
    )


@receiver(post_save, sender=Plan, dispatch_uid="plans.counting.plan_saved")
def plan_saved(sender: Any, instance: Plan, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # A new version, or an adjustment issued (or taken back), changes which version is in force.
    if not raw and not instance.defer_recount and (created or instance.issue_changed):
        recount(instance.year)


@receiver(post_delete, sender=Plan, dispatch_uid="plans.counting.plan_deleted")
def plan_deleted(sender: Any, instance: Plan, **kwargs: Any) -> None:
    # The version before it is in force again.
    recount(instance.year)
