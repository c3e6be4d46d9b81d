from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.decorators import require_coordinator
from lib.listing import ListPage
from lib.params import page_year
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from projects.access import get_for_user
from projects.models import Project
from starts import cells
from starts.choices import ConstructionState
from starts.forms import StartEventForm
from starts.models import StartEvent, StartEventProject
from starts.querysets import with_figures

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from starts.querysets import MemberFigures

# Who may, as a refusal says it.
EVENT_EDITORS = gettext_lazy("只有统筹协调（重点办）可以登记集中开工活动。")
MEMBER_SORTS = {
    "name": "project__name",
    "unit": "project__responsible_unit__name",
    "total_investment": "project__total_investment",
    "annual_investment": "annual_investment",
    "started": "project__actual_start_date",
}


def get_event_for_user(request: HttpRequest, pk: int) -> StartEvent:
    """An event the user may see: one with a project of theirs unless they see everything; else 404."""
    return get_for_user(request, StartEvent.objects.all(), pk, _("集中开工活动不存在或无权查看。"))


def members_of(
    request: HttpRequest, events: QuerySet[StartEvent] | list[StartEvent]
) -> "QuerySet[WithAnnotations[StartEventProject, MemberFigures]]":
    today = timezone.localdate()
    members = (
        StartEventProject.objects.visible_to(request.user)
        .filter(event__in=events)
        .with_annual_plan()
        .with_construction_state(today)
        .select_related("event", "project", "project__category", "project__responsible_unit")
        .order_by("event__held_on", "-project__total_investment", "id")
    )
    # The plugin does not see annotations made inside the queryset's own methods.
    return cast("QuerySet[WithAnnotations[StartEventProject, MemberFigures]]", members)


@login_required
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = page_year(request.GET)
    user = request.user
    events = StartEvent.objects.visible_to(user).filter(year=year).order_by("held_on", "id")
    if request.GET.get("export") == "xlsx":
        return export_members(
            request, _("%(year)s年集中开工项目") % {"year": year}, members_of(request, events)
        )
    if cells.refreshed([year]):
        # From the summary: each event's figures, and the year's projects counted once.
        figures = cells.event_totals(year, user)
        if not user.sees_everything:
            events = StartEvent.objects.filter(year=year, pk__in=list(figures)).order_by("held_on", "id")
        listed = with_figures(list(events), figures)
        totals = cells.year_totals(year, user, timezone.localdate())
        stalled = totals["stalled"]
    else:
        members = StartEventProject.objects.visible_to(user).filter(event__year=year)
        listed = events.listed_with_totals(user)
        totals = members.project_totals(year)
        stalled = members.stalled().order_by().values("project_id").distinct().count()
    years = StartEvent.objects.order_by("-year").values_list("year", flat=True).distinct()
    return render(
        request,
        "starts/event_list.html",
        {
            "year": year,
            "years": years,
            "events": listed,
            "totals": totals,
            "stalled": stalled,
            "is_coordinator": user.edits_everything,
        },
    )


@login_required
def event_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_event_for_user(request, pk)
    members = members_of(request, [event])
    listing = ListPage(request, members, sorts=MEMBER_SORTS, per_page=settings.LIST_PAGE_SIZE * 5)
    if listing.exporting:
        return export_members(request, str(event), listing.rows)
    totals = StartEvent.objects.filter(pk=event.pk).with_totals(request.user).get()
    return listing.render(
        "starts/event_detail.html",
        "starts/includes/member_table.html",
        {
            "event": event,
            "totals": totals,
            "states": ConstructionState,
            "today": timezone.localdate(),
            "is_coordinator": request.user.edits_everything,
        },
    )


def export_members(
    request: HttpRequest, title: str, members: "QuerySet[WithAnnotations[StartEventProject, MemberFigures]]"
) -> HttpResponse:
    """.xlsx of the projects of one event or of a year's events, with their construction state."""
    headers = [
        _("序号"),
        _("开工日期"),
        _("批次"),
        _("项目代码"),
        _("项目名称"),
        _("项目类别"),
        _("责任单位"),
        _("总投资（万元）"),
        _("年度计划投资（万元）"),
        _("实际开工时间"),
        _("实质性开工"),
        _("核查截止日"),
    ]
    labels = dict(ConstructionState.choices)
    rows = (
        (
            index,
            m.event.held_on,
            m.event.batch,
            m.project.code,
            m.project.name,
            m.project.category.name,
            m.project.responsible_unit_name,
            m.project.total_investment,
            m.annual_investment,
            m.project.actual_start_date,
            labels[m.construction_state],
            m.event.check_by,
        )
        for index, m in enumerate(members[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000), start=1)
    )
    content = build_workbook(title, headers, rows, money_columns=[7, 8])
    record(request, OperationLog.Action.EXPORT, object_type=_("集中开工项目"), note=title)
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


def save_members(event: StartEvent, projects: QuerySet[Project]) -> tuple[list[str], list[str]]:
    """Make the event's projects exactly `projects`; the names added and removed."""
    wanted = {p.pk: p for p in projects}
    current = dict(event.members.values_list("project_id", "project__name"))
    removed = [current[pk] for pk in current.keys() - wanted.keys()]
    event.members.filter(project_id__in=current.keys() - wanted.keys()).delete()
    added = [wanted[pk] for pk in wanted.keys() - current.keys()]
    StartEventProject.objects.bulk_create(StartEventProject(event=event, project=p) for p in added)
    return sorted(p.name for p in added), sorted(removed)


@login_required
def event_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    require_coordinator(request, EVENT_EDITORS)
    event = get_event_for_user(request, pk) if pk else None
    before = snapshot(event) if event else {}
    form = StartEventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if event is None:
                saved.created_by = request.user
            saved.save()
            added, removed = save_members(saved, form.cleaned_data["project_choices"])
            changes = diff(before, snapshot(saved))
            if added:
                changes[_("新增开工项目")] = ["", "、".join(added)]
            if removed:
                changes[_("移出开工项目")] = ["、".join(removed), ""]
            action = OperationLog.Action.UPDATE if event else OperationLog.Action.CREATE
            if changes:
                record(request, action, saved, changes=changes)
        messages.success(request, _("集中开工活动“%(name)s”已保存。") % {"name": saved.batch})
        return redirect(saved)
    return render(request, "starts/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, EVENT_EDITORS)
    event = get_event_for_user(request, pk)
    with transaction.atomic():
        record(request, OperationLog.Action.DELETE, event, changes=diff(snapshot(event), {}))
        event.delete()
    messages.success(request, _("集中开工活动已删除。"))
    return redirect(f"{reverse('starts:list')}?year={event.year}")
