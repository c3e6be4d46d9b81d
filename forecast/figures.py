"""年度目标预测 as a figures section (figures.registry): the year-end forecast of the scope."""

from typing import Any

from figures.registry import Context
from forecast.compute import forecast

# The projects most at risk that the section names (the command and the project pages give all).
AT_RISK_SHOWN = 10


def figures_section(context: Context) -> dict[str, Any]:
    """年度目标预测: the scope's forecast year-end (with its range) and the projects most at risk, read
    from the forecasts kept (forecast.cells) where the summary serves the scope. The context's
    entries are the scope's own (plans.scope.scope_entries), so the scope says it all."""
    data = forecast(context.year, context.month, context.scope, limit=AT_RISK_SHOWN, at_risk_only=True)
    return {"forecast": {"total": data["total"], "at_risk": data["projects"], "threshold": data["threshold"]}}
