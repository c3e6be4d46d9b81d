"""The assessment's rates read from the figures' summary (按时报送率, 年度计划完成率, 开工率, 竣工率): the
same, unit by unit, as the entries and reports give, for every persona's scope and both groups."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from assessment.providers import PROVIDERS, Basis, Window, reporting
from assessment.scores import GROUPS, scores
from org.models import User
from plans.scope import Scope, scope_entries

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def district(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", projects=30, seed=5, year=YEAR, stdout=StringIO())


def counted(rows: dict[int, dict[str, int]]) -> dict[int, dict[str, int]]:
    """The units with a period due or submitted (a unit with none has no rate either way)."""
    return {unit: counts for unit, counts in rows.items() if counts["due"] or counts["submitted"]}


def rated(rates: dict[int, Any]) -> dict[int, Any]:
    """The units with a rate (one without has none either way: 无数据)."""
    return {unit: rate for unit, rate in rates.items() if rate is not None}


def test_the_summary_counts_the_periods_the_reports_count(district):
    for username in ("coordinator", "leader", "unit_zjj", "unit_town", "owner"):
        user = User.objects.get(username=username)
        scope = Scope(user=user)
        for group, (key, _kind) in GROUPS.items():
            entries = scope_entries(YEAR, scope).exclude(**{f"{key}__isnull": True})
            for window in (Window(YEAR, "quarter", 1), Window(YEAR, "half", 2), Window(YEAR, "year")):
                from_summary = reporting(Basis(entries, key, window, [], scope=scope), window.months)
                from_reports = reporting(Basis(entries, key, window, []), window.months)
                assert counted(from_summary) == counted(from_reports), (username, group, window)
                for code in ("completion_rate", "start_rate", "finish_rate"):
                    summary = PROVIDERS[code].compute(Basis(entries, key, window, [], scope=scope))
                    tables = PROVIDERS[code].compute(Basis(entries, key, window, []))
                    assert rated(summary) == rated(tables), (code, username, group, window)
            if username != "owner":
                assert any(counts["due"] for counts in from_reports.values()), (username, group)


def test_the_scores_read_the_summary_in_one_statement_for_the_whole_window(
    district, django_assert_max_num_queries
):
    coordinator = User.objects.get(username="coordinator")
    scores("town", Window(YEAR, "year"), coordinator)
    # Twelve months of reports were a statement each; the summary answers the window at once.
    with django_assert_max_num_queries(20):
        result = scores("town", Window(YEAR, "year"), coordinator)
    assert result["rows"]
