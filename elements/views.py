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
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from catalog.models import FundingSource
from elements import cells, funding_cells
from elements.choices import ElementStatus, PaceLevel
from elements.figures import funding_figures
from elements.filtersets import ElementNeedFilterSet, FundingRecordFilterSet
from elements.forms import ElementNeedForm, FundingRecordForm
from elements.models import ElementNeed, ElementType, FundingRecord
from elements.querysets import BOARD_ORDER, BondPace, bond_thresholds
from lib.listing import ListPage
from lib.params import page_year
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.choices import UnitKind
from org.models import Unit
from plans.scope import Scope
from projects.access import get_for_user, get_project_for_user
from projects.models import Project
from projects.querysets import project_scope

FUNDING_SORTS = {
    "name": "project__name",
    "source": "source__sort_order",
    "approved": "approved",
    "arrived": "arrived",
    "spent": "spent",
    "issued_on": "issued_on",
}
NEED_SORTS = {
    "department": "department__name",
    "name": "project__name",
    "type": "type__sort_order",
    "needed_by": "needed_by",
    "status": "status",
}

# The special bonds furthest behind pace listed above the records; the rest are counted.
LAGGING_SHOWN = 20


# Funding ------------------------------------------------------------------------------------------


@login_required
def funding(request: AuthenticatedHttpRequest) -> HttpResponse:
    """资金保障: figures by source for the year, special bonds' spending pace, and the records."""
    year = page_year(request.GET)
    user = request.user
    visible = FundingRecord.objects.visible_to(user).select_related(
        "project", "project__responsible_unit", "source"
    )
    data = request.GET.copy()
    data["year"] = str(year)
    listing = ListPage(request, visible, FundingRecordFilterSet, data=data, sorts=FUNDING_SORTS)
    if listing.exporting:
        return export_funding(request, year, listing.rows)
    # The year's bonds, a few hundred where the user's scope is thousands of projects: each asks
    # whether its project is the user's, rather than the scope being listed first. Their issue
    # dates are read from every bond of the year, which need not ask.
    mine = project_scope(user, "project__", alternative=True, each_row=True)
    year_records = FundingRecord.objects.filter(year=year)
    bonds = year_records if mine is None else year_records.filter(mine)
    if request.GET.get("export") == "lagging":
        return export_lagging(request, year, bonds.lagging_bonds())
    behind = bonds.behind_pace(dates_of=year_records)
    levels = behind.counts()
    figures = funding_figures(year, Scope(user=user), levels=levels)
    if listing.filters_set == {"year"} and listing.filter_values["year"] == year:
        # The year's records unfiltered: the figures have counted them already, and the summary
        # tells which sources a page of them falls in.
        summary = not listing.sort and funding_cells.SUMMARY.refreshed([year])
        listing.paginate(
            count=figures["totals"]["records"],
            ids=(lambda index: funding_cells.page_ids(year, user, index)) if summary else None,
        )
    return listing.render(
        "elements/funding.html",
        "elements/includes/funding_table.html",
        {
            "year": year,
            "figures": figures,
            "lagging": behind.first(LAGGING_SHOWN),
            "lagging_count": sum(levels.values()),
            "sources": FundingSource.objects.all(),
            "bond_months": settings.SPECIAL_BOND_SPEND_MONTHS,
        },
    )


def export_funding(request: HttpRequest, year: int, records: QuerySet[FundingRecord]) -> HttpResponse:
    headers = [
        _("序号"),
        _("项目代码"),
        _("项目名称"),
        _("责任单位"),
        _("资金来源"),
        _("资金年度"),
        _("计划安排（万元）"),
        _("下达/批复（万元）"),
        _("到位（万元）"),
        _("已支出（万元）"),
        _("文号"),
        _("下达日期"),
        _("到位日期"),
        _("发行批次"),
        _("发行日期"),
        _("备注"),
    ]
    rows = (
        (
            index,
            r.project.code,
            r.project.name,
            r.project.responsible_unit_name,
            r.source.name,
            r.year,
            r.planned,
            r.approved,
            r.arrived,
            r.spent,
            r.document_number,
            r.approved_on,
            r.arrived_on,
            r.issue_batch,
            r.issued_on,
            r.note,
        )
        for index, r in enumerate(records[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000), start=1)
    )
    title = _("%(year)s年项目资金保障情况") % {"year": year}
    content = build_workbook(title, headers, rows, money_columns=[6, 7, 8, 9])
    record(request, OperationLog.Action.EXPORT, object_type=_("资金记录"), note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


def export_lagging(
    request: HttpRequest, year: int, lagging: list[tuple[FundingRecord, BondPace]]
) -> HttpResponse:
    """专项债支出进度滞后的项目: every issued bond behind pace, furthest behind first."""
    headers = [
        _("序号"),
        _("项目代码"),
        _("项目名称"),
        _("责任单位"),
        _("发行批次"),
        _("发行日期"),
        _("发行额度（万元）"),
        _("已支出（万元）"),
        _("应支出进度（%）"),
        _("实际支出进度（%）"),
        _("落后（百分点）"),
        _("预警"),
    ]
    levels = dict(PaceLevel.choices)
    rows = (
        (
            index,
            r.project.code,
            r.project.name,
            r.project.responsible_unit_name,
            r.issue_batch,
            r.issued_on,
            r.approved,
            r.spent,
            pace.expected,
            pace.actual,
            pace.behind,
            levels.get(pace.level, pace.level),
        )
        for index, (r, pace) in enumerate(lagging[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("%(year)s年专项债支出进度滞后的项目") % {"year": year}
    content = build_workbook(title, headers, rows, money_columns=[6, 7])
    record(request, OperationLog.Action.EXPORT, object_type=_("专项债支出进度"), note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


def get_record_for_user(request: HttpRequest, pk: int) -> FundingRecord:
    """A funding record the user may change; 404 for one out of sight, 403 for one only readable."""
    return get_for_user(
        request,
        FundingRecord.objects.select_related("project"),
        pk,
        _("资金记录不存在或无权查看。"),
        write=True,
        forbidden=_("您无权修改该资金记录。"),
    )


@login_required
def funding_edit(
    request: AuthenticatedHttpRequest, pk: int | None = None, record_pk: int | None = None
) -> HttpResponse:
    existing = get_record_for_user(request, record_pk) if record_pk else None
    project = existing.project if existing else get_project_for_user(request, pk, write=True)  # type: ignore[arg-type]  # without record_pk the URL gives pk
    before = snapshot(existing) if existing else {}
    form = FundingRecordForm(request.POST or None, instance=existing, project=project)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            changes = diff(before, snapshot(saved))
            action = OperationLog.Action.UPDATE if existing else OperationLog.Action.CREATE
            if changes:
                record(request, action, saved, changes=changes, project=project)
        messages.success(request, _("资金记录已保存。"))
        return redirect(f"{project.get_absolute_url()}?tab=funding")
    return render(
        request, "elements/funding_form.html", {"form": form, "project": project, "record": existing}
    )


@login_required
@require_POST
def funding_delete(request: AuthenticatedHttpRequest, record_pk: int) -> HttpResponse:
    existing = get_record_for_user(request, record_pk)
    project = existing.project
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.DELETE,
            existing,
            changes=diff(snapshot(existing), {}),
            project=project,
        )
        existing.delete()
    messages.success(request, _("资金记录已删除。"))
    return redirect(f"{project.get_absolute_url()}?tab=funding")


# Elements -----------------------------------------------------------------------------------------


@login_required
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """要素保障看板: what projects wait for, grouped by the department that must supply it."""
    user = request.user
    visible = ElementNeed.objects.visible_to(user).select_related(
        "project", "project__responsible_unit", "type", "department"
    )
    data = request.GET.copy()
    if "waiting" not in data and not data.get("status"):
        data["waiting"] = "true"
    in_order = visible.order_by(*BOARD_ORDER)
    listing = ListPage(
        request,
        in_order,
        ElementNeedFilterSet,
        data=data,
        sorts=NEED_SORTS,
        per_page=settings.LIST_PAGE_SIZE * 2,
    )
    if listing.exporting:
        return export_needs(request, listing.rows)
    if cells.refreshed():
        # From the summary: the needs by type, and the waiting ones, the board's default, by
        # department with their count.
        by_type = cells.by_type(user)
        if listing.filters_set == {"waiting"} and listing.filter_values["waiting"] is True:
            departments = cells.waiting_by_department(user)
            listing.paginate(
                count=cells.waiting_count(user),
                ids=None if listing.sort else lambda index: cells.waiting_page_ids(user, index),
            )
        else:
            departments = listing.rows.by_department()
    else:
        by_type, departments = visible.by_type(), listing.rows.by_department()
    return listing.render(
        "elements/board.html",
        "elements/includes/need_table.html",
        {
            "departments": departments,
            "by_type": by_type,
            "types": ElementType.objects.all(),
            "department_choices": Unit.objects.filter(kind=UnitKind.DEPARTMENT),
            "statuses": ElementStatus.choices,
            "waiting": listing.filter_values.get("waiting"),
            "can_edit": user.edits_everything or user.edits_own,
        },
    )


def export_needs(request: HttpRequest, needs: QuerySet[ElementNeed]) -> HttpResponse:
    headers = [
        _("序号"),
        _("保障部门"),
        _("要素类型"),
        _("项目代码"),
        _("项目名称"),
        _("责任单位"),
        _("需求量"),
        _("已保障量"),
        _("缺口"),
        _("计量单位"),
        _("其中耕地需求（亩）"),
        _("其中耕地已保障（亩）"),
        _("指标来源"),
        _("保障状态"),
        _("需保障时间"),
        _("情况说明"),
    ]
    rows = (
        (
            index,
            n.department.name,
            n.type.name,
            n.project.code,
            n.project.name,
            n.project.responsible_unit_name,
            n.needed,
            n.secured,
            n.gap,
            n.type.measure_unit,
            n.cultivated_needed,
            n.cultivated_secured,
            n.get_indicator_source_display(),
            n.get_status_display(),
            n.needed_by,
            n.note,
        )
        for index, n in enumerate(needs[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000), start=1)
    )
    title = _("重点项目建设要素保障需求")
    content = build_workbook(title, headers, rows, money_columns=[6, 7, 8, 10, 11])
    record(request, OperationLog.Action.EXPORT, object_type=_("要素需求"), note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


def get_need_for_user(request: HttpRequest, pk: int) -> ElementNeed:
    """A need the user may change (its project's units, or the supplying department); else 404/403."""
    return get_for_user(
        request,
        ElementNeed.objects.select_related("project", "type"),
        pk,
        _("要素需求不存在或无权查看。"),
        write=True,
        forbidden=_("您无权修改该要素需求。"),
    )


@login_required
def need_edit(
    request: AuthenticatedHttpRequest, pk: int | None = None, need_pk: int | None = None
) -> HttpResponse:
    existing = get_need_for_user(request, need_pk) if need_pk else None
    project = existing.project if existing else get_project_for_user(request, pk, write=True)  # type: ignore[arg-type]  # without need_pk the URL gives pk
    # A department asked to supply the element, without rights on the project, reports progress only.
    supplier = not Project.objects.editable_by(request.user).filter(pk=project.pk).exists()
    before = snapshot(existing) if existing else {}
    form = ElementNeedForm(request.POST or None, instance=existing, project=project, supplier=supplier)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            changes = diff(before, snapshot(saved))
            action = OperationLog.Action.UPDATE if existing else OperationLog.Action.CREATE
            if changes:
                record(request, action, saved, changes=changes, project=project)
        messages.success(request, _("要素需求“%(t)s”已保存。") % {"t": saved.type})
        if supplier:
            return redirect("elements:board")
        return redirect(f"{project.get_absolute_url()}?tab=elements")
    return render(
        request,
        "elements/need_form.html",
        {"form": form, "project": project, "need": existing, "supplier": supplier},
    )


@login_required
@require_POST
def need_delete(request: AuthenticatedHttpRequest, need_pk: int) -> HttpResponse:
    need = get_need_for_user(request, need_pk)
    project = need.project
    if not Project.objects.editable_by(request.user).filter(pk=project.pk).exists():
        raise PermissionDenied(_("保障部门不能删除项目的要素需求。"))
    with transaction.atomic():
        record(request, OperationLog.Action.DELETE, need, changes=diff(snapshot(need), {}), project=project)
        need.delete()
    messages.success(request, _("要素需求已删除。"))
    return redirect(f"{project.get_absolute_url()}?tab=elements")


def funding_tab(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The context of the project page's 资金 tab."""
    records = project.funding_records.select_related("source").order_by("-year", "source__sort_order", "id")
    today, thresholds = timezone.localdate(), bond_thresholds()
    return {
        "funding_rows": [(r, r.pace(today, thresholds)) for r in records],
        "funding_totals": project.funding_records.totals(),
    }


def elements_tab(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The context of the project page's 要素保障 tab."""
    needs = project.element_needs.select_related("type", "department")
    return {"element_needs": needs}
