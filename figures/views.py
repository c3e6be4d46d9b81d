import json
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from figures import registry
from figures.compute import STATUS_GROUPS, Scope, compute
from figures.forms import ScopeForm, scope_query
from lib.dates import months_so_far
from lib.numbers import elapsed_of_year
from lib.requests import AuthenticatedHttpRequest
from lib.xlsx import build_workbook, xlsx_response
from org.models import User
from plans.scope import scope_entries
from progress.choices import ReportState
from progress.models import Report, period_seq
from progress.periods import Period
from projects.querysets import any_in_scope

STATUSES_OF_GROUP = {name: statuses for name, _label, statuses in STATUS_GROUPS}
# How many months back from today the figures look, one by one, for the latest accepted report,
# before asking for the latest of all.
RECENT_MONTHS = 3


def picked_period(request: HttpRequest) -> tuple[int, int] | None:
    """The year and month of the period picker, or None when absent or malformed."""
    try:
        year, month = (int(part) for part in request.GET.get("period", "").split("-")[:2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return None


def period_of(request: HttpRequest) -> tuple[int, int]:
    """The year and month of the period picker; when absent or malformed, the latest month with
    accepted reports the user can see (see default_period)."""
    return picked_period(request) or default_period(request.user, timezone.localdate())


def default_period(user: User | AnonymousUser, today: date) -> tuple[int, int]:
    """The month the figures open on: the latest with accepted reports, this month's included as
    soon as one is accepted; with none yet, the latest month whose reporting deadline has passed."""
    return latest_accepted_month(user, today) or latest_reported_month(today)


def latest_accepted_month(user: User | AnonymousUser, today: date) -> tuple[int, int] | None:
    """The latest month up to today's with a report accepted (已审核) among the user's projects.

    The recent months are asked one by one, newest first: each answer is the first accepted report
    of one month found through the index on (year, month, state), where asking for the latest of
    all would sort every accepted report of a unit's projects."""
    accepted = Report.objects.filter(state=ReportState.ACCEPTED)
    in_scope = any_in_scope(user)
    year, month = today.year, today.month
    for _step in range(RECENT_MONTHS):
        if in_scope(accepted.filter(year=year, month=month)):
            return year, month
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    latest = (
        Report.objects.visible_to(user)
        .filter(state=ReportState.ACCEPTED, seq__lte=period_seq(year, month, 9))
        .order_by("-seq")
        .values_list("year", "month")
        .first()
    )
    return (latest[0], latest[1]) if latest else None


def latest_reported_month(today: date) -> tuple[int, int]:
    """The latest month whose reporting deadline has passed (before it, last month)."""
    if today > Period(today.year, today.month).deadline:
        return today.year, today.month
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def period_notes(year: int, month: int, today: date) -> dict[str, str]:
    """What the figures' page says of its period: the month the data reaches, and how its time
    progress is counted (by days while the month is under way, else at the month's end)."""
    notes = {
        "data": _("数据截至%(y)d年%(m)d月（已审核月报）") % {"y": year, "m": month},
        "time_progress": "",
    }
    elapsed, whole = elapsed_of_year(year, month, today)
    if whole != 12:
        notes["time_progress"] = _("时间进度按日计算（%(m)d月%(d)d日，已过%(e)d/%(w)d天）") % {
            "m": today.month,
            "d": today.day,
            "e": elapsed,
            "w": whole,
        }
    return notes


def scope_form(request: HttpRequest) -> ScopeForm:
    """The scope filters of a figures page, read from its query string for the user."""
    return ScopeForm(request.GET, user=request.user)


def scope_of(request: HttpRequest) -> Scope:
    """The scope a figures page shows: the valid filters of its query string, within the user's data."""
    return scope_form(request).scope()


# The project list's filters that a scope's unit, town, category, nature, size and list become.
LIST_FILTERS = {
    "unit": "responsible_unit",
    "town": "town",
    "category": "category",
    "nature": "investment_nature",
    "min_total": "min_total",
    "list": "project_list",
}


def list_link(year: int, scope: Scope, **filters: Any) -> str:
    """The project list filtered as a chart's slice (within the scope), for click-through."""
    params: list[tuple[str, Any]] = [("plan_year", year)]
    narrowing = scope_query(scope)
    level = narrowing.pop("level", None)
    if level:
        params.append(("plan_level", level))
    for name, value in narrowing.items():
        if LIST_FILTERS[name] not in filters:
            params.append((LIST_FILTERS[name], value))
    for name, value in filters.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            params.append((name, item))
    return f"{reverse('projects:list')}?{urlencode(params)}"


def chart_tables(data: dict[str, Any], year: int, scope: Scope) -> dict[str, dict[str, Any]]:
    """Each chart's rows: what it draws, what its .xlsx holds, where a click leads.

    In the dashboard's order: the half-width charts in pairs (towns beside status), the unit ranking
    full width below them.
    """
    return {
        "monthly": {
            "title": _("累计完成投资与时间进度"),
            "series": [_("累计完成投资"), _("按时间进度应完成"), _("完成率"), _("时间进度")],
            "headers": [
                _("月份"),
                _("累计完成投资（万元）"),
                _("按时间进度应完成（万元）"),
                _("完成率（%）"),
                _("时间进度（%）"),
            ],
            "rows": [
                [
                    _("{}月").format(m["month"]),
                    m["completed"],
                    m["planned_to_date"],
                    m["completion_rate"],
                    m["time_progress"],
                ]
                for m in data["monthly"]
            ],
        },
        "category": {
            "title": _("按项目类别"),
            "headers": [
                _("类别"),
                _("项目数"),
                _("年度计划投资（万元）"),
                _("完成投资（万元）"),
                _("完成率（%）"),
                _("占完成投资（%）"),
            ],
            "rows": [
                [
                    r["label"],
                    r["count"],
                    r["annual_plan"],
                    r["completed"],
                    r["completion_rate"],
                    r["completed_share"],
                ]
                for r in data["by_category"]
            ],
            "links": [list_link(year, scope, category=r["key"]) for r in data["by_category"]],
        },
        "level": {
            "title": _("按计划级别"),
            "series": [_("年度计划投资"), _("完成投资"), _("完成率")],
            "headers": [
                _("级别"),
                _("项目数"),
                _("年度计划投资（万元）"),
                _("完成投资（万元）"),
                _("完成率（%）"),
            ],
            "rows": [
                [r["label"], r["count"], r["annual_plan"], r["completed"], r["completion_rate"]]
                for r in data["by_level"]
            ],
            "links": [list_link(year, replace(scope, level=r["key"])) for r in data["by_level"]],
        },
        "status": {
            "title": _("按项目状态"),
            "headers": [_("状态"), _("项目数"), _("占比（%）")],
            "rows": [[r["label"], r["count"], r["share"]] for r in data["by_status"]],
            # Every status group is listed, with no project in any of them there is nothing to draw.
            "empty": not any(r["count"] for r in data["by_status"]),
            "links": [
                list_link(year, scope, status=list(STATUSES_OF_GROUP[r["key"]])) for r in data["by_status"]
            ],
        },
        "towns": {
            "title": _("乡镇/街道完成情况"),
            "series": [_("年度计划投资"), _("完成投资"), _("完成率")],
            "headers": [
                _("名次"),
                _("乡镇/街道"),
                _("项目数"),
                _("年度计划投资（万元）"),
                _("完成投资（万元）"),
                _("完成率（%）"),
            ],
            "rows": [
                [r["rank"], r["name"], r["count"], r["annual_plan"], r["completed"], r["completion_rate"]]
                for r in data["ranking_towns"]
            ],
            "links": [list_link(year, scope, town=r["unit_id"]) for r in data["ranking_towns"]],
        },
        "units": {
            "title": _("责任单位完成情况排名"),
            "series": [_("年度计划投资"), _("完成投资"), _("完成率")],
            "headers": [
                _("名次"),
                _("责任单位"),
                _("项目数"),
                _("年度计划投资（万元）"),
                _("完成投资（万元）"),
                _("完成率（%）"),
            ],
            "rows": [
                [r["rank"], r["name"], r["count"], r["annual_plan"], r["completed"], r["completion_rate"]]
                for r in data["ranking_units"]
            ],
            "links": [list_link(year, scope, responsible_unit=r["unit_id"]) for r in data["ranking_units"]],
        },
    }


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """首页仪表盘: the figures of the user's scope for a month, every chart clickable and downloadable."""
    today = timezone.localdate()
    year, month = picked_period(request) or default_period(request.user, today)
    form = scope_form(request)
    scope = form.scope()
    data = compute(year, month, scope, work=False, today=today)
    charts = chart_tables(data, year, scope)
    query = urlencode({"period": f"{year:04d}-{month:02d}", **scope_query(scope)})
    return render(
        request,
        "figures/dashboard.html",
        {
            "data": data,
            "year": year,
            "month": month,
            "period": f"{year:04d}-{month:02d}",
            "notes": period_notes(year, month, today),
            "scope_form": form,
            "query": query,
            "charts": charts,
            "charts_json": json.dumps(charts, cls=DjangoJSONEncoder, ensure_ascii=False),
            "cards": list(registry.cards()),
        },
    )


@login_required
def section_card(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """A registered section's dashboard card (figures.registry.cards), for the period and scope of
    the dashboard's query string, loaded by the page after itself."""
    template = registry.cards().get(name)
    if template is None:
        raise Http404(_("没有这个栏目。"))
    year, month = period_of(request)
    scope = scope_of(request)
    context = registry.Context(year, month, scope, scope_entries(year, scope))
    query = urlencode({"period": f"{year:04d}-{month:02d}", **scope_query(scope)})
    section = registry.sections()[name]
    return render(request, template, {"year": year, "month": month, "query": query, **section(context)})


@login_required
def chart_data(request: AuthenticatedHttpRequest, chart: str) -> HttpResponse:
    """One chart's data as .xlsx, with the same numbers the chart draws."""
    year, month = period_of(request)
    scope = scope_of(request)
    data = compute(year, month, scope, work=False, today=timezone.localdate())
    charts = chart_tables(data, year, scope)
    if chart not in charts:
        raise Http404(_("没有这个图表。"))
    table = charts[chart]
    title = f"{months_so_far(year, month)} {table['title']}"
    return xlsx_response(f"{title}.xlsx", build_workbook(title, table["headers"], table["rows"]))
