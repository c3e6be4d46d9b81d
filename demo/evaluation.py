"""Demo post-evaluations (项目后评价): about two in three projects completed at least two months before
the reference day, each evaluated some months after completion by the office or a consulting firm.
Final costs spread around the approved investment (a few savings, most within a tenth, some well
over); the dates are the project's own, so the schedule overruns are those of the registry. The
grade follows from the overruns and incidents, and a few excellent projects are typical cases.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from demo.shared import Cast, day_between, moment, pick, reference_day
from evaluation.choices import Grade
from evaluation.models import EVALUABLE_STATUSES, Evaluation
from lib.numbers import quantize
from org.models import User
from projects.choices import ProjectStatus
from projects.models import Project

# Days from completion (竣工) before an evaluation is held, and the latest one.
AFTER_COMPLETION = (60, 420)
# Share of completed and of operating projects evaluated by the reference day.
SHARE = {ProjectStatus.COMPLETED: 0.55, ProjectStatus.OPERATING: 0.8}
# Cost outcomes: (weight, lowest, highest 超支率 in %).
COST_OUTCOMES = [
    (0.2, -9.0, -1.0),
    (0.4, -1.0, 5.0),
    (0.25, 5.0, 15.0),
    (0.15, 15.0, 38.0),
]
# Typical cases (典型案例) among the excellent evaluations, at most.
CASES = 5
EVALUATORS = [
    "区重点项目服务中心",
    "区发展和改革局投资评审中心",
    "示范工程咨询有限公司",
    "华信项目管理咨询有限公司",
    "中诚造价师事务所有限公司",
]
APPEARANCE = {
    "industry": [
        "厂区布局紧凑，立面简洁统一，与园区整体风貌协调。",
        "厂房采用装配式钢结构，色彩与周边建筑协调，绿化率达标。",
    ],
    "infrastructure": [
        "道路线形顺畅，附属设施配套完整，景观绿化与沿线风貌协调。",
        "工程外观整洁，标识标线规范，与周边环境融合较好。",
    ],
    "social": [
        "建筑体量适中，立面体现地域文化特色，室外空间开放友好。",
        "功能分区合理，无障碍设施完善，外观与片区风貌协调。",
    ],
}
# What a project does once it runs, by industry code; `{n}` is filled with a plausible figure.
RESULTS = {
    "manufacturing": "生产线已达产，产品销往长三角地区，年产值约{n}亿元。",
    "modern_services": "入驻企业{n}家，出租率达85%以上，带动周边服务业发展。",
    "digital": "数据中心已上线运行，机柜使用率约{n}%，服务区内政务和企业上云。",
    "energy": "项目并网发电，年发电量约{n}万千瓦时，减少二氧化碳排放。",
    "agriculture": "基地年产优质农产品{n}吨，带动周边农户增收。",
    "commerce": "项目开业运营，日均客流约{n}人次，带动周边商贸消费。",
    "culture_tourism": "开放以来接待游客约{n}万人次，带动周边餐饮住宿消费。",
    "transport": "道路通车后日均车流量约{n}辆，沿线通行时间明显缩短。",
    "water": "工程投入使用，新增供水能力{n}万吨/日，防洪排涝标准提高。",
    "municipal": "设施投入使用，服务人口约{n}万人，片区配套短板补齐。",
    "urban_renewal": "改造惠及居民{n}户，小区环境和配套设施明显改善。",
    "housing": "交付使用住房{n}套，住户入住率达90%以上。",
    "ecology": "治理后水质稳定达到Ⅳ类标准，新增绿地约{n}公顷。",
    "education": "学校投入使用，新增学位{n}个，缓解片区入学压力。",
    "health": "医院投入使用，新增床位{n}张，年门急诊量明显增加。",
}
RESULT_FIGURES = {
    "manufacturing": (3, 30),
    "modern_services": (20, 120),
    "digital": (55, 90),
    "energy": (800, 9000),
    "agriculture": (500, 6000),
    "commerce": (5000, 30000),
    "culture_tourism": (10, 90),
    "transport": (5000, 30000),
    "water": (2, 15),
    "municipal": (2, 12),
    "urban_renewal": (300, 3000),
    "housing": (300, 2000),
    "ecology": (20, 200),
    "education": (600, 2700),
    "health": (100, 600),
}
QUALITY_NOTES = [
    "主体结构局部混凝土强度不足，已返工处理并通过复检。",
    "屋面防水渗漏，施工单位已返修，未影响使用。",
]
SAFETY_NOTES = [
    "施工期间发生一起高处坠落一般事故，已按规定调查处理并整改。",
    "基坑开挖时发生局部坍塌一般事故，无人员死亡，已追责整改。",
]
CASE_SUMMARIES = [
    "实行首席服务员全程帮办和容缺受理，前期手续压缩至{days}天；推行EPC总承包和BIM技术，"
    "投资和工期均控制在计划以内。",
    "建立周调度、月通报机制，倒排工期、挂图作战，关键节点全部提前完成；"
    "严格执行限额设计，决算较批复总投资节约{saving}%。",
    "采用装配式建造和智慧工地管理，质量安全零事故，获评市级优质工程。",
    "实行设计、施工、监理联合驻场，现场问题当日研究、当日解决，建设期间未发生设计变更超概。",
    "坚持群众参与和全过程公开，征迁零上访，建成后群众满意度达95%以上。",
]
# A typical case's experience only an industrial project has.
INDUSTRY_CASE = "坚持“拿地即开工”，同步开展设计、审批和招标，实现当年开工、当年竣工、当年投产。"


def build(rng: random.Random, today: date) -> dict[str, int]:
    """The evaluations held by the demo's day; returns counts."""
    last = reference_day(today)
    office = Cast.load().coordinator
    projects = (
        Project.objects.filter(
            status__in=EVALUABLE_STATUSES,
            actual_completion_date__lte=last - timedelta(days=AFTER_COMPLETION[0]),
            actual_start_date__isnull=False,
            planned_start_date__isnull=False,
            planned_completion_date__isnull=False,
        )
        .select_related("category", "industry")
        .order_by("pk")
    )
    evaluations: list[Evaluation] = []
    for project in projects.iterator(chunk_size=2000):
        planned_start, planned_end = project.planned_start_date, project.planned_completion_date
        started, completed = project.actual_start_date, project.actual_completion_date
        if planned_start is None or planned_end is None or started is None or completed is None:
            continue
        if rng.random() <= SHARE.get(ProjectStatus(project.status), 0):
            dates = (planned_start, planned_end, started, completed)
            evaluations.append(evaluate(rng, project, dates, last, office))
    excellent = [e for e in evaluations if e.grade == Grade.EXCELLENT]
    used: set[str] = set()
    for evaluation in rng.sample(excellent, min(CASES, len(excellent))):
        saving = -(evaluation.cost_overrun or Decimal(0))
        # Only a project that came in under its approved investment tells of a saving, and each
        # case tells its own experience while there are others to tell.
        summaries = CASE_SUMMARIES + (
            [INDUSTRY_CASE] if evaluation.project.category.code == "industry" else []
        )
        summaries = [s for s in summaries if saving > 0 or "{saving}" not in s]
        summary = pick(rng, [s for s in summaries if s not in used] or summaries)
        used.add(summary)
        evaluation.is_case = True
        evaluation.case_summary = summary.format(days=rng.randint(25, 60), saving=saving)
    Evaluation.objects.bulk_create(evaluations, batch_size=2000)
    return {"evaluations": len(evaluations), "evaluation_cases": min(CASES, len(excellent))}


def evaluate(
    rng: random.Random,
    project: Project,
    dates: tuple[date, date, date, date],
    last: date,
    office: User | None,
) -> Evaluation:
    """One project's evaluation from its planned and actual start and completion `dates`, its
    overruns derived as Evaluation.save() would."""
    planned_start, planned_completion, started, completed = dates
    evaluated_on = day_between(
        rng,
        completed + timedelta(days=AFTER_COMPLETION[0]),
        min(completed + timedelta(days=AFTER_COMPLETION[1]), last),
    )
    budget = project.total_investment
    final_cost = quantize(budget * (1 + Decimal(str(round(cost_overrun(rng), 1))) / 100))
    quality = 1 if rng.random() < 0.08 else 0
    safety = 1 if rng.random() < 0.05 else 0
    notes = ([pick(rng, QUALITY_NOTES)] if quality else []) + ([pick(rng, SAFETY_NOTES)] if safety else [])
    operating = project.status == ProjectStatus.OPERATING
    industry = project.industry.code if project.industry else ""
    low, high = RESULT_FIGURES.get(industry, (10, 100))
    results = RESULTS.get(industry, "项目按设计功能投入使用，运行情况良好。").format(n=rng.randint(low, high))
    is_industry = project.category.code == "industry"
    # Public works are in use once completed; a plant is only once it is 投产 (OPERATING).
    if is_industry and not operating:
        results = "项目已竣工验收，正在进行设备调试和试生产，预计投产后" + results.split("，", 1)[-1]
    evaluation = Evaluation(
        project=project,
        budget=budget,
        final_cost=final_cost,
        planned_start_date=planned_start,
        planned_completion_date=planned_completion,
        actual_start_date=started,
        actual_completion_date=completed,
        quality_incidents=quality,
        safety_incidents=safety,
        incidents_note="".join(notes) or "建设期间未发生质量安全事故。",
        appearance=pick(rng, APPEARANCE.get(project.category.code, APPEARANCE["infrastructure"])),
        operating_results=results,
        annual_revenue=quantize(budget * Decimal(rng.uniform(0.3, 1.2)))
        if operating and is_industry
        else None,
        jobs=rng.randint(30, 800) if operating and is_industry else None,
        grade=Grade.PASS,
        evaluator=pick(rng, EVALUATORS),
        evaluated_on=evaluated_on,
        created_by=office,
        created_at=moment(rng, evaluated_on),
    )
    evaluation.derive()
    evaluation.grade = grade(evaluation)
    return evaluation


def cost_overrun(rng: random.Random) -> float:
    """投资超支率 (%) drawn from COST_OUTCOMES."""
    draw = rng.random()
    for weight, low, high in COST_OUTCOMES:
        if draw < weight:
            return rng.uniform(low, high)
        draw -= weight
    return rng.uniform(COST_OUTCOMES[-1][1], COST_OUTCOMES[-1][2])


def grade(evaluation: Evaluation) -> Grade:
    """综合评价 as an evaluator would give it from the overruns and the incidents."""
    cost = evaluation.cost_overrun or Decimal(0)
    schedule = evaluation.schedule_overrun or Decimal(0)
    if evaluation.safety_incidents or cost > 30 or (cost > 15 and schedule > 30):
        return Grade.FAIL if cost > 30 or evaluation.incidents > 1 else Grade.PASS
    if cost <= 3 and schedule <= 10 and not evaluation.incidents:
        return Grade.EXCELLENT
    if cost <= 10 and schedule <= 25:
        return Grade.GOOD
    return Grade.PASS
