from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts import cells
from alerts.choices import AlertState
from alerts.filtersets import AlertFilterSet
from alerts.forms import CloseForm, RuleConfigForm
from alerts.models import Alert, AlertObject, describe_objects
from alerts.rules import registry
from alerts.scan import rule_configs
from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.listing import ListPage
from lib.messages import flash_errors
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.models import Unit
from projects.access import get_for_user
from projects.models import Project


def get_alert_for_user(request: HttpRequest, pk: int) -> Alert:
    """The warning `pk` if the user may see its project; another unit's warning is a 404."""
    rows = Alert.objects.select_related(
        "project", "project__responsible_unit", "project__owner_unit", "closed_by"
    )
    return get_for_user(request, rows, pk, _("预警不存在或无权查看。"))


ALERT_SORTS = {
    "colour": "colour",
    "project": "project__name",
    "unit": "project__responsible_unit__name",
    "opened_at": "opened_at",
}


@login_required
def alert_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """预警看板: the warnings the user may see, filtered, counted by rule and colour, with the closure rate."""
    user = request.user
    visible = Alert.objects.visible_to(user).select_related("project", "project__responsible_unit")
    data = request.GET.copy()
    data.setdefault("state", AlertState.OPEN)
    listing = ListPage(request, visible.in_board_order(), AlertFilterSet, data=data, sorts=ALERT_SORTS)
    if listing.exporting:
        return export_alerts(request, listing.rows)
    # The counts cover every state, so that raised, closed and the closure rate read together.
    every_state = data.copy()
    every_state["state"] = ""
    filters = listing.filters_set
    if filters is not None and filters <= {"state"} and cells.SUMMARY.refreshed([cells.YEAR]):
        # Unfiltered but for the state: every warning the user may see, from the summary.
        summary = cells.summary(user)
    else:
        summary = AlertFilterSet(every_state, queryset=Alert.objects.visible_to(user)).qs.summary()
    rules = registry()
    rows = [
        {"code": code, "name": rules[code].name if code in rules else code, **counts}
        for code, counts in summary["by_rule"].items()
    ]
    if listing.filters_set == {"state"}:
        # Filtered by the state alone, the list is what the summary counted as open or closed.
        counted = {AlertState.OPEN: summary["open"], AlertState.CLOSED: summary["closed"]}
        listing.paginate(count=counted.get(listing.filter_values["state"]))
    return listing.render(
        "alerts/board.html",
        "alerts/includes/board_table.html",
        {
            "summary": summary,
            "rule_rows": rows,
            "unit_choices": Unit.objects.filter_choices_for(user),
            "can_close": user.is_coordinator,
        },
    )


def with_subjects(alerts: Iterable[Alert], chunk_size: int = 2000) -> Iterator[tuple[Alert, AlertObject]]:
    """Each warning with its 预警对象, the objects read a chunk of warnings at a time."""
    chunk: list[Alert] = []
    for alert in alerts:
        chunk.append(alert)
        if len(chunk) == chunk_size:
            subjects = describe_objects(chunk)
            yield from ((a, subjects[a.pk]) for a in chunk)
            chunk = []
    subjects = describe_objects(chunk)
    yield from ((a, subjects[a.pk]) for a in chunk)


def export_alerts(request: HttpRequest, alerts: QuerySet[Alert]) -> HttpResponse:
    """.xlsx of the filtered warnings, in the board's order."""
    headers = [
        _("序号"),
        _("预警规则"),
        _("灯色"),
        _("状态"),
        _("项目名称"),
        _("责任单位"),
        _("项目单位"),
        _("预警对象"),
        _("预警内容"),
        _("亮灯日期"),
        _("升级时间"),
        _("销号时间"),
        _("销号人"),
        _("销号原因"),
    ]
    rules = registry()
    limited = alerts.select_related("project__owner_unit", "closed_by")[: settings.EXPORT_ROW_LIMIT]
    rows = (
        (
            index,
            rules[a.rule].name if a.rule in rules else a.rule,
            a.get_colour_display(),
            a.get_state_display(),
            a.project.name,
            a.project.responsible_unit_name,
            a.project.owner_unit.name if a.project.owner_unit else "",
            subject.label,
            a.message,
            a.opened_on,
            a.escalated_at,
            a.closed_at,
            a.closed_by.get_full_name() if a.closed_by else "",
            a.close_reason,
        )
        for index, (a, subject) in enumerate(with_subjects(limited.iterator(chunk_size=2000)), start=1)
    )
    content = build_workbook(_("红黄灯预警"), headers, rows)
    record(request, OperationLog.Action.EXPORT, object_type=_("预警清单"), note=request.GET.urlencode())
    return xlsx_response(f"{_('红黄灯预警')}-{timezone.localdate():%Y%m%d}.xlsx", content)


@login_required
def alert_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for_user(request, pk)
    user = request.user
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "events": alert.events.select_related("by"),
            "form": CloseForm(),
            "can_close": user.is_coordinator and alert.is_open,
        },
    )


@login_required
@require_POST
def alert_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """人工销号: coordinators only, with a reason."""
    alert = get_alert_for_user(request, pk)
    user = request.user
    if not user.is_coordinator:
        raise PermissionDenied(_("只有统筹协调人员可以人工销号。"))
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                alert.close(by=user, reason=form.cleaned_data["reason"])
                record(
                    request,
                    OperationLog.Action.STATUS,
                    alert,
                    changes={_("状态"): [str(AlertState.OPEN.label), str(AlertState.CLOSED.label)]},
                    project=alert.project,
                    note=form.cleaned_data["reason"],
                )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("预警已销号。"))
            return redirect("alerts:detail", pk=alert.pk)
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "events": alert.events.select_related("by"),
            "form": form,
            "can_close": alert.is_open,
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@login_required
def rule_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """预警规则设置: the admin switches rules on and off and sets their thresholds."""
    user = request.user
    if not user.is_admin:
        raise PermissionDenied(_("只有系统管理员可以设置预警规则。"))
    rules = registry()
    configs = [c for c in rule_configs().values() if c.code in rules]
    configs.sort(key=lambda c: list(rules).index(c.code))
    forms = [RuleConfigForm(request.POST or None, instance=c, prefix=c.code) for c in configs]
    if request.method == "POST" and all(f.is_valid() for f in forms):
        changed = 0
        with transaction.atomic():
            for form in forms:
                before = snapshot(form.instance.__class__.objects.get(pk=form.instance.pk))
                config = form.save(commit=False)
                changes = diff(before, snapshot(config))
                if changes:
                    config.updated_by = user
                    config.save()
                    record(request, OperationLog.Action.UPDATE, config, changes=changes)
                    changed += 1
        messages.success(
            request, _("已保存%(n)d条规则的设置。") % {"n": changed} if changed else _("没有修改任何内容。")
        )
        return redirect("alerts:rules")
    return render(
        request,
        "alerts/rules.html",
        {"rows": [(rules[f.instance.code], f) for f in forms]},
    )


def project_alerts_tab(request: HttpRequest, project: Project) -> dict[str, object]:
    """The context of the project page's 预警 tab."""
    return {"alerts": project.alerts.select_related("closed_by").in_board_order()}


def open_alert_count(request: HttpRequest, project: Project) -> int:
    return project.alerts.open().count()
