"""Demo milestones (节点计划): the standard templates applied to projects under construction by the
app's own back-scheduling (MilestoneTemplate.apply_to), with actual dates on the nodes already passed —
taken from the approvals and the start date where there are such, a few left overdue.
"""

import random
from datetime import date, timedelta

from demo.shared import moment, pick, reference_day
from milestones.models import Milestone, MilestoneTemplate
from projects.choices import ProcedureStatus, ProjectStatus
from projects.models import Procedure, Project

# Template (by name) for a project's category and industry.
BUILDING, ROADS, INDUSTRY = "房建类项目", "市政道路类项目", "产业类项目"
ROAD_INDUSTRIES = ("transport", "municipal", "water", "ecology", "energy", "urban_renewal")
# Industry projects that build plants; the others (tourism, commerce, services) build buildings.
PLANT_INDUSTRIES = ("manufacturing", "digital", "energy", "agriculture")
# Nodes that are an approval, by procedure type code.
APPROVALS = {
    "立项批复": "approval",
    "项目备案": "approval",
    "用地规划许可": "land_planning",
    "工程规划许可": "works_planning",
    "施工许可": "construction_permit",
    "环评批复": "eia",
    "土地摘牌": "land",
}
START = "开工"
# Nodes reached only at completion: a project under construction has not reached them.
FINAL = ("竣工验收", "交付使用", "建成通车", "投产")
LATE_NOTES = ["受雨季影响延后完成", "受管线迁改影响延后完成", "受重污染天气管控影响延后完成"]


def template_name(project: Project) -> str:
    category = project.category.code
    industry = project.industry.code if project.industry else ""
    if category == "industry":
        return INDUSTRY if industry in PLANT_INDUSTRIES else BUILDING
    if category == "infrastructure" and industry in ROAD_INDUSTRIES:
        return ROADS
    return BUILDING


def build(rng: random.Random, today: date) -> dict[str, int]:
    """Node plans of about 20 projects under construction; returns counts."""
    as_of = reference_day(today)
    counts = {"milestone_projects": 0, "milestones": 0, "milestones_done": 0, "milestones_overdue": 0}
    templates = {
        t.name: t for t in MilestoneTemplate.objects.filter(is_active=True).prefetch_related("nodes")
    }
    if not templates:
        return counts
    candidates = list(
        Project.objects.filter(
            status=ProjectStatus.CONSTRUCTION,
            actual_start_date__isnull=False,
            planned_completion_date__isnull=False,
        )
        .select_related("category", "industry", "responsible_person")
        .order_by("pk")
    )
    wanted = min(max(20, len(candidates) // 3), 200)

    def fit(project: Project) -> float:
        """How far the template's start node falls from the actual start, against the planned span."""
        template = templates.get(template_name(project)) or next(iter(templates.values()))
        offsets = [n.offset_days for n in template.nodes.all() if n.name == START] or [-360]
        completion, start = project.planned_completion_date, project.actual_start_date
        assert completion is not None and start is not None  # candidates are filtered on both
        span = (completion - start).days
        return abs(span + offsets[0]) / max(-offsets[0], 1)

    # Projects whose span suits the standard schedule first, so that the war map reads naturally.
    ranked = sorted(candidates, key=lambda p: (round(fit(p), 1), rng.random()))
    chosen = sorted(ranked[:wanted], key=lambda p: p.pk)
    for project in chosen:
        template = templates.get(template_name(project)) or next(iter(templates.values()))
        template.apply_to(project)
    approved: dict[tuple[int, str], Procedure] = {
        (p.project_id, p.type.code): p
        for p in Procedure.objects.filter(project__in=chosen).select_related("type").order_by("pk")
    }
    by_id = {p.pk: p for p in chosen}
    nodes = list(Milestone.objects.filter(project__in=chosen).order_by("project_id", "planned_date", "pk"))
    keep: list[Milestone] = []
    drop: list[int] = []
    lagging = {p.pk for p in chosen if rng.random() < 0.3}
    for node in nodes:
        project = by_id[node.project_id]
        started = project.actual_start_date
        assert started is not None  # candidates are filtered on it
        node.responsible_person = project.responsible_person.name if project.responsible_person else ""
        code = APPROVALS.get(node.name)
        if code is not None:
            procedure = approved.get((project.pk, code))
            if procedure is not None and procedure.status == ProcedureStatus.NOT_NEEDED:
                drop.append(node.pk)  # the project needs no such approval
                continue
            if procedure is not None and procedure.approved_on:
                node.actual_date = procedure.approved_on
            else:
                node.actual_date = min(node.planned_date, started - timedelta(days=rng.randint(5, 40)))
        elif node.name == START:
            node.actual_date = started
        elif node.name not in FINAL and node.planned_date <= as_of:
            done = max(node.planned_date + timedelta(days=rng.randint(-7, 20)), started + timedelta(days=20))
            node.actual_date = done if done <= as_of else None
        if node.actual_date and node.actual_date > node.planned_date + timedelta(days=10):
            node.note = (
                "手续办理延后"
                if code
                else "前期工作延后，推迟开工"
                if node.name == START
                else pick(rng, LATE_NOTES)
            )
        keep.append(node)
    # Some projects lag: their latest node due so far is not done yet.
    for project_id in sorted(lagging):
        due = [
            n
            for n in keep
            if n.project_id == project_id
            and n.name not in APPROVALS
            and n.name != START
            and n.planned_date <= as_of
        ]
        if due:
            due[-1].actual_date, due[-1].note = None, ""
    Milestone.objects.filter(pk__in=drop).delete()
    Milestone.objects.bulk_update(keep, ["actual_date", "responsible_person", "note"], batch_size=500)
    Milestone.objects.filter(pk__in=[n.pk for n in keep]).update(updated_at=moment(rng, as_of))
    counts["milestone_projects"] = len(chosen)
    counts["milestones"] = len(keep)
    counts["milestones_done"] = sum(1 for n in keep if n.actual_date)
    counts["milestones_overdue"] = sum(1 for n in keep if not n.actual_date and n.planned_date < as_of)
    return counts
