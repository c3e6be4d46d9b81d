"""政银企对接's summary under simultaneous saves, through a real server: the project's department
registers a new need at the instant the coordinator signs another need of the same project, so that
both saves write the same cells (the year, the responsible unit and the owner). No save fails, and
the cells hold afterwards exactly what the needs and signings give, for every persona.
Run with -s to see the figures."""

import time
from datetime import date
from functools import partial

import pytest
from django.urls import reverse

from financing.choices import FinancingKind
from financing.models import Bank, FinancingNeed, Signing
from financing.tests.test_financing_cells import assert_same, from_cells
from projects.tests import test_concurrency as concurrency

pytestmark = pytest.mark.django_db(transaction=True)

own_connections = concurrency.own_connections
site = concurrency.site

PAIRS = 8


def need_form(amount: int) -> dict[str, object]:
    return {
        "year": 2026,
        "amount": str(amount),
        "purpose": "设备购置",
        "term_months": 60,
        "kind": FinancingKind.PROJECT_LOAN,
        "contact": "李会计 13800000000",
        "note": "",
    }


def signing_form(bank: Bank, amount: int, pair: int) -> dict[str, object]:
    return {
        "bank": bank.pk,
        "amount": str(amount),
        "signed_on": date(2026, 9, 1 + pair).isoformat(),
        "event": "",
        "note": "",
    }


def test_a_need_and_a_signing_of_one_project_saved_together_leave_the_cells_right(site, ledger) -> None:
    world, browsers = site
    assert_same(world)
    department, coordinator = browsers["department"], browsers["coordinator"]
    banks = list(Bank.objects.filter(is_active=True).order_by("pk")[:3])
    create = reverse("financing:need_create", args=[world.project_a.pk])
    sign = reverse("financing:signing_create", args=[ledger.need_p.pk])
    started = time.perf_counter()
    statuses: list[int] = []
    for pair in range(PAIRS):
        pages = [department.get(create), coordinator.get(sign)]
        replies = concurrency.together(
            partial(department.post, create, need_form(1000 + pair), pages[0]),
            partial(coordinator.post, sign, signing_form(banks[pair % 3], 100 + pair, pair), pages[1]),
        )
        statuses.extend(reply.status for reply in replies)
        assert_same(world)
    whole = from_cells(None)
    print(
        f"\n{PAIRS} pairs of a need and a signing: {statuses.count(302)} saved, "
        f"{time.perf_counter() - started:.1f} s; 需求 {whole['needs']}, 签约 {whole['signed']} 万元"
    )
    assert statuses == [302] * (2 * PAIRS)
    assert FinancingNeed.objects.filter(purpose="设备购置").count() == PAIRS
    assert Signing.objects.filter(need=ledger.need_p).count() == PAIRS
