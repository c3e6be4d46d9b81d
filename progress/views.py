from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.changes import record
from audit.models import OperationLog
from catalog.models import ProcedureType
from lib.listing import ListPage, swaps_table
from lib.messages import flash_errors
from lib.params import MAX_ID, query_int
from lib.requests import AuthenticatedHttpRequest
from lib.versioning import VersionConflict
from lib.xlsx import xlsx_file_response
from notifications.choices import Kind
from notifications.delivery import notify
from org.choices import Role
from org.models import Unit, User, in_subtree
from progress import summary
from progress.choices import BoardState, ReportState
from progress.forms import CorrectionForm, ReasonForm, ReportChecks, ReportForm
from progress.models import Report, ReportPhoto
from progress.periods import Period, current_period
from progress.photos import inspect_photo, save_photo
from progress.querysets import (
    PERIOD_FACTS,
    ROWS_ORDER,
    BoardCounts,
    PartState,
    board_periods,
    board_projects,
    board_rows,
    board_summary,
    due_projects,
    on_plans,
    plans_in_force,
    rows_of,
    summary_of,
    summary_of_sums,
)
from projects.access import get_project_for_user
from projects.choices import ProcedureStatus, ReportFrequency
from projects.models import Project
from projects.querysets import writes_what_it_reads


def period_from_request(request: HttpRequest, frequency: str = ReportFrequency.MONTHLY) -> Period:
    text = request.GET.get("period", "")
    part = request.GET.get("part", "1")
    try:
        base = Period.parse(text) if text else current_period(timezone.localdate())
        return Period(base.year, base.month, int(part) if part.isdigit() else 1, frequency)
    except ValueError:
        return current_period(timezone.localdate(), frequency)


# Filling in ---------------------------------------------------------------------


def report_to_fill(
    request: AuthenticatedHttpRequest, pk: int, period_key: str
) -> tuple[Project, Period, Report]:
    """The project, the period and its report (a new one when none exists) this user may fill in."""
    project = get_project_for_user(request, pk)
    if not Report.may_fill(request.user, project):
        raise PermissionDenied(_("您无权填报该项目的进度。"))
    try:
        year, month, *rest = (int(part) for part in period_key.split("-"))
        period = Period(year, month, rest[0] if rest else 1, project.report_frequency)
    except ValueError as error:
        raise Http404(_("报送期无效。")) from error
    report = Report.objects.filter(
        project=project, year=period.year, month=period.month, part=period.part
    ).first()
    if report is None:
        report = Report(
            project=project,
            year=period.year,
            month=period.month,
            part=period.part,
            frequency=project.report_frequency,
            deadline=period.deadline,
        )
    return project, period, report


@login_required
def report_edit(request: AuthenticatedHttpRequest, pk: int, period_key: str) -> HttpResponse:
    project, period, report = report_to_fill(request, pk, period_key)
    if report.is_locked:
        messages.info(request, _("该报告已报送或已审核，不能再修改。"))
        return redirect("progress:detail", pk=report.pk)
    previous = _previous_for(project, period)

    form = ReportForm(request.POST or None, request.FILES or None, instance=report, project=project)
    if request.method == "POST" and form.is_valid():
        photos = []
        submit = "submit" in request.POST
        try:
            facts = [(upload, inspect_photo(upload)) for upload in form.cleaned_data["photos"]]
            report = form.apply()
            with transaction.atomic():
                form.save()
                for upload, fact in facts:
                    photos.append(
                        save_photo(ReportPhoto(report=report, uploaded_by=request.user), upload, fact)
                    )
                if submit:
                    report.submit(by=request.user)
        except VersionConflict as conflict:
            form.add_error(None, conflict.messages[0])
        except ValidationError as error:
            for message in error.messages:
                if message not in form.non_field_errors():
                    form.add_error("photos" if "照片" in message or "格式" in message else None, message)
        else:
            record(
                request,
                OperationLog.Action.UPDATE,
                report,
                project=project,
                note=_("报送") if submit else _("保存草稿"),
            )
            if report.warnings:
                for warning in report.warnings:
                    messages.warning(request, warning)
            messages.success(request, _("已报送，等待审核。") if submit else _("草稿已保存。"))
            return redirect("progress:detail", pk=report.pk) if submit else redirect(request.path)
    checks = ReportChecks(warnings=list(report.warnings)) if request.method != "POST" else ReportChecks()
    return render(
        request,
        "progress/report_form.html",
        {
            "form": form,
            "project": project,
            "report": report,
            "period": period,
            "previous": previous,
            "checks": checks,
        },
    )


@login_required
@require_POST
def report_check(request: AuthenticatedHttpRequest, pk: int, period_key: str) -> HttpResponse:
    """填报检查 (htmx): the report form's mistakes and warnings as the user types, nothing saved."""
    project, _period, report = report_to_fill(request, pk, period_key)
    if report.is_locked:
        checks = ReportChecks(errors=[_("该报告已报送或已审核，不能再修改。")])
    else:
        checks = ReportForm(request.POST, instance=report, project=project).checks()
    return render(request, "progress/includes/report_checks.html", {"checks": checks, "oob": True})


def _previous_for(project: Project, period: Period) -> Report | None:
    return Report(project=project, year=period.year, month=period.month, part=period.part).previous()


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.visible_to(request.user).select_related("project", "submitted_by", "reviewed_by"),
        pk=pk,
    )
    user = request.user
    reviewer = Report.may_review(user, report.project)
    return render(
        request,
        "progress/report_detail.html",
        {
            "report": report,
            "project": report.project,
            "previous": report.previous(),
            "revisions": report.revisions.select_related("by"),
            "photos": report.photos.all(),
            "can_review": reviewer and report.state == ReportState.SUBMITTED,
            "own_submission": report.submitted_by_id == user.pk,
            "can_correct": reviewer and report.state == ReportState.ACCEPTED,
            "can_fill": Report.may_fill(user, report.project) and not report.is_locked,
            "return_form": ReasonForm(),
            "correction_form": CorrectionForm(instance=report)
            if reviewer and report.state == ReportState.ACCEPTED
            else None,
            "procedure_names": _procedure_names(report),
        },
    )


def _procedure_names(report: Report) -> list[tuple[str, str | Promise]]:

    names = dict(
        ProcedureType.objects.filter(code__in=report.procedure_states.keys()).values_list("code", "name")
    )
    return [
        (names.get(code, code), ProcedureStatus(status).label)
        for code, status in report.procedure_states.items()
        if status in ProcedureStatus.values
    ]


@login_required
@require_POST
def report_review(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    report = get_object_or_404(Report.objects.visible_to(request.user).select_related("project"), pk=pk)
    user = request.user
    if not Report.may_review(user, report.project):
        raise PermissionDenied(_("只有责任单位或重点办可以审核。"))
    try:
        if action == "accept":
            report.accept(by=user)
            messages.success(request, _("已审核通过，报告已锁定。"))
        elif action == "return":
            reason_form = ReasonForm(request.POST)
            reason = reason_form.data.get("reason", "")
            with transaction.atomic():
                report.return_to_owner(by=user, reason=reason)
                tell_returned(report, by=user)
            messages.success(request, _("已退回项目单位。"))
        elif action == "correct":
            original = Report.objects.get(pk=report.pk)
            form = CorrectionForm(request.POST, instance=report)
            if not form.is_valid():
                flash_errors(request, form)
                return redirect("progress:detail", pk=pk)
            values = {
                f: form.cleaned_data[f]
                for f in ("amount", "progress_text", "progress_percent", "problems_text")
            }
            original.correct(
                by=user, reason=form.cleaned_data["reason"], read_at=form.cleaned_data["version"], **values
            )
            messages.success(request, _("已更正，原值保存在历史中。"))
        else:
            raise Http404()
    except ValidationError as error:
        flash_errors(request, error)
    else:
        record(request, OperationLog.Action.STATUS, report, project=report.project, note=action)
    return redirect("progress:detail", pk=pk)


def as_sentence(text: str) -> str:
    """A reason as one sentence: its own closing mark kept, a full stop added only when it has none."""
    text = text.strip().rstrip(",，;；:：、")
    if text.endswith(("。", "！", "？", "!", "?", "…")):
        return text
    return text.removesuffix(".") + "。"


def tell_returned(report: Report, by: User) -> None:
    """退回通知: the project's owner users and whoever submitted the report learn why it came back."""

    people = list(User.objects.filter(role=Role.OWNER, unit=report.project.owner_unit_id, is_active=True))
    if report.submitted_by_id and report.submitted_by_id not in {u.pk for u in people}:
        people += list(User.objects.filter(pk=report.submitted_by_id, is_active=True))
    people = [person for person in people if person.pk != by.pk]
    if not people:
        return
    notify(
        people,
        _("%(p)s%(period)s进度报告被退回") % {"p": report.project.name, "period": report.period.label},
        _("%(u)s退回了%(p)s%(period)s进度报告，原因：%(r)s请修改后重新报送。")
        % {
            "u": by.unit.name if by.unit is not None else (by.name or by.username),
            "p": report.project.name,
            "period": report.period.label,
            "r": as_sentence(report.return_reason),
        },
        link=reverse("progress:edit", args=[report.project_id, report.period.key]),
        kind=Kind.RETURNED,
        dedup_key=f"report-returned:{report.pk}:{report.version}",
    )


# Lists --------------------------------------------------------------------------


# The `details` value of the projects whose responsible unit is 待明确.
NO_UNIT = "0"


@dataclass
class PeriodRow:
    """A reporting period on the 报送看板 or in 我的填报: its project (a row of board_rows()), the
    period, and its state and report (board_periods())."""

    row: dict[str, Any]
    period: Period

    @property
    def state(self) -> str:
        """报送状态 (a BoardState)."""
        return PERIOD_FACTS[self.row["period_state"]][0]

    @property
    def state_label(self) -> str:
        return str(BoardState(self.state).label)

    @property
    def on_time(self) -> bool:
        return PERIOD_FACTS[self.row["period_state"]][1]

    @property
    def late(self) -> bool:
        return PERIOD_FACTS[self.row["period_state"]][2]


def period_rows(rows: Iterable[dict[str, Any]], year: int, month: int, state: str) -> list[PeriodRow]:
    """The periods of board_rows() `rows` that the state filter `state` shows."""
    return [
        PeriodRow({**row, **facts}, period)
        for row in rows
        for period, facts in board_periods(row, year, month, state)
    ]


def filtered_unit(request: AuthenticatedHttpRequest) -> Unit | None:
    """The responsible unit the board's filter names, if any and it exists."""
    unit_id = query_int(request.GET, "unit", 0, 1, MAX_ID)
    return Unit.objects.filter(pk=unit_id).first() if unit_id else None


def filtered_projects(request: AuthenticatedHttpRequest, unit: Unit | None) -> QuerySet[Project]:
    """The projects the board's filters keep of those the user may see: in `unit`'s subtree (the
    responsible unit filtered_unit() gives, if any) and with words of the project's name."""
    projects = Project.objects.visible_to(request.user)
    if unit is not None:
        projects = projects.filter(in_subtree("responsible_unit", unit.path))
    q = request.GET.get("q", "").strip()
    if q:
        projects = projects.filter(name__icontains=q)
    return projects


def unit_lines(
    request: AuthenticatedHttpRequest,
    projects: QuerySet[Project],
    unit: Unit | None,
    period: Period,
    today: date,
) -> tuple[BoardCounts, dict[int | None, BoardCounts]]:
    """The board's summary of `projects` (filtered_projects() in `unit`): from the figures' summary,
    which holds every period's state per responsible unit, unless words of the name narrow the
    projects or the summary is being rebuilt by another process; else from the tables."""
    if not request.GET.get("q", "").strip():
        lines = summary.board_lines(period.year, period.month, request.user, unit)
        if lines is not None:
            return summary_of_sums(lines, period.year, period.month, today)
    return board_summary(projects, period.year, period.month, today)


def unit_of_details(projects: QuerySet[Project], details: str) -> QuerySet[Project] | None:
    """The projects of the responsible unit whose periods are open on the board (`details`: its id,
    or NO_UNIT for the projects whose unit is 待明确); None when `details` names no unit."""
    if details == NO_UNIT:
        return projects.filter(responsible_unit__isnull=True)
    if details.isdigit() and len(details) <= 19 and int(details) <= MAX_ID:
        return projects.filter(responsible_unit_id=int(details))
    return None


def at_head(
    due: QuerySet[Project], parts: list[PartState], plans: list[int], state: str
) -> tuple[QuerySet[Project], QuerySet[Project, dict[str, Any]]]:
    """How a page of the rows of due_projects() `due` is looked for at the head of the registry by
    name (ListPage's `head` and `head_rows`): the rows there asked one by one whether they are on
    one of `plans` (listing the plans' projects for a thousand rows would read every entry)."""
    return Project.objects.order_by(*ROWS_ORDER), rows_of(
        due.filter(on_plans(plans, narrow=True)), parts, state
    )


def period_page(
    request: AuthenticatedHttpRequest,
    projects: QuerySet[Project],
    period: Period,
    counts: BoardCounts,
    per_page: int | None = None,
    narrow: bool = False,
    board: tuple[QuerySet[Project], list[PartState]] | None = None,
) -> dict[str, Any]:
    """A page of the projects with periods of the month that the state filter shows, and those
    periods; `counts`, their summary, says how many projects there are (`narrow` as for
    board_rows()); `board`, board_projects() of `projects` when the caller has it already."""
    state = request.GET.get("state", "")
    if board is None:
        board = board_projects(projects, period.year, period.month, timezone.localdate(), narrow)
    rows = rows_of(*board, state)
    listing = ListPage(request, rows, per_page=per_page)
    page = listing.paginate(count=counts.projects_of(state))
    return {
        "page": page,
        "rows": period_rows(page, period.year, period.month, state),
        "page_sizes": listing.page_sizes,
        "per_page": "" if listing.per_page == listing.default_per_page else listing.per_page,
    }


@login_required
def board(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """报送看板: for a month, each responsible unit's periods due, how many in each state and its
    按时报送率; a unit's periods open below its line on demand, a page of projects at a time."""
    user = request.user
    period = period_from_request(request)
    today = timezone.localdate()
    unit = filtered_unit(request)
    projects = filtered_projects(request, unit)
    state = request.GET.get("state", "")
    if request.GET.get("export") == "xlsx":
        return export_board(period, board_rows(projects, period.year, period.month, today, state), state)
    details = request.GET.get("details", "")
    opened = unit_of_details(projects, details)
    context: dict[str, Any] = {
        "period": period,
        "details": details,
        "state": state if state in BoardState.values else "",
        "state_label": BoardState(state).label if state in BoardState.values else "",
        "states": BoardState.choices,
    }
    if opened is not None:
        # One unit's projects: the index on the responsible unit finds them, and their own summary
        # counts the projects each state filter shows, for the pages.
        board = board_projects(opened, period.year, period.month, today, narrow=True)
        unit_total, _units = summary_of(*board)
        context.update(period_page(request, opened, period, unit_total, board=board))
        if swaps_table(request):
            return render(request, "progress/includes/board_details.html", context)
    total, units = unit_lines(request, projects, unit, period, today)
    named = Unit.objects.filter(pk__in=[pk for pk in units if pk]).values_list("pk", "name", "path")
    names = {pk: (name, path) for pk, name, path in named}
    lines = sorted(
        (line for line in units.values() if state not in BoardState.values or line.count_of(state)),
        # In the tree's order, the projects whose unit is 待明确 last.
        key=lambda line: (line.unit_id is None, names.get(line.unit_id or 0, ("", ""))[1]),
    )
    return render(
        request,
        "progress/board.html",
        {
            **context,
            "total": total,
            "lines": [
                (line, str(line.unit_id or NO_UNIT), names.get(line.unit_id or 0, ("", ""))[0])
                for line in lines
            ],
            "units": Unit.objects.filter_choices_for(user),
            "deadline": period.deadline,
        },
    )


def export_board(period: Period, rows: QuerySet[Project, dict[str, Any]], state: str) -> FileResponse:
    """The board's periods (every one its filters keep) as .xlsx, written and sent row by row."""
    headers = [
        _("序号"),
        _("责任单位"),
        _("项目名称"),
        _("项目单位"),
        _("报送期"),
        _("截止日"),
        _("状态"),
        _("迟报"),
        _("报送时间"),
        _("本期完成投资（万元）"),
    ]
    units = dict(Unit.objects.values_list("pk", "name"))

    def lines() -> Iterator[tuple[Any, ...]]:
        periods = (
            (row, row_period, facts)
            for row in rows.iterator(chunk_size=2000)
            for row_period, facts in board_periods(row, period.year, period.month, state)
        )
        for i, (row, row_period, facts) in enumerate(periods, start=1):
            shown, _on_time, late = PERIOD_FACTS[facts["period_state"]]
            yield (
                i,
                units.get(row["responsible_unit_id"], ""),
                row["name"],
                row["owner_unit__name"] or "",
                row_period.label,
                row_period.deadline,
                BoardState(shown).label,
                late,
                facts["submitted_on"],
                facts["amount"],
            )

    title = _("%(p)s报送情况") % {"p": period.label}
    return xlsx_file_response(f"{title}.xlsx", title, headers, lines(), money_columns=[9])


@login_required
def my_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的填报: the projects this user fills in, this period's state, and what to do next, a page at
    a time, in a state or by words of the name."""
    user = request.user
    period = period_from_request(request)
    projects = (
        Project.objects.editable_by(user) if user.role in (Role.OWNER, Role.UNIT) else Project.objects.none()
    )
    q = request.GET.get("q", "").strip()
    if q:
        projects = projects.filter(name__icontains=q)
    today = timezone.localdate()
    plans = plans_in_force(period.year)
    due, parts = due_projects(projects, period.year, period.month, today)
    board = (due.filter(on_plans(plans)), parts)
    state = request.GET.get("state", "")
    # The projects due and their periods in each state: from the figures' summary, which counts
    # those the user sees, when the user fills in every project it sees and no state or words of
    # the name narrow them; else from the tables.
    lines = None
    if not q and state not in BoardState.values and writes_what_it_reads(user):
        lines = summary.board_lines(period.year, period.month, user)
    if lines is not None:
        total = summary_of_sums(lines, period.year, period.month, today)[0]
    else:
        total, _units = summary_of(*board)
    rows = rows_of(*board, state)
    head, head_rows = at_head(due, parts, plans, state)
    listing = ListPage(request, rows, per_page=24, head=head, head_rows=head_rows, look_further=True)
    page = listing.paginate(count=total.projects_of(state))
    return listing.render(
        "progress/my_reports.html",
        "progress/includes/my_report_cards.html",
        {
            "period": period,
            "rows": period_rows(page, period.year, period.month, state),
            "total": total,
            "state": state if state in BoardState.values else "",
            "states": BoardState.choices,
        },
    )


REPORT_SORTS = {"period": "seq", "state": "state"}


@login_required
def project_reports(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A project's reports, newest first, with its photo library (图片库) by month."""
    project = get_project_for_user(request, pk)
    listing = ListPage(request, project.reports.order_by("-seq"), sorts=REPORT_SORTS)
    photos = (
        ReportPhoto.objects.filter(report__project=project)
        .select_related("report")
        .order_by("-report__seq", "-taken_at")
    )
    by_month: OrderedDict[str, list[ReportPhoto]] = OrderedDict()
    for photo in photos[:200]:
        by_month.setdefault(f"{photo.report.year}年{photo.report.month}月", []).append(photo)
    return listing.render(
        "progress/project_reports.html",
        "progress/includes/report_table.html",
        {
            "project": project,
            "photos_by_month": by_month,
            "can_fill": Report.may_fill(request.user, project),
            "can_publish": ReportPhoto.may_publish(request.user, project),
            "current": current_period(timezone.localdate(), project.report_frequency),
        },
    )


@login_required
@require_POST
def photo_public(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """公开/取消公开: whether a site photo shows on its project's public page (信息公开)."""
    photo = get_object_or_404(
        ReportPhoto.objects.visible_to(request.user).select_related("report__project"), pk=pk
    )
    project = photo.report.project
    if not ReportPhoto.may_publish(request.user, project):
        raise PermissionDenied(_("您无权设置该项目照片是否公开。"))
    public = request.POST.get("public") == "1"
    if photo.is_public != public:
        labels = {True: _("是"), False: _("否")}
        photo.is_public = public
        photo.save(update_fields=["is_public"])
        record(
            request,
            OperationLog.Action.UPDATE,
            photo,
            changes={_("公开"): [labels[not public], labels[public]]},
            project=project,
        )
    if public and not project.is_public:
        messages.info(request, _("照片已设为公开；项目本身公开后，照片才会出现在信息公开页面上。"))
    else:
        messages.success(request, _("照片已设为公开。") if public else _("照片已取消公开。"))
    return redirect("progress:project", pk=project.pk)


@login_required
def photo_file(request: AuthenticatedHttpRequest, pk: int, kind: str) -> FileResponse:
    """A photo or its thumbnail, served only to those who may see the project."""
    from progress.photos import photo_response

    photo = get_object_or_404(ReportPhoto.objects.visible_to(request.user), pk=pk)
    field = photo.thumbnail if kind == "thumb" and photo.thumbnail else photo.image
    return photo_response(field)
