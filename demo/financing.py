"""Demo bank matchmaking (政银企对接): financing needs of about one in six projects on this year's
plans, two matchmaking events with the banks when the demo's day has passed them, and the credit
signed at them or in the weeks after; a few needs closed because the owner found other money."""

import random
from datetime import date, timedelta
from decimal import Decimal

from demo.shared import Cast, day_between, moment, reference_day
from financing.choices import FinancingKind
from financing.models import Bank, FinancingNeed, MatchEvent, Signing
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan, PlanEntry
from projects.choices import ProjectStatus
from projects.models import Project

PURPOSES = [
    "主体工程建设",
    "设备购置及安装",
    "厂房及配套设施建设",
    "征地拆迁及场地平整",
    "管网及配套基础设施建设",
    "流动资金周转",
]
# The events of the year: (month, day, name, place).
EVENTS = [
    (4, 18, "重点项目政银企对接会", "区政务服务中心会议室"),
    (9, 24, "重点项目融资集中签约活动", "区会展中心"),
]


def build(rng: random.Random, today: date) -> dict[str, int]:
    """This year's needs, events and signings; returns counts."""
    as_of = reference_day(today)
    year = today.year
    counts = {"financing_needs": 0, "financing_events": 0, "financing_signings": 0}
    office = Cast.load().coordinator
    banks = list(Bank.objects.filter(is_active=True))
    on_plans = PlanEntry.objects.filter(plan__in=Plan.objects.in_force().filter(year=year)).values(
        "project_id"
    )
    projects = list(
        Project.objects.filter(pk__in=on_plans)
        .exclude(status=ProjectStatus.CANCELLED)
        .filter(total_investment__gte=5000)
        .order_by("pk")
    )
    if not projects or not banks:
        return counts
    chosen = rng.sample(projects, max(1, len(projects) // 6))
    needs = []
    for project in chosen:
        share = Decimal(rng.randint(20, 60)) / 100
        amount = (project.total_investment * share / 100).quantize(Decimal(1)) * 100
        registered = day_between(rng, date(year, 1, 10), min(as_of, date(year, 10, 31)))
        need = FinancingNeed(
            project=project,
            year=year,
            amount=max(amount, Decimal(500)),
            purpose=rng.choice(PURPOSES),
            term_months=rng.choice([36, 60, 96, 120, 180]),
            kind=rng.choice(
                [FinancingKind.PROJECT_LOAN] * 4
                + [FinancingKind.WORKING_CAPITAL, FinancingKind.SYNDICATED, FinancingKind.POLICY]
            ),
            contact=f"{project.owner_unit.name if project.owner_unit else ''} 财务部",
            created_by=office,
            created_at=moment(rng, registered),
        )
        needs.append((need, registered))
    FinancingNeed.objects.bulk_create([need for need, _day in needs])
    counts["financing_needs"] = len(needs)
    organizer = (
        Unit.objects.filter(kind=UnitKind.DEPARTMENT, name__contains="金融").first()
        or Unit.objects.filter(kind=UnitKind.DEPARTMENT, name__contains="发展和改革").first()
    )
    promoted: set[int] = set()
    for month, day, name, place in EVENTS:
        held = date(year, month, day)
        held -= timedelta(days=max(held.weekday() - 4, 0))
        if held > as_of:
            continue
        event = MatchEvent.objects.create(
            held_on=held,
            title=f"{year}年{name}",
            place=place,
            organizer=organizer,
            note="金融部门牵头，向金融机构集中推介重点项目，银企双方现场对接融资需求。",
            created_by=office,
        )
        counts["financing_events"] += 1
        event.banks.set(rng.sample(banks, min(len(banks), rng.randint(4, 7))))
        ready = [need for need, registered in needs if registered <= held and need.pk not in promoted]
        shown = rng.sample(ready, min(len(ready), max(1, len(ready) * 3 // 4))) if ready else []
        event.needs.set(shown)
        attending = list(event.banks.all())
        for need in shown:
            promoted.add(need.pk)
            if rng.random() < 0.55:
                signed_on = (
                    held
                    if rng.random() < 0.6
                    else day_between(rng, held, min(as_of, held + timedelta(days=60)))
                )
                share = Decimal(rng.randint(50, 100)) / 100
                Signing.objects.create(
                    need=need,
                    bank=rng.choice(attending),
                    amount=max((need.amount * share / 100).quantize(Decimal(1)) * 100, Decimal(100)),
                    signed_on=signed_on,
                    event=event if signed_on == held else None,
                    created_by=office,
                )
                counts["financing_signings"] += 1
    waiting = [need for need, _day in needs if need.pk not in promoted]
    for need in rng.sample(waiting, min(len(waiting), 2)):
        need.closed, need.closed_reason = True, "企业通过自有资金解决，不再需要融资"
        need.save(update_fields=["closed", "closed_reason"])
    return counts
