from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import modelformset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from assessment import providers
from assessment.models import Indicator, MissingData, Table, TableSubmission
from assessment.providers import Basis, Window, monthly_deadline, monthly_reporting
from assessment.scores import GROUPS, PERIOD_KINDS, scores
from assessment.submissions import board
from audit.changes import record
from audit.models import OperationLog
from figures.compute import scope_ranking
from figures.forms import ScopeForm, scope_words
from figures.views import period_of, scope_form
from lib.dates import months_so_far
from lib.decorators import require_coordinator
from lib.params import MAX_PAGE_SIZE, page_year, query_int
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.models import Unit
from plans.scope import Scope, scope_entries


def praise_and_pressure(rows: list[dict[str, Any]], size: int = 5) -> tuple[set[int], set[int]]:
    """激励 the first five, 鞭策 the last five — never the same unit in both when there are few."""
    top = min(size, len(rows) // 2)
    bottom = min(size, len(rows) - top)
    first = {r["unit_id"] for r in rows[:top]}
    last = {r["unit_id"] for r in rows[len(rows) - bottom :]} if bottom else set()
    return first, last - first


# What the rankings rank, by the `by` of the query string.
RANKED = {"unit": _lazy("责任单位"), "town": _lazy("乡镇/街道"), "owner": _lazy("项目单位")}


def ranking_rows(request: HttpRequest) -> tuple[int, int, str, ScopeForm, list[dict[str, Any]]]:
    year, month = period_of(request)
    form = scope_form(request)
    scope = form.scope()
    by = request.GET.get("by", "")
    by = by if by in RANKED else "unit"
    rows = scope_ranking(year, month, scope, by)
    first, last = praise_and_pressure(rows)
    for row in rows:
        row["mark"] = "praise" if row["unit_id"] in first else "pressure" if row["unit_id"] in last else ""
    return year, month, by, form, rows


@login_required
def rankings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """月度排名: responsible units, towns or owner units (项目单位) by annual plan completion rate,
    the first five named for praise (激励) and the last five for pressure (鞭策)."""
    year, month, by, form, rows = ranking_rows(request)
    if request.GET.get("export") == "xlsx":
        title = _("%(span)s%(w)s重点项目完成投资排名") % {
            "span": months_so_far(year, month),
            "w": f"{scope_words(form.scope())}{RANKED[by]}",
        }
        headers = [
            _("名次"),
            _("单位"),
            _("项目数"),
            _("年度计划投资（万元）"),
            _("完成投资（万元）"),
            _("完成率（%）"),
            _("通报"),
        ]
        data = (
            [
                r["rank"],
                r["name"],
                r["count"],
                r["annual_plan"],
                r["completed"],
                r["completion_rate"],
                _("激励") if r["mark"] == "praise" else _("鞭策") if r["mark"] == "pressure" else "",
            ]
            for r in rows
        )
        return xlsx_response(f"{title}.xlsx", build_workbook(title, headers, data, money_columns=[3, 4]))
    # Every unit of a province's owners would be a page of megabytes: a page of them at a time, ranked
    # and marked among all of them.
    per_page = query_int(request.GET, "per_page", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/rankings.html",
        {
            "rows": page.object_list,
            "page": page,
            "year": year,
            "month": month,
            "by": by,
            "ranked": RANKED,
            "period": f"{year:04d}-{month:02d}",
            "scope_form": form,
        },
    )


def window_of(request: HttpRequest) -> Window:
    today = timezone.localdate()
    kind = request.GET.get("kind", "quarter")
    kind = kind if kind in PERIOD_KINDS else "quarter"
    limits = {"quarter": 4, "half": 2, "year": 1}
    year = page_year(request.GET)
    number = query_int(
        request.GET, "number", (today.month - 1) // 3 + 1 if kind == "quarter" else 1, 1, limits[kind]
    )
    return Window(year, kind, number)


def group_of(request: HttpRequest) -> str:
    return "department" if request.GET.get("group") == "department" else "town"


@login_required
def assessment(request: AuthenticatedHttpRequest) -> HttpResponse:
    """季考核: weighted scores and ranks of towns/streets or departments."""
    window = window_of(request)
    group = group_of(request)
    result = scores(group, window, request.user)
    if request.GET.get("export") == "xlsx":
        if group == "town":
            title = _("%(window)s重点项目考核（乡镇/街道）") % {"window": window.label}
        else:
            title = _("%(window)s重点项目考核（部门）") % {"window": window.label}
        headers = [_("名次"), _("单位")]
        for indicator in result["indicators"]:
            headers += [
                _("%(name)s（%%）") % {"name": indicator.name},
                _("%(name)s得分（%(weight)s）") % {"name": indicator.name, "weight": indicator.weight},
            ]
        headers.append(_("总分"))
        no_data = _("无数据")
        data = []
        for row in result["rows"]:
            line: list[Any] = [row["rank"], row["unit"].name]
            for cell in row["cells"]:
                line += [
                    no_data if cell["rate"] is None else cell["rate"],
                    _("不计入") if cell["score"] is None else cell["score"],
                ]
            line.append(no_data if row["total"] is None else row["total"])
            data.append(line)
        return xlsx_response(f"{title}.xlsx", build_workbook(title, headers, data))
    return render(
        request,
        "assessment/assessment.html",
        {
            "result": result,
            "window": window,
            "group": group,
            "kinds": PERIOD_KINDS.items(),
            "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
        },
    )


INDICATOR_SETTERS = _lazy("只有管理员或重点办可以设置考核指标。")


class IndicatorForm(forms.ModelForm):
    """One indicator: its data source (chosen once, when it is added), name, weight, target and
    how a unit without data counts."""

    class Meta:
        model = Indicator
        fields = ["code", "name", "weight", "target", "missing", "is_active", "sort_order"]

    def __init__(self, *args: Any, unused: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        if self.instance.pk:
            # The source of an indicator in use stays; a new one is another indicator.
            label = dict(providers.choices()).get(self.instance.code, _("（数据来源已停用）"))
            code.widget = forms.Select(choices=[(self.instance.code, label)])
            code.disabled = True
        else:
            code.widget = forms.Select(choices=[("", _("选择数据来源")), *unused])
            self.fields["name"].required = False

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not self.instance.pk and code not in providers.PROVIDERS:
            raise forms.ValidationError(_("请选择一个数据来源。"))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("code")
        if not self.instance.pk and code in providers.PROVIDERS and not (data.get("name") or "").strip():
            data["name"] = str(providers.PROVIDERS[code].label)
            self.instance.name = data["name"]
        return data


def indicator_formset(request: AuthenticatedHttpRequest) -> Any:
    """The indicators as one form each, plus a blank one to add an indicator from an unused source."""
    used = set(Indicator.objects.values_list("code", flat=True))
    unused = [(code, label) for code, label in providers.choices() if code not in used]
    formset_class = modelformset_factory(
        Indicator, form=IndicatorForm, extra=1 if unused else 0, can_delete=True
    )
    return formset_class(
        request.POST or None, queryset=Indicator.objects.all(), form_kwargs={"unused": unused}
    )


def kept_forms(formset: Any) -> list[Any]:
    """The forms that stay: not marked for removal, and for the blank one, filled in."""
    return [
        form
        for form in formset.forms
        if form not in formset.deleted_forms and (form.instance.pk or form.has_changed())
    ]


@login_required
def indicators(request: AuthenticatedHttpRequest) -> HttpResponse:
    """考核指标设置 (admin): add and remove indicators, their weights, targets and 无数据 rule."""
    if not request.user.is_admin and not request.user.is_coordinator:
        raise PermissionDenied(INDICATOR_SETTERS)
    formset = indicator_formset(request)
    if request.method == "POST" and formset.is_valid():
        kept = kept_forms(formset)
        total = sum((f.cleaned_data["weight"] for f in kept if f.cleaned_data.get("is_active")), Decimal(0))
        if total != 100:
            messages.error(request, _("启用指标的权重合计应为100分，当前为%(t)s分，未保存。") % {"t": total})
        else:
            with transaction.atomic():
                for form in formset.deleted_forms:
                    if form.instance.pk:
                        record(request, OperationLog.Action.DELETE, form.instance)
                        form.instance.delete()
                for form in kept:
                    if not form.has_changed():
                        continue
                    created = form.instance.pk is None
                    before = {k: str(form.initial.get(k)) for k in form.changed_data}
                    indicator = form.save()
                    if created:
                        record(request, OperationLog.Action.CREATE, indicator)
                    else:
                        record(
                            request,
                            OperationLog.Action.UPDATE,
                            indicator,
                            changes={k: [before[k], str(form.cleaned_data[k])] for k in form.changed_data},
                        )
            messages.success(request, _("考核指标已保存。"))
            return redirect("assessment:indicators")
    for form in formset.forms:
        for field in form.fields.values():
            field.widget.attrs["class"] = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
    return render(
        request,
        "assessment/indicators.html",
        {"formset": formset, "providers": providers.PROVIDERS.values(), "missing": MissingData},
    )


def month_of(request: HttpRequest) -> tuple[int, int]:
    """The month of the tables' board: ?year=&month=, by default the last month whose deadline passed."""
    today = timezone.localdate()
    default = (
        (today.year, today.month)
        if monthly_deadline(today.year, today.month) < today
        else ((today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12))
    )
    year = page_year(request.GET, default[0])
    month = query_int(request.GET, "month", default[1] if year == default[0] else 12, 1, 12)
    return year, month


def assessed_units(request: AuthenticatedHttpRequest, group: str) -> Any:
    units = Unit.objects.filter(kind=GROUPS[group][1], is_active=True)
    if not request.user.sees_everything:
        units = units.visible_to(request.user)
    return units.order_by("sort_order", "name")


class SubmissionForm(forms.Form):
    """登记报送: a table the coordinating office received from a unit otherwise than by import."""

    unit = forms.ModelChoiceField(label=_lazy("报送单位"), queryset=Unit.objects.none())
    table = forms.TypedChoiceField(label=_lazy("表格"), choices=Table.choices, coerce=int)
    year = forms.IntegerField(label=_lazy("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_lazy("月份"), min_value=1, max_value=12)
    submitted_on = forms.DateField(
        label=_lazy("收到日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # a ModelChoiceField
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("submitted_on")
        if day and day > timezone.localdate():
            self.add_error("submitted_on", _("收到日期不能晚于今天。"))
        if (
            not self.errors
            and TableSubmission.objects.filter(
                unit=data["unit"], table=data["table"], year=data["year"], month=data["month"]
            ).exists()
        ):
            raise forms.ValidationError(_("该单位本月的这张表已登记报送。"))
        return data


@login_required
def tables(request: AuthenticatedHttpRequest) -> HttpResponse:
    """三类表格报送: each town's or department's 附件1–3 of a month — on time, late, missing."""
    year, month = month_of(request)
    group = group_of(request)
    units = assessed_units(request, group)
    key = GROUPS[group][0]
    scope = Scope(user=request.user)
    entries = scope_entries(year, scope).exclude(**{f"{key}__isnull": True})
    reporting = monthly_reporting(Basis(entries, key, Window(year, "year"), [], scope=scope), month)
    rows = board(units, year, month, reporting)
    form = None
    if request.user.is_coordinator:
        form = SubmissionForm(
            units=Unit.objects.filter(kind__in=[k for _key, k in GROUPS.values()], is_active=True).order_by(
                "kind", "sort_order", "name"
            ),
            initial={"year": year, "month": month, "submitted_on": timezone.localdate()},
        )
    return render(
        request,
        "assessment/tables.html",
        {
            "rows": rows,
            "year": year,
            "month": month,
            "group": group,
            "deadline": monthly_deadline(year, month),
            "tables": Table,
            "form": form,
            "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
            "months": range(1, 13),
        },
    )


@login_required
@require_POST
def record_submission(request: AuthenticatedHttpRequest) -> HttpResponse:
    """登记报送 (重点办): a table received from a unit, dated the day it arrived."""
    require_coordinator(request, _("只有统筹协调（重点办）可以登记表格报送。"))
    units = Unit.objects.filter(kind__in=[k for _key, k in GROUPS.values()], is_active=True)
    form = SubmissionForm(request.POST, units=units)
    if not form.is_valid():
        errors = "；".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, _("未登记：%(errors)s") % {"errors": errors})
        return redirect("assessment:tables")
    data = form.cleaned_data
    # Noon of the day received: on that day in any time zone the office is in.
    moment = timezone.make_aware(datetime.combine(data["submitted_on"], time(12)))
    with transaction.atomic():
        submission = TableSubmission.objects.create(
            unit=data["unit"],
            table=data["table"],
            year=data["year"],
            month=data["month"],
            submitted_at=moment,
            note=data["note"].strip(),
            recorded_by=request.user,
        )
        record(request, OperationLog.Action.CREATE, submission)
    messages.success(request, _("已登记：%(s)s。") % {"s": submission})
    group = "town" if data["unit"].kind == GROUPS["town"][1] else "department"
    return redirect(f"{reverse('assessment:tables')}?year={data['year']}&month={data['month']}&group={group}")


@login_required
@require_POST
def undo_submission(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """撤销登记 (重点办): a table recorded by hand; an import stays its own record."""
    require_coordinator(request, _("只有统筹协调（重点办）可以撤销表格报送登记。"))
    submission = get_object_or_404(TableSubmission, pk=pk, batch__isnull=True)
    with transaction.atomic():
        record(request, OperationLog.Action.DELETE, submission)
        submission.delete()
    messages.success(request, _("已撤销登记：%(s)s。") % {"s": submission})
    return redirect(f"{reverse('assessment:tables')}?year={submission.year}&month={submission.month}")
