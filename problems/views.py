"""Pages of the problem ledger (问题台账) and of the meetings that settle escalated problems."""

from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.changes import Snapshot, diff, record, snapshot
from audit.models import OperationLog
from lib.listing import ListPage
from lib.messages import flash_errors
from lib.officedoc import docx_response
from lib.params import page_year
from lib.pickers import options
from lib.requests import AuthenticatedHttpRequest
from lib.sorting import sort_queryset
from lib.xlsx import build_workbook, xlsx_response
from org.models import Unit, User
from problems.choices import (
    UNSOLVED,
    MatterAction,
    MatterStatus,
    MeetingKind,
    ProblemAction,
    ProblemCategory,
    ProblemStatus,
)
from problems.documents import minutes_docx
from problems.figures import board
from problems.filtersets import MatterFilterSet, MeetingFilterSet, ProblemFilterSet
from problems.forms import AttachmentForm, CommentForm, MatterForm, MeetingForm, MoveForm, ProblemForm
from problems.history import history_of
from problems.models import Matter, Meeting, Problem, ProblemAttachment
from problems.querysets import problem_thresholds, raisable_projects
from progress.models import Report
from progress.photos import download_response
from projects.access import get_for_user, get_project_for_user
from projects.filtersets import ProjectFilterSet
from projects.models import Project
from projects.querysets import writes_what_it_reads

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PROBLEM_SORTS = {
    "raised_at": "raised_at",
    "deadline": "deadline",
    "status": "status",
    "category": "category",
    "project": "project__name",
}
MEETING_SORTS = {"date": "date", "title": "title", "kind": "kind"}
MATTER_SORTS = {
    "deadline": "deadline",
    "status": "status",
    "meeting": "meeting__date",
    "unit": "owner_unit__name",
}


def with_names(instance: models.Model, **relations: QuerySet) -> Snapshot:
    """A snapshot that also lists the names of many-to-many relations (责任单位, 参会人员 …)."""
    result = snapshot(instance)
    for label, rows in relations.items():
        result[label] = "、".join(str(row) for row in rows)
    return result


def problem_snapshot(problem: Problem) -> Snapshot:
    return with_names(problem, 责任单位=problem.responsible_units.all())


# Problems -------------------------------------------------------------------------


def get_problem_for_user(request: HttpRequest, pk: int, write: bool = False) -> Problem:
    """The problem `pk` if the user may see it (change it, with write=True); another unit's is a 404."""
    return get_for_user(
        request,
        Problem.objects.select_related("project", "leader", "raised_by", "report", "settled_by__meeting"),
        pk,
        _("问题不存在或无权查看。"),
        write=write,
        forbidden=_("您无权修改该问题。"),
    )


@login_required
def problem_options(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The unsolved problems the user may see (with `?escalated=1` those escalated to a meeting)
    whose description or project's name holds `?q=`, the newest first, for a problem picker
    (lib.pickers): 「项目 · 问题」."""
    statuses = [ProblemStatus.ESCALATED] if request.GET.get("escalated") == "1" else UNSOLVED
    problems = (
        Problem.objects.visible_to(request.user)
        .filter(status__in=statuses)
        .select_related("project")
        .order_by("-pk")
    )
    return options(request, problems, ["description", "project__name"], label=problem_label)


def problem_label(problem: Problem) -> str:
    return f"{problem.project} · {problem}"


@login_required
def problem_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    visible = (
        Problem.objects.visible_to(user).with_list_relations().with_overdue_level(today, problem_thresholds())
    )
    listing = ListPage(request, visible, ProblemFilterSet, sorts=PROBLEM_SORTS)
    if listing.exporting:
        return export_problems(request, listing.rows)
    project = None
    project_id = request.GET.get("project", "")
    if project_id.isdigit():
        project = Project.objects.visible_to(user).filter(pk=int(project_id)).first()
    return listing.render(
        "problems/problem_list.html",
        "problems/includes/problem_table.html",
        {
            "project": project,
            "can_create": (
                raisable_projects(user).filter(pk=project.pk) if project else raisable_projects(user)
            ).exists(),
            "statuses": ProblemStatus.choices,
            "categories": ProblemCategory.choices,
            "unit_choices": Unit.objects.filter_choices_for(user),
            "today": today,
        },
    )


def export_problems(request: HttpRequest, problems: QuerySet[Problem]) -> HttpResponse:
    """问题台账 .xlsx of the filtered list, in the list's order."""
    headers = [
        _("序号"),
        _("项目名称"),
        _("问题类别"),
        _("问题描述"),
        _("责任单位"),
        _("牵头领导"),
        _("解决措施"),
        _("办理时限"),
        _("状态"),
        _("超期天数"),
        _("提出人"),
        _("提出时间"),
        _("销号时间"),
        _("销号说明"),
    ]
    today = timezone.localdate()
    rows = (
        (
            index,
            p.project.name,
            p.get_category_display(),
            p.description,
            "、".join(unit.name for unit in p.responsible_units.all()),
            p.leader.get_full_name() if p.leader else "",
            p.measures,
            p.deadline,
            p.get_status_display(),
            p.days_overdue(today) or "",
            p.raised_by.get_full_name() if p.raised_by else "",
            p.raised_at,
            p.resolved_at,
            p.resolution,
        )
        for index, p in enumerate(problems[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("问题台账")
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    return xlsx_response(f"{title}-{today:%Y%m%d}.xlsx", build_workbook(title, headers, rows))


@login_required
def problem_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request, pk)
    user = request.user
    editable = Problem.objects.editable_by(user).filter(pk=pk).exists()
    yellow, red = problem_thresholds()
    days = problem.days_overdue()
    level = "red" if days > red else "yellow" if days > yellow else ""
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "project": problem.project,
            "units": problem.responsible_units.all(),
            "actions": [(a, ProblemAction(a).label) for a in problem.allowed_actions(user)],
            "confirmation_needed": problem.needs_confirmation(user),
            "can_edit": editable and not problem.is_solved,
            "can_attach": editable,
            "events": problem.events.select_related("by", "matter__meeting"),
            "comments": problem.comments.select_related("author__unit"),
            "attachments": problem.attachments.select_related("uploaded_by"),
            "matters": problem.matters.select_related("meeting", "owner_unit"),
            "meetings": problem.meetings.all(),
            "history": history_of(problem)[:50],
            "move_form": MoveForm(),
            "comment_form": CommentForm(),
            "attachment_form": AttachmentForm(),
            "days_overdue": days,
            "level": level,
            "can_supervise": user.is_supervisor and not problem.is_solved,
        },
    )


def pick_project(request: AuthenticatedHttpRequest) -> HttpResponse:
    """登记问题 from the ledger starts with the project: one of those the user may raise problems on,
    found by name or code (a district has thousands), a page at a time."""
    projects = raisable_projects(request.user).select_related("responsible_unit")
    listing = ListPage(
        request,
        sort_queryset(projects, "name", {"name": "name"}),
        ProjectFilterSet,
        head=Project.objects.order_by("name_key", "name", "id"),
    )
    # Unfiltered, and where the user changes what the user reads, the projects are counted from
    # the units' indexes (count_visible).
    if listing.filters_set == set() and writes_what_it_reads(request.user):
        listing.paginate(count=Project.objects.count_visible(request.user))
    return listing.render("problems/project_pick.html", "problems/includes/project_pick_table.html")


@login_required
def problem_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """登记问题 on a project (?project=), or 转为问题台账 from a report (?report=), prefilled from it;
    without either, the project comes first (pick_project)."""
    user = request.user
    report = None
    report_id = request.GET.get("report", "")
    project_id = request.GET.get("project", "")
    if report_id.isdigit():
        report = get_object_or_404(Report.objects.visible_to(user), pk=int(report_id))
        project = get_project_for_user(request, report.project_id, write=True)
    elif project_id.isdigit():
        project = get_project_for_user(request, int(project_id), write=True)
    else:
        return pick_project(request)
    initial: dict[str, Any] = {"responsible_units": [project.responsible_unit_id]}
    if report is not None:
        initial["description"] = report.problems_text
    form = ProblemForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            problem = form.save(commit=False)
            problem.report, problem.raised_by = report, user
            problem.save()
            form.save_m2m()
            record(
                request,
                OperationLog.Action.CREATE,
                problem,
                changes=diff({}, problem_snapshot(problem)),
                project=project,
            )
        messages.success(request, _("问题已登记。"))
        return redirect(problem)
    return render(request, "problems/problem_form.html", {"form": form, "project": project, "report": report})


@login_required
def problem_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request, pk, write=True)
    if problem.is_solved:
        messages.error(request, _("已销号的问题不能修改，如需继续办理请重新打开。"))
        return redirect(problem)
    before = problem_snapshot(problem)
    form = ProblemForm(request.POST or None, instance=problem, project=problem.project)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            problem = form.save()
            changes = diff(before, problem_snapshot(problem))
            if changes:
                record(request, OperationLog.Action.UPDATE, problem, changes=changes, project=problem.project)
        messages.success(request, _("已保存。") if changes else _("没有修改任何内容。"))
        return redirect(problem)
    return render(
        request, "problems/problem_form.html", {"form": form, "project": problem.project, "problem": problem}
    )


@login_required
@require_POST
def problem_move(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """开始办理 / 销号 / 上报 / 退回办理 / 重新打开."""
    problem = get_problem_for_user(request, pk)
    if action not in ProblemAction.values:
        raise Http404()
    form = MoveForm(request.POST)
    form.is_valid()
    old = problem.get_status_display()
    try:
        event = problem.move(action, by=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        flash_errors(request, error)
    else:
        record(
            request,
            OperationLog.Action.STATUS,
            problem,
            changes={_("状态"): [old, problem.get_status_display()]},
            project=problem.project,
            note=event.note,
        )
        if problem.awaits_confirmation:
            messages.success(request, _("已申请销号，待重点办确认。"))
        else:
            messages.success(request, _("已%(a)s。") % {"a": ProblemAction(action).label})
    return redirect(problem)


@login_required
@require_POST
def problem_comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """评论: everyone who sees a problem may write in its thread (领导批示, 办理进展)."""
    problem = get_problem_for_user(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        comment = form.save(commit=False)
        comment.problem, comment.author = problem, request.user
        try:
            comment.full_clean()
        except ValidationError as error:
            flash_errors(request, error)
        else:
            with transaction.atomic():
                comment.save()
                record(
                    request,
                    OperationLog.Action.UPDATE,
                    problem,
                    changes={_("评论"): ["", comment.text]},
                    project=problem.project,
                )
            messages.success(request, _("评论已发表。"))
    else:
        flash_errors(request, form)
    return redirect(f"{problem.get_absolute_url()}#comments")


@login_required
@require_POST
def problem_attach(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    problem = get_problem_for_user(request, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with transaction.atomic():
            attachment = ProblemAttachment(
                problem=problem, name=upload.name[-200:], size=upload.size or 0, uploaded_by=request.user
            )
            attachment.file.save(upload.name[-80:], upload, save=False)
            attachment.save()
            record(
                request,
                OperationLog.Action.UPDATE,
                problem,
                changes={_("附件"): ["", attachment.name]},
                project=problem.project,
            )
        messages.success(request, _("附件已上传。"))
    else:
        flash_errors(request, form)
    return redirect(f"{problem.get_absolute_url()}#attachments")


@login_required
def attachment_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """An attachment, served only to those who may see its problem."""
    attachment = get_object_or_404(
        ProblemAttachment.objects.filter(problem__in=Problem.objects.visible_to(request.user)),
        pk=pk,
    )
    return download_response(attachment.file, attachment.name)


@login_required
@require_POST
def attachment_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(
        ProblemAttachment.objects.filter(problem__in=Problem.objects.visible_to(request.user)),
        pk=pk,
    )
    problem = get_problem_for_user(request, attachment.problem_id, write=True)
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.UPDATE,
            problem,
            changes={_("附件"): [attachment.name, ""]},
            project=problem.project,
        )
        # The file goes once this commits (problems.models.remove_attachment_file).
        attachment.delete()
    messages.success(request, _("附件已删除。"))
    return redirect(f"{problem.get_absolute_url()}#attachments")


@login_required
def problem_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """问题看板: counts, closure rate (销号率) and overdue by responsible unit and by category."""
    user = request.user
    today = timezone.localdate()
    yellow, _red = problem_thresholds()
    problems = Problem.objects.visible_to(user)
    year = str(page_year(request.GET, default=0) or "")
    if year:
        problems = problems.filter(raised_at__year=int(year))
    by_category, by_unit, totals = board(problems, today, yellow)
    if request.GET.get("export") == "xlsx":
        by = request.GET.get("by", "unit")
        rows = by_category if by == "category" else by_unit
        title = _("问题看板（按类别）") if by == "category" else _("问题看板（按责任单位）")
        headers = [
            _("类别") if by == "category" else _("责任单位"),
            _("问题总数"),
            _("待办"),
            _("办理中"),
            _("已上报"),
            _("待确认销号"),
            _("已解决"),
            _("超期"),
            _("销号率（%）"),
        ]
        data = (
            (
                row["label"] if by == "category" else row["unit__name"],
                row["total"],
                row[ProblemStatus.OPEN],
                row[ProblemStatus.IN_PROGRESS],
                row[ProblemStatus.ESCALATED],
                row[ProblemStatus.PENDING_CONFIRMATION],
                row[ProblemStatus.RESOLVED],
                row["overdue"],
                row["closure_rate"],
            )
            for row in rows
        )
        record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
        return xlsx_response(f"{title}-{today:%Y%m%d}.xlsx", build_workbook(title, headers, data))
    return render(
        request,
        "problems/board.html",
        {"by_category": by_category, "by_unit": by_unit, "totals": totals, "year": year},
    )


# Meetings and decided matters ------------------------------------------------------


def coordinator_only(user: User) -> None:
    if not user.edits_everything:
        raise PermissionDenied(_("调度会议由重点办（统筹协调）组织和记录。"))


def get_meeting_for_user(request: HttpRequest, pk: int) -> Meeting:
    rows = Meeting.objects.select_related("chair", "created_by__unit")
    return get_for_user(request, rows, pk, _("会议不存在或无权查看。"))


def meeting_snapshot(meeting: Meeting) -> Snapshot:
    return with_names(meeting, 参会人员=meeting.attendees.all(), 会议议题=meeting.agenda.all())


class MeetingCounts(TypedDict):
    """What the meeting list counts for each meeting: 议题数, 议定事项 and those done."""

    matter_count: int
    done_count: int
    agenda_count: int


@login_required
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    counted = (
        Meeting.objects.visible_to(user)
        .select_related("chair")
        .annotate(
            matter_count=Count("matters", distinct=True),
            done_count=Count("matters", filter=Q(matters__status=MatterStatus.DONE), distinct=True),
            agenda_count=Count("agenda", distinct=True),
        )
        .order_by("-date", "-id")
    )
    # The plugin types what Count() annotates as Any.
    visible = cast("QuerySet[WithAnnotations[Meeting, MeetingCounts]]", counted)
    listing = ListPage(request, visible, MeetingFilterSet, sorts=MEETING_SORTS)
    if listing.exporting:
        return export_meetings(request, listing.rows)
    return listing.render(
        "problems/meeting_list.html",
        "problems/includes/meeting_table.html",
        {
            "kinds": MeetingKind.choices,
            "can_create": user.edits_everything,
            "escalated_count": Problem.objects.visible_to(user)
            .filter(status=ProblemStatus.ESCALATED)
            .count(),
        },
    )


def export_meetings(
    request: HttpRequest, meetings: "QuerySet[WithAnnotations[Meeting, MeetingCounts]]"
) -> HttpResponse:
    """调度会议 .xlsx of the filtered list, in the list's order."""
    headers = [
        _("序号"),
        _("会议日期"),
        _("会议名称"),
        _("会议类型"),
        _("主持人"),
        _("地点"),
        _("议题数"),
        _("议定事项"),
        _("已完成"),
    ]
    rows = (
        (
            i,
            m.date,
            m.title,
            m.get_kind_display(),
            m.chair.get_full_name() if m.chair else "",
            m.place,
            m.agenda_count,
            m.matter_count,
            m.done_count,
        )
        for i, m in enumerate(meetings[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("调度会议")
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    return xlsx_response(f"{title}.xlsx", build_workbook(title, headers, rows))


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    user = request.user
    matters = (
        Matter.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("owner_unit", "project", "problem")
    )
    can_edit = user.edits_everything
    return render(
        request,
        "problems/meeting_detail.html",
        {
            "meeting": meeting,
            "ordinal": meeting.ordinal(),
            "attendees": meeting.attendees.select_related("unit"),
            "agenda": meeting.agenda.visible_to(user).select_related("project"),
            "matters": matters,
            "can_edit": can_edit,
            "can_download": user.sees_everything
            or meeting.chair_id == user.pk
            or meeting.attendees.filter(pk=user.pk).exists(),
            "matter_form": MatterForm(
                meeting=meeting, initial={"deadline": meeting.date + timedelta(days=30)}
            )
            if can_edit
            else None,
            "history": history_of(meeting)[:50],
            "today": timezone.localdate(),
        },
    )


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    coordinator_only(user)
    meeting = get_meeting_for_user(request, pk) if pk else None
    before = meeting_snapshot(meeting) if meeting else {}
    initial: dict[str, Any] = {}
    if meeting is None:
        initial = {
            "date": timezone.localdate(),
            "agenda": list(
                Problem.objects.filter(status=ProblemStatus.ESCALATED).values_list("pk", flat=True)
            ),
        }
    form = MeetingForm(request.POST or None, instance=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if meeting is None:
                saved.created_by = user
            saved.save()
            form.save_m2m()
            changes = diff(before, meeting_snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if meeting else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes)
        messages.success(request, _("会议已保存。"))
        return redirect(saved)
    return render(request, "problems/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """会议纪要 .docx: for those who see everything, the chair and the attendees."""
    meeting = get_meeting_for_user(request, pk)
    user = request.user
    attended = meeting.chair_id == user.pk or meeting.attendees.filter(pk=user.pk).exists()
    if not (user.sees_everything or attended):
        raise PermissionDenied(_("会议纪要只提供给参会人员和统筹协调、领导、督查人员。"))
    record(request, OperationLog.Action.EXPORT, meeting, note=_("会议纪要"))
    return docx_response(f"{meeting.title}纪要-{meeting.date:%Y%m%d}.docx", minutes_docx(meeting))


def get_matter_for_user(request: HttpRequest, pk: int) -> Matter:
    rows = Matter.objects.select_related("meeting", "project", "problem", "owner_unit")
    return get_for_user(request, rows, pk, _("议定事项不存在或无权查看。"))


@login_required
def matter_edit(
    request: AuthenticatedHttpRequest, meeting_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    """议定事项 added to a meeting (or changed) by the coordinator's office."""
    user = request.user
    coordinator_only(user)
    matter = get_matter_for_user(request, pk) if pk else None
    meeting = matter.meeting if matter else get_meeting_for_user(request, meeting_pk)  # type: ignore[arg-type]  # without pk the URL gives meeting_pk
    before = snapshot(matter) if matter else {}
    form = MatterForm(request.POST or None, instance=matter, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            if saved.problem_id and not meeting.agenda.filter(pk=saved.problem_id).exists():
                meeting.agenda.add(saved.problem_id)
            changes = diff(before, snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if matter else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes, project=saved.project)
        messages.success(request, _("议定事项已保存。"))
        return redirect(meeting) if matter is None else redirect(saved)
    return render(request, "problems/matter_form.html", {"form": form, "meeting": meeting, "matter": matter})


@login_required
def matter_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    matter = get_matter_for_user(request, pk)
    user = request.user
    problem_visible = (
        matter.problem_id is not None
        and Problem.objects.visible_to(user).filter(pk=matter.problem_id).exists()
    )
    return render(
        request,
        "problems/matter_detail.html",
        {
            "matter": matter,
            "meeting": matter.meeting,
            "problem_visible": problem_visible,
            "actions": [(a, MatterAction(a).label) for a in matter.allowed_actions(user)],
            "can_edit": user.edits_everything,
            "move_form": MoveForm(),
            "history": history_of(matter)[:50],
            "days_overdue": matter.days_overdue(),
        },
    )


@login_required
@require_POST
def matter_move(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """开始办理 / 办结 / 重新打开 a decided matter; 办结 settles its escalated problem."""
    matter = get_matter_for_user(request, pk)
    if action not in MatterAction.values:
        raise Http404()
    form = MoveForm(request.POST)
    form.is_valid()
    old = matter.get_status_display()
    problem_before = matter.problem.get_status_display() if matter.problem else ""
    try:
        matter.move(action, by=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(matter)
    with transaction.atomic():
        record(
            request,
            OperationLog.Action.STATUS,
            matter,
            changes={_("状态"): [old, matter.get_status_display()]},
            project=matter.project,
            note=matter.completion_note
            if action == MatterAction.COMPLETE
            else form.cleaned_data.get("note", ""),
        )
        if matter.problem is not None:
            matter.problem.refresh_from_db()
            if matter.problem.get_status_display() != problem_before:
                record(
                    request,
                    OperationLog.Action.STATUS,
                    matter.problem,
                    changes={_("状态"): [problem_before, matter.problem.get_status_display()]},
                    project=matter.project,
                    note=matter.problem.resolution,
                )
                if matter.problem.awaits_confirmation:
                    messages.info(request, _("关联问题已随议定事项办结申请销号，待重点办确认。"))
                else:
                    messages.info(request, _("关联问题已随议定事项办结而销号。"))
    messages.success(request, _("已%(a)s。") % {"a": MatterAction(action).label})
    return redirect(matter)


@login_required
def matter_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """议定事项台账: every decided matter one may see, tracked to the end."""
    user = request.user
    visible = Matter.objects.visible_to(user).select_related("meeting", "project", "owner_unit", "problem")
    listing = ListPage(request, visible, MatterFilterSet, sorts=MATTER_SORTS)
    if listing.exporting:
        return export_matters(request, listing.rows)
    return listing.render(
        "problems/matter_list.html",
        "problems/includes/matter_table.html",
        {
            "statuses": MatterStatus.choices,
            "unit_choices": Unit.objects.filter_choices_for(user),
            "today": timezone.localdate(),
        },
    )


def export_matters(request: HttpRequest, matters: QuerySet[Matter]) -> HttpResponse:
    """议定事项台账 .xlsx of the filtered list, in the list's order."""
    headers = [
        _("序号"),
        _("会议"),
        _("会议日期"),
        _("议定事项"),
        _("项目"),
        _("牵头单位"),
        _("办理时限"),
        _("状态"),
        _("超期天数"),
        _("完成情况"),
    ]
    today = timezone.localdate()
    rows = (
        (
            i,
            m.meeting.title,
            m.meeting.date,
            m.content,
            m.project.name if m.project else "",
            m.owner_unit.name,
            m.deadline,
            m.get_status_display(),
            m.days_overdue(today) or "",
            m.completion_note,
        )
        for i, m in enumerate(matters[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("议定事项台账")
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    return xlsx_response(f"{title}-{today:%Y%m%d}.xlsx", build_workbook(title, headers, rows))


def unsolved_problem_count(request: HttpRequest, project: Project) -> int:
    """Unsolved problems of `project` the user can see, shown on the project page's link."""
    return Problem.objects.visible_to(request.user).unsolved().filter(project=project).count()
