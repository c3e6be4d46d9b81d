"""Whatever is typed or put in a URL, the administration pages answer with messages, never a 500."""

import pytest
from django.urls import reverse

from audit.models import OperationLog
from catalog.models import IndustryField
from org.models import Unit, User

GARBAGE = [
    "",
    " ",
    "\x00",
    "x" * 5000,
    "-1",
    "99999999999999999999999",
    "<b>x</b>",
    "=1+1",
    "中文",
]


@pytest.fixture
def admin(world, client_for):
    return client_for(world.admin)


def form_urls(world) -> list[str]:
    industry = IndustryField.objects.get(code="municipal")
    return [
        reverse("org:unit_create"),
        reverse("org:unit_edit", args=[world.housing.pk]),
        reverse("org:user_create"),
        reverse("org:user_edit", args=[world.owner_a.pk]),
        reverse("org:user_reset_password", args=[world.owner_a.pk]),
        reverse("catalog:item_create", args=["procedure-types"]),
        reverse("catalog:item_edit", args=["industries", industry.pk]),
        reverse("password_change"),
    ]


FIELDS = [
    "name", "short_name", "kind", "parent", "credit_code", "contact_phone", "sort_order", "username",
    "unit", "role", "phone", "password1", "password2", "new_password1", "new_password2", "old_password",
    "code", "time_limit_days", "table_column",
]  # fmt: skip


@pytest.mark.parametrize("value", GARBAGE)
def test_forms_answer_garbage_with_messages_and_save_nothing(world, admin, value: str) -> None:
    units, users = Unit.objects.count(), User.objects.count()
    for url in form_urls(world):
        response = admin.post(url, dict.fromkeys(FIELDS, value))
        assert response.status_code == 200, url
        assert response.context["form"].errors, url
    assert (Unit.objects.count(), User.objects.count()) == (units, users)
    assert not OperationLog.objects.exists()


@pytest.mark.parametrize("value", GARBAGE)
def test_lists_answer_garbage_parameters(world, admin, value: str) -> None:
    params = dict.fromkeys(["q", "role", "unit", "active", "page", "user", "ip_address", "date_from", "date_to",
                            "event", "action", "object", "parent"], value)  # fmt: skip
    for name in ["org:user_list", "org:unit_create", "audit:login_log", "audit:operation_log"]:
        assert admin.get(reverse(name), params).status_code == 200, name


def test_unknown_ids_are_not_found(world, admin) -> None:
    assert admin.get(reverse("org:unit_edit", args=[99999])).status_code == 404
    assert admin.get(reverse("org:user_edit", args=[99999])).status_code == 404
    assert admin.post(reverse("org:user_unlock", args=[99999])).status_code == 404
    assert admin.get(reverse("catalog:item_edit", args=["categories", 99999])).status_code == 404


def test_unlock_does_not_redirect_off_site(world, admin) -> None:
    response = admin.post(
        reverse("org:user_unlock", args=[world.owner_a.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("org:user_list")


def test_login_answers_garbage(db, client) -> None:
    for value in GARBAGE:
        response = client.post(
            reverse("login"), {"username": value, "password": value}, REMOTE_ADDR="10.0.0.1"
        )
        assert response.status_code in (200, 429)
