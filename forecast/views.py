"""年度目标预测 on the project page (a tab, projects.page)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from figures.views import default_period
from forecast import cells
from forecast.compute import forecast
from plans.scope import Scope, scope_entries
from projects.models import Project


def project_tab(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The context of the project page's 年度预测 tab: the project's year-end forecast for the latest
    month with accepted reports, if it is on a plan of that year with an annual plan; from the kept
    forecasts (forecast.cells), or worked out from the tables while another process rebuilds them."""
    year, month = default_period(request.user, timezone.localdate())
    kept = cells.project_forecast(year, month, project.pk)
    if kept is None:
        entries = scope_entries(year, Scope()).filter(project=project)
        data = forecast(year, month, entries=entries)
        row = data["projects"][0] if data["projects"] else None
        kept = {"row": row, "threshold": data["threshold"], "profile_years": data["profile_years"]}
    return {
        "forecast_year": year,
        "forecast_month": month,
        "forecast_row": kept["row"],
        "forecast_threshold": kept["threshold"],
        "forecast_profile_years": kept["profile_years"],
    }
