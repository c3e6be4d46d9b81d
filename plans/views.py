from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.numbers import year_on_year
from lib.params import YEARS, query_int
from lib.xlsx import build_workbook, xlsx_response
from org.decorators import require_coordinator
from plans.choices import PlanLevel, PlanType
from plans.forms import PlanEntryForm, PlanForm
from plans.models import Plan, PlanEntry

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
def plan_list(request: HttpRequest) -> HttpResponse:
    visible = PlanEntry.objects.visible_to(request.user).values("id")  # type: ignore[arg-type]
    in_scope = Q(entries__in=visible)
    plans = Plan.objects.annotate(
        entry_count=Count("entries", filter=in_scope),
        annual_total=Coalesce(
            Sum("entries__annual_investment", filter=in_scope), 0, output_field=DecimalField()
        ),
        project_total=Coalesce(
            Sum("entries__project__total_investment", filter=in_scope), 0, output_field=DecimalField()
        ),
    ).order_by("-year", "level", "-version")
    year = str(query_int(request.GET, "year", 0, *YEARS) or "")
    if year:
        plans = plans.filter(year=int(year))
    page = Paginator(plans, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    years = Plan.objects.order_by("-year").values_list("year", flat=True).distinct()
    return render(request, "plans/plan_list.html", {"page": page, "years": years, "year": year})


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
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
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    entries = plan.entries.visible_to(request.user)  # type: ignore[arg-type]
    totals = entries.totals()
    last = plan.last_year_plan()
    last_totals = last.entries.visible_to(request.user).totals() if last else None  # type: ignore[arg-type]
    yoy = (
        {
            key: year_on_year(totals[key], last_totals[key])
            for key in ("count", "total_investment", "annual_investment")
        }
        if last_totals
        else None
    )

    listed = entries.select_related("project", "project__category", "project__responsible_unit")
    q = request.GET.get("q", "").strip()
    if q:
        listed = listed.filter(Q(project__name__icontains=q) | Q(project__code__icontains=q))
    plan_type = request.GET.get("plan_type", "")
    if plan_type in PlanType.values:
        listed = listed.filter(plan_type=plan_type)
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in ENTRY_SORTS:
        prefix = "-" if sort.startswith("-") else ""
        listed = listed.order_by(f"{prefix}{ENTRY_SORTS[sort.lstrip('-')]}", "id")
    if request.GET.get("export") == "xlsx":
        return export_entries(request, plan, listed)
    page = Paginator(listed, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    mark_counted_elsewhere(plan, page.object_list)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "totals": totals,
            "last": last,
            "last_totals": last_totals,
            "yoy": yoy,
            "buckets": entries.size_buckets(),
            "by_type": entries.by_plan_type(),
            "page": page,
            "plan_types": PlanType.choices,
            "previous": plan.previous_version(),
            "versions": Plan.objects.filter(year=plan.year, level=plan.level).order_by("version"),
            "in_force": Plan.objects.in_force().filter(year=plan.year, level=plan.level).first(),
            "editable": plan.is_latest and request.user.is_coordinator,  # type: ignore[union-attr]
        },
    )


def export_entries(request: HttpRequest, plan: Plan, entries: object) -> HttpResponse:
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
        for i, e in enumerate(entries.iterator(chunk_size=2000), start=1)  # type: ignore[attr-defined]
    )
    content = build_workbook(plan.title, headers, rows, money_columns=[6, 7])
    record(request, OperationLog.Action.EXPORT, plan)
    return xlsx_response(f"{plan.title}.xlsx", content)


@login_required
def plan_diff(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    previous = plan.previous_version()
    if previous is None:
        messages.info(request, _("这是该计划的第一个版本，没有可对比的上一版本。"))
        return redirect(plan)
    changes = plan.diff_against(previous, request.user)
    return render(request, "plans/plan_diff.html", {"plan": plan, "previous": previous, **changes})


@login_required
@require_POST
def plan_adjust(request: HttpRequest, pk: int) -> HttpResponse:
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
            entry.counted_under = PlanLevel(levels[entry.project_id]).label


def editable_plan(request: HttpRequest, pk: int) -> Plan:
    require_coordinator(request, PLAN_EDITORS)
    plan = get_object_or_404(Plan, pk=pk)
    if not plan.is_latest:
        raise PermissionDenied(_("历史版本不能修改，请在最新版本上调整。"))
    return plan


@login_required
def entry_edit(request: HttpRequest, pk: int, entry_pk: int | None = None) -> HttpResponse:
    plan = editable_plan(request, pk)
    entry = (
        get_object_or_404(PlanEntry.objects.visible_to(request.user), pk=entry_pk, plan=plan)
        if entry_pk
        else None
    )  # type: ignore[arg-type]
    before = snapshot(entry) if entry else {}
    form = PlanEntryForm(request.POST or None, instance=entry, plan=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            changes = diff(before, snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if entry else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes, project=saved.project)
        messages.success(request, _("计划项目“%(p)s”已保存。") % {"p": saved.project})
        return redirect(plan)
    return render(request, "plans/entry_form.html", {"form": form, "plan": plan, "entry": entry})


@login_required
@require_POST
def entry_delete(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    plan = editable_plan(request, pk)
    entry = get_object_or_404(PlanEntry.objects.visible_to(request.user), pk=entry_pk, plan=plan)  # type: ignore[arg-type]
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
