"""A project's page is made of the tabs and links the apps register (projects.page)."""

import pytest

from projects import page

pytestmark = pytest.mark.django_db


def test_the_apps_contribute_the_tabs_and_links_in_order():
    assert [tab.key for tab in page.tabs()] == [
        "overview",
        "plans",
        "forecast",
        "procedures",
        "funding",
        "financing",
        "elements",
        "service",
        "alerts",
        "reviews",
        "evaluation",
        "history",
    ]
    assert [link.key for link in page.links()] == ["reports", "problems", "milestones"]


@pytest.mark.parametrize(
    "tab",
    [
        "overview",
        "plans",
        "forecast",
        "procedures",
        "funding",
        "financing",
        "elements",
        "service",
        "alerts",
        "reviews",
        "evaluation",
        "history",
    ],
)
def test_every_tab_opens_as_a_page_and_as_an_htmx_swap(world, client_for, tab):
    client = client_for(world.coordinator)
    url = f"{world.project_a.get_absolute_url()}?tab={tab}"
    full = client.get(url)
    assert full.status_code == 200
    html = full.content.decode()
    assert "<html" in html and f'data-testid="tab-{tab}"' in html
    assert f'href="?tab={tab}" data-testid="tab-{tab}"' in html
    swapped = client.get(url, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    part = swapped.content.decode()
    assert "<html" not in part and 'id="project-tabs-card"' in part
    assert part.count("nav-link active") == 1 and f'class="nav-link active" href="?tab={tab}"' in part


def test_an_unknown_tab_shows_the_overview(world, client_for):
    html = (
        client_for(world.coordinator).get(f"{world.project_a.get_absolute_url()}?tab=nope").content.decode()
    )
    assert 'class="nav-link active" href="?tab=overview"' in html


def test_the_links_carry_their_counts(world, client_for):
    from problems.tests.factories import make_problem

    make_problem(world.project_a, world.department.unit)
    html = client_for(world.coordinator).get(world.project_a.get_absolute_url()).content.decode()
    assert f'href="/problems/?project={world.project_a.pk}" data-testid="project-problems"' in html
    problems_link = html.split('data-testid="project-problems"')[1].split("</a>")[0]
    assert ">1</span>" in problems_link
