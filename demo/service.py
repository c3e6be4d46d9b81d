"""Demo 首席服务员专班 (seed 004: 一个项目、一名首席服务员、一套班子): a team for most projects under way
— the chief officer with two to four members from the departments a project needs — and their
service ledger (服务台账) this year: the matters the team took up, what it did and with what result.
"""

import random
from datetime import date

from demo.shared import day_between, pick, reference_day
from org.choices import UnitKind
from org.models import Person
from projects.choices import ProjectStatus
from projects.models import Project
from service.choices import ServiceResult, TeamRole
from service.models import ServiceRecord, TeamMember

DUTIES = [
    "负责用地报批和征迁协调",
    "负责规划许可和施工许可手续",
    "负责环评、能评等前置手续",
    "负责水电气等要素保障对接",
    "负责资金申报和专项债对接",
    "负责现场协调和信息报送",
]
# (matter, what was done, result, result note)
SERVICES = [
    (
        "施工许可办理",
        "召集住建、自然资源部门现场办公，实行容缺受理，帮办代办",
        ServiceResult.RESOLVED,
        "施工许可证已核发",
    ),
    ("临时用电接入", "协调供电公司制定临时供电方案，压缩接电时间", ServiceResult.RESOLVED, "临时用电已接通"),
    (
        "周边群众阻工",
        "会同所在乡镇（街道）入户沟通，落实补偿政策",
        ServiceResult.IN_PROGRESS,
        "已与多数农户达成协议",
    ),
    ("土地组卷报批", "对接自然资源部门，倒排组卷时间节点，每周调度", ServiceResult.IN_PROGRESS, ""),
    (
        "专项债资金拨付",
        "协调财政部门加快资金拨付，跟踪资金到位",
        ServiceResult.RESOLVED,
        "资金已拨付到项目单位",
    ),
    (
        "管线迁改",
        "组织供水、燃气、通信单位现场会商迁改方案",
        ServiceResult.ESCALATED,
        "涉及多家产权单位，提请周调度会协调",
    ),
    ("环评批复", "指导项目单位完善环评报告，协调提前技术审查", ServiceResult.RESOLVED, "环评已批复"),
    ("建材运输通行", "协调交警、城管部门办理渣土车辆通行手续", ServiceResult.RESOLVED, "通行证已办理"),
    ("用工短缺", "对接人社部门组织专场招聘，推送用工信息", ServiceResult.IN_PROGRESS, ""),
    ("融资贷款对接", "组织银企对接会，推介项目融资需求", ServiceResult.IN_PROGRESS, "两家银行已开展尽职调查"),
]
UNDER_WAY = (ProjectStatus.PRELIMINARY, ProjectStatus.CONSTRUCTION)


def build(rng: random.Random, today: date) -> dict[str, int]:
    """Teams for about seven in ten projects under way that have a chief officer, and their services."""
    last = reference_day(today)
    staff = list(Person.objects.filter(unit__kind__in=(UnitKind.DEPARTMENT, UnitKind.TOWN), is_active=True))
    if not staff:
        return {"teams": 0, "team_members": 0, "services": 0}
    projects = Project.objects.filter(status__in=UNDER_WAY, chief_officer__isnull=False).order_by("pk")
    members: list[TeamMember] = []
    records: list[ServiceRecord] = []
    teams = 0
    for project in projects.iterator(chunk_size=2000):
        if rng.random() > 0.7:
            continue
        teams += 1
        chosen = {project.chief_officer_id}
        for order in range(rng.randint(2, 4)):
            person = pick(rng, staff)
            if person.pk in chosen:
                continue
            chosen.add(person.pk)
            role = TeamRole.DEPUTY if order == 0 else TeamRole.LIAISON if order == 1 else TeamRole.MEMBER
            members.append(
                TeamMember(
                    project=project, person=person, role=role, duty=pick(rng, DUTIES), sort_order=order
                )
            )
        team = [pk for pk in chosen if pk is not None]
        for _n in range(rng.randint(1, 5)):
            matter, action, result, note = pick(rng, SERVICES)
            records.append(
                ServiceRecord(
                    project=project,
                    served_on=day_between(rng, date(last.year, 1, 5), last),
                    matter=matter,
                    action=action,
                    result=result,
                    result_note=note,
                    served_by_id=pick(rng, team),
                )
            )
    TeamMember.objects.bulk_create(members, batch_size=2000)
    ServiceRecord.objects.bulk_create(records, batch_size=2000)
    return {"teams": teams, "team_members": len(members), "services": len(records)}
