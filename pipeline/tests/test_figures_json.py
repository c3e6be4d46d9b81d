"""`figures --json` carries the pipeline, collective starts, funding and approvals of the scope."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from pipeline.models import PipelineEntry
from projects.models import Project
from starts.models import StartEvent, StartEventProject

pytestmark = pytest.mark.django_db


def test_figures_json_has_the_four_sections(world):
    reserve = Project.objects.create(
        name="储备项目",
        category=world.project_a.category,
        total_investment=20000,
        responsible_unit=world.housing,
        status="reserve",
    )
    PipelineEntry.objects.create(
        project=reserve,
        proposed_year=2026,
        estimated_investment=Decimal("20000"),
        to_city=True,
        proposing_unit=world.housing,
    )
    event = StartEvent.objects.create(held_on=date(2025, 3, 1), batch="第一批")
    StartEventProject.objects.create(event=event, project=world.project_a)
    out = StringIO()
    call_command("figures", "--year", "2025", "--month", "12", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["pipeline"]["proposed_year"] == 2026
    assert data["pipeline"]["count"] == 1
    assert data["pipeline"]["above_county"]["count"] == 1
    assert data["collective_starts"]["events"] == 1
    assert data["collective_starts"]["count"] == 1
    assert data["funding"]["year"] == 2025
    assert data["approvals"]["year"] == 2025
    assert data["approvals"]["through"] == "2025-12-31"
