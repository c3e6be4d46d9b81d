from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.listing import ListPage
from lib.messages import flash_errors
from lib.pickers import options
from lib.requests import AuthenticatedHttpRequest
from lib.sql import distinct_values
from lib.versioning import VersionConflict
from lib.xlsx import build_workbook, xlsx_response
from org.models import Person, Unit
from projects import page as project_page
from projects.access import get_project_for_user
from projects.choices import ProjectStatus
from projects.filtersets import ProjectFilterSet
from projects.forms import ProcedureForm, ProjectForm, StatusChangeForm
from projects.models import Procedure, Project

SORTS = {
    "name": "name",
    "code": "code",
    "total_investment": "total_investment",
    "status": "status",
    "responsible_unit": "responsible_unit__name",
    "updated_at": "updated_at",
}


@login_required
def project_options(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The projects the user may see whose name or code holds `?q=`, for a project picker
    (lib.pickers): with `?editable=1` only those the user may change, with `?open=1` none of the
    cancelled, and with `?status=` (repeated) only those in the states named."""
    projects = Project.objects.visible_to(request.user)
    if request.GET.get("editable") == "1":
        projects = Project.objects.editable_by(request.user)
    if request.GET.get("open") == "1":
        projects = projects.exclude(status=ProjectStatus.CANCELLED)
    statuses = [status for status in request.GET.getlist("status") if status in ProjectStatus.values]
    if statuses:
        projects = projects.filter(status__in=statuses)
    projects = projects.only("pk", "name").order_by("name", "pk")
    return options(request, projects, ["name", "code"])


@login_required
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = Project.objects.visible_to(request.user).with_list_relations()
    # The default order, the latest changed first, is the index project_by_update's.
    listing = ListPage(
        request, visible, ProjectFilterSet, sorts=SORTS, head=Project.objects.order_by("-updated_at", "-id")
    )
    if listing.exporting:
        return export_projects(request, listing.rows)
    # Unfiltered, the user's projects are counted from the units' indexes (count_visible).
    count = Project.objects.count_visible(request.user) if listing.filters_set == set() else None
    projects = listing.paginate(project_page.annotate_list(listing.rows), count=count)
    year = listing.filter_values.get("plan_year") or timezone.localdate().year
    return listing.render(
        "projects/project_list.html",
        "projects/includes/project_table.html",
        {
            "rows": project_page.rows(list(projects), year),
            "plan_year": year,
            "unit_choices": Unit.objects.filter_choices_for(request.user),
            "leader_choices": leaders_of(visible),
            "can_create": request.user.edits_everything or request.user.role == "unit",
        },
    )


def leaders_of(projects: QuerySet[Project]) -> QuerySet[Person]:
    """The 分包领导 of `projects`, for the list's filter: the few people who lead any project (read
    from the index, lib.sql.distinct_values), each asked whether it leads one of these. Listing the
    leaders of a scope of thousands of projects read every one of them (15 ms for an owner of
    18,000 at 100,000 projects)."""
    return Person.objects.filter(pk__in=distinct_values(Project, "leader_in_charge")).filter(
        Exists(projects.filter(leader_in_charge=OuterRef("pk")))
    )


def export_projects(request: HttpRequest, projects: QuerySet[Project]) -> HttpResponse:
    """.xlsx of the filtered list, in the list's order."""
    headers = [
        _("序号"),
        _("项目代码"),
        _("项目名称"),
        _("项目类别"),
        _("行业领域"),
        _("建设性质"),
        _("建设年限"),
        _("总投资（万元）"),
        _("项目状态"),
        _("责任单位"),
        _("项目单位"),
        _("分包领导"),
        _("乡镇/街道"),
        _("建设地点"),
        _("计划开工时间"),
        _("计划竣工时间"),
        _("实际开工时间"),
        _("实际竣工时间"),
    ]
    limited = projects.select_related("leader_in_charge")[: settings.EXPORT_ROW_LIMIT]
    rows = (
        (
            index,
            p.code,
            p.name,
            p.category.name,
            p.industry.name if p.industry else "",
            p.get_construction_nature_display(),
            p.build_years,
            p.total_investment,
            p.get_status_display(),
            p.responsible_unit_name,
            p.owner_unit.name if p.owner_unit else "",
            p.leader_in_charge.name if p.leader_in_charge else "",
            p.town.name if p.town else "",
            p.address,
            p.planned_start_date,
            p.planned_completion_date,
            p.actual_start_date,
            p.actual_completion_date,
        )
        for index, p in enumerate(limited.iterator(chunk_size=2000), start=1)
    )
    content = build_workbook(_("重点项目清单"), headers, rows, money_columns=[7])
    record(request, OperationLog.Action.EXPORT, object_type=_("项目清单"), note=request.GET.urlencode())
    return xlsx_response(f"{_('重点项目清单')}-{timezone.localdate():%Y%m%d}.xlsx", content)


@login_required
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A project's page: the tabs and links the apps contribute (projects.page). An htmx request
    for a tab gets only the tabs' card."""
    project = get_project_for_user(request, pk)
    tabs = project_page.tabs()
    active = next((t for t in tabs if t.key == request.GET.get("tab")), tabs[0])
    context: dict[str, object] = {
        "project": project,
        "tab": active.key,
        "active_tab": active,
        "tabs": project_page.shown(request, project, tabs),
        "can_edit": Project.objects.editable_by(request.user).filter(pk=pk).exists(),
    }
    if active.context:
        context.update(active.context(request, project))
    if request.htmx:
        return render(request, "projects/includes/project_tabs.html", context)
    context["links"] = [
        (link, link.url(project), count)
        for link, count in project_page.shown(request, project, project_page.links())
    ]
    return render(request, "projects/project_detail.html", context)


def overview_tab(request: HttpRequest, project: Project) -> dict[str, object]:
    return {
        "status_form": StatusChangeForm(project=project),
        "people": Project.objects.select_related(
            "leader_in_charge", "chief_officer", "responsible_person", "owner_contact"
        ).get(pk=project.pk),
    }


def procedures_tab(request: HttpRequest, project: Project) -> dict[str, object]:
    return {"procedures": project.procedures.select_related("type", "department")}


def history_tab(request: HttpRequest, project: Project) -> dict[str, object]:
    logs = OperationLog.objects.filter(project=project).select_related("user")
    return {
        "log_page": Paginator(logs, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page")),
        "status_changes": project.status_changes.select_related("changed_by"),
    }


@login_required
def project_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not (user.edits_everything or user.role == "unit"):
        raise PermissionDenied(_("您无权登记项目。"))
    form = ProjectForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            project = form.save()
            record(
                request,
                OperationLog.Action.CREATE,
                project,
                changes=diff({}, snapshot(project)),
                project=project,
            )
        messages.success(request, _("项目“%(name)s”已登记。") % {"name": project.name})
        return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, write=True)
    before = snapshot(project)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                project = form.save()
                changes = diff(before, snapshot(project))
                if changes:
                    record(request, OperationLog.Action.UPDATE, project, changes=changes, project=project)
        except VersionConflict as conflict:
            # Someone saved in between: nothing was written (the people it named are rolled back too).
            form.add_error(None, conflict.messages[0])
        else:
            messages.success(request, _("已保存。") if changes else _("没有修改任何内容。"))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, write=True)
    form = StatusChangeForm(request.POST, project=project)
    if form.is_valid():
        old = project.get_status_display()
        try:
            change = project.change_status(
                form.cleaned_data["status"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["effective_date"],
            )
        except ValidationError as error:
            flash_errors(request, error)
        else:
            record(
                request,
                OperationLog.Action.STATUS,
                project,
                changes={_("项目状态"): [old, project.get_status_display()]},
                project=project,
                note=change.reason,
            )
            messages.success(request, _("项目状态已变更为“%(s)s”。") % {"s": project.get_status_display()})
    else:
        flash_errors(request, form)
    return redirect("projects:detail", pk=project.pk)


@login_required
def procedure_edit(
    request: AuthenticatedHttpRequest, pk: int, procedure_pk: int | None = None
) -> HttpResponse:
    project = get_project_for_user(request, pk, write=True)
    procedure = get_object_or_404(Procedure, pk=procedure_pk, project=project) if procedure_pk else None
    before = snapshot(procedure) if procedure else {}
    form = ProcedureForm(request.POST or None, instance=procedure, project=project)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            changes = diff(before, snapshot(saved, [f for f in form.Meta.fields]))
            action = OperationLog.Action.UPDATE if procedure else OperationLog.Action.CREATE
            if changes:
                record(request, action, saved, changes=changes, project=project)
        messages.success(request, _("手续“%(t)s”已保存。") % {"t": saved.type})
        return redirect(f"{project.get_absolute_url()}?tab=procedures")
    return render(
        request, "projects/procedure_form.html", {"form": form, "project": project, "procedure": procedure}
    )


@login_required
@require_POST
def procedure_delete(request: AuthenticatedHttpRequest, pk: int, procedure_pk: int) -> HttpResponse:
    project = get_project_for_user(request, pk, write=True)
    procedure = get_object_or_404(Procedure, pk=procedure_pk, project=project)
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.DELETE,
            procedure,
            changes=diff(snapshot(procedure), {}),
            project=project,
        )
        procedure.delete()
    messages.success(request, _("手续记录已删除。"))
    return redirect(f"{project.get_absolute_url()}?tab=procedures")
