from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from financing import cells
from financing.choices import FinancingKind, NeedState
from financing.filtersets import FinancingNeedFilterSet, MatchEventFilterSet
from financing.forms import FinancingNeedForm, MatchEventForm, SigningForm
from financing.models import Bank, FinancingNeed, MatchEvent, Signing
from lib.decorators import require_coordinator
from lib.listing import ListPage
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from projects.access import get_for_user, get_project_for_user
from projects.models import Project
from projects.querysets import project_scope

# Who may, as a refusal says it.
COORDINATORS = gettext_lazy("只有统筹协调（重点办）可以登记对接活动和签约结果。")
NEED_SORTS = {
    "name": "project__name",
    "year": "year",
    "amount": "amount",
    "signed": "signed",
    "term": "term_months",
}
EVENT_SORTS = {"held_on": "held_on", "title": "title", "needs": "need_count", "signed": "signed"}


def get_need_for_user(request: HttpRequest, pk: int, write: bool = False) -> FinancingNeed:
    """A need the user may see (and change, with write); 404 for one out of sight, 403 for one only readable."""
    return get_for_user(
        request,
        FinancingNeed.objects.select_related("project", "project__responsible_unit", "project__owner_unit"),
        pk,
        _("融资需求不存在或无权查看。"),
        write=write,
        forbidden=_("您无权修改该融资需求。"),
    )


def get_event_for_user(request: HttpRequest, pk: int) -> MatchEvent:
    return get_for_user(
        request, MatchEvent.objects.select_related("organizer"), pk, _("对接活动不存在或无权查看。")
    )


# Needs --------------------------------------------------------------------------------------------


@login_required
def need_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """政银企对接: the projects' financing needs, what each came to, and the sums of the rows shown."""
    user = request.user
    visible = (
        FinancingNeed.objects.visible_to(user)
        .with_outcome()
        .select_related("project", "project__responsible_unit")
        .order_by("-year", "-amount", "id")
    )
    listing = ListPage(request, visible, FinancingNeedFilterSet, sorts=NEED_SORTS)
    if listing.exporting:
        return export_needs(request, listing.rows)
    # Every need the user may see, as the list opens: its sums from the summary (financing.cells).
    if listing.filters_set == set() and cells.refreshed():
        totals = cells.totals(None if project_scope(user) is None else user)
        listing.paginate(count=totals["needs"])
    else:
        totals = listing.rows.totals()
    return listing.render(
        "financing/need_list.html",
        "financing/includes/need_table.html",
        {
            "totals": totals,
            "states": NeedState,
            "kinds": FinancingKind.choices,
            "banks": Bank.objects.all(),
            "is_coordinator": user.is_coordinator,
            "can_register": user.edits_everything or user.edits_own,
        },
    )


def export_needs(request: HttpRequest, needs: QuerySet[FinancingNeed]) -> HttpResponse:
    headers = [
        _("序号"),
        _("需求年度"),
        _("项目代码"),
        _("项目名称"),
        _("责任单位"),
        _("融资需求（万元）"),
        _("资金用途"),
        _("融资期限（月）"),
        _("融资方式"),
        _("对接状态"),
        _("签约金额（万元）"),
        _("联系人及电话"),
        _("备注"),
    ]
    states = dict(NeedState.choices)
    rows = (
        (
            i,
            n.year,
            n.project.code,
            n.project.name,
            n.project.responsible_unit_name,
            n.amount,
            n.purpose,
            n.term_months,
            n.get_kind_display(),
            states[n.state],  # type: ignore[attr-defined]  # annotated by with_outcome()
            n.signed,  # type: ignore[attr-defined]  # annotated by with_outcome()
            n.contact,
            n.closed_reason or n.note,
        )
        for i, n in enumerate(needs[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000), start=1)
    )
    title = _("重点项目融资需求及对接情况")
    content = build_workbook(title, headers, rows, money_columns=[5, 10])
    record(request, OperationLog.Action.EXPORT, object_type=_("融资需求"), note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


@login_required
def need_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = get_need_for_user(request, pk)
    # The plugin does not see annotations made inside the queryset's own methods.
    outcome: Any = FinancingNeed.objects.filter(pk=need.pk).with_outcome().get()
    return render(
        request,
        "financing/need_detail.html",
        {
            "need": need,
            "signed": outcome.signed,
            "state": NeedState(outcome.state),
            "signings": need.signings.select_related("bank", "event"),
            "events": need.events.order_by("held_on"),
            "can_edit": FinancingNeed.objects.editable_by(request.user).filter(pk=need.pk).exists(),
            "is_coordinator": request.user.is_coordinator,
        },
    )


@login_required
def need_edit(
    request: AuthenticatedHttpRequest, pk: int | None = None, need_pk: int | None = None
) -> HttpResponse:
    """登记融资需求: the coordinator, the project's units and its owner register and change its needs."""
    existing = get_need_for_user(request, need_pk, write=True) if need_pk else None
    project = existing.project if existing else get_project_for_user(request, pk, write=True)  # type: ignore[arg-type]  # without need_pk the URL gives pk
    before = snapshot(existing) if existing else {}
    form = FinancingNeedForm(request.POST or None, instance=existing, project=project)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if existing is None:
                saved.created_by = request.user
            saved.save()
            changes = diff(before, snapshot(saved))
            action = OperationLog.Action.UPDATE if existing else OperationLog.Action.CREATE
            if changes:
                record(request, action, saved, changes=changes, project=project)
        messages.success(request, _("融资需求已保存。"))
        return redirect(saved)
    return render(request, "financing/need_form.html", {"form": form, "project": project, "need": existing})


@login_required
@require_POST
def need_delete(request: AuthenticatedHttpRequest, need_pk: int) -> HttpResponse:
    need = get_need_for_user(request, need_pk, write=True)
    if need.signings.exists():
        raise PermissionDenied(_("已有签约结果的融资需求不能删除，可将其终止对接。"))
    project = need.project
    with transaction.atomic():
        record(request, OperationLog.Action.DELETE, need, changes=diff(snapshot(need), {}), project=project)
        need.delete()
    messages.success(request, _("融资需求已删除。"))
    return redirect(f"{project.get_absolute_url()}?tab=financing")


# Signings -----------------------------------------------------------------------------------------


@login_required
def signing_edit(
    request: AuthenticatedHttpRequest, need_pk: int | None = None, signing_pk: int | None = None
) -> HttpResponse:
    """登记签约结果: the coordinator records a bank's signed credit for a need."""
    require_coordinator(request, COORDINATORS)
    existing = (
        get_for_user(
            request, Signing.objects.select_related("need"), signing_pk, _("签约结果不存在或无权查看。")
        )
        if signing_pk
        else None
    )
    need = existing.need if existing else get_need_for_user(request, need_pk)  # type: ignore[arg-type]  # without signing_pk the URL gives need_pk
    before = snapshot(existing) if existing else {}
    initial = {"signed_on": timezone.localdate()} if existing is None else {}
    form = SigningForm(request.POST or None, instance=existing, need=need, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if existing is None:
                saved.created_by = request.user
            saved.save()
            changes = diff(before, snapshot(saved))
            action = OperationLog.Action.UPDATE if existing else OperationLog.Action.CREATE
            if changes:
                record(request, action, saved, changes=changes, project=need.project)
        messages.success(request, _("签约结果已保存。"))
        return redirect(need)
    return render(request, "financing/signing_form.html", {"form": form, "need": need, "signing": existing})


@login_required
@require_POST
def signing_delete(request: AuthenticatedHttpRequest, signing_pk: int) -> HttpResponse:
    require_coordinator(request, COORDINATORS)
    signing = get_for_user(
        request,
        Signing.objects.select_related("need", "need__project"),
        signing_pk,
        _("签约结果不存在或无权查看。"),
    )
    need = signing.need
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.DELETE,
            signing,
            changes=diff(snapshot(signing), {}),
            project=need.project,
        )
        signing.delete()
    messages.success(request, _("签约结果已删除。"))
    return redirect(need)


# Events -------------------------------------------------------------------------------------------


@login_required
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """政银企对接活动: the events, the needs recommended at each and what was signed there."""
    user = request.user
    visible = MatchEvent.objects.visible_to(user).with_totals(user).select_related("organizer")
    listing = ListPage(request, visible, MatchEventFilterSet, sorts=EVENT_SORTS)
    if listing.exporting:
        return export_events(request, listing.rows)
    return listing.render(
        "financing/event_list.html",
        "financing/includes/event_table.html",
        {"is_coordinator": user.is_coordinator, "banks": Bank.objects.all()},
    )


def export_events(request: HttpRequest, events: QuerySet[MatchEvent]) -> HttpResponse:
    headers = [
        _("序号"),
        _("活动日期"),
        _("活动名称"),
        _("地点"),
        _("牵头单位"),
        _("参加金融机构"),
        _("推介项目数"),
        _("融资需求（万元）"),
        _("现场签约（万元）"),
    ]
    rows = (
        (
            i,
            e.held_on,
            e.title,
            e.place,
            e.organizer.name if e.organizer else "",
            "、".join(b.name for b in e.banks.all()),
            e.need_count,  # type: ignore[attr-defined]  # annotated by with_totals()
            e.sought,  # type: ignore[attr-defined]  # annotated by with_totals()
            e.signed,  # type: ignore[attr-defined]  # annotated by with_totals()
        )
        for i, e in enumerate(events.prefetch_related("banks")[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("政银企对接活动")
    content = build_workbook(title, headers, rows, money_columns=[7, 8])
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


@login_required
def event_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_event_for_user(request, pk)
    user = request.user
    needs = (
        FinancingNeed.objects.visible_to(user)
        .filter(events=event)
        .with_outcome()
        .select_related("project", "project__responsible_unit")
        .order_by("-amount", "id")
    )
    return render(
        request,
        "financing/event_detail.html",
        {
            "event": event,
            "totals": MatchEvent.objects.filter(pk=event.pk).with_totals(user).get(),
            "banks": event.banks.all(),
            "needs": needs,
            "signings": Signing.objects.visible_to(user)
            .filter(event=event)
            .select_related("bank", "need__project"),
            "is_coordinator": user.is_coordinator,
        },
    )


@login_required
def event_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    require_coordinator(request, COORDINATORS)
    event = get_event_for_user(request, pk) if pk else None
    before = snapshot(event) if event else {}
    promoted_before = (
        "、".join(n.project.name for n in event.needs.select_related("project")) if event else ""
    )
    form = MatchEventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if event is None:
                saved.created_by = request.user
            saved.save()
            form.save_m2m()
            changes = diff(before, snapshot(saved))
            promoted = "、".join(n.project.name for n in saved.needs.select_related("project"))
            if promoted != promoted_before:
                changes[_("推介项目")] = [promoted_before, promoted]
            action = OperationLog.Action.UPDATE if event else OperationLog.Action.CREATE
            if changes or event is None:
                record(request, action, saved, changes=changes)
        messages.success(request, _("对接活动“%(name)s”已保存。") % {"name": saved.title})
        return redirect(saved)
    return render(request, "financing/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, COORDINATORS)
    event = get_event_for_user(request, pk)
    with transaction.atomic():
        record(request, OperationLog.Action.DELETE, event, changes=diff(snapshot(event), {}))
        event.delete()
    messages.success(request, _("对接活动已删除。"))
    return redirect("financing:events")


def project_tab(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The context of the project page's 融资对接 tab: its needs, what each came to, and the signings."""
    needs = list(FinancingNeed.objects.filter(project=project).with_outcome().order_by("-year", "-id"))
    signings = (
        Signing.objects.filter(need__project=project).select_related("bank", "event").order_by("signed_on")
    )
    return {"financing_needs": needs, "financing_signings": signings, "kinds": FinancingKind}
