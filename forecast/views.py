"""年度目标预测 on the project page (a tab, projects.page)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from figures.views import default_period
from forecast.compute import forecast
from plans.scope import Scope, scope_entries
from projects.models import Project


def project_tab(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The context of the project page's 年度预测 tab: the project's year-end forecast for the latest
    month with accepted reports, if it is on a plan of that year with an annual plan."""
    year, month = default_period(request.user, timezone.localdate())
    entries = scope_entries(year, Scope()).filter(project=project)
    data = forecast(year, month, entries=entries)
    return {
        "forecast_year": year,
        "forecast_month": month,
        "forecast_row": data["projects"][0] if data["projects"] else None,
        "forecast_threshold": data["threshold"],
        "forecast_profile_years": data["profile_years"],
    }
