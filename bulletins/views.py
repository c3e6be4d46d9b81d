from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.changes import record
from audit.models import OperationLog
from bulletins.charts import ChartFontMissing, check_fonts
from bulletins.distribution import distribute, next_doc_number
from bulletins.document import PdfUnavailable, docx_to_pdf, render_docx, tables_of
from bulletins.drafting import bulletin_scope, draft
from bulletins.models import Bulletin, BulletinKind, Recipients
from figures.forms import ScopeForm
from lib.decorators import require_coordinator
from lib.listing import ListPage
from lib.messages import flash_errors
from lib.params import page_year
from lib.requests import AuthenticatedHttpRequest
from plans.choices import PlanLevel
from plans.scope import Scope

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NewBulletinForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=BulletinKind.choices)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=gettext_lazy("截至月份"), min_value=1, max_value=12)
    level = forms.ChoiceField(
        label=gettext_lazy("计划级别"),
        choices=[("", gettext_lazy("全部级别"))] + list(PlanLevel.choices),
        required=False,
    )
    nature = ScopeForm.base_fields["nature"]
    min_total = ScopeForm.base_fields["min_total"]

    def scope(self) -> Scope:
        """The plan level, investment nature and size the bulletin covers."""
        data = self.cleaned_data
        return Scope(level=data["level"] or None, nature=data["nature"] or None, min_total=data["min_total"])


class EditBulletinForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    # A date input reads only YYYY-MM-DD, not the locale's 2026/11/05.
    issue_date = forms.DateField(
        label=gettext_lazy("印发日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    doc_number = forms.CharField(
        label=gettext_lazy("发文字号"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("如“示重点办〔2026〕3号”。留空则印发时按配置的机关代字自动编号。"),
    )

    def __init__(self, *args: Any, bulletin: Bulletin, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bulletin = bulletin

    def clean_doc_number(self) -> str:
        number = " ".join(self.cleaned_data["doc_number"].split())
        taken = Bulletin.objects.filter(doc_number=number).exclude(pk=self.bulletin.pk)
        if number and taken.exists():
            raise forms.ValidationError(_("该发文字号已被其他文件使用。"))
        return number


class PublishForm(forms.Form):
    recipients = forms.MultipleChoiceField(
        label=gettext_lazy("分发对象"),
        choices=Recipients.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


# Who may, as a refusal says it.
ISSUERS = gettext_lazy("只有重点办可以起草和印发通报简报。")
BULLETIN_SORTS = {
    "title": "title",
    "kind": "kind",
    "number": "number",
    "state": "state",
    "issue_date": "issue_date",
}


@login_required
def bulletin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    bulletins = Bulletin.objects.visible_to(request.user)
    kind = request.GET.get("kind", "")
    if kind in BulletinKind.values:
        bulletins = bulletins.filter(kind=kind)
    year = page_year(request.GET, default=0)
    if year:
        bulletins = bulletins.filter(year=year)
    today = timezone.localdate()
    month = today.month - 1 or 12
    form = NewBulletinForm(
        initial={
            "kind": BulletinKind.MONTHLY,
            "year": today.year if today.month > 1 else today.year - 1,
            "month": month,
        }
    )
    return ListPage(request, bulletins, sorts=BULLETIN_SORTS).render(
        "bulletins/list.html",
        "bulletins/includes/bulletin_table.html",
        {"form": form, "kinds": BulletinKind.choices},
    )


@login_required
@require_POST
def bulletin_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_coordinator(request, ISSUERS)
    form = NewBulletinForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("bulletins:list")
    data = form.cleaned_data
    drafted = draft(data["kind"], data["year"], data["month"], data["level"], form.scope())
    bulletin = Bulletin.objects.create(
        kind=data["kind"],
        year=data["year"],
        month=data["month"],
        level=data["level"],
        title=drafted["title"],
        sections=drafted["sections"],
        figures=drafted["figures"],
        issuer=settings.BULLETIN_ISSUER,
        created_by=request.user,
    )
    record(request, OperationLog.Action.CREATE, bulletin)
    messages.success(request, _("草稿已生成，请修改后印发。"))
    warn_if_charts_cannot_be_drawn(request, bulletin)
    return redirect("bulletins:edit", pk=bulletin.pk)


def warn_if_charts_cannot_be_drawn(request: AuthenticatedHttpRequest, bulletin: Bulletin) -> None:
    """Says so as soon as the draft exists: it cannot be published or downloaded until the font is there."""
    try:
        check_fonts(bulletin.figures)
    except ChartFontMissing as error:
        messages.error(request, str(error))


def next_number(bulletin: Bulletin) -> int | None:
    """简报期号: the next number within the year for briefs."""
    if bulletin.kind != BulletinKind.BRIEF:
        return None
    last = Bulletin.objects.filter(kind=bulletin.kind, number_year=bulletin.issue_date.year).aggregate(
        n=Max("number")
    )["n"]
    return (last or 0) + 1


@login_required
def bulletin_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, ISSUERS)
    bulletin = get_object_or_404(Bulletin, pk=pk)
    if bulletin.state == Bulletin.State.PUBLISHED:
        messages.info(request, _("已印发的文件不能再修改。"))
        return redirect("bulletins:detail", pk=pk)
    form = EditBulletinForm(
        request.POST or None,
        bulletin=bulletin,
        initial={
            "title": bulletin.title,
            "issue_date": bulletin.issue_date,
            "doc_number": bulletin.doc_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        sections = []
        for index, part in enumerate(bulletin.sections):
            heading = request.POST.get(f"heading_{index}", part.get("heading", "")).strip()[:100]
            body = request.POST.get(f"body_{index}", "")
            paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
            sections.append({"heading": heading, "level": part.get("level", 1), "paragraphs": paragraphs})
        bulletin.title = form.cleaned_data["title"]
        bulletin.issue_date = form.cleaned_data["issue_date"]
        bulletin.doc_number = form.cleaned_data["doc_number"]
        bulletin.sections = sections
        bulletin.save()
        record(request, OperationLog.Action.UPDATE, bulletin)
        messages.success(request, _("已保存。"))
        return redirect("bulletins:edit", pk=pk)
    parts = [
        {"index": i, "heading": p.get("heading", ""), "body": "\n\n".join(p.get("paragraphs", []))}
        for i, p in enumerate(bulletin.sections)
    ]
    return render(
        request,
        "bulletins/edit.html",
        {
            "bulletin": bulletin,
            "form": form,
            "parts": parts,
            "number": next_number(bulletin),
            "publish_form": PublishForm(
                initial={"recipients": [Recipients.LEADERS, Recipients.COORDINATORS, Recipients.UNITS]}
            ),
            "doc_number": bulletin.doc_number
            or (next_doc_number(bulletin.issue_date.year) if bulletin.has_red_head else ""),
        },
    )


@login_required
@require_POST
def bulletin_redraft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """重新取数: draft again from today's figures (the text edits are replaced)."""
    require_coordinator(request, ISSUERS)
    bulletin = get_object_or_404(Bulletin, pk=pk, state=Bulletin.State.DRAFT)
    drafted = draft(
        bulletin.kind,
        bulletin.year,
        bulletin.month,
        bulletin.level,
        bulletin_scope(bulletin.level, bulletin.figures),
    )
    bulletin.title, bulletin.sections, bulletin.figures = (
        drafted["title"],
        drafted["sections"],
        drafted["figures"],
    )
    bulletin.save()
    messages.success(request, _("已按最新数据重新起草。"))
    warn_if_charts_cannot_be_drawn(request, bulletin)
    return redirect("bulletins:edit", pk=pk)


@login_required
def bulletin_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "bulletins/detail.html",
        {
            "bulletin": bulletin,
            "tables": tables_of(bulletin.figures) if bulletin.figures else [],
            "red_header": settings.BULLETIN_HEADER,
        },
    )


@login_required
@require_POST
def bulletin_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_coordinator(request, ISSUERS)
    # The recipients ticked, in the order of the choices; an unknown value is ignored.
    ticked = set(request.POST.getlist("recipients"))
    recipients = [code for code in Recipients.values if code in ticked]
    with transaction.atomic():
        bulletin = get_object_or_404(Bulletin.objects.select_for_update(), pk=pk, state=Bulletin.State.DRAFT)
        bulletin.number = next_number(bulletin)
        bulletin.number_year = bulletin.issue_date.year if bulletin.number else None
        if not bulletin.doc_number and bulletin.has_red_head:
            bulletin.doc_number = next_doc_number(bulletin.issue_date.year)
        bulletin.recipients = recipients
        try:
            content = render_docx(bulletin)
        except ChartFontMissing as error:
            messages.error(request, str(error))
            return redirect("bulletins:edit", pk=pk)
        stem = f"{bulletin.title}{bulletin.number_label}"[:80]
        bulletin.docx.save(f"{stem}.docx", ContentFile(content), save=False)
        try:
            bulletin.pdf.save(f"{stem}.pdf", ContentFile(docx_to_pdf(content)), save=False)
        except PdfUnavailable as error:
            messages.warning(request, str(error))
        bulletin.state = Bulletin.State.PUBLISHED
        bulletin.published_at = timezone.now()
        bulletin.save()
        record(request, OperationLog.Action.STATUS, bulletin, note=_("印发"))
        transaction.on_commit(lambda: distribute(bulletin))
    if recipients:
        messages.success(
            request, _("已印发，并分发给：%(r)s。") % {"r": "、".join(bulletin.recipient_labels)}
        )
    else:
        messages.success(request, _("已印发。"))
    return redirect("bulletins:detail", pk=pk)


@login_required
def bulletin_file(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The .docx or .pdf: stored once published, made afresh for a draft."""
    from django.http import FileResponse, Http404

    from progress.photos import open_stored

    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    stored = bulletin.docx if fmt == "docx" else bulletin.pdf if fmt == "pdf" else None
    if stored is None:
        raise Http404()
    if bulletin.state == Bulletin.State.PUBLISHED and stored:
        # Through the storage (any backend); a file the storage has lost is a 404, not a 500.
        return FileResponse(open_stored(stored), as_attachment=True, filename=f"{bulletin.title}.{fmt}")
    try:
        content = render_docx(bulletin)
        if fmt == "pdf":
            content = docx_to_pdf(content)
    except (ChartFontMissing, PdfUnavailable) as error:
        messages.error(request, str(error))
        return redirect("bulletins:detail", pk=pk)
    response = HttpResponse(content, content_type=DOCX_MIME if fmt == "docx" else "application/pdf")
    from urllib.parse import quote

    response["Content-Disposition"] = (
        f"attachment; filename=\"bulletin.{fmt}\"; filename*=UTF-8''{quote(bulletin.title)}.{fmt}"
    )
    return response
