"""Demo supervision: 督办通知单 in every state (sent, one of them overdue, replied, sent back and replied
again, closed) with the replies of the units addressed, and site inspections with their findings.

Replies, sending back and closing go through Notice.reply, send_back and close; the times those stamp
are then set back to the days of the demo (see demo/shared.py). Inspections carry no photos.
"""

import random
from datetime import date, timedelta

from demo.shared import Cast, moment, pick, reference_day
from org.choices import Role
from org.models import Unit, User
from problems.choices import UNSOLVED
from problems.models import Problem
from progress.models import Report
from projects.choices import ProjectStatus
from projects.models import Project
from supervision.choices import NoticeStatus
from supervision.models import Inspection, Notice, NoticeReply

REPLIES = [
    "收到督办通知后，我单位立即召开专题会议研究部署，明确分管负责同志牵头、专人对接。{result}",
    "我单位高度重视，主要负责同志带队到项目现场办公，逐项制定整改措施。{result}",
    "接到通知后，我单位会同项目单位和相关部门现场会商，倒排工期、挂图作战。{result}",
]
RESULTS = [
    "目前相关手续已办结，项目已恢复正常施工。",
    "目前问题已基本解决，剩余工作将于月底前完成。",
    "目前已形成解决方案并报区政府审定，正在组织实施。",
]
SEND_BACK = "回复未说明具体完成时间和佐证材料，请补充后重新报送。"
CLOSE_NOTES = ["经核实，督办事项已办结，同意销号。", "经现场复核，整改到位，予以办结。"]
FINDINGS = [
    "现场扬尘防治措施落实不到位，部分裸土未覆盖",
    "现场施工人员偏少，与年度目标任务不匹配",
    "月报填报的完成投资与现场形象进度不符",
    "未按节点计划完成阶段性施工任务",
    "安全文明施工标识不全，临边防护不规范",
]
REQUIREMENTS = {
    FINDINGS[0]: "严格落实“六个百分之百”扬尘治理要求，三日内整改到位",
    FINDINGS[1]: "增加施工人员和机械设备投入，开足作业面，确保完成年度投资目标",
    FINDINGS[2]: "据实填报月度完成投资，补报监理月报等佐证材料",
    FINDINGS[3]: "倒排工期，制定赶工计划报重点办备案",
    FINDINGS[4]: "完善安全文明施工设施，落实安全生产主体责任",
}
SITE = [
    "现场施工人员约{people}人，塔吊、挖掘机等大型机械{machines}台（套）",
    "项目现场正常施工，作业人员约{people}人，投入机械{machines}台（套）",
]


def build(rng: random.Random, today: date) -> dict[str, int]:
    """Notices with their replies, and site inspections; returns counts."""
    as_of = reference_day(today)
    cast = Cast.load()
    inspector = cast.inspector
    if inspector is None:
        return {"notices": 0, "notice_replies": 0, "inspections": 0}
    active = list(
        Project.objects.filter(status__in=[ProjectStatus.CONSTRUCTION, ProjectStatus.PRELIMINARY])
        .select_related("responsible_unit", "town")
        .order_by("pk")
    )
    notices, replies = build_notices(rng, as_of, cast, inspector, active)
    inspections = build_inspections(rng, as_of, cast, inspector, active)
    return {"notices": notices, "notice_replies": replies, "inspections": inspections}


def repliers(cast: Cast, unit: Unit | None) -> list[User]:
    """Accounts of the addressed unit itself that answer for it (not its owner companies)."""
    return [u for u in cast.writers_for(unit) if u.role == Role.UNIT]


def build_notices(
    rng: random.Random, as_of: date, cast: Cast, inspector: User, active: list[Project]
) -> tuple[int, int]:
    wanted = min(max(len(active) // 10, 6), 40)
    # What each notice is about: an overdue problem, else a project that has not started on time.
    overdue = list(
        Problem.objects.filter(status__in=UNSOLVED, deadline__lt=as_of - timedelta(days=5))
        .select_related("project")
        .prefetch_related("responsible_units")
        .order_by("deadline", "pk")
    )
    late = [
        p
        for p in active
        if p.status == ProjectStatus.PRELIMINARY
        and p.planned_start_date
        and p.planned_start_date < as_of - timedelta(days=30)
    ]
    # States in a fixed mix, so that each appears: closed the most, then replied and sent.
    states = [NoticeStatus.CLOSED, NoticeStatus.REPLIED, NoticeStatus.SENT, "sent_back", "overdue"]
    states += [pick(rng, [NoticeStatus.CLOSED, NoticeStatus.CLOSED, NoticeStatus.REPLIED, NoticeStatus.SENT])
               for _ in range(wanted - len(states))]  # fmt: skip
    plans: list[tuple[date, str, Notice, list[Project], list[Problem]]] = []
    subjects: list[tuple[Project, Problem | None, Unit | None]] = []
    for overdue_problem in overdue:
        unit = next(iter(overdue_problem.responsible_units.all()), overdue_problem.project.responsible_unit)
        subjects.append((overdue_problem.project, overdue_problem, unit))
    subjects += [(p, None, p.responsible_unit) for p in late]
    rng.shuffle(subjects)
    # Notices that will be answered go to units with an account to answer them.
    answerable = [s for s in subjects if repliers(cast, s[2])]
    others = [s for s in subjects if not repliers(cast, s[2])]
    for state in states:
        pool = others if state in (NoticeStatus.SENT, "overdue") and others else answerable
        if not pool:
            continue
        project, problem, unit = pool.pop()
        if state == NoticeStatus.SENT:
            issued = as_of - timedelta(days=rng.randint(2, 8))
        elif state == "overdue":
            issued = as_of - timedelta(days=rng.randint(35, 60))
        elif state == NoticeStatus.REPLIED:
            issued = as_of - timedelta(days=rng.randint(12, 25))
        else:
            issued = as_of - timedelta(days=rng.randint(40, 280))
        # Issued once the problem is past its deadline, or the project a month past its planned start.
        if problem is not None:
            assert problem.deadline is not None  # chosen for being past it
            due = problem.deadline
        else:
            assert project.planned_start_date is not None  # chosen for being past it
            due = project.planned_start_date + timedelta(days=30)
        issued = min(max(issued, due + timedelta(days=rng.randint(1, 10))), as_of - timedelta(days=2))
        deadline = issued + timedelta(days=rng.choice([7, 10, 15, 15, 20]))
        if problem is not None:
            title = f"关于督促解决{project.name}存在问题的通知"
            content = (
                f"{project.name}存在“{problem.description}”问题，已超过办理时限（{problem.deadline:%Y年%m月%d日}）"
                f"仍未解决。请你单位按照“{problem.measures}”的要求，于{deadline:%Y年%m月%d日}前办结。"
            )
        else:
            title = f"关于督促{project.name}加快开工建设的通知"
            content = (
                f"{project.name}计划于{project.planned_start_date:%Y年%m月}开工，目前仍未开工。"
                f"请你单位查明原因，加快办理前期手续，于{deadline:%Y年%m月%d日}前报送开工计划及保障措施。"
            )
        notice = Notice(
            title=title[:200],
            target_unit=unit,
            content=content,
            deadline=deadline,
            issuing_office=inspector.unit.name if inspector.unit is not None else "区委区政府督查局",
            issued_on=issued,
            issued_by=inspector,
            created_at=moment(rng, issued),
        )
        plans.append((issued, state, notice, [project], [problem] if problem else []))
    # Numbers run by date of issue.
    plans.sort(key=lambda plan: plan[0])
    replies = 0
    for _issued, state, notice, projects, problems in plans:
        notice.save()
        notice.projects.set(projects)
        notice.problems.set(problems)
        replies += answer(rng, as_of, notice, state, inspector, repliers(cast, notice.target_unit))
    return len(plans), replies


def answer(
    rng: random.Random, as_of: date, notice: Notice, state: str, inspector: User, people: list[User]
) -> int:
    """Reply, send back and close as the state asks, with the demo's days; returns the replies written."""
    if state in (NoticeStatus.SENT, "overdue") or not people:
        return 0
    by = people[0]
    window = max((min(notice.deadline, as_of) - notice.issued_on).days, 1)
    replied = notice.issued_on + timedelta(days=rng.randint(1, window))
    text = pick(rng, REPLIES).format(result=pick(rng, RESULTS))
    first = notice.reply(by, text)
    stamps = [(first, replied)]
    last = replied
    if state == "sent_back":
        notice.send_back(inspector, SEND_BACK)
        again = min(replied + timedelta(days=rng.randint(2, 5)), as_of)
        second = notice.reply(by, f"{text}现补充完成时间及佐证材料：相关批复文件、现场照片已随文报送。")
        stamps.append((second, again))
        last = again
    for reply, day in stamps:
        NoticeReply.objects.filter(pk=reply.pk).update(replied_at=moment(rng, day))
    updates = {"updated_at": moment(rng, last)}
    if state in (NoticeStatus.CLOSED, "sent_back") and last < as_of:
        notice.close(inspector, pick(rng, CLOSE_NOTES))
        closed = moment(rng, min(last + timedelta(days=rng.randint(1, 6)), as_of))
        updates = {"closed_at": closed, "updated_at": closed}
    Notice.objects.filter(pk=notice.pk).update(**updates)
    return len(stamps)


def build_inspections(
    rng: random.Random, as_of: date, cast: Cast, inspector: User, active: list[Project]
) -> int:
    """现场督导 of projects under construction, with what the latest report says about the site."""
    sites = [p for p in active if p.status == ProjectStatus.CONSTRUCTION and p.actual_start_date]
    if not sites:
        return 0
    wanted = min(max(len(sites) // 7, 5), 10)
    chosen = rng.sample(sites, min(wanted, len(sites)))
    companions = cast.coordinators[1:] or cast.coordinators
    rows: list[tuple[Inspection, list[int]]] = []
    for project in chosen:
        assert project.actual_start_date is not None  # sites are the projects that have started
        start = max(project.actual_start_date + timedelta(days=20), as_of - timedelta(days=200))
        day = as_of - timedelta(days=rng.randint(0, max((as_of - start).days, 0)))
        report = (
            Report.objects.filter(project=project, year__lte=day.year, deadline__lte=day)
            .order_by("-seq")
            .values_list("progress_text", "progress_percent")
            .first()
        )
        site = pick(rng, SITE).format(people=rng.randint(30, 260), machines=rng.randint(3, 25))
        if report and report[0]:
            site += f"，目前{report[0]}，形象进度约{report[1]}%"
        found = rng.sample(FINDINGS, rng.randint(0, 2))
        findings = f"{site}。" + (
            "存在问题：" + "；".join(f"{i}. {f}" for i, f in enumerate(found, start=1)) + "。"
            if found
            else "现场施工组织有序，未发现明显问题。"
        )
        requirements = "；".join(f"{i}. {REQUIREMENTS[f]}" for i, f in enumerate(found, start=1))
        people = [inspector.pk] + [
            u.pk for u in rng.sample(companions, min(len(companions), rng.randint(1, 2)))
        ]
        inspection = Inspection(
            project=project,
            date=day,
            findings=findings,
            requirements=f"{requirements}。" if requirements else "",
            created_by=inspector,
            created_at=moment(rng, day, 15, 19),
        )
        rows.append((inspection, sorted(set(people))))
    Inspection.objects.bulk_create([i for i, _p in rows])
    through = Inspection.inspectors.through
    through.objects.bulk_create(
        [through(inspection_id=i.pk, user_id=user) for i, people in rows for user in people]
    )
    return len(rows)
