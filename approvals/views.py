from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.figures import approval_efficiency, overdue_procedures
from approvals.filtersets import OverdueFilterSet
from audit.changes import record
from audit.models import OperationLog
from catalog.models import ProcedureType
from lib.listing import ListPage
from lib.params import page_year
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.choices import UnitKind
from org.models import Unit
from plans.scope import Scope
from projects.models import Procedure

OVERDUE_SORTS = {"submitted_on": "submitted_on", "name": "project__name", "type": "type__sort_order"}


@login_required
def efficiency(request: AuthenticatedHttpRequest) -> HttpResponse:
    """审批效能: processing days by procedure type, department and investment nature, against last year."""
    year = page_year(request.GET)
    figures = approval_efficiency(year, Scope(user=request.user))
    if request.GET.get("export") == "xlsx":
        return export_efficiency(request, figures)
    return render(request, "approvals/efficiency.html", {"year": year, "figures": figures})


def export_efficiency(request: HttpRequest, figures: dict) -> HttpResponse:
    headers = [
        _("分组"),
        _("名称"),
        _("办结件数"),
        _("平均用时（天）"),
        _("上年同期件数"),
        _("上年同期平均用时（天）"),
        _("审批效能变化（%）"),
        _("绿色通道件数"),
        _("绿色通道平均用时（天）"),
        _("普通件数"),
        _("普通平均用时（天）"),
        _("绿色通道快于普通（%）"),
    ]
    groups = (
        (_("合计"), [{**figures["overall"], "label": _("全部手续")}]),
        (_("手续类型"), figures["by_type"]),
        (_("审批部门"), figures["by_department"]),
        (_("投资性质"), figures["by_nature"]),
    )
    rows = [
        (
            group,
            row["label"] or _("未填写"),
            row["count"],
            row["average"],
            row["last_count"],
            row["last_average"],
            row["change"],
            row["green_count"],
            row["green_average"],
            row["ordinary_count"],
            row["ordinary_average"],
            row["green_faster"],
        )
        for group, group_rows in groups
        for row in group_rows
    ]
    title = _("%(year)s年审批效能") % {"year": figures["year"]}
    content = build_workbook(title, headers, rows)
    record(request, OperationLog.Action.EXPORT, object_type=_("审批效能"), note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


@login_required
def overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """审批超时: procedures in progress past their time limit, longest waiting first."""
    today = timezone.localdate()
    visible = Procedure.objects.visible_to(request.user).select_related(
        "project", "project__responsible_unit", "type", "department"
    )
    overdue = overdue_procedures(visible, today).order_by("submitted_on", "id")
    listing = ListPage(request, overdue, OverdueFilterSet, sorts=OVERDUE_SORTS)
    if listing.exporting:
        return export_overdue(request, listing.rows, today)
    page = listing.paginate()
    return listing.render(
        "approvals/overdue.html",
        "approvals/includes/overdue_table.html",
        {
            "rows": [(p, waited(p, today)) for p in page],
            "types": ProcedureType.objects.filter(time_limit_days__gt=0),
            "departments": Unit.objects.filter(kind=UnitKind.DEPARTMENT),
        },
    )


def waited(procedure: Procedure, today: date) -> dict[str, int]:
    """Days in progress and days past the time limit, for display."""
    assert procedure.submitted_on is not None  # overdue_procedures() keeps only submitted ones
    elapsed = (today - procedure.submitted_on).days
    return {"elapsed": elapsed, "over": elapsed - (procedure.type.time_limit_days or 0)}


def export_overdue(request: HttpRequest, procedures: QuerySet[Procedure], today: date) -> HttpResponse:
    headers = [
        _("序号"),
        _("项目代码"),
        _("项目名称"),
        _("责任单位"),
        _("手续"),
        _("审批部门"),
        _("申报日期"),
        _("办理时限（天）"),
        _("已用时（天）"),
        _("超时（天）"),
        _("绿色通道"),
        _("备注"),
    ]

    def row(index: int, p: Procedure) -> tuple:
        days = waited(p, today)
        return (
            index,
            p.project.code,
            p.project.name,
            p.project.responsible_unit_name,
            p.type.name,
            p.department.name if p.department else "",
            p.submitted_on,
            p.type.time_limit_days,
            days["elapsed"],
            days["over"],
            p.green_channel,
            p.note,
        )

    limited = procedures[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000)
    rows = (row(index, p) for index, p in enumerate(limited, start=1))
    title = _("审批超时手续清单")
    content = build_workbook(title, headers, rows)
    record(request, OperationLog.Action.EXPORT, object_type=_("审批超时手续"), note=request.GET.urlencode())
    return xlsx_response(f"{title}-{today:%Y%m%d}.xlsx", content)
