"""Refusals and missing pages answer in Chinese, inside the site's layout, with the reason."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_refused_page_says_why_in_chinese(world, client_for):
    response = client_for(world.owner_a).get("/admin/dictionaries/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="forbidden"' in html and "您的角色不能打开此页面。" in html
    assert "Forbidden" not in html


def test_an_administrators_page_names_who_may(world, client_for):
    response = client_for(world.leader).get("/admin/dictionaries/categories/new/")
    assert response.status_code == 403
    assert "只有系统管理员可以进行此操作。" in response.content.decode()


@pytest.mark.parametrize("path", ["/no-such-page/", "/projects/999999/"])
def test_a_missing_page_or_object_out_of_scope_is_a_chinese_404(world, client_for, path):
    response = client_for(world.owner_a).get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="not-found"' in html and "不在您的查看范围内" in html


def test_a_server_error_is_a_chinese_page_with_the_way_home_that_reads_no_database(
    settings, client, django_assert_num_queries
):
    settings.ROOT_URLCONF = "keyprojects.tests.raising_urls"
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/failing-page/")
    assert response.status_code == 500
    html = response.content.decode()
    assert 'data-testid="server-error"' in html and "服务器出错" in html
    assert f"<title>服务器出错 · {settings.SITE_NAME}</title>" in html
    assert 'href="/" data-testid="back-home"' in html and "返回首页" in html
    assert "vendor/tabler/tabler.min.css" in html
    assert "Server Error" not in html


def test_an_expired_form_is_a_chinese_page_not_djangos_english_one(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)
    response = client.post("/admin/dictionaries/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="csrf-failure"' in html and "页面已过期" in html and "返回首页" in html
    assert "CSRF verification failed" not in html
