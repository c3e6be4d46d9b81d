from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import modelformset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Indicator
from assessment.scores import PERIOD_KINDS, Window, scores
from audit.changes import record
from audit.models import OperationLog
from figures.compute import ranking
from figures.views import period_of, scope_of
from lib.dates import months_so_far
from lib.params import page_year, query_int
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from plans.choices import PlanLevel
from plans.scope import Scope, scope_entries


def praise_and_pressure(rows: list[dict[str, Any]], size: int = 5) -> tuple[set[int], set[int]]:
    """激励 the first five, 鞭策 the last five — never the same unit in both when there are few."""
    top = min(size, len(rows) // 2)
    bottom = min(size, len(rows) - top)
    first = {r["unit_id"] for r in rows[:top]}
    last = {r["unit_id"] for r in rows[len(rows) - bottom :]} if bottom else set()
    return first, last - first


def ranking_rows(request: HttpRequest) -> tuple[int, int, str, Scope, list[dict[str, Any]]]:
    year, month = period_of(request)
    scope = scope_of(request)
    by = "town" if request.GET.get("by") == "town" else "unit"
    rows = ranking(scope_entries(year, scope), year, month, by)
    first, last = praise_and_pressure(rows)
    for row in rows:
        row["mark"] = "praise" if row["unit_id"] in first else "pressure" if row["unit_id"] in last else ""
    return year, month, by, scope, rows


@login_required
def rankings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """月度排名: units or towns by annual plan completion rate, the first five and the last five named."""
    year, month, by, scope, rows = ranking_rows(request)
    if request.GET.get("export") == "xlsx":
        title = _("%(span)s%(w)s重点项目完成投资排名") % {
            "span": months_so_far(year, month),
            "w": _("乡镇/街道") if by == "town" else _("责任单位"),
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
    return render(
        request,
        "assessment/rankings.html",
        {
            "rows": rows,
            "year": year,
            "month": month,
            "by": by,
            "period": f"{year:04d}-{month:02d}",
            "level": scope.level or "",
            "levels": PlanLevel.choices,
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


@login_required
def assessment(request: AuthenticatedHttpRequest) -> HttpResponse:
    """季考核: weighted scores and ranks of towns/streets or departments."""
    window = window_of(request)
    group = "department" if request.GET.get("group") == "department" else "town"
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
        data = []
        for row in result["rows"]:
            line: list[Any] = [row["rank"], row["unit"].name]
            for cell in row["cells"]:
                line += [cell["rate"], cell["score"]]
            line.append(row["total"])
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


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "weight", "target", "is_active", "sort_order"]


@login_required
def indicators(request: AuthenticatedHttpRequest) -> HttpResponse:
    """考核指标设置 (admin): weights and targets."""
    if not request.user.is_admin and not request.user.is_coordinator:
        raise PermissionDenied(_("只有管理员或重点办可以设置考核指标。"))
    formset_class = modelformset_factory(Indicator, form=IndicatorForm, extra=0)
    formset = formset_class(request.POST or None, queryset=Indicator.objects.all())
    if request.method == "POST" and formset.is_valid():
        total = sum(
            (f.cleaned_data["weight"] for f in formset.forms if f.cleaned_data.get("is_active")), Decimal(0)
        )
        if total != 100:
            messages.error(request, _("启用指标的权重合计应为100分，当前为%(t)s分，未保存。") % {"t": total})
        else:
            for form in formset.forms:
                if form.has_changed():
                    before = {k: str(form.initial.get(k)) for k in form.changed_data}
                    indicator = form.save()
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
                else "form-control form-control-sm"
            )
    return render(request, "assessment/indicators.html", {"formset": formset})
