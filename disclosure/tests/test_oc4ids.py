"""The OC4IDS export: a project package of the public projects that the standard's own schema accepts,
with every status of our lifecycle mapped to its projectStatus codelist."""

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft4Validator
from referencing import Registry, Resource

from catalog.models import Category, IndustryField
from disclosure import oc4ids
from projects.choices import ProjectStatus
from projects.models import Project, ProjectStatusChange

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parent / "oc4ids"
PROJECT_SCHEMA_URL = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-schema.json"


def codes(name: str) -> set[str]:
    with (SCHEMA / f"{name}.csv").open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def validator() -> Draft4Validator:
    """The package schema, its reference to the project schema served from the local copy."""
    package = json.loads((SCHEMA / "project-package-schema.json").read_text(encoding="utf-8"))
    project = json.loads((SCHEMA / "project-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(PROJECT_SCHEMA_URL, Resource.from_contents(project))
    return Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def schema_errors(package: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator().iter_errors(package)
    ]


def export(tmp_path: Path, **options: object) -> dict:
    out = tmp_path / "oc4ids.json"
    call_command("export_oc4ids", out=str(out), stdout=None, **options)
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def lifecycle(disclosed, world):
    """A public project in every status of the lifecycle; two suspended, one from construction and
    one from the preliminary stage; one without coordinates, industry or plan."""
    made = {}
    for status in ProjectStatus.values:
        made[status] = Project.objects.create(
            name=f"{ProjectStatus(status).label}示范项目",
            category=Category.objects.get(code="social"),
            industry=IndustryField.objects.get(code="education"),
            total_investment=Decimal("3456.78"),
            responsible_unit=world.education,
            owner_unit=world.owner_b_unit,
            build_years="2024-2027",
            status=status,
            is_public=True,
            actual_start_date=date(2024, 5, 1)
            if status in ("construction", "completed", "operating")
            else None,
            actual_completion_date=date(2025, 11, 30) if status in ("completed", "operating") else None,
        )
    ProjectStatusChange.objects.create(
        project=made["suspended"],
        from_status="construction",
        to_status="suspended",
        effective_date=date(2025, 6, 1),
    )
    preliminary = Project.objects.create(
        name="前期暂停的项目",
        category=Category.objects.get(code="industry"),
        total_investment=Decimal("800"),
        status="suspended",
        is_public=True,
    )
    ProjectStatusChange.objects.create(
        project=preliminary, from_status="preliminary", to_status="suspended", effective_date=date(2025, 6, 1)
    )
    made["suspended_early"] = preliminary
    return made


def by_title(package: dict) -> dict[str, dict]:
    return {project["title"]: project for project in package["projects"]}


def test_the_export_of_every_status_validates_against_the_standards_schema(lifecycle, tmp_path, world):
    package = export(tmp_path)
    assert schema_errors(package) == []
    projects = by_title(package)
    statuses = {
        ProjectStatus(status).label: project["status"]
        for status, project in (
            (status, projects[f"{ProjectStatus(status).label}示范项目"]) for status in ProjectStatus.values
        )
    }
    assert statuses == {
        "谋划/储备": "identification",
        "前期": "preparation",
        "在建": "implementation",
        "竣工": "completion",
        "投产/运营": "maintenance",
        "暂停施工": "implementation",
        "终止": "cancelled",
    }
    assert projects["前期暂停的项目"]["status"] == "preparation"
    assert {p["status"] for p in package["projects"]} <= codes("projectStatus")
    assert world.project_b.name not in projects


def test_the_export_carries_the_budget_in_yuan_by_year_and_the_monthly_figures(
    disclosed, tmp_path, world, settings
):
    settings.OC4IDS_PREFIX = "oc4ids-kp2026"
    package = export(tmp_path)
    assert schema_errors(package) == []
    project = by_title(package)[world.project_a.name]
    assert project["id"] == f"oc4ids-kp2026-{world.project_a.pk}"
    assert project["budget"]["amount"] == {"amount": 120_000_000, "currency": "CNY"}
    [breakdowns] = project["budget"]["budgetBreakdowns"]
    assert [(b["id"], b["amount"]["amount"], b["description"]) for b in breakdowns["budgetBreakdown"]] == [
        (str(disclosed.year), 60_000_000, disclosed.plan.title)
    ]
    metrics = {metric["id"]: metric for metric in project["metrics"]}
    assert set(metrics) <= codes("metricID")
    assert [(o["id"], o["value"]["amount"]) for o in metrics["financialProgress"]["observations"]] == [
        (f"{disclosed.year}-01", 4_000_000),
        (f"{disclosed.year}-02", 6_005_000),
    ]
    assert [o["measure"] for o in metrics["physicalProgress"]["observations"]] == [35.0, 42.5]
    assert project["locations"][0]["geometry"] == {"type": "Point", "coordinates": [115.031234, 35.761234]}
    assert project["locations"][0]["address"]["streetAddress"] == world.project_a.address
    assert project["sector"] == ["transport", "transport.road", "waterAndWaste"]
    assert set(project["sector"]) <= codes("projectSector")
    parties = {party["name"]: party for party in project["parties"]}
    assert parties[world.owner_a_unit.name]["roles"] == ["publicAuthority"]
    assert parties[world.housing.name]["roles"] == ["responsibleBody"]
    assert all(set(party) == {"id", "name", "roles"} for party in project["parties"])
    assert project["publicAuthority"]["name"] == world.owner_a_unit.name
    milestones = {m["title"]: m for m in project["milestones"]}
    assert milestones["开工"]["status"] == "met" and milestones["竣工"]["status"] == "scheduled"
    overdue = date(disclosed.year, 6, 30) < timezone.localdate()
    assert milestones["路基完成"]["status"] == ("notMet" if overdue else "scheduled")
    assert "吴节点" not in json.dumps(project, ensure_ascii=False)
    assert package["version"] == "0.9" and package["publisher"]["name"]


def test_a_year_narrows_the_export_to_that_years_plans_and_figures(lifecycle, disclosed, tmp_path, world):
    package = export(tmp_path, year=disclosed.year)
    assert schema_errors(package) == []
    assert [p["title"] for p in package["projects"]] == [world.project_a.name]
    with pytest.raises(CommandError, match="没有公开项目"):
        export(tmp_path, year=disclosed.year - 5)


def test_without_public_projects_nothing_is_written(world, tmp_path):
    with pytest.raises(CommandError, match="没有公开项目"):
        export(tmp_path)
    assert not (tmp_path / "oc4ids.json").exists()
    assert Client().get(reverse("disclosure:oc4ids")).status_code == 404


def published(**query: str | int) -> dict:
    """The package the site publishes, read to its end (it is streamed)."""
    return json.loads(Client().get(reverse("disclosure:oc4ids"), query).getvalue())


def test_the_published_package_validates_too(lifecycle, disclosed):
    response = Client().get(reverse("disclosure:oc4ids"))
    assert response["Content-Type"] == "application/json" and response.has_header("Last-Modified")
    assert response.streaming
    package = json.loads(response.getvalue())
    assert schema_errors(package) == []
    assert package["uri"] == "http://testserver/public/oc4ids.json"
    assert len(package["projects"]) == len(lifecycle) + 1
    one_year = published(year=disclosed.year)
    assert len(one_year["projects"]) == 1 and schema_errors(one_year) == []
    everything = published(year="10000")
    assert len(everything["projects"]) == len(package["projects"])


def test_the_published_package_is_the_exported_one_written_a_batch_at_a_time(
    lifecycle, disclosed, tmp_path, monkeypatch
):
    """Streamed in batches of two, the package holds every project once, in order, as the whole
    package built at once does."""
    monkeypatch.setattr(oc4ids, "PACKAGE_BATCH", 2)
    whole = oc4ids.build_package(
        oc4ids.package_projects(), uri="http://testserver/public/oc4ids.json", today=timezone.localdate()
    )
    streamed = published()
    assert streamed == whole
    assert schema_errors(streamed) == []
    assert len(streamed["projects"]) > 2 * oc4ids.PACKAGE_BATCH


def test_a_harvester_that_has_the_package_is_answered_without_it(lifecycle, disclosed, world):
    client = Client()
    first = client.get(reverse("disclosure:oc4ids"))
    first.getvalue()
    again = client.get(reverse("disclosure:oc4ids"), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    since = client.get(reverse("disclosure:oc4ids"), headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    # A project taken off the public site changes the package, though no project left in it changed.
    hidden = next(project for project in lifecycle.values() if project.is_public)
    Project.objects.filter(pk=hidden.pk).update(is_public=False)
    changed = client.get(reverse("disclosure:oc4ids"), headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert hidden.name not in changed.getvalue().decode()
