"""The pipeline pages and API, tried by the personas that must and must not get through."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import OperationLog
from pipeline.models import PipelineEntry, ReviewRound
from plans.models import Plan, PlanEntry
from projects.models import Project

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def entries(world):
    """One proposal in 住建局's tree (project_b is in the town's) for 2027."""
    a = PipelineEntry.objects.create(
        project=world.project_b,
        proposed_year=2027,
        estimated_investment=Decimal("56000"),
        proposed_annual_investment=Decimal("10000"),
        to_city=True,
        planned_start_month=4,
        proposing_unit=world.town,
    )
    reserve = Project.objects.create(
        name="滨河湿地公园",
        category=world.project_a.category,
        total_investment=Decimal("9000"),
        responsible_unit=world.housing,
        owner_unit=world.owner_a_unit,
        status="reserve",
    )
    b = PipelineEntry.objects.create(
        project=reserve,
        proposed_year=2027,
        estimated_investment=Decimal("9000"),
        proposing_unit=world.housing,
    )
    return {"town": a, "housing": b}


@pytest.mark.parametrize(
    ("persona", "sees_town", "sees_housing"),
    [
        ("coordinator", True, True),
        ("leader", True, True),
        ("inspector", True, True),
        ("department", False, True),
        ("town_user", True, False),
        ("owner_a", False, True),
        ("owner_b", True, False),
        ("outsider", False, False),
    ],
)
def test_pipeline_list_detail_and_api_follow_the_data_scope(
    world, client_for, entries, persona, sees_town, sees_housing
):
    client = client_for(getattr(world, persona))
    page = client.get(reverse("pipeline:list"), {"year": 2027})
    assert page.status_code == 200
    text = page.content.decode()
    assert ("城关智能制造产业园" in text) is sees_town
    assert ("滨河湿地公园" in text) is sees_housing
    for key, sees in (("town", sees_town), ("housing", sees_housing)):
        entry = entries[key]
        assert client.get(reverse("pipeline:detail", args=[entry.pk])).status_code == (200 if sees else 404)
        assert client.get(f"/api/pipeline-entries/{entry.pk}/").status_code == (200 if sees else 404)
    api = client.get("/api/pipeline-entries/", {"year": 2027}).json()
    assert api["count"] == sees_town + sees_housing
    assert (
        client.get("/api/pipeline-entries/figures/", {"year": 2027}).json()["count"]
        == sees_town + sees_housing
    )


def test_list_page_shows_the_figures_and_exports(world, client_for, entries):
    client = client_for(world.coordinator)
    response = client.get(reverse("pipeline:list"), {"year": 2027})
    figures = response.context["figures"]
    assert figures["count"] == 2
    assert figures["above_county"]["count"] == 1
    export = client.get(reverse("pipeline:list"), {"year": 2027, "export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert OperationLog.objects.filter(action="export").exists()


def test_list_filters_by_level_and_size(world, client_for, entries):
    client = client_for(world.coordinator)
    city = client.get(reverse("pipeline:list"), {"year": 2027, "level": "city"})
    assert [e.pk for e in city.context["page"]] == [entries["town"].pk]
    small = client.get(reverse("pipeline:list"), {"year": 2027, "size": "<1y"})
    assert [e.pk for e in small.context["page"]] == [entries["housing"].pk]


def test_list_page_cost_does_not_grow_with_the_entries(world, client_for, entries):
    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("pipeline:list"), {"year": 2027})
    for i in range(10):
        project = Project.objects.create(
            name=f"储备{i}",
            category=world.project_a.category,
            total_investment=1000,
            responsible_unit=world.housing,
            status="reserve",
        )
        PipelineEntry.objects.create(
            project=project, proposed_year=2027, estimated_investment=1000, proposing_unit=world.housing
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("pipeline:list"), {"year": 2027})
    assert len(many) == len(few)


def test_a_unit_proposes_its_own_reserve_project_and_not_anothers(world, client_for):
    reserve = Project.objects.create(
        name="城关停车楼",
        category=world.project_a.category,
        total_investment=3000,
        responsible_unit=world.town,
        status="reserve",
    )
    data = {
        "project": reserve.pk,
        "proposed_year": 2027,
        "estimated_investment": "3000",
        "proposed_annual_investment": "1000",
        "to_local": "on",
        "readiness": "proposal",
        "proposing_unit": world.town.pk,
    }
    refused = client_for(world.department).post(reverse("pipeline:create"), data)
    assert refused.status_code == 200 and not PipelineEntry.objects.exists()
    created = client_for(world.town_user).post(reverse("pipeline:create"), data)
    assert created.status_code == 302
    entry = PipelineEntry.objects.get()
    assert entry.created_by == world.town_user
    assert OperationLog.objects.get(action="create").project == reserve


def test_a_project_under_construction_is_not_proposed(world, client_for):
    response = client_for(world.coordinator).post(
        "/api/pipeline-entries/",
        {
            "project": world.project_a.pk,
            "proposed_year": 2027,
            "estimated_investment": "12000",
            "to_local": True,
            "proposing_unit": world.housing.pk,
        },
        content_type=JSON,
    )
    assert response.status_code == 400
    assert "project" in response.json()


@pytest.mark.parametrize("persona", ["leader", "inspector", "department", "owner_a", "outsider"])
def test_only_the_coordinator_reviews_and_promotes(world, client_for, entries, persona):
    client = client_for(getattr(world, persona))
    review = ReviewRound.objects.create(year=2027, number=1, held_on="2026-10-01")
    assert (
        client.post(
            reverse("pipeline:round", args=[review.pk]), {f"decision_{entries['housing'].pk}": "drop"}
        ).status_code
        == 403
    )
    assert client.get(reverse("pipeline:promote"), {"year": 2027}).status_code == 403
    api = client.post(
        "/api/pipeline-entries/promote/",
        {"entries": [entries["housing"].pk], "level": "local", "plan_type": "preliminary"},
        content_type=JSON,
    )
    assert api.status_code == 403
    assert (
        client.post(
            f"/api/pipeline-rounds/{review.pk}/decisions/",
            {"entry": entries["housing"].pk, "decision": "drop"},
            content_type=JSON,
        ).status_code
        == 403
    )
    assert not PlanEntry.objects.exists()
    entries["housing"].refresh_from_db()
    assert entries["housing"].decision == ""


def test_coordinator_reviews_a_round_and_promotes_on_the_pages(world, client_for, entries):
    client = client_for(world.coordinator)
    response = client.post(
        reverse("pipeline:rounds") + "?year=2027", {"year": 2027, "number": 1, "held_on": "2026-10-01"}
    )
    review = ReviewRound.objects.get()
    assert response.status_code == 302
    client.post(
        reverse("pipeline:round", args=[review.pk]),
        {
            f"decision_{entries['town'].pk}": "keep",
            f"decision_{entries['housing'].pk}": "drop",
            f"note_{entries['housing'].pk}": "前期深度不足",
        },
    )
    entries["housing"].refresh_from_db()
    assert entries["housing"].decision == "drop"
    assert entries["housing"].decisions.get().decided_by == world.coordinator
    promoted = client.post(
        reverse("pipeline:promote") + "?year=2027",
        {"entries": [entries["town"].pk], "level": "city", "plan_type": "new_start"},
    )
    assert promoted.status_code == 302
    plan = Plan.objects.get(year=2027, level="city")
    assert plan.entries.get().project == world.project_b
    # Dropped entries are not offered, so choosing one is refused by the form.
    refused = client.post(
        reverse("pipeline:promote") + "?year=2027",
        {"entries": [entries["housing"].pk], "level": "city", "plan_type": "new_start"},
    )
    assert refused.status_code == 200
    assert plan.entries.count() == 1


def test_promotion_through_the_api_is_idempotent(world, client_for, entries):
    client = client_for(world.coordinator)
    body = {
        "entries": [entries["town"].pk, entries["housing"].pk],
        "level": "local",
        "plan_type": "preliminary",
    }
    first = client.post("/api/pipeline-entries/promote/", body, content_type=JSON)
    assert first.status_code == 200, first.content
    assert len(first.json()["created"]) == 2 and len(first.json()["plans_created"]) == 1
    second = client.post("/api/pipeline-entries/promote/", body, content_type=JSON)
    assert second.json() == {"plans_created": [], "created": [], "already_listed": sorted(body["entries"])}
    assert PlanEntry.objects.count() == 2


def test_api_promotion_of_an_unseen_entry_is_refused(world, client_for, entries):
    client = client_for(world.coordinator)
    response = client.post(
        "/api/pipeline-entries/promote/",
        {"entries": [999999], "level": "local", "plan_type": "preliminary"},
        content_type=JSON,
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", {"城关智能制造产业园", "滨河湿地公园"}),
        ("leader", {"城关智能制造产业园", "滨河湿地公园"}),
        ("town_user", {"城关智能制造产业园"}),
        ("owner_a", {"滨河湿地公园"}),
        ("outsider", set()),
    ],
)
def test_a_round_shows_each_persona_its_own_entries_and_decisions(
    world, client_for, entries, persona, expected
):
    review = ReviewRound.objects.create(year=2027, number=1, held_on="2026-10-01")
    review.decide(entries["town"], "keep", by=world.coordinator, note="条件成熟")
    client = client_for(getattr(world, persona))
    page = client.get(reverse("pipeline:round", args=[review.pk]))
    assert page.status_code == 200
    assert {entry.project.name for entry, _made in page.context["rows"]} == expected
    rounds = client.get(reverse("pipeline:rounds"), {"year": 2027}).context["rounds"]
    assert [r.decided for r in rounds] == [int("城关智能制造产业园" in expected)]
    decisions = client.get(f"/api/pipeline-rounds/{review.pk}/decisions/").json()
    assert decisions["count"] == int("城关智能制造产业园" in expected)
    detail = client.get(reverse("pipeline:detail", args=[entries["town"].pk]))
    if "城关智能制造产业园" in expected:
        assert "条件成熟" in detail.content.decode()
    else:
        assert detail.status_code == 404
