from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NotRequired, TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.changes import record
from audit.models import OperationLog
from catalog.models import ProcedureType
from lib.listing import ListPage
from lib.messages import flash_errors
from lib.numbers import percent
from lib.requests import AuthenticatedHttpRequest
from lib.versioning import VersionConflict
from lib.xlsx import build_workbook, xlsx_response
from notifications.choices import Kind
from notifications.delivery import notify
from org.choices import Role
from org.models import Unit, User
from progress.choices import BoardState, ReportState
from progress.forms import CorrectionForm, ReasonForm, ReportChecks, ReportForm
from progress.models import Report, ReportPhoto
from progress.periods import Period, current_period
from progress.photos import inspect_photo, save_photo
from progress.querysets import month_periods, projects_due
from projects.access import get_project_for_user
from projects.choices import ProcedureStatus, ReportFrequency
from projects.models import Project


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


@dataclass
class BoardRow:
    project: Project
    period: Period
    report: Report | None
    state: str
    late: bool

    @property
    def state_label(self) -> str:
        return str(BoardState(self.state).label)


class BoardGroup(TypedDict):
    """One responsible unit's rows on the 报送看板, with their count per state and 按时报送率."""

    rows: list[BoardRow]
    counts: dict[str, int]
    on_time_rate: NotRequired[Decimal | None]


def board_state(report: Report | None, period: Period, today: date) -> tuple[str, bool]:
    """报送状态 of a project for a period, and whether it was (or now is) late."""
    overdue = today > period.deadline
    if report is None or report.first_submitted_at is None:
        if overdue:
            return BoardState.MISSING, True
        return (BoardState.NOT_STARTED if report is None else BoardState.DRAFT), False
    late = report.is_late
    if report.state == ReportState.ACCEPTED:
        return (BoardState.LATE if late else BoardState.ACCEPTED), late
    if report.state == ReportState.SUBMITTED:
        return (BoardState.LATE if late else BoardState.SUBMITTED), late
    return BoardState.RETURNED, late


def board_rows(user: User, year: int, month: int, today: date) -> list[BoardRow]:
    """Every reporting period of the month a project must report for (the month, or each half or
    ten-day part for projects reporting more often), with its state; the same periods the
    figures' 按时报送率 counts."""
    visible = Project.objects.visible_to(user)
    rows: list[BoardRow] = []
    reports = {
        (r.project_id, r.part): r for r in Report.objects.visible_to(user).filter(year=year, month=month)
    }
    for period in month_periods(year, month):
        for project in projects_due(period, visible).select_related("responsible_unit", "owner_unit"):
            report = reports.get((project.pk, period.part))
            state, late = board_state(report, period, today)
            rows.append(BoardRow(project, period, report, state, late))
    rows.sort(
        key=lambda row: (row.project.responsible_unit_path, row.project.name, row.project.pk, row.period.part)
    )
    return rows


@login_required
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """报送看板: for a month, who must report, in what state, grouped by responsible unit."""
    user = request.user
    period = period_from_request(request)
    today = timezone.localdate()
    rows = board_rows(user, period.year, period.month, today)
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        unit = Unit.objects.filter(pk=int(unit_id)).first()
        if unit:
            rows = [r for r in rows if r.project.responsible_unit_path.startswith(unit.path)]
    state = request.GET.get("state", "")
    if state in BoardState.values:
        rows = [r for r in rows if r.state == state or (state == BoardState.LATE and r.late)]
    q = request.GET.get("q", "").strip()
    if q:
        rows = [r for r in rows if q in r.project.name]
    groups: OrderedDict[Unit | None, BoardGroup] = OrderedDict()
    for row in rows:
        group = groups.setdefault(
            row.project.responsible_unit, {"rows": [], "counts": {s: 0 for s in BoardState.values}}
        )
        group["rows"].append(row)
        group["counts"][row.state] += 1
    for group in groups.values():
        group_rows = group["rows"]
        on_time = sum(1 for r in group_rows if r.report and r.report.first_submitted_at and not r.late)
        group["on_time_rate"] = percent(on_time, len(group_rows))
    totals = {s: sum(1 for r in rows if r.state == s) for s in BoardState.values}
    on_time_all = sum(1 for r in rows if r.report and r.report.first_submitted_at and not r.late)
    if request.GET.get("export") == "xlsx":
        return export_board(request, period, rows)
    return render(
        request,
        "progress/board.html",
        {
            "period": period,
            "groups": groups,
            "totals": totals,
            "total": len(rows),
            "on_time_rate": percent(on_time_all, len(rows)),
            "states": BoardState.choices,
            "units": Unit.objects.filter_choices_for(user),
            "deadline": period.deadline,
        },
    )


def export_board(request: HttpRequest, period: Period, rows: list[BoardRow]) -> HttpResponse:
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
    data = (
        (
            i,
            r.project.responsible_unit_name,
            r.project.name,
            r.project.owner_unit.name if r.project.owner_unit else "",
            r.period.label,
            r.period.deadline,
            r.state_label,
            r.late,
            r.report.first_submitted_at if r.report else None,
            r.report.amount if r.report else None,
        )
        for i, r in enumerate(rows, start=1)
    )
    title = _("%(p)s报送情况") % {"p": period.label}
    return xlsx_response(f"{title}.xlsx", build_workbook(title, headers, data, money_columns=[9]))


@login_required
def my_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的填报: the projects this user fills in, this period's state, and what to do next."""
    user = request.user
    today = timezone.localdate()
    period = period_from_request(request)
    rows = []
    if user.role in (Role.OWNER, Role.UNIT):
        editable = set(Project.objects.editable_by(user).values_list("pk", flat=True))
        rows = [r for r in board_rows(user, period.year, period.month, today) if r.project.pk in editable]
    return render(request, "progress/my_reports.html", {"rows": rows, "period": period})


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
            "current": current_period(timezone.localdate(), project.report_frequency),
        },
    )


@login_required
def photo_file(request: AuthenticatedHttpRequest, pk: int, kind: str) -> FileResponse:
    """A photo or its thumbnail, served only to those who may see the project."""
    from progress.photos import photo_response

    photo = get_object_or_404(ReportPhoto.objects.visible_to(request.user), pk=pk)
    field = photo.thumbnail if kind == "thumb" and photo.thumbnail else photo.image
    return photo_response(field)
