from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from catalog.models import Category, IndustryField
from evaluation import cells
from evaluation.choices import Grade, Peers
from evaluation.comparison import compare
from evaluation.filtersets import EvaluationFilterSet
from evaluation.forms import EvaluationForm
from evaluation.models import EVALUABLE_STATUSES, Evaluation, EvaluationQuerySet
from lib.decorators import require_coordinator
from lib.listing import ListPage
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.models import User
from projects.access import get_for_user, get_project_for_user
from projects.choices import SizeBucket
from projects.models import Project
from projects.querysets import project_scope

EDITORS = gettext_lazy("只有统筹协调（重点办）可以登记和修改项目后评价。")
SORTS = {
    "project": "project__name_key",
    "evaluated_on": "evaluated_on",
    "cost_overrun": "cost_overrun",
    "schedule_overrun": "schedule_overrun",
    "final_cost": "final_cost",
}


def get_evaluation_for_user(request: HttpRequest, pk: int) -> Evaluation:
    """An evaluation of a project the user may see; any other is a 404."""
    rows = Evaluation.objects.select_related(
        "project", "project__category", "project__industry", "project__responsible_unit", "created_by"
    )
    return get_for_user(request, rows, pk, _("后评价不存在或无权查看。"))


def listed(request: AuthenticatedHttpRequest) -> EvaluationQuerySet:
    return Evaluation.objects.visible_to(request.user).select_related(
        "project", "project__category", "project__responsible_unit"
    )


@login_required
def evaluation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """项目后评价: the evaluations of the projects the user may see."""
    listing = ListPage(
        request,
        listed(request),
        EvaluationFilterSet,
        sorts=SORTS,
        head=Evaluation.objects.order_by("-evaluated_on", "-id"),
    )
    if listing.exporting:
        return export_evaluations(request, listing.rows)
    # The counts of every project the user may see, from the summary (evaluation.cells).
    known = cells.counts(None if project_scope(request.user) is None else request.user)
    if known is not None and listing.filters_set == set():
        listing.paginate(count=known["evaluations"])
    return listing.render(
        "evaluation/evaluation_list.html",
        "evaluation/includes/evaluation_table.html",
        {
            "categories": Category.objects.all(),
            "sizes": SizeBucket.choices,
            "grades": Grade.choices,
            "can_edit": request.user.is_coordinator,
            **(awaiting_shown(request, known) if request.user.is_coordinator else {}),
        },
    )


# How many of the completed projects awaiting an evaluation the list names.
AWAITING_SHOWN = 5


def awaiting(user: User) -> QuerySet[Project]:
    """Completed projects without an evaluation yet, for the office to take up."""
    return Project.objects.visible_to(user).filter(status__in=EVALUABLE_STATUSES, evaluation__isnull=True)


def latest_awaiting(user: User) -> QuerySet[Project]:
    """awaiting() with a completion date, the latest first: for its first few rows, which the index
    of that order (project_awaiting_evaluation) gives at once (0.5 ms, where finding and sorting the
    20,000 completed projects of 100,000 takes 27 ms on SQLite and 42 ms on PostgreSQL).

    The status is asked as a value (`status || ''`), so that SQLite, which keeps no statistics
    here, does not go through the index on the status instead; the date is asked to be there, so
    that PostgreSQL, whose descending order puts the projects without one first, starts where the
    dates do; and the evaluation is asked not to exist, which PostgreSQL plans as an anti-join."""
    return (
        Project.objects.visible_to(user)
        .alias(status_value=Concat("status", Value(""), output_field=CharField()))
        .filter(status_value__in=EVALUABLE_STATUSES, actual_completion_date__isnull=False)
        .filter(~Exists(Evaluation.objects.filter(project=OuterRef("pk"))))
        .order_by("-actual_completion_date", "name_key", "name", "pk")
        .only("pk", "name", "actual_completion_date")
    )


def awaiting_shown(
    request: AuthenticatedHttpRequest, known: dict[str, int] | None = None
) -> dict[str, object]:
    """The latest completed projects awaiting an evaluation, those without a completion date after
    them by name, and how many there are: the first few rows and a count (`known`, the summary's
    counts of the user's projects, or through the index on the status), never the whole list
    (tens of thousands of projects in a province)."""
    user = request.user
    first = list(latest_awaiting(user)[: AWAITING_SHOWN + 1])
    if len(first) <= AWAITING_SHOWN:
        undated = (
            awaiting(user).filter(actual_completion_date__isnull=True).order_by("name_key", "name", "pk")
        )
        first += list(undated.only("pk", "name", "actual_completion_date")[: AWAITING_SHOWN + 1 - len(first)])
    if len(first) <= AWAITING_SHOWN:
        count = len(first)
    else:
        count = known["awaiting"] if known is not None else awaiting(user).count()
    return {"awaiting": first[:AWAITING_SHOWN], "awaiting_count": count}


@login_required
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """典型案例: the evaluations marked as best practice, with what others may learn from them."""
    # The cases are a handful whatever the scope: each asks after its own project, where listing
    # the projects of a department's scope would read thousands.
    rows = (
        Evaluation.objects.cases()
        .select_related("project", "project__category", "project__responsible_unit", "project__industry")
        .order_by("-evaluated_on", "-id")
    )
    scope = project_scope(request.user, "project__", each_row=True)
    if scope is not None:
        rows = rows.filter(scope)
    listing = ListPage(request, rows, EvaluationFilterSet, per_page=12)
    return listing.render(
        "evaluation/case_list.html",
        "evaluation/includes/case_cards.html",
        {
            "categories": Category.objects.all(),
            "industries": IndustryField.objects.all(),
            "sizes": SizeBucket.choices,
        },
    )


@login_required
def evaluation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation_for_user(request, pk)
    by = request.GET.get("by", Peers.CATEGORY)
    comparison = compare(evaluation, by)
    return render(
        request,
        "evaluation/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "project": evaluation.project,
            "comparison": comparison,
            "chart": comparison.chart_data(),
            "distributions": [comparison.cost, comparison.schedule],
            "peers_choices": Peers.choices,
            "can_edit": request.user.is_coordinator,
        },
    )


def project_tab(request: HttpRequest, project: Project) -> dict[str, object]:
    """The context of the project page's 后评价 tab."""
    user = request.user
    return {
        "evaluation": Evaluation.objects.filter(project=project).first(),
        "evaluable": project.status in EVALUABLE_STATUSES,
        "can_evaluate": bool(getattr(user, "is_coordinator", False)),
    }


def initial_from(project: Project) -> dict[str, object]:
    """A new evaluation starts from what the registry knows of the project."""
    return {
        "budget": project.total_investment,
        "planned_start_date": project.planned_start_date,
        "planned_completion_date": project.planned_completion_date,
        "actual_start_date": project.actual_start_date,
        "actual_completion_date": project.actual_completion_date,
        "evaluated_on": timezone.localdate(),
    }


@login_required
def evaluation_edit(request: AuthenticatedHttpRequest, project_pk: int) -> HttpResponse:
    """登记后评价 of a completed project (its page, if it has one, is the edit page)."""
    require_coordinator(request, EDITORS)
    project = get_project_for_user(request, project_pk)
    existing = Evaluation.objects.filter(project=project).first()
    if existing is not None:
        return redirect("evaluation:edit", existing.pk)
    if project.status not in EVALUABLE_STATUSES:
        messages.error(request, _("项目竣工或投产运营后才能进行后评价。"))
        return redirect(project)
    return save_form(request, project, None)


@login_required
def evaluation_edit_existing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, EDITORS)
    evaluation = get_evaluation_for_user(request, pk)
    return save_form(request, evaluation.project, evaluation)


def save_form(
    request: AuthenticatedHttpRequest, project: Project, evaluation: Evaluation | None
) -> HttpResponse:
    before = snapshot(evaluation) if evaluation else {}
    form = EvaluationForm(
        request.POST or None,
        instance=evaluation or Evaluation(project=project),
        initial=initial_from(project) if evaluation is None else None,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if evaluation is None:
                saved.created_by = request.user
            saved.save()
            changes = diff(before, snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if evaluation else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes, project=project)
        messages.success(request, _("“%(name)s”的后评价已保存。") % {"name": project.name})
        return redirect(saved)
    return render(
        request,
        "evaluation/evaluation_form.html",
        {"form": form, "project": project, "evaluation": evaluation},
    )


@login_required
@require_POST
def evaluation_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, EDITORS)
    evaluation = get_evaluation_for_user(request, pk)
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.DELETE,
            evaluation,
            changes=diff(snapshot(evaluation), {}),
            project=evaluation.project,
        )
        evaluation.delete()
    messages.success(request, _("后评价已删除。"))
    return redirect(reverse("evaluation:list"))


def export_evaluations(request: HttpRequest, rows: QuerySet[Evaluation]) -> HttpResponse:
    """.xlsx of the filtered evaluations, in the list's order."""
    headers = [
        _("序号"),
        _("项目代码"),
        _("项目名称"),
        _("项目类别"),
        _("责任单位"),
        _("批复总投资（万元）"),
        _("竣工决算投资（万元）"),
        _("投资超支率（%）"),
        _("计划工期（天）"),
        _("实际工期（天）"),
        _("工期超期率（%）"),
        _("质量事故（起）"),
        _("安全事故（起）"),
        _("综合评价"),
        _("典型案例"),
        _("评价单位/评价人"),
        _("评价日期"),
    ]
    data = (
        (
            index,
            e.project.code,
            e.project.name,
            e.project.category.name,
            e.project.responsible_unit_name,
            e.budget,
            e.final_cost,
            e.cost_overrun,
            e.planned_days,
            e.actual_days,
            e.schedule_overrun,
            e.quality_incidents,
            e.safety_incidents,
            e.get_grade_display(),
            _("是") if e.is_case else "",
            e.evaluator,
            e.evaluated_on,
        )
        for index, e in enumerate(rows[: settings.EXPORT_ROW_LIMIT].iterator(chunk_size=2000), start=1)
    )
    title = _("项目后评价")
    content = build_workbook(title, headers, data, money_columns=[5, 6])
    record(request, OperationLog.Action.EXPORT, object_type=title)
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)
