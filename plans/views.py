from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.decorators import require_coordinator
from lib.listing import ListPage
from lib.numbers import year_on_year
from lib.params import page_year
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from plans.choices import PlanLevel, PlanType
from plans.filtersets import PlanEntryFilterSet
from plans.forms import PlanEntryForm, PlanForm
from plans.models import Plan, PlanEntry
from plans.totals import plan_totals, with_totals
from projects.models import Project

PLAN_SORTS = {"year": "year", "title": "title", "level": "level"}
# The sorts by a plan's totals (plans.totals), which are not columns: made after reading them.
TOTAL_SORTS = {"entries": "entry_count", "total": "project_total", "annual": "annual_total"}
ENTRY_SORTS = {
    "name": "project__name",
    "annual_investment": "annual_investment",
    "total_investment": "project__total_investment",
    "plan_type": "plan_type",
    "responsible_unit": "project__responsible_unit__name",
}


# Who may, as a refusal says it.
PLAN_EDITORS = gettext_lazy("只有统筹协调（重点办）可以编制和调整年度计划。")


@login_required
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """年度计划: the plans, each with the 项目数, 总投资 and 年度计划投资 of the entries the user may see."""
    plans = Plan.objects.order_by("-year", "level", "-version")
    year = page_year(request.GET, default=0)
    if year:
        plans = plans.filter(year=year)
    years = Plan.objects.order_by("-year").values_list("year", flat=True).distinct()
    # A total is sorted by after reading it; the listing keeps the ?sort= for the headers.
    listing = ListPage(request, plans, sorts=PLAN_SORTS)
    if listing.sort.lstrip("-") in TOTAL_SORTS:
        # Sorted by a total: the plans (a few dozen, whatever the entries) in order of their totals.
        shown = sorted_by_total(with_totals(plans, request.user), listing.sort)
        listing.paginate(shown)  # type: ignore[arg-type]  # the paginator takes a list as well
    else:
        page = listing.paginate()
        page.object_list = with_totals(page.object_list, request.user)
    return listing.render(
        "plans/plan_list.html", "plans/includes/plan_table.html", {"years": years, "year": year}
    )


def sorted_by_total(plans: list[Plan], sort: str) -> list[Plan]:
    """`plans` in the order of the total `sort` names ("-" first: largest first), then as listed."""
    name = TOTAL_SORTS[sort.lstrip("-")]
    return sorted(plans, key=lambda plan: getattr(plan, name), reverse=sort.startswith("-"))


@login_required
def plan_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_coordinator(request, PLAN_EDITORS)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            plan = form.save(commit=False)
            plan.created_by = request.user
            plan.save()
            record(request, OperationLog.Action.CREATE, plan, changes=diff({}, snapshot(plan)))
        messages.success(request, _("年度计划已创建，请添加计划项目。"))
        return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@login_required
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, PLAN_EDITORS)
    plan = get_object_or_404(Plan, pk=pk)
    before = snapshot(plan)
    form = PlanForm(request.POST or None, instance=plan)
    form.fields["year"].disabled = form.fields["level"].disabled = True
    if request.method == "POST" and form.is_valid():
        plan = form.save()
        changes = diff(before, snapshot(plan))
        if changes:
            record(request, OperationLog.Action.UPDATE, plan, changes=changes)
        messages.success(request, _("已保存。"))
        return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    entries = plan.entries.visible_to(request.user)
    last = plan.last_year_plan()
    # The plan's and last year's totals as the plan list has them (from the figures' summary);
    # the sizes and plan types in one pass over the entries.
    summed = plan_totals([plan, last] if last else [plan], request.user)
    totals = page_totals(summed[plan.pk])
    last_totals = page_totals(summed[last.pk]) if last else None
    yoy = (
        {
            key: year_on_year(totals[key], last_totals[key])
            for key in ("count", "total_investment", "annual_investment")
        }
        if last_totals
        else None
    )

    listed = entries.select_related("project", "project__category", "project__responsible_unit")
    listing = ListPage(request, listed, PlanEntryFilterSet, sorts=ENTRY_SORTS)
    if listing.exporting:
        return export_entries(request, plan, listing.rows)
    # Unfiltered, the entries are the plan's as the user sees them, counted in its totals.
    page = listing.paginate(count=totals["count"] if listing.filters_set == set() else None)
    page.object_list = list(page.object_list)
    buckets, by_type = entries.breakdown()
    mark_counted_elsewhere(plan, page.object_list)
    for entry in page.object_list:
        entry.warnings = entry.date_warnings()  # for the template's marker
    return listing.render(
        "plans/plan_detail.html",
        "plans/includes/entry_table.html",
        {
            "plan": plan,
            "totals": totals,
            "last": last,
            "last_totals": last_totals,
            "yoy": yoy,
            "buckets": buckets,
            "by_type": by_type,
            "plan_types": PlanType.choices,
            "previous": plan.previous_version(),
            "versions": Plan.objects.filter(year=plan.year, level=plan.level).order_by("version"),
            "in_force": Plan.objects.in_force().filter(year=plan.year, level=plan.level).first(),
            "editable": plan.is_latest and request.user.is_coordinator,
        },
    )


def page_totals(summed: dict[str, Any]) -> dict[str, Any]:
    """plans.totals.plan_totals()'s figures under the names the plan page shows them by."""
    return {
        "count": summed["entry_count"],
        "total_investment": summed["project_total"],
        "annual_investment": summed["annual_total"],
    }


def export_entries(
    request: AuthenticatedHttpRequest, plan: Plan, entries: QuerySet[PlanEntry]
) -> HttpResponse:
    headers = [
        _("序号"),
        _("项目代码"),
        _("项目名称"),
        _("项目类别"),
        _("责任单位"),
        _("计划类型"),
        _("总投资（万元）"),
        _("年度计划投资（万元）"),
        _("年度建设目标"),
        _("计划开工月份"),
        _("计划竣工月份"),
    ]
    rows = (
        (
            i,
            e.project.code,
            e.project.name,
            e.project.category.name,
            e.project.responsible_unit_name,
            e.get_plan_type_display(),
            e.project.total_investment,
            e.annual_investment,
            e.target,
            e.planned_start_month,
            e.planned_completion_month,
        )
        for i, e in enumerate(entries.iterator(chunk_size=2000), start=1)
    )
    content = build_workbook(plan.title, headers, rows, money_columns=[6, 7])
    record(request, OperationLog.Action.EXPORT, plan)
    return xlsx_response(f"{plan.title}.xlsx", content)


@login_required
def plan_diff(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    previous = plan.previous_version()
    if previous is None:
        messages.info(request, _("这是该计划的第一个版本，没有可对比的上一版本。"))
        return redirect(plan)
    changes = plan.diff_against(previous, request.user)
    return render(request, "plans/plan_diff.html", {"plan": plan, "previous": previous, **changes})


@login_required
@require_POST
def plan_adjust(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, PLAN_EDITORS)
    plan = get_object_or_404(Plan, pk=pk)
    try:
        new = plan.adjust(by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(plan)
    record(request, OperationLog.Action.CREATE, new, note=_("由第%(v)s版生成调整方案") % {"v": plan.version})
    messages.success(request, _("已生成调整方案（第%(v)s版），请在此版本上修改。") % {"v": new.version})
    return redirect(new)


def mark_counted_elsewhere(plan: Plan, entries: list[PlanEntry]) -> None:
    """Give the entries of a plan in force whose project counts under another list when the levels
    are added together (a project counts once, local list first) that list's level, as
    `counted_under`."""
    others = [e.project_id for e in entries if not e.counted]
    if not others or not plan.is_in_force:
        return
    levels = dict(
        PlanEntry.objects.filter(plan__year=plan.year, counted=True, project_id__in=others).values_list(
            "project_id", "plan__level"
        )
    )
    for entry in entries:
        if entry.project_id in levels:
            entry.counted_under = PlanLevel(levels[entry.project_id]).label  # type: ignore[attr-defined]  # for the template


def editable_plan(request: AuthenticatedHttpRequest, pk: int) -> Plan:
    require_coordinator(request, PLAN_EDITORS)
    plan = get_object_or_404(Plan, pk=pk)
    if not plan.is_latest:
        raise PermissionDenied(_("历史版本不能修改，请在最新版本上调整。"))
    return plan


@login_required
def entry_edit(request: AuthenticatedHttpRequest, pk: int, entry_pk: int | None = None) -> HttpResponse:
    plan = editable_plan(request, pk)
    entry = (
        get_object_or_404(PlanEntry.objects.visible_to(request.user), pk=entry_pk, plan=plan)
        if entry_pk
        else None
    )
    before = snapshot(entry) if entry else {}
    form = PlanEntryForm(request.POST or None, instance=entry, plan=plan, user=request.user)
    if request.method == "POST" and request.htmx and request.POST.get("check"):
        # As the user picks: the date warnings of what the form holds now, nothing saved.
        form.is_valid()
        return render(request, "plans/includes/entry_warnings.html", {"warnings": form.date_warnings})
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation:
        with transaction.atomic():
            saved = form.save()
            changes = diff(before, snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if entry else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes, project=saved.project)
        messages.success(request, _("计划项目“%(p)s”已保存。") % {"p": saved.project})
        if form.date_warnings:
            messages.warning(request, _("请核对：") + " ".join(form.date_warnings))
        return redirect(plan)
    # What the form holds once posted; before that, what the entry being edited says.
    warnings = form.date_warnings if form.is_bound else entry.date_warnings() if entry else []
    return render(
        request,
        "plans/entry_form.html",
        {
            "form": form,
            "plan": plan,
            "entry": entry,
            "warnings": warnings,
            # Valid but with warnings not yet confirmed: saved with a second click on 仍然保存.
            "confirm": request.method == "POST" and not form.errors and form.needs_confirmation,
        },
    )


@login_required
@require_POST
def entry_delete(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    plan = editable_plan(request, pk)
    entry = get_object_or_404(PlanEntry.objects.visible_to(request.user), pk=entry_pk, plan=plan)
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.DELETE,
            entry,
            changes=diff(snapshot(entry), {}),
            project=entry.project,
        )
        entry.delete()
    messages.success(request, _("已从计划中移出“%(p)s”。") % {"p": entry.project})
    return redirect(plan)


def project_plans_tab(request: HttpRequest, project: Project) -> dict[str, object]:
    """The context of the project page's 年度计划 tab: every plan the project is on."""
    entries = PlanEntry.objects.filter(project=project).select_related("plan")
    return {"entries": entries.order_by("-plan__year", "plan__level", "-plan__version")}


def plan_levels_by_project(project_ids: list[int], year: int) -> dict[int, list[PlanEntry]]:
    """The year's plan entries (plans in force) of the given projects, in one query."""
    entries = (
        PlanEntry.objects.filter(
            project_id__in=project_ids, plan__in=Plan.objects.in_force().filter(year=year)
        )
        .select_related("plan")
        .order_by("plan__level")
    )
    result: dict[int, list[PlanEntry]] = {}
    for entry in entries:
        result.setdefault(entry.project_id, []).append(entry)
    return result


def projects_on_plans(year: int | None, level: str | None) -> QuerySet[PlanEntry, dict[str, Any]]:
    """The ids of the projects on the plans in force of `year` and/or `level` (the project list's
    计划年度 / 计划级别 filters)."""
    plans = Plan.objects.in_force()
    if year:
        plans = plans.filter(year=year)
    if level:
        plans = plans.filter(level=level)
    return PlanEntry.objects.filter(plan__in=plans).values("project_id")
