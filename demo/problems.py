"""Demo problem ledger and meetings: problems in every state, their histories and comments, and three
meetings (联席会议, 要素保障会议, 周调度会) whose decided matters settle some of the escalated problems.

Problems are written in bulk; every change of state goes through Problem.move and Matter.move, and
the times those stamp are then set back to the days of the demo (see demo/shared.py).
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from demo.projects import DEPARTMENTS
from demo.shared import Cast, day_between, moment, pick, reference_day
from org.choices import Role
from org.models import Unit, User
from problems.choices import (
    MatterAction,
    MatterStatus,
    MeetingKind,
    ProblemAction,
    ProblemCategory,
    ProblemStatus,
)
from problems.models import Matter, Meeting, Problem, ProblemComment, ProblemEvent
from progress.choices import ReportState
from progress.models import Report
from projects.choices import InvestmentNature, ProjectStatus
from projects.models import Project

TOWN = "town"
# Per category: (description, measures, responsible units by department key or TOWN). Placeholders:
# {n} a number, {m} an amount in 万元, {town} the project's street or town, {road} a road nearby.
TEXTS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    ProblemCategory.LAND: [
        ("项目用地{n}亩尚未完成农用地转用和土地征收报批，影响开工建设",
         "区自然资源局加快组卷报批，{town}配合做好征地补偿工作", ("land", TOWN)),
        ("项目用地范围内涉及永久基本农田{n}亩，用地预审未通过",
         "区自然资源局对接市局，结合国土空间规划制定补划方案", ("land",)),
        ("土地已摘牌但不动产权证未办理，无法申请施工许可", "区自然资源局开辟绿色通道，5个工作日内完成不动产登记", ("land",)),
    ],
    ProblemCategory.FUNDING: [
        ("项目资本金到位不足，尚有{m}万元缺口，施工单位有停工风险",
         "区财政局加快专项债券资金拨付，项目单位对接政策性银行融资", ("finance",)),
        ("上级补助资金已下达但未拨付到项目，拖欠工程进度款{m}万元", "区财政局加快资金拨付，区发改局跟踪调度", ("finance", "drc")),
        ("企业银行贷款审批未通过，设备采购资金不足", "区工信局组织政银企对接，推荐项目纳入融资白名单", ("industry",)),
    ],
    ProblemCategory.DEMOLITION: [
        ("红线范围内尚有{n}户未签订征收补偿协议", "{town}牵头入户做好群众工作，区住建局指导依法征收", (TOWN, "housing")),
        ("沿线{n}处杆线、管线和地上附着物未清除", "{town}组织清表，区城市管理局协调权属单位迁移", (TOWN, "urban")),
        ("项目西侧厂房征收补偿标准未达成一致，影响施工围挡", "{town}会同区自然资源局开展评估，依法依规推进", (TOWN, "land")),
    ],
    ProblemCategory.APPROVAL: [
        ("施工图审查未通过，消防设计审查意见未出具，施工许可无法办理",
         "区住建局开辟绿色通道，指导设计单位修改完善，限时办结", ("housing",)),
        ("环境影响报告书已报审，批复尚未取得", "市生态环境局示范区分局对接市局加快技术审查", ("ecology",)),
        ("可行性研究报告批复需补充节能审查意见", "区发改局组织专家评审，10个工作日内出具审查意见", ("drc",)),
        ("水土保持方案未批复，影响开工手续办理", "区水利局加快技术审查，并联办理", ("water",)),
    ],
    ProblemCategory.PLANNING: [
        ("规划设计方案需调整容积率和建筑退线，待规委会审议", "区自然资源局提请近期规委会审议", ("land",)),
        ("项目与{road}规划红线冲突，需调整总平面布置", "区自然资源局、区交通运输局现场会商确定调整方案", ("land", "transport")),
    ],
    ProblemCategory.ENVIRONMENT: [
        ("重污染天气管控期间土方作业停工，需申请纳入绿色施工正面清单",
         "市生态环境局示范区分局指导企业完善扬尘治理措施，申报正面清单", ("ecology",)),
        ("施工现场扬尘治理不达标，被列入环保督查问题清单", "项目单位落实“六个百分之百”要求，区城市管理局跟踪复查", ("urban",)),
    ],
    ProblemCategory.SITE: [
        ("施工临时用电报装未完成，现场靠柴油发电机施工", "区工信局协调供电公司开辟绿色通道，限期送电", ("industry",)),
        ("{road}段供水、燃气管线迁改未完成，影响管网施工", "区城市管理局协调水务、燃气公司，倒排迁改工期", ("urban",)),
        ("施工便道未打通，材料运输车辆无法进场", "{town}协调周边村组，区交通运输局配合办理临时占道手续", (TOWN, "transport")),
        ("10千伏线路迁改未完成，影响桩基施工", "区工信局协调供电公司制定迁改方案并组织实施", ("industry",)),
    ],
    ProblemCategory.OTHER: [
        ("周边群众反映夜间施工扰民，多次投诉", "{town}做好群众沟通解释，项目单位合理调整施工时间", (TOWN,)),
        ("招标代理工作滞后，施工招标文件未按期发布", "区发改局督促招标代理加快工作，依法依规组织招标", ("drc",)),
    ],
}  # fmt: skip
# Which problems a project meets, by its status: category weights.
WEIGHTS: dict[str, dict[str, int]] = {
    ProjectStatus.PRELIMINARY: {
        ProblemCategory.LAND: 3, ProblemCategory.DEMOLITION: 2, ProblemCategory.APPROVAL: 4,
        ProblemCategory.PLANNING: 2, ProblemCategory.FUNDING: 1,
    },
    ProjectStatus.CONSTRUCTION: {
        ProblemCategory.FUNDING: 3, ProblemCategory.SITE: 3, ProblemCategory.DEMOLITION: 1,
        ProblemCategory.ENVIRONMENT: 2, ProblemCategory.APPROVAL: 1, ProblemCategory.OTHER: 1,
        ProblemCategory.LAND: 1,
    },
    ProjectStatus.SUSPENDED: {
        ProblemCategory.FUNDING: 3, ProblemCategory.DEMOLITION: 2, ProblemCategory.APPROVAL: 2,
        ProblemCategory.LAND: 1,
    },
}  # fmt: skip
# 存在问题 of monthly reports that become problems (转为问题台账): category, and a word the detailed
# description must contain.
FROM_REPORTS = {
    "征地拆迁进度滞后": (ProblemCategory.DEMOLITION, ""),
    "资金到位不足": (ProblemCategory.FUNDING, ""),
    "施工许可办理中": (ProblemCategory.APPROVAL, "施工许可"),
    "管线迁改协调中": (ProblemCategory.SITE, "迁改"),
}
RESOLUTIONS: dict[str, list[str]] = {
    ProblemCategory.LAND: [
        "用地批复已取得，土地已交付使用",
        "不动产权证已办理完毕",
        "补划方案已通过市局审查",
    ],
    ProblemCategory.FUNDING: ["资金已拨付到位，工程款已支付", "银行贷款已审批放款", "专项债券资金已拨付"],
    ProblemCategory.DEMOLITION: ["剩余住户已全部签约并完成腾退", "地上附着物已清除，具备施工条件"],
    ProblemCategory.APPROVAL: ["施工许可证已核发", "批复文件已取得", "审查意见已出具"],
    ProblemCategory.PLANNING: ["规委会已审议通过调整方案", "总平面调整方案已确定"],
    ProblemCategory.ENVIRONMENT: ["已纳入正面清单，恢复施工", "整改完成，经复查达标"],
    ProblemCategory.SITE: ["临时用电已接通", "管线迁改已完成", "施工便道已打通"],
    ProblemCategory.OTHER: ["已与周边群众沟通达成一致，未再投诉", "招标文件已发布"],
}
COMMENTS_LEADER = [
    "请{unit}高度重视，一周内拿出解决方案。",
    "此问题影响项目整体进度，请相关单位主动对接，限时解决。",
    "请重点办跟踪督办，每周报告进展。",
]
COMMENTS_UNIT = [
    "已与项目单位现场对接，明确了办理路径，正在按时限推进。",
    "已报市级主管部门，预计两周内办结。",
    "相关材料已补齐，正在审查中。",
]
COMMENTS_OWNER = [
    "项目单位已按要求补充材料，请协调加快办理。",
    "现场施工已受影响，恳请尽快协调解决。",
]
COMMENTS_OFFICE = ["已纳入重点问题台账，请责任单位按时限办理并反馈。", "已提醒责任单位，距办理时限还有一周。"]

# Escalated problems one meeting takes up at most (the earliest first); the rest wait for the next.
AGENDA = 15
MEETINGS = [
    # kind, days before the reference day, title, place, chair (index among the leaders)
    (MeetingKind.JOINT, 150, "全区重点项目建设联席会议", "区政府三楼会议室", 1),
    (MeetingKind.ELEMENTS, 70, "重点项目要素保障会议", "区发展和改革局四楼会议室", 2),
    (MeetingKind.WEEKLY, 12, "全区重点项目建设周调度会", "区政府三楼会议室", 0),
]
OTHER_ATTENDEES: dict[str, str] = {
    MeetingKind.JOINT: "联席会议各成员单位分管负责同志、各街道办事处及乡镇分管负责同志",
    MeetingKind.ELEMENTS: "国网示范区供电公司、示范区水务投资有限公司、各相关项目单位负责人",
    MeetingKind.WEEKLY: "各责任单位分管负责同志、相关项目单位负责人",
}
# Matters on projects without a ledger problem: (content, owner unit by department key, TOWN or "owner").
MATTERS = [
    ("{project}加快施工许可办理，{dl}前具备开工条件", "housing"),
    ("区财政局{dl}前拨付{project}专项债券资金", "finance"),
    ("区自然资源局{dl}前完成{project}用地组卷报批", "land"),
    ("{town}{dl}前完成{project}红线内剩余征收和清表工作", TOWN),
    ("区城市管理局协调供电、供水、燃气单位，{dl}前完成{project}沿线管线迁改", "urban"),
    ("项目单位倒排工期、增加作业面，确保{project}{dl}前完成年度形象进度", "owner"),
    ("区发改局牵头，{dl}前完成{project}可研报告审查", "drc"),
]
COMPLETED = ["已按会议要求完成。", "已办结，并书面报送重点办。", "已完成，项目现场已具备施工条件。"]


@dataclass
class Draft:
    """A problem being generated: the row and the moves it will go through, with their days."""

    problem: Problem
    units: list[Unit]
    raised_on: date
    moves: list[tuple[str, date, str]] = field(default_factory=list)
    escalated_on: date | None = None


def build(rng: random.Random, today: date) -> dict[str, int]:
    """Problems with their histories and comments, and the meetings; returns counts."""
    return Ledger(rng, today).build()


class Ledger:
    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.as_of = reference_day(today)
        self.cast = Cast.load()
        self.office = self.cast.coordinator
        self.departments = {key: self.cast.unit(name) for name, _short, key, _abbr in DEPARTMENTS}
        self.stamps: dict[int, datetime] = {}  # ProblemEvent pk → when it happened
        self.settled: dict[int, datetime] = {}  # Matter pk → when it was finished
        self.escalation = 0.28
        self.counts = {"problems": 0, "problem_events": 0, "comments": 0, "meetings": 0, "matters": 0}

    # Problems ---------------------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        projects = list(
            Project.objects.filter(status__in=list(WEIGHTS))
            .select_related("responsible_unit", "owner_unit", "town", "leader_in_charge", "chief_officer")
            .order_by("pk")
        )
        if not projects or self.office is None:
            return self.counts
        wanted = min(max(round(len(projects) * 0.8), 12), 600)
        # About a quarter of the problems go up to the meetings, fewer in a large district, so that an
        # agenda stays at the dozen or so a meeting can settle.
        self.escalation = min(0.28, 40 / wanted)
        drafts = self.from_reports(projects, wanted // 3)
        while len(drafts) < wanted:
            project = pick(self.rng, projects)
            drafts.append(self.draft(project, self.category(project)))
        self.write(drafts)
        self.play(drafts)
        self.meetings(drafts)
        self.comments(drafts)
        self.waiting(drafts)
        self.awaiting(drafts)
        self.restamp(drafts)
        return self.counts

    def category(self, project: Project) -> str:
        weights = WEIGHTS[project.status]
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def from_reports(self, projects: list[Project], wanted: int) -> list[Draft]:
        """Problems raised from the 存在问题 of monthly reports, one per project at most."""
        ids = {p.pk: p for p in projects}
        reports = (
            Report.objects.filter(
                project_id__in=list(ids),
                problems_text__in=list(FROM_REPORTS),
                state__in=[ReportState.ACCEPTED, ReportState.SUBMITTED],
                submitted_at__date__gte=self.as_of - timedelta(days=300),
                submitted_at__date__lte=self.as_of,
            )
            .order_by("project_id", "seq")
            .values_list("pk", "project_id", "problems_text", "submitted_at")
        )
        first: dict[int, tuple[int, str, datetime]] = {}
        for pk, project_id, text, submitted in reports:
            first.setdefault(project_id, (pk, text, submitted))
        chosen = sorted(first.items())
        self.rng.shuffle(chosen)
        drafts = []
        for project_id, (pk, text, submitted) in chosen[:wanted]:
            raised = min(submitted.date() + timedelta(days=self.rng.randint(1, 4)), self.as_of)
            category, word = FROM_REPORTS[text]
            draft = self.draft(ids[project_id], category, raised, prefix=text, word=word)
            draft.problem.report_id = pk
            drafts.append(draft)
        return drafts

    def draft(
        self, project: Project, category: str, raised: date | None = None, prefix: str = "", word: str = ""
    ) -> Draft:
        rng = self.rng
        options = [row for row in TEXTS[category] if word in row[0]]
        # A company's own financing troubles are not those of a government-funded project.
        if project.investment_nature == InvestmentNature.GOVERNMENT:
            options = [row for row in options if "企业" not in row[0]] or options
        text, measures, keys = pick(rng, options)
        assert project.responsible_unit is not None  # the demo's projects all have one
        town = project.town or project.responsible_unit
        values = {
            "n": rng.randint(3, 60),
            "m": rng.choice([300, 500, 800, 1200, 2000, 3500]),
            "town": town.short_name or town.name,
            "road": pick(rng, ["建设路", "人民路", "黄河路", "京开大道", "振兴路", "开州路", "龙乡街"]),
        }
        units: list[Unit] = []
        for key in keys:
            unit = town if key == TOWN else self.departments.get(key)
            if unit is not None and unit not in units:
                units.append(unit)
        if not units:
            units.append(project.responsible_unit)
        if raised is None:
            earliest = max(self.as_of - timedelta(days=330), project.created_at.date())
            if category in (ProblemCategory.SITE, ProblemCategory.ENVIRONMENT) and project.actual_start_date:
                earliest = max(earliest, project.actual_start_date)
            raised = day_between(rng, earliest, self.as_of)
        description = text.format(**values)
        if prefix:
            description = f"{prefix}：{description}"
        owners = [u for u in self.cast.writers_for(project.owner_unit) if u.role == Role.OWNER]
        problem = Problem(
            project=project,
            category=category,
            description=description,
            measures=measures.format(**values),
            leader_id=project.leader_in_charge.user_id if project.leader_in_charge else None,
            deadline=raised + timedelta(days=rng.choice([15, 20, 30, 30, 45, 60])),
            raised_by=owners[0]
            if owners and rng.random() < 0.5
            else (project.chief_officer.user if project.chief_officer else None) or self.office,
            raised_at=moment(rng, raised),
        )
        draft = Draft(problem, units, raised)
        self.plan(draft)
        return draft

    def plan(self, d: Draft) -> None:
        """Decide how far the problem has got by the reference day, and when each move happened."""
        rng, as_of = self.rng, self.as_of
        p = d.problem
        assert p.deadline is not None  # draft() gives every problem a deadline
        age = (as_of - d.raised_on).days
        roll = rng.random()
        if age < 7 or roll < 0.06:
            return  # 待办: not taken up yet
        started = d.raised_on + timedelta(days=rng.randint(1, min(5, age)))
        d.moves.append((ProblemAction.START, started, ""))
        if age < 20 or roll < 0.24:
            if p.deadline < as_of and rng.random() < 0.5:
                p.deadline = as_of + timedelta(days=rng.randint(5, 30))  # time extended
            return  # 办理中
        if roll < 0.24 + self.escalation:
            escalated = started + timedelta(days=rng.randint(5, 15))
            if escalated <= as_of:
                d.escalated_on = escalated
                d.moves.append(
                    (ProblemAction.ESCALATE, escalated, "责任单位协调难度大，需提请调度会研究解决。")
                )
                return  # 已上报, the meetings take it from here
        solved = started + timedelta(days=rng.randint(3, max(4, (p.deadline - started).days + 5)))
        if solved <= as_of:
            d.moves.append((ProblemAction.RESOLVE, solved, pick(rng, RESOLUTIONS[p.category])))

    def write(self, drafts: list[Draft]) -> None:
        Problem.objects.bulk_create([d.problem for d in drafts], batch_size=500)
        through = Problem.responsible_units.through
        through.objects.bulk_create(
            [through(problem_id=d.problem.pk, unit_id=u.pk) for d in drafts for u in d.units], batch_size=500
        )
        self.counts["problems"] = len(drafts)

    def handler(self, d: Draft) -> User:
        """Who handles the problem: an account of a responsible department or town, else the office."""
        for unit in d.units:
            for user in self.cast.writers_for(unit):
                if user.unit_id == unit.pk:
                    return user
        assert self.office is not None  # build() goes no further without the office's account
        return self.office

    def move(
        self, d: Draft, action: str, on: date, note: str, by: User | None, matter: Matter | None = None
    ) -> None:
        event = d.problem.move(action, by, note, matter=matter)
        self.stamps[event.pk] = moment(self.rng, on)

    def play(self, drafts: list[Draft]) -> None:
        for d in drafts:
            by = self.handler(d)
            for action, on, note in d.moves:
                self.move(d, action, on, note, by)

    # Meetings ---------------------------------------------------------------------------------------

    def meetings(self, drafts: list[Draft]) -> None:
        rng, as_of = self.rng, self.as_of
        assert self.office is not None  # build() goes no further without the office's account
        escalated = sorted(
            (d for d in drafts if d.escalated_on), key=lambda d: (d.escalated_on, d.problem.pk)
        )
        taken: set[int] = set()
        active = [
            p
            for p in Project.objects.filter(
                status__in=[ProjectStatus.PRELIMINARY, ProjectStatus.CONSTRUCTION]
            ).select_related("town", "responsible_unit", "owner_unit", "leader_in_charge")
            .order_by("pk")
        ]  # fmt: skip
        leaders = self.cast.leaders or [self.office]
        for kind, days_before, title, place, chair in MEETINGS:
            held = as_of - timedelta(days=days_before)
            if kind == MeetingKind.WEEKLY:
                held -= timedelta(days=(held.weekday() - 4) % 7)  # 每周五上午
            elif held.weekday() >= 5:
                held -= timedelta(days=held.weekday() - 4)
            due = [
                d
                for d in escalated
                if d.escalated_on is not None and d.escalated_on < held and d.problem.pk not in taken
            ]
            agenda = due[:AGENDA]
            taken.update(d.problem.pk for d in agenda)
            meeting = Meeting.objects.create(
                title=title,
                kind=kind,
                date=held,
                place=place,
                chair=leaders[min(chair, len(leaders) - 1)],
                other_attendees=OTHER_ATTENDEES[kind],
                created_by=self.office,
                created_at=moment(rng, held - timedelta(days=2)),
            )
            meeting.agenda.set([d.problem for d in agenda])
            matters = self.decide(meeting, agenda, active)
            people = {self.office.pk, *(u.pk for u in self.cast.coordinators[1:3])}
            people.update(u.pk for u in self.cast.inspectors[:1])
            for matter in matters:
                people.update(u.pk for u in self.cast.writers_for(matter.owner_unit) if u.role != Role.OWNER)
                leader = matter.project.leader_in_charge if matter.project else None
                if leader is not None and leader.user_id:
                    people.add(leader.user_id)
            if meeting.chair_id is not None:
                people.discard(meeting.chair_id)
            meeting.attendees.set(sorted(people))
            settled = sum(1 for m in matters if m.problem_id and m.status == MatterStatus.DONE)
            Meeting.objects.filter(pk=meeting.pk).update(
                summary=self.minutes(kind, len(matters), len(agenda), settled),
                updated_at=moment(rng, held),
            )
            self.counts["meetings"] += 1
            self.counts["matters"] += len(matters)

    def minutes(self, kind: str, matters: int, agenda: int, settled: int) -> str:
        topics: dict[str, str] = {
            MeetingKind.JOINT: "联席会议成员单位关于重点项目前期手续和建设推进情况的汇报",
            MeetingKind.ELEMENTS: "重点项目用地、资金、能耗等要素保障情况的汇报",
            MeetingKind.WEEKLY: "区发展和改革局关于本周重点项目建设进展和存在问题的汇报",
        }
        topic = topics[kind]
        return (
            f"会议听取了{topic}，逐一研究了上报调度会的{agenda}个问题，议定事项{matters}项。"
            "会议要求：一是各责任单位对照议定事项倒排工期，按时限办结并书面反馈重点办；"
            "二是区委区政府督查局对议定事项跟踪督办，逾期未办结的下发督办通知单；"
            f"三是各项目单位抢抓施工黄金期，确保完成年度投资目标。截至目前，已通过会议协调解决问题{settled}个。"
        )

    def decide(self, meeting: Meeting, agenda: list[Draft], active: list[Project]) -> list[Matter]:
        """The decided matters of a meeting: one per problem on the agenda, and some on other projects."""
        rng, as_of = self.rng, self.as_of
        held = meeting.date
        rows: list[tuple[Matter, Draft | None]] = []
        order = 0
        for d in agenda:
            if rng.random() < 0.12:
                # Sent back: the responsible unit can settle it with the measures already agreed.
                self.move(
                    d, ProblemAction.RETURN, held, "经会议研究，由责任单位按既定措施继续办理。", self.office
                )
                continue
            order += 1
            deadline = held + timedelta(days=rng.randint(10, 30))
            content = f"{d.problem.measures}，{deadline.month}月{deadline.day}日前办结"
            rows.append((self.matter(meeting, content, d.problem.project, d.units[0], deadline, order, d), d))
        extra = min(max(len(active) // 12, 3), 15)
        for project in rng.sample(active, min(extra, len(active))):
            text, key = pick(rng, MATTERS)
            assert project.responsible_unit is not None  # the demo's projects all have one
            owner = (
                project.owner_unit
                if key == "owner"
                else (project.town or project.responsible_unit)
                if key == TOWN
                else self.departments.get(key) or project.responsible_unit
            )
            assert owner is not None  # a matter has a lead unit: the demo's projects have their owners
            town = project.town or project.responsible_unit
            deadline = held + timedelta(days=rng.randint(10, 45))
            content = text.format(
                project=project.name,
                town=town.short_name or town.name,
                dl=f"{deadline.month}月{deadline.day}日",
            )
            order += 1
            rows.append((self.matter(meeting, content, project, owner, deadline, order, None), None))
        Matter.objects.bulk_create([m for m, _d in rows])
        for matter, draft in rows:
            self.progress(matter, draft, held, as_of)
        return [m for m, _d in rows]

    def matter(
        self, meeting: Meeting, content: str, project: Project, owner: Unit, deadline: date, order: int,
        d: Draft | None,
    ) -> Matter:  # fmt: skip
        return Matter(
            meeting=meeting,
            content=content,
            project=project,
            problem=d.problem if d else None,
            owner_unit=owner,
            deadline=deadline,
            sort_order=order,
            created_at=moment(self.rng, meeting.date, 11, 12),
        )

    def progress(self, matter: Matter, d: Draft | None, held: date, as_of: date) -> None:
        """Start and finish the matter as far as the reference day allows; finishing settles the problem."""
        rng = self.rng
        writers = [u for u in self.cast.writers_for(matter.owner_unit) if u.unit_id == matter.owner_unit_id]
        by = writers[0] if writers else self.office
        started = held + timedelta(days=rng.randint(1, 4))
        if started > as_of or rng.random() < 0.1:
            return
        matter.move(MatterAction.START, by)
        done = held + timedelta(days=rng.randint(5, max(6, (matter.deadline - held).days + 12)))
        stamps = {"updated_at": moment(rng, started)}
        if done <= as_of and rng.random() < 0.8:
            note = pick(rng, COMPLETED)
            if d is not None:
                note = f"{pick(rng, RESOLUTIONS[d.problem.category])}。{note}"
            matter.move(MatterAction.COMPLETE, by, note)
            finished = moment(rng, done)
            stamps = {"completed_at": finished, "updated_at": finished}
            self.settled[matter.pk] = finished
            if d is not None and d.problem.status == ProblemStatus.PENDING_CONFIRMATION:
                # The office confirms most 销号 within days; the latest still wait for it.
                confirmed = done + timedelta(days=rng.randint(1, 4))
                if confirmed <= as_of and rng.random() < 0.85:
                    self.move(d, ProblemAction.CONFIRM, confirmed, "", self.office)
        Matter.objects.filter(pk=matter.pk).update(**stamps)

    def waiting(self, drafts: list[Draft]) -> None:
        """Problems gone up since the last meeting wait for the next: two at least, one handled by a
        unit's account (awaiting() has that unit report it solved). When the meetings left fewer, the
        latest problems in hand go up in the last days, all but one of them."""
        left = [d for d in drafts if d.problem.status == ProblemStatus.ESCALATED]
        in_hand = sorted(
            (
                d
                for d in drafts
                if d.problem.status == ProblemStatus.IN_PROGRESS
                and d.escalated_on is None
                and d.moves
                and d.moves[-1][1] <= self.as_of - timedelta(days=3)
            ),
            key=lambda d: (d.moves[-1][1], d.problem.pk),
            reverse=True,
        )
        chosen: list[Draft] = []
        if all(self.handler(d) == self.office for d in left):
            chosen += [d for d in in_hand if self.handler(d) != self.office][:1]
        chosen += [d for d in in_hand if d not in chosen][: max(0, 2 - len(left) - len(chosen))]
        for d in chosen[: max(0, len(in_hand) - 1)]:
            d.escalated_on = day_between(
                self.rng, d.moves[-1][1] + timedelta(days=1), self.as_of - timedelta(days=1)
            )
            self.move(
                d,
                ProblemAction.ESCALATE,
                d.escalated_on,
                "责任单位协调难度大，需提请调度会研究解决。",
                self.handler(d),
            )

    def awaiting(self, drafts: list[Draft]) -> None:
        """The unit handling the latest escalated problem reports it solved on the reference day: its
        销号 waits for the office to confirm it (PROBLEM_RESOLVE_NEEDS_CONFIRMATION)."""
        latest = sorted(
            (d for d in drafts if d.escalated_on and d.problem.status == ProblemStatus.ESCALATED),
            key=lambda d: (d.escalated_on, d.problem.pk),
            reverse=True,
        )
        for d in latest:
            by = self.handler(d)
            if by != self.office:
                note = pick(self.rng, RESOLUTIONS[d.problem.category])
                self.move(d, ProblemAction.RESOLVE, self.as_of, note, by)
                return

    # Comments and times -----------------------------------------------------------------------------

    def comments(self, drafts: list[Draft]) -> None:
        rng = self.rng
        assert self.office is not None  # build() goes no further without the office's account
        rows: list[ProblemComment] = []
        for d in drafts:
            if rng.random() < 0.4:
                continue
            p = d.problem
            last = min(self.as_of, d.raised_on + timedelta(days=25))
            unit = d.units[0]
            handlers = [u for u in self.cast.writers_for(unit) if u.unit_id == unit.pk]
            owners = [u for u in self.cast.writers_for(p.project.owner_unit) if u.role == Role.OWNER]
            voices: list[tuple[int | None, str]] = []
            if p.leader_id:
                voices.append(
                    (p.leader_id, pick(rng, COMMENTS_LEADER).format(unit=unit.short_name or unit.name))
                )
            if handlers:
                voices.append((handlers[0].pk, pick(rng, COMMENTS_UNIT)))
            if owners:
                voices.append((owners[0].pk, pick(rng, COMMENTS_OWNER)))
            voices.append((self.office.pk, pick(rng, COMMENTS_OFFICE)))
            days = sorted(day_between(rng, d.raised_on, last) for _ in range(len(voices)))
            for (author, text), day in zip(voices[: rng.randint(1, len(voices))], days, strict=False):
                rows.append(
                    ProblemComment(problem=p, author_id=author, text=text, created_at=moment(rng, day))
                )
        ProblemComment.objects.bulk_create(rows, batch_size=500)
        self.counts["comments"] = len(rows)

    def restamp(self, drafts: list[Draft]) -> None:
        """Set the times the moves stamped back to the days they happened in the demo."""
        # A problem settled through a meeting was closed when its matter was finished.
        for pk, matter_id in ProblemEvent.objects.filter(matter_id__in=list(self.settled)).values_list(
            "pk", "matter_id"
        ):
            self.stamps[pk] = self.settled[matter_id]
        events = list(ProblemEvent.objects.filter(pk__in=list(self.stamps)).order_by("pk"))
        for event in events:
            event.at = self.stamps[event.pk]
        ProblemEvent.objects.bulk_update(events, ["at"], batch_size=500)
        self.counts["problem_events"] = len(events)
        latest: dict[int, dict[str, datetime]] = {}
        for event in sorted(events, key=lambda e: (e.at, e.pk)):
            times = latest.setdefault(event.problem_id, {})
            times["updated_at"] = event.at
            if event.action == ProblemAction.ESCALATE:
                times["escalated_at"] = event.at
            if event.to_status == ProblemStatus.RESOLVED:
                times["resolved_at"] = event.at
        problems = list(Problem.objects.filter(pk__in=[d.problem.pk for d in drafts]).order_by("pk"))
        for problem in problems:
            times = latest.get(problem.pk, {"updated_at": problem.raised_at})
            problem.updated_at = times["updated_at"]
            if problem.escalated_at is not None:
                problem.escalated_at = times.get("escalated_at", problem.escalated_at)
            if problem.resolved_at is not None:
                problem.resolved_at = times.get("resolved_at", problem.resolved_at)
        Problem.objects.bulk_update(problems, ["updated_at", "escalated_at", "resolved_at"], batch_size=500)
