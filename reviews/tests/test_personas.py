"""Who may open each 观摩点评 page and API endpoint: the persona matrix.

The round visited project_a (住建局, owner A) and project_b (城关街道, owner B). A unit sees the round
and the stops of its own projects; another unit's stop is a 404, as if it did not exist; the 教育局,
with no project visited, does not see the round at all.
"""

import pytest

from reviews.models import Round, Sheet, Stop

pytestmark = pytest.mark.django_db
LOGIN = "login"
EDITORS = "只有统筹协调（重点办）可以组织观摩点评和录入评分。"

PERSONAS = ("coordinator", "admin", "leader", "department", "town_user", "outsider", "owner_a", "anonymous")
MATRIX = {
    ("GET", "/reviews/"):                              (200, 200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/reviews/?export=xlsx"):                  (200, 200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/reviews/new/"):                          (200, 200, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("POST", "/reviews/new/"):                         (302, 302, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("GET", "/reviews/{round}/"):                      (200, 200, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "/reviews/{round}/?export=xlsx"):          (200, 200, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "/reviews/{round}/edit/"):                 (200, 200, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("POST", "/reviews/{round}/edit/"):                (302, 302, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("GET", "/reviews/stops/{stop_a}/"):               (200, 200, 200, 200, 404, 404, 200, LOGIN),
    ("GET", "/reviews/stops/{stop_b}/"):               (200, 200, 200, 404, 200, 404, 404, LOGIN),
    ("GET", "/reviews/stops/{stop_a}/edit/"):          (200, 200, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("POST", "/reviews/stops/{stop_a}/edit/"):         (302, 302, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("POST", "/reviews/{round}/delete/"):              (302, 302, EDITORS, EDITORS, EDITORS, EDITORS, EDITORS, LOGIN),
    ("GET", "/api/observation-rounds/"):               (200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/observation-rounds/{round}/"):       (200, 200, 200, 200, 200, 404, 200, 401),
    ("GET", "/api/observation-rounds/{round}/ranking/"): (200, 200, 200, 200, 200, 404, 200, 401),
    ("POST", "/api/observation-rounds/"):              (405, 405, 405, 405, 405, 405, 405, 401),
}  # fmt: skip


@pytest.fixture
def ids(visit):
    from reviews.tests.conftest import score

    score(visit.stop_a, visit.reviewers[0], progress="50", quality="30")
    return {"round": visit.round.pk, "stop_a": visit.stop_a.pk, "stop_b": visit.stop_b.pk}


def sent_data(world, visit, url: str) -> dict:
    """What the forms are sent: valid data, so that only the persona decides."""
    reviewers = [p.pk for p in visit.reviewers]
    if url == "/reviews/new/":
        return {
            "year": 2026,
            "half": "second",
            "held_on": "2026-09-10",
            "reviewers": reviewers,
            "project_choices": [world.project_a.pk],
            "criteria-TOTAL_FORMS": 1,
            "criteria-INITIAL_FORMS": 0,
            "criteria-0-name": "项目建设进度",
            "criteria-0-max_points": "100",
            "criteria-0-sort_order": 0,
        }
    if url.endswith("/edit/") and "/stops/" not in url:
        return {
            "year": 2026,
            "half": "first",
            "held_on": "2026-06-18",
            "title": "2026年上半年观摩",
            "reviewers": reviewers,
            "project_choices": [world.project_a.pk, world.project_b.pk],
        }
    if "/stops/" in url:
        first = visit.reviewers[0].pk
        return {
            f"sheet-score_{first}_{visit.progress.pk}": "55",
            f"sheet-score_{first}_{visit.quality.pk}": "35",
            "stop-town": world.town.pk,
            "stop-sort_order": 1,
            "stop-comment": "进度快，形象好",
        }
    return {}


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        pytest.param(p, m, u, e, id=f"{p} {m} {u}")
        for (m, u), row in MATRIX.items()
        for p, e in zip(PERSONAS, row, strict=True)
    ],
)
def test_persona_matrix(world, visit, ids, answer_to, persona, method, url, expected):
    url = url.format(**ids)
    data = None if method == "GET" else sent_data(world, visit, url)
    assert answer_to(persona, method, url, data) == expected


@pytest.mark.parametrize("persona", ["department", "town_user", "outsider", "owner_a", "leader"])
def test_a_refused_write_changes_nothing(world, visit, ids, answer_to, persona):
    for method, url in [(m, u) for m, u in MATRIX if m != "GET"]:
        url = url.format(**ids)
        answer_to(persona, method, url, sent_data(world, visit, url))
    assert list(Round.objects.values_list("title", flat=True)) == ["2026年上半年重点项目观摩点评"]
    assert Stop.objects.count() == 2 and Sheet.objects.count() == 1
    assert Stop.objects.get(pk=ids["stop_a"]).comment == ""


def test_a_unit_reads_only_its_rows_of_the_ranking(world, visit, ids, client_for):
    page = client_for(world.department).get(f"/reviews/{ids['round']}/").content.decode()
    assert world.project_a.name in page and world.project_b.name not in page
    whole = client_for(world.leader).get(f"/reviews/{ids['round']}/").content.decode()
    assert world.project_a.name in whole and world.project_b.name in whole
    ranking = client_for(world.town_user).get(f"/api/observation-rounds/{ids['round']}/ranking/").json()
    assert [row["name"] for row in ranking["projects"]] == [world.project_b.name]
    assert [row["name"] for row in ranking["towns"]] == [world.town.name]
