"""Default dictionary contents, loaded by a data migration and by seed_demo."""

from typing import Any

INDUSTRY_FIELDS = [
    ("manufacturing", "先进制造业"),
    ("modern_services", "现代服务业"),
    ("digital", "数字经济"),
    ("transport", "交通"),
    ("water", "水利"),
    ("energy", "能源"),
    ("municipal", "市政公用"),
    ("urban_renewal", "城市更新"),
    ("education", "教育"),
    ("health", "医疗卫生"),
    ("culture_tourism", "文化旅游"),
    ("ecology", "生态环保"),
    ("agriculture", "农业农村"),
    ("housing", "保障性住房"),
    ("commerce", "商贸物流"),
]

CATEGORIES = [
    ("industry", "产业项目"),
    ("infrastructure", "基础设施项目"),
    ("social", "社会事业项目"),
]

# (code, name, time limit in days, 附件3 column)
PROCEDURE_TYPES = [
    ("approval", "审批核准备案", 20, "审批核准备案手续"),
    ("land_pre", "用地预审与选址", 20, ""),
    ("land", "用地审批", 60, "用地审批手续"),
    ("land_planning", "用地规划许可", 20, "用地规划手续"),
    ("works_planning", "工程规划许可", 20, "建设规划手续"),
    ("eia", "环评审批", 30, "环评审批手续"),
    ("construction_permit", "施工许可", 15, ""),
    ("energy_review", "节能审查", 20, ""),
    ("soil_water", "水土保持", 20, ""),
]

# The stage of seed 000's guide (前期策划, 施工前准备, 建设实施, 竣工验收) each default type belongs to:
# the decisions that let a project be approved and sited come first, the permits to build next.
PROCEDURE_STAGES = {
    "approval": "planning",
    "land_pre": "planning",
    "land_planning": "planning",
    "eia": "planning",
    "energy_review": "planning",
    "soil_water": "planning",
    "land": "preparation",
    "works_planning": "preparation",
    "construction_permit": "preparation",
}

FUNDING_SOURCES = [
    ("central_budget", "中央预算内投资"),
    ("ultra_long_bond", "超长期特别国债"),
    ("special_bond", "地方政府专项债券"),
    ("policy_finance", "政策性开发性金融工具"),
    ("provincial_special", "省级专项资金"),
    ("municipal_special", "市级专项资金"),
    ("fiscal", "财政资金"),
    ("bank_loan", "银行贷款"),
    ("social_capital", "社会资本/PPP"),
    ("self_raised", "企业自筹"),
]


def load_defaults(apps: object = None) -> None:
    """Create the default dictionary entries that do not exist yet (also from a migration)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    IndustryField = apps.get_model("catalog", "IndustryField")  # type: ignore[attr-defined]  # the registry or a migration's apps
    Category = apps.get_model("catalog", "Category")  # type: ignore[attr-defined]  # the registry or a migration's apps
    ProcedureType = apps.get_model("catalog", "ProcedureType")  # type: ignore[attr-defined]  # the registry or a migration's apps
    FundingSource = apps.get_model("catalog", "FundingSource")  # type: ignore[attr-defined]  # the registry or a migration's apps

    for order, (code, name) in enumerate(INDUSTRY_FIELDS):
        IndustryField.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for order, (code, name) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for order, (code, name, days, column) in enumerate(PROCEDURE_TYPES):
        ProcedureType.objects.get_or_create(
            code=code,
            defaults={"name": name, "sort_order": order, "time_limit_days": days, "table_column": column},
        )
    for order, (code, name) in enumerate(FUNDING_SOURCES):
        FundingSource.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    if any(field.name == "stage" for field in ProcedureType._meta.get_fields()):
        fill_stages(ProcedureType)


def fill_stages(procedure_type: Any) -> int:
    """Set the stage of the default procedure types that have none yet; returns how many were set."""
    return sum(
        procedure_type.objects.filter(code=code, stage="").update(stage=stage)
        for code, stage in PROCEDURE_STAGES.items()
    )
