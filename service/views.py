"""分包领导 (each leader's projects, and the table of leaders) and the 首席服务员专班 (a project's team
and its service ledger)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts.querysets import with_alert_counts
from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from figures.compute import completed_by
from figures.forms import scope_query
from figures.screen_cards import with_latest_progress
from figures.views import period_notes, period_of, scope_form
from lib.listing import ListPage
from lib.numbers import ahead_of_progress, completion_rate, period_time_progress, quantize
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.models import Person
from plans.scope import Scope, scope_entries
from problems.choices import UNSOLVED
from problems.models import Problem
from projects.access import get_for_user, get_project_for_user
from projects.choices import ProjectStatus
from projects.models import Project
from service.figures import ZERO, leader_rows, leader_table
from service.filtersets import LedProjectFilterSet
from service.forms import ServiceRecordForm, TeamMemberForm
from service.models import ServiceRecord, TeamMember, may_keep_team

LEADER_SORTS = {"name": "name_key", "status": "status", "unit": "responsible_unit__name"}
# The ledger shown on a project's page: the latest records; the rest are counted.
LEDGER_SHOWN = 50


# 分包领导 -----------------------------------------------------------------------------------------


@login_required
def leaders(request: AuthenticatedHttpRequest) -> HttpResponse:
    """分包领导: each leader of the projects on the year's plans in the chosen scope, with how their
    projects go (completion against time progress, warnings, unsolved problems)."""
    today = timezone.localdate()
    year, month = period_of(request)
    form = scope_form(request)
    scope = form.scope()
    entries = scope_entries(year, scope)
    rows, entry_count = leader_table(entries, year, month, today, scope)
    if request.GET.get("export") == "xlsx":
        return export_leaders(request, year, month, rows)
    return render(
        request,
        "service/leaders.html",
        {
            "year": year,
            "month": month,
            "period": f"{year:04d}-{month:02d}",
            "notes": period_notes(year, month, today),
            "scope_form": form,
            "rows": rows,
            "projects_led": sum(row["count"] for row in rows),
            "of_projects": entry_count,
            "query": urlencode({"period": f"{year:04d}-{month:02d}", **scope_query(scope)}),
        },
    )


def export_leaders(request: HttpRequest, year: int, month: int, rows: list[dict[str, Any]]) -> HttpResponse:
    headers = [
        _("序号"),
        _("分包领导"),
        _("职务"),
        _("单位"),
        _("分包项目数"),
        _("年度计划投资（万元）"),
        _("年度完成投资（万元）"),
        _("完成率（%）"),
        _("快于(+)/慢于(−)时间进度（百分点）"),
        _("红灯预警"),
        _("黄灯预警"),
        _("未解决问题"),
    ]
    table = (
        (
            index,
            row["name"],
            row["post"],
            row["unit"],
            row["count"],
            row["annual_plan"],
            row["completed"],
            row["completion_rate"],
            row["ahead_points"],
            row["alerts_red"],
            row["alerts_yellow"],
            row["problems_open"],
        )
        for index, row in enumerate(rows, start=1)
    )
    title = _("%(year)s年1—%(month)s月分包领导项目推进情况") % {"year": year, "month": month}
    content = build_workbook(title, headers, table, money_columns=[5, 6])
    record(request, OperationLog.Action.EXPORT, object_type=_("分包领导"), note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


def get_leader_for_user(request: AuthenticatedHttpRequest, pk: int) -> Person:
    """A person of the directory as a 分包领导 the user may look at: one who leads a project the user
    sees, or the user's own entry; 404 for anyone else, exactly like a person who does not exist."""
    person = Person.objects.select_related("unit").filter(pk=pk).first()
    if person is None or (
        person.user_id != request.user.pk
        and not Project.objects.visible_to(request.user).filter(leader_in_charge=person).exists()
    ):
        raise Http404(_("分包领导不存在或无权查看。"))
    return person


@login_required
def leader(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A 分包领导's projects (those the user may see)."""
    return leader_page(request, get_leader_for_user(request, pk))


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我分包的项目: the projects led by the person the account is linked to in the people directory."""
    person = Person.objects.select_related("unit").filter(user=request.user).first()
    if person is None:
        return render(request, "service/leader.html", {"person": None, "mine": True})
    return leader_page(request, person, mine=True)


def leader_page(request: AuthenticatedHttpRequest, person: Person, mine: bool = False) -> HttpResponse:
    """The page of one leader's projects: the leader's figures for the period, then each project with
    its plan completion against time progress, 形象进度, warnings, unsolved problems and latest photo."""
    today = timezone.localdate()
    year, month = period_of(request)
    led = Project.objects.visible_to(request.user).filter(leader_in_charge=person)
    scope = Scope(user=request.user)
    entries = scope_entries(year, scope).filter(project__leader_in_charge=person)
    summary = next(iter(leader_rows(entries, year, month, today, scope, person)), None)
    unsolved = (
        Problem.objects.filter(project=OuterRef("pk"), status__in=UNSOLVED)
        .order_by()
        .values("project")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = with_latest_progress(
        with_alert_counts(led.select_related("responsible_unit").order_by("name_key", "name", "pk"))
    ).annotate(problems_open=Coalesce(Subquery(unsolved), 0))
    listing = ListPage(request, rows, LedProjectFilterSet, sorts=LEADER_SORTS)
    page = listing.paginate()
    shown = [project.pk for project in page]
    page_entries = entries.filter(project_id__in=shown)
    plans = dict(page_entries.values_list("project_id", "annual_investment"))
    done = completed_by(page_entries, year, month, "project_id")
    progress = period_time_progress(year, month, today)
    for project in page:
        planned = plans.get(project.pk)
        project.annual_plan = quantize(planned, 2) if planned is not None else None
        project.completed = quantize(done.get(project.pk, ZERO), 2) if planned is not None else None
        project.completion_rate = completion_rate(project.completed, planned) if planned is not None else None
        project.ahead_points = ahead_of_progress(project.completion_rate, progress)
    return listing.render(
        "service/leader.html",
        "service/includes/leader_projects.html",
        {
            "person": person,
            "mine": mine,
            "year": year,
            "month": month,
            "period": f"{year:04d}-{month:02d}",
            "notes": period_notes(year, month, today),
            "summary": summary,
            "led_count": led.count(),
            "statuses": ProjectStatus.choices,
            "time_progress": progress,
        },
    )


# 首席服务员专班 -----------------------------------------------------------------------------------


def project_tab(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The context of the project page's 专班与服务台账 tab."""
    records = ServiceRecord.objects.filter(project=project).select_related("served_by")
    return {
        "chief_officer": project.chief_officer,
        "team_members": TeamMember.objects.filter(project=project).select_related("person", "person__unit"),
        "service_records": records[:LEDGER_SHOWN],
        "service_count": records.count(),
        "ledger_shown": LEDGER_SHOWN,
        "can_keep_team": may_keep_team(request.user, project),  # type: ignore[arg-type]  # the page is behind login
    }


def project_to_keep(request: AuthenticatedHttpRequest, pk: int) -> Project:
    """A project whose team and ledger the user keeps: 404 out of sight, 403 when only readable."""
    project = get_project_for_user(request, pk)
    if not may_keep_team(request.user, project):
        raise PermissionDenied(_("您无权维护该项目的专班和服务台账。"))
    return project


def back_to_tab(project: Project) -> HttpResponse:
    return redirect(f"{project.get_absolute_url()}?tab=service")


def kept_row(request: AuthenticatedHttpRequest, rows: Any, pk: int, missing: str) -> Any:
    """A team member or ledger record whose project's team the user keeps; 404/403 as for projects."""
    found = get_for_user(request, rows.select_related("project"), pk, missing)
    if not may_keep_team(request.user, found.project):
        raise PermissionDenied(_("您无权维护该项目的专班和服务台账。"))
    return found


@login_required
def member_edit(
    request: AuthenticatedHttpRequest, pk: int | None = None, member_pk: int | None = None
) -> HttpResponse:
    """Add a member to a project's team, or change one's role and duty."""
    existing: TeamMember | None = (
        kept_row(request, TeamMember.objects, member_pk, _("专班成员不存在或无权查看。"))
        if member_pk
        else None
    )
    project = existing.project if existing else project_to_keep(request, pk)  # type: ignore[arg-type]  # without member_pk the URL gives pk
    before = snapshot(existing) if existing else {}
    form = TeamMemberForm(request.POST or None, instance=existing, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
                changes = diff(before, snapshot(saved))
                if changes:
                    action = OperationLog.Action.UPDATE if existing else OperationLog.Action.CREATE
                    record(request, action, saved, changes=changes, project=project)
        except IntegrityError:
            # Someone added the same person at the same moment.
            form.add_error("person", _("此人已在该项目的专班中。"))
        else:
            messages.success(request, _("专班成员“%(n)s”已保存。") % {"n": saved.person.name})
            return back_to_tab(project)
    return render(request, "service/member_form.html", {"form": form, "project": project, "member": existing})


@login_required
@require_POST
def member_delete(request: AuthenticatedHttpRequest, member_pk: int) -> HttpResponse:
    member = kept_row(request, TeamMember.objects, member_pk, _("专班成员不存在或无权查看。"))
    project = member.project
    with transaction.atomic():
        record(
            request, OperationLog.Action.DELETE, member, changes=diff(snapshot(member), {}), project=project
        )
        member.delete()
    messages.success(request, _("已将“%(n)s”移出专班。") % {"n": member.person.name})
    return back_to_tab(project)


@login_required
def record_edit(
    request: AuthenticatedHttpRequest, pk: int | None = None, record_pk: int | None = None
) -> HttpResponse:
    """Add a service to a project's ledger (服务台账), or correct one."""
    existing: ServiceRecord | None = (
        kept_row(request, ServiceRecord.objects, record_pk, _("服务记录不存在或无权查看。"))
        if record_pk
        else None
    )
    project = existing.project if existing else project_to_keep(request, pk)  # type: ignore[arg-type]  # without record_pk the URL gives pk
    before = snapshot(existing) if existing else {}
    initial = {} if existing else {"served_by": Person.objects.filter(user=request.user).first()}
    form = ServiceRecordForm(request.POST or None, instance=existing, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if existing is None:
                saved.recorded_by = request.user
            saved.save()
            changes = diff(before, snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if existing else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes, project=project)
        messages.success(request, _("服务记录已保存。"))
        return back_to_tab(project)
    return render(
        request, "service/record_form.html", {"form": form, "project": project, "service": existing}
    )


@login_required
@require_POST
def record_delete(request: AuthenticatedHttpRequest, record_pk: int) -> HttpResponse:
    found = kept_row(request, ServiceRecord.objects, record_pk, _("服务记录不存在或无权查看。"))
    project = found.project
    with transaction.atomic():
        record(request, OperationLog.Action.DELETE, found, changes=diff(snapshot(found), {}), project=project)
        found.delete()
    messages.success(request, _("服务记录已删除。"))
    return back_to_tab(project)
