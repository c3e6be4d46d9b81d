"""Who may open each 政银企对接 page and API endpoint: the persona matrix.

need_a and need_p belong to project_a (住建局, owner A), need_b to project_b (城关街道, owner B): to a
unit without the project, a need is a 404, as if it did not exist. Units and owners register and
change their projects' needs; leaders read; the coordinator records events and signings.
"""

from decimal import Decimal

import pytest

from financing.models import FinancingNeed, MatchEvent, Signing

pytestmark = pytest.mark.django_db
LOGIN = "login"
COORD = "只有统筹协调（重点办）可以登记对接活动和签约结果。"
PROJECT = "您无权修改该项目。"
NEED = "您无权修改该融资需求。"
SIGNED = "已有签约结果的融资需求不能删除，可将其终止对接。"
API_EDITORS = "只有重点办（统筹协调）或系统管理员可以修改。"

PERSONAS = ("coordinator", "admin", "leader", "department", "town_user", "outsider", "owner_a", "anonymous")
MATRIX = {
    ("GET", "/financing/"):                                 (200, 200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/financing/?export=xlsx"):                     (200, 200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/financing/needs/{need_a}/"):                  (200, 200, 200, 200, 404, 404, 200, LOGIN),
    ("GET", "/financing/needs/{need_b}/"):                  (200, 200, 200, 404, 200, 404, 404, LOGIN),
    ("GET", "/financing/projects/{project_a}/needs/new/"):  (200, 200, PROJECT, 200, 404, 404, 200, LOGIN),
    ("POST", "/financing/projects/{project_a}/needs/new/"): (302, 302, PROJECT, 302, 404, 404, 302, LOGIN),
    ("GET", "/financing/needs/{need_a}/edit/"):             (200, 200, NEED, 200, 404, 404, 200, LOGIN),
    ("POST", "/financing/needs/{need_a}/edit/"):            (302, 302, NEED, 302, 404, 404, 302, LOGIN),
    ("POST", "/financing/needs/{need_a}/delete/"):          (SIGNED, SIGNED, NEED, SIGNED, 404, 404, SIGNED, LOGIN),
    ("POST", "/financing/needs/{need_p}/delete/"):          (302, 302, NEED, 302, 404, 404, 302, LOGIN),
    ("GET", "/financing/needs/{need_a}/signings/new/"):     (200, 200, COORD, COORD, COORD, COORD, COORD, LOGIN),
    ("POST", "/financing/needs/{need_a}/signings/new/"):    (302, 302, COORD, COORD, COORD, COORD, COORD, LOGIN),
    ("GET", "/financing/signings/{signing}/"):              (200, 200, COORD, COORD, COORD, COORD, COORD, LOGIN),
    ("POST", "/financing/signings/{signing}/delete/"):      (302, 302, COORD, COORD, COORD, COORD, COORD, LOGIN),
    ("GET", "/financing/events/"):                          (200, 200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/financing/events/?export=xlsx"):              (200, 200, 200, 200, 200, 200, 200, LOGIN),
    ("GET", "/financing/events/{event}/"):                  (200, 200, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "/financing/events/new/"):                      (200, 200, COORD, COORD, COORD, COORD, COORD, LOGIN),
    ("POST", "/financing/events/new/"):                     (302, 302, COORD, COORD, COORD, COORD, COORD, LOGIN),
    ("POST", "/financing/events/{event}/edit/"):            (302, 302, COORD, COORD, COORD, COORD, COORD, LOGIN),
    ("POST", "/financing/events/{event}/delete/"):          (302, 302, COORD, COORD, COORD, COORD, COORD, LOGIN),
    ("GET", "/api/financing-needs/"):                       (200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/financing-needs/{need_b}/"):              (200, 200, 200, 404, 200, 404, 404, 401),
    ("GET", "/api/financing-needs/figures/"):               (200, 200, 200, 200, 200, 200, 200, 401),
    ("POST", "/api/financing-needs/"):                      (201, 201, 400, 201, 400, 400, 201, 401),
    ("PATCH", "/api/financing-needs/{need_a}/"):            (200, 200, NEED, 200, 404, 404, 200, 401),
    ("DELETE", "/api/financing-needs/{need_p}/"):           (204, 204, NEED, 204, 404, 404, 204, 401),
    ("DELETE", "/api/financing-needs/{need_a}/"):           (SIGNED, SIGNED, NEED, SIGNED, 404, 404, SIGNED, 401),
    ("GET", "/api/financing-events/"):                      (200, 200, 200, 200, 200, 200, 200, 401),
    ("GET", "/api/financing-events/{event}/"):              (200, 200, 200, 200, 200, 404, 200, 401),
    ("POST", "/api/financing-events/"):                     (201, 201, API_EDITORS, API_EDITORS, API_EDITORS, API_EDITORS, API_EDITORS, 401),
}  # fmt: skip


@pytest.fixture
def ids(world, ledger):
    return {
        "need_a": ledger.need_a.pk,
        "need_b": ledger.need_b.pk,
        "need_p": ledger.need_p.pk,
        "project_a": world.project_a.pk,
        "signing": ledger.signing.pk,
        "event": ledger.event.pk,
    }


def sent_data(world, ledger, method: str, url: str) -> dict:
    """What the form or the API is sent: valid data, so that only the persona decides."""
    need = {"year": 2026, "amount": "8000", "purpose": "购置设备", "term_months": 60, "kind": "project_loan"}
    if url == "/api/financing-needs/":
        return {**need, "project": world.project_a.pk}
    if method == "PATCH":
        return {"purpose": "厂房建设"}
    if "/financing-events/" in url or "/events/" in url:
        return {"held_on": "2026-11-18", "title": "四季度集中签约活动", "needs": [ledger.need_a.pk]}
    if "/signings/" in url:
        return {"bank": ledger.signing.bank_id, "amount": "3000", "signed_on": "2026-11-20"}
    return need


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        pytest.param(p, m, u, e, id=f"{p} {m} {u}")
        for (m, u), row in MATRIX.items()
        for p, e in zip(PERSONAS, row, strict=True)
    ],
)
def test_persona_matrix(world, ledger, ids, answer_to, persona, method, url, expected):
    url = url.format(**ids)
    data = None if method in ("GET", "DELETE") else sent_data(world, ledger, method, url)
    assert answer_to(persona, method, url, data) == expected


@pytest.mark.parametrize("persona", ["town_user", "outsider", "leader"])
def test_a_refused_write_changes_nothing(world, ledger, ids, answer_to, persona):
    for method, url in [(m, u) for m, u in MATRIX if m != "GET"]:
        url = url.format(**ids)
        answer_to(persona, method, url, sent_data(world, ledger, method, url))
    assert FinancingNeed.objects.count() == 5 and Signing.objects.count() == 3
    assert set(FinancingNeed.objects.values_list("purpose", flat=True)) == {"项目建设"}
    assert list(MatchEvent.objects.values_list("title", flat=True)) == ["2026年重点项目政银企对接会"]


def test_a_unit_lists_only_its_projects_needs(world, ledger, client_for):
    page = client_for(world.town_user).get("/financing/?year=2026").content.decode()
    assert world.project_b.name in page and world.project_a.name not in page
    rows = client_for(world.owner_a).get("/api/financing-needs/").json()["results"]
    assert {row["project"] for row in rows} == {world.project_a.pk}


def test_an_owner_registers_a_need_for_its_project(world, client_for):
    response = client_for(world.owner_a).post(
        f"/financing/projects/{world.project_a.pk}/needs/new/",
        {
            "year": 2026,
            "amount": "1,200.5",
            "purpose": "购置设备",
            "term_months": 36,
            "kind": "working_capital",
        },
    )
    need = FinancingNeed.objects.get()
    assert response["Location"] == f"/financing/needs/{need.pk}/"
    assert (need.project, need.amount, need.created_by) == (
        world.project_a,
        Decimal("1200.50"),
        world.owner_a,
    )


def test_a_closed_need_says_why(world, ledger, client_for):
    page = client_for(world.department).post(
        f"/financing/needs/{ledger.need_p.pk}/edit/",
        {
            "year": 2026,
            "amount": "5000",
            "purpose": "项目建设",
            "term_months": 120,
            "kind": "project_loan",
            "closed": "on",
        },
    )
    assert page.status_code == 200 and "终止对接须说明原因。" in page.content.decode()
