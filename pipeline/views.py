from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from catalog.models import Category
from lib.decorators import require_coordinator
from lib.listing import ListPage
from lib.messages import flash_errors
from lib.params import page_year
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.models import Unit
from pipeline.choices import Decision, Readiness
from pipeline.figures import pipeline_figures
from pipeline.filtersets import PipelineFilterSet
from pipeline.forms import DECISION_CHOICES, PipelineEntryForm, PromoteForm, ReviewRoundForm
from pipeline.models import PipelineEntry, ReviewRound
from pipeline.querysets import PipelineEntryQuerySet
from plans.choices import PlanLevel
from plans.scope import Scope
from projects.choices import SizeBucket

SORTS = {
    "name": "project__name",
    "estimated_investment": "estimated_investment",
    "annual_investment": "proposed_annual_investment",
    "readiness": "readiness",
    "responsible_unit": "project__responsible_unit__name",
    "decision": "decision",
}


# Who may, as a refusal says it.
REVIEWERS = gettext_lazy("只有统筹协调（重点办）可以组织谋划审查和纳入年度计划。")


def visible_entries(request: HttpRequest) -> PipelineEntryQuerySet:
    return PipelineEntry.objects.visible_to(request.user).select_related(
        "project", "project__category", "project__responsible_unit", "proposing_unit"
    )


@login_required
def entry_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # The pipeline being prepared now is next year's.
    year = page_year(request.GET, default=timezone.localdate().year + 1)
    data = request.GET.copy()
    data["year"] = str(year)
    entries = visible_entries(request).filter(proposed_year=year).with_plan_levels()
    listing = ListPage(request, entries, PipelineFilterSet, data=data, sorts=SORTS)
    if listing.exporting:
        return export_entries(request, year, listing.rows)
    user = request.user
    return listing.render(
        "pipeline/entry_list.html",
        "pipeline/includes/entry_table.html",
        {
            "year": year,
            "figures": pipeline_figures(year, Scope(user=user)),
            "levels": PlanLevel.choices,
            "readiness_choices": Readiness.choices,
            "decision_choices": PipelineFilterSet.base_filters["decision"].extra["choices"],
            "size_choices": SizeBucket.choices,
            "categories": Category.objects.all(),
            "unit_choices": Unit.objects.filter_choices_for(user),
            "can_create": user.edits_everything or user.edits_own,
            "is_coordinator": user.edits_everything,
        },
    )


def export_entries(request: HttpRequest, year: int, entries: QuerySet[PipelineEntry]) -> HttpResponse:
    """.xlsx of the filtered pipeline, in the list's order (附件1's columns where the registry has them)."""
    headers = [
        _("序号"),
        _("项目代码"),
        _("项目名称"),
        _("项目类别"),
        _("行业领域"),
        _("建设内容及规模"),
        _("建设年限"),
        _("建设地点"),
        _("概算投资（万元）"),
        _("拟安排年度投资（万元）"),
        _("拟申报级别"),
        _("前期工作深度"),
        _("拟开工月份"),
        _("审查结论"),
        _("签约情况"),
        _("拆迁进展"),
        _("责任单位"),
        _("申报单位"),
        _("项目单位联系人及电话"),
        _("备注"),
    ]
    limited = entries.select_related("project__industry", "project__owner_contact")[
        : settings.EXPORT_ROW_LIMIT
    ]
    rows = (
        (
            index,
            e.project.code,
            e.project.name,
            e.project.category.name,
            e.project.industry.name if e.project.industry else "",
            e.project.content,
            e.project.build_years,
            e.project.address,
            e.estimated_investment,
            e.proposed_annual_investment,
            "、".join(e.proposed_level_labels),
            e.get_readiness_display(),
            e.planned_start_month,
            e.get_decision_display() or _("待审查"),
            e.project.signing_status,
            e.project.demolition_progress,
            e.project.responsible_unit_name,
            e.proposing_unit.name,
            e.project.owner_contact_text,
            e.note,
        )
        for index, e in enumerate(limited.iterator(chunk_size=2000), start=1)
    )
    title = _("%(year)s年项目谋划表") % {"year": year}
    content = build_workbook(title, headers, rows, money_columns=[8, 9])
    record(request, OperationLog.Action.EXPORT, object_type=_("项目谋划表"), note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


def get_entry_for_user(request: HttpRequest, pk: int, write: bool = False) -> PipelineEntry:
    """A pipeline entry the user may see (and change, with write=True): 404 for another unit's."""
    entry = visible_entries(request).filter(pk=pk).first()
    if entry is None:
        raise Http404(_("谋划项目不存在或无权查看。"))
    if write and not PipelineEntry.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("您无权修改该谋划项目。"))
    return entry


@login_required
def entry_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request, pk)
    decisions = entry.decisions.select_related("round", "decided_by").order_by("-round__number")
    can_edit = PipelineEntry.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request, "pipeline/entry_detail.html", {"entry": entry, "decisions": decisions, "can_edit": can_edit}
    )


@login_required
def entry_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    entry = get_entry_for_user(request, pk, write=True) if pk else None
    if entry is None and not (user.edits_everything or user.edits_own):
        raise PermissionDenied(_("您无权登记谋划项目。"))
    before = snapshot(entry) if entry else {}
    form = PipelineEntryForm(request.POST or None, instance=entry, user=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if entry is None:
                saved.created_by = user
            saved.save()
            changes = diff(before, snapshot(saved))
            action = OperationLog.Action.UPDATE if entry else OperationLog.Action.CREATE
            if changes:
                record(request, action, saved, changes=changes, project=saved.project)
        messages.success(request, _("谋划项目“%(name)s”已保存。") % {"name": saved.project.name})
        return redirect("pipeline:detail", pk=saved.pk)
    return render(request, "pipeline/entry_form.html", {"form": form, "entry": entry})


@login_required
@require_POST
def entry_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request, pk, write=True)
    year = entry.proposed_year
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.DELETE,
            entry,
            changes=diff(snapshot(entry), {}),
            project=entry.project,
        )
        entry.delete()
    messages.success(request, _("已从谋划库移除。"))
    return redirect(f"{reverse('pipeline:list')}?year={year}")


@login_required
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = page_year(request.GET, default=timezone.localdate().year + 1)
    visible = PipelineEntry.objects.visible_to(request.user).values("pk")
    in_scope = Q(decisions__entry__in=visible)
    rounds = ReviewRound.objects.filter(year=year).annotate(
        decided=Count("decisions", filter=in_scope),
        kept=Count("decisions", filter=in_scope & Q(decisions__decision=Decision.KEEP)),
        revise=Count("decisions", filter=in_scope & Q(decisions__decision=Decision.REVISE)),
        dropped=Count("decisions", filter=in_scope & Q(decisions__decision=Decision.DROP)),
    )
    form = None
    if request.user.edits_everything:
        latest = rounds.order_by("-number").first()
        form = ReviewRoundForm(
            request.POST or None,
            initial={
                "year": year,
                "number": (latest.number + 1) if latest else 1,
                "held_on": timezone.localdate(),
            },
        )
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                review = form.save(commit=False)
                review.created_by = request.user
                review.save()
                record(request, OperationLog.Action.CREATE, review, changes=diff({}, snapshot(review)))
            messages.success(request, _("已新建%(round)s。") % {"round": review})
            return redirect("pipeline:round", pk=review.pk)
    elif request.method == "POST":
        require_coordinator(request, REVIEWERS)
    return render(request, "pipeline/round_list.html", {"year": year, "rounds": rounds, "form": form})


@login_required
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(ReviewRound, pk=pk)
    entries = (
        visible_entries(request).filter(proposed_year=review.year).order_by("-estimated_investment", "id")
    )
    made = {d.entry_id: d for d in review.decisions.filter(entry__in=entries).select_related("decided_by")}
    if request.method == "POST":
        require_coordinator(request, REVIEWERS)
        count = 0
        with transaction.atomic():
            for entry in entries:
                decision = request.POST.get(f"decision_{entry.pk}", "")
                note = request.POST.get(f"note_{entry.pk}", "").strip()[:300]
                if decision not in Decision.values:
                    continue
                previous = made.get(entry.pk)
                if previous and previous.decision == decision and previous.note == note:
                    continue
                review.decide(entry, decision, by=request.user, note=note)
                record(
                    request,
                    OperationLog.Action.UPDATE,
                    entry,
                    changes={
                        _("审查结论"): [
                            str(previous.get_decision_display()) if previous else "",
                            str(Decision(decision).label),
                        ]
                    },
                    project=entry.project,
                    note=f"{review} {note}".strip(),
                )
                count += 1
        messages.success(request, _("已保存 %(n)d 个项目的审查结论。") % {"n": count})
        return redirect("pipeline:round", pk=review.pk)
    rows = [(entry, made.get(entry.pk)) for entry in entries]
    return render(
        request,
        "pipeline/round_detail.html",
        {
            "review": review,
            "rows": rows,
            "decision_choices": DECISION_CHOICES,
            "is_coordinator": request.user.edits_everything,
        },
    )


@login_required
def promote(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_coordinator(request, REVIEWERS)
    year = page_year(request.GET, default=timezone.localdate().year + 1)
    candidates = visible_entries(request).filter(proposed_year=year).active().with_plan_levels()
    form = PromoteForm(request.POST or None, entries=candidates)
    if request.method == "POST" and form.is_valid():
        chosen = PipelineEntry.objects.filter(pk__in=[e.pk for e in form.cleaned_data["entries"]])
        level = form.cleaned_data["level"]
        try:
            with transaction.atomic():
                result = chosen.promote(level, form.cleaned_data["plan_type"], by=request.user)
                for plan in result.plans_created:
                    record(request, OperationLog.Action.CREATE, plan, changes=diff({}, snapshot(plan)))
                for plan_entry in result.created:
                    record(
                        request,
                        OperationLog.Action.CREATE,
                        plan_entry,
                        changes=diff({}, snapshot(plan_entry)),
                        project=plan_entry.project,
                        note=_("由项目谋划库纳入"),
                    )
        except ValidationError as error:
            flash_errors(request, error)
            messages.error(request, _("以上问题未解决前，所选项目均未纳入计划。"))
        else:
            messages.success(
                request,
                _("已纳入%(level)s计划 %(n)d 个项目；%(m)d 个项目此前已在计划中，未重复添加。")
                % {
                    "level": PlanLevel(level).label,
                    "n": len(result.created),
                    "m": len(result.already_listed),
                },
            )
            return redirect(f"{reverse('pipeline:promote')}?year={year}")
    return render(
        request,
        "pipeline/promote.html",
        {
            "year": year,
            "form": form,
            "candidates": candidates.order_by("-estimated_investment", "id"),
            "chosen": {str(v) for v in request.POST.getlist("entries")},
        },
    )
