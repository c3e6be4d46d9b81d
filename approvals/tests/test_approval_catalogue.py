"""审批事项目录 out of a catalogue built to seed 000: "政府投资建设项目主要涉及的9个部门、37个事项，企业投资
建设项目主要涉及的9个部门、33个事项，全部实现联合审批", in four stages, and "已有13个项目启用绿色通道"."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from approvals.figures import approval_catalogue
from catalog.models import Category, ProcedureType
from org.choices import UnitKind
from org.models import Unit
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from projects.models import Project

STAGES = ["planning", "preparation", "construction", "acceptance"]


@pytest.fixture
def yuexiu(world):
    """The 9 default procedure types and 32 more: 29 for every project, 8 for government-invested
    ones only and 4 for enterprise-invested ones only, across 9 departments and the four stages;
    and 43 projects on the 2017 local plan, 13 of them in the green channel."""
    departments = [world.housing, world.education, world.drc] + [
        Unit.objects.create(name=f"区审批部门{i}", kind=UnitKind.DEPARTMENT, parent=world.government)
        for i in range(6)
    ]
    for i in range(32):
        applies = "all" if i < 20 else "government" if i < 28 else "enterprise"
        ProcedureType.objects.create(code=f"item_{i}", name=f"审批事项{i:02d}", applies_to=applies)
    # An item no longer used does not count.
    ProcedureType.objects.create(code="retired", name="已取消事项", is_active=False, department=world.drc)
    for i, item in enumerate(ProcedureType.objects.filter(is_active=True).order_by("pk")):
        item.department = departments[i % 9]
        item.stage = item.stage or STAGES[i % 4]
        item.save()
    plan = Plan.objects.create(year=2017, level="local", title="2017年区重点")
    category = Category.objects.get(code="social")
    for i in range(43):
        project = Project.objects.create(
            name=f"越秀项目{i:02d}",
            category=category,
            total_investment=Decimal(5000),
            responsible_unit=world.housing,
            green_channel=i < 13,
        )
        PlanEntry.objects.create(
            plan=plan, project=project, plan_type="continuing", annual_investment=Decimal(100)
        )


def test_seed_000_catalogue_nine_departments_37_and_33_items_all_joint(yuexiu):
    catalogue = approval_catalogue(2017)
    government, enterprise = catalogue["by_nature"]
    assert (government["label"], government["departments"], government["items"]) == ("政府投资", 9, 37)
    assert (enterprise["label"], enterprise["departments"], enterprise["items"]) == ("企业投资", 9, 33)
    assert government["all_joint"] and enterprise["all_joint"]
    assert (catalogue["items"], catalogue["departments"], catalogue["without_department"]) == (41, 9, 0)


def test_the_catalogue_by_stage_in_the_order_of_the_guide(yuexiu):
    stages = approval_catalogue(2017)["by_stage"]
    assert [row["label"] for row in stages] == ["前期策划", "施工前准备", "建设实施", "竣工验收"]
    assert sum(row["items"] for row in stages) == 41
    assert all(row["items"] and row["joint"] == row["items"] for row in stages)


def test_an_item_outside_joint_approval_or_without_a_department_shows(yuexiu):
    item = ProcedureType.objects.get(code="item_25")  # a government-only item
    item.joint_approval = False
    item.department = None
    item.save()
    government, enterprise = approval_catalogue(2017)["by_nature"]
    assert (government["joint"], government["all_joint"], government["without_department"]) == (36, False, 1)
    assert enterprise["all_joint"]


def test_green_channel_coverage_of_the_scope(yuexiu, world):
    assert approval_catalogue(2017)["green_channel"] == {
        "projects": 45,
        "green": 13,
        "share": Decimal("28.9"),
    }
    scoped = approval_catalogue(2017, Scope(level="local"))["green_channel"]
    assert scoped == {"projects": 43, "green": 13, "share": Decimal("30.2")}
    # An owner sees its own projects only.
    assert approval_catalogue(2017, Scope(user=world.owner_b))["green_channel"]["projects"] == 1


def test_figures_json_carries_the_catalogue(yuexiu, capsys):
    call_command("figures", "--year", "2017", "--month", "12", "--level", "local", "--json")
    catalogue = json.loads(capsys.readouterr().out)["approval_catalogue"]
    assert [(row["departments"], row["items"], row["all_joint"]) for row in catalogue["by_nature"]] == [
        (9, 37, True),
        (9, 33, True),
    ]
    assert catalogue["green_channel"]["green"] == 13


def test_the_default_types_have_their_stage(world):
    stages = dict(ProcedureType.objects.values_list("code", "stage"))
    assert stages["approval"] == "planning"
    assert stages["construction_permit"] == "preparation"
    assert all(stages[code] for code in ("land", "eia", "works_planning"))


def test_the_catalogue_summary_on_the_procedure_types_page(yuexiu, client_for, world):
    response = client_for(world.admin).get(reverse("catalog:item_list", args=["procedure-types"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "涉及9个部门、37个事项" in text
    assert "涉及9个部门、33个事项" in text
    assert "全部实现联合审批" in text


def test_the_admin_gives_an_item_its_department_and_stage(world, client_for):
    admin = client_for(world.admin)
    url = reverse("catalog:item_create", args=["procedure-types"])
    fields = {
        "code": "fire_check",
        "name": "消防验收",
        "sort_order": 50,
        "is_active": "on",
        "stage": "acceptance",
        "applies_to": "all",
        "joint_approval": "on",
    }
    # Only a department approves: a town is refused, and nothing is saved.
    response = admin.post(url, {**fields, "department": world.town.pk})
    assert response.status_code == 200
    assert not ProcedureType.objects.filter(code="fire_check").exists()
    response = admin.post(url, {**fields, "department": world.housing.pk})
    assert response.status_code == 302
    item = ProcedureType.objects.get(code="fire_check")
    assert (item.department, item.stage, item.joint_approval) == (world.housing, "acceptance", True)
    assert client_for(world.coordinator).post(url, {**fields, "code": "other"}).status_code == 403
