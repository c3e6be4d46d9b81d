"""Pages of the milestone plans (节点计划): the war map of many projects, one project's nodes, templates."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.decorators import coordinator_required
from lib.listing import ListPage
from lib.messages import flash_errors
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from milestones.forms import ApplyTemplateForm, MilestoneForm, NodeFormSet, TemplateForm
from milestones.gantt import COLOURS, build_gantt
from milestones.models import Milestone, MilestoneTemplate
from milestones.querysets import milestone_thresholds
from org.models import Unit
from projects.access import get_project_for_user
from projects.filtersets import ProjectFilterSet
from projects.models import Project

GANTT_PAGE_SIZE = 25
LEGEND = [
    ("done", "按期完成"),
    ("late_done", "延期完成"),
    ("pending", "未到期"),
    ("yellow", "超期（黄灯）"),
    ("red", "超期（红灯）"),
]


@login_required
def gantt(request: AuthenticatedHttpRequest) -> HttpResponse:
    """挂图作战: the milestones of the filtered projects on one time axis, today's line, overdue nodes marked."""
    user = request.user
    today = timezone.localdate()
    thresholds = milestone_thresholds()
    # The projects are the user's own (visible_to below): their milestones need no scope of their
    # own, and the few projects with milestones are read first rather than the scope's thousands.
    scheduled = Milestone.objects.all()
    if request.GET.get("overdue"):
        yellow, _red = thresholds
        scheduled = scheduled.overdue(today - timedelta(days=yellow))
    projects = (
        Project.objects.visible_to(user)
        .with_list_relations()
        .filter(pk__in=scheduled.values("project_id"))
        .order_by("responsible_unit__path", "name_key", "name")
    )
    listing = ListPage(request, projects, ProjectFilterSet, per_page=GANTT_PAGE_SIZE)
    if listing.exporting:
        return export_milestones(request, listing.rows, today, thresholds)
    page = listing.paginate()
    by_project: dict[int, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(project__in=list(page)).order_by("planned_date", "sort_order"):
        by_project.setdefault(milestone.project_id, []).append(milestone)
    chart = build_gantt(list(page), by_project, today, thresholds)
    return listing.render(
        "milestones/gantt.html",
        "milestones/includes/gantt_chart.html",
        {
            "chart": chart,
            "today": today,
            "legend": [(COLOURS[key], _(label)) for key, label in LEGEND],
            "unit_choices": Unit.objects.filter_choices_for(user),
        },
    )


def export_milestones(
    request: HttpRequest, projects: QuerySet[Project], today: date, thresholds: tuple[int, int]
) -> HttpResponse:
    """节点计划 .xlsx: every milestone of the filtered projects."""
    rows_qs = (
        Milestone.objects.filter(project__in=projects)
        .select_related("project", "responsible_unit")
        .order_by("project__responsible_unit__path", "project__name_key", "project__name", "planned_date")
    )
    labels = dict(LEGEND)
    headers = [
        _("序号"),
        _("项目名称"),
        _("节点名称"),
        _("计划完成日期"),
        _("实际完成日期"),
        _("责任单位"),
        _("责任人"),
        _("状态"),
        _("超期天数"),
    ]
    rows = (
        (
            i,
            m.project.name,
            m.name,
            m.planned_date,
            m.actual_date,
            m.responsible_unit.name if m.responsible_unit else "",
            m.responsible_person,
            _(labels[m.light(today, thresholds)]),
            m.days_overdue(today) or "",
        )
        for i, m in enumerate(rows_qs[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("节点计划")
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    return xlsx_response(f"{title}.xlsx", build_workbook(title, headers, rows))


@login_required
def project_milestones(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A project's 节点计划: its nodes with their state, adding one, applying a template (倒排工期)."""
    project = get_project_for_user(request, pk)
    user = request.user
    today = timezone.localdate()
    thresholds = milestone_thresholds()
    milestones = list(project.milestones.select_related("responsible_unit"))
    for milestone in milestones:
        state = milestone.light(today, thresholds)
        milestone.state_label = _(dict(LEGEND)[state])  # type: ignore[attr-defined]  # for the template
        milestone.colour = COLOURS[state]  # type: ignore[attr-defined]  # for the template
    chart = build_gantt([project], {project.pk: milestones}, today, thresholds) if milestones else None
    can_edit = Project.objects.editable_by(user).filter(pk=pk).exists()
    logs = OperationLog.objects.filter(
        project=project, object_type=str(Milestone._meta.verbose_name)
    ).select_related("user")[:50]
    return render(
        request,
        "milestones/project_milestones.html",
        {
            "project": project,
            "milestones": milestones,
            "chart": chart,
            "can_edit": can_edit,
            "apply_form": ApplyTemplateForm() if can_edit else None,
            "history": logs,
            "completion": project.planned_completion_date,
            "legend": [(COLOURS[key], _(label)) for key, label in LEGEND],
            "today": today,
        },
    )


@login_required
def milestone_edit(
    request: AuthenticatedHttpRequest, pk: int, milestone_pk: int | None = None
) -> HttpResponse:
    project = get_project_for_user(request, pk, write=True)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project) if milestone_pk else None
    before = snapshot(milestone) if milestone else {}
    form = MilestoneForm(
        request.POST or None,
        instance=milestone,
        project=project,
        initial={} if milestone else {"responsible_unit": project.responsible_unit_id},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            changes = diff(before, snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if milestone else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes, project=project)
        messages.success(request, _("节点“%(n)s”已保存。") % {"n": saved.name})
        return redirect("milestones:project", pk=project.pk)
    return render(
        request, "milestones/milestone_form.html", {"form": form, "project": project, "milestone": milestone}
    )


@login_required
@require_POST
def milestone_delete(request: AuthenticatedHttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, write=True)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.DELETE,
            milestone,
            changes=diff(snapshot(milestone), {}),
            project=project,
        )
        milestone.delete()
    messages.success(request, _("节点已删除。"))
    return redirect("milestones:project", pk=project.pk)


@login_required
@require_POST
def apply_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """倒排工期: create a template's nodes on the project, dated back from its planned completion."""
    project = get_project_for_user(request, pk, write=True)
    form = ApplyTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择节点计划模板。"))
        return redirect("milestones:project", pk=project.pk)
    template = form.cleaned_data["template"]
    try:
        created = template.apply_to(project)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("milestones:project", pk=project.pk)
    record(
        request,
        OperationLog.Action.CREATE,
        object_type=str(Milestone._meta.verbose_name),
        project=project,
        changes={_("节点计划"): ["", "、".join(f"{m.name} {m.planned_date}" for m in created)]},
        note=_("按模板“%(t)s”倒排工期") % {"t": template.name},
    )
    if created:
        messages.success(
            request, _("已按“%(t)s”倒排生成 %(n)d 个节点。") % {"t": template.name, "n": len(created)}
        )
    else:
        messages.info(request, _("模板中的节点该项目都已有，未新增。"))
    return redirect("milestones:project", pk=project.pk)


# Templates -------------------------------------------------------------------------


@login_required
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    templates = MilestoneTemplate.objects.prefetch_related("nodes")
    return render(
        request,
        "milestones/template_list.html",
        {"templates": templates, "can_edit": request.user.edits_everything},
    )


@coordinator_required(gettext_lazy("节点计划模板由重点办（统筹协调）或系统管理员维护。"))
def template_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    template = get_object_or_404(MilestoneTemplate, pk=pk) if pk else None
    before = snapshot(template) if template else {}
    form = TemplateForm(request.POST or None, instance=template)
    nodes = NodeFormSet(request.POST or None, instance=template or MilestoneTemplate())
    if request.method == "POST" and form.is_valid() and nodes.is_valid():
        with transaction.atomic():
            saved = form.save()
            nodes.instance = saved
            nodes.save()
            changes = diff(before, snapshot(saved))
            changes[_("模板节点")] = [
                "",
                "、".join(f"{n.name}({n.offset_days:+d})" for n in saved.nodes.all()),
            ]
            action = OperationLog.Action.UPDATE if template else OperationLog.Action.CREATE
            record(request, action, saved, changes=changes)
        messages.success(request, _("模板“%(t)s”已保存。") % {"t": saved.name})
        return redirect("milestones:templates")
    return render(
        request, "milestones/template_form.html", {"form": form, "nodes": nodes, "template": template}
    )
