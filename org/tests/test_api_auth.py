"""API tokens (under the login lockout), unauthenticated access, and the schema and docs pages."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import LoginLog
from org.models import User

JSON = "application/json"
TOKEN_URL = "/api/auth/token/"


@pytest.fixture
def anonymous() -> Client:
    return Client()


def obtain(client: Client, username: str, password: str):
    return client.post(TOKEN_URL, {"username": username, "password": password}, content_type=JSON)


def test_token_is_issued_for_the_right_password_and_opens_the_api(world, anonymous, persona_password):
    response = obtain(anonymous, "owner_a", persona_password)
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=world.owner_a).key == key
    projects = Client().get("/api/projects/", HTTP_AUTHORIZATION=f"Token {key}")
    assert projects.status_code == 200
    assert [row["name"] for row in projects.json()["results"]] == ["滨河路改造工程"]
    assert LoginLog.objects.filter(user=world.owner_a, event="login").exists()


def test_the_same_token_is_returned_on_every_request(world, anonymous, persona_password):
    first = obtain(anonymous, "owner_b", persona_password).json()["token"]
    assert obtain(anonymous, "owner_b", persona_password).json()["token"] == first


def test_wrong_password_gets_no_token(world, anonymous):
    response = obtain(anonymous, "owner_a", "wrong-password")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.json()["non_field_errors"][0]
    assert not Token.objects.exists()
    assert LoginLog.objects.filter(username="owner_a", event="failed").exists()


def test_missing_fields_are_field_errors(world, anonymous):
    response = anonymous.post(TOKEN_URL, {"username": "owner_a"}, content_type=JSON)
    assert response.status_code == 400
    assert "password" in response.json()


def test_repeated_failures_lock_the_account_out_of_the_token_endpoint(
    world, anonymous, persona_password, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        obtain(anonymous, "owner_a", "wrong-password")
    response = obtain(anonymous, "owner_a", persona_password)
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    assert not Token.objects.exists()


def test_a_success_before_the_limit_clears_the_failures(world, anonymous, persona_password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        obtain(anonymous, "owner_a", "wrong-password")
    assert obtain(anonymous, "owner_a", persona_password).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        obtain(anonymous, "owner_a", "wrong-password")
    assert obtain(anonymous, "owner_a", persona_password).status_code == 200


def test_inactive_users_get_no_token(world, anonymous, persona_password):
    User.objects.filter(pk=world.owner_a.pk).update(is_active=False)
    assert obtain(anonymous, "owner_a", persona_password).status_code == 400


def test_users_who_must_change_their_password_get_no_token(world, anonymous, persona_password):
    User.objects.filter(pk=world.owner_a.pk).update(must_change_password=True)
    response = obtain(anonymous, "owner_a", persona_password)
    assert response.status_code == 403
    assert not Token.objects.exists()


def test_a_bad_token_is_refused_with_401_and_the_scheme_to_use(world, anonymous):
    response = anonymous.get("/api/projects/", HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "令牌无效，请重新获取令牌。"


def test_a_token_idle_longer_than_the_limit_expires(world, anonymous, persona_password, settings):
    settings.API_TOKEN_IDLE_DAYS = 30
    key = obtain(anonymous, "owner_a", persona_password).json()["token"]
    assert anonymous.get("/api/projects/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert anonymous.get("/api/projects/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    # Used on day 29, so day 58 is 29 idle days later: still good; day 90 is not.
    with time_machine.travel(timezone.now() + timedelta(days=58), tick=False):
        assert anonymous.get("/api/projects/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=90), tick=False):
        response = anonymous.get("/api/projects/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401 and "已过期" in response.json()["detail"]
    assert not Token.objects.exists()


def test_a_token_is_listed_and_revoked_by_its_owner_and_by_the_administrator(
    world, anonymous, client_for, persona_password
):
    obtain(anonymous, "owner_a", persona_password)
    own = client_for(world.owner_a)
    page = own.get("/tokens/").content.decode()
    key = Token.objects.get().key
    assert key[:6] in page and key not in page
    assert own.post(f"/tokens/{world.owner_b.pk}/revoke/").status_code == 403
    own.post(f"/tokens/{world.owner_a.pk}/revoke/")
    assert not Token.objects.exists()
    obtain(anonymous, "owner_a", persona_password)
    admin = client_for(world.admin)
    assert Token.objects.get().key[:6] in admin.get(f"/admin/org/users/{world.owner_a.pk}/").content.decode()
    admin.post(f"/tokens/{world.owner_a.pk}/revoke/")
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/projects/",
        "/api/procedures/",
        "/api/plans/",
        "/api/plan-entries/",
        "/api/units/",
        "/api/industries/",
        "/api/categories/",
        "/api/procedure-types/",
        "/api/funding-sources/",
        "/api/problems/",
        "/api/problem-comments/",
        "/api/meetings/",
        "/api/matters/",
        "/api/notices/",
        "/api/inspections/",
        "/api/milestones/",
        "/api/milestone-templates/",
        "/api/pipeline-entries/",
        "/api/pipeline-rounds/",
        "/api/start-events/",
        "/api/funding-records/",
        "/api/element-needs/",
        "/api/element-types/",
        "/api/approvals/overdue/",
    ],
)
def test_every_endpoint_refuses_anonymous_requests(world, anonymous, url):
    assert anonymous.get(url).status_code in (401, 403)
    assert anonymous.post(url, {}, content_type=JSON).status_code in (401, 403)


def test_the_root_lists_the_endpoints(world, client_for):
    response = client_for(world.owner_a).get("/api/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert set(response.json()) == {
        "projects",
        "procedures",
        "plans",
        "plan-entries",
        "units",
        "industries",
        "categories",
        "procedure-types",
        "funding-sources",
        "problems",
        "problem-comments",
        "meetings",
        "matters",
        "notices",
        "inspections",
        "milestones",
        "milestone-templates",
        "pipeline-entries",
        "pipeline-rounds",
        "start-events",
        "funding-records",
        "element-needs",
        "element-types",
        "observation-rounds",
        "financing-needs",
        "financing-events",
        "figures",
    }


def test_the_schema_and_docs_are_for_signed_in_users(world, anonymous):
    assert anonymous.get("/api/schema/").status_code == 401
    assert anonymous.get("/api/docs/").status_code == 401


def test_the_schema_is_served(world, client_for):
    response = client_for(world.owner_a).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/projects/{id}/status/" in schema["paths"]
    assert "/api/auth/token/" in schema["paths"]


def test_the_docs_page_loads_everything_from_this_server(world, client_for):
    client = client_for(world.owner_a)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    for outside in ("cdn.jsdelivr", "unpkg", "cdnjs", "googleapis", "http://", "https://"):
        assert outside not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/")
        assert client.get(asset).status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/", "/api/projects/", "/api/projects/{a}/", "/api/plans/", "/api/units/"]
)
@pytest.mark.parametrize("persona", ["coordinator", "owner_a"])
def test_the_browsable_api_renders_for_people_in_a_browser(world, client_for, url, persona):
    response = client_for(getattr(world, persona)).get(
        url.format(a=world.project_a.pk), HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
