"""大屏链接: the coordinator makes and revokes them; a link opens the big screen without signing in,
read only, within its scope, naming nobody; a revoked link stops at once."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from figures.tests.test_figures import accepted
from kiosk.models import ScreenLink
from org.models import Person
from progress.models import ReportPhoto
from progress.photos import inspect_photo, save_photo
from service.tests.conftest import MONTH, YEAR

pytestmark = pytest.mark.django_db
PERIOD = {"period": f"{YEAR}-{MONTH:02d}"}


def make_link(world, **scope) -> tuple[ScreenLink, str]:
    link = ScreenLink(name="大厅LED屏", created_by=world.coordinator, **scope)
    token = link.new_token()
    link.save()
    return link, token


@pytest.fixture
def people_everywhere(led):
    """Names and telephones the screen must never show: the leaders, a chief officer, a contact."""
    led.project_a.chief_officer = Person.objects.create(name="丁首席", phone="13700001234")
    led.project_a.owner_contact = Person.objects.create(name="钱联系", phone="13600005678")
    led.project_a.save()
    return led


@pytest.mark.parametrize(
    ("persona", "answer"),
    [
        ("coordinator", 200),
        ("admin", 200),
        ("leader", "您的角色不能打开此页面。"),
        ("department", "您的角色不能打开此页面。"),
        ("owner_a", "您的角色不能打开此页面。"),
        ("anonymous", "login"),
    ],
)
def test_who_manages_screen_links(world, answer_to, persona, answer):
    assert answer_to(persona, "GET", reverse("kiosk:links")) == answer


def test_the_coordinator_makes_a_link_shown_once(world, client_for):
    client = client_for(world.coordinator)
    response = client.post(reverse("kiosk:links"), {"name": "大厅LED屏", "level": "local"}, follow=True)
    url = response.context["new_url"]
    link = ScreenLink.objects.get()
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40
    assert link.token_hash != token and token not in link.token_hash
    assert ScreenLink.objects.by_token(token) == link
    # Shown once: the list opened again does not give it.
    assert client.get(reverse("kiosk:links")).context["new_url"] == ""


def test_a_link_opens_the_screen_without_signing_in_and_sets_no_cookie(led, client):
    _link, token = make_link(led)
    response = client.get(reverse("screen:show", args=[token]), PERIOD)
    assert response.status_code == 200
    assert not response.cookies
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'data-panel="projects"' in html
    assert reverse("screen:cards", args=[token]) in html


@pytest.mark.parametrize("page", ["screen:show", "screen:data", "screen:cards", "screen:map_data"])
def test_a_link_is_read_only(led, client, page):
    _link, token = make_link(led)
    assert client.post(reverse(page, args=[token]), {}).status_code == 405
    assert client.get(reverse(page, args=[token]), PERIOD).status_code == 200


@pytest.mark.parametrize("page", ["screen:show", "screen:data", "screen:cards", "screen:map_data"])
def test_a_revoked_or_unknown_token_is_not_found(led, client, page):
    link, token = make_link(led)
    link.revoke(by=led.coordinator)
    assert client.get(reverse(page, args=[token])).status_code == 404
    assert client.get(reverse(page, args=["x" * 43])).status_code == 404


def test_revoking_from_the_list_stops_the_screen(led, client, client_for):
    link, token = make_link(led)
    assert client.get(reverse("screen:data", args=[token]), PERIOD).status_code == 200
    client_for(led.coordinator).post(reverse("kiosk:revoke", args=[link.pk]))
    assert client.get(reverse("screen:data", args=[token]), PERIOD).status_code == 404


def test_renewing_a_link_stops_the_old_token(led, client, client_for):
    link, token = make_link(led)
    client_for(led.coordinator).post(reverse("kiosk:renew", args=[link.pk]))
    assert client.get(reverse("screen:show", args=[token])).status_code == 404
    assert ScreenLink.objects.get().is_active


@pytest.mark.parametrize("persona", ["leader", "department"])
def test_only_the_coordinator_revokes(led, answer_to, persona):
    link, _token = make_link(led)
    answer_to(persona, "POST", reverse("kiosk:revoke", args=[link.pk]))
    assert ScreenLink.objects.get().is_active


def test_the_screens_data_names_nobody(people_everywhere, client):
    _link, token = make_link(people_everywhere)
    texts = [
        client.get(reverse(page, args=[token]), PERIOD).content.decode()
        for page in ("screen:show", "screen:data", "screen:cards", "screen:map_data")
    ]
    for text in texts:
        for private in (
            "李领导",
            "王副区长",
            "丁首席",
            "钱联系",
            "13700001234",
            "13600005678",
            "13911112222",
        ):
            assert private not in text


def test_a_scoped_link_shows_only_its_projects(led, client):
    _link, token = make_link(led, unit=led.housing)
    cards = client.get(reverse("screen:cards", args=[token]), PERIOD).json()
    assert [card["id"] for card in cards["cards"]] == [led.project_a.pk]
    data = client.get(reverse("screen:data", args=[token]), PERIOD).json()
    assert data["plan"]["count"] == 1


def test_the_cards_go_round_every_project(led, client):
    _link, token = make_link(led)
    url = reverse("screen:cards", args=[token])
    first = client.get(url, PERIOD).json()
    assert first["total"] == 2
    assert [card["id"] for card in first["cards"]] == sorted([led.project_a.pk, led.project_b.pk])
    card = next(c for c in first["cards"] if c["id"] == led.project_a.pk)
    assert (card["completion_rate"], card["progress_text"], card["progress_percent"]) == (
        "50.0",
        "主体结构施工",
        "45.5",
    )
    after_last = client.get(url, {**PERIOD, "after": first["after"]}).json()
    assert after_last["start"] == 1  # past the last, from the first again


@pytest.fixture
def photos(led, settings, tmp_path):
    """An accepted report's photo for each project."""
    settings.MEDIA_ROOT = tmp_path
    found = {}
    for project in (led.project_a, led.project_b):
        report = project.reports.first() or accepted(project, YEAR, MONTH, "100")
        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), (20, 140, 90)).save(buffer, "JPEG")
        upload = SimpleUploadedFile("site.jpg", buffer.getvalue(), content_type="image/jpeg")
        found[project.pk] = save_photo(
            ReportPhoto(report=report, uploaded_by=led.owner_a), upload, inspect_photo(upload)
        )
    return found


def test_a_cards_photo_is_served_through_the_link_and_no_other(led, photos, client):
    _link, token = make_link(led, unit=led.housing)
    cards = client.get(reverse("screen:cards", args=[token]), PERIOD).json()
    assert cards["cards"][0]["photo"] == reverse("screen:photo", args=[token, photos[led.project_a.pk].pk])
    assert client.get(cards["cards"][0]["photo"]).status_code == 200
    # project_b is outside the link's unit.
    assert client.get(reverse("screen:photo", args=[token, photos[led.project_b.pk].pk])).status_code == 404


def test_the_signed_in_screen_has_the_cards_too(led, client_for):
    client = client_for(led.department)
    page = client.get(reverse("figures:bigscreen"), PERIOD)
    assert reverse("figures:bigscreen_cards") in page.content.decode()
    cards = client.get(reverse("figures:bigscreen_cards"), PERIOD).json()
    # The department sees project_a only.
    assert [card["id"] for card in cards["cards"]] == [led.project_a.pk]


def test_the_links_projects_amount_is_unchanged_by_a_linked_session(led, client_for):
    """A screen opened in a browser signed in as a department still counts the link's scope."""
    _link, token = make_link(led)
    data = client_for(led.department).get(reverse("screen:data", args=[token]), PERIOD).json()
    assert data["plan"]["count"] == 2
    assert data["plan"]["annual_plan"] == str(Decimal("10000.00"))
