"""Only 系统管理员 opens the administration pages; everyone else gets 403, anonymous users the login page."""

import pytest
from django.urls import reverse

from audit.models import OperationLog
from catalog.models import IndustryField

PERSONAS_REFUSED = ["coordinator", "leader", "inspector", "department", "owner_a", "outsider"]


def admin_pages(world) -> list[str]:
    industry = IndustryField.objects.get(code="municipal")
    return [
        reverse("org:unit_list"),
        reverse("org:unit_create"),
        reverse("org:unit_edit", args=[world.housing.pk]),
        reverse("org:user_list"),
        reverse("org:user_create"),
        reverse("org:user_edit", args=[world.owner_a.pk]),
        reverse("org:user_reset_password", args=[world.owner_a.pk]),
        reverse("org:role_list"),
        reverse("catalog:index"),
        reverse("catalog:item_list", args=["industries"]),
        reverse("catalog:item_create", args=["procedure-types"]),
        reverse("catalog:item_edit", args=["industries", industry.pk]),
        reverse("audit:login_log"),
        reverse("audit:operation_log"),
    ]


def admin_actions(world) -> list[str]:
    industry = IndustryField.objects.get(code="municipal")
    return [
        reverse("org:unit_toggle_active", args=[world.education.pk]),
        reverse("org:unit_delete", args=[world.education.pk]),
        reverse("org:user_unlock", args=[world.owner_a.pk]),
        reverse("catalog:item_toggle_active", args=["industries", industry.pk]),
        reverse("catalog:item_delete", args=["industries", industry.pk]),
    ]


def test_admin_opens_every_administration_page(world, client_for) -> None:
    client = client_for(world.admin)
    for url in admin_pages(world):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", PERSONAS_REFUSED)
def test_other_roles_are_refused_every_administration_page(world, client_for, persona: str) -> None:
    client = client_for(getattr(world, persona))
    for url in admin_pages(world):
        assert client.get(url).status_code == 403, url
    for url in admin_actions(world):
        assert client.post(url).status_code == 403, url
    assert not OperationLog.objects.exists()
    assert IndustryField.objects.get(code="municipal").is_active


def test_anonymous_visitor_is_sent_to_login(world, client) -> None:
    login = reverse("login")
    for url in admin_pages(world) + admin_actions(world):
        method = client.post if url in admin_actions(world) else client.get
        response = method(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url


def test_menu_shows_administration_only_to_admin(world, client_for) -> None:
    assert reverse("org:unit_list") in client_for(world.admin).get(reverse("home")).content.decode()
    assert reverse("org:unit_list") not in client_for(world.coordinator).get(reverse("home")).content.decode()


def test_unknown_dictionary_is_not_found(world, client_for) -> None:
    assert client_for(world.admin).get(reverse("catalog:item_list", args=["colours"])).status_code == 404


def test_administration_actions_refuse_get(world, client_for) -> None:
    client = client_for(world.admin)
    for url in admin_actions(world):
        assert client.get(url).status_code == 405, url
