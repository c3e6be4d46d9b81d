"""Demo pipeline (项目谋划): next year's proposed projects with their levels and readiness, and two
review rounds (深度谋划) with their decisions.

The projects are the registry's reserve projects first, then preliminary ones due to start next year
or slipped from this year; a few new reserve projects are added when that is not enough. Decisions
go through ReviewRound.decide, whose times are then set back to the day of the round.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count

from catalog.models import Category, IndustryField, ProcedureType
from demo.projects import DEMO_OWNER
from demo.shared import Cast, moment, pick, reference_day
from org.models import User
from pipeline.choices import Decision, Readiness
from pipeline.models import PipelineEntry, ReviewDecision, ReviewRound
from plans.choices import PlanType
from plans.models import Plan, PlanEntry
from projects.choices import InvestmentNature, ProcedureStatus, ProjectStatus
from projects.models import Procedure, Project

# New reserve projects when the registry has too few: name, category, industry, owner, content,
# total investment range in 万元.
NEW_PROJECTS = [
    ("示范区城东片区城市更新项目", "infrastructure", "urban_renewal", DEMO_OWNER,
     "改造老旧街巷、地下管网及公共空间，建设口袋公园和便民服务设施", (20_000, 120_000)),
    ("示范区第二水厂扩建工程", "infrastructure", "water", "示范区水务投资有限公司",
     "新增供水规模10万吨/日，配套建设输水管网28公里", (30_000, 80_000)),
    ("示范区老年养护院建设项目", "social", "health", "示范区社会福利服务中心",
     "总建筑面积2.6万平方米，设置养护床位500张", (8_000, 20_000)),
    ("示范区低空经济产业园", "industry", "digital", "示范区产业发展投资集团有限公司",
     "建设无人机研发制造基地、试飞场及配套设施，总建筑面积12万平方米", (50_000, 200_000)),
    ("示范区职业教育实训基地建设项目", "social", "education", "示范区职业教育中心",
     "建设实训楼、产教融合中心及学生公寓，总建筑面积4.5万平方米", (10_000, 30_000)),
    ("金堤河生态廊道（三期）建设项目", "infrastructure", "ecology", DEMO_OWNER,
     "治理河道9公里，建设滨水绿道、湿地及配套服务设施", (15_000, 60_000)),
    ("示范区应急物资储备库建设项目", "infrastructure", "municipal", "示范区市政工程管理处",
     "建设应急物资储备库房2万平方米及配套设施", (5_000, 15_000)),
    ("示范区新能源汽车零部件产业园", "industry", "manufacturing", "示范区产业发展投资集团有限公司",
     "建设标准化厂房20万平方米及研发中心、配套设施", (60_000, 300_000)),
]  # fmt: skip
NOTES: dict[str, list[str]] = {
    InvestmentNature.GOVERNMENT: [
        "",
        "",
        "拟申报地方政府专项债券",
        "争取超长期特别国债支持",
        "争取中央预算内投资",
    ],
    InvestmentNature.ENTERPRISE: ["", "", "已签订投资协议", "已完成企业投资项目备案"],
}
REVISE_NOTES = [
    "建设内容需细化，补充资金来源和筹措方案",
    "投资估算偏高，请核实后重新报送",
    "拟开工时间需结合前期手续办理进度调整",
]
DROP_NOTES = ["前期工作深度不足，暂不列入", "与国土空间规划不符，暂缓谋划", "资金来源不落实，暂不列入"]
ROUND_NOTES = [
    "对各单位申报的谋划项目逐个审查项目名称、类别、建设内容、投资估算及开竣工时间。",
    "对第一轮修改完善的项目再次审查，确定拟列入下一年度计划的项目。",
]


def build(rng: random.Random, today: date) -> dict[str, int]:
    """Next year's pipeline and its two review rounds; returns counts."""
    as_of = reference_day(today)
    year = today.year + 1
    cast = Cast.load()
    office = cast.coordinator
    counts = {"pipeline_entries": 0, "pipeline_new_projects": 0, "review_rounds": 0, "review_decisions": 0}
    if office is None:
        return counts
    wanted = min(max(Project.objects.count() // 6, 30), 300)
    launch = as_of - timedelta(days=75)
    projects = candidates(today.year, year, wanted)
    if len(projects) < wanted:
        created = new_projects(rng, launch, year, wanted - len(projects), cast)
        counts["pipeline_new_projects"] = len(created)
        projects += created
    done = dict(
        Procedure.objects.filter(project__in=projects, status=ProcedureStatus.DONE)
        .order_by()
        .values_list("project_id")
        .annotate(n=Count("id"))
    )
    entries = [entry(rng, p, year, done.get(p.pk, 0), launch, office) for p in projects]
    PipelineEntry.objects.bulk_create(entries, batch_size=500)
    counts["pipeline_entries"] = len(entries)
    counts.update(review(rng, entries, year, launch, as_of, office))
    return counts


def candidates(this_year: int, year: int, wanted: int) -> list[Project]:
    """Reserve projects, then preliminary ones starting next year, then those slipped from this year."""
    reserve = Project.objects.filter(status=ProjectStatus.RESERVE).order_by("start_year", "pk")
    upcoming = Project.objects.filter(status=ProjectStatus.PRELIMINARY, start_year__gte=year).order_by("pk")
    listed = PlanEntry.objects.filter(
        plan__in=Plan.objects.in_force().filter(year=this_year), plan_type=PlanType.NEW_START
    ).values("project_id")
    slipped = Project.objects.filter(
        status=ProjectStatus.PRELIMINARY, start_year__lt=year, pk__in=listed
    ).order_by("pk")
    chosen: list[Project] = []
    for queryset in (reserve, upcoming, slipped):
        chosen += list(queryset.select_related("responsible_unit")[: wanted - len(chosen)])
        if len(chosen) >= wanted:
            break
    return chosen


def new_projects(rng: random.Random, launch: date, year: int, wanted: int, cast: Cast) -> list[Project]:
    """New reserve projects from NEW_PROJECTS (those whose name or owner is not taken or missing)."""
    categories = {c.code: c for c in Category.objects.all()}
    industries = {i.code: i for i in IndustryField.objects.all()}
    taken = set(
        Project.objects.filter(name__in=[row[0] for row in NEW_PROJECTS]).values_list("name", flat=True)
    )
    approval = ProcedureType.objects.filter(code="approval").first()
    created: list[Project] = []
    for name, category, industry, owner_name, content, (low, high) in NEW_PROJECTS:
        owner = cast.unit(owner_name)
        if len(created) >= wanted or name in taken or owner is None or owner.parent_id is None:
            continue
        years = rng.choice([1, 2, 2, 3])
        start = date(year, rng.randint(3, 9), rng.randint(1, 28))
        total = Decimal(round(rng.uniform(low, high), -2)).quantize(Decimal("0.01"))
        project = Project(
            name=name,
            category=categories[category],
            industry=industries.get(industry),
            investment_nature=InvestmentNature.GOVERNMENT,
            content=content,
            build_years=f"{year}-{year + years - 1}" if years > 1 else str(year),
            planned_start_date=start,
            planned_completion_date=date(year + years - 1, 12, 28),
            total_investment=total,
            responsible_unit=owner.parent,
            owner_unit=owner,
            status=ProjectStatus.RESERVE,
            created_by=cast.coordinator,
            created_at=moment(rng, launch + timedelta(days=rng.randint(0, 15))),
        )
        project.save()
        created.append(project)
    if approval is not None:
        Procedure.objects.bulk_create(
            [Procedure(project=p, type=approval, status=ProcedureStatus.NOT_STARTED) for p in created]
        )
    return created


def entry(
    rng: random.Random, project: Project, year: int, done: int, launch: date, office: User
) -> PipelineEntry:
    total = project.total_investment
    share = rng.uniform(0.2, 0.6) if (project.end_year or year) <= year else rng.uniform(0.1, 0.35)
    annual = min(Decimal(round(float(total) * share, -1)).quantize(Decimal("0.01")), total)
    city = total >= 50_000 and rng.random() < 0.9 or total >= 10_000 and rng.random() < 0.5
    province = total >= 100_000 and rng.random() < 0.7 or total >= 50_000 and rng.random() < 0.25
    if project.status == ProjectStatus.RESERVE:
        readiness = pick(rng, [Readiness.CONCEPT, Readiness.PROPOSAL])
    elif done >= 3:
        readiness = pick(rng, [Readiness.FEASIBILITY, Readiness.PRELIMINARY_DESIGN])
    else:
        readiness = pick(rng, [Readiness.PROPOSAL, Readiness.FEASIBILITY])
    planned = project.planned_start_date
    assert project.responsible_unit_id is not None  # the unit that proposes it
    return PipelineEntry(
        project=project,
        proposed_year=year,
        estimated_investment=total,
        proposed_annual_investment=annual,
        to_province=province,
        to_city=city or province,
        to_local=True,
        readiness=readiness,
        proposing_unit_id=project.responsible_unit_id,
        planned_start_month=planned.month if planned and planned.year == year else rng.randint(3, 9),
        note=pick(rng, NOTES.get(project.investment_nature, [""])),
        created_by=office,
        created_at=moment(rng, launch + timedelta(days=rng.randint(0, 20))),
    )


def review(
    rng: random.Random, entries: list[PipelineEntry], year: int, launch: date, as_of: date, office: User
) -> dict[str, int]:
    """Round 1 decides on every entry; round 2 on those sent back for revision (修改完善)."""
    held = [min(launch + timedelta(days=30), as_of), min(launch + timedelta(days=60), as_of)]
    revised: list[PipelineEntry] = []
    decided: list[tuple[int, date]] = []
    rounds = 0
    for number, day in enumerate(held, start=1):
        review_round = ReviewRound.objects.create(
            year=year, number=number, held_on=day, note=ROUND_NOTES[number - 1], created_by=office
        )
        rounds += 1
        batch = entries if number == 1 else revised
        for e in batch:
            roll = rng.random()
            if number == 1:
                decision = Decision.KEEP if roll < 0.6 else Decision.REVISE if roll < 0.9 else Decision.DROP
            else:
                decision = Decision.KEEP if roll < 0.8 else Decision.DROP
            note = {
                Decision.KEEP: "",
                Decision.REVISE: pick(rng, REVISE_NOTES),
                Decision.DROP: pick(rng, DROP_NOTES),
            }
            made = review_round.decide(e, decision, office, note[decision])
            decided.append((made.pk, day))
            if decision == Decision.REVISE:
                revised.append(e)
    rows = list(ReviewDecision.objects.filter(pk__in=[pk for pk, _d in decided]).order_by("pk"))
    days = dict(decided)
    for row in rows:
        row.decided_at = moment(rng, days[row.pk], 9, 12)
    ReviewDecision.objects.bulk_update(rows, ["decided_at"], batch_size=500)
    return {"review_rounds": rounds, "review_decisions": len(rows)}
