"""Pages of supervision (督查督办): numbered notices to units with their replies, and site inspections."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.changes import Snapshot, diff, record
from audit.models import OperationLog
from lib.listing import ListPage
from lib.messages import flash_errors
from lib.officedoc import docx_response
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.models import User
from problems.history import history_of
from problems.models import Problem
from problems.views import with_names
from progress.photos import download_response, inspect_photo, photo_response, save_photo
from projects.access import get_for_user
from projects.models import Project
from supervision.choices import NoticeAction, NoticeStatus
from supervision.documents import notice_docx
from supervision.filtersets import InspectionFilterSet, NoticeFilterSet
from supervision.forms import InspectionForm, NoteForm, NoticeForm, ReplyForm
from supervision.models import Inspection, InspectionPhoto, Notice, NoticeReply
from supervision.querysets import is_supervisor

INSPECTION_SORTS = {"date": "date", "project": "project__name"}
NOTICE_SORTS = {"number": "seq", "deadline": "deadline", "status": "status", "unit": "target_unit__name"}


def supervisor_only(user: User) -> None:
    if not is_supervisor(user):
        raise PermissionDenied(_("督办通知和现场督导由督查人员或重点办记录。"))


# Notices ---------------------------------------------------------------------------


def get_notice_for_user(request: HttpRequest, pk: int) -> Notice:
    rows = Notice.objects.select_related("target_unit", "issued_by", "closed_by")
    return get_for_user(request, rows, pk, _("督办通知单不存在或无权查看。"))


def notice_snapshot(notice: Notice) -> Snapshot:
    return with_names(notice, 涉及项目=notice.projects.all(), 涉及问题=notice.problems.all())


@login_required
def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    visible = Notice.objects.visible_to(user).select_related("target_unit")
    if request.GET.get("mine"):
        visible = visible.filter(pk__in=Notice.objects.addressed_to(user).values("pk"))
    listing = ListPage(request, visible, NoticeFilterSet, sorts=NOTICE_SORTS)
    if listing.exporting:
        return export_notices(request, listing.rows)
    return listing.render(
        "supervision/notice_list.html",
        "supervision/includes/notice_table.html",
        {
            "statuses": NoticeStatus.choices,
            "can_create": is_supervisor(user),
            "awaiting": Notice.objects.addressed_to(user).filter(status=NoticeStatus.SENT).count(),
            "today": timezone.localdate(),
        },
    )


def export_notices(request: HttpRequest, notices: QuerySet[Notice]) -> HttpResponse:
    """督办通知单 .xlsx of the filtered list, in the list's order."""
    headers = [
        _("序号"),
        _("文号"),
        _("督办事由"),
        _("主送单位"),
        _("发文日期"),
        _("办理时限"),
        _("状态"),
        _("督办单位"),
    ]
    rows = (
        (
            i,
            n.number,
            n.title,
            n.target_unit.name,
            n.issued_on,
            n.deadline,
            n.get_status_display(),
            n.issuing_office,
        )
        for i, n in enumerate(notices[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("督办通知单")
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", build_workbook(title, headers, rows))


@login_required
def notice_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """签发 a notice, or correct one nobody has replied to yet."""
    user = request.user
    supervisor_only(user)
    notice = get_notice_for_user(request, pk) if pk else None
    if notice is not None and (notice.status != NoticeStatus.SENT or notice.replies.exists()):
        messages.error(request, _("已回复或已办结的督办通知单不能修改。"))
        return redirect(notice)
    before = notice_snapshot(notice) if notice else {}
    initial = {}
    problem_id = request.GET.get("problem", "")
    if notice is None and problem_id.isdigit():
        problem = Problem.objects.visible_to(user).filter(pk=int(problem_id)).first()
        if problem is not None:
            units = list(problem.responsible_units.all()[:1])
            initial = {
                "problems": [problem.pk],
                "projects": [problem.project_id],
                "title": _("关于督促解决%(p)s存在问题的通知") % {"p": problem.project.name},
                "content": problem.description,
                "deadline": problem.deadline,
                "target_unit": units[0].pk if units else problem.project.responsible_unit_id,
            }
    form = NoticeForm(request.POST or None, instance=notice, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if notice is None:
                saved.issued_by = user
            saved.save()
            form.save_m2m()
            changes = diff(before, notice_snapshot(saved))
            if changes:
                action = OperationLog.Action.UPDATE if notice else OperationLog.Action.CREATE
                record(request, action, saved, changes=changes)
        messages.success(request, _("督办通知单 %(n)s 已保存。") % {"n": saved.number})
        return redirect(saved)
    return render(request, "supervision/notice_form.html", {"form": form, "notice": notice})


@login_required
def notice_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = get_notice_for_user(request, pk)
    user = request.user
    actions = notice.allowed_actions(user)
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "notice": notice,
            "projects": notice.projects.visible_to(user).order_by("name_key", "name"),
            "problems": notice.problems.visible_to(user).select_related("project"),
            "replies": notice.replies.select_related("replied_by__unit"),
            "can_reply": NoticeAction.REPLY in actions,
            "can_close": NoticeAction.CLOSE in actions,
            "can_send_back": NoticeAction.SEND_BACK in actions,
            "can_edit": is_supervisor(user)
            and notice.status == NoticeStatus.SENT
            and not notice.replies.exists(),
            "reply_form": ReplyForm(),
            "note_form": NoteForm(),
            "history": history_of(notice)[:50],
            "days_overdue": notice.days_overdue(),
        },
    )


@login_required
@require_POST
def notice_move(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """回复 / 退回重办 / 办结."""
    notice = get_notice_for_user(request, pk)
    user = request.user
    if action not in NoticeAction.values:
        raise Http404()
    old = notice.get_status_display()
    try:
        if action == NoticeAction.REPLY:
            form = ReplyForm(request.POST, request.FILES)
            if not form.is_valid():
                flash_errors(request, form)
                return redirect(notice)
            reply = notice.reply(user, form.cleaned_data["text"], form.cleaned_data.get("attachment"))
            note = reply.text
        else:
            note_form = NoteForm(request.POST)
            note_form.is_valid()
            note = note_form.cleaned_data.get("note", "")
            if action == NoticeAction.SEND_BACK:
                notice.send_back(user, note)
            else:
                notice.close(user, note)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(notice)
    record(
        request,
        OperationLog.Action.STATUS,
        notice,
        changes={_("状态"): [old, notice.get_status_display()]},
        note=note,
    )
    messages.success(request, _("已%(a)s。") % {"a": NoticeAction(action).label})
    return redirect(notice)


@login_required
def notice_document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """督办通知单 .docx for printing."""
    notice = get_notice_for_user(request, pk)
    record(request, OperationLog.Action.EXPORT, notice, note=_("督办通知单（Word）"))
    return docx_response(f"{notice.number}.docx", notice_docx(notice))


@login_required
def reply_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    reply = get_object_or_404(
        NoticeReply.objects.filter(notice__in=Notice.objects.visible_to(request.user)),
        pk=pk,
    )
    if not reply.attachment:
        raise Http404()
    return download_response(reply.attachment, reply.attachment_name)


# Site inspections ------------------------------------------------------------------


def get_inspection_for_user(request: HttpRequest, pk: int) -> Inspection:
    rows = Inspection.objects.select_related("project", "created_by")
    return get_for_user(request, rows, pk, _("督导记录不存在或无权查看。"))


def inspection_snapshot(inspection: Inspection) -> Snapshot:
    return with_names(inspection, 督导人员=inspection.inspectors.all())


@login_required
def inspection_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    visible = Inspection.objects.visible_to(user).select_related("project").prefetch_related("inspectors")
    listing = ListPage(request, visible, InspectionFilterSet, sorts=INSPECTION_SORTS)
    if listing.exporting:
        return export_inspections(request, listing.rows)
    project = None
    project_id = request.GET.get("project", "")
    if project_id.isdigit():
        project = Project.objects.visible_to(user).filter(pk=int(project_id)).first()
    return listing.render(
        "supervision/inspection_list.html",
        "supervision/includes/inspection_table.html",
        {"can_create": is_supervisor(user), "project": project},
    )


def export_inspections(request: HttpRequest, inspections: QuerySet[Inspection]) -> HttpResponse:
    """现场督导记录 .xlsx of the filtered list, in the list's order."""
    headers = [_("序号"), _("督导日期"), _("项目"), _("督导人员"), _("督导情况及发现问题"), _("整改要求")]
    rows = (
        (
            i,
            x.date,
            x.project.name,
            "、".join(u.get_full_name() for u in x.inspectors.all()),
            x.findings,
            x.requirements,
        )
        for i, x in enumerate(inspections[: settings.EXPORT_ROW_LIMIT], start=1)
    )
    title = _("现场督导记录")
    record(request, OperationLog.Action.EXPORT, object_type=title, note=request.GET.urlencode())
    return xlsx_response(f"{title}.xlsx", build_workbook(title, headers, rows))


@login_required
def inspection_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    supervisor_only(user)
    inspection = get_inspection_for_user(request, pk) if pk else None
    before = inspection_snapshot(inspection) if inspection else {}
    initial: dict[str, object] = {}
    if inspection is None:
        initial = {"inspectors": [user.pk], "date": timezone.localdate()}
        project_id = request.GET.get("project", "")
        if project_id.isdigit():
            initial["project"] = int(project_id)
    form = InspectionForm(request.POST or None, request.FILES or None, instance=inspection, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            facts = [(upload, inspect_photo(upload)) for upload in form.cleaned_data["photos"]]
        except ValidationError as error:
            for message in error.messages:
                form.add_error("photos", message)
        else:
            with transaction.atomic():
                saved = form.save(commit=False)
                if inspection is None:
                    saved.created_by = user
                saved.save()
                form.save_m2m()
                for upload, fact in facts:
                    save_photo(InspectionPhoto(inspection=saved, uploaded_by=user), upload, fact)
                changes = diff(before, inspection_snapshot(saved))
                if facts:
                    changes[_("现场照片")] = ["", "、".join(upload.name for upload, _fact in facts)]
                if changes:
                    action = OperationLog.Action.UPDATE if inspection else OperationLog.Action.CREATE
                    record(request, action, saved, changes=changes, project=saved.project)
            messages.success(request, _("督导记录已保存。"))
            return redirect(saved)
    return render(request, "supervision/inspection_form.html", {"form": form, "inspection": inspection})


@login_required
def inspection_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(request, pk)
    user = request.user
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "inspectors": inspection.inspectors.select_related("unit"),
            "photos": inspection.photos.all(),
            "can_edit": is_supervisor(user),
            "history": history_of(inspection)[:50],
        },
    )


@login_required
def inspection_photo(request: AuthenticatedHttpRequest, pk: int, kind: str) -> FileResponse:
    """A photo or its thumbnail, served only to those who may see the inspected project."""
    photo = get_object_or_404(
        InspectionPhoto.objects.filter(inspection__in=Inspection.objects.visible_to(request.user)),
        pk=pk,
    )
    field = photo.thumbnail if kind == "thumb" and photo.thumbnail else photo.image
    return photo_response(field)
