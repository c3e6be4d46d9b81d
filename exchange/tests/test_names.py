"""Names as offices write them: each unknown unit, person or dictionary value resolved once, remembered as an alias."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import IndustryField
from exchange.models import Alias, ImportBatch
from exchange.names import normalise_unit
from exchange.tests.test_import import row3, table3
from exchange.tests.test_pages import upload
from org.models import Person, Unit
from plans.models import Plan, PlanEntry
from progress.models import Report
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(world):
    return Plan.objects.create(year=2026, level="local", title="2026年区重点项目计划")


def office_table() -> bytes:
    """Three new projects: short unit names, a person as 首席服务员, an industry outside the dictionary."""
    common = {"total": 5000, "amount": 100, "cumulative": 100, "ytd": 100, "annual": 1000}
    first = row3(
        "新建道路一期",
        responsible="示范区住建局",
        owner="示范区某某建设有限公司",
        industry="市政道路",
        **common,
    )
    first[17] = "刘工"  # 首席服务员
    return table3(
        first,
        row3("新建道路二期", responsible="示范区住建局", owner="示范区某某建设有限公司", industry="市政道路", **common),
        row3("商贸中心", responsible="区不存在局", owner="某某商贸有限公司", industry="商贸服务", **common),
    )  # fmt: skip


def test_region_prefixes_and_short_forms_are_normalised_away():
    assert (
        normalise_unit("广州市越秀区住建局") == normalise_unit("越秀区住房和城乡建设局") == "住房和城乡建设局"
    )
    assert normalise_unit("区发改局") == "发展和改革局"
    assert normalise_unit("城关街道办事处") == normalise_unit("城关街道")
    assert normalise_unit("（濮阳市）华龙区 教体局") == "教育和体育局"
    # A 新区 or 园区 is a place of its own, not a district prefix to drop.
    assert normalise_unit("开平市翠山湖新区管委会") == "翠山湖新区管理委员会"
    assert normalise_unit("开平市水口工业园区管委会") == "水口工业园区管理委员会"


def test_companies_one_character_apart_are_not_mapped_to_each_other(world, plan, tmp_path, capsys):
    Unit.objects.create(name="濮阳市孟轲实业有限公司", kind="owner", parent=world.housing)
    path = tmp_path / "附件3.xlsx"
    row = row3("新厂房", responsible="区住房和城乡建设局", owner="濮阳市孟轲置业有限公司", total=5000,
               amount=1, cumulative=1, ytd=1)  # fmt: skip
    path.write_bytes(table3(row))
    call_command(
        "import_table",
        str(path),
        "--year",
        "2026",
        "--level",
        "local",
        "--period",
        "2026-03",
        "--create-missing",
    )
    owner = Project.objects.get(name="新厂房").owner_unit
    assert owner is not None and owner.name == "濮阳市孟轲置业有限公司"
    assert not Alias.objects.exists()


def test_each_unknown_name_is_one_line_with_its_rows_and_nothing_is_written(world, plan, tmp_path, capsys):
    path = tmp_path / "附件3.xlsx"
    path.write_bytes(office_table())
    before = (Unit.objects.count(), Person.objects.count(), Project.objects.count())
    with pytest.raises(CommandError):
        call_command("import_table", str(path), "--year", "2026", "--level", "local", "--period", "2026-03")
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("错误")]
    assert errors == [
        "错误 ‘责任单位’列：单位“示范区住建局”不存在（第9、10行）",
        "错误 ‘项目单位’列：单位“示范区某某建设有限公司”不存在（第9、10行）",
        "错误 ‘首席服务员’列：人员“刘工”不存在（第9行）",
        "错误 ‘行业领域’列：行业领域“市政道路”不存在（第9、10行）",
        "错误 ‘责任单位’列：单位“区不存在局”不存在（第11行）",
        "错误 ‘项目单位’列：单位“某某商贸有限公司”不存在（第11行）",
        "错误 ‘行业领域’列：行业领域“商贸服务”不存在（第11行）",
    ]
    assert (Unit.objects.count(), Person.objects.count(), Project.objects.count()) == before
    assert not Alias.objects.exists()


def test_create_missing_maps_close_names_creates_the_rest_and_the_table_then_imports_without_it(
    world, plan, tmp_path, capsys
):
    path = tmp_path / "附件3.xlsx"
    path.write_bytes(office_table())
    args = [str(path), "--year", "2026", "--level", "local", "--period", "2026-03"]
    call_command("import_table", *args, "--create-missing")
    out = capsys.readouterr().out
    assert "新建单位 3 个：区不存在局、示范区某某建设有限公司、某某商贸有限公司" in out
    assert "示范区住建局→区住房和城乡建设局" in out
    road = Project.objects.get(name="新建道路一期")
    assert road.responsible_unit == world.housing
    assert road.owner_unit is not None and road.chief_officer is not None and road.industry is not None
    assert road.owner_unit.kind == "owner" and road.owner_unit.parent == world.housing
    assert road.chief_officer.name == "刘工" and road.industry.name == "市政道路"
    assert Unit.objects.get(name="区不存在局").kind == "department"
    assert Alias.objects.get(name="示范区住建局").unit == world.housing
    assert IndustryField.objects.filter(name__in=["市政道路", "商贸服务"]).count() == 2
    call_command("import_table", *args)
    assert "新增 0 行" in capsys.readouterr().out


def test_two_equally_close_units_are_never_guessed(world, plan, tmp_path, capsys):
    Unit.objects.create(name="北城区住房和城乡建设局", kind="department", parent=world.government)
    path = tmp_path / "附件3.xlsx"
    path.write_bytes(
        table3(row3("新建道路", responsible="住建局", total=5000, amount=1, cumulative=1, ytd=1))
    )
    with pytest.raises(CommandError):
        call_command(
            "import_table",
            str(path),
            "--year",
            "2026",
            "--level",
            "local",
            "--period",
            "2026-03",
            "--create-missing",
        )
    err = capsys.readouterr().err
    assert (
        "单位“住建局”有多个同样接近的对应：“北城区住房和城乡建设局”、“区住房和城乡建设局”，请指定（第9行）"
        in err
    )
    assert not Project.objects.filter(name="新建道路").exists()


def test_the_preview_lists_names_once_the_uploader_changes_one_and_commits(world, plan, client):
    client.force_login(world.coordinator)
    response = upload(client, office_table())
    assert response.status_code == 200
    rows = response.context["names"]
    by_name = {row["unknown"].name: row for row in rows}
    assert set(by_name) == {
        "示范区住建局",
        "区不存在局",
        "示范区某某建设有限公司",
        "某某商贸有限公司",
        "刘工",
        "市政道路",
        "商贸服务",
    }
    assert by_name["示范区住建局"]["selected"] == f"map:{world.housing.pk}"
    assert by_name["区不存在局"]["selected"] == "create:department"
    assert not response.context["can_commit"]
    assert not Unit.objects.filter(name="区不存在局").exists()
    batch = ImportBatch.objects.get()
    form: dict[str, int | str] = {"count": len(rows)}
    for row in rows:
        form[f"key-{row['index']}"] = row["unknown"].key
        form[f"choice-{row['index']}"] = row["selected"]
        form[f"parent-{row['index']}"] = row["parent"]
    # The uploader knows 区不存在局 is the town's own office: mapped, not created.
    form[f"choice-{by_name['区不存在局']['index']}"] = f"map:{world.town.pk}"
    client.post(reverse("exchange:names", args=[batch.pk]), form)
    preview = client.get(reverse("exchange:batch", args=[batch.pk]))
    assert preview.context["can_commit"], preview.context["errors"]
    client.post(reverse("exchange:commit", args=[batch.pk]))
    assert Project.objects.get(name="商贸中心").responsible_unit == world.town
    assert Alias.objects.get(name="区不存在局").unit == world.town
    assert Report.objects.filter(project__name="商贸中心").get().amount == Decimal("100.00")
    again = upload(client, office_table())
    assert again.context["names"] == []


def test_a_unit_cannot_create_names_only_map_them(world, plan, client):
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal(3000)
    )
    client.force_login(world.department)
    content = table3(
        row3("滨河路改造工程", responsible="示范区住建局", total=12000, amount=1, cumulative=1, ytd=1)
    )
    response = upload(client, content)
    assert response.context["names"][0]["selected"] == f"map:{world.housing.pk}"
    messages = [issue.message for issue in response.context["result"].name_issues]
    assert messages == ["单位“示范区住建局”不存在（第9行）"]


def test_a_plan_type_column_sets_and_changes_the_entrys_type(world, plan):
    from exchange.importer import import_table
    from exchange.tests.test_bad_input import workbook

    header = ["序号", "项目名称", "建设单位", "总投资", "2026年投资目标", "计划类型"]
    first = workbook(header, [1, "新区学校", "示范区城投建设有限公司", 3000, 1000, "竣工"])
    result = import_table(first, "附件2.xlsx", year=2026, level="local", table=2, commit=True)
    assert result.committed, result.errors
    entry = PlanEntry.objects.get(project__name="新区学校")
    assert entry.plan_type == "completing" and entry.project.responsible_unit == world.housing
    second = workbook(header, [1, "新区学校", "示范区城投建设有限公司", 3000, 1000, "新开工"])
    result = import_table(second, "附件2.xlsx", year=2026, level="local", table=2, commit=True)
    assert result.rows[0].changes == [("计划类型", "竣工", "新开工")]
    entry.refresh_from_db()
    assert entry.plan_type == "new_start"
