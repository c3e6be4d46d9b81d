"""A public project full of what must never be published (people and their phones, problems,
warnings, notes, the reason of a status) next to what must be, and a project that is not public."""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from alerts.models import Alert
from catalog.models import ProcedureType
from milestones.models import Milestone
from org.models import Person
from plans.counting import recount
from plans.models import Plan, PlanEntry
from problems.models import Problem
from progress.choices import ReportState
from progress.models import Report, ReportPhoto
from progress.periods import Period
from progress.photos import inspect_photo, save_photo
from progress.rollup import refresh_projects
from projects.models import Procedure, ProjectStatusChange

# What the fixtures write and no public page or export may contain.
SECRETS = {
    "people": ["钱分包", "孙首席", "李责任", "周联系", "吴节点", "郑单位联系"],
    "phones": ["13912345678", "13800001111", "0371-66881234", "15000002222", "18600003333"],
    "problems": ["征地拆迁严重滞后需区领导协调", "资金缺口约两千万元尚未落实", "施工许可办理受阻"],
    "warnings": ["本期完成投资异常偏高请核实", "年度计划完成率低于时间进度"],
    "notes": ["计划备注仅供内部", "节点备注仅供内部", "手续备注仅供内部", "资金链断裂暂停施工"],
}
SECRET_TEXTS = [text for texts in SECRETS.values() for text in texts]


def photo_upload(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class Disclosed:
    year: int
    plan: Plan
    public_photo: ReportPhoto
    private_photo: ReportPhoto


@pytest.fixture
def disclosed(world, settings, tmp_path) -> Disclosed:
    """project_a public, with two accepted months of this year and every private detail filled in;
    project_b not public."""
    settings.MEDIA_ROOT = tmp_path
    year = timezone.localdate().year
    a = world.project_a
    a.is_public = True
    a.code = ""
    a.content = "道路全长2.4公里，双向四车道，同步建设雨污管网。"
    a.address = "滨河路（人民路至建设路段）"
    a.latitude, a.longitude = Decimal("35.761234"), Decimal("115.031234")
    a.planned_start_date, a.actual_start_date = date(year - 1, 3, 1), date(year - 1, 3, 15)
    a.planned_completion_date = date(year + 1, 10, 31)
    a.leader_in_charge = Person.objects.create(name="钱分包", unit=world.government, phone="13912345678")
    a.chief_officer = Person.objects.create(name="孙首席", unit=world.drc, phone="13800001111")
    a.responsible_person = Person.objects.create(name="李责任", unit=world.housing, phone="0371-66881234")
    a.owner_contact = Person.objects.create(name="周联系", unit=world.owner_a_unit, phone="15000002222")
    a.status_reason = "资金链断裂暂停施工"
    a.save()
    world.owner_a_unit.contact_name = "郑单位联系"
    world.owner_a_unit.contact_phone = "18600003333"
    world.owner_a_unit.save()

    plan = Plan.objects.create(year=year, level="local", title=f"{year}年区重点建设项目计划")
    PlanEntry.objects.create(
        plan=plan,
        project=a,
        plan_type="continuing",
        annual_investment=Decimal("6000"),
        note="计划备注仅供内部",
    )
    PlanEntry.objects.create(
        plan=plan, project=world.project_b, plan_type="preliminary", annual_investment=Decimal("2000")
    )
    recount(year)
    reports = []
    for month, amount, ytd, percent in ((1, "400", "400", "35.0"), (2, "600.50", "1000.50", "42.5")):
        reports.append(
            Report.objects.create(
                project=a,
                year=year,
                month=month,
                amount=Decimal(amount),
                year_to_date=Decimal(ytd),
                cumulative=Decimal(ytd) + Decimal("5000"),
                progress_text="主体结构施工，完成路基2.1公里",
                progress_percent=Decimal(percent),
                problems_text="征地拆迁严重滞后需区领导协调",
                warnings=["本期完成投资异常偏高请核实"],
                deadline=Period(year, month).deadline,
                state=ReportState.ACCEPTED,
                reviewed_at=timezone.now(),
            )
        )
    Report.objects.create(
        project=world.project_b,
        year=year,
        month=1,
        amount=Decimal("77"),
        year_to_date=Decimal("77"),
        cumulative=Decimal("77"),
        deadline=Period(year, 1).deadline,
        state=ReportState.ACCEPTED,
    )
    refresh_projects([a.pk, world.project_b.pk])
    Problem.objects.create(project=a, category="land", description="资金缺口约两千万元尚未落实")
    Problem.objects.create(project=a, category="approval", description="施工许可办理受阻")
    Alert.objects.create(
        rule="plan_behind",
        project=a,
        colour="red",
        message="年度计划完成率低于时间进度",
        opened_on=timezone.localdate(),
    )
    Milestone.objects.create(
        project=a,
        name="路基完成",
        planned_date=date(year, 6, 30),
        responsible_person="吴节点",
        note="节点备注仅供内部",
    )
    Procedure.objects.create(
        project=a, type=ProcedureType.objects.get(code="approval"), note="手续备注仅供内部"
    )
    ProjectStatusChange.objects.create(
        project=a,
        from_status="preliminary",
        to_status="construction",
        reason="资金链断裂暂停施工",
        effective_date=date(year - 1, 3, 15),
    )

    photos = []
    for name, colour, public in (("public.jpg", (40, 120, 200), True), ("private.jpg", (200, 60, 40), False)):
        upload = photo_upload(name, colour)
        photo = save_photo(
            ReportPhoto(report=reports[-1], uploaded_by=world.owner_a, caption="周联系拍摄"),
            upload,
            inspect_photo(upload),
        )
        photo.is_public = public
        photo.save()
        photos.append(photo)
    return Disclosed(year=year, plan=plan, public_photo=photos[0], private_photo=photos[1])
