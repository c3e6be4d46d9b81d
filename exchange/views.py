"""The official tables page: export, blank templates per unit, upload → preview → confirm, past imports."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.changes import record
from audit.models import OperationLog
from exchange.export import export_filename, export_table
from exchange.forms import ExportForm, TemplateForm, UploadForm
from exchange.importer import ImportResult, can_import, import_table, summary
from exchange.models import Alias, AliasKind, ImportBatch
from exchange.names import CREATE, MAP
from exchange.tables import TABLES
from lib.decorators import directory_required
from lib.listing import ListPage
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import xlsx_response
from org.choices import UnitKind
from org.models import Unit
from plans.choices import PlanLevel
from progress.periods import Period

# How many rows of each kind a preview lists; the counts are always complete.
PREVIEW_LIMIT = 500
# How many errors a batch keeps for its page.
KEPT_ERRORS = 2000


def level_label(level: str) -> str:
    return str(PlanLevel(level).label) if level in PlanLevel.values else level


def get_batch(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.visible_to(request.user).select_related("uploaded_by"), pk=pk
    )


def require_importer(request: AuthenticatedHttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied(_("您的角色不能导入表格。"))


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_index(request)


def render_index(
    request: AuthenticatedHttpRequest,
    export_form: ExportForm | None = None,
    template_form: TemplateForm | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    paginator = Paginator(
        ImportBatch.objects.visible_to(request.user).select_related("uploaded_by"), settings.LIST_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    for batch in page:
        batch.level_label = level_label(batch.level)  # type: ignore[attr-defined]  # for the template only
    return render(
        request,
        "exchange/index.html",
        {
            "export_form": export_form or ExportForm(prefix="export"),
            "template_form": template_form or TemplateForm(prefix="template", user=request.user),
            "upload_form": upload_form or UploadForm(prefix="upload"),
            "can_import": can_import(request.user),
            "page": page,
            "tables": TABLES.values(),
        },
        status=status,
    )


@login_required
@require_GET
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """附件N of the plan in force, for the requesting user's projects."""
    form = ExportForm(request.GET, prefix="export")
    if not form.is_valid():
        return render_index(request, export_form=form, status=400)
    data = form.cleaned_data
    content = export_table(
        data["table"], data["year"], data["level"], period=data["period"], user=request.user
    )
    filename = export_filename(data["table"], data["year"], data["period"], template=False, unit=None)
    record(request, OperationLog.Action.EXPORT, object_type=_("官方表格"), note=filename)
    return xlsx_response(filename, content or b"")


@login_required
@require_GET
def template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A unit's blank template: its projects pre-filled, the figures to report blank, with drop-downs."""
    form = TemplateForm(request.GET, prefix="template", user=request.user)
    if not form.is_valid():
        return render_index(request, template_form=form, status=400)
    data = form.cleaned_data
    content = export_table(
        data["table"],
        data["year"],
        data["level"],
        user=request.user,
        unit=data["unit"],
        template=True,
    )
    filename = export_filename(data["table"], data["year"], None, template=True, unit=data["unit"])
    record(request, OperationLog.Action.EXPORT, object_type=_("填报模板"), note=filename)
    return xlsx_response(filename, content or b"")


@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check an uploaded table without writing anything, keep the file, and go to its preview."""
    require_importer(request)
    form = UploadForm(request.POST, request.FILES, prefix="upload")
    if not form.is_valid():
        return render_index(request, upload_form=form, status=400)
    data = form.cleaned_data
    upload_file = data["file"]
    content = upload_file.read()
    result = run_import(content, upload_file.name, data, request, commit=False)
    if not result.rows and result.errors:
        # The file as a whole was refused (not Excel, encrypted, no header …): nothing is kept.
        for issue in result.errors:
            form.add_error("file", issue.message)
        return render_index(request, upload_form=form, status=400)
    batch = ImportBatch(
        original_name=upload_file.name[:200],
        table=result.table_number or 0,
        year=data["year"],
        level=data["level"],
        period=data["period"].key if data["period"] else "",
        # Unknown names are settled on the preview (its names step), so such a batch stays open.
        status=ImportBatch.Status.PREVIEW if result.ok or result.name_issues else ImportBatch.Status.FAILED,
        counts=result.counts,
        errors=[issue.as_dict() for issue in result.errors[:KEPT_ERRORS]],
        uploaded_by=request.user,
    )
    batch.file.save(upload_file.name[-80:], ContentFile(content), save=False)
    batch.save()
    # The preview is the batch's own page, so that reloading it does not upload the file again.
    return redirect("exchange:batch", pk=batch.pk)


def batch_options(batch: ImportBatch) -> dict[str, Any]:
    return {
        "year": batch.year,
        "level": batch.level,
        "period": Period.parse(batch.period) if batch.period else None,
        "table": batch.table or None,
        "decisions": batch.decisions,
    }


def run_import(
    content: bytes,
    filename: str,
    options: dict[str, Any],
    request: AuthenticatedHttpRequest,
    commit: bool,
    batch: Any = None,
) -> ImportResult:
    return import_table(
        content,
        filename,
        year=options["year"],
        level=options["level"],
        period=options["period"],
        table=options["table"],
        user=request.user,
        commit=commit,
        batch=batch,
        decisions=options.get("decisions"),
    )


def render_preview(
    request: AuthenticatedHttpRequest, batch: ImportBatch, result: ImportResult
) -> HttpResponse:
    # Names are settled only while the import waits for confirmation; otherwise they are errors.
    settles_names = batch.status == ImportBatch.Status.PREVIEW
    name_issues = result.name_issues if settles_names else []
    row_errors = [issue for issue in result.errors if issue not in name_issues]
    return render(
        request,
        "exchange/preview.html",
        {
            "batch": batch,
            "result": result,
            "counts": result.counts,
            "names": name_rows(result, batch) if settles_names else [],
            "name_issue_count": len(name_issues),
            "errors": row_errors[:PREVIEW_LIMIT],
            "row_error_count": len(row_errors),
            "warnings": result.warnings[:PREVIEW_LIMIT],
            "new_rows": result.rows_with("new")[:PREVIEW_LIMIT],
            "changed_rows": result.rows_with("changed")[:PREVIEW_LIMIT],
            "unchanged_rows": result.rows_with("unchanged")[:PREVIEW_LIMIT],
            "limit": PREVIEW_LIMIT,
            "table": TABLES.get(batch.table),
            "level_label": level_label(batch.level),
            "can_commit": batch.status == ImportBatch.Status.PREVIEW
            and result.ok
            and may_commit(request, batch),
        },
    )


# Units listed in a name's drop-down beyond its candidates; a province has more, found by candidates.
UNIT_CHOICES_LIMIT = 800


def name_rows(result: ImportResult, batch: ImportBatch) -> list[dict[str, Any]]:
    """The names step of the preview: each unknown name with its choices, the decision or proposal selected."""
    names = result.names
    if names is None or not names.unknown:
        return []
    units = list(Unit.objects.order_by("kind", "path").values_list("id", "name", "kind")[:UNIT_CHOICES_LIMIT])
    parents = [(str(pk), name) for pk, name, kind in units if kind != UnitKind.OWNER]
    pending = [
        (f"new:{u.name}", _("（新建）%(n)s") % {"n": u.name})
        for u in names.unknown
        if u.kind == AliasKind.UNIT and u.chosen.get("unit_kind", "") not in ("", UnitKind.OWNER)
    ]
    # A new unit proposed under a name now mapped to a unit goes under that unit.
    mapped = {
        f"new:{u.name}": str(u.chosen["target"])
        for u in names.unknown
        if u.kind == AliasKind.UNIT and u.chosen.get("action") == MAP
    }
    rows = []
    for index, unknown in enumerate(names.unknown):
        chosen = unknown.decision or unknown.proposal
        selected = _choice_value(chosen)
        options = [
            (f"map:{c.id}", _("对应到：%(label)s（相似度 %(score)s）") % {"label": c.label, "score": c.score})
            for c in unknown.candidates
        ]
        if unknown.kind == AliasKind.UNIT:
            options += [
                (f"create:{kind}", _("新建：%(kind)s") % {"kind": label}) for kind, label in UnitKind.choices
            ]
            shown = {c.id for c in unknown.candidates}
            others = [
                (f"map:{pk}", _("对应到：%(label)s") % {"label": name})
                for pk, name, _kind in units
                if pk not in shown
            ]
        else:
            options.append(("create", _("新建：%(kind)s") % {"kind": unknown.kind_label}))
            others = [
                (f"map:{pk}", _("对应到：%(label)s") % {"label": label})
                for pk, label in names.labels.get(unknown.kind, {}).items()
            ][:UNIT_CHOICES_LIMIT]
        # The candidates are offered above the full list; each entry once.
        offered = {value for value, _label in options}
        rows.append(
            {
                "index": index,
                "unknown": unknown,
                "header": names.parsed.headers.get(unknown.column, unknown.kind_label),
                "options": options,
                "others": [(value, label) for value, label in others if value not in offered],
                "selected": selected,
                "parent": mapped.get(str(chosen.get("parent") or ""), str(chosen.get("parent") or "")),
                "parents": parents
                + [(value, label) for value, label in pending if value != f"new:{unknown.name}"],
                "decided": unknown.decision is not None,
            }
        )
    return rows


def _choice_value(decision: dict[str, Any]) -> str:
    if not decision:
        return ""
    if decision.get("action") == MAP:
        return f"map:{decision['target']}"
    return f"create:{decision['unit_kind']}" if decision.get("unit_kind") else "create"


@login_required
@require_POST
def batch_names(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """名称对照: keep what the uploader decided for each unknown name, then check the table again."""
    batch = get_batch(request, pk)
    if not may_commit(request, batch):
        raise PermissionDenied(_("只有上传人可以确认名称对照。"))
    if batch.expire():
        messages.error(request, expired_message())
        return redirect("exchange:batch", pk=batch.pk)
    if batch.status != ImportBatch.Status.PREVIEW:
        raise PermissionDenied(_("只有上传人可以确认名称对照。"))
    decisions: dict[str, dict[str, Any]] = {}
    for index in range(int(request.POST.get("count") or 0)):
        key = request.POST.get(f"key-{index}", "")
        choice = request.POST.get(f"choice-{index}", "")
        if "|" not in key or not choice:
            continue
        if choice.startswith("map:") and choice[4:].isdigit():
            decisions[key] = {"action": MAP, "target": int(choice[4:])}
        elif choice.startswith("create:") and choice[7:] in UnitKind.values:
            decisions[key] = {
                "action": CREATE,
                "unit_kind": choice[7:],
                "parent": request.POST.get(f"parent-{index}", "")[:120],
            }
        elif choice == "create":
            decisions[key] = {"action": CREATE}
    batch.decisions = decisions
    batch.save(update_fields=["decisions"])
    messages.success(request, _("已保存 %(n)d 个名称的对照，已按对照重新检查表格。") % {"n": len(decisions)})
    return redirect("exchange:batch", pk=batch.pk)


def may_commit(request: AuthenticatedHttpRequest, batch: ImportBatch) -> bool:
    user = request.user
    return can_import(user) and (batch.uploaded_by_id == user.pk or user.edits_everything)


def expired_message() -> str:
    text = _("该导入上传后 %(h)d 小时内未确认，已过期，未写入任何数据。如需导入，请重新上传表格。")
    return text % {"h": settings.IMPORT_PREVIEW_EXPIRE_HOURS}


# Imports whose page, for the one who may confirm them, is the preview: checked again on each visit.
PREVIEWED = (ImportBatch.Status.PREVIEW, ImportBatch.Status.FAILED)


@login_required
@require_GET
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An import's page: for its uploader, one waiting for confirmation (or refused by the check) is
    the preview, checked again against today's data; otherwise the record of what it did."""
    batch = get_batch(request, pk)
    if batch.current_status in PREVIEWED and may_commit(request, batch):
        result = run_import(
            read_batch_file(batch), batch.original_name, batch_options(batch), request, commit=False
        )
        return render_preview(request, batch, result)
    expired = batch.current_status == ImportBatch.Status.EXPIRED
    return render(
        request,
        "exchange/batch_detail.html",
        {
            "batch": batch,
            "table": TABLES.get(batch.table),
            "level_label": level_label(batch.level),
            "errors": batch.errors,
            "expired_message": expired_message() if expired else "",
        },
    )


def read_batch_file(batch: ImportBatch) -> bytes:
    try:
        with batch.file.open("rb") as stream:
            return stream.read()
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("导入文件已不存在。")) from error


@login_required
@require_POST
def batch_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """确认导入: check the kept file again and write every row, or none if anything is wrong now."""
    batch = get_batch(request, pk)
    if not may_commit(request, batch):
        raise PermissionDenied(_("只有上传人可以确认导入。"))
    if batch.expire():
        messages.error(request, expired_message())
        return redirect("exchange:batch", pk=batch.pk)
    if batch.status != ImportBatch.Status.PREVIEW:
        messages.error(request, _("该导入已是“%(s)s”状态，不能再确认。") % {"s": batch.get_status_display()})
        return redirect("exchange:batch", pk=batch.pk)
    result = run_import(
        read_batch_file(batch), batch.original_name, batch_options(batch), request, commit=True, batch=batch
    )
    if result.committed:
        record(request, OperationLog.Action.OTHER, batch, object_type=_("表格导入"), note=summary(result))
        messages.success(request, _("导入完成：%(s)s。") % {"s": summary(result)})
    else:
        batch.status = ImportBatch.Status.FAILED
        batch.counts = result.counts
        batch.errors = [issue.as_dict() for issue in result.errors[:KEPT_ERRORS]]
        batch.save(update_fields=["status", "counts", "errors"])
        messages.error(
            request, _("未导入：数据已有变化，检查发现 %(n)d 个错误。") % {"n": len(result.errors)}
        )
    return redirect("exchange:batch", pk=batch.pk)


@login_required
@require_POST
def batch_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_batch(request, pk)
    if not may_commit(request, batch):
        raise PermissionDenied(_("只有上传人可以放弃导入。"))
    if batch.status == ImportBatch.Status.PREVIEW:
        batch.status = ImportBatch.Status.DISCARDED
        batch.save(update_fields=["status"])
        messages.info(request, _("已放弃本次导入，未写入任何数据。"))
    return redirect("exchange:index")


@login_required
@require_GET
def batch_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The file as it was uploaded."""
    batch = get_batch(request, pk)
    return xlsx_response(batch.original_name, read_batch_file(batch))


ALIAS_PAGE_SIZE = 50
ALIAS_SORTS = {"kind": "kind", "name": "name", "created_at": "created_at"}


@directory_required
@require_GET
def alias_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """别名: every remembered way of writing a unit, person or dictionary entry, searchable and deletable."""
    aliases = Alias.objects.select_related("unit", "person", "industry", "category", "created_by")
    kind = request.GET.get("kind", "")
    if kind in AliasKind.values:
        aliases = aliases.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        aliases = aliases.filter(
            Q(name__icontains=query)
            | Q(unit__name__icontains=query)
            | Q(person__name__icontains=query)
            | Q(industry__name__icontains=query)
            | Q(category__name__icontains=query)
        )
    in_order = aliases.order_by("kind", "name")
    return ListPage(request, in_order, sorts=ALIAS_SORTS, per_page=ALIAS_PAGE_SIZE).render(
        "exchange/alias_list.html",
        "exchange/includes/alias_table.html",
        {"kinds": AliasKind.choices, "kind": kind, "q": query},
    )


@directory_required
@require_POST
def alias_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Remember one more way of writing an entry, from the entry's own page."""
    kind = request.POST.get("kind", "")
    name = " ".join(request.POST.get("name", "").split())[:100]
    target = request.POST.get("target", "")
    back = safe_next(request, "exchange:aliases")
    if kind not in AliasKind.values or not target.isdigit():
        messages.error(request, _("别名的对象不正确。"))
        return redirect(back)
    if not name:
        messages.error(request, _("请填写别名（表格中的写法）。"))
        return redirect(back)
    alias = Alias(kind=kind, name=name, created_by=request.user, **{f"{kind}_id": int(target)})
    try:
        alias.full_clean()
        alias.save()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    record(request, OperationLog.Action.CREATE, alias, object_type=_("别名"), note=str(alias))
    messages.success(request, _("已添加别名“%(n)s”。") % {"n": name})
    return redirect(back)


@directory_required
@require_POST
def alias_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    alias = get_object_or_404(Alias, pk=pk)
    record(request, OperationLog.Action.DELETE, alias, object_type=_("别名"), note=str(alias))
    alias.delete()
    messages.success(request, _("已删除别名“%(n)s”；表格中再出现这种写法时将重新询问。") % {"n": alias.name})
    return redirect(safe_next(request, "exchange:aliases"))


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back to after a form on another page: a path on this site, else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(default)
