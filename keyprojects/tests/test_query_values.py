"""Out-of-range query values never give a server error: pages fall back to the default, the API says 400."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    {"year": "10000"},
    {"year": "-1"},
    {"year": "0"},
    {"month": "13"},
    {"month": "-3"},
    {"project": "99999999999999999999999"},
    {"unit": "99999999999999999999999"},
    {"responsible_unit": "99999999999999999999999"},
    {"page": "99999999999999999999999"},
    {"period": "2026-13"},
    {"quarter": "9"},
    {"number": "99999999999999999999999"},
]


def list_urls() -> list[str]:
    """Every page and endpoint whose address takes no argument (lists, boards, figures)."""
    found: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
                path = "/" + prefix + route.lstrip("^").rstrip("$")
                if "\\" not in path and not path.endswith(("logout/", "export/", ".xlsx", "download/")):
                    found.append(path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_no_page_or_endpoint_fails_on_out_of_range_values(world, client_for):
    client = client_for(world.coordinator)
    client.raise_request_exception = False
    failures = []
    for url in list_urls():
        for params in BAD_VALUES:
            response = client.get(url, params)
            if response.status_code >= 500:
                failures.append(
                    f"{url}?{next(iter(params))}={next(iter(params.values()))} → {response.status_code}"
                )
    assert failures == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/problems/?year=10000",
        "/api/problems/?project=99999999999999999999999",
        "/api/meetings/?year=-1",
        "/api/inspections/?year=0",
        "/api/procedures/?project=99999999999999999999999",
        "/api/approvals/efficiency/?year=10000",
        "/api/start-events/figures/?year=10000",
    ],
)
def test_the_api_answers_400_naming_the_value(world, client_for, url):
    response = client_for(world.coordinator).get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert name in response.json()


@pytest.mark.parametrize(
    "url",
    ["/problems/?year=10000", "/meetings/?year=-1", "/elements/funding/?project=99999999999999999999999"],
)
def test_pages_fall_back_to_their_default_and_say_so(world, client_for, url):
    response = client_for(world.coordinator).get(url)
    assert response.status_code == 200
    value = url.split("?")[1]
    assert f"查询条件 {value} 超出范围，已按默认显示。" in response.content.decode()
