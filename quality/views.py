from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import record
from audit.models import OperationLog
from lib.listing import ListPage
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.menu import quality_readers
from org.models import Unit
from projects.access import get_for_user
from quality.choices import FlagKind, FlagState
from quality.filtersets import FlagFilterSet
from quality.forms import DismissForm
from quality.models import Flag

FLAG_SORTS = {
    "period": "period",
    "project": "project__name_key",
    "unit": "project__responsible_unit__name",
    "kind": "kind",
    "found_at": "found_at",
}
DISMISSERS = gettext_lazy("只有统筹协调（重点办）可以排除或恢复数据质量疑点。")


def require_reader(request: AuthenticatedHttpRequest) -> None:
    """The board is the office's and the leaders' (org.menu refuses others by URL too)."""
    if not quality_readers(request.user):
        raise PermissionDenied(_("只有统筹协调（重点办）和领导可以查看数据质量。"))


def get_flag_for_user(request: HttpRequest, pk: int) -> Flag:
    rows = Flag.objects.select_related(
        "project", "project__responsible_unit", "report", "photo", "dismissed_by"
    )
    return get_for_user(request, rows, pk, _("疑点不存在或无权查看。"))


@login_required
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """数据质量看板: the flags, 待核实 first by default, filtered, counted by kind."""
    require_reader(request)
    user = request.user
    visible = Flag.objects.visible_to(user).select_related("project", "project__responsible_unit")
    data = request.GET.copy()
    data.setdefault("state", FlagState.OPEN)
    ordered = visible.annotate(period=F("year") * 100 + F("month")).order_by(
        "-year", "-month", "project__name_key", "kind", "id"
    )
    listing = ListPage(request, ordered, FlagFilterSet, data=data, sorts=FLAG_SORTS)
    if listing.exporting:
        return export_flags(request, listing.rows)
    # The counts by kind follow the filters, except the kind chosen.
    any_kind = data.copy()
    any_kind["kind"] = ""
    counted = FlagFilterSet(any_kind, queryset=Flag.objects.visible_to(user)).qs
    by_kind = dict(counted.order_by().values_list("kind").annotate(n=Count("id")))
    kinds = [(value, label, by_kind.get(value, 0)) for value, label in FlagKind.choices]
    return listing.render(
        "quality/board.html",
        "quality/includes/flag_table.html",
        {
            "kinds": kinds,
            "states": FlagState.choices,
            "unit_choices": Unit.objects.filter_choices_for(user),
            "can_dismiss": user.is_coordinator,
            "total": sum(by_kind.values()),
        },
    )


def export_flags(request: HttpRequest, flags: QuerySet[Flag]) -> HttpResponse:
    """.xlsx of the filtered flags, in the board's order."""
    headers = [
        _("序号"),
        _("期次"),
        _("项目代码"),
        _("项目名称"),
        _("责任单位"),
        _("疑点类型"),
        _("疑点说明"),
        _("状态"),
        _("发现时间"),
        _("排除人"),
        _("排除理由"),
    ]
    limited = flags.select_related("dismissed_by")[: settings.EXPORT_ROW_LIMIT]
    rows = (
        (
            index,
            f.period_label,
            f.project.code,
            f.project.name,
            f.project.responsible_unit_name,
            f.get_kind_display(),
            f.detail,
            f.get_state_display(),
            timezone.localtime(f.found_at).replace(tzinfo=None),
            f.dismissed_by.get_full_name() if f.dismissed_by else "",
            f.dismiss_reason,
        )
        for index, f in enumerate(limited.iterator(chunk_size=2000), start=1)
    )
    title = _("数据质量疑点")
    content = build_workbook(title, headers, rows)
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode()[:300])
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


@login_required
def flag_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A flag with its evidence: the figures, the photos concerned, the reports to look at."""
    require_reader(request)
    flag = get_flag_for_user(request, pk)
    evidence = flag.evidence
    photo_ids: list[int] = []
    if flag.photo_id:
        photo_ids.append(flag.photo_id)
    if flag.kind == FlagKind.PHOTO_REUSED:
        photo_ids += [m["photo"] for m in evidence.get("matches", [])]
    others = []
    if flag.kind == FlagKind.DUPLICATE:
        others = evidence.get("others", [])
    # The same month's other flags of the project, to read together.
    siblings = (
        Flag.objects.visible_to(request.user)
        .filter(project_id=flag.project_id, year=flag.year, month=flag.month)
        .exclude(pk=flag.pk)
        .filter(~Q(state=FlagState.FIXED))
    )
    return render(
        request,
        "quality/flag_detail.html",
        {
            "flag": flag,
            "evidence": evidence,
            "matches": evidence.get("matches", []),
            "others": others,
            "photo_ids": photo_ids,
            "siblings": siblings,
            "form": DismissForm(),
            "can_dismiss": request.user.is_coordinator,
        },
    )


@login_required
@require_POST
def flag_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """排除: the flag is a false alarm, for the reason given; it stays so on the next scans."""
    require_reader(request)
    if not request.user.is_coordinator:
        raise PermissionDenied(DISMISSERS)
    flag = get_flag_for_user(request, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("排除疑点须填写理由（不超过300字）。"))
        return redirect(flag)
    reason = form.cleaned_data["reason"].strip()
    with transaction.atomic():
        if not flag.dismiss(request.user, reason):
            messages.warning(request, _("该疑点已不是待核实状态，可能已被他人处理或已自动纠正。"))
            return redirect(flag)
        record(
            request,
            OperationLog.Action.STATUS,
            flag,
            project=flag.project,
            changes={
                _("状态"): [str(FlagState.OPEN.label), str(FlagState.DISMISSED.label)],
                _("排除理由"): ["", reason],
            },
        )
    messages.success(request, _("已排除该疑点，以后的扫描不会再次提示。"))
    return redirect(flag)


@login_required
@require_POST
def flag_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """恢复核实: a flag dismissed by mistake goes back to 待核实."""
    require_reader(request)
    if not request.user.is_coordinator:
        raise PermissionDenied(DISMISSERS)
    flag = get_flag_for_user(request, pk)
    reason = flag.dismiss_reason
    with transaction.atomic():
        if not flag.reopen():
            messages.warning(request, _("该疑点不是已排除状态，无需恢复。"))
            return redirect(flag)
        record(
            request,
            OperationLog.Action.STATUS,
            flag,
            project=flag.project,
            changes={
                _("状态"): [str(FlagState.DISMISSED.label), str(FlagState.OPEN.label)],
                _("排除理由"): [reason, ""],
            },
        )
    messages.success(request, _("疑点已恢复为待核实。"))
    return redirect(flag)
