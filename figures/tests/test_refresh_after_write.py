"""The request that makes the figures' summary stale brings it up to date once its write is done."""

import pytest
from django.urls import reverse

from figures import cells
from figures.compute import Scope, compute
from figures.models import FigureStale
from figures.tests.test_cells import PLAN_FIGURES, from_tables
from progress.models import Report
from progress.tests.test_reports import make_report, reporting  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(reporting):  # noqa: F811
    """A March report of project_a waiting for 住建局, and the summary current."""
    report = make_report(reporting.project_a, 3, "640", state="submitted")
    cells.refresh()
    assert not FigureStale.objects.exists()
    return report


def test_accepting_a_report_leaves_the_summary_current(reporting, submitted, client_for, monkeypatch):  # noqa: F811
    before = compute(2026, 3, Scope(), work=False)["plan"]["completed"]
    response = client_for(reporting.department).post(
        reverse("progress:review", args=[submitted.pk, "accept"])
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=submitted.pk).state == "accepted"
    # Nothing is left for the next page to rebuild, and what the summary holds is the tables' figures.
    assert not FigureStale.objects.exists()
    summary = compute(2026, 3, Scope(), work=False)
    assert summary["plan"]["completed"] == before + submitted.amount
    tables = from_tables(monkeypatch, 2026, 3, Scope())
    for figure in PLAN_FIGURES:
        assert summary[figure] == tables[figure], figure


def test_a_refused_write_and_a_page_read_leave_the_marks_to_the_reader(reporting, submitted, client_for):  # noqa: F811
    FigureStale.objects.create(year=2026, unit_id=reporting.housing.pk)
    # The owner may not accept its own report: refused, nothing rebuilt.
    owner = client_for(reporting.owner_a)
    assert owner.post(reverse("progress:review", args=[submitted.pk, "accept"])).status_code == 403
    assert FigureStale.objects.exists()
    # A page that reads no figures rebuilds nothing either.
    assert owner.get(reverse("projects:list")).status_code == 200
    assert FigureStale.objects.exists()
    # 我的填报 counts the owner's periods from the figures' summary: it brings it up to date first.
    assert owner.get(reverse("progress:mine")).status_code == 200
    assert not FigureStale.objects.exists()


def test_a_write_leaves_whole_units_to_the_readers(reporting, submitted, client_for):  # noqa: F811
    """After a migrate every unit is marked whole: the first save does not rebuild them all."""
    FigureStale.objects.create(year=2026, unit_id=reporting.drc.pk)
    response = client_for(reporting.department).post(
        reverse("progress:review", args=[submitted.pk, "accept"])
    )
    assert response.status_code == 302
    assert list(FigureStale.objects.values_list("unit_id", "owner_id")) == [(reporting.drc.pk, None)]
