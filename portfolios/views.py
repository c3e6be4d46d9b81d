"""项目清单: the named lists of projects, their projects with the list's notes, and their figures."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from figures.compute import compute
from figures.views import period_of
from lib.decorators import require_coordinator
from lib.listing import ListPage
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from plans.scope import Scope
from portfolios.choices import DisposalMethod
from portfolios.filtersets import ProjectListFilterSet
from portfolios.forms import AddItemsForm, ItemForm, ProjectListForm
from portfolios.models import ListItem, ProjectList
from portfolios.querysets import ListItemQuerySet

LIST_EDITORS = gettext_lazy("只有统筹协调（重点办）可以维护项目清单。")
ITEM_SORTS = {
    "name": "project__name",
    "unit": "project__responsible_unit__name",
    "total_investment": "project__total_investment",
    "asset_value": "asset_value",
    "added_at": "added_at",
}


def get_list(pk: int) -> ProjectList:
    """A list by id: the lists' names are open to everyone signed in; their projects are not."""
    return get_object_or_404(ProjectList, pk=pk)


def items_of(request: HttpRequest, project_list: ProjectList) -> ListItemQuerySet:
    """The list's projects the user may see, largest first."""
    return (
        ListItem.objects.visible_to(request.user)
        .filter(project_list=project_list)
        .select_related("project", "project__category", "project__responsible_unit", "project__town")
        .order_by("-project__total_investment", "id")
    )


@login_required
def list_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """项目清单: every named list with its projects (those the user may see) and their totals."""
    lists = ProjectList.objects.with_totals(request.user).order_by("sort_order", "name")
    listing = ListPage(request, lists, ProjectListFilterSet)
    return listing.render(
        "portfolios/list_index.html",
        "portfolios/includes/list_table.html",
        {"is_coordinator": request.user.is_coordinator},
    )


@login_required
def list_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One list: its projects with the list's notes, its totals and its plan figures of the period."""
    project_list = get_list(pk)
    items = items_of(request, project_list)
    listing = ListPage(request, items, sorts=ITEM_SORTS, per_page=settings.LIST_PAGE_SIZE * 2)
    if listing.exporting:
        return export_items(request, project_list, listing.rows)
    year, month = period_of(request)
    figures = compute(year, month, Scope(project_list=project_list, user=request.user), work=False)
    disposal = items.by_disposal() if project_list.has_assets else []
    labels = dict(DisposalMethod.choices)
    for row in disposal:
        row["label"] = labels.get(row["disposal_method"], _("未定"))
    scoped = urlencode({"list": project_list.pk, "period": f"{year:04d}-{month:02d}"})
    return listing.render(
        "portfolios/list_detail.html",
        "portfolios/includes/item_table.html",
        {
            "project_list": project_list,
            "totals": items.totals(),
            "plan": figures["plan"],
            "starts": figures.get("starts"),
            "year": year,
            "month": month,
            "disposal": disposal,
            "dashboard_url": f"{reverse('home')}?{scoped}",
            "rankings_url": f"{reverse('assessment:rankings')}?{scoped}",
            "projects_url": f"{reverse('projects:list')}?{urlencode({'project_list': project_list.pk})}",
            "is_coordinator": request.user.is_coordinator,
        },
    )


def export_items(request: HttpRequest, project_list: ProjectList, items: QuerySet[ListItem]) -> HttpResponse:
    """.xlsx of a list's projects the user may see, with the list's notes (and assets)."""
    headers = [
        _("序号"),
        _("项目代码"),
        _("项目名称"),
        _("项目类别"),
        _("责任单位"),
        _("乡镇/街道"),
        _("总投资（万元）"),
    ]
    money = [6]
    if project_list.has_assets:
        headers += [_("资产价值（万元）"), _("盘活方式")]
        money.append(7)
    headers.append(_("清单备注"))
    labels = dict(DisposalMethod.choices)

    def line(index: int, item: ListItem) -> list[object]:
        project = item.project
        row: list[object] = [
            index,
            project.code,
            project.name,
            project.category.name,
            project.responsible_unit.name if project.responsible_unit else "",
            project.town.name if project.town else "",
            project.total_investment,
        ]
        if project_list.has_assets:
            row += [item.asset_value, labels.get(item.disposal_method, "")]
        row.append(item.note)
        return row

    rows = (
        line(index, item)
        for index, item in enumerate(items[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000), start=1)
    )
    content = build_workbook(project_list.name, headers, rows, money_columns=money)
    record(request, OperationLog.Action.EXPORT, object_type=_("项目清单"), note=project_list.name)
    return xlsx_response(f"{project_list.name}-{timezone.localdate():%Y%m%d}.xlsx", content)


@login_required
def list_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """新建/修改清单 (重点办)."""
    require_coordinator(request, LIST_EDITORS)
    project_list = get_list(pk) if pk else None
    before = snapshot(project_list) if project_list else {}
    form = ProjectListForm(request.POST or None, instance=project_list)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if project_list is None:
                saved.created_by = request.user
            saved.save()
            changes = diff(before, snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if project_list else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes)
        messages.success(request, _("项目清单“%(name)s”已保存。") % {"name": saved.name})
        return redirect(saved)
    return render(request, "portfolios/list_form.html", {"form": form, "project_list": project_list})


@login_required
@require_POST
def list_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, LIST_EDITORS)
    project_list = get_list(pk)
    with transaction.atomic():
        record(request, OperationLog.Action.DELETE, project_list, changes=diff(snapshot(project_list), {}))
        project_list.delete()
    messages.success(request, _("项目清单“%(name)s”已删除，项目本身不受影响。") % {"name": project_list.name})
    return redirect("portfolios:list")


@login_required
def items_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """加入项目 (重点办): projects onto the list, with the list's note."""
    require_coordinator(request, LIST_EDITORS)
    project_list = get_list(pk)
    form = AddItemsForm(request.POST or None, project_list=project_list, user=request.user)
    if request.method == "POST" and form.is_valid():
        items = form.items(request.user)
        with transaction.atomic():
            ListItem.objects.bulk_create(items)
            names = "、".join(item.project.name for item in items)
            record(
                request,
                OperationLog.Action.UPDATE,
                project_list,
                changes={_("加入项目"): ["", names]},
            )
        messages.success(request, _("已将%(n)d个项目加入清单。") % {"n": len(items)})
        return redirect(project_list)
    return render(request, "portfolios/items_form.html", {"form": form, "project_list": project_list})


def get_item(request: HttpRequest, pk: int, item_pk: int) -> ListItem:
    """A project's line on list `pk`, if the user may see the project; else 404."""
    item = (
        ListItem.objects.visible_to(request.user)
        .select_related("project_list", "project")
        .filter(project_list_id=pk, pk=item_pk)
        .first()
    )
    if item is None:
        raise Http404(_("清单项目不存在或无权查看。"))
    return item


@login_required
def item_edit(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """修改清单备注 (and a 存量资产's value and disposal method)."""
    require_coordinator(request, LIST_EDITORS)
    item = get_item(request, pk, item_pk)
    before = snapshot(item)
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            changes = diff(before, snapshot(saved))
            if changes:
                record(request, OperationLog.Action.UPDATE, saved, changes=changes)
        messages.success(request, _("“%(name)s”的清单信息已保存。") % {"name": item.project.name})
        return redirect(item.project_list)
    return render(request, "portfolios/item_form.html", {"form": form, "item": item})


@login_required
@require_POST
def item_remove(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """移出清单 (重点办): the project leaves the list, nothing else changes."""
    require_coordinator(request, LIST_EDITORS)
    item = get_item(request, pk, item_pk)
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.UPDATE,
            item.project_list,
            changes={_("移出项目"): [item.project.name, ""]},
        )
        item.delete()
    messages.success(request, _("已将“%(name)s”移出清单。") % {"name": item.project.name})
    return redirect(item.project_list)
