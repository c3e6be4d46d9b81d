"""Pages stay flat as the registry grows: the personas' main pages, and the data their scripts
load, make as many queries and send about as many bytes with five times the projects.

The demo district is seeded at two sizes (once each, for the whole module) and every page below is
requested at both by the persona that uses it. The time the pages take is bench/pages.py's to
measure; this checks what makes it grow, whatever the machine: a query per row (N+1), or a list
rendered or sent whole.
"""

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from org.models import User
from projects.models import Project

# The tests read what the fixture measured; the mark makes pytest-django set up the test database
# the fixture seeds (without a test asking for the database, none is set up).
pytestmark = pytest.mark.django_db

SMALL, LARGE = 120, 600
# Around the demo district's centre: the whole district at a low zoom (clusters), and a few streets
# at a high one (points).
LAT, LON = settings.MAP_CENTER
WIDE = f"bbox={LON - 1},{LAT - 1},{LON + 1},{LAT + 1}&zoom=9"
NEAR = f"bbox={LON - 0.02},{LAT - 0.02},{LON + 0.02},{LAT + 0.02}&zoom=16"
PAGES = [
    ("coordinator", "/"),
    ("coordinator", "/projects/"),
    ("coordinator", "/plans/"),
    ("coordinator", "/approvals/"),
    ("coordinator", "/assessment/"),
    ("coordinator", "/evaluation/"),
    ("coordinator", "/reports/board/"),
    ("coordinator", "/public/"),
    ("coordinator", "/admin/org/people/"),
    # The records of every project: funding (its bonds behind pace listed up to a few), warnings,
    # the elements board and the leaders' warnings and problems.
    ("coordinator", "/elements/funding/"),
    ("coordinator", "/alerts/"),
    ("coordinator", "/service/leaders/"),
    # A page of three: the department waits for 4 elements in the smaller district and 13 in the
    # larger, fewer than a page of the default 40 in both.
    ("unit_zjj", "/elements/board/?per_page=3"),
    # Forms whose choices are units, people or projects: the pickers list a few and search the rest.
    ("coordinator", "/projects/new/"),
    ("coordinator", "/supervision/notices/"),
    ("coordinator", "/supervision/notices/new/"),
    ("coordinator", "/exchange/"),
    ("admin", "/admin/org/units/"),
    ("admin", "/admin/org/users/"),
    ("admin", "/admin/org/users/new/"),
    ("coordinator", f"/dashboard/map/projects.geojson?{WIDE}"),
    ("coordinator", f"/dashboard/map/projects.geojson?{NEAR}"),
    ("coordinator", "/dashboard/screen/data.json"),
    ("leader", "/"),
    ("unit_zjj", "/"),
    ("unit_zjj", "/plans/"),
    ("unit_zjj", "/reports/"),
    ("unit_zjj", "/reports/board/"),
    ("unit_town", "/assessment/"),
    ("owner", "/"),
    # A page of five: the owner has fewer projects than a page of the default 24 in the smaller
    # district and more in the larger, where a fuller page is not growth.
    ("owner", "/reports/?per_page=5"),
    ("owner", "/plans/"),
    # Read from their summaries for a scope as for every project: 审批效能's months and days, the
    # needs' sums, the evaluations' count (pages of three: fuller pages in the larger district are
    # not growth), and a town's filter of units.
    ("unit_zjj", "/approvals/"),
    ("owner", "/approvals/"),
    ("unit_town", "/approvals/"),
    ("coordinator", "/financing/?per_page=3"),
    ("unit_zjj", "/financing/?per_page=3"),
    ("owner", "/financing/?per_page=3"),
    ("unit_zjj", "/evaluation/?per_page=3"),
    ("unit_town", "/supervision/notices/"),
]
# What a page may differ by between the sizes without growing: a section shown only when there is
# something in it (a query or two), and numbers and names of other lengths.
QUERY_SLACK = 2
BYTES_RATIO = 1.25
BYTES_SLACK = 3 * 1024


def measure(pages: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each page requested once to warm up (the summary brought up to date, the templates loaded),
    then once more: its status, queries and bytes."""
    clients: dict[str, Client] = {}
    measured = {}
    for username, url in pages:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        client.get(url).getvalue()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = response.getvalue()
            count = len(queries)
        measured[(username, url)] = {"status": response.status_code, "queries": count, "bytes": len(body)}
    return measured


@pytest.fixture(scope="module")
def sizes(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[int, dict[tuple[str, str], dict[str, Any]]]]:
    """The pages measured on the demo district seeded with SMALL and then LARGE projects; the
    database emptied again afterwards for the other tests."""
    media: Path = tmp_path_factory.mktemp("media")
    measured = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        try:
            for size in (SMALL, LARGE):
                call_command("flush", interactive=False, verbosity=0)
                call_command("seed_demo", projects=size, stdout=StringIO())
                assert Project.objects.count() >= size
                measured[size] = measure(PAGES)
        finally:
            call_command("flush", interactive=False, verbosity=0)
    yield measured


@pytest.mark.parametrize(("username", "url"), PAGES)
def test_a_page_makes_no_more_queries_with_five_times_the_projects(sizes, username, url):
    small, large = sizes[SMALL][(username, url)], sizes[LARGE][(username, url)]
    assert small["status"] == large["status"] == 200
    assert large["queries"] <= small["queries"] + QUERY_SLACK, (small, large)


# Below figures.views_screen.MAP_POINTS located projects in view the map is sent every one of them
# as a point, by design: its bytes follow the projects up to that cap, which the map's own tests hold.
SIZED_PAGES = [(username, url) for username, url in PAGES if "projects.geojson" not in url]


@pytest.mark.parametrize(("username", "url"), SIZED_PAGES)
def test_a_page_sends_about_as_many_bytes_with_five_times_the_projects(sizes, username, url):
    small, large = sizes[SMALL][(username, url)], sizes[LARGE][(username, url)]
    assert large["bytes"] <= small["bytes"] * BYTES_RATIO + BYTES_SLACK, (small, large)
