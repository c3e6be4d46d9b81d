"""Demo funding and elements (资金与要素保障): this year's funding by source for about 40% of the
projects — special bonds with their issue batches and spending, some behind pace — and the land,
energy, water and power the projects still being prepared need, with the departments that supply them.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from catalog.models import FundingSource
from demo.projects import DEPARTMENTS
from demo.shared import Cast, day_between, pick, reference_day
from elements.choices import SPECIAL_BOND, ElementStatus, IndicatorSource
from elements.models import ElementNeed, ElementType, FundingRecord
from lib.dates import add_months
from org.models import Unit
from plans.models import Plan, PlanEntry
from projects.choices import ConstructionNature, InvestmentNature, ProjectStatus
from projects.models import Project

CENT = Decimal("0.01")
# Issue batches of the province's special bonds: (month, batch name).
BOND_BATCHES = [(2, "一"), (3, "三"), (5, "五"), (7, "八"), (9, "十一"), (11, "十四")]
DOCUMENTS = {
    "central_budget": "豫发改投资〔{y}〕{n}号",
    "ultra_long_bond": "发改投资〔{y}〕{n}号",
    "provincial_special": "豫财建〔{y}〕{n}号",
    "municipal_special": "市财建〔{y}〕{n}号",
    "fiscal": "示财预〔{y}〕{n}号",
    "policy_finance": "国开基金〔{y}〕{n}号",
}
# Which department supplies each element type, by department key (demo.projects.DEPARTMENTS).
SUPPLIERS = {
    "land": "land",
    "forest": "land",
    "energy": "drc",
    "water": "water",
    "electricity": "industry",
    "gas": "urban",
    "environment": "ecology",
}
# Needed quantities, in each type's unit.
QUANTITIES = {
    "land": (15, 600),
    "forest": (5, 60),
    "energy": (800, 40_000),
    "water": (5, 180),
    "electricity": (1_000, 40_000),
    "gas": (10, 500),
    "environment": (5, 150),
}
WAITING_NOTES = {
    "land": ["已列入省重点项目用地保障清单，正在组卷报批", "土地征收补偿方案已公告，等待报批", "需增减挂钩指标，正在落实"],
    "forest": ["使用林地可行性报告已编制，待审核"],
    "energy": ["能耗等量替代方案编制中", "已报市发改委统筹能耗指标"],
    "water": ["取水许可申请已受理", "配套供水管网设计中"],
    "electricity": ["供电方案已答复，配套线路施工中", "需新建10千伏专线，正在协调路径"],
    "gas": ["燃气接驳方案已确定，待施工"],
    "environment": ["主要污染物排放总量指标待市局调剂"],
}  # fmt: skip


def build(rng: random.Random, today: date) -> dict[str, int]:
    """Funding records and element needs; returns counts."""
    as_of = reference_day(today)
    cast = Cast.load()
    departments = {key: cast.unit(name) for name, _short, key, _abbr in DEPARTMENTS}
    counts = funding(rng, today.year, as_of)
    counts.update(elements(rng, today.year, as_of, departments))
    return counts


def money(value: float) -> Decimal:
    return Decimal(round(value, -1) if value >= 100 else round(value, 1)).quantize(CENT)


def funding(rng: random.Random, year: int, as_of: date) -> dict[str, int]:
    sources = {s.code: s for s in FundingSource.objects.all()}
    counts = {"funding_records": 0, "funding_projects": 0, "special_bonds": 0}
    if not sources or as_of.year < year:
        return counts
    annual = dict(
        PlanEntry.objects.filter(plan__in=Plan.objects.in_force().filter(year=year))
        .order_by()
        .values_list("project_id")
        .annotate(amount=Max("annual_investment"))
    )
    funded = [pk for pk, amount in annual.items() if amount and amount > 0]
    projects = list(Project.objects.filter(pk__in=funded).select_related("category").order_by("pk"))
    wanted = round(Project.objects.count() * 0.4)
    bonded = [p for p in projects if p.has_special_bond]
    others = [p for p in projects if not p.has_special_bond]
    chosen = bonded + rng.sample(others, max(0, min(wanted - len(bonded), len(others))))
    batches = [
        (date(year, m, rng.randint(10, 28)), f"{year}年河南省政府专项债券（{n}期）") for m, n in BOND_BATCHES
    ]
    batches = [b for b in batches if b[0] <= as_of - timedelta(days=10)]
    serial: dict[str, int] = {}
    rows: list[FundingRecord] = []
    for project in sorted(chosen, key=lambda p: p.pk):
        base = float(annual[project.pk])
        government = project.investment_nature == InvestmentNature.GOVERNMENT
        mix: list[tuple[str, float]] = []
        if government:
            if project.has_special_bond and batches:
                mix.append((SPECIAL_BOND, rng.uniform(3, 6)))
            if project.category.code != "industry" and rng.random() < 0.3:
                mix.append(("central_budget", rng.uniform(1, 2)))
            if rng.random() < 0.12:
                mix.append(("ultra_long_bond", rng.uniform(2, 3)))
            if rng.random() < 0.15:
                mix.append((pick(rng, ["provincial_special", "municipal_special"]), rng.uniform(0.5, 1)))
            if project.total_investment >= 50_000 and rng.random() < 0.2:
                mix.append(("policy_finance", rng.uniform(1, 2)))
            if project.is_ppp:
                mix.append(("social_capital", rng.uniform(2, 4)))
            if project.category.code == "infrastructure" and rng.random() < 0.25:
                mix.append(("bank_loan", rng.uniform(1, 3)))
            mix.append(("fiscal", rng.uniform(1, 3)))
        else:
            mix.append(("self_raised", rng.uniform(3, 6)))
            if rng.random() < 0.5:
                mix.append(("bank_loan", rng.uniform(1, 4)))
            if rng.random() < 0.1:
                mix.append(("provincial_special", rng.uniform(0.3, 0.6)))
        mix = [(code, weight) for code, weight in mix if code in sources]
        weights = sum(w for _c, w in mix)
        for code, weight in mix:
            planned = money(base * weight / weights)
            if planned <= 0:
                continue
            record = FundingRecord(project=project, source=sources[code], year=year, planned=planned)
            if code == SPECIAL_BOND:
                bond(rng, record, as_of, batches)
                counts["special_bonds"] += 1
            else:
                flow(rng, record, code, year, as_of, serial)
            rows.append(record)
    FundingRecord.objects.bulk_create(rows, batch_size=500)
    counts["funding_records"] = len(rows)
    counts["funding_projects"] = len({r.project_id for r in rows})
    return counts


def flow(
    rng: random.Random, record: FundingRecord, code: str, year: int, as_of: date, serial: dict[str, int]
) -> None:
    """Approved, arrived and spent of a source other than special bonds, with its document."""
    elapsed = (as_of - date(year, 1, 1)).days / 365
    record.approved = money(float(record.planned) * rng.uniform(0.8, 1.0))
    record.arrived = money(float(record.approved) * min(1.0, rng.uniform(0.4, 1.2) * max(elapsed, 0.2)))
    record.spent = money(float(record.arrived) * rng.uniform(0.5, 1.0))
    record.approved_on = day_between(rng, date(year, 1, 15), as_of - timedelta(days=30))
    if record.arrived:
        record.arrived_on = day_between(rng, record.approved_on + timedelta(days=10), as_of)
    if code in DOCUMENTS:
        serial[code] = serial.get(code, rng.randint(5, 30)) + rng.randint(1, 12)
        record.document_number = DOCUMENTS[code].format(y=year, n=serial[code])


def bond(rng: random.Random, record: FundingRecord, as_of: date, batches: list[tuple[date, str]]) -> None:
    """A special bond: issued in a batch, transferred soon after, spent on pace or behind it."""
    issued, name = pick(rng, batches)
    record.issued_on, record.issue_batch = issued, name
    record.approved = record.planned
    record.approved_on = issued
    record.arrived = record.approved
    record.arrived_on = min(issued + timedelta(days=rng.randint(5, 20)), as_of)
    window = (add_months(issued, settings.SPECIAL_BOND_SPEND_MONTHS) - issued).days
    # The pace expected by the end of the month after the reference day: the days the demo is looked at.
    horizon = add_months(as_of + timedelta(days=1), 1) - timedelta(days=1)
    expected = min((horizon - issued).days / window, 1.0)
    roll = rng.random()
    # On pace, somewhat behind (黄灯) or far behind (红灯, more than 30 points).
    pace = (
        rng.uniform(1.0, 1.1)
        if roll < 0.55
        else rng.uniform(0.75, 0.95)
        if roll < 0.85
        else rng.uniform(0.2, 0.5)
    )
    record.spent = min(money(float(record.approved) * expected * pace), record.arrived)
    record.note = (
        "" if pace >= 1 else "工程款支付进度滞后" if pace > 0.6 else "项目前期手续未完成，资金支出缓慢"
    )


def elements(
    rng: random.Random, year: int, as_of: date, departments: dict[str, Unit | None]
) -> dict[str, int]:
    types = {t.code: t for t in ElementType.objects.filter(is_active=True)}
    counts = {"element_needs": 0, "element_needs_waiting": 0}
    if not types:
        return counts
    preparing = list(
        Project.objects.filter(status__in=[ProjectStatus.PRELIMINARY, ProjectStatus.RESERVE])
        .select_related("category", "industry")
        .order_by("pk")
    )
    started = list(
        Project.objects.filter(status=ProjectStatus.CONSTRUCTION, actual_start_date__year=year)
        .select_related("category", "industry")
        .order_by("pk")
    )
    rows: list[ElementNeed] = []
    for project in preparing + rng.sample(started, len(started) // 2):
        wanted = needs_of(rng, project)
        for code in wanted:
            element = types.get(code)
            supplier = departments.get(SUPPLIERS[code]) or (element.department if element else None)
            if element is None or supplier is None:
                continue
            rows.append(need(rng, project, element, supplier, as_of))
    ElementNeed.objects.bulk_create(rows, batch_size=500)
    counts["element_needs"] = len(rows)
    counts["element_needs_waiting"] = sum(1 for r in rows if r.status != ElementStatus.SECURED)
    return counts


def needs_of(rng: random.Random, project: Project) -> list[str]:
    """The elements a project of its kind needs."""
    industry = project.industry.code if project.industry else ""
    codes: list[str] = []
    if project.construction_nature != ConstructionNature.RENOVATION:
        codes.append("land")
    if project.category.code == "industry":
        codes += ["energy", "electricity"]
        if industry in ("manufacturing", "energy"):
            codes.append("environment")
        if industry in ("manufacturing", "agriculture", "digital") and rng.random() < 0.5:
            codes.append(pick(rng, ["water", "gas"]))
    elif industry in ("ecology", "transport", "water") and rng.random() < 0.3:
        codes.append("forest")
    elif project.total_investment >= 20_000 and rng.random() < 0.3:
        codes.append("electricity")
    return codes


def need(
    rng: random.Random, project: Project, element: ElementType, supplier: Unit, as_of: date
) -> ElementNeed:
    low, high = QUANTITIES.get(element.code, (1, 100))
    needed = Decimal(rng.randint(low, high)).quantize(CENT)
    if project.status == ProjectStatus.CONSTRUCTION:
        status = ElementStatus.SECURED
    else:
        roll = rng.random()
        status = (
            ElementStatus.PENDING
            if roll < 0.35
            else ElementStatus.COORDINATING
            if roll < 0.7
            else ElementStatus.SECURED
        )
    secured = (
        needed
        if status == ElementStatus.SECURED
        else (needed * Decimal(rng.uniform(0.2, 0.8))).quantize(Decimal("1"))
        if status == ElementStatus.COORDINATING
        else Decimal(0)
    )
    row = ElementNeed(
        project=project,
        type=element,
        needed=needed,
        secured=secured,
        status=status,
        department=supplier,
        needed_by=(
            project.planned_start_date - timedelta(days=30)
            if project.planned_start_date and project.planned_start_date > as_of
            else as_of + timedelta(days=rng.randint(30, 120))
        )
        if status != ElementStatus.SECURED
        else None,
        note=pick(rng, WAITING_NOTES.get(element.code, [""])) if status != ElementStatus.SECURED else "",
    )
    if element.tracks_cultivated:
        row.cultivated_needed = (needed * Decimal(rng.uniform(0, 0.6))).quantize(CENT)
        row.cultivated_secured = min(row.cultivated_needed, secured)
        row.indicator_source = (
            pick(rng, [IndicatorSource.PROVINCIAL, IndicatorSource.MUNICIPAL, IndicatorSource.LOCAL,
                       IndicatorSource.LINKAGE, IndicatorSource.STOCK])
            if status != ElementStatus.PENDING
            else ""
        )  # fmt: skip
    return row
