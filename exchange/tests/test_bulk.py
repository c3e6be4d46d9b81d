"""The bulk helpers imports write and look up with, on the database the suite runs on."""

from decimal import Decimal

import pytest

from exchange.bulk import insert
from lib.sql import any_of
from progress.choices import ReportState
from progress.models import Report
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_any_of_matches_ids_beyond_the_placeholder_limit(world):
    """Thousands of ids go as one parameter; SQLite would refuse them as separate placeholders."""
    wanted = [*range(10_000_000, 10_040_000), world.project_a.pk]
    found = list(Project.objects.filter(pk__in=any_of(wanted)).values_list("pk", flat=True))
    assert found == [world.project_a.pk]


def test_any_of_matches_chinese_names_exactly(world):
    name = world.project_b.name
    found = Project.objects.filter(name__in=any_of([name, f"{name} ", "不存在的项目"]))
    assert list(found) == [world.project_b]
    assert not Project.objects.filter(name__in=any_of([])).exists()


def test_insert_converts_json_dates_and_defaults(world):
    rows = [
        {
            "project_id": world.project_a.pk,
            "year": 2026,
            "month": month,
            "seq": (2026 * 12 + month) * 10 + 1,
            "amount": Decimal("12.50"),
            "year_to_date": Decimal("12.50") * month,
            "cumulative": Decimal("100.00") + Decimal("12.50") * month,
            "procedure_states": states,
            "warnings": warnings,
            "deadline": deadline,
            "state": ReportState.ACCEPTED,
        }
        for month, states, warnings, deadline in (
            (1, {}, [], "2026-01-25"),
            (2, {"land": "done"}, ["累计完成投资超过项目总投资。"], "2026-02-25"),
        )
    ]
    insert(Report, rows)
    assert all(row["id"] for row in rows)
    first, second = Report.objects.filter(pk__in=[row["id"] for row in rows]).order_by("month")
    assert (first.procedure_states, first.warnings) == ({}, [])
    assert second.procedure_states == {"land": "done"}
    assert second.warnings == ["累计完成投资超过项目总投资。"]
    assert str(second.deadline) == "2026-02-25"
    assert second.cumulative == Decimal("125.00")
    # Fields a row leaves out take their defaults.
    assert first.progress_text == "" and first.version == second.version
    assert first.created_at is not None


def test_any_of_an_empty_list_matches_nothing_and_a_mix_is_refused(world):
    assert not Project.objects.filter(pk__in=any_of([])).exists()
    assert not Project.objects.filter(name__in=any_of([])).exists()
    for mixed in (["1", 2], [True], [1.0]):
        with pytest.raises(TypeError):
            any_of(mixed)  # type: ignore[arg-type]  # wrong on purpose: the refusal is what is tested
