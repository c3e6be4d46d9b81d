"""Onboarding a region from its own tables: an empty database, the workbooks offices send, the seeds' figures.

Each seed's published portfolio is rebuilt as the Excel tables its offices would fill
(exchange/tests/seedtables.py), imported with `import_table --create-missing` into a database
that has nothing but what migrate puts there, and `figures --json` must then print the seed's
own numbers. Without --create-missing the same tables are refused with one line per unknown name.
"""

import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from catalog.defaults import CATEGORIES, INDUSTRY_FIELDS
from catalog.models import Category, IndustryField
from exchange.models import Alias, ImportBatch
from exchange.tests import seedtables
from exchange.tests.seedtables import NameUse, TableFile
from org.models import Person, Unit, User
from plans.models import Plan, PlanEntry
from progress.models import Report
from projects.models import Procedure, Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Kept import files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def empty(db: None) -> None:
    """The database as migrate leaves it: the default dictionaries (a data migration), nothing else."""
    assert Category.objects.count() == len(CATEGORIES)
    assert IndustryField.objects.count() == len(INDUSTRY_FIELDS)
    for model in (Unit, User, Person, Project, Plan, Alias):
        assert not model.objects.exists(), model


def import_file(table: TableFile, folder: Path, *, create_missing: bool = True) -> str:
    """Run import_table on the workbook as the command line would; its standard output."""
    out, err = io.StringIO(), io.StringIO()
    argv = table.arguments(table.write(folder), create_missing=create_missing)
    try:
        call_command("import_table", *argv, stdout=out, stderr=err)
    except CommandError as error:
        raise AssertionError(f"{error}\n{err.getvalue()}{out.getvalue()}") from error
    assert err.getvalue() == ""
    return out.getvalue()


def figures(year: int, level: str | None = None) -> dict[str, Any]:
    """`figures --year Y --month 12 [--level L] --json`, parsed."""
    out = io.StringIO()
    argv = ["--year", str(year), "--month", "12", "--json"]
    if level:
        argv += ["--level", level]
    call_command("figures", *argv, stdout=out)
    return json.loads(out.getvalue())


def plan_figures(data: dict[str, Any]) -> tuple[Any, ...]:
    plan = data["plan"]
    return (
        plan["count"],
        plan["total_investment"],
        plan["annual_plan"],
        plan["completed"],
        plan["completion_rate"],
        plan["ahead_points"],
    )


def yi(amount: str) -> str:
    """万元 (as the JSON writes it) in 亿元 with 2 decimals, as the seeds print it."""
    return str(seedtables.yi(Decimal(amount)))


def unknown_line(use: NameUse) -> str:
    """The one error line import_table prints for a name nobody has decided about."""
    shown = "、".join(str(row) for row in use.rows[:12])
    rows = f"第{shown}等{len(use.rows)}行" if len(use.rows) > 12 else f"第{shown}行"
    return f"错误 ‘{use.header}’列：{use.kind}“{use.name}”不存在（{rows}）"


# Every workbook of every seed, each importable on its own into an empty database.
WORKBOOKS: dict[str, Callable[[], TableFile]] = {
    "yuexiu-2017-12": seedtables.yuexiu,
    "kaiping-province": lambda: seedtables.kaiping()[0],
    "kaiping-city": lambda: seedtables.kaiping()[1],
    "kaiping-local": lambda: seedtables.kaiping()[2],
    "kaiping-park": seedtables.kaiping_park,
    "hualong-2018-continuing": lambda: seedtables.hualong()[0],
    "hualong-2018-new": lambda: seedtables.hualong()[1],
    "hualong-2017-new": lambda: seedtables.hualong_2017()[0],
    "hualong-2017-12": lambda: seedtables.hualong_2017()[1],
    "zhanhe-new": lambda: seedtables.zhanhe_new(status_column=True),
    "zhanhe-new-as-printed": lambda: seedtables.zhanhe_new(status_column=False),
}


# Seed 000: 越秀区 2017 ------------------------------------------------------------------------


def test_yuexiu_december_table_gives_the_2017_report_figures(empty, tmp_path):
    """43 projects, 21.25亿 planned, 23.9亿 done = 112.5%; 76.68 / 15.51 / 7.81% by category;
    15 / 15 / 2 / 11 projects = 34.9 / 34.9 / 4.6 / 25.6% by status."""
    out = import_file(seedtables.yuexiu(), tmp_path)
    assert "导入完成：附件3，新增 43 行，变更 0 行，未变 0 行，错误 0 个" in out

    data = figures(2017)
    # The 43 are the district's own list: all levels together are that list.
    assert figures(2017, "local")["plan"] == data["plan"]
    plan = data["plan"]
    assert plan_figures(data)[0] == 43
    assert plan_figures(data)[2:] == ("212500.00", "238990.00", "112.5", "12.5")
    assert (yi(plan["annual_plan"]), yi(plan["completed"])) == ("21.25", "23.90")
    categories = [
        (row["label"], row["count"], yi(row["completed"]), row["completed_share"])
        for row in data["by_category"]
    ]
    assert categories == [
        ("产业项目", 14, "18.32", "76.68"),
        ("基础设施项目", 18, "3.71", "15.51"),
        ("社会事业项目", 11, "1.87", "7.81"),
    ]
    statuses = [(row["key"], row["count"], row["share"]) for row in data["by_status"]]
    assert statuses == [
        ("completed", 15, "34.9"),
        ("construction", 15, "34.9"),
        ("suspended", 2, "4.6"),
        ("preliminary", 11, "25.6"),
        ("cancelled", 0, "0.0"),
    ]


def test_section_headings_merged_across_the_table_are_not_read_as_projects(empty, tmp_path):
    out = import_file(seedtables.yuexiu(merged_sections=True), tmp_path)
    assert "导入完成：附件3，新增 43 行，变更 0 行，未变 0 行，错误 0 个" in out
    assert plan_figures(figures(2017))[2:] == ("212500.00", "238990.00", "112.5", "12.5")


def test_yuexiu_paused_rows_keep_their_reason_from_the_reason_or_the_progress_column(empty, tmp_path):
    import_file(seedtables.yuexiu(), tmp_path)
    paused = dict(Project.objects.filter(status="suspended").values_list("name", "status_reason"))
    assert paused == {
        "光孝寺部分现代建筑的修整和环境整治一期": "施工许可证审批问题",
        "大马站地下人防工程": "因资金问题暂停施工",
    }


def test_yuexiu_names_become_units_people_and_dictionary_entries_once_each(empty, tmp_path):
    table = seedtables.yuexiu()
    out = import_file(table, tmp_path)
    units = {use.name for use in table.names if use.kind == "单位"}
    people = {use.name for use in table.names if use.kind == "人员"}
    assert set(Unit.objects.values_list("name", flat=True)) == units
    assert people <= set(Person.objects.values_list("name", flat=True))
    assert set(IndustryField.objects.filter(code__startswith="imported-").values_list("name", flat=True)) == {
        "市政道路",
        "商贸服务",
    }
    assert "新建行业领域 2 个：" in out
    housing = Unit.objects.get(name="越秀区住建局")
    assert (housing.kind, housing.parent) == ("department", None)
    assert Unit.objects.get(name="北京街道").kind == "town"
    # A company is created under the 责任单位 of the first row that names it.
    company = Unit.objects.get(name="广州越秀城建投资有限公司")
    assert (company.kind, company.parent) == ("owner", housing)
    project = Project.objects.select_related("responsible_unit", "owner_unit", "chief_officer").get(
        name="新河浦（省委周边）改造提升工程"
    )
    assert project.chief_officer is not None
    assert (project.responsible_unit, project.owner_unit, project.chief_officer.name) == (
        housing,
        company,
        "陈志强",
    )
    assert project.code == "2016-440104-47-01-010000"
    assert not Alias.objects.exists()


# Seed 002: 开平市 2022, three levels ------------------------------------------------------------


def test_kaiping_three_tables_give_each_levels_completion_rate(empty, tmp_path):
    """本级 183 projects 180.6亿 = 105.4%, 江门市重点 82 126.7亿 = 115.3%, 广东省重点 13 50.8亿 = 128.7%."""
    province, city, local = seedtables.kaiping()
    # A row is 新增 when it adds its project to the table's plan: the 13 are new to the city's list.
    assert "导入完成：附件3，新增 13 行，变更 0 行，未变 0 行，错误 0 个" in import_file(province, tmp_path)
    out = import_file(city, tmp_path)
    assert "导入完成：附件3，新增 82 行，变更 0 行，未变 0 行，错误 0 个" in out
    # The city's table writes 住建局 in full: it is the unit the province's table created.
    assert "新建别名 1 个：开平市住房和城乡建设局→开平市住建局" in out
    assert "导入完成：附件3，新增 183 行，变更 0 行，未变 0 行，错误 0 个" in import_file(local, tmp_path)
    assert (Project.objects.count(), PlanEntry.objects.count()) == (183, 13 + 82 + 183)

    expected = {
        "province": (13, "2820000.00", "395000.00", "508300.00", "128.7", "28.7"),
        "city": (82, "6950000.00", "1099000.00", "1267000.00", "115.3", "15.3"),
        "local": (183, "9492700.00", "1712600.00", "1805800.00", "105.4", "5.4"),
    }
    for level, figures_of_level in expected.items():
        assert plan_figures(figures(2022, level)) == figures_of_level, level
    # In 亿元, as the seed writes them: 282 / 39.5 / 50.8 and 949.27 / 171.26 / 180.6.
    amounts = ("total_investment", "annual_plan", "completed")
    province_plan, local_plan = figures(2022, "province")["plan"], figures(2022, "local")["plan"]
    assert [yi(province_plan[key]) for key in amounts] == ["282.00", "39.50", "50.83"]
    assert [yi(local_plan[key]) for key in amounts] == ["949.27", "171.26", "180.58"]
    # All levels together: each project once, under its local entry.
    together = figures(2022)
    assert plan_figures(together) == expected["local"]
    assert [(row["key"], row["count"], row["completion_rate"]) for row in together["by_level"]] == [
        ("province", 13, "128.7"),
        ("city", 82, "115.3"),
        ("local", 183, "105.4"),
    ]
    assert Unit.objects.filter(name="开平市住房和城乡建设局").count() == 0
    alias = Alias.objects.get(name="开平市住房和城乡建设局")
    assert alias.unit is not None
    assert (alias.kind, alias.unit.name) == ("unit", "开平市住建局")
    assert Report.objects.count() == 183


def test_a_second_management_committee_is_created_not_taken_for_the_first(empty, tmp_path):
    import_file(seedtables.kaiping()[1], tmp_path)
    assert Unit.objects.filter(name="翠山湖新区管委会").exists()
    out = import_file(seedtables.kaiping_park(), tmp_path)
    assert "开平市水口工业园区管委会" in out
    park = Project.objects.select_related("responsible_unit").get(name="水口工业园区标准厂房建设项目")
    assert park.responsible_unit is not None
    assert park.responsible_unit.name == "开平市水口工业园区管委会"
    assert not Alias.objects.filter(name="开平市水口工业园区管委会").exists()


# Seed 001: 濮阳市华龙区 ---------------------------------------------------------------------------


def test_hualong_2018_list_gives_the_share_of_projects_above_one_yi(empty, tmp_path):
    """223 projects, 658.31亿 total, 301.09亿 planned; 19 / 30 / 91 of 1亿 and above = 62.78%."""
    continuing, new = seedtables.hualong()
    assert "新增 120 行" in import_file(continuing, tmp_path)
    out = import_file(new, tmp_path)
    assert "导入完成：附件2，新增 103 行，变更 0 行，未变 0 行，错误 0 个" in out

    data = figures(2018)
    plan = data["plan"]
    assert (plan["count"], plan["total_investment"], plan["annual_plan"]) == (223, "6583100.00", "3010900.00")
    assert (yi(plan["total_investment"]), yi(plan["annual_plan"])) == ("658.31", "301.09")
    sizes = data["sizes"]
    assert [(bucket["key"], bucket["count"]) for bucket in sizes["buckets"]] == [
        ("10y+", 19),
        ("5-10y", 30),
        ("1-5y", 91),
        ("<1y", 83),
    ]
    assert (sizes["yi_and_above"], sizes["yi_and_above_share"]) == (140, "62.78")
    types = {row["key"]: row["count"] for row in data["by_plan_type"]}
    assert types == {"continuing": 120, "new_start": 103}
    # 附件2 has no 责任单位: each new project's owner was named in the 在建 table, under a unit.
    assert not Project.objects.filter(responsible_unit=None).exists()


def test_hualong_2017_new_start_and_december_tables_give_the_start_rate_and_completion_rate(empty, tmp_path):
    """42 市级以上 projects, 114亿 done = 140.1% of the plan; 22 new starts all started (开工率 100%);
    8 竣工投产."""
    starts, december = seedtables.hualong_2017()
    assert "新增 22 行" in import_file(starts, tmp_path)
    out = import_file(december, tmp_path)
    # Each row brings the month's report, so each is 新增; the 22 new starts are not created again.
    assert "导入完成：附件3，新增 42 行，变更 0 行，未变 0 行，错误 0 个" in out
    assert (Project.objects.count(), Report.objects.count()) == (42, 42)
    # 附件2 has no 责任单位: the December table gives the new starts theirs.
    assert not Project.objects.filter(responsible_unit=None).exists()

    data = figures(2017, "city")
    assert plan_figures(data)[0] == 42
    assert plan_figures(data)[2:] == ("813700.00", "1140000.00", "140.1", "40.1")
    assert yi(data["plan"]["completed"]) == "114.00"
    starts_figures = data["starts"]
    assert (starts_figures["to_start"], starts_figures["started"], starts_figures["start_rate"]) == (
        22,
        22,
        "100.0",
    )
    statuses = {row["key"]: row["count"] for row in data["by_status"]}
    assert (statuses["completed"], statuses["construction"]) == (8, 34)


# Seed 004: 湛河区 附件2 ----------------------------------------------------------------------------


def procedure_states() -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (project, type_code): (status, note)
        for project, type_code, status, note in Procedure.objects.values_list(
            "project__name", "type__code", "status", "note"
        )
    }


def expected_procedures() -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (project, seedtables.ZHANHE_TYPES[column]): state
        for (project, column), state in seedtables.ZHANHE_PROCEDURES.items()
    }


def test_zhanhe_new_table_reads_procedure_phrases_and_keeps_the_words_as_notes(empty, tmp_path):
    out = import_file(seedtables.zhanhe_new(status_column=True), tmp_path)
    assert "导入完成：附件2，新增 4 行，变更 0 行，未变 0 行，错误 0 个" in out
    assert procedure_states() == expected_procedures()
    # A phrase that says no state is kept as the note, and the import says so.
    assert "“待土地摘牌后办理”未能识别为办理状态" in out


def test_zhanhe_paused_row_is_suspended_with_its_progress_text_as_the_reason(empty, tmp_path):
    import_file(seedtables.zhanhe_new(status_column=True), tmp_path)
    paused = Project.objects.get(status="suspended")
    assert (paused.name, paused.status_reason) == (
        "湛河区北渡街道农贸市场升级改造项目",
        "受资金影响暂停施工，正在协调融资",
    )
    assert set(Project.objects.exclude(pk=paused.pk).values_list("status", flat=True)) == {"preliminary"}


def test_zhanhe_new_table_as_printed_leaves_the_responsible_unit_open(empty, tmp_path):
    """附件2 has no 责任单位, and in an empty database no owner has a parent to take it from."""
    out = import_file(seedtables.zhanhe_new(status_column=False), tmp_path)
    assert "新增 4 行" in out
    assert list(Project.objects.values_list("responsible_unit", flat=True)) == [None] * 4
    assert out.count("未填写责任单位，项目暂列为“责任单位待明确”") == 4
    assert procedure_states() == expected_procedures()
    entries = PlanEntry.objects.filter(plan__year=2021, plan__level="local")
    assert sorted(entries.values_list("plan_type", "annual_investment")) == [
        ("new_start", Decimal("2000.00")),
        ("new_start", Decimal("6300.00")),
        ("new_start", Decimal("8000.00")),
        ("new_start", Decimal("15000.00")),
    ]


def test_zhanhe_new_project_takes_its_responsible_unit_from_an_owner_already_placed(empty, tmp_path):
    """The 在建 table put the district's 城投 company under 湛河区住建局: its new project is that unit's."""
    import_file(seedtables.zhanhe_building(), tmp_path)
    out = import_file(seedtables.zhanhe_new(status_column=True), tmp_path)
    assert "按项目单位的上级单位“湛河区住建局”处理" in out
    responsible = dict(Project.objects.values_list("name", "responsible_unit__name"))
    assert responsible == {
        "湛河区湛河北路改造工程": "湛河区住建局",
        "湛河区曹镇乡农产品冷链物流园项目": None,
        "湛河区九里山街道老旧小区改造项目": "湛河区住建局",
        "湛河区北渡街道农贸市场升级改造项目": None,
        "湛河区曹镇乡智能制造产业园项目": None,
    }


# Every workbook ----------------------------------------------------------------------------------


@pytest.mark.parametrize("workbook", WORKBOOKS)
def test_without_create_missing_each_unknown_name_is_one_error_line_and_nothing_is_written(
    workbook, empty, tmp_path
):
    table = WORKBOOKS[workbook]()
    expected = sorted(unknown_line(use) for use in table.unknown_in_empty_database())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_table",
            *table.arguments(table.write(tmp_path), create_missing=False),
            stdout=out,
            stderr=err,
        )
    assert sorted(err.getvalue().splitlines()) == expected
    assert str(raised.value) == f"导入失败：共 {len(expected)} 个错误，未写入任何数据。"
    assert raised.value.returncode == 1
    for model in (Project, Unit, Person, Alias, Plan, PlanEntry, Report, Procedure, ImportBatch):
        assert not model.objects.exists(), model
    assert (Category.objects.count(), IndustryField.objects.count()) == (
        len(CATEGORIES),
        len(INDUSTRY_FIELDS),
    )


def test_the_error_lines_name_the_column_and_the_rows_of_each_unknown_name(empty, tmp_path):
    table = seedtables.yuexiu()
    rows = table.rows
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_table",
            *table.arguments(table.write(tmp_path), create_missing=False),
            stdout=out,
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    folks = [
        rows[name]
        for name, _category, _status, _industry, unit, _owner in seedtables.YUEXIU_PROJECTS
        if unit == "越秀区教育局"
    ]
    assert f"错误 ‘责任单位’列：单位“越秀区教育局”不存在（第{'、'.join(map(str, sorted(folks)))}行）" in lines
    assert any(line.startswith("错误 ‘行业领域’列：行业领域“市政道路”不存在（第") for line in lines)
    assert any(line.startswith("错误 ‘首席服务员’列：人员“陈志强”不存在（第") for line in lines)
    assert not any("城市更新" in line for line in lines)  # in the default dictionary


@pytest.mark.parametrize("workbook", WORKBOOKS)
def test_after_an_import_with_create_missing_the_same_file_imports_again_without_it_unchanged(
    workbook, empty, tmp_path
):
    table = WORKBOOKS[workbook]()
    import_file(table, tmp_path)
    counts = [model.objects.count() for model in (Project, Unit, Person, Alias, PlanEntry, Report, Procedure)]
    out = import_file(table, tmp_path, create_missing=False)
    assert f"导入完成：附件{table.table}，新增 0 行，变更 0 行，未变 {table.projects} 行，错误 0 个" in out
    assert [
        model.objects.count() for model in (Project, Unit, Person, Alias, PlanEntry, Report, Procedure)
    ] == counts
