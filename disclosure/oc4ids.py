"""开放数据: the public projects as an OC4IDS project package (Open Contracting for Infrastructure Data
Standard 0.9). docs/oc4ids.md explains each mapping; disclosure/tests/test_oc4ids.py validates the
result against the standard's own schema.

Amounts are 万元 in the database and CNY (yuan) in the standard: 1 万元 = 10,000 yuan, and the
2 decimals of 万元 make every amount a whole number of yuan.
"""

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from disclosure.public import (
    last_changed,
    monthly_completed,
    physical_progress,
    plan_entries_by_year,
    public_projects,
)
from lib.dates import month_end
from milestones.models import Milestone
from plans.models import Plan, PlanEntry
from projects.choices import ConstructionNature, ProjectStatus
from projects.models import Project, ProjectStatusChange

OC4IDS_VERSION = "0.9"
CURRENCY = "CNY"
YUAN_PER_WAN = 10_000
LANGUAGE = "zh"

# Our lifecycle status → the closed projectStatus codelist. 暂停施工 has no code of its own: a
# suspended project is in the phase it was suspended in (oc4ids_status).
STATUS_CODES: dict[str, str] = {
    ProjectStatus.RESERVE: "identification",
    ProjectStatus.PRELIMINARY: "preparation",
    ProjectStatus.CONSTRUCTION: "implementation",
    ProjectStatus.COMPLETED: "completion",
    ProjectStatus.OPERATING: "maintenance",
    ProjectStatus.CANCELLED: "cancelled",
}

# 行业领域 (the dictionary's codes) → the open projectSector codelist, parent codes included.
INDUSTRY_SECTORS: dict[str, list[str]] = {
    "manufacturing": ["economy"],
    "modern_services": ["economy"],
    "digital": ["communications"],
    "transport": ["transport"],
    "water": ["naturalResources"],
    "energy": ["energy"],
    "municipal": ["transport", "transport.road", "waterAndWaste"],
    "urban_renewal": ["socialHousing"],
    "education": ["education"],
    "health": ["health"],
    "culture_tourism": ["cultureSportsAndRecreation"],
    "ecology": ["naturalResources"],
    "agriculture": ["economy"],
    "housing": ["socialHousing"],
    "commerce": ["economy"],
}
# 项目类别 → sector, for an industry the table above does not know (one a city added). Only 产业项目
# names a sector by itself; 基础设施 and 社会事业 span several.
CATEGORY_SECTORS: dict[str, list[str]] = {"industry": ["economy"]}

# 建设性质 → the closed projectType codelist.
PROJECT_TYPES: dict[str, str] = {
    ConstructionNature.NEW: "construction",
    ConstructionNature.EXPANSION: "expansion",
    ConstructionNature.RENOVATION: "rehabilitation",
}


def yuan(amount_wan: Decimal) -> int:
    """万元 → whole yuan."""
    return int((amount_wan * YUAN_PER_WAN).to_integral_value())


def value(amount_wan: Decimal) -> dict[str, Any]:
    return {"amount": yuan(amount_wan), "currency": CURRENCY}


@lru_cache(maxsize=8192)
def moment(day: date, end: bool = False) -> str:
    """A day as the standard's date-time: its start (or its last second) in the site's time zone.
    A package names the same month ends tens of thousands of times: each is worked out once."""
    at = datetime.combine(day, time(23, 59, 59) if end else time(0, 0))
    return timezone.make_aware(at, timezone.get_default_timezone()).isoformat()


def stamp(at: datetime) -> str:
    """A stored time as the standard's date-time, in the site's time zone, to the second."""
    return timezone.localtime(at).replace(microsecond=0).isoformat()


def period(start: date | None, end: date | None) -> dict[str, str] | None:
    found = {}
    if start is not None:
        found["startDate"] = moment(start)
    if end is not None:
        found["endDate"] = moment(end, end=True)
    return found or None


def oc4ids_status(project: Project, suspended_from: str | None = None) -> str:
    """projectStatus of a project. A suspended one keeps the phase it was suspended in (from its
    status history): implementation once construction had started, else preparation."""
    if project.status == ProjectStatus.SUSPENDED:
        if suspended_from in STATUS_CODES and suspended_from != ProjectStatus.CANCELLED:
            return STATUS_CODES[suspended_from]
        return "implementation" if project.actual_start_date else "preparation"
    return STATUS_CODES[project.status]


def sectors(project: Project) -> list[str]:
    """projectSector codes of a project, from its 行业领域, else from its 项目类别."""
    if project.industry is not None and project.industry.code in INDUSTRY_SECTORS:
        return INDUSTRY_SECTORS[project.industry.code]
    return CATEGORY_SECTORS.get(project.category.code, [])


def project_id(project: Project) -> str:
    """The project's identifier: the registered prefix (OC4IDS_PREFIX) and our id."""
    return f"{settings.OC4IDS_PREFIX}-{project.pk}"


def _suspended_from(project_ids: list[int]) -> dict[int, str]:
    """For each project, the status it left when it was last suspended."""
    changes = ProjectStatusChange.objects.filter(
        project_id__in=project_ids, to_status=ProjectStatus.SUSPENDED
    ).order_by("changed_at", "id")
    return {change.project_id: change.from_status for change in changes}


def _milestones(project_ids: list[int]) -> dict[int, list[Milestone]]:
    found: dict[int, list[Milestone]] = {}
    rows = Milestone.objects.filter(project_id__in=project_ids).only(
        "project_id", "name", "planned_date", "actual_date", "updated_at", "sort_order"
    )
    for milestone in rows:
        found.setdefault(milestone.project_id, []).append(milestone)
    return found


def _milestone(
    key: str, title: str, due: date | None, met: date | None, today: date, **extra: str
) -> dict[str, Any]:
    """A milestone: met when it has its actual date, notMet when its due date has passed, else scheduled."""
    found: dict[str, Any] = {"id": key, "title": title, **extra}
    if due is not None:
        found["dueDate"] = moment(due)
    if met is not None:
        found["dateMet"] = moment(met)
        found["status"] = "met"
    else:
        found["status"] = "notMet" if due is not None and due < today else "scheduled"
    return found


def _parties(project: Project) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    """The owner unit (publicAuthority) and the responsible government body, as organizations:
    names and roles only, no contact point and no people."""
    parties: list[dict[str, Any]] = []
    authority = None
    if project.owner_unit is not None:
        key = f"unit-{project.owner_unit.pk}"
        parties.append({"id": key, "name": project.owner_unit.name, "roles": ["publicAuthority"]})
        authority = {"id": key, "name": project.owner_unit.name}
    unit = project.responsible_unit
    if unit is not None:
        key = f"unit-{unit.pk}"
        if parties and parties[0]["id"] == key:
            parties[0]["roles"].append("responsibleBody")
        else:
            parties.append({"id": key, "name": unit.name, "roles": ["responsibleBody"]})
    return parties, authority


def build_project(project: Project, facts: dict[str, Any], today: date) -> dict[str, Any]:
    """One project in OC4IDS: `facts` holds its plan entries, months, reports, milestones and the
    status it was suspended from (read for all projects at once by build_package)."""
    pk = project.pk
    data: dict[str, Any] = {
        "id": project_id(project),
        "updated": stamp(project.updated_at),
        "language": LANGUAGE,
        "title": project.name,
        "status": oc4ids_status(project, facts["suspended_from"].get(pk)),
        "additionalClassifications": [
            {
                "scheme": "KeyProjects-status",
                "id": project.status,
                "description": project.get_status_display(),
            },
            {
                "scheme": "KeyProjects-category",
                "id": project.category.code,
                "description": project.category.name,
            },
        ],
    }
    if project.code:
        data["identifiers"] = [{"id": project.code, "scheme": "CN-投资项目代码"}]
    if project.content.strip():
        data["description"] = project.content.strip()
    if project.construction_nature in PROJECT_TYPES:
        data["type"] = PROJECT_TYPES[project.construction_nature]
    sector = sectors(project)
    if sector:
        data["sector"] = sector
    if project.industry is not None:
        data["additionalClassifications"].append(
            {
                "scheme": "KeyProjects-industry",
                "id": project.industry.code,
                "description": project.industry.name,
            }
        )
    if project.start_year and project.end_year:
        data["period"] = period(date(project.start_year, 1, 1), date(project.end_year, 12, 31))
    location: dict[str, Any] = {"id": "1"}
    if project.latitude is not None and project.longitude is not None:
        location["geometry"] = {
            "type": "Point",
            "coordinates": [float(project.longitude), float(project.latitude)],
        }
    address = {
        key: text
        for key, text in (
            ("streetAddress", project.address.strip()),
            ("locality", project.town.name if project.town is not None else ""),
            ("region", settings.REGION_NAME),
            ("countryName", "中国"),
        )
        if text
    }
    if project.address.strip():
        location["description"] = project.address.strip()
    if len(location) > 1 or project.address.strip() or project.town is not None:
        location["address"] = address
        data["locations"] = [location]

    budget: dict[str, Any] = {"amount": value(project.total_investment)}
    entries = facts["entries"].get(pk, [])
    if entries:
        budget["budgetBreakdowns"] = [
            {
                "id": "annualPlans",
                "description": "年度计划投资（按各年度重点建设项目计划）",
                "budgetBreakdown": [
                    {
                        "id": str(entry.plan.year),
                        "description": entry.plan.title,
                        "amount": value(entry.annual_investment),
                        "period": period(date(entry.plan.year, 1, 1), date(entry.plan.year, 12, 31)),
                    }
                    for entry in entries
                ],
            }
        ]
    data["budget"] = budget

    metrics = []
    months = facts["months"].get(pk, [])
    if months:
        metrics.append(
            {
                "id": "financialProgress",
                "title": "月度完成投资",
                "description": "每月经审核的完成投资额（人民币元）",
                "observations": [
                    {
                        "id": f"{row.year}-{row.month:02d}",
                        "period": period(date(row.year, row.month, 1), month_end(row.year, row.month)),
                        "value": value(row.amount),
                    }
                    for row in months
                ],
            }
        )
    reports = facts["reports"].get(pk, [])
    if reports:
        metrics.append(
            {
                "id": "physicalProgress",
                "title": "形象进度",
                "description": "经审核的月报中填报的形象进度百分比",
                "observations": [
                    {
                        "id": f"{report.year}-{report.month:02d}",
                        "period": period(
                            date(report.year, report.month, 1), month_end(report.year, report.month)
                        ),
                        "measure": float(report.progress_percent or 0),
                        "unit": {"name": "percent", "scheme": "UNCEFACT", "id": "P1"},
                    }
                    for report in reports
                ],
            }
        )
    if metrics:
        data["metrics"] = metrics

    milestones = [
        _milestone(
            "commencement",
            "开工",
            project.planned_start_date,
            project.actual_start_date,
            today,
            type="delivery",
            code="commencement",
        ),
        _milestone(
            "completion",
            "竣工",
            project.planned_completion_date,
            project.actual_completion_date,
            today,
            type="delivery",
            code="completion",
        ),
    ]
    milestones = [m for m in milestones if "dueDate" in m or "dateMet" in m]
    for node in facts["milestones"].get(pk, []):
        found = _milestone(f"node-{node.pk}", node.name, node.planned_date, node.actual_date, today)
        found["dateModified"] = stamp(node.updated_at)
        milestones.append(found)
    if milestones:
        data["milestones"] = milestones

    parties, authority = _parties(project)
    if parties:
        data["parties"] = parties
    if authority is not None:
        data["publicAuthority"] = authority
    if (
        project.status in (ProjectStatus.COMPLETED, ProjectStatus.OPERATING)
        and project.actual_completion_date
    ):
        data["completion"] = {"endDate": moment(project.actual_completion_date, end=True)}
    return data


def package_projects(year: int | None = None) -> QuerySet[Project]:
    """The projects of the package: the public ones, or those of them on `year`'s plans in force."""
    projects = public_projects()
    if year is not None:
        on_plans = PlanEntry.objects.filter(plan__in=Plan.objects.in_force().filter(year=year))
        projects = projects.filter(pk__in=on_plans.values("project_id"))
    return projects


def build_package(
    projects: Iterable[Project] | QuerySet[Project],
    *,
    uri: str,
    year: int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The project package: every project of `projects`, with the figures of `year` (or every year).
    Its published date is the last change to what it holds."""
    today = today or timezone.localdate()
    rows = list(projects)
    ids = [project.pk for project in rows]
    changed = last_changed(Project.objects.filter(pk__in=ids)) if ids else None
    with translation.override(settings.LANGUAGE_CODE):
        facts = package_facts(ids, year)
        built = [build_project(project, facts, today) for project in rows]
    package = package_head(uri, changed)
    license = package.pop("license", None)
    package["projects"] = built
    if license:
        package["license"] = license
    return package


# The projects a streamed package writes at a time, their facts read together.
PACKAGE_BATCH = 500


def package_stream(
    projects: QuerySet[Project], *, uri: str, year: int | None, changed: datetime | None, today: date
) -> Iterator[str]:
    """build_package()'s JSON written a batch of projects at a time, so that a province's package
    (60,000 projects, 350 MB) is never held whole: the head, with `changed` (last_changed() of
    `projects`) as its published date, then the projects in `projects`' order, PACKAGE_BATCH at a
    time, each batch's facts read together."""
    yield json.dumps(package_head(uri, changed), ensure_ascii=False, indent=1)[:-2] + ',\n "projects": ['
    ids = list(projects.values_list("pk", flat=True))
    for start in range(0, len(ids), PACKAGE_BATCH):
        part = ids[start : start + PACKAGE_BATCH]
        found = {project.pk: project for project in projects.filter(pk__in=part)}
        with translation.override(settings.LANGUAGE_CODE):
            facts = package_facts(part, year)
            written = [
                json.dumps(build_project(found[pk], facts, today), ensure_ascii=False, indent=1)
                for pk in part
                if pk in found
            ]
        if written:
            yield ("\n" if start == 0 else ",\n") + ",\n".join(written)
    yield "\n]\n}\n"


def package_facts(ids: list[int], year: int | None) -> dict[str, Any]:
    """What build_project() reads of the projects `ids`, each read for all of them at once."""
    return {
        "entries": plan_entries_by_year(ids, year),
        "months": monthly_completed(ids, year),
        "reports": physical_progress(ids, year),
        "milestones": _milestones(ids),
        "suspended_from": _suspended_from(ids),
    }


def package_head(uri: str, changed: datetime | None) -> dict[str, Any]:
    """Everything of the package but its projects; published when what it holds last changed."""
    head: dict[str, Any] = {
        "uri": uri,
        "publishedDate": stamp(changed or datetime.now(UTC)),
        "version": OC4IDS_VERSION,
        "publisher": {"name": settings.OC4IDS_PUBLISHER or settings.BULLETIN_ISSUER},
    }
    if settings.OC4IDS_LICENSE:
        head["license"] = settings.OC4IDS_LICENSE
    return head
