"""Who may open each 集中开工 page and API endpoint: the persona matrix.

event_a starts project_a alone (住建局, owner A), event_b project_b alone (城关街道, owner B):
to the units that see only the other project, an event is a 404, as if it did not exist.
"""

from datetime import date

import pytest

from starts.models import StartEvent, StartEventProject

pytestmark = pytest.mark.django_db
LOGIN = "login"
EDITORS = "只有统筹协调（重点办）可以登记集中开工活动。"
API_EDITORS = "只有重点办（统筹协调）或系统管理员可以修改。"

PERSONAS = ("coordinator", "admin", "leader", "department", "town_user", "outsider", "owner_a", "anonymous")
MATRIX = {
    ("GET", "/starts/"):                                 (200, 200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/starts/?export=xlsx"):                     (200, 200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/starts/new/"):                             (200, 200, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("POST", "/starts/new/"):                            (302, 302, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("GET", "/starts/{event_a}/"):                       (200, 200, 200, 200, 404, 404, 200, LOGIN),
    ("GET", "/starts/{event_b}/"):                       (200, 200, 200, 404, 200, 404, 404, LOGIN),
    ("GET", "/starts/{event_b}/?export=xlsx"):           (200, 200, 200, 404, 200, 404, 404, LOGIN),
    ("GET", "/starts/{event_a}/edit/"):                  (200, 200, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("POST", "/starts/{event_a}/edit/"):                 (302, 302, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("POST", "/starts/{event_b}/delete/"):               (302, 302, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("GET", "/api/start-events/"):                       (200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/start-events/{event_a}/"):             (200, 200, 200, 200, 404, 404, 200, 401),
    ("GET", "/api/start-events/{event_b}/"):             (200, 200, 200, 404, 200, 404, 404, 401),
    ("GET", "/api/start-events/{event_a}/projects/"):    (200, 200, 200, 200, 404, 404, 200, 401),
    ("GET", "/api/start-events/stalled/"):               (200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/start-events/figures/"):               (200, 200, 200, 200, 200, 200, 200, 401),
    ("POST", "/api/start-events/"):                      (201, 201, API_EDITORS, API_EDITORS, API_EDITORS, API_EDITORS, API_EDITORS, 401),
    ("PATCH", "/api/start-events/{event_a}/"):           (200, 200, API_EDITORS, API_EDITORS, API_EDITORS, API_EDITORS, API_EDITORS, 401),
    ("DELETE", "/api/start-events/{event_b}/"):          (204, 204, API_EDITORS, API_EDITORS, API_EDITORS, API_EDITORS, API_EDITORS, 401),
}  # fmt: skip


@pytest.fixture
def events(world):
    event_a = StartEvent.objects.create(held_on=date(2026, 3, 18), batch="2026年第一批集中开工")
    StartEventProject.objects.create(event=event_a, project=world.project_a)
    event_b = StartEvent.objects.create(held_on=date(2026, 9, 8), batch="2026年第二批集中开工")
    StartEventProject.objects.create(event=event_b, project=world.project_b)
    return {"event_a": event_a.pk, "event_b": event_b.pk}


def sent_data(world, method: str, url: str) -> dict:
    """What the form or the API is sent: a valid event, so that only the persona decides."""
    if url.startswith("/api/"):
        if method == "PATCH":
            return {"place": "城北新区"}
        return {"held_on": "2026-10-08", "batch": "2026年第三批集中开工", "project_ids": [world.project_a.pk]}
    return {"held_on": "2026-10-08", "batch": "2026年第三批集中开工", "project_choices": [world.project_a.pk]}


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        pytest.param(p, m, u, e, id=f"{p} {m} {u}")
        for (m, u), row in MATRIX.items()
        for p, e in zip(PERSONAS, row, strict=True)
    ],
)
def test_persona_matrix(world, events, answer_to, persona, method, url, expected):
    url = url.format(**events)
    data = None if method in ("GET", "DELETE") else sent_data(world, method, url)
    assert answer_to(persona, method, url, data) == expected


@pytest.mark.parametrize("persona", ["department", "town_user", "outsider", "owner_a", "leader"])
def test_a_refused_write_changes_nothing(world, events, answer_to, persona):
    for method, url in [(m, u) for m, u in MATRIX if m != "GET"]:
        url = url.format(**events)
        answer_to(persona, method, url, sent_data(world, method, url))
    assert sorted(StartEvent.objects.values_list("batch", "place")) == [
        ("2026年第一批集中开工", ""),
        ("2026年第二批集中开工", ""),
    ]
    assert StartEventProject.objects.count() == 2
