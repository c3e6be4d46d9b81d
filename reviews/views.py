from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import diff, record, snapshot
from audit.models import OperationLog
from lib.decorators import require_coordinator
from lib.listing import ListPage
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from progress.photos import inspect_photo, photo_response, save_photo
from projects.access import get_for_user
from projects.models import Project
from reviews.choices import DEFAULT_CRITERIA, Half
from reviews.filtersets import RoundFilterSet
from reviews.forms import CriterionFormSet, RoundForm, ScoreSheetForm, StopForm
from reviews.models import Criterion, Round, Score, Sheet, Stop, StopPhoto
from reviews.querysets import Ranking

# Who may, as a refusal says it.
EDITORS = gettext_lazy("只有统筹协调（重点办）可以组织观摩点评和录入评分。")
ROUND_SORTS = {"held_on": "held_on", "title": "title", "stops": "stop_count"}


def get_round_for_user(request: HttpRequest, pk: int) -> Round:
    """A round the user may see: one that visited a project of theirs unless they see all; else 404."""
    return get_for_user(request, Round.objects.all(), pk, _("观摩点评活动不存在或无权查看。"))


def get_stop_for_user(request: HttpRequest, pk: int) -> Stop:
    rows = Stop.objects.select_related(
        "round", "project", "project__responsible_unit", "project__owner_unit", "town"
    )
    return get_for_user(request, rows, pk, _("观摩项目不存在或无权查看。"))


@login_required
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """观摩点评: the half-yearly rounds, newest first, with their projects, towns and sheets."""
    visible = Round.objects.visible_to(request.user).with_counts().order_by("-held_on", "-id")
    listing = ListPage(request, visible, RoundFilterSet, sorts=ROUND_SORTS)
    if listing.exporting:
        return export_rounds(request, listing.rows)
    return listing.render(
        "reviews/round_list.html",
        "reviews/includes/round_table.html",
        {"is_coordinator": request.user.is_coordinator, "halves": Half.choices},
    )


def export_rounds(request: HttpRequest, rounds: QuerySet[Round]) -> HttpResponse:
    headers = [
        _("序号"),
        _("年度"),
        _("半年"),
        _("活动名称"),
        _("观摩日期"),
        _("观摩项目数"),
        _("乡镇/街道数"),
        _("评分表"),
    ]
    rows = (
        (i, r.year, r.get_half_display(), r.title, r.held_on, r.stop_count, r.town_count, r.sheet_count)  # type: ignore[attr-defined]  # annotated by with_counts()
        for i, r in enumerate(rounds[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("重点项目观摩点评活动")
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", build_workbook(title, headers, rows))


@login_required
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A round: its panel and criteria, the ranking of its projects and of the towns that showed them."""
    round = get_round_for_user(request, pk)
    criteria = list(round.criteria.all())
    ranking = round.ranking().seen_by(request.user)
    if request.GET.get("export") == "xlsx":
        return export_ranking(request, round, criteria, ranking)
    for row in ranking.projects:
        row["cells"] = list(zip(criteria, row["criteria"], strict=True))
    return render(
        request,
        "reviews/round_detail.html",
        {
            "round": round,
            "criteria": criteria,
            "full_marks": sum(c.max_points for c in criteria),
            "reviewers": round.reviewers.select_related("unit").order_by("name_key"),
            "ranking": ranking,
            "is_coordinator": request.user.is_coordinator,
        },
    )


def export_ranking(
    request: HttpRequest, round: Round, criteria: list[Criterion], ranking: Ranking
) -> HttpResponse:
    """观摩点评得分排名 .xlsx: the projects, each criterion's mean, the score and the rank."""
    headers = [
        _("名次"),
        _("项目名称"),
        _("观摩乡镇/街道"),
        _("责任单位"),
        *[f"{c.name}（{c.max_points}）" for c in criteria],
        _("评分表"),
        _("得分"),
    ]
    rows = (
        [
            r["rank"] if r["rank"] is not None else _("未评分"),
            r["name"],
            r["town"],
            r["unit"],
            *r["criteria"],
            r["sheets"],
            r["score"],
        ]
        for r in ranking.projects
    )
    title = _("%(title)s得分排名") % {"title": round.title}
    record(request, OperationLog.Action.EXPORT, object_type=_("观摩点评得分排名"), note=round.title)
    return xlsx_response(f"{title}.xlsx", build_workbook(title, headers, rows))


def save_stops(round: Round, projects: QuerySet[Project]) -> tuple[list[str], list[str]]:
    """Make the round's projects exactly `projects` (new ones shown by their own town); the names
    added and removed."""
    wanted = {p.pk: p for p in projects}
    current = dict(round.stops.values_list("project_id", "project__name"))
    gone = current.keys() - wanted.keys()
    removed = [current[pk] for pk in gone]
    round.stops.filter(project_id__in=gone).delete()
    added = [wanted[pk] for pk in wanted.keys() - current.keys()]
    start = len(current) - len(gone)
    Stop.objects.bulk_create(
        Stop(round=round, project=p, town_id=p.town_id, sort_order=start + i)
        for i, p in enumerate(sorted(added, key=lambda p: p.name), start=1)
    )
    return sorted(p.name for p in added), sorted(removed)


@login_required
def round_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    require_coordinator(request, EDITORS)
    round = get_round_for_user(request, pk) if pk else None
    before = snapshot(round) if round else {}
    locked = round is not None and round.scored
    initial: dict[str, Any] = {}
    if round is None:
        today = timezone.localdate()
        initial = {"year": today.year, "half": "first" if today.month <= 6 else "second", "held_on": today}
    form = RoundForm(request.POST or None, instance=round, initial=initial, user=request.user)
    criteria_initial = [
        {"name": name, "max_points": points, "sort_order": i}
        for i, (name, points) in enumerate(DEFAULT_CRITERIA)
    ]
    formset = CriterionFormSet(
        None if locked else (request.POST or None),
        instance=round or Round(),
        prefix="criteria",
        initial=None if round else criteria_initial,
    )
    if round is None:
        formset.extra = len(criteria_initial)
    if request.method == "POST" and form.is_valid() and (locked or formset.is_valid()):
        with transaction.atomic():
            saved = form.save(commit=False)
            if round is None:
                saved.created_by = request.user
            saved.save()
            form.save_m2m()
            if not locked:
                formset.instance = saved
                formset.save()
            added, removed = save_stops(saved, form.cleaned_data["project_choices"])
            changes = diff(before, snapshot(saved))
            if added:
                changes[_("新增观摩项目")] = ["", "、".join(added)]
            if removed:
                changes[_("移出观摩项目")] = ["、".join(removed), ""]
            action = OperationLog.Action.UPDATE if round else OperationLog.Action.CREATE
            if changes or round is None:
                record(request, action, saved, changes=changes)
        messages.success(request, _("观摩点评活动“%(name)s”已保存。") % {"name": saved.title})
        return redirect(saved)
    return render(
        request,
        "reviews/round_form.html",
        {"form": form, "formset": formset, "round": round, "locked": locked},
    )


@login_required
@require_POST
def round_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, EDITORS)
    round = get_round_for_user(request, pk)
    with transaction.atomic():
        record(request, OperationLog.Action.DELETE, round, changes=diff(snapshot(round), {}))
        round.delete()
    messages.success(request, _("观摩点评活动已删除。"))
    return redirect("reviews:list")


@login_required
def stop_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A visited project: each reviewer's scores and remark, the score and rank, the panel's remarks, photos."""
    stop = get_stop_for_user(request, pk)
    criteria = list(stop.round.criteria.all())
    sheets = list(stop.sheets.select_related("reviewer", "reviewer__unit").prefetch_related("scores"))
    grid = []
    for sheet in sheets:
        points = {score.criterion_id: score.points for score in sheet.scores.all()}
        row = [(c, points.get(c.pk)) for c in criteria]
        grid.append((sheet, row, sum((p for _c, p in row if p is not None), start=0)))
    ranked = next((row for row in stop.round.ranking().projects if row["stop_id"] == stop.pk), None)
    return render(
        request,
        "reviews/stop_detail.html",
        {
            "stop": stop,
            "criteria": criteria,
            "grid": grid,
            "ranked": ranked,
            "count": stop.round.stops.count(),
            "photos": stop.photos.all(),
            "is_coordinator": request.user.is_coordinator,
        },
    )


@login_required
def stop_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """评分录入: the sheets of every reviewer, the panel's remarks and the photos of one visited project."""
    require_coordinator(request, EDITORS)
    stop = get_stop_for_user(request, pk)
    before = snapshot(stop)
    form = StopForm(request.POST or None, request.FILES or None, instance=stop, prefix="stop")
    sheet_form = ScoreSheetForm(request.POST or None, stop=stop, prefix="sheet")
    if request.method == "POST" and form.is_valid() and sheet_form.is_valid():
        try:
            facts = [(upload, inspect_photo(upload)) for upload in form.cleaned_data["photos"]]
        except ValidationError as error:
            for message in error.messages:
                form.add_error("photos", message)
        else:
            with transaction.atomic():
                saved = form.save()
                changes = diff(before, snapshot(saved))
                scored = save_sheets(stop, sheet_form.sheets(), request.user)
                if scored:
                    changes[_("评分")] = ["", scored]
                for upload, fact in facts:
                    save_photo(StopPhoto(stop=saved, uploaded_by=request.user), upload, fact)
                if facts:
                    changes[_("观摩照片")] = ["", "、".join(upload.name or "" for upload, _fact in facts)]
                if changes:
                    record(request, OperationLog.Action.UPDATE, saved, changes=changes, project=stop.project)
            messages.success(request, _("“%(name)s”的评分和点评已保存。") % {"name": stop.project.name})
            return redirect(saved)
    return render(
        request,
        "reviews/stop_form.html",
        {"stop": stop, "form": form, "sheet_form": sheet_form, "photos": stop.photos.all()},
    )


def save_sheets(stop: Stop, sheets: dict[int, Any], user: Any) -> str:
    """Write the sheets of a score grid: replace each filled row's scores, drop the emptied rows.
    Returns what changed, for the log ("张三 86.0、李四 删除")."""
    existing = {sheet.reviewer_id: sheet for sheet in stop.sheets.select_related("reviewer")}
    changed = []
    for person_id, row in sheets.items():
        sheet = existing.get(person_id)
        if row is None:
            if sheet is not None:
                changed.append(_("%(name)s 删除") % {"name": sheet.reviewer.name})
                sheet.delete()
            continue
        points, comment = row
        old = {s.criterion_id: s.points for s in sheet.scores.all()} if sheet else {}
        if sheet is not None and old == points and sheet.comment == comment:
            continue
        if sheet is None:
            sheet = Sheet.objects.create(stop=stop, reviewer_id=person_id, comment=comment, entered_by=user)
        else:
            sheet.comment, sheet.entered_by, sheet.entered_at = comment, user, timezone.now()
            sheet.save(update_fields=["comment", "entered_by", "entered_at"])
            sheet.scores.all().delete()
        Score.objects.bulk_create(
            Score(sheet=sheet, criterion_id=criterion_id, points=value)
            for criterion_id, value in points.items()
        )
        changed.append(f"{sheet.reviewer.name} {sum(points.values())}")
    return "、".join(changed)


@login_required
def stop_photo(request: AuthenticatedHttpRequest, pk: int, kind: str) -> FileResponse:
    """A photo or its thumbnail, served only to those who may see the visited project."""
    photo = get_object_or_404(StopPhoto.objects.filter(stop__in=Stop.objects.visible_to(request.user)), pk=pk)
    field = photo.thumbnail if kind == "thumb" and photo.thumbnail else photo.image
    return photo_response(field)


@login_required
@require_POST
def stop_photo_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, EDITORS)
    photo = get_object_or_404(StopPhoto.objects.filter(stop__in=Stop.objects.visible_to(request.user)), pk=pk)
    stop = photo.stop
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.UPDATE,
            stop,
            changes={_("删除观摩照片"): [str(photo), ""]},
            project=stop.project,
        )
        photo.delete()
    messages.success(request, _("照片已删除。"))
    return redirect("reviews:stop_edit", stop.pk)


def project_tab(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The context of the project page's 观摩点评 tab: every round that visited it, with its score and rank."""
    stops = list(
        Stop.objects.filter(project=project).select_related("round", "town").order_by("-round__held_on")
    )
    rows = []
    for stop in stops:
        ranking = stop.round.ranking()
        ranked = next((row for row in ranking.projects if row["stop_id"] == stop.pk), None)
        rows.append((stop, ranked, len(ranking.projects)))
    return {"review_rows": rows}
