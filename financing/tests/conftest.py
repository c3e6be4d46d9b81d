"""Financing needs of the personas' projects in 2026, one matchmaking event and three signings.

need_a (project_a, 1亿) signed 6000 at the event on 5月20日 and 2000 on 7月1日; need_b (project_b,
3亿) signed 2亿 on 8月10日; need_p (project_a, 5000) recommended at the event, not signed; need_closed
(project_b, 5000) closed; need_old (project_a, 2025, 3000) waiting."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from financing.models import Bank, FinancingNeed, MatchEvent, Signing


@dataclass
class Ledger:
    need_a: FinancingNeed
    need_b: FinancingNeed
    need_p: FinancingNeed
    need_closed: FinancingNeed
    need_old: FinancingNeed
    event: MatchEvent
    signing: Signing


def need(project, amount: str, year: int = 2026, **extra) -> FinancingNeed:
    return FinancingNeed.objects.create(
        project=project, year=year, amount=Decimal(amount), purpose="项目建设", term_months=120, **extra
    )


@pytest.fixture
def ledger(world) -> Ledger:
    icbc, cdb, adbc = (Bank.objects.get(code=code) for code in ("icbc", "cdb", "adbc"))
    need_a = need(world.project_a, "10000")
    need_b = need(world.project_b, "30000")
    need_p = need(world.project_a, "5000")
    need_closed = need(world.project_b, "5000", closed=True, closed_reason="企业自筹解决")
    need_old = need(world.project_a, "3000", year=2025)
    event = MatchEvent.objects.create(held_on=date(2026, 5, 20), title="2026年重点项目政银企对接会")
    event.banks.set([icbc, cdb, adbc])
    event.needs.set([need_a, need_b, need_p])
    signing = Signing.objects.create(
        need=need_a, bank=icbc, amount=Decimal("6000"), signed_on=date(2026, 5, 20), event=event
    )
    Signing.objects.create(need=need_a, bank=cdb, amount=Decimal("2000"), signed_on=date(2026, 7, 1))
    Signing.objects.create(need=need_b, bank=adbc, amount=Decimal("20000"), signed_on=date(2026, 8, 10))
    return Ledger(need_a, need_b, need_p, need_closed, need_old, event, signing)
