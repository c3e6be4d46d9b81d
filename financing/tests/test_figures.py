"""政银企对接 figures from a known ledger: needs, amount sought, amount signed, by date and by scope;
each need's state; the figures in `figures --json`, on the dashboard and in the API."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from financing.figures import financing_figures
from financing.models import FinancingNeed, MatchEvent
from plans.scope import Scope

pytestmark = pytest.mark.django_db


def test_the_year_sums_needs_sought_and_signed(ledger):
    figures = financing_figures(2026)
    assert {
        k: figures[k]
        for k in ("needs", "sought", "signed_needs", "signed", "banks", "signing_rate", "events")
    } == {
        "needs": 4,
        "sought": Decimal("50000.00"),
        "signed_needs": 2,
        "signed": Decimal("28000.00"),
        "banks": 3,
        "signing_rate": Decimal("56.0"),
        "events": 1,
    }
    assert [(b["bank__name"], b["needs"], b["amount"]) for b in figures["by_bank"]] == [
        ("中国农业发展银行", 1, Decimal("20000.00")),
        ("中国工商银行", 1, Decimal("6000.00")),
        ("国家开发银行", 1, Decimal("2000.00")),
    ]


def test_what_was_signed_counts_by_the_day_it_was_signed(ledger):
    figures = financing_figures(2026, as_of=date(2026, 6, 30))
    assert (figures["needs"], figures["signed_needs"], figures["signed"]) == (4, 1, Decimal("6000.00"))
    assert financing_figures(2026, as_of=date(2026, 5, 19))["events"] == 0


def test_a_unit_counts_its_own_projects_needs(world, ledger):
    figures = financing_figures(2026, Scope(user=world.department))
    assert (figures["needs"], figures["sought"], figures["signed"], figures["signing_rate"]) == (
        2,
        Decimal("15000.00"),
        Decimal("8000.00"),
        Decimal("53.3"),
    )
    assert financing_figures(2026, Scope(user=world.outsider))["needs"] == 0


def test_each_need_has_its_state(ledger):
    # The plugin does not see annotations made inside the queryset's own methods.
    outcomes: Any = FinancingNeed.objects.with_outcome()
    states = dict(outcomes.values_list("pk", "state"))
    assert states == {
        ledger.need_a.pk: "signed",
        ledger.need_b.pk: "signed",
        ledger.need_p.pk: "promoted",
        ledger.need_closed.pk: "closed",
        ledger.need_old.pk: "waiting",
    }
    signed = dict(outcomes.values_list("pk", "signed"))
    assert signed[ledger.need_a.pk] == Decimal("8000.00") and signed[ledger.need_p.pk] == Decimal("0.00")


def test_the_figures_command_and_the_dashboard_show_them(world, ledger, client_for):
    out = StringIO()
    call_command("figures", "--year", "2026", "--month", "12", "--json", stdout=out)
    financing = json.loads(out.getvalue())["financing"]
    assert (financing["needs"], financing["sought"], financing["signed"]) == (4, "50000.00", "28000.00")
    card = client_for(world.coordinator).get("/dashboard/card/financing/?period=2026-12").content.decode()
    assert 'data-testid="financing-card"' in card and ">5.00<" in card and ">2.80<" in card
    api = client_for(world.department).get("/api/financing-needs/figures/?year=2026").json()
    assert (api["needs"], api["signed"]) == (2, "8000.00")


def test_the_list_sums_the_rows_it_shows(world, ledger, client_for):
    page = client_for(world.coordinator).get("/financing/?year=2026&state=signed").content.decode()
    assert (
        "融资需求 2 个，需求金额 40,000.00 万元；已签约 2 个，签约金额 28,000.00 万元，签约率 70.0%。" in page
    )


@pytest.mark.parametrize("as_of", [None, date(2026, 5, 19), date(2026, 6, 30), date(2026, 12, 31)])
@pytest.mark.parametrize(
    "persona", [None, "coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider"]
)
def test_the_summary_gives_the_figures_the_tables_give(world, ledger, persona, as_of):
    scope = Scope(user=getattr(world, persona)) if persona else Scope()
    kept = financing_figures(2026, scope, as_of=as_of)
    assert kept == financing_figures(2026, scope, as_of=as_of, kept=False)


def test_the_summary_answers_when_nothing_was_signed_after_the_day(world, ledger):
    from financing import figures as module

    # Everything signed by the year's end: the cells answer, and the tables are not read.
    assert module.from_cells(2026, Scope(user=world.department), date(2026, 12, 31)) is not None
    # Signed after mid-May: only the tables know what stood then.
    assert module.from_cells(2026, Scope(user=world.department), date(2026, 5, 19)) is None
    # A unit picked on the dashboard narrows the scope beyond the cells' keys.
    assert module.from_cells(2026, Scope(unit=world.housing), None) is None


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "coordinator",
            {"2026年重点项目政银企对接会": (3, Decimal("45000")), "城关专场对接会": (1, Decimal("30000"))},
        ),
        ("department", {"2026年重点项目政银企对接会": (2, Decimal("15000"))}),
        (
            "town_user",
            {"2026年重点项目政银企对接会": (1, Decimal("30000")), "城关专场对接会": (1, Decimal("30000"))},
        ),
        ("owner_a", {"2026年重点项目政银企对接会": (2, Decimal("15000"))}),
        ("outsider", {}),
    ],
)
def test_the_event_list_shows_each_event_once_with_the_users_needs(
    world, client_for, ledger, persona, expected
):
    """An event that recommended two of a department's needs is listed once, counting both; one
    with none of the user's needs is not listed."""
    town_only = MatchEvent.objects.create(held_on=date(2026, 9, 1), title="城关专场对接会")
    town_only.needs.set([ledger.need_b])
    response = client_for(getattr(world, persona)).get("/financing/events/")
    assert response.status_code == 200
    shown = {event.title: (event.need_count, event.sought) for event in response.context["page"]}
    assert shown == expected
    assert response.context["page"].paginator.count == len(expected)
