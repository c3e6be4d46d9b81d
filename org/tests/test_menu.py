"""The menu is the permission: what a role's menu leaves out, it cannot open by URL either."""

import pytest
from django.urls import reverse

from org.menu import MENU, may_open

pytestmark = pytest.mark.django_db

PERSONAS = ("coordinator", "leader", "inspector", "admin", "department", "town_user", "owner_a", "outsider")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_in_the_menu_opens_and_every_page_left_out_is_refused(world, client_for, persona):
    user = getattr(world, persona)
    client = client_for(user)
    client.raise_request_exception = False
    shown = client.get(reverse("home")).content.decode()
    for _title, pages in MENU:
        for page in pages:
            url = reverse(page.url_name)
            response = client.get(url)
            if may_open(user, page.url_name):
                assert f'href="{url}"' in shown, (persona, url)
                assert response.status_code == 200, (persona, url, response.status_code)
            else:
                assert f'href="{url}"' not in shown, (persona, url)
                assert response.status_code == 403, (persona, url, response.status_code)


def test_an_owner_cannot_open_the_assessment_and_bulletin_areas_by_url(world, client_for):
    client = client_for(world.owner_a)
    for name in ("progress:board", "assessment:scores", "assessment:rankings", "bulletins:list"):
        url = reverse(name)
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("meetings:list")).status_code == 200
