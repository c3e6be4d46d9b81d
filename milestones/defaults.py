"""The standard node templates (节点计划模板) loaded by a data migration and by tests."""

from django.apps.registry import Apps

# Standard nodes, in days before (−) the planned completion date: 倒排工期 from 竣工.
TEMPLATES: list[tuple[str, str, list[tuple[str, int]]]] = [
    (
        "房建类项目",
        "学校、医院、保障房、办公及商业建筑",
        [
            ("立项批复", -720),
            ("用地规划许可", -660),
            ("工程规划许可", -600),
            ("施工许可", -570),
            ("开工", -540),
            ("基础工程完成", -420),
            ("主体封顶", -180),
            ("装饰装修完成", -60),
            ("竣工验收", -30),
            ("交付使用", 0),
        ],
    ),
    (
        "市政道路类项目",
        "道路、桥梁、管网及城市更新配套工程",
        [
            ("立项批复", -480),
            ("初步设计批复", -420),
            ("施工许可", -390),
            ("开工", -360),
            ("地下管网完成", -180),
            ("路基完成", -120),
            ("路面完成", -45),
            ("竣工验收", -15),
            ("建成通车", 0),
        ],
    ),
    (
        "产业类项目",
        "工业厂房、产业园区、生产线",
        [
            ("项目备案", -600),
            ("土地摘牌", -540),
            ("环评批复", -480),
            ("施工许可", -420),
            ("开工", -390),
            ("厂房主体完工", -210),
            ("设备安装调试", -90),
            ("竣工验收", -30),
            ("投产", 0),
        ],
    ),
]


def load_templates(apps: Apps | None = None) -> None:
    """Create the standard templates and their nodes where missing; `apps` is a migration's registry."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Template = apps.get_model("milestones", "MilestoneTemplate")
    Node = apps.get_model("milestones", "MilestoneTemplateNode")
    for order, (name, kind, nodes) in enumerate(TEMPLATES, start=1):
        template, _created = Template.objects.get_or_create(
            name=name, defaults={"project_kind": kind, "sort_order": order}
        )
        for index, (node, offset) in enumerate(nodes, start=1):
            Node.objects.get_or_create(
                template=template, name=node, defaults={"offset_days": offset, "sort_order": index}
            )
