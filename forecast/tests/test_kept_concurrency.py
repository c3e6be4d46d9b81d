"""年度目标预测's summary under simultaneous requests, through a real server: the first people to open
the dashboard's card at the same instant build the month once, and a card read while a plan
entry is saved leaves the rows what the tables give. Run with -s to see the figures."""

import threading
import time
from functools import partial

import pytest
from django.db import connection
from django.db.models import F

from forecast.models import ForecastBuild, ForecastRow
from forecast.tests.conftest import MONTHS, YEAR
from forecast.tests.test_kept import assert_same
from forecast.tests.test_pages import CARD
from plans.models import PlanEntry
from projects.tests import test_concurrency as concurrency

pytestmark = pytest.mark.django_db(transaction=True)

own_connections = concurrency.own_connections
site = concurrency.site

PAIRS = 6


def headline(reply: concurrency.Reply) -> str:
    start = reply.text.index('data-testid="forecast-headline"')
    return reply.text[start : reply.text.index("</div>", start)]


def test_the_first_cards_opened_together_build_the_month_once(site, portfolio) -> None:
    world, browsers = site
    replies = concurrency.together(
        *(partial(browsers[name].request, "GET", CARD, None, None) for name in ("coordinator", "department"))
    )

    assert [reply.status for reply in replies] == [200, 200]
    assert "按目前进度，预计全年完成 75.0%" in headline(replies[0])
    assert ForecastBuild.objects.filter(year=YEAR, month=MONTHS).count() == 1
    assert ForecastRow.objects.count() == 3
    assert_same(world)


def test_cards_read_while_plans_are_saved_stay_right(site, portfolio) -> None:
    world, browsers = site
    coordinator = browsers["coordinator"]
    assert coordinator.get(CARD).status == 200
    entry = PlanEntry.objects.get(project=portfolio.steady, plan__year=YEAR)

    def save(start: threading.Barrier) -> concurrency.Reply:
        try:
            start.wait()
            PlanEntry.objects.filter(pk=entry.pk).update(annual_investment=F("annual_investment") + 100)
            return concurrency.Reply(200, None, "")  # type: ignore[arg-type]  # no response to a save made here
        finally:
            connection.close()

    started = time.perf_counter()
    statuses = []
    for _pair in range(PAIRS):
        replies = concurrency.together(partial(coordinator.request, "GET", CARD, None, None), save)
        statuses.append(replies[0].status)
        assert_same(world)
    entry.refresh_from_db()
    print(
        f"\n{PAIRS} cards read while the plan was saved: {time.perf_counter() - started:.1f} s; "
        f"年度计划投资 {entry.annual_investment} 万元"
    )
    assert statuses == [200] * PAIRS
    assert entry.annual_investment == 1200 + 100 * PAIRS
    assert (
        ForecastRow.objects.filter(project_id=portfolio.steady.pk).get().plan_cents
        == (1200 + 100 * PAIRS) * 100
    )
